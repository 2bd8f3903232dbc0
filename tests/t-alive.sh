#!/bin/bash
# t-alive.sh - integration test of the "is this guest alive?" checks of
# `imprint apply` through the hidden `imprint alive-check` command, with
# no appliance: fake xl and xm scripts (IMPRINT_XL, IMPRINT_XM) reporting
# the domain running by name or uuid, not running, failing, hanging; a
# process holding the image open read-write or read-only; a paused qemu
# (its image lock and its descriptor); a loop device and a block device
# (when losetup works); and imprint's own image lock between processes,
# which must leave qemu's lock bytes free.
. "$(dirname "$0")/lib.sh"
scratch

IMG=$SCRATCH/System.img
truncate -s 16M "$IMG"
printf 'first sector\n' | dd of="$IMG" conv=notrunc status=none
cp --sparse=always "$IMG" "$SCRATCH/orig.img"
MTIME=$(stat -c %Y "$IMG")
touch -d @$((MTIME - 100)) "$IMG"
MTIME=$(stat -c %Y "$IMG")
PIDS=() LOOPS=()
cleanup() {
	local p l
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

# bg CMD...: start CMD in the background and remember it for cleanup.
bg() {
	"$@" &
	BGPID=$!
	PIDS+=("$BGPID")
}
# wait_for DESCRIPTION TEST...: poll up to 10 s for a condition.
wait_for() {
	local what=$1 i
	shift
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	fail "timed out waiting for $what"
	return 1
}
stop() {	# PID
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

U=4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308
# Fake listers print canned output after checking their arguments.
cat >"$SCRATCH/xl.out" <<EOF
Name                                        ID   Mem VCPUs	State	Time(s)   UUID                            Reason-Code	Security Label
Domain-0                                     0  2048     4     r-----    1234.5 00000000-0000-0000-0000-000000000000        -                -
vm2                                          7  1024     2     -b----      12.0 $U        -                -
EOF
cat >"$SCRATCH/xl" <<EOF
#!/bin/sh
[ "\$*" = "list -v" ] || { echo "bad args: \$*" >&2; exit 9; }
exec cat '$SCRATCH/xl.out'
EOF
cat >"$SCRATCH/xl-fail" <<'EOF'
#!/bin/sh
echo "xc: error: Could not obtain handle on privileged command interface" >&2
echo "libxl: error: cannot open libxc handle" >&2
exit 1
EOF
cat >"$SCRATCH/xl-hang" <<'EOF'
#!/bin/sh
exec sleep 60
EOF
cat >"$SCRATCH/xm" <<EOF
#!/bin/sh
[ "\$*" = "list --long" ] || exit 9
cat <<'SXP'
(domain
    (domid 0)
    (uuid 00000000-0000-0000-0000-000000000000)
    (name Domain-0)
    (state r-----)
)
(domain
    (domid 3)
    (uuid $U)
    (name vm2)
    (state -b----)
)
SXP
EOF
chmod +x "$SCRATCH"/xl "$SCRATCH"/xl-fail "$SCRATCH"/xl-hang "$SCRATCH"/xm
export IMPRINT_XL=$SCRATCH/xl IMPRINT_XM=

# ---- usage ---------------------------------------------------------------
run_imprint alive-check
check_exit "no image" "$RC" 2
run_imprint alive-check --help
check_exit "--help" "$RC" 0
check_match "--help synopsis" "$OUT" '^usage: imprint alive-check IMAGE'
run_imprint alive-check "$IMG" a b c
check_exit "too many operands" "$RC" 2
run_imprint alive-check "$SCRATCH/nonexistent.img"
check_exit "missing image" "$RC" 2
check_eq "missing image: message" "$ERR" \
    "imprint: cannot stat image '$SCRATCH/nonexistent.img': No such file or directory"

# ---- the domain, as xl and xm see it ------------------------------------
run_imprint alive-check "$IMG" vm1 6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f
check_exit "xl: other domain" "$RC" 0
check_eq "xl: other domain: no output" "$OUT$ERR" ""

run_imprint alive-check "$IMG" vm2
check_exit "xl: running by name" "$RC" 1
check_eq "xl: running by name: reason" "$OUT" \
    "domain 'vm2' (id 7, uuid $U, state -b----) is running (xl list -v)"

run_imprint alive-check "$IMG" renamed-clone 4B7E2C198D3A4F56B0E192C4A7D5F308
check_exit "xl: running by uuid" "$RC" 1
check_match "xl: running by uuid: reason" "$OUT" "^domain 'vm2' \(id 7, "

run_imprint alive-check "$IMG" "" "$U"
check_exit "xl: uuid only" "$RC" 1

run_imprint alive-check "$IMG" Domain-0 00000000-0000-0000-0000-000000000000
check_exit "xl: Domain-0 never counts" "$RC" 0

IMPRINT_XL=$SCRATCH/xl-fail run_imprint alive-check "$IMG" vm2
check_exit "xl fails: not blocking" "$RC" 0
check_eq "xl fails: no reason" "$OUT" ""
check_eq "xl fails: one warning" "$ERR" \
    "imprint: cannot ask Xen whether domain 'vm2' runs: xl list -v: exit status 1: xc: error: Could not obtain handle on privileged command interface"

IMPRINT_XL=$SCRATCH/xl-fail IMPRINT_XM=$SCRATCH/xm \
    run_imprint alive-check "$IMG" vm2
check_exit "xl fails, xm answers" "$RC" 1
check_eq "xl fails, xm answers: reason" "$OUT" \
    "domain 'vm2' (id 3, uuid $U, state -b----) is running (xm list --long)"
check_eq "xl fails, xm answers: no warning" "$ERR" ""

IMPRINT_XL=$SCRATCH/none IMPRINT_XM=$SCRATCH/none \
    run_imprint alive-check "$IMG" vm2
check_exit "no xl, no xm" "$RC" 0
check_eq "no xl, no xm: silent" "$OUT$ERR" ""

start=$(date +%s)
IMPRINT_XL=$SCRATCH/xl-hang run_imprint alive-check "$IMG" vm2
took=$(($(date +%s) - start))
check_exit "xl hangs: an error" "$RC" 2
check_eq "xl hangs: message" "$ERR" \
    "imprint: 'xl list -v' did not answer within 10 seconds; killed it"
check_eq "xl hangs: bounded time" "$((took >= 9 && took <= 13))" 1

# ---- processes holding the image ----------------------------------------
bg sleep 60 9<"$IMG"
RO=$BGPID
wait_for "a reader" test -e "/proc/$RO/fd/9"
run_imprint alive-check "$IMG" vm1
check_exit "open read-only by another process" "$RC" 0
stop "$RO"

bg sleep 60 9<>"$IMG"
RW=$BGPID
wait_for "a writer" test -e "/proc/$RW/fd/9"
run_imprint alive-check "$IMG" vm1
check_exit "open read-write by another process" "$RC" 1
check_eq "open read-write: reason" "$OUT" \
    "image '$IMG' is open for writing by pid $RW (sleep)"
ln -s System.img "$SCRATCH/link.img"
run_imprint alive-check "$SCRATCH/link.img"
check_exit "through a symlink" "$RC" 1
stop "$RW"
run_imprint alive-check "$IMG" vm1
check_exit "writer gone" "$RC" 0

# ---- imprint's own lock ---------------------------------------------------
# The holder keeps the lock until its stdin, a fifo, ends.  Open the fifo
# read-write here first: that never blocks, even if the holder fails.
mkfifo "$SCRATCH/hold"
exec 8<>"$SCRATCH/hold"
"$IMPRINT" alive-check --lock "$IMG" <"$SCRATCH/hold" \
    >"$SCRATCH/lock.out" 8>&- &
LK=$!
PIDS+=("$LK")
wait_for "the lock" grep -qx locked "$SCRATCH/lock.out"
run_imprint alive-check --lock "$IMG" </dev/null
check_exit "second lock" "$RC" 1
check_eq "second lock: message" "$ERR" \
    "imprint: image '$IMG' is being edited by another imprint process"
check_eq "second lock: nothing on stdout" "$OUT" ""
run_imprint alive-check "$IMG"
check_exit "lock holder seen as a writer" "$RC" 1
check_match "lock holder: reason" "$OUT" \
    "^image '.*' is open for writing by pid $LK \("
check_nomatch "imprint's lock is not a qemu lock" "$OUT" \
    "locked by a running qemu"
if command -v qemu-system-x86_64 >/dev/null; then
	# qemu (libguestfs's, later) must still get its own image locks.
	bg qemu-system-x86_64 -nodefaults -display none -S \
	    -drive "file=$IMG,format=raw,if=none,id=d0" \
	    -device virtio-blk-pci,drive=d0 -accel tcg
	QL=$BGPID
	ino=$(stat -c %i "$IMG")
	wait_for "qemu's lock beside imprint's" \
	    grep -q ":$ino 100 " /proc/locks
	check_eq "qemu runs while imprint holds its lock" \
	    "$(kill -0 "$QL" 2>/dev/null && echo yes)" yes
	stop "$QL"
else
	skip 1 "qemu-system-x86_64 not installed; qemu beside imprint's lock not run"
fi
exec 8>&-
wait "$LK"
check_exit "lock released at end of input" "$?" 0
run_imprint alive-check --lock "$IMG" </dev/null
check_exit "lock again after release" "$RC" 0
check_eq "lock again: output" "$OUT" locked

# ---- a paused qemu ----------------------------------------------------------
if command -v qemu-system-x86_64 >/dev/null; then
	bg qemu-system-x86_64 -nodefaults -display none -S \
	    -drive "file=$IMG,format=raw,if=none,id=d0" \
	    -device virtio-blk-pci,drive=d0 -accel tcg
	QP=$BGPID
	ino=$(stat -c %i "$IMG")
	wait_for "qemu's image lock" grep -q ":$ino 100 " /proc/locks
	run_imprint alive-check "$IMG" vm1
	check_exit "paused qemu" "$RC" 1
	check_match "paused qemu: open for writing" "$OUT" \
	    "^image '$IMG' is open for writing by pid $QP \(qemu-system-x86\)\$"
	check_match "paused qemu: its lock" "$OUT" \
	    "^image '$IMG' is locked by a running qemu \(pid $QP \(qemu-system-x86\)\)\$"
	check_eq "paused qemu: two reasons" "$(printf '%s\n' "$OUT" | wc -l)" 2
	stop "$QP"
	run_imprint alive-check "$IMG" vm1
	check_exit "qemu gone" "$RC" 0
else
	skip 5 "qemu-system-x86_64 not installed; paused-qemu checks not run"
fi

# ---- loop and block devices -----------------------------------------------
if LOOP=$(losetup -f --show "$IMG" 2>/dev/null); then
	LOOPS+=("$LOOP")
	run_imprint alive-check "$IMG"
	check_exit "file on a loop device" "$RC" 1
	check_eq "loop: reason" "$OUT" \
	    "image '$IMG' is attached read-write to loop device '$LOOP'"
	run_imprint alive-check "$LOOP"
	check_exit "the loop device itself, unused" "$RC" 0
	# an LV is a symlink to /dev/dm-N; a process may use any name
	ln -s "$LOOP" "$SCRATCH/lv"
	bg sleep 60 9<>"$LOOP"
	BW=$BGPID
	wait_for "a block device writer" test -e "/proc/$BW/fd/9"
	run_imprint alive-check "$SCRATCH/lv"
	check_exit "block device open for writing" "$RC" 1
	check_eq "block device: reason" "$OUT" \
	    "image '$SCRATCH/lv' is open for writing by pid $BW (sleep)"
	stop "$BW"
	# an exclusive kernel-style claim (O_EXCL), as blkback or a mount
	bg python3 -c 'import os, sys, time
os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
print("held", flush=True)
time.sleep(60)' "$LOOP" >"$SCRATCH/excl.out"
	EX=$BGPID
	wait_for "an exclusive opener" grep -qx held "$SCRATCH/excl.out"
	run_imprint alive-check "$LOOP"
	check_exit "block device held exclusively" "$RC" 1
	check_eq "exclusive: reason" "$OUT" \
	    "block device '$LOOP' is in use (mounted, or held by the kernel: Xen blkback, device-mapper)"
	stop "$EX"
	losetup -d "$LOOP"
	LOOPS=()
	run_imprint alive-check "$IMG"
	check_exit "loop detached" "$RC" 0
else
	skip 8 "losetup cannot attach a loop device here; loop and block device checks not run"
fi

# ---- nothing above wrote to the image ------------------------------------
check_same_file "image bytes unchanged" "$IMG" "$SCRATCH/orig.img"
check_eq "image mtime unchanged" "$(stat -c %Y "$IMG")" "$MTIME"

done_testing
