/*
 * gfile_lib.h - what every guest-file editor shares, and nothing else:
 * the job and NIC descriptions they are handed (struct gfile_job, struct
 * gfile_nic) and the contract of every editor, line and field splitters,
 * an INI reader, a splicing editor that copies untouched bytes, the
 * lookups (and splices) of a job's MAC and address mappings, and the
 * checks of a NIC's values.
 *
 * The bottom of the guest-file layer: it knows no format (gfile_shvar.c,
 * gfile_udev.c, ... do) and calls none of them; the editors and the
 * front door (gfile.h) are built on it.  Pure functions; no I/O.
 */
#ifndef IMPRINT_GFILE_LIB_H
#define IMPRINT_GFILE_LIB_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* One mapping old -> new (a MAC or an IPv4 address). */
struct gfile_map {
	const char	*from;
	const char	*to;
};

/*
 * What to change in a guest file (fixtures/README.md, rules 8-10).
 *
 * macs: MAC-valued settings equal to a `from` (case-insensitively) become
 *     `to`, written exactly as given (callers pass lower case).  Keyword
 *     values such as cloned-mac-address=stable, comments and other MACs
 *     are left alone.
 * ips: IPv4 address mappings; only the address part changes, a /prefix,
 *     a netmask and a gateway stay.  In /etc/hosts, an address field
 *     equal to a `from` becomes its `to`.  A mapping never adds a setting.
 * hostname: new FQDN or short name, NULL = leave.  Goes whole into
 *     /etc/hostname and HOSTNAME=; its short name (before the first dot)
 *     into DHCP_HOSTNAME=, NM dhcp-hostname= and ifupdown `hostname`.
 * old_hostname: for /etc/hosts: whole fields equal to it or to its short
 *     name are replaced by hostname resp. its short name.  NULL = hosts
 *     left alone.
 * uuid: new connection uuid (ifcfg UUID=, NM [connection] uuid=), NULL =
 *     leave.
 * gws: IPv4 gateway mappings, applied only where a format writes a
 *     gateway (NM addressN's ",gw" and gateway=, networkd Gateway=,
 *     netplan gateway4: and a route's via:); an address mapping never
 *     touches a gateway, nor this one an address.
 */
struct gfile_job {
	const struct gfile_map	*macs;
	size_t			 nmacs;
	const struct gfile_map	*ips;
	size_t			 nips;
	const struct gfile_map	*gws;
	size_t			 ngws;
	const char		*hostname;
	const char		*old_hostname;
	const char		*uuid;
};

enum gfile_boot {
	GFILE_BOOT_KEEP,	/* leave method and addresses alone */
	GFILE_BOOT_STATIC,	/* address/prefix (and gateway) */
	GFILE_BOOT_DHCP
};

/*
 * What a recipe wants for one NIC.  Strings are borrowed.  name must be
 * a plain interface name ([A-Za-z0-9_.-], starting with a letter or
 * digit, at most 15 bytes; no ':' aliases).  mac is a
 * MAC for a NIC (mac_valid_nic), written in lower case as given, or NULL
 * to leave MACs alone.  For GFILE_BOOT_STATIC, address is an IPv4
 * address without a prefix and prefix 0..32; gateway an IPv4 address or
 * NULL (leave).  With GFILE_BOOT_KEEP, address, prefix and gateway are
 * ignored.  hostname (RFC 1123; only its short name is written) and uuid
 * (lower-case dashed) only replace settings the file already has; NULL =
 * leave.
 */
struct gfile_nic {
	const char	*name;
	const char	*mac;
	int		 boot;		/* enum gfile_boot */
	const char	*address;
	int		 prefix;
	const char	*gateway;
	const char	*hostname;
	const char	*uuid;
};

/*
 * The editing contract of every whole-file editor (gfile_edit and the
 * editors behind it, and the imprint apply editors, which set what a
 * recipe states rather than map old values to new ones): out is reset
 * and receives the new bytes (possibly identical to the input; applying
 * the same settings to the output again gives the same bytes), every
 * byte not edited is kept (comments, order, quoting, CRLF, a missing
 * final newline; in shell files, a line appended after a last line
 * without one ends that line first and ends itself, and removing such a
 * last line leaves the line end before it), and -1 comes after printing
 * one message, out then unspecified.  The apply editors check their
 * values again (valid.h) and refuse bad ones.
 */

/* ---- Reading text ----------------------------------------------------- */

/* A blank or a tab. */
bool	 gfile_is_blank(char c);
/*
 * Does the n-byte s equal the NUL-terminated t: exactly (gfile_span_eq),
 * or with ASCII case folded (gfile_span_caseeq)?
 */
