/*
 * gfile_udev.c - udev persistent-net rules (70-persistent-net.rules), as
 * written by udev's write_net_rules on RHEL/OEL 5-7 and old Debian.
 *
 * A rule line is a comma-separated list of KEY OP "VALUE" items.  The
 * reader reports rules binding a NAME to an ATTR{address}; the editor
 * replaces only the text between the quotes of an ATTR{address}== value
 * that equals a mapped MAC; gfile_udev_set_name_mac does the same for the
 * rules of one NAME, whatever MAC they hold.  Lines that do not tokenise
 * are left alone,
 * and backslash line continuations are not joined (write_net_rules never
 * writes them).  Deleting the file (virt-sysprep style) is not done here.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "gfile_udev.h"
#include "valid.h"

/* One KEY OP "VALUE" item; offsets are within the line. */
struct utok {
	size_t	 key;
	size_t	 keylen;
	size_t	 op;
	size_t	 oplen;
	size_t	 vstart;
	size_t	 vend;
};

static bool
next_tok(const char *p, size_t len, size_t *pos, struct utok *t)
{
	const char *q;
	size_t i = *pos;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
		i++;
	if (i >= len)
		return false;
	t->key = i;
	while (i < len && strchr(" \t,=!+-:\"", p[i]) == NULL) {
		if (p[i] == '{') {
			q = memchr(p + i, '}', len - i);
			if (q == NULL)
				return false;
			i = (size_t)(q - p);
		}
		i++;
	}
	t->keylen = i - t->key;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	t->op = i;
	if (i + 1 < len && p[i + 1] == '=' && p[i] != '\0' &&
	    strchr("=!+-:", p[i]) != NULL)
		i += 2;
	else if (i < len && p[i] == '=')
		i++;
	t->oplen = i - t->op;
	if (t->keylen == 0 || t->oplen == 0)
		return false;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i >= len || p[i] != '"')
		return false;
	t->vstart = ++i;
	while (i < len && p[i] != '"')
		i += p[i] == '\\' ? 2 : 1;
	if (i >= len)
		return false;
	t->vend = i;
	*pos = i + 1;
	return true;
}

static bool
tok_is(const char *p, const struct utok *t, const char *key, const char *op)
{
	return t->keylen == strlen(key) &&
	    memcmp(p + t->key, key, t->keylen) == 0 &&
	    t->oplen == strlen(op) && memcmp(p + t->op, op, t->oplen) == 0;
}

static bool
is_comment(const struct gfile_line *l)
{
	size_t i = 0;

	while (i < l->len && (l->p[i] == ' ' || l->p[i] == '\t'))
		i++;
	return i < l->len && l->p[i] == '#';
}

int
gfile_udev_parse(const char *buf, size_t len,
    struct gfile_udev_rule **rules_r, size_t *n_r)
{
	struct gfile_udev_rule *v = NULL;
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct utok t;
	const struct utok *mac, *name;
	struct utok tmac, tname;
	size_t pos = 0, lp, n = 0, cap = 0;

	while (gfile_line_next(buf, len, &pos, &l)) {
		if (is_comment(&l))
			continue;
		mac = name = NULL;
		lp = 0;
		while (next_tok(l.p, l.len, &lp, &t)) {
			if (tok_is(l.p, &t, "ATTR{address}", "==")) {
				tmac = t;
				mac = &tmac;
			} else if (tok_is(l.p, &t, "NAME", "=") ||
			    tok_is(l.p, &t, "NAME", ":=")) {
				tname = t;
				name = &tname;
			}
		}
		if (mac == NULL || name == NULL)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n].mac = xstrndup(l.p + mac->vstart, mac->vend - mac->vstart);
		v[n].name = xstrndup(l.p + name->vstart,
		    name->vend - name->vstart);
		v[n].line = l.no;
		n++;
	}
	*rules_r = v;
	*n_r = n;
	return 0;
}

void
gfile_udev_free(struct gfile_udev_rule *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].mac);
	}
	free(v);
}

int
gfile_udev_edit(const struct gfile_job *job, const char *in, size_t len,
    struct buf *out)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct gfile_ed ed;
	struct utok t;
	size_t pos = 0, lp;

	gfile_ed_init(&ed, in, len, out);
	while (gfile_line_next(in, len, &pos, &l)) {
		if (is_comment(&l))
			continue;
		lp = 0;
		while (next_tok(l.p, l.len, &lp, &t)) {
			if (!tok_is(l.p, &t, "ATTR{address}", "=="))
				continue;
			gfile_ed_map_mac(&ed, job, l.off + t.vstart,
			    l.off + t.vend);
		}
	}
	gfile_ed_finish(&ed);
	return 0;
}

