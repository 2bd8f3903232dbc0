#!/bin/bash
# t-scan.sh - integration test of `imprint scan` (no appliance): a tree of
# generated domain configs with planted collisions (a uuid dashed and
# dashless upper-case, MACs in other cases and spellings, a disk under
# two prefixes, a name, a MAC twice in one file), decoys that must not
# collide (read-only ISOs, w! shared disks, links below the root, a
# non-*.cfg file), an unparsable file, a symlink loop and a link out of
# the tree.  Asserts the exact output, --json through jq, and the exit
# status for collisions, none, usage errors and unreadable arguments.
. "$(dirname "$0")/lib.sh"
scratch

if ! command -v jq >/dev/null; then
	if [ "${CI-}" = true ]; then
		echo "t-scan.sh: jq is missing (Debian package jq)"
		exit 1
	fi
	echo "t-scan.sh: skipped: needs jq (Debian package jq)"
	exit 77
fi

P=$SCRATCH/pool
mkdir -p "$P/etc/xen" "$P/running_pool"

# 40 clones with distinct identities: vmNN, uuid ...0000NN, MACs
# 00:16:3e:00:NN:0{0,1}, disk running_pool/vmNN/System.img, and every one
# with the same read-only install ISO.
for i in $(seq -w 1 40); do
	mkdir "$P/running_pool/vm$i"
	cat >"$P/running_pool/vm$i/vm.cfg" <<EOF
# clone $i
name = 'vm$i'
uuid = '6f1c2d3e-4a5b-4c6d-8e7f-0000000000$i'
memory = 1024
vif = [ 'mac=00:16:3e:00:$i:00,bridge=xenbr0',
        'mac=00:16:3e:00:$i:01,bridge=xenbr1' ]
disk = [ 'file:/OVS/running_pool/vm$i/System.img,xvda,w',
         'file:/OVS/iso/el5.iso,hdc:cdrom,r' ]
EOF
done

# Planted: vm41 is a hand copy of vm07 (Oracle VM 3 spelling: uuid
# dashless upper-case, MAC upper-case with '-', disk through tap:aio:),
# with its own name but vm07's first MAC and disk.
mkdir "$P/running_pool/vm41"
cat >"$P/running_pool/vm41/vm.cfg" <<'EOF'
name = 'vm41'
uuid = '6F1C2D3E4A5B4C6D8E7F000000000007'
vif = ['mac=00-16-3E-00-07-00,bridge=xenbr0']
disk = ['tap:aio:/OVS/running_pool/vm07/System.img,xvda,w']
EOF
# An xl config in /etc/xen named like vm12, a MAC differently cased than
# vm30's, and the same MAC twice in itself (CRLF file).
printf '%s\r\n' "name = \"vm12\"" \
    "uuid = \"0a1b2c3d-0000-4000-8000-000000000001\"" \
    "vif = [ \"mac=00:16:3E:00:30:01\", \"mac=00:16:3e:aa:00:01\"," \
    "        \"mac=00:16:3e:AA:00:01\" ]" \
    "disk = [ \"format=raw, vdev=xvda, target=/dev/vg/xl1\" ]" \
    >"$P/etc/xen/xl1.cfg"
# Two cluster nodes sharing a disk on purpose (w!) and a tools ISO
# read-only: no collision.
for n in 1 2; do
	cat >"$P/etc/xen/node$n.cfg" <<EOF
name = "node$n"
disk = [ "phy:/dev/cluster/ocfs2,xvdb,w!", "file:/OVS/iso/tools.iso,hdc,r" ]
EOF
done
# Not configs: an unparsable *.cfg (reported), a non-*.cfg file, a link
# loop, a link out of the tree to a colliding config, a link to vm01.
printf 'import os\nname = "vm01"\n' >"$P/etc/xen/broken.cfg"
cp "$P/running_pool/vm01/vm.cfg" "$P/etc/xen/vm01.cfg.bak"
ln -s .. "$P/etc/xen/loop"
cp "$P/running_pool/vm02/vm.cfg" "$SCRATCH/outside.cfg"
ln -s ../../outside.cfg "$P/etc/xen/outside.cfg"
mkdir "$P/etc/xen/auto"
ln -s ../../../running_pool/vm01/vm.cfg "$P/etc/xen/auto/vm01.cfg"

