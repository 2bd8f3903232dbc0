#!/bin/bash
# t-libvirt.sh - the libvirt path: `imprint apply` with a recipe's
# [host] domain, `inspect --domain` and `undo`, against a domain defined
# in libvirt's test driver (test:///default, no daemon).  The test driver
# keeps its domains in one process's memory, so tests/virt-run.c runs the
# commands in one process and prints what libvirt holds between them.
# Asserts the whole inactive XML libvirt keeps: after apply exactly the
# template's with the clone's name, uuid, MAC and disk source; after undo
# exactly the template's again.  One appliance launch per command.
. "$(dirname "$0")/lib.sh"
scratch
CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
DATA=$TOP/tests/data
# imprint's note that KVM cannot start the appliance here (guest.c), in
# the test cache: only the first script pays the KVM watchdog where KVM
# hangs (t-inspect keeps its own, to test the fallback itself).
export XDG_CACHE_HOME=$CACHE/xdg
VR=${IMPRINT_VIRT_RUN:-$TOP/${BUILD:-build}/virt-run}
[ -x "$VR" ] || { fail "$VR not built (make $VR)"; done_testing; }

# The Debian template as a test-driver domain, and its clone's disk.
D=$SCRATCH/d
mkdir "$D"
sed "s/<domain type='kvm'>/<domain type='test'>/" "$DATA/debian.xml" \
    >"$D/tmpl.xml"
qemu-img create -q -f qcow2 -F raw -b "$CACHE/debian.img" "$D/disk.qcow2"
sed 's|^config = .*|domain = tmpl-deb12|' "$TOP/recipes/debian.rcp" \
    >"$D/lv.rcp"
ARGS=(-D name=deb1 -D address=192.0.2.41/24 -D gateway=192.0.2.1
    --backing "$CACHE")
