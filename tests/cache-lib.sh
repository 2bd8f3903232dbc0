# tests/cache-lib.sh - what the cached test image builders (mkimages.sh,
# mkdebian.sh) share: their command line and the cache directory.
#
# cache_setup NAME "$@" sets force (0/1) and DIR (absolute, created),
# prints DIR and exits for --print-dir, and exits 2 on a usage error.
# The caller has set TOP (the repository root).

cache_usage() {
	echo "usage: tests/$1.sh [--force | --print-dir] [DIR]"
	exit "$2"
}

cache_setup() {
	local name=$1 print_dir=0
	shift
	force=0
	while [ $# -gt 0 ]; do
		case $1 in
		--force) force=1 ;;
		--print-dir) print_dir=1 ;;
		-h | --help) cache_usage "$name" 0 ;;
		--) shift; break ;;
		-*) cache_usage "$name" 2 >&2 ;;
		*) break ;;
		esac
		shift
	done
	[ $# -le 1 ] || cache_usage "$name" 2 >&2
	DIR=${1:-${IMPRINT_TEST_CACHE:-$TOP/tests/cache}}
	mkdir -p -- "$DIR"
	DIR=$(cd -- "$DIR" && pwd)
	if [ "$print_dir" -eq 1 ]; then
		printf '%s\n' "$DIR"
		exit 0
	fi
}

# cache_guestfish NAME PREPARE: run PREPARE (which makes fresh empty
# disks), then the caller's run_guestfish (stderr in $ERR).  Where KVM is
# broken for the appliance (our build machines), retry once under TCG
# unless the user chose LIBGUESTFS_BACKEND_SETTINGS.  Exits on failure.
cache_guestfish() {
	local name=$1 prepare=$2
	"$prepare"
	with_test_accel run_guestfish && return 0
	if [ -z "${LIBGUESTFS_BACKEND_SETTINGS+set}" ] &&
	    grep -q 'guestfs_launch failed' "$ERR"; then
		echo "$name: appliance launch failed, retrying with" \
		    "LIBGUESTFS_BACKEND_SETTINGS=force_tcg" >&2
		"$prepare"
		LIBGUESTFS_BACKEND_SETTINGS=force_tcg run_guestfish && return 0
		cat "$ERR" >&2
		echo "$name: guestfish failed (under force_tcg)" >&2
		exit 1
	fi
	cat "$ERR" >&2
	echo "$name: guestfish failed" >&2
	exit 1
}

# test_accel: "kvm" when the libguestfs appliance starts under KVM here,
# "tcg" when it must not try (no /dev/kvm counts as kvm: libguestfs then
# uses TCG by itself).  KVM can fail two ways: qemu aborts at once
# ("failed to set MSR 0x10a"), or, on some nested hosts, the appliance
# hangs after the firmware with no error, and guestfish would wait for
# ever.  One probe launch under a timeout decides, cached per kernel and
# qemu binary in the test cache (IMPRINT_TEST_CACHE or tests/cache).
# A user's LIBGUESTFS_BACKEND_SETTINGS is left alone ("kvm").
test_accel() {
	local dir=${IMPRINT_TEST_CACHE:-$TOP/tests/cache} key f r q
	if [ -n "${LIBGUESTFS_BACKEND_SETTINGS+set}" ] || [ ! -e /dev/kvm ]; then
		echo kvm
		return
	fi
	q=$(command -v qemu-system-x86_64 || echo none)
	key="$(uname -r) $(stat -L -c '%s %Y' "$q" 2>/dev/null)"
	f=$dir/.accel-probe
	if [ -f "$f" ] && [ "$(head -n 1 "$f")" = "$key" ]; then
		tail -n 1 "$f"
		return
	fi
	mkdir -p -- "$dir"
	if timeout -k 5 "${IMPRINT_KVM_TIMEOUT:-60}" guestfish -a /dev/null run \
	    >/dev/null 2>&1; then
		r=kvm
	else
		r=tcg
		echo "test_accel: the appliance does not start under KVM here;" \
		    "the tests' own guestfish runs use TCG" >&2
	fi
	printf '%s\n%s\n' "$key" "$r" >"$f.$$" && mv -f "$f.$$" "$f"
	echo "$r"
}

# with_test_accel CMD...: run CMD (a guestfish call or a function making
# them) under LIBGUESTFS_BACKEND_SETTINGS=force_tcg when test_accel says
# KVM cannot run the appliance here.
with_test_accel() {
	if [ "$(test_accel)" = tcg ]; then
		LIBGUESTFS_BACKEND_SETTINGS=force_tcg "$@"
	else
		"$@"
	fi
}
