#!/bin/bash
# Integration test of `imprint apply` and `imprint undo` on the test
# images (tests/images.md): the Oracle VM 2 layout (System.img with vm.cfg
# beside it, two NICs where the template has one), the RHEL LVM layout
# (root /dev/VolGroup00/LogVol00) and Debian 12 (a symlink removed and
# restored); Oracle VM 3's config and resync are t-rootdir's, on a tree.  Each check reads the result back from
# the image (imprint inspect, guestfish) and the config, byte for byte.
. "$(dirname "$0")/lib.sh"
scratch
CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
DATA=$TOP/tests/data
# imprint's note that KVM cannot start the appliance here (guest.c), in
# the test cache: only the first script pays the KVM watchdog where KVM
# hangs (t-inspect keeps its own, to test the fallback itself).
export XDG_CACHE_HOME=$CACHE/xdg

# Oracle VM 2 layout, on a copy.
VM=$SCRATCH/running_pool/web1
mkdir -p "$VM"
cp --sparse=always "$CACHE/ovs.img" "$VM/System.img"
cp "$DATA/ovs.vm.cfg" "$VM/vm.cfg"
cp "$VM/vm.cfg" "$SCRATCH/ovs.vm.cfg.orig"
OVS_FILES=(/etc/sysconfig/network /etc/hosts
    /etc/sysconfig/network-scripts/ifcfg-eth0
    /etc/sysconfig/network-scripts/ifcfg-eth1
    /etc/udev/rules.d/70-persistent-net.rules /etc/sysconfig/hwconf
    /etc/shadow /etc/ssh/ssh_host_rsa_key /etc/ssh/ssh_host_rsa_key.pub
    /etc/ssh/ssh_host_dsa_key /etc/ssh/ssh_host_dsa_key.pub)
before=$(fingerprint "$VM/System.img" /dev/sda2 "${OVS_FILES[@]}")
check_match "fingerprint read" "$before" \
    '^/etc/hosts sha256=[0-9a-f]{64} st_mode=33188 st_uid=0 st_gid=0 st_size=[0-9]+$'
check_match "fingerprint absent" "$before" \
    '^/etc/sysconfig/network-scripts/ifcfg-eth1 absent$'
img_sum=$(sha256sum <"$VM/System.img")
REC=$TOP/recipes/ovm2-el5-clone.rcp

# --- before apply: the copied config names the template's disk -------------
run_imprint inspect --partition 2 --vmcfg "$VM/vm.cfg" "$VM/System.img"
check_exit "inspect before apply: inconsistent" "$RC" 1
check_eq "inspect before apply: the disk finding" \
    "$(grep '^  disk-' <<<"$OUT")" \
    "  disk-not-image: $VM/vm.cfg:2: disk0 is '/OVS/running_pool/tmpl-el5/System.img', not the inspected image '$VM/System.img': the domain would boot another disk ('imprint apply' makes it follow the image)"
check_match "inspect before apply: one problem" "$OUT" '^consistency: 1 problem$'

# --- dry run: a diff, and not a byte written --------------------------------
run_imprint apply --dry-run -D name=web1 -D octet=21 "$REC" "$VM/System.img"
check_exit "dry run" "$RC" 0
check_match "dry run: HOSTNAME diff" "$OUT" '^\+HOSTNAME=web1\.example\.com$'
check_match "dry run: old HOSTNAME" "$OUT" '^-HOSTNAME=tmpl-el5\.example\.com$'
check_match "dry run: new ifcfg-eth1" "$OUT" \
    '^\+\+\+ b/etc/sysconfig/network-scripts/ifcfg-eth1$'
check_match "dry run: vm.cfg diff" "$OUT" "^\+name = 'web1'$"
check_eq "dry run: disk diff" "$(grep "^[-+]disk = " <<<"$OUT")" \
    "-disk = ['file:/OVS/running_pool/tmpl-el5/System.img,xvda,w']
+disk = ['file:$VM/System.img,xvda,w']"
check_match "dry run: disk summary" "$OUT" \
    "^  disk0: /OVS/running_pool/tmpl-el5/System\.img -> $VM/System\.img$"
check_match "dry run: state" "$OUT" "System.img: would change \(root /dev/sda2\)$"
check_eq "dry run: image unchanged" "$(sha256sum <"$VM/System.img")" "$img_sum"
check_same_file "dry run: vm.cfg unchanged" "$VM/vm.cfg" "$SCRATCH/ovs.vm.cfg.orig"
check_eq "dry run: no undo record" "$(ls "$VM")" "System.img
vm.cfg"

