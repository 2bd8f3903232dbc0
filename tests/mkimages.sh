#!/bin/bash
# tests/mkimages.sh - build the small guest images the integration tests and
# the demo run imprint on.
#
# Usage: tests/mkimages.sh [--force] [DIR]
#        tests/mkimages.sh --print-dir [DIR]
#
# Builds into DIR (default $IMPRINT_TEST_CACHE, else tests/cache/ under the
# repository root) the images described in tests/images.md: ovs.img,
# lvm.img, debian.img, blank.img, notadisk.img and ovs-overlay.qcow2.  It
# rebuilds them only when one is missing or when this script or a file
# under tests/data/guest-{ovs,lvm,debian}/ changed (a hash of both is kept
# in DIR/stamp); --force rebuilds regardless.  Prints one line per image
# built, and the absolute path of DIR as the last line of stdout, so
# callers can do
#	dir=$(tests/mkimages.sh | tail -n 1)
# --print-dir prints that path and builds nothing.
#
# What it does not do: it never mounts anything on the host and never runs
# a host program on guest data.  All partitioning, LVM, mkfs and file
# writes happen inside one libguestfs appliance (guestfish) that has every
# image attached, because an appliance launch is the expensive step (about
# 15 s under TCG).  When the launch fails and LIBGUESTFS_BACKEND_SETTINGS is
# unset (on the build machines KVM is present but qemu aborts on MSR 0x10a),
# the build is retried once with LIBGUESTFS_BACKEND_SETTINGS=force_tcg.
#
# Images are written under temporary names (*-t) and renamed into place at
# the end; the stamp is written last.  An interrupted build therefore never
# leaves an image that looks finished.  A lock (DIR/.lock-mkimages, flock)
# serialises concurrent callers.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=$TOP/tests/data
IMAGES=(ovs.img lvm.img debian.img blank.img split.img notadisk.img
    ovs-overlay.qcow2)

die() {
	echo "mkimages: $*" >&2
	exit 1
}

# shellcheck source=tests/cache-lib.sh
. "$TOP/tests/cache-lib.sh"
cache_setup mkimages "$@"

# The build's identity: this script and every file of the guest trees it
# uploads, by name and content.  (Not all of tests/data/: other tests keep
# their own files there.)
TREES=(guest-ovs guest-lvm guest-debian)
stamp_want() {
	(cd "$TOP/tests" &&
	    find mkimages.sh "${TREES[@]/#/data/}" -type f -print0 |
	    LC_ALL=C sort -z |
	    xargs -0 sha256sum) | sha256sum | cut -d ' ' -f 1
}

up_to_date() {
	local f
	[ -f "$DIR/stamp" ] || return 1
	[ "$(cat "$DIR/stamp")" = "$want" ] || return 1
	for f in "${IMAGES[@]}"; do
		[ -f "$DIR/$f" ] || return 1
	done
}

exec 9>"$DIR/.lock-mkimages"
flock 9
want=$(stamp_want)
if [ "$force" -eq 0 ] && up_to_date; then
	printf '%s\n' "$DIR"
	exit 0
fi

# guestfish runs in WORK, where data -> tests/data, so every host path in
# its script is a short relative name that needs no quoting.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mkimages.XXXXXX")
GF=$WORK/build.gf
ERR=$WORK/guestfish.err
cleanup() {
	rm -rf -- "$WORK"
	for f in "${IMAGES[@]}"; do
		rm -f -- "$DIR/$f-t"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
rm -f -- "$DIR/stamp"

# --- guestfish script generation --------------------------------------

# Every name that reaches the guestfish script must be a plain path, so no
# quoting is needed there.
check_name() {
	case $1 in
	*[!A-Za-z0-9._/+-]*) die "unexpected file name '$1' under tests/data" ;;
	esac
}

# Mode and owner of an uploaded guest file: TREE PATH -> "MODE UID GID".
attrs_for() {
	case $1:$2 in
	guest-debian:/etc/shadow) echo "0640 0 42" ;;
	guest-debian:/etc/machine-id) echo "0444 0 0" ;;
	*:/etc/shadow) echo "0400 0 0" ;;	# EL5: -r-------- root root
	*:/etc/ssh/ssh_host_*_key) echo "0600 0 0" ;;
	*) echo "0644 0 0" ;;
	esac
}

