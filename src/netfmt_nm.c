/*
 * netfmt_nm.c - NetworkManager keyfiles in
 * /etc/NetworkManager/system-connections (see netfmt.h).
 *
 * A keyfile binds its connection to a NIC by [connection]
 * interface-name, by [ethernet] mac-address, or both; cloned-mac-address
 * (a MAC, or a keyword such as "stable") sets the NIC's MAC.  The first
 * static address is [ipv4] address1 ("a/N,gw"; older files address or
 * addresses1).  Older NetworkManager wrote [802-3-ethernet] and MACs as
 * decimal byte lists; both are read.  Connections that are not Ethernet
 * (Wi-Fi, VPN, bonds) are read too: a bond's port binds its NIC the same
 * way.  The editor is gfile_nm.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "gfile.h"
#include "netfmt.h"
#include "survey.h"
#include "util.h"

static const struct survey_keys nm_keys = {
	"interface-name", "mac-address", "cloned-mac-address",
	"ipv4.method", "ipv4.address1", "ipv4.gateway", "uuid"
};

static bool
nm_wants(const char *base)
{
	/* NetworkManager's own: it skips hidden and backup files and
	 * keeps .nmmeta files for its own bookkeeping. */
	return !netfmt_backup_name(base) && !has_suffix(base, ".nmmeta");
}

/* [ethernet] key, else the legacy [802-3-ethernet] one. */
static char *
ether_get(const char *buf, size_t len, const char *key)
{
	char *v = gfile_ini_get(buf, len, "ethernet", key);

	return v != NULL ? v : gfile_ini_get(buf, len, "802-3-ethernet", key);
}

static void
nm_read(const char *path, const char *buf, size_t len, struct survey *s)
{
	static const char *const addr_keys[] = {
		"address1", "address", "addresses1", "addresses"
	};
	struct survey_nic *n;
	char *v, *gw;
	size_t i;

	n = survey_add_nic(s);
	n->file = xstrdup(path);
	n->format = xstrdup(netfmt_nm.name);
	n->keys = &nm_keys;
	n->device = gfile_ini_get(buf, len, "connection", "interface-name");
	n->uuid = gfile_ini_get(buf, len, "connection", "uuid");
	if ((v = ether_get(buf, len, "mac-address")) != NULL) {
		n->hwaddr = netfmt_mac(v);
		free(v);
	}
	if ((v = ether_get(buf, len, "cloned-mac-address")) != NULL) {
		n->macaddr = netfmt_mac(v);	/* "stable": no MAC */
		free(v);
	}
	n->bootproto = gfile_ini_get(buf, len, "ipv4", "method");
	for (i = 0; i < ARRAY_SIZE(addr_keys) && n->ipaddr == NULL; i++)
		n->ipaddr = gfile_ini_get(buf, len, "ipv4", addr_keys[i]);
	n->gateway = gfile_ini_get(buf, len, "ipv4", "gateway");
	if (n->ipaddr != NULL && (gw = strpbrk(n->ipaddr, ",;")) != NULL) {
		/* "a/N,gw": the gateway rides along in old files */
		if (n->gateway == NULL && gw[1] != '\0')
			n->gateway = xstrdup(gw + 1);
		*gw = '\0';
	}
	n->onboot = gfile_ini_get(buf, len, "connection", "autoconnect");
}

const struct netfmt netfmt_nm = {
	"nm", "/etc/NetworkManager/system-connections", nm_wants, nm_read
};
