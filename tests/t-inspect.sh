#!/bin/bash
# Integration test of `imprint inspect` on the images tests/mkimages.sh
# builds (values in tests/images.md).  Appliance launches are the cost
# (~15 s each under TCG), so every launch checks many things: one JSON run
# over four images, two text runs with a domain config, two runs that
# collect the error paths.
. "$(dirname "$0")/lib.sh"
scratch
CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
DATA=$TOP/tests/data

# Work on copies: inspect must not change a byte, and we check that.
for f in ovs.img lvm.img debian.img blank.img notadisk.img; do
	cp --sparse=always "$CACHE/$f" "$SCRATCH/$f"
done
qemu-img create -q -f qcow2 -F raw -b "$SCRATCH/ovs.img" \
    "$SCRATCH/overlay.qcow2"
# Two LVM clones, each with a vm.cfg beside it: db1's names db1's disk,
# db2's is a copy of db1's that still names db1's disk.
for d in db1 db2; do
	mkdir "$SCRATCH/$d"
	cp --sparse=always "$CACHE/lvm.img" "$SCRATCH/$d/System.img"
	sed "s|phy:/dev/vg_guests/tmpl-rhel5|phy:$SCRATCH/db1/System.img|" \
	    "$DATA/lvm.vm.cfg" >"$SCRATCH/$d/vm.cfg"
