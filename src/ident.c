/*
 * ident.c - new identity values: uuids (libuuid), MACs (getrandom(2)
 * under a prefix, kept apart from MACs already in use), password hashes
 * (libcrypt), SSH host keys (ssh-keygen(1), run without a shell).
 *
 * It does not write anything and parses no config syntax itself: the
 * --mac-scan walk is scan.c's, which hands each file to domcfg.c; here
 * the raw text is also searched for MAC-shaped tokens, as a fallback.
 */
#define _GNU_SOURCE	/* explicit_bzero */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <crypt.h>
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "domcfg.h"
#include "ident.h"
#include "runtool.h"
#include "scan.h"
#include "util.h"
#include "valid.h"

/* Random draws before falling back to an ordered search for a free MAC. */
#define DRAW_TRIES	64

struct ident_macs {
	unsigned char	 prefix[IDENT_PREFIX_MAX];
	size_t		 plen;		/* octets in prefix */
	bool		 xen_rule;	/* keep the 4th octet below 0x80 */
	bool		 chosen;	/* set by ident_macs_set_prefix */
	uint64_t	*slot;		/* open addressing; 0 = empty */
	size_t		 nslot;		/* power of two */
	size_t		 count;
	uint64_t	 lane, nlanes;	/* draw c with c % nlanes == lane */
};

static const struct {
	const char	*name;
	unsigned char	 oui[3];
} named_prefixes[] = {
	{ "kvm",	{ 0x52, 0x54, 0x00 } },
	{ "ovm3",	{ 0x00, 0x21, 0xf6 } },
	{ "xen",	{ 0x00, 0x16, 0x3e } },
};

static const unsigned char xen_oui[3] = { 0x00, 0x16, 0x3e };

/* MACs are stored as 48-bit integers with bit 48 set, so 0 means empty. */
static uint64_t
mac_key(const unsigned char mac[6])
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < 6; i++)
		k = k << 8 | mac[i];
	return k | (uint64_t)1 << 48;
}

static size_t
slot_of(uint64_t k, size_t nslot)
{
	k ^= k >> 29;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 32;
	return (size_t)k & (nslot - 1);
}

static void
set_insert(struct ident_macs *m, uint64_t k)
{
	size_t i;

	if ((m->count + 1) * 2 > m->nslot) {
		uint64_t *old = m->slot;
		size_t j, oldn = m->nslot;

		m->nslot = oldn ? oldn * 2 : 64;
		m->slot = xcalloc(m->nslot, sizeof(*m->slot));
		for (j = 0; j < oldn; j++) {
			if (old[j] == 0)
				continue;
			for (i = slot_of(old[j], m->nslot); m->slot[i];
			    i = (i + 1) & (m->nslot - 1))
				;
			m->slot[i] = old[j];
		}
		free(old);
	}
	for (i = slot_of(k, m->nslot); m->slot[i];
	    i = (i + 1) & (m->nslot - 1))
		if (m->slot[i] == k)
			return;
	m->slot[i] = k;
	m->count++;
}

struct ident_macs *
ident_macs_new(void)
{
	struct ident_macs *m = xcalloc(1, sizeof(*m));

	memcpy(m->prefix, xen_oui, 3);
	m->plen = 3;
	m->xen_rule = true;
	m->nlanes = 1;
	return m;
}

void
ident_macs_set_lane(struct ident_macs *m, unsigned lane, unsigned nlanes)
{
	m->nlanes = nlanes > 1 ? nlanes : 1;
	m->lane = nlanes > 1 ? lane % nlanes : 0;
}

void
ident_macs_free(struct ident_macs *m)
{
	if (m == NULL)
		return;
	free(m->slot);
	free(m);
}

int
ident_macs_set_prefix(struct ident_macs *m, const char *spec)
{
	unsigned char p[IDENT_PREFIX_MAX];
	size_t i, n = 0;
	const char *s = spec;

	for (i = 0; i < ARRAY_SIZE(named_prefixes); i++) {
		if (strcmp(spec, named_prefixes[i].name) == 0) {
			memcpy(m->prefix, named_prefixes[i].oui, 3);
			m->plen = 3;
			m->xen_rule = memcmp(m->prefix, xen_oui, 3) == 0;
			m->chosen = true;
			return 0;
		}
	}
	/* 1..5 octets of two hex digits each, separated by ':' */
	for (;;) {
		char hex[3];
		char *end;

		if (n == IDENT_PREFIX_MAX || !isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]))
			goto bad;
		hex[0] = s[0];
		hex[1] = s[1];
		hex[2] = '\0';
		p[n++] = (unsigned char)strtoul(hex, &end, 16);
		s += 2;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			goto bad;
	}
	if (p[0] & 1) {
		warnx("MAC prefix '%s' is multicast (bit 0 of the first octet "
		    "is set); use a unicast prefix such as 00:16:3e", spec);
		return -1;
	}
	if (n >= 3 && memcmp(p, xen_oui, 3) == 0 && n >= 4 && (p[3] & 0x80)) {
		warnx("MAC prefix '%s' is in the upper half of 00:16:3e, "
		    "which Xen reserves; use a 4th octet below 80", spec);
		return -1;
	}
	memcpy(m->prefix, p, n);
	m->plen = n;
	m->xen_rule = n >= 3 && memcmp(p, xen_oui, 3) == 0;
	m->chosen = true;
	return 0;
