/*
 * gfile_udev.h - udev persistent-net rules (70-persistent-net.rules):
 * the reader, the MAC mapping behind gfile_edit, and the NAME-to-MAC
 * setters of imprint apply.
 */
#ifndef IMPRINT_GFILE_UDEV_H
#define IMPRINT_GFILE_UDEV_H

#include "gfile_lib.h"

/*
 * udev persistent-net rules: one entry per rule line that has both
 * ATTR{address}=="..." and NAME="..." (in any order); the MAC is kept as
 * written (upper or lower case).  Comment lines are skipped.  Returns 0
 * with *rules_r (may be NULL when *n_r is 0) owned by the caller, free
 * with gfile_udev_free.  Never fails on input; no printing.
 */
struct gfile_udev_rule {
	char	*name;
	char	*mac;
	size_t	 line;
};
int	 gfile_udev_parse(const char *buf, size_t len,
	    struct gfile_udev_rule **rules_r, size_t *n_r);
void	 gfile_udev_free(struct gfile_udev_rule *, size_t n);

/*
 * gfile_edit's editor for udev rules (GFILE_UDEV_NET): same contract as
 * gfile_edit (gfile.h); the job's values have been checked there.
 */
int	 gfile_udev_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

/*
 * udev persistent-net rules: in every rule line whose NAME= (or NAME:=) is
 * name and that has an ATTR{address}== match, the address becomes mac
 * (kept as is when already equal, ignoring case).  No rule for name: out
 * equals the input (udev writes one at the next boot).  Rules of other
 * names are never touched, even when they pin mac: the caller sets every
 * name it knows, and removes the file when the recipe says to forget.
 */
int	 gfile_udev_set_name_mac(const char *in, size_t len, const char *name,
	    const char *mac, struct buf *out);
/*
 * As gfile_udev_set_name_mac, and when no rule names name but others
 * exist, append a rule for it: a copy of the last rule line with its
 * ATTR{address} and NAME values replaced (the file's line ending kept).
 * A file without rules is left as it is.  For NICs the template lacked.
 */
int	 gfile_udev_bind_name_mac(const char *in, size_t len,
	    const char *name, const char *mac, struct buf *out);

#endif
