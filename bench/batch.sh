#!/bin/bash
# bench/batch.sh - N clones personalized in one batch by `imprint apply
# --inventory`, with -j 1 and with the default -j, beside the peer tool,
# virt-customize, run once per image; for each N in --sizes, in one run.
#
# Every tool and every N starts from fresh qcow2 overlays of
# tests/cache/ovs.img, one directory per clone with System.img and a copy
# of tests/data/ovs.vm.cfg as vm.cfg beside it (the Oracle VM layout).
# imprint applies recipes/ovm2-el5-clone.rcp (host name, two NICs with new
# MACs in the guest and in vm.cfg, a static address, a new uuid and name);
# virt-customize sets the host name only.  Every imprint report must say
# "changed" for every image, or the bench stops and prints the messages.
#
# Measured per run: wall time and the peak RSS of the largest single
# process (GNU time's %M, which is a qemu appliance), and "tree peak RSS":
# the sum of the RSS of every process under the run, sampled every 0.5 s,
# which is what -j multiplies.  virt-customize is measured up to
# --peer-max images and extrapolated beyond from its measured mean time
# per image.  See bench/batch.md for how to read the output.
#
# --layout lvm takes the RHEL LVM template instead (tests/cache/lvm.img,
# tests/data/lvm.vm.cfg, recipes/rhel-lvm.rcp, root on an LV): every clone
# carries the same VG, so this is the case of LVM snapshot clones.
#
# Usage: bench/batch.sh [--sizes "1 8 32 128"] [--peer-max 32] [--out DIR]
#                       [--layout partition|lvm]
#        (from anywhere, after `make`; writes DIR/batch.tsv, DIR/batch.png,
#        DIR/batch-lvm.* for --layout lvm)
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
TIME=/usr/bin/time
RECIPE=recipes/ovm2-el5-clone.rcp

usage() {
	echo "usage: bench/batch.sh [--sizes \"1 8 32 128\"] [--peer-max N]" \
	    "[--out DIR] [--layout partition|lvm]" >&2
	exit 2
}

sizes="1 8 32 128"
peer_max=32
layout=partition
out=$TOP/bench/out
while [ $# -gt 0 ]; do
	case $1 in
	--sizes)	[ $# -ge 2 ] || usage; sizes=$2; shift 2 ;;
	--peer-max)	[ $# -ge 2 ] || usage; peer_max=$2; shift 2 ;;
	--out)		[ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--layout)	[ $# -ge 2 ] || usage; layout=$2; shift 2 ;;
	-h|--help)	usage ;;
	*)		echo "bench: unknown argument '$1'" >&2; usage ;;
	esac
done
# Sizes: positive integers, ascending, no repeats, and 1 among them: N=1
# is the baseline of the marginal cost and of the targets.
prev=0
for n in $sizes; do
	case $n in
	''|*[!0-9]*|0*)
		echo "bench: bad size '$n' in --sizes" >&2; exit 2 ;;
	esac
	if [ "$n" -le "$prev" ]; then
		echo "bench: --sizes must be ascending without repeats" >&2
		exit 2
	fi
	prev=$n
done
case " $sizes " in
*" 1 "*) ;;
*)	echo "bench: --sizes must include 1 (the baseline)" >&2; exit 2 ;;
esac
case $layout in
partition)	IMAGE=ovs.img VMCFG=tests/data/ovs.vm.cfg TAG=batch
		ROOT=(--partition 2) ;;
lvm)		IMAGE=lvm.img VMCFG=tests/data/lvm.vm.cfg TAG=batch-lvm
		RECIPE=recipes/rhel-lvm.rcp
		ROOT=(--root /dev/VolGroup00/LogVol00) ;;
*)	echo "bench: bad --layout '$layout' (partition or lvm)" >&2; exit 2 ;;
esac
case $peer_max in
''|*[!0-9]*|0*)
	echo "bench: bad --peer-max '$peer_max' (at least 1)" >&2; exit 2 ;;
esac

for t in "$TIME" virt-customize guestfish qemu-img jq ps ./imprint; do
	command -v "$t" >/dev/null || { echo "bench: needs $t" >&2; exit 2; }
