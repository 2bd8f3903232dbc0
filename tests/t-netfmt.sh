#!/bin/bash
# tests/t-netfmt.sh - the network formats beyond ifcfg and ifupdown
# (NetworkManager keyfiles, systemd-networkd, netplan, SUSE ifcfg) and
# ifupdown's sourced files, applied to guest trees with --root-dir: no
# appliance, the trees are built here from tests/data/guest-{nm,networkd,
# netplan,suse,debian} with tests/data/netfmt.vm.cfg.
#
# One recipe (hostname, two NICs, a static address on the first) leaves
# each tree with both NICs bound to the new MACs in every file that bound
# the template's (by name or by MAC), the address set, /etc/hosts naming
# the clone, the config agreeing (inspect exit 0), a new connection uuid
# per keyfile per clone; a re-run changes nothing and undo gives every
# byte back.  What these formats' editors cannot do (switch a method,
# change a prefix or gateway) is refused with the file named.
. "$(dirname "$0")/lib.sh"
scratch
W=$SCRATCH
D=$TOP/tests/data
export IMPRINT_XL='' IMPRINT_XM=''
M1=00:16:3e:aa:bb:01 M2=00:16:3e:aa:bb:02

cat >"$W/fixed.rcp" <<EOF
[guest]
hostname = \${name}.example.net

[nic eth0]
mac = $M1
boot = static
address = 192.0.2.41/24
gateway = 192.0.2.1

[nic eth1]
mac = $M2

[host]
name = \${name}
EOF
sed "s/^mac = .*/mac = auto/" "$W/fixed.rcp" >"$W/auto.rcp"

# tree NAME: a fresh copy of tests/data/guest-NAME at $W/NAME with its
# config at $W/NAME.cfg
tree() {
	rm -rf "${W:?}/$1"
	cp -a "$D/guest-$1" "$W/$1"
	cp "$D/netfmt.vm.cfg" "$W/$1.cfg"
}

# again_and_undo NAME: apply fixed.rcp to tree NAME again (no changes),
# then undo (the tree as $orig, the config as shipped).
again_and_undo() {
	run_imprint apply -D name=web1 --vmcfg "$W/$1.cfg" --root-dir "$W/$1" \
	    "$W/fixed.rcp"
	check_exit "$1 again" "$RC" 0
	check_eq "$1 again: no changes" "$(head -n 1 <<<"$OUT")" \
	    "$W/$1: no changes (root $W/$1)"
	run_imprint undo --root-dir "$W/$1"
	check_exit "$1 undo" "$RC" 0
	check_eq "$1 undo: the tree as before" "$(tree_fp "$W/$1")" "$orig"
	check_same_file "$1 undo: the config as before" "$W/$1.cfg" \
	    "$D/netfmt.vm.cfg"
}

want_cfg() {	# the config with the clone's name and MACs $1 $2
	sed "s/^name = \"tmpl\"/name = \"web1\"/; s/00:16:3e:2b:8c:01/$1/; s/00:16:3e:2b:8c:02/$2/" \
	    "$D/netfmt.vm.cfg"
}

# ---- NetworkManager keyfiles (an Oracle Linux 9 tree) -------------------------
tree nm
K=$W/nm/etc/NetworkManager/system-connections
DK=$D/guest-nm/etc/NetworkManager/system-connections
chmod 0600 "$K"/*
# the keyfile's SELinux label (root may set security.selinux on a host
# without SELinux) must survive the rewrite and the undo
NMLABEL=system_u:object_r:NetworkManager_etc_rw_t:s0
nm_label() {
	getfattr -h --only-values -n security.selinux "$K/eth0.nmconnection" \
	    2>/dev/null | tr -d '\0'
}
setfattr -n security.selinux -v "$NMLABEL" "$K/eth0.nmconnection" \
    2>/dev/null || NMLABEL=
orig=$(tree_fp "$W/nm")
run_imprint apply -D name=web1 --vmcfg "$W/nm.cfg" --root-dir "$W/nm" \
    "$W/fixed.rcp"
check_exit "nm apply" "$RC" 0
u0=$(sed -n 's/^uuid=//p' "$K/eth0.nmconnection")
u2=$(sed -n 's/^uuid=//p' "$K/Wired connection 2")
check_match "nm: eth0's connection uuid is new" "$u0" \
    '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
check_match "nm: Wired connection 2's uuid is new" "$u2" \
    '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
check_eq "nm: eth0.nmconnection, bound by name and MAC" \
    "$(cat "$K/eth0.nmconnection")" \
    "$(sed "s/^uuid=.*/uuid=$u0/; s/^mac-address=.*/mac-address=$M1/; s/^address1=192.0.2.20/address1=192.0.2.41/" \
    "$DK/eth0.nmconnection")"
