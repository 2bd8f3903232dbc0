/*
 * gfile_ifupdown.c - Debian/Ubuntu ifupdown /etc/network/interfaces (and
 * files under interfaces.d/), as interfaces(5) describes them.
 *
 * The reader reports `iface` stanzas with the options imprint cares about,
 * the `auto`/`allow-hotplug` marks and the `source` patterns; it does not
 * follow `source` (that is guest I/O, left to the caller) and does not join
 * backslash-continued lines.  The editor changes, inside iface stanzas
 * only, the MAC of `hwaddress`, the address part of `address` (a /prefix
 * kept) and the word of `hostname`; it never adds an option.  The
 * whole-NIC editor (gfile_ifupdown_apply_nic, at the end) does: it sets
 * one stanza's method and addresses, adding or removing option lines,
 * or appends the stanza; splices are collected, sorted and applied in
 * one pass so every untouched byte is copied as it was.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "gfile_ifupdown.h"
#include "valid.h"

#define MAXWORDS 4

struct words {
	size_t	 s[MAXWORDS];
	size_t	 e[MAXWORDS];
	size_t	 n;		/* words found, at most MAXWORDS */
	size_t	 rest;		/* offset after the first word's blanks */
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\0';
}

/* Split the first MAXWORDS words of a line. */
static void
split(const struct gfile_line *l, struct words *w)
{
	size_t i = 0;

	w->n = 0;
	w->rest = 0;
	while (w->n < MAXWORDS) {
		while (i < l->len && is_blank(l->p[i]))
			i++;
		if (w->n == 1)
			w->rest = i;
		if (i >= l->len)
			break;
		w->s[w->n] = i;
		while (i < l->len && !is_blank(l->p[i]))
			i++;
		w->e[w->n++] = i;
	}
}

static bool
word_is(const struct gfile_line *l, const struct words *w, size_t i,
    const char *s)
{
	return i < w->n && w->e[i] - w->s[i] == strlen(s) &&
	    memcmp(l->p + w->s[i], s, strlen(s)) == 0;
}

static char *
word_dup(const struct gfile_line *l, const struct words *w, size_t i)
{
	return i < w->n ? xstrndup(l->p + w->s[i], w->e[i] - w->s[i]) : NULL;
}

static bool
word_prefix(const struct gfile_line *l, const struct words *w,
    const char *s)
{
	return w->n > 0 && w->e[0] - w->s[0] > strlen(s) &&
	    memcmp(l->p + w->s[0], s, strlen(s)) == 0;
}

/* Stanza keywords of interfaces(5) other than iface, which end a stanza. */
static bool
other_stanza(const struct gfile_line *l, const struct words *w)
{
	return word_is(l, w, 0, "auto") || word_prefix(l, w, "allow-") ||
	    word_is(l, w, 0, "mapping") || word_is(l, w, 0, "source") ||
	    word_is(l, w, 0, "source-directory") ||
	    word_is(l, w, 0, "rename") || word_is(l, w, 0, "no-auto-down") ||
	    word_is(l, w, 0, "no-scripts") || word_is(l, w, 0, "template");
}

static bool
is_comment(const struct gfile_line *l, const struct words *w)
{
	return w->n == 0 || l->p[w->s[0]] == '#';
}

static void
set_opt(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}


