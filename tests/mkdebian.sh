#!/bin/bash
# tests/mkdebian.sh - build the real, bootable Debian 12 guest of the boot
# proof (tests/t-boot.sh, tests/bootcheck.sh; see tests/boot.md).
#
# Usage: tests/mkdebian.sh [--force] [DIR]
#        tests/mkdebian.sh --print-dir [DIR]
#
# Builds into DIR (default $IMPRINT_TEST_CACHE, else tests/cache/ under the
# repository root, as tests/mkimages.sh does):
#	debian-boot.img      qcow2, 2 GiB virtual, MBR: 1 root (ext4, label
#	                     imprint-boot, bootable), 2 /srv (32 MiB ext4,
#	                     imprint-srv), 3 swap (32 MiB); fixed UUIDs
#	                     5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f700N, N = 1, 2, 3
#	debian-boot.vmlinuz  the guest's kernel, copied out of the build tree
#	debian-boot.initrd   the guest's initramfs, likewise
#	debian-boot.cfg      an xl.cfg for the template (name, uuid, four vifs
#	                     with MACs 00:16:3e:5b:00:01 to :04, disk target =
#	                     the image)
#	debian-boot.hostkey  the template's ed25519 host key fingerprint
#	debian-boot.labels   "PATH LABEL" for every file under /etc: the
#	                     SELinux label (security.selinux) it carries
#	debian-boot.stamp    the build's identity, written last
# It rebuilds only when one is missing or when this script or anything under
# tests/data/debian-boot/ changed (a hash of both is the stamp); --force
# rebuilds regardless.  Prints the absolute path of DIR as the last line of
# stdout, so callers can do
#	dir=$(tests/mkdebian.sh | tail -n 1)
# --print-dir prints that path and builds nothing.
#
# How: `debootstrap --variant=minbase` into a scratch directory under DIR,
# from the Debian mirror the host's apt is configured with
# ($IMPRINT_DEBIAN_MIRROR overrides); the template identity and the
# imprint-report unit (tests/data/debian-boot/root/) are copied over it;
# the tree is slimmed.  The disk is then made on the host, in a sparse raw
# file in the scratch directory: sfdisk writes the partition table, mke2fs
# makes each ext4 straight into its partition's byte range
# (-E offset=) and fills it from a tree in the same pass (-d: owners,
# modes, xattrs and ACLs, device nodes, hard links, symlinks; the /srv
# one from tests/data/debian-boot/srv/), mkswap's signature is copied into
# the swap partition with dd, and qemu-img converts the file to qcow2.
# That takes 1-4 s on the 2-core build machine (sfdisk 0.5 s, mke2fs of
# root 1 s, qemu-img 0.3 s), where unpacking a tar in a libguestfs
# appliance under TCG took 29-31 s idle and 76-99 s under load;
# debootstrap's 70-100 s are now nearly the whole build.  The debootstrap
# tree is built here from signed packages, so it is trusted host data;
# nothing is mounted on the host and no loop device is used.
#
# Needs root (debootstrap creates device nodes and files of other owners)
# and network access to the mirror.  Files are written under temporary
# names (*-t) and renamed into place at the end, stamp last, so an
# interrupted build never leaves a set that looks finished.  A lock
# (DIR/.lock-debian-boot, flock) serialises concurrent callers.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=$TOP/tests/data/debian-boot
SUITE=bookworm
OUTPUTS=(debian-boot.img debian-boot.vmlinuz debian-boot.initrd
    debian-boot.cfg debian-boot.hostkey debian-boot.labels)
# Packages on top of minbase, each for a reason:
#   linux-image-cloud-amd64  the kernel; the cloud flavour is a third of
#                            the size of the generic one and has virtio
#   systemd-sysv             systemd as init (minbase has no init at all)
#   udev                     names the NIC eth0 (net.ifnames=0) and loads
#                            virtio_net
#   ifupdown                 networking.service reads /etc/network/interfaces
#                            and sets the static address; its
#                            ifupdown-wait-online.service holds
#                            network-online.target until that is done
#   iproute2                 ifupdown's backend, and `ip` for the report
#   openssh-server           sshd, whose host keys a clone must not share:
#                            the report shows it running with the keys
#                            imprint made (Debian's ssh.service does not
#                            make missing ones)
INCLUDE=linux-image-cloud-amd64,systemd-sysv,udev,ifupdown,iproute2,\
openssh-server,dbus,libpam-systemd,network-manager,netplan.io

die() {
	echo "mkdebian: $*" >&2
	exit 1
}

