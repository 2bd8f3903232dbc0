/*
 * netfmt.h - the network-configuration formats a guest may bind its NICs
 * with, beyond RHEL ifcfg and Debian ifupdown (which plan.c writes whole
 * NIC configs into): NetworkManager keyfiles, netplan YAML and
 * systemd-networkd .link/.network files.
 *
 * One unit a format (netfmt_nm.c, netfmt_netplan.c, netfmt_networkd.c,
 * netfmt_suse.c),
 * each behind this interface: which guest directory holds its files and
 * which of them it reads, and a reader that turns one file's bytes into
 * survey entries (struct survey_nic, format = the unit's name).  Editing
 * is the format's gfile editor (gfile_edit, chosen by path), driven by a
 * job of old -> new MACs and addresses that plan.c builds for every file
 * that binds a recipe NIC by name or by one of its old MACs.  A new format
 * is a new unit listed in netfmts[] plus its editor.
 *
 * Pure functions over bytes, no I/O: survey.c lists and reads the files.
 */
#ifndef IMPRINT_NETFMT_H
#define IMPRINT_NETFMT_H

#include <stdbool.h>
#include <stddef.h>

struct survey;

struct netfmt {
	const char	*name;		/* survey_nic.format */
	const char	*dir;		/* the guest directory it reads */
	/* Whether the file named base in dir is one the format's own
	 * software reads (backups, editor swap files and hidden files are
	 * not). */
	bool		(*wants)(const char *base);
	/* Add an entry to s for each NIC the file at path configures. */
	void		(*read)(const char *path, const char *buf, size_t len,
			    struct survey *s);
};

extern const struct netfmt netfmt_nm, netfmt_netplan, netfmt_networkd,
    netfmt_suse;

/* Every unit, NULL-terminated, in the order the survey reads them. */
extern const struct netfmt *const netfmts[];

/* The unit called name, or NULL (ifcfg, ifupdown: plan.c's own). */
const struct netfmt *netfmt_by_name(const char *name);

/*
 * Shared by the units: a MAC in the forms the formats write it, put in
 * lower-case colon form (NetworkManager's legacy keyfiles write
 * "0;22;62;43;140;1;", decimal bytes; others colons or dashes).  NULL
 * when s is none of these.  Caller frees.
 */
char	*netfmt_mac(const char *s);

/* Suffixes of backup and editor files that no network stack reads. */
bool	 netfmt_backup_name(const char *base);

#endif
