#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - build and run the libFuzzer harnesses (the
# Xen domain config and libvirt domain XML parsers/editors, the guest file
# parsers, the inventory reader, the LVM metadata and fstab readers) for SECONDS each (default 60).
#
# Builds into build-fuzz/ with clang (FUZZ_CC to override), seeds
# build-fuzz/corpus from the host fixtures (IMPRINT_FIXTURES, default
# tests/data/fixtures), and fails on any crash, sanitizer report or leak.
# The last line is "5 passed, 0 failed" or "0 passed, 1 failed".
set -u

secs=${1:-60}
cd "$(dirname "$0")/../.." || exit 1
out=build-fuzz
cc=${FUZZ_CC:-clang}
fixtures=${IMPRINT_FIXTURES:-tests/data/fixtures}

fail() {
	echo "fuzz: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

case $secs in
''|*[!0-9]*) fail "seconds must be a number, not '$secs'" ;;
esac
command -v "$cc" >/dev/null 2>&1 || fail "'$cc' not found (install clang)"
mkdir -p "$out/corpus" || fail "cannot create $out/corpus"
for f in "$fixtures"/host-*; do
	[ -f "$f" ] || continue
	cat "$f" > "$out/corpus/seed-${f##*/}" || fail "cannot copy $f"
done
$cc -std=gnu11 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -DHOSTCFG_FUZZ -Isrc \
    -o "$out/fuzz_hostcfg" tests/fuzz/fuzz_hostcfg.c \
    src/hostcfg.c src/util.c src/valid.c || fail "build failed"

# -close_fd_mask=2: the parser's refusal messages would flood the log;
# libFuzzer keeps its own copy of stderr for reports.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$out/fuzz_hostcfg" -max_total_time="$secs" -max_len=65536 \
    -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
    -dict=tests/fuzz/hostcfg.dict -artifact_prefix="$out/" \
    "$out/corpus" || fail "the fuzzer found a problem (see $out/crash-*)"

# The guest file parsers and editors, on the guest fixtures.
mkdir -p "$out/gcorpus" || fail "cannot create $out/gcorpus"
for f in "$fixtures"/guest-*; do
	[ -f "$f" ] || continue
	cat "$f" > "$out/gcorpus/seed-${f##*/}" || fail "cannot copy $f"
done
# The fixtures' netplan file is block style; libyaml reads flow style too.
printf '%s\n' 'network: {version: 2, ethernets: {eth0: {match: {macaddress:' \
    '  "00:16:3e:2b:8c:01"}, set-name: eth0, addresses: [192.0.2.20/24,' \
    "  '192.0.2.10/24'], routes: [{to: default, via: 192.0.2.1}]}}}" \
    > "$out/gcorpus/seed-netplan-flow.yaml" || fail "cannot write a seed"
# shellcheck disable=SC2046
$cc -std=gnu11 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Isrc -o "$out/fuzz_gfile" \
    tests/fuzz/fuzz_gfile.c src/gfile.c src/gfile_*.c src/util.c src/valid.c \
    $(pkg-config --cflags --libs yaml-0.1) || fail "build failed"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$out/fuzz_gfile" -max_total_time="$secs" -max_len=8192 \
    -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
    -dict=tests/fuzz/gfile.dict -artifact_prefix="$out/gfile-" \
    "$out/gcorpus" ||
    fail "the gfile fuzzer found a problem (see $out/gfile-crash-*)"
# The batch inventory reader.
mkdir -p "$out/icorpus" || fail "cannot create $out/icorpus"
cat tests/data/inventory/lab.csv > "$out/icorpus/seed-lab.csv" ||
    fail "cannot copy lab.csv"
$cc -std=gnu11 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Isrc -o "$out/fuzz_inventory" \
    tests/fuzz/fuzz_inventory.c src/inventory.c src/recipe.c src/diag.c \
    src/util.c src/valid.c || fail "build failed"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$out/fuzz_inventory" -max_total_time="$secs" -max_len=4096 \
    -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
    -dict=tests/fuzz/inventory.dict -artifact_prefix="$out/inventory-" \
    "$out/icorpus" ||
    fail "the inventory fuzzer found a problem (see $out/inventory-crash-*)"
# The libvirt domain XML engine, on the libvirt fixtures.
mkdir -p "$out/xcorpus" || fail "cannot create $out/xcorpus"
for f in "$fixtures"/host-libvirt-*.xml; do
	[ -f "$f" ] || continue
	cat "$f" > "$out/xcorpus/seed-${f##*/}" || fail "cannot copy $f"
done
# shellcheck disable=SC2046
$cc -std=gnu11 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -DDOMXML_FUZZ -Isrc -o "$out/fuzz_domxml" \
    tests/fuzz/fuzz_domxml.c src/domxml.c src/util.c src/valid.c \
    $(pkg-config --cflags --libs libxml-2.0) || fail "build failed"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$out/fuzz_domxml" -max_total_time="$secs" -max_len=65536 \
    -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
    -dict=tests/fuzz/domxml.dict -artifact_prefix="$out/domxml-" \
    "$out/xcorpus" ||
    fail "the domxml fuzzer found a problem (see $out/domxml-crash-*)"
# The guest metadata readers (LVM metadata and label, /etc/fstab), on
# the test guests' LVM metadata and fstab files.
mkdir -p "$out/mcorpus" || fail "cannot create $out/mcorpus"
cat tests/data/lvm.vgmeta > "$out/mcorpus/seed-vgmeta" &&
    cat tests/data/guest-ovs/etc/fstab > "$out/mcorpus/seed-fstab" ||
    fail "cannot copy the seeds"
$cc -std=gnu11 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Isrc -o "$out/fuzz_guestmeta" \
    tests/fuzz/fuzz_guestmeta.c src/lvmeta.c src/fstab.c src/util.c ||
    fail "build failed"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$out/fuzz_guestmeta" -max_total_time="$secs" -max_len=16384 \
    -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
    -artifact_prefix="$out/guestmeta-" "$out/mcorpus" ||
    fail "the guestmeta fuzzer found a problem (see $out/guestmeta-crash-*)"
echo "5 passed, 0 failed"
