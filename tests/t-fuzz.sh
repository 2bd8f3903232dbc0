#!/bin/bash
# tests/t-fuzz.sh - the libFuzzer harnesses (tests/fuzz/run.sh) in make
# check, for a bounded time: IMPRINT_FUZZ_SECONDS each (default 5; make
# fuzz runs them 60 s each).  Any crash, sanitizer report or leak fails.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
command -v clang >/dev/null ||
    skip_all "clang is not installed (contrib/install-deps.sh installs it)"
exec sh "$TOP/tests/fuzz/run.sh" "${IMPRINT_FUZZ_SECONDS:-5}"
