/*
 * netfmt_networkd.c - systemd-networkd and udev .link files and
 * systemd-networkd .network files in /etc/systemd/network (see netfmt.h).
 *
 * A .link file names a NIC: [Match] MACAddress= (a list; a NIC whose MAC
 * is in it) or OriginalName=, and [Link] Name= the name it gets;
 * [Link] MACAddress= sets a MAC.  A .network file configures the NIC its
 * [Match] Name= or MACAddress= selects: [Network] Address= (the first),
 * Gateway=, DHCP=; [Link] MACAddress= sets a MAC.  Only /etc is read:
 * /usr/lib/systemd/network holds the distribution's defaults, which match
 * no MAC of a template.  Drop-in directories (*.network.d/) are not read
 * (they are directories, skipped by the survey).  The editor is
 * gfile_networkd.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "gfile.h"
#include "netfmt.h"
#include "survey.h"
#include "util.h"

static const struct survey_keys link_keys = {
	"Link.Name", "Match.MACAddress", "Link.MACAddress", NULL, NULL, NULL,
	NULL
};
static const struct survey_keys network_keys = {
	"Match.Name", "Match.MACAddress", "Link.MACAddress", "Network.DHCP",
	"Network.Address", "Network.Gateway", NULL
};

static bool
networkd_wants(const char *base)
{
	return !netfmt_backup_name(base) &&
	    (has_suffix(base, ".link") || has_suffix(base, ".network"));
}

/* The first word of the first key=value in a [sec] section (Name= is a
 * list, Address= may repeat), or NULL. */
static char *
first_word(const char *buf, size_t len, const char *sec, const char *key)
{
	char *v = gfile_ini_get_first(buf, len, sec, key);

	if (v != NULL)
		v[strcspn(v, " \t")] = '\0';
	return v;
}

/* The first MAC of a key's list, or NULL. */
static char *
first_mac(const char *buf, size_t len, const char *sec, const char *key)
{
	char *v = first_word(buf, len, sec, key), *m;

	if (v == NULL)
		return NULL;
	m = netfmt_mac(v);
	free(v);
	return m;
}

static void
networkd_read(const char *path, const char *buf, size_t len,
    struct survey *s)
{
	struct survey_nic *n = survey_add_nic(s);
	bool link = has_suffix(path, ".link");

	n->file = xstrdup(path);
	n->format = xstrdup(netfmt_networkd.name);
	n->keys = link ? &link_keys : &network_keys;
	n->hwaddr = first_mac(buf, len, "Match", "MACAddress");
	n->macaddr = first_mac(buf, len, "Link", "MACAddress");
	if (link) {
		n->device = first_word(buf, len, "Link", "Name");
		return;
	}
	n->device = first_word(buf, len, "Match", "Name");
	n->bootproto = gfile_ini_get(buf, len, "Network", "DHCP");
	n->ipaddr = first_word(buf, len, "Network", "Address");
	if (n->ipaddr == NULL)
		n->ipaddr = first_word(buf, len, "Address", "Address");
	n->gateway = first_word(buf, len, "Network", "Gateway");
}

const struct netfmt netfmt_networkd = {
	"networkd", "/etc/systemd/network", networkd_wants, networkd_read
};
