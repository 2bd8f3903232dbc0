#!/bin/bash
# tests/t-boot.sh - the boot proof of issue 5: a clone of a real Debian 12
# guest, made and personalized by `imprint clone`, boots under qemu with
# the recipe's identity (see tests/boot.md).
#
# Steps: build the template (tests/mkdebian.sh, cached) -> one `imprint
# clone --inventory` makes three qcow2 overlays and their domain configs
# in a scratch directory and personalizes them (one appliance; the recipe
# also forgets the machine-id and the filesystems' UUIDs and makes new SSH
# host keys) -> tests/bootcheck.sh boots each overlay with the NICs' MACs
# taken from its (edited) config -> assert each console report: hostname;
# each of the four NICs (one per network stack: ifupdown, a systemd .link
# and .network, netplan, a NetworkManager keyfile) named and holding the
# recipe's address with the config's MAC; a new machine-id; sshd running
# with the host key imprint made; root, /srv and swap up by the new UUIDs
# apply reported -- and the two clones share none of these.  Then the
# unedited template is booted with clone 1's MACs: those NICs stay unnamed
# and down, proof that imprint's edits are what brought them up.
#
# Needs root, network access to a Debian mirror on the first run,
# debootstrap, sfdisk, mke2fs, mkswap, guestfish and qemu-system-x86_64.
# Exits 77 (skip) when one of the programs is missing (tests/run.sh fails
# a skip under CI=true).
. "$(dirname "$0")/lib.sh"

BOOT_TIMEOUT=${IMPRINT_BOOT_TIMEOUT:-300}
TMPL_MAC=00:16:3e:5b:00:01
TMPL_ADDR=192.0.2.50/24
TMPL_MACHINE_ID=5b0b00710c2e4d8f9a1b3c4d5e6f7001
# The template's filesystems and swap (tests/mkdebian.sh), by UUID.
TMPL_ROOT_UUID=5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7001
TMPL_SRV_UUID=5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7002
TMPL_SWAP_UUID=5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7003

for c in debootstrap sfdisk mke2fs mkswap guestfish qemu-img \
    qemu-system-x86_64; do
	if ! command -v "$c" >/dev/null; then
		skip_all "'$c' not found (sh contrib/install-deps.sh installs it)"
	fi
done

scratch

# --- build (cached) -------------------------------------------------------
t0=$SECONDS
out=$("$TOP/tests/mkdebian.sh")
rc=$?
dir=$(printf '%s\n' "$out" | tail -n 1)
check_exit "tests/mkdebian.sh" "$rc" 0
if [ "$rc" -ne 0 ] || [ ! -f "$dir/debian-boot.img" ]; then
	done_testing
fi
echo "t-boot: template ready in $((SECONDS - t0)) s"

# The template's own ed25519 host key (tests/mkdebian.sh wrote it down).
TMPL_FPR=$(cat "$dir/debian-boot.hostkey")
check_match "the template has an ed25519 host key" "$TMPL_FPR" \
    '^SHA256:[A-Za-z0-9+/]{43}$'

# --- clone: three overlays and configs, each its own identity, in one
# appliance.  The recipe also forgets the machine-id and the filesystems'
# UUIDs and makes new SSH host keys: two clones of one template must
# share none.
printf '%s\n' name,image,config,octet \
    clone-boot,clone1.qcow2,clone1.cfg,77 \
    clone-two,clone2.qcow2,clone2.cfg,78 \
    clone-three,clone3.qcow2,clone3.cfg,79 >"$SCRATCH/clones.csv"
t0=$SECONDS
run_imprint clone --json --from "$dir/debian-boot.cfg" \
    --inventory "$SCRATCH/clones.csv" --disk-mode overlay \
    "$TOP/tests/data/debian-boot/clone.rcp"
