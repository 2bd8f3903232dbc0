#!/bin/bash
# tests/bootcheck.sh - boot a guest image under qemu and print the identity
# it reports on its serial console (the boot proof; see tests/boot.md).
#
# Usage: tests/bootcheck.sh [-k KERNEL] [-i INITRD] [-a ARGS] IMAGE VMCFG
#     TIMEOUT
#
# IMAGE is a qcow2 image of the tests/mkdebian.sh guest, normally an
# overlay the caller made: it is booted read-write, so never pass the
# cached template itself.  VMCFG is the guest's Xen domain config: each
# vif becomes a virtio NIC with the vif's MAC, in order, so the boot shows
# what a Xen host would give the guest.  ARGS are added to the kernel
# command line (imprint.addrs=N: the report waits for N addresses).  TIMEOUT is a hard limit in seconds
# for a boot (a failed KVM attempt, below, adds at most KVM_GRACE).
# KERNEL and INITRD default to debian-boot.vmlinuz and debian-boot.initrd
# in the tests/mkdebian.sh cache directory: they are passed to qemu
# directly (the image has no boot loader).
#
# Prints the console lines that start with IMPRINT-REPORT (the guest's
# imprint-report.service writes them, then powers off) on stdout and exits
# 0 when the guest reported everything ("IMPRINT-REPORT end") and qemu
# exited by itself.  Otherwise prints the console's tail on stderr and
# exits 1; 2 on usage errors.  Timing and the accelerator used go to
# stderr.
#
# What it does not do: it creates nothing outside a temporary directory
# that it removes, gives the guest no host network (-netdev user with
# restrict=on: the NIC exists and has its MAC, nothing is reachable), and
# leaves no qemu behind (the hard timeout kills it, and so does the exit
# trap).  It does not judge the report: the caller asserts.
#
# Accelerator: KVM is tried first when /dev/kvm is usable.  On the build
# machines KVM is present but broken (nested): with -cpu host qemu aborts
# at the first vCPU run (below a second); with other CPU models it may
# report "KVM internal error ... emulation failure" after spinning for
# minutes.  So the KVM attempt is abandoned, and the boot redone under
# TCG, when qemu exits unsuccessfully, prints "KVM internal error", or has
# not reported within KVM_GRACE seconds.  A slow but working KVM thus
# costs KVM_GRACE seconds, never a false result.  IMPRINT_BOOT_ACCEL=tcg
# or =kvm forces one (no fallback).
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMPRINT=${IMPRINT:-$TOP/imprint}
# Seconds a KVM boot may take before it counts as failed (a working one
# reports in well under 10 s).
KVM_GRACE=${IMPRINT_BOOT_KVM_GRACE:-30}

usage() {
	echo "usage: tests/bootcheck.sh [-k KERNEL] [-i INITRD] [-a ARGS]" \
	    "IMAGE VMCFG TIMEOUT"
	exit "$1"
}

die() {
	echo "bootcheck: $*" >&2
	exit 1
}

kernel='' initrd='' extra=''
while getopts a:hi:k: opt; do
	case $opt in
	a) extra=$OPTARG ;;
	h) usage 0 ;;
	i) initrd=$OPTARG ;;
	k) kernel=$OPTARG ;;
	*) usage 2 >&2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || usage 2 >&2
IMAGE=$1 VMCFG=$2 TIMEOUT=$3
case $TIMEOUT in
'' | *[!0-9]* | 0) usage 2 >&2 ;;
esac

if [ -z "$kernel" ] || [ -z "$initrd" ]; then
	cache=$("$TOP/tests/mkdebian.sh" --print-dir) ||
	    die "cannot find the tests/mkdebian.sh cache directory"
	kernel=${kernel:-$cache/debian-boot.vmlinuz}
	initrd=${initrd:-$cache/debian-boot.initrd}
fi
for f in "$IMAGE" "$VMCFG" "$kernel" "$initrd"; do
	[ -f "$f" ] || die "'$f': no such file"
done
command -v qemu-system-x86_64 >/dev/null ||
    die "'qemu-system-x86_64' not found"

# --- the MACs, from the domain config -------------------------------------

# Read through imprint's own config parser, so the MACs are exactly what
# imprint (and Xen) make of the file.  The JSON form is versioned
# ("schema": 1); jq reads it where installed, else the text form's
# "  nicN.mac=" lines, which carry the same values.
vif_macs() {	# every vif's mac=, one a line, in order
	local out
	if command -v jq >/dev/null; then
		out=$("$IMPRINT" vmcfg --json "$VMCFG") || return 1
		printf '%s\n' "$out" |
		    jq -er 'if .schema == 1 then .nics[].keys.mac // "-"
			    else error("schema") end'
	else
		out=$("$IMPRINT" vmcfg "$VMCFG") || return 1
		printf '%s\n' "$out" | sed -n 's/^  nic[0-9]*\.mac=//p'
	fi
}

macs=$(vif_macs) || die "cannot read the vifs of '$VMCFG'"
[ -n "$macs" ] || die "'$VMCFG' has no vif"
# The values go onto qemu's command line: accept nothing but MACs.
nics=()
i=0
for mac in $macs; do
	printf '%s\n' "$mac" |
	    grep -Eqx '[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}' ||
	    die "'$VMCFG': vif $i has no usable mac= (got '$mac')"
	mac=$(printf '%s' "$mac" | tr 'A-F' 'a-f')
	nics+=(-netdev "user,id=n$i,restrict=on"
	    -device "virtio-net-pci,netdev=n$i,mac=$mac")
	i=$((i + 1))
done

# --- boot --------------------------------------------------------------