URI=(--connect test:///default)

# section NAME: the lines of $OUT from "@@ NAME" up to the next "@@".
section() {
	printf '%s\n' "$OUT" | awk -v h="@@ $1" '
	    $0 == h { on = 1; next } /^@@ / { on = 0 } on'
}

# ---- a running domain is refused before any launch: exit 1 -------------
sum=$(sha256sum <"$D/disk.qcow2")
OUT=$("$VR" --define "$D/tmpl.xml" --start tmpl-deb12 -- apply "${URI[@]}" \
    "${ARGS[@]}" "$D/lv.rcp" "$D/disk.qcow2" 2>"$SCRATCH/err")
check_exit "running domain refused" "$?" 0
check_match "running: exit 1" "$OUT" '^@@ apply exit 1$'
check_eq "running: the message" "$(cat "$SCRATCH/err")" \
    "virt-run: test:///default: domain tmpl-deb12 is running: shut it \
down first (virsh -c test:///default shutdown tmpl-deb12)"
check_eq "running: no undo record" "$(ls "$D")" "disk.qcow2
lv.rcp
tmpl.xml"
check_eq "running: image unchanged" "$(sha256sum <"$D/disk.qcow2")" "$sum"

# ---- apply, inspect, undo in one libvirt ---------------------------------
OUT=$("$VR" --define "$D/tmpl.xml" \
    -- @dump tmpl-deb12 \
    -- apply "${URI[@]}" "${ARGS[@]}" "$D/lv.rcp" "$D/disk.qcow2" \
    -- @dump deb1 tmpl-deb12 \
    -- inspect --json "${URI[@]}" --domain deb1 --backing "$CACHE" \
    "$D/disk.qcow2" \
    -- undo --backing "$CACHE" "$D/disk.qcow2" \
    -- @dump deb1 tmpl-deb12 2>"$SCRATCH/err")
check_exit "virt-run" "$?" 0
sed 's/^/    /' "$SCRATCH/err"
check_match "apply: exit 0" "$OUT" '^@@ apply exit 0$'
check_match "inspect --domain: exit 0" "$OUT" '^@@ inspect exit 0$'
check_match "undo: exit 0" "$OUT" '^@@ undo exit 0$'
# the first dump is the template as libvirt holds it
tmpl=$(section "dump tmpl-deb12" | sed -n '1,/^<\/domain>$/p')
check_match "template: defined" "$tmpl" '^  <name>tmpl-deb12</name>$'
mac=$(printf '%s\n' "$OUT" | sed -n 's/^  generated nic0.mac=//p')
uuid=$(printf '%s\n' "$OUT" | sed -n 's/^  generated uuid=//p')
check_match "apply: a MAC under 52:54:00" "$mac" \
    '^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$'
check_match "apply: the domain is the host file" "$OUT" \
    '^  modify host libvirt:test:///default#71641fa2-8f93-44b7-90c1-62d3e4f50702$'
want=$(printf '%s\n' "$tmpl" | sed \
    -e "s|<name>tmpl-deb12</name>|<name>deb1</name>|" \
    -e "s|<uuid>71641fa2-8f93-44b7-90c1-62d3e4f50702</uuid>|<uuid>$uuid</uuid>|" \
    -e "s|<mac address='52:54:00:2b:8c:01'/>|<mac address='$mac'/>|" \
    -e "s|file='/var/lib/libvirt/images/tmpl-deb12.qcow2'|file='$D/disk.qcow2'|")
after=$(printf '%s\n' "$OUT" | awk '/^@@ apply exit/ { on = 1 }
    on && $0 == "@@ dump deb1" { p = 1; next } p && /^@@ / { exit } p')
check_eq "apply: libvirt holds the template with the clone's identity" \
    "$after" "$want"
check_match "apply: the template's definition is gone" "$OUT" \
    '^@@ dump tmpl-deb12 absent$'
# inspect's JSON document: the lines from "{" to "}" at the margin
js=$(printf '%s\n' "$OUT" | awk '/^\{$/ { on = 1 } on { print } /^\}$/ { on = 0 }')
check_eq "inspect --domain: consistent" \
    "$(jq -r '.images[0].consistent' <<<"$js")" true
check_eq "inspect --domain: reads the domain" \
    "$(jq -r '.images[0].vmcfg | "\(.format) \(.file) \(.name)"' <<<"$js")" \
    "libvirt libvirt:test:///default#$uuid deb1"
check_match "undo: the domain restored" "$OUT" \
    "^  restored host libvirt:test:///default#$uuid\$"
last=$(printf '%s\n' "$OUT" | awk '/^@@ undo exit/ { on = 1 }
    on && $0 == "@@ dump tmpl-deb12" { p = 1; next } p && /^@@ / { exit } p')
check_eq "undo: libvirt holds the template again, byte for byte" \
    "$last" "$tmpl"
check_eq "undo: the clone's definition is gone" \
    "$(printf '%s\n' "$OUT" | grep -c '^@@ dump deb1 absent$')" 1

# ---- usage --------------------------------------------------------------
run_imprint apply --connect test:///default "${ARGS[@]}" \
    "$TOP/recipes/debian.rcp" "$D/disk.qcow2"
check_exit "--connect without a domain" "$RC" 2
check_match "--connect without a domain: says so" "$ERR" \
    "connect goes with --domain"
run_imprint apply --vmcfg "$DATA/debian.xml" --domain x \
    "$TOP/recipes/debian.rcp" "$D/disk.qcow2"
check_exit "--vmcfg and --domain" "$RC" 2
run_imprint inspect --domain a --vmcfg "$DATA/debian.xml" "$D/disk.qcow2"
check_exit "inspect: --vmcfg and --domain" "$RC" 2
printf '[host]\nconfig = /etc/xen/a.cfg\ndomain = a\n' >"$SCRATCH/both.rcp"
run_imprint apply --dry-run "$SCRATCH/both.rcp" "$D/disk.qcow2"
check_exit "recipe: config and domain" "$RC" 2
check_match "recipe: config and domain: FILE:LINE" "$ERR" \
    "both.rcp:3: give config or domain, not both \\(config on line 2\\)"
done_testing
