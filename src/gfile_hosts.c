/*
 * gfile_hosts.c - /etc/hosts (/etc/hostname is gfile_hostname.c's).
 *
 * /etc/hosts is read as hosts(5) says: an address, then names, separated
 * by blanks or tabs, '#' to the end of the line a comment.  The editor
 * replaces whole name fields equal to the old FQDN or the old short name
 * (compared without regard to ASCII case) and keeps every separator,
 * comment and line end.  When the old host name is short (Debian's
 * /etc/hostname), a field "OLD.DOMAIN" is the template's FQDN too: it
 * becomes the new name when that is a FQDN, else "NEW.DOMAIN", so a
 * clone named by its short name keeps its domain, and the short field
 * beside it on that line becomes the new short name.  Fields that merely
 * start with the old name ("OLDx", "OLD-db") stay.  It never adds a
 * line: mapping 127.0.1.1 for a guest that lacks it is the planner's
 * policy (plan.c, plan_hosts_self).
 */
#include <stdlib.h>
#include <string.h>

#include "gfile_hosts.h"

/* Length of the line without a '#' comment. */
static size_t
content_len(const struct gfile_line *l)
{
	const char *h = memchr(l->p, '#', l->len);

	return h != NULL ? (size_t)(h - l->p) : l->len;
}

int
gfile_hosts_parse(const char *buf, size_t len,
    struct gfile_hosts_entry **e_r, size_t *n_r)
{
	struct gfile_hosts_entry *v = NULL, *e;
	struct gfile_line l = { NULL, 0, 0, 0 };
	size_t pos = 0, lp, clen, s, t, n = 0, cap = 0;

	while (gfile_line_next(buf, len, &pos, &l)) {
		clen = content_len(&l);
		lp = 0;
		if (!gfile_field_next(l.p, clen, &lp, &s, &t))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		e = &v[n];
		e->addr = xstrndup(l.p + s, t - s);
		e->names.v = NULL;
		e->names.n = e->names.cap = 0;
		e->line = l.no;
		while (gfile_field_next(l.p, clen, &lp, &s, &t))
			strlist_add_owned(&e->names, xstrndup(l.p + s, t - s));
		if (e->names.n == 0) {
			free(e->addr);
			continue;
		}
		n++;
	}
	*e_r = v;
	*n_r = n;
	return 0;
}

void
gfile_hosts_free(struct gfile_hosts_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].addr);
		strlist_release(&v[i].names);
	}
	free(v);
}

/* Is the N-byte field F "OLD.DOMAIN" (OLD: the old short name)? */
static bool
is_old_fqdn(const char *f, size_t n, const char *old, size_t oldlen)
{
	return n > oldlen + 1 && f[oldlen] == '.' &&
	    gfile_span_caseeq(f, oldlen, old);
}

/*
 * Replace the field [s, t) (the template's FQDN, whose domain, from its
 * '.', is DOM) by the new FQDN: NEW itself when it has a domain, else
 * NEW.DOM.
 */
static void
replace_fqdn(struct gfile_ed *ed, const char *new, size_t newshort,
    size_t s, size_t t, const char *dom, size_t domlen)
{
	char *fqdn;

	if (new[newshort] != '\0') {
		gfile_ed_replace(ed, s, t, new, strlen(new));
		return;
	}
	fqdn = xasprintf("%.*s%.*s", (int)newshort, new, (int)domlen, dom);
	gfile_ed_replace(ed, s, t, fqdn, strlen(fqdn));
	free(fqdn);
}

int
gfile_hosts_edit(const struct gfile_job *job, const char *in, size_t len,
    struct buf *out)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct gfile_ed ed;
	char *oldshort = NULL;
	size_t pos = 0, lp, clen, s, t, newshort = 0, oldlen = 0;
	bool old_is_short = false, fqdn;
	size_t fp;

	bool names;
	size_t i;

	gfile_ed_init(&ed, in, len, out);
	names = job->hostname != NULL && job->old_hostname != NULL &&
	    *job->old_hostname != '\0';
	if (!names && job->nips == 0) {
		gfile_ed_finish(&ed);
		return 0;
	}
	if (names) {
		oldshort = xstrndup(job->old_hostname,
		    gfile_short_len(job->old_hostname));
		oldlen = strlen(oldshort);
		old_is_short = oldlen == strlen(job->old_hostname);
		newshort = gfile_short_len(job->hostname);
	}
	while (gfile_line_next(in, len, &pos, &l)) {
		clen = content_len(&l);
		lp = 0;
		if (!gfile_field_next(l.p, clen, &lp, &s, &t))	/* address */
			continue;
		/* A NIC's new address follows into its line. */
		for (i = 0; i < job->nips; i++) {
			if (t - s == strlen(job->ips[i].from) &&
			    memcmp(l.p + s, job->ips[i].from, t - s) == 0) {
				gfile_ed_replace(&ed, l.off + s, l.off + t,
				    job->ips[i].to, strlen(job->ips[i].to));
				break;
			}
		}
		if (!names)
			continue;
		/* "OLD.DOMAIN OLD": the short field stays short */
		fqdn = false;
		for (fp = lp; old_is_short &&
		    gfile_field_next(l.p, clen, &fp, &s, &t);)
			fqdn |= is_old_fqdn(l.p + s, t - s, oldshort, oldlen);
		while (gfile_field_next(l.p, clen, &lp, &s, &t)) {
			if (gfile_span_caseeq(l.p + s, t - s,
			    job->old_hostname))
				gfile_ed_replace(&ed, l.off + s, l.off + t,
				    job->hostname, fqdn ? newshort :
				    strlen(job->hostname));
			else if (*oldshort != '\0' &&
			    gfile_span_caseeq(l.p + s, t - s, oldshort))
				gfile_ed_replace(&ed, l.off + s, l.off + t,
				    job->hostname, newshort);
			else if (old_is_short &&
			    is_old_fqdn(l.p + s, t - s, oldshort, oldlen))
				replace_fqdn(&ed, job->hostname, newshort,
				    l.off + s, l.off + t, l.p + s + oldlen,
				    t - s - oldlen);
		}
	}
	gfile_ed_finish(&ed);
	free(oldshort);
	return 0;
}