# --- apply ------------------------------------------------------------------
run_imprint apply -D name=web1 -D octet=21 "$REC" "$VM/System.img"
check_exit "apply" "$RC" 0
check_match "apply: changed" "$OUT" "System.img: changed \(root /dev/sda2\)$"
check_match "apply: hostname summary" "$OUT" \
    '^  hostname: tmpl-el5\.example\.com -> web1\.example\.com$'
check_match "apply: password shown once" "$OUT" '^  root password: [A-Za-z0-9]{20}$'
check_match "apply: undo record named" "$OUT" \
    "^  undo record: .*/web1/System\.img\.imprint-undo$"
mac0=$(sed -n 's/^  generated nic0\.mac=//p' <<<"$OUT")
mac1=$(sed -n 's/^  generated nic1\.mac=//p' <<<"$OUT")
uuid=$(sed -n 's/^  generated uuid=//p' <<<"$OUT")
check_match "new MAC 0 is Xen's" "$mac0" '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$'
check_match "new MAC 1 is Xen's" "$mac1" '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$'
[ "$mac0" != "$mac1" ] && pass || fail "the two new MACs are equal"
check_match "new uuid" "$uuid" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
[ -f "$VM/System.img.imprint-undo" ] && pass || fail "no undo record"
check_eq "undo record mode" "$(stat -c %a "$VM/System.img.imprint-undo")" 600

# The host config: uuid replaced where it stood, name, vifs, the clone's
# own disk with file: and ,xvda,w kept; nothing else.
expect=$(sed -e "s/^name = 'tmpl-el5'$/name = 'web1'/" \
    -e "s/^uuid = '.*'$/uuid = '$uuid'/" \
    -e "s/mac=00:16:3e:10:20:01, bridge=xenbr0, type=netfront'/mac=$mac0, bridge=xenbr0, type=netfront', 'mac=$mac1,bridge=xenbr1'/" \
    -e "s|^disk = \['file:/OVS/running_pool/tmpl-el5/System.img,xvda,w'\]$|disk = ['file:$VM/System.img,xvda,w']|" \
    "$SCRATCH/ovs.vm.cfg.orig")
check_eq "vm.cfg after apply" "$(cat "$VM/vm.cfg")" "$expect"
vdiff=$(diff "$SCRATCH/ovs.vm.cfg.orig" "$VM/vm.cfg")
check_eq "vm.cfg: 4 lines changed" "$(grep -c '^[<>]' <<<"$vdiff")" 8
check_eq "vm.cfg: exactly the disk, name, uuid and vif lines changed" \
    "$(grep '^[<>]' <<<"$vdiff")" \
    "< disk = ['file:/OVS/running_pool/tmpl-el5/System.img,xvda,w']
> disk = ['file:$VM/System.img,xvda,w']
< name = 'tmpl-el5'
> name = 'web1'
< uuid = '5f42be80-6d71-4295-9eaf-40b1c2d30501'
> uuid = '$uuid'
< vif = ['mac=00:16:3e:10:20:01, bridge=xenbr0, type=netfront']
> vif = ['mac=$mac0, bridge=xenbr0, type=netfront', 'mac=$mac1,bridge=xenbr1']"
check_eq "vm.cfg: the disk line names the clone's disk" \
    "$(grep '^disk = ' "$VM/vm.cfg")" "disk = ['file:$VM/System.img,xvda,w']"

# The guest, read back: consistent with the config; the files say so.
run_imprint inspect --json --partition 2 --vmcfg "$VM/vm.cfg" "$VM/System.img"
check_exit "inspect after apply: consistent" "$RC" 0
J=$OUT
q() { jq -r "$1" <<<"$J"; }
check_eq "HOSTNAME=" "$(q '.images[0].identity.hostnames[] | select(.key == "HOSTNAME") | .value')" \
    web1.example.com
check_eq "hosts line" "$(q '.images[0].identity.hosts[] | select(.address == "192.0.2.21") | .names | join(" ")')" \
    "web1.example.com web1"
check_eq "ifcfg-eth0" "$(q '.images[0].identity.nics[] | select(.device == "eth0") | "\(.hwaddr) \(.bootproto) \(.ipaddr) \(.netmask)"')" \
    "$mac0 static 192.0.2.21 255.255.255.0"
check_eq "ifcfg-eth1" "$(q '.images[0].identity.nics[] | select(.device == "eth1") | "\(.file) \(.bootproto) \(.ipaddr)"')" \
    "/etc/sysconfig/network-scripts/ifcfg-eth1 dhcp null"
