/*
 * survey.h - read the identity a guest carries, as found: host names,
 * NIC configs, udev persistent-net rules, machine-id, SSH host keys.
 *
 * It reads guest files through the guest filesystem interface (gfs.h:
 * the appliance, or a tree in memory in tests) and parses them with
 * gfile_*; it changes nothing and judges nothing (consist.c does that).
 */
#ifndef IMPRINT_SURVEY_H
#define IMPRINT_SURVEY_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct gfs;

/* A file that names the host: /etc/hostname, /etc/HOSTNAME, HOSTNAME=. */
struct survey_hostname {
	char	*file;
	char	*key;		/* "HOSTNAME" for shell files, "" otherwise */
	char	*value;
};

/* An /etc/hosts line that names more than localhost. */
struct survey_hosts {
	size_t		 line;
	char		*addr;
	struct strlist	 names;
};

/* How a format spells each setting, for messages (netfmt.h units). */
struct survey_keys {
	const char	*device, *hwaddr, *macaddr, *method, *address,
			*gateway, *uuid;
};

/*
 * A NIC configuration: an ifcfg-* file, an ifupdown stanza, or a NIC a
 * netfmt.h unit read (a keyfile, a netplan ethernets entry, a .link or
 * .network file).  Absent settings are NULL.
 */
struct survey_nic {
	char	*file;
	char	*format;	/* "ifcfg", "ifupdown", or a netfmt name */
	const struct survey_keys *keys;	/* netfmt units: their names */
	size_t	 line;		/* ifupdown: the iface line; netplan: the
				   entry's; else 0 */
	bool	 ignored;	/* ifcfg-*.bak etc.: initscripts skip it */
	char	*device;
	char	*hwaddr;	/* binds the config to a NIC (ifcfg) */
	char	*macaddr;	/* overrides the NIC's MAC (ifcfg MACADDR,
				   ifupdown hwaddress) */
	char	*bootproto;	/* BOOTPROTO, or the ifupdown method */
	char	*ipaddr;
	char	*netmask;
	char	*prefix;
	char	*gateway;
	char	*onboot;	/* ONBOOT, or "yes" for ifupdown auto */
	char	*uuid;		/* ifcfg UUID, keyfile [connection] uuid */
};

struct survey_udev {
	char	*file;
	size_t	 line;
	char	*name;
	char	*mac;
};

struct survey {
	struct survey_hostname	*hostnames;
	size_t			 nhostnames;
	struct survey_hosts	*hosts;
	size_t			 nhosts;
	struct survey_nic	*nics;
	size_t			 nnics;
	struct survey_udev	*udev;
	size_t			 nudev;
	char			*machine_id;	/* NULL: no file; "": empty */
	struct strlist		 ssh_host_keys;	/* private key paths */
	struct strlist		 notes;		/* what was not read, why */
};

/* Largest guest config file read (bytes). */
#define SURVEY_FILE_CAP	(1024 * 1024)

/*
 * Fill *s from the guest filesystem fs (the appliance's with the root
 * mounted).  A file that cannot be read is noted in s->notes (and its
 * message printed) and the survey goes on; returns -1 only when the
 * filesystem itself fails.  Release with
 * survey_release.
 */
int	 survey_read(struct gfs *, struct survey *s);
void	 survey_release(struct survey *);

/* A new zeroed NIC entry at the end of s->nics (for netfmt.h units). */
struct survey_nic *survey_add_nic(struct survey *s);

#endif
