/*
 * gfile_shvar.c - the shell-variable codec: reading, setting, removing
 * and mapping `KEY=value` assignments in files a shell sources (RHEL/OEL
 * ifcfg-*, the SUSE ifcfg-* variant, /etc/sysconfig/network).
 *
 * These files are sourced by a shell at boot, so they are read here the
 * way sh(1) splits words: `KEY=value` statements, an optional `export`,
 * '...' and "..." quoting, backslash escapes, comments, `;`.  They are
 * never executed: `$(...)`, `${...}` and backticks are kept as data and
 * never expanded.  Anything that is not an assignment is skipped to the
 * end of its line.  An unterminated quote ends the scan (sh would fail
 * there too), which keeps every scan linear.  Removing a variable
 * (gfile_shvar_unset) removes whole lines, and only lines holding nothing
 * but that assignment.
 *
 * It knows which variables exist, not what they mean: that is the
 * editors' (gfile_ifcfg.c, gfile_sysconfig_network.c), which sit above
 * it; it calls only gfile_lib.c.
 *
 * Hand-written: libguestfs's augeas lenses would need the appliance, and
 * initscripts' shvar.c is not a library.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "gfile_shvar.h"

/* One assignment: offsets into the input. */
struct asg {
	size_t	 key;
	size_t	 keylen;
	size_t	 vstart;
	size_t	 vend;
	char	 style;		/* '\'' or '"' when the value is one such */
				/* quoted string, else 0 (bare/mixed/empty) */
};

struct asglist {
	struct asg	*v;
	size_t		 n;
	size_t		 cap;
};

static bool
is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Characters that end an unquoted shell word. */
static bool
ends_word(const char *buf, size_t len, size_t pos)
{
	char c = buf[pos];

	if (c == '\r')		/* CRLF files: CR belongs to the line end */
		return pos + 1 == len || buf[pos + 1] == '\n';
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' ||
	    c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}

/*
 * Scan one shell word starting at pos.  Returns the end offset, or
 * (size_t)-1 when a quote or substitution is unterminated.
 */
static size_t
scan_word(const char *buf, size_t len, size_t pos)
{
	const char *q;
	size_t depth;

	while (pos < len && !ends_word(buf, len, pos)) {
		switch (buf[pos]) {
		case '\\':
			pos += pos + 1 < len ? 2 : 1;
			break;
		case '\'':
			q = memchr(buf + pos + 1, '\'', len - pos - 1);
			if (q == NULL)
				return (size_t)-1;
			pos = (size_t)(q - buf) + 1;
			break;
		case '"':
			for (pos++; pos < len && buf[pos] != '"'; pos++)
				if (buf[pos] == '\\')
					pos++;
			if (pos >= len)
				return (size_t)-1;
			pos++;
			break;
		case '`':
			q = memchr(buf + pos + 1, '`', len - pos - 1);
			if (q == NULL)
				return (size_t)-1;
			pos = (size_t)(q - buf) + 1;
			break;
		case '$':
			if (pos + 1 >= len || buf[pos + 1] != '(') {
				pos++;
				break;
			}
			/* $( ... ): data, but it may hold blanks. */
			depth = 1;
			for (pos += 2; pos < len && depth > 0; pos++) {
				if (buf[pos] == '(')
					depth++;
				else if (buf[pos] == ')')
					depth--;
			}
			if (depth > 0)
				return (size_t)-1;
			break;
		default:
			pos++;
			break;
		}
	}
	return pos;
}

static char
word_style(const char *buf, size_t vs, size_t ve)
{
	const char *q;
	size_t p;

	if (ve - vs < 2)
		return 0;
	if (buf[vs] == '\'') {
		q = memchr(buf + vs + 1, '\'', ve - vs - 1);
		return q == buf + ve - 1 ? '\'' : 0;
	}
	if (buf[vs] == '"') {
		for (p = vs + 1; p < ve && buf[p] != '"'; p++)
			if (buf[p] == '\\')
				p++;
		return p == ve - 1 ? '"' : 0;
	}
	return 0;
}

static size_t
line_of(const char *buf, size_t pos)
{
	size_t i, n = 1;

	for (i = 0; i < pos; i++)
		if (buf[i] == '\n')
			n++;
	return n;
}

static size_t
skip_line(const char *buf, size_t len, size_t pos)
{
	const char *nl = memchr(buf + pos, '\n', len - pos);

	return nl != NULL ? (size_t)(nl - buf) + 1 : len;
}

