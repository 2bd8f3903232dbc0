/*
 * gfile_hostname.h - /etc/hostname (/etc/HOSTNAME): the reader and the
 * editor behind gfile_edit.
 */
#ifndef IMPRINT_GFILE_HOSTNAME_H
#define IMPRINT_GFILE_HOSTNAME_H

#include "gfile_lib.h"

/*
 * /etc/hostname or /etc/HOSTNAME: the first word of the first non-blank,
 * non-comment line; NULL if none.  Caller frees.
 */
char	*gfile_hostname_parse(const char *buf, size_t len);

/*
 * gfile_edit's editor for /etc/hostname (GFILE_HOSTNAME): same contract as
 * gfile_edit (gfile.h); the job's values have been checked there.
 */
int	 gfile_hostname_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

#endif
