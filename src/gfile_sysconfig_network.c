/*
 * gfile_sysconfig_network.c - RHEL/OEL /etc/sysconfig/network, the shell
 * file that RHEL 5/6 set the host name from (HOSTNAME=), with the
 * DHCP_HOSTNAME= that also appears in ifcfg files.
 *
 * Only the host name follows the job; MAC and address mappings do not
 * apply here (GATEWAY= is kept, as in ifcfg).  Shell quoting is
 * gfile_shvar.c's; no I/O.
 */
#include <stdlib.h>

#include "gfile_sysconfig_network.h"
#include "gfile_shvar.h"

/*
 * HOSTNAME= is what RHEL 5/6 set the host name from, so it is added when
 * missing (hostname= is a setting, not a mapping); DHCP_HOSTNAME= only
 * follows when present.
 */
int
gfile_sysconfig_network_edit(const struct gfile_job *job, const char *in,
    size_t len, struct buf *out)
{
	struct buf tmp = BUF_INIT;
	struct gfile_ed ed;
	char *shortname, *cur;
	int rc = 0;

	if (job->hostname == NULL) {
		gfile_ed_init(&ed, in, len, out);
		gfile_ed_finish(&ed);
		return 0;
	}
	if (gfile_shvar_set(in, len, "HOSTNAME", job->hostname, &tmp) == -1) {
		buf_release(&tmp);
		return -1;
	}
	shortname = xstrndup(job->hostname, gfile_short_len(job->hostname));
	cur = gfile_shvar_get(tmp.data, tmp.len, "DHCP_HOSTNAME");
	if (cur != NULL)
		rc = gfile_shvar_set(tmp.data, tmp.len, "DHCP_HOSTNAME",
		    shortname, out);
	else {
		gfile_ed_init(&ed, tmp.data, tmp.len, out);
		gfile_ed_finish(&ed);
	}
	free(cur);
	free(shortname);
	buf_release(&tmp);
	return rc;
}

