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
