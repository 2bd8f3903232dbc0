#!/bin/bash
# tests/t-cli.sh - one CLI, one story: what every command says about its
# options and its exit status, checked without launching an appliance.
#
#  - a short option means one thing everywhere: -j is apply's --jobs and
#    nothing else's;
#  - exit 2 for a usage error and for an input that cannot be read (a
#    missing image, a missing or unparsable domain config, a missing undo
#    record), the same for every command (imprint(1), EXIT STATUS);
#  - a FIFO named as a recipe, a domain config, an inventory or a root
#    password file is refused at once (exit 2), never waited on;
#  - `imprint --help` repeats each command's synopsis, the --inventory
#    form included;
#  - `vmcfg --json` reports an edit.
. "$(dirname "$0")/lib.sh"
scratch
W=$SCRATCH

printf '[guest]\nhostname = a.example.com\n' >"$W/ok.rcp"
truncate -s 1M "$W/disk.img"			# raw, no filesystem
printf 'import os\nname = "x"\n' >"$W/py.cfg"	# not a config
cat >"$W/dc1.cfg" <<'EOF'
name = 'dc1'
uuid = '2c0d1b62-9f6a-4b39-8d3c-6e0c5f1d0a11'
vif = [ 'mac=00:16:3e:11:22:33,bridge=xenbr0' ]
disk = [ 'phy:/dev/vg/dc1,xvda,w' ]
EOF
cp "$W/dc1.cfg" "$W/dc1.orig"

# ---- short options ----------------------------------------------------------
run_imprint inspect -j "$W/disk.img"
check_exit "inspect -j is not --json" "$RC" 2
check_match "inspect -j: named" "$ERR" "invalid option -- 'j'"
run_imprint vmcfg -j "$W/dc1.cfg"
check_exit "vmcfg -j is not --json" "$RC" 2
run_imprint apply -j 2 "$W/ok.rcp" "$W/disk.img"
check_exit "apply -j is --jobs (goes with --inventory)" "$RC" 2
check_match "apply -j: message" "$ERR" "^imprint: -j, --per-launch, .* go with --inventory"
for o in -f -c -p -r -M -S; do
	run_imprint apply "$o" x "$W/ok.rcp" "$W/disk.img"
	check_exit "apply $o: no such short option" "$RC" 2
done

# ---- a missing image: exit 2 from every command -----------------------------
run_imprint apply "$W/ok.rcp" "$W/nonexistent.img"
check_exit "apply: missing image" "$RC" 2
check_match "apply: missing image named" "$ERR" \
    "^imprint: cannot open image '$W/nonexistent.img': No such file"
run_imprint undo "$W/nonexistent.img"
check_exit "undo: missing image" "$RC" 2
check_match "undo: missing image named" "$ERR" \
    "^imprint: cannot open image '$W/nonexistent.img': No such file"
run_imprint inspect "$W/nonexistent.img"
check_exit "inspect: missing image" "$RC" 2
check_match "inspect: missing image named" "$ERR" "nonexistent\.img"
run_imprint undo "$W/disk.img"
check_exit "undo: no undo record" "$RC" 2
check_match "undo: no undo record: said" "$ERR" "has no undo record"

# ---- a missing domain config: exit 2 from every command ---------------------
run_imprint apply --vmcfg "$W/none.cfg" "$W/ok.rcp" "$W/disk.img"
check_exit "apply: missing config" "$RC" 2
check_match "apply: missing config named" "$ERR" "none\.cfg"
run_imprint inspect --vmcfg "$W/none.cfg" "$W/disk.img"
check_exit "inspect: missing config" "$RC" 2
check_match "inspect: missing config named" "$ERR" "none\.cfg"
run_imprint vmcfg "$W/none.cfg"
check_exit "vmcfg show: missing config" "$RC" 2
run_imprint vmcfg "$W/none.cfg" set name=x
check_exit "vmcfg set: missing config" "$RC" 2
check_nomatch "vmcfg set: missing config is no usage error" "$ERR" "Try 'imprint"

