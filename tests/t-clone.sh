#!/bin/bash
# Integration test of `imprint clone` (imprint(1), CLONE) on copies of the
# test images (tests/images.md): an Oracle VM layout cloned as a qcow2
# overlay (the clone's directory made beside the template's) and an xm
# layout cloned as a copy, each in ONE imprint run (one appliance); the
# clone's config differs from the template's in name, uuid, vif MAC and
# disk only, the template's config and image keep every byte.  A failure
# after the disk and config are made (a recipe whose disk the config
# cannot hold, refused before the launch) leaves nothing behind.  Two
# launches in all (the appliance killed mid-write, which also proves the
# undo record goes, was dropped for make check's time: about 35 s).
. "$(dirname "$0")/lib.sh"
scratch
CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
export XDG_CACHE_HOME=$CACHE/xdg
t0=$SECONDS

# listing DIR...: every entry below DIR with its type and mode
listing() {
	find "$@" -printf '%p %y %m\n' | LC_ALL=C sort
}

# --- templates --------------------------------------------------------------
POOL=$SCRATCH/pool
mkdir -p "$POOL/tmpl1"
chmod 0750 "$POOL/tmpl1"
cp --sparse=always "$CACHE/ovs.img" "$POOL/tmpl1/System.img"
cat >"$POOL/tmpl1/vm.cfg" <<EOF
bootloader = '/usr/bin/pygrub'
disk = ['file:$POOL/tmpl1/System.img,xvda,w']
memory = '1024'
name = 'tmpl1'
uuid = '5f42be80-6d71-4295-9eaf-40b1c2d30501'
vcpus = 1
vif = ['mac=00:16:3e:10:20:01, bridge=xenbr0, type=netfront',
       'mac=00:16:3e:10:20:02, bridge=xenbr1, type=netfront']
EOF
chmod 0640 "$POOL/tmpl1/vm.cfg"

IMG=$SCRATCH/images XEN=$SCRATCH/xen
mkdir -p "$IMG" "$XEN"
cp --sparse=always "$CACHE/ovs.img" "$IMG/dc1.img"
echo 'not the template' >"$IMG/dc10.img"
cat >"$XEN/dc1.cfg" <<EOF
name = 'dc1'
uuid = '8a0cbd9e-5d55-4bb4-bd63-3ac1e1b0d001'
memory = 512
disk = ['tap:aio:$IMG/dc1.img,xvda,w', ',hdc:cdrom,r']
vif = ['mac=00:16:3e:00:00:d1, bridge=xenbr0']
EOF

# a libvirt template, for the dry run only (an XML clone would cost one
# more launch; tests/unit/test_domxml.c has the config's edits)
LV=$SCRATCH/libvirt
mkdir "$LV"
truncate -s 1M "$LV/tmplx.img"
cat >"$LV/template.xml" <<EOF
<domain type='kvm'>
  <name>tmplx</name>
  <devices>
    <disk type='file' device='disk'>
      <source file='$LV/tmplx.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='bridge'>
      <mac address='52:54:00:2b:8c:01'/>
      <source bridge='br0'/>
    </interface>
  </devices>
</domain>
EOF

# the same template as a libvirt domain: the ten clones below are made
# from it, so that an XML clone goes through the apply and the batch
cat >"$POOL/tmpl1/domain.xml" <<EOF
<domain type='kvm'>
  <name>tmpl1</name>
  <uuid>5f42be80-6d71-4295-9eaf-40b1c2d30502</uuid>
  <memory unit='KiB'>524288</memory>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$POOL/tmpl1/System.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='bridge'>
      <mac address='52:54:00:10:20:01'/>
      <source bridge='br0'/>
    </interface>
  </devices>
</domain>
EOF

sums() {
	sha256sum "$POOL/tmpl1/System.img" "$POOL/tmpl1/vm.cfg" \
	    "$POOL/tmpl1/domain.xml" \
	    "$IMG/dc1.img" "$IMG/dc10.img" "$XEN/dc1.cfg" "$LV/template.xml"
}
sums_before=$(sums)

# --- refusals before anything is made (no appliance) -----------------------
before=$(listing "$SCRATCH")
run_imprint clone --from "$XEN/dc1.cfg" --name dc2 --disk-mode snapshot
check_exit "snapshot mode: the template is no LV" "$RC" 1
check_match "snapshot mode: says so" "$ERR" \
    "disk '$IMG/dc1.img' is no LV that LVM knows|lvs is not installed"