check_eq "nm: the legacy keyfile, a decimal MAC list, dhcp-hostname" \
    "$(cat "$K/Wired connection 2")" \
    "$(sed "s/^uuid=.*/uuid=$u2/; s/^mac-address=.*/mac-address=0;22;62;170;187;2;/; s/^dhcp-hostname=.*/dhcp-hostname=web1/" \
    "$DK/Wired connection 2")"
check_eq "nm: keyfiles stay 0600" "$(stat -c %a "$K"/* | sort -u)" 600
if [ -n "$NMLABEL" ]; then
	check_eq "nm: the keyfile keeps its SELinux label" "$(nm_label)" \
	    "$NMLABEL"
else
	skip 1 "this filesystem takes no security.selinux attribute"
fi
check_eq "nm: no ifcfg written beside the keyfiles" \
    "$(ls "$W/nm/etc/sysconfig/network-scripts")" readme-ifcfg-rh.txt
check_eq "nm: hosts" "$(cat "$W/nm/etc/hosts")" \
    "127.0.0.1   localhost localhost.localdomain
::1         localhost localhost.localdomain
192.0.2.41  web1.example.net web1"
check_eq "nm: hostname" "$(cat "$W/nm/etc/hostname")" web1.example.net
check_eq "nm: the config" "$(cat "$W/nm.cfg")" "$(want_cfg $M1 $M2)"
check_match "nm: the summary names each new uuid" "$OUT" \
    "^  connection uuid /etc/NetworkManager/system-connections/eth0\.nmconnection: 0f6a3c1d-72b4-4e85-a9d3-5c1b8e2f7a60 -> $u0$"
run_imprint inspect --vmcfg "$W/nm.cfg" --root-dir "$W/nm"
check_exit "nm inspect: guest and config agree" "$RC" 0
check_match "nm inspect: the keyfile in its own words" "$OUT" \
    "^  /etc/NetworkManager/system-connections/eth0\.nmconnection interface-name=eth0 mac-address=$M1 ipv4\.method=manual ipv4\.address1=192\.0\.2\.41/24 ipv4\.gateway=192\.0\.2\.1 uuid=$u0$"
check_match "nm inspect: the decimal MAC read" "$OUT" \
    "^  /etc/NetworkManager/system-connections/Wired connection 2 mac-address=$M2 ipv4\.method=auto uuid=$u2$"
applied=$(tree_fp "$W/nm")
run_imprint apply -D name=web1 --vmcfg "$W/nm.cfg" --root-dir "$W/nm" \
    "$W/fixed.rcp"
check_exit "nm again" "$RC" 0
check_eq "nm again: no changes (the uuids are the last apply's)" \
    "$(head -n 1 <<<"$OUT")" "$W/nm: no changes (root $W/nm)"
check_eq "nm again: the tree as it was" "$(tree_fp "$W/nm")" "$applied"
run_imprint undo --root-dir "$W/nm"
check_exit "nm undo" "$RC" 0
check_eq "nm undo: the tree as before" "$(tree_fp "$W/nm")" "$orig"
if [ -n "$NMLABEL" ]; then
	check_eq "nm undo: the label still there" "$(nm_label)" "$NMLABEL"
else
	skip 1 "this filesystem takes no security.selinux attribute"
fi
check_same_file "nm undo: the config as before" "$W/nm.cfg" "$D/netfmt.vm.cfg"

