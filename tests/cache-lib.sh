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
	run_guestfish && return 0
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