check_exit "imprint clone" "$RC" 0
echo "t-boot: imprint clone took $((SECONDS - t0)) s; it said:"
printf '%s\n' "$ERR" | sed 's/^/    /'
APPLY_JSON=$OUT
# Each overlay names its backing file by absolute path and its format, so
# qemu never probes it.
for n in 1 2 3; do
	check_eq "clone $n: a qcow2 overlay of the template" \
	    "$(qemu-img info -U --output=json "$SCRATCH/clone$n.qcow2" |
	    jq -r '[.format, ."backing-filename", ."backing-filename-format"] | join(" ")')" \
	    "qcow2 $dir/debian-boot.img qcow2"
done
# ident N KEY: clone N's identity value KEY, as apply reported it
ident() {
	jq -r --arg img "$SCRATCH/clone$1.qcow2" --arg k "$2" \
	    '.images[] | select(.image == $img) | .identity[$k] // "-"' \
	    <<<"$APPLY_JSON"
}
check_eq "the three clones changed" \
    "$(jq -r '[.images[].result] | join(" ")' <<<"$APPLY_JSON")" \
    "changed changed changed"
for n in 1 2 3; do
	check_eq "clone $n: new UUIDs for root, /srv and swap" \
	    "$(for d in 1 2 3; do ident "$n" "fs-uuid:/dev/sda$d"; done |
	    grep -E '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$' |
	    grep -vc '^5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f700')" 3
done

# --- undo: clone 3 back to the template, every file, label and UUID ------
run_imprint undo --backing "$dir" "$SCRATCH/clone3.qcow2"
check_exit "clone 3: imprint undo" "$RC" 0
check_match "clone 3: undo put the root's UUID back" "$OUT" \
    '^  restored the filesystem UUID of /dev/sda1$'
check_same_file "clone 3: undo put its config back" "$SCRATCH/clone3.cfg" \
    "$dir/debian-boot.cfg"

# One read-only launch over the template (sda), clone 1 (sdb) and clone 3
# (sdc): the SELinux label of every guest file apply rewrote in clone 1
# (tests/mkdebian.sh labels all of /etc), the three UUIDs of the template
# and of clone 3, and clone 3's /etc and the template's as tar files.
mapfile -t rewritten < <(jq -r --arg img "$SCRATCH/clone1.qcow2" \
    '.images[] | select(.image == $img) | .files[] |
    select(.side == "guest" and (.op == "modify" or .op == "create")) |
    .path' <<<"$APPLY_JSON" | LC_ALL=C sort)
check_match "clone 1: apply rewrote fstab, hostname, keyfile, host keys" \
    "${rewritten[*]}" '/etc/NetworkManager/system-connections/lan3\.nmconnection .*/etc/fstab .*/etc/hostname .*/etc/ssh/ssh_host_ed25519_key '
mkdir "$SCRATCH/etc-tmpl" "$SCRATCH/etc-undone"
read_back=$( (printf 'run\nmount-ro /dev/sdb1 /\n'
    printf 'getxattr "%s" security.selinux\necho\n' "${rewritten[@]}"
    printf 'umount-all\n'
    for d in sda sdc; do
	printf 'echo UUID %s\nvfs-uuid /dev/%s1\nvfs-uuid /dev/%s2\n' \
	    "$d" "$d" "$d"
	printf 'vfs-uuid /dev/%s3\nmount-ro /dev/%s1 /\n' "$d" "$d"
	printf 'tar-out /etc %s/etc-%s.tar xattrs:true numericowner:true\n' \
	    "$SCRATCH" "$d"
	printf 'umount-all\n'
    done) | with_test_accel guestfish --ro --format=qcow2 \
    -a "$dir/debian-boot.img" -a "$SCRATCH/clone1.qcow2" \
    -a "$SCRATCH/clone3.qcow2" 2>&1 | tr -d '\0')
labels=$(sed '/^UUID /,$d' <<<"$read_back")
check_eq "clone 1: each file apply rewrote keeps its SELinux label" \
    "$(paste -d ' ' <(printf '%s\n' "${rewritten[@]}") <(printf '%s\n' \
    "$labels"))" \
    "$(for f in "${rewritten[@]}"; do
	awk -v f="$f" '$1 == f { print; found = 1; exit }
	    END { if (!found) print f, "-" }' "$dir/debian-boot.labels"
    done)"
