/*
 * gfile_ifupdown.h - Debian/Ubuntu ifupdown /etc/network/interfaces: the
 * reader, the mapping editor behind gfile_edit and the whole-NIC editor
 * of imprint apply.
 */
#ifndef IMPRINT_GFILE_IFUPDOWN_H
#define IMPRINT_GFILE_IFUPDOWN_H

#include "gfile_lib.h"

/*
 * ifupdown /etc/network/interfaces: one entry per `iface NAME FAMILY
 * METHOD` stanza with its options (address may be CIDR as written;
 * `hwaddress ether MAC` or `hwaddress MAC` give the MAC only; absent
 * options are NULL).  `auto NAME...` and `allow-hotplug NAME...` lines set
 * auto_ on every stanza of that name, before or after the line.  Each
 * `source PATTERN` and `source-directory DIR` line is appended to
 * *sources as the keyword, one space and the rest of the line (which
 * must be initialised; may be NULL to ignore them): reading those files
 * is guest I/O, the caller's.  Returns 0; free with
 * gfile_ifupdown_free (and strlist_release for sources).
 */
struct gfile_iface {
	char	*name;
	char	*family;
	char	*method;
	char	*address;
	char	*netmask;
	char	*gateway;
	char	*hwaddress;
	bool	 auto_;
	size_t	 line;
};
int	 gfile_ifupdown_parse(const char *buf, size_t len,
	    struct gfile_iface **ifs_r, size_t *n_r, struct strlist *sources);
void	 gfile_ifupdown_free(struct gfile_iface *, size_t n);

/*
 * gfile_edit's editor for interfaces(5) (GFILE_IFUPDOWN): same contract as
 * gfile_edit (gfile.h); the job's values have been checked there.
 */
int	 gfile_ifupdown_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

/*
 * Debian/Ubuntu /etc/network/interfaces: make the `iface NAME inet`
 * stanza say what nic says.  In the stanza: the method word becomes
 * static or dhcp; for static, `address` is set (CIDR "A/P" when the line
 * is written so, else "A" with a `netmask` line set or added), `gateway`
 * set or added when given; for dhcp, address, netmask, gateway, broadcast,
 * network and pointopoint lines are removed.  `hwaddress` is set to mac
 * when present (`ether` kept), the `hostname` option to hostname's short
 * name when present.  Added lines go after the stanza's last option line,
 * indented like its options (else like other stanzas' options, else one
 * tab).  Without such a stanza one is appended: a blank line, `auto NAME`
 * (or `allow-hotplug NAME` when that is how the file marks its other
 * NICs; neither when NAME is already marked), `iface NAME inet METHOD`
 * and its options (CIDR when the file writes addresses so, else address
 * and netmask lines).  Other stanzas, `inet6` stanzas and comments are
 * untouched.  -1 when the stanza appears twice, or when it must be
 * written anew and nic->boot is GFILE_BOOT_KEEP.  The caller passes the
 * file that holds the stanza (interfaces or a file it sources), or
 * /etc/network/interfaces when none does.
 */
int	 gfile_ifupdown_apply_nic(const char *in, size_t len,
	    const struct gfile_nic *, struct buf *out);

#endif
