#!/bin/bash
# t-vmcfg.sh - integration test of `imprint vmcfg` on copies of domain
# configs in a scratch directory: the issue's acceptance command, dry run,
# backup, refusals (bytes and mtime unchanged, no stray file), exit codes,
# mode and owner, --mac-scan, and libxlutil as referee for every fixture
# it accepts (tests/xlu-referee.c, built here).
. "$(dirname "$0")/lib.sh"
scratch

M1=00:16:3e:aa:bb:01 M2=00:16:3e:aa:bb:02 M3=00:16:3e:aa:bb:03
U=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f
OLD_TIME=200101010000	# mtimes are set to this, so a rewrite shows

# snapshot FILE: remember its bytes and mtime; unchanged FILE checks them,
# and that the directory holds no other new file.
snapshot() {
	cp -p -- "$1" "$SCRATCH/.snap"
	SNAP_MTIME=$(stat -c %Y -- "$1")
	SNAP_LS=$(ls -A "$(dirname "$1")")
}
unchanged() {	# DESCRIPTION FILE
	check_same_file "$1: bytes" "$2" "$SCRATCH/.snap"
	check_eq "$1: mtime" "$(stat -c %Y -- "$2")" "$SNAP_MTIME"
	check_eq "$1: no stray file" "$(ls -A "$(dirname "$2")")" "$SNAP_LS"
}

# ---- the acceptance command ---------------------------------------------
W=$SCRATCH/w
mkdir "$W"
cat >"$W/dc1.cfg" <<'EOF'
# dc1, cloned from the template by hand
name = "dc1"
memory = 2048
uuid = "4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308"
vcpus = 2
vif = [ 'mac=00:16:3e:11:22:33, bridge=xenbr0' ]
disk = [ 'phy:/dev/VolGroup00/LogVolDc1,xvda,w' ]
#disk = [ 'phy:/dev/VolGroup00/LogVolDc1,xvda,w' ]
on_reboot = 'restart'
EOF
cp "$W/dc1.cfg" "$SCRATCH/dc1.orig"
touch -t $OLD_TIME "$W/dc1.cfg"

# --dry-run: the diff, nothing written
snapshot "$W/dc1.cfg"
run_imprint vmcfg --dry-run "$W/dc1.cfg" set name=dc2 uuid=new \
    nic0.mac=auto disk0.target=/dev/VolGroupXX/LogVolDc2
check_exit "dry run" "$RC" 0
unchanged "dry run" "$W/dc1.cfg"
check_match "dry run: header" "$OUT" "^--- $W/dc1.cfg\$"
check_match "dry run: hunk" "$OUT" '^@@ -1,9 \+1,9 @@$'
check_match "dry run: name" "$OUT" '^\+name = "dc2"$'
check_match "dry run: new uuid shown" "$OUT" \
    '^uuid=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
check_match "dry run: new mac shown" "$OUT" \
    '^nic0.mac=00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$'

run_imprint vmcfg "$W/dc1.cfg" set name=dc2 uuid=new nic0.mac=auto \
    disk0.target=/dev/VolGroupXX/LogVolDc2
check_exit "acceptance" "$RC" 0
uuid=$(printf '%s\n' "$OUT" | sed -n 's/^uuid=//p')
mac=$(printf '%s\n' "$OUT" | sed -n 's/^nic0.mac=//p')
check_eq "acceptance: printed in command order" \
    "$(printf '%s\n' "$OUT" | cut -d= -f1 | tr '\n' ' ')" "uuid nic0.mac "
check_match "acceptance: mac under 00:16:3e, lower half" "$mac" \
    '^00:16:3e:[0-7][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}$'
