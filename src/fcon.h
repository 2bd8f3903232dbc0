/*
 * fcon.h - the SELinux label the guest's own policy gives a path, for a
 * file imprint creates with no sibling to copy one from.
 *
 * The guest's /etc/selinux/config names its policy (SELINUXTYPE); that
 * policy's file_contexts is read out of the guest (through gfs.h, at most
 * FCON_MAX bytes) and looked up with libselinux's labeling backend, as
 * restorecon would, for that one path: no whole-guest relabel.
 */
#ifndef IMPRINT_FCON_H
#define IMPRINT_FCON_H

#include <stddef.h>

#include "gfs.h"

#define FCON_MAX	(32u << 20)	/* a file_contexts larger is refused */

/*
 * The label of a regular file at guest path under the guest's policy
 * into *label_r (caller frees; *len_r bytes, the terminating NUL
 * included, as the security.selinux attribute holds it).  Returns 0; 1
 * when the guest has no SELinux policy (no /etc/selinux/config,
 * SELINUX=disabled) or the policy gives path no label; -1 after one
 * message (a file_contexts that cannot be read or parsed, a bad policy
 * name).
 */
int	 fcon_label(struct gfs *fs, const char *path, char **label_r,
	    size_t *len_r);

#endif
