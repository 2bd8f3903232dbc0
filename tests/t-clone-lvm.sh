#!/bin/bash
# Integration test of `imprint clone --disk-mode snapshot` (imprint(1),
# CLONE) with the LVM tools replaced by recording stubs first on PATH:
# lvs, lvcreate and lvremove log their exact argv and answer from a state
# directory (which LVs exist, their size and origin, the VG's free bytes),
# and an LV's device is a file under $SCRATCH/dev/VolGroupXX, so the real
# appliance runs on it.  Checked: the lvs and lvcreate arguments, the dry
# run, the refusals (the VG's free extents, with the figures; an LV that
# exists; an origin that is a snapshot; --snapshot-size without snapshot
# mode) with nothing created and no lvcreate run, one clone end to end
# (ONE appliance launch: the config differs in name, uuid, MAC and disk
# only), and the cleanup of the LV after a later failure (lvremove -f,
# listed), before any launch.  The real LVM path is `make check-lvm`
# (tests/check-lvm.sh), which needs device-mapper.
. "$(dirname "$0")/lib.sh"
scratch
CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
export XDG_CACHE_HOME=$CACHE/xdg
t0=$SECONDS

VG=VolGroupXX
DEV=$SCRATCH/dev
STATE=$SCRATCH/lvm
LOG=$SCRATCH/lvm.log
mkdir -p "$SCRATCH/bin" "$DEV/$VG" "$STATE/lv"
: >"$LOG"
echo 1073741824 >"$STATE/vg_free"

# The stubs: bash, their state in files.  An LV NAME is $STATE/lv/NAME
# (lines size=, attr=, segtype=, origin=, percent=) and $DEV/$VG/NAME.
cat >"$SCRATCH/bin/lvs" <<EOF
#!/bin/bash
echo "lvs \$*" >>"$LOG"
p=\${@: -1}
case \$p in
"$DEV/$VG/"*) n=\${p#"$DEV/$VG/"} ;;
"$VG/"*) n=\${p#"$VG/"} ;;
*) echo "  \"\$p\": Invalid path for Logical Volume." >&2; exit 5 ;;
esac
if [ ! -f "$STATE/lv/\$n" ]; then
	echo "  Failed to find logical volume \"$VG/\$n\"" >&2
	exit 5
fi
. "$STATE/lv/\$n"
printf "  LVM2_LV_NAME='%s' LVM2_VG_NAME='%s' LVM2_LV_PATH='%s' LVM2_LV_SIZE='%s' LVM2_LV_ATTR='%s' LVM2_SEGTYPE='%s' LVM2_ORIGIN='%s' LVM2_DATA_PERCENT='%s' LVM2_VG_FREE='%s' LVM2_VG_EXTENT_SIZE='4194304'\n" \\
    "\$n" "$VG" "$DEV/$VG/\$n" "\$size" "\$attr" "\$segtype" "\$origin" \\
    "\$percent" "\$(cat "$STATE/vg_free")"
EOF
cat >"$SCRATCH/bin/lvcreate" <<EOF
#!/bin/bash
echo "lvcreate \$*" >>"$LOG"
size=0 name=
while [ \$# -gt 1 ]; do
	case \$1 in
	--size) size=\${2%b}; shift ;;
	--name) name=\$2; shift ;;
	esac
	shift
