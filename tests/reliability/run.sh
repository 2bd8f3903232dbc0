#!/bin/bash
# tests/reliability/run.sh - the reliability suite: hostile inputs, runs
# killed at each point of their work, races, unwritable places; after
# each, every file is old or new, nothing outside the intended files
# changed, no temporary file is left once the run (or its recovery) is
# over, nothing hung, and a re-run or undo recovers.  Prints the report:
# a table (case, expected, observed) and the totals.
#
# The guest is a tree on the host (apply --root-dir, tests/data/guest-ovs
# with its vm.cfg beside it), so each case costs milliseconds, not an
# appliance launch: the planner, the undo record, the staged host write
# and the guest writes are the same code for an image, only the guest
# filesystem under them differs (gfs.h).  Runs are killed at the named
# points of src/testpoint.h (IMPRINT_TEST_KILL), never after a sleep.
# The before state is the tree as built; the after state is that of one
# uninterrupted apply of the same recipe, which is fully determined (MAC,
# uuid and password hash given), so that any file can be judged old, new
# or neither.  Images refused before a launch (a truncated qcow2, broken
# backing chains) are cases too, and four appliance runs on one image
# (qemu killed mid-write, imprint killed mid-file, the re-run on a root
# needing journal recovery, a run with nothing to do) end it.
# tests/t-reliability.sh runs it in make check.

# shellcheck source-path=SCRIPTDIR source=../lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"
scratch
W=$SCRATCH
D=$TOP/tests/data
HERE=$TOP/tests/reliability
# no Xen here: the domain check of a tree must not ask a real xl
export IMPRINT_XL='' IMPRINT_XM=''
LIMIT=30	# seconds: a run that takes longer has hung

INPUTS=0 FAULTS=0 FILES=0 OUTSIDE=0 PARTIAL=0 TEMPS=0 HANGS=0 RACES=0
OPEN=0		# temporaries of the shadow readable by group or others
SHADOWS=0	# temporaries of the shadow seen at all
ROWS=()

# row CASE EXPECTED OBSERVED: a line of the report.
row() {
	ROWS+=("$1|$2|$3")
}

# state DIR: one line per entry under DIR but the undo record:
# PATH<TAB>TYPE MODE OWNER L:TARGET SIZE SHA256 (SIZE and SHA256 "-"
# but for regular files).
state() {
	(
		cd "$1" || exit 1
		find . -mindepth 1 ! -name '*.imprint-undo' ! -type f \
		    -printf '%P\t%y %m %U:%G L:%l - -\n'
		find . -mindepth 1 -type f ! -name '*.imprint-undo' \
		    -printf '%P\t%y %m %U:%G L:%l %s\n' | LC_ALL=C sort >"$W/.f"
		find . -mindepth 1 -type f ! -name '*.imprint-undo' -print0 |
		    LC_ALL=C sort -z | xargs -0 -r sha256sum |
		    sed 's|^\([0-9a-f]*\)  \./|\1\t|' >"$W/.s"
		awk -F '\t' 'NR == FNR { h[$2] = $1; next }
		    { print $0 " " h[$1] }' "$W/.s" "$W/.f"
	) | LC_ALL=C sort
}

# judge NAME DIR: classify DIR against the before and after states;
# adds to the totals; sets J_PARTIAL J_OUTSIDE J_TEMPS.  Offenders are
# printed (indented), so that a failing check shows them.
judge() {
	local n
	state "$2" >"$W/.case"
	n=$(awk -f "$HERE/classify.awk" "$W/orig.state" "$W/new.state" \
	    "$W/.case" 2>"$W/.why")
	# a temporary that holds the new /etc/shadow (the recipe's hash) is
	# never readable by group or others, not even one a kill left (a
	# temporary has its final mode only once all its bytes are in)
	OPEN=$((OPEN + $(cd "$2" && find . -name '.imprint-????????????' \
	    -perm /077 -exec grep -lF -e "$HASH" {} + | wc -l)))
	SHADOWS=$((SHADOWS + $(cd "$2" && find . -name '.imprint-????????????' \
	    -exec grep -lF -e "$HASH" {} + | wc -l)))
	read -r n J_PARTIAL J_OUTSIDE J_TEMPS <<<"$n"
	FILES=$((FILES + n))
	PARTIAL=$((PARTIAL + J_PARTIAL))
	OUTSIDE=$((OUTSIDE + J_OUTSIDE))
	# temporaries count (and are named) only once a run is over
	grep -v "${J_ENDED:+^$}  temporary left" "$W/.why" |
	    sed "s|^|    $1:|"
	return 0
}

