#!/bin/bash
# Integration test of the fleet path: one inventory spread over two Dom0s,
# one shard each, through contrib/ansible/playbook.yml (two inventory
# hosts with ansible_connection=local) and through contrib/parallel-ssh.sh
# (GNU parallel, two sshlogins reached through a stand-in for ssh that
# runs the command here).  Each over its own pool of Oracle VM clones
# (tests/cache/ovs.img overlays, vm.cfg beside each): every row is
# personalized exactly once, the MACs are unique across the shards, and a
# second run changes nothing: Ansible with the Oracle VM recipe (vm.cfg
# edited), parallel with a recipe of `config = none` (no config holds the
# MACs: the undo record keeps them).  Four runs of two appliances each.
. "$(dirname "$0")/lib.sh"
scratch
for t in ansible-playbook parallel jq; do
	command -v "$t" >/dev/null ||
	    skip_all "$t is not installed (contrib/install-deps.sh installs it)"
done
CACHE=$("$TOP/tests/mkimages.sh" | tail -n 1)
export XDG_CACHE_HOME=$CACHE/xdg
# Neither tool writes in the user's home: Ansible's and parallel's own
# directories go to the scratch directory.
export HOME=$SCRATCH/home ANSIBLE_HOME=$SCRATCH/home/.ansible
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=False
mkdir -p "$HOME"

# pool DIR N: DIR/cI/System.img (overlay) and DIR/cI/vm.cfg, I = 1..N,
# and DIR/inv.csv (image, name, octet).
pool() {
	local dir=$1 n=$2 i
	mkdir -p "$dir"
	echo "image,name,octet" >"$dir/inv.csv"
	for i in $(seq 1 "$n"); do
		mkdir "$dir/c$i"
		qemu-img create -q -f qcow2 -F raw -b "$CACHE/ovs.img" \
		    "$dir/c$i/System.img"
		cp "$TOP/tests/data/ovs.vm.cfg" "$dir/c$i/vm.cfg"
		echo "c$i/System.img,$(basename "$dir")-c$i,$((20 + i))" \
		    >>"$dir/inv.csv"
	done
}

# merged REPORT...: one object, the images of every shard report in row
# order, with the summaries added up.
merged() {
	jq -s '{summary: (map(.summary | to_entries) | add | group_by(.key) |
	    map({key: .[0].key, value: (map(.value) | add)}) | from_entries),
	    shards: [.[].shard], images: ([.[].images[]] | sort_by(.row))}' "$@"
}

# first_run WHAT JSON N: every row personalized exactly once, once each.
first_run() {
	local what=$1 j=$2 n=$3 macs
	check_eq "$what: rows, each once" \
	    "$(jq -r '[.images[].row] | join(",")' <<<"$j")" \
	    "$(seq -s, 0 $((n - 1)))"
	check_eq "$what: all changed" \
	    "$(jq -r '[.summary.changed, .summary.failed] | join(" ")' \
	    <<<"$j")" "$n 0"
	macs=$(jq -r '.images[].identity | to_entries[] |
	    select(.key | test("^nic[0-9]+\\.mac$")) | .value' <<<"$j")
	check_eq "$what: a MAC per NIC and row" "$(wc -l <<<"$macs")" \
	    $((2 * n))
	check_eq "$what: MACs unique across the shards" \
	    "$(sort -u <<<"$macs" | wc -l)" $((2 * n))
}

# again WHAT JSON N: the second run changed nothing.
again() {
	check_eq "$1: second run, no changes" \
	    "$(jq -r '[.summary.images, .summary["no changes"],
	    .summary.changed, .summary.failed] | join(" ")' <<<"$2")" \
	    "$3 $3 0 0"
}

# ran WHAT STATUS LOG: the run exited 0, else its output is shown.
ran() {
	check_exit "$1" "$2" 0
	[ "$2" -eq 0 ] || sed 's/^/    | /' "$3"
}

# hashes DIR: every image's and config's checksum, to show a second run
# wrote nothing.
hashes() {
	sha256sum "$1"/c*/System.img "$1"/c*/vm.cfg
}

# --- Ansible: two Dom0s, ansible_connection=local -------------------------
play() {	# POOL RECIPE: one play of the playbook over POOL
	cat >"$1/hosts.ini" <<EOF
[dom0s]
dom0a ansible_connection=local
dom0b ansible_connection=local

[dom0s:vars]
ansible_python_interpreter=/usr/bin/python3
imprint_bin=$IMPRINT
recipe=$2
clone_inventory=$1/inv.csv
report_dir=$1/reports
local_report_dir=$1/fetched
EOF
	ansible-playbook -i "$1/hosts.ini" "$TOP/contrib/ansible/playbook.yml" \
	    -e "{\"extra_args\": [\"--backing\", \"$CACHE\"]}" \
	    >"$1/play.out" 2>&1
}

A=$SCRATCH/ansible
pool "$A" 4
play "$A" "$TOP/recipes/ovm2-el5-clone.rcp"
ran "ansible: first play" "$?" "$A/play.out"
check_eq "ansible: a report per shard" \
    "$(cd "$A/fetched" && ls)" "shard-0.json
shard-1.json"
J=$(merged "$A"/fetched/shard-*.json)
check_eq "ansible: shards 0/2 and 1/2" "$(jq -r '.shards | join(" ")' \
    <<<"$J")" "0/2 1/2"
