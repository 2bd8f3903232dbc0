# tests/lib.sh - shared helpers for the tests/t-*.sh integration scripts.
#
# Source it, call the check_* functions, end with `done_testing`, which
# prints "N passed, N failed" (", N skipped" when some were) and exits 1
# when anything failed.  Each check prints a line only when it fails, with
# what was expected and what came.  `skip N WHY` counts N checks as not
# run; `skip_all WHY` skips the whole script (exit 77).  tests/run.sh
# shows skips, and fails them under CI=true.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMPRINT=${IMPRINT:-$TOP/imprint}
FIXTURES=${IMPRINT_FIXTURES:-$TOP/tests/data/fixtures}
# A working KVM starts the appliance in 1-3 s: where KVM hangs instead,
# imprint's watchdog (and test_accel's probe) need not wait a minute.
export IMPRINT_KVM_TIMEOUT=${IMPRINT_KVM_TIMEOUT:-20}
# test_accel, with_test_accel: whether our own guestfish runs may use KVM
# shellcheck source=tests/cache-lib.sh
. "$TOP/tests/cache-lib.sh"
T_PASS=0
T_FAIL=0
T_SKIP=0

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

# run_imprint_within SECS ARGS...: run_imprint under timeout(1), stdin
# closed, so that a command that blocks fails its checks (exit 124)
# instead of hanging the suite.
run_imprint_within() {
	local o e secs=$1
	shift
	o=$(mktemp) e=$(mktemp)
	timeout "$secs" "$IMPRINT" "$@" >"$o" 2>"$e" </dev/null
	RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# tree_fp DIR: every entry's type, mode, owner and link target, every
# file's sha256, and every SELinux label (security.selinux, links' own):
# what undo must give back.
tree_fp() {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %U:%G %l\n' |
	    LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum &&
	    find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	    xargs -0 -r getfattr -h -e hex -n security.selinux 2>/dev/null |
	    awk '/^# file: /{ f = substr($0, 9) } /^security/{ print f, $0 }')
}

# A scratch directory removed at exit.
scratch() {
	SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/imprint-test.XXXXXX")
	trap 'rm -rf "$SCRATCH"' EXIT
}

# skip N WHY: N checks not run, and why (printed).
skip() {
	T_SKIP=$((T_SKIP + $1))
	echo "skip: $2 ($1 checks)"
}

# skip_all WHY: nothing here can run on this machine; say why, exit 77.
skip_all() {
	echo "skip: $1"
	exit 77
}

done_testing() {
	if [ "$T_SKIP" -gt 0 ]; then
		echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	else
		echo "$T_PASS passed, $T_FAIL failed"
	fi
	[ "$T_FAIL" -eq 0 ]
	exit
}

# gfish_ro IMAGE DEVICE < SCRIPT: run a guestfish script read-only on one
# image with DEVICE mounted at /.  A command prefixed with '-' may fail.
# Where KVM is broken for the appliance (as on our build machines) the
# launch is retried once under TCG, as imprint itself does.
gfish_ro() {
	local img=$1 dev=$2 script out err rc
	script=$(cat)
	err=$(mktemp)
	out=$(with_test_accel guestfish --ro -a "$img" -m "$dev" \
	    <<<"$script" 2>"$err")
	rc=$?
	if [ $rc -ne 0 ] && [ -z "${LIBGUESTFS_BACKEND_SETTINGS-}" ] &&
	    grep -q "launch failed\|killed by signal" "$err"; then
		out=$(LIBGUESTFS_BACKEND_SETTINGS=force_tcg guestfish --ro \
		    -a "$img" -m "$dev" <<<"$script" 2>"$err")
		rc=$?
	fi
	[ $rc -ne 0 ] && sed 's/^/    guestfish: /' "$err" >&2
	rm -f "$err"
	printf '%s\n' "$out"
	return $rc
}

# fingerprint IMAGE DEVICE PATH...: one line per path with its sha256,
# mode, owner and size, or "absent", read with one appliance launch.  A
# PATH written readlink:LINK gives "LINK -> TARGET" instead.
fingerprint() {
	local img=$1 dev=$2 p
	shift 2
	for p in "$@"; do
		case $p in
		readlink:*)
			printf 'echo ==%s ->\n-readlink %s\n' "${p#readlink:}" \
			    "${p#readlink:}"
			continue ;;
		esac
		printf 'echo ==%s\n-is-file %s followsymlinks:false\n' "$p" "$p"
		printf -- '-checksum sha256 %s\n-lstatns %s\n' "$p" "$p"
	done | gfish_ro "$img" "$dev" 2>/dev/null |
	    awk '/^==/ { if (name) print name sum; name = substr($0, 3);
		    sum = ""; next }
		name ~ / ->$/ { sum = " " $0; next }
		/^(true|false)$/ { next }
		/^[0-9a-f]{64}$/ { sum = sum " sha256=" $0; next }
		/^st_(mode|uid|gid|size):/ { sum = sum " " $0 }
		END { if (name) print name sum }' |
	    sed 's/: /=/g; s/  *$//; s/^\([^ ]*\)$/\1 absent/'
}