check_eq "acceptance: exact bytes" "$(cat "$W/dc1.cfg")" \
"# dc1, cloned from the template by hand
name = \"dc2\"
memory = 2048
uuid = \"$uuid\"
vcpus = 2
vif = [ 'mac=$mac, bridge=xenbr0' ]
disk = [ 'phy:/dev/VolGroupXX/LogVolDc2,xvda,w' ]
#disk = [ 'phy:/dev/VolGroup00/LogVolDc1,xvda,w' ]
on_reboot = 'restart'"
check_eq "acceptance: no stray file" "$(ls -A "$W")" "dc1.cfg"
run_imprint vmcfg "$W/dc1.cfg"
check_match "show: uuid" "$OUT" "^uuid: $uuid\$"
check_match "show: nic0" "$OUT" "^  nic0.mac=$mac\$"
check_match "show: disk0" "$OUT" '^  disk0.target=/dev/VolGroupXX/LogVolDc2$'

# nothing to change: exit 0, "no changes", file not rewritten
touch -t $OLD_TIME "$W/dc1.cfg"
snapshot "$W/dc1.cfg"
run_imprint vmcfg "$W/dc1.cfg" set name=dc2 "nic0.mac=$mac"
check_exit "no change" "$RC" 0
check_eq "no change: message" "$OUT" "no changes"
unchanged "no change" "$W/dc1.cfg"

# ---- --backup -----------------------------------------------------------
cp "$SCRATCH/dc1.orig" "$W/dc1.cfg"
run_imprint vmcfg --backup "$W/dc1.cfg" set name=dc3
check_exit "backup" "$RC" 0
check_same_file "backup: byte copy" "$W/dc1.cfg.imprint-bak" \
    "$SCRATCH/dc1.orig"
check_match "backup: named" "$OUT" "^backup: $W/dc1.cfg.imprint-bak\$"
run_imprint vmcfg --backup "$W/dc1.cfg" set name=dc4
check_exit "second backup" "$RC" 0
check_same_file "backup: the oldest is kept" "$W/dc1.cfg.imprint-bak" \
    "$SCRATCH/dc1.orig"
check_eq "backup: files" "$(ls -A "$W" | tr '\n' ' ')" \
    "dc1.cfg dc1.cfg.imprint-bak "
rm -f "$W/dc1.cfg.imprint-bak"

# ---- mode and owner kept, symlink target edited -------------------------
cp "$SCRATCH/dc1.orig" "$W/dc1.cfg"
chmod 0640 "$W/dc1.cfg"
if [ "$(id -u)" = 0 ]; then
	chown 123:456 "$W/dc1.cfg"
fi
before=$(stat -c '%a %u %g' "$W/dc1.cfg")
run_imprint vmcfg "$W/dc1.cfg" set name=dc5
check_exit "mode/owner" "$RC" 0
check_eq "mode/owner kept" "$(stat -c '%a %u %g' "$W/dc1.cfg")" "$before"
ln -s dc1.cfg "$W/link.cfg"
run_imprint vmcfg "$W/link.cfg" set name=dc6
check_exit "symlink" "$RC" 0
check_eq "symlink: still a link" "$(stat -c %F "$W/link.cfg")" \
    "symbolic link"
check_match "symlink: target edited" "$(cat "$W/dc1.cfg")" '^name = "dc6"$'
rm -f "$W/link.cfg"

# ---- refusals: exit 1, bytes and mtime identical, no stray file -----------
cp "$SCRATCH/dc1.orig" "$W/dc1.cfg"
touch -t $OLD_TIME "$W/dc1.cfg"
snapshot "$W/dc1.cfg"
refuse() {	# DESCRIPTION ARGS...
	local d=$1
	shift
	run_imprint vmcfg --backup "$W/dc1.cfg" "$@"
	check_exit "refuse $d" "$RC" 1
	check_match "refuse $d: message" "$ERR" "dc1.cfg"
	unchanged "refuse $d" "$W/dc1.cfg"
}
refuse "bad mac" set name=ok nic0.mac=00:16:3e:zz:00:01
refuse "short mac" set nic0.mac=00:16:3e:00:01
refuse "multicast mac" set nic0.mac=01:00:5e:00:00:01
refuse "all-zero mac" set nic0.mac=00:00:00:00:00:00
refuse "name with a quote" set "name=dc'2"
refuse "name with a blank" set "name=dc 2"
refuse "bad uuid" set uuid=not-a-uuid
refuse "nic out of range" set nic1.mac=auto
refuse "disk out of range" set disk3.target=/dev/x
refuse "relative disk path" set disk0.target=dev/x
refuse "comma in positional disk path" set disk0.target=/dev/a,b
refuse "bridge with a comma" set nic0.bridge=a,b
refuse "second change bad" set name=dc2 nic0.mac=auto nic0.bridge=x=y
refuse "remove missing nic" remove-nic 4
refuse "add-nic bad mac" add-nic mac=01:02:03:04:05:06,bridge=x
run_imprint vmcfg --mac-prefix 01:00 "$W/dc1.cfg" set nic0.mac=auto
check_exit "multicast prefix" "$RC" 2
unchanged "multicast prefix" "$W/dc1.cfg"

