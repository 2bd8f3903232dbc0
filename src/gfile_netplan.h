/*
 * gfile_netplan.h - netplan YAML: a reader of the ethernets: entries and
 * the editor behind gfile_edit.  Both locate nodes with libyaml, so flow
 * style (`eth0: {match: {macaddress: ...}}`) is followed like block style.
 */
#ifndef IMPRINT_GFILE_NETPLAN_H
#define IMPRINT_GFILE_NETPLAN_H

#include "gfile_lib.h"

/*
 * One entry under network: ethernets: (netplan's "physical" devices).
 * Strings are scalars as decoded (no quotes, escapes undone, cut at a
 * NUL); a plain null (empty, ~, null) counts as absent.  When a key
 * appears twice, the last one counts.
 */
struct gfile_netplan_eth {
	char	*id;		/* the key under ethernets: */
	size_t	 line;		/* of that key, from 1 */
	char	*set_name;	/* set-name:, or NULL */
	char	*match_name;	/* match: name: (may be a glob), or NULL */
	char	*match_mac;	/* match: macaddress:, or NULL */
	char	*mac;		/* macaddress: (the MAC it sets), or NULL */
	char	*address;	/* first addresses: item as written (a/N), or
				 * NULL */
	char	*gateway;	/* gateway4:, or the via: of a default route
				 * (to: default or 0.0.0.0/0; an IPv4 via
				 * only), or NULL */
	bool	 dhcp4;		/* dhcp4: true/yes/on, any case */
};

/*
 * Every ethernets: entry whose value is a mapping, of every `network:`
 * key at the top of a document, in file order.  Returns 0 with *v_r (NULL
 * when *n_r is 0) owned by the caller, free with gfile_netplan_free.
 * Never fails on garbage (an unparseable file gives what was read before
 * the error, or none); no printing.
 */
int	 gfile_netplan_parse(const char *buf, size_t len,
	    struct gfile_netplan_eth **v_r, size_t *n_r);
void	 gfile_netplan_free(struct gfile_netplan_eth *, size_t);

/*
 * gfile_edit's editor for netplan YAML (GFILE_NETPLAN): same contract as
 * gfile_edit (gfile.h); the job's values have been checked there.  Maps
 * every `macaddress:` scalar and the address part of every `addresses:`
 * item (a scalar item, or the key of a mapping item) outside
 * `nameservers:`; gateway4 and via stay.  Returns -1 after one message
 * for a file libyaml cannot parse (naming the line) and for a mapped
 * scalar whose bytes are not its value as written (an escape, a block or
 * multi-line scalar): never a guessed splice.
 */
int	 gfile_netplan_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

#endif
