#!/bin/bash
# contrib/parallel-ssh.sh - spread one `imprint apply --inventory` batch over
# several Dom0s with GNU parallel: one shard (--shard I/N) per host.
#
# It does: count the hosts in a GNU parallel sshloginfile (N), run
# `imprint apply RECIPE --inventory INVENTORY --shard I/N --report
# DIR/shard-I.json` for I = 0..N-1 through `parallel --sshloginfile`, read
# each shard's exit status from parallel's --joblog, merge the shard
# reports with jq into DIR/all.json and print one summary.  Exit status:
# 0 only if every shard exited 0 and wrote its report, 1 otherwise, 2
# usage error.
#
# It does not: copy anything to the hosts.  The recipe, the inventory, the
# images and the report directory must be on a repository every Dom0
# mounts at the same path (OCFS2 /OVS, NFS), and imprint must be installed
# on every Dom0.  Two hosts never edit one image: each row is in one shard
# only.  imprint's lock on each image guards against overlapping runs too
# (an OFD lock, which NFS carries across hosts, and on OCFS2 also flock,
# which its o2cb stack does): see contrib/ansible/README.md.
set -euo pipefail

prog=${0##*/}
IMPRINT=${IMPRINT:-imprint}	# imprint on the Dom0s (their $PATH over ssh)

synopsis() {
	cat <<EOF
usage: $prog [-n] [-j JOBS_PER_HOST] [--report-dir DIR]
           SSHLOGINFILE RECIPE INVENTORY [-- IMPRINT_APPLY_OPTION...]
EOF
}

usage() {
	synopsis
	cat <<EOF

Run \`imprint apply RECIPE --inventory INVENTORY --shard I/N\` once for
each I in 0..N-1, N being the number of hosts in SSHLOGINFILE (GNU
parallel's format: one sshlogin per line, # comments, optional "N/"
prefix), each host running one shard at a time.  RECIPE, INVENTORY and
DIR must be absolute paths on storage every host mounts at that path.

  -n                   print the commands, run nothing
  -j JOBS_PER_HOST     appliances per host (imprint apply -j)
  --report-dir DIR     where the shard reports go (default:
                       INVENTORY without .csv, plus .reports)
  -h, --help           this text

Options after -- go to every \`imprint apply\` (e.g. --dry-run, -D K=V).
The environment variable IMPRINT names imprint on the hosts (default:
imprint).  Exit status: 0 if every shard succeeded and wrote its report,
1 otherwise, 2 usage error.
EOF
}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

usage_error() {
	printf '%s: %s\n' "$prog" "$*" >&2
	synopsis >&2
	exit 2
}

# The hosts GNU parallel will use: every line but blanks and # comments,
# without trailing blanks and without the "@group/" and "ncpus/" prefixes;
# parallel merges repeated sshlogins into one host, so count each once.
# The count only sets N: if it were off, a host would run two shards one
# after the other, or one shard would wait for a free host; every shard
# still runs exactly once.
count_hosts() {
	local line n=0
	local -A seen=()

	while IFS= read -r line || [[ -n $line ]]; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		line=${line%"${line##*[![:space:]]}"}
		case $line in
		.. | . | - | *,*)
			die "'$1': '$line': one sshlogin per line, please" ;;
		esac
		[[ $line =~ ^@[^/]+/?(.*)$ ]] && line=${BASH_REMATCH[1]}
		[[ $line =~ ^[0-9]+/(.*)$ ]] && line=${BASH_REMATCH[1]}
		[[ -n $line ]] || die "'$1': a host group needs a host"
		if [[ -z ${seen[$line]+set} ]]; then
			seen[$line]=1
			n=$((n + 1))
		fi
	done <"$1"
	echo "$n"
}

# The arguments go through ssh to the remote login shell, so each is
# quoted with printf %q.  %q falls back to bash's $'...' only for control
# characters, which are refused here, so the quoting also suits a POSIX
# sh; and parallel reads one command per line.
quote() {
	local s
	s=$(printf '%q ' "$@")
	printf '%s\n' "${s% }"
}

check_arg() {
	[[ $1 != *[[:cntrl:]]* ]] ||
	    die "'${1//[[:cntrl:]]/?}': control character in an argument"
}

dry_run=0 jobs='' report_dir=''
args=() extra=()
while [[ $# -gt 0 ]]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	-n) dry_run=1 ;;
	-j) [[ $# -ge 2 ]] || usage_error "option '-j' needs a number"
	    jobs=$2; shift ;;
	--report-dir) [[ $# -ge 2 ]] ||
	    usage_error "option '--report-dir' needs a directory"
	    report_dir=$2; shift ;;
	--report-dir=*) report_dir=${1#*=} ;;
	--) shift; break ;;
	-?*) usage_error "unknown option '$1'" ;;
	*) args+=("$1") ;;
	esac
	shift
done
# After --: the positional arguments still missing, then imprint options.
while [[ ${#args[@]} -lt 3 && $# -gt 0 ]]; do
	args+=("$1")
	shift
done
extra=("$@")
[[ ${#args[@]} -eq 3 ]] || usage_error "need SSHLOGINFILE RECIPE INVENTORY"
slf=${args[0]} recipe=${args[1]} inventory=${args[2]}
[[ -z $jobs || $jobs =~ ^[1-9][0-9]*$ ]] ||
    usage_error "'$jobs': -j needs a positive number"
: "${report_dir:=${inventory%.csv}.reports}"

[[ -r $slf && -f $slf ]] || die "cannot read sshloginfile '$slf'"
for f in "$recipe" "$inventory" "$report_dir"; do
	[[ $f == /* ]] ||
	    usage_error "'$f': not an absolute path (the hosts share paths)"
	check_arg "$f"
done
[[ -f $recipe ]] || die "no recipe '$recipe'"
[[ -f $inventory ]] || die "no inventory '$inventory'"
for a in "${extra[@]}"; do
	check_arg "$a"
	case $a in
	--shard* | --report* | --inventory* | --json)
		usage_error "'$a': $prog sets this option itself" ;;
	esac
done

n=$(count_hosts "$slf")
[[ $n -gt 0 ]] || die "no hosts in sshloginfile '$slf'"

# One command line per shard.
cmds=()
for ((i = 0; i < n; i++)); do
	cmd=("$IMPRINT" apply --inventory "$inventory" --shard "$i/$n"
	    --report "$report_dir/shard-$i.json")
	[[ -z $jobs ]] || cmd+=(-j "$jobs")
	cmd+=("${extra[@]}" "$recipe")
	cmds+=("$(quote "${cmd[@]}")")
done

# The commands are parallel's input lines, run as they are: no replacement
# string such as {} ever meets a path.  --jobs 1 gives each host one job
# slot (the "ncpus/" prefixes do not matter then).  parallel does not pin
# job I to host I; it starts each job on a host with a free slot.  That is
# all we need: any host may run any shard, since all hosts see the same
# files; every shard runs exactly once, as parallel runs each input line
# once (no --retries); and no host runs two shards at the same time.  With
# N jobs and N hosts, all shards start at once.  parallel keeps going when
# a job fails (--halt never, the default) and --group keeps each shard's
# table in one piece.
joblog=$report_dir/joblog.tsv
par=(parallel --sshloginfile "$slf" --jobs 1 --group --joblog "$joblog")

if [[ $dry_run -eq 1 ]]; then
	# A shell script that does the same, less the summary.
	quote mkdir -p "$report_dir"
	printf "%s <<'EOF'\n" "$(quote "${par[@]}")"
	printf '%s\n' "${cmds[@]}" EOF
	exit 0
fi

command -v parallel >/dev/null || die "GNU parallel is not installed"
command -v jq >/dev/null || die "jq is not installed"
mkdir -p "$report_dir"
# A report left by an earlier run must not pass for this run's.
for ((i = 0; i < n; i++)); do
	rm -f "$report_dir/shard-$i.json"
done
rm -f "$joblog" "$report_dir/all.json"

printf '%s: %d host(s), one shard each; reports in %s\n' "$prog" "$n" \
    "$report_dir" >&2
printf '%s\n' "${cmds[@]}" | "${par[@]}" || true

# The joblog (tab-separated, one header line): Seq Host Starttime
# JobRuntime Send Receive Exitval Signal Command.  Seq counts the input
# lines from 1, so shard I is Seq I+1.
declare -A status=() host=()
[[ -f $joblog ]] || : >"$joblog"	# parallel did not even start
while IFS=$'\t' read -r seq h _ _ _ _ rc sig _; do
	[[ $seq =~ ^[0-9]+$ ]] || continue
	status[$((seq - 1))]=$((rc != 0 || sig != 0))
	host[$((seq - 1))]=$h
done <"$joblog"

failed=0 reports=()
for ((i = 0; i < n; i++)); do
	r=$report_dir/shard-$i.json
	[[ -f $r ]] && reports+=("$r")
	# A shard that exited 0 without writing its report did not run
	# imprint (a remote shell that ran nothing): a failure too.
	if [[ ${status[$i]-1} -ne 0 || ! -f $r ]]; then
		failed=1
		printf 'shard %d/%d %s on %s%s; re-run it on any host:\n' \
		    "$i" "$n" \
		    "$([[ ${status[$i]-1} -ne 0 ]] && echo failed ||
		    echo 'exited 0')" "${host[$i]:-no host}" \
		    "$([[ -f $r ]] || echo ', no report')"
		printf '    %s\n' "${cmds[$i]}"
	fi
done

# One report for the whole run: the summaries added up, and every image
# in inventory order.  Mode 0600 like the shard reports: it holds the new
# root passwords.
if [[ ${#reports[@]} -gt 0 ]]; then
	umask 077
	jq -s --arg inventory "$inventory" --argjson n "$n" '{
	    inventory: $inventory,
	    shards: $n,
	    reports: [.[] | .shard],
	    summary: (map(.summary | to_entries) | add
	        | group_by(.key) | map({key: .[0].key,
	        value: (map(.value) | add)}) | from_entries),
	    images: ([.[].images[]] | sort_by(.row))
	}' "${reports[@]}" >"$report_dir/all.json"
	jq -r '.summary as $s |
	    "\($s.images) images in \(.reports | length) of \(.shards) " +
	    "shard reports: " +
	    "\($s.changed) changed, \($s["no changes"]) no changes, " +
	    "\($s["would change"]) would change, \($s.failed) failed, " +
	    "\($s.skipped) skipped",
	    (.images[] | select(.result == "failed" or .result == "skipped")
	    | "  \(.result): \(.image) (line \(.line)): " +
	    "\(.messages[0] // "no message")")' "$report_dir/all.json"
	echo "merged report: $report_dir/all.json"
else
	echo "no shard reports in $report_dir"
fi
exit "$failed"