# two clones of one template never share a connection uuid
for c in a b; do
	tree nm
	rm -rf "$W/nm-$c"
	mv "$W/nm" "$W/nm-$c"
	mv "$W/nm.cfg" "$W/nm-$c.cfg"
	"$IMPRINT" apply -D name=$c --vmcfg "$W/nm-$c.cfg" \
	    --root-dir "$W/nm-$c" "$W/auto.rcp" >/dev/null 2>&1
	check_exit "nm clone $c" "$?" 0
done
ua=$(cat "$W"/nm-a/etc/NetworkManager/system-connections/* | grep ^uuid=)
ub=$(cat "$W"/nm-b/etc/NetworkManager/system-connections/* | grep ^uuid=)
check_eq "two clones: two uuids each, none shared, none the template's" \
    "$(printf '%s\n%s\n' "$ua" "$ub" | grep -v -e 0f6a3c1d -e 7e0b3a52 | sort -u | wc -l)" 4
ma=$(sed -n 's/^mac-address=//p' "$W/nm-a/etc/NetworkManager/system-connections/eth0.nmconnection")
check_match "clone a: eth0 bound to its config's first MAC" \
    "$(cat "$W/nm-a.cfg")" "\"mac=$ma,bridge=xenbr0\""
run_imprint inspect --vmcfg "$W/nm-a.cfg" --root-dir "$W/nm-a"
check_exit "clone a, mac = auto: inspect agrees" "$RC" 0

# ---- systemd-networkd (a Debian tree: .link names eth0 by MAC) -------------------
tree networkd
N=$W/networkd/etc/systemd/network
DN=$D/guest-networkd/etc/systemd/network
orig=$(tree_fp "$W/networkd")
run_imprint apply -D name=web1 --vmcfg "$W/networkd.cfg" \
    --root-dir "$W/networkd" "$W/fixed.rcp"
check_exit "networkd apply" "$RC" 0
check_eq "networkd: the .link" "$(cat "$N/10-eth0.link")" \
    "$(sed "s/00:16:3e:2b:8c:01/$M1/" "$DN/10-eth0.link")"
check_eq "networkd: the .network of eth0 (by name)" \
    "$(cat "$N/20-eth0.network")" \
    "$(sed "s/^Address=192.0.2.20/Address=192.0.2.41/" "$DN/20-eth0.network")"
check_eq "networkd: the .network of eth1 (by MAC, one of a list)" \
    "$(cat "$N/30-eth1.network")" \
    "$(sed "s/^MACAddress=00:16:3e:2b:8c:02 /MACAddress=$M2 /" "$DN/30-eth1.network")"
check_same_file "networkd: interfaces (lo only) not given an eth0" \
    "$W/networkd/etc/network/interfaces" \
    "$D/guest-networkd/etc/network/interfaces"
check_eq "networkd: hosts, FQDN and short name" \
    "$(sed -n 2p "$W/networkd/etc/hosts")" \
    "$(printf '127.0.1.1\tweb1.example.net\tweb1')"
check_eq "networkd: the config" "$(cat "$W/networkd.cfg")" "$(want_cfg $M1 $M2)"
run_imprint inspect --vmcfg "$W/networkd.cfg" --root-dir "$W/networkd"
check_exit "networkd inspect: agrees" "$RC" 0
check_match "networkd inspect: the .link in its own words" "$OUT" \
    "^  /etc/systemd/network/10-eth0\.link Link\.Name=eth0 Match\.MACAddress=$M1$"
again_and_undo networkd

# ---- netplan (an Ubuntu tree: block and flow style, comments, quotes) ------
tree netplan
P=$W/netplan/etc/netplan
chmod 0600 "$P/50-cloud-init.yaml"
orig=$(tree_fp "$W/netplan")
run_imprint apply -D name=web1 --vmcfg "$W/netplan.cfg" \
    --root-dir "$W/netplan" "$W/fixed.rcp"
check_exit "netplan apply" "$RC" 0
check_eq "netplan: only the MAC and address scalars change" \
    "$(cat "$P/50-cloud-init.yaml")" \
    "$(sed "s/\"00:16:3E:2B:8C:01\"/\"$M1\"/; s#\[192.0.2.20/24\]#[192.0.2.41/24]#; s/'00:16:3e:2b:8c:02'/'$M2'/" \
    "$D/guest-netplan/etc/netplan/50-cloud-init.yaml")"
check_eq "netplan: the file stays 0600" "$(stat -c %a "$P/50-cloud-init.yaml")" 600
check_eq "netplan: no interfaces file made" \
    "$(ls "$W/netplan/etc" | grep -c '^network$')" 0
check_eq "netplan: hosts" "$(sed -n 2p "$W/netplan/etc/hosts")" \
    "127.0.1.1 web1.example.net web1"
check_eq "netplan: the config" "$(cat "$W/netplan.cfg")" "$(want_cfg $M1 $M2)"
run_imprint inspect --vmcfg "$W/netplan.cfg" --root-dir "$W/netplan"
check_exit "netplan inspect: agrees" "$RC" 0
check_match "netplan inspect: the flow-style entry read" "$OUT" \
    "^  /etc/netplan/50-cloud-init\.yaml:14 set-name=eth1 match\.macaddress=$M2 dhcp4=dhcp$"
again_and_undo netplan

# ---- SUSE (SLES 15: ifcfg in /etc/sysconfig/network, LLADDR, udev names) --
tree suse
ln -s hostname "$W/suse/etc/HOSTNAME"		# as SLES 15 has it
S=$W/suse/etc/sysconfig/network
orig=$(tree_fp "$W/suse")
run_imprint apply -D name=web1 --vmcfg "$W/suse.cfg" --root-dir "$W/suse" \
    "$W/fixed.rcp"
check_exit "suse apply" "$RC" 0
check_eq "suse: ifcfg-eth0, address and LLADDR" "$(cat "$S/ifcfg-eth0")" \
    "BOOTPROTO='static'
STARTMODE='auto'
IPADDR='192.0.2.41/24'
LLADDR='$M1'
ZONE='public'"
check_same_file "suse: ifcfg-eth1 (dhcp, no MAC) untouched" "$S/ifcfg-eth1" \
    "$D/guest-suse/etc/sysconfig/network/ifcfg-eth1"
check_eq "suse: udev names follow the new MACs" \
    "$(sed -n 's/.*ATTR{address}=="\([^"]*\)".*NAME="\([^"]*\)".*/\1 \2/p' \
    "$W/suse/etc/udev/rules.d/70-persistent-net.rules")" "$M1 eth0
$M2 eth1"
check_eq "suse: hostname, through no symlink" \
    "$(cat "$W/suse/etc/hostname") $(readlink "$W/suse/etc/HOSTNAME")" \
    "web1.example.net hostname"
check_eq "suse: hosts" "$(sed -n 2p "$W/suse/etc/hosts")" \
    "$(printf '192.0.2.41\tweb1.example.net web1')"
run_imprint inspect --vmcfg "$W/suse.cfg" --root-dir "$W/suse"
check_exit "suse inspect: agrees" "$RC" 0
check_match "suse inspect: in SUSE's words" "$OUT" \
    "^  /etc/sysconfig/network/ifcfg-eth0 name=eth0 LLADDR=$M1 BOOTPROTO=static IPADDR=192\.0\.2\.41/24$"
check_eq "suse inspect: no complaint about the directory" "$ERR" ""
again_and_undo suse

# ---- ifupdown: stanzas in files interfaces sources --------------------------
# eth0's stanza in interfaces.d/ (source /etc/network/interfaces.d/*),
# eth1's in ifaces/ (source-directory ifaces, relative: run-parts names
# only), a file that sources interfaces back (a loop).
tree debian
I=$W/debian/etc/network
mkdir "$I/interfaces.d" "$I/ifaces"
sed -n '/^# The primary/,$p' "$I/interfaces" >"$I/interfaces.d/eth0"
sed -i '/^# The primary/,$d' "$I/interfaces"
printf 'source-directory ifaces\n' >>"$I/interfaces"
printf 'iface eth1 inet dhcp\n\thwaddress ether 00:16:3e:2b:8c:02\n' \
    >"$I/ifaces/eth1"
printf 'iface eth9 inet dhcp\n' >"$I/ifaces/eth1.dpkg-old"
printf 'source /etc/network/interfaces\n' >"$I/interfaces.d/loop"
cp "$I/interfaces" "$W/interfaces.before"
cp "$I/interfaces.d/eth0" "$W/eth0.before"
run_imprint inspect --root-dir "$W/debian"
check_exit "ifupdown inspect" "$RC" 0
check_eq "ifupdown inspect: every stanza, each in its file" \
    "$(grep -E '^  /etc/network/' <<<"$OUT" | cut -d' ' -f3-4)" \
    "/etc/network/interfaces:8 iface=lo
/etc/network/interfaces.d/eth0:3 iface=eth0
/etc/network/ifaces/eth1:1 iface=eth1"
run_imprint apply -D name=web1 --vmcfg "$W/debian.cfg" \
    --root-dir "$W/debian" "$W/fixed.rcp"
check_exit "ifupdown apply" "$RC" 0
check_eq "ifupdown: eth0 edited where its stanza is" \
    "$(cat "$I/interfaces.d/eth0")" \
    "$(sed "s#192.0.2.20/24#192.0.2.41/24#; s/00:16:3e:2b:8c:01/$M1/" "$W/eth0.before")"
check_eq "ifupdown: eth1 too (source-directory)" "$(cat "$I/ifaces/eth1")" \
    "$(printf 'iface eth1 inet dhcp\n\thwaddress ether %s' $M2)"
check_same_file "ifupdown: interfaces itself untouched (no stanza copied)" \
    "$I/interfaces" "$W/interfaces.before"
check_eq "ifupdown: the .dpkg-old file not read" \
    "$(cat "$I/ifaces/eth1.dpkg-old")" "iface eth9 inet dhcp"
run_imprint inspect --vmcfg "$W/debian.cfg" --root-dir "$W/debian"
check_exit "ifupdown inspect after: agrees" "$RC" 0

# ---- an NM-written ifcfg (RHEL 7): UUID renewed, MACADDR follows ---------
R=$W/el7
mkdir -p "$R/etc/sysconfig/network-scripts"
printf 'NAME="CentOS Linux"\nVERSION_ID="7"\nID="centos"\nID_LIKE="rhel fedora"\n' \
    >"$R/etc/os-release"
echo tmpl-ol7 >"$R/etc/hostname"
{ cat "$FIXTURES/guest-ifcfg-eth0.rhel7-nm-quoted"
  echo 'MACADDR="00:16:3E:10:20:01"'; } \
    >"$R/etc/sysconfig/network-scripts/ifcfg-eth0"
cp "$R/etc/sysconfig/network-scripts/ifcfg-eth0" "$W/el7.before"
printf 'name = "tmpl-ol7"\nvif = [ "mac=00:16:3E:10:20:01,bridge=xenbr0" ]\n' \
    >"$W/el7.cfg"
printf '[guest]\nhostname = web1\n\n[nic eth0]\nmac = %s\n' "$M1" \
    >"$W/el7.rcp"
run_imprint apply --vmcfg "$W/el7.cfg" --root-dir "$R" "$W/el7.rcp"
check_exit "nm-written ifcfg apply" "$RC" 0
u=$(sed -n 's/^UUID="\(.*\)"$/\1/p' "$R/etc/sysconfig/network-scripts/ifcfg-eth0")
check_match "nm-written ifcfg: a new UUID" "$u" \
    '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
check_eq "nm-written ifcfg: UUID, HWADDR, MACADDR, DHCP_HOSTNAME; quotes kept" \
    "$(cat "$R/etc/sysconfig/network-scripts/ifcfg-eth0")" \
    "$(sed "s/^UUID=.*/UUID=\"$u\"/; s/^HWADDR=.*/HWADDR=\"$M1\"/; s/^MACADDR=.*/MACADDR=\"$M1\"/; s/^DHCP_HOSTNAME=.*/DHCP_HOSTNAME=\"web1\"/" "$W/el7.before")"