# judge_end NAME DIR: judge a case whose run is over: its temporaries
# count as left.
judge_end() {
	J_ENDED=1 judge "$@"
	TEMPS=$((TEMPS + J_TEMPS))
}

# judge_self NAME DIR BEFORE: a case whose before state is not the
# suite's (a FIFO, a hostile tree): a refusal must leave DIR exactly as
# BEFORE (a state), and no temporary may be left either way.
judge_self() {
	local t
	t=$(cd "$2" && find . \( -name '.imprint-????????????' -o \
	    -name '.*.imprint-??????' \) | wc -l)
	TEMPS=$((TEMPS + t))
	FILES=$((FILES + $(wc -l <"$3")))
	[ "$t" -eq 0 ] || echo "    $1: $t temporary file(s) left"
	if [ "$RC" -ne 0 ] && [ "$(state "$2")" != "$(cat "$3")" ]; then
		echo "    $1: refused, but changed:"
		diff "$3" <(state "$2") | sed 's/^/      /'
		PARTIAL=$((PARTIAL + 1))
	fi
	return 0
}

# fresh NAME: a copy of the before state as $W/NAME (tree el5, vm.cfg).
fresh() {
	rm -rf "${W:?}/$1"
	cp -a "$W/orig" "$W/$1"
}

# imp ARGS...: run imprint under the hang limit: RC (124 when it hung,
# 137 when killed by SIGKILL), OUT, ERR.
imp() {
	# in a subshell that exits by itself: a run killed on purpose is
	# no news for bash to print
	(timeout -k 5 "$LIMIT" "$IMPRINT" "$@" >"$W/.out" 2>"$W/.err"
	exit $?) 2>/dev/null
	RC=$?
	OUT=$(cat "$W/.out") ERR=$(cat "$W/.err")
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ] && [ -z "${KILLING-}" ]; then
		HANGS=$((HANGS + 1))
	fi
	return 0
}

apply_in() {	# CASEDIR [imprint options]: the suite's apply
	local c=$1
	shift
	imp apply -D name=web1 "$@" --root-dir "$c/el5" "$W/el5.rcp"
}

# ---- the before and after states ---------------------------------------------
O=$W/orig
mkdir -p "$O"
cp -a "$D/guest-ovs" "$O/el5"
chmod 0400 "$O/el5/etc/shadow"
chmod 0600 "$O"/el5/etc/ssh/ssh_host_*_key
cp "$D/ovs.vm.cfg" "$O/vm.cfg"
# shellcheck disable=SC2016 # a crypt(3) hash, not an expansion
HASH='$6$Tmp1Rhel5LvmSalt$w1O9d0wKVKqbblKoVE7HzbBqydBhC6cgWuIqxo0MdPrgNUncDwqAN6SaCBL7ZUG63/d3VZ6Xu.bPBs9Nn2573.'
cat >"$W/el5.rcp" <<EOF
[guest]
hostname = \${name}.example.com
root-password = hash:$HASH
forget = ssh-hostkeys

[nic eth0]
mac = 00:16:3e:aa:bb:01
boot = static
address = 192.0.2.21/24
gateway = 192.0.2.1

