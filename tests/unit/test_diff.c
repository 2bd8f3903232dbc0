/*
 * test_diff.c - unit tests for diff.c: exact `diff -u` output on small
 * cases (expected text produced by GNU diffutils 3.x with --label a
 * --label b), the no-change case, and bounded cost on large inputs.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"
#include "unit.h"
#include "util.h"

#define NONL "\\ No newline at end of file\n"

static void
check_diff(int line, const char *a, const char *b, const char *want)
{
	struct buf out = BUF_INIT;

	diff_unified("a", "b", a, strlen(a), b, strlen(b), &out);
	if (out.len != strlen(want) || memcmp(out.data, want, out.len) != 0)
		fprintf(stderr, "case at line %d:\n", line);
	CHECK_MEM(out.data, out.len, want, strlen(want));
	buf_release(&out);
}

/*
 * Apply a unified diff made by diff_unified to a, and return the result
 * (caller frees), so that large cases can be checked without a golden
 * text.  Returns NULL when the diff does not fit a.
 */
static char *
apply(const char *a, size_t alen, const char *d, size_t dlen, size_t *len_r)
{
	struct buf out = BUF_INIT;
	const char *p = d, *end = d + dlen, *ap = a, *aend = a + alen, *nl;
	size_t llen;
	int last_out = 0;	/* did the previous diff line emit bytes? */

	/* skip the two header lines */
	p = memchr(p, '\n', (size_t)(end - p)) + 1;
	p = memchr(p, '\n', (size_t)(end - p)) + 1;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		llen = (size_t)(nl - p) + 1;
		if (*p == '@') {
			unsigned long s;
			size_t i;

			s = strtoul(p + 4, NULL, 10);
			/* copy unchanged lines before the hunk */
			for (i = 1; i < s && ap < aend; i++) {
				const char *e = memchr(ap, '\n',
				    (size_t)(aend - ap));
				e = e ? e + 1 : aend;
				buf_add(&out, ap, (size_t)(e - ap));
				ap = e;
			}
		} else if (*p == '\\') {
			/* the previous line had no newline: drop it */
			if (last_out && out.data[out.len - 1] == '\n')
				out.len--;
		} else {
			const char *e = memchr(ap, '\n', (size_t)(aend - ap));
			e = e ? e + 1 : aend;
			if (*p == ' ' || *p == '-') {
				if ((size_t)(e - ap) + 1 < llen - 1 ||
				    memcmp(ap, p + 1, llen - 2) != 0) {
					buf_release(&out);
					return NULL;
				}
				if (*p == ' ')
					buf_add(&out, p + 1, llen - 1);
				last_out = *p == ' ';
				ap = e;
			} else if (*p == '+') {
				buf_add(&out, p + 1, llen - 1);
				last_out = 1;
			}
		}
		p += llen;
	}
	buf_add(&out, ap, (size_t)(aend - ap));
	return buf_detach(&out, len_r);
}

static void
check_roundtrip(const char *what, const char *a, size_t alen, const char *b,
    size_t blen, size_t max_hunks)
{
	struct buf out = BUF_INIT;
	size_t rlen = 0, hunks = 0, i;
	char *r;

	diff_unified("a", "b", a, alen, b, blen, &out);
	for (i = 0; i + 3 < out.len; i++)
		if (out.data[i] == '\n' && memcmp(out.data + i + 1, "@@ -",
		    4) == 0)
			hunks++;
	r = apply(a, alen, out.data, out.len, &rlen);
	if (!CHECK(r != NULL))
		fprintf(stderr, "    %s: diff does not apply\n", what);
	else
		CHECK_MEM(r, rlen, b, blen);
	if (!CHECK(hunks >= 1 && hunks <= max_hunks))
		fprintf(stderr, "    %s: %zu hunks\n", what, hunks);
	free(r);
	buf_release(&out);
}