first_run ansible "$J" 4
check_match "ansible: the summary task" "$(cat "$A/play.out")" \
    '4 images in 2 of 2 shard reports: 4 changed, 0 no changes'
# each vm.cfg holds its own row's MACs (no shard wrote another's)
bad=0
for i in 1 2 3 4; do
	for k in 0 1; do
		m=$(jq -r ".images[$((i - 1))].identity[\"nic$k.mac\"]" <<<"$J")
		grep -q "mac=$m," "$A/c$i/vm.cfg" || bad=$((bad + 1))
	done
done
check_eq "ansible: every vm.cfg holds its row's MACs" "$bad" 0
BEFORE=$(hashes "$A")
play "$A" "$TOP/recipes/ovm2-el5-clone.rcp"
ran "ansible: second play" "$?" "$A/play.out"
again ansible "$(merged "$A"/fetched/shard-*.json)" 4
check_eq "ansible: second play wrote nothing" "$(hashes "$A")" "$BEFORE"

# --- GNU parallel: two sshlogins, a stand-in for ssh ------------------------
# With `config = none`: no vm.cfg holds the MACs; the second run still
# changes nothing (the undo record keeps what apply chose).
P=$SCRATCH/parallel
pool "$P" 4
cat >"$P/none.rcp" <<'EOF'
[guest]
root = partition:2
hostname = ${name}.example.com

[nic eth0]
mac = auto
boot = dhcp

[nic eth1]
mac = auto
boot = dhcp

[host]
config = none
EOF
mkdir -p "$SCRATCH/bin"
# parallel runs `ssh [OPTIONS] HOST [--] COMMAND`; this one logs HOST and
# runs COMMAND here, as sshd would run it on the Dom0, with SHELL set to
# the login shell as sshd sets it: parallel's remote wrapper (a perl
# one-liner) runs the command with \$SHELL, and without it runs nothing and
# exits 0 (seen in CI, whose environment has no SHELL).
cat >"$SCRATCH/bin/fake-ssh" <<EOF
#!/bin/bash
export SHELL=/bin/bash
while [ \$# -gt 0 ]; do
	case \$1 in -l|-p|-o|-i) shift 2 ;; -*) shift ;; *) break ;; esac
done
echo "\$1" >>"$P/hosts.log"
shift
[ "\${1-}" = -- ] && shift
exec bash -c "\$*"
EOF
chmod +x "$SCRATCH/bin/fake-ssh"
printf 'dom0a\ndom0b\n' >"$P/sshlogins"
export PARALLEL_SSH=$SCRATCH/bin/fake-ssh
# A shard that exits 0 without a report (imprint never ran) is a failure.
IMPRINT=true "$TOP/contrib/parallel-ssh.sh" --report-dir "$P/reports" \
    "$P/sshlogins" "$P/none.rcp" "$P/inv.csv" >"$P/run.out" 2>&1
check_exit "parallel: a shard with no report fails the run" "$?" 1
check_eq "parallel: ... and is named, with its command" \
    "$(grep -c "^shard [01]/2 exited 0 on dom0[ab], no report; re-run it" \
    "$P/run.out")" 2
rm -f "$P/hosts.log"
IMPRINT="$IMPRINT" "$TOP/contrib/parallel-ssh.sh" --report-dir "$P/reports" \
    "$P/sshlogins" "$P/none.rcp" "$P/inv.csv" -- --backing "$CACHE" \
    >"$P/run.out" 2>&1
ran "parallel: first run" "$?" "$P/run.out"
check_eq "parallel: both hosts ran a shard" \
    "$(sort -u "$P/hosts.log" 2>/dev/null | tr '\n' ' ')" "dom0a dom0b "
J=$(cat "$P/reports/all.json")
check_eq "parallel: shards 0/2 and 1/2" \
    "$(jq -r '.reports | sort | join(" ")' <<<"$J")" "0/2 1/2"
first_run parallel "$J" 4
check_match "parallel: the summary" "$(cat "$P/run.out")" \
    '^4 images in 2 of 2 shard reports: 4 changed, 0 no changes'
check_eq "parallel, config = none: vm.cfg untouched" \
    "$(cat "$P"/c*/vm.cfg | sha256sum)" \
    "$(for i in 1 2 3 4; do cat "$TOP/tests/data/ovs.vm.cfg"; done |
    sha256sum)"
MACS1=$(jq -r '.images[].identity | to_entries[] |
    select(.key | test("^nic[0-9]+\\.mac$")) | .value' <<<"$J")
BEFORE=$(hashes "$P")
IMPRINT="$IMPRINT" "$TOP/contrib/parallel-ssh.sh" --report-dir "$P/reports" \
    "$P/sshlogins" "$P/none.rcp" "$P/inv.csv" -- --backing "$CACHE" \
    >"$P/run.out" 2>&1
ran "parallel: second run" "$?" "$P/run.out"
J=$(cat "$P/reports/all.json")
again "parallel, config = none" "$J" 4
check_eq "parallel, config = none: the same MACs" \
    "$(jq -r '.images[].identity | to_entries[] |
    select(.key | test("^nic[0-9]+\\.mac$")) | .value' <<<"$J")" "$MACS1"
check_eq "parallel: second run wrote nothing" "$(hashes "$P")" "$BEFORE"

done_testing