printf 'import os\nname = "x"\nvif = [ "mac=00:16:3e:00:00:01" ]\n' \
    >"$W/py.cfg"
touch -t $OLD_TIME "$W/py.cfg"
snapshot "$W/py.cfg"
run_imprint vmcfg "$W/py.cfg" set name=y
check_exit "python file" "$RC" 2
check_match "python file: FILE:LINE:COL" "$ERR" "py.cfg:1:1: "
unchanged "python file" "$W/py.cfg"
run_imprint vmcfg "$W/py.cfg"
check_exit "python file shown" "$RC" 2
rm -f "$W/py.cfg"
snapshot "$W/dc1.cfg"

# ---- usage errors: exit 2, nothing written --------------------------------
usage2() {	# DESCRIPTION ARGS...
	local d=$1
	shift
	run_imprint vmcfg "$@"
	check_exit "usage $d" "$RC" 2
	check_match "usage $d: hint" "$ERR" "imprint vmcfg --help"
	unchanged "usage $d" "$W/dc1.cfg"
}
usage2 "unknown option" --frobnicate "$W/dc1.cfg"
usage2 "missing FILE"
usage2 "unknown subcommand" "$W/dc1.cfg" rename dc2
usage2 "malformed KEY=VALUE" "$W/dc1.cfg" set name
usage2 "empty key" "$W/dc1.cfg" set =dc2
usage2 "set without pairs" "$W/dc1.cfg" set
usage2 "key twice" "$W/dc1.cfg" set name=a name=b
usage2 "remove-nic not a number" "$W/dc1.cfg" remove-nic one
usage2 "dry-run without an edit" --dry-run "$W/dc1.cfg"
usage2 "mac-prefix twice" --mac-prefix kvm --mac-prefix xen \
    "$W/dc1.cfg" set nic0.mac=auto
run_imprint vmcfg --help
check_exit "help" "$RC" 0
check_match "help: synopsis" "$OUT" '^usage: imprint vmcfg \[--json\] FILE$'

# ---- add-nic, remove-nic --------------------------------------------------
run_imprint vmcfg "$W/dc1.cfg" add-nic bridge=xenbr1
check_exit "add-nic" "$RC" 0
mac1=$(printf '%s\n' "$OUT" | sed -n 's/^nic1.mac=//p')
check_match "add-nic: mac written first" "$(cat "$W/dc1.cfg")" \
    "'mac=$mac1,bridge=xenbr1' \]\$"
run_imprint vmcfg "$W/dc1.cfg" add-nic mac=auto,bridge=xenbr2
check_exit "add-nic auto" "$RC" 0
mac2=$(printf '%s\n' "$OUT" | sed -n 's/^nic2.mac=//p')
check_match "add-nic auto: written" "$(cat "$W/dc1.cfg")" \
    "'mac=$mac2,bridge=xenbr2' \]\$"
run_imprint vmcfg "$W/dc1.cfg" remove-nic 1
check_exit "remove-nic" "$RC" 0
check_match "remove-nic: gone" "$(cat "$W/dc1.cfg")" \
    "^vif = \[ 'mac=00:16:3e:11:22:33, bridge=xenbr0', \
'mac=$mac2,bridge=xenbr2' \]\$"

