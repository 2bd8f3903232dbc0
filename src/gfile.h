/*
 * gfile.h - parsers and editors for the guest files that carry a machine's
 * identity: shell-variable files (RHEL ifcfg-*, /etc/sysconfig/network),
 * udev 70-persistent-net.rules, /etc/hosts, /etc/hostname, ifupdown
 * /etc/network/interfaces, NetworkManager keyfiles, netplan YAML and
 * systemd-networkd .link/.network files; for `imprint apply` also kudzu's
 * /etc/sysconfig/hwconf and /etc/shadow.
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

#include "gfile_lib.h"
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
 * netplan: the first `macaddress:` scalar (quotes removed) under the
 * interface name iface in an `ethernets:` mapping, or NULL.  A small
 * indentation-based reader, not a YAML parser: flow style is not
 * followed.  Caller frees.
 */
char	*gfile_netplan_mac(const char *buf, size_t len, const char *iface);

/* ---- Editing ---------------------------------------------------------- */

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

/* ---- Whole-NIC settings, new NICs, shadow, hwconf (imprint apply) ----- */

/*
 * These editors set what a recipe states rather than map old values to
 * new ones.  Same contract as gfile_edit: out is reset and receives the
 * new bytes (possibly identical to the input; applying the same settings
 * to the output again gives the same bytes), every byte not edited is
 * kept (comments, order, quoting, CRLF, a missing final newline; in shell
 * files, a line appended after a last line without one ends that line
 * first and ends itself, and removing such a last line leaves the line
 * end before it), and -1 comes after printing one message, out then
 * unspecified.  Values are checked again here (valid.h) and refused when
 * bad.
 */

/*
 * Shell-variable files: remove every assignment of key, each with its
 * whole line (leading blanks, an `export `, a trailing comment and the
 * line end).  Absent key: out equals the input.  Returns -1 when key is
 * not a shell name, the file has an unterminated quote or substitution,
 * or an assignment shares its line with another statement (`A=1; KEY=2`:
 * removing only part of such a line is not worth its corner cases).
 */
int	 gfile_shvar_unset(const char *in, size_t len, const char *key,
	    struct buf *out);

/*
 * RHEL/OEL/CentOS ifcfg-NAME: make the file say what nic says.
 *   HWADDR: set to mac when present (never added: a file without it binds
 *     by name).  An HWADDR equal to mac in another letter case is kept.
 *     MACADDR (a MAC override) is left alone.
 *   static: BOOTPROTO set to "static" unless it says "none" or "static"
 *     already (initscripts treat both alike; an absent BOOTPROTO means
 *     static too and stays absent).  IPADDR set (IPADDR0 when the file
 *     uses IPADDR0 and not IPADDR: NetworkManager's numbered style); the
 *     mask follows the file: PREFIX when it has PREFIX or neither,
 *     NETMASK (dotted) when it has NETMASK, both when it has both; an
 *     IPADDR written as a.b.c.d/N keeps that form.  GATEWAY set when
 *     gateway is given.  Secondary addresses (IPADDR1...) are kept.
 *   dhcp: BOOTPROTO=dhcp; every IPADDR, NETMASK, PREFIX, GATEWAY,
 *     BROADCAST and NETWORK variable (also numbered ones) removed.
 *   DHCP_HOSTNAME follows hostname's short name when present; UUID is
 *     replaced by uuid when present.  New variables are appended at the
 *     end (gfile_shvar_set).
 */
int	 gfile_ifcfg_apply_nic(const char *in, size_t len,
	    const struct gfile_nic *, struct buf *out);

