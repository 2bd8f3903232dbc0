# tests/lib.sh - shared helpers for the tests/t-*.sh integration scripts.
#
# Source it, call the check_* functions, end with `done_testing`, which
# prints "N passed, N failed" and exits 1 when anything failed.  Each check
# prints a line only when it fails, with what was expected and what came.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMPRINT=${IMPRINT:-$TOP/imprint}
FIXTURES=${IMPRINT_FIXTURES:-$TOP/../shared/fixtures}
T_PASS=0
T_FAIL=0

pass() { T_PASS=$((T_PASS + 1)); }
fail() {
	T_FAIL=$((T_FAIL + 1))
	echo "FAIL: $*"
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		pass
	else
		fail "$1"
		printf '    got:  %q\n    want: %q\n' "$2" "$3"
	fi
}

# check_match DESCRIPTION TEXT EXTENDED-REGEX (TEXT has a line matching)
check_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		pass
	else
		fail "$1: no line matches /$3/"
		printf '%s\n' "$2" | sed 's/^/    | /'
	fi
}

# check_nomatch DESCRIPTION TEXT EXTENDED-REGEX
check_nomatch() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1: a line matches /$3/"
		printf '%s\n' "$2" | sed 's/^/    | /'
	else
		pass
	fi
}

# check_same_file DESCRIPTION FILE1 FILE2 (byte-identical)
check_same_file() {
	if cmp -s -- "$2" "$3"; then
		pass
	else
		fail "$1: $2 and $3 differ"
		diff -u -- "$3" "$2" | head -n 20 | sed 's/^/    /'
	fi
}

# check_exit DESCRIPTION GOT WANT
check_exit() {
	check_eq "$1 (exit status)" "$2" "$3"
}

# Run imprint, capturing stdout in $OUT, stderr in $ERR and status in $RC.
run_imprint() {
	local o e
	o=$(mktemp) e=$(mktemp)
	"$IMPRINT" "$@" >"$o" 2>"$e"
	RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# A scratch directory removed at exit.
scratch() {
	SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/imprint-test.XXXXXX")
	trap 'rm -rf "$SCRATCH"' EXIT
}

done_testing() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit
}
