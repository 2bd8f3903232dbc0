#!/bin/bash
# bench/apply.sh - one clone personalized by `imprint apply` beside the
# peer tool, virt-customize, on copies of the same test image, in one run.
#
# Both set the host name; imprint also gives eth0 a new MAC in the guest
# (ifcfg, udev rule, kudzu hwconf) and in vm.cfg, a static address, a new
# uuid and name.  Reported: wall time and peak RSS (GNU time: the largest
# process of the run, which is the qemu appliance for both).  The first
# imprint run also pays the failed KVM attempt it then caches.  The appliance
# choice is each tool's own: imprint falls back to TCG by itself where KVM
# is broken; virt-customize is given LIBGUESTFS_BACKEND_SETTINGS=force_tcg
# there, or it would not start.
#
# Usage: bench/apply.sh [RUNS]   (from the top of the tree, after `make`)
set -eu
cd "$(dirname "$0")/.."
TOP=$PWD
runs=${1:-3}
TIME=/usr/bin/time
for t in "$TIME" virt-customize; do
	command -v "$t" >/dev/null || { echo "bench: needs $t" >&2; exit 2; }
done
cache=$(tests/mkimages.sh | tail -n 1)
W=$(mktemp -d "${TMPDIR:-/tmp}/imprint-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
export XDG_CACHE_HOME=$W/xdg

# Does a plain KVM launch work here?  (imprint remembers; the peer can't.)
peer_env=()
# (timeout: on some hosts a KVM launch hangs instead of failing)
if ! timeout 120 guestfish -a /dev/null run >/dev/null 2>&1; then
	peer_env=(LIBGUESTFS_BACKEND_SETTINGS=force_tcg)
	echo "KVM is not usable for the appliance here: both tools run under TCG"
fi

measure() {	# label, command... -> "label seconds KiB"
	local label=$1
	shift
	"$TIME" -f "%e %M" -o "$W/t" "$@" >/dev/null 2>"$W/err" || {
		echo "bench: $label failed:" >&2
		cat "$W/err" >&2
		exit 1
	}
	printf '%s %s\n' "$label" "$(cat "$W/t")"
}

printf '%-16s %10s %12s\n' tool seconds "peak RSS KiB"
for i in $(seq 1 "$runs"); do
	mkdir -p "$W/i$i" "$W/v$i"
	cp --sparse=always "$cache/ovs.img" "$W/i$i/System.img"
	cp tests/data/ovs.vm.cfg "$W/i$i/vm.cfg"
	cp --sparse=always "$cache/ovs.img" "$W/v$i/System.img"
	measure imprint ./imprint apply -D name=b$i -D octet=$((40 + i)) \
	    recipes/ovm2-el5-clone.rcp "$W/i$i/System.img"
	measure virt-customize env "${peer_env[@]}" virt-customize -q \
	    --format raw -a "$W/v$i/System.img" --hostname b$i.example.com
done | awk '{ printf "%-16s %10.1f %12d\n", $1, $2, $3;
	t[$1] += $2; n[$1]++; if ($3 > m[$1]) m[$1] = $3 }
	END { print "mean:";
	    for (k in t) printf "%-16s %10.1f %12d\n", k, t[k] / n[k], m[k] }'