run_imprint clone --from "$XEN/dc1.cfg" --name 'dc 2'
check_exit "a bad name" "$RC" 2
run_imprint clone --from "$XEN/dc1.cfg" --name dc2 -D name=dc3
check_exit "-D name= against --name" "$RC" 2
run_imprint clone --from "$XEN/dc1.cfg" --name dc10
check_exit "a target that exists" "$RC" 1
check_match "a target that exists: named" "$ERR" \
    "refusing to clone: disk '$IMG/dc10.img' exists"
run_imprint clone --from "$XEN/dc1.cfg" --name dc2 --disk a.img --disk b.img
check_exit "--disk twice for one disk" "$RC" 1
sed 's/^name = .*/name = '\''other'\''/' "$XEN/dc1.cfg" >"$SCRATCH/other.cfg"
run_imprint clone --from "$SCRATCH/other.cfg" --name dc2
check_exit "the name not in the disk's path" "$RC" 1
check_match "the name not in the disk's path: --disk" "$ERR" \
    "name 'other' is not in its disk's path .*give --disk"
rm "$SCRATCH/other.cfg"
run_imprint clone --dry-run --from "$LV/template.xml" --name web9 \
    --disk-mode overlay
check_exit "libvirt XML: dry run" "$RC" 0
check_eq "libvirt XML: dry run, NEW.xml beside the template" "$OUT" \
"would create disk $LV/web9.img (overlay of $LV/tmplx.img)
would create config $LV/web9.xml (from $LV/template.xml)
then apply the built-in recipe to it and to $LV/web9.img (not planned in a dry run: it needs the new disk)"
check_eq "libvirt XML: dry run, nothing on stderr" "$ERR" ""
run_imprint clone --dry-run --from "$POOL/tmpl1/vm.cfg" --name web2 \
    --disk-mode overlay
check_exit "dry run" "$RC" 0
check_eq "dry run: what it would make" "$OUT" \
"would create directory $POOL/web2 (mode 0750)
would create disk $POOL/web2/System.img (overlay of $POOL/tmpl1/System.img)
would create config $POOL/web2/vm.cfg (from $POOL/tmpl1/vm.cfg)
then apply the built-in recipe to it and to $POOL/web2/System.img (not planned in a dry run: it needs the new disk)"
run_imprint clone --dry-run --from "$POOL/tmpl1/vm.cfg" --name web_4 \
    --disk-mode overlay
check_exit "dry run, an Oracle VM style name" "$RC" 0
check_eq "dry run, an Oracle VM style name: the hostname it gets" "$ERR" \
    "imprint: note: the clone's hostname is web-4 ('web_4' is no host name; give -D hostname=NAME or a recipe to choose another)"
check_match "dry run, an Oracle VM style name: the paths keep it" "$OUT" \
    "^would create disk $POOL/web_4/System.img "
cd "$SCRATCH" || exit 1
run_imprint clone -n --from "$XEN/dc1.cfg" --name dc2 --disk-mode overlay \
    --disk rel/d.img --config-out "$SCRATCH/dc2-out.cfg"
check_exit "dry run: --disk, --config-out" "$RC" 1
check_match "dry run: a --disk directory is never made" "$ERR" \
    "the directory of disk '$SCRATCH/rel/d.img' does not exist"
run_imprint clone -n --from "$XEN/dc1.cfg" --name dc2 --disk-mode overlay \
    --disk d.img --config-out dc2-out.cfg
cd "$TOP" || exit 1
check_exit "dry run: relative --disk and --config-out" "$RC" 0
check_eq "dry run: relative paths made absolute" "$(sed -n 1,2p <<<"$OUT")" \
"would create disk $SCRATCH/d.img (overlay of $IMG/dc1.img)
would create config $SCRATCH/dc2-out.cfg (from $XEN/dc1.cfg)"
run_imprint clone -n --from "$XEN/dc1.cfg" --name dc2 --config-out "$IMG/dc2.img"
check_exit "config and disk on one path" "$RC" 1
check_eq "refusals and dry run made nothing" "$(listing "$SCRATCH")" "$before"

# --- overlay: the Oracle VM layout, the clone's directory made -------------
run_imprint clone --from "$POOL/tmpl1/vm.cfg" --name web2 --disk-mode overlay
check_exit "overlay" "$RC" 0
check_eq "overlay: what it made" "$(sed -n '1,3p' <<<"$OUT")" \
"created directory $POOL/web2
created disk $POOL/web2/System.img (overlay of $POOL/tmpl1/System.img)
created config $POOL/web2/vm.cfg"
check_match "overlay: the guest changed" "$OUT" \
    "^$POOL/web2/System.img: changed \(root /dev/sda2\)$"
