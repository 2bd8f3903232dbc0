/*
 * gfile_netplan.h - netplan YAML: the MAC reader and the editor behind
 * gfile_edit.
 */
#ifndef IMPRINT_GFILE_NETPLAN_H
#define IMPRINT_GFILE_NETPLAN_H

#include "gfile_lib.h"

/*
 * netplan: the first `macaddress:` scalar (quotes removed) under the
 * interface name iface in an `ethernets:` mapping, or NULL.  A small
 * indentation-based reader, not a YAML parser: flow style is not
 * followed.  Caller frees.
 */
char	*gfile_netplan_mac(const char *buf, size_t len, const char *iface);

/*
 * gfile_edit's editor for netplan YAML (GFILE_NETPLAN): same contract as
 * gfile_edit (gfile.h); the job's values have been checked there.
 */
int	 gfile_netplan_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

#endif
