#!/bin/bash
# tests/t-boot.sh - the boot proof of issue 5: a clone of a real Debian 12
# guest, personalized by `imprint apply`, boots under qemu with the
# recipe's identity (see tests/boot.md).
#
# Steps: build the template (tests/mkdebian.sh, cached) -> a qcow2 overlay
# and a copy of the domain config in a scratch directory -> `imprint apply`
# -> tests/bootcheck.sh boots the overlay with the NICs' MACs taken from
# the (edited) config -> assert the console report: hostname, and each of
# the four NICs (one per network stack: ifupdown, a systemd .link and
# .network, netplan, a NetworkManager keyfile) named and holding the
# recipe's address with the config's MAC.  Then the unedited template is
# booted with the same new MACs: those NICs stay unnamed and down, proof
# that imprint's edits are what brought them up.
#
# Needs root, network access to a Debian mirror on the first run,
# debootstrap, sfdisk, mke2fs, mkswap, guestfish and qemu-system-x86_64.
# Exits 77 (skip) when one of the programs is missing (tests/run.sh fails
# a skip under CI=true).
. "$(dirname "$0")/lib.sh"

BOOT_TIMEOUT=${IMPRINT_BOOT_TIMEOUT:-300}
TMPL_HOST=tmpl-boot
TMPL_MAC=00:16:3e:5b:00:01
TMPL_ADDR=192.0.2.50/24
TMPL_MACHINE_ID=5b0b00710c2e4d8f9a1b3c4d5e6f7001
# The template's filesystems and swap (tests/mkdebian.sh), by UUID.
TMPL_ROOT_UUID=5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7001
TMPL_SRV_UUID=5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7002
TMPL_SWAP_UUID=5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7003

for c in debootstrap sfdisk mke2fs mkswap guestfish qemu-img \
    qemu-system-x86_64; do
	if ! command -v "$c" >/dev/null; then
		skip_all "'$c' not found (sh contrib/install-deps.sh installs it)"
	fi
done

scratch

# --- build (cached) -------------------------------------------------------
t0=$SECONDS
out=$("$TOP/tests/mkdebian.sh")
rc=$?
dir=$(printf '%s\n' "$out" | tail -n 1)
check_exit "tests/mkdebian.sh" "$rc" 0
if [ "$rc" -ne 0 ] || [ ! -f "$dir/debian-boot.img" ]; then
	done_testing
fi
echo "t-boot: template ready in $((SECONDS - t0)) s"

# --- clone: an overlay and a copy of the config ---------------------------
# The overlay names its backing file by absolute path (the cache stays
# put for the test's duration) and its format explicitly, so qemu never
# probes it.
IMG=$SCRATCH/clone.qcow2
CFG=$SCRATCH/clone.cfg
qemu-img create -q -f qcow2 -F qcow2 -b "$dir/debian-boot.img" "$IMG"
check_exit "qemu-img create overlay" "$?" 0
cp -- "$dir/debian-boot.cfg" "$CFG"
# The template's own ed25519 host key (tests/mkdebian.sh wrote it down).
TMPL_FPR=$(cat "$dir/debian-boot.hostkey")
check_match "the template has an ed25519 host key" "$TMPL_FPR" \
    '^SHA256:[A-Za-z0-9+/]{43}$'

WANT_HOST=$TMPL_HOST
WANT_ADDR=$TMPL_ADDR
applied=0

# --- apply: the clone gets its own identity ---------------------------------
run_imprint apply -D name=clone-boot -D octet=77 --vmcfg "$CFG" \
    "$TOP/tests/data/debian-boot/clone.rcp" "$IMG"
check_exit "imprint apply" "$RC" 0
echo "t-boot: imprint apply said:"
printf '%s\n' "$OUT" "$ERR" | sed 's/^/    /'
applied=1
OUT_APPLY=$OUT
WANT_HOST=clone-boot
WANT_ADDR=192.0.2.77/24
# --- end of apply ----------------------------------------------------------

# The MACs the NICs must carry: whatever the (edited) config says, read
# by imprint's own parser, as bootcheck.sh reads them.
run_imprint vmcfg "$CFG"
check_exit "imprint vmcfg" "$RC" 0
vif_mac() {
	printf '%s\n' "$OUT" | sed -n "s/^  nic$1\\.mac=//p" | tr 'A-F' 'a-f'
}
WANT_MAC=$(vif_mac 0) MAC1=$(vif_mac 1) MAC2=$(vif_mac 2) MAC3=$(vif_mac 3)
if [ "$applied" -eq 1 ]; then
	check_nomatch "apply gave the clone a new MAC" "$WANT_MAC" \
	    "^$TMPL_MAC\$"
else
	check_eq "template MAC in the config" "$WANT_MAC" "$TMPL_MAC"
fi

# --- boot -----------------------------------------------------------------
# Where the appliance probe (tests/cache-lib.sh, cached) found KVM broken,
# the boots go to TCG at once instead of each paying bootcheck's KVM grace.
if [ -z "${IMPRINT_BOOT_ACCEL-}" ] && [ "$(test_accel)" = tcg ]; then
	export IMPRINT_BOOT_ACCEL=tcg
	echo "t-boot: KVM does not run the appliance here; booting under TCG"
