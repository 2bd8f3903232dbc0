/*
 * domxml.h - read and minimally edit a libvirt domain XML document (what
 * `virsh dumpxml --inactive` prints, or /etc/libvirt/qemu/NAME.xml).
 *
 * The counterpart of hostcfg.h for libvirt: the same keys, the same
 * return contract, the same byte-exact edits.  libxml2 parses and checks
 * the document; the edits are splices into the original bytes (only the
 * attribute value or element text that changes), followed by a full
 * re-parse, so all accessors always describe the current text.  Every
 * byte an edit does not touch stays as loaded: comments, attribute order,
 * quote characters, indentation, line endings, entity and character
 * references (see tests/data/fixtures/README.md, "Domain XML").
 *
 * Accepted: a well-formed, namespace-well-formed UTF-8 document whose root
 * element is <domain> (no namespace), with an optional XML declaration
 * (encoding absent or UTF-8), a UTF-8 BOM, comments, processing
 * instructions, CDATA sections and foreign namespaces (<metadata>).
 * Refused with "FILE:LINE: message" (LINE 1-based) or "FILE: message",
 * nothing returned: anything libxml2 reports as an error, a DOCTYPE (so no
 * DTD and no entity but the five predefined ones and character
 * references; libxml2 never sees a DTD, and runs with XML_PARSE_NONET and
 * without XML_PARSE_NOENT), another root element, a declared encoding
 * other than UTF-8 (libxml2 is told to read UTF-8 whatever the
 * declaration says, so the bytes it parses are the bytes edited), a first
 * non-blank byte that is not '<', NUL bytes, more than DOMXML_MAX_MARKUP
 * '<' bytes, and files over DOMXML_MAX_SIZE bytes.  Nothing is validated
 * against libvirt's schema.
 *
 * What is read, following libvirt's own lookups:
 *   name, uuid   the text of the first <name> / <uuid> child of <domain>
 *                (entity and character references decoded)
 *   nicN         the N-th (0-based) <interface> child of a <devices>
 *                child of <domain>, in document order, whatever its type
 *   diskN        the N-th <disk> child of a <devices> child of <domain>
 *                whose device attribute is "disk" or absent (libvirt's
 *                default).  <disk device='cdrom'>, 'floppy' and 'lun'
 *                are skipped and take no index, so disk0 is the first
 *                real disk even when a cdrom comes before it.  (The Xen
 *                engine counts a cdrom item of the disk list; the two
 *                agree when cdroms come after the disks.)
 * A NIC's MAC is the address attribute of its first <mac> child; its
 * "bridge" is the bridge attribute of its first <source> child for
 * type='bridge' and the network attribute for type='network' (other
 * types have none).  A disk's target is an attribute of its first
 * <source> child chosen by the disk's type: file (type 'file' or no
 * type), dev ('block'), dir ('dir'), name ('network': "pool/image", not
 * a host path); other types ('volume', 'nvme', ...) have none.
 *
 * Lines are 1-based and name the line of the element's '<' (libxml2's
 * own line numbers name the end of the start tag).
 *
 * Messages go to stderr with warnx(3).  This module writes no file; the
 * caller takes domxml_text() and writes it atomically.
 */
#ifndef IMPRINT_DOMXML_H
#define IMPRINT_DOMXML_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Largest document accepted (16 MiB, as HOSTCFG_MAX_SIZE). */
#define DOMXML_MAX_SIZE		(16u * 1024 * 1024)
/*
 * Most '<' bytes accepted in one document.  A real domain has a few
 * hundred elements; the cap bounds libxml2's tree (some 100 bytes a node)
 * to a few tens of MiB whatever the input.
 */
#define DOMXML_MAX_MARKUP	200000

struct domxml;

/*
 * Does BUF look like XML, i.e. is its first byte that is not a blank
 * (space, tab, CR, LF) or part of a UTF-8 BOM a '<'?  A Xen config never
 * starts so (its first byte is a key, a comment '#' or a blank), so
 * callers can pick the engine by content.  Says nothing about validity.
 */
