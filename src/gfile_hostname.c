/*
 * gfile_hostname.c - /etc/hostname (/etc/HOSTNAME on SUSE): one name on
 * the first line that is not blank or a comment.
 *
 * The reader returns that name; the editor writes the file anew with the
 * job's name.  Validating the name is the caller's (valid.h); the hosts
 * file that should list it is gfile_hosts.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "gfile_hostname.h"

char *
gfile_hostname_parse(const char *buf, size_t len)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	size_t pos = 0, lp, s, t;

	while (gfile_line_next(buf, len, &pos, &l)) {
		lp = 0;
		if (!gfile_field_next(l.p, l.len, &lp, &s, &t) || l.p[s] == '#')
			continue;
		return xstrndup(l.p + s, t - s);
	}
	return NULL;
}

/*
 * systemd's hostnamectl and Debian's installer write the name and one
 * LF; comments in the old file are not carried over.
 */
int
gfile_hostname_edit(const struct gfile_job *job, const char *in,
    size_t len, struct buf *out)
{
	struct gfile_ed ed;

	gfile_ed_init(&ed, in, len, out);
	if (job->hostname == NULL) {
		gfile_ed_finish(&ed);
		return 0;
	}
	buf_reset(out);
	buf_adds(out, job->hostname);
	buf_addc(out, '\n');
	return 0;
}