check_eq "udev rules" "$(q '[.images[0].identity.udev_rules[] | "\(.name)=\(.mac)"] | join(",")')" \
    "eth0=$mac0,eth1=$mac1"
check_eq "ssh host keys forgotten" "$(q '.images[0].identity.ssh_host_keys | length')" 0
check_eq "vmcfg nics" "$(q '[.images[0].vmcfg.nics[] | "\(.mac)/\(.bridge)"] | join(",")')" \
    "$mac0/xenbr0,$mac1/xenbr1"
check_eq "vmcfg uuid" "$(q '.images[0].vmcfg.uuid')" "$uuid"

# --- idempotent: the same recipe again changes nothing ----------------------
cp "$VM/vm.cfg" "$SCRATCH/after.cfg"
img_sum=$(sha256sum <"$VM/System.img")
run_imprint apply --json -D name=web1 -D octet=21 "$REC" "$VM/System.img"
check_exit "second apply" "$RC" 0
J=$OUT
check_eq "second apply: no changes" "$(q '.images[0] | "\(.result) \(.root)"')" \
    "no changes /dev/sda2"
check_eq "second apply: no files" "$(q '.images[0].files | length')" 0
check_eq "second apply: nothing generated" "$(q '.images[0].generated | length')" 0
check_eq "second apply: no password" "$(q '.images[0].root_password')" null
check_same_file "second apply: vm.cfg" "$VM/vm.cfg" "$SCRATCH/after.cfg"

# --- undo: every file back, byte for byte -----------------------------------
run_imprint undo "$VM/System.img"
check_exit "undo" "$RC" 0
check_match "undo: removed the new ifcfg" "$OUT" \
    '^  removed /etc/sysconfig/network-scripts/ifcfg-eth1$'
check_same_file "undo: vm.cfg" "$VM/vm.cfg" "$SCRATCH/ovs.vm.cfg.orig"
[ ! -e "$VM/System.img.imprint-undo" ] && pass || fail "undo record left"
after=$(fingerprint "$VM/System.img" /dev/sda2 "${OVS_FILES[@]}")
check_eq "undo: guest files as before" "$after" "$before"
run_imprint undo "$VM/System.img"
check_exit "undo without a record" "$RC" 2
check_match "undo without a record: message" "$ERR" "has no undo record"

# --- the RHEL LVM layout, config named on the command line ------------------
cp --sparse=always "$CACHE/lvm.img" "$SCRATCH/lvm.img"
cp "$DATA/lvm.vm.cfg" "$SCRATCH/db1.cfg"
run_imprint apply -D name=db1 -D octet=31 -D config="$SCRATCH/db1.cfg" \
    "$TOP/recipes/rhel-lvm.rcp" "$SCRATCH/lvm.img"
check_exit "lvm apply" "$RC" 0
check_match "lvm root" "$OUT" "lvm.img: changed \(root /dev/VolGroup00/LogVol00\)$"
check_match "lvm: udev rules removed" "$OUT" \
    '^  remove /etc/udev/rules\.d/70-persistent-net\.rules$'
run_imprint inspect --json --root /dev/VolGroup00/LogVol00 \
    --vmcfg "$SCRATCH/db1.cfg" "$SCRATCH/lvm.img"
check_exit "lvm inspect: consistent" "$RC" 0
J=$OUT
m0=$(q '.images[0].vmcfg.nics[0].mac')
m1=$(q '.images[0].vmcfg.nics[1].mac')
check_eq "lvm ifcfg HWADDRs = vif MACs" \
    "$(q '[.images[0].identity.nics[] | select(.device != "lo") | "\(.device)=\(.hwaddr)"] | join(",")')" \
    "eth0=$m0,eth1=$m1"
check_eq "lvm HOSTNAME=" "$(q '.images[0].identity.hostnames[] | select(.key == "HOSTNAME") | .value')" \
    db1.example.com
check_eq "lvm eth0 address" "$(q '.images[0].identity.nics[] | select(.device == "eth0") | .ipaddr')" \
    192.0.2.31
check_eq "lvm vm.cfg name" "$(q '.images[0].vmcfg.name')" db1
check_eq "lvm vm.cfg disk: phy: and ,xvda,w kept" \
    "$(grep '^disk = ' "$SCRATCH/db1.cfg")" \
    "disk = ['phy:$SCRATCH/lvm.img,xvda,w']"

