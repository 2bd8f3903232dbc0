#!/bin/bash
# tests/t-valgrind.sh - each command of imprint once under valgrind
# (memcheck): vmcfg, scan, and apply, inspect and undo on a guest tree,
# and apply and inspect on a tree of each network format beyond ifcfg,
# clone up to its launch
# (--root-dir, no appliance: valgrind would follow only imprint, and a
# launch under it takes minutes).  Every run must report 0 errors and no
# definitely lost block; the unit tests under make sanitize cover the
# rest of the code paths.  Under valgrind, gfs_dir resolves paths by its
# own walk (valgrind has no openat2), the path for kernels before 5.6.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
scratch
W=$SCRATCH
D=$TOP/tests/data
command -v valgrind >/dev/null ||
    skip_all "valgrind is not installed (contrib/install-deps.sh installs it)"
export IMPRINT_XL='' IMPRINT_XM=''
REAL=$IMPRINT
# make sanitize hands every script its AddressSanitizer build, which
# cannot run under valgrind (both replace malloc and map shadow memory).
ldd "$REAL" 2>/dev/null | grep -q 'libasan' &&
    skip_all "$REAL is an AddressSanitizer build (make sanitize), which valgrind cannot run; make check runs this script on the plain build"
OPENAT2='unhandled amd64-linux syscall: 437$'
n=0

# vg NAME WANT-EXIT ARGS...: imprint ARGS under valgrind.
vg() {
	local name=$1 want=$2 log
	shift 2
	n=$((n + 1))
	log=$W/vg.$n.log
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --track-fds=no \
	    --log-file="$log" "$REAL" "$@" >"$W/out" 2>"$W/err"
	RC=$?
	check_exit "$name" "$RC" "$want"
	# valgrind 3.19 does not know openat2 (syscall 437): it fails with
	# ENOSYS, says so in five lines, and gfs_dir walks the tree by hand
	# instead, as on a kernel before 5.6; that is not an error of ours.
	check_eq "$name: valgrind's report" "$(sed "/$OPENAT2/,+4d" "$log")" ""
}

cp "$D/ovs.vm.cfg" "$W/vm.cfg"
vg "vmcfg (read)" 0 vmcfg "$W/vm.cfg"
vg "vmcfg set" 0 vmcfg "$W/vm.cfg" set name=web1 uuid=new nic0.mac=auto
check_match "vmcfg set: written" "$(cat "$W/vm.cfg")" "^name = 'web1'$"
mkdir -p "$W/pool/a" "$W/pool/b"
cp "$D/ovs.vm.cfg" "$W/pool/a/vm.cfg"
cp "$D/ovs.vm.cfg" "$W/pool/b/vm.cfg"
vg "scan (a collision)" 1 scan "$W/pool"

T=$W/tree
mkdir -p "$T"
cp -a "$D/guest-ovs" "$T/el5"
cp "$D/ovs.vm.cfg" "$T/vm.cfg"
cat >"$W/el5.rcp" <<'EOF'
[guest]
hostname = web1.example.com
forget = ssh-hostkeys

[nic eth0]
mac = auto
boot = static
address = 192.0.2.21/24

[host]
name = web1
EOF
vg "apply --root-dir" 0 apply --root-dir "$T/el5" "$W/el5.rcp"
check_match "apply --root-dir: changed" "$(cat "$W/out")" ": changed"
vg "apply --root-dir again" 0 apply --root-dir "$T/el5" "$W/el5.rcp"
check_match "apply --root-dir again: no changes" "$(cat "$W/out")" \
    ": no changes"
vg "inspect --root-dir" 0 inspect --root-dir "$T/el5" --vmcfg "$T/vm.cfg"
vg "undo --root-dir" 0 undo --root-dir "$T/el5"
check_same_file "undo --root-dir: the vm.cfg back" "$T/vm.cfg" \
    "$D/ovs.vm.cfg"

# The network formats beyond ifcfg (t-netfmt.sh): a keyfile, netplan and
# networkd tree each, two NICs, new connection uuids.
cat >"$W/nf.rcp" <<'EOF'
[guest]
hostname = web1.example.net

[nic eth0]
mac = auto
boot = static
address = 192.0.2.41/24

[nic eth1]
mac = auto
EOF
for f in nm netplan networkd; do
	cp -a "$D/guest-$f" "$T/$f"
	cp "$D/netfmt.vm.cfg" "$T/$f.cfg"
	vg "apply --root-dir ($f)" 0 apply --vmcfg "$T/$f.cfg" \
	    --root-dir "$T/$f" "$W/nf.rcp"
	check_match "apply --root-dir ($f): changed" "$(cat "$W/out")" \
	    ": changed"
	vg "inspect --root-dir ($f)" 0 inspect --vmcfg "$T/$f.cfg" \
	    --root-dir "$T/$f"
done

# clone up to the apply's launch: a dry run, then a run whose recipe the
# apply refuses before any launch, so that the copy is made and removed.
C=$W/clone
mkdir -p "$C/tmpl1"
qemu-img create -q -f raw "$C/tmpl1/disk.img" 1M
printf "name = 'tmpl1'\ndisk = ['file:%s,xvda,w']\nvif = ['mac=00:16:3e:00:00:01']\n" \
    "$C/tmpl1/disk.img" >"$C/tmpl1/vm.cfg"
printf '[guest]\nhostname = ${name}\n[host]\ndisk0 = %s\n' "$C/a,b" \
    >"$C/bad.rcp"
vg "clone --dry-run" 0 clone --dry-run --json --from "$C/tmpl1/vm.cfg" \
    --name web2
vg "clone, refused and removed" 1 clone --json --disk-mode copy \
    --from "$C/tmpl1/vm.cfg" --name web2 "$C/bad.rcp"
check_eq "clone, refused and removed: nothing left" "$(ls "$C")" "bad.rcp
tmpl1"
# clone --inventory: two clones made, the batch refuses both rows before
# a launch, and both are removed
printf 'name,octet\nweb3,300\nweb_4,301\n' >"$C/inv.csv"
printf '[guest]\n[nic eth0]\nboot = static\naddress = 192.0.2.${octet}/24\n' \
    >"$C/addr.rcp"
vg "clone --inventory --dry-run" 0 clone --dry-run --json \
    --from "$C/tmpl1/vm.cfg" --inventory "$C/inv.csv"
vg "clone --inventory, every row refused and removed" 1 clone \
    --disk-mode copy --from "$C/tmpl1/vm.cfg" --inventory "$C/inv.csv" \
    "$C/addr.rcp"
check_eq "clone --inventory, refused and removed: nothing left" \
    "$(ls "$C")" "addr.rcp
bad.rcp
inv.csv
tmpl1"
done_testing
