/*
 * diff.c - unified diff of two byte strings (the --dry-run display).
 *
 * Written by hand: Debian ships no library that exposes a unified line
 * diff as a C API (GNU diffutils and git's xdiff are programs or internal
 * code, not installed libraries).  The algorithm is Myers' O(ND) greedy
 * search over lines, after trimming common leading and trailing lines,
 * with the number of edits capped (DIFF_MAX_D) so that huge or wholly
 * different inputs cost linear time: past the cap the changed middle is
 * shown as one delete block plus one insert block.  Output matches GNU
 * `diff -u --label A --label B` for the hunks it emits.
 *
 * It does not do I/O, word diffs, or any other output format.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "util.h"

/* Beyond this many line edits, stop searching for a minimal script. */
#define DIFF_MAX_D	1024

struct line {
	const char	*p;
	size_t		 len;	/* including the '\n', if any */
	uint64_t	 hash;
};

struct side {
	struct line	*l;
	size_t		 n;
	unsigned char	*chg;	/* chg[i]: line i was removed/added */
};

static uint64_t
line_hash(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void
side_split(struct side *s, const char *p, size_t len)
{
	size_t i, start, cap = 16;

	s->n = 0;
	s->l = xreallocarray(NULL, cap, sizeof(*s->l));
	for (start = i = 0; i < len; i++) {
		if (p[i] != '\n' && i + 1 != len)
			continue;
		if (s->n == cap) {
			cap *= 2;
			s->l = xreallocarray(s->l, cap, sizeof(*s->l));
		}
		s->l[s->n].p = p + start;
		s->l[s->n].len = i + 1 - start;
		s->l[s->n].hash = line_hash(p + start, i + 1 - start);
		s->n++;
		start = i + 1;
	}
	s->chg = xcalloc(s->n + 1, 1);
}

static int
line_eq(const struct line *x, const struct line *y)
{
	return x->hash == y->hash && x->len == y->len &&
	    memcmp(x->p, y->p, x->len) == 0;
}

/*
 * Myers' greedy algorithm on a[a0..a1) and b[b0..b1), marking removed and
 * added lines in the chg arrays.  V for each d is kept (indices -d..d at
 * offset d*d), so memory is O(D^2) with D <= DIFF_MAX_D.  Returns -1 when
 * the edit distance exceeds the cap.
 */
static int
myers(struct side *a, size_t a0, size_t a1, struct side *b, size_t b0,
    size_t b1)
{
	long n = (long)(a1 - a0), m = (long)(b1 - b0);
	long max = n + m, d, k, x, y, D = -1;
	long *v;

	if (max > DIFF_MAX_D)
		max = DIFF_MAX_D;
	v = xreallocarray(NULL, (size_t)(max + 1) * (size_t)(max + 1),
	    sizeof(*v));
	for (d = 0; d <= max && D < 0; d++) {
		long *vd = v + d * d + d;	/* vd[k], -d <= k <= d */
		long *vp = d ? v + (d - 1) * (d - 1) + (d - 1) : NULL;

		for (k = -d; k <= d; k += 2) {
			if (d == 0)
				x = 0;
			else if (k == -d || (k != d && vp[k - 1] < vp[k + 1]))
				x = vp[k + 1];
			else
				x = vp[k - 1] + 1;
			y = x - k;
			while (x < n && y < m && line_eq(&a->l[a0 + x],
			    &b->l[b0 + y])) {
				x++;
				y++;
			}
			vd[k] = x;
			if (x >= n && y >= m) {
				D = d;
				break;
			}
		}
	}
	if (D < 0) {
		free(v);
		return -1;
	}
	x = n;
	y = m;
	for (d = D; d > 0; d--) {
		long *vp = v + (d - 1) * (d - 1) + (d - 1);
		long pk, px, py;

		k = x - y;
		if (k == -d || (k != d && vp[k - 1] < vp[k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = vp[pk];
		py = px - pk;
		if (pk == k + 1)
			b->chg[b0 + py] = 1;	/* down: line py of b added */
		else
			a->chg[a0 + px] = 1;	/* right: a's line px removed */
		x = px;
		y = py;
	}
	free(v);
	return 0;
}

struct block {
	size_t	i0, i1, j0, j1;		/* a[i0..i1) -> b[j0..j1) */
};

static void
put_line(struct buf *out, char tag, const struct line *l)
{
	buf_addc(out, tag);
	buf_add(out, l->p, l->len);
	if (l->len == 0 || l->p[l->len - 1] != '\n')
		buf_adds(out, "\n\\ No newline at end of file\n");
}

static void
put_range(struct buf *out, size_t start, size_t count)
{
	if (count == 1)
		buf_addf(out, "%zu", start + 1);
	else if (count == 0)
		buf_addf(out, "%zu,0", start);
	else
		buf_addf(out, "%zu,%zu", start + 1, count);
}

static void
put_hunk(struct buf *out, const struct side *a, const struct side *b,
    const struct block *blk, size_t nblk)
{
	size_t as, ae, bs, be, i, j, k;

	as = blk[0].i0 > DIFF_CONTEXT ? blk[0].i0 - DIFF_CONTEXT : 0;
	bs = blk[0].j0 - (blk[0].i0 - as);
	ae = blk[nblk - 1].i1 + DIFF_CONTEXT;
	if (ae > a->n)
		ae = a->n;
	be = blk[nblk - 1].j1 + (ae - blk[nblk - 1].i1);
	buf_adds(out, "@@ -");
	put_range(out, as, ae - as);
	buf_adds(out, " +");
	put_range(out, bs, be - bs);
	buf_adds(out, " @@\n");
	i = as;
	j = bs;
	for (k = 0; k < nblk; k++) {
		for (; i < blk[k].i0; i++, j++)
			put_line(out, ' ', &a->l[i]);
		for (; i < blk[k].i1; i++)
			put_line(out, '-', &a->l[i]);
		for (; j < blk[k].j1; j++)
			put_line(out, '+', &b->l[j]);
	}
	for (; i < ae; i++)
		put_line(out, ' ', &a->l[i]);
}

void
diff_unified(const char *label_a, const char *label_b, const char *a,
    size_t alen, const char *b, size_t blen, struct buf *out)
{
	struct side sa, sb;
	struct block *blk = NULL;
	size_t pre, suf, i, j, nblk = 0, cap = 0, h, k;

	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return;
	side_split(&sa, a, alen);
	side_split(&sb, b, blen);
	for (pre = 0; pre < sa.n && pre < sb.n &&
	    line_eq(&sa.l[pre], &sb.l[pre]); pre++)
		;
	for (suf = 0; suf < sa.n - pre && suf < sb.n - pre &&
	    line_eq(&sa.l[sa.n - 1 - suf], &sb.l[sb.n - 1 - suf]); suf++)
		;
	if (myers(&sa, pre, sa.n - suf, &sb, pre, sb.n - suf) == -1) {
		memset(sa.chg + pre, 1, sa.n - suf - pre);
		memset(sb.chg + pre, 1, sb.n - suf - pre);
	}

	/* Collect change blocks; unchanged lines pair up in order. */
	i = j = 0;
	while (i < sa.n || j < sb.n) {
		if ((i < sa.n && sa.chg[i]) || (j < sb.n && sb.chg[j])) {
			if (nblk == cap) {
				cap = cap ? cap * 2 : 16;
				blk = xreallocarray(blk, cap, sizeof(*blk));
			}
			blk[nblk].i0 = i;
			blk[nblk].j0 = j;
			while (i < sa.n && sa.chg[i])
				i++;
			while (j < sb.n && sb.chg[j])
				j++;
			blk[nblk].i1 = i;
			blk[nblk].j1 = j;
			nblk++;
		} else {
			i++;
			j++;
		}
	}

	if (nblk > 0) {
		buf_addf(out, "--- %s\n+++ %s\n", label_a, label_b);
		/* Blocks at most 2 * DIFF_CONTEXT apart share a hunk. */
		for (h = 0; h < nblk; h = k) {
			for (k = h + 1; k < nblk &&
			    blk[k].i0 - blk[k - 1].i1 <= 2 * DIFF_CONTEXT; k++)
				;
			put_hunk(out, &sa, &sb, blk + h, k - h);
		}
	}
	free(blk);
	free(sa.l);
	free(sa.chg);
	free(sb.l);
	free(sb.chg);
}