done
cache=$(tests/mkimages.sh | tail -n 1)
mkdir -p "$out"
out=$(cd "$out" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/imprint-bench.XXXXXX")
cleanup() {
	# A run interrupted by a signal: stop what it started, then clean up.
	local pids
	if [ -n "${runpid:-}" ]; then
		pids=$(tree "$runpid" | awk '{ print $1 }')
		# shellcheck disable=SC2086 # a list of pids
		kill $pids 2>/dev/null || true
		wait "$runpid" 2>/dev/null || true
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export XDG_CACHE_HOME=$W/xdg
# rhel-lvm.rcp takes its config from -D config=...: here, as for the
# Oracle VM recipe, the vm.cfg beside each image.
if [ "$layout" = lvm ]; then
	sed 's/^config = \${config}$/config = auto/' "$RECIPE" >"$W/lvm.rcp"
	grep -q '^config = auto$' "$W/lvm.rcp" ||
	    { echo "bench: $RECIPE has no 'config = \${config}' line" >&2; exit 1; }
	RECIPE=$W/lvm.rcp
fi

# Does a plain KVM launch work here?  (imprint remembers; the peer can't.)
peer_env=()
# (timeout: on some hosts a KVM launch hangs instead of failing)
if ! timeout 120 guestfish -a /dev/null run >/dev/null 2>&1; then
	peer_env=(LIBGUESTFS_BACKEND_SETTINGS=force_tcg)
	echo "KVM is not usable for the appliance here:" \
	    "both tools run under TCG"
fi

# clones DIR N: DIR/cI/System.img (overlay) and DIR/cI/vm.cfg, I = 1..N,
# and the inventory DIR/inv.csv.
clones() {
	local dir=$1 n=$2 i
	mkdir -p "$dir"
	echo "image,name,octet" >"$dir/inv.csv"
	for i in $(seq 1 "$n"); do
		mkdir "$dir/c$i"
		qemu-img create -q -f qcow2 -F raw -b "$cache/$IMAGE" \
		    "$dir/c$i/System.img"
		cp "$VMCFG" "$dir/c$i/vm.cfg"
		echo "c$i/System.img,c$i,$((10 + i % 200))" >>"$dir/inv.csv"
	done
}

# tree PID: "pid rss_kib" of PID and of each of its descendants.
tree() {
	ps -e -o pid=,ppid=,rss= | awk -v root="$1" '
	    { pp[$1] = $2; r[$1] = $3 }
	    END {
		for (k in pp) {
			q = k
			while (q != root && q > 1 && (q in pp))
				q = pp[q]
			if (q == root)
				print k, r[k]
		}
	    }'
}

# measure LABEL COMMAND...: runs it under GNU time, sampling the tree RSS
# every 0.5 s; sets wall, rss (KiB, largest process) and tree (KiB).
# stdout goes to $W/out, stderr to $W/err; a failure stops the bench.
measure() {
	local label=$1 rc=0 kib
	shift
	read -r load1 _ </proc/loadavg
	"$TIME" -f "%e %M" -o "$W/t" "$@" >"$W/out" 2>"$W/err" &
	runpid=$!
	tree=0
	while kill -0 "$runpid" 2>/dev/null; do
		kib=$(tree "$runpid" |
		    awk '{ s += $2 } END { print s + 0 }')
		if [ "$kib" -gt "$tree" ]; then
			tree=$kib
		fi
		sleep 0.5
	done
	wait "$runpid" || rc=$?
	runpid=
	if [ "$rc" -ne 0 ] && [ "$label" != imprint ]; then
		echo "bench: $label failed (exit $rc):" >&2
		cat "$W/err" >&2
		exit 1
	fi
	# GNU time prefixes "Command exited with non-zero status N".
	read -r wall rss < <(tail -n 1 "$W/t")
	return "$rc"
}

# check_report REPORT N EXIT: every one of N images "changed", or die.
check_report() {
	local rep=$1 n=$2 rc=$3 ok
	ok=$(jq -r --argjson n "$n" '
	    if (.summary.images == $n and
		([.images[] | select(.result != "changed")] | length) == 0)
	    then "yes" else "no" end' "$rep" 2>/dev/null) || ok=no
	if [ "$rc" -eq 0 ] && [ "$ok" = yes ]; then
		return 0
	fi
	echo "bench: FAILED: imprint apply exit $rc; not every image" \
	    "\"changed\":" >&2
	if [ ! -s "$rep" ]; then
		echo "  no report in $rep" >&2
	else
		jq -r --argjson n "$n" '
		    select(.summary.images != $n) |
		    "  the report has \(.summary.images) images, not \($n)"
		    ' "$rep" >&2 || true
		jq -r '.images[] | select(.result != "changed") |
		    "  \(.image): \(.result)",
		    ((.messages // [])[] | "    \(.)")' "$rep" >&2 || true
	fi
	echo "imprint's stderr:" >&2
	sed 's/^/  /' "$W/err" >&2
	if [ -s "$rep" ]; then
		cp "$rep" "$out/failed-report.json"
		echo "the report: $out/failed-report.json" >&2
	fi
	exit 1
}

# Untimed warm-up: imprint's first launch tries KVM and caches the answer
# in $XDG_CACHE_HOME; this also checks libguestfs's appliance cache (in
# /var/tmp, shared with virt-customize) so no timed run pays either.
clones "$W/warm" 1
echo "warm-up (untimed): imprint inspect ${ROOT[*]}, writes imprint's" \
    "accel cache so every timed run is comparable"
./imprint inspect --backing "$cache/$IMAGE" "${ROOT[@]}" \
    "$W/warm/c1/System.img" >/dev/null 2>"$W/err" ||
    { echo "bench: warm-up failed:" >&2; cat "$W/err" >&2; exit 1; }
rm -rf "$W/warm"

tsv=$out/$TAG.tsv
printf 'tool\tn\twall_s\tmarginal_s\tlargest_rss_kib\ttree_rss_kib' >"$tsv"
printf '\tjobs\tlaunches\textrapolated\tload1\n' >>"$tsv"
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# Per-run lines as they come.
printf '%-15s %5s %9s %11s %13s %10s  %s\n' tool N "wall s" \
    "marg s/img" "largest MiB" "tree MiB" notes
declare -A wall1 walls
peer_sum=0
peer_imgs=0
row() {	# tool n wall largest tree jobs launches extrapolated note
	local m=- l=$load1
	if [ "$2" -gt 1 ] && [ -n "${wall1[$1]:-}" ]; then
		m=$(awk -v w="$3" -v w1="${wall1[$1]}" -v n="$2" \
		    'BEGIN { printf "%.2f", (w - w1) / (n - 1) }')
	fi
	if [ "$2" -eq 1 ]; then
		wall1[$1]=$3
	fi
	walls[$1,$2]=$3
	if [ "$8" = 1 ]; then
		l=NA
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" \
	    "$m" "$4" "$5" "$6" "$7" "$8" "$l" >>"$tsv"
	if [ "$4" = NA ]; then
		printf '%-15s %5s %9s %11s %13s %10s  %s\n' "$1" "$2" "$3" \
		    "$m" - - "$9"
	else
		printf '%-15s %5s %9s %11s %13s %10s  %s, load %s\n' "$1" \
		    "$2" "$3" "$m" "$(mib "$4")" "$(mib "$5")" "$9" "$l"
	fi
}

jdef=
for n in $sizes; do
	# imprint, -j 1 and default -j: one batch each.
	for mode in j1 jdef; do
		d=$W/$mode-$n
		clones "$d" "$n"
		jopt=()
		if [ "$mode" = j1 ]; then
			jopt=(-j 1)
		fi
		rc=0
		measure imprint ./imprint apply --backing "$cache/$IMAGE" \
		    "$RECIPE" --inventory "$d/inv.csv" "${jopt[@]}" \
		    --report "$d/report.json" || rc=$?
		check_report "$d/report.json" "$n" "$rc"
		read -r jobs launches < <(jq -r '"\(.jobs) \(.launches)"' \
		    "$d/report.json")
		if [ "$mode" = jdef ]; then
			jdef=$jobs
		fi
		row "imprint-$mode" "$n" "$wall" "$rss" "$tree" "$jobs" \
		    "$launches" 0 "-j $jobs, launches $launches, all changed"
		rm -rf "$d"
	done

	# virt-customize, one run per image, measured up to --peer-max.
	if [ "$n" -le "$peer_max" ]; then
		d=$W/vc-$n
		clones "$d" "$n"
		# shellcheck disable=SC2016 # expanded by the inner bash
		measure virt-customize env "${peer_env[@]}" bash -c '
		    set -e
		    for i in $(seq 1 "$2"); do
			virt-customize -q --format qcow2 \
			    -a "$1/c$i/System.img" \
			    --hostname "c$i.example.com" </dev/null
		    done' bench "$d" "$n"
		row virt-customize "$n" "$wall" "$rss" "$tree" 1 "$n" 0 \
		    "one run per image"
		peer_sum=$(awk -v a="$peer_sum" -v b="$wall" \
		    'BEGIN { print a + b }')
		peer_imgs=$((peer_imgs + n))
		rm -rf "$d"
	else
		w=$(awk -v s="$peer_sum" -v i="$peer_imgs" -v n="$n" \
		    'BEGIN { printf "%.2f", s / i * n }')
		row virt-customize "$n" "$w" NA NA 1 "$n" 1 \
		    "extrapolated: N x measured mean"
	fi
done
echo "largest MiB: peak RSS of the largest single process"
echo "    (GNU time %M: the qemu appliance)"
echo "tree MiB: peak of the summed RSS of the whole process tree,"
echo "    sampled every 0.5 s (what -j multiplies)"
echo "load: 1-minute load average when the run started"

# Side by side.
echo
printf '%5s  %-22s  %-22s  %s\n' N "imprint -j 1" \
    "imprint -j $jdef (default)" "virt-customize"
printf '%5s  %-22s  %-22s  %s\n' "" "wall s (marg s/img)" \
    "wall s (marg s/img)" "wall s (marg s/img)"
awk -F '\t' 'NR > 1 {
	c = $9 ? " extrapolated" : ""
	v = ($4 == "-") ? $3 : sprintf("%s (%s)", $3, $4)
	cell[$2, $1] = v c
	if (!($2 in seen)) { seen[$2] = 1; ns[++k] = $2 }
    }
    END {
	for (i = 1; i <= k; i++)
		printf "%5s  %-22s  %-22s  %s\n", ns[i],
		    cell[ns[i], "imprint-j1"], cell[ns[i], "imprint-jdef"],
		    cell[ns[i], "virt-customize"]
    }' "$tsv"
echo "(default -j is imprint's own choice; it never runs more appliances"
echo "than there are images, so N=1 ran with -j 1: see the notes column)"

# The targets: issue 6 (32 clones under 1.5x one virt-customize run at
# the default -j, 128 under 4x) and issue 16 (32 under 2.5x with -j 1;
# the marginal cost under 1 s with -j 1).
echo
one=${wall1[virt-customize]}
verdict() {	# description, value, limit -> PASS/FAIL line
	awk -v d="$1" -v v="$2" -v l="$3" 'BEGIN {
		printf "%-4s %s: %s s < %s s\n", (v < l) ? "PASS" : "FAIL",
		    d, v, l }'
}
for t in "32 2.5 j1" "32 1.5 jdef" "128 4 j1" "128 4 jdef"; do
	read -r tn tf mode <<<"$t"
	lim=$(awk -v a="$one" -v f="$tf" 'BEGIN { printf "%.2f", a * f }')
	{
		label="-j 1"
		[ "$mode" = j1 ] || label="-j $jdef (default)"
		what="$tn images in < $tf x one virt-customize run"
		if [ -n "${walls[imprint-$mode,$tn]:-}" ]; then
			verdict "$what ($one s), imprint $label" \
			    "${walls[imprint-$mode,$tn]}" "$lim"
		else
			echo "n/a  $what, imprint $label: N=$tn not in --sizes"
		fi
	}
done
big=$(echo "$sizes" | awk '{ print $NF }')
if [ "$big" -gt 1 ]; then
	m=$(awk -F '\t' -v n="$big" '$1 == "imprint-j1" && $2 == n {
	    print $4 }' "$tsv")
	verdict "marginal per image < 1 s with -j 1 (N=$big)" "$m" 1
else
	echo "n/a  marginal per image < 1 s with -j 1: no N > 1 in --sizes"
fi
echo "raw numbers: $tsv"

# The plot: wall time against N, one line per tool.
if ! command -v gnuplot >/dev/null; then
	echo "bench: no gnuplot, no plot (install gnuplot-nox)" >&2
	exit 0
fi
term="pngcairo size 800,500"
if ! gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo; then
	term="png size 800,500"
fi
# One datablock per line; the dashed one starts at the last measured point.
series() {	# TOOL EXTRAPOLATED
	awk -F '\t' -v t="$1" -v e="$2" '
	    $1 == t && $9 == 0 { last = $2 "\t" $3 }
	    $1 == t && $9 == e {
		if (e && !started++ && last != "")
			print last
		print $2 "\t" $3
	    }' "$tsv"
}
plot=
add() {	# NAME TOOL EXTRAPOLATED STYLE
	local data
	data=$(series "$2" "$3")
	[ -n "$data" ] || return 0
	printf '$%s << EOD\n%s\nEOD\n' "$1" "$data"
	plot="$plot${plot:+, }\$$1 using 1:2 with linespoints $4"
}
{
	add j1 imprint-j1 0 "lw 2 lc 1 title 'imprint -j 1'"
	add jdef imprint-jdef 0 "lw 2 lc 2 title 'imprint -j $jdef (default)'"
	add vc virt-customize 0 "lw 2 lc 3 title 'virt-customize'"
	add vcx virt-customize 1 \
	    "lw 2 lc 3 dt 2 title 'virt-customize (extrapolated)'"
	cat <<EOF
set terminal $term
set output '$out/$TAG.png'
set title 'imprint apply --inventory vs virt-customize, one run per image'
set xlabel 'clones (N)'
set ylabel 'wall time (s), log scale'
set logscale x 2
set logscale y 10
set yrange [5:*]
set key top left
set grid
plot $plot
EOF
} >"$W/plot.gp"
if gnuplot "$W/plot.gp" 2>"$W/err"; then
	echo "plot: $out/$TAG.png"
else
	echo "bench: gnuplot failed:" >&2
	cat "$W/err" >&2
	exit 1
fi
