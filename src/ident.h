/*
 * ident.h - new identity values: domain uuids, NIC MACs, password hashes.
 *
 * MACs are drawn from getrandom(2) under a prefix and are kept unique
 * within one run and apart from the MACs found in domain configs under
 * directories the caller names.  The module parses no config itself: it
 * asks scan.c to find and read the files it scans.
 */
#ifndef IMPRINT_IDENT_H
#define IMPRINT_IDENT_H

#include <stdbool.h>
#include <stddef.h>

/* Longest prefix ident_macs_set_prefix accepts, in octets. */
#define IDENT_PREFIX_MAX	5

/*
 * A MAC generator: the prefix in use and the set of MACs already taken.
 * Create with ident_macs_new, release with ident_macs_free.
 */
struct ident_macs;

/* A generator with Xen's prefix 00:16:3e and an empty taken set. */
struct ident_macs *ident_macs_new(void);
void	ident_macs_free(struct ident_macs *);

/*
 * Choose the prefix for new MACs.  spec is "xen" (00:16:3e, the 4th octet
 * kept below 0x80 because Xen reserves the upper half), "kvm" (52:54:00),
 * "ovm3" (00:21:f6), or 1 to IDENT_PREFIX_MAX hex octets "xx:xx:...".  A
 * user prefix must be unicast (bit 0 of the first octet clear); one that
 * starts with 00:16:3e follows Xen's rule too, so its 4th octet, if given,
 * must be below 0x80.  Returns 0, or -1 after printing one message.
 */
int	ident_macs_set_prefix(struct ident_macs *, const char *spec);

/*
 * Mark a MAC as taken, so that ident_new_mac never returns it.  The
 * string form is compared case-insensitively; a string that is not a MAC
 * is ignored (returns -1, prints nothing), else returns 0.
 */
void	ident_macs_take(struct ident_macs *, const unsigned char mac[6]);
int	ident_macs_take_str(struct ident_macs *, const char *mac);
/* Is this MAC taken? */
bool	ident_macs_taken(const struct ident_macs *,
	    const unsigned char mac[6]);
/* How many MACs are taken. */
size_t	ident_macs_count(const struct ident_macs *);

/*
 * Mark as taken every MAC in the domain configs under dir, as scan.c's
 * walk finds them: files named "*.cfg" (which includes vm.cfg) and
 * "*.xml" (libvirt domains; other libvirt documents are passed over),
 * searched
 * recursively without following symbolic links below dir (dir itself may
 * be one, or a config file of any name).  Each file is parsed with
 * domcfg; a file that does not parse gets its parser message and one
 * warning, and its text is searched for MAC-shaped tokens instead, so an
 * odd file never hides a collision.  Tokens in comments are taken too
 * (harmless).  Returns 0, or -1 after printing one message ("cannot scan
 * 'PATH' for MACs: reason") when dir, a directory below it or a config
 * cannot be read (too large, no permission), or there are more than
 * IDENT_SCAN_MAX_FILES configs: a partial scan could miss a collision.
 */
#define IDENT_SCAN_MAX_FILES	100000
int	ident_macs_scan(struct ident_macs *, const char *dir);

/*
 * Draw a new MAC under the prefix, unicast and not all-zero, not taken,
 * and mark it taken.  out gets the lower-case "xx:xx:xx:xx:xx:xx" form.
 * When random draws keep hitting taken MACs, the free ones are searched
 * from a random start, so a nearly full space still succeeds.  Returns 0,
 * or -1 after printing one message (no free MAC, getrandom failed).
 */
int	ident_new_mac(struct ident_macs *, char out[18]);

/*
 * ident_new_mac under the prefix spec (as ident_macs_set_prefix takes it)
 * for this one MAC, unless a prefix was chosen with ident_macs_set_prefix
 * (--mac-prefix), which wins; spec NULL: the generator's prefix.  The
 * taken set and the lane are shared.  Returns as ident_new_mac.
 */
int	ident_new_mac_default(struct ident_macs *, const char *spec,
	    char out[18]);

/*
 * The prefix new MACs of cfg's domain default to: "kvm" (52:54:00, what
 * libvirt itself gives) for a libvirt domain XML, "ovm3" when one of a
 * Xen config's vifs already has a MAC under Oracle VM's OUI 00:21:f6 (an
 * Oracle VM 3 file), else NULL (Xen's 00:16:3e).  cfg may be NULL.
 */
struct domcfg;
const char *ident_default_prefix(const struct domcfg *cfg);

/*
 * Restrict ident_new_mac to lane `lane` of `nlanes`: only candidates whose
 * number (the free bits after the prefix) is congruent to lane modulo
 * nlanes.  Parallel workers that start from one set of taken MACs and
 * each use their own lane can never draw the same MAC, without talking to
 * each other.  nlanes 0 or 1 lifts the restriction.
 */
void	ident_macs_set_lane(struct ident_macs *, unsigned lane,
	    unsigned nlanes);

/*
 * A new random uuid in the lower-case dashed form (36 characters and a
 * NUL) from libuuid.  Cannot fail.
 */
void	ident_new_uuid(char out[37]);

/*
 * Hash a password for /etc/shadow with libcrypt: prefix selects the
 * method ("$y$" yescrypt, "$6$" sha512crypt, ...; NULL for libcrypt's
 * default), with a fresh salt from crypt_gensalt_ra.  Returns the hash
 * (caller frees), or NULL after printing one message.  The plain text is
 * not kept; the library's work area is wiped with explicit_bzero.
 */
char	*ident_hash_password(const char *plain, const char *prefix);

/* The SSH host key types a guest's /etc/ssh/ssh_host_TYPE_key may be. */
bool	ident_ssh_type_ok(const char *type);

/*
 * A new SSH host key pair of TYPE (ident_ssh_type_ok: rsa, ecdsa,
 * ed25519, dsa) made by ssh-keygen(1) without a passphrase, comment
 * COMMENT (may be ""), in a private directory (mode 0700, emptied and
 * removed before returning).  Appends the private key's bytes to *priv,
 * the public key's line to *pub, and sets *fpr_r to its fingerprint
 * ("SHA256:...", caller frees).  Returns 0, or -1 after one message
 * (without ssh-keygen: "install openssh-client").  A key is made on the
 * host because a guest such as Debian does not make missing host keys at
 * boot (its sshd then fails to start).
 */
int	ident_ssh_hostkey(const char *type, const char *comment,
	    struct buf *priv, struct buf *pub, char **fpr_r);

/*
 * The fingerprint ("SHA256:...") of the public key line PUB (LEN bytes),
 * by ssh-keygen -l; NULL (no message) when it is not one.  Caller frees.
 */
char	*ident_ssh_fingerprint(const char *pub, size_t len);

#endif
