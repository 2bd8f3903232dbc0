/*
 * gfile_lib.c - what the guest-file editors share: a line splitter, a
 * field splitter, span comparisons, an INI line reader and gfile_ini_get,
 * a splicing editor that copies untouched bytes, the MAC and address
 * lookups of a job (with the splices that apply them), and the checks of
 * a NIC's values with the netmask of a prefix.
 *
 * It knows no format itself (see gfile_shvar.c, gfile_udev.c, ...),
 * calls none of the editors and does no I/O.  The dispatcher gfile_edit
 * is the front door's (gfile.c).
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include "gfile_lib.h"
#include "valid.h"

bool
gfile_line_next(const char *buf, size_t len, size_t *pos,
    struct gfile_line *l)
{
	const char *nl;
	size_t start = *pos;

	if (start >= len)
		return false;
	l->p = buf + start;
	l->off = start;
	l->no++;
	nl = memchr(buf + start, '\n', len - start);
	if (nl != NULL) {
		l->len = (size_t)(nl - (buf + start));
		*pos = start + l->len + 1;
	} else {
		l->len = len - start;
		*pos = len;
	}
	if (l->len > 0 && l->p[l->len - 1] == '\r')
		l->len--;
	return true;
}

const char *
gfile_eol(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);

	if (nl != NULL && nl > buf && nl[-1] == '\r')
		return "\r\n";
	return "\n";
}

bool
gfile_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int
gfile_ini_line(const struct gfile_line *l, const char **a, size_t *alen,
    const char **v, size_t *vlen)
{
	const char *p = l->p, *end = l->p + l->len, *eq, *close;

	while (p < end && gfile_is_blank(*p))
		p++;
	if (p == end || *p == '#' || *p == ';')
		return 0;
	if (*p == '[') {
		close = memchr(p, ']', (size_t)(end - p));
		if (close == NULL)
			return 0;
		*a = p + 1;
		*alen = (size_t)(close - p - 1);
		return 1;
	}
	eq = memchr(p, '=', (size_t)(end - p));
	if (eq == NULL || eq == p)
		return 0;
	*a = p;
	*alen = (size_t)(eq - p);
	while (*alen > 0 && gfile_is_blank(p[*alen - 1]))
		(*alen)--;
	p = eq + 1;
	while (p < end && gfile_is_blank(*p))
		p++;
	while (end > p && gfile_is_blank(end[-1]))
		end--;
	*v = p;
	*vlen = (size_t)(end - p);
	return 2;
}

bool
gfile_span_eq(const char *s, size_t n, const char *t)
{
	return strlen(t) == n && memcmp(s, t, n) == 0;
}

/* The value of the first (or last) key=value in a [section], or NULL. */
static const char *
ini_find(const char *buf, size_t len, const char *section, const char *key,
    bool first, size_t *vlen_r)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	const char *a, *v, *found = NULL;
	size_t pos = 0, alen, vlen;
	bool in = false;

	while (gfile_line_next(buf, len, &pos, &l)) {
		switch (gfile_ini_line(&l, &a, &alen, &v, &vlen)) {
		case 1:
			in = gfile_span_eq(a, alen, section);
			break;
		case 2:
			if (in && gfile_span_eq(a, alen, key)) {
				found = v;
				*vlen_r = vlen;
				if (first)
					return found;
			}
			break;
		}
	}
	return found;
}

char *
gfile_ini_get(const char *buf, size_t len, const char *section,
    const char *key)
{
	size_t vlen = 0;
	const char *v = ini_find(buf, len, section, key, false, &vlen);

	return v != NULL ? xstrndup(v, vlen) : NULL;
}

char *
gfile_ini_get_first(const char *buf, size_t len, const char *section,
    const char *key)
{
	size_t vlen = 0;
	const char *v = ini_find(buf, len, section, key, true, &vlen);

	return v != NULL ? xstrndup(v, vlen) : NULL;
}

static bool
is_sep(char c)
{
	/* NUL and CR are not valid in a name; treat them as separators so
	 * a field never holds one. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\0' || c == '\v' ||
	    c == '\f';
}

bool
gfile_field_next(const char *p, size_t len, size_t *pos, size_t *start,
    size_t *end)
{
	size_t i = *pos;

	while (i < len && is_sep(p[i]))
		i++;
	if (i >= len)
		return false;
	*start = i;
	while (i < len && !is_sep(p[i]))
		i++;
	*end = i;
	*pos = i;
	return true;
}

void
gfile_ed_init(struct gfile_ed *ed, const char *in, size_t len,
    struct buf *out)
{
	ed->in = in;
	ed->len = len;
	ed->done = 0;
	ed->out = out;
	buf_reset(out);
	buf_grow(out, len);
	buf_add(out, "", 0);	/* data non-NULL even for an empty result */
}

void
gfile_ed_replace(struct gfile_ed *ed, size_t start, size_t end,
    const char *s, size_t n)
{
	/* Callers pass increasing spans; a bad one would be our bug, and
	 * only main.c may exit, so it is dropped rather than trusted. */
	if (start < ed->done || end < start || end > ed->len)
		return;
	buf_add(ed->out, ed->in + ed->done, start - ed->done);
	buf_add(ed->out, s, n);
	ed->done = end;
}

