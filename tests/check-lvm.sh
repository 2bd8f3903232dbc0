#!/bin/bash
# tests/check-lvm.sh - `make check-lvm`: `imprint clone --disk-mode
# snapshot` with real LVM, which `make check` only runs with stubs
# (tests/t-clone-lvm.sh).  It needs root and a kernel with device-mapper:
# a sparse file on a loop device becomes a PV, a VG of its own
# (imprint-check-PID) and an LV LogVolDc1 holding the test image ovs.img
# (tests/mkimages.sh); dc1.cfg names it as phy:/dev/VG/LogVolDc1.  Then:
#   - imprint clone --from dc1.cfg --name dc2 --disk-mode snapshot makes
#     LogVolDc2, a snapshot of LogVolDc1 (lvs says so), and dc2.cfg differs
#     from dc1.cfg in name, uuid, MAC and disk path only;
#   - a clone that fails after its snapshot was made (a recipe the apply
#     refuses) leaves no LV behind.
# An EXIT trap removes everything (LVs, VG, PV, loop device, files) also
# when a check fails or the script is interrupted.  Where `dmsetup version`
# fails (no device-mapper, as in many containers) it says so and exits 0.
. "$(dirname "$0")/lib.sh"

if ! dmsetup version >/dev/null 2>&1; then
	echo "check-lvm: skipped: the kernel has no device-mapper (dmsetup version fails)"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "check-lvm: skipped: LVM needs root"
	exit 0
fi
for t in losetup pvcreate vgcreate lvcreate lvs lvremove vgremove pvremove \
    qemu-img; do
	command -v "$t" >/dev/null || {
		echo "check-lvm: $t is missing (Debian: lvm2, mount, qemu-utils)" >&2
		exit 1
	}
done

CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
export XDG_CACHE_HOME=$CACHE/xdg
WORK=$(mktemp -d "${TMPDIR:-/tmp}/imprint-check-lvm.XXXXXX")
VG=imprint-check-$$
LOOP=

cleanup() {
	local rc=$?

	if [ -n "$LOOP" ]; then
		# every LV of our VG (snapshots first: -f takes them in order)
		lvremove -f -y "$VG" >/dev/null 2>&1
		vgremove -f -y "$VG" >/dev/null 2>&1
		pvremove -f -y "$LOOP" >/dev/null 2>&1
		losetup -d "$LOOP" 2>/dev/null
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

IMGSIZE=$(stat -c %s "$CACHE/ovs.img")
# the origin, its snapshots (a fifth each by default) and room to spare
truncate -s $((IMGSIZE * 3 + 64 * 1024 * 1024)) "$WORK/pv.img"
LOOP=$(losetup -f --show "$WORK/pv.img") || { LOOP=; exit 1; }
pvcreate -q "$LOOP" >/dev/null || exit 1
vgcreate -q "$VG" "$LOOP" >/dev/null || exit 1
lvcreate -q -L "${IMGSIZE}b" -n LogVolDc1 "$VG" >/dev/null || exit 1
qemu-img convert -n -f raw -O raw "$CACHE/ovs.img" "/dev/$VG/LogVolDc1" ||
    exit 1

cat >"$WORK/dc1.cfg" <<EOF
name = 'dc1'
uuid = '8a0cbd9e-5d55-4bb4-bd63-3ac1e1b0d001'
memory = 512
disk = ['phy:/dev/$VG/LogVolDc1,xvda,w']
vif = ['mac=00:16:3e:00:00:d1, bridge=xenbr0']
EOF
cfgsum=$(sha256sum "$WORK/dc1.cfg")

run_imprint clone --from "$WORK/dc1.cfg" --name dc2 --disk-mode snapshot
check_exit "snapshot clone" "$RC" 0
[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | sed 's/^/    /'
check_match "snapshot clone: said" "$OUT" \
    "^created snapshot LV $VG/LogVolDc2 of $VG/LogVolDc1 \(size [0-9]+ bytes\)$"
check_eq "lvs: LogVolDc2 is a snapshot of LogVolDc1" \
    "$(lvs --noheadings -o origin "$VG/LogVolDc2" 2>&1 | tr -d ' ')" \
    "LogVolDc1"
mac=$(sed -n 's/^  generated nic0\.mac=//p' <<<"$OUT")
uuid=$(sed -n 's/^  generated uuid=//p' <<<"$OUT")
check_eq "config differs in name, uuid, MAC, disk only" \
    "$(diff "$WORK/dc1.cfg" "$WORK/dc2.cfg")" \
"1,2c1,2
< name = 'dc1'
< uuid = '8a0cbd9e-5d55-4bb4-bd63-3ac1e1b0d001'
---
> name = 'dc2'
> uuid = '$uuid'
4,5c4,5
< disk = ['phy:/dev/$VG/LogVolDc1,xvda,w']
< vif = ['mac=00:16:3e:00:00:d1, bridge=xenbr0']
---
> disk = ['phy:/dev/$VG/LogVolDc2,xvda,w']
> vif = ['mac=$mac, bridge=xenbr0']"
check_eq "the template's config unchanged" "$(sha256sum "$WORK/dc1.cfg")" \
    "$cfgsum"

# a failure after the snapshot is made: no LV left
printf '[guest]\nhostname = ${name}\n[host]\nname = ${name}\ndisk0 = %s\n' \
    "/dev/$VG/a,b" >"$WORK/bad.rcp"
lvs_before=$(lvs --noheadings -o lv_name "$VG" | tr -d ' ' | sort)
run_imprint clone --from "$WORK/dc1.cfg" --name dc3 --disk-mode snapshot \
    "$WORK/bad.rcp"
check_exit "refused by the apply" "$RC" 1
check_match "refused by the apply: the LV removed, said" "$ERR" \
    "^imprint: removed LV '$VG/LogVolDc3'$"
check_eq "refused by the apply: no LV left" \
    "$(lvs --noheadings -o lv_name "$VG" | tr -d ' ' | sort)" "$lvs_before"
check_eq "refused by the apply: no config left" \
    "$(ls "$WORK" | grep -c '^dc3')" "0"

done_testing
