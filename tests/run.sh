#!/bin/bash
# Test driver for `make check`, `make unit` and `make integration`.
#
# Runs each unit test binary, then each tests/t-*.sh integration script,
# each under a timeout, reads the "N passed, N failed[, N skipped]" line
# each prints, and ends with the sum.  A program that exits 77 was skipped
# as a whole (it printed why); checks it skipped inside are summed too.
# Under CI=true every dependency is installed, so a skip is a failure: it
# would hide a broken install step.  Exit status 0 only when nothing failed
# and every program exited 0 (or 77 outside CI).
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
mode=all
case ${1-} in
--unit) mode=unit; shift ;;
--integration) mode=integration; shift ;;
esac

total_pass=0 total_fail=0 total_skip=0 broken=0

run_one() {	# name timeout cmd...
	local name=$1 limit=$2 out rc line p f s t0 secs
	shift 2
	out=$(mktemp)
	t0=$SECONDS
	timeout --foreground -k 10 "$limit" "$@" >"$out" 2>&1
	rc=$?
	secs=$((SECONDS - t0))
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' \
	    "$out" | tail -n 1)
	p=0 f=0 s=0
	if [ -n "$line" ]; then
		p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
		case $line in *skipped) s=${line##*failed, }; s=${s%% *} ;; esac
	fi
	if [ "$rc" -eq 77 ]; then
		s=$((s + 1))
		rc=0
	fi
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	if [ "$s" -gt 0 ] && [ "${CI-}" = true ]; then
		broken=$((broken + 1))
		total_fail=$((total_fail + s))
		echo "FAIL $name (skipped $s under CI=true, where nothing may skip; $secs s)"
		sed 's/^/    /' "$out"
	elif [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] ||
	    { [ -z "$line" ] && [ "$s" -eq 0 ]; }; then
		broken=$((broken + 1))
		echo "FAIL $name (exit $rc, $secs s)"
		sed 's/^/    /' "$out"
		[ "$f" -eq 0 ] && total_fail=$((total_fail + 1))
	elif [ -z "$line" ]; then
		echo "skip $name ($secs s): $(grep -m1 -i 'skip' "$out" || tail -n 1 "$out")"
	elif [ "$s" -gt 0 ]; then
		echo "ok   $name ($p checks, $s skipped, $secs s)"
		grep -i '^skip' "$out" | sed 's/^/    /'
	else
		echo "ok   $name ($p checks, $secs s)"
	fi
	# a report a script prints as a table (the reliability suite's)
	if [ "$rc" -eq 0 ] && [ "$f" -eq 0 ]; then
		grep '^| ' "$out" | sed 's/^/    /'
	fi
	rm -f "$out"
}

if [ "$mode" != integration ]; then
	for t in "$@"; do
		run_one "$(basename "$t")" 120 "$t"
	done
fi

if [ "$mode" = all ]; then
	run_one man-lint 60 tests/man-lint.sh
fi

# The integration scripts, IMPRINT_TEST_JOBS (default 2) at a time: a
# TCG appliance keeps one core busy and waits on nothing else, so two
# scripts on two cores take about half the time of one after the other.
# Each script has its own scratch directory; the image caches they share
# are built under a lock (mkimages.sh, mkdebian.sh).  The slowest start
# first, so that no long one is left running alone at the end, t-apply
# (which builds the images most scripts need) beside t-boot (which builds
# its own); each report is printed whole when its script ends.
SLOW="t-apply.sh t-boot.sh t-batch.sh t-inspect.sh t-images.sh t-fleet.sh"
SLOW+=" t-mounts.sh t-libvirt.sh t-clone.sh"
run_pool() {
	local jobs=${IMPRINT_TEST_JOBS:-2} res t name n=0 order=() sum
	res=$(mktemp -d)
	for t in $SLOW; do
		[ -e "tests/$t" ] && order+=("tests/$t")
	done
	for t in tests/t-*.sh; do
		case " $SLOW " in *" ${t#tests/} "*) continue ;; esac
		order+=("$t")
	done
	for t in "${order[@]}"; do
		if [ "$n" -ge "$jobs" ]; then
			wait -n
			n=$((n - 1))
			flush_done "$res"
		fi
		name=$(basename "$t")
		(
			total_pass=0 total_fail=0 total_skip=0 broken=0
			run_one "$name" 1800 bash "$t" >"$res/$name.log"
			echo "$total_pass $total_fail $total_skip $broken" \
			    >"$res/$name.tmp"
			mv "$res/$name.tmp" "$res/$name.sum"
		) &
		n=$((n + 1))
	done
	wait
	flush_done "$res"
	rm -rf "$res"
}

# Print and sum the reports of the scripts that have ended.
flush_done() {
	local sum p f s b
	for sum in "$1"/*.sum; do
		[ -e "$sum" ] || continue
		cat "${sum%.sum}.log"
		read -r p f s b <"$sum"
		total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
		total_skip=$((total_skip + s)); broken=$((broken + b))
		rm -f "$sum" "${sum%.sum}.log"
	done
}

if [ "$mode" != unit ]; then
	run_pool
fi

echo "time: $SECONDS s"
echo "TOTAL: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$broken" -eq 0 ] && [ "$total_fail" -eq 0 ]