/* ---- Binding a name to a MAC (imprint apply) -------------------------- */

int
gfile_udev_set_name_mac(const char *in, size_t len, const char *name,
    const char *mac, struct buf *out)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct gfile_ed ed;
	struct utok t, tmac = { 0, 0, 0, 0, 0, 0 };
	char cur[18];
	size_t pos = 0, lp, nlen = strlen(name);
	bool named, has_mac;

	if (!mac_valid_nic(mac)) {
		warnx("refusing MAC '%s' for the udev rules: not a NIC "
		    "address", mac);
		return -1;
	}
	gfile_ed_init(&ed, in, len, out);
	while (gfile_line_next(in, len, &pos, &l)) {
		if (is_comment(&l))
			continue;
		named = has_mac = false;
		lp = 0;
		while (next_tok(l.p, l.len, &lp, &t)) {
			if (tok_is(l.p, &t, "ATTR{address}", "==")) {
				tmac = t;
				has_mac = true;
			} else if ((tok_is(l.p, &t, "NAME", "=") ||
			    tok_is(l.p, &t, "NAME", ":=")) &&
			    t.vend - t.vstart == nlen &&
			    memcmp(l.p + t.vstart, name, nlen) == 0)
				named = true;
		}
		if (!named || !has_mac)
			continue;
		if (tmac.vend - tmac.vstart == 17) {
			memcpy(cur, l.p + tmac.vstart, 17);
			cur[17] = '\0';
			if (mac_equal(cur, mac))
				continue;
		}
		gfile_ed_replace(&ed, l.off + tmac.vstart, l.off + tmac.vend,
		    mac, strlen(mac));
	}
	gfile_ed_finish(&ed);
	return 0;
}

/*
 * A rule for a NIC the template did not have: the last rule's line, with
 * its MAC and NAME values replaced, appended.  Without it, udev would name
 * the new NIC at first boot by the next free number, which is what we want
 * only by luck.
 */
int
gfile_udev_bind_name_mac(const char *in, size_t len, const char *name,
    const char *mac, struct buf *out)
{
	struct gfile_line l = { NULL, 0, 0, 0 }, last = { NULL, 0, 0, 0 };
	struct gfile_udev_rule *rules = NULL;
	struct utok t, tmac = { 0, 0, 0, 0, 0, 0 }, tname = tmac;
	size_t pos = 0, lp, n = 0, i;
	bool found = false, have_last = false, m, nm;

	if (gfile_udev_set_name_mac(in, len, name, mac, out) == -1)
		return -1;
	gfile_udev_parse(in, len, &rules, &n);
	for (i = 0; i < n; i++)
		if (strcmp(rules[i].name, name) == 0)
			found = true;
	gfile_udev_free(rules, n);
	if (found || n == 0)
		return 0;
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789") !=
	    strlen(name)) {
		warnx("refusing interface name '%s' for the udev rules", name);
		return -1;
	}
	while (gfile_line_next(in, len, &pos, &l)) {
		if (is_comment(&l))
			continue;
		m = nm = false;
		lp = 0;
		while (next_tok(l.p, l.len, &lp, &t)) {
			if (tok_is(l.p, &t, "ATTR{address}", "=="))
				m = true;
			else if (tok_is(l.p, &t, "NAME", "=") ||
			    tok_is(l.p, &t, "NAME", ":="))
				nm = true;
		}
		if (m && nm) {
			last = l;
			have_last = true;
		}
	}
	if (!have_last)
		return 0;
	lp = 0;
	while (next_tok(last.p, last.len, &lp, &t)) {
		if (tok_is(last.p, &t, "ATTR{address}", "=="))
			tmac = t;
		else if (tok_is(last.p, &t, "NAME", "=") ||
		    tok_is(last.p, &t, "NAME", ":="))
			tname = t;
	}
	/* out holds the input as set_name_mac left it (no rule of name). */
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		buf_adds(out, gfile_eol(in, len));
	if (tmac.vstart < tname.vstart) {
		buf_add(out, last.p, tmac.vstart);
		buf_adds(out, mac);
		buf_add(out, last.p + tmac.vend, tname.vstart - tmac.vend);
		buf_adds(out, name);
		buf_add(out, last.p + tname.vend, last.len - tname.vend);
	} else {
		buf_add(out, last.p, tname.vstart);
		buf_adds(out, name);
		buf_add(out, last.p + tname.vend, tmac.vstart - tname.vend);
		buf_adds(out, mac);
		buf_add(out, last.p + tmac.vend, last.len - tmac.vend);
	}
	buf_adds(out, gfile_eol(in, len));
	return 0;
}
