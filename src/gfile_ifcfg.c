/*
 * gfile_ifcfg.c - RHEL/OEL/CentOS (and SUSE) ifcfg-NAME files: map a
 * clone's old MACs, addresses, DHCP host name and connection uuid to new
 * ones (gfile_ifcfg_edit, behind gfile_edit); make an existing
 * ifcfg-NAME say what a recipe wants (MAC binding, static or DHCP
 * addressing); and write the ifcfg of a NIC the guest has no file for in
 * the style of a sibling's.
 *
 * Built on the shell-variable codec (gfile_shvar.c): the mapping is one
 * gfile_shvar_map pass, and each whole-NIC setting is one
 * gfile_shvar_set/gfile_shvar_unset step on the previous step's bytes,
 * so quoting, comments and order are kept by the same code every shell
 * file edit goes through.  Reading and splitting shell words is not done
 * here; no I/O: the caller picks the files (ifcfg-NAME, the sibling) and
 * writes the result.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gfile_ifcfg.h"
#include "gfile_shvar.h"
#include "valid.h"

/* ---- Mapping old values to new (gfile_edit) ---------------------------- */

/* IPADDR, IPADDR0..n (RHEL), IPADDR_suffix (SUSE). */
static bool
is_ipaddr_key(const char *key, size_t n)
{
	size_t i;

	if (n < 6 || memcmp(key, "IPADDR", 6) != 0)
		return false;
	if (n == 6)
		return true;
	if (key[6] == '_')
		return n > 7;
	for (i = 6; i < n; i++)
		if (key[i] < '0' || key[i] > '9')
			return false;
	return true;
}

struct edit_arg {
	const struct gfile_job	*job;
	const char		*shortname;	/* NULL: leave DHCP_HOSTNAME */
};

/*
 * The new value of one assignment, or NULL: the last UUID and
 * DHCP_HOSTNAME follow the job, HWADDR, MACADDR and SUSE's LLADDR their
 * MAC mapping, IPADDR* the address mapping with a "/N" kept.
 */
static char *
edit_value(const char *key, size_t n, const char *v, size_t vlen,
    bool last, const void *arg)
{
	const struct edit_arg *e = arg;
	const struct gfile_job *job = e->job;
	const char *to;
	size_t k;

	if (last && job->uuid != NULL && gfile_span_eq(key, n, "UUID"))
		return xstrdup(job->uuid);
	if (last && e->shortname != NULL &&
	    gfile_span_eq(key, n, "DHCP_HOSTNAME"))
		return xstrdup(e->shortname);
	if (gfile_span_eq(key, n, "HWADDR") ||
	    gfile_span_eq(key, n, "MACADDR") ||
	    gfile_span_eq(key, n, "LLADDR")) {		/* SUSE's */
		to = gfile_job_mac(job, v, vlen);
		return to != NULL ? xstrdup(to) : NULL;
	}
	if (is_ipaddr_key(key, n)) {
		k = strcspn(v, "/");
		to = gfile_job_ip(job, v, k);
		return to != NULL ? xasprintf("%s%s", to, v + k) : NULL;
	}
	return NULL;
}

int
gfile_ifcfg_edit(const struct gfile_job *job, const char *in, size_t len,
    struct buf *out)
{
	struct edit_arg e = { job, NULL };
	char *shortname = NULL;
	int rc;

	if (job->hostname != NULL)
		shortname = xstrndup(job->hostname,
		    gfile_short_len(job->hostname));
	e.shortname = shortname;
	rc = gfile_shvar_map(in, len, edit_value, &e, out);
	free(shortname);
	return rc;
}

/* ---- Whole-NIC settings (imprint apply) -------------------------------- */

/*
 * The file being built: each step writes into tmp, which then becomes
 * cur.
 */
struct work {
	struct buf	 a;
	struct buf	 b;
	struct buf	*cur;
	struct buf	*tmp;
};

static void
work_init(struct work *w, const char *in, size_t len)
{
	buf_init(&w->a);
	buf_init(&w->b);
	buf_add(&w->a, "", 0);	/* data non-NULL even when empty */
	buf_add(&w->a, in, len);
	w->cur = &w->a;
	w->tmp = &w->b;
}

