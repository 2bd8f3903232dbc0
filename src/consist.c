/*
 * consist.c - consistency checks between a guest and its domain config
 * (see consist.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "consist.h"
#include "disks.h"
#include "domcfg.h"
#include "survey.h"
#include "util.h"
#include "valid.h"

/* A MAC the guest names, with where it does so. */
struct gmac {
	char		 mac[18];	/* canonical lower case */
	const char	*raw;
	char		*where;		/* "FILE: HWADDR" / "FILE:LINE: NAME=eth0" */
	const char	*device;	/* may be NULL (bound by MAC only) */
	const char	*format;	/* the survey_nic's; NULL for udev */
	enum { GM_HWADDR, GM_MACADDR, GM_UDEV } kind;
};

struct findings {
	struct finding	*v;
	size_t		 n;
};

static void
add(struct findings *fs, const char *code, char *msg)
{
	fs->v = xreallocarray(fs->v, fs->n + 1, sizeof(*fs->v));
	fs->v[fs->n].code = code;
	fs->v[fs->n].message = msg;
	fs->n++;
}

static void
add_gmac(struct gmac **v, size_t *n, const char *raw, char *where,
    const char *device, int kind, const char *format)
{
	struct gmac *g;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	g = &(*v)[(*n)++];
	if (mac_normalize(raw, g->mac) == -1)
		g->mac[0] = '\0';
	g->raw = raw;
	g->where = where;
	g->device = device;
	g->kind = kind;
	g->format = format;
}

static size_t
collect(const struct survey *s, struct gmac **v)
{
	size_t n = 0, i;

	*v = NULL;
	for (i = 0; i < s->nnics; i++) {
		const struct survey_nic *c = &s->nics[i];
		if (c->ignored)
			continue;
		if (c->keys != NULL) {
			/* netfmt.h formats, in their own words */
			if (c->hwaddr)
				add_gmac(v, &n, c->hwaddr, xasprintf("%s: "
				    "%s=%s", c->file, c->keys->hwaddr,
				    c->hwaddr), c->device, GM_HWADDR, c->format);
			if (c->macaddr)
				add_gmac(v, &n, c->macaddr, xasprintf("%s: "
				    "%s=%s", c->file, c->keys->macaddr,
				    c->macaddr), c->device, GM_MACADDR, c->format);
			continue;
		}
		if (c->hwaddr && *c->hwaddr)
			add_gmac(v, &n, c->hwaddr, xasprintf("%s: HWADDR=%s",
			    c->file, c->hwaddr), c->device, GM_HWADDR, c->format);
		if (c->macaddr && *c->macaddr)
			add_gmac(v, &n, c->macaddr, c->line ?
			    xasprintf("%s:%zu: %s hwaddress %s", c->file,
			    c->line, c->device, c->macaddr) :
			    xasprintf("%s: MACADDR=%s", c->file, c->macaddr),
			    c->device, GM_MACADDR, c->format);
	}
	for (i = 0; i < s->nudev; i++)
		add_gmac(v, &n, s->udev[i].mac, xasprintf("%s:%zu: NAME=%s "
		    "ATTR{address}==%s", s->udev[i].file, s->udev[i].line,
		    s->udev[i].name, s->udev[i].mac), s->udev[i].name,
		    GM_UDEV, NULL);
	return n;
}

/* Guest-internal checks: a rule and an ifcfg of one name must agree, and
 * two ifcfg files must not claim one MAC (initscripts would bring up
 * both).  Other formats may: a .link and a .network select one NIC, and
 * NetworkManager keeps several profiles of one NIC to choose from. */
static void
check_guest(struct gmac *g, size_t n, struct findings *fs)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (!g[i].mac[0] || !g[j].mac[0])
				continue;
			if (g[i].kind == GM_UDEV && g[j].kind == GM_UDEV &&
			    strcmp(g[i].mac, g[j].mac) == 0)
				add(fs, "duplicate-mac", xasprintf("%s and %s "
				    "pin one MAC to two names", g[i].where,
				    g[j].where));
			else if (g[i].kind == GM_HWADDR &&
			    g[j].kind == GM_HWADDR &&
			    strcmp(g[i].format, "ifcfg") == 0 &&
			    strcmp(g[j].format, "ifcfg") == 0 &&
			    strcmp(g[i].mac, g[j].mac) == 0)
				add(fs, "duplicate-mac", xasprintf("%s and %s "
				    "bind two configs to one NIC", g[i].where,
				    g[j].where));
		}
	}
	for (i = 0; i < n; i++) {
		if (g[i].kind != GM_UDEV || !g[i].mac[0])
			continue;
		for (j = 0; j < n; j++)
			if (g[j].kind == GM_HWADDR && g[j].mac[0] &&
			    g[j].device != NULL &&
			    strcmp(g[j].device, g[i].device) == 0 &&
			    strcmp(g[j].mac, g[i].mac) != 0)
				add(fs, "udev-ifcfg-mismatch", xasprintf(
				    "%s but %s: %s binds to neither MAC "
				    "consistently", g[i].where, g[j].where,
				    g[i].device));
	}
}

static void
check_host(const struct domcfg *cfg, struct gmac *g, size_t ng,
    struct findings *fs)
{
	const char *file = domcfg_path(cfg);
	size_t nn = domcfg_nic_count(cfg), i, j;
	char (*vm)[18] = xcalloc(nn ? nn : 1, sizeof(*vm));
	char *mac;
	bool bound, any_binding = false;

