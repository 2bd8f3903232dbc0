#!/bin/bash
# Integration test of the batch runner, `imprint apply --inventory`: the
# acceptance scenario of 32 clones of the RHEL LVM template (tests/images.md)
# where image 7 is truncated and row 19 is bad.  30 are personalized and
# consistent, the 2 others are reported and left byte-identical.
#
# Launches are expensive (TCG here), so there are few, each checked from
# many sides: the batch itself (two appliances, -j 2), one read-only
# `inspect --vmcfg auto` of 9 of the 30 changed clones, a second batch on one
# shard (idempotence) and one `undo`.  Usage errors are checked first and
# need no launch.  No check depends on timing.
. "$(dirname "$0")/lib.sh"
scratch
# IMPRINT_TEST_KEEP=1 keeps the scratch directory, to look at afterwards.
[ -n "${IMPRINT_TEST_KEEP-}" ] && trap 'echo "kept $SCRATCH"' EXIT
CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
DATA=$TOP/tests/data
# imprint's note that KVM cannot start the appliance here (guest.c), in
# the test cache: only the first script pays the KVM watchdog where KVM
# hangs (t-inspect keeps its own, to test the fallback itself).
export XDG_CACHE_HOME=$CACHE/xdg
ROOTDEV=/dev/VolGroup00/LogVol00
N=32
BAD_IMG=7	# truncated: its root LV lies past the end
BAD_ROW=19	# octet=300: the recipe check refuses the row

nn() { printf '%02d' "$1"; }

# --- the pool: 32 clones, each System.img + vm.cfg --------------------------
POOL=$SCRATCH/pool
INV=$SCRATCH/inv.csv
echo "image,name,octet" >"$INV"
for i in $(seq 1 $N); do
	d=$POOL/c$(nn "$i")
	mkdir -p "$d"
	if [ "$i" -eq $BAD_IMG ]; then
		cp --sparse=always "$CACHE/lvm.img" "$d/System.img"
		truncate -s 48M "$d/System.img"
	else
		qemu-img create -q -f qcow2 -F raw -b "$CACHE/lvm.img" \
		    "$d/System.img"
	fi
	cp "$DATA/lvm.vm.cfg" "$d/vm.cfg"
	octet=$((10 + i))
	[ "$i" -eq $BAD_ROW ] && octet=300
	echo "pool/c$(nn "$i")/System.img,clone$(nn "$i"),$octet" >>"$INV"
done
check_eq "pool built" "$(ls "$POOL" | wc -l)" $N
check_eq "inventory rows" "$(wc -l <"$INV")" $((N + 1))

# The recipe: rhel-lvm.rcp without a root line (the batch probes the first
# image and verifies the same root on the others), config beside the image.
REC=$SCRATCH/clone.rcp
cat >"$REC" <<'EOF'
[guest]
hostname = ${name}.example.com
root-password = random
forget = udev-net ssh-hostkeys dhcp-leases

[nic eth0]
mac = auto
bridge = xenbr0
boot = static
address = 192.0.2.${octet}/24
gateway = 192.0.2.1

[nic eth1]
mac = auto
bridge = xenbr1
boot = dhcp

[host]
config = auto
name = ${name}
uuid = new
EOF

# Before: every image and config.
sums() {
	local i d
	for i in $(seq 1 $N); do
		d=$POOL/c$(nn "$i")
		echo "$(nn "$i") $(sha256sum <"$d/System.img" | cut -c1-64)" \
		    "$(sha256sum <"$d/vm.cfg" | cut -c1-64)"
	done
}
BEFORE=$(sums)
line_of() { sed -n "s/^$(nn "$1") //p" <<<"$2"; }

# --- usage errors: no launch, nothing written --------------------------------
run_imprint apply --backing "$CACHE" "$REC" --inventory "$INV" "$POOL/c01/System.img"
check_exit "--inventory with an IMAGE operand" "$RC" 2
check_match "--inventory with an IMAGE: message" "$ERR" \
    '^imprint: apply --inventory: give the recipe only'