bool	 domxml_is_xml(const char *buf, size_t len);

/*
 * Is BUF a well-formed XML document whose root element is not a libvirt
 * <domain> (a <network>, a <pool>, a <domainsnapshot>...)?  Directory
 * walks (scan.c) use it to pass over libvirt's other documents without
 * calling them broken domains.  False for a <domain> root and for
 * anything that does not parse (which is then reported as a domain that
 * does not parse).  Prints nothing.
 */
bool	 domxml_other_root(const char *buf, size_t len);

/*
 * Parse LEN bytes at BUF (copied; BUF may hold anything).  PATH is only
 * used in messages and by domxml_path().  Returns 0 and *dx_r, or -1
 * after printing one message.
 */
int	 domxml_parse(const char *path, const char *buf, size_t len,
	    struct domxml **dx_r);

/* Free the object and everything it owns.  NULL is allowed. */
void	 domxml_free(struct domxml *);

/* The PATH given at load/parse time (owned by the object). */
const char *domxml_path(const struct domxml *);

/*
 * The current text (edited or not), *len_r bytes, NUL-terminated for
 * convenience.  Owned by the object; valid until the next edit or free.
 */
const char *domxml_text(const struct domxml *, size_t *len_r);

/* The bytes as loaded, *len_r bytes.  Owned by the object. */
const char *domxml_original(const struct domxml *, size_t *len_r);

/* Does the current text differ from the loaded bytes? */
bool	 domxml_changed(const struct domxml *);

/*
 * Decoded text of KEY ("name" or "uuid"), or NULL if the element is
 * absent (or KEY is another word).  Owned by the object; valid until the
 * next edit or free.
 */
const char *domxml_get_string(const struct domxml *, const char *key);

/* 1-based line of KEY's element ("name" or "uuid"), 0 if absent. */
int	 domxml_key_line(const struct domxml *, const char *key);

/* Number of NICs (<interface> elements). */
size_t	 domxml_nic_count(const struct domxml *);

/* 1-based line of NIC I's <interface>, 0 if I is out of range. */
int	 domxml_nic_line(const struct domxml *, size_t i);

/*
 * Decoded value of KEY for NIC I, or NULL if absent or I is out of
 * range.  Caller frees.  KEY is one of:
 *   "mac"     <mac address=>
 *   "bridge"  <source bridge=> (type='bridge') or <source network=>
 *             (type='network'): what "nicN.bridge" edits
 *   "type"    the interface's type attribute
 *   "model"   <model type=>
 *   "target"  <target dev=> (a fixed host tap name; clones must not share
 *             one)
 */
char	*domxml_nic_get(const struct domxml *, size_t i, const char *key);

/*
 * Append the keys domxml_nic_get has a value for on NIC I, in the order
 * type, mac, bridge, model, target, to KEYS.  Returns the number added
 * (0 if I is out of range).
 */
size_t	 domxml_nic_keys(const struct domxml *, size_t i,
	    struct strlist *keys);

/* Number of disks of device disk (see above). */
size_t	 domxml_disk_count(const struct domxml *);

/* 1-based line of disk I's <disk>, 0 if I is out of range. */
int	 domxml_disk_line(const struct domxml *, size_t i);

/*
 * Decoded target of disk I (the source attribute chosen by the disk's
 * type, see above), or NULL if I is out of range or the disk has none
 * (an empty drive, a volume).  Caller frees.
 */
char	*domxml_disk_target(const struct domxml *, size_t i);

/*
 * Decoded value of KEY for disk I, or NULL if absent or I is out of
 * range.  Caller frees.  KEY is one of:
 *   "type"       the disk's type attribute (file, block, network, ...)
 *   "format"     <driver type=> (raw, qcow2, ...)
 *   "dev"        <target dev=> (vda, xvda1, ...)
 *   "readonly"   "yes" when the disk has <readonly/>
 *   "shareable"  "yes" when the disk has <shareable/>
 */