# (resync and Oracle VM 3's vm.cfg: in t-rootdir.sh, on a guest tree: the
# same planner and config editor, no launch)

# --- refused before a launch: the image path cannot be in the spec --------
CM=$SCRATCH/pool/a,b
mkdir -p "$CM"
cp --sparse=always "$CACHE/ovs.img" "$CM/System.img"
cp "$DATA/ovs.vm.cfg" "$CM/vm.cfg"
cm_sum=$(sha256sum <"$CM/System.img")
run_imprint apply -D name=web9 -D octet=29 "$REC" "$CM/System.img"
check_exit "comma in the image path" "$RC" 1
check_eq "comma: the config file and line named" "$ERR" \
    "imprint: $CM/vm.cfg:2:9: the path '$CM/System.img' cannot be disk 0's target: a ',', '=' or blank is not allowed in a positional disk spec (only after target=)
imprint: $CM/vm.cfg: disk0 cannot name the image '$CM/System.img' (disk = follow); move the image, or give 'disk = keep' or 'disk0 = PATH' in [host] of '$REC'"
check_eq "comma: nothing written, no undo record" "$(ls "$CM")" "System.img
vm.cfg"
check_same_file "comma: vm.cfg unchanged" "$CM/vm.cfg" "$DATA/ovs.vm.cfg"
check_eq "comma: image unchanged" "$(sha256sum <"$CM/System.img")" "$cm_sum"
rm -rf "$SCRATCH/pool"

# --- Debian under libvirt: the clone's domain XML gets exactly its name,
# uuid, MAC (under 52:54:00) and disk source, the guest agrees (inspect
# --vmcfg); forget = machine-id empties /etc/machine-id and leaves dbus's
# symlink to it (it carries the new id by itself); undo puts every file
# and the XML back byte for byte ------------------------------------------
DEB=$SCRATCH/deb1
mkdir -p "$DEB"
qemu-img create -q -f qcow2 -F raw -b "$CACHE/debian.img" "$DEB/disk.qcow2"
cp "$DATA/debian.xml" "$DEB/deb1.xml"
DEB_FILES=(/etc/machine-id /var/lib/dbus/machine-id /etc/hostname
    /etc/network/interfaces /etc/shadow /etc/ssh/ssh_host_rsa_key)
deb_before=$(fingerprint "$DEB/disk.qcow2" /dev/sda1 "${DEB_FILES[@]}")
check_match "debian: dbus machine-id is a symlink before" "$deb_before" \
    '^/var/lib/dbus/machine-id .*st_mode=41471 '
run_imprint apply -D name=deb1 -D address=192.0.2.31/24 \
    -D gateway=192.0.2.1 --vmcfg "$DEB/deb1.xml" --backing "$CACHE" \
    "$TOP/recipes/debian.rcp" "$DEB/disk.qcow2"
check_exit "debian apply" "$RC" 0
dmac=$(sed -n "s/.*<mac address='\([^']*\)'.*/\1/p" "$DEB/deb1.xml")
duuid=$(sed -n 's/.*<uuid>\(.*\)<\/uuid>.*/\1/p' "$DEB/deb1.xml")
check_match "debian xml: MAC under 52:54:00" "$dmac" \
    '^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$'
check_eq "debian xml: exactly name, uuid, disk source and MAC" \
    "$(diff "$DATA/debian.xml" "$DEB/deb1.xml")" \
"9,10c9,10
<   <name>tmpl-deb12</name>
<   <uuid>71641fa2-8f93-44b7-90c1-62d3e4f50702</uuid>
---
>   <name>deb1</name>
>   <uuid>$duuid</uuid>
32c32
<       <source file='/var/lib/libvirt/images/tmpl-deb12.qcow2'/>
---
>       <source file='$DEB/disk.qcow2'/>
38c38
<       <mac address='52:54:00:2b:8c:01'/>
---
>       <mac address='$dmac'/>"
check_match "debian xml: libvirt's schema accepts it" \
    "$(virt-xml-validate "$DEB/deb1.xml" domain 2>&1)" "validates$"
check_nomatch "debian: dbus's link not touched" "$OUT" 'dbus/machine-id'
deb_after=$(fingerprint "$DEB/disk.qcow2" /dev/sda1 /etc/machine-id \
    /var/lib/dbus/machine-id)
# (the link's checksum is its target's: the emptied /etc/machine-id)
check_eq "debian: machine-id empty, dbus's link as it was" "$deb_after" \
    "/etc/machine-id sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 st_mode=33060 st_uid=0 st_gid=0 st_size=0