check_eq "clone 3, undone: the template's three UUIDs" \
    "$(sed -n '/^UUID sdc$/,$p' <<<"$read_back" | sed 1d)" \
    "$TMPL_ROOT_UUID
$TMPL_SRV_UUID
$TMPL_SWAP_UUID"
tar --xattrs --xattrs-include='*' --numeric-owner -C "$SCRATCH/etc-tmpl" \
    -xf "$SCRATCH/etc-sda.tar"
tar --xattrs --xattrs-include='*' --numeric-owner -C "$SCRATCH/etc-undone" \
    -xf "$SCRATCH/etc-sdc.tar"
tmpl_fp=$(tree_fp "$SCRATCH/etc-tmpl")
check_match "the template's /etc, read back, is labelled" "$tmpl_fp" \
    '^hosts security\.selinux=0x'
check_eq "clone 3, undone: /etc as the template's (bytes, modes, owners, links, labels)" \
    "$(tree_fp "$SCRATCH/etc-undone")" "$tmpl_fp"

# --- boot -----------------------------------------------------------------
# Where the appliance probe (tests/cache-lib.sh, cached) found KVM broken,
# the boots go to TCG at once instead of each paying bootcheck's KVM grace.
if [ -z "${IMPRINT_BOOT_ACCEL-}" ] && [ "$(test_accel)" = tcg ]; then
	export IMPRINT_BOOT_ACCEL=tcg
	echo "t-boot: KVM does not run the appliance here; booting under TCG"
fi

# vif_mac N I: MAC I of clone N's (edited) config, read by imprint's own
# parser, as bootcheck.sh reads them
vif_mac() {
	"$IMPRINT" vmcfg "$SCRATCH/clone$1.cfg" |
	    sed -n "s/^  nic$2\\.mac=//p" | tr 'A-F' 'a-f'
}

# boot_clone N HOST OCTET: boot clone N and check what it reported; its
# machine-id, host key and UUIDs are left in MID_N, FPR_N and FS_N.
boot_clone() {
	local n=$1 host=$2 octet=$3 m0 m1 m2 m3 t0 rc report mid fpr
	m0=$(vif_mac "$n" 0) m1=$(vif_mac "$n" 1) m2=$(vif_mac "$n" 2)
	m3=$(vif_mac "$n" 3)
	check_nomatch "clone $n: apply gave it a new MAC" "$m0" "^$TMPL_MAC\$"
	t0=$SECONDS
	report=$("$TOP/tests/bootcheck.sh" -k "$dir/debian-boot.vmlinuz" \
	    -i "$dir/debian-boot.initrd" "$SCRATCH/clone$n.qcow2" \
	    "$SCRATCH/clone$n.cfg" "$BOOT_TIMEOUT")
	rc=$?
	echo "t-boot: clone $n booted in $((SECONDS - t0)) s; it reported:"
	printf '%s\n' "$report" | sed 's/^/    /'
	check_exit "clone $n: tests/bootcheck.sh" "$rc" 0
	check_eq "clone $n: hostname on the console" \
	    "$(sed -n 's/^IMPRINT-REPORT hostname=//p' <<<"$report")" "$host"
	# Four NICs with the config's MACs, each named and addressed by its
	# own stack: eth0 by ifupdown, lan1 by a .link and a .network, lan2
	# by netplan, eth3 by a NetworkManager keyfile bound to its MAC.
	check_eq "clone $n: NICs on the console: every stack bound its NIC" \
	    "$(grep '^IMPRINT-REPORT addr ' <<<"$report")" \
	    "IMPRINT-REPORT addr eth0 $m0 192.0.2.$octet/24
IMPRINT-REPORT addr lan1 $m1 192.0.2.61/24
IMPRINT-REPORT addr lan2 $m2 192.0.2.62/24
IMPRINT-REPORT addr eth3 $m3 192.0.2.63/24"
	# forget = machine-id: systemd made a new one
	mid=$(sed -n 's/^IMPRINT-REPORT machine-id=//p' <<<"$report")
	check_match "clone $n: machine-id on the console" "$mid" \
	    '^[0-9a-f]{32}$'
	check_nomatch "clone $n: a new machine-id" "$mid" \
	    "^$TMPL_MACHINE_ID\$"
	# sshd runs, with the ed25519 host key imprint made for this clone
	check_eq "clone $n: sshd on the console" \
	    "$(sed -n 's/^IMPRINT-REPORT sshd=//p' <<<"$report")" active
	fpr=$(sed -n 's/^IMPRINT-REPORT hostkey=//p' <<<"$report")
	check_eq "clone $n: the host key is the one imprint made" "$fpr" \
	    "$(ident "$n" ssh-hostkey.ed25519)"
	check_nomatch "clone $n: the host key is not the template's" "$fpr" \
	    "^$TMPL_FPR\$"
	# forget = fs-uuids: root, /srv (mounted by the UUID its fstab now
	# names) and the swap came up with the UUIDs imprint gave them
	check_eq "clone $n: filesystems and swap on the console" \
	    "$(grep -E '^IMPRINT-REPORT (fs|swap) ' <<<"$report")" \
	    "IMPRINT-REPORT fs / $(ident "$n" fs-uuid:/dev/sda1)
IMPRINT-REPORT fs /srv $(ident "$n" fs-uuid:/dev/sda2)
IMPRINT-REPORT swap $(ident "$n" fs-uuid:/dev/sda3)"
	printf -v "MID_$n" '%s' "$mid"
	printf -v "FPR_$n" '%s' "$fpr"
	printf -v "FS_$n" '%s' "$(grep -E '^IMPRINT-REPORT (fs|swap) ' \
	    <<<"$report" | awk '{ print $NF }')"
}
boot_clone 1 clone-boot 77
boot_clone 2 clone-two 78
# Two clones of one template share no machine-id, host key or filesystem
# UUID.
check_nomatch "the clones' machine-ids differ" "$MID_1" "^$MID_2\$"
check_nomatch "the clones' host keys differ" "$FPR_1" "^$FPR_2\$"
check_eq "the clones' filesystem UUIDs differ" \
    "$(printf '%s\n' "$FS_1" "$FS_2" | sort | uniq -d)" ""

