/*
 * recipe.c - the recipe language (see recipe.h and imprint.recipe.5).
 *
 * A recipe is read line by line.  Each line is first checked as bytes
 * (length, NUL, control characters, UTF-8), then its comment is cut at
 * the first '#', then it is a section header, "key = value", or blank.
 * Values get ${name} substitution and then the check of their key; the
 * checks that tie several keys of a [nic] section together run when the
 * section ends.  Problems are collected with their line numbers and
 * printed sorted, so one run reports all of them.
 *
 * This module does not read guests, domain configs or "file:" hashes,
 * and generates no MAC, uuid or password; it only states what was asked.
 *
 * Hand-written rather than built on an INI library: the common ones
 * (inih, GKeyFile) accept duplicate keys or sections, quote or escape
 * values in ways the grammar must not allow, and do not report several
 * errors with line numbers.
 */
#include <err.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "recipe.h"
#include "util.h"
#include "valid.h"

/* --- variables ------------------------------------------------------ */

static int
var_char(char c, int first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
		return 1;
	return !first && ((c >= '0' && c <= '9') || c == '-');
}

static int
var_name_valid_n(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > RECIPE_MAX_VARNAME)
		return 0;
	for (i = 0; i < n; i++)
		if (!var_char(s[i], i == 0))
			return 0;
	return 1;
}

int
recipe_var_name_valid(const char *name)
{
	return var_name_valid_n(name, strlen(name));
}

/* Index of key in vars, or -1. */
static long
vars_find(const struct recipe_vars *vars, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < vars->n; i++)
		if (strlen(vars->keys[i]) == n &&
		    memcmp(vars->keys[i], key, n) == 0)
			return (long)i;
	return -1;
}

int
recipe_vars_set(struct recipe_vars *vars, const char *key, const char *value)
{
	long i;
	char *q;

	if (!recipe_var_name_valid(key)) {
		q = diag_quote(key, true);
		warnx("bad variable name '%s': expected a letter or '_', then "
		    "letters, digits, '_' or '-'", q);
		free(q);
		return -1;
	}
	if ((i = vars_find(vars, key, strlen(key))) >= 0) {
		free(vars->values[i]);
		vars->values[i] = xstrdup(value);
		return 0;
	}
	if (vars->n == vars->cap) {
		vars->cap = vars->cap ? vars->cap * 2 : 8;
		vars->keys = xreallocarray(vars->keys, vars->cap,
		    sizeof(*vars->keys));
		vars->values = xreallocarray(vars->values, vars->cap,
		    sizeof(*vars->values));
	}
	vars->keys[vars->n] = xstrdup(key);
	vars->values[vars->n] = xstrdup(value);
	vars->n++;
	return 0;
}

int
recipe_vars_parse_define(struct recipe_vars *vars, const char *def)
{
	const char *eq = strchr(def, '=');
	char *key, *q;
	int rc;

	if (eq == NULL) {
		q = diag_quote(def, true);
		warnx("bad definition '%s': expected KEY=VALUE", q);
		free(q);
		return -1;
	}
	key = xstrndup(def, (size_t)(eq - def));
	if (recipe_var_name_valid(key) &&
	    vars_find(vars, key, strlen(key)) >= 0) {
		warnx("variable '%s' defined twice", key);
		free(key);
		return -1;
	}
	rc = recipe_vars_set(vars, key, eq + 1);
	free(key);
	return rc;
}

const char *
recipe_vars_get(const struct recipe_vars *vars, const char *key)
{
	long i = vars_find(vars, key, strlen(key));

	return i < 0 ? NULL : vars->values[i];
}

void
recipe_vars_release(struct recipe_vars *vars)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		free(vars->keys[i]);
		free(vars->values[i]);
	}
	free(vars->keys);
	free(vars->values);
	vars->keys = vars->values = NULL;
	vars->n = vars->cap = 0;
}

/* --- parser state --------------------------------------------------- */

enum section { SEC_NONE, SEC_GUEST, SEC_NIC, SEC_HOST, SEC_SKIP };

/* Keys of the current section seen so far, with their lines. */
#define MAX_SEEN 16

struct parser {
	const char		*path;
	const struct recipe_vars *vars;	/* NULL in refs-only mode */
	int			 refs_only;
	struct strlist		*refs;
	struct diag		 diag;
	struct recipe		*r;
	enum section		 sec;
	size_t			 sec_line;
	struct {
		const char	*key;
		size_t		 line;
		int		 ok;	/* the value passed its check */
	}			 seen[MAX_SEEN];
	size_t			 nseen;
	/* Section lines for duplicate checks. */
	size_t			 guest_line;
	size_t			 host_line;
};

/* Index of key among the keys seen in this section, or -1. */
static long
seen_find(const struct parser *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nseen; i++)
		if (strcmp(p->seen[i].key, key) == 0)
			return (long)i;
	return -1;
}

static size_t
seen_line(const struct parser *p, const char *key)
{
	long i = seen_find(p, key);

	return i < 0 ? 0 : p->seen[i].line;
}

static int
seen_ok(const struct parser *p, const char *key)
{
	long i = seen_find(p, key);

	return i >= 0 && p->seen[i].ok;
}

/* --- value checks --------------------------------------------------- */

/*
 * Is s a Linux interface name we accept for a NIC or bridge: a letter or
 * digit, then letters, digits, '.', '_' or '-', at most 15 bytes?  It
 * becomes part of a file name (ifcfg-NAME), so no '/' and no "..".
 */
