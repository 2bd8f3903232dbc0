/*
 * gfile_hosts.h - /etc/hosts: the reader and the editor behind gfile_edit
 * (addresses mapped, old host names replaced).
 */
#ifndef IMPRINT_GFILE_HOSTS_H
#define IMPRINT_GFILE_HOSTS_H

#include "gfile_lib.h"

/*
 * /etc/hosts: one entry per non-comment line with an address and at
 * least one name; text after '#' is dropped.  Fields are split on blanks
 * and tabs.  Returns 0; free with gfile_hosts_free.
 */
struct gfile_hosts_entry {
	char		*addr;
	struct strlist	 names;
	size_t		 line;
};
int	 gfile_hosts_parse(const char *buf, size_t len,
	    struct gfile_hosts_entry **e_r, size_t *n_r);
void	 gfile_hosts_free(struct gfile_hosts_entry *, size_t n);

/*
 * gfile_edit's editor for /etc/hosts (GFILE_HOSTS): same contract as
 * gfile_edit (gfile.h); the job's values have been checked there.
 */
int	 gfile_hosts_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

#endif
