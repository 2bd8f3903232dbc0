#!/bin/bash
# tests/t-rootdir.sh - apply, undo and inspect on a guest tree on the host
# (--root-dir DIR), no appliance: the trees are built here from the
# guest files under tests/data/ (tests/images.md: RHEL-style ovs, Debian).
#
#  - apply writes the exact bytes a user checks, keeps modes and owners,
#    edits the vm.cfg beside the tree, keeps its undo record beside it;
#  - --dry-run writes nothing; a second apply says "no changes", also
#    with config = none and mac = auto (the record keeps the MAC);
#  - undo puts every byte, mode, owner and symlink back;
#  - symlinks that lead out of the tree, relative or absolute, never reach
#    a host file;
#  - "/" and a path to it are refused, as are images, --inventory and
#    --partition beside --root-dir;
#  - resync (the guest follows its config's MAC) and Oracle VM 3's
#    vm.cfg (dashless uuid, OVM_simple_name, Oracle's OUI), moved here
#    from t-apply to save four appliance launches.
. "$(dirname "$0")/lib.sh"
scratch
W=$SCRATCH
D=$TOP/tests/data
# no Xen here: the domain check of a tree must not ask a real xl
export IMPRINT_XL='' IMPRINT_XM=''

# ---- a RHEL-style tree (tests/data/guest-ovs, as ovs.img holds it) ---------
T=$W/el5
cp -a "$D/guest-ovs" "$T"
chmod 0400 "$T/etc/shadow"
chmod 0600 "$T/etc/ssh/ssh_host_dsa_key" "$T/etc/ssh/ssh_host_rsa_key"
# SELinux labels (security.selinux, settable by root without SELinux on
# the host): apply removes the keys, undo must bring the labels back.
KEYLABEL=system_u:object_r:sshd_key_t:s0
LINKLABEL=system_u:object_r:dhcpc_state_t:s0
labels=0
if setfattr -n security.selinux -v "$KEYLABEL" \
    "$T/etc/ssh/ssh_host_rsa_key" 2>/dev/null; then
	labels=1
	setfattr -n security.selinux -v "$KEYLABEL" "$T/etc/ssh/ssh_host_dsa_key"
fi
label_of() {	# label_of PATH: its security.selinux, symlinks not followed
	getfattr -h --only-values -n security.selinux "$1" 2>/dev/null |
	    tr -d '\0'
}
ln -s ../boot/grub/grub.conf "$T/etc/grub.conf"
[ "$(id -u)" = 0 ] && chown 0:42 "$T/etc/shadow"
owner=$(stat -c %u:%g "$T/etc/shadow")
cp "$D/ovs.vm.cfg" "$W/vm.cfg"		# beside the tree: config = auto
# shellcheck disable=SC2016 # a crypt(3) hash, not an expansion
HASH='$6$Tmp1Rhel5LvmSalt$w1O9d0wKVKqbblKoVE7HzbBqydBhC6cgWuIqxo0MdPrgNUncDwqAN6SaCBL7ZUG63/d3VZ6Xu.bPBs9Nn2573.'
cat >"$W/el5.rcp" <<EOF
[guest]
root = partition:2
hostname = \${name}.example.com
root-password = hash:$HASH
forget = ssh-hostkeys

[nic eth0]
mac = 00:16:3e:aa:bb:01
boot = static
address = 192.0.2.21/24
gateway = 192.0.2.1