$(grep '^/var/lib/dbus/machine-id ' <<<"$deb_before" |
    sed 's/sha256=[0-9a-f]*/sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/')"
run_imprint inspect --vmcfg "$DEB/deb1.xml" --backing "$CACHE" \
    "$DEB/disk.qcow2"
check_exit "debian xml: inspect --vmcfg agrees" "$RC" 0
check_match "debian xml: inspect names the MAC" "$OUT" "$dmac"
run_imprint undo --json --backing "$CACHE" "$DEB/disk.qcow2"
check_exit "debian undo" "$RC" 0
check_eq "debian undo --json: machine-id restored, the link never left" \
    "$(jq -r '[(.restored | index("/etc/machine-id") != null), (.restored | index("/var/lib/dbus/machine-id") != null)] | map(tostring) | join(" ")' <<<"$OUT")" \
    "true false"
# one launch: every file, and the link's target
fp=$(fingerprint "$DEB/disk.qcow2" /dev/sda1 "${DEB_FILES[@]}" \
    readlink:/var/lib/dbus/machine-id)
check_eq "debian undo: every file as before, the link a link" \
    "$(grep -v ' -> ' <<<"$fp")" "$deb_before"
check_eq "debian undo: the link's target" \
    "$(grep ' -> ' <<<"$fp")" "/var/lib/dbus/machine-id -> /etc/machine-id"
check_same_file "debian undo: domain XML" "$DEB/deb1.xml" "$DATA/debian.xml"

# --- bad input: FILE:LINE errors, image and config untouched -----------------
# A recipe that does not parse is unreadable input (exit 2); a plan the
# guest refuses is a failure (exit 1).
cp "$DATA/ovs.vm.cfg" "$VM/vm.cfg"
img_sum=$(sha256sum <"$VM/System.img")
bad() {	# name, recipe text, then extra args; expects exit ${WANT:-2}
	local name=$1 text=$2
	shift 2
	printf '%s\n' "$text" >"$SCRATCH/bad.rcp"
	run_imprint apply "$@" "$SCRATCH/bad.rcp" "$VM/System.img"
	check_exit "$name" "$RC" "${WANT:-2}"
}
bad "unknown key" $'[guest]\ncolour = blue'
check_match "unknown key: FILE:LINE" "$ERR" "bad\.rcp:2: "
bad "undefined variable" $'[guest]\nhostname = ${nope}.example.com'
check_match "undefined variable: FILE:LINE" "$ERR" "bad\.rcp:2: .*nope"
bad "bad MAC" $'[nic eth0]\nmac = 00:16:3e:zz:00:01'
check_match "bad MAC: FILE:LINE" "$ERR" "bad\.rcp:2: "
bad "hostname \$(reboot)" $'[guest]\nhostname = $(reboot)'
check_match "\$(reboot): FILE:LINE" "$ERR" "bad\.rcp:2: "
bad "hostname with newline" $'[guest]\nhostname = ${h}' -D $'h=a\nb'
check_match "newline: FILE:LINE" "$ERR" "bad\.rcp:2: "
bad "relative disk path" $'[host]\ndisk0 = running_pool/${n}/System.img' -D n=web1
check_eq "relative disk path: message" "$ERR" \
    "imprint: $SCRATCH/bad.rcp:2: bad disk0 'running_pool/web1/System.img': expected an absolute path without quotes, '\\' or '#'"
# A second NIC with neither a vif nor a MAC to give it: found when
# planning, inside the appliance; still nothing written.
WANT=1 bad "NIC with no way to create it" $'[guest]\nroot = partition:2\n[nic eth0]\nbridge = xenbr0\n[nic eth1]\nbridge = xenbr1'
check_match "eth1: FILE:LINE" "$ERR" "bad\.rcp:5: nic eth1 has no vif in .*vm\.cfg"
check_match "eth1: left unchanged" "$ERR" "left unchanged"
check_eq "bad input: image unchanged" "$(sha256sum <"$VM/System.img")" "$img_sum"
check_same_file "bad input: vm.cfg unchanged" "$VM/vm.cfg" "$SCRATCH/ovs.vm.cfg.orig"
check_eq "bad input: no undo record" "$(ls "$VM")" "System.img
vm.cfg"
run_imprint apply
check_exit "apply without arguments" "$RC" 2
run_imprint apply --help
check_match "apply help" "$OUT" '^usage: imprint apply '
done_testing
