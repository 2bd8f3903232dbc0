/*
 * lvmeta.c - a linear LV's byte range on its PV, from LVM's text metadata.
 *
 * Written by hand: LVM2 no longer ships a library (liblvm2app went in
 * 2.03) and Debian 12 packages none that reads its configuration syntax;
 * the grammar is small: `name { ... }` sections, `key = value` with a
 * number, a "string" or a [list], and # comments.  The text is read into
 * a flat list of (path, value) entries, "vg/logical_volumes/lv/status",
 * and the questions lvmeta_linear asks are lookups in that list.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lvmeta.h"
#include "util.h"

#define MAX_DEPTH	8
#define MAX_ENTRIES	20000
#define LIST_SEP	'\x1f'	/* between the elements of a [list] value */

struct ent {
	char		*path;
	char		*val;		/* NULL for a section */
};

struct meta {
	struct ent	*e;
	size_t		 n, cap;
};

enum tok { T_EOF, T_ERR, T_WORD, T_STR, T_PUNCT };

struct lex {
	const char	*p, *end;
	struct buf	 text;		/* the token's text; T_PUNCT: its char */
};

static enum tok
lex_next(struct lex *lx)
{
	const char *p = lx->p;

	buf_reset(&lx->text);
	for (;;) {
		while (p < lx->end && (*p == ' ' || *p == '\t' ||
		    *p == '\n' || *p == '\r'))
			p++;
		if (p < lx->end && *p == '#') {
			while (p < lx->end && *p != '\n')
				p++;
			continue;
		}
		break;
	}
	if (p == lx->end) {
		lx->p = p;
		return T_EOF;
	}
	if (strchr("{}=[],", *p) != NULL) {
		buf_addc(&lx->text, *p);
		lx->p = p + 1;
		return T_PUNCT;
	}
	if (*p == '"') {
		for (p++; p < lx->end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < lx->end)
				p++;
			buf_addc(&lx->text, *p);
		}
		if (p == lx->end)
			return T_ERR;	/* unterminated */
		lx->p = p + 1;
		return T_STR;
	}
	while (p < lx->end && strchr(" \t\r\n#{}=[],\"", *p) == NULL) {
		if (*p == '\0' || (unsigned char)*p < ' ')
			return T_ERR;
		buf_addc(&lx->text, *p++);
	}
	lx->p = p;
	return T_WORD;
}

static bool
punct(const struct lex *lx, enum tok t, char c)
{
	return t == T_PUNCT && lx->text.data[0] == c;
}

static int
add(struct meta *m, const char *prefix, const char *name, char *val)
{
	if (m->n == MAX_ENTRIES) {
		free(val);
		return -1;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->e = xreallocarray(m->e, m->cap, sizeof(*m->e));
	}
	m->e[m->n].path = *prefix ? xasprintf("%s/%s", prefix, name) :
	    xstrdup(name);
	m->e[m->n].val = val;
	m->n++;
	return 0;
}

/* A value after `=`: a word, a string, or a [list] of them. */
static char *
parse_value(struct lex *lx)
{
	struct buf v = BUF_INIT;
	enum tok t = lex_next(lx);
	bool first = true;

	if (t == T_WORD || t == T_STR)
		return xstrdup(lx->text.data);
	if (!punct(lx, t, '['))
		return NULL;
	for (;;) {
		t = lex_next(lx);
		if (punct(lx, t, ']'))
			break;
		if (!first) {
			if (!punct(lx, t, ','))
				goto bad;
			t = lex_next(lx);
		}
		if (t != T_WORD && t != T_STR)
			goto bad;
		if (!first)
			buf_addc(&v, LIST_SEP);
		buf_adds(&v, lx->text.data);
		first = false;
	}
	buf_addc(&v, '\0');
	return buf_detach(&v, NULL);
bad:
	buf_release(&v);
	return NULL;
}

/* The entries of a section body, up to its `}` (or the end at depth 0). */
static int
parse_body(struct lex *lx, struct meta *m, const char *prefix, int depth)
{
	enum tok t;
	char *name, *val, *sub;
	int r;

	for (;;) {
		t = lex_next(lx);
		if (t == T_EOF)
			return depth == 0 ? 0 : -1;
		if (punct(lx, t, '}'))
			return depth > 0 ? 0 : -1;
		if (t != T_WORD)
			return -1;
		name = xstrdup(lx->text.data);
		t = lex_next(lx);
		if (punct(lx, t, '{') && depth < MAX_DEPTH) {
			r = add(m, prefix, name, NULL);
			sub = xstrdup(m->e[m->n - 1].path);
			if (r == 0)
				r = parse_body(lx, m, sub, depth + 1);
			free(sub);
		} else if (punct(lx, t, '=')) {
			val = parse_value(lx);
			r = val ? add(m, prefix, name, val) : -1;
		} else
			r = -1;
		free(name);
		if (r == -1)
			return -1;
	}
}