[host]
name = \${name}
EOF
# A labelled EL guest: every file under /etc carries the label its policy
# gives it; apply must keep each one it rewrites, undo bring back every
# one (tree_fp lists labels).
if [ "$labels" = 1 ]; then
	while IFS= read -r -d '' f; do
		[ -n "$(label_of "$f")" ] && continue
		case $f in
		*/shadow) l=shadow_t ;;
		*/hosts | */network | */ifcfg-*) l=net_conf_t ;;
		*/rules.d/*) l=udev_rules_t ;;
		*) l=etc_t ;;
		esac
		setfattr -h -n security.selinux -v "system_u:object_r:$l:s0" "$f"
	done < <(find "$T/etc" -type f -print0)
fi
labels_of() {	# labels_of PATH...: "PATH LABEL" per guest path
	local f
	for f in "$@"; do
		printf '%s %s\n' "$f" "$(label_of "$T$f")"
	done
}
orig=$(tree_fp "$T")

# ---- --dry-run: the diff, nothing written ------------------------------------
run_imprint apply --dry-run -D name=web1 --root-dir "$T" "$W/el5.rcp"
check_exit "dry-run" "$RC" 0
check_match "dry-run: the ifcfg diff" "$OUT" '^\+HWADDR=00:16:3e:aa:bb:01$'
check_match "dry-run: the vm.cfg diff" "$OUT" "^\+name = 'web1'$"
check_match "dry-run: would change" "$OUT" "^$T: would change \(root $T\)$"
check_match "dry-run: recipe's root = is noted" "$ERR" \
    "el5.rcp:2: note: root = does not apply to --root-dir \(the tree is the root\); ignored"
check_eq "dry-run: tree untouched" "$(tree_fp "$T")" "$orig"
check_same_file "dry-run: vm.cfg untouched" "$W/vm.cfg" "$D/ovs.vm.cfg"
check_eq "dry-run: no undo record" "$(ls "$W")" "el5
el5.rcp
vm.cfg"

# ---- apply ---------------------------------------------------------------------
day=$(($(date +%s) / 86400))
mapfile -t guest_files < <(cd "$T" && find etc -type f | sed 's|^|/|' | sort)
labels_before=$(labels_of "${guest_files[@]}")
run_imprint apply -D name=web1 --root-dir "$T/" "$W/el5.rcp"
check_exit "apply" "$RC" 0
mapfile -t modified < <(sed -n 's/^  modify \(\/.*\)$/\1/p' <<<"$OUT" | sort)
check_eq "apply: files rewritten" "${modified[*]}" \
    "/etc/hosts /etc/shadow /etc/sysconfig/hwconf /etc/sysconfig/network /etc/sysconfig/network-scripts/ifcfg-eth0 /etc/udev/rules.d/70-persistent-net.rules"
if [ "$labels" = 1 ]; then
	check_nomatch "apply: every /etc file was labelled" "$labels_before" \
	    ' $'
	check_eq "apply: each rewritten file keeps its SELinux label" \
	    "$(labels_of "${modified[@]}")" \
	    "$(grep -F -f <(printf '%s \n' "${modified[@]}") <<<"$labels_before")"
else
	skip 2 "this filesystem takes no security.selinux attribute"
fi
check_eq "apply: first line" "$(head -n 1 <<<"$OUT")" \
    "$T/: changed (root $T)"
check_match "apply: undo record named" "$OUT" \
    "^  undo record: $W/el5.imprint-undo$"
check_eq "apply: ifcfg-eth0" "$(cat "$T/etc/sysconfig/network-scripts/ifcfg-eth0")" \
"# Xen Virtual Ethernet
DEVICE=eth0
BOOTPROTO=static
BROADCAST=192.0.2.255
HWADDR=00:16:3e:aa:bb:01
IPADDR=192.0.2.21
NETMASK=255.255.255.0
NETWORK=192.0.2.0
ONBOOT=yes
GATEWAY=192.0.2.1"
check_eq "apply: network" "$(cat "$T/etc/sysconfig/network")" \
"NETWORKING=yes
NETWORKING_IPV6=no
HOSTNAME=web1.example.com
GATEWAY=192.0.2.1"
check_eq "apply: hosts, the clone's line" "$(tail -n 1 "$T/etc/hosts")" \
    "$(printf '192.0.2.21\t\tweb1.example.com web1')"
check_eq "apply: hosts, the rest kept" "$(head -n 4 "$T/etc/hosts")" \
    "$(head -n 4 "$D/guest-ovs/etc/hosts")"
check_eq "apply: udev rule" \
    "$(tail -n 1 "$T/etc/udev/rules.d/70-persistent-net.rules")" \
    'SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="00:16:3e:aa:bb:01", ATTR{type}=="1", KERNEL=="eth*", NAME="eth0"'
check_eq "apply: hwconf" "$(grep hwaddr "$T/etc/sysconfig/hwconf")" \
    "network.hwaddr: 00:16:3e:aa:bb:01"
check_match "apply: shadow, root's hash" "$(head -n 1 "$T/etc/shadow")" \
    "^root:\\\$6\\\$Tmp1Rhel5LvmSalt\\\$w1O9d0wKVKqbblKoVE7HzbBqydBhC6cgWuIqxo0MdPrgNUncDwqAN6SaCBL7ZUG63/d3VZ6Xu\\.bPBs9Nn2573\\.:($day|$((day + 1))):0:99999:7:::$"
check_eq "apply: shadow, other lines kept" "$(tail -n +2 "$T/etc/shadow")" \
    "$(tail -n +2 "$D/guest-ovs/etc/shadow")"
check_eq "apply: shadow mode and owner kept" \
    "$(stat -c '%a %u:%g' "$T/etc/shadow")" "400 $owner"
check_eq "apply: ssh host keys forgotten" "$(ls "$T/etc/ssh")" ""
check_eq "apply: other symlinks kept" "$(readlink "$T/etc/grub.conf")" \
    "../boot/grub/grub.conf"
check_eq "apply: vm.cfg" "$(cat "$W/vm.cfg")" \
    "$(sed "s/^name = 'tmpl-el5'/name = 'web1'/; s/mac=00:16:3e:10:20:01/mac=00:16:3e:aa:bb:01/" "$D/ovs.vm.cfg")"
check_eq "apply: undo record beside the tree, 0600" \
    "$(stat -c %a "$W/el5.imprint-undo" 2>&1)" 600
check_eq "apply: nothing left in the tree's dirs" \
    "$(find "$T" -name '.imprint-*' | wc -l)" 0
applied=$(tree_fp "$T")

# ---- again: no changes ---------------------------------------------------------
run_imprint apply -D name=web1 --root-dir "$T" "$W/el5.rcp"
check_exit "second apply" "$RC" 0
check_eq "second apply: no changes" "$(head -n 1 <<<"$OUT")" \
    "$T: no changes (root $T)"
check_eq "second apply: tree as it was" "$(tree_fp "$T")" "$applied"

# ---- a second imprint on the same tree waits for nothing ----------------------
if command -v flock >/dev/null; then
	o=$(flock "$T" "$IMPRINT" apply -D name=web2 --root-dir "$T" \
	    "$W/el5.rcp" 2>&1)
	check_exit "locked tree" "$?" 1
	check_match "locked tree: said" "$o" \
	    "the guest tree '$T' is being edited by another imprint process"
	check_eq "locked tree: untouched" "$(tree_fp "$T")" "$applied"
else
	skip 3 "no flock(1)"
fi

# ---- undo: every byte, mode, owner and symlink back ---------------------------
run_imprint undo --root-dir "$T"
check_exit "undo" "$RC" 0
check_eq "undo: first line" "$(head -n 1 <<<"$OUT")" \
    "$T: restoring (root $T)"
check_match "undo: a key restored" "$OUT" "^  restored /etc/ssh/ssh_host_rsa_key$"
check_eq "undo: the tree as before" "$(tree_fp "$T")" "$orig"
if [ "$labels" = 1 ]; then
	check_eq "undo: the removed keys' SELinux labels back" \
	    "$(label_of "$T/etc/ssh/ssh_host_rsa_key") $(label_of "$T/etc/ssh/ssh_host_dsa_key")" \
	    "$KEYLABEL $KEYLABEL"
else
	skip 1 "this filesystem takes no security.selinux attribute"
fi
check_same_file "undo: vm.cfg as before" "$W/vm.cfg" "$D/ovs.vm.cfg"
check_eq "undo: record removed" "$(find "$W" -maxdepth 1 -name "*.imprint-undo" | wc -l)" 0
run_imprint undo --root-dir "$T"
check_exit "undo again: no record" "$RC" 2
check_match "undo again: said" "$ERR" "has no undo record \($W/el5.imprint-undo\)"

# ---- a Debian tree: config = none, mac = auto ----------------------------------
B=$W/deb
cp -a "$D/guest-debian" "$B"
ln -s ../usr/lib/os-release "$B/etc/os-release"
mkdir -p "$B/var/lib/dbus" "$B/usr/bin" "$B/var/lib/dhcp"
ln -s /etc/machine-id "$B/var/lib/dbus/machine-id"
# a lease kept elsewhere through a symlink: forgotten as the link itself
ln -s /run/dhclient.eth0.leases "$B/var/lib/dhcp/dhclient.eth0.leases"
[ "$labels" = 1 ] && setfattr -h -n security.selinux -v "$LINKLABEL" \
    "$B/var/lib/dhcp/dhclient.eth0.leases"
ln -s usr/bin "$B/bin"
chmod 0640 "$B/etc/shadow"
chmod 0600 "$B/etc/ssh/ssh_host_ed25519_key" "$B/etc/ssh/ssh_host_rsa_key"
[ "$(id -u)" = 0 ] && chown 0:42 "$B/etc/shadow"
cat >"$W/deb.rcp" <<'EOF'
[guest]
hostname = ${name}
forget = machine-id dhcp-leases

[nic eth0]
mac = auto
boot = static
address = 192.0.2.30/24
gateway = 192.0.2.1

[host]
config = none
EOF
dorig=$(tree_fp "$B")

run_imprint inspect --root-dir "$B"
check_exit "inspect deb" "$RC" 0
check_match "inspect: the OS from os-release, a symlink in the tree" "$OUT" \
    '^os: type=linux distro=debian version=12\.0 product="Debian GNU/Linux 12 \(bookworm\)" \(from release files\)$'
check_match "inspect: the root" "$OUT" \
    "^root: $B \(the directory given with --root-dir\)$"
check_match "inspect: the NIC" "$OUT" \
    '^  /etc/network/interfaces:12 iface=eth0 hwaddress=00:16:3e:2b:8c:01 method=static address=192\.0\.2\.20/24 gateway=192\.0\.2\.1 auto=yes$'
run_imprint inspect --json --root-dir "$B"
check_eq "inspect --json: format, how" \
    "$(jq -r '.images[0] | [.format, .root.how, .root.device, (.filesystems | length)] | map(tostring) | join(" ")' <<<"$OUT")" \
    "directory directory $B 0"

run_imprint apply --json -D name=deb1 --root-dir "$B" "$W/deb.rcp"
check_exit "deb apply" "$RC" 0
mac=$(jq -r '.images[0].identity["nic0.mac"]' <<<"$OUT")
check_match "deb apply: a new Xen MAC" "$mac" '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$'
check_eq "deb apply: result" "$(jq -r '.images[0].result' <<<"$OUT")" changed
check_eq "deb apply: hostname" "$(cat "$B/etc/hostname")" deb1
check_eq "deb apply: interfaces stanza" \
    "$(tail -n 4 "$B/etc/network/interfaces")" \
    "$(printf 'iface eth0 inet static\n\taddress 192.0.2.30/24\n\tgateway 192.0.2.1\n\thwaddress ether %s' "$mac")"
check_eq "deb apply: hosts" "$(sed -n 2p "$B/etc/hosts")" \
    "$(printf '127.0.1.1\tdeb1.example.com\tdeb1')"
check_eq "deb apply: machine-id emptied" "$(stat -c %s "$B/etc/machine-id")" 0
check_eq "deb apply: dbus's link to /etc/machine-id kept" \
    "$(readlink "$B/var/lib/dbus/machine-id")" /etc/machine-id
check_eq "deb apply: the lease link removed" "$(ls -A "$B/var/lib/dhcp")" ""
check_eq "deb apply: shadow untouched" "$(stat -c '%a' "$B/etc/shadow")" 640

run_imprint apply --json -D name=deb1 --root-dir "$B" "$W/deb.rcp"
check_eq "deb again: no changes, the same MAC" \
    "$(jq -r '.images[0] | [.result, .identity["nic0.mac"], (.files | length)] | map(tostring) | join(" ")' <<<"$OUT")" \
    "no changes $mac 0"
run_imprint apply -D name=deb2 --root-dir "$B" "$W/deb.rcp"
check_exit "deb, new name" "$RC" 0
check_nomatch "deb, new name: the MAC stays" "$OUT" "nic0|interfaces|generated"
check_match "deb, new name: the hostname" "$OUT" "^  hostname: deb1 -> deb2$"
check_match "deb, the MAC kept in the guest" \
    "$(cat "$B/etc/network/interfaces")" "hwaddress ether $mac$"

run_imprint undo --json --root-dir "$B"
check_exit "deb undo" "$RC" 0
check_eq "deb undo: json" "$(jq -r '[.image, .root, (.restored | length), (.host | length)] | map(tostring) | join(" ")' <<<"$OUT")" \
    "$B $B 6 0"
if [ "$labels" = 1 ]; then
	check_eq "deb undo: the lease symlink's own label back" \
	    "$(label_of "$B/var/lib/dhcp/dhclient.eth0.leases")" "$LINKLABEL"
else
	skip 1 "this filesystem takes no security.selinux attribute"
fi
check_eq "deb undo: the tree as before (symlinks too)" "$(tree_fp "$B")" \
    "$dorig"

# ---- a new file's label from the guest's policy; fs-uuids needs disks ---------
L=$W/labelled
cp -a "$D/guest-debian" "$L"
rm -f "$L/etc/hostname"
mkdir -p "$L/etc/selinux/targeted/contexts/files"
printf 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' >"$L/etc/selinux/config"
printf '%s\n' '/etc(/.*)?		system_u:object_r:etc_t:s0' \
    '/etc/hostname	--	system_u:object_r:hostname_etc_t:s0' \
    >"$L/etc/selinux/targeted/contexts/files/file_contexts"
lorig=$(tree_fp "$L")
run_imprint apply --root-dir "$L" "$D/hostname.rcp"
check_exit "labelled apply" "$RC" 0
check_match "labelled apply: /etc/hostname made" "$OUT" '^  create /etc/hostname$'
check_eq "labelled apply: its bytes" "$(cat "$L/etc/hostname")" \
    web2.example.com
if [ "$labels" = 1 ]; then
	check_eq "labelled apply: the policy's label for /etc/hostname" \
	    "$(label_of "$L/etc/hostname")" system_u:object_r:hostname_etc_t:s0
else
	skip 1 "this filesystem takes no security.selinux attribute"
fi
run_imprint undo --root-dir "$L"
check_exit "labelled undo" "$RC" 0
check_eq "labelled undo: the tree as before" "$(tree_fp "$L")" "$lorig"
printf '[guest]\nforget = fs-uuids\n' >"$W/fsu.rcp"
run_imprint apply --root-dir "$L" "$W/fsu.rcp"
check_exit "fs-uuids on a tree: refused" "$RC" 1
check_eq "fs-uuids on a tree: why" "$ERR" \
    "imprint: '$L' is a guest tree on the host, without the guest's disks: its filesystems' UUIDs cannot be changed here (use the disk image)
imprint: $W/fsu.rcp:2: forget = fs-uuids: cannot list the guest's filesystems
imprint: '$L' left unchanged"
check_eq "fs-uuids on a tree: nothing written" "$(tree_fp "$L")" "$lorig"

# ---- symlinks that lead out of the tree ---------------------------------------
E=$W/evil
cp -a "$D/guest-ovs" "$E"
printf 'ID=hostcanary\nPRETTY_NAME="HOST CANARY"\nVERSION_ID=99\n' >"$W/canary"
mkdir "$W/outside"
mv "$E/etc/udev/rules.d/70-persistent-net.rules" "$W/outside/"
rmdir "$E/etc/udev/rules.d"
ln -s "$W/outside" "$E/etc/udev/rules.d"	# absolute: inside, absent
ln -s ../../canary "$E/etc/os-release"		# would be $W/canary
ln -s ../../../../../../../../canary "$E/etc/hostname"
canary=$(sha256sum <"$W/canary")
outside=$(cd "$W/outside" && ls -la --time-style=+ . && sha256sum ./*)
hosthn=$(sha256sum </etc/hostname 2>/dev/null)
eorig=$(tree_fp "$E")

run_imprint inspect --root-dir "$E"
check_match "escape: os-release outside is not read" "$OUT" \
    '^os: type=linux distro=oraclelinux version=5\.2 '
check_nomatch "escape: no host canary in the report" "$OUT" "hostcanary|HOST CANARY"
check_nomatch "escape: no udev rules read from outside" "$OUT" "70-persistent"

run_imprint apply -D name=web1 --root-dir "$E" "$W/el5.rcp"
check_exit "escape: hostname a symlink, refused" "$RC" 1
check_match "escape: said" "$ERR" \
    "/etc/hostname in the guest is not a regular file; imprint does not edit it"
check_match "escape: unchanged" "$ERR" "'$E' left unchanged"
check_eq "escape: tree untouched" "$(tree_fp "$E")" "$eorig"
check_eq "escape: no record" "$(find "$W" -maxdepth 1 -name evil.imprint-undo | wc -l)" 0

# the same link inside the tree is refused too: never written through
rm "$E/etc/hostname"
mv "$E/etc/sysconfig/network-scripts/ifcfg-eth0" "$W/ifcfg-eth0.keep"
ln -s /etc/shadow "$E/etc/sysconfig/network-scripts/ifcfg-eth0"
eorig=$(tree_fp "$E")
run_imprint apply -D name=web1 --root-dir "$E" "$W/el5.rcp"
check_exit "ifcfg-eth0 -> /etc/shadow: refused" "$RC" 1
check_eq "ifcfg-eth0 -> /etc/shadow: tree untouched" "$(tree_fp "$E")" \
    "$eorig"

rm "$E/etc/sysconfig/network-scripts/ifcfg-eth0"
mv "$W/ifcfg-eth0.keep" "$E/etc/sysconfig/network-scripts/ifcfg-eth0"
cp "$D/ovs.vm.cfg" "$W/evil.cfg"
eorig=$(tree_fp "$E")
run_imprint apply -D name=web1 --vmcfg "$W/evil.cfg" --root-dir "$E" \
    "$W/el5.rcp"
check_exit "escape: the rest applies" "$RC" 0
check_match "escape: the ifcfg inside changed" \
    "$(cat "$E/etc/sysconfig/network-scripts/ifcfg-eth0")" \
    '^HWADDR=00:16:3e:aa:bb:01$'
check_eq "escape: the canary's bytes" "$(sha256sum <"$W/canary")" "$canary"
check_eq "escape: the directory outside untouched" \
    "$(cd "$W/outside" && ls -la --time-style=+ . && sha256sum ./*)" "$outside"
check_eq "escape: the host's /etc/hostname" \
    "$(sha256sum </etc/hostname 2>/dev/null)" "$hosthn"
check_eq "escape: the links still links" \
    "$(readlink "$E/etc/udev/rules.d") $(readlink "$E/etc/os-release")" \
    "$W/outside ../../canary"
run_imprint undo --root-dir "$E"
check_exit "escape: undo" "$RC" 0
check_eq "escape: undo gives the tree back" "$(tree_fp "$E")" "$eorig"
check_same_file "escape: undo gives vm.cfg back" "$W/evil.cfg" \
    "$D/ovs.vm.cfg"

# ---- refusals ------------------------------------------------------------------
orig=$(tree_fp "$T")
ln -s / "$W/hostroot"
for dir in / "$W/hostroot" "$T/../../../../../../../../.."; do
	for cmd in "apply -D name=x --root-dir $dir $W/el5.rcp" \
	    "undo --root-dir $dir" "inspect --root-dir $dir"; do
		# shellcheck disable=SC2086
		run_imprint $cmd
		check_exit "$cmd" "$RC" 2
		check_match "$cmd: said" "$ERR" \
		    "refusing --root-dir '.*': it is the host's own root directory"
	done
done
touch "$W/disk.img" "$W/lab.csv"
run_imprint apply -D name=x --root-dir "$T" "$W/el5.rcp" "$W/disk.img"
check_exit "apply --root-dir and an image" "$RC" 2
check_match "apply --root-dir and an image: said" "$ERR" \
    "apply --root-dir DIR: give the recipe only"
run_imprint apply --root-dir "$T" "$W/el5.rcp" --inventory "$W/lab.csv"
check_exit "apply --root-dir and --inventory" "$RC" 2
check_match "apply --root-dir and --inventory: said" "$ERR" \
    "give --root-dir DIR or --inventory FILE, not both"
run_imprint apply --partition 2 --root-dir "$T" "$W/el5.rcp"
check_exit "apply --root-dir and --partition" "$RC" 2
run_imprint undo --root-dir "$T" "$W/disk.img"
check_exit "undo --root-dir and an image" "$RC" 2
run_imprint inspect --root-dir "$T" "$W/disk.img"
check_exit "inspect --root-dir and an image" "$RC" 2
run_imprint inspect --root /dev/sda2 --root-dir "$T"
check_exit "inspect --root-dir and --root" "$RC" 2
run_imprint apply -D name=x --root-dir "$W/nodir" "$W/el5.rcp"
check_exit "apply --root-dir: missing" "$RC" 2
check_match "apply --root-dir: missing, said" "$ERR" \
    "cannot open the guest tree '$W/nodir': No such file"
run_imprint apply -D name=x --root-dir "$W/disk.img" "$W/el5.rcp"
check_exit "apply --root-dir: a file" "$RC" 2
check_match "apply --root-dir: a file, said" "$ERR" "is not a directory"
run_imprint apply -D name=x --root-dir "$W/outside" "$W/el5.rcp"
check_exit "apply --root-dir: no /etc" "$RC" 2
check_match "apply --root-dir: no /etc, said" "$ERR" \
    "'$W/outside' holds no guest tree: it has no /etc"
check_eq "refusals: tree untouched" "$(tree_fp "$T")" "$orig"
check_same_file "refusals: vm.cfg untouched" "$W/vm.cfg" "$D/ovs.vm.cfg"
check_eq "refusals: no undo record" "$(find "$W" -maxdepth 1 -name "*.imprint-undo" | wc -l)" 0

# ---- resync: a broken guest follows its config's MAC, nothing generated ----
# (moved here from t-apply: the same planner on a tree, no launch)
RS=$W/resync
mkdir -p "$RS"
cp -a "$D/guest-ovs" "$RS/el5"
cp "$D/ovs-mismatch.vm.cfg" "$RS/vm.cfg"	# beside the tree: config = auto
run_imprint apply --root-dir "$RS/el5" "$TOP/recipes/resync.rcp"
check_exit "resync" "$RC" 0
check_match "resync: MAC from the config" "$OUT" \
    '^  nic0 eth0: mac 00:16:3E:10:20:01 -> 00:16:3e:10:20:99$'
check_nomatch "resync: nothing generated" "$OUT" "generated"
check_same_file "resync: vm.cfg untouched" "$RS/vm.cfg" \
    "$D/ovs-mismatch.vm.cfg"
run_imprint inspect --root-dir "$RS/el5" --vmcfg "$RS/vm.cfg"
check_exit "resync: consistent afterwards" "$RC" 0
check_match "resync: HWADDR" "$OUT" \
    'ifcfg-eth0 DEVICE=eth0 HWADDR=00:16:3e:10:20:99 '

# ---- Oracle VM 3: a dashless uuid stays dashless, OVM_simple_name follows
# the name, new MACs under Oracle's OUI 00:21:f6 (the disk line, which
# follows an image, is t-apply's) --------------------------------------------
O3=$W/ovm3
mkdir -p "$O3"
cp -a "$D/guest-ovs" "$O3/web3"
cp "$D/ovm3.vm.cfg" "$O3/ovm3.vm.cfg"
run_imprint apply -D name=web3 -D octet=23 --vmcfg "$O3/ovm3.vm.cfg" \
    --root-dir "$O3/web3" "$TOP/recipes/ovm2-el5-clone.rcp"
check_exit "ovm3 apply" "$RC" 0
uuid3=$(sed -n 's/^  generated uuid=//p' <<<"$OUT")
m30=$(sed -n 's/^  generated nic0\.mac=//p' <<<"$OUT")
m31=$(sed -n 's/^  generated nic1\.mac=//p' <<<"$OUT")
check_match "ovm3: uuid without dashes" "$uuid3" '^[0-9a-f]{32}$'
check_match "ovm3: MAC 0 under 00:21:f6" "$m30" '^00:21:f6(:[0-9a-f]{2}){3}$'
check_match "ovm3: MAC 1 under 00:21:f6" "$m31" '^00:21:f6(:[0-9a-f]{2}){3}$'
check_match "ovm3: OVM_simple_name summary" "$OUT" \
    '^  OVM_simple_name: tmpl-el5 -> web3$'
check_eq "ovm3: vm.cfg, line by line" "$(diff "$D/ovm3.vm.cfg" \
    "$O3/ovm3.vm.cfg" | grep '^[<>]')" \
    "< vif = ['mac=00:21:f6:10:20:01,bridge=0a0c1e00']
< OVM_simple_name = 'tmpl-el5'
> vif = ['mac=$m30,bridge=xenbr0', 'mac=$m31,bridge=xenbr1']
> OVM_simple_name = 'web3'
< uuid = '0004fb00000600007c2e9a41b05d3f18'
> uuid = '$uuid3'
< name = '0004fb00000600007c2e9a41b05d3f18'
> name = 'web3'"
run_imprint undo --root-dir "$O3/web3"
check_exit "ovm3 undo" "$RC" 0
check_same_file "ovm3 undo: vm.cfg" "$O3/ovm3.vm.cfg" "$D/ovm3.vm.cfg"

done_testing
