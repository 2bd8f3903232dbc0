/*
 * gfile.c - the front door of the guest-file layer: which format a guest
 * path holds (gfile_kind_for_path), and gfile_edit, which checks a job's
 * values for that format and hands the file to its editor.
 *
 * It knows no format itself: each is one editor module (gfile_ifcfg.c,
 * gfile_udev.c, ...), and none of them calls back here.  No I/O.
 */
#include <err.h>
#include <string.h>

#include "gfile.h"

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
		    what, esc(v), gfile_kind_name(kind));
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