	for (i = 0; i < nn; i++) {
		int line = domcfg_nic_line(cfg, i);
		if ((mac = domcfg_nic_get(cfg, i, "mac")) == NULL) {
			if (domcfg_kind(cfg) == DOMCFG_XML)
				add(fs, "vif-no-mac", xasprintf("%s:%d: "
				    "interface %zu has no <mac>: libvirt makes "
				    "one up when the domain is defined, so no "
				    "guest config can bind to it; set one "
				    "('imprint vmcfg %s set nic%zu.mac=auto')",
				    file, line, i, file, i));
			else
				add(fs, "vif-no-mac", xasprintf("%s:%d: vif %zu "
				    "has no mac=: xl gives it a new random MAC "
				    "at every start, so no guest config can "
				    "bind to it; set one ('imprint vmcfg %s set "
				    "nic%zu.mac=auto')", file, line, i, file,
				    i));
			continue;
		}
		if (mac_normalize(mac, vm[i]) == -1 || !mac_valid_nic(mac)) {
			add(fs, "vif-bad-mac", xasprintf("%s:%d: vif %zu "
			    "mac=%s is not a unicast MAC", file, line, i,
			    mac));
			vm[i][0] = '\0';
		}
		free(mac);
	}
	for (i = 0; i < nn; i++)
		for (j = i + 1; j < nn; j++)
			if (vm[i][0] && strcmp(vm[i], vm[j]) == 0)
				add(fs, "duplicate-mac", xasprintf("%s: vif %zu "
				    "and vif %zu both have mac=%s", file, i, j,
				    vm[i]));
	for (i = 0; i < ng; i++)
		if (g[i].kind != GM_MACADDR)
			any_binding = true;
	/* A guest that binds nothing by MAC takes NICs in order: fine. */
	for (i = 0; i < nn && any_binding; i++) {
		if (!vm[i][0])
			continue;
		bound = false;
		for (j = 0; j < ng; j++)
			if (g[j].kind != GM_MACADDR &&
			    strcmp(g[j].mac, vm[i]) == 0)
				bound = true;
		if (!bound)
			add(fs, "vif-mac-unbound", xasprintf("%s:%d: vif %zu "
			    "mac=%s: no NIC config or udev rule in the guest "
			    "names this MAC", file, domcfg_nic_line(cfg, i),
			    i, vm[i]));
	}
	for (j = 0; j < ng; j++) {
		bool found = false;
		for (i = 0; i < nn; i++)
			if (vm[i][0] && strcmp(g[j].mac, vm[i]) == 0)
				found = true;
		if (found)
			continue;
		if (g[j].kind == GM_UDEV)
			add(fs, "udev-mac-absent", xasprintf("%s pins %s to a "
			    "MAC no vif in %s has: that NIC will come up "
			    "under another name (eth1 for eth0)", g[j].where,
			    g[j].device, file));
		else
			add(fs, "guest-mac-absent", xasprintf("%s is not the "
			    "MAC of any vif in %s", g[j].where, file));
	}
	free(vm);
}

size_t
consist_check(const struct survey *s, const struct domcfg *cfg,
    struct finding **f_r)
{
	struct findings fs = { NULL, 0 };
	struct gmac *g;
	size_t ng, i;

	ng = collect(s, &g);
	check_guest(g, ng, &fs);
	if (cfg)
		check_host(cfg, g, ng, &fs);
	for (i = 0; i < ng; i++)
		free(g[i].where);
	free(g);
	*f_r = fs.v;
	return fs.n;
}

void
consist_free(struct finding *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(f[i].message);
	free(f);
}

size_t
consist_check_disks(const struct domcfg *cfg, const char *const *images,
    const char *const *cfgpaths, size_t n, size_t k, struct finding **f_r,
    size_t nf)
{
	struct findings fs = { *f_r, nf };
	const char *file = domcfg_path(cfg);
	size_t *idx = NULL, ng, i, j;
	char *t, *first = NULL;
	bool found = false;

	ng = disks_guest(cfg, &idx);
	for (i = 0; i < ng; i++) {
		t = domcfg_disk_target(cfg, idx[i]);
		if (disks_same_path(t, images[k]))
			found = true;
		for (j = 0; j < n; j++) {
			if (j == k || !disks_same_path(t, images[j]) ||
			    cfgpaths[j] == NULL ||
			    disks_same_path(cfgpaths[j], file))
				continue;
			add(&fs, "disk-other-image", xasprintf("%s:%d: disk%zu "
			    "'%s' is the image '%s' of this run, whose config "
			    "is '%s': two domains would write one disk", file,
			    domcfg_disk_line(cfg, idx[i]), idx[i], t,
			    images[j], cfgpaths[j]));
		}
		if (first == NULL)
			first = t;
		else
			free(t);
	}
	if (ng > 0 && !found)
		add(&fs, "disk-not-image", xasprintf("%s:%d: disk%zu is '%s', "
		    "not the inspected image '%s': the domain would boot "
		    "another disk ('imprint apply' makes it follow the image)",
		    file, domcfg_disk_line(cfg, idx[0]), idx[0], first,
		    images[k]));
	free(first);
	free(idx);
	*f_r = fs.v;
	return fs.n;
}
