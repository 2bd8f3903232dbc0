/*
 * netfmt_suse.c - SUSE's ifcfg files in /etc/sysconfig/network (see
 * netfmt.h).
 *
 * Shell variables like RHEL's, read with the same codec, but a file names
 * its NIC by its own name (ifcfg-eth0) and binds no MAC: LLADDR sets one
 * (as RHEL's MACADDR), and NICs keep their names through udev's
 * persistent-net rules, which plan.c edits for every family.  IPADDR may
 * carry the prefix ("192.0.2.20/24").  SLES 10's ifcfg-eth-id-MAC names,
 * which bind by MAC in the file name, are read but not renamed.  The
 * editor is gfile_ifcfg.c's mapping editor.
 */
#include <stdlib.h>
#include <string.h>

#include "gfile.h"
#include "netfmt.h"
#include "survey.h"
#include "util.h"

static const struct survey_keys suse_keys = {
	"name", NULL, "LLADDR", "BOOTPROTO", "IPADDR", NULL, NULL
};

static bool
suse_wants(const char *base)
{
	return strncmp(base, "ifcfg-", 6) == 0 && base[6] != '\0' &&
	    strcmp(base, "ifcfg-lo") != 0 && !netfmt_backup_name(base);
}

static void
suse_read(const char *path, const char *buf, size_t len, struct survey *s)
{
	struct survey_nic *n = survey_add_nic(s);
	const char *base = strrchr(path, '/') + 1;
	char *v;

	n->file = xstrdup(path);
	n->format = xstrdup(netfmt_suse.name);
	n->keys = &suse_keys;
	n->device = xstrdup(base + 6);
	if ((v = gfile_shvar_get(buf, len, "LLADDR")) != NULL) {
		n->macaddr = netfmt_mac(v);
		free(v);
	}
	n->bootproto = gfile_shvar_get(buf, len, "BOOTPROTO");
	n->ipaddr = gfile_shvar_get(buf, len, "IPADDR");
	if (n->ipaddr != NULL && *n->ipaddr == '\0') {
		free(n->ipaddr);
		n->ipaddr = NULL;
	}
	n->onboot = gfile_shvar_get(buf, len, "STARTMODE");
}

const struct netfmt netfmt_suse = {
	"suse", "/etc/sysconfig/network", suse_wants, suse_read
};