int
gfile_ifupdown_parse(const char *buf, size_t len, struct gfile_iface **ifs_r,
    size_t *n_r, struct strlist *sources)
{
	struct gfile_iface *v = NULL, *cur = NULL;
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct strlist autos = STRLIST_INIT;
	struct words w;
	size_t pos = 0, n = 0, cap = 0, i, end, k;
	char *name;

	while (gfile_line_next(buf, len, &pos, &l)) {
		split(&l, &w);
		if (is_comment(&l, &w))
			continue;
		if (word_is(&l, &w, 0, "iface")) {
			cur = NULL;
			if (w.n < 2)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 4;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			cur = &v[n++];
			memset(cur, 0, sizeof(*cur));
			cur->name = word_dup(&l, &w, 1);
			cur->family = word_dup(&l, &w, 2);
			cur->method = word_dup(&l, &w, 3);
			cur->line = l.no;
		} else if (other_stanza(&l, &w)) {
			cur = NULL;
			if (word_is(&l, &w, 0, "auto") ||
			    word_is(&l, &w, 0, "allow-hotplug") ||
			    word_is(&l, &w, 0, "allow-auto")) {
				/* Every word after the keyword is a name. */
				i = w.e[0];
				while (i < l.len) {
					while (i < l.len && is_blank(l.p[i]))
						i++;
					k = i;
					while (i < l.len && !is_blank(l.p[i]))
						i++;
					if (i > k)
						strlist_add_owned(&autos,
						    xstrndup(l.p + k, i - k));
				}
			} else if (sources != NULL &&
			    (word_is(&l, &w, 0, "source") ||
			    word_is(&l, &w, 0, "source-directory")) &&
			    w.n > 1) {
				end = l.len;
				while (end > w.rest && is_blank(l.p[end - 1]))
					end--;
				strlist_add_owned(sources, xasprintf("%s %.*s",
				    word_is(&l, &w, 0, "source") ? "source" :
				    "source-directory", (int)(end - w.rest),
				    l.p + w.rest));
			}
		} else if (cur != NULL) {
			if (word_is(&l, &w, 0, "address"))
				set_opt(&cur->address, word_dup(&l, &w, 1));
			else if (word_is(&l, &w, 0, "netmask"))
				set_opt(&cur->netmask, word_dup(&l, &w, 1));
			else if (word_is(&l, &w, 0, "gateway"))
				set_opt(&cur->gateway, word_dup(&l, &w, 1));
			else if (word_is(&l, &w, 0, "hwaddress"))
				set_opt(&cur->hwaddress, word_dup(&l, &w,
				    word_is(&l, &w, 1, "ether") ? 2 : 1));
		}
	}
	/* Sorted so that marking stays n log n on hostile input. */
	sort_strings(autos.v, autos.n);
	for (i = 0; i < n; i++) {
		name = v[i].name;
		v[i].auto_ = autos.n > 0 && bsearch(&name, autos.v, autos.n,
		    sizeof(*autos.v), cmp_str) != NULL;
	}
	strlist_release(&autos);
	*ifs_r = v;
	*n_r = n;
	return 0;
}

void
gfile_ifupdown_free(struct gfile_iface *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].family);
		free(v[i].method);
		free(v[i].address);
		free(v[i].netmask);
		free(v[i].gateway);
		free(v[i].hwaddress);
	}
	free(v);
}

int
gfile_ifupdown_edit(const struct gfile_job *job, const char *in, size_t len,
    struct buf *out)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct gfile_ed ed;
	struct words w;
	size_t pos = 0, i, wlen, hlen;
	bool in_iface = false;

	gfile_ed_init(&ed, in, len, out);
	while (gfile_line_next(in, len, &pos, &l)) {
		split(&l, &w);
		if (is_comment(&l, &w))
			continue;
		if (word_is(&l, &w, 0, "iface")) {
			in_iface = true;
			continue;
		}
		if (other_stanza(&l, &w)) {
			in_iface = false;
			continue;
		}
		if (!in_iface || w.n < 2)
			continue;
		if (word_is(&l, &w, 0, "hwaddress")) {
			i = word_is(&l, &w, 1, "ether") ? 2 : 1;
			if (i >= w.n)
				continue;
			gfile_ed_map_mac(&ed, job, l.off + w.s[i],
			    l.off + w.e[i]);
		} else if (word_is(&l, &w, 0, "address")) {
			gfile_ed_map_ip(&ed, job, l.off + w.s[1],
			    l.off + w.e[1], "/");
		} else if (word_is(&l, &w, 0, "hostname") &&
		    job->hostname != NULL) {
			hlen = gfile_short_len(job->hostname);
			wlen = w.e[1] - w.s[1];
			if (wlen != hlen ||
			    memcmp(l.p + w.s[1], job->hostname, hlen) != 0)
				gfile_ed_replace(&ed, l.off + w.s[1],
				    l.off + w.e[1], job->hostname, hlen);
		}
	}
	gfile_ed_finish(&ed);
	return 0;
}

/* ---- Whole-NIC settings (imprint apply) ------------------------------- */

/* One splice: [start, end) becomes text; start == end inserts. */
struct splice {
	size_t	 start;
	size_t	 end;
	size_t	 seq;		/* creation order, for equal starts */
	char	*text;
};

struct splices {
	struct splice	*v;
	size_t		 n;
	size_t		 cap;
};