static void
meta_release(struct meta *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->e[i].path);
		free(m->e[i].val);
	}
	free(m->e);
}

/* Parse text[0..len-1] into *m: 0, or -1 (m is released either way on
 * failure). */
static int
meta_parse(const char *text, size_t len, struct meta *m)
{
	struct lex lx;
	int r;

	memset(m, 0, sizeof(*m));
	if (len > LVMETA_MAX_SIZE)
		return -1;
	lx.p = text;
	lx.end = text + len;
	buf_init(&lx.text);
	buf_grow(&lx.text, 64);	/* text.data is never NULL */
	r = parse_body(&lx, m, "", 0);
	buf_release(&lx.text);
	if (r == -1)
		meta_release(m);
	return r;
}

static const struct ent *
find(const struct meta *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->e[i].path, path) == 0)
			return &m->e[i];
	return NULL;
}

/* The value at prefix/key, NULL when absent or a section. */
static const char *
get(const struct meta *m, const char *prefix, const char *key)
{
	char *path = xasprintf("%s/%s", prefix, key);
	const struct ent *e = find(m, path);

	free(path);
	return e ? e->val : NULL;
}

/* A decimal value that fits in 63 bits, or -1. */
static int64_t
get_num(const struct meta *m, const char *prefix, const char *key)
{
	const char *v = get(m, prefix, key);
	unsigned long n;

	if (v == NULL || parse_uint(v, 0, ULONG_MAX, &n) == -1 ||
	    n > INT64_MAX)
		return -1;
	return (int64_t)n;
}

static bool
list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; p != NULL; p = strchr(p, LIST_SEP), p = p ? p + 1 : p)
		if (strncmp(p, word, n) == 0 &&
		    (p[n] == '\0' || p[n] == LIST_SEP))
			return true;
	return false;
}

/* The names of the subsections of section path, how many. */
static size_t
children(const struct meta *m, const char *path, const char **first)
{
	size_t i, n = 0, len = strlen(path);
	const char *p;

	*first = NULL;
	for (i = 0; i < m->n; i++) {
		p = m->e[i].path;
		if (m->e[i].val != NULL || strncmp(p, path, len) != 0 ||
		    p[len] != '/' || strchr(p + len + 1, '/') != NULL)
			continue;
		if (n++ == 0)
			*first = p + len + 1;
	}
	return n;
}

/* Is every segment of every LV of the VG a plain "striped" one? */
static bool
all_striped(const struct meta *m, const char *lvs)
{
	size_t i, len = strlen(lvs);
	const char *p, *s;

	for (i = 0; i < m->n; i++) {
		p = m->e[i].path;
		if (m->e[i].val == NULL || strncmp(p, lvs, len) != 0 ||
		    p[len] != '/')
			continue;
		s = strrchr(p, '/');
		if (strcmp(s, "/type") == 0 &&
		    strcmp(m->e[i].val, "striped") != 0)
			return false;
	}
	return true;
}

static int
check(const struct meta *m, const char *vg, const char *lv,
    struct lv_range *out, const char **why)
{
	char *pvs = xasprintf("%s/physical_volumes", vg);
	char *lvs = xasprintf("%s/logical_volumes", vg);
	char *lvp = xasprintf("%s/%s", lvs, lv);
	char *seg = xasprintf("%s/segment1", lvp);
	char *pvp = NULL;
	const char *pv, *st, *stripes, *sep;
	int64_t ext, pe_start, pe_count, segs, start, count, stripe;
	unsigned long pe;
	uint64_t first, off, size;
	int r = -1;