# ---- --json ----------------------------------------------------------------
run_imprint vmcfg --json "$FIXTURES/host-xm-pv-two-nics-one-line.vm.cfg"
check_exit "json" "$RC" 0
check_match "json: schema" "$OUT" '^  "schema": 1,$'
check_match "json: name" "$OUT" '^  "name": "app-tmpl",$'
check_match "json: nic 1 bridge" "$OUT" '^        "bridge": "xenbr1"$'
check_match "json: disk target" "$OUT" \
    '^      "target": "/dev/vg_guests/app-tmpl-root"$'

# ---- --mac-scan: the one MAC left under a 256-MAC prefix is chosen --------
S=$SCRATCH/scan
mkdir -p "$S/running_pool/vm1" "$S/etc"
{
	printf "vif = [ "
	for i in $(seq 0 127); do
		[ "$i" = 90 ] || printf "'mac=00:16:3E:00:00:%02X', " "$i"
	done
	printf "]\n"
} >"$S/running_pool/vm1/vm.cfg"
for i in $(seq 128 255); do
	printf "vif = [ 'mac=00:16:3e:00:00:%02x' ]\n" "$i"
done >"$S/etc/many.cfg"
echo "00:16:3e:00:00:5a" >"$S/etc/notes.txt"	# not a config: ignored
ln -s .. "$S/etc/loop"				# a loop: not followed
cp "$SCRATCH/dc1.orig" "$W/dc1.cfg"
run_imprint vmcfg --mac-prefix 00:16:3e:00:00 --mac-scan "$S/running_pool" \
    --mac-scan "$S/etc" "$W/dc1.cfg" set nic0.mac=auto
check_exit "mac-scan" "$RC" 0
check_eq "mac-scan: the free one" "$OUT" "nic0.mac=00:16:3e:00:00:5a"
run_imprint vmcfg --mac-prefix 00:16:3e:00:00 --mac-scan "$S/running_pool" \
    --mac-scan "$S/etc" "$W/dc1.cfg" add-nic bridge=x
check_exit "mac-scan: space full" "$RC" 1
check_match "mac-scan: says so" "$ERR" "no free MAC"
run_imprint vmcfg --mac-scan "$S/nonexistent" "$W/dc1.cfg" set nic0.mac=auto
check_exit "mac-scan: missing dir" "$RC" 2

# ---- libvirt domain XML: the same commands, the format told by content ----
X=$SCRATCH/x
mkdir "$X"
cp "$FIXTURES/host-libvirt-kvm-web01.xml" "$X/web.cfg"	# any name
touch -t $OLD_TIME "$X/web.cfg"
run_imprint vmcfg "$X/web.cfg"
check_exit "xml show" "$RC" 0
check_match "xml show: format" "$OUT" '^format: libvirt$'
check_match "xml show: name" "$OUT" '^name: web01$'
check_match "xml show: nic1 summary" "$OUT" \
    "^nic1: line 65: 'type=network,mac=52:54:00:6B:3C:02,bridge=default,\
model=virtio'\$"
check_match "xml show: nic1 network as bridge" "$OUT" \
    '^  nic1.bridge=default$'
check_match "xml show: the cdrom takes no disk index" "$OUT" \
    "^disk1: line 46: 'type=block,format=raw,dev=vdb,\
target=/dev/vg_guests/web01-data'\$"
run_imprint vmcfg --json "$X/web.cfg"
check_match "xml json: format" "$OUT" '^  "format": "libvirt",$'
check_eq "xml json: disk targets" \
    "$(printf '%s\n' "$OUT" | jq -r '.disks[].target' | tr '\n' ' ')" \
    "/var/lib/libvirt/images/web01.qcow2 /dev/vg_guests/web01-data "
run_imprint vmcfg "$W/dc1.cfg"
check_match "xen show: format" "$OUT" '^format: xen$'

# The clone's edits: exactly the name, uuid, MAC and disk source lines.
run_imprint vmcfg "$X/web.cfg" set name=web02 uuid=new nic0.mac=auto \
    nic1.bridge=isolated disk0.target=/var/lib/libvirt/images/web02.qcow2
check_exit "xml set" "$RC" 0
xuuid=$(printf '%s\n' "$OUT" | sed -n 's/^uuid=//p')
xmac=$(printf '%s\n' "$OUT" | sed -n 's/^nic0.mac=//p')
check_match "xml set: new MAC under libvirt's 52:54:00" "$xmac" \
    '^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$'
