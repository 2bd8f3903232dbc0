#!/bin/bash
# bench/trace.sh - where a batch's time goes, call by call.
#
# Runs `imprint apply --inventory -j 1` over N fresh qcow2 overlays of one
# test image (the layouts of bench/batch.sh) with LIBGUESTFS_TRACE=1,
# stamps every trace line as it comes, and prints, for each libguestfs
# call, how many times it ran and its seconds in all and per image; then
# the report's seconds of the first image and of the others.  One
# appliance (--per-launch N), so that the table is one launch's.
#
# Usage: bench/trace.sh [--layout partition|lvm] [-n N] [--imprint BIN]
#        (from anywhere, after `make`; IMPRINT_BENCH_KEEP=1 keeps the
#        scratch directory, with the stamped trace)
set -euo pipefail
cd "$(dirname "$0")/.."
layout=lvm n=32 bin=$PWD/imprint
while [ $# -gt 0 ]; do
	case $1 in
	--layout)	layout=$2; shift 2 ;;
	-n)		n=$2; shift 2 ;;
	--imprint)	bin=$(realpath "$2"); shift 2 ;;
	*)	echo "usage: bench/trace.sh [--layout partition|lvm] [-n N]" \
		    "[--imprint BIN]" >&2; exit 2 ;;
	esac
done
case $layout in
partition)	IMAGE=ovs.img VMCFG=tests/data/ovs.vm.cfg
		RECIPE=recipes/ovm2-el5-clone.rcp ;;
lvm)		IMAGE=lvm.img VMCFG=tests/data/lvm.vm.cfg
		RECIPE=recipes/rhel-lvm.rcp ;;
*)		echo "bench: bad --layout '$layout'" >&2; exit 2 ;;
esac
case $n in ''|*[!0-9]*|0*) echo "bench: bad -n '$n'" >&2; exit 2 ;; esac
cache=$(tests/mkimages.sh | tail -n 1)
W=$(mktemp -d "${TMPDIR:-/tmp}/imprint-trace.XXXXXX")
[ -n "${IMPRINT_BENCH_KEEP-}" ] && echo "kept $W" >&2 || trap 'rm -rf "$W"' EXIT
export XDG_CACHE_HOME=$cache/xdg
echo "image,name,octet" >"$W/inv.csv"
if [ "$layout" = lvm ]; then	# its config is -D config=...: vm.cfg beside
	sed 's/^config = \${config}$/config = auto/' "$RECIPE" >"$W/lvm.rcp"
	RECIPE=$W/lvm.rcp
fi
for i in $(seq 1 "$n"); do
	mkdir "$W/c$i"
	qemu-img create -q -f qcow2 -F raw -b "$cache/$IMAGE" "$W/c$i/System.img"
	cp "$VMCFG" "$W/c$i/vm.cfg"
	echo "c$i/System.img,c$i,$((10 + i % 200))" >>"$W/inv.csv"
done
LIBGUESTFS_TRACE=1 "$bin" apply --backing "$cache/$IMAGE" "$RECIPE" \
    --inventory "$W/inv.csv" -j 1 \
    --per-launch "$n" --report "$W/r.json" 2>&1 >/dev/null |
    perl -MTime::HiRes=time -ne 'printf "%.3f %s", time, $_' >"$W/trace" ||
    true
echo "$layout layout, $n images, one appliance, -j 1 ($(uptime |
    sed 's/.*load/load/'))"
echo "report: $(jq -r '.summary | "\(.changed) changed, \(.failed) failed"' \
    "$W/r.json")"
# A call is its "trace: NAME args" line up to its "trace: NAME = ..." line.
perl -ne '
	next unless /^(\S+) libguestfs: trace: (\S+)( = |\s|$)/;
	my ($t, $c, $ret) = ($1, $2, $3 eq " = ");
	if ($ret) { next unless defined $start{$c};
		$sum{$c} += $t - $start{$c}; $cnt{$c}++; delete $start{$c} }
	else { $start{$c} = $t }
	END {
		printf "%-28s %6s %9s %9s\n", "call", "count", "seconds",
		    "per image";
		for my $c (sort { $sum{$b} <=> $sum{$a} } keys %sum) {
			next if $sum{$c} < 0.05;
			printf "%-28s %6d %9.2f %9.3f\n", $c, $cnt{$c},
			    $sum{$c}, $sum{$c} / '"$n"';
		}
	}' "$W/trace"
jq -r '[.images[] | .seconds] | "first image: \(.[0]) s" +
    if length < 2 then "" else "; the others: " +
    "mean \((.[1:] | add) / (length - 1) | . * 100 | round / 100) s, " +
    "min \(.[1:] | min), max \(.[1:] | max)" end' "$W/r.json"
