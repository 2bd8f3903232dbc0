#!/bin/bash
# tests/t-images.sh - check the images that tests/mkimages.sh builds.
#
# Builds them if needed, then asks one read-only guestfish appliance, with
# every image attached, about partitions, filesystems, LVM and the bytes,
# modes and owners of every guest file taken from tests/data/.
# libguestfs inspection (about 20 s a root under TCG) is t-inspect's:
# imprint's root search uses it there, on these images.  The expected values are the ones tests/images.md
# documents; when this test and that file disagree, one of them is wrong.
#
# What it does not do: run imprint.  The t-*.sh tests of each command do.

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
set -o pipefail

DATA=$TOP/tests/data
MB=1048576

if ! DIR=$("$TOP/tests/mkimages.sh" | tail -n 1) || [ ! -d "$DIR" ]; then
	fail "tests/mkimages.sh failed"
	done_testing
fi

# --- host-side checks (no appliance) ------------------------------------

check_eq "rebuild skipped when up to date" \
    "$("$TOP/tests/mkimages.sh" "$DIR")" "$DIR"
check_eq "--print-dir" "$("$TOP/tests/mkimages.sh" --print-dir "$DIR")" \
    "$DIR"
check_eq "ovs.img size" "$(stat -c %s "$DIR/ovs.img")" $((128 * MB))
check_eq "lvm.img size" "$(stat -c %s "$DIR/lvm.img")" $((160 * MB))
check_eq "debian.img size" "$(stat -c %s "$DIR/debian.img")" $((64 * MB))
check_eq "blank.img size" "$(stat -c %s "$DIR/blank.img")" $((16 * MB))
check_eq "notadisk.img size" "$(stat -c %s "$DIR/notadisk.img")" 3712
check_eq "notadisk.img first line" "$(head -n 1 "$DIR/notadisk.img")" \
    "imprint test data, line 01: this file is not a disk image"
for f in ovs.img lvm.img debian.img blank.img notadisk.img; do
	check_eq "$f format (qemu-img)" \
	    "$(qemu-img info --output=json "$DIR/$f" | sed -n \
	    's/^ *"format": "\(.*\)",*$/\1/p' | head -n 1)" raw
done
info=$(qemu-img info --output=json "$DIR/ovs-overlay.qcow2")
check_match "overlay is qcow2" "$info" '^ *"format": "qcow2"'
check_match "overlay backing file is relative" "$info" \
    '^ *"backing-filename": "ovs.img"'
check_match "overlay backing format" "$info" \
    '^ *"backing-filename-format": "raw"'
check_match "overlay virtual size" "$info" \
    "^ *\"virtual-size\": $((128 * MB)),"
check_nomatch "no temporary files left" "$(ls -a "$DIR")" '-t$'

# The domain configs agree with the guests (and the mismatch one does not).
check_match "ovs.vm.cfg vif" "$(cat "$DATA/ovs.vm.cfg")" \
    "^vif = \\['mac=00:16:3e:10:20:01, bridge=xenbr0, type=netfront'\\]$"
check_eq "ovs-mismatch.vm.cfg differs only in the vif MAC" \
    "$(diff "$DATA/ovs.vm.cfg" "$DATA/ovs-mismatch.vm.cfg" |
    grep '^[<>]')" \
    "< vif = ['mac=00:16:3e:10:20:01, bridge=xenbr0, type=netfront']
> vif = ['mac=00:16:3e:10:20:99, bridge=xenbr0, type=netfront']"
check_match "lvm.vm.cfg nic0" "$(cat "$DATA/lvm.vm.cfg")" \
    "'mac=00:16:3e:10:30:01,bridge=xenbr0'"
check_match "lvm.vm.cfg nic1" "$(cat "$DATA/lvm.vm.cfg")" \
    "'mac=00:16:3e:10:30:02,bridge=xenbr1'"
check_match "debian.cfg vif" "$(cat "$DATA/debian.cfg")" \
    '^vif = \[ "mac=00:16:3e:2b:8c:01,bridge=xenbr0" \]$'