check_match "xml set: new uuid" "$xuuid" \
    '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
check_eq "xml set: exact lines" \
    "$(diff "$FIXTURES/host-libvirt-kvm-web01.xml" "$X/web.cfg")" \
"2,3c2,3
<   <name>web01</name>
<   <uuid>4f0c2a9e-7d1b-4c3a-9e5f-1a2b3c4d5e6f</uuid>
---
>   <name>web02</name>
>   <uuid>$xuuid</uuid>
35c35
<       <source file='/var/lib/libvirt/images/web01.qcow2'/>
---
>       <source file='/var/lib/libvirt/images/web02.qcow2'/>
60c60
<       <mac address='52:54:00:6b:3c:01'/>
---
>       <mac address='$xmac'/>
67c67
<       <source network='default'/>
---
>       <source network='isolated'/>"
if command -v virt-xml-validate >/dev/null 2>&1; then
	check_match "xml set: libvirt's schema accepts it" \
	    "$(virt-xml-validate "$X/web.cfg" domain 2>&1)" "validates$"
else
	fail "virt-xml-validate not found (install libvirt-clients)"
fi

# add-nic without a bridge: the kind, source and model of the last NIC.
cp "$FIXTURES/host-libvirt-kvm-web01.xml" "$X/web.cfg"
run_imprint vmcfg "$X/web.cfg" add-nic mac=52:54:00:0A:0B:0C
check_exit "xml add-nic" "$RC" 0
check_eq "xml add-nic: the element" \
    "$(diff "$FIXTURES/host-libvirt-kvm-web01.xml" "$X/web.cfg")" \
"79a80,84
>     <interface type='bridge'>
>       <mac address='52:54:00:0a:0b:0c'/>
>       <source bridge='br0.240'/>
>       <model type='e1000e'/>
>     </interface>"
run_imprint vmcfg "$X/web.cfg" remove-nic 3
check_exit "xml remove-nic" "$RC" 0
check_same_file "xml remove-nic: back to the fixture" "$X/web.cfg" \
    "$FIXTURES/host-libvirt-kvm-web01.xml"

# Refusals: Xen-only keys, a NIC with no bridge to copy; nothing written.
cp "$FIXTURES/host-libvirt-etc-qemu-db02.xml" "$X/db.xml"
snapshot "$X/db.xml"
run_imprint vmcfg "$X/db.xml" set nic1.ip=10.0.0.5
check_exit "xml: nicN.ip refused" "$RC" 1
check_match "xml: nicN.ip refused: names the key" "$ERR" "nic1.ip"
unchanged "xml: nicN.ip refused" "$X/db.xml"
run_imprint vmcfg "$X/db.xml" set nic0.bridge=br0
check_exit "xml: a direct NIC has no bridge" "$RC" 1
unchanged "xml: direct NIC" "$X/db.xml"
printf '<domain type="kvm"><name>a</name>\n<devices></devices>\n' \
    >"$X/broken.xml"
run_imprint vmcfg "$X/broken.xml"
check_exit "xml: not well-formed" "$RC" 2
check_match "xml: not well-formed: FILE:LINE" "$ERR" "broken.xml:[0-9]+: "

# --mac-scan reads domain XML too: the one MAC left is chosen.
S2=$SCRATCH/scan2
mkdir -p "$S2/qemu/networks"
for i in $(seq 0 254); do
	printf "    <interface type='bridge'><mac address='52:54:00:00:00:%02x'/>\
<source bridge='br0'/></interface>\n" "$i"
done | { printf "<domain type='kvm'>\n  <name>many</name>\n  <devices>\n"
	cat; printf "  </devices>\n</domain>\n"; } >"$S2/qemu/many.xml"
printf "<network><name>default</name><mac address='52:54:00:00:00:ff'/>\
</network>\n" >"$S2/qemu/networks/default.xml"
cp "$FIXTURES/host-libvirt-kvm-web01.xml" "$X/web.cfg"
run_imprint vmcfg --mac-prefix 52:54:00:00:00 --mac-scan "$S2" \
    "$X/web.cfg" set nic0.mac=auto