# ---- the planted collisions, and nothing else ---------------------------
R=$P/running_pool X=$P/etc/xen
WANT_OUT="uuid 6f1c2d3e-4a5b-4c6d-8e7f-000000000007: $R/vm07/vm.cfg:3, \
$R/vm41/vm.cfg:2 (6F1C2D3E4A5B4C6D8E7F000000000007)
mac 00:16:3e:00:07:00: $R/vm07/vm.cfg:5, $R/vm41/vm.cfg:3 \
(00-16-3E-00-07-00)
mac 00:16:3e:00:30:01: $X/xl1.cfg:3 (00:16:3E:00:30:01), $R/vm30/vm.cfg:6
mac 00:16:3e:aa:00:01: $X/xl1.cfg:3, $X/xl1.cfg:4 (00:16:3e:AA:00:01)
name vm12: $X/xl1.cfg:1, $R/vm12/vm.cfg:2
disk /OVS/running_pool/vm07/System.img: $R/vm07/vm.cfg:7, $R/vm41/vm.cfg:4
configs: 44, unreadable: 1, collisions: 6"
run_imprint scan "$P"
check_exit "scan" "$RC" 1
check_eq "scan: exact output" "$OUT" "$WANT_OUT"
check_eq "scan: the unparsable file on stderr" "$ERR" \
    "imprint: $X/broken.cfg:1:1: python code is not supported ('import')"

# The same with the two directories named apart: the same lines.
run_imprint scan "$P/running_pool" "$P/etc/xen"
check_exit "two dirs" "$RC" 1
check_eq "two dirs: same output" "$OUT" "$WANT_OUT"
# A directory and a file in it, and a trailing slash: nothing counts twice.
run_imprint scan "$P/" "$R/vm07/vm.cfg" "$X/auto/vm01.cfg"
check_exit "named twice" "$RC" 1
check_eq "named twice: same output" "$OUT" "$WANT_OUT"

# ---- --json ------------------------------------------------------------
run_imprint scan --json "$P"
check_exit "json" "$RC" 1
check_eq "json: valid" "$(jq -r .schema <<<"$OUT")" 1
check_eq "json: configs" "$(jq .configs <<<"$OUT")" 44
check_eq "json: unreadable" \
    "$(jq -r '.unreadable[] | "\(.file)|\(.message)"' <<<"$OUT")" \
    "$X/broken.cfg|$X/broken.cfg:1:1: python code is not supported ('import')"
check_eq "json: kinds and values" \
    "$(jq -r '.collisions[] | "\(.kind) \(.value)"' <<<"$OUT")" \
"uuid 6f1c2d3e-4a5b-4c6d-8e7f-000000000007
mac 00:16:3e:00:07:00
mac 00:16:3e:00:30:01
mac 00:16:3e:aa:00:01
name vm12
disk /OVS/running_pool/vm07/System.img"
check_eq "json: uuid places" \
    "$(jq -r '.collisions[0].places[] | "\(.file):\(.line) \(.written)"' \
    <<<"$OUT")" \
"$R/vm07/vm.cfg:3 6f1c2d3e-4a5b-4c6d-8e7f-000000000007
$R/vm41/vm.cfg:2 6F1C2D3E4A5B4C6D8E7F000000000007"
check_eq "json: places of the MAC twice in one file" \
    "$(jq -c '[.collisions[3].places[] | [.file, .line, .written]]' \
    <<<"$OUT")" \
    "[[\"$X/xl1.cfg\",3,\"00:16:3e:aa:00:01\"],\
[\"$X/xl1.cfg\",4,\"00:16:3e:AA:00:01\"]]"
check_eq "json: line types" \
    "$(jq -r '[.collisions[].places[].line | type] | unique | .[]' \
    <<<"$OUT")" "number"
check_eq "json: stderr as text" "$ERR" \
    "imprint: $X/broken.cfg:1:1: python code is not supported ('import')"

# ---- no collision: exit 0, even with an unreadable file inside ----------
C=$SCRATCH/clean
mkdir "$C"
cp -r "$R/vm01" "$R/vm02" "$C/"
cp "$X/broken.cfg" "$C/"
run_imprint scan "$C"
check_exit "clean" "$RC" 0
check_eq "clean: output" "$OUT" "configs: 2, unreadable: 1, collisions: 0"
check_match "clean: broken reported" "$ERR" "^imprint: $C/broken.cfg:1:1: "
run_imprint scan --json "$C"
check_exit "clean json" "$RC" 0
check_eq "clean json" "$(jq -c '[.configs, (.unreadable | length),
    .collisions]' <<<"$OUT")" '[2,1,[]]'