void
gfile_ed_finish(struct gfile_ed *ed)
{
	buf_add(ed->out, ed->in + ed->done, ed->len - ed->done);
	ed->done = ed->len;
}

const char *
gfile_job_mac(const struct gfile_job *job, const char *s, size_t n)
{
	char tmp[18];
	size_t i;

	if (n != 17)
		return NULL;
	memcpy(tmp, s, 17);
	tmp[17] = '\0';
	for (i = 0; i < job->nmacs; i++)
		if (mac_equal(tmp, job->macs[i].from))
			return job->macs[i].to;
	return NULL;
}

/* The to of the mapping whose from is the n bytes at s, or NULL. */
static const char *
map_find(const struct gfile_map *m, size_t nm, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < nm; i++)
		if (strlen(m[i].from) == n && memcmp(m[i].from, s, n) == 0)
			return m[i].to;
	return NULL;
}

const char *
gfile_job_ip(const struct gfile_job *job, const char *s, size_t n)
{
	return map_find(job->ips, job->nips, s, n);
}

void
gfile_ed_map_mac(struct gfile_ed *ed, const struct gfile_job *job,
    size_t start, size_t end)
{
	const char *to;

	if (start > end || end > ed->len)
		return;
	to = gfile_job_mac(job, ed->in + start, end - start);
	if (to != NULL)
		gfile_ed_replace(ed, start, end, to, strlen(to));
}

/* Splice over [start, first stop byte or end) what maps m give it. */
static void
ed_map(struct gfile_ed *ed, const struct gfile_map *m, size_t nm,
    size_t start, size_t end, const char *stops)
{
	const char *to;
	size_t i, nstops = strlen(stops);

	if (start > end || end > ed->len)
		return;
	for (i = start; i < end && memchr(stops, ed->in[i], nstops) == NULL;
	    i++)
		;
	to = map_find(m, nm, ed->in + start, i - start);
	if (to != NULL)
		gfile_ed_replace(ed, start, i, to, strlen(to));
}

void
gfile_ed_map_ip(struct gfile_ed *ed, const struct gfile_job *job,
    size_t start, size_t end, const char *stops)
{
	ed_map(ed, job->ips, job->nips, start, end, stops);
}

void
gfile_ed_map_gw(struct gfile_ed *ed, const struct gfile_job *job,
    size_t start, size_t end, const char *stops)
{
	ed_map(ed, job->gws, job->ngws, start, end, stops);
}

size_t
gfile_short_len(const char *hostname)
{
	return strcspn(hostname, ".");
}

bool
gfile_span_caseeq(const char *s, size_t n, const char *t)
{
	size_t i;
	unsigned char a, b;

	for (i = 0; i < n; i++) {
		a = (unsigned char)s[i];
		b = (unsigned char)t[i];
		if (b == '\0')
			return false;
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return false;
	}
	return t[n] == '\0';
}

bool
gfile_nic_name_valid(const char *s)
{
	size_t n;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    (*s >= '0' && *s <= '9')))
		return false;
	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') ||
		    s[n] == '_' || s[n] == '.' || s[n] == '-'))
			return false;
	return n <= 15;		/* IFNAMSIZ - 1 */
}

int
gfile_nic_check(const struct gfile_nic *nic)
{
	const char *name = nic->name != NULL ? nic->name : "";

	if (!gfile_nic_name_valid(name)) {
		warnx("refusing interface name '%s'", name);
		return -1;
	}
	if (nic->mac != NULL && !mac_valid_nic(nic->mac)) {
		warnx("refusing MAC '%s' for '%s': not a NIC address",
		    nic->mac, name);
		return -1;
	}
	if (nic->boot != GFILE_BOOT_KEEP && nic->boot != GFILE_BOOT_STATIC &&
	    nic->boot != GFILE_BOOT_DHCP) {
		warnx("unknown boot method %d for '%s'", nic->boot, name);
		return -1;
	}
	if (nic->boot == GFILE_BOOT_STATIC) {
		if (nic->address == NULL || !ipv4_valid(nic->address)) {
			warnx("refusing address '%s' for '%s'",
			    nic->address != NULL ? nic->address : "", name);
			return -1;
		}
		if (nic->prefix < 0 || nic->prefix > 32) {
			warnx("refusing prefix length %d for '%s'",
			    nic->prefix, name);
			return -1;
		}
		if (nic->gateway != NULL && !ipv4_valid(nic->gateway)) {
			warnx("refusing gateway '%s' for '%s'", nic->gateway,
			    name);
			return -1;
		}
	}
	if (nic->hostname != NULL && !hostname_valid(nic->hostname)) {
		warnx("refusing host name '%s' for '%s'", nic->hostname,
		    name);
		return -1;
	}
	if (nic->uuid != NULL && !uuid_valid(nic->uuid)) {
		warnx("refusing uuid '%s' for '%s'", nic->uuid, name);
		return -1;
	}
	return 0;
}

void
gfile_prefix_mask(int prefix, char out[16])
{
	unsigned long m;

	if (prefix < 0)
		prefix = 0;
	if (prefix > 32)
		prefix = 32;
	m = prefix == 0 ? 0 : (0xffffffffUL << (32 - prefix)) & 0xffffffffUL;
	snprintf(out, 16, "%lu.%lu.%lu.%lu", (m >> 24) & 255, (m >> 16) & 255,
	    (m >> 8) & 255, m & 255);
}
