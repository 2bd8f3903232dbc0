#!/bin/bash
# Integration test of the guest's own mounts: split.img (tests/images.md)
# has /etc and /var on partitions 2 and 3, named in /etc/fstab by UUID and
# LABEL, and the root filesystem still holds the template's /etc and /var
# underneath.  apply must edit the files the guest sees (on partitions 2
# and 3) and leave the hidden copies on the root byte for byte; an fstab
# naming a filesystem the image does not have is refused before a write;
# a symlinked /etc/sysconfig is written through, and stays a symlink.
# One guestfish appliance reads every result back.
. "$(dirname "$0")/lib.sh"
scratch
CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
export XDG_CACHE_HOME=$CACHE/xdg

IMG=$SCRATCH/split.qcow2
BAD=$SCRATCH/badfstab.qcow2
SYM=$SCRATCH/symdir.qcow2
qemu-img create -q -f qcow2 -F raw -b "$CACHE/split.img" "$IMG"
qemu-img create -q -f qcow2 -F raw -b "$CACHE/split.img" "$BAD"
qemu-img create -q -f qcow2 -F raw -b "$CACHE/split.img" "$SYM"
REC=$SCRATCH/split.rcp
cat >"$REC" <<'EOF'
[guest]
root = partition:1
hostname = web7.example.com
forget = dhcp-leases machine-id

[host]
config = none
EOF

# The bad clone: its real /etc/fstab (partition 2) mounts /var from a
# filesystem it does not have.  The symlinked clone: its real
# /etc/sysconfig is an absolute symlink to /etc/sysconfig.real: imprint
# (whose path walk hands a symlinked directory to the appliance's
# realpath) must edit the network file in the guest's target and leave
# the link a link.  (guestfish, one launch for both.)
with_test_accel guestfish --format=qcow2 -a "$BAD" -a "$SYM" <<'EOF' >/dev/null
run
mount /dev/sda1 /
write /etc/fstab "LABEL=/ / ext3 defaults 1 1\nUUID=00000000-0000-4000-8000-000000000000 /var ext3 defaults 1 2\n"
umount-all
mount /dev/sdb2 /
mv /sysconfig /sysconfig.real
ln-s /etc/sysconfig.real /sysconfig
EOF
check_exit "bad and symlinked clones prepared" "$?" 0
BAD_SUM=$(sha256sum <"$BAD")

run_imprint apply --backing "$CACHE" "$REC" "$IMG"
check_exit "apply" "$RC" 0
check_match "apply: the real /etc/sysconfig/network" "$OUT" \
    'modify +/etc/sysconfig/network'
check_match "apply: the real lease" "$OUT" \
    'remove +/var/lib/dhclient/dhclient-eth0\.leases'
check_match "apply: the machine-id on /var" "$OUT" \
    '/var/lib/dbus/machine-id'

run_imprint apply --backing "$CACHE" "$REC" "$BAD"
check_exit "bad fstab: refused" "$RC" 1
check_match "bad fstab: says which line and why" "$ERR" \
    "/etc/fstab line 2 mounts /var from UUID=00000000-0000-4000-8000-000000000000, which is none of the image's filesystems"
check_eq "bad fstab: image unchanged" "$(sha256sum <"$BAD")" "$BAD_SUM"

run_imprint apply --backing "$CACHE" "$REC" "$SYM"
check_exit "symlinked /etc/sysconfig: apply" "$RC" 0
check_match "symlinked /etc/sysconfig: the network file" "$OUT" \
    'modify +/etc/sysconfig/network'

# Read back: partitions 2 and 3 as the guest mounts them, then the root
# alone, where the hidden copies must be as built; then the symlinked
# clone's /etc.
OUT=$(with_test_accel guestfish --ro --format=qcow2 -a "$IMG" -a "$SYM" <<'EOF'
run
mount /dev/sda1 /
mount /dev/sda2 /etc
mount /dev/sda3 /var
echo real-network
cat /etc/sysconfig/network
echo real-lease
exists /var/lib/dhclient/dhclient-eth0.leases
echo real-machine-id
exists /var/lib/dbus/machine-id
umount-all
mount /dev/sda1 /
echo hidden-marker
cat /etc/imprint-test-copy
echo hidden-network
cat /etc/sysconfig/network
echo hidden-lease
cat /var/lib/dhclient/dhclient-eth0.leases
umount-all
mount /dev/sdb2 /
echo sym-link
readlink /sysconfig
echo sym-network
cat /sysconfig.real/network
EOF
)
check_exit "read back" "$?" 0
section() { sed -n "/^$1\$/,/^[a-z]*-[a-z-]*\$/p" <<<"$OUT" | sed '1d;$d'; }
check_match "real /etc: the new hostname" "$(section real-network)" \
    '^HOSTNAME=web7\.example\.com$'
check_eq "real /var: the lease is gone" "$(section real-lease)" false
check_eq "real /var: the dbus machine-id is gone" \
    "$(section real-machine-id)" false
check_eq "hidden /etc: the root's own copy" "$(section hidden-marker)" \
    hidden
check_eq "hidden /etc/sysconfig/network: as built" \
    "$(section hidden-network)" "$(cat "$TOP/tests/data/guest-ovs/etc/sysconfig/network")"
check_eq "hidden lease: as built" "$(section hidden-lease)" "lease hidden"
check_eq "symlinked /etc/sysconfig: still the same symlink" \
    "$(section sym-link)" /etc/sysconfig.real
check_match "symlinked /etc/sysconfig: the new hostname, in its target" \
    "$(sed -n '/^sym-network$/,$p' <<<"$OUT" | sed 1d)" \
    '^HOSTNAME=web7\.example\.com$'

done_testing