bad:
	warnx("bad MAC prefix '%s': use xen, kvm, ovm3 or 1 to %d hex "
	    "octets such as 00:16:3e", spec, IDENT_PREFIX_MAX);
	return -1;
}

void
ident_macs_take(struct ident_macs *m, const unsigned char mac[6])
{
	set_insert(m, mac_key(mac));
}

int
ident_macs_take_str(struct ident_macs *m, const char *s)
{
	unsigned char mac[6];

	if (mac_parse(s, mac) == -1)
		return -1;
	ident_macs_take(m, mac);
	return 0;
}

bool
ident_macs_taken(const struct ident_macs *m, const unsigned char mac[6])
{
	uint64_t k = mac_key(mac);
	size_t i;

	if (m->nslot == 0)
		return false;
	for (i = slot_of(k, m->nslot); m->slot[i];
	    i = (i + 1) & (m->nslot - 1))
		if (m->slot[i] == k)
			return true;
	return false;
}

size_t
ident_macs_count(const struct ident_macs *m)
{
	return m->count;
}

/*
 * Find "xx:xx:xx:xx:xx:xx" tokens (either case) not glued to other hex
 * digits or colons, and take them.  Hand-written: a regex would cost more
 * than this scan and still need the boundary checks.
 */
static void
scan_text(struct ident_macs *m, const char *p, size_t len)
{
	size_t i, j;

	for (i = 0; i + 17 <= len; i++) {
		unsigned char mac[6];
		char tok[18];

		for (j = 0; j < 17; j++) {
			char c = p[i + j];

			if (j % 3 == 2 ? c != ':' : !isxdigit((unsigned char)c))
				break;
		}
		if (j < 17)
			continue;
		if ((i > 0 && (isxdigit((unsigned char)p[i - 1]) ||
		    p[i - 1] == ':')) || (i + 17 < len &&
		    (isxdigit((unsigned char)p[i + 17]) || p[i + 17] == ':')))
			continue;
		memcpy(tok, p + i, 17);
		tok[17] = '\0';
		if (mac_parse(tok, mac) == 0)
			ident_macs_take(m, mac);
		i += 16;
	}
}

/* One file of the walk: its MACs taken, or why it cannot be. */
static int
take_file(const struct scan_file *f, void *arg)
{
	struct ident_macs *m = arg;
	size_t i, n;

	switch (f->status) {
	case SCAN_UNREADABLE:
		warnx("cannot scan '%s' for MACs: %s", f->path, f->reason);
		return -1;
	case SCAN_UNPARSABLE:
		warnx("%s", f->error);
		warnx("'%s' is not a plain domain config; taking every "
		    "MAC-shaped text in it as in use", f->path);
		break;
	case SCAN_OK:
		n = domcfg_nic_count(f->cfg);
		for (i = 0; i < n; i++) {
			char *mac = domcfg_nic_get(f->cfg, i, "mac");

			if (mac != NULL)
				ident_macs_take_str(m, mac);
			free(mac);
		}
		break;
	}
	/* Also commented-out vifs: a disabled NIC may come back. */
	scan_text(m, f->text, f->len);
	return 0;
}

int
ident_macs_scan(struct ident_macs *m, const char *dir)
{
	char *roots[1];

	roots[0] = (char *)dir;
	return scan_walk(roots, 1, IDENT_SCAN_MAX_FILES, take_file, m);
}

/*
 * Candidate number c (0 <= c < space) as a MAC: the free bits after the
 * prefix, with Xen's reserved bit skipped when the rule applies.
 */
static void
candidate(const struct ident_macs *m, uint64_t c, unsigned char mac[6])
{
	size_t i;

	memcpy(mac, m->prefix, m->plen);
	if (m->xen_rule && m->plen == 3) {
		/* 23 free bits: 7 in the 4th octet, 16 below */
		mac[3] = (unsigned char)(c >> 16 & 0x7f);
		mac[4] = (unsigned char)(c >> 8);
		mac[5] = (unsigned char)c;
		return;
	}
	for (i = 6; i > m->plen; i--) {
		mac[i - 1] = (unsigned char)c;
		c >>= 8;
	}
}