/*
 * Collect the assignments.  Returns 0, or the 1-based line of an
 * unterminated quote or substitution, where the scan stopped.
 */
static size_t
scan(const char *buf, size_t len, struct asglist *l)
{
	size_t pos = 0, ks, ve;
	struct asg *a;
	char c;

	while (pos < len) {
		c = buf[pos];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    c == ';') {
			pos++;
			continue;
		}
		if (c == '#') {
			pos = skip_line(buf, len, pos);
			continue;
		}
		if (len - pos > 7 && memcmp(buf + pos, "export", 6) == 0 &&
		    (buf[pos + 6] == ' ' || buf[pos + 6] == '\t')) {
			pos += 6;
			while (pos < len &&
			    (buf[pos] == ' ' || buf[pos] == '\t'))
				pos++;
		}
		ks = pos;
		if (pos < len && is_name_start(buf[pos]))
			while (pos < len && is_name_char(buf[pos]))
				pos++;
		if (pos == ks || pos >= len || buf[pos] != '=') {
			pos = skip_line(buf, len, pos < len ? pos : len);
			continue;
		}
		ve = scan_word(buf, len, pos + 1);
		if (ve == (size_t)-1)
			return line_of(buf, pos);
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
		}
		a = &l->v[l->n++];
		a->key = ks;
		a->keylen = pos - ks;
		a->vstart = pos + 1;
		a->vend = ve;
		a->style = word_style(buf, a->vstart, ve);
		pos = ve;
	}
	return 0;
}

/* Refuse to edit what sh could not parse either. */
static int
scan_ok(size_t bad)
{
	if (bad == 0)
		return 0;
	warnx("shell file line %zu: unterminated quote or substitution",
	    bad);
	return -1;
}

/* Remove shell quoting from [vs, ve) into out (reset first). */
static void
decode(const char *buf, size_t vs, size_t ve, struct buf *out)
{
	const char *q;
	size_t p = vs;

	buf_reset(out);
	buf_add(out, "", 0);	/* data non-NULL and terminated */
	while (p < ve) {
		switch (buf[p]) {
		case '\'':
			q = memchr(buf + p + 1, '\'', ve - p - 1);
			if (q == NULL)	/* cannot happen after scan_word */
				q = buf + ve;
			buf_add(out, buf + p + 1, (size_t)(q - buf) - p - 1);
			p = (size_t)(q - buf) + 1;
			break;
		case '"':
			for (p++; p < ve && buf[p] != '"'; p++) {
				if (buf[p] == '\\' && p + 1 < ve &&
				    memchr("\\\"$`\n", buf[p + 1], 5) != NULL) {
					p++;
					if (buf[p] == '\n')
						continue;
				}
				buf_addc(out, buf[p]);
			}
			p++;
			break;
		case '\\':
			if (p + 1 < ve && buf[p + 1] != '\n')
				buf_addc(out, buf[p + 1]);
			p += 2;
			break;
		default:
			buf_addc(out, buf[p]);
			p++;
			break;
		}
	}
}

static bool
key_is(const char *buf, const struct asg *a, const char *key)
{
	return strlen(key) == a->keylen &&
	    memcmp(buf + a->key, key, a->keylen) == 0;
}

/* Index of the last assignment of key, or -1. */
static long
last_of(const char *buf, const struct asglist *l, const char *key)
{
	size_t i;

	for (i = l->n; i > 0; i--)
		if (key_is(buf, &l->v[i - 1], key))
			return (long)(i - 1);
	return -1;
}

char *
gfile_shvar_get(const char *buf, size_t len, const char *key)
{
	struct asglist l = { NULL, 0, 0 };
	struct buf val = BUF_INIT;
	char *res = NULL;
	long i;

	scan(buf, len, &l);
	i = last_of(buf, &l, key);
	if (i >= 0) {
		decode(buf, l.v[i].vstart, l.v[i].vend, &val);
		res = xstrdup(val.data);	/* cut at a NUL, as promised */
	}
	buf_release(&val);
	free(l.v);
	return res;
}

static bool
is_bare_safe(const char *v)
{
	if (*v == '\0')
		return false;
	for (; *v != '\0'; v++)
		if (!is_name_char(*v) && strchr("@%+=:,./-", *v) == NULL)
			return false;
	return true;
}