[host]
name = \${name}
uuid = 6a1cf1d2-8e6b-4c6f-9d0e-2b7d1c0a5e11
EOF
state "$O" >"$W/orig.state"
fresh new
apply_in "$W/new"
check_exit "the uninterrupted apply" "$RC" 0
state "$W/new" >"$W/new.state"
# every guest file the apply writes or removes, and the vm.cfg
NW=$(awk -F '\t' 'NR == FNR { o[$1] = $2; next }
    { if (o[$1] != $2) n++; delete o[$1] }
    END { for (p in o) n++; print n + 0 }' "$W/orig.state" "$W/new.state")
NG=$((NW - 1))
# of which guest files written (a removal writes no temporary)
NWR=$(awk -F '\t' 'NR == FNR { o[$1] = $2; next }
    $1 ~ /^el5\// && $2 ~ /^f / && o[$1] != $2 { n++ }
    END { print n + 0 }' "$W/orig.state" "$W/new.state")
check_match "the apply changes the vm.cfg and guest files" "$NW" '^[5-9]$|^[1-9][0-9]$'
check_eq "... among them the vm.cfg" \
    "$(diff <(grep '^vm.cfg' "$W/orig.state") <(grep '^vm.cfg' \
    "$W/new.state") >/dev/null && echo same || echo changed)" changed
imp undo --root-dir "$W/new/el5"
check_exit "the uninterrupted undo" "$RC" 0
check_eq "the uninterrupted undo: the before state" "$(state "$W/new")" \
    "$(cat "$W/orig.state")"
rm -rf "${W:?}/new"

# ---- kills during apply --------------------------------------------------------
# After each: killed (SIGKILL), every file old or new, nothing else
# touched; then a re-run gives the after state, and undo the before
# state, each exactly and with no temporary left.  On a second copy,
# undo at once after the kill gives the before state.
# every guest temporary (one of them holds the new /etc/shadow)
points="surveyed recorded host-staged $(for ((i = 1; i <= NWR; i++)); do
	printf 'guest-temp#%d ' "$i"; done)guest-write#1 guest-write#2
guest-write#$NG guest-flushed host-commit#1"
for p in $points; do
	fresh "k"
	KILLING=1 IMPRINT_TEST_KILL=$p apply_in "$W/k"
	INPUTS=$((INPUTS + 1)) FAULTS=$((FAULTS + 1))
	check_exit "kill at $p: killed" "$RC" 137
	judge "kill at $p" "$W/k"
	check_eq "kill at $p: every file old or new, nothing else" \
	    "$J_PARTIAL $J_OUTSIDE" "0 0"
	seen="$([ "$J_PARTIAL$J_OUTSIDE" = 00 ] && echo "old or new" ||
	    echo "FAILED: $J_PARTIAL partial, $J_OUTSIDE bytes outside")"
	seen+=", $J_TEMPS temp(s) until recovery"
	apply_in "$W/k"
	check_exit "kill at $p: the re-run" "$RC" 0
	judge_end "kill at $p, re-run" "$W/k"
	check_eq "kill at $p: the re-run gives the after state" \
	    "$(state "$W/k")" "$(cat "$W/new.state")"
	[ "$(state "$W/k")" = "$(cat "$W/new.state")" ] ||
	    seen+=", re-run FAILED"
	imp undo --root-dir "$W/k/el5"
	check_exit "kill at $p: undo after the re-run" "$RC" 0
	check_eq "kill at $p: ... gives the before state" \
	    "$(state "$W/k")" "$(cat "$W/orig.state")"
	check_eq "kill at $p: ... and drops the record" \
	    "$(ls "$W/k")" "el5
vm.cfg"
	fresh "u"
	KILLING=1 IMPRINT_TEST_KILL=$p apply_in "$W/u"
	imp undo --root-dir "$W/u/el5"
	if [ -f "$W/u/el5.imprint-undo" ] || [ "$RC" -ne 2 ]; then
		check_exit "kill at $p: undo at once" "$RC" 0
	else	# killed before the record: nothing changed, nothing to undo
		check_match "kill at $p: undo at once: no record" "$ERR" \
		    "has no undo record"
	fi
	judge_end "kill at $p, undo" "$W/u"
	check_eq "kill at $p: undo at once gives the before state" \
	    "$(state "$W/u")" "$(cat "$W/orig.state")"
	[ "$(state "$W/u")" = "$(cat "$W/orig.state")" ] ||
	    seen+=", undo FAILED"
	row "apply killed at $p" "old or new; re-run, undo recover" "$seen"
done

# ---- kills during undo -------------------------------------------------------
for p in host-staged guest-write#1 guest-write#2 guest-flushed \
    host-commit#1; do
	fresh "k"
	apply_in "$W/k"
	KILLING=1 IMPRINT_TEST_KILL=$p imp undo --root-dir "$W/k/el5"
	INPUTS=$((INPUTS + 1)) FAULTS=$((FAULTS + 1))
	check_exit "undo killed at $p: killed" "$RC" 137
	judge "undo killed at $p" "$W/k"
	check_eq "undo killed at $p: every file old or new" \
	    "$J_PARTIAL $J_OUTSIDE" "0 0"
	imp undo --root-dir "$W/k/el5"
	check_exit "undo killed at $p: undo again" "$RC" 0
	judge_end "undo killed at $p, again" "$W/k"
	check_eq "undo killed at $p: the before state" "$(state "$W/k")" \
	    "$(cat "$W/orig.state")"
	row "undo killed at $p" "old or new; undo again recovers" \
	    "$([ "$(state "$W/k")" = "$(cat "$W/orig.state")" ] &&
	    echo recovered || echo FAILED)"
done

# ---- races, made to order (@stop) ----------------------------------------------
# wait_stopped PID: until PID is stopped (state T), at most LIMIT s.
wait_stopped() {
	local i
	for ((i = 0; i < LIMIT * 10; i++)); do
		[ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = T ] &&
		    return 0
		sleep 0.1
	done
	return 1
}