static void
work_swap(struct work *w)
{
	struct buf *t = w->cur;

	w->cur = w->tmp;
	w->tmp = t;
}

/* Hand the result to out and release the work buffers. */
static void
work_finish(struct work *w, struct buf *out)
{
	buf_reset(out);
	buf_add(out, "", 0);
	buf_add(out, w->cur->data, w->cur->len);
	buf_release(&w->a);
	buf_release(&w->b);
}

static void
work_release(struct work *w)
{
	buf_release(&w->a);
	buf_release(&w->b);
}

/* Current value of key, or NULL (caller frees). */
static char *
get(struct work *w, const char *key)
{
	return gfile_shvar_get(w->cur->data, w->cur->len, key);
}

static bool
has(struct work *w, const char *key)
{
	char *v = get(w, key);

	free(v);
	return v != NULL;
}

static int
set(struct work *w, const char *key, const char *value)
{
	if (gfile_shvar_set(w->cur->data, w->cur->len, key, value,
	    w->tmp) == -1)
		return -1;
	work_swap(w);
	return 0;
}

static int
set_if_present(struct work *w, const char *key, const char *value)
{
	return has(w, key) ? set(w, key, value) : 0;
}

static int
unset(struct work *w, const char *key)
{
	if (gfile_shvar_unset(w->cur->data, w->cur->len, key, w->tmp) == -1)
		return -1;
	work_swap(w);
	return 0;
}

static int
unset_if(struct work *w, bool (*match)(const char *, size_t, const void *),
    const void *arg)
{
	if (gfile_shvar_unset_if(w->cur->data, w->cur->len, match, arg,
	    w->tmp) == -1)
		return -1;
	work_swap(w);
	return 0;
}

/* Variables that carry a static IPv4 configuration. */
static const char *const addr_keys[] = {
	"IPADDR", "NETMASK", "PREFIX", "GATEWAY", "BROADCAST", "NETWORK"
};

/*
 * Is key one of addr_keys followed by a numeric suffix (possibly empty)?
 * *base_r gets which one, *suffix_r the suffix.
 */
static bool
addr_key(const char *key, size_t n, size_t *base_r, const char **suffix_r)
{
	size_t i, bl, j;

	for (i = 0; i < ARRAY_SIZE(addr_keys); i++) {
		bl = strlen(addr_keys[i]);
		if (n < bl || memcmp(key, addr_keys[i], bl) != 0)
			continue;
		for (j = bl; j < n; j++)
			if (key[j] < '0' || key[j] > '9')
				break;
		if (j < n)
			continue;
		*base_r = i;
		*suffix_r = key + bl;
		return true;
	}
	return false;
}

static bool
any_addr_key(const char *key, size_t n, const void *arg)
{
	size_t base;
	const char *suffix;

	(void)arg;
	return addr_key(key, n, &base, &suffix);
}

/*
 * For a new NIC: everything but the primary address (suffix arg) goes;
 * BROADCAST and NETWORK always (they belong to the sibling's network).
 */
static bool
secondary_addr_key(const char *key, size_t n, const void *arg)
{
	const char *primary = arg, *suffix;
	size_t base, sl;

	if (!addr_key(key, n, &base, &suffix))
		return false;
	if (strcmp(addr_keys[base], "BROADCAST") == 0 ||
	    strcmp(addr_keys[base], "NETWORK") == 0)
		return true;
	sl = (size_t)(key + n - suffix);
	return sl != strlen(primary) || memcmp(suffix, primary, sl) != 0;
}

/*
 * NetworkManager writes IPADDR0/PREFIX0 for the first address in some
 * versions; follow the file when it has IPADDR0 and no IPADDR.
 */
static const char *
primary_suffix(struct work *w)
{
	return !has(w, "IPADDR") && has(w, "IPADDR0") ? "0" : "";
}