check_exit "xml mac-scan" "$RC" 0
check_eq "xml mac-scan: the free one" "$OUT" "nic0.mac=52:54:00:00:00:ff"

# ---- libxlutil as referee ---------------------------------------------------
# field VALUE of KEY in a vif spec, and the spec with KEY set to VALUE,
# following fixtures/README.md conventions 2 and 3.
spec_set() {	# SPEC KEY VALUE
	awk -v spec="$1" -v key="$2" -v val="$3" 'BEGIN {
		n = split(spec, f, ",")
		hit = 0
		for (i = n; i >= 1; i--) {
			k = f[i]
			sub(/=.*/, "", k)
			gsub(/^[ \t]+|[ \t]+$/, "", k)
			if (index(f[i], "=") && k == key) { hit = i; break }
		}
		if (hit) {
			e = index(f[hit], "=")
			v = substr(f[hit], e + 1)
			match(v, /[ \t]*$/)
			f[hit] = substr(f[hit], 1, e) val substr(v, RSTART)
			out = f[1]
			for (i = 2; i <= n; i++) out = out "," f[i]
			if (spec ~ /,$/) out = out ","
		} else if (spec == "" || spec ~ /,$/)
			out = spec key "=" val
		else
			out = spec "," key "=" val
		print out
	}'
}

REF=$SCRATCH/referee
if ! cc -o "$REF" "$TOP/tests/xlu-referee.c" -lxlutil -lxenlight \
    2>"$SCRATCH/cc.err"; then
	sed 's/^/    /' "$SCRATCH/cc.err"
	skip 1 "libxlutil referee: cannot build tests/xlu-referee.c (install libxen-dev)"
	REF=
fi

# fixture (accepted by libxlutil, README table) and its job
JOBS="
host-xm-ovm2-quoted-numbers.vm.cfg nic0.mac=$M1 uuid=$U
host-xm-pv-two-nics-one-line.vm.cfg nic1.mac=$M2 nic1.bridge=xenbr2 disk0.target=/dev/vg_guests/app-clone1-root
host-xm-hvm-ioemu-spaces.vm.cfg nic0.mac=$M1 nic0.bridge=xenbr1 uuid=$U
host-xm-empty-vif-spec.vm.cfg nic0.mac=$M1 nic0.bridge=xenbr1
host-xm-no-uuid.vm.cfg nic0.mac=$M1 uuid=$U
host-xm-multiline-vif-trailing-comma.vm.cfg nic1.mac=$M2 nic1.bridge=xenbr2
host-xl-pv-keyed-diskspec.cfg nic0.mac=$M1 nic0.bridge=xenbr1 uuid=$U disk0.target=/dev/vg_xen/clone01
host-xl-hvm-three-bridges.cfg nic1.mac=$M2 nic1.bridge=xenbr0.250 nic2.mac=$M3
host-xl-pvh-no-mac.cfg nic0.mac=$M1
host-xm-commented-old-vif.vm.cfg nic0.mac=$M1 nic0.bridge=xenbr1
host-xm-provisioner-aligned-no-uuid.cfg nic0.mac=$M1 uuid=$U
"
R=$SCRATCH/ref
mkdir "$R"
while read -r fx job; do
	[ -n "$fx" ] || continue
	[ -n "$REF" ] || break
	cp "$FIXTURES/$fx" "$R/$fx"
	# shellcheck disable=SC2086
	run_imprint vmcfg "$R/$fx" set $job
	check_exit "referee $fx: edit" "$RC" 0
	if ! "$REF" "$FIXTURES/$fx" >"$R/before" 2>"$R/err"; then
		fail "referee $fx: libxlutil rejects the fixture"
		continue
	fi
	if ! "$REF" "$R/$fx" >"$R/after" 2>"$R/err"; then
		fail "referee $fx: libxlutil rejects the edited file"
		sed 's/^/    /' "$R/err"
		continue
	fi
	# Build what libxlutil must read back from the before state.
	cp "$R/before" "$R/want"
	# MACs before other keys, as imprint appends them (convention 3)
	for kv in $(printf '%s\n' $job | grep '\.mac=') \
	    $(printf '%s\n' $job | grep -v '\.mac='); do
		key=${kv%%=*} val=${kv#*=}
		case $key in
		name|uuid)
			sed -i -e "s|^$key=.*|$key=$val|" \
			    -e "s|^$key absent\$|$key=$val|" "$R/want"
			;;
		nic*.*)
			n=${key#nic}; n=${n%%.*}; k=${key#*.}
			old=$(sed -n "s/^vif\[$n\]=//p" "$R/want")
			new=$(spec_set "$old" "$k" "$val")
			awk -v l="vif[$n]=" -v s="$new" \
			    'index($0, l) == 1 { $0 = l s } { print }' \
			    "$R/want" >"$R/want.t" && mv "$R/want.t" "$R/want"
			;;
		disk*.target)
			n=${key#disk}; n=${n%%.*}
			run_imprint vmcfg "$FIXTURES/$fx"
			oldt=$(printf '%s\n' "$OUT" |
			    sed -n "s/^  disk$n.target=//p")
			awk -v l="disk[$n]=" -v o="$oldt" -v s="$val" '
			    index($0, l) == 1 {
				i = index($0, o)
				$0 = substr($0, 1, i - 1) s \
				    substr($0, i + length(o))
			    } { print }' "$R/want" >"$R/want.t" &&
			    mv "$R/want.t" "$R/want"
			;;
		esac
	done
	check_same_file "referee $fx: libxlutil reads the job's values" \
	    "$R/after" "$R/want"
	# and imprint reads back the same values it wrote
	run_imprint vmcfg "$R/$fx"
	for kv in $job; do
		key=${kv%%=*} val=${kv#*=}
		case $key in
		name|uuid) check_match "$fx: imprint reads $key" "$OUT" \
		    "^$key: $val\$" ;;
		*) check_match "$fx: imprint reads $key" "$OUT" \
		    "^  $key=$val\$" ;;
		esac
	done