run_imprint apply --vmcfg "$W/el7.cfg" --root-dir "$R" "$W/el7.rcp"
check_eq "nm-written ifcfg again: no changes, the UUID kept" \
    "$(head -n 1 <<<"$OUT") $(grep ^UUID= "$R/etc/sysconfig/network-scripts/ifcfg-eth0")" \
    "$R: no changes (root $R) UUID=\"$u\""

# ---- what the formats' editors cannot do: refused, nothing written ------------
tree networkd
orig=$(tree_fp "$W/networkd")
sed 's/^boot = static/boot = dhcp/; /^address/d; /^gateway/d' "$W/fixed.rcp" \
    >"$W/dhcp.rcp"
run_imprint apply -D name=web1 --vmcfg "$W/networkd.cfg" \
    --root-dir "$W/networkd" "$W/dhcp.rcp"
check_exit "static -> dhcp refused" "$RC" 1
check_match "static -> dhcp: the file and the way out" "$ERR" \
    "dhcp.rcp:4: nic eth0: boot = dhcp, but /etc/systemd/network/20-eth0.network gives it the static address 192.0.2.20/24 \(Network.Address\); imprint changes addresses in networkd files but does not switch their method: make the template's NIC use DHCP, or keep boot$"
sed 's#^address = .*#address = 192.0.2.200/25#; s#^gateway = .*#gateway = 192.0.2.254#' \
    "$W/fixed.rcp" >"$W/prefix.rcp"