void
gfile_shvar_quote(const char *value, struct buf *out)
{
	const char *p;

	if (is_bare_safe(value)) {
		buf_adds(out, value);
		return;
	}
	buf_addc(out, '\'');
	for (p = value; *p != '\0'; p++) {
		if (*p == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addc(out, *p);
	}
	buf_addc(out, '\'');
}

/* Write value in the style of the word it replaces. */
static void
render(char style, const char *value, struct buf *out)
{
	const char *p;

	buf_reset(out);
	if (style == '"') {
		buf_addc(out, '"');
		for (p = value; *p != '\0'; p++) {
			if (strchr("\\\"$`", *p) != NULL)
				buf_addc(out, '\\');
			buf_addc(out, *p);
		}
		buf_addc(out, '"');
	} else if (style == '\'' && strchr(value, '\'') == NULL) {
		buf_addc(out, '\'');
		buf_adds(out, value);
		buf_addc(out, '\'');
	} else
		gfile_shvar_quote(value, out);
}

/*
 * Replace the value of assignment a by value unless it already decodes
 * to it (so an unchanged value keeps its bytes).
 */
static void
replace_value(struct gfile_ed *ed, const struct asg *a, const char *value)
{
	struct buf cur = BUF_INIT, nv = BUF_INIT;

	decode(ed->in, a->vstart, a->vend, &cur);
	if (cur.len != strlen(value) || memcmp(cur.data, value, cur.len)) {
		render(a->style, value, &nv);
		gfile_ed_replace(ed, a->vstart, a->vend, nv.data, nv.len);
	}
	buf_release(&cur);
	buf_release(&nv);
}

static bool
line_break_in(const char *value)
{
	return strpbrk(value, "\r\n") != NULL;
}

int
gfile_shvar_set(const char *in, size_t len, const char *key,
    const char *value, struct buf *out)
{
	struct asglist l = { NULL, 0, 0 };
	struct gfile_ed ed;
	const char *k;
	char *back;
	bool ok;
	long i;

	for (k = key; is_name_char(*k); k++)
		;
	if (!is_name_start(*key) || *k != '\0') {
		warnx("'%s' is not a shell variable name", key);
		return -1;
	}
	if (line_break_in(value)) {
		warnx("refusing a line break in the value of '%s'", key);
		return -1;
	}
	if (scan_ok(scan(in, len, &l)) == -1) {
		free(l.v);
		return -1;
	}
	i = last_of(in, &l, key);
	gfile_ed_init(&ed, in, len, out);
	if (i >= 0) {
		replace_value(&ed, &l.v[i], value);
		gfile_ed_finish(&ed);
	} else {
		gfile_ed_finish(&ed);
		if (len > 0 && in[len - 1] != '\n')
			buf_adds(out, gfile_eol(in, len));
		buf_adds(out, key);
		buf_addc(out, '=');
		gfile_shvar_quote(value, out);
		buf_adds(out, gfile_eol(in, len));
	}
	free(l.v);
	/*
	 * A line appended after a trailing backslash-newline would be joined
	 * to the line before; rather than model every such corner, read the
	 * result back and refuse what does not say key=value.
	 */
	back = gfile_shvar_get(out->data, out->len, key);
	ok = back != NULL && strcmp(back, value) == 0;
	free(back);
	if (!ok) {
		warnx("cannot set '%s' in this shell file without changing "
		    "its meaning", key);
		return -1;
	}
	return 0;
}

/* ---- Mapping values --------------------------------------------------- */

/* An assignment's key, for finding the last assignment of each. */
struct keyref {
	const char	*key;
	size_t		 n;
	size_t		 i;
};

static int
cmp_keyref(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* last[i]: no later assignment has l->v[i]'s key (n log n, not n^2). */
static bool *
find_last(const char *buf, const struct asglist *l)
{
	struct keyref *r;
	bool *last;
	size_t i;

	if (l->n == 0)
		return NULL;
	r = xreallocarray(NULL, l->n, sizeof(*r));
	last = xreallocarray(NULL, l->n, sizeof(*last));
	for (i = 0; i < l->n; i++) {
		r[i].key = buf + l->v[i].key;
		r[i].n = l->v[i].keylen;
		r[i].i = i;
	}
	qsort(r, l->n, sizeof(*r), cmp_keyref);
	for (i = 0; i < l->n; i++)
		last[r[i].i] = i + 1 == l->n || r[i + 1].n != r[i].n ||
		    memcmp(r[i + 1].key, r[i].key, r[i].n) != 0;
	free(r);
	return last;
}

int
gfile_shvar_map(const char *in, size_t len,
    char *(*map)(const char *, size_t, const char *, size_t, bool,
    const void *), const void *arg, struct buf *out)
{
	struct asglist l = { NULL, 0, 0 };
	struct buf val = BUF_INIT;
	struct gfile_ed ed;
	const struct asg *a;
	bool *last;
	char *nv;
	size_t i;

	if (scan_ok(scan(in, len, &l)) == -1) {
		free(l.v);
		return -1;
	}
	last = find_last(in, &l);
	gfile_ed_init(&ed, in, len, out);
	for (i = 0; i < l.n; i++) {
		a = &l.v[i];
		decode(in, a->vstart, a->vend, &val);
		nv = map(in + a->key, a->keylen, val.data, val.len, last[i],
		    arg);
		if (nv != NULL)
			replace_value(&ed, a, nv);
		free(nv);
	}
	gfile_ed_finish(&ed);
	buf_release(&val);
	free(last);
	free(l.v);
	return 0;
}

/* ---- Removing variables (imprint apply) ------------------------------- */

static bool
blank_or_export(const char *buf, size_t from, size_t to)
{
	size_t p = from;

	while (p < to && (buf[p] == ' ' || buf[p] == '\t'))
		p++;
	if (to - p > 6 && memcmp(buf + p, "export", 6) == 0) {
		p += 6;
		while (p < to && (buf[p] == ' ' || buf[p] == '\t'))
			p++;
	}
	return p == to;
}

/*
 * The end of a's line (after its line end) when nothing but blanks, ';'
 * and a comment follows the value, else (size_t)-1.
 */
static size_t
line_rest_end(const char *buf, size_t len, size_t p)
{
	while (p < len && (buf[p] == ' ' || buf[p] == '\t' || buf[p] == ';'))
		p++;
	if (p < len && buf[p] == '#')
		while (p < len && buf[p] != '\n')
			p++;
	if (p < len && buf[p] == '\r' && (p + 1 == len || buf[p + 1] == '\n'))
		p++;
	if (p == len)
		return len;
	return buf[p] == '\n' ? p + 1 : (size_t)-1;
}

/* Does the line before the one starting at ls end in a backslash? */
static bool
continued(const char *buf, size_t ls)
{
	if (ls >= 2 && buf[ls - 2] == '\\')
		return true;
	return ls >= 3 && buf[ls - 2] == '\r' && buf[ls - 3] == '\\';
}

int
gfile_shvar_unset_if(const char *in, size_t len,
    bool (*match)(const char *, size_t, const void *), const void *arg,
    struct buf *out)
{
	struct asglist l = { NULL, 0, 0 };
	struct gfile_ed ed;
	const struct asg *a;
	size_t i, ls, le;

	if (scan_ok(scan(in, len, &l)) == -1) {
		free(l.v);
		return -1;
	}
	gfile_ed_init(&ed, in, len, out);
	for (i = 0; i < l.n; i++) {
		a = &l.v[i];
		if (!match(in + a->key, a->keylen, arg))
			continue;
		ls = a->key;
		while (ls > 0 && in[ls - 1] != '\n')
			ls--;
		le = line_rest_end(in, len, a->vend);
		if (!blank_or_export(in, ls, a->key) || le == (size_t)-1 ||
		    continued(in, ls)) {
			char *k = xstrndup(in + a->key, a->keylen);

			warnx("shell file line %zu: cannot remove '%s' "
			    "without changing the rest of the line",
			    line_of(in, a->key), esc(k));
			free(k);
			free(l.v);
			return -1;
		}
		gfile_ed_replace(&ed, ls, le, "", 0);
	}
	gfile_ed_finish(&ed);
	free(l.v);
	return 0;
}

static bool
key_equal(const char *key, size_t n, const void *arg)
{
	const char *want = arg;

	return strlen(want) == n && memcmp(key, want, n) == 0;
}

int
gfile_shvar_unset(const char *in, size_t len, const char *key,
    struct buf *out)
{
	const char *k;

	for (k = key; is_name_char(*k); k++)
		;
	if (!is_name_start(*key) || *k != '\0') {
		warnx("'%s' is not a shell variable name", key);
		return -1;
	}
	return gfile_shvar_unset_if(in, len, key_equal, key, out);
}
