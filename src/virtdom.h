/*
 * virtdom.h - one libvirt domain, read and defined again through libvirt's
 * client library: the libvirt path of `[host] domain` and --domain, where
 * the domain config is not a file imprint may write but an object libvirt
 * keeps.
 *
 * The connection goes wherever the URI says (qemu:///system by default,
 * through libvirtd or virtqemud); imprint itself never needs a daemon,
 * and the unit tests use libvirt's in-process test driver,
 * test:///default.  The XML is read and edited with domxml.h; this module
 * fetches it and hands it back, reading only the new name and uuid.
 *
 * Messages go to stderr with warnx(3), one per failure, each naming the
 * URI and the domain ("test:///default: domain web01: ...").  libvirt's own
 * error printing is switched off for the whole process (a handler that
 * does nothing is installed with virSetErrorFunc), and the text of
 * libvirt's last error is quoted in our message instead.
 *
 * A handle belongs to one thread at a time.
 */
#ifndef IMPRINT_VIRTDOM_H
#define IMPRINT_VIRTDOM_H

#include <stdbool.h>

/* The URI used when none is given. */
#define VIRTDOM_DEFAULT_URI	"qemu:///system"

struct virtdom;

/*
 * Connect to URI (NULL: VIRTDOM_DEFAULT_URI; "" is refused), read-only
 * (virConnectOpenReadOnly) unless WRITE, and look up the domain NAME.
 * When NAME is a uuid (any form uuid_form() accepts: dashed or not, either
 * case), the domain with that uuid is looked up first, then, as virsh
 * does, one named so.
 *
 * With WRITE, a domain that is not shut off is refused: "URI: domain NAME
 * is running: shut it down first (virsh shutdown NAME)", and likewise for
 * paused, crashed, suspended (pmsuspended) and the other states, each
 * named, each with the virsh command that ends it.  ("virsh" is written
 * "virsh -c URI" when URI is not the default.)  virtdom_define checks
 * the state again: libvirt itself lets a running domain be redefined (the
 * change waits for its next boot), and the domain may have been started
 * since.
 *
 * Returns 0 and a new handle in *vd_r (free with virtdom_close), or -1
 * after one message, with nothing left open.
 */
int	 virtdom_open(const char *uri, const char *name, bool write,
	    struct virtdom **vd_r);

/*
 * The domain's inactive XML (the persistent definition, not the running
 * one), as virDomainGetXMLDesc gives it with VIR_DOMAIN_XML_INACTIVE and,
 * on a handle opened with WRITE, VIR_DOMAIN_XML_SECURE, so that secrets
 * (VNC and SPICE passwords, ...) are kept when the text is defined back.
 * libvirt refuses VIR_DOMAIN_XML_SECURE on a read-only connection, so a
 * read-only handle gets the XML without them.  Caller frees with free();
 * NULL after one message.
 */
char	*virtdom_xml(struct virtdom *);

/*
 * "URI#NAME", e.g. "test:///default#web01", NAME being the domain's name
 * as libvirt has it (also when it was opened by uuid): the label for
 * messages, domxml paths and undo records.  Owned by the handle; valid
 * until virtdom_define succeeds (the domain's name may change) or the
 * handle is closed.
 */
const char *virtdom_label(const struct virtdom *);

/*
 * The domain's name and its uuid (lower-case, dashed), as libvirt has
 * them.  Owned by the handle; valid as virtdom_label.
 */
const char *virtdom_name(const struct virtdom *);
const char *virtdom_uuid(const struct virtdom *);

/*
 * The domain's state (VIR_DOMAIN_RUNNING, VIR_DOMAIN_SHUTOFF, ...) and in
 * *name_r (if not NULL) a static word for it: "running", "shut off",
 * "paused", "crashed", ...  Returns -1 after one message when libvirt
 * cannot say.
 */
int	 virtdom_state(struct virtdom *, const char **name_r);