# An empty directory: nothing to collide.
mkdir "$SCRATCH/empty"
run_imprint scan "$SCRATCH/empty"
check_exit "empty dir" "$RC" 0
check_eq "empty dir: output" "$OUT" "configs: 0, unreadable: 0, collisions: 0"
# A named FILE of any name is read; one that does not parse is reported,
# not fatal.
run_imprint scan "$X/vm01.cfg.bak" "$C/broken.cfg"
check_exit "named files" "$RC" 0
check_eq "named files: output" "$OUT" \
    "configs: 1, unreadable: 1, collisions: 0"
run_imprint scan "$X/vm01.cfg.bak" "$R/vm01/vm.cfg"
check_exit "named files collide" "$RC" 1
check_match "named files collide: name" "$OUT" \
    "^name vm01: $X/vm01.cfg.bak:2, $R/vm01/vm.cfg:2\$"
check_eq "named files collide: 5 collisions" "$(tail -n 1 <<<"$OUT")" \
    "configs: 2, unreadable: 0, collisions: 5"

# ---- disks: read-only and w! are no collision, r with w is --------------
D=$SCRATCH/disks
mkdir "$D"
printf "name = 'a'\ndisk = [ 'file:/iso/x.iso,hdc:cdrom,r' ]\n" >"$D/a.cfg"
printf "name = 'b'\ndisk = [ 'file:/iso/x.iso,xvdc,w' ]\n" >"$D/b.cfg"
run_imprint scan "$D"
check_exit "r with w" "$RC" 1
check_eq "r with w: output" "$OUT" \
"disk /iso/x.iso: $D/a.cfg:2, $D/b.cfg:2
configs: 2, unreadable: 0, collisions: 1"
# A real path: one disk through a symlinked directory.
mkdir "$D/real"
: >"$D/real/d.img"
ln -s real "$D/alias"
printf "name = 'b'\ndisk = [ 'file:$D/alias/d.img,xvda,w' ]\n" >"$D/b.cfg"
printf "name = 'c'\ndisk = [ 'phy:$D/real/d.img,xvda,w' ]\n" >"$D/c.cfg"
run_imprint scan "$D"
check_exit "realpath" "$RC" 1
check_eq "realpath: output" "$OUT" \
"disk $D/real/d.img: $D/b.cfg:2 ($D/alias/d.img), $D/c.cfg:2
configs: 3, unreadable: 0, collisions: 1"

# ---- values are shown escaped --------------------------------------------
E=$SCRATCH/esc
mkdir "$E"
printf "name = 'a\\\\tb\\\\\\\\c'\n" >"$E/1.cfg"
cp "$E/1.cfg" "$E/2.cfg"
run_imprint scan "$E"
check_exit "escaped" "$RC" 1
check_eq "escaped: name" "$(head -n 1 <<<"$OUT")" \
    "name a\\x09b\\\\c: $E/1.cfg:1, $E/2.cfg:1"

# ---- exit 2: usage errors and unreadable arguments ----------------------
run_imprint scan
check_exit "no argument" "$RC" 2
check_eq "no argument: message" "$ERR" \
"imprint: scan: give at least one DIR or FILE
Try 'imprint scan --help' for more information."
check_eq "no argument: no output" "$OUT" ""
run_imprint scan -j "$P"
check_exit "-j is not --json" "$RC" 2
check_eq "-j: no output" "$OUT" ""
run_imprint scan --bogus "$P"
check_exit "bad option" "$RC" 2
check_match "bad option: hint" "$ERR" "^Try 'imprint scan --help'"
run_imprint scan --json=yes "$P"
check_exit "--json takes no value" "$RC" 2
run_imprint scan --help
check_exit "help" "$RC" 0
check_match "help: synopsis" "$OUT" \
    '^usage: imprint scan \[--json\] DIR\|FILE\.\.\.$'
run_imprint scan -h
check_exit "-h" "$RC" 0
run_imprint --help
check_match "imprint --help names scan" "$OUT" \
    '^       imprint scan \[--json\] DIR\|FILE\.\.\.$'

# A missing argument: 2, with what the others hold still reported.
run_imprint scan "$C" "$SCRATCH/missing"
check_exit "missing argument" "$RC" 2
check_eq "missing argument: output" "$OUT" \
    "configs: 2, unreadable: 2, collisions: 0"
check_match "missing argument: message" "$ERR" \
    "^imprint: cannot read '$SCRATCH/missing': No such file or directory\$"