# shellcheck source=tests/cache-lib.sh
. "$TOP/tests/cache-lib.sh"
cache_setup mkdebian "$@"

# The build's identity: this script and every file under
# tests/data/debian-boot/, by name, mode and content (the mode matters:
# the report script must stay executable).
stamp_want() {
	(cd "$TOP/tests" &&
	    find mkdebian.sh data/debian-boot -type f -print0 |
	    LC_ALL=C sort -z |
	    xargs -0 stat -c '%a %n' &&
	    find mkdebian.sh data/debian-boot -type f -print0 |
	    LC_ALL=C sort -z | xargs -0 sha256sum) |
	    sha256sum | cut -d ' ' -f 1
}

up_to_date() {
	local f
	[ -f "$DIR/debian-boot.stamp" ] || return 1
	[ "$(cat "$DIR/debian-boot.stamp")" = "$want" ] || return 1
	for f in "${OUTPUTS[@]}"; do
		[ -f "$DIR/$f" ] || return 1
	done
}

exec 9>"$DIR/.lock-debian-boot"
flock 9
want=$(stamp_want)
if [ "$force" -eq 0 ] && up_to_date; then
	printf '%s\n' "$DIR"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "debootstrap needs root"
for c in debootstrap sfdisk mke2fs mkswap blkid e2fsck setfattr qemu-img; do
	command -v "$c" >/dev/null || die "'$c' not found"
done

# The scratch directory lives under DIR (same filesystem as the outputs,
# and not a tmpfs that might be too small for ~400 MB).
WORK=$(mktemp -d "$DIR/debian-boot.build.XXXXXX")
ROOT=$WORK/root

# debootstrap mounts proc and sys inside the tree while it installs; if it
# was interrupted they may still be mounted, and rm -r must never walk into
# them.  Unmount whatever is under the scratch directory (deepest first),
# then delete without crossing filesystems.
cleanup() {
	local m
	# No errexit here: grep finding no mount must not end the cleanup.
	set +e
	if [ -d "$WORK" ]; then
		findmnt -rn -o TARGET | grep -F -- "$WORK/" | sort -r |
		    while IFS= read -r m; do
			umount -l -- "$m" || true
		done
		rm -rf --one-file-system -- "$WORK"
	fi
	for f in "${OUTPUTS[@]}"; do
		rm -f -- "$DIR/$f-t"
	done
}
trap cleanup EXIT
rm -f -- "$DIR/debian-boot.stamp"

# --- mirror --------------------------------------------------------------

# The first http(s) URI that apt's sources give for "$SUITE main": deb822
# files (sources.list.d/*.sources, the Debian 12 default) and the one-line
# format (sources.list, *.list).  Security and updates suites are not
# matched because their suite names differ.
find_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '
		function has(list, w,   n, a, i) {
			n = split(list, a, /[ \t]+/)
			for (i = 1; i <= n; i++)
				if (a[i] == w)
					return 1
			return 0
		}
		function flush() {
			if (has(types, "deb") && has(suites, suite) &&
			    has(comps, "main") && enabled != "no" &&
			    uris ~ /^https?:\/\//) {
				split(uris, u, /[ \t]+/)
				print u[1]
				found = 1
				exit
			}
			types = suites = comps = uris = enabled = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^#/ { next }
		/^[A-Za-z-]+:/ {
			key = tolower(substr($0, 1, index($0, ":") - 1))
			val = substr($0, index($0, ":") + 1)
			gsub(/^[ \t]+|[ \t]+$/, "", val)
			if (key == "types") types = val
			else if (key == "suites") suites = val
			else if (key == "components") comps = val
			else if (key == "uris") uris = val
			else if (key == "enabled") enabled = tolower(val)
		}
		END { if (!found) flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [options] URI SUITE COMPONENT...
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' -- "$f" | awk -v suite="$SUITE" '
		$1 == "deb" && $3 == suite && $2 ~ /^https?:\/\// {
			for (i = 4; i <= NF; i++)
				if ($i == "main") { print $2; exit }
		}'
	done
}

MIRROR=${IMPRINT_DEBIAN_MIRROR:-$(find_mirror | head -n 1)}
[ -n "$MIRROR" ] || die "no http(s) mirror for '$SUITE main' in" \
    "/etc/apt/sources.list*; set IMPRINT_DEBIAN_MIRROR"

