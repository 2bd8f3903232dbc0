#!/bin/bash
# Lint every man page with mandoc and check that each long option the
# binary knows appears in man/imprint.1.
set -u
cd "$(dirname "$0")/.." || exit 2
pass=0 fail=0
for m in man/*.[15]; do
	if out=$(mandoc -Tlint -W warning "$m" 2>&1) && [ -z "$out" ]; then
		pass=$((pass + 1))
	else
		echo "mandoc: $m"; echo "$out"; fail=$((fail + 1))
	fi
done
# mdoc writes "--x-y" as "\-x\-y" or "\-x-y": compare without backslashes.
page=$(sed 's/\\-/-/g' man/imprint.1)
for opt in $(./imprint --long-options | sort -u); do
	if grep -q -- "Fl -${opt#--}\b" <<<"$page"; then
		pass=$((pass + 1))
	else
		echo "option $opt is not documented in man/imprint.1"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
