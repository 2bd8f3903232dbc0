#!/bin/bash
# bench/scan.sh - time and peak memory of `imprint scan` over 5,000
# generated domain configs (running_pool/vmNNNN/vm.cfg, two NICs and two
# disks each, every one with the same read-only ISO) with a few planted
# collisions, as text and --json, and of `vmcfg --mac-scan` over the same
# tree (the same reader).  Checks that exactly the planted collisions are
# found.  Uses GNU time (Debian package `time`).
#
# Usage: bench/scan.sh [N]   (from the top of the tree, after `make`)
set -eu
cd "$(dirname "$0")/.."
IMPRINT=${IMPRINT:-./imprint}
N=${1:-5000}
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "bench/scan.sh: needs GNU time ($TIME, Debian package time)" >&2
	exit 2
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/imprint-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

# N configs with distinct identities, then the planted collisions:
# vm0002 takes vm0001's uuid dashless in upper case, vm0004 vm0003's
# first MAC in upper case with '-', vm0006 vm0005's disk under tap:aio:,
# vm0008 vm0007's name, and vm0009 one MAC twice: 5 collisions.
mkdir -p "$W/pool"
# One directory per domain, as Oracle VM keeps them.
seq -f "$W/pool/vm%04g" 1 "$N" | xargs mkdir
awk -v n="$N" -v dir="$W/pool" 'BEGIN {
	for (i = 1; i <= n; i++) {
		id = sprintf("vm%04d", i)
		uuid = sprintf("6f1c2d3e-4a5b-4c6d-8e7f-%012d", i)
		mac0 = sprintf("00:16:3e:%02x:%02x:00", int(i / 256), i % 256)
		mac1 = sprintf("00:16:3e:%02x:%02x:01", int(i / 256), i % 256)
		disk = "file:/OVS/running_pool/" id "/System.img"
		name = id
		if (i == 2)
			uuid = "6F1C2D3E4A5B4C6D8E7F000000000001"
		if (i == 4)
			mac0 = "00-16-3E-00-03-00"
		if (i == 6)
			disk = "tap:aio:/OVS/running_pool/vm0005/System.img"
		if (i == 8)
			name = "vm0007"
		if (i == 9)
			mac1 = toupper(mac0)
		f = dir "/" id "/vm.cfg"
		printf "# %s, a clone\nname = \"%s\"\nuuid = \"%s\"\n", id, \
		    name, uuid > f
		printf "memory = 1024\nvcpus = 2\n" > f
		printf "vif = [ \"mac=%s,bridge=xenbr0\",\n", mac0 > f
		printf "        \"mac=%s,bridge=xenbr1\" ]\n", mac1 > f
		printf "disk = [ \"%s,xvda,w\",\n", disk > f
		printf "         \"file:/OVS/iso/el5.iso,hdc:cdrom,r\" ]\n" > f
		printf "on_reboot = \"restart\"\n" > f
		close(f)
	}
}'

run() {	# LABEL WANT-EXIT ARGS...
	local label=$1 want=$2 rc
	shift 2
	rc=0
	"$TIME" -o "$W/t" -f '%e s %M KiB' "$IMPRINT" "$@" \
	    >"$W/out" 2>"$W/err" || rc=$?
	# GNU time adds "Command exited with non-zero status N" first
	printf '%-40s %s (exit %d)\n' "$label" "$(tail -n 1 "$W/t")" "$rc"
	if [ "$rc" -ne "$want" ]; then
		sed 's/^/    /' "$W/err"
		echo "bench/scan.sh: $label: exit $rc, want $want" >&2
		exit 1
	fi
}

echo "imprint scan: wall time and peak RSS"
run "baseline: imprint --version" 0 --version
printf '%-40s %s\n' "$N configs" \
    "$(du -sk "$W/pool" | cut -f1) KiB on disk"
run "scan" 1 scan "$W/pool"
want="configs: $N, unreadable: 0, collisions: 5"
if [ "$(tail -n 1 "$W/out")" != "$want" ]; then
	echo "bench/scan.sh: got '$(tail -n 1 "$W/out")', want '$want'" >&2
	exit 1
fi
run "scan --json" 1 scan --json "$W/pool"
printf 'name = "new"\nvif = [ "bridge=xenbr0" ]\n' >"$W/new.cfg"
run "vmcfg --mac-scan (--dry-run)" 0 vmcfg --dry-run --mac-scan \
    "$W/pool" "$W/new.cfg" set nic0.mac=auto