# --- one appliance for everything else ----------------------------------

# q KEY WANT GUESTFISH-COMMAND: ask COMMAND, expect output WANT.
# A stat:PATH key expects "MODE UID GID" (octal mode) from lstatns.
KEYS=()
declare -A WANT CMD
q() {
	KEYS+=("$1")
	WANT[$1]=$2
	CMD[$1]=$3
}

# qtree PREFIX TREE: every file of tests/data/TREE, byte for byte, with
# its mode and owner.
qtree() {
	local prefix=$1 tree=$2 f rel attr
	while IFS= read -r -d '' f; do
		rel=${f#"$DATA/$tree"}
		case $tree:$rel in
		guest-debian:/etc/shadow) attr="640 0 42" ;;
		guest-debian:/etc/machine-id) attr="444 0 0" ;;
		*:/etc/shadow) attr="400 0 0" ;;
		*:/etc/ssh/ssh_host_*_key) attr="600 0 0" ;;
		*) attr="644 0 0" ;;
		esac
		q "$prefix:sum:$rel" "$(sha256sum <"$f" | cut -d ' ' -f 1)" \
		    "checksum sha256 $rel"
		q "$prefix:stat:$rel" "$attr" "lstatns $rel"
	done < <(find "$DATA/$tree" -type f -print0 | LC_ALL=C sort -z)
}

# Common to an EL5 root mounted at / with its /boot at /boot.
qel5() {
	local p=$1 kver=$2
	q "$p:stat:/tmp" "1777 0 0" "lstatns /tmp"
	q "$p:stat:/root" "750 0 0" "lstatns /root"
	q "$p:is-dir:/proc" true "is-dir /proc"
	q "$p:file:/bin/bash" \
	    "ELF 64-bit LSB executable, x86-64, version 1 (SYSV)" \
	    "file /bin/bash"
	q "$p:readlink:/etc/grub.conf" ../boot/grub/grub.conf \
	    "readlink /etc/grub.conf"
	q "$p:readlink:/boot/grub/menu.lst" ./grub.conf \
	    "readlink /boot/grub/menu.lst"
	q "$p:readlink:/lib64/libc.so.6" libc-2.5.so \
	    "readlink /lib64/libc.so.6"
	q "$p:size:/boot/vmlinuz" 0 "filesize /boot/vmlinuz-$kver"
	q "$p:size:/boot/initrd" 0 "filesize /boot/initrd-$kver.img"
	q "$p:exists:/etc/hostname" false "exists /etc/hostname"
	q "$p:exists:/etc/machine-id" false "exists /etc/machine-id"
}