run_imprint apply --backing "$CACHE" -j 0 "$REC" --inventory "$INV"
check_exit "-j 0" "$RC" 2
check_match "-j 0: message" "$ERR" "^imprint: -j .*'0'"
run_imprint apply --backing "$CACHE" --shard 4/4 "$REC" --inventory "$INV"
# (exit 1 today, 2 for -j 0: either is taken, with its message)
check_exit "--shard 4/4" "$RC" 2
check_match "--shard 4/4: message" "$ERR" "^imprint: bad shard '4/4'"
run_imprint apply --backing "$CACHE" --per-launch 4 "$REC" "$POOL/c01/System.img"
check_exit "--per-launch without --inventory" "$RC" 2
check_match "--per-launch without --inventory: message" "$ERR" \
    '^imprint: .*--per-launch'
run_imprint apply --backing "$CACHE" --vmcfg "$POOL/c01/vm.cfg" "$REC" \
    --inventory "$INV"
check_exit "--vmcfg with --inventory" "$RC" 2
check_match "--vmcfg with --inventory: message" "$ERR" \
    '^imprint: apply --inventory: '
# A variable the recipe uses and no column gives: refused before a launch.
printf 'image,name\npool/c01/System.img,clone01\n' >"$SCRATCH/noctet.csv"
run_imprint apply --backing "$CACHE" "$REC" --inventory "$SCRATCH/noctet.csv"
check_exit "missing column" "$RC" 2
check_match "missing column: names the variable" "$ERR" \
    "variable 'octet' is neither a column of '.*noctet\\.csv'"
check_nomatch "missing column: no launch" "$ERR" 'launch|appliance'
check_eq "usage errors: nothing written" "$(sums)" "$BEFORE"
check_eq "usage errors: no undo record" \
    "$(ls "$POOL"/*/*.imprint-undo 2>/dev/null)" ""

# --- the batch: 32 rows, -j 2 ------------------------------------------------
REP=$SCRATCH/report.json
run_imprint apply --backing "$CACHE" "$REC" --inventory "$INV" -j 2 --report "$REP"
check_exit "batch" "$RC" 1
TABLE=$OUT BERR=$ERR
check_eq "report mode" "$(stat -c %a "$REP" 2>&1)" 600
J=$(cat "$REP")
q() { jq -r "$1" <<<"$J"; }
check_eq "report schema" "$(q '.schema')" 1
check_eq "report summary" "$(q '.summary | [.images, .changed,
    .["no changes"], .["would change"], .failed, .skipped] | join(" ")')" \
    "32 30 0 0 2 0"
check_eq "report header" \
    "$(q '[.shard, .dry_run, .jobs, .per_launch, (.images | length)] |
    map(tostring) | join(" ")')" \
    "null false 2 32 32"
check_eq "report rows in order" "$(q '[.images[].row] | join(",")')" \
    "$(seq -s, 0 $((N - 1)))"
check_eq "report lines" "$(q '[.images[].line] | join(",")')" \
    "$(seq -s, 2 $((N + 1)))"
check_match "report launches" "$(q '.launches')" '^[1-9][0-9]*$'

# The two failures.
for i in $BAD_IMG $BAD_ROW; do
	r=$(q ".images[$((i - 1))] | [.result, .partly_changed,
	    (.messages | length > 0), .undo] | map(tostring) | join(\" \")")
	check_eq "c$(nn "$i"): failed, nothing changed" "$r" \
	    "failed false true null"
done
M19=$(q ".images[$((BAD_ROW - 1))].messages[]")
check_match "c19: message names the row" "$M19" "inv\.csv:$((BAD_ROW + 1)): "
check_match "c19: message names the address" "$M19" '192\.0\.2\.300/24'
M7=$(q ".images[$((BAD_IMG - 1))].messages[]")
check_match "c07: message says why" "$M7" \
    "/c07/System\\.img.*(smaller than|mount|truncat)"
check_nomatch "c07: no image" "$(q ".images[$((BAD_IMG - 1))].identity")" \
    '^\{'
for i in $BAD_IMG $BAD_ROW; do
	check_eq "c$(nn "$i"): image and vm.cfg byte-identical" \
	    "$(line_of "$i" "$(sums)")" "$(line_of "$i" "$BEFORE")"
	[ ! -e "$POOL/c$(nn "$i")/System.img.imprint-undo" ] && pass ||
	    fail "c$(nn "$i"): an undo record"
	check_eq "c$(nn "$i"): directory" "$(ls "$POOL/c$(nn "$i")")" \
	    "System.img
vm.cfg"
done