bool	 gfile_span_eq(const char *s, size_t n, const char *t);
bool	 gfile_span_caseeq(const char *s, size_t n, const char *t);

/*
 * One physical line: p points into the input, len excludes the "\n" and
 * one "\r" before it (or a lone final "\r"); off is p's offset in the
 * input and no its 1-based number.
 */
struct gfile_line {
	const char	*p;
	size_t		 len;
	size_t		 off;
	size_t		 no;
};
/* Next line from *pos (start at 0, no at 0); false at the end. */
bool	 gfile_line_next(const char *buf, size_t len, size_t *pos,
	    struct gfile_line *l);
/* CRLF when the first line of [buf, buf+len) ends in CRLF, else LF. */
const char *gfile_eol(const char *buf, size_t len);

/*
 * Next blank-separated field of p[0..len) from *pos (start at 0): its
 * span [*start, *end); false when none is left.  Blanks, tabs, CR, NUL,
 * VT and FF all separate, so a field never holds a control character.
 */
bool	 gfile_field_next(const char *p, size_t len, size_t *pos,
	    size_t *start, size_t *end);

/*
 * INI line classification: returns 1 for `[name]` (name span in
 * *a, *alen), 2 for `key=value` (key span *a, *alen trimmed, value span
 * *v, *vlen with outer blanks trimmed), 0 for anything else (blank,
 * comment starting with '#' or ';', garbage).  Spans point into l->p.
 */
int	 gfile_ini_line(const struct gfile_line *l, const char **a,
	    size_t *alen, const char **v, size_t *vlen);

/*
 * INI-style files: NetworkManager keyfiles and systemd-networkd .link /
 * .network.  Value of the last `key=value` inside any `[section]` of that
 * name, blanks around the value trimmed, names compared case-sensitively;
 * lines starting with '#' or ';' are comments.  No unescaping (NM's \s
 * etc. stay as written).  NULL when absent.  Caller frees.
 */
char	*gfile_ini_get(const char *buf, size_t len, const char *section,
	    const char *key);
/*
 * The same for the first key=value of that name: systemd-networkd's
 * repeatable keys (Address=, a [Match] list) mean all their values, and
 * the first is the NIC's main one.
 */
char	*gfile_ini_get_first(const char *buf, size_t len, const char *section,
	    const char *key);

/*
 * Splicing editor: copies the input to out, replacing increasing,
 * non-overlapping spans [start, end) (offsets in the input).
 */
struct gfile_ed {
	const char	*in;
	size_t		 len;
	size_t		 done;
	struct buf	*out;
};
void	 gfile_ed_init(struct gfile_ed *, const char *in, size_t len,
	    struct buf *out);
void	 gfile_ed_replace(struct gfile_ed *, size_t start, size_t end,
	    const char *s, size_t n);
void	 gfile_ed_finish(struct gfile_ed *);

/* ---- Jobs and NICs --------------------------------------------------- */

/* Length of the short name (up to the first dot) of a hostname. */
size_t	 gfile_short_len(const char *hostname);
/* The new MAC for the n-byte MAC text at s, or NULL when not mapped. */
const char *gfile_job_mac(const struct gfile_job *, const char *s, size_t n);
/* The new address for the n-byte IPv4 text at s, or NULL. */
const char *gfile_job_ip(const struct gfile_job *, const char *s, size_t n);
/*
 * Splice the job's new MAC over the MAC text at input offsets [start,
 * end) when the job maps it; else leave it.
 */
void	 gfile_ed_map_mac(struct gfile_ed *, const struct gfile_job *,
	    size_t start, size_t end);
/*
 * Splice the job's new address over the IPv4 address that starts at
 * input offset start and ends at end or at the first byte found in stops
 * ("/" before a CIDR prefix; NM also ",;" before a gateway), when the job
 * maps it; what follows the address stays.
 */
void	 gfile_ed_map_ip(struct gfile_ed *, const struct gfile_job *,
	    size_t start, size_t end, const char *stops);
/* The same with the job's gateway mappings, at a gateway. */
void	 gfile_ed_map_gw(struct gfile_ed *, const struct gfile_job *,
	    size_t start, size_t end, const char *stops);

/*
 * An interface name that is safe in a file name and in every format:
 * [A-Za-z0-9_.-], starting with a letter or digit, at most 15 bytes.
 */
bool	 gfile_nic_name_valid(const char *name);
/*
 * For the whole-NIC editors: check every value of a nic (valid.h),
 * printing one message and returning -1 on the first bad one; and the
 * dotted netmask of a prefix 0..32 into out.
 */
int	 gfile_nic_check(const struct gfile_nic *);
void	 gfile_prefix_mask(int prefix, char out[16]);

#endif