check_match "overlay: hostname" "$OUT" '^  hostname: tmpl-el5\.example\.com -> web2$'
check_match "overlay: new ssh host key" "$OUT" '^  ssh host key rsa: new SHA256:'
mac=$(sed -n 's/^  generated nic0\.mac=//p' <<<"$OUT")
mac1=$(sed -n 's/^  generated nic1\.mac=//p' <<<"$OUT")
check_match "overlay: a vif the guest does not configure: no config written" \
    "$OUT" '^  nic eth1: the guest does not configure it; boot = keep writes no /etc/sysconfig/network-scripts/ifcfg-eth1$'
check_match "overlay: ... but a new MAC" "$mac1" '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$'

uuid=$(sed -n 's/^  generated uuid=//p' <<<"$OUT")
check_match "overlay: a new MAC" "$mac" '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$'
check_match "overlay: a new uuid" "$uuid" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-'
check_eq "overlay: config differs in name, uuid, MAC, disk (qcow2) only" \
    "$(diff "$POOL/tmpl1/vm.cfg" "$POOL/web2/vm.cfg")" \
"2c2
< disk = ['file:$POOL/tmpl1/System.img,xvda,w']
---
> disk = ['tap:qcow2:$POOL/web2/System.img,xvda,w']
4,5c4,5
< name = 'tmpl1'
< uuid = '5f42be80-6d71-4295-9eaf-40b1c2d30501'
---
> name = 'web2'
> uuid = '$uuid'
7,8c7,8
< vif = ['mac=00:16:3e:10:20:01, bridge=xenbr0, type=netfront',
<        'mac=00:16:3e:10:20:02, bridge=xenbr1, type=netfront']
---
> vif = ['mac=$mac, bridge=xenbr0, type=netfront',
>        'mac=$mac1, bridge=xenbr1, type=netfront']"
info=$(qemu-img info -U --output=json "$POOL/web2/System.img")
check_match "overlay: qcow2" "$info" '"format": "qcow2"'
check_match "overlay: backing file, absolute" "$info" \
    "\"backing-filename\": \"$POOL/tmpl1/System.img\""
check_match "overlay: backing format recorded" "$info" \
    '"backing-filename-format": "raw"'
check_eq "overlay: modes (directory as the template's)" \
    "$(stat -c '%n %a' "$POOL/web2" "$POOL/web2/vm.cfg")" \
"$POOL/web2 750
$POOL/web2/vm.cfg 640"
check_eq "overlay: the clone's files" "$(ls "$POOL/web2")" \
"System.img
System.img.imprint-undo
vm.cfg"

echo "t-clone: overlay done at $((SECONDS - t0)) s"

# --- copy, --json: the xm layout, a CD-ROM left alone ----------------------
run_imprint clone --json --from "$XEN/dc1.cfg" --name dc2 --disk-mode copy
check_exit "copy" "$RC" 0
check_eq "copy: created" \
    "$(jq -c '.created | {directories, config, d: [.disks[] | [.path, .template, .mode, .format]]}' <<<"$OUT")" \
    "{\"directories\":[],\"config\":\"$XEN/dc2.cfg\",\"d\":[[\"$IMG/dc2.img\",\"$IMG/dc1.img\",\"copy\",\"raw\"]]}"
check_match "copy: reflinked or not, said" \
    "$(jq -r '.created.disks[0].reflinked' <<<"$OUT")" '^(true|false)$'
check_eq "copy: the apply's report" \
    "$(jq -r '.schema, .images[0].image, .images[0].result' <<<"$OUT")" \
"1
$IMG/dc2.img
changed"
mac=$(jq -r '.images[0].identity["nic0.mac"]' <<<"$OUT")
uuid=$(jq -r '.images[0].identity.uuid' <<<"$OUT")
check_eq "copy: config differs in name, uuid, MAC, disk only" \
    "$(diff "$XEN/dc1.cfg" "$XEN/dc2.cfg")" \
"1,2c1,2
< name = 'dc1'
< uuid = '8a0cbd9e-5d55-4bb4-bd63-3ac1e1b0d001'
---
> name = 'dc2'
> uuid = '$uuid'
4,5c4,5
< disk = ['tap:aio:$IMG/dc1.img,xvda,w', ',hdc:cdrom,r']
< vif = ['mac=00:16:3e:00:00:d1, bridge=xenbr0']
---
> disk = ['tap:aio:$IMG/dc2.img,xvda,w', ',hdc:cdrom,r']
> vif = ['mac=$mac, bridge=xenbr0']"
check_eq "copy: same size as the template" "$(stat -c %s "$IMG/dc2.img")" \
    "$(stat -c %s "$IMG/dc1.img")"
