# tests/reliability/classify.awk - compare a case's files with the known
# before (ORIG) and after (NEW) states: awk -f classify.awk ORIG NEW CASE
#
# Each input is a state (run.sh's state function): one line per entry,
# "PATH<TAB>TYPE MODE OWNER TARGET SIZE SHA".  A path whose entry differs
# between ORIG and NEW is an intended file: in CASE it must be as in ORIG
# or as in NEW (else it is partial).  Any other path must be as in ORIG
# (else its bytes, or 1 for a missing one, count as written outside the
# intended files).  imprint's temporary files (".imprint-" and 12 hex
# digits in the guest, ".NAME.imprint-" and 6 characters on the host)
# are counted apart.  Prints "FILES PARTIAL OUTSIDE TEMPS" and names each
# offender on standard error.

function temp(b,   s) {
	if (b ~ /^\.imprint-[0-9a-f]+$/ && length(b) == 21)
		return 1
	if (b !~ /^\..*\.imprint-[A-Za-z0-9]+$/)
		return 0
	s = b
	sub(/^.*\.imprint-/, "", s)
	return length(s) == 6
}

BEGIN { FS = "\t" }
FNR == 1 { f++ }
f == 1 { o[$1] = $2; all[$1] = 1; next }
f == 2 { r[$1] = $2; all[$1] = 1; next }
f == 3 { c[$1] = $2; all[$1] = 1 }
END {
	files = partial = outside = temps = 0
	for (p in all) {
		n = split(p, parts, "/")
		if (temp(parts[n])) {
			if (p in c) {
				temps++
				print "  temporary left: " p > "/dev/stderr"
			}
			continue
		}
		files++
		cv = (p in c) ? c[p] : "absent"
		ov = (p in o) ? o[p] : "absent"
		rv = (p in r) ? r[p] : "absent"
		if (ov != rv) {
			if (cv != ov && cv != rv) {
				partial++
				print "  partial: " p > "/dev/stderr"
			}
		} else if (cv != ov) {
			split(cv, x, " ")
			outside += cv == "absent" ? 1 : x[5] + 0
			print "  changed outside the intended files: " p \
			    > "/dev/stderr"
		}
	}
	printf "%d %d %d %d\n", files, partial, outside, temps
}