# debootstrap fetches with wget, which knows nothing of apt.conf: hand it
# apt's proxy when the environment has none.
if [ -z "${http_proxy-}" ]; then
	proxy=
	eval "$(apt-config shell proxy Acquire::http::Proxy 2>/dev/null)" ||
	    true
	if [ -n "$proxy" ] && [ "$proxy" != DIRECT ]; then
		export http_proxy=$proxy
	fi
fi

start=$SECONDS

# --- debootstrap ---------------------------------------------------------

echo "mkdebian: debootstrap $SUITE from $MIRROR" >&2
if ! debootstrap --variant=minbase --arch=amd64 --include="$INCLUDE" \
    "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
	tail -n 30 "$WORK/debootstrap.log" >&2
	[ -f "$ROOT/debootstrap/debootstrap.log" ] &&
	    tail -n 30 "$ROOT/debootstrap/debootstrap.log" >&2
	die "debootstrap failed"
fi
t_debootstrap=$((SECONDS - start))

# --- template identity and the report unit --------------------------------

# Files from tests/data/debian-boot/root/ replace debootstrap's (which
# copied the build host's hostname and resolv.conf into the tree).  Modes
# are set explicitly so the result does not depend on the checkout's umask.
(cd "$DATA/root" && find . -type f -print0) |
    while IFS= read -r -d '' f; do
	f=${f#./}
	install -D -o 0 -g 0 -m 0644 -- "$DATA/root/$f" "$ROOT/$f"
done
chmod 0755 "$ROOT/usr/local/sbin/imprint-report"
chmod 0444 "$ROOT/etc/machine-id"
# NetworkManager ignores a keyfile others can read; netplan warns
chmod 0600 "$ROOT/etc/NetworkManager/system-connections/lan3.nmconnection" \
    "$ROOT/etc/netplan/50-lan2.yaml"
# A host's resolver has no business in a test guest (and -netdev user with
# restrict=on gives it none).
rm -f -- "$ROOT/etc/resolv.conf"

# Enable the report unit the way `systemctl enable` would (its [Install]
# says WantedBy=multi-user.target), without running anything in the tree.
mkdir -p -- "$ROOT/etc/systemd/system/multi-user.target.wants"
ln -sfn /etc/systemd/system/imprint-report.service \
    "$ROOT/etc/systemd/system/multi-user.target.wants/imprint-report.service"
# The console is a log, not a terminal: no login prompts on it or on the
# (invisible) VGA console, and no timers that could start work during the
# short boot.  Masking = a link to /dev/null, as `systemctl mask` makes.
# networkd runs beside ifupdown and NetworkManager, each with its own
# NICs; the report waits for the addresses itself, so the stacks'
# wait-online units (which wait for every NIC they know) are masked.
ln -sfn /usr/lib/systemd/system/systemd-networkd.service \
    "$ROOT/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
for u in serial-getty@ttyS0.service getty@tty1.service \
    apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
    fstrim.timer systemd-networkd-wait-online.service \
    NetworkManager-wait-online.service e2scrub_reap.service \
    NetworkManager-dispatcher.service; do
	ln -sfn /dev/null "$ROOT/etc/systemd/system/$u"
done
# The template's ed25519 host key (openssh-server's postinst made it),
# by fingerprint: the boot proof shows the clone's is another.
ssh-keygen -l -E sha256 -f "$ROOT/etc/ssh/ssh_host_ed25519_key.pub" |
    cut -d ' ' -f 2 >"$DIR/debian-boot.hostkey-t" ||
    die "the tree has no ed25519 host key"
grep -q '^SHA256:' "$DIR/debian-boot.hostkey-t" ||
    die "cannot read the tree's ed25519 host key"
# Root stays locked (debootstrap leaves "root:*" in /etc/shadow): the
# proof needs no login, and imprint's root-password edit starts from it.
grep -q '^root:\*:' "$ROOT/etc/shadow" || die "root is not locked"
# Every file under /etc carries an SELinux label, as on a guest with a
# policy (root may set security.selinux without SELinux on the host;
# mke2fs -d copies it into the image; the guest's kernel ignores it).
# The boot proof checks that each file imprint rewrites keeps its own.
(cd "$ROOT" && find etc -type f -print0 | LC_ALL=C sort -z) |
    while IFS= read -r -d '' f; do
	case /$f in
	/etc/hosts | /etc/network/interfaces) l=net_conf_t ;;
	/etc/hostname) l=hostname_etc_t ;;
	/etc/shadow | /etc/gshadow) l=shadow_t ;;
	/etc/ssh/ssh_host_*_key) l=sshd_key_t ;;
	/etc/NetworkManager/*) l=NetworkManager_etc_rw_t ;;
	/etc/systemd/network/*) l=systemd_networkd_unit_t ;;
	*) l=etc_t ;;
	esac
	setfattr -h -n security.selinux -v "system_u:object_r:$l:s0" \
	    "$ROOT/$f" || die "cannot label /$f (no security.selinux here?)"
	printf '/%s system_u:object_r:%s:s0\n' "$f" "$l"
done >"$DIR/debian-boot.labels-t"

# --- kernel and initrd --------------------------------------------------

# qemu boots them directly (-kernel/-initrd): no boot loader is installed.
set -- "$ROOT"/boot/vmlinuz-*
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	die "expected one kernel in /boot, got: $*"
fi
kver=${1##*/vmlinuz-}
[ -f "$ROOT/boot/initrd.img-$kver" ] || die "no initrd for '$kver'"
install -m 0644 -- "$1" "$DIR/debian-boot.vmlinuz-t"
install -m 0644 -- "$ROOT/boot/initrd.img-$kver" "$DIR/debian-boot.initrd-t"