blocks1=$(stat -c %b "$IMG/dc1.img") blocks2=$(stat -c %b "$IMG/dc2.img")
[ "$blocks2" -le $((blocks1 + 2048)) ] && pass ||
    fail "copy: holes not kept ($blocks2 blocks, template $blocks1)"
check_eq "copy: the template's config and images unchanged" "$(sums)" \
    "$sums_before"

echo "t-clone: copy done at $((SECONDS - t0)) s"

# --- many at once: ten clones and a bad row, one launch --------------------
# The issue's acceptance: ten distinct MACs, uuids, hostnames and disks,
# the template unchanged; the row the recipe refuses leaves nothing.  The
# template is the libvirt XML one: each clone's domain XML differs from it
# in name, uuid, MAC, disk source and, for the overlay, the driver type.
run_imprint clone --from "$POOL/tmpl1/domain.xml" --inventory /dev/null \
    --disk "$SCRATCH/x.img"
check_exit "--inventory with --disk" "$RC" 2
printf 'name,octet\nmany1,21\nmany1,22\n' >"$SCRATCH/many.csv"
run_imprint clone --from "$POOL/tmpl1/domain.xml" --inventory "$SCRATCH/many.csv"
check_exit "--inventory: one name twice" "$RC" 1
check_eq "--inventory: one name twice, said" "$ERR" \
    "imprint: $SCRATCH/many.csv:3: name 'many1' is also the row at line 2's"
printf 'octet\n21\n' >"$SCRATCH/many.csv"
run_imprint clone --from "$POOL/tmpl1/domain.xml" --inventory "$SCRATCH/many.csv"
check_exit "--inventory: no name column" "$RC" 2
check_eq "--inventory: no name column, said" "$ERR" \
    "imprint: $SCRATCH/many.csv:1: no 'name' column (the clones' names)"
{
	echo name,octet
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "many$i,$((20 + i))"; done
	echo many11,300
} >"$SCRATCH/many.csv"
cat >"$SCRATCH/many.rcp" <<'EOF'
[guest]
root = auto
hostname = ${name}.example.com
[nic eth0]
mac = auto
boot = static
address = 192.0.2.${octet}/24
[host]
name = ${name}
uuid = new
EOF
run_imprint clone --json --from "$POOL/tmpl1/domain.xml" \
    --inventory "$SCRATCH/many.csv" --disk-mode overlay -j 1 \
    "$SCRATCH/many.rcp"
check_exit "ten clones and a bad row" "$RC" 1
check_eq "ten clones: the results, in one launch" \
    "$(jq -r '.launches, ([.images[].result] | join(" "))' <<<"$OUT")" \
    "1
changed changed changed changed changed changed changed changed changed changed failed"
check_eq "the bad row: said, and what it made removed" "$ERR" \
"imprint: $SCRATCH/many.csv:12: row for $POOL/many11/System.img: $SCRATCH/many.rcp:7: bad address '192.0.2.300/24': expected a.b.c.d/N
imprint: clone 'many11' failed: removing what it created
imprint: removed '$POOL/many11/domain.xml'
imprint: removed '$POOL/many11/System.img'
imprint: removed directory '$POOL/many11'"
# each clone: "N HOSTNAME MAC UUID"
ids=$(jq -r '.images[] | select(.result == "changed") |
    [(.image | capture("many(?<n>[0-9]+)/").n), .identity.hostname,
    .identity["nic0.mac"], .identity.uuid] | join(" ")' <<<"$OUT")
check_eq "ten clones: ten hostnames, their own" \
    "$(awk '{ print $1, $2 }' <<<"$ids" | sort -n | tr '\n' ' ')" \
    "1 many1.example.com 2 many2.example.com 3 many3.example.com 4 many4.example.com 5 many5.example.com 6 many6.example.com 7 many7.example.com 8 many8.example.com 9 many9.example.com 10 many10.example.com "
check_eq "ten clones: ten distinct MACs (libvirt's prefix), none the template's" \
    "$(awk '{ print $3 }' <<<"$ids" | grep -v '^52:54:00:10:20:01$' |
    grep -E '^52:54:00(:[0-9a-f]{2}){3}$' | sort -u | wc -l)" 10
check_eq "ten clones: ten distinct uuids, none the template's" \
    "$(awk '{ print $4 }' <<<"$ids" | grep -v '^5f42be80-' |
    grep -E '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$' | sort -u |
    wc -l)" 10