int
main(void)
{
	struct buf out = BUF_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT;
	clock_t t0;
	double secs;
	char *big;
	size_t i;

	check_diff(__LINE__, "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n",
	    "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\nL\nm\nn\n",
	    "--- a\n"
	    "+++ b\n"
	    "@@ -1,7 +1,7 @@\n"
	    " a\n"
	    " b\n"
	    " c\n"
	    "-d\n"
	    "+D\n"
	    " e\n"
	    " f\n"
	    " g\n"
	    "@@ -9,6 +9,6 @@\n"
	    " i\n"
	    " j\n"
	    " k\n"
	    "-l\n"
	    "+L\n"
	    " m\n"
	    " n\n");
	check_diff(__LINE__, "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n",
	    "a\nb\nX\nd\ne\nf\ng\nh\ni\nY\nk\nl\nm\nn\n",
	    "--- a\n"
	    "+++ b\n"
	    "@@ -1,13 +1,13 @@\n"
	    " a\n"
	    " b\n"
	    "-c\n"
	    "+X\n"
	    " d\n"
	    " e\n"
	    " f\n"
	    " g\n"
	    " h\n"
	    " i\n"
	    "-j\n"
	    "+Y\n"
	    " k\n"
	    " l\n"
	    " m\n");
	check_diff(__LINE__, "one\ntwo",
	    "one\ntwo\n",
	    "--- a\n"
	    "+++ b\n"
	    "@@ -1,2 +1,2 @@\n"
	    " one\n"
	    "-two\n"
	    "\\ No newline at end of file\n"
	    "+two\n");
	check_diff(__LINE__, "x = 1\r\ny = 2\r\n",
	    "x = 1\r\ny = 3\r\n",
	    "--- a\n"
	    "+++ b\n"
	    "@@ -1,2 +1,2 @@\n"
	    " x = 1\r\n"
	    "-y = 2\r\n"
	    "+y = 3\r\n");
	check_diff(__LINE__, "",
	    "new\n",
	    "--- a\n"
	    "+++ b\n"
	    "@@ -0,0 +1 @@\n"
	    "+new\n");
	check_diff(__LINE__, "only\n",
	    "",
	    "--- a\n"
	    "+++ b\n"
	    "@@ -1 +0,0 @@\n"
	    "-only\n");
	check_diff(__LINE__, "a\nb\nc\n",
	    "a\nb\nc\nd",
	    "--- a\n"
	    "+++ b\n"
	    "@@ -1,3 +1,4 @@\n"
	    " a\n"
	    " b\n"
	    " c\n"
	    "+d\n"
	    "\\ No newline at end of file\n");
	check_diff(__LINE__, "p\nq\nr\ns\n",
	    "q\np\nr\nt\nu\n",
	    "--- a\n"
	    "+++ b\n"
	    "@@ -1,4 +1,5 @@\n"
	    "-p\n"
	    " q\n"
	    "+p\n"
	    " r\n"
	    "-s\n"
	    "+t\n"
	    "+u\n");

	/* equal inputs: nothing at all */
	diff_unified("a", "b", "x\n", 2, "x\n", 2, &out);
	CHECK_INT(out.len, 0);
	diff_unified("a", "b", "", 0, "", 0, &out);
	CHECK_INT(out.len, 0);

	/* NUL bytes are data */
	diff_unified("a", "b", "a\0b\n", 4, "a\0c\n", 4, &out);
	CHECK_MEM(out.data, out.len,
	    "--- a\n+++ b\n@@ -1 +1 @@\n-a\0b\n+a\0c\n", 34);
	buf_reset(&out);

	/* 10 MiB single line differing in its last byte: fast, one hunk */
	big = xmalloc(10 << 20);
	memset(big, 'x', 10 << 20);
	big[0] = '#';
	t0 = clock();
	diff_unified("a", "b", big, 10 << 20, big, (10 << 20) - 1, &out);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(secs < 2.0);
	CHECK_INT(out.len, 24 + (2 + (10 << 20) + strlen(NONL)) +
	    (2 + (10 << 20) - 1 + strlen(NONL)));
	CHECK_MEM(out.data, 40,
	    "--- a\n+++ b\n@@ -1 +1 @@\n-#xxxxxxxxxxxxxx", 40);
	free(big);
	buf_reset(&out);

	/* 20,000 lines, all different: over the edit cap, still correct */
	for (i = 0; i < 20000; i++) {
		buf_addf(&a, "line a %zu\n", i);
		buf_addf(&b, "line b %zu\n", i);
	}
	t0 = clock();
	check_roundtrip("all different", a.data, a.len, b.data, b.len, 1);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(secs < 2.0);

	/* 1,000 scattered changes in 20,000 lines: minimal, many hunks */
	buf_reset(&b);
	for (i = 0; i < 20000; i++)
		buf_addf(&b, i % 20 == 7 ? "changed %zu\n" : "line a %zu\n",
		    i);
	check_roundtrip("scattered", a.data, a.len, b.data, b.len, 1000);

	/* insertion and deletion at the ends, no final newline */
	check_roundtrip("ends", "a\nb\nc", 5, "z\na\nb\nc\nd", 9, 1);

	buf_release(&a);
	buf_release(&b);
	buf_release(&out);
	return unit_done();
}
