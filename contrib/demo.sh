#!/bin/bash
# contrib/demo.sh - `make demo`: build a small sample guest image and give
# it its own identity, showing the guest and its config before and after.
#
# The sample is an Oracle VM Server 2 style clone, demo/web1/System.img
# (an EL5 guest whose ifcfg-eth0 and udev rule still name the template's
# MAC 00:16:3e:10:20:01) beside a copy of the template's vm.cfg, which
# still names the template's disk: the state every clone is in before its
# first boot.  The demo inspects it, shows what the recipe would change
# (--dry-run), applies it, and inspects it again; the disk line is shown
# before and after.  The cached test images are never written: the demo
# works on a copy.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEMO=${IMPRINT_DEMO_DIR:-$TOP/demo}
IMPRINT=$TOP/imprint
RECIPE=$TOP/recipes/ovm2-el5-clone.rcp

run() {
	printf '\n$ %s\n' "${*#"$TOP/"}"
	"$@" && rc=0 || rc=$?
	printf '(exit status %d)\n' "$rc"
}

echo "Building the sample images (one libguestfs appliance launch)..."
cache=$("$TOP/tests/mkimages.sh" | tail -n 1)
rm -rf "$DEMO/web1"
mkdir -p "$DEMO/web1"
cp --sparse=always "$cache/ovs.img" "$DEMO/web1/System.img"
cp "$TOP/tests/data/ovs.vm.cfg" "$DEMO/web1/vm.cfg"
cd "$DEMO/web1"

echo
echo "== BEFORE: the clone carries the template's identity, and its config"
echo "   names the template's disk (inspect says disk-not-image)"
grep -E '^(disk|name|uuid|vif)' vm.cfg
run "$IMPRINT" inspect --partition 2 --vmcfg vm.cfg System.img

echo
echo "== The recipe: $RECIPE"
grep -v '^#' "$RECIPE" | grep -v '^$'
run "$IMPRINT" apply --dry-run -D name=web1 -D octet=21 "$RECIPE" System.img
run "$IMPRINT" apply -D name=web1 -D octet=21 "$RECIPE" System.img

echo
echo "== AFTER: its own hostname, MACs, address, uuid and disk, on both sides"
grep -E '^(disk|name|uuid|vif)' vm.cfg
run "$IMPRINT" inspect --partition 2 --vmcfg vm.cfg System.img

cat <<MSG

The clone now has its own identity; 'imprint undo $DEMO/web1/System.img'
would put every file back.  The sample stays in $DEMO/web1.
MSG
