/*
 * gfile_networkd.h - systemd-networkd .link and .network files: the
 * editor behind gfile_edit (reading them is gfile_ini_get's,
 * gfile_lib.h).
 */
#ifndef IMPRINT_GFILE_NETWORKD_H
#define IMPRINT_GFILE_NETWORKD_H

#include "gfile_lib.h"

/*
 * gfile_edit's editor for .link and .network files (GFILE_NETWORKD_LINK,
 * GFILE_NETWORKD_NETWORK): same contract as gfile_edit (gfile.h); the
 * job's values have been checked there.
 */
int	 gfile_networkd_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

#endif
