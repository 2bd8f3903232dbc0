/*
 * gfile_common.c - what the guest file modules share: the kind of a guest
 * path, the gfile_edit dispatcher and its job check, a line splitter, an
 * INI line classifier, and a splicing editor that copies untouched bytes.
 *
 * It knows no format itself (see gfile_shvar.c, gfile_udev.c, ...) and
 * does no I/O.
 */
#include <err.h>
#include <string.h>

#include "gfile.h"
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

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int
gfile_ini_line(const struct gfile_line *l, const char **a, size_t *alen,
    const char **v, size_t *vlen)
{
	const char *p = l->p, *end = l->p + l->len, *eq, *close;

	while (p < end && is_blank(*p))
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
	while (*alen > 0 && is_blank(p[*alen - 1]))
		(*alen)--;
	p = eq + 1;
	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	*v = p;
	*vlen = (size_t)(end - p);
	return 2;
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

const char *
gfile_job_ip(const struct gfile_job *job, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < job->nips; i++)
		if (strlen(job->ips[i].from) == n &&
		    memcmp(job->ips[i].from, s, n) == 0)
			return job->ips[i].to;
	return NULL;
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

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum gfile_kind
gfile_kind_for_path(const char *path, bool *known_r)
{
	const char *base = strrchr(path, '/');
	enum gfile_kind kind = GFILE_IFCFG;
	bool known = true;

	base = base != NULL ? base + 1 : path;
	if (strncmp(base, "ifcfg-", 6) == 0 && base[6] != '\0')
		kind = GFILE_IFCFG;
	else if (strcmp(path, "/etc/sysconfig/network") == 0)
		kind = GFILE_SYSCONFIG_NETWORK;
	else if (has_suffix(base, "persistent-net.rules"))
		kind = GFILE_UDEV_NET;
	else if (strcmp(path, "/etc/hostname") == 0 ||
	    strcmp(path, "/etc/HOSTNAME") == 0)
		kind = GFILE_HOSTNAME;
	else if (strcmp(path, "/etc/hosts") == 0)
		kind = GFILE_HOSTS;
	else if (strcmp(path, "/etc/network/interfaces") == 0 ||
	    strncmp(path, "/etc/network/interfaces.d/", 26) == 0)
		kind = GFILE_IFUPDOWN;
	else if (has_suffix(base, ".nmconnection") ||
	    strstr(path, "/NetworkManager/system-connections/") != NULL)
		kind = GFILE_NM_KEYFILE;
	else if (strstr(path, "/netplan/") != NULL &&
	    (has_suffix(base, ".yaml") || has_suffix(base, ".yml")))
		kind = GFILE_NETPLAN;
	else if (strstr(path, "systemd/network/") != NULL &&
	    has_suffix(base, ".link"))
		kind = GFILE_NETWORKD_LINK;
	else if (strstr(path, "systemd/network/") != NULL &&
	    has_suffix(base, ".network"))
		kind = GFILE_NETWORKD_NETWORK;
	else
		known = false;
	if (known_r != NULL)
		*known_r = known;
	return kind;
}

const char *
gfile_kind_name(enum gfile_kind kind)
{
	switch (kind) {
	case GFILE_IFCFG:		return "ifcfg";
	case GFILE_SYSCONFIG_NETWORK:	return "sysconfig network";
	case GFILE_UDEV_NET:		return "udev rules";
	case GFILE_HOSTNAME:		return "hostname";
	case GFILE_HOSTS:		return "hosts";
	case GFILE_IFUPDOWN:		return "ifupdown interfaces";
	case GFILE_NM_KEYFILE:		return "NetworkManager keyfile";
	case GFILE_NETPLAN:		return "netplan";
	case GFILE_NETWORKD_LINK:	return "networkd link";
	case GFILE_NETWORKD_NETWORK:	return "networkd network";
	}
	return "unknown";
}

/*
 * Shell files quote what they are given (gfile_shvar_quote), so only line
 * breaks are fatal there.  The other formats have no quoting we could rely
 * on (hosts fields, ifupdown words, udev strings, INI values, YAML plain
 * scalars), so there a value must be a plain token; MACs, IPv4 addresses,
 * host names and uuids all are.
 */
static int
check_value(enum gfile_kind kind, const char *what, const char *v)
{
	const unsigned char *p;
	bool shell = kind == GFILE_IFCFG || kind == GFILE_SYSCONFIG_NETWORK;

	if (v == NULL)
		return 0;
	if (*v == '\0') {
		warnx("refusing an empty %s for the %s file", what,
		    gfile_kind_name(kind));
		return -1;
	}
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r') {
			warnx("refusing a line break in the %s for the %s "
			    "file", what, gfile_kind_name(kind));
			return -1;
		}
		if (shell)
			continue;
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._:/-", *p) != NULL)
			continue;
		warnx("refusing %s '%s' for the %s file: unsafe character",
		    what, v, gfile_kind_name(kind));
		return -1;
	}
	return 0;
}

static int
check_job(enum gfile_kind kind, const struct gfile_job *job)
{
	size_t i;

	for (i = 0; i < job->nmacs; i++)
		if (check_value(kind, "MAC", job->macs[i].to) == -1)
			return -1;
	for (i = 0; i < job->nips; i++)
		if (check_value(kind, "address", job->ips[i].to) == -1)
			return -1;
	if (check_value(kind, "hostname", job->hostname) == -1 ||
	    check_value(kind, "uuid", job->uuid) == -1)
		return -1;
	return 0;
}

int
gfile_edit(enum gfile_kind kind, const struct gfile_job *job,
    const char *in, size_t len, struct buf *out)
{
	if (check_job(kind, job) == -1)
		return -1;
	switch (kind) {
	case GFILE_IFCFG:
		return gfile_ifcfg_edit(job, in, len, out);
	case GFILE_SYSCONFIG_NETWORK:
		return gfile_sysconfig_network_edit(job, in, len, out);
	case GFILE_UDEV_NET:
		return gfile_udev_edit(job, in, len, out);
	case GFILE_HOSTNAME:
		return gfile_hostname_edit(job, in, len, out);
	case GFILE_HOSTS:
		return gfile_hosts_edit(job, in, len, out);
	case GFILE_IFUPDOWN:
		return gfile_ifupdown_edit(job, in, len, out);
	case GFILE_NM_KEYFILE:
		return gfile_nm_edit(job, in, len, out);
	case GFILE_NETPLAN:
		return gfile_netplan_edit(job, in, len, out);
	case GFILE_NETWORKD_LINK:
	case GFILE_NETWORKD_NETWORK:
		return gfile_networkd_edit(job, in, len, out);
	}
	warnx("unknown guest file kind %d", (int)kind);
	return -1;
}