done <<EOF
$JOBS
EOF

# diskN.format=qcow2 on each spec form: xl's own disk parser
# (xlu-referee --disk) reads format qcow2 and the same vdev, target and
# access as before the edit.
while read -r spec want; do
	[ -n "$spec" ] || continue
	[ -n "$REF" ] || break
	printf "disk = [ '%s' ]\n" "$spec" >"$R/fmt.cfg"
	run_imprint vmcfg "$R/fmt.cfg" set disk0.format=qcow2
	check_exit "format $spec: edit" "$RC" 0
	check_eq "format $spec: the spec written" "$(cat "$R/fmt.cfg")" \
	    "disk = [ '$want' ]"
	if ! before=$("$REF" --disk "$spec" 2>&1) ||
	    ! after=$("$REF" --disk "$want" 2>&1); then
		fail "format $spec: xl rejects a spec: $before / $after"
		continue
	fi
	check_eq "format $spec: xl reads qcow2, the rest the same" \
	    "$after" "format=qcow2 ${before#format=* }"
	check_match "format $spec: xl read it before" "$before" \
	    '^format=(raw|qcow2) vdev=xvda target=/p/x.img access=rw '
done <<'EOF'
file:/p/x.img,xvda,w tap:qcow2:/p/x.img,xvda,w
tap:aio:/p/x.img,xvda,w tap:qcow2:/p/x.img,xvda,w
tap2:aio:/p/x.img,xvda,w tap:qcow2:/p/x.img,xvda,w
tap:tapdisk:aio:/p/x.img,xvda,w tap:qcow2:/p/x.img,xvda,w
aio:/p/x.img,xvda,w tap:qcow2:/p/x.img,xvda,w
raw:/p/x.img,xvda,w tap:qcow2:/p/x.img,xvda,w
qcow2:/p/x.img,xvda:disk,w tap:qcow2:/p/x.img,xvda:disk,w
/p/x.img,raw,xvda,w /p/x.img,qcow2,xvda,w
/p/x.img,,xvda,w /p/x.img,qcow2,xvda,w
format=raw,vdev=xvda,access=rw,target=/p/x.img format=qcow2,vdev=xvda,access=rw,target=/p/x.img
vdev=xvda,access=rw,target=/p/x.img vdev=xvda,access=rw,format=qcow2,target=/p/x.img
EOF
printf "disk = [ 'phy:/dev/vg/x,xvda,w' ]\n" >"$R/fmt.cfg"
run_imprint vmcfg "$R/fmt.cfg" set disk0.format=qcow2
check_exit "format phy: refused" "$RC" 1
check_eq "format phy: the message" "$ERR" \
    "imprint: $R/fmt.cfg:1:10: cannot set disk 0's format to qcow2: 'phy:/dev/vg/x' is a block device (phy:), not a qcow2 file; write the spec by hand"