# ---- an unparsable domain config: exit 2, FILE:LINE:COL ---------------------
run_imprint apply --vmcfg "$W/py.cfg" "$W/ok.rcp" "$W/disk.img"
check_exit "apply: unparsable config" "$RC" 2
check_match "apply: unparsable config: FILE:LINE:COL" "$ERR" "py\.cfg:1:1: "
run_imprint inspect --vmcfg "$W/py.cfg" "$W/disk.img"
check_exit "inspect: unparsable config" "$RC" 2
run_imprint vmcfg "$W/py.cfg"
check_exit "vmcfg: unparsable config" "$RC" 2

# ---- a recipe with errors: exit 2 -------------------------------------------
printf '[guest]\ncolour = blue\n' >"$W/bad.rcp"
run_imprint apply "$W/bad.rcp" "$W/disk.img"
check_exit "apply: bad recipe" "$RC" 2
check_match "apply: bad recipe: FILE:LINE" "$ERR" "bad\.rcp:2: "
run_imprint apply "$W/none.rcp" "$W/disk.img"
check_exit "apply: missing recipe" "$RC" 2

# ---- a FIFO as an input: refused at once, exit 2, nothing written -----------
# Opening a FIFO for reading waits for a writer: every host input is opened
# O_NONBLOCK and refused unless it is a regular file.  timeout(1) turns a
# hang into a failed check.
mkfifo "$W/in.fifo"
printf '[guest]\nroot-password = file:%s\n' "$W/in.fifo" >"$W/pw.rcp"
printf 'image\n%s\n' "$W/disk.img" >"$W/inv.csv"
cp "$W/disk.img" "$W/disk.orig"
before=$(ls -A "$W")
fifo_msg="^imprint: cannot read '$W/in\.fifo': not a regular file$"
run_imprint_within 10 apply "$W/in.fifo" "$W/disk.img"
check_exit "apply: FIFO recipe" "$RC" 2
check_match "apply: FIFO recipe: said" "$ERR" "$fifo_msg"
run_imprint_within 10 apply --vmcfg "$W/in.fifo" "$W/ok.rcp" "$W/disk.img"
check_exit "apply: FIFO --vmcfg" "$RC" 2
check_match "apply: FIFO --vmcfg: said" "$ERR" "$fifo_msg"
run_imprint_within 10 inspect --vmcfg "$W/in.fifo" "$W/disk.img"
check_exit "inspect: FIFO --vmcfg" "$RC" 2
check_match "inspect: FIFO --vmcfg: said" "$ERR" "$fifo_msg"
run_imprint_within 10 vmcfg "$W/in.fifo"
check_exit "vmcfg show: FIFO config" "$RC" 2
check_match "vmcfg show: FIFO config: said" "$ERR" "$fifo_msg"
run_imprint_within 10 vmcfg "$W/in.fifo" set name=x
check_exit "vmcfg set: FIFO config" "$RC" 2
check_match "vmcfg set: FIFO config: said" "$ERR" "$fifo_msg"
run_imprint_within 10 apply "$W/ok.rcp" --inventory "$W/in.fifo"
check_exit "apply: FIFO inventory" "$RC" 2
check_match "apply: FIFO inventory: said" "$ERR" "$fifo_msg"
run_imprint_within 10 apply "$W/in.fifo" --inventory "$W/inv.csv"
check_exit "apply --inventory: FIFO recipe" "$RC" 2
check_match "apply --inventory: FIFO recipe: said" "$ERR" "$fifo_msg"
# the password file is read before any appliance is launched
run_imprint_within 10 apply "$W/pw.rcp" "$W/disk.img"
check_exit "apply: FIFO root-password file" "$RC" 2
check_match "apply: FIFO root-password file: said" "$ERR" "$fifo_msg"
run_imprint_within 10 apply --dry-run "$W/pw.rcp" "$W/disk.img"
check_exit "apply --dry-run: FIFO root-password file" "$RC" 2
# a batch refuses the row before its workers start
run_imprint_within 10 apply --json "$W/pw.rcp" --inventory "$W/inv.csv"
check_exit "apply --inventory: FIFO root-password file" "$RC" 1
check_match "apply --inventory: FIFO root-password file: said" \
    "$(jq -r '.images[].messages[]' <<<"$OUT" 2>/dev/null)" \
    "cannot read '$W/in\.fifo': not a regular file"