/*
 * A new ifcfg for nic->name, in the style of a sibling's file (sibling is
 * the content of ifcfg-SIBLING_NAME): the sibling's variables, comments,
 * order and quoting are kept, then: DEVICE becomes nic->name; NAME, when
 * present, too (or just its trailing " SIBLING_NAME" word: "System
 * eth0" -> "System eth1"); HWADDR is set to nic->mac when the sibling has
 * HWADDR (removed when nic->mac is NULL, as the sibling's MAC would bind
 * the wrong NIC); MACADDR is removed, and UUID unless uuid is given (a
 * copied MAC override or connection uuid would clash with the sibling);
 * secondary addresses, BROADCAST and NETWORK are removed; for static,
 * GATEWAY is removed when no gateway is given (the sibling's gateway may
 * not be on this NIC's network).  Then as gfile_ifcfg_apply_nic.
 * Refused (-1): nic->boot GFILE_BOOT_KEEP with a static sibling (the copy
 * would duplicate its address), and siblings that are not a plain
 * Ethernet NIC: TYPE other than Ethernet, MASTER/SLAVE/BRIDGE/
 * TEAM_MASTER/BONDING_OPTS/VLAN/PHYSDEV/DEVICETYPE set, or DEVICE lo.
 */
int	 gfile_ifcfg_new_nic(const char *sibling, size_t len,
	    const char *sibling_name, const struct gfile_nic *,
	    struct buf *out);

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

/*
 * OEL5/RHEL5 kudzu /etc/sysconfig/hwconf: records separated by `-` lines
 * of `key: value` lines.  The value of every `hwaddr:` or
 * `*.hwaddr:` (kudzu writes `network.hwaddr:`) line equal to a macs[].from
 * (ignoring case) becomes its .to, in the letter case of the old value
 * (all upper case when it had upper-case letters and no lower-case ones,
 * else lower case as given): kudzu compares case-insensitively, so the
 * case only keeps the edit minimal.  Kudzu renames ifcfg files to .bak at
 * boot when the hardware no longer matches its record, so the record must
 * follow the new MAC.
 */
int	 gfile_hwconf_map_mac(const char *in, size_t len,
	    const struct gfile_map *macs, size_t n, struct buf *out);

/*
 * /etc/shadow: on the first line whose login is user, field 2 becomes
 * hash and, when days is not -1, field 3 (last change, days since the
 * epoch; passed in so that callers and tests decide the clock) becomes
 * days.  Everything else is kept byte for byte.  -1 when user or hash is
 * empty or holds ':' or a control character (a line break, say), days is
 * below -1, the user has no line, or its line has fewer than 3 fields
 * while days is to be set.
 */
int	 gfile_shadow_set_password(const char *in, size_t len,
	    const char *user, const char *hash, long days, struct buf *out);

/*
 * The crypt(3) prefix for a new root password hash on a guest, from
 * libguestfs inspection (distro as inspect_get_distro returns it, major
 * and minor version): "$y$" (yescrypt) where the guest's libcrypt is
 * libxcrypt with yescrypt: debian >= 11, ubuntu >= 22, fedora >= 35,
 * rhel/centos/oraclelinux/rocky/almalinux >= 9, opensuse/sles >= 16
 * (conservative: some older releases ship libxcrypt with yescrypt too,
 * but not all of them let PAM verify it); else "$6$" (SHA-512: glibc
 * 2.7 and later, RHEL/OL 5.2 and later).  Never DES or MD5, and never
 * NULL: a caller that must support RHEL 5.0/5.1 or older (no SHA-512 in
 * their glibc) checks the version itself.  Static strings.
 */
const char	*gfile_crypt_prefix_for(const char *distro, int major,
		    int minor);

/* ---- Shared by the gfile_*.c modules only ----------------------------- */

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

/*
 * gfile_shvar_unset for every variable whose name (the n bytes at key, not
 * NUL-terminated) match accepts; arg is passed through.
 */
int	 gfile_shvar_unset_if(const char *in, size_t len,
	    bool (*match)(const char *key, size_t n, const void *arg),
	    const void *arg, struct buf *out);

/*
 * Every assignment's value through map: map gets the key (n bytes, not
 * NUL-terminated), the value with quoting removed (vlen bytes, NUL
 * after them), whether this is the key's last assignment, and arg; it
 * returns the new value (malloc'd; freed here) or NULL to keep it.  A
 * new value is written as gfile_shvar_set would, and an unchanged one
 * keeps its bytes.  -1 with a message for an unterminated quote or
 * substitution.
 */
int	 gfile_shvar_map(const char *in, size_t len,
	    char *(*map)(const char *key, size_t n, const char *value,
	    size_t vlen, bool last, const void *arg),
	    const void *arg, struct buf *out);

#endif
