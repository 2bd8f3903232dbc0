/*
 * gfile.h - the front door of the guest-file layer: parsers and editors
 * for the guest files that carry a machine's identity: shell-variable
 * files (RHEL ifcfg-*, /etc/sysconfig/network), udev
 * 70-persistent-net.rules, /etc/hosts, /etc/hostname, ifupdown
 * /etc/network/interfaces, NetworkManager keyfiles, netplan YAML and
 * systemd-networkd .link/.network files; for `imprint apply` also kudzu's
 * /etc/sysconfig/hwconf and /etc/shadow.
 *
 * This header declares the format-by-path lookup and gfile_edit, and
 * includes every editor's header (gfile_ifcfg.h, gfile_udev.h, ...) so
 * that callers include this one alone.  The layers, each calling only
 * those below it: gfile_lib (lines, INI, splicing, job lookups), the
 * shell-variable codec gfile_shvar, one editor module a format, and
 * gfile.c.  No editor includes this header.
 *
 * Everything here is a pure function: bytes in, values or bytes out.  No
 * module does guest I/O (that is guest.c over libguestfs), none sources
 * or executes anything, and none reads beyond the len it is given.  Input
 * is untrusted: it may hold NULs, CRLF line ends, no final newline, very
 * long lines, `$(...)` or backticks (always data).  Every parser is linear
 * in len and never fails on garbage; unparseable lines are skipped (the
 * netplan reader, on libyaml, stops at the first error instead).
 *
 * Line numbers (the `line` members) count from 1.  Strings returned are
 * NUL-terminated copies (caller frees through the matching _free call).
 */
#ifndef IMPRINT_GFILE_H
#define IMPRINT_GFILE_H

#include <stdbool.h>

#include "gfile_hostname.h"
#include "gfile_hosts.h"
#include "gfile_hwconf.h"
#include "gfile_ifcfg.h"
#include "gfile_ifupdown.h"
#include "gfile_lib.h"
#include "gfile_netplan.h"
#include "gfile_networkd.h"
#include "gfile_nm.h"
#include "gfile_shadow.h"
#include "gfile_shvar.h"
#include "gfile_sysconfig_network.h"
#include "gfile_udev.h"
#include "util.h"

enum gfile_kind {
	GFILE_IFCFG,			/* .../network-scripts/ifcfg-*, */
					/* SUSE .../network/ifcfg-* */
	GFILE_SYSCONFIG_NETWORK,	/* /etc/sysconfig/network */
	GFILE_UDEV_NET,			/* *-persistent-net.rules */
	GFILE_HOSTNAME,			/* /etc/hostname, /etc/HOSTNAME */
	GFILE_HOSTS,			/* /etc/hosts */
	GFILE_IFUPDOWN,			/* /etc/network/interfaces{,.d/ *} */
	GFILE_NM_KEYFILE,		/* *.nmconnection, or any file in */
					/* NetworkManager/system-connections/ */
	GFILE_NETPLAN,			/* /etc/netplan/ *.yaml */
	GFILE_NETWORKD_LINK,		/* *.link */
	GFILE_NETWORKD_NETWORK		/* *.network */
};

/*
 * Which format a guest path holds, from its name.  *known_r (may be NULL)
 * is set to false when the path matches nothing; the kind returned is then
 * GFILE_IFCFG and must not be used.
 */
enum gfile_kind	 gfile_kind_for_path(const char *guest_path, bool *known_r);

/* Short name of a kind for messages ("ifcfg", "hosts", ...). */
const char	*gfile_kind_name(enum gfile_kind);

/*
 * Apply job to the file in [in, in+len) of the given kind.  out is reset,
 * then receives the new bytes: on 0 they may be identical to the input
 * (nothing matched).  Every byte the edit does not touch is kept (line
 * ends, comments, quoting style, trailing blanks, a missing final
 * newline).  Returns -1 after printing one message when the edit is
 * refused: a job value holding a newline or CR; outside shell files, a
 * value with a character other than [A-Za-z0-9._:/-] (no quoting exists
 * there to protect it); a shell file with an unterminated quote or
 * substitution; a netplan file that is not YAML to libyaml (or is nested
 * deeper, or has more directives, than netplan files ever do), or whose
 * mapped scalar is not written as its value (an escape, a line break).
 * out is then unspecified (the caller releases it).
 * Values are otherwise trusted: validate MACs, addresses, host names and
 * uuids (valid.h) before building the job.
 */
int	 gfile_edit(enum gfile_kind, const struct gfile_job *, const char *in,
	    size_t len, struct buf *out);

#endif