check_eq "FIFO inputs: nothing written" "$(ls -A "$W")" "$before"
check_same_file "FIFO inputs: image untouched" "$W/disk.img" "$W/disk.orig"

# ---- image chains: checked on the host, before any launch ---------------------
# qemu-img tells each layer's format; a damaged image, a backing file with
# no recorded format or reached through a protocol, and a backing file that
# the same run writes are refused in milliseconds, with nothing written.
C=$W/chain
mkdir "$C"
qemu-img create -q -f raw "$C/tmpl.raw" 16M
qemu-img create -q -f qcow2 -F raw -b tmpl.raw "$C/ov.qcow2"
# a qcow2 with data, cut short: `qemu-img info` still calls it healthy
head -c 4194304 /dev/urandom >"$C/data.raw"
qemu-img convert -f raw -O qcow2 "$C/data.raw" "$C/trunc.qcow2"
truncate -s 200000 "$C/trunc.qcow2"
sum_trunc=$(sha256sum <"$C/trunc.qcow2")
run_imprint apply "$W/ok.rcp" "$C/trunc.qcow2"
check_exit "apply: truncated qcow2" "$RC" 2
check_eq "apply: truncated qcow2: said" "$ERR" \
    "imprint: image '$C/trunc.qcow2' is damaged (qemu-img check: 1 corruption; truncated or corrupt); nothing was written: restore it from a copy"
check_eq "apply: truncated qcow2: not a byte changed" \
    "$(sha256sum <"$C/trunc.qcow2")" "$sum_trunc"
# no backing format: the header extension that records it, zeroed
cp "$C/ov.qcow2" "$C/nofmt.qcow2"
off=$(LC_ALL=C grep -obUaP '\xe2\x79\x2a\xca' "$C/nofmt.qcow2" | head -n 1)
printf '\0\0\0\0' | dd of="$C/nofmt.qcow2" bs=1 seek="${off%%:*}" \
    conv=notrunc 2>/dev/null
sum_nofmt=$(sha256sum <"$C/nofmt.qcow2")
run_imprint apply "$W/ok.rcp" "$C/nofmt.qcow2"
check_exit "apply: no backing format" "$RC" 2
check_eq "apply: no backing format: said" "$ERR" \
    "imprint: image '$C/nofmt.qcow2': its backing file 'tmpl.raw' has no recorded format, and qemu would guess it from content the guest can write; record it: qemu-img rebase -u -F raw -b 'tmpl.raw' '$C/nofmt.qcow2'"
check_eq "apply: no backing format: untouched" \
    "$(sha256sum <"$C/nofmt.qcow2")" "$sum_nofmt"
run_imprint inspect "$C/nofmt.qcow2"
check_exit "inspect: no backing format" "$RC" 2
check_match "inspect: no backing format: said" "$ERR" \
    "^imprint: image '$C/nofmt\.qcow2': its backing file 'tmpl\.raw' has no recorded format"
# a protocol backing file: refused before qemu-img would connect
qemu-img create -q -f qcow2 -u -F raw -b nbd://127.0.0.1:1/x "$C/nbd.qcow2" 16M
run_imprint apply "$W/ok.rcp" "$C/nbd.qcow2"
check_exit "apply: nbd backing" "$RC" 2
check_eq "apply: nbd backing: said" "$ERR" \
    "imprint: image '$C/nbd.qcow2': its backing file 'nbd://127.0.0.1:1/x' is reached through a protocol ('nbd:'), not a host file; imprint follows local files only: copy the backing image to a file and rebase '$C/nbd.qcow2' onto it (qemu-img rebase -F FORMAT -b FILE)"
