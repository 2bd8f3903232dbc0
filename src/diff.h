/*
 * diff.h - unified diff of two byte strings, as `diff -u` prints it.
 *
 * Used by --dry-run to show planned edits.  Pure: no I/O, prints nothing.
 */
#ifndef IMPRINT_DIFF_H
#define IMPRINT_DIFF_H

#include <stddef.h>

#include "util.h"

/* Lines of context around each change, as `diff -u`. */
#define DIFF_CONTEXT	3

/*
 * Append to out the unified diff turning a[0..alen) into b[0..blen):
 * "--- label_a" and "+++ label_b" header lines (no time stamps), then
 * "@@ -l,n +l,n @@" hunks with DIFF_CONTEXT lines of context, and
 * "\ No newline at end of file" after a last line that lacks one.
 * Lines are compared as bytes, including any CR before the LF, and may
 * hold NULs.  When a and b are equal nothing is appended.
 *
 * Cost is bounded: common leading and trailing lines are trimmed first;
 * when the rest needs more than a fixed number of line edits, it is shown
 * as one block of removed lines followed by one block of added lines
 * (still a correct diff, only not a minimal one).
 */
void	diff_unified(const char *label_a, const char *label_b,
	    const char *a, size_t alen, const char *b, size_t blen,
	    struct buf *out);

#endif