run_imprint apply -D name=web1 --vmcfg "$W/networkd.cfg" \
    --root-dir "$W/networkd" "$W/prefix.rcp"
check_exit "a new prefix refused" "$RC" 1
check_eq "new prefix: said, once" "$ERR" \
    "imprint: $W/prefix.rcp:4: nic eth0: the recipe's prefix is /25, /etc/systemd/network/20-eth0.network has 192.0.2.20/24 (Network.Address); imprint changes the address, not the prefix, in networkd files: give the template's prefix
imprint: '$W/networkd' left unchanged"
check_eq "refused: the tree untouched" "$(tree_fp "$W/networkd")" "$orig"
check_same_file "refused: the config untouched" "$W/networkd.cfg" \
    "$D/netfmt.vm.cfg"
sed 's/^gateway = .*/gateway = 192.0.2.254/' "$W/fixed.rcp" >"$W/gw.rcp"
run_imprint apply -D name=web1 --vmcfg "$W/networkd.cfg" \
    --root-dir "$W/networkd" "$W/gw.rcp"
check_exit "a new gateway" "$RC" 0
check_eq "new gateway: Gateway= follows, DNS= (the old gateway's twin) not" \
    "$(cat "$W/networkd/etc/systemd/network/20-eth0.network")" \
    "$(sed "s/^Address=192.0.2.20/Address=192.0.2.41/; s/^Gateway=.*/Gateway=192.0.2.254/" "$DN/20-eth0.network")"