T=$(mktemp -d "${TMPDIR:-/tmp}/bootcheck.XXXXXX")
CONSOLE=$T/console
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
	fi
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Kernel command line, each word for a reason:
#   root=/dev/vda1 rw  the root partition (the first) of the virtio disk,
#                      read-write at once: systemd-fsck-root then skips
#                      the check fstab's pass 1 asks for (the initramfs
#                      has no fsck), and there is no remount; the disk
#                      is a fresh overlay
#   console=ttyS0      kernel and systemd messages go to the serial log
#   net.ifnames=0      the NIC is eth0, as /etc/network/interfaces says
#   quiet              less console output: each line costs time under TCG
#   panic=-1           a panic reboots at once, and -no-reboot turns that
#                      into qemu exiting, instead of waiting for TIMEOUT
APPEND="root=/dev/vda1 rw console=ttyS0 net.ifnames=0 quiet panic=-1"
[ -n "$extra" ] && APPEND="$APPEND $extra"

# -nodefaults: no VGA, no default NIC, no CD-ROM; the only devices are the
# disk, the NIC and the serial port, which is written to a file.
# IMAGE is opened by name as qcow2 (the caller made it): never probed.
# Under KVM the guest gets the host's CPU (-cpu host, as libguestfs does):
# a KVM that cannot run it then fails at once (on the build machines:
# "failed to set MSR 0x10a", abort) instead of spinning for minutes on an
# emulation failure, as it does with the default qemu64 model.  TCG keeps
# qemu's default model.
run_qemu() {	# ACCEL
	local cpu=()
	[ "$1" = kvm ] && cpu=(-cpu host)
	: >"$CONSOLE"
	# qemu runs under a subshell that forwards TERM to it and then waits
	# for it, so that bash's "Aborted ..." notice for a crashed qemu goes
	# to qemu.out (with what qemu said) instead of the terminal.
	(
	trap 'kill "$child" 2>/dev/null' TERM
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 \
	    -nodefaults -no-user-config -display none -no-reboot \
	    -accel "$1" "${cpu[@]}" -m 512 -smp 1 \
	    -kernel "$kernel" -initrd "$initrd" -append "$APPEND" \
	    -drive "file=$IMAGE,format=qcow2,if=virtio,cache=unsafe" \
	    "${nics[@]}" \
	    -serial "file:$CONSOLE" -monitor none &
	child=$!
	# A trapped TERM interrupts wait; wait again until qemu is gone.
	while :; do
		wait "$child"
		rc=$?
		kill -0 "$child" 2>/dev/null || exit "$rc"
	done
	) </dev/null >"$T/qemu.out" 2>&1 &
	qpid=$!
}

reported() {
	grep -q 'IMPRINT-REPORT end' "$CONSOLE"
}

kvm_usable() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ]
}

case ${IMPRINT_BOOT_ACCEL-} in
kvm | tcg) accel=$IMPRINT_BOOT_ACCEL ;;
'') if kvm_usable; then accel=kvm; else accel=tcg; fi ;;
*) die "IMPRINT_BOOT_ACCEL must be kvm or tcg" ;;
esac

# Wait for qemu.  Under KVM (chosen automatically, not forced) also watch
# for KVM failing (see the top): returns 2 when it did, qemu stopped, so
# the caller boots again under TCG; otherwise returns 0 and leaves qemu's
# exit status in $rc.
watch_qemu() {	# ACCEL
	local t0=$SECONDS
	rc=0
	if [ "$1" = kvm ] && [ -z "${IMPRINT_BOOT_ACCEL-}" ]; then
		while kill -0 "$qpid" 2>/dev/null; do
			kvm_why=
			if grep -q 'KVM internal error' "$T/qemu.out"; then
				kvm_why="qemu: KVM internal error"
			elif [ $((SECONDS - t0)) -gt "$KVM_GRACE" ] &&
			    ! reported; then
				kvm_why="no report within $KVM_GRACE s"
			fi
			if [ -n "$kvm_why" ]; then
				kill "$qpid" 2>/dev/null
				wait "$qpid" 2>/dev/null
				qpid=
				return 2
			fi
			sleep 0.2
		done
	fi
	wait "$qpid"
	rc=$?
	qpid=
	if [ "$1" = kvm ] && [ -z "${IMPRINT_BOOT_ACCEL-}" ] &&
	    [ "$rc" -ne 0 ] && ! reported; then
		kvm_why="qemu exited with status $rc"
		return 2
	fi
	return 0
}

start=$SECONDS
run_qemu "$accel"
if ! watch_qemu "$accel"; then
	echo "bootcheck: KVM failed ($kvm_why after $((SECONDS - start))" \
	    "s); booting again under TCG" >&2
	accel=tcg
	start=$SECONDS
	run_qemu tcg
	watch_qemu tcg
fi
elapsed=$((SECONDS - start))

# The serial port writes CR LF.
tr -d '\r' <"$CONSOLE" >"$T/console.txt"
# A report line may follow other console output on the same line.
grep -o 'IMPRINT-REPORT .*' "$T/console.txt"
if [ "$rc" -eq 0 ] && reported; then
	echo "bootcheck: booted and reported under $accel in $elapsed s" >&2
	exit 0
fi
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	why="timed out after $TIMEOUT s"
else
	why="qemu exited with status $rc after $elapsed s"
fi
echo "bootcheck: no complete report under $accel: $why" >&2
echo "bootcheck: qemu said:" >&2
sed 's/^/    /' "$T/qemu.out" >&2
echo "bootcheck: console tail:" >&2
tail -n 40 "$T/console.txt" | sed 's/^/    | /' >&2
exit 1