# partlist START-MiB:END-MiB...: the part-list output for MBR partitions
# with these bounds (END exclusive).
partlist() {
	local i=0 r s e
	for r in "$@"; do
		s=${r%:*} e=${r#*:}
		printf '[%d] = {\n  part_num: %d\n  part_start: %d\n' \
		    "$i" $((i + 1)) $((s * MB))
		printf '  part_end: %d\n  part_size: %d\n}\n' \
		    $((e * MB - 1)) $(((e - s) * MB))
		i=$((i + 1))
	done
}

# ovs.img = /dev/sda, ovs-overlay.qcow2 = /dev/sdf (same content).
for d in sda sdf; do
	p=ovs-$d
	q "$p:parttype" msdos "part-get-parttype /dev/$d"
	q "$p:parts" "$(partlist 1:33 33:113 113:128)" "part-list /dev/$d"
	q "$p:bootable1" true "part-get-bootable /dev/$d 1"
	q "$p:mbrid1" 0x83 "part-get-mbr-id /dev/$d 1"
	q "$p:mbrid2" 0x83 "part-get-mbr-id /dev/$d 2"
	q "$p:mbrid3" 0x82 "part-get-mbr-id /dev/$d 3"
	q "$p:type1" ext3 "vfs-type /dev/${d}1"
	q "$p:type2" ext3 "vfs-type /dev/${d}2"
	q "$p:type3" swap "vfs-type /dev/${d}3"
	q "$p:label1" /boot "vfs-label /dev/${d}1"
	q "$p:label2" / "vfs-label /dev/${d}2"
	q "$p:label3" SWAP-VM "vfs-label /dev/${d}3"
	q "$p:uuid1" 1b0e7a4c-2f3d-4e51-9a6b-0c7d8e9f0101 "vfs-uuid /dev/${d}1"
	q "$p:uuid2" 1b0e7a4c-2f3d-4e51-9a6b-0c7d8e9f0102 "vfs-uuid /dev/${d}2"
	q "$p:uuid3" 1b0e7a4c-2f3d-4e51-9a6b-0c7d8e9f0103 "vfs-uuid /dev/${d}3"
	q "$p:mount" "" "mount-ro /dev/${d}2 /"
	q "$p:mount-boot" "" "mount-ro /dev/${d}1 /boot"
	qel5 "$p" 2.6.18-92.el5xen
	qtree "$p" guest-ovs
	q "$p:umount" "" "umount-all"
done

# lvm.img = /dev/sdb.
p=lvm
q $p:parttype msdos "part-get-parttype /dev/sdb"
q $p:parts "$(partlist 1:33 33:160)" "part-list /dev/sdb"
q $p:bootable1 true "part-get-bootable /dev/sdb 1"
q $p:mbrid1 0x83 "part-get-mbr-id /dev/sdb 1"
q $p:mbrid2 0x8e "part-get-mbr-id /dev/sdb 2"
q $p:type1 ext3 "vfs-type /dev/sdb1"
q $p:label1 /boot "vfs-label /dev/sdb1"
q $p:uuid1 2c1f8b5d-3a4e-4f62-8b7c-1d8e9fa00201 "vfs-uuid /dev/sdb1"
q $p:pvs /dev/sdb2 "pvs"
q $p:vgs VolGroup00 "vgs"
q $p:lvs "/dev/VolGroup00/LogVol00
/dev/VolGroup00/LogVol01" "lvs"
q $p:lv0size $((88 * MB)) "blockdev-getsize64 /dev/VolGroup00/LogVol00"
q $p:lv1size $((32 * MB)) "blockdev-getsize64 /dev/VolGroup00/LogVol01"
q $p:type-lv0 ext3 "vfs-type /dev/VolGroup00/LogVol00"
q $p:type-lv1 swap "vfs-type /dev/VolGroup00/LogVol01"
q $p:uuid-lv0 2c1f8b5d-3a4e-4f62-8b7c-1d8e9fa00202 \
    "vfs-uuid /dev/VolGroup00/LogVol00"
q $p:uuid-lv1 2c1f8b5d-3a4e-4f62-8b7c-1d8e9fa00203 \
    "vfs-uuid /dev/VolGroup00/LogVol01"
q $p:mount "" "mount-ro /dev/VolGroup00/LogVol00 /"
q $p:mount-boot "" "mount-ro /dev/sdb1 /boot"
qel5 $p 2.6.18-398.el5xen
qtree $p guest-lvm
q $p:umount "" "umount-all"

# debian.img = /dev/sdc.
p=debian
q $p:parttype msdos "part-get-parttype /dev/sdc"
q $p:parts "$(partlist 1:64)" "part-list /dev/sdc"
q $p:bootable1 true "part-get-bootable /dev/sdc 1"
q $p:type1 ext4 "vfs-type /dev/sdc1"
q $p:uuid1 3d209c6e-4b5f-4073-9c8d-2e9fa0b10301 "vfs-uuid /dev/sdc1"
q $p:mount "" "mount-ro /dev/sdc1 /"
q $p:readlink:/bin usr/bin "readlink /bin"
q $p:readlink:/etc/os-release ../usr/lib/os-release \
    "readlink /etc/os-release"
q $p:readlink:/var/lib/dbus/machine-id /etc/machine-id \
    "readlink /var/lib/dbus/machine-id"
q $p:stat:/tmp "1777 0 0" "lstatns /tmp"
q $p:stat:/root "700 0 0" "lstatns /root"
q $p:is-dir:/etc/network/interfaces.d true "is-dir /etc/network/interfaces.d"
qtree $p guest-debian
q $p:umount "" "umount-all"

# blank.img = /dev/sdd, notadisk.img = /dev/sde.
q blank:parttype msdos "part-get-parttype /dev/sdd"
q blank:parts "$(partlist 1:16)" "part-list /dev/sdd"
q blank:type1 ext4 "vfs-type /dev/sdd1"
q blank:label1 scratch "vfs-label /dev/sdd1"
q blank:uuid1 4e31ad7f-5c60-4184-8d9e-3fa0b1c20401 "vfs-uuid /dev/sdd1"
q blank:mount "" "mount-ro /dev/sdd1 /"
q blank:ls "README
lost+found" "ls /"
q blank:readme \
    "imprint test image: a filesystem with no operating system" \
    "head-n 5 /README"
q blank:readme-size 58 "filesize /README"
q blank:umount "" "umount-all"
q notadisk:file "ASCII text" "file /dev/sde"

GF=$(mktemp) OUTF=$(mktemp) ERRF=$(mktemp)
trap 'rm -f "$GF" "$OUTF" "$ERRF"' EXIT
{
	echo run
	echo "echo @@ list-partitions"
	echo "list-partitions"
	for k in "${KEYS[@]}"; do
		echo "echo @@ $k"
		echo "-${CMD[$k]}"
	done
} >"$GF"

run_gf() {
	guestfish --ro --format=raw -a "$DIR/ovs.img" -a "$DIR/lvm.img" \
	    -a "$DIR/debian.img" -a "$DIR/blank.img" -a "$DIR/notadisk.img" \
	    --format=qcow2 -a "$DIR/ovs-overlay.qcow2" -f "$GF" \
	    >"$OUTF" 2>"$ERRF"
}
# Same fallback as imprint and tests/mkimages.sh: KVM is present on the
# build machines but qemu aborts; retry once under TCG unless the user
# chose the backend settings.
if ! with_test_accel run_gf && [ -z "${LIBGUESTFS_BACKEND_SETTINGS+set}" ] &&
    grep -q 'guestfs_launch failed' "$ERRF"; then
	LIBGUESTFS_BACKEND_SETTINGS=force_tcg run_gf || true
fi

declare -A GOT
key=
while IFS= read -r line; do
	if [ "${line#@@ }" != "$line" ]; then
		key=${line#@@ }
		GOT[$key]=
	elif [ -n "$key" ]; then
		GOT[$key]+=${GOT[$key]:+$'\n'}$line
	fi
done <"$OUTF"
# Commands that produce no output still need their key.
if [ -z "${GOT[list-partitions]+set}" ]; then
	fail "guestfish session failed"
	sed 's/^/    | /' "$ERRF"
	done_testing
fi

check_eq "list-partitions" "${GOT[list-partitions]}" \
    "$(printf '%s\n' /dev/sda1 /dev/sda2 /dev/sda3 /dev/sdb1 /dev/sdb2 \
    /dev/sdc1 /dev/sdd1 /dev/sdf1 /dev/sdf2 /dev/sdf3)"

for k in "${KEYS[@]}"; do
	got=${GOT[$k]-<missing>}
	case $k in
	*:stat:*)
		got=$(printf '%s\n' "$got" | awk '
		    $1 == "st_mode:" { m = sprintf("%o", $2 % 4096) }
		    $1 == "st_uid:" { u = $2 }
		    $1 == "st_gid:" { g = $2 }
		    END { print m, u, g }')
		;;
	esac
	check_eq "$k" "$got" "${WANT[$k]}"
done
if [ "$T_FAIL" -ne 0 ]; then
	echo "guestfish stderr:"
	sed 's/^/    | /' "$ERRF"
fi
done_testing