static int
apply_static(struct work *w, const struct gfile_nic *nic)
{
	const char *sfx = primary_suffix(w);
	char *bp, *ip, *addr = NULL, key[32], mask[16], pfx[8];
	bool cidr, has_p, has_n;
	int rc = -1;

	bp = get(w, "BOOTPROTO");
	if (bp != NULL && ascii_casecmp(bp, "none") != 0 &&
	    ascii_casecmp(bp, "static") != 0 && set(w, "BOOTPROTO",
	    "static") == -1)
		goto out;
	snprintf(key, sizeof(key), "IPADDR%s", sfx);
	ip = get(w, key);
	cidr = ip != NULL && strchr(ip, '/') != NULL;
	free(ip);
	addr = cidr ? xasprintf("%s/%d", nic->address, nic->prefix) :
	    xstrdup(nic->address);
	if (set(w, key, addr) == -1)
		goto out;
	snprintf(key, sizeof(key), "PREFIX%s", sfx);
	has_p = has(w, key);
	snprintf(key, sizeof(key), "NETMASK%s", sfx);
	has_n = has(w, key);
	if (has_p || (!has_n && !cidr)) {
		snprintf(key, sizeof(key), "PREFIX%s", sfx);
		snprintf(pfx, sizeof(pfx), "%d", nic->prefix);
		if (set(w, key, pfx) == -1)
			goto out;
	}
	if (has_n) {
		snprintf(key, sizeof(key), "NETMASK%s", sfx);
		gfile_prefix_mask(nic->prefix, mask);
		if (set(w, key, mask) == -1)
			goto out;
	}
	if (nic->gateway != NULL) {
		snprintf(key, sizeof(key), "GATEWAY%s", sfx);
		if (*sfx == '\0' || !has(w, key) || has(w, "GATEWAY"))
			snprintf(key, sizeof(key), "GATEWAY");
		if (set(w, key, nic->gateway) == -1)
			goto out;
	}
	rc = 0;
out:
	free(bp);
	free(addr);
	return rc;
}

static int
apply(struct work *w, const struct gfile_nic *nic)
{
	char *cur, *shortname;
	bool same;
	int rc;

	/* HWADDR binds the file to the NIC, MACADDR (NetworkManager's
	 * cloned MAC) sets the NIC's MAC: a clone must not keep the
	 * template's in either. */
	if (nic->mac != NULL && (cur = get(w, "HWADDR")) != NULL) {
		same = mac_equal(cur, nic->mac);
		free(cur);
		if (!same && set(w, "HWADDR", nic->mac) == -1)
			return -1;
	}
	if (nic->mac != NULL && (cur = get(w, "MACADDR")) != NULL) {
		same = *cur == '\0' || mac_equal(cur, nic->mac);
		free(cur);
		if (!same && set(w, "MACADDR", nic->mac) == -1)
			return -1;
	}
	if (nic->boot == GFILE_BOOT_STATIC && apply_static(w, nic) == -1)
		return -1;
	if (nic->boot == GFILE_BOOT_DHCP && (set(w, "BOOTPROTO",
	    "dhcp") == -1 || unset_if(w, any_addr_key, NULL) == -1))
		return -1;
	if (nic->hostname != NULL) {
		shortname = xstrndup(nic->hostname,
		    gfile_short_len(nic->hostname));
		rc = set_if_present(w, "DHCP_HOSTNAME", shortname);
		free(shortname);
		if (rc == -1)
			return -1;
	}
	if (nic->uuid != NULL && set_if_present(w, "UUID", nic->uuid) == -1)
		return -1;
	return 0;
}

int
gfile_ifcfg_apply_nic(const char *in, size_t len,
    const struct gfile_nic *nic, struct buf *out)
{
	struct work w;

	if (gfile_nic_check(nic) == -1)
		return -1;
	work_init(&w, in, len);
	if (apply(&w, nic) == -1) {
		work_release(&w);
		return -1;
	}
	work_finish(&w, out);
	return 0;
}

/*
 * Sibling settings that make it something other than a plain Ethernet
 * NIC: a copy would enslave the new NIC to a bond or bridge, or clone a
 * VLAN or tunnel.
 */