static void
splice_add(struct splices *s, size_t start, size_t end, char *text)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n].start = start;
	s->v[s->n].end = end;
	s->v[s->n].seq = s->n;
	s->v[s->n].text = text;
	s->n++;
}

static int
cmp_splice(const void *a, const void *b)
{
	const struct splice *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A line of the stanza being edited, by the option it sets. */
struct optline {
	struct gfile_line	l;
	struct words		w;
	bool			found;
};

enum { O_ADDRESS, O_NETMASK, O_GATEWAY, O_HWADDRESS, O_HOSTNAME, O_MAX };
static const char *const opt_names[O_MAX] = {
	"address", "netmask", "gateway", "hwaddress", "hostname"
};

/* What one pass over the file finds out. */
struct ifscan {
	size_t		 stanzas;	/* `iface NAME inet` seen */
	struct optline	 iface;
	struct optline	 opt[O_MAX];
	struct optline	 last;		/* last option line of the stanza */
	bool		 has_last;
	char		*indent;	/* of the stanza's first option */
	char		*other_indent;	/* of any other stanza's first one */
	bool		 marked;	/* NAME is in an auto/allow- line */
	size_t		 hotplug;	/* other NICs marked allow-hotplug */
	size_t		 autos;		/* other NICs marked auto */
	bool		 cidr;		/* some address is written a.b.c.d/N */
};

/* Lines of the stanza to delete when switching to DHCP. */
static bool
static_only(const struct gfile_line *l, const struct words *w)
{
	return word_is(l, w, 0, "address") || word_is(l, w, 0, "netmask") ||
	    word_is(l, w, 0, "gateway") || word_is(l, w, 0, "broadcast") ||
	    word_is(l, w, 0, "network") || word_is(l, w, 0, "pointopoint");
}

static void
scan_marks(const struct gfile_line *l, const struct words *w,
    const char *name, struct ifscan *sc)
{
	bool hotplug = word_is(l, w, 0, "allow-hotplug");
	size_t i = w->e[0], k;

	while (i < l->len) {
		while (i < l->len && is_blank(l->p[i]))
			i++;
		k = i;
		while (i < l->len && !is_blank(l->p[i]))
			i++;
		if (i == k || (i - k == 2 && memcmp(l->p + k, "lo", 2) == 0))
			continue;
		if (i - k == strlen(name) && memcmp(l->p + k, name, i - k) == 0)
			sc->marked = true;
		else if (hotplug)
			sc->hotplug++;
		else
			sc->autos++;
	}
}

static void
scan_stanzas(const char *in, size_t len, const char *name, struct ifscan *sc)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct words w;
	size_t pos = 0, i;
	bool ours = false, other = false, first = false;

	while (gfile_line_next(in, len, &pos, &l)) {
		split(&l, &w);
		if (is_comment(&l, &w))
			continue;
		if (word_is(&l, &w, 0, "iface")) {
			ours = word_is(&l, &w, 1, name) &&
			    word_is(&l, &w, 2, "inet");
			other = !ours;
			first = true;
			if (ours && sc->stanzas++ == 0) {
				sc->iface.l = l;
				sc->iface.w = w;
				sc->iface.found = true;
			} else if (ours)
				ours = false;	/* a duplicate: refused */
			continue;
		}
		if (other_stanza(&l, &w)) {
			ours = other = false;
			if (word_is(&l, &w, 0, "auto") ||
			    word_prefix(&l, &w, "allow-"))
				scan_marks(&l, &w, name, sc);
			continue;
		}
		if (!ours && !other)
			continue;
		if (word_is(&l, &w, 0, "address") && w.n > 1 &&
		    memchr(l.p + w.s[1], '/', w.e[1] - w.s[1]) != NULL)
			sc->cidr = true;
		if (first && ours && sc->indent == NULL)
			sc->indent = xstrndup(l.p, w.s[0]);
		if (first && other && sc->other_indent == NULL)
			sc->other_indent = xstrndup(l.p, w.s[0]);
		first = false;
		if (!ours)
			continue;
		sc->last.l = l;
		sc->last.w = w;
		sc->has_last = true;
		for (i = 0; i < O_MAX; i++)
			if (!sc->opt[i].found &&
			    word_is(&l, &w, 0, opt_names[i])) {
				sc->opt[i].l = l;
				sc->opt[i].w = w;
				sc->opt[i].found = true;
			}
	}
}

