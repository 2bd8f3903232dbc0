#!/bin/bash
# tests/t-boot.sh - the boot proof of issue 5: a clone of a real Debian 12
# guest, personalized by `imprint apply`, boots under qemu with the
# recipe's identity (see tests/boot.md).
#
# Steps: build the template (tests/mkdebian.sh, cached) -> a qcow2 overlay
# and a copy of the domain config in a scratch directory -> `imprint apply`
# (only once that command exists; until then the unmodified template is
# booted) -> tests/bootcheck.sh boots the overlay with the NIC MAC taken
# from the (edited) config -> assert the console report: hostname, and the
# NIC with the config's MAC holding the expected address.
#
# Needs root, network access to a Debian mirror on the first run,
# debootstrap, guestfish and qemu-system-x86_64.  Exits 77 (skip) when one
# of the programs is missing (tests/run.sh fails a skip under CI=true).
. "$(dirname "$0")/lib.sh"

BOOT_TIMEOUT=${IMPRINT_BOOT_TIMEOUT:-300}
TMPL_HOST=tmpl-boot
TMPL_MAC=00:16:3e:5b:00:01
TMPL_ADDR=192.0.2.50/24
TMPL_MACHINE_ID=5b0b00710c2e4d8f9a1b3c4d5e6f7001

for c in debootstrap guestfish qemu-img qemu-system-x86_64; do
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

# The MAC the NIC must carry: whatever the (edited) config says, read by
# imprint's own parser, as bootcheck.sh reads it.
run_imprint vmcfg "$CFG"
check_exit "imprint vmcfg" "$RC" 0
WANT_MAC=$(printf '%s\n' "$OUT" | sed -n 's/^  nic0\.mac=//p' |
    tr 'A-F' 'a-f')
if [ "$applied" -eq 1 ]; then
	check_nomatch "apply gave the clone a new MAC" "$WANT_MAC" \
	    "^$TMPL_MAC\$"
else
	check_eq "template MAC in the config" "$WANT_MAC" "$TMPL_MAC"
fi

# --- boot -----------------------------------------------------------------
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
# Exactly one NIC, eth0, with the config's MAC and the wanted address.
check_eq "NICs on the console" \
    "$(printf '%s\n' "$report" | grep '^IMPRINT-REPORT addr ')" \
    "IMPRINT-REPORT addr eth0 $WANT_MAC $WANT_ADDR"
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

done_testing