run_imprint scan "$P" "$SCRATCH/missing"
check_exit "missing argument, collisions" "$RC" 2
check_eq "missing argument, collisions: listed" "$(head -n -1 <<<"$OUT")" \
    "$(head -n -1 <<<"$WANT_OUT")"
run_imprint scan --json "$SCRATCH/missing"
check_exit "missing argument json" "$RC" 2
check_eq "missing argument json" \
    "$(jq -r '.unreadable[0].message' <<<"$OUT")" \
    "cannot read '$SCRATCH/missing': No such file or directory"
run_imprint scan ""
check_exit "empty argument" "$RC" 2
ln -s nowhere "$SCRATCH/dangling"
run_imprint scan "$SCRATCH/dangling"
check_exit "dangling link argument" "$RC" 2
mkfifo "$SCRATCH/fifo"
run_imprint scan "$SCRATCH/fifo"
check_exit "fifo argument" "$RC" 2
check_match "fifo argument: message" "$ERR" "not a regular file or directory"
# Too large to be a config: refused before reading.
truncate -s 17M "$SCRATCH/huge.cfg"
run_imprint scan "$SCRATCH/huge.cfg"
check_exit "huge argument" "$RC" 2
check_match "huge argument: message" "$ERR" \
    "^imprint: cannot read '$SCRATCH/huge.cfg': larger than 16777216 bytes\$"
# The same file inside a directory: reported, not fatal.
mv "$SCRATCH/huge.cfg" "$C/"
run_imprint scan "$C"
check_exit "huge inside" "$RC" 0
check_eq "huge inside: output" "$OUT" "configs: 2, unreadable: 2, collisions: 0"
rm -f "$C/huge.cfg"

# ---- permissions: unreadable inside a DIR is reported, as an argument 2 --
# As root, run as nobody (setpriv), or mode 000 means nothing.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
if [ "$(id -u)" != 0 ] || command -v setpriv >/dev/null; then
	U=$SCRATCH/perm
	mkdir -p "$U/sub"
	cp "$R/vm01/vm.cfg" "$U/sub/a.cfg"
	cp "$R/vm01/vm.cfg" "$U/b.cfg"
	cp "$R/vm01/vm.cfg" "$U/c.cfg"
	chmod 000 "$U/sub" "$U/b.cfg"
	chmod 755 "$SCRATCH"
	OUT=$(as_user "$IMPRINT" scan "$U" 2>"$SCRATCH/err")
	RC=$?
	ERR=$(cat "$SCRATCH/err")
	check_exit "unreadable inside" "$RC" 0
	check_eq "unreadable inside: output" "$OUT" \
	    "configs: 1, unreadable: 2, collisions: 0"
	check_eq "unreadable inside: messages" "$ERR" \
"imprint: cannot read '$U/b.cfg': Permission denied
imprint: cannot read directory '$U/sub': Permission denied"
	OUT=$(as_user "$IMPRINT" scan --json "$U" 2>/dev/null)
	check_eq "unreadable inside: json" \
	    "$(jq -r '.unreadable[].message' <<<"$OUT")" \
"cannot read '$U/b.cfg': Permission denied
cannot read directory '$U/sub': Permission denied"
	as_user "$IMPRINT" scan "$U/sub" >/dev/null 2>&1
	check_exit "unreadable directory argument" "$?" 2
	as_user "$IMPRINT" scan "$U/b.cfg" "$U/c.cfg" >/dev/null 2>&1
	check_exit "unreadable file argument" "$?" 2
	chmod 700 "$U/sub" "$SCRATCH"
else
	echo "t-scan.sh: permission checks skipped: root without setpriv"
fi

# ---- libvirt domains beside Xen configs: one scan finds both ------------
# A libvirt host's /etc/libvirt/qemu: web01 (the fixture), web02 copied
# from it by hand with only its name changed, so it keeps web01's uuid,
# MACs and disk; a Xen config sharing the data LV; libvirt's network XML
# and an autostart link (not configs); the install ISO read-only and a
# <shareable/> disk in two domains (no collision); a broken domain.
L=$SCRATCH/libvirt
mkdir -p "$L/qemu/networks/autostart" "$L/qemu/autostart" "$L/xen"
cp "$FIXTURES/host-libvirt-kvm-web01.xml" "$L/qemu/web01.xml"
sed 's|<name>web01</name>|<name>web02</name>|' \
    "$FIXTURES/host-libvirt-kvm-web01.xml" >"$L/qemu/web02.xml"
