#!/bin/bash
# tests/t-completion.sh - the bash completion (contrib/bash-completion/imprint)
# completes what a user types: commands, each command's options (from the
# binary), recipes, images, configs and option arguments.
. "$(dirname "$0")/lib.sh"
scratch
# The completion asks `imprint` for options: the one just built.
mkdir "$SCRATCH/bin"
ln -s "$IMPRINT" "$SCRATCH/bin/imprint"
PATH=$SCRATCH/bin:$PATH
. "$TOP/contrib/bash-completion/imprint"

# complete WORDS...: run _imprint as bash would for the last word; print
# COMPREPLY sorted, space-separated.
complete_line() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_imprint
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

check_eq "registered" "$(complete -p imprint)" "complete -F _imprint imprint"
check_eq "imprint ap" "$(complete_line imprint ap)" "apply"
check_eq "imprint (all)" "$(complete_line imprint '')" \
    "--help --version apply clone inspect scan undo vmcfg"
check_eq "imprint apply --dr" "$(complete_line imprint apply --dr)" "--dry-run"
check_eq "imprint apply --ma" "$(complete_line imprint apply --ma)" \
    "--mac-prefix --mac-scan"
check_eq "imprint inspect --j" "$(complete_line imprint inspect --j)" "--json"
check_eq "imprint undo --" "$(complete_line imprint undo --)" \
    "--backing --force --help --json --root-dir"
check_eq "imprint clone --disk-mode " \
    "$(complete_line imprint clone --disk-mode '')" \
    "copy overlay snapshot"
check_eq "imprint apply --mac-prefix " \
    "$(complete_line imprint apply --mac-prefix '')" "kvm ovm3 xen"

# every command's options are exactly the binary's
for c in apply undo clone inspect vmcfg scan; do
	check_eq "$c --: every option" "$(complete_line imprint "$c" --)" \
	    "$(imprint --long-options "$c" | sort | tr '\n' ' ' | sed 's/ $//')"
done
# and the commands are exactly those `imprint --help` names
check_eq "commands = imprint --help" \
    "$(complete_line imprint '' | tr ' ' '\n' | grep -v '^-' | tr '\n' ' ' | sed 's/ $//')" \
    "$(imprint --help | sed -nE 's/^(usage:| ) +imprint ([a-z][a-z-]*) .*/\2/p' | sort -u | tr '\n' ' ' | sed 's/ $//')"

mkdir "$SCRATCH/w"
cd "$SCRATCH/w" || exit 1
mkdir pool
touch web.rcp notes.txt System.img pool/vm.cfg dc1.cfg lab.csv
check_eq "apply RECIPE" "$(complete_line imprint apply '')" "pool web.rcp"
check_eq "apply --dry-run -D k=v RECIPE" \
    "$(complete_line imprint apply --dry-run -D name=x w)" "web.rcp"
check_eq "apply RECIPE IMAGE" "$(complete_line imprint apply web.rcp '')" \
    "System.img pool"
check_eq "apply --vmcfg FILE" \
    "$(complete_line imprint apply --vmcfg pool/)" "pool/vm.cfg"
check_eq "apply --inventory FILE" \
    "$(complete_line imprint apply web.rcp --inventory '')" "lab.csv pool"
check_eq "inspect --vmcfg: auto and configs" \
    "$(complete_line imprint inspect --vmcfg '')" "auto dc1.cfg pool"
check_eq "inspect IMAGE" "$(complete_line imprint inspect --json S)" "System.img"
touch web01.xml
check_eq "vmcfg FILE: libvirt XML too" "$(complete_line imprint vmcfg w)" \
    "web01.xml"
check_eq "apply --domain NAME: nothing to guess" \
    "$(complete_line imprint apply --domain '')" ""
check_eq "inspect --domain NAME IMAGE" \
    "$(complete_line imprint inspect --domain web01 S)" "System.img"
check_eq "apply --connect URI" \
    "$(complete_line imprint apply --connect qemu:///s)" \
    "qemu:///session qemu:///system"
rm web01.xml
check_eq "undo IMAGE" "$(complete_line imprint undo '')" "System.img pool"
check_eq "vmcfg FILE" "$(complete_line imprint vmcfg d)" "dc1.cfg"
check_eq "vmcfg FILE verb" "$(complete_line imprint vmcfg dc1.cfg '')" \
    "add-nic remove-nic set"
check_eq "vmcfg FILE set KEY" "$(complete_line imprint vmcfg dc1.cfg set na)" \
    "name="
check_eq "vmcfg FILE add-nic: no keys" \
    "$(complete_line imprint vmcfg dc1.cfg add-nic na)" ""
check_eq "scan DIR|FILE" "$(complete_line imprint scan --json '')" \
    "dc1.cfg pool"
check_eq "--mac-scan DIR" "$(complete_line imprint vmcfg --mac-scan '')" "pool"
check_eq "apply --root-dir DIR: directories only" \
    "$(complete_line imprint apply --root-dir '')" "pool"
check_eq "apply --root-dir DIR RECIPE: DIR is not an operand" \
    "$(complete_line imprint apply --root-dir pool '')" "pool web.rcp"
check_eq "undo --root-dir DIR" "$(complete_line imprint undo --root-dir p)" \
    "pool"

# the installed recipes, by path
_imprint_recipedir=$SCRATCH/share
mkdir "$SCRATCH/share"
touch "$SCRATCH/share/debian.rcp"
check_eq "apply: installed recipes" "$(complete_line imprint apply de)" \
    "$SCRATCH/share/debian.rcp"

done_testing