fi
t0=$SECONDS
report=$("$TOP/tests/bootcheck.sh" -k "$dir/debian-boot.vmlinuz" \
    -i "$dir/debian-boot.initrd" "$IMG" "$CFG" "$BOOT_TIMEOUT")
rc=$?
echo "t-boot: boot took $((SECONDS - t0)) s; the guest reported:"
printf '%s\n' "$report" | sed 's/^/    /'

check_exit "tests/bootcheck.sh" "$rc" 0

check_eq "hostname on the console" \
    "$(printf '%s\n' "$report" | sed -n 's/^IMPRINT-REPORT hostname=//p')" \
    "$WANT_HOST"
# Four NICs with the config's MACs, each named and addressed by its own
# stack: eth0 by ifupdown, lan1 by a .link and a .network, lan2 by
# netplan, eth3 by a NetworkManager keyfile bound to its MAC.
if [ "$applied" -eq 1 ]; then
	ADDR1=192.0.2.61/24 ADDR2=192.0.2.62/24 ADDR3=192.0.2.63/24
else
	ADDR1=192.0.2.51/24 ADDR2=192.0.2.52/24 ADDR3=192.0.2.53/24
fi
check_eq "NICs on the console: every stack bound the clone's NIC" \
    "$(printf '%s\n' "$report" | grep '^IMPRINT-REPORT addr ')" \
    "IMPRINT-REPORT addr eth0 $WANT_MAC $WANT_ADDR
IMPRINT-REPORT addr lan1 $MAC1 $ADDR1
IMPRINT-REPORT addr lan2 $MAC2 $ADDR2
IMPRINT-REPORT addr eth3 $MAC3 $ADDR3"
mid=$(printf '%s\n' "$report" | sed -n 's/^IMPRINT-REPORT machine-id=//p')
check_match "machine-id on the console" "$mid" '^[0-9a-f]{32}$'
if [ "$applied" -eq 1 ]; then
	# The recipe says "forget = machine-id": systemd made a new one.
	check_nomatch "the clone has a new machine-id" "$mid" \
	    "^$TMPL_MACHINE_ID\$"
else
	check_eq "template machine-id" "$mid" "$TMPL_MACHINE_ID"
fi
# sshd runs, with the ed25519 host key imprint made for this clone.
check_eq "sshd on the console" \
    "$(printf '%s\n' "$report" | sed -n 's/^IMPRINT-REPORT sshd=//p')" active
fpr=$(printf '%s\n' "$report" | sed -n 's/^IMPRINT-REPORT hostkey=//p')
check_match "a host key on the console" "$fpr" '^SHA256:[A-Za-z0-9+/]{43}$'
if [ "$applied" -eq 1 ]; then
	check_eq "the host key is the one imprint made" "$fpr" \
	    "$(printf '%s\n' "$OUT_APPLY" |
	    sed -n 's/^  generated ssh-hostkey.ed25519=//p')"
	check_nomatch "the clone's host key is not the template's" "$fpr" \
	    "^$TMPL_FPR\$"
fi

# The three partitions came up by the UUIDs the guest's fstab names: root,
# /srv (mounted, not just the directory on root) and the swap.  The recipe
# does not touch them, so they are the template's.
check_eq "filesystems and swap on the console" \
    "$(printf '%s\n' "$report" | grep -E '^IMPRINT-REPORT (fs|swap) ')" \
    "IMPRINT-REPORT fs / $TMPL_ROOT_UUID
IMPRINT-REPORT fs /srv $TMPL_SRV_UUID
IMPRINT-REPORT swap $TMPL_SWAP_UUID"

# --- the edit is what made it work --------------------------------------------
# The unedited template, booted with the clone's new MACs: the .link,
# netplan and the keyfile still name the template's MACs, so eth1 and eth2
# keep their kernel names and no stack gives them or eth3 an address
# (ifupdown binds eth0 by name, so it comes up as the template's).
if [ "$applied" -eq 1 ]; then
	IMG0=$SCRATCH/unedited.qcow2
	qemu-img create -q -f qcow2 -F qcow2 -b "$dir/debian-boot.img" "$IMG0"
	t0=$SECONDS
	report=$("$TOP/tests/bootcheck.sh" -a imprint.addrs=1 \
	    -k "$dir/debian-boot.vmlinuz" -i "$dir/debian-boot.initrd" \
	    "$IMG0" "$CFG" "$BOOT_TIMEOUT")
	rc=$?
	echo "t-boot: the unedited boot took $((SECONDS - t0)) s; it reported:"
	printf '%s\n' "$report" | sed 's/^/    /'
	check_exit "unedited: tests/bootcheck.sh" "$rc" 0
	check_eq "unedited, new MACs: the NICs stay unnamed and down" \
	    "$(printf '%s\n' "$report" | grep '^IMPRINT-REPORT addr ')" \
	    "IMPRINT-REPORT addr eth0 $WANT_MAC $TMPL_ADDR
IMPRINT-REPORT addr eth1 $MAC1 -
IMPRINT-REPORT addr eth2 $MAC2 -
IMPRINT-REPORT addr eth3 $MAC3 -"
fi

done_testing