run_imprint inspect "$C/nbd.qcow2"
check_exit "inspect: nbd backing" "$RC" 2
check_match "inspect: nbd backing: said" "$ERR" "through a protocol \('nbd:'\)"
# a backing file the user did not name: refused, the fix said
sum_ov=$(sha256sum <"$C/ov.qcow2")
for cmd in "apply $W/ok.rcp" inspect; do
	# shellcheck disable=SC2086
	run_imprint $cmd "$C/ov.qcow2"
	check_exit "$cmd: backing file not named" "$RC" 2
	check_eq "$cmd: backing file not named: said" "$ERR" \
	    "imprint: image '$C/ov.qcow2' is backed by '$C/tmpl.raw', a file you did not name: a qcow2 image names its own backing file, and one from elsewhere could put any host file under the guest; if it is your template, name it: --backing '$C/tmpl.raw' (or --backing DIR for every template in DIR)"
done
check_eq "backing file not named: not a byte changed" \
    "$(sha256sum <"$C/ov.qcow2")" "$sum_ov"
# named through a directory whose link leads out of it: still not named
mkdir "$W/tdir"
ln -s ../chain/tmpl.raw "$W/tdir/tmpl.raw"
qemu-img create -q -f qcow2 -F raw -b "$W/tdir/tmpl.raw" "$W/tdir/ov.qcow2"
run_imprint inspect --backing "$W/tdir" "$W/tdir/ov.qcow2"
check_exit "a link out of the named directory" "$RC" 2
check_match "a link out of the named directory: said" "$ERR" \
    "is backed by '$W/tdir/tmpl\.raw', a file you did not name"
run_imprint apply --backing "$C/missing" "$W/ok.rcp" "$C/ov.qcow2"
check_exit "--backing of nothing" "$RC" 2
check_match "--backing of nothing: said" "$ERR" \
    "^imprint: --backing '$C/missing': No such file or directory$"
# named (the file, its directory, or /): the normal clone passes, and
# the refusal that follows is the config's
for b in "$C/tmpl.raw" "$C" /; do
	run_imprint apply --backing "$b" --vmcfg "$C/none.cfg" "$W/ok.rcp" \
	    "$C/ov.qcow2"
	check_exit "apply --backing $b: overlay, then a missing config" "$RC" 2
	check_nomatch "apply --backing $b: overlay accepted" "$ERR" "ov\.qcow2"
	check_match "apply --backing $b: the config is next" "$ERR" \
	    "none\.cfg"
done
# a run whose images back each other, two ways
qemu-img create -q -f qcow2 -F qcow2 -b ov.qcow2 "$C/ov2.qcow2"
run_imprint_within 30 apply --backing "$C" "$W/ok.rcp" "$C/ov.qcow2" \
    "$C/ov2.qcow2"
check_exit "apply: one image backs another" "$RC" 2
check_eq "apply: one image backs another: said" "$ERR" \
    "imprint: image '$C/ov2.qcow2' is backed by '$C/ov.qcow2', which this run also writes: that would change what '$C/ov2.qcow2' holds; flatten '$C/ov2.qcow2' first (qemu-img convert) or leave one of them out"
qemu-img create -q -f qcow2 -F qcow2 -b trunc.qcow2 "$C/ovt.qcow2" 2>/dev/null ||
    qemu-img create -q -f qcow2 -u -F qcow2 -b trunc.qcow2 "$C/ovt.qcow2" 4M
printf 'image\n%s\n%s\n' "$C/trunc.qcow2" "$C/ovt.qcow2" >"$C/inv.csv"
run_imprint_within 30 apply --json --backing "$C" "$W/ok.rcp" \
    --inventory "$C/inv.csv"
check_exit "batch: both rows refused" "$RC" 1
check_eq "batch: each row refused before a launch" \
    "$(jq -r '.images[].messages[]' <<<"$OUT" 2>/dev/null)" \
    "image '$C/trunc.qcow2' is damaged (qemu-img check: 1 corruption; truncated or corrupt); nothing was written: restore it from a copy
image '$C/ovt.qcow2' is backed by '$C/trunc.qcow2', which this run also writes: that would change what '$C/ovt.qcow2' holds; flatten '$C/ovt.qcow2' first (qemu-img convert) or leave one of them out"
check_eq "batch: truncated qcow2 untouched" \
    "$(sha256sum <"$C/trunc.qcow2")" "$sum_trunc"