# race NAME FIRST-CMD POINT SECOND-CMD WANT-STATE: FIRST-CMD (apply or
# undo) held at POINT while SECOND-CMD runs: the second is refused, the
# first finishes, and the tree ends in WANT-STATE (orig or new).
race() {
	local name=$1 first=$2 point=$3 second=$4 want=$5 pid rc1
	fresh "r"
	[ "$first" = undo ] && apply_in "$W/r"
	if [ "$first" = apply ]; then
		IMPRINT_TEST_KILL=$point@stop "$IMPRINT" apply -D name=web1 \
		    --root-dir "$W/r/el5" "$W/el5.rcp" >/dev/null 2>&1 &
	else
		IMPRINT_TEST_KILL=$point@stop "$IMPRINT" undo \
		    --root-dir "$W/r/el5" >/dev/null 2>&1 &
	fi
	pid=$!
	INPUTS=$((INPUTS + 1)) RACES=$((RACES + 1))
	if ! wait_stopped "$pid"; then
		fail "$name: the first run never reached $point"
		kill -9 "$pid" 2>/dev/null
		wait "$pid"
		HANGS=$((HANGS + 1))
		row "$name" "second refused" "FAILED: no stop"
		return
	fi
	if [ "$second" = apply ]; then
		apply_in "$W/r"
	else
		imp undo --root-dir "$W/r/el5"
	fi
	check_exit "$name: the second is refused" "$RC" 1
	check_match "$name: ... as the tree is being edited" "$ERR" \
	    "is being edited by another"
	kill -CONT "$pid"
	wait "$pid"
	rc1=$?
	check_exit "$name: the first finishes" "$rc1" 0
	judge_end "$name" "$W/r"
	check_eq "$name: the $want state" "$(state "$W/r")" \
	    "$(cat "$W/$want.state")"
	row "$name" "second refused, first completes" \
	    "$([ "$RC" = 1 ] && [ "$rc1" = 0 ] && echo ok || echo FAILED)"
}
race "two applies at once" apply guest-write#1 apply new
race "apply, then undo at once" apply host-staged undo new
race "undo, then apply at once" undo guest-write#1 apply orig

# ---- unwritable places -------------------------------------------------------
# immutable DIR...: chattr +i (root ignores modes, not this); 1 when the
# filesystem has no such attribute.
immutable() {
	chattr +i "$@" 2>/dev/null
}
mutable() {
	chattr -i "$@" 2>/dev/null
}

fresh "h"
if immutable "$W/h"; then
	apply_in "$W/h"
	mutable "$W/h"
	INPUTS=$((INPUTS + 1))
	check_exit "config directory immutable: refused" "$RC" 1
	check_match "config directory immutable: left unchanged" "$ERR" \
	    "'$W/h/el5' left unchanged"
	judge_end "config directory immutable" "$W/h"
	check_eq "config directory immutable: the guest untouched" \
	    "$(state "$W/h")" "$(cat "$W/orig.state")"
	row "vm.cfg's directory immutable" "refused before any guest write" \
	    "$([ "$(state "$W/h")" = "$(cat "$W/orig.state")" ] &&
	    echo "nothing changed" || echo FAILED)"
else
	row "vm.cfg's directory immutable" "refused before any guest write" \
	    "not run: no chattr +i on this filesystem"
fi

fresh "g"
gdirs=$(cd "$W/g/el5" && find etc -type d)
if (cd "$W/g/el5" && immutable $gdirs); then
	apply_in "$W/g"
	(cd "$W/g/el5" && mutable $gdirs)
	INPUTS=$((INPUTS + 1))
	check_exit "guest /etc immutable: refused" "$RC" 1
	check_match "guest /etc immutable: left unchanged" "$ERR" \
	    "'$W/g/el5' left unchanged"
	judge_end "guest /etc immutable" "$W/g"
	check_eq "guest /etc immutable: nothing changed, the record gone" \
	    "$(state "$W/g"; ls "$W/g")" "$(cat "$W/orig.state"; printf 'el5\nvm.cfg')"
	row "guest /etc read-only" "nothing changed, no record, no temp" \
	    "$([ "$J_TEMPS" = 0 ] && [ ! -e "$W/g/el5.imprint-undo" ] &&
	    echo "nothing changed" || echo FAILED)"
else
	row "guest /etc read-only" "nothing changed" \
	    "not run: no chattr +i on this filesystem"