	*why = NULL;
	if (find(m, vg) == NULL || find(m, vg)->val != NULL)
		*why = "no such volume group in the metadata";
	else if ((ext = get_num(m, vg, "extent_size")) <= 0)
		*why = "no extent size";
	else if ((st = get(m, vg, "status")) == NULL || !list_has(st, "WRITE"))
		*why = "the volume group is not writable";
	else if (children(m, pvs, &pv) != 1)
		*why = "the volume group has more than one physical volume";
	else if ((pvp = xasprintf("%s/%s", pvs, pv)),
	    (pe_start = get_num(m, pvp, "pe_start")) < 0 ||
	    (pe_count = get_num(m, pvp, "pe_count")) < 0)
		*why = "no pe_start or pe_count";
	else if (!all_striped(m, lvs))
		*why = "the volume group holds a snapshot, mirror, RAID, thin "
		    "or cache volume";
	else if (find(m, lvp) == NULL || find(m, lvp)->val != NULL)
		*why = "no such logical volume in the metadata";
	else if ((st = get(m, lvp, "status")) == NULL ||
	    !list_has(st, "READ") || !list_has(st, "WRITE"))
		*why = "the logical volume is not read-write";
	else if ((segs = get_num(m, lvp, "segment_count")) != 1)
		*why = "the logical volume has more than one segment";
	else if ((start = get_num(m, seg, "start_extent")) != 0 ||
	    (count = get_num(m, seg, "extent_count")) <= 0 ||
	    (stripe = get_num(m, seg, "stripe_count")) != 1 ||
	    (stripes = get(m, seg, "stripes")) == NULL)
		*why = "the logical volume is not one linear segment";
	else if ((sep = strchr(stripes, LIST_SEP)) == NULL ||
	    (size_t)(sep - stripes) != strlen(pv) ||
	    strncmp(stripes, pv, strlen(pv)) != 0 ||
	    parse_uint(sep + 1, 0, ULONG_MAX, &pe) == -1)
		*why = "the segment is not on the volume group's one PV";
	else if (pe > (unsigned long)pe_count ||
	    (uint64_t)count > (uint64_t)pe_count - pe)
		*why = "the segment lies past the physical volume's extents";
	else if (__builtin_mul_overflow((uint64_t)pe, (uint64_t)ext, &first) ||
	    __builtin_add_overflow(first, (uint64_t)pe_start, &off) ||
	    __builtin_mul_overflow(off, 512, &off) ||
	    __builtin_mul_overflow((uint64_t)count, (uint64_t)ext, &size) ||
	    __builtin_mul_overflow(size, 512, &size) ||
	    off > INT64_MAX || size > INT64_MAX - off)
		*why = "the segment's offset overflows";
	else {
		out->offset = off;
		out->size = size;
		out->data_start = (uint64_t)pe_start * 512;
		r = 0;
	}
	(void)segs;
	free(pvs);
	free(lvs);
	free(lvp);
	free(seg);
	free(pvp);
	return r;
}

int
lvmeta_linear(const char *text, size_t len, const char *vg, const char *lv,
    struct lv_range *out, const char **why)
{
	struct meta m;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > LVMETA_MAX_SIZE) {
		*why = "the metadata is larger than 1 MiB";
		return -1;
	}
	if (meta_parse(text, len, &m) == -1) {
		*why = "the metadata does not parse";
		return -1;
	}
	r = check(&m, vg, lv, out, why);
	meta_release(&m);
	return r;
}

char *
lvmeta_pv_device(const char *text, size_t len, const char *vg)
{
	struct meta m;
	const char *pv, *dev;
	char *pvs, *pvp, *r = NULL;

	if (meta_parse(text, len, &m) == -1)
		return NULL;
	pvs = xasprintf("%s/physical_volumes", vg);
	if (children(&m, pvs, &pv) == 1) {
		pvp = xasprintf("%s/%s", pvs, pv);
		if ((dev = get(&m, pvp, "device")) != NULL)
			r = xstrdup(dev);
		free(pvp);
	}
	free(pvs);
	meta_release(&m);
	return r;
}

#define SECTOR		512
#define LABEL_SCAN	4	/* sectors LVM looks for a label in */

int
lvmeta_label_mdas(const char *head, size_t len)
{
	const unsigned char *s = NULL, *p, *end;
	size_t sec;
	uint32_t off;
	int list, n = 0;

	for (sec = 0; sec < LABEL_SCAN && (sec + 1) * SECTOR <= len; sec++)
		if (memcmp(head + sec * SECTOR, "LABELONE", 8) == 0) {
			s = (const unsigned char *)head + sec * SECTOR;
			break;
		}
	if (s == NULL)
		return -1;
	/* sector_xl, offset_xl, type: the label's own sector, a PV header
	 * inside it, and the text format's type. */
	off = get_le32(s + 20);
	if (get_le64(s + 8) != sec || memcmp(s + 24, "LVM2 001", 8) != 0 ||
	    off < 32 || off > SECTOR - 72)
		return -1;
	p = s + off + 32 + 8;	/* past pv_uuid and device_size */
	end = s + SECTOR;
	/* Two lists of (offset, size), each ended by a zero pair: the
	 * data areas, then the metadata areas. */
	for (list = 0; list < 2; list++) {
		for (;;) {
			if (p + 16 > end)
				return -1;
			if (get_le64(p) == 0 && get_le64(p + 8) == 0)
				break;
			if (list == 1)
				n++;
			p += 16;
		}
		p += 16;
	}
	return n;
}