# Upload every file of tests/data/TREE to the same path in the mounted
# guest, with explicit mode and owner: one tar-in of a tarball staged in
# WORK (files only: tar makes missing parents 0755, as mkdir-p did).  A
# guestfish command per file, four for each, took minutes under TCG.
# Owners other than root:root are set after it (tar records 0:0).
emit_tree() {
	local tree=$1 f rel mode uid gid st=$WORK/stage-$1 own=()
	rm -rf -- "$st"
	mkdir -p -- "$st"
	while IFS= read -r -d '' f; do
		check_name "$f"
		rel=${f#"$tree"}
		read -r mode uid gid <<<"$(attrs_for "$tree" "$rel")"
		mkdir -p -- "$st${rel%/*}"
		cp -- "$DATA/$f" "$st$rel"
		chmod "$mode" "$st$rel"
		[ "$uid:$gid" = 0:0 ] || own+=("chown $uid $gid $rel")
	done < <(cd "$DATA" && find "$tree" -type f -print0 | LC_ALL=C sort -z)
	(cd "$st" && find . -type f -print0 | LC_ALL=C sort -z |
	    tar --create --file "$WORK/$tree.tar" --owner=0 --group=0 \
	    --numeric-owner --no-recursion --null --files-from -) ||
	    die "cannot make $WORK/$tree.tar"
	echo "tar-in $tree.tar /"
	for f in "${own[@]}"; do
		echo "$f"
	done
}

# Directories (with modes), placeholders and symlinks of an EL5 root.
emit_el5_dirs() {
	local d
	for d in bin boot dev etc etc/sysconfig/network-scripts etc/udev/rules.d \
	    home lib lib64 media mnt opt proc sbin selinux srv sys usr usr/bin \
	    usr/lib usr/lib64 usr/sbin usr/share var var/lib var/lib/dhclient \
	    var/log var/empty; do
		echo "mkdir-p /$d"
		echo "chmod 0755 /$d"
	done
	echo "mkdir-p /root"
	echo "chmod 0750 /root"
	echo "mkdir-p /tmp"
	echo "chmod 01777 /tmp"
	echo "mkdir-p /var/tmp"
	echo "chmod 01777 /var/tmp"
	echo "mkdir-p /var/empty/sshd"
	echo "chmod 0711 /var/empty/sshd"
	# Zero-length placeholders naming glibc 2.5, for tools that guess the
	# guest's libc from file names; no real binaries are shipped.
	echo "touch /lib64/libc-2.5.so"
	echo "ln-s libc-2.5.so /lib64/libc.so.6"
	echo "touch /lib64/libcrypt-2.5.so"
	echo "ln-s libcrypt-2.5.so /lib64/libcrypt.so.1"
	echo "upload elf-x86_64 /bin/bash"
	echo "chmod 0755 /bin/bash"
	echo "ln-s bash /bin/sh"
	# EL5 keeps grub.conf in /boot and links it from /etc.
	echo "ln-s ../boot/grub/grub.conf /etc/grub.conf"
}

# /boot of an EL5 guest (mounted at /boot): grub.conf comes from the tree;
# kernel and initrd are zero-length placeholders.
emit_el5_boot() {
	local kver=$1
	echo "mkdir-p /boot/grub"
	echo "ln-s ./grub.conf /boot/grub/menu.lst"
	echo "touch /boot/vmlinuz-$kver"
	echo "touch /boot/initrd-$kver.img"
}

# split.img's fstab, lease and marker file, on the root ("hidden") and on
# the /etc and /var partitions ("real").
emit_split_common() {
	printf 'write /etc/fstab "%s"\n' "LABEL=/ / ext3 defaults 1 1\\n\
UUID=5f42be80-6d71-4295-9e0a-40b1c2d30502 /etc ext3 defaults 1 2\\n\
LABEL=var /var ext3 defaults 1 2\\n\
tmpfs /dev/shm tmpfs defaults 0 0\\nproc /proc proc defaults 0 0\\n"
	printf 'write /var/lib/dhclient/dhclient-eth0.leases "lease %s\\n"\n' "$1"
	printf 'write /etc/imprint-test-copy "%s\\n"\n' "$1"
}

gen_script() {
	cat <<'EOF'
run

# ---- /dev/sda: ovs.img, Oracle VM 2 style System.img (OEL 5.2) ----
part-init /dev/sda mbr
part-add /dev/sda p 2048 67583
part-add /dev/sda p 67584 231423
part-add /dev/sda p 231424 262143
part-set-bootable /dev/sda 1 true
part-set-mbr-id /dev/sda 3 0x82
mkfs ext3 /dev/sda1 label:/boot
set-uuid /dev/sda1 1b0e7a4c-2f3d-4e51-9a6b-0c7d8e9f0101
mkfs ext3 /dev/sda2 label:/
set-uuid /dev/sda2 1b0e7a4c-2f3d-4e51-9a6b-0c7d8e9f0102
mkswap /dev/sda3 label:SWAP-VM uuid:1b0e7a4c-2f3d-4e51-9a6b-0c7d8e9f0103
mount /dev/sda2 /
EOF
	emit_el5_dirs
	echo "mount /dev/sda1 /boot"
	emit_el5_boot 2.6.18-92.el5xen
	emit_tree guest-ovs
	cat <<'EOF'
umount-all

# ---- /dev/sdb: lvm.img, RHEL 5.11 on VolGroup00 ----
part-init /dev/sdb mbr
part-add /dev/sdb p 2048 67583
part-add /dev/sdb p 67584 -1
part-set-bootable /dev/sdb 1 true
part-set-mbr-id /dev/sdb 2 0x8e
mkfs ext3 /dev/sdb1 label:/boot
set-uuid /dev/sdb1 2c1f8b5d-3a4e-4f62-8b7c-1d8e9fa00201
pvcreate /dev/sdb2
vgcreate VolGroup00 /dev/sdb2
lvcreate LogVol00 VolGroup00 88
lvcreate LogVol01 VolGroup00 32
mkfs ext3 /dev/VolGroup00/LogVol00
set-uuid /dev/VolGroup00/LogVol00 2c1f8b5d-3a4e-4f62-8b7c-1d8e9fa00202
mkswap /dev/VolGroup00/LogVol01 uuid:2c1f8b5d-3a4e-4f62-8b7c-1d8e9fa00203
mount /dev/VolGroup00/LogVol00 /
EOF
	emit_el5_dirs
	echo "mount /dev/sdb1 /boot"
	emit_el5_boot 2.6.18-398.el5xen
	emit_tree guest-lvm
	cat <<'EOF'
umount-all
vg-activate false VolGroup00

# ---- /dev/sdc: debian.img, Debian 12 (merged /usr) ----
part-init /dev/sdc mbr
part-add /dev/sdc p 2048 -1
part-set-bootable /dev/sdc 1 true
mkfs ext4 /dev/sdc1
set-uuid /dev/sdc1 3d209c6e-4b5f-4073-9c8d-2e9fa0b10301
mount /dev/sdc1 /
EOF
	local d
	for d in boot dev etc etc/network/interfaces.d home media mnt opt \
	    proc run srv sys usr usr/bin usr/lib usr/lib/x86_64-linux-gnu \
	    usr/lib64 usr/sbin usr/share var var/lib var/lib/dbus \
	    var/lib/dhcp var/log; do
		echo "mkdir-p /$d"
		echo "chmod 0755 /$d"
	done
	cat <<'EOF'
mkdir-p /root
chmod 0700 /root
mkdir-p /tmp
chmod 01777 /tmp
mkdir-p /var/tmp
chmod 01777 /var/tmp
ln-s usr/bin /bin
ln-s usr/sbin /sbin
ln-s usr/lib /lib
ln-s usr/lib64 /lib64
upload elf-x86_64 /usr/bin/bash
chmod 0755 /usr/bin/bash
ln-s bash /usr/bin/sh
touch /usr/lib/x86_64-linux-gnu/libc.so.6
touch /usr/lib/x86_64-linux-gnu/libcrypt.so.1.1.0
ln-s libcrypt.so.1.1.0 /usr/lib/x86_64-linux-gnu/libcrypt.so.1
ln-s ../usr/lib/os-release /etc/os-release
ln-s /etc/machine-id /var/lib/dbus/machine-id
EOF
	emit_tree guest-debian
	cat <<'EOF'
umount-all

# ---- /dev/sdd: blank.img, one ext4 filesystem without an OS ----
part-init /dev/sdd mbr
part-add /dev/sdd p 2048 -1
mkfs ext4 /dev/sdd1 label:scratch
set-uuid /dev/sdd1 4e31ad7f-5c60-4184-8d9e-3fa0b1c20401
mount /dev/sdd1 /
write /README "imprint test image: a filesystem with no operating system\n"
umount-all

# ---- /dev/sde: split.img, OEL 5 with /etc and /var on their own ----
# The root filesystem holds the template's files under /etc and /var as
# they were before /etc and /var moved to partitions 2 and 3: what a
# mount hides, which imprint must never edit.
part-init /dev/sde mbr
part-add /dev/sde p 2048 98303
part-add /dev/sde p 98304 147455
part-add /dev/sde p 147456 -1
mkfs ext3 /dev/sde1 label:/
set-uuid /dev/sde1 5f42be80-6d71-4295-9e0a-40b1c2d30501
mkfs ext3 /dev/sde2
set-uuid /dev/sde2 5f42be80-6d71-4295-9e0a-40b1c2d30502
mkfs ext3 /dev/sde3 label:var
set-uuid /dev/sde3 5f42be80-6d71-4295-9e0a-40b1c2d30503
mount /dev/sde1 /
EOF
	emit_el5_dirs
	emit_tree guest-ovs
	emit_split_common hidden
	cat <<'EOF'
mount /dev/sde2 /etc
mount /dev/sde3 /var
EOF
	for d in etc/sysconfig/network-scripts etc/udev/rules.d var/lib \
	    var/lib/dhclient var/lib/dbus var/log var/empty; do
		echo "mkdir-p /$d"
		echo "chmod 0755 /$d"
	done
	emit_tree guest-ovs
	emit_split_common real
	cat <<'EOF'
write /var/lib/dbus/machine-id "5f42be806d7142959e0a40b1c2d30500\n"
umount-all

sync
shutdown
EOF
}

# --- build -------------------------------------------------------------

make_disks() {
	local f
	for f in ovs.img lvm.img debian.img blank.img split.img; do
		rm -f -- "$DIR/$f-t"
	done
	truncate -s 128M "$DIR/ovs.img-t"
	truncate -s 160M "$DIR/lvm.img-t"
	truncate -s 64M "$DIR/debian.img-t"
	truncate -s 16M "$DIR/blank.img-t"
	truncate -s 96M "$DIR/split.img-t"
}

run_guestfish() {
	(cd "$WORK" && guestfish --format=raw \
	    -a "$DIR/ovs.img-t" -a "$DIR/lvm.img-t" \
	    -a "$DIR/debian.img-t" -a "$DIR/blank.img-t" \
	    -a "$DIR/split.img-t" \
	    -f "$GF") >/dev/null 2>"$ERR" 9>&-
}

# A 64-byte ELF header (x86-64 executable, no code) stands in for the
# guests' shells: libguestfs inspection reads the architecture from
# /bin/bash with file(1), and real binaries have no place in a test image.
make_elf_stub() {
	printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000'
	printf '\002\000\076\000\001\000\000\000'	# EXEC, x86-64, v1
	head -c 28 /dev/zero				# entry, phoff, shoff, flags
	printf '\100\000'				# e_ehsize = 64
	head -c 10 /dev/zero
}

ln -s "$DATA" "$WORK/data"
make_elf_stub >"$WORK/elf-x86_64"
gen_script >"$GF"
start=$SECONDS
cache_guestfish mkimages make_disks

# Host-side files: plain text and a qcow2 header, no guest data involved.
for i in $(seq 1 64); do
	printf 'imprint test data, line %02d: this file is not a disk image\n' \
	    "$i"
done >"$DIR/notadisk.img-t"
# The backing file is named relative to the overlay, so qemu finds it in
# the overlay's own directory and the cache directory can be moved.  -u:
# ovs.img is still ovs.img-t at this point.
qemu-img create -q -f qcow2 -F raw -b ovs.img -u "$DIR/ovs-overlay.qcow2-t" \
    128M

for f in "${IMAGES[@]}"; do
	mv -f -- "$DIR/$f-t" "$DIR/$f"
	echo "built $DIR/$f"
done
printf '%s\n' "$want" >"$DIR/stamp"
echo "mkimages: built ${#IMAGES[@]} images in $((SECONDS - start)) s" >&2
printf '%s\n' "$DIR"