fi

# ---- hostile host inputs: FIFOs ------------------------------------------------
fifo_case() {	# NAME: the run has set up a FIFO; it must not be waited on
	INPUTS=$((INPUTS + 1))
	check_exit "$1: refused" "$RC" "$2"
	judge_self "$1" "$W/f" "$W/f.before"
	row "$1" "refused at once" \
	    "$([ "$RC" -ne 124 ] && echo "refused, exit $RC" || echo HUNG)"
}
fresh "f"
rm "$W/f/vm.cfg"
mkfifo "$W/f/vm.cfg"
state "$W/f" >"$W/f.before"
apply_in "$W/f"
fifo_case "vm.cfg is a FIFO" 2
check_match "vm.cfg is a FIFO: the message" "$ERR" "vm.cfg"
fresh "f"
state "$W/f" >"$W/f.before"
mkfifo "$W/fifo.rcp"
imp apply -D name=web1 --root-dir "$W/f/el5" "$W/fifo.rcp"
fifo_case "the recipe is a FIFO" 2
sed "s|^root-password = .*|root-password = file:$W/pw.fifo|" \
    "$W/el5.rcp" >"$W/pwfifo.rcp"
mkfifo "$W/pw.fifo"
imp apply -D name=web1 --root-dir "$W/f/el5" "$W/pwfifo.rcp"
fifo_case "root-password = file: a FIFO" 2

# ---- hostile guest trees ---------------------------------------------------------
# tree_case NAME SETUP-FUNCTION: the tree set up so; the run must end
# (no hang), write nothing outside the tree's intended files and leave no
# temporary; a canary beside the scratch tree never changes.
echo "canary: not to be written" >"$W/canary"
CANARY=$(sha256sum <"$W/canary")
tree_case() {
	local name=$1
	fresh "t"
	"$2" "$W/t/el5"
	state "$W/t" >"$W/t.before"
	apply_in "$W/t"
	INPUTS=$((INPUTS + 1))
	check_eq "$name: ended" "$([ "$RC" -ne 124 ] && echo yes)" yes
	state "$W/t" >"$W/t.after"
	# judged against its own before state: a refusal changes nothing; a
	# success changes what this tree holds for the recipe, checked by
	# undo giving the before state back
	if [ "$RC" -ne 0 ]; then
		check_eq "$name: refused, nothing changed" \
		    "$(cat "$W/t.after")" "$(cat "$W/t.before")"
	else
		imp undo --root-dir "$W/t/el5"
		check_eq "$name: undo gives the tree back" \
		    "$(state "$W/t")" "$(cat "$W/t.before")"
	fi
	judge_self "$name" "$W/t" "$W/t.before"
	check_eq "$name: the canary untouched" "$(sha256sum <"$W/canary")" \
	    "$CANARY"
	[ "$(sha256sum <"$W/canary")" = "$CANARY" ] ||
	    OUTSIDE=$((OUTSIDE + $(stat -c %s "$W/canary")))
	row "$name" "ends, nothing outside the tree" \
	    "exit $RC$([ "$RC" -ne 0 ] && echo ", nothing changed")"
}
setup_escape() {	# the hosts file leads out of the tree
	rm "$1/etc/hosts"
	ln -s ../../../canary "$1/etc/hosts"
}
setup_abs_escape() {	# an absolute link: resolved inside the tree
	rm "$1/etc/sysconfig/network"
	ln -s "$W/canary" "$1/etc/sysconfig/network"
}
setup_loop() {
	rm "$1/etc/sysconfig/network"
	ln -s network2 "$1/etc/sysconfig/network"
	ln -s network "$1/etc/sysconfig/network2"
}
setup_fifo() {
	rm "$1/etc/sysconfig/network-scripts/ifcfg-eth0"
	mkfifo "$1/etc/sysconfig/network-scripts/ifcfg-eth0"
}
setup_huge() {		# 64 MiB of hosts, sparse
	truncate -s 64M "$1/etc/hosts"
}
setup_nul() {
	printf 'DEVICE=eth0\nHWADDR=00:16:3e:10:20:01\0\nONBOOT=yes\n' \
	    >"$1/etc/sysconfig/network-scripts/ifcfg-eth0"
}
setup_newline() {	# a file name that forges an output line
	cp "$1/etc/sysconfig/network-scripts/ifcfg-eth0" \
	    "$1/etc/sysconfig/network-scripts/ifcfg-eth0
FORGED: line"
}
tree_case "guest /etc/hosts -> ../../../canary" setup_escape
tree_case "guest link to an absolute host path" setup_abs_escape
tree_case "guest symlink loop" setup_loop
tree_case "guest ifcfg-eth0 is a FIFO" setup_fifo
tree_case "guest /etc/hosts of 64 MiB" setup_huge
tree_case "guest ifcfg with a NUL byte" setup_nul
tree_case "guest file name with a newline" setup_newline
check_nomatch "a newline in a name forges no output line" "$OUT$ERR" \
    '^FORGED'