static uint64_t
space_size(const struct ident_macs *m)
{
	uint64_t bits = 8 * (6 - m->plen);

	if (m->xen_rule && m->plen == 3)
		bits--;
	return (uint64_t)1 << bits;
}

static bool
usable(const struct ident_macs *m, const unsigned char mac[6])
{
	static const unsigned char zero[6];

	if (memcmp(mac, xen_oui, 3) == 0 && (mac[3] & 0x80))
		return false;	/* Xen's reserved half, whatever the prefix */
	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0 &&
	    !ident_macs_taken(m, mac);
}

int
ident_new_mac(struct ident_macs *m, char out[18])
{
	unsigned char mac[6];
	uint64_t space = space_size(m), r, c, i, steps;
	int t;

	for (t = 0; t < DRAW_TRIES; t++) {
		xrandom(&r, sizeof(r));
		c = r & (space - 1);
		c -= c % m->nlanes;
		c += m->lane;
		if (c >= space)
			continue;
		candidate(m, c, mac);
		if (usable(m, mac))
			goto found;
	}
	/*
	 * The space is nearly full: walk the lane from a random start.  At
	 * most count + 3 steps (taken ones, the all-zero MAC, one past the
	 * end of the space) reach a free one, if there is any.
	 */
	xrandom(&r, sizeof(r));
	steps = space / m->nlanes + 1;
	for (i = 0; i < steps && i < m->count + 3; i++) {
		c = ((r + i) % steps) * m->nlanes + m->lane;
		if (c >= space)
			continue;
		candidate(m, c, mac);
		if (usable(m, mac))
			goto found;
	}
	warnx("no free MAC left under the prefix (%zu in use); choose "
	    "another with --mac-prefix", m->count);
	return -1;
found:
	ident_macs_take(m, mac);
	mac_format(mac, out);
	return 0;
}

int
ident_new_mac_default(struct ident_macs *m, const char *spec, char out[18])
{
	unsigned char prefix[IDENT_PREFIX_MAX];
	size_t plen = m->plen;
	bool xen_rule = m->xen_rule;
	int rc;

	if (m->chosen || spec == NULL)
		return ident_new_mac(m, out);
	memcpy(prefix, m->prefix, sizeof(prefix));
	if (ident_macs_set_prefix(m, spec) == -1)
		return -1;
	rc = ident_new_mac(m, out);
	memcpy(m->prefix, prefix, sizeof(prefix));
	m->plen = plen;
	m->xen_rule = xen_rule;
	m->chosen = false;
	return rc;
}

const char *
ident_default_prefix(const struct domcfg *cfg)
{
	size_t i, n = cfg ? domcfg_nic_count(cfg) : 0;
	char *mac, norm[18];
	bool ovm = false;

	if (cfg != NULL && domcfg_kind(cfg) == DOMCFG_XML)
		return "kvm";
	for (i = 0; i < n && !ovm; i++) {
		if ((mac = domcfg_nic_get(cfg, i, "mac")) == NULL)
			continue;
		ovm = mac_normalize(mac, norm) == 0 &&
		    strncmp(norm, "00:21:f6:", 9) == 0;
		free(mac);
	}
	return ovm ? "ovm3" : NULL;
}

void
ident_new_uuid(char out[37])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

char *
ident_hash_password(const char *plain, const char *prefix)
{
	void *data = NULL;
	int size = 0, e;
	char *salt, *h, *res = NULL;

	errno = 0;
	salt = crypt_gensalt_ra(prefix, 0, NULL, 0);
	if (salt == NULL) {
		e = errno;
		warnx("cannot make a password salt for '%s': %s",
		    prefix ? prefix : "default", strerror(e ? e : EINVAL));
		return NULL;
	}
	h = crypt_ra(plain, salt, &data, &size);
	if (h == NULL || h[0] == '*') {
		e = errno;
		warnx("cannot hash the password with '%s': %s",
		    prefix ? prefix : "default", strerror(e ? e : EINVAL));
	} else
		res = xstrdup(h);
	if (data != NULL) {
		explicit_bzero(data, (size_t)size);
		free(data);
	}
	free(salt);
	return res;
}

/* ---- SSH host keys ------------------------------------------------------ */

/* A key file is at most a few KiB; anything larger is not ssh-keygen's. */
#define SSH_KEY_MAX	(64 * 1024)
#define SSH_KEYGEN_SEC	60

