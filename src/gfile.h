/*
 * gfile.h - parsers and editors for the guest files that carry a machine's
 * identity: shell-variable files (RHEL ifcfg-*, /etc/sysconfig/network),
 * udev 70-persistent-net.rules, /etc/hosts, /etc/hostname, ifupdown
 * /etc/network/interfaces, NetworkManager keyfiles, netplan YAML and
 * systemd-networkd .link/.network files.
 *
 * Everything here is a pure function: bytes in, values or bytes out.  No
 * module does guest I/O (that is guest.c over libguestfs), none sources
 * or executes anything, and none reads beyond the len it is given.  Input
 * is untrusted: it may hold NULs, CRLF line ends, no final newline, very
 * long lines, `$(...)` or backticks (always data).  Every parser is linear
 * in len and never fails on garbage; unparseable lines are skipped.
 *
 * Line numbers (the `line` members) count from 1.  Strings returned are
 * NUL-terminated copies (caller frees through the matching _free call).
 */
#ifndef IMPRINT_GFILE_H
#define IMPRINT_GFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* ---- Reading ---------------------------------------------------------- */

/*
 * Shell-variable files (ifcfg-*, /etc/sysconfig/network, SUSE ifcfg).
 * Returns the value of the LAST assignment of key (`KEY=...`, an optional
 * leading `export `), with shell quoting removed: '...' literal, "..."
 * with \-escapes of \ " $ ` and newline, bare words with \-escapes; the
 * line may end with a comment.  Nothing is expanded: `$(x)` stays `$(x)`.
 * A value holding a NUL byte is cut at it.  Reading stops at an
 * unterminated quote, `$(` or backtick (sh fails there too).  NULL when
 * absent.  Caller frees.
 */
char	*gfile_shvar_get(const char *buf, size_t len, const char *key);

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
 * /etc/hostname or /etc/HOSTNAME: the first word of the first non-blank,
 * non-comment line; NULL if none.  Caller frees.
 */
char	*gfile_hostname_parse(const char *buf, size_t len);

/*
 * ifupdown /etc/network/interfaces: one entry per `iface NAME FAMILY
 * METHOD` stanza with its options (address may be CIDR as written;
 * `hwaddress ether MAC` or `hwaddress MAC` give the MAC only; absent
 * options are NULL).  `auto NAME...` and `allow-hotplug NAME...` lines set
 * auto_ on every stanza of that name, before or after the line.  The
 * pattern of each `source` / `source-directory` line is appended to
 * *sources (which must be initialised; may be NULL to ignore them) so the
 * caller can report files it does not read.  Returns 0; free with
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
 * INI-style files: NetworkManager keyfiles and systemd-networkd .link /
 * .network.  Value of the last `key=value` inside any `[section]` of that
 * name, blanks around the value trimmed, names compared case-sensitively;
 * lines starting with '#' or ';' are comments.  No unescaping (NM's \s
 * etc. stay as written).  NULL when absent.  Caller frees.
 */
char	*gfile_ini_get(const char *buf, size_t len, const char *section,
	    const char *key);

/*
 * netplan: the first `macaddress:` scalar (quotes removed) under the
 * interface name iface in an `ethernets:` mapping, or NULL.  A small
 * indentation-based reader, not a YAML parser: flow style is not
 * followed.  Caller frees.
 */
char	*gfile_netplan_mac(const char *buf, size_t len, const char *iface);

/* ---- Editing ---------------------------------------------------------- */

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
 *     a netmask and a gateway stay.  A mapping never adds a setting.
 * hostname: new FQDN or short name, NULL = leave.  Goes whole into
 *     /etc/hostname and HOSTNAME=; its short name (before the first dot)
 *     into DHCP_HOSTNAME=, NM dhcp-hostname= and ifupdown `hostname`.
 * old_hostname: for /etc/hosts: whole fields equal to it or to its short
 *     name are replaced by hostname resp. its short name.  NULL = hosts
 *     left alone.
 * uuid: new connection uuid (ifcfg UUID=, NM [connection] uuid=), NULL =
 *     leave.
 */
struct gfile_job {
	const struct gfile_map	*macs;
	size_t			 nmacs;
	const struct gfile_map	*ips;
	size_t			 nips;
	const char		*hostname;
	const char		*old_hostname;
	const char		*uuid;
};

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
 * substitution.  out is then unspecified (the caller releases it).
 * Values are otherwise trusted: validate MACs, addresses, host names and
 * uuids (valid.h) before building the job.
 */
int	 gfile_edit(enum gfile_kind, const struct gfile_job *, const char *in,
	    size_t len, struct buf *out);

/*
 * Shell-variable files: set key to value.  The last assignment of key has
 * its value replaced: its quote style kept when that style can hold value
 * ('...' needs no ', "..." gets \-escapes of \ " $ `), a bare value stays
 * bare when value needs no quoting, else it is quoted with
 * gfile_shvar_quote.  A comment after the value is kept.  When key is
 * absent, `KEY=value` (quoted as needed) is appended with the file's line
 * ending (CRLF if its first line ends in CRLF), after adding a line end
 * to a last line that lacks one.  out is reset first.  Returns 0, or -1
 * with a message when key is not a shell name, value holds a newline or
 * CR, the file has an unterminated quote or substitution, or the result
 * would not read back as key=value (an append after a trailing
 * backslash-newline, say).
 */
int	 gfile_shvar_set(const char *in, size_t len, const char *key,
	    const char *value, struct buf *out);

/*
 * Append value to out, quoted for a POSIX shell: bare when it holds only
 * [A-Za-z0-9_@%+=:,./-] and is non-empty, else in single quotes with each
 * ' written as '\''.
 */
void	 gfile_shvar_quote(const char *value, struct buf *out);

/* ---- Shared by the gfile_*.c modules only ----------------------------- */

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
 * INI line classification: returns 1 for `[name]` (name span in
 * *a, *alen), 2 for `key=value` (key span *a, *alen trimmed, value span
 * *v, *vlen with outer blanks trimmed), 0 for anything else (blank,
 * comment starting with '#' or ';', garbage).  Spans point into l->p.
 */
int	 gfile_ini_line(const struct gfile_line *l, const char **a,
	    size_t *alen, const char **v, size_t *vlen);

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

/* The new MAC for the n-byte MAC text at s, or NULL when not mapped. */
const char *gfile_job_mac(const struct gfile_job *, const char *s, size_t n);
/* The new address for the n-byte IPv4 text at s, or NULL. */
const char *gfile_job_ip(const struct gfile_job *, const char *s, size_t n);
/* Length of the short name (up to the first dot) of a hostname. */
size_t	 gfile_short_len(const char *hostname);
/* Does the n-byte s equal the NUL-terminated t (ASCII case folded)? */
bool	 gfile_span_caseeq(const char *s, size_t n, const char *t);

/*
 * Per-format editors behind gfile_edit, same contract; the job has been
 * checked by gfile_edit already.
 */
int	 gfile_ifcfg_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);
int	 gfile_sysconfig_network_edit(const struct gfile_job *, const char *,
	    size_t, struct buf *);
int	 gfile_udev_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);
int	 gfile_hostname_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);
int	 gfile_hosts_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);
int	 gfile_ifupdown_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);
int	 gfile_nm_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);
int	 gfile_netplan_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);
int	 gfile_networkd_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

#endif