static int
ifname_ok(const char *s, int nic)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > RECIPE_MAX_IFNAME)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			continue;
		if (i > 0 && c >= '0' && c <= '9')
			continue;
		if (nic)
			return 0;
		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		if (i > 0 && (c == '.' || c == '_' || c == '-'))
			continue;
		return 0;
	}
	return 1;
}

/* Parse a decimal 1..max without sign or leading zero; -1 if bad. */
static int
small_number(const char *s, int max)
{
	int v = 0;

	if (*s < '1' || *s > '9')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* A device path under /dev: [A-Za-z0-9._+:-] components, no "." or "..". */
static int
dev_path_ok(const char *s)
{
	const char *c, *e;

	if (strncmp(s, "/dev/", 5) != 0 || strlen(s) > 255)
		return 0;
	for (c = s + 5; ; c = e + 1) {
		e = c + strcspn(c, "/");
		if (e == c || (e - c == 1 && c[0] == '.') ||
		    (e - c == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		for (; c < e; c++)
			if (!((*c >= 'a' && *c <= 'z') ||
			    (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9') || strchr("._+:-", *c)))
				return 0;
		if (*e == '\0')
			return 1;
	}
}

/* An absolute path with no '#' (it could not be written in a recipe). */
static int
path_ok(const char *s)
{
	return abs_path_valid(s) && strchr(s, '#') == NULL &&
	    strlen(s) <= 4095;
}

/*
 * Does s look like a crypt(3) hash "$id$...": an id of lower-case
 * letters and digits, then at least one more '$' and only the
 * characters crypt hashes use ([A-Za-z0-9./], '$', and '=' ',' in
 * parameters)?  Only the shape is checked, by hand: the hash is for the
 * guest's libc, which may support methods the host's libcrypt lacks or
 * disables (crypt_checksalt would refuse those).
 */
static int
crypt_hash_ok(const char *s)
{
	const char *p;
	size_t n = strlen(s);

	if (n < 4 || n > 512 || s[0] != '$')
		return 0;
	for (p = s + 1; (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
	    p++)
		;
	if (p == s + 1 || p - s > 9 || *p != '$')
		return 0;
	if (strchr(p + 1, '$') == NULL || s[n - 1] == '$')
		return 0;
	for (p++; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("./$=,", *p)))
			return 0;
	return 1;
}

/* Dotted quad (already valid) to a host-order number. */
static uint32_t
ipv4_num(const char *s)
{
	uint32_t v = 0, part = 0;

	for (; ; s++) {
		if (*s >= '0' && *s <= '9') {
			part = part * 10 + (uint32_t)(*s - '0');
			continue;
		}
		v = v << 8 | part;
		part = 0;
		if (*s != '.')
			return v;
	}
}

static void
ipv4_str(uint32_t v, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255,
	    (v >> 8) & 255, v & 255);
}

static uint32_t
prefix_mask(int prefix)
{
	return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

/* 0.0.0.0/8, 127.0.0.0/8 and 224.0.0.0 and up are no host's address. */
static int
ipv4_unicast(uint32_t v)
{
	return (v >> 24) != 0 && (v >> 24) != 127 && (v >> 24) < 224;
}

/* --- keys ------------------------------------------------------------ */

static struct recipe_nic *
cur_nic(struct parser *p)
{
	return &p->r->nics[p->r->nnics - 1];
}

static int
k_root(struct parser *p, size_t line, const char *v)
{
	struct recipe_guest *g = &p->r->guest;
	int n;

	g->root_line = line;
	if (strcmp(v, "auto") == 0) {
		g->root_kind = RECIPE_ROOT_AUTO;
		return 0;
	}
	if (strncmp(v, "partition:", 10) == 0) {
		if ((n = small_number(v + 10, 128)) < 0)
			return -1;
		g->root_kind = RECIPE_ROOT_PARTITION;
		g->root_partition = n;
		return 0;
	}
	if (!dev_path_ok(v))
		return -1;
	g->root_kind = RECIPE_ROOT_DEVICE;
	free(g->root_device);
	g->root_device = xstrdup(v);
	return 0;
}

static int
k_hostname(struct parser *p, size_t line, const char *v)
{
	struct recipe_guest *g = &p->r->guest;

	if (!hostname_valid(v))
		return -1;
	g->hostname = xstrdup(v);
	g->hostname_line = line;
	return 0;
}

static int
k_password(struct parser *p, size_t line, const char *v)
{
	struct recipe_guest *g = &p->r->guest;
	char *q;

	g->password_line = line;
	if (strcmp(v, "random") == 0) {
		g->password_kind = RECIPE_PASSWORD_RANDOM;
		return 0;
	}
	if (strncmp(v, "hash:", 5) == 0) {
		if (!crypt_hash_ok(v + 5)) {
			/* Not echoed: it may be a password pasted by mistake. */
			diag_add(&p->diag, line, "bad root-password: 'hash:' needs a "
			    "crypt hash such as $6$SALT$HASH or $y$PARAMS$SALT"
			    "$HASH");
			return 1;
		}
		g->password_kind = RECIPE_PASSWORD_HASH;
		g->password = xstrdup(v + 5);
		return 0;
	}
	if (strncmp(v, "file:", 5) == 0) {
		if (!path_ok(v + 5)) {
			q = diag_quote(v + 5, true);
			diag_add(&p->diag, line, "bad root-password file '%s': expected "
			    "an absolute path without quotes, '\\' or '#'", q);
			free(q);
			return 1;
		}
		g->password_kind = RECIPE_PASSWORD_FILE;
		g->password = xstrdup(v + 5);
		return 0;
	}
	return -1;
}

static const struct {
	const char	*name;
	unsigned int	 bit;
} forget_items[] = {
	{ "udev-net",		RECIPE_FORGET_UDEV_NET },
	{ "machine-id",		RECIPE_FORGET_MACHINE_ID },
	{ "ssh-hostkeys",	RECIPE_FORGET_SSH_HOSTKEYS },
	{ "dhcp-leases",	RECIPE_FORGET_DHCP_LEASES },
	{ "fs-uuids",		RECIPE_FORGET_FS_UUIDS },
};

static int
k_forget(struct parser *p, size_t line, const char *v)
{
	unsigned int bits = 0;
	size_t i, n;
	char *w, *q;
	int bad = 0;

	while (*v) {
		n = strcspn(v, " \t");
		if (n == 0) {
			v++;
			continue;
		}
		w = xstrndup(v, n);
		v += n;
		for (i = 0; i < ARRAY_SIZE(forget_items); i++)
			if (strcmp(w, forget_items[i].name) == 0)
				break;
		q = diag_quote(w, true);
		if (i == ARRAY_SIZE(forget_items)) {
			diag_add(&p->diag, line, "unknown forget item '%s' (known: "
			    "udev-net machine-id ssh-hostkeys dhcp-leases "
			    "fs-uuids)",
			    q);
			bad = 1;
		} else if (bits & forget_items[i].bit) {
			diag_add(&p->diag, line, "forget item '%s' listed twice", q);
			bad = 1;
		} else
			bits |= forget_items[i].bit;
		free(q);
		free(w);
	}
	if (!bad && (bits & RECIPE_FORGET_SSH_HOSTKEYS) &&
	    p->r->guest.ssh_hostkeys_new) {
		diag_add(&p->diag, line, "forget = ssh-hostkeys and "
		    "ssh-hostkeys = new (line %zu): give one",
		    p->r->guest.ssh_hostkeys_line);
		bad = 1;
	}
	p->r->guest.forget = bits;
	p->r->guest.forget_line = line;
	return bad;
}

/*
 * ssh-hostkeys = new: a new key pair of each type the guest has, made on
 * the host (ident_ssh_hostkey), where forget = ssh-hostkeys only removes
 * them for a guest that makes its own at boot.
 */
static int
k_ssh_hostkeys(struct parser *p, size_t line, const char *v)
{
	struct recipe_guest *g = &p->r->guest;

	if (strcmp(v, "new") != 0 && strcmp(v, "keep") != 0)
		return -1;
	if (strcmp(v, "new") == 0 && (g->forget & RECIPE_FORGET_SSH_HOSTKEYS)) {
		diag_add(&p->diag, line, "forget = ssh-hostkeys (line %zu) and "
		    "ssh-hostkeys = new: give one", g->forget_line);
		return 1;
	}
	g->ssh_hostkeys_new = strcmp(v, "new") == 0;
	g->ssh_hostkeys_line = line;
	return 0;
}

static int
k_mac(struct parser *p, size_t line, const char *v)
{
	struct recipe_nic *nic = cur_nic(p);
	unsigned char m[6];
	size_t i;
	char *q;

	nic->mac_line = line;
	if (strcmp(v, "auto") == 0)
		nic->mac_kind = RECIPE_MAC_AUTO;
	else if (strcmp(v, "from-config") == 0)
		nic->mac_kind = RECIPE_MAC_FROM_CONFIG;
	else if (strcmp(v, "from-guest") == 0)
		nic->mac_kind = RECIPE_MAC_FROM_GUEST;
	else if (mac_parse(v, m) == -1)
		return -1;
	else if (!mac_valid_nic(v)) {
		q = diag_quote(v, true);
		diag_add(&p->diag, line, "bad mac '%s': %s, not a NIC address", q,
		    (m[0] & 1) ? "multicast (the first octet is odd)" :
		    "all zero");
		free(q);
		return 1;
	} else {
		mac_format(m, nic->mac);
		for (i = 0; i + 1 < p->r->nnics; i++) {
			if (p->r->nics[i].mac_kind == RECIPE_MAC_FIXED &&
			    strcmp(p->r->nics[i].mac, nic->mac) == 0) {
				diag_add(&p->diag, line, "mac '%s' is also given to "
				    "[nic %s] at line %zu", nic->mac,
				    p->r->nics[i].name,
				    p->r->nics[i].mac_line);
				return 1;
			}
		}
		nic->mac_kind = RECIPE_MAC_FIXED;
	}
	return 0;
}

static int
k_bridge(struct parser *p, size_t line, const char *v)
{
	(void)line;
	if (!cfg_word_valid(v) || !ifname_ok(v, 0))
		return -1;
	cur_nic(p)->bridge = xstrdup(v);
	return 0;
}

static int
k_boot(struct parser *p, size_t line, const char *v)
{
	(void)line;
	if (strcmp(v, "static") == 0)
		cur_nic(p)->boot = RECIPE_BOOT_STATIC;
	else if (strcmp(v, "dhcp") == 0)
		cur_nic(p)->boot = RECIPE_BOOT_DHCP;
	else if (strcmp(v, "keep") == 0)
		cur_nic(p)->boot = RECIPE_BOOT_EXISTING;
	else
		return -1;
	return 0;
}

static int
k_address(struct parser *p, size_t line, const char *v)
{
	struct recipe_nic *nic = cur_nic(p);
	uint32_t a, mask;
	int prefix;
	char *q, *addr;
	const char *why = NULL;

	if (!ipv4_cidr_valid(v, &prefix))
		return -1;
	addr = xstrndup(v, strcspn(v, "/"));
	a = ipv4_num(addr);
	mask = prefix_mask(prefix);
	if (prefix == 0)
		why = "a /0 prefix is no subnet";
	else if (!ipv4_unicast(a))
		why = "not a unicast host address";
	else if (prefix <= 30 && (a & ~mask) == 0)
		why = "the network address of its subnet";
	else if (prefix <= 30 && (a & ~mask) == ~mask)
		why = "the broadcast address of its subnet";
	if (why) {
		q = diag_quote(v, true);
		diag_add(&p->diag, line, "bad address '%s': %s", q, why);
		free(q);
		free(addr);
		return 1;
	}
	nic->address = addr;
	nic->prefix = prefix;
	ipv4_str(mask, nic->netmask);
	return 0;
}

static int
k_gateway(struct parser *p, size_t line, const char *v)
{
	char *q;

	if (!ipv4_valid(v))
		return -1;
	if (!ipv4_unicast(ipv4_num(v))) {
		q = diag_quote(v, true);
		diag_add(&p->diag, line, "bad gateway '%s': not a unicast host address",
		    q);
		free(q);
		return 1;
	}
	cur_nic(p)->gateway = xstrdup(v);
	return 0;
}

static int
k_config(struct parser *p, size_t line, const char *v)
{
	struct recipe_host *h = &p->r->host;

	if (h->config_kind == RECIPE_CONFIG_DOMAIN) {
		diag_add(&p->diag, line, "give config or domain, not both "
		    "(domain on line %zu)", h->config_line);
		return 1;
	}
	h->config_line = line;
	if (strcmp(v, "auto") == 0)
		h->config_kind = RECIPE_CONFIG_AUTO;
	else if (strcmp(v, "none") == 0)
		h->config_kind = RECIPE_CONFIG_NONE;
	else if (path_ok(v)) {
		h->config_kind = RECIPE_CONFIG_PATH;
		h->config_path = xstrdup(v);
	} else
		return -1;
	return 0;
}

/* A libvirt domain: a name libvirt takes (virsh's rules), or a uuid. */
static int
k_domain(struct parser *p, size_t line, const char *v)
{
	struct recipe_host *h = &p->r->host;
	const unsigned char *c;

	if (h->config_line != 0) {
		diag_add(&p->diag, line, "give config or domain, not both "
		    "(config on line %zu)", h->config_line);
		return 1;
	}
	if (*v == '\0' || strlen(v) > 255 || strchr(v, '/') != NULL)
		return -1;
	for (c = (const unsigned char *)v; *c; c++)
		if (*c < ' ' || *c == 0x7f)
			return -1;
	h->config_line = line;
	h->config_kind = RECIPE_CONFIG_DOMAIN;
	free(h->config_path);
	h->config_path = xstrdup(v);
	return 0;
}

static int
k_name(struct parser *p, size_t line, const char *v)
{
	(void)line;
	/* xl takes an all-digit argument for a domain id, not a name. */
	if (!cfg_word_valid(v) || strspn(v, "0123456789") == strlen(v) ||
	    strlen(v) > 64)
		return -1;
	p->r->host.name = xstrdup(v);
	return 0;
}

static int
k_uuid(struct parser *p, size_t line, const char *v)
{
	struct recipe_host *h = &p->r->host;
	char u[37];
	size_t i;

	(void)line;
	if (strcmp(v, "new") == 0) {
		h->uuid_kind = RECIPE_UUID_NEW;
		return 0;
	}
	if (strlen(v) != 36)
		return -1;
	for (i = 0; i < 36; i++)
		u[i] = (v[i] >= 'A' && v[i] <= 'F') ? (char)(v[i] + 32) : v[i];
	u[36] = '\0';
	if (!uuid_valid(u) ||
	    strcmp(u, "00000000-0000-0000-0000-000000000000") == 0)
		return -1;
	h->uuid_kind = RECIPE_UUID_FIXED;
	memcpy(h->uuid, u, sizeof(u));
	return 0;
}

static int	 subst(struct parser *, size_t, const char *, struct buf *,
		    int *);

static int
k_disk(struct parser *p, size_t line, const char *v)
{
	struct recipe_host *h = &p->r->host;

	h->disk_line = line;
	if (strcmp(v, "follow") == 0)
		h->disk_kind = RECIPE_DISK_FOLLOW;
	else if (strcmp(v, "keep") == 0)
		h->disk_kind = RECIPE_DISK_KEEP;
	else
		return -1;
	return 0;
}

/* Is key "diskN" (N decimal without leading zeros)?  *n_r gets N. */
static int
disk_key(const char *key, size_t *n_r)
{
	const char *d = key + 4;
	size_t n = 0;

	if (strncmp(key, "disk", 4) != 0 || *d < '0' || *d > '9' ||
	    (d[0] == '0' && d[1] != '\0'))
		return 0;
	for (; *d; d++) {
		if (*d < '0' || *d > '9')
			return 0;
		n = n * 10 + (size_t)(*d - '0');
		if (n >= 1000000)
			return 0;
	}
	*n_r = n;
	return 1;
}

/*
 * "diskN = PATH" in [host]: not in the key table, since N varies and
 * each N is its own key.  v is the raw value.
 */
static void
disk_value(struct parser *p, size_t line, const char *key, size_t n,
    const char *v, struct buf *val)
{
	struct recipe_host *h = &p->r->host;
	struct recipe_disk *d;
	size_t i;
	int nrefs;
	char *q;

	for (i = 0; i < h->ndisks; i++)
		if (h->disks[i].index == n) {
			diag_add(&p->diag, line, "duplicate key '%s' (first at "
			    "line %zu)", key, h->disks[i].line);
			return;
		}
	if (n >= RECIPE_MAX_DISKS) {
		diag_add(&p->diag, line, "bad key '%s': disks are numbered "
		    "from disk0 to disk%d", key, RECIPE_MAX_DISKS - 1);
		return;
	}
	h->disks = xreallocarray(h->disks, h->ndisks + 1, sizeof(*h->disks));
	d = &h->disks[h->ndisks++];
	d->index = n;
	d->line = line;
	d->path = NULL;
	if (*v == '\0') {
		diag_add(&p->diag, line, "missing value for '%s'", key);
		return;
	}
	if (subst(p, line, v, val, &nrefs) == -1 || (p->refs_only && nrefs))
		return;
	if (!path_ok(val->data)) {
		q = diag_quote(val->data, true);
		diag_add(&p->diag, line, "bad %s '%s': expected an absolute "
		    "path without quotes, '\\' or '#'", key, q);
		free(q);
		return;
	}
	d->path = xstrdup(val->data);
}

/*
 * The keys.  A handler returns 0 when the value is good, -1 when it is
 * bad in the generic way (the table's message is printed), 1 when it
 * printed its own message.
 */
static const struct key {
	enum section	 sec;
	const char	*name;
	int		(*fn)(struct parser *, size_t, const char *);
	const char	*expect;
} keys[] = {
	{ SEC_GUEST, "root", k_root,
	    "expected auto, partition:N (1 to 128) or a device path such "
	    "as /dev/sda2 or /dev/VolGroup00/LogVol00" },
	{ SEC_GUEST, "hostname", k_hostname,
	    "expected an RFC 1123 host name: labels of letters, digits and "
	    "'-' joined by '.'" },
	{ SEC_GUEST, "root-password", k_password,
	    "expected random, hash:HASH or file:PATH" },
	{ SEC_GUEST, "forget", k_forget, NULL },
	{ SEC_GUEST, "ssh-hostkeys", k_ssh_hostkeys, "expected new or keep" },
	{ SEC_NIC, "mac", k_mac,
	    "expected auto, from-config, from-guest or xx:xx:xx:xx:xx:xx" },
	{ SEC_NIC, "bridge", k_bridge,
	    "expected an interface name: up to 15 letters, digits, '.', '_' "
	    "or '-'" },
	{ SEC_NIC, "boot", k_boot, "expected static, dhcp or keep" },
	{ SEC_NIC, "address", k_address, "expected a.b.c.d/N" },
	{ SEC_NIC, "gateway", k_gateway, "expected a.b.c.d" },
	{ SEC_HOST, "config", k_config,
	    "expected auto, none or an absolute path without quotes, '\\' "
	    "or '#'" },
	{ SEC_HOST, "domain", k_domain,
	    "expected a libvirt domain's name (up to 255 bytes, no '/') or "
	    "uuid" },
	{ SEC_HOST, "name", k_name,
	    "expected up to 64 bytes without blanks, quotes, '\\', ',', "
	    "'=' or '#', not all digits" },
	{ SEC_HOST, "uuid", k_uuid,
	    "expected new or a uuid such as "
	    "5f42be80-6d71-4295-9eaf-40b1c2d30501" },
	{ SEC_HOST, "disk", k_disk,
	    "expected follow, keep, or diskN = PATH keys for single disks" },
};

/* "[guest]", "[nic eth0]" or "[host]" (caller frees). */
static char *
sec_name(struct parser *p)
{
	if (p->sec == SEC_NIC)
		return xasprintf("[nic %s]", cur_nic(p)->name);
	return xstrdup(p->sec == SEC_GUEST ? "[guest]" : "[host]");
}

/* --- substitution ---------------------------------------------------- */

/*
 * Expand ${name} and $${ in v into out.  Returns 0, or -1 after
 * reporting an undefined variable or a bad reference.  *nrefs counts the
 * references.  In refs-only mode references expand to nothing.
 */
static int
subst(struct parser *p, size_t line, const char *v, struct buf *out,
    int *nrefs)
{
	const char *s = v, *e, *val;
	char *name, *q;
	int rc = 0;

	buf_reset(out);
	buf_adds(out, "");
	*nrefs = 0;
	while (*s) {
		if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
			buf_adds(out, "${");
			s += 3;
			continue;
		}
		if (s[0] != '$' || s[1] != '{') {
			buf_addc(out, *s++);
			continue;
		}
		if ((e = strchr(s + 2, '}')) == NULL) {
			diag_add(&p->diag, line, "unterminated '${' (a literal '${' is "
			    "written '$${')");
			return -1;
		}
		(*nrefs)++;
		name = xstrndup(s + 2, (size_t)(e - s - 2));
		s = e + 1;
		if (!recipe_var_name_valid(name)) {
			q = diag_quote(name, true);
			diag_add(&p->diag, line, "bad variable name '%s'", q);
			free(q);
			free(name);
			rc = -1;
			continue;
		}
		if (!strlist_has(p->refs, name))
			strlist_add(p->refs, name);
		if (p->refs_only) {
			free(name);
			continue;
		}
		if ((val = recipe_vars_get(p->vars, name)) == NULL) {
			diag_add(&p->diag, line, "undefined variable '%s'", name);
			rc = -1;
		} else
			buf_adds(out, val);
		free(name);
	}
	return rc;
}

/* --- sections -------------------------------------------------------- */

/* Checks that tie the keys of the section that just ended together. */
static void
end_section(struct parser *p)
{
	struct recipe_nic *nic;
	uint32_t a, g, mask;
	size_t bl, al, gl;

	if (p->sec == SEC_HOST && p->r->host.ndisks > 0) {
		/* Named disks: the others stay as they are. */
		if (seen_ok(p, "disk") &&
		    p->r->host.disk_kind == RECIPE_DISK_FOLLOW)
			diag_add(&p->diag, seen_line(p, "disk"), "'disk = "
			    "follow' conflicts with 'disk%zu' (line %zu): "
			    "give one or the other", p->r->host.disks[0].index,
			    p->r->host.disks[0].line);
		p->r->host.disk_kind = RECIPE_DISK_KEEP;
	}
	if (p->sec != SEC_NIC)
		goto out;
	nic = cur_nic(p);
	bl = seen_line(p, "boot");
	al = seen_line(p, "address");
	gl = seen_line(p, "gateway");
	if (seen_ok(p, "boot") && nic->boot == RECIPE_BOOT_STATIC && !al)
		diag_add(&p->diag, bl, "'boot = static' needs an 'address' in [nic %s]",
		    nic->name);
	if (seen_ok(p, "boot") && (nic->boot == RECIPE_BOOT_DHCP ||
	    nic->boot == RECIPE_BOOT_EXISTING)) {
		const char *b = nic->boot == RECIPE_BOOT_DHCP ? "dhcp" : "keep";

		if (al)
			diag_add(&p->diag, al, "'address' conflicts with 'boot = %s'",
			    b);
		if (gl)
			diag_add(&p->diag, gl, "'gateway' conflicts with 'boot = %s'",
			    b);
		goto out;
	}
	if (al && !bl)
		diag_add(&p->diag, al, "'address' needs 'boot = static' in [nic %s]",
		    nic->name);
	if (gl && !al)
		diag_add(&p->diag, gl, "'gateway' needs an 'address' in [nic %s]",
		    nic->name);
	if (!seen_ok(p, "address") || !seen_ok(p, "gateway"))
		goto out;
	a = ipv4_num(nic->address);
	g = ipv4_num(nic->gateway);
	mask = prefix_mask(nic->prefix);
	if ((a & mask) != (g & mask)) {
		char net[16];

		ipv4_str(a & mask, net);
		diag_add(&p->diag, gl, "gateway '%s' is outside %s/%d, the subnet of "
		    "'address'", nic->gateway, net, nic->prefix);
	} else if (a == g)
		diag_add(&p->diag, gl, "gateway '%s' is the NIC's own address",
		    nic->gateway);
	else if (nic->prefix <= 30 &&
	    ((g & ~mask) == 0 || (g & ~mask) == ~mask))
		diag_add(&p->diag, gl, "gateway '%s' is the %s address of its subnet",
		    nic->gateway, (g & ~mask) == 0 ? "network" : "broadcast");
out:
	p->sec = SEC_NONE;
	p->nseen = 0;
}

static void
begin_section(struct parser *p, size_t line, char *h)
{
	struct recipe *r = p->r;
	struct recipe_nic *nic;
	char *word, *arg, *q;
	size_t i, n;

	end_section(p);
	p->sec = SEC_SKIP;
	word = h;
	n = strcspn(word, " \t");
	arg = word + n;
	arg += strspn(arg, " \t");
	word[n] = '\0';
	if (strcmp(word, "guest") == 0 || strcmp(word, "host") == 0) {
		size_t *seenl = word[0] == 'g' ? &p->guest_line :
		    &p->host_line;

		if (*arg) {
			diag_add(&p->diag, line, "section [%s] takes no name", word);
			return;
		}
		if (*seenl) {
			diag_add(&p->diag, line, "duplicate section [%s] (first at "
			    "line %zu)", word, *seenl);
			return;
		}
		*seenl = line;
		if (word[0] == 'g') {
			r->guest.line = line;
			p->sec = SEC_GUEST;
		} else {
			r->host.line = line;
			p->sec = SEC_HOST;
		}
		p->sec_line = line;
		return;
	}
	if (strcmp(word, "nic") != 0) {
		q = diag_quote(word, true);
		diag_add(&p->diag, line, "unknown section '[%s]' (known: [guest], "
		    "[nic NAME], [host])", q);
		free(q);
		return;
	}
	if (*arg == '\0') {
		diag_add(&p->diag, line, "section [nic] needs a NIC name, as in "
		    "[nic eth0]");
		return;
	}
	if (!ifname_ok(arg, 1) || strcmp(arg, "lo") == 0) {
		q = diag_quote(arg, true);
		diag_add(&p->diag, line, "bad NIC name '%s': expected a letter, then up "
		    "to 14 lower-case letters or digits (not lo), as in eth0",
		    q);
		free(q);
		return;
	}
	for (i = 0; i < r->nnics; i++) {
		if (strcmp(r->nics[i].name, arg) == 0) {
			diag_add(&p->diag, line, "duplicate section [nic %s] (first at "
			    "line %zu)", arg, r->nics[i].line);
			return;
		}
	}
	if (r->nnics == RECIPE_MAX_NICS) {
		diag_add(&p->diag, line, "more than %d [nic] sections", RECIPE_MAX_NICS);
		return;
	}
	r->nics = xreallocarray(r->nics, r->nnics + 1, sizeof(*r->nics));
	nic = &r->nics[r->nnics++];
	memset(nic, 0, sizeof(*nic));
	nic->name = xstrdup(arg);
	nic->line = line;
	p->sec = SEC_NIC;
	p->sec_line = line;
}

static void
key_line(struct parser *p, size_t line, char *s, struct buf *val)
{
	const struct key *k = NULL;
	char *key, *v, *q;
	size_t i, n;
	long si;
	int nrefs, rc;

	/* Wider than any key, so that "Hostname" is an unknown key. */
	n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_."
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	key = s;
	v = s + n;
	v += strspn(v, " \t");
	if (n == 0 || *v != '=') {
		diag_add(&p->diag, line, "expected 'key = value' or '[section]'");
		return;
	}
	key[n] = '\0';
	v++;
	v += strspn(v, " \t");
	if (p->sec == SEC_NONE) {
		diag_add(&p->diag, line, "key '%s' outside a section", key);
		return;
	}
	if (p->sec == SEC_SKIP)
		return;
	if (p->sec == SEC_HOST && disk_key(key, &n)) {
		disk_value(p, line, key, n, v, val);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].sec == p->sec && strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (k == NULL) {
		q = sec_name(p);
		diag_add(&p->diag, line, "unknown key '%s' in %s", key, q);
		free(q);
		return;
	}
	if ((si = seen_find(p, k->name)) >= 0) {
		diag_add(&p->diag, line, "duplicate key '%s' (first at line %zu)", key,
		    p->seen[si].line);
		return;
	}
	si = (long)p->nseen++;
	p->seen[si].key = k->name;
	p->seen[si].line = line;
	p->seen[si].ok = 0;
	if (*v == '\0') {
		diag_add(&p->diag, line, "missing value for '%s'", key);
		return;
	}
	if (subst(p, line, v, val, &nrefs) == -1)
		return;
	if (p->refs_only && nrefs > 0)
		return;
	rc = k->fn(p, line, val->data);
	if (rc == -1 && k->expect) {
		q = diag_quote(val->data, true);
		diag_add(&p->diag, line, "bad %s '%s': %s", key, q, k->expect);
		free(q);
	}
	p->seen[si].ok = rc == 0;
}

/* --- lines ----------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0.  By hand:
 * mbrtowc depends on the locale, and this must not. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return len;
}

/* Check the bytes of one line; report and return -1 when it is unusable. */
static int
check_bytes(struct parser *p, size_t line, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, l;

	if (n > RECIPE_MAX_LINE) {
		diag_add(&p->diag, line, "line longer than %d bytes", RECIPE_MAX_LINE);
		return -1;
	}
	if (has_nul(s, n)) {
		diag_add(&p->diag, line, "NUL byte in line");
		return -1;
	}
	for (i = 0; i < n; i += l) {
		if (u[i] == '\t') {
			l = 1;
			continue;
		}
		if (u[i] < ' ' || u[i] == 0x7f) {
			diag_add(&p->diag, line, "control character 0x%02x in line", u[i]);
			return -1;
		}
		if ((l = utf8_len(u + i, n - i)) == 0) {
			diag_add(&p->diag, line, "invalid UTF-8 in line");
			return -1;
		}
	}
	return 0;
}

static void
parse_text(struct parser *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len, *nl;
	char *lbuf = xmalloc(RECIPE_MAX_LINE + 1), *c;
	struct buf val = BUF_INIT;
	size_t line = 0, n;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (s < end && !diag_gave_up(&p->diag)) {
		line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		n = (nl ? nl : end) - s;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (check_bytes(p, line, s, n) == -1) {
			s = nl ? nl + 1 : end;
			continue;
		}
		memcpy(lbuf, s, n);
		lbuf[n] = '\0';
		s = nl ? nl + 1 : end;
		if ((c = strchr(lbuf, '#')) != NULL)
			*c = '\0';
		c = lbuf + strspn(lbuf, " \t");
		n = strlen(c);
		while (n > 0 && (c[n - 1] == ' ' || c[n - 1] == '\t'))
			c[--n] = '\0';
		if (n == 0)
			continue;
		if (c[0] == '[') {
			if (c[n - 1] != ']') {
				diag_add(&p->diag, line, "expected ']' at the end of the "
				    "section header");
				end_section(p);
				p->sec = SEC_SKIP;
				continue;
			}
			c[n - 1] = '\0';
			c++;
			c += strspn(c, " \t");
			n = strlen(c);
			while (n > 0 && (c[n - 1] == ' ' || c[n - 1] == '\t'))
				c[--n] = '\0';
			begin_section(p, line, c);
			continue;
		}
		key_line(p, line, c, &val);
	}
	end_section(p);
	buf_release(&val);
	free(lbuf);
}

/* --- public ---------------------------------------------------------- */

static void
recipe_init(struct recipe *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->path = xstrdup(path);
	r->guest.root_kind = RECIPE_ROOT_AUTO;
	r->host.config_kind = RECIPE_CONFIG_AUTO;
}

void
recipe_free(struct recipe *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->path);
	free(r->guest.root_device);
	free(r->guest.hostname);
	free(r->guest.password);
	for (i = 0; i < r->nnics; i++) {
		free(r->nics[i].name);
		free(r->nics[i].bridge);
		free(r->nics[i].address);
		free(r->nics[i].gateway);
	}
	free(r->nics);
	free(r->host.config_path);
	free(r->host.name);
	for (i = 0; i < r->host.ndisks; i++)
		free(r->host.disks[i].path);
	free(r->host.disks);
	strlist_release(&r->vars_used);
	free(r);
}

static int
run(const char *path, const char *text, size_t len,
    const struct recipe_vars *vars, int refs_only, struct strlist *refs,
    struct recipe **r_out)
{
	static const struct recipe_vars none = RECIPE_VARS_INIT;
	struct parser p;
	struct recipe *r = xmalloc(sizeof(*r));

	recipe_init(r, path);
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.diag = (struct diag)DIAG_INIT(path, RECIPE_MAX_ERRORS);
	p.vars = vars ? vars : &none;
	p.refs_only = refs_only;
	p.refs = refs ? refs : &r->vars_used;
	p.r = r;
	if (len > RECIPE_MAX_SIZE)
		diag_add(&p.diag, 1, "recipe larger than %d bytes",
		    RECIPE_MAX_SIZE);
	else
		parse_text(&p, text, len);
	if (p.diag.total > 0) {
		diag_flush(&p.diag);
		recipe_free(r);
		if (r_out)
			*r_out = NULL;
		return -1;
	}
	if (r_out)
		*r_out = r;
	else
		recipe_free(r);
	return 0;
}

int
recipe_parse(const char *path, const char *text, size_t len,
    const struct recipe_vars *vars, struct recipe **r)
{
	return run(path, text, len, vars, 0, NULL, r);
}

int
recipe_var_refs(const char *path, const char *text, size_t len,
    struct strlist *names)
{
	return run(path, text, len, NULL, 1, names, NULL);
}

int
recipe_load(const char *path, const struct recipe_vars *vars,
    struct recipe **r)
{
	char *text;
	size_t len;
	int rc;

	*r = NULL;
	if (read_host_file(path, RECIPE_MAX_SIZE, &text, &len) == -1)
		return -1;
	rc = recipe_parse(path, text, len, vars, r);
	free(text);
	return rc;
}

/* Append v with every "${" written "$${", so the dump parses back. */
static void
dump_value(struct buf *out, const char *key, const char *prefix,
    const char *v)
{
	const char *s;

	buf_addf(out, "%s = %s", key, prefix);
	for (s = v; *s; s++) {
		if (s[0] == '$' && s[1] == '{')
			buf_addc(out, '$');
		buf_addc(out, *s);
	}
	buf_addc(out, '\n');
}

void
recipe_dump(const struct recipe *r, struct buf *out)
{
	const struct recipe_guest *g = &r->guest;
	const struct recipe_host *h = &r->host;
	const struct recipe_nic *nic;
	static const char *const mac_words[] = {
		NULL, "auto", NULL, "from-config", "from-guest"
	};
	size_t i;
	const char *sep;

	buf_adds(out, "[guest]\n");
	if (g->root_kind == RECIPE_ROOT_AUTO)
		buf_adds(out, "root = auto\n");
	else if (g->root_kind == RECIPE_ROOT_PARTITION)
		buf_addf(out, "root = partition:%d\n", g->root_partition);
	else
		dump_value(out, "root", "", g->root_device);
	if (g->hostname)
		buf_addf(out, "hostname = %s\n", g->hostname);
	if (g->password_kind == RECIPE_PASSWORD_RANDOM)
		buf_adds(out, "root-password = random\n");
	else if (g->password_kind == RECIPE_PASSWORD_HASH)
		buf_addf(out, "root-password = hash:%s\n", g->password);
	else if (g->password_kind == RECIPE_PASSWORD_FILE)
		dump_value(out, "root-password", "file:", g->password);
	if (g->forget) {
		buf_adds(out, "forget =");
		for (i = 0; i < ARRAY_SIZE(forget_items); i++)
			if (g->forget & forget_items[i].bit)
				buf_addf(out, " %s", forget_items[i].name);
		buf_addc(out, '\n');
	}
	if (g->ssh_hostkeys_new)
		buf_adds(out, "ssh-hostkeys = new\n");
	for (i = 0; i < r->nnics; i++) {
		nic = &r->nics[i];
		buf_addf(out, "\n[nic %s]\n", nic->name);
		if (nic->mac_kind == RECIPE_MAC_FIXED)
			buf_addf(out, "mac = %s\n", nic->mac);
		else if (nic->mac_kind != RECIPE_MAC_KEEP)
			buf_addf(out, "mac = %s\n", mac_words[nic->mac_kind]);
		if (nic->bridge)
			buf_addf(out, "bridge = %s\n", nic->bridge);
		if (nic->boot != RECIPE_BOOT_KEEP)
			buf_addf(out, "boot = %s\n",
			    nic->boot == RECIPE_BOOT_STATIC ? "static" :
			    nic->boot == RECIPE_BOOT_DHCP ? "dhcp" : "keep");
		if (nic->address)
			buf_addf(out, "address = %s/%d\n", nic->address,
			    nic->prefix);
		if (nic->gateway)
			buf_addf(out, "gateway = %s\n", nic->gateway);
	}
	buf_adds(out, "\n[host]\n");
	sep = h->config_kind == RECIPE_CONFIG_AUTO ? "auto" :
	    h->config_kind == RECIPE_CONFIG_NONE ? "none" : NULL;
	if (sep)
		buf_addf(out, "config = %s\n", sep);
	else
		dump_value(out, h->config_kind == RECIPE_CONFIG_DOMAIN ?
		    "domain" : "config", "", h->config_path);
	if (h->name)
		dump_value(out, "name", "", h->name);
	if (h->uuid_kind == RECIPE_UUID_NEW)
		buf_adds(out, "uuid = new\n");
	else if (h->uuid_kind == RECIPE_UUID_FIXED)
		buf_addf(out, "uuid = %s\n", h->uuid);
	if (h->disk_kind == RECIPE_DISK_KEEP && h->ndisks == 0)
		buf_adds(out, "disk = keep\n");
	for (i = 0; i < h->ndisks; i++) {
		char key[32];

		snprintf(key, sizeof(key), "disk%zu", h->disks[i].index);
		dump_value(out, key, "", h->disks[i].path ?
		    h->disks[i].path : "");
	}
}

bool
recipe_always_writes(const struct recipe *r)
{
	return r->guest.password_kind == RECIPE_PASSWORD_RANDOM ||
	    r->guest.ssh_hostkeys_new;
}