# ---- usage errors -------------------------------------------------------------
for c in apply undo clone inspect vmcfg scan; do
	run_imprint "$c" --no-such-option
	check_exit "$c: unknown option" "$RC" 2
	check_match "$c: points at its help" "$ERR" "^Try 'imprint $c --help'"
	run_imprint "$c" -h
	check_exit "$c -h" "$RC" 0
	check_match "$c -h: usage" "$OUT" "^usage: imprint $c "
done
run_imprint no-such-command
check_exit "unknown command" "$RC" 2
run_imprint
check_exit "no command" "$RC" 2
run_imprint vmcfg --mac-scan "$W/nodir" "$W/dc1.cfg" set nic0.mac=auto
check_exit "vmcfg: missing --mac-scan dir" "$RC" 2
check_match "vmcfg: missing --mac-scan dir: named" "$ERR" \
    "^imprint: cannot scan '$W/nodir' for MACs: No such file"
check_same_file "usage errors: config untouched" "$W/dc1.cfg" "$W/dc1.orig"

# ---- imprint --help: every synopsis line -------------------------------------
run_imprint --help
check_exit "--help" "$RC" 0
check_match "--help: the --inventory form" "$OUT" \
    '^ +\[--report FILE\] RECIPE --inventory FILE$'
check_match "--help: undo --json" "$OUT" \
    '^       imprint undo \[--force\] \[--json\] \[--backing FILE\|DIR\]\.\.\. IMAGE$'
check_match "--help: apply --root-dir" "$OUT" '^ +--root-dir DIR RECIPE$'
check_match "--help: undo --root-dir" "$OUT" \
    '^       imprint undo \[--force\] \[--json\] --root-dir DIR$'
check_match "--help: inspect --root-dir" "$OUT" \
    '^ +--domain NAME \[--connect URI\]\] --root-dir DIR$'
check_eq "--help: one usage line" "$(grep -c '^usage: ' <<<"$OUT")" 1
run_imprint -V
check_eq "-V" "$OUT" "$("$IMPRINT" --version)"

# ---- vmcfg edits report in JSON ----------------------------------------------
run_imprint vmcfg --json --dry-run "$W/dc1.cfg" set name=dc2 nic0.mac=auto
check_exit "vmcfg --json --dry-run" "$RC" 0
J=$OUT
q() { jq -r "$1" <<<"$J"; }
mac=$(q '.generated["nic0.mac"]')
check_match "vmcfg --json: a generated MAC" "$mac" '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$'
check_eq "vmcfg --json: members" \
    "$(q '[.schema, .file, .dry_run, .changed, .backup] | map(tostring) | join(" ")')" \
    "1 $W/dc1.cfg true true null"
check_eq "vmcfg --json: the diff" "$(q .diff)" "--- $W/dc1.cfg
+++ $W/dc1.cfg
@@ -1,4 +1,4 @@
-name = 'dc1'
+name = 'dc2'
 uuid = '2c0d1b62-9f6a-4b39-8d3c-6e0c5f1d0a11'
-vif = [ 'mac=00:16:3e:11:22:33,bridge=xenbr0' ]
+vif = [ 'mac=$mac,bridge=xenbr0' ]
 disk = [ 'phy:/dev/vg/dc1,xvda,w' ]"
check_same_file "vmcfg --json --dry-run: nothing written" "$W/dc1.cfg" "$W/dc1.orig"
run_imprint vmcfg --json --backup "$W/dc1.cfg" set name=dc2
check_exit "vmcfg --json edit" "$RC" 0
J=$OUT
check_eq "vmcfg --json edit: members" \
    "$(q '[.dry_run, .changed, (.generated | length), .backup] | map(tostring) | join(" ")')" \
    "false true 0 $W/dc1.cfg.imprint-bak"
check_eq "vmcfg --json edit: written" "$(head -n 1 "$W/dc1.cfg")" "name = 'dc2'"
run_imprint vmcfg --json "$W/dc1.cfg" set name=dc2
J=$OUT
check_eq "vmcfg --json: no changes" \
    "$(q '[.changed, .diff] | map(tostring) | join("|")')" "false|"

done_testing