/* Offset just past line l (after its line end, or the end of input). */
static size_t
after_line(const char *in, size_t len, const struct gfile_line *l)
{
	size_t e = l->off + l->len;

	while (e < len && in[e] != '\n')	/* the CR of CRLF */
		e++;
	return e < len ? e + 1 : len;
}

/*
 * Insert a whole line after line l; after a last line without a line end
 * the new line goes after a line end and has none itself.
 */
static void
insert_line(struct splices *s, const char *in, size_t len,
    const struct gfile_line *l, const char *eol, char *text)
{
	size_t at = after_line(in, len, l);

	if (at == len && len > 0 && in[len - 1] != '\n')
		splice_add(s, at, at, xasprintf("%s%s", eol, text));
	else
		splice_add(s, at, at, xasprintf("%s%s", text, eol));
	free(text);
}

/* Replace word i of an option line (or add it after word 0). */
static void
set_word(struct splices *s, const struct optline *o, size_t i,
    const char *v)
{
	const struct gfile_line *l = &o->l;
	const struct words *w = &o->w;

	if (i < w->n) {
		if (w->e[i] - w->s[i] != strlen(v) ||
		    memcmp(l->p + w->s[i], v, w->e[i] - w->s[i]) != 0)
			splice_add(s, l->off + w->s[i], l->off + w->e[i],
			    xstrdup(v));
	} else
		splice_add(s, l->off + w->e[w->n - 1],
		    l->off + w->e[w->n - 1], xasprintf(" %s", v));
}

static void
edit_stanza(const char *in, size_t len, const struct gfile_nic *nic,
    struct ifscan *sc, struct splices *s, const char *eol)
{
	const struct optline *at = sc->has_last ? &sc->last : &sc->iface;
	const char *ind = sc->indent ? sc->indent :
	    sc->other_indent ? sc->other_indent : "\t";
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct words w;
	struct optline *o;
	char mask[16], *v, cur[18];
	size_t pos, i;
	bool cidr, in_stanza = false;

	if (nic->boot != GFILE_BOOT_KEEP)
		set_word(s, &sc->iface, 3,
		    nic->boot == GFILE_BOOT_STATIC ? "static" : "dhcp");
	if (nic->boot == GFILE_BOOT_STATIC) {
		gfile_prefix_mask(nic->prefix, mask);
		o = &sc->opt[O_ADDRESS];
		cidr = o->found ? o->w.n > 1 && memchr(o->l.p + o->w.s[1],
		    '/', o->w.e[1] - o->w.s[1]) != NULL :
		    sc->cidr && !sc->opt[O_NETMASK].found;
		v = cidr ? xasprintf("%s/%d", nic->address, nic->prefix) :
		    xstrdup(nic->address);
		if (o->found)
			set_word(s, o, 1, v);
		else
			insert_line(s, in, len, &at->l, eol,
			    xasprintf("%saddress %s", ind, v));
		free(v);
		if (sc->opt[O_NETMASK].found)
			set_word(s, &sc->opt[O_NETMASK], 1, mask);
		else if (!cidr)
			insert_line(s, in, len, o->found ? &o->l : &at->l,
			    eol, xasprintf("%snetmask %s", ind, mask));
		if (nic->gateway != NULL && sc->opt[O_GATEWAY].found)
			set_word(s, &sc->opt[O_GATEWAY], 1, nic->gateway);
		else if (nic->gateway != NULL)
			insert_line(s, in, len, &at->l, eol,
			    xasprintf("%sgateway %s", ind, nic->gateway));
	}
	if (nic->boot == GFILE_BOOT_DHCP) {
		/* Every static-only line of the stanza, not just the first. */
		pos = 0;
		while (gfile_line_next(in, len, &pos, &l)) {
			if (l.off < sc->iface.l.off)
				continue;
			split(&l, &w);
			if (is_comment(&l, &w))
				continue;
			if (l.off == sc->iface.l.off) {
				in_stanza = true;
				continue;
			}
			if (word_is(&l, &w, 0, "iface") ||
			    other_stanza(&l, &w))
				break;
			if (in_stanza && static_only(&l, &w))
				splice_add(s, l.off, after_line(in, len, &l),
				    xstrdup(""));
		}
	}
	o = &sc->opt[O_HWADDRESS];
	if (nic->mac != NULL && o->found) {
		i = word_is(&o->l, &o->w, 1, "ether") ? 2 : 1;
		if (i < o->w.n && o->w.e[i] - o->w.s[i] == 17) {
			memcpy(cur, o->l.p + o->w.s[i], 17);
			cur[17] = '\0';
		} else
			cur[0] = '\0';
		if (!mac_equal(cur, nic->mac))
			set_word(s, o, i, nic->mac);
	}
	o = &sc->opt[O_HOSTNAME];
	if (nic->hostname != NULL && o->found) {
		v = xstrndup(nic->hostname, gfile_short_len(nic->hostname));
		set_word(s, o, 1, v);
		free(v);
	}
}

