#!/bin/bash
# bench/vmcfg.sh - time and peak memory of `imprint vmcfg` on large inputs:
# a generated config with 1,000 NICs (show, --json, an edit of the last
# NIC, add-nic with an 'auto' MAC) and a config whose first line is a
# 10 MiB comment (show, edit).  Uses GNU time (Debian package `time`).
#
# Usage: bench/vmcfg.sh   (from the top of the tree, after `make`)
set -eu
cd "$(dirname "$0")/.."
IMPRINT=${IMPRINT:-./imprint}
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "bench/vmcfg.sh: needs GNU time ($TIME, Debian package time)" >&2
	exit 2
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/imprint-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

# 1,000 NICs, one per line, and 1,000 disks.
{
	echo "name = 'big'"
	echo "uuid = '4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308'"
	echo "vif = ["
	for i in $(seq 0 999); do
		printf "    'mac=00:16:3e:%02x:%02x:%02x,bridge=xenbr%d',\n" \
		    $((i >> 16 & 127)) $((i >> 8 & 255)) $((i & 255)) $((i % 4))
	done
	echo "]"
	echo "disk = ["
	for i in $(seq 0 999); do
		printf "    'phy:/dev/vg/big-%d,xvd%d,w',\n" "$i" "$i"
	done
	echo "]"
} >"$W/nics.cfg"

# A 10 MiB comment on one line, then a small config.
{
	printf '#'
	head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' 'x'
	printf '\nname = "c"\nvif = [ "mac=00:16:3e:00:00:01" ]\n'
} >"$W/comment.cfg"

run() {	# LABEL ARGS...
	local label=$1 rc
	shift
	rc=0
	"$TIME" -o "$W/t" -f '%e s %M KiB' "$IMPRINT" vmcfg "$@" \
	    >/dev/null 2>"$W/err" || rc=$?
	printf '%-40s %s (exit %d)\n' "$label" "$(cat "$W/t")" "$rc"
	if [ "$rc" -ne 0 ]; then
		sed 's/^/    /' "$W/err"
	fi
}

echo "imprint vmcfg: wall time and peak RSS"
printf '%-40s %s\n' "1,000-NIC config" "$(wc -c <"$W/nics.cfg") bytes"
run "show" "$W/nics.cfg"
run "show --json" --json "$W/nics.cfg"
run "set nic999.mac=auto (--dry-run)" --dry-run "$W/nics.cfg" \
    set nic999.mac=auto
run "set nic999.mac, nic0.bridge, name" "$W/nics.cfg" \
    set nic999.mac=00:16:3e:7f:00:01 nic0.bridge=xenbr9 name=big2
run "add-nic mac=auto" "$W/nics.cfg" add-nic mac=auto,bridge=xenbr0
printf '%-40s %s\n' "10 MiB comment line" \
    "$(wc -c <"$W/comment.cfg") bytes"
run "show" "$W/comment.cfg"
run "set name, nic0.mac=auto (--dry-run)" --dry-run "$W/comment.cfg" \
    set name=d nic0.mac=auto
run "set name, nic0.mac=auto" "$W/comment.cfg" set name=d nic0.mac=auto