# The 30 others: changed, each with its undo record, its own MACs and
# uuid, and its vm.cfg edited in place (name, uuid, the two vif MACs, the
# disk: the row's image).
GOOD=()
for i in $(seq 1 $N); do
	[ "$i" -eq $BAD_IMG ] || [ "$i" -eq $BAD_ROW ] || GOOD+=("$i")
done
check_eq "good rows" "${#GOOD[@]}" 30
bad_cfg=0 bad_res=0 bad_undo=0
for i in "${GOOD[@]}"; do
	d=$POOL/c$(nn "$i")
	o=$(q ".images[$((i - 1))] | [.result, .partly_changed, .root,
	    .identity.hostname, .identity.name, .image] | map(tostring) |
	    join(\" \")")
	w="changed false $ROOTDEV clone$(nn "$i").example.com clone$(nn "$i")"
	if [ "$o" != "$w $d/System.img" ]; then
		bad_res=$((bad_res + 1))
		echo "    c$(nn "$i"): $o"
	fi
	u=$(q ".images[$((i - 1))].undo")
	if [ "$u" != "$d/System.img.imprint-undo" ] || [ ! -f "$u" ]; then
		bad_undo=$((bad_undo + 1))
		echo "    c$(nn "$i"): undo $u"
	fi
	m0=$(q ".images[$((i - 1))].identity[\"nic0.mac\"]")
	m1=$(q ".images[$((i - 1))].identity[\"nic1.mac\"]")
	uuid=$(q ".images[$((i - 1))].identity.uuid")
	want=$(sed -e "s/^name = 'tmpl-rhel5'$/name = 'clone$(nn "$i")'/" \
	    -e "s/^uuid = '.*'$/uuid = '$uuid'/" \
	    -e "s/'mac=00:16:3e:10:30:01,/'mac=$m0,/" \
	    -e "s/'mac=00:16:3e:10:30:02,/'mac=$m1,/" \
	    -e "s|'phy:/dev/vg_guests/tmpl-rhel5,|'phy:$d/System.img,|" \
	    "$DATA/lvm.vm.cfg")
	if [ "$(cat "$d/vm.cfg")" != "$want" ]; then
		bad_cfg=$((bad_cfg + 1))
		diff -u <(printf '%s\n' "$want") "$d/vm.cfg" | sed 's/^/    /'
	fi
done
check_eq "30 changed, each its own hostname and name" "$bad_res" 0
check_eq "30 undo records" "$bad_undo" 0
check_eq "30 vm.cfg edited: name, uuid, vif MACs, disk" "$bad_cfg" 0
check_eq "c01: the disk follows the inventory's image" \
    "$(grep '^disk' "$POOL/c01/vm.cfg")" \
    "disk = ['phy:$POOL/c01/System.img,xvda,w']"
check_eq "c01: identity disk0" "$(q '.images[0].identity.disk0')" \
    "$POOL/c01/System.img"
check_eq "undo record mode" \
    "$(stat -c %a "$POOL/c01/System.img.imprint-undo")" 600
GOODSEL='[.images[] | select(.result == "changed")]'
MACS=$(q "$GOODSEL | .[] | .identity[\"nic0.mac\"], .identity[\"nic1.mac\"]")
check_eq "60 MACs" "$(wc -l <<<"$MACS")" 60
check_eq "60 MACs distinct" "$(sort -u <<<"$MACS" | wc -l)" 60
check_eq "60 MACs are Xen's (00:16:3e:[0-7]x)" \
    "$(grep -Ec '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$' <<<"$MACS")" 60
check_nomatch "no template MAC reused" "$MACS" '^00:16:3e:10:30:0[12]$'
UUIDS=$(q "$GOODSEL | .[].identity.uuid")
check_eq "30 uuids distinct" "$(sort -u <<<"$UUIDS" | grep -Ec \
    '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')" 30