tree nm
run_imprint apply -D name=web1 --vmcfg "$W/nm.cfg" --root-dir "$W/nm" \
    "$W/gw.rcp"
check_exit "a new gateway in a keyfile" "$RC" 0
check_eq "keyfile: address1's gateway follows" \
    "$(grep ^address1= "$W/nm/etc/NetworkManager/system-connections/eth0.nmconnection")" \
    "address1=192.0.2.41/24,192.0.2.254"
tree nm
sed 's/^gateway = .*/gateway = 192.0.2.254/; s/^\[nic eth1\]/[nic eth1]\nboot = static\naddress = 192.0.2.42\/24\ngateway = 192.0.2.254/' \
    "$W/fixed.rcp" >"$W/gw2.rcp"
run_imprint apply -D name=web1 --vmcfg "$W/nm.cfg" --root-dir "$W/nm" \
    "$W/gw2.rcp"
check_exit "a DHCP keyfile made static: refused" "$RC" 1
check_match "DHCP keyfile: said" "$ERR" \
    "gw2.rcp:10: nic eth1: boot = static, but /etc/NetworkManager/system-connections/Wired connection 2 gives it no address \(ipv4.method=auto\)"
check_eq "DHCP keyfile: the only complaint (eth0's new gateway is fine)" \
    "$(wc -l <<<"$ERR")" 2

done_testing