bad=0
while read -r n host mac uuid; do
	# the template's XML with exactly name, uuid, MAC, disk source and
	# the driver type (an overlay is qcow2) changed
	exp=$(sed -e "s|<name>tmpl1</name>|<name>many$n</name>|" \
	    -e "s|<uuid>.*</uuid>|<uuid>$uuid</uuid>|" \
	    -e "s|'52:54:00:10:20:01'|'$mac'|" \
	    -e "s|type='raw'|type='qcow2'|" \
	    -e "s|/tmpl1/System.img|/many$n/System.img|" \
	    "$POOL/tmpl1/domain.xml")
	[ "$exp" = "$(cat "$POOL/many$n/domain.xml")" ] || {
		bad=$((bad + 1))
		echo "many$n/domain.xml: $(diff <(printf '%s\n' "$exp") \
		    "$POOL/many$n/domain.xml")" >&2
	}
	[ "$(qemu-img info -U --output=json "$POOL/many$n/System.img" |
	    jq -r '.format + " " + ."backing-filename"')" = \
	    "qcow2 $POOL/tmpl1/System.img" ] || bad=$((bad + 1))
done <<<"$ids"
check_eq "ten clones: ten disks and configs, each its own" "$bad" 0
check_eq "ten clones: no eleventh" "$(ls -d "$POOL"/many* | wc -l)" 10
check_eq "ten clones: the template unchanged" "$(sums)" "$sums_before"
rm -rf "$POOL"/many* "$SCRATCH"/many.*

echo "t-clone: ten clones done at $((SECONDS - t0)) s"

# --- failures after creation leave nothing behind ---------------------------
# Injected, no launch: the config's directory immutable (chattr +i: root
# ignores modes), then the disk's filesystem full (a 256 KiB tmpfs; the
# image holds about 840 KiB of data).
mkdir "$SCRATCH/ro" "$SCRATCH/full"
before=$(listing "$SCRATCH")
if chattr +i "$SCRATCH/ro" 2>/dev/null; then
	run_imprint clone --from "$XEN/dc1.cfg" --name dc5 --disk-mode copy \
	    --config-out "$SCRATCH/ro/dc5.cfg"
	chattr -i "$SCRATCH/ro"
	check_exit "config directory immutable" "$RC" 1
	check_eq "config directory immutable: said, the disk removed" "$ERR" \
"imprint: cannot create '$SCRATCH/ro/dc5.cfg': Operation not permitted
imprint: clone 'dc5' failed: removing what it created
imprint: removed '$IMG/dc5.img'"
	check_eq "config directory immutable: nothing left" \
	    "$(listing "$SCRATCH")" "$before"
else
	skip 3 "config directory immutable: no chattr +i on this filesystem"
fi
if mount -t tmpfs -o size=256k imprint-full "$SCRATCH/full" 2>/dev/null; then
	run_imprint clone --from "$XEN/dc1.cfg" --name dc6 --disk-mode copy \
	    --disk "$SCRATCH/full/dc6.img"
	check_eq "target filesystem full: nothing left on it" \
	    "$(ls -A "$SCRATCH/full")" ""
	umount "$SCRATCH/full"
	check_exit "target filesystem full" "$RC" 1
	check_match "target filesystem full: said" "$ERR" \
	    "^imprint: cannot [a-z ]+ '$SCRATCH/full/dc6\.img': No space left on device$"
	check_eq "target filesystem full: nothing left" "$(listing "$SCRATCH")" \
	    "$before"
else
	skip 5 "target filesystem full: cannot mount a tmpfs here"
fi
rmdir "$SCRATCH/ro" "$SCRATCH/full"
before=$(listing "$SCRATCH")
printf '[guest]\nhostname = ${name}\n[host]\nname = ${name}\ndisk0 = %s\n' \
    "$IMG/a,b.img" >"$SCRATCH/bad.rcp"
run_imprint clone --from "$POOL/tmpl1/vm.cfg" --name web3 --disk-mode overlay \
    "$SCRATCH/bad.rcp"
check_exit "refused by the apply" "$RC" 1
check_eq "refused by the apply: removed, newest first" \
    "$(grep '^imprint: removed' <<<"$ERR")" \
"imprint: removed '$POOL/web3/vm.cfg'
imprint: removed '$POOL/web3/System.img'
imprint: removed directory '$POOL/web3'"
rm "$SCRATCH/bad.rcp"
check_eq "refused by the apply: nothing left" "$(listing "$SCRATCH")" "$before"

check_eq "the templates unchanged at the end" "$(sums)" "$sums_before"

echo "t-clone: $((SECONDS - t0)) s"
done_testing