done
o=\${1#"$VG/"}
printf 'size=%s\nattr=swi-a-s---\nsegtype=linear\norigin=%s\npercent=0.00\n' \\
    "\$size" "\$o" >"$STATE/lv/\$name"
echo \$((\$(cat "$STATE/vg_free") - size)) >"$STATE/vg_free"
cp --reflink=auto --sparse=always "$DEV/$VG/\$o" "$DEV/$VG/\$name"
if [ -e "$STATE/fail-lvcreate" ]; then
	echo "  device-mapper: reload ioctl failed (a test's failure)" >&2
	exit 5
fi
EOF
cat >"$SCRATCH/bin/lvremove" <<EOF
#!/bin/bash
echo "lvremove \$*" >>"$LOG"
n=\${@: -1}
n=\${n#"$VG/"}
. "$STATE/lv/\$n" || exit 5
echo \$((\$(cat "$STATE/vg_free") + size)) >"$STATE/vg_free"
rm -f "$STATE/lv/\$n" "$DEV/$VG/\$n"
echo "  Logical volume \"\$n\" successfully removed."
EOF
chmod +x "$SCRATCH/bin/"*
PATH=$SCRATCH/bin:$PATH

# lv NAME ATTR ORIGIN: an LV in the stub's state, 1 GiB
lv() {
	printf 'size=1073741824\nattr=%s\nsegtype=linear\norigin=%s\npercent=\n' \
	    "$2" "$3" >"$STATE/lv/$1"
}

# --- the template: LogVolDc1 holds the test image -----------------------
lv LogVolDc1 owi-aos--- ''
cp --sparse=always "$CACHE/ovs.img" "$DEV/$VG/LogVolDc1"
XEN=$SCRATCH/xen
mkdir -p "$XEN"
cat >"$XEN/dc1.cfg" <<EOF
name = 'dc1'
uuid = '8a0cbd9e-5d55-4bb4-bd63-3ac1e1b0d001'
memory = 512
disk = ['phy:$DEV/$VG/LogVolDc1,xvda,w']
vif = ['mac=00:16:3e:00:00:d1, bridge=xenbr0']
EOF
sums() {
	sha256sum "$DEV/$VG/LogVolDc1" "$XEN/dc1.cfg"
}
sums_before=$(sums)
LVS="lvs --noheadings --nameprefixes --units b --nosuffix -o lv_name,vg_name,lv_path,lv_size,lv_attr,segtype,origin,data_percent,vg_free,vg_extent_size"

listing() {
	find "$SCRATCH" -path "$SCRATCH/bin" -prune -o -path "$LOG" -prune \
	    -o -printf '%p %y %m %s\n' | LC_ALL=C sort
}

# --- dry run and refusals: nothing created, no lvcreate ------------------
before=$(listing)
run_imprint clone -n --from "$XEN/dc1.cfg" --name dc2 --disk-mode snapshot
check_exit "dry run" "$RC" 0
check_eq "dry run: what it would make" "$OUT" \
"would create snapshot LV $VG/LogVolDc2 of $VG/LogVolDc1 (size 218103808 bytes)
would create config $XEN/dc2.cfg (from $XEN/dc1.cfg)
then apply the built-in recipe to it and to $DEV/$VG/LogVolDc2 (not planned in a dry run: it needs the new disk)"
check_eq "dry run: lvs asked of the template's disk and the new LV" \
    "$(cat "$LOG")" \
"$LVS $DEV/$VG/LogVolDc1
$LVS $VG/LogVolDc2"

: >"$LOG"
run_imprint clone -n --json --from "$XEN/dc1.cfg" --name dc2 \
    --disk-mode snapshot --snapshot-size 9M
check_exit "dry run, JSON, --snapshot-size 9M" "$RC" 0
check_eq "dry run, JSON: the disk, 9M in whole extents" \
    "$(jq -c '.would_create.disks' <<<"$OUT")" \
    "[{\"path\":\"$DEV/$VG/LogVolDc2\",\"template\":\"$DEV/$VG/LogVolDc1\",\"mode\":\"snapshot\",\"vg\":\"$VG\",\"lv\":\"LogVolDc2\",\"origin\":\"LogVolDc1\",\"size\":12582912}]"

: >"$LOG"
run_imprint clone --from "$XEN/dc1.cfg" --name dc2 --disk-mode snapshot \
    --snapshot-size 2G
check_exit "VG short of free extents" "$RC" 1
check_eq "VG short of free extents: the figures" "$ERR" \
    "imprint: refusing to clone: VG '$VG' has 1073741824 bytes free (256 extents of 4194304 bytes), the snapshots need 2147483648 bytes (512 extents); give a smaller --snapshot-size, or free space in the VG (vgextend, lvreduce)"
check_nomatch "VG short of free extents: no lvcreate" "$(cat "$LOG")" \
    '^lvcreate'

# --inventory: the VG's free space is summed over every clone of the run
# (five snapshots of 208 MiB, one 1 GiB VG)
printf 'name\ndc2\ndc3\ndc4\ndc5\ndc6\n' >"$SCRATCH/inv.csv"
: >"$LOG"
run_imprint clone --from "$XEN/dc1.cfg" --inventory "$SCRATCH/inv.csv" \
    --disk-mode snapshot
check_exit "--inventory: VG short for five" "$RC" 1
check_eq "--inventory: lvs asked of the template once, of each new LV once" \
    "$(cat "$LOG")" \
"$LVS $DEV/$VG/LogVolDc1
$LVS $VG/LogVolDc2
$LVS $VG/LogVolDc3
$LVS $VG/LogVolDc4
$LVS $VG/LogVolDc5
$LVS $VG/LogVolDc6"
check_eq "--inventory: VG short for five: the figures" "$ERR" \
    "imprint: refusing to clone: VG '$VG' has 1073741824 bytes free (256 extents of 4194304 bytes), the snapshots need 1090519040 bytes (260 extents); give a smaller --snapshot-size, or free space in the VG (vgextend, lvreduce)"
run_imprint clone -n --from "$XEN/dc1.cfg" --inventory "$SCRATCH/inv.csv" \
    --disk-mode snapshot --snapshot-size 200M
check_exit "--inventory: five of 200M fit" "$RC" 0
check_eq "--inventory: five LVs named after the rows" \
    "$(grep -c "^would create snapshot LV $VG/LogVolDc[2-6] of $VG/LogVolDc1 (size 209715200 bytes)$" <<<"$OUT")" 5
rm "$SCRATCH/inv.csv"

lv LogVolDc9 -wi-a----- ''
run_imprint clone --from "$XEN/dc1.cfg" --name dc9 --disk-mode snapshot
check_exit "the new LV exists" "$RC" 1
check_eq "the new LV exists: said" "$ERR" \
    "imprint: refusing to clone: LV '$VG/LogVolDc9' exists"
rm "$STATE/lv/LogVolDc9"

lv LogVolSnap1 swi-a-s--- LogVolDc1
sed "s/^name = .*/name = 'snap1'/; s/LogVolDc1/LogVolSnap1/" "$XEN/dc1.cfg" \
    >"$SCRATCH/snap1.cfg"
run_imprint clone --from "$SCRATCH/snap1.cfg" --name snap2 \
    --disk-mode snapshot
check_exit "an origin that is a snapshot" "$RC" 1
check_eq "an origin that is a snapshot: said" "$ERR" \
    "imprint: refusing to clone: the template's disk '$DEV/$VG/LogVolSnap1' is itself a snapshot (of $VG/LogVolDc1), which LVM cannot snapshot; clone from its origin, or use --disk-mode copy"
rm "$STATE/lv/LogVolSnap1" "$SCRATCH/snap1.cfg"

run_imprint clone --from "$XEN/dc1.cfg" --name dc2 --disk-mode copy \
    --snapshot-size 1G
check_exit "--snapshot-size in copy mode" "$RC" 2
check_match "--snapshot-size in copy mode: said" "$ERR" \
    '^imprint: --snapshot-size goes with --disk-mode snapshot'
run_imprint clone --from "$XEN/dc1.cfg" --name dc2 --disk-mode snapshot \
    --snapshot-size 512
check_exit "--snapshot-size without a unit" "$RC" 2
check_match "--snapshot-size without a unit: said" "$ERR" \
    "^imprint: --snapshot-size '512': want a unit K, M, G or T"
check_nomatch "refusals: no lvcreate" "$(cat "$LOG")" '^lvcreate'
check_eq "refusals and dry runs made nothing" "$(listing)" "$before"

# --- lvcreate fails, yet left an LV: it is removed (no launch) -----------
: >"$LOG"
touch "$STATE/fail-lvcreate"
run_imprint clone --from "$XEN/dc1.cfg" --name dc4 --disk-mode snapshot
rm "$STATE/fail-lvcreate"
check_exit "lvcreate fails" "$RC" 1
check_eq "lvcreate fails: said, the LV it left removed" "$ERR" \
"imprint: cannot create snapshot LV '$VG/LogVolDc4': lvcreate: device-mapper: reload ioctl failed (a test's failure)
imprint: clone 'dc4' failed: removing what it created
imprint: removed LV '$VG/LogVolDc4'"
check_eq "lvcreate fails: the LVM calls" "$(cat "$LOG")" \
"$LVS $DEV/$VG/LogVolDc1
$LVS $VG/LogVolDc4
lvcreate --snapshot --size 218103808b --name LogVolDc4 $VG/LogVolDc1
$LVS $VG/LogVolDc4
lvremove -f $VG/LogVolDc4"
check_eq "lvcreate fails: nothing left" "$(listing)" "$before"

# --- a failure after the LV and config are made (no launch) --------------
: >"$LOG"
printf '[guest]\nhostname = ${name}\n[host]\nname = ${name}\ndisk0 = %s\n' \
    "$DEV/a,b" >"$SCRATCH/bad.rcp"
run_imprint clone --from "$XEN/dc1.cfg" --name dc3 --disk-mode snapshot \
    "$SCRATCH/bad.rcp"
rm "$SCRATCH/bad.rcp"
check_exit "refused by the apply" "$RC" 1
check_eq "refused by the apply: removed, newest first" \
    "$(grep '^imprint: removed' <<<"$ERR")" \
"imprint: removed '$XEN/dc3.cfg'
imprint: removed LV '$VG/LogVolDc3'"
check_eq "refused by the apply: the LVM calls" "$(cat "$LOG")" \
"$LVS $DEV/$VG/LogVolDc1
$LVS $VG/LogVolDc3
lvcreate --snapshot --size 218103808b --name LogVolDc3 $VG/LogVolDc1
$LVS $VG/LogVolDc3
lvremove -f $VG/LogVolDc3"
check_eq "refused by the apply: nothing left" "$(listing)" "$before"

echo "t-clone-lvm: refusals done at $((SECONDS - t0)) s"

# --- the clone: one appliance launch --------------------------------------
: >"$LOG"
run_imprint clone --from "$XEN/dc1.cfg" --name dc2 --disk-mode snapshot
check_exit "snapshot clone" "$RC" 0
check_eq "snapshot clone: what it made" "$(sed -n '1,2p' <<<"$OUT")" \
"created snapshot LV $VG/LogVolDc2 of $VG/LogVolDc1 (size 218103808 bytes)
created config $XEN/dc2.cfg"
check_match "snapshot clone: the guest changed" "$OUT" \
    "^$DEV/$VG/LogVolDc2: changed \(root /dev/sda2\)$"
check_eq "snapshot clone: the LVM calls" "$(cat "$LOG")" \
"$LVS $DEV/$VG/LogVolDc1
$LVS $VG/LogVolDc2
lvcreate --snapshot --size 218103808b --name LogVolDc2 $VG/LogVolDc1
$LVS $VG/LogVolDc2"
mac=$(sed -n 's/^  generated nic0\.mac=//p' <<<"$OUT")
uuid=$(sed -n 's/^  generated uuid=//p' <<<"$OUT")
check_match "snapshot clone: a new MAC" "$mac" \
    '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$'
check_eq "snapshot clone: config differs in name, uuid, MAC, disk only" \
    "$(diff "$XEN/dc1.cfg" "$XEN/dc2.cfg")" \
"1,2c1,2
< name = 'dc1'
< uuid = '8a0cbd9e-5d55-4bb4-bd63-3ac1e1b0d001'
---
> name = 'dc2'
> uuid = '$uuid'
4,5c4,5
< disk = ['phy:$DEV/$VG/LogVolDc1,xvda,w']
< vif = ['mac=00:16:3e:00:00:d1, bridge=xenbr0']
---
> disk = ['phy:$DEV/$VG/LogVolDc2,xvda,w']
> vif = ['mac=$mac, bridge=xenbr0']"
check_eq "snapshot clone: the stub's LV, its origin" \
    "$(grep '^origin=' "$STATE/lv/LogVolDc2")" "origin=LogVolDc1"
check_eq "the template unchanged" "$(sums)" "$sums_before"

echo "t-clone-lvm: $((SECONDS - t0)) s"
done_testing