char	*domxml_disk_get(const struct domxml *, size_t i, const char *key);

/*
 * Set one value, validating it first.  KEY is one of:
 *   "name"          a libvirt domain name: non-empty UTF-8 without
 *                   control characters or '/', no blank at either end
 *   "uuid"          uuid_valid(VALUE) (lower-case dashed, 36 characters)
 *   "nicN.mac"      mac_valid_nic(VALUE); written in lower case
 *   "nicN.bridge"   cfg_word_valid(VALUE); the bridge of a type='bridge'
 *                   NIC or the network of a type='network' NIC (refused
 *                   for other types and when <source> lacks it)
 *   "diskN.target"  abs_path_valid(VALUE) for file, dev and dir sources;
 *                   for a network disk's name any non-empty UTF-8 without
 *                   control characters
 *   "diskN.format"  "qcow2" or "raw" (anything else is refused): the
 *                   type attribute of the disk's <driver> is replaced,
 *                   or added after the driver's last attribute; raw on a
 *                   disk without a driver type changes nothing (libvirt
 *                   reads such a disk as raw); qcow2 on a disk without
 *                   <driver> inserts <driver name='qemu' type='qcow2'/>
 *                   as its first child, indented as that child (quote:
 *                   the disk's type attribute's), for a domain of type
 *                   kvm or qemu only: for other types (xen) the driver
 *                   name is the hypervisor's choice, so it is refused
 * VALUE is final (the caller has already turned "new"/"auto" into a
 * value).  An existing value is replaced in place: the bytes between the
 * attribute's quotes, or all the bytes between <name>/<uuid> and its end
 * tag; everything else stays.  The new value is escaped as XML needs
 * there: & < > always, and in an attribute the quote character in use
 * (&apos; or &quot;; the other quote is written as is).  An element
 * whose content is more than text and references (a comment, CDATA, a
 * child element) or that is written <name/> is refused.
 *
 * A missing <uuid> is inserted right after </name>: on a line of its own
 * with name's indentation and the file's line ending when <name> stands
 * alone on its line, else directly after </name>.  A missing <mac> is
 * inserted as <mac address=QVALUEQ/> before the interface's first child
 * element (on its own line with that child's indentation when the child
 * starts its line), Q being the quote of the interface's type attribute.
 * A missing <name>, <source> or source attribute is refused.
 *
 * Returns 0 when the text was edited (and re-parsed), 1 when the decoded
 * value already was exactly VALUE (nothing changed), or -1 after one
 * message (bad key, bad value, index out of range, nothing to edit...);
 * on -1 the object is unchanged.
 */
int	 domxml_set(struct domxml *, const char *key, const char *value);

/*
 * Append a NIC described by SPEC, comma-separated KEY=VALUE fields among
 * mac (validated as for "nicN.mac", written in lower case), bridge or
 * network (exactly one; cfg_word_valid) and model (cfg_word_valid), each
 * at most once.  The element is
 *     <interface type=QbridgeQ>          (or type=QnetworkQ)
 *       <mac address=QMACQ/>            (if mac= was given)
 *       <source bridge=QBRIDGEQ/>       (or network=)
 *       <model type=QMODELQ/>           (if model= was given)
 *     </interface>
 * written after the last <interface>, on new lines with its indentation
 * (children one indentation step deeper, the step taken from the existing
 * interface's children, else from the nesting, else two spaces), its
 * quote character Q and the file's line ending; with no interface yet,
 * before </devices> with the indentation of <devices>' children.  Returns
 * 0, or -1 after one message (object unchanged; no <devices> is refused).
 */
int	 domxml_add_nic(struct domxml *, const char *spec);

/*
 * Remove NIC I's <interface> element, with its whole line (leading
 * blanks, trailing blanks and line ending) when it stands alone on its
 * lines.  Comments near it stay.  Returns 0, or -1 after one message
 * (object unchanged).
 */
int	 domxml_remove_nic(struct domxml *, size_t i);

#endif