static const char *const not_plain[] = {
	"MASTER", "SLAVE", "BRIDGE", "TEAM_MASTER", "TEAM_CONFIG",
	"BONDING_OPTS", "BONDING_MASTER", "VLAN", "PHYSDEV", "DEVICETYPE"
};

static int
check_sibling(struct work *w, const char *sname, const struct gfile_nic *nic)
{
	char *v;
	size_t i;
	bool bad;

	for (i = 0; i < ARRAY_SIZE(not_plain); i++) {
		v = get(w, not_plain[i]);
		bad = v != NULL && *v != '\0' && ascii_casecmp(v, "no") != 0;
		free(v);
		if (bad) {
			warnx("cannot write ifcfg-%s in the style of "
			    "ifcfg-%s: it sets %s, not a plain Ethernet NIC",
			    nic->name, esc(sname), not_plain[i]);
			return -1;
		}
	}
	v = get(w, "TYPE");
	bad = v != NULL && ascii_casecmp(v, "Ethernet") != 0;
	free(v);
	if (!bad) {
		v = get(w, "DEVICE");
		bad = v != NULL && (strcmp(v, "lo") == 0 ||
		    strchr(v, ':') != NULL);
		free(v);
	}
	if (bad) {
		warnx("cannot write ifcfg-%s in the style of ifcfg-%s: "
		    "not a plain Ethernet NIC", nic->name, esc(sname));
		return -1;
	}
	if (nic->boot == GFILE_BOOT_KEEP &&
	    (has(w, "IPADDR") || has(w, "IPADDR0"))) {
		warnx("new NIC '%s' needs boot = static or dhcp: ifcfg-%s "
		    "has a static address", nic->name, esc(sname));
		return -1;
	}
	return 0;
}

/* "eth0" -> "eth1", "System eth0" -> "System eth1", else the name. */
static int
rename_name(struct work *w, const char *sname, const char *name)
{
	char *v, *nv;
	size_t vl, sl = strlen(sname);
	int rc;

	if ((v = get(w, "NAME")) == NULL)
		return 0;
	vl = strlen(v);
	if (vl > sl && v[vl - sl - 1] == ' ' &&
	    strcmp(v + vl - sl, sname) == 0)
		nv = xasprintf("%.*s%s", (int)(vl - sl), v, name);
	else
		nv = xstrdup(name);
	rc = set(w, "NAME", nv);
	free(v);
	free(nv);
	return rc;
}

int
gfile_ifcfg_new_nic(const char *sibling, size_t len, const char *sname,
    const struct gfile_nic *nic, struct buf *out)
{
	struct work w;
	const char *sfx;
	char key[32];

	if (gfile_nic_check(nic) == -1)
		return -1;
	if (sname == NULL || !gfile_nic_name_valid(sname)) {
		warnx("refusing sibling interface name '%s'",
		    sname != NULL ? esc(sname) : "");
		return -1;
	}
	work_init(&w, sibling, len);
	if (check_sibling(&w, sname, nic) == -1)
		goto fail;
	sfx = primary_suffix(&w);
	if (set(&w, "DEVICE", nic->name) == -1 ||
	    rename_name(&w, sname, nic->name) == -1)
		goto fail;
	if (has(&w, "HWADDR") && (nic->mac != NULL ?
	    set(&w, "HWADDR", nic->mac) : unset(&w, "HWADDR")) == -1)
		goto fail;
	if (unset(&w, "MACADDR") == -1)
		goto fail;
	if (nic->uuid == NULL && unset(&w, "UUID") == -1)
		goto fail;
	if (unset_if(&w, secondary_addr_key, sfx) == -1)
		goto fail;
	if (nic->boot == GFILE_BOOT_STATIC && nic->gateway == NULL) {
		snprintf(key, sizeof(key), "GATEWAY%s", sfx);
		if (unset(&w, key) == -1 || unset(&w, "GATEWAY") == -1)
			goto fail;
	}
	if (apply(&w, nic) == -1)
		goto fail;
	work_finish(&w, out);
	return 0;
fail:
	work_release(&w);
	return -1;
}