bool
ident_ssh_type_ok(const char *type)
{
	static const char *const types[] = { "rsa", "ecdsa", "ed25519",
	    "dsa" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

/* Run ssh-keygen with ARGV; 0 when it ran and succeeded. */
static int
keygen(const char *const argv[], struct buf *out)
{
	struct buf err = BUF_INIT;
	int st, r;

	/* execve's prototype is not const-correct; nothing is written */
	r = run_capture((char *const *)argv, "ssh-keygen", SSH_KEYGEN_SEC,
	    SSH_KEY_MAX, out, &err, &st);
	if (r == 1)
		warnx("ssh-keygen not found: new SSH host keys need it "
		    "(install openssh-client)");
	else if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		warnx("ssh-keygen failed: %.*s", (int)strcspn(err.data ?
		    err.data : "", "\n"), err.data ? err.data : "");
		r = -1;
	}
	buf_release(&err);
	return r == 0 ? 0 : -1;
}

/* "BITS SHA256:... COMMENT (TYPE)": the second field. */
static char *
fpr_field(const struct buf *out)
{
	const char *p = out->data ? out->data : "", *s = strchr(p, ' ');
	size_t n;

	if (s == NULL || strncmp(s + 1, "SHA256:", 7) != 0)
		return NULL;
	n = strcspn(s + 1, " \n");
	return xstrndup(s + 1, n);
}

/* The private directory's file NAME, read into B (at most the cap). */
static int
slurp(const char *dir, const char *name, struct buf *b)
{
	char *path = xasprintf("%s/%s", dir, name), *data;
	size_t len;
	int r;

	r = read_host_file(path, SSH_KEY_MAX, &data, &len);
	if (r == 0) {
		buf_add(b, data, len);
		explicit_bzero(data, len);
		free(data);
	}
	free(path);
	return r;
}

int
ident_ssh_hostkey(const char *type, const char *comment, struct buf *priv,
    struct buf *pub, char **fpr_r)
{
	char dir[] = "/tmp/imprint-sshkey.XXXXXX", *key, *pubp;
	struct buf out = BUF_INIT;
	int rc = -1;

	*fpr_r = NULL;
	if (!ident_ssh_type_ok(type)) {
		warnx("unknown SSH host key type '%s'", type);
		return -1;
	}
	if (mkdtemp(dir) == NULL) {
		warn("cannot make a private directory for SSH keys");
		return -1;
	}
	key = xasprintf("%s/key", dir);
	pubp = xasprintf("%s/key.pub", dir);
	{
		const char *const gen[] = { "ssh-keygen", "-q", "-t", type,
		    "-N", "", "-C", comment, "-f", key, NULL };
		const char *const fp[] = { "ssh-keygen", "-l", "-E", "sha256",
		    "-f", pubp, NULL };

		if (keygen(gen, &out) == -1)
			goto out;
		buf_reset(&out);
		if (keygen(fp, &out) == -1)
			goto out;
	}
	if ((*fpr_r = fpr_field(&out)) == NULL) {
		warnx("cannot read the fingerprint ssh-keygen gave");
		goto out;
	}
	if (slurp(dir, "key", priv) == -1 || slurp(dir, "key.pub", pub) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1) {
		free(*fpr_r);
		*fpr_r = NULL;
	}
	unlink(key);
	unlink(pubp);
	rmdir(dir);
	free(key);
	free(pubp);
	buf_release(&out);
	return rc;
}

char *
ident_ssh_fingerprint(const char *pub, size_t len)
{
	char dir[] = "/tmp/imprint-sshkey.XXXXXX", *path, *fpr = NULL;
	struct buf out = BUF_INIT, err = BUF_INIT;
	bool written;
	FILE *f;
	int st;

	if (len == 0 || len > SSH_KEY_MAX || mkdtemp(dir) == NULL)
		return NULL;
	path = xasprintf("%s/key.pub", dir);
	if ((f = fopen(path, "wx")) != NULL) {
		written = fwrite(pub, 1, len, f) == len;
		written = fclose(f) == 0 && written;
		{
			const char *const av[] = { "ssh-keygen", "-l", "-E",
			    "sha256", "-f", path, NULL };

			if (written && run_capture((char *const *)av,
			    "ssh-keygen", SSH_KEYGEN_SEC, SSH_KEY_MAX, &out,
			    &err, &st) == 0 && WIFEXITED(st) &&
			    WEXITSTATUS(st) == 0)
				fpr = fpr_field(&out);
		}
	}
	unlink(path);
	rmdir(dir);
	free(path);
	buf_release(&out);
	buf_release(&err);
	return fpr;
}