# --- slimming -----------------------------------------------------------

# Documentation, translations, apt's package lists and downloaded .debs
# are half the tree and nothing the boot proof or imprint reads.  apt works
# again after an `apt-get update`.
# python3 came with netplan.io for its command line; the boot needs only
# its generator, a C program (/usr/libexec/netplan/generate)
rm -rf -- "$ROOT"/usr/lib/python3 "$ROOT"/usr/lib/python3.[0-9]*
rm -rf -- "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* \
    "$ROOT"/usr/share/info/* "$ROOT"/usr/share/locale/* \
    "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/* \
    "$ROOT"/var/cache/debconf/*-old "$ROOT"/var/log/*.log \
    "$ROOT"/var/log/apt/*
mkdir -p -- "$ROOT/var/lib/apt/lists/partial" \
    "$ROOT/var/cache/apt/archives/partial"

# --- disk image ---------------------------------------------------------

# Built on the host, with nothing mounted and no loop device: a sparse raw
# file gets an MBR partition table (sfdisk), each ext4 is made directly
# into its partition's byte range and filled from a tree in the same pass
# (mke2fs -d -E offset=: owners, modes, times, xattrs and ACLs, device
# nodes, hard links, symlinks), the swap signature is made in a file of
# its own and copied into place, and the result is converted to qcow2,
# so the unused space costs nothing on the host.
#
# The layout, in MiB of a 2 GiB disk (the tree is about 300 MB; the rest
# is room for what a test installs), 1 MiB aligned:
#	1  root, ext4, bootable flag, the rest of the disk (partition 1:
#	   bootcheck.sh boots root=/dev/vda1)
#	2  32 MiB ext4 mounted at /srv, holding tests/data/debian-boot/srv/
#	3  32 MiB swap
# Labels and UUIDs (and the MBR's disk identifier) are fixed, so every
# build, and every clone before imprint touches it, looks alike; the guest's
# /etc/fstab names the three by UUID.
DISK_MIB=2048 SRV_MIB=32 SWAP_MIB=32
ROOT_START=1
ROOT_MIB=$((DISK_MIB - ROOT_START - SRV_MIB - SWAP_MIB))
SRV_START=$((ROOT_START + ROOT_MIB))
SWAP_START=$((SRV_START + SRV_MIB))
ROOT_UUID=5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7001
SRV_UUID=5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7002
SWAP_UUID=5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7003
RAW=$WORK/disk.raw
SRV=$WORK/srv

# mke2fs -d walks the tree as it finds it: nothing may be mounted in it
# (debootstrap unmounted its proc and sys when it finished).
if findmnt -rn -o TARGET | grep -qF -- "$ROOT/"; then
	die "something is still mounted under $ROOT"
fi
# The /srv filesystem's contents, owned by root whatever the checkout's
# owner and umask.
install -d -o 0 -g 0 -m 0755 -- "$SRV"
(cd "$DATA/srv" && find . -type f -print0) |
    while IFS= read -r -d '' f; do
	f=${f#./}
	install -D -o 0 -g 0 -m 0644 -- "$DATA/srv/$f" "$SRV/$f"
done

# mkext4 START_MIB SIZE_MIB LABEL UUID TREE: a fresh ext4 holding TREE in
# that byte range of the raw disk (4 KiB blocks, so the size argument is
# MiB * 256).  The rest of the file is left alone; discarding the range
# punches holes in a plain file, which mke2fs knows read back as zeros, so
# it writes no inode tables and the guest's kernel has none to zero later.
mkext4() {
	mke2fs -q -t ext4 -b 4096 -L "$3" -U "$4" -d "$5" \
	    -E "offset=$(($1 * 1048576))" "$RAW" "$(($2 * 256))" </dev/null ||
	    die "mke2fs of '$3' failed"
}

# probe START_MIB: "TYPE UUID" of what the raw disk holds there.
probe() {
	blkid -p -O "$(($1 * 1048576))" -o export -- "$RAW" |
	    awk -F= '$1 == "TYPE" { t = $2 } $1 == "UUID" { u = $2 }
		END { print t, u }'
}

t0=$SECONDS
truncate -s "${DISK_MIB}M" -- "$RAW"
sfdisk -q -- "$RAW" >/dev/null <<EOF || die "sfdisk failed"
label: dos
label-id: 0x5b0b0071
unit: sectors

start=$((ROOT_START * 2048)), size=$((ROOT_MIB * 2048)), type=83, bootable
start=$((SRV_START * 2048)), size=$((SRV_MIB * 2048)), type=83
start=$((SWAP_START * 2048)), size=$((SWAP_MIB * 2048)), type=82
EOF
mkext4 "$ROOT_START" "$ROOT_MIB" imprint-boot "$ROOT_UUID" "$ROOT"
mkext4 "$SRV_START" "$SRV_MIB" imprint-srv "$SRV_UUID" "$SRV"
# mkswap wants a file without holes (it warns otherwise) that only root
# can read; only its first page is written, and dd skips the zeros.
(umask 077 && dd if=/dev/zero of="$WORK/swap" bs=1M count="$SWAP_MIB" \
    status=none)
mkswap -U "$SWAP_UUID" -- "$WORK/swap" >/dev/null || die "mkswap failed"
dd if="$WORK/swap" of="$RAW" bs=1M seek="$SWAP_START" conv=notrunc,sparse \
    status=none
# Check what was made, as the guest will see it: each partition's
# signature and UUID in place, and both filesystems clean.
if [ "$(probe "$ROOT_START")" != "ext4 $ROOT_UUID" ] ||
    [ "$(probe "$SRV_START")" != "ext4 $SRV_UUID" ] ||
    [ "$(probe "$SWAP_START")" != "swap $SWAP_UUID" ]; then
	die "the partitions do not hold what was made in them"
fi
for s in "$ROOT_START" "$SRV_START"; do
	e2fsck -fn "$RAW?offset=$((s * 1048576))" >"$WORK/e2fsck.log" 2>&1 ||
	    { cat "$WORK/e2fsck.log" >&2; die "e2fsck found errors"; }
done
rm -f -- "$DIR/debian-boot.img-t"
qemu-img convert -q -f raw -O qcow2 -- "$RAW" "$DIR/debian-boot.img-t"
t_image=$((SECONDS - t0))
tree_size=$(du -sh --apparent-size -- "$ROOT" | cut -f 1)

# --- domain config ------------------------------------------------------

# The host half of the template's identity.  The MAC is the one the boot
# proof expects on eth0 before imprint touches anything; the disk target
# names the image in its final place.
cat >"$DIR/debian-boot.cfg-t" <<EOF
# xl configuration for the imprint boot-proof template (tests/mkdebian.sh)
type = "pv"
name = "tmpl-boot"
uuid = "5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7000"
kernel = "$DIR/debian-boot.vmlinuz"
ramdisk = "$DIR/debian-boot.initrd"
extra = "root=/dev/xvda1 rw console=hvc0 net.ifnames=0"
memory = 512
vcpus = 1
vif = [ 'mac=00:16:3e:5b:00:01,bridge=xenbr0',
        'mac=00:16:3e:5b:00:02,bridge=xenbr0',
        'mac=00:16:3e:5b:00:03,bridge=xenbr0',
        'mac=00:16:3e:5b:00:04,bridge=xenbr0' ]
disk = [ 'format=qcow2,vdev=xvda,access=rw,target=$DIR/debian-boot.img' ]
on_reboot = "restart"
on_crash = "destroy"
EOF

for f in "${OUTPUTS[@]}"; do
	mv -f -- "$DIR/$f-t" "$DIR/$f"
	echo "built $DIR/$f"
done
printf '%s\n' "$want" >"$DIR/debian-boot.stamp"
echo "mkdebian: built in $((SECONDS - start)) s (debootstrap" \
    "${t_debootstrap} s, image ${t_image} s); tree $tree_size, image" \
    "$(du -h "$DIR/debian-boot.img" | cut -f 1)" >&2
printf '%s\n' "$DIR"