# ---- malformed recipes -------------------------------------------------------------
# Each refused with its FILE:LINE, exit 2, nothing written.
n=0 bad_ok=0
while IFS= read -r -d '' bad; do
	n=$((n + 1))
	printf '%b' "$bad" >"$W/bad.rcp"
	fresh "b"
	imp apply -D name=web1 --root-dir "$W/b/el5" "$W/bad.rcp"
	INPUTS=$((INPUTS + 1))
	judge_end "bad recipe $n" "$W/b"
	if [ "$RC" -eq 2 ] && grep -q "^imprint: $W/bad.rcp:[0-9]" <<<"$ERR" &&
	    [ "$(state "$W/b")" = "$(cat "$W/orig.state")" ]; then
		bad_ok=$((bad_ok + 1))
		pass
	else
		fail "bad recipe $n: exit $RC, $ERR"
	fi
done < <(tr '\n' '\0' <"$HERE/bad-recipes")
check_eq "the malformed recipes read" "$n" \
    "$(grep -c . "$HERE/bad-recipes")"
row "$n malformed recipes" "each refused with FILE:LINE, exit 2" \
    "$bad_ok of $n"

# ---- images refused before a launch --------------------------------------------
if command -v qemu-img >/dev/null; then
	I=$W/img
	mkdir -p "$I"
	head -c 4M /dev/urandom >"$I/data.raw"
	qemu-img convert -f raw -O qcow2 "$I/data.raw" "$I/trunc.qcow2"
	truncate -s 200000 "$I/trunc.qcow2"
	qemu-img create -q -f qcow2 -u -F raw -b nbd://127.0.0.1:1/x \
	    "$I/nbd.qcow2" 16M
	# no recorded backing format: its header extension zeroed
	qemu-img create -q -f raw "$I/tmpl.raw" 16M
	qemu-img create -q -f qcow2 -F raw -b tmpl.raw "$I/nofmt.qcow2"
	off=$(LC_ALL=C grep -obUaP '\xe2\x79\x2a\xca' "$I/nofmt.qcow2" |
	    head -n 1)
	printf '\0\0\0\0' | dd of="$I/nofmt.qcow2" bs=1 seek="${off%%:*}" \
	    conv=notrunc 2>/dev/null
	# a backing file the command line does not name (another guest's
	# disk, as far as imprint knows)
	qemu-img create -q -f qcow2 -F raw -b "$I/tmpl.raw" "$I/unnamed.qcow2"
	# were the check to let one through, nothing of ours is edited
	cp "$D/ovs.vm.cfg" "$I/vm.cfg"
	for img in trunc nbd nofmt unnamed; do
		before=$(sha256sum <"$I/$img.qcow2")
		imp apply -D name=web1 --vmcfg "$I/vm.cfg" "$W/el5.rcp" \
		    "$I/$img.qcow2"
		INPUTS=$((INPUTS + 1))
		check_exit "image $img.qcow2: refused" "$RC" 2
		check_eq "image $img.qcow2: not a byte changed" \
		    "$(sha256sum <"$I/$img.qcow2")" "$before"
		row "image $img.qcow2" "refused before a launch" \
		    "exit $RC, $([ "$(sha256sum <"$I/$img.qcow2")" = "$before" ] &&
		    echo unchanged || echo CHANGED)"
	done
fi