ln -s ../web01.xml "$L/qemu/autostart/web01.xml"
printf "<network>\n  <name>default</name>\n  <uuid>4f0c2a9e-7d1b-4c3a-9e5f-\
1a2b3c4d5e6f</uuid>\n  <mac address='52:54:00:6b:3c:01'/>\n</network>\n" \
    >"$L/qemu/networks/default.xml"
ln -s ../default.xml "$L/qemu/networks/autostart/default.xml"
for n in 1 2; do
	cat >"$L/qemu/node$n.xml" <<EOF
<domain type='kvm'>
  <name>node$n</name>
  <devices>
    <disk type='block' device='disk'>
      <source dev='/dev/cluster/gfs2'/>
      <target dev='vdb' bus='virtio'/>
      <shareable/>
    </disk>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/iso/tools.iso'/>
      <target dev='vdc' bus='virtio'/>
      <readonly/>
    </disk>
  </devices>
</domain>
EOF
done
printf "<domain type='kvm'>\n  <name>half</name>\n" >"$L/qemu/half.xml"
cat >"$L/xen/data.cfg" <<'EOF'
name = 'data'
disk = [ 'phy:/dev/vg_guests/web01-data,xvdb,w' ]
EOF
Q=$L/qemu
run_imprint scan "$L"
check_exit "libvirt scan" "$RC" 1
check_eq "libvirt scan: exact output" "$OUT" \
"uuid 4f0c2a9e-7d1b-4c3a-9e5f-1a2b3c4d5e6f: $Q/web01.xml:3, $Q/web02.xml:3
mac 52:54:00:6b:3c:01: $Q/web01.xml:59, $Q/web02.xml:59
mac 52:54:00:6b:3c:02: $Q/web01.xml:65 (52:54:00:6B:3C:02), \
$Q/web02.xml:65 (52:54:00:6B:3C:02)
mac 52:54:00:6b:3c:03: $Q/web01.xml:71, $Q/web02.xml:71
disk /dev/vg_guests/web01-data: $Q/web01.xml:46, $Q/web02.xml:46, \
$L/xen/data.cfg:2
disk /var/lib/libvirt/images/web01.qcow2: $Q/web01.xml:33, $Q/web02.xml:33
configs: 5, unreadable: 1, collisions: 6"
check_match "libvirt scan: the broken domain on stderr" "$ERR" \
    "^imprint: $Q/half.xml:[0-9]+: invalid XML: "

# ---- --mac-scan reads through the same walker -----------------------------
# 255 of the 256 MACs under 00:16:3e:77:00 are taken in the tree; the
# free one sits in a config outside it, linked in: not followed, so it is
# the one chosen.
M=$SCRATCH/macs
mkdir "$M"
{
	echo "name = 'many'"
	echo "vif = ["
	for i in $(seq 0 255); do
		[ "$i" -eq 90 ] || printf "  'mac=00:16:3E:77:00:%02X',\n" "$i"
	done
	echo "]"
} >"$M/many.cfg"
echo "vif = [ 'mac=00:16:3e:77:00:5a' ]" >"$SCRATCH/free.conf"
ln -s ../free.conf "$M/free.cfg"
printf "name = 'new'\nvif = [ 'bridge=xenbr0' ]\n" >"$SCRATCH/new.cfg"
run_imprint vmcfg --dry-run --mac-prefix 00:16:3e:77:00 --mac-scan "$M" \
    "$SCRATCH/new.cfg" set nic0.mac=auto
check_exit "mac-scan" "$RC" 0
check_eq "mac-scan: the one free MAC" "$OUT" "nic0.mac=00:16:3e:77:00:5a
--- $SCRATCH/new.cfg
+++ $SCRATCH/new.cfg
@@ -1,2 +1,2 @@
 name = 'new'
-vif = [ 'bridge=xenbr0' ]
+vif = [ 'bridge=xenbr0,mac=00:16:3e:77:00:5a' ]"
run_imprint vmcfg --dry-run --mac-prefix 00:16:3e:77:00 --mac-scan "$M" \
    --mac-scan "$SCRATCH/free.conf" "$SCRATCH/new.cfg" set nic0.mac=auto
check_exit "mac-scan: a named file is read" "$RC" 1
check_match "mac-scan: full" "$ERR" "no free MAC left"
run_imprint vmcfg --dry-run --mac-scan "$P" "$SCRATCH/new.cfg" \
    set nic0.mac=auto
check_exit "mac-scan: odd file" "$RC" 0
check_match "mac-scan: the odd file warned" "$ERR" \
    "'$X/broken.cfg' is not a plain domain config"

done_testing
