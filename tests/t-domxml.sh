#!/bin/bash
# t-domxml.sh - libvirt's own schema as referee for the domain XML engine
# (src/domxml.c): virt-xml-validate must accept every libvirt fixture and
# every file the engine writes from it (the jobs of fixtures/README.md,
# add-nic, remove-nic), the edits must touch only the lines they should,
# and the engine must read back the values it wrote.  The edits are made
# by tests/domxml-edit.c, built here.  No appliance, no libvirt daemon.
. "$(dirname "$0")/lib.sh"
scratch

command -v virt-xml-validate >/dev/null 2>&1 ||
	skip_all "virt-xml-validate not found (install libvirt-clients)"
command -v xmllint >/dev/null 2>&1 ||
	skip_all "xmllint not found (install libxml2-utils)"

U=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f
M1=00:16:3e:aa:bb:01 M2=00:16:3e:aa:bb:02 M3=00:16:3e:aa:bb:03
L1=52:54:00:aa:bb:01 L2=52:54:00:aa:bb:02 L3=52:54:00:aa:bb:03

ED=$SCRATCH/domxml-edit
# shellcheck disable=SC2046
if ! (cd "$TOP" && ${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -Isrc \
    -o "$ED" tests/domxml-edit.c src/domxml.c src/util.c src/valid.c \
    $(pkg-config --cflags --libs libxml-2.0)) 2>"$SCRATCH/cc.err"; then
	sed 's/^/    /' "$SCRATCH/cc.err"
	fail "cannot build tests/domxml-edit.c"
	done_testing
fi

# validates DESCRIPTION FILE: libvirt's schema accepts FILE as a domain.
validates() {
	local out
	if out=$(virt-xml-validate "$2" domain 2>&1); then
		pass
	else
		fail "$1: virt-xml-validate rejects $2"
		printf '%s\n' "$out" | head -n 10 | sed 's/^/    /'
	fi
}

# ere_quote TEXT: TEXT as an extended regex matching itself.
ere_quote() {
	# shellcheck disable=SC2016
	printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g'
}

# The referee is no rubber stamp: a bad MAC and a stray element fail.
sed "s/'52:54:00:6b:3c:01'/'zz'/" "$FIXTURES/host-libvirt-kvm-web01.xml" \
    >"$SCRATCH/bad1.xml"
sed "s|<vcpu placement='static'>2</vcpu>|&<bogus/>|" \
    "$FIXTURES/host-libvirt-kvm-web01.xml" >"$SCRATCH/bad2.xml"
for f in bad1 bad2; do
	if virt-xml-validate "$SCRATCH/$f.xml" domain >/dev/null 2>&1; then
		fail "virt-xml-validate accepts the broken $f.xml"
	else
		pass
	fi
done

# fixture, lines of the fixture that go/lines that come (diff's < and >),
# then the job (the first three are README.md's)
JOBS="
host-libvirt-kvm-web01.xml 8/8 name=web02 uuid=$U nic0.mac=$L1 nic1.mac=$L2 nic1.bridge=isolated nic2.bridge=br0.250 disk0.target=/var/lib/libvirt/images/web02.qcow2 disk1.target=/dev/vg_guests/web02-data
host-libvirt-etc-qemu-db02.xml 6/6 name=db03 uuid=$U nic1.mac=$L1 nic1.bridge=br-db2 disk0.target=/dev/disk/by-id/dm-name-vg_db-db03--root disk1.target=rbd-pool/db03-data
host-libvirt-xen-handwritten-no-uuid.xml 2/4 uuid=$U nic0.mac=$M1 nic1.mac=$M2 disk1.target=/srv/xen/clone-swap.img
host-libvirt-kvm-web01.xml 0/5 +nic=mac=$L3,network=lab,model=virtio
host-libvirt-kvm-web01.xml 7/5 -nic=1 +nic=mac=$L2,bridge=br1 name=a&b<c>'d\"e
host-libvirt-etc-qemu-db02.xml 13/0 -nic=0 -nic=0
host-libvirt-xen-handwritten-no-uuid.xml 0/4 +nic=mac=$M3,bridge=xenbr2
host-libvirt-xen-handwritten-no-uuid.xml 1/1 disk1.target=/srv/a&b<c>.img
"

for f in "$FIXTURES"/host-libvirt-*.xml; do
	validates "fixture ${f##*/}" "$f"
done

n=0
while read -r fx lines job; do
	[ -n "$fx" ] || continue
	n=$((n + 1))
	out=$SCRATCH/out$n.xml
	# shellcheck disable=SC2086
	"$ED" "$FIXTURES/$fx" $job >"$out" 2>"$SCRATCH/err"
	check_exit "job $n ($fx): edit" "$?" 0
	sed 's/^/    /' "$SCRATCH/err"
	validates "job $n ($fx)" "$out"
	# Only the lines the job names go or come.
	d=$(diff "$FIXTURES/$fx" "$out")
	got=$(printf '%s\n' "$d" | grep -c '^<')/$(printf '%s\n' "$d" |
	    grep -c '^>')
	check_eq "job $n ($fx): lines gone/come" "$got" "$lines"
	# The engine reads back what it wrote.
	# shellcheck disable=SC2086
	shown=$("$ED" "$out" '?')
	for kv in $job; do
		key=${kv%%=*} val=${kv#*=}
		case $key in
		name|uuid)
			check_match "job $n: reads $key" "$shown" \
			    "^$key $(ere_quote "$val") \\(line [0-9]+\\)\$"
			;;
		nic*.mac|nic*.bridge)
			i=${key#nic}; i=${i%%.*}; k=${key#*.}
			check_match "job $n: reads $key" "$shown" \
			    "^nic$i line [0-9]+ .*\\b$k=$val( |\$)"
			;;
		disk*.target)
			i=${key#disk}; i=${i%%.*}
			check_match "job $n: reads $key" "$shown" \
			    "^disk$i line [0-9]+ target=$(ere_quote "$val")\$"
			;;
		esac
	done
done <<EOF
$JOBS
EOF

# Refusals: nothing written, exit 1, one message.
"$ED" "$FIXTURES/host-libvirt-etc-qemu-db02.xml" nic0.bridge=br0 \
    >"$SCRATCH/r.out" 2>"$SCRATCH/r.err"
check_exit "direct NIC has no bridge" "$?" 1
check_eq "direct NIC: no output" "$(cat "$SCRATCH/r.out")" ""
check_eq "direct NIC: one message" "$(wc -l <"$SCRATCH/r.err")" 1
printf '<!DOCTYPE domain [<!ENTITY a "x">]>\n<domain><name>&a;</name></domain>\n' \
    >"$SCRATCH/dtd.xml"
"$ED" "$SCRATCH/dtd.xml" >/dev/null 2>"$SCRATCH/r.err"
check_exit "DOCTYPE refused" "$?" 1
check_match "DOCTYPE refused: says so" "$(cat "$SCRATCH/r.err")" \
    "dtd.xml:1: a DOCTYPE is not allowed"

done_testing