/*
 * Make XML (a whole <domain> document, edited from virtdom_xml) the
 * domain's persistent definition.  The handle must have been opened with
 * WRITE, and the domain must still be shut off (refused as by
 * virtdom_open otherwise).  XML is read with domxml_parse first (refused
 * as it refuses, or without a <name>) to learn its name and uuid:
 *
 *  - Same name and same uuid: virDomainDefineXML replaces the definition.
 *
 *  - Another name or another uuid or both (an absent <uuid> counts as
 *    another: libvirt makes one up): the domain being edited IS the
 *    clone, so it is replaced by a domain defined from XML, and the old
 *    definition goes.  libvirt refuses to define a known uuid under a new
 *    name and a known name with a new uuid, so:
 *    - both new: the new domain is defined first, then the old one is
 *      undefined; if that fails, the new one is undefined again;
 *    - only one new: the old domain's XML is read (secure, inactive), the
 *      old domain undefined, the new one defined; if that fails, the old
 *      XML is defined back.
 *    Refused before anything changes: a new name or uuid that another
 *    domain already has (it would redefine that domain).  The old
 *    domain's autostart flag is carried to the new one.  A domain is
 *    undefined with VIR_DOMAIN_UNDEFINE_KEEP_NVRAM and _KEEP_TPM, as far
 *    as the driver knows them (retried with fewer when it calls them
 *    unsupported, as the test driver does), so nothing the other
 *    definition may still use is deleted: the NVRAM file named in XML
 *    stays, and so does the swtpm state.  libvirt refuses to undefine a
 *    domain with a managed save image or snapshots under these flags;
 *    that is a refusal with nothing changed.
 *
 * Returns 0 when the definition is in place; the handle then refers to
 * the domain defined (its name, uuid and label are read back from
 * libvirt).  Returns -1 after one message; the domain is then as it was
 * (the message says otherwise when even the way back failed, naming what
 * is left).  Nothing here is atomic: another libvirt client acting on the
 * same domains meanwhile can see the steps.
 */
int	 virtdom_define(struct virtdom *, const char *xml);

/*
 * Did the last virtdom_open (or a function calling it) fail because the
 * domain is not shut off?  Commands report that as a refusal (exit 1),
 * other failures as input they cannot use (exit 2).
 */
bool	 virtdom_refused(void);

/* Close the connection and free the handle.  NULL is allowed. */
void	 virtdom_close(struct virtdom *);

/*
 * Domain references.  Where imprint names a domain config by a string (a
 * recipe's config, an undo record's host entry), a libvirt domain is
 * "libvirt:URI#DOMAIN": DOMAIN a name or a uuid as virtdom_open takes
 * them.  The part after the last '#' is the domain, so a URI may itself
 * hold '#'.  Every other string is a file path.
 */
#define VIRTDOM_REF_PREFIX	"libvirt:"

/* Does S start with VIRTDOM_REF_PREFIX? */
bool	 virtdom_is_ref(const char *s);

/* "libvirt:URI#DOMAIN" (URI NULL: VIRTDOM_DEFAULT_URI).  Caller frees. */
char	*virtdom_ref(const char *uri, const char *domain);

/*
 * Open the domain REF names, as virtdom_open does (WRITE: refused unless
 * shut off), read its inactive XML and parse it (domcfg_parse) as the
 * config *cfg_r, whose path is the domain's reference by uuid,
 * "libvirt:URI#UUID": the identity virtdom_replace and undo find it by.
 * The connection is closed again.  0, or -1 after one message.
 */
struct domcfg;
int	 virtdom_load(const char *ref, bool write, struct domcfg **cfg_r);

/*
 * Make NEW (NEWLEN bytes, a whole <domain> document) the definition of
 * the domain REF names, through virtdom_define (so a new name or uuid
 * replaces the domain).  When OLD is not NULL, the domain's inactive XML
 * must still be exactly those OLDLEN bytes (what was planned from):
 * anything else is refused with nothing changed ("changed since it was
 * read").  0, or -1 after one message.
 */
int	 virtdom_replace(const char *ref, const char *old, size_t oldlen,
	    const char *new, size_t newlen);

#endif
