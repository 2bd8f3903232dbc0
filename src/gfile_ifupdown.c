/*
 * gfile_ifupdown.c - Debian/Ubuntu ifupdown /etc/network/interfaces (and
 * files under interfaces.d/), as interfaces(5) describes them.
 *
 * The reader reports `iface` stanzas with the options imprint cares about,
 * the `auto`/`allow-hotplug` marks and the `source` patterns; it does not
 * follow `source` (that is guest I/O, left to the caller) and does not join
 * backslash-continued lines.  The editor changes, inside iface stanzas
 * only, the MAC of `hwaddress`, the address part of `address` (a /prefix
 * kept) and the word of `hostname`; it never adds an option.
 */
#include <stdlib.h>
#include <string.h>

#include "gfile.h"

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

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
				strlist_add_owned(sources,
				    xstrndup(l.p + w.rest, end - w.rest));
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
	if (autos.n > 0)
		qsort(autos.v, autos.n, sizeof(*autos.v), cmp_str);
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
	const char *to, *word;
	size_t pos = 0, i, wlen, alen, hlen;
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
			to = gfile_job_mac(job, l.p + w.s[i], w.e[i] - w.s[i]);
			if (to != NULL)
				gfile_ed_replace(&ed, l.off + w.s[i],
				    l.off + w.e[i], to, strlen(to));
		} else if (word_is(&l, &w, 0, "address")) {
			word = l.p + w.s[1];
			wlen = w.e[1] - w.s[1];
			alen = 0;
			while (alen < wlen && word[alen] != '/')
				alen++;
			to = gfile_job_ip(job, word, alen);
			if (to != NULL)
				gfile_ed_replace(&ed, l.off + w.s[1],
				    l.off + w.s[1] + alen, to, strlen(to));
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