# ---- an image: the appliance killed mid-write, imprint killed mid-file ---------
# Six launches on one qcow2 overlay of ovs.img (tests/mkimages.sh):
# qemu dies after the second guest write (the run says "partly changed",
# the vm.cfg is untouched); then imprint dies with a guest temporary
# half made; then a plain re-run, on a root left needing journal
# recovery, replays it only once the plan is made, removes that
# temporary, finishes the plan (exit 0) and puts the vm.cfg in place;
# then a run with nothing to do on the same root, needing recovery
# again, leaves every byte of the image as it was.  (The tree cases above
# prove that such a re-run ends exactly where an unbroken run does.)
CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
export XDG_CACHE_HOME=$CACHE/xdg
# The root filesystem's s_feature_incompat (superblock at 1024, field at
# 0x60) in the overlay, read and set with qemu-io, no launch: bit 4 is
# needs_recovery, what an unclean shutdown leaves.
ROOTSB=$(($(partx -g -o START -n 2 "$CACHE/ovs.img") * 512 + 0x460))
sb_byte() {		# OFFSET IMAGE: that byte of the overlay, in decimal
	local b
	b=$(qemu-io -r -f qcow2 -c "read -v $1 1" "$2" | head -n 1)
	b=${b#*:  }
	echo $((0x${b:0:2}))
}
sb_incompat() { sb_byte "$ROOTSB" "$1"; }	# IMAGE
recover_flag() { echo $(($(sb_incompat "$1") & 4)); }	# IMAGE: 4 or 0
dirty() {		# IMAGE: needs_recovery set
	qemu-io -f qcow2 -c "write -q -P $(($(sb_incompat "$1") | 4)) $ROOTSB 1" \
	    "$1" >/dev/null
}
A=$W/ovs
LIMIT=600	# a launch under TCG on a loaded machine: a minute or more
mkdir -p "$A"
qemu-img create -q -f qcow2 -F raw -b "$CACHE/ovs.img" "$A/System.img"
cp "$D/ovs.vm.cfg" "$A/vm.cfg"
KILLING=1 IMPRINT_TEST_KILL='guest-write#2@appliance' \
    imp apply --backing "$CACHE" -D name=web1 "$W/el5.rcp" "$A/System.img"
INPUTS=$((INPUTS + 1)) FAULTS=$((FAULTS + 1))
check_exit "appliance killed mid-write: failed" "$RC" 1
check_match "appliance killed mid-write: partly changed, said" "$ERR" \
    "'$A/System.img' is partly changed; 'imprint undo $A/System.img' puts it back"
check_same_file "appliance killed mid-write: vm.cfg untouched" \
    "$A/vm.cfg" "$D/ovs.vm.cfg"
row "qemu killed after 2 guest writes" "failed, config untouched" \
    "exit $RC, vm.cfg $(cmp -s "$A/vm.cfg" "$D/ovs.vm.cfg" &&
    echo untouched || echo CHANGED)"
KILLING=1 IMPRINT_TEST_KILL='guest-temp#1' \
    imp apply --backing "$CACHE" -D name=web1 "$W/el5.rcp" "$A/System.img"
INPUTS=$((INPUTS + 1)) FAULTS=$((FAULTS + 1))
check_exit "imprint killed mid-file in the image: killed" "$RC" 137
# Its appliance outlives it for a moment, until libguestfs's recovery
# process (which watches imprint) kills it; until then the image is in
# use and a re-run is refused as "alive", rightly.
for ((i = 0; i < 600; i++)); do
	pgrep -f -- "$A/System.img" >/dev/null || break
	sleep 0.1
done
check_eq "imprint killed: its appliance ends with it" \
    "$(pgrep -f -- "$A/System.img" >/dev/null && echo running)" ""
# The root left as an unclean shutdown leaves it, whatever the kill left:
# needs_recovery set.  The re-run must plan on it without replaying it,
# then replay it (a read-write mount) and plan again before writing.
dirty "$A/System.img"
check_eq "the root's needs_recovery set" "$(recover_flag "$A/System.img")" 4
imp apply --backing "$CACHE" -D name=web1 "$W/el5.rcp" "$A/System.img"
check_exit "the image's re-run" "$RC" 0
check_match "the image's re-run: the journal replayed, said" "$ERR" \
    "^imprint: '$A/System.img': /dev/sda2 was not shut down cleanly: its journal is replayed now, and the plan made again$"
check_eq "the image's re-run: needs_recovery cleared" \
    "$(recover_flag "$A/System.img")" 0
check_match "the image's re-run: changed" "$OUT" "System.img: changed"
check_match "the image's re-run removes the temporary" "$ERR" \
    "^imprint: removed /etc/[^ ]*\.imprint-[0-9a-f]{12} in '$A/System.img', a temporary file a killed run left$"
check_match "the image's re-run: the vm.cfg's new name" \
    "$(cat "$A/vm.cfg")" "^name = 'web1'$"
check_eq "the image's re-run: no host temporary left" \
    "$(cd "$A" && find . -name '.*.imprint-*' | wc -l)" 0
row "imprint killed mid-file in an image, root left needing recovery" \
    "re-run replays the journal once planned, removes the temporary, completes" \
    "exit $RC$(grep -q 'a killed run left' <<<"$ERR" && echo ", temporary removed")$(
    grep -q 'its journal is replayed now' <<<"$ERR" && echo ", journal replayed")"

