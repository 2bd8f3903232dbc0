/*
 * netfmt_netplan.c - netplan YAML in /etc/netplan (see netfmt.h).
 *
 * Each entry under `network: ethernets:` is a NIC: with no `match:` its
 * key is the interface name; with one, `match: macaddress` (or name)
 * selects the NIC and `set-name` names it.  A `macaddress:` beside them
 * sets the MAC.  The entries are read with libyaml (gfile_netplan.c), so
 * flow style counts as much as block style.  The editor is
 * gfile_netplan.c's too.
 */
#include <stdlib.h>
#include <string.h>

#include "gfile.h"
#include "netfmt.h"
#include "survey.h"
#include "util.h"

static const struct survey_keys netplan_keys = {
	"set-name", "match.macaddress", "macaddress", "dhcp4", "addresses",
	"gateway4", NULL
};

static bool
netplan_wants(const char *base)
{
	/* netplan reads *.yaml only (a bare ".yaml" is hidden) */
	return !netfmt_backup_name(base) && has_suffix(base, ".yaml");
}

static void
netplan_read(const char *path, const char *buf, size_t len,
    struct survey *s)
{
	struct gfile_netplan_eth *e = NULL;
	struct survey_nic *n;
	size_t ne = 0, i;

	gfile_netplan_parse(buf, len, &e, &ne);
	for (i = 0; i < ne; i++) {
		n = survey_add_nic(s);
		n->file = xstrdup(path);
		n->format = xstrdup(netfmt_netplan.name);
		n->keys = &netplan_keys;
		n->line = e[i].line;
		/* the name the NIC ends up with */
		if (e[i].set_name != NULL)
			n->device = xstrdup(e[i].set_name);
		else if (e[i].match_name != NULL &&
		    strpbrk(e[i].match_name, "*?[") == NULL)
			n->device = xstrdup(e[i].match_name);
		else if (e[i].match_mac == NULL && e[i].match_name == NULL)
			n->device = xstrdup(e[i].id);
		n->hwaddr = e[i].match_mac ? netfmt_mac(e[i].match_mac) : NULL;
		n->macaddr = e[i].mac ? netfmt_mac(e[i].mac) : NULL;
		n->ipaddr = e[i].address ? xstrdup(e[i].address) : NULL;
		n->gateway = e[i].gateway ? xstrdup(e[i].gateway) : NULL;
		n->bootproto = xstrdup(e[i].dhcp4 ? "dhcp" :
		    e[i].address ? "static" : "none");
	}
	gfile_netplan_free(e, ne);
}

const struct netfmt netfmt_netplan = {
	"netplan", "/etc/netplan", netplan_wants, netplan_read
};
