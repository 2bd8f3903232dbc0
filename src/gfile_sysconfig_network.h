/*
 * gfile_sysconfig_network.h - the /etc/sysconfig/network editor (RHEL/OEL
 * HOSTNAME= and DHCP_HOSTNAME=).
 */
#ifndef IMPRINT_GFILE_SYSCONFIG_NETWORK_H
#define IMPRINT_GFILE_SYSCONFIG_NETWORK_H

#include "gfile_lib.h"

/*
 * gfile_edit's editor for /etc/sysconfig/network
 * (GFILE_SYSCONFIG_NETWORK): same contract as gfile_edit (gfile.h); the
 * job's values have been checked there.  HOSTNAME= is set (added when
 * missing); DHCP_HOSTNAME= follows the short name when present.
 */
int	 gfile_sysconfig_network_edit(const struct gfile_job *, const char *,
	    size_t, struct buf *);

#endif