# A run on the overlay with nothing to change: exit 0, "no changes", not
# a byte written.  LABEL names the checks, ROW the report's row; the run's
# stderr stays in $ERR.
run_unchanged() {	# LABEL ROW
	local before after
	before=$(sha256sum <"$A/System.img")
	imp apply --backing "$CACHE" -D name=web1 "$W/el5.rcp" "$A/System.img"
	INPUTS=$((INPUTS + 1))
	after=$(sha256sum <"$A/System.img")
	check_exit "$1" "$RC" 0
	check_match "$1: said" "$OUT" "System.img: no changes"
	check_eq "$1: not a byte written" "$after" "$before"
	row "$2" "exit 0, image unchanged" "exit $RC, $([ "$after" = \
	    "$before" ] && echo unchanged || echo CHANGED)"
}

# A run that changes nothing writes nothing, even on a filesystem whose
# journal a read-only mount would replay: the survey mounts it without.
dirty "$A/System.img"
run_unchanged "a journal to replay, nothing to change" \
    "a root whose journal needs replaying, nothing to change"
check_match "a journal to replay, nothing to change: the note" "$ERR" \
    "^imprint: note: '$A/System.img': /dev/sda2 was not shut down cleanly; nothing to change in what it holds before its journal is replayed, which is left to its next mount so that this run writes nothing$"

# An ext root with orphan inodes and a clean journal (a crash without a
# journal, or a journal replayed by a tool that leaves the orphans to the
# kernel): Linux processes them at any mount, read-only too, unless the
# device is read-only.  A run with nothing to change leaves them and every
# byte alone; a run that changes has them processed by its read-write
# mount.  s_last_orphan is the superblock's field at 0xE8.
ORPHAN=$((ROOTSB - 0x60 + 0xE8))
orphan() { sb_byte "$ORPHAN" "$1"; }	# IMAGE: s_last_orphan's low byte
qemu-io -f qcow2 -c "write -q -P $(($(sb_incompat "$A/System.img") & ~4)) \
    $ROOTSB 1" -c "write -q -P 12 $ORPHAN 1" "$A/System.img" >/dev/null
check_eq "orphans: needs_recovery clear" "$(recover_flag "$A/System.img")" 0
check_eq "orphans: s_last_orphan set" "$(orphan "$A/System.img")" 12
run_unchanged "orphan inodes, nothing to change" \
    "a root with orphan inodes and a clean journal, nothing to change"
imp apply --backing "$CACHE" -D name=web2 "$W/el5.rcp" "$A/System.img"
INPUTS=$((INPUTS + 1))
check_exit "orphan inodes, a change" "$RC" 0
check_match "orphan inodes, a change: changed" "$OUT" "System.img: changed"
check_eq "orphan inodes, a change: processed by the read-write mount" \
    "$(orphan "$A/System.img")" 0
check_match "orphan inodes, a change: the vm.cfg's new name" \
    "$(cat "$A/vm.cfg")" "^name = 'web2'$"
check_eq "orphan inodes, a change: no message" "$ERR" ""
row "a root with orphan inodes and a clean journal, a change" \
    "exit 0, changed, orphans processed once planned" \
    "exit $RC, s_last_orphan $(orphan "$A/System.img")"

# ---- the report --------------------------------------------------------------------
check_eq "bytes written outside the intended files" "$OUTSIDE" 0
check_eq "partial files" "$PARTIAL" 0
check_eq "temporary files left" "$TEMPS" 0
check_eq "hangs" "$HANGS" 0
check_eq "shadow temporaries readable by others" "$OPEN" 0
check_match "... of the shadow temporaries a kill left" "$SHADOWS" '^[1-9]'

{
	echo "| case | expected | observed |"
	echo "| --- | --- | --- |"
	for r in "${ROWS[@]}"; do
		echo "| ${r//|/ | } |"
	done
	echo "|"
	echo "| inputs tried: $INPUTS; faults injected: $FAULTS; races: $RACES; files checked: $FILES |"
	echo "| bytes outside intended files: $OUTSIDE; partial files: $PARTIAL; temps left: $TEMPS; shadow temps readable by others: $OPEN; hangs: $HANGS |"
} | tee "$W/report.md"
[ -n "${IMPRINT_RELIABILITY_REPORT-}" ] &&
    cp "$W/report.md" "$IMPRINT_RELIABILITY_REPORT"
done_testing