check_eq "generated: two MACs and a uuid each" \
    "$(q "[$GOODSEL | .[] | .generated | map(sub(\"=.*\"; \"\")) |
    join(\",\")] | unique | join(\" \")")" "nic0.mac,nic1.mac,uuid"
check_eq "a root password each" "$(q "[$GOODSEL | .[].root_password |
    select(test(\"^[A-Za-z0-9]{20}$\"))] | length")" 30
check_eq "changes: hostname, MACs, password, name, uuid" \
    "$(q '.images[0].changes | map(sub(":.*"; "")) | join(",")')" \
    "hostname,nic0 eth0,nic1 eth1,root password,name,uuid,disk0"
NS=/etc/sysconfig
FILES="guest modify $NS/network,guest modify /etc/hosts"
FILES+=",guest modify $NS/network-scripts/ifcfg-eth0"
FILES+=",guest modify $NS/network-scripts/ifcfg-eth1"
FILES+=",guest remove /etc/udev/rules.d/70-persistent-net.rules"
FILES+=",guest remove /var/lib/dhclient/dhclient-eth1.leases"
FILES+=",guest modify /etc/shadow,host modify $POOL/c01/vm.cfg"
check_eq "files: 7 in the guest, vm.cfg on the host" \
    "$(q '[.images[0].files[] | "\(.side) \(.op) \(.path)"] | join(",")')" \
    "$FILES"
# Each message is filed under its own row: none names another clone.
check_eq "messages filed under their own row" \
    "$(q '[.images[] | (.image | capture("/(?<c>c[0-9]+)/System\\.img$").c)
    as $c | .messages[] | select(test("/c[0-9]+/") and
    (test("/" + $c + "/") | not))] | length')" 0

# The table on stdout.
check_match "table header" "$TABLE" \
    '^IMAGE  +HOSTNAME  +MACS  +RESULT  +SECONDS$'
check_eq "table: 30 changed lines" \
    "$(grep -Ec '  changed  +[0-9]+\.[0-9]+$' <<<"$TABLE")" 30
check_eq "table: 2 failed lines" \
    "$(grep -Ec '  failed  +[0-9]+\.[0-9]+$' <<<"$TABLE")" 2
m0=$(q '.images[0].identity["nic0.mac"]')
m1=$(q '.images[0].identity["nic1.mac"]')
check_match "table: c01 line" "$TABLE" \
    "c01/System\.img  +clone01\.example\.com  +$m0,$m1  +changed  +[0-9.]+$"
check_match "table: c07 line" "$TABLE" 'c07/System\.img .* failed  +[0-9.]+$'
check_match "table: c07 reason" "$TABLE" \
    "c07/System\.img \(.*inv\.csv line $((BAD_IMG + 1))\): [^ ]"
check_match "table: c19 reason" "$TABLE" \
    "c19/System\.img \(.*inv\.csv line $((BAD_ROW + 1))\): .*192\.0\.2\.300"
check_match "table: summary" "$TABLE" '^30 of 32 images done, 2 failed or'\
' not done, in [0-9.]+ s \([0-9]+ launches, -j 2, --per-launch 32\)$'
check_nomatch "no progress bar when stderr is not a terminal" "$BERR" $'\r'

# --- read back: one read-only appliance for 9 of the 30 ---------------------
# inspect lists each image's filesystems, which takes LVM restricted to
# it (about 8 s an image under TCG with many drives): the clones read back
# are the first and second of each appliance's slice (found through LVM,
# and through the first one's LV offset), those after each failed row,
# and the last ones.
READ=(1 2 8 16 17 18 20 31 32)
IMGS=()
for i in "${READ[@]}"; do IMGS+=("$POOL/c$(nn "$i")/System.img"); done
run_imprint inspect --backing "$CACHE" --vmcfg auto --root "$ROOTDEV" --json \
    "${IMGS[@]}"
check_exit "inspect the 9: consistent" "$RC" 0
IJ=$OUT
iq() { jq -r "$1" <<<"$IJ"; }
check_eq "inspect: 9 images, all consistent" "$(iq '[.images[] |
    select(.consistent == true and (.findings | length) == 0)] | length')" 9
bad=0
for k in "${!READ[@]}"; do
	i=${READ[$k]}
	g=$(iq ".images[$k] | [.image,
	    ([.identity.hostnames[] | select(.key == \"HOSTNAME\") |
	    .value] | join(\",\")), .vmcfg.name, .vmcfg.uuid,
	    ([.identity.nics[] | select(.device == \"eth0\") | .ipaddr] |
	    join(\",\")), ([.vmcfg.nics[].mac] | join(\",\"))] | join(\" \")")
	w=$(q ".images[$((i - 1))] | [.image, .identity.hostname,
	    .identity.name, .identity.uuid, \"192.0.2.$((10 + i))\",
	    .identity[\"nic0.mac\"] + \",\" + .identity[\"nic1.mac\"]] |
	    join(\" \")")
	if [ "$g" != "$w" ]; then
		bad=$((bad + 1))
		printf '    got:  %s\n    want: %s\n' "$g" "$w"
	fi
done
check_eq "inspect: each clone has its own row's identity" "$bad" 0
check_eq "inspect: ifcfg HWADDRs = vif MACs" "$(iq '[.images[] |
    select([.identity.nics[] | select(.device != "lo") | .hwaddr |
    ascii_downcase] != [.vmcfg.nics[].mac | ascii_downcase])] | length')" 0
check_eq "inspect: udev rules gone" \
    "$(iq '[.images[].identity.udev_rules[]] | length')" 0

# --- second run on a shard: nothing to change --------------------------------
# Shard 0/4 is rows 0, 4, ..., 28: neither c07 (row 6) nor c19 (row 18).
for i in $(seq 1 4 $N); do
	cp "$POOL/c$(nn "$i")/vm.cfg" "$SCRATCH/c$(nn "$i").cfg.after"
	cp "$POOL/c$(nn "$i")/System.img.imprint-undo" \
	    "$SCRATCH/c$(nn "$i").undo.after"
done
J1=$J
run_imprint apply --backing "$CACHE" "$REC" --inventory "$INV" -j 2 --shard 0/4 --json
check_exit "shard 0/4 again" "$RC" 0
J=$OUT
check_eq "shard: header" "$(q '[.shard, .summary.images,
    .summary["no changes"], .summary.failed, .summary.skipped] |
    join(" ")')" "0/4 8 8 0 0"
check_eq "shard: rows" "$(q '[.images[].row] | join(",")')" \
    "0,4,8,12,16,20,24,28"
check_eq "shard: all no changes" "$(q '[.images[] | [.result,
    .partly_changed, (.generated | length), (.files | length),
    .root_password] | map(tostring) | join("/")] | unique | join(" ")')" \
    "no changes/false/0/0/null"
check_eq "shard: identities as after the first run" \
    "$(q '[.images[] | .identity]')" \
    "$(jq -r '[.images[] | select(.row % 4 == 0) | .identity]' <<<"$J1")"
bad=0
for i in $(seq 1 4 $N); do
	cmp -s "$POOL/c$(nn "$i")/vm.cfg" "$SCRATCH/c$(nn "$i").cfg.after" &&
	    cmp -s "$POOL/c$(nn "$i")/System.img.imprint-undo" \
	    "$SCRATCH/c$(nn "$i").undo.after" || bad=$((bad + 1))
done
check_eq "shard: vm.cfg and undo records untouched" "$bad" 0

# --- undo one clone ----------------------------------------------------------
run_imprint undo --backing "$CACHE" --json "$POOL/c03/System.img"
check_exit "undo c03" "$RC" 0
J=$OUT
check_eq "undo c03 --json: schema, image, host files" \
    "$(q '[.schema, .image, (.host | join(","))] | map(tostring) | join(" ")')" \
    "1 $POOL/c03/System.img $(realpath "$POOL/c03/vm.cfg")"
check_eq "undo c03 --json: guest files restored" \
    "$(q '[.restored[] | select(. == "/etc/shadow" or
        . == "/etc/sysconfig/network-scripts/ifcfg-eth0")] | sort | join(" ")')" \
    "/etc/shadow /etc/sysconfig/network-scripts/ifcfg-eth0"
check_eq "undo c03 --json: removed is a list" "$(q '.removed | type')" array
check_same_file "undo c03: vm.cfg as before" "$POOL/c03/vm.cfg" \
    "$DATA/lvm.vm.cfg"
[ ! -e "$POOL/c03/System.img.imprint-undo" ] && pass ||
    fail "undo c03: undo record left"
check_eq "undo c03: others keep theirs" \
    "$(ls "$POOL"/*/System.img.imprint-undo | wc -l)" 29

# --- fresh clones after the first: one read-write mount each ---------------
# A loop device a read-only mount made stays read-only, so each LVM clone
# reached through the first one's map once took two mounts.  A clone with
# no undo record, under a recipe that always writes (root-password =
# random), whose root bytes are still the first clone's, is mounted
# read-write at once (guest.c, rw_at_once).  Five rows in one launch,
# traced: f1 (fresh: LVM, the map learned on it), c03 (undone: no record,
# but its filesystem has been mounted since), f2 (fresh: one mount), c05
# (applied: its record makes it a re-run, read-only, no changes), f3
# (fresh, but its plan fails: eth1 takes the MAC of a vif that has none).
REC2=$SCRATCH/clone2.rcp
awk '/^\[nic eth1\]$/ { n = 1 } n && /^mac = auto$/ { $0 = "mac = ${m1}" } 1' \
    "$REC" >"$REC2"
INV2=$SCRATCH/inv2.csv
printf 'image,name,octet,m1\n' >"$INV2"
for f in f1 f2 f3; do
	mkdir "$POOL/$f"
	qemu-img create -q -f qcow2 -F raw -b "$CACHE/lvm.img" \
	    "$POOL/$f/System.img"
	cp "$DATA/lvm.vm.cfg" "$POOL/$f/vm.cfg"
done
sed -i 's/mac=00:16:3e:10:30:02,//' "$POOL/f3/vm.cfg"
cp "$POOL/f3/vm.cfg" "$SCRATCH/f3.cfg"
printf '%s\n' "pool/f1/System.img,fresh1,101,auto" \
    "pool/c03/System.img,clone03,13,auto" \
    "pool/f2/System.img,fresh2,102,auto" \
    "pool/c05/System.img,clone05,15,auto" \
    "pool/f3/System.img,fresh3,103,from-config" >>"$INV2"
F2SUM=$(sha256sum <"$POOL/f2/System.img")
REP2=$SCRATCH/report2.json
LIBGUESTFS_TRACE=1 run_imprint apply --backing "$CACHE" "$REC2" \
    --inventory "$INV2" -j 1 --per-launch 5 --report "$REP2"
check_exit "fresh clones" "$RC" 1
J=$(cat "$REP2")
check_eq "fresh clones: results" "$(q '[.images[].result] | join(",")')" \
    "changed,changed,changed,no changes,failed"
mounts() {	# row i's mounts of its root, as traced
	q ".images[$1].messages[]" |
	    sed -n 's/^libguestfs: trace: mount_vfs "\([^"]*\)" .* "\/"$/\1/p' |
	    sed 's/,sizelimit=.*//'
}
# (f1: the probe looks at partition 1, /boot, first; then the LV)
check_eq "f1: through LVM, read-only" "$(mounts 0)" "ro
ro"
check_match "f1: then read-write in place" "$(q '.images[0].messages[]')" \
    '^libguestfs: trace: remount "/" "rw:true"$'
check_eq "c03: read-only, then read-write" "$(mounts 1)" \
    "ro,loop,offset=1048576
loop,offset=1048576"
M2=$(mounts 2)
check_eq "f2: read-write at once" "$M2" "loop,offset=1048576"
[ "$M2" = "loop,offset=1048576" ] || {
	echo "    f1's calls that learn the map (lvmap_learn), and f2's first:"
	for i in 0 2; do
		q ".images[$i].messages[]" | grep -E 'trace: (vgmeta|'\
'lvm_set_filter|part_to_partnum|pread_device|mount_vfs|blkid)' |
		    cut -c1-160 | sed "s/^/    row $i | /"
	done
}
check_eq "c05: read-only only" "$(mounts 3)" "ro,loop,offset=1048576"
check_eq "f2: its identity" "$(q '.images[2] | [.identity.hostname,
    .identity.name, .undo] | join(" ")')" \
    "fresh2.example.com fresh2 $POOL/f2/System.img.imprint-undo"
[ "$(sha256sum <"$POOL/f2/System.img")" != "$F2SUM" ] && pass ||
    fail "f2: image unchanged"
check_eq "f3: read-write at once" "$(mounts 4)" "loop,offset=1048576"
check_match "f3: the plan's error" "$(q '.images[4].messages[]')" \
    "nic eth1: mac = from-config, but vif 1 in the domain config has no"
check_match "f3: left unchanged, and what the mount changed" \
    "$(q '.images[4].messages[]')" "'.*/f3/System\\.img' left unchanged: \
its root was mounted read-write ahead of the plan .*mount count and times only"
check_same_file "f3: vm.cfg untouched" "$POOL/f3/vm.cfg" "$SCRATCH/f3.cfg"
[ ! -e "$POOL/f3/System.img.imprint-undo" ] && pass ||
    fail "f3: an undo record"
check_eq "the note for f3 only" "$(grep -c 'ahead of the plan' <<<"$ERR")" 1

done_testing
