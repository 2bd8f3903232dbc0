#!/bin/bash
# tests/t-includes.sh - no include loop in src/, between headers or between
# modules, read from the `#include "..."` lines and the function names in
# the text (nothing is built).
#
#  - header graph: A.h -> B.h when A.h includes B.h; a loop is a cycle;
#  - module graph: module A (A.c) -> module B when A.c reaches B.h through
#    its includes (directly or not), or names a function that a header it
#    reaches declares and B.c defines (the old shared gfile.h declared the
#    functions of a dozen modules; cmds.h declares every cmd_*.c's, and
#    links each to none of the others).  A loop means two modules need
#    each other: gfile_x.c calls into gfile_y.c and back;
#  - the guest-file layers: no gfile_* file includes the front door
#    gfile.h, and gfile_lib includes no other gfile header.
#
# A loop is printed (tsort's list of the nodes on it).  The source tree is
# $1 (default: src/ of this checkout), so the check can be run on an old
# tree: `tests/t-includes.sh /tmp/old/src`.
. "$(dirname "$0")/lib.sh"
SRC=${1:-$TOP/src}
scratch
W=$SCRATCH

cd "$SRC" || skip_all "no source tree at $SRC"

# "FILE INCLUDED" for each quoted include that names a file in src/.
for f in *.c *.h; do
	sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f" |
	while read -r i; do
		[ -f "$i" ] && echo "$f $i"
	done
done >"$W/inc"

# check_no_loop DESCRIPTION GRAPH: pass when tsort finds no loop in the
# "FROM TO" lines of GRAPH, else fail and show each loop it reports as
# "loop: a -> b -> a".
check_no_loop() {
	if tsort "$2" >/dev/null 2>"$2.err"; then
		pass
		return
	fi
	fail "$1"
	awk '/input contains a loop:/ {
		if (l != "") print l " -> " f
		l = "    loop:"; f = ""; next
	}
	{
		sub(/^tsort: /, "")
		l = l (f == "" ? " " : " -> ") $0
		if (f == "") f = $0
	}
	END { if (l != "") print l " -> " f }' "$2.err"
}

# Header graph.
grep '\.h .*\.h$' "$W/inc" >"$W/hdr"
for h in *.h; do echo "$h $h"; done >>"$W/hdr"
check_no_loop "no headers include each other in a loop" "$W/hdr"

# Functions each .c defines (KNF: the name starts its line) and each .h
# declares (a prototype line that starts in column 0).
for c in *.c; do
	grep -oE '^[A-Za-z_][A-Za-z0-9_]*\(' "$c" | tr -d '(' |
	    sed "s/\$/ ${c%.c}/"
done | sort -u >"$W/defs"
for h in *.h; do
	sed -e 's/__attribute__((.*))//' "$h" |
	grep -E '^[A-Za-z_]' | grep -vE '^(#|typedef|struct [a-z_]+ \{)' |
	grep -oE '[A-Za-z_][A-Za-z0-9_]*\(' | head -n 1000 |
	awk -v h="$h" '{ sub(/\($/, ""); print $0, h }'
done | sort -u >"$W/decls"

# Headers each .c reaches through its includes, directly or not.
reach() {
	local -a todo
	local seen=" " f
	todo=($(awk -v f="$1" '$1 == f { print $2 }' "$W/inc"))
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		case "$seen" in *" $f "*) continue ;; esac
		seen="$seen$f "
		todo+=($(awk -v f="$f" '$1 == f { print $2 }' "$W/inc"))
	done
	echo "$seen"
}

# Module edges of each A.c: to B when it reaches B.h, and to B when it
# names a function that a header it reaches declares and B.c defines (a
# header shared by several modules, such as cmds.h, links a module only
# to those whose functions it uses).
for c in *.c; do
	m=${c%.c}
	echo "$m $m"
	grep -oE '[A-Za-z_][A-Za-z0-9_]*' "$c" | sort -u >"$W/ids"
	for h in $(reach "$c"); do
		[ -f "${h%.h}.c" ] && [ "${h%.h}" != "$m" ] &&
		    echo "$m ${h%.h}"
		awk -v h="$h" '$2 == h { print $1 }' "$W/decls"
	done | sort -u >"$W/uses"
	grep ' ' "$W/uses"
	grep -v ' ' "$W/uses" | join - "$W/ids" | join - "$W/defs" |
	    awk -v m="$m" '$2 != m { print m, $2 }'
done | sort -u >"$W/mod"
check_no_loop "no modules depend on each other in a loop" "$W/mod"

# The graph was read at all: some module links to another.
n=$(awk '$1 != $2' "$W/mod" | wc -l)
check_eq "module links found (not an empty graph)" "$([ "$n" -gt 0 ] &&
    echo yes)" yes

# The guest-file layers (gfile.h): no editor includes the front door,
# and the helpers at the bottom include no guest-file header.
check_eq "gfile_*: nothing includes the front door gfile.h" \
    "$(awk '$1 ~ /^gfile_/ && $2 == "gfile.h" { print $1 }' "$W/inc")" ""
check_eq "gfile_lib: includes no other guest-file header" \
    "$(awk '$1 ~ /^gfile_lib\./ && $2 ~ /^gfile/ && $2 != "gfile_lib.h" {
	print $1 " includes " $2 }' "$W/inc")" ""

done_testing
