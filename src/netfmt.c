/*
 * netfmt.c - the list of network-configuration format units and what
 * they share (see netfmt.h).
 */
#include <string.h>

#include "gfile.h"
#include "netfmt.h"
#include "util.h"
#include "valid.h"

const struct netfmt *const netfmts[] = {
	&netfmt_nm, &netfmt_netplan, &netfmt_networkd, &netfmt_suse, NULL
};

const struct netfmt *
netfmt_by_name(const char *name)
{
	size_t i;

	for (i = 0; netfmts[i] != NULL; i++)
		if (strcmp(netfmts[i]->name, name) == 0)
			return netfmts[i];
	return NULL;
}

char *
netfmt_mac(const char *s)
{
	char out[18];

	if (mac_normalize(s, out) == 0 ||
	    gfile_nm_decimal_mac(s, strlen(s), out) == 0)
		return xstrdup(out);
	return NULL;
}

bool
netfmt_backup_name(const char *base)
{
	static const char *const sfx[] = {
		"~", ".bak", ".orig", ".rej", ".swp", ".tmp", ".rpmnew",
		".rpmorig", ".rpmsave", ".dpkg-old", ".dpkg-dist",
		".dpkg-new", ".ucf-old", ".ucf-dist"
	};
	size_t i;

	if (base[0] == '.' || base[0] == '\0')
		return true;
	for (i = 0; i < ARRAY_SIZE(sfx); i++)
		if (has_suffix(base, sfx[i]))
			return true;
	return false;
}
