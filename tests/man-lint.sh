#!/bin/bash
# Lint every man page with mandoc, then check, for each command, that the
# options `imprint CMD --help` lists and the options man/imprint.1
# documents in that command's section are the same, both ways, with the
# same short forms, and that `imprint --help` repeats every synopsis line
# of every command's help.
set -u
cd "$(dirname "$0")/.." || exit 2
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "$*"; fail=$((fail + 1)); }

for m in man/*.[15]; do
	if out=$(mandoc -Tlint -W warning "$m" 2>&1) && [ -z "$out" ]; then
		ok
	else
		bad "mandoc: $m"; echo "$out"
	fi
done

# Every long option the binary knows appears in man/imprint.1.
# mdoc writes "--x-y" as "\-x\-y" or "\-x-y": compare without backslashes.
page=$(sed 's/\\-/-/g' man/imprint.1)
for opt in $(./imprint --long-options | sort -u); do
	if grep -q -- "Fl -${opt#--}\b" <<<"$page"; then
		ok
	else
		bad "option $opt is not documented in man/imprint.1"
	fi
done

# help_opts CMD: one line per option of `imprint CMD --help`, "-x --long"
# or "--long", from the option lines (two blanks, then a dash).
help_opts() {
	./imprint "$1" --help |
	    sed -nE 's/^  (-[A-Za-z]), (--[a-z-]+).*/\1 \2/p
		s/^  (--[a-z-]+).*/\1/p' | sort -u
}

# man_opts SECTION-HEADING: the same from the ".It Fl" lines of that
# section (up to the next .Ss or .Sh).  mdoc's Fl adds one dash, so
# ".It Fl n , Fl -dry-run" (after the \- are undone) gives
# "-n --dry-run"; ".It Fl -partition Ar n , Fl -root Ar device" gives two
# lines.
man_opts() {
	awk -v head="$1" '
	$0 == head { on = 1; next }
	on && /^\.S[sh] / { on = 0 }
	on && /^\.It Fl / {
		short = ""; n = 0
		for (i = 2; i <= NF; i++) {
			if ($(i - 1) != "Fl") continue
			w = $i
			if (w ~ /^-[a-z-]+$/) { longs[++n] = "-" w }
			else if (w ~ /^[A-Za-z]$/) { short = "-" w }
		}
		for (i = 1; i <= n; i++)
			print (short != "" && i == 1 ? short " " : "") longs[i]
	}' <<<"$page" | sort -u
}

for cmd in apply undo clone inspect vmcfg scan; do
	case $cmd in
	vmcfg) head=".Sh VMCFG" ;;
	clone) head=".Sh CLONE" ;;
	*) head=".Ss imprint $cmd" ;;
	esac
	h=$(help_opts "$cmd")
	m=$(man_opts "$head")
	if [ -z "$h" ]; then
		bad "$cmd: no options found in 'imprint $cmd --help'"
		continue
	fi
	d=$(diff <(echo "$h") <(echo "$m"))
	if [ -z "$d" ]; then
		ok
	else
		bad "$cmd: --help (<) and imprint(1) '$head' (>) differ:"
		echo "$d" | sed 's/^/    /'
	fi
	# every long option of the command's table is in its --help
	for opt in $(./imprint --long-options "$cmd"); do
		if grep -q -- "$opt\b" <<<"$h"; then
			ok
		else
			bad "$cmd: $opt is missing from 'imprint $cmd --help'"
		fi
	done
done

# `imprint --help` repeats each command's synopsis, line for line.
top=$(./imprint --help)
for cmd in apply undo clone inspect vmcfg scan; do
	syn=$(./imprint "$cmd" --help | sed '/^$/q' | sed '/^$/d; s/^usage: //; s/^ *//')
	while IFS= read -r line; do
		if grep -qxF -- "$line" <<<"$(sed 's/^usage: //; s/^ *//' <<<"$top")"; then
			ok
		else
			bad "imprint --help lacks '$line' of 'imprint $cmd --help'"
		fi
	done <<<"$syn"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