done
( cd "$SCRATCH" && sha256sum ./*.img overlay.qcow2 db?/* ) >"$SCRATCH/sums"

export XDG_CACHE_HOME=$SCRATCH/xdg

# --- 1. one appliance, four guests, inspection picks each root -----------
run_imprint inspect --json --backing "$SCRATCH/ovs.img" "$SCRATCH/ovs.img" \
    "$SCRATCH/lvm.img" "$SCRATCH/debian.img" "$SCRATCH/overlay.qcow2"
check_exit "json run" "$RC" 0
J=$OUT
first_err=$ERR
jq -e . >/dev/null <<<"$J" && pass || fail "json run: not JSON"
q() { jq -r "$1" <<<"$J"; }
check_eq "schema" "$(q .schema)" 1
check_eq "image count" "$(q '.images | length')" 4
check_eq "ovs format" "$(q '.images[0].format')" raw
check_eq "ovs root" "$(q '.images[0].root.device')" /dev/sda2
check_eq "ovs root how" "$(q '.images[0].root.how')" inspection
check_eq "ovs os" "$(q '.images[0].root.os | "\(.type) \(.major).\(.minor)"')" "linux 5.2"
check_eq "ovs filesystems" "$(q '[.images[0].filesystems[] | "\(.device) \(.partition) \(.type) \(.label)"] | join(",")')" \
    "/dev/sda1 1 ext3 /boot,/dev/sda2 2 ext3 /,/dev/sda3 3 swap SWAP-VM"
check_eq "ovs ifcfg-eth0 HWADDR" \
    "$(q '.images[0].identity.nics[] | select(.device == "eth0") | .hwaddr')" \
    00:16:3E:10:20:01
check_eq "ovs ifcfg-eth0 file" \
    "$(q '.images[0].identity.nics[] | select(.device == "eth0") | .file')" \
    /etc/sysconfig/network-scripts/ifcfg-eth0
check_eq "ovs ifcfg-eth0 address" \
    "$(q '.images[0].identity.nics[] | select(.device == "eth0") | "\(.bootproto) \(.ipaddr) \(.netmask)"')" \
    "static 192.0.2.10 255.255.255.0"
check_eq "ovs udev rule" \
    "$(q '.images[0].identity.udev_rules[] | "\(.name) \(.mac)"')" \
    "eth0 00:16:3e:10:20:01"
check_eq "ovs HOSTNAME=" \
    "$(q '.images[0].identity.hostnames[] | select(.key == "HOSTNAME") | .value')" \
    tmpl-el5.example.com
check_eq "ovs hosts line" \
    "$(q '.images[0].identity.hosts[0] | "\(.address) \(.names | join(" "))"')" \
    "192.0.2.10 tmpl-el5.example.com tmpl-el5"
check_eq "ovs consistent" "$(q '.images[0].consistent')" true
check_eq "ovs no vmcfg" "$(q '.images[0].vmcfg')" null

check_eq "lvm root" "$(q '.images[1].root.device')" /dev/VolGroup00/LogVol00
check_eq "lvm distro" "$(q '.images[1].root.os | "\(.distro) \(.major).\(.minor)"')" "rhel 5.11"
check_eq "lvm LVs listed" \
    "$(q '[.images[1].filesystems[] | select(.partition == null) | "\(.device) \(.type)"] | join(",")')" \
    "/dev/VolGroup00/LogVol00 ext3,/dev/VolGroup00/LogVol01 swap"
check_eq "lvm PV" "$(q '.images[1].filesystems[1] | "\(.device) \(.type)"')" \
    "/dev/sda2 LVM2_member"
check_eq "lvm nics" \
    "$(q '[.images[1].identity.nics[] | select(.device != "lo") | "\(.device)=\(.hwaddr)/\(.bootproto)"] | join(",")')" \
    "eth0=00:16:3E:10:30:01/static,eth1=00:16:3E:10:30:02/dhcp"
check_eq "lvm udev rules" \
    "$(q '[.images[1].identity.udev_rules[] | "\(.name)=\(.mac)"] | join(",")')" \
    "eth0=00:16:3e:10:30:01,eth1=00:16:3e:10:30:02"

check_eq "debian root" "$(q '.images[2].root.device')" /dev/sda1
check_eq "debian distro" "$(q '.images[2].root.os | "\(.distro) \(.major)"')" "debian 12"
check_eq "debian /etc/hostname" \
    "$(q '.images[2].identity.hostnames[] | select(.file == "/etc/hostname") | .value')" \
    tmpl-deb12
check_eq "debian interfaces eth0" \
    "$(q '.images[2].identity.nics[] | select(.device == "eth0") | "\(.format) \(.line) \(.macaddr) \(.bootproto) \(.ipaddr) \(.gateway)"')" \
    "ifupdown 12 00:16:3e:2b:8c:01 static 192.0.2.20/24 192.0.2.1"
check_eq "debian machine-id" "$(q '.images[2].identity.machine_id')" \
    7c1e5a9b3d2f4e6081a2b3c4d5e6f708
check_eq "debian ssh host keys" "$(q '.images[2].identity.ssh_host_keys | join(",")')" \
    /etc/ssh/ssh_host_ed25519_key,/etc/ssh/ssh_host_rsa_key

check_eq "overlay format" "$(q '.images[3].format')" qcow2
check_eq "overlay root" "$(q '.images[3].root.device')" /dev/sda2
check_eq "overlay HWADDR" \
    "$(q '.images[3].identity.nics[] | select(.device == "eth0") | .hwaddr')" \
    00:16:3E:10:20:01

# --- 2. the clone whose config has a new MAC: both MACs, both files ------
run_imprint inspect --partition 2 --vmcfg "$DATA/ovs-mismatch.vm.cfg" \
    "$SCRATCH/ovs.img"
check_exit "mismatch" "$RC" 1
check_match "mismatch root" "$OUT" '^root: /dev/sda2 \(partition 2, as asked\)$'
check_match "mismatch os from release files" "$OUT" \
    '^os: type=linux distro=oraclelinux version=5\.2 .*\(from release files\)$'
check_match "vif mac unbound" "$OUT" \
    "^  vif-mac-unbound: .*ovs-mismatch\.vm\.cfg:[0-9]+: vif 0 mac=00:16:3e:10:20:99: "
check_match "guest HWADDR absent" "$OUT" \
    "^  guest-mac-absent: /etc/sysconfig/network-scripts/ifcfg-eth0: HWADDR=00:16:3E:10:20:01 is not the MAC of any vif in .*ovs-mismatch\.vm\.cfg$"
check_match "udev rule absent" "$OUT" \
    "^  udev-mac-absent: /etc/udev/rules.d/70-persistent-net.rules:8: NAME=eth0 ATTR\{address\}==00:16:3e:10:20:01 pins eth0 .*\(eth1 for eth0\)$"
check_eq "the disk finding" "$(grep '^  disk-' <<<"$OUT")" \
    "  disk-not-image: $DATA/ovs-mismatch.vm.cfg:2: disk0 is '/OVS/running_pool/tmpl-el5/System.img', not the inspected image '$SCRATCH/ovs.img': the domain would boot another disk ('imprint apply' makes it follow the image)"
check_match "problem count" "$OUT" '^consistency: 4 problems$'
check_match "config nic shown" "$OUT" '^  nic0 mac=00:16:3e:10:20:99 bridge=xenbr0 '

# --- 3. --vmcfg auto, root named by LV: db1 agrees with its config; db2's
# config names db1's disk, not its own --------------------------------------
run_imprint inspect --root /dev/VolGroup00/LogVol00 --vmcfg auto \
    "$SCRATCH/db1/System.img" "$SCRATCH/db2/System.img"
check_exit "auto: db2 inconsistent" "$RC" 1
check_match "lvm root by name" "$OUT" \
    '^root: /dev/VolGroup00/LogVol00 \(device /dev/VolGroup00/LogVol00, as asked\)$'
check_eq "auto: db1 ok, db2 two problems" "$(grep '^consistency:' <<<"$OUT")" \
    "consistency: ok
consistency: 2 problems"
check_eq "auto: db2's disk findings" "$(grep '^  disk-' <<<"$OUT")" \
    "  disk-other-image: $SCRATCH/db2/vm.cfg:7: disk0 '$SCRATCH/db1/System.img' is the image '$SCRATCH/db1/System.img' of this run, whose config is '$SCRATCH/db1/vm.cfg': two domains would write one disk
  disk-not-image: $SCRATCH/db2/vm.cfg:7: disk0 is '$SCRATCH/db1/System.img', not the inspected image '$SCRATCH/db2/System.img': the domain would boot another disk ('imprint apply' makes it follow the image)"
check_match "lvm nic1" "$OUT" '^  nic1 mac=00:16:3e:10:30:02 bridge=xenbr1 '

# --- the KVM fallback says so once, then the cache answers ---------------
# KVM fails at once (qemu aborts) or hangs (the watchdog stops it after
# IMPRINT_KVM_TIMEOUT): either way imprint says so once and caches it.
FELL='(failed to start|did not start) with KVM'
if grep -Eq "$FELL" <<<"$first_err"; then
	check_eq "fallback said once" \
	    "$(grep -Ec "$FELL" <<<"$first_err")" 1
	[ -s "$XDG_CACHE_HOME/imprint/accel" ] && pass ||
	    fail "no accel cache after a fallback"
	check_nomatch "cached: no second attempt" "$ERR" "$FELL"
else
	# KVM works here: nothing to remember.
	[ ! -e "$XDG_CACHE_HOME/imprint/accel" ] && pass ||
	    fail "accel cache written though KVM worked"
fi

# --- 4. errors: one clear line each, exit 2, nothing written -------------
run_imprint inspect --partition 3 "$SCRATCH/ovs.img" "$SCRATCH/notadisk.img" \
    "$SCRATCH/blank.img"
check_exit "partition errors" "$RC" 2
check_match "swap is no root" "$ERR" \
    "^imprint: /dev/sda3 on '.*/ovs.img' cannot be a root filesystem: swap$"
check_match "not a disk image" "$ERR" \
    "^  '.*/notadisk.img' holds no partition and no filesystem: is it a disk image\?$"
check_match "partition out of range" "$ERR" \
    "^imprint: image '.*/blank.img' has no partition 3$"
check_match "candidates listed" "$ERR" '^    /dev/sda1 +ext4 '
check_match "how to pick" "$ERR" '^  pick the root with --partition N or --root DEVICE'

run_imprint inspect --root /dev/xvda1 "$SCRATCH/blank.img"
check_exit "no OS on the filesystem" "$RC" 2
check_match "no /etc" "$ERR" \
    "^imprint: /dev/sda1 on '.*/blank.img' does not look like a root filesystem \(no /etc\)$"

# Errors found before any launch.
run_imprint inspect "$SCRATCH/missing.img"
check_exit "missing image" "$RC" 2
check_eq "missing image message" "$ERR" \
    "imprint: cannot open image '$SCRATCH/missing.img': No such file or directory"
run_imprint inspect --vmcfg "$SCRATCH/nonexistent.cfg" "$SCRATCH/ovs.img"
check_exit "unreadable vm.cfg" "$RC" 2
check_match "unreadable vm.cfg message" "$ERR" "nonexistent\.cfg"
check_eq "unreadable vm.cfg: one line" "$(wc -l <<<"$ERR")" 1
run_imprint inspect --partition 0 "$SCRATCH/ovs.img"
check_exit "partition 0" "$RC" 2
check_match "partition 0 message" "$ERR" "^imprint: --partition '0': not a partition number"
run_imprint inspect --partition 2 --root /dev/sda2 "$SCRATCH/ovs.img"
check_exit "both root options" "$RC" 2
run_imprint inspect --vmcfg "$DATA/ovs.vm.cfg" "$SCRATCH/ovs.img" "$SCRATCH/lvm.img"
check_exit "vmcfg with two images" "$RC" 2
run_imprint inspect
check_exit "no image" "$RC" 2
run_imprint inspect --help
check_exit "help" "$RC" 0
check_match "help synopsis" "$OUT" '^usage: imprint inspect \[--json\] \[--vmcfg FILE \| --vmcfg auto\]$'

# Read-only: every image byte-identical, no stray files.
( cd "$SCRATCH" && sha256sum -c --quiet sums ) && pass ||
    fail "an image changed"
check_eq "no stray files" \
    "$(cd "$SCRATCH" && ls | grep -vx xdg | sort | tr '\n' ' ')" \
    "blank.img db1 db2 debian.img lvm.img notadisk.img overlay.qcow2 ovs.img sums "
done_testing