# Oracle VM 3 (libxlutil rejects it): imprint reads back its own edit.
fx=host-xm-ovm3-pvm.vm.cfg
cp "$FIXTURES/$fx" "$R/$fx"
run_imprint vmcfg "$R/$fx" set nic0.mac=00:21:f6:aa:bb:01 \
    nic0.bridge=0a0c1f00 uuid=0004fb00-0006-0000-6f1c-2d3e4a5b4c6d \
    name=0004fb00000600006f1c2d3e4a5b4c6d
check_exit "ovm3 edit" "$RC" 0
check_eq "ovm3: three lines changed" \
    "$(diff "$FIXTURES/$fx" "$R/$fx" | grep -c '^>')" 3
run_imprint vmcfg "$R/$fx"
check_match "ovm3: name" "$OUT" '^name: 0004fb00000600006f1c2d3e4a5b4c6d$'
check_match "ovm3: mac" "$OUT" '^  nic0.mac=00:21:f6:aa:bb:01$'

# Oracle VM 3 style: uuid=new keeps a dashless (upper-case) uuid so; a new
# MAC in a file under 00:21:f6 is under it too, unless --mac-prefix.
O3=$SCRATCH/ovm3
mkdir "$O3"
sed "s/^uuid = '0004fb00-0006-0000-7c2e-9a41b05d3f18'$/uuid = '0004FB00000600007C2E9A41B05D3F18'/" \
    "$FIXTURES/$fx" >"$O3/vm.cfg"
check_eq "ovm3 dashless: prepared" "$(grep '^uuid' "$O3/vm.cfg")" \
    "uuid = '0004FB00000600007C2E9A41B05D3F18'"
cp "$O3/vm.cfg" "$O3/orig.cfg"
run_imprint vmcfg "$O3/vm.cfg" set uuid=new nic0.mac=auto
check_exit "ovm3 uuid=new" "$RC" 0
u3=$(sed -n 's/^uuid=//p' <<<"$OUT")
m3=$(sed -n 's/^nic0\.mac=//p' <<<"$OUT")
check_match "ovm3 uuid=new: dashless upper case" "$u3" '^[0-9A-F]{32}$'
check_match "ovm3 mac=auto: Oracle's OUI" "$m3" '^00:21:f6(:[0-9a-f]{2}){3}$'
check_eq "ovm3 uuid=new: only the uuid and vif lines" \
    "$(diff "$O3/orig.cfg" "$O3/vm.cfg" | grep '^[<>]')" \
    "< vif = ['mac=00:21:f6:4b:10:2c,bridge=0a0c1e00']
> vif = ['mac=$m3,bridge=0a0c1e00']
< uuid = '0004FB00000600007C2E9A41B05D3F18'
> uuid = '$u3'"
run_imprint vmcfg --mac-prefix xen "$O3/vm.cfg" set nic0.mac=auto
check_match "ovm3 --mac-prefix xen wins" "$OUT" \
    '^nic0\.mac=00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$'
# A dashed uuid stays dashed.
cp "$FIXTURES/$fx" "$O3/dashed.cfg"
run_imprint vmcfg "$O3/dashed.cfg" set uuid=new
check_match "dashed uuid=new: dashed" "$OUT" \
    '^uuid=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

done_testing