# --- the edit is what made it work --------------------------------------------
# Clone 3, undone, is the template again: booted with clone 1's new MACs,
# the .link, netplan and the keyfile still name the template's MACs, so
# eth1 and eth2 keep their kernel names and no stack gives them or eth3 an
# address (ifupdown binds eth0 by name, so it comes up as the template's),
# and its filesystems are up by the template's UUIDs.
t0=$SECONDS
report=$("$TOP/tests/bootcheck.sh" -a imprint.addrs=1 \
    -k "$dir/debian-boot.vmlinuz" -i "$dir/debian-boot.initrd" \
    "$SCRATCH/clone3.qcow2" "$SCRATCH/clone1.cfg" "$BOOT_TIMEOUT")
rc=$?
echo "t-boot: the unedited boot took $((SECONDS - t0)) s; it reported:"
printf '%s\n' "$report" | sed 's/^/    /'
check_exit "unedited: tests/bootcheck.sh" "$rc" 0
check_eq "unedited, new MACs: the NICs stay unnamed and down" \
    "$(grep '^IMPRINT-REPORT addr ' <<<"$report")" \
    "IMPRINT-REPORT addr eth0 $(vif_mac 1 0) $TMPL_ADDR
IMPRINT-REPORT addr eth1 $(vif_mac 1 1) -
IMPRINT-REPORT addr eth2 $(vif_mac 1 2) -
IMPRINT-REPORT addr eth3 $(vif_mac 1 3) -"
check_eq "unedited: the template's filesystems and swap" \
    "$(grep -E '^IMPRINT-REPORT (fs|swap) ' <<<"$report")" \
    "IMPRINT-REPORT fs / $TMPL_ROOT_UUID
IMPRINT-REPORT fs /srv $TMPL_SRV_UUID
IMPRINT-REPORT swap $TMPL_SWAP_UUID"

done_testing