static void
new_stanza(const char *in, size_t len, const struct gfile_nic *nic,
    const struct ifscan *sc, struct splices *s, const char *eol)
{
	const char *ind = sc->other_indent ? sc->other_indent : "\t";
	struct buf b = BUF_INIT;
	char mask[16];
	size_t ls, i;

	buf_add(&b, "", 0);
	if (len > 0 && in[len - 1] != '\n')
		buf_adds(&b, eol);
	/* A blank line before, unless the last line is blank already. */
	ls = len > 0 && in[len - 1] == '\n' ? len - 1 : len;
	while (ls > 0 && in[ls - 1] != '\n')
		ls--;
	for (i = ls; i < len; i++)	/* the input is not NUL-terminated */
		if (strchr(" \t\r\n", in[i]) == NULL || in[i] == '\0')
			break;
	if (i < len)
		buf_adds(&b, eol);
	if (!sc->marked)
		buf_addf(&b, "%s %s%s", sc->hotplug > 0 && sc->autos == 0 ?
		    "allow-hotplug" : "auto", nic->name, eol);
	buf_addf(&b, "iface %s inet %s%s", nic->name,
	    nic->boot == GFILE_BOOT_STATIC ? "static" : "dhcp", eol);
	if (nic->boot == GFILE_BOOT_STATIC) {
		gfile_prefix_mask(nic->prefix, mask);
		if (sc->cidr)
			buf_addf(&b, "%saddress %s/%d%s", ind, nic->address,
			    nic->prefix, eol);
		else
			buf_addf(&b, "%saddress %s%s%snetmask %s%s", ind,
			    nic->address, eol, ind, mask, eol);
		if (nic->gateway != NULL)
			buf_addf(&b, "%sgateway %s%s", ind, nic->gateway, eol);
	}
	splice_add(s, len, len, buf_detach(&b, NULL));
}

int
gfile_ifupdown_apply_nic(const char *in, size_t len,
    const struct gfile_nic *nic, struct buf *out)
{
	struct ifscan sc;
	struct splices s = { NULL, 0, 0 };
	struct gfile_ed ed;
	const char *eol = gfile_eol(in, len);
	size_t i, el = strlen(eol);
	int rc = -1;

	if (gfile_nic_check(nic) == -1)
		return -1;
	memset(&sc, 0, sizeof(sc));
	scan_stanzas(in, len, nic->name, &sc);
	if (sc.stanzas > 1) {
		warnx("interfaces file: %zu 'iface %s inet' stanzas",
		    sc.stanzas, nic->name);
		goto out;
	}
	if (sc.stanzas == 0 && nic->boot == GFILE_BOOT_KEEP) {
		warnx("interfaces file: no stanza for '%s' and no boot "
		    "method to write one with", nic->name);
		goto out;
	}
	if (sc.stanzas == 1)
		edit_stanza(in, len, nic, &sc, &s, eol);
	else
		new_stanza(in, len, nic, &sc, &s, eol);
	if (s.n > 0)
		qsort(s.v, s.n, sizeof(*s.v), cmp_splice);
	gfile_ed_init(&ed, in, len, out);
	for (i = 0; i < s.n; i++)
		gfile_ed_replace(&ed, s.v[i].start, s.v[i].end, s.v[i].text,
		    strlen(s.v[i].text));
	gfile_ed_finish(&ed);
	/* Keep a missing final line end missing. */
	if (len > 0 && in[len - 1] != '\n' && out->len >= el &&
	    memcmp(out->data + out->len - el, eol, el) == 0) {
		out->len -= el;
		out->data[out->len] = '\0';
	}
	rc = 0;
out:
	for (i = 0; i < s.n; i++)
		free(s.v[i].text);
	free(s.v);
	free(sc.indent);
	free(sc.other_indent);
	return rc;
}
