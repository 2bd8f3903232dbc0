/*
 * domcfg.h - a host's domain config, whichever format it is in: a Xen
 * config (xm vm.cfg, Oracle VM 2/3 vm.cfg, xl.cfg: hostcfg.h) or a
 * libvirt domain XML document (domxml.h).
 *
 * Every command reads and edits configs through this one interface, so a
 * recipe's [host] edits, vmcfg, inspect --vmcfg and scan work the same on
 * both.  The format is chosen by content, never by file name: a document
 * whose first byte that is not blank or a BOM is '<' is XML
 * (domxml_is_xml), anything else is a Xen config.  The functions below
 * have the contracts of their hostcfg_* namesakes (hostcfg.h) and hand
 * their work to the engine of the format; where the formats differ it is
 * said here.
 *
 * Keys (domcfg_set): "name", "uuid", "nicN.mac", "nicN.bridge",
 * "diskN.target" and "diskN.format" (qcow2 or raw: tap:qcow2: or
 * format=qcow2 in a Xen spec, <driver type='qcow2'/> in XML; the exact
 * rules are at hostcfg_set and domxml_set) in both formats; "OVM_simple_name", "nicN.ip" and other
 * vif keys in Xen configs only (an XML document refuses them).
 *
 * Specs: a Xen config's NIC and disk items are strings (vif and disk
 * specs).  A domain XML element is not, so for XML domcfg_nic_spec and
 * domcfg_disk_spec give a summary of the element in the same KEY=VALUE
 * form, for display: "type=bridge,mac=52:54:00:..,bridge=br0,
 * model=virtio" (the keys of domxml_nic_keys) and "type=file,
 * format=qcow2,dev=vda,readonly,shareable,target=PATH" (the flags only
 * when present; target last, as in xl's keyed form).  Edits never parse
 * these summaries.
 */
#ifndef IMPRINT_DOMCFG_H
#define IMPRINT_DOMCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Largest config read, in either format (both engines' cap, 16 MiB). */
#define DOMCFG_MAX_SIZE		(16u * 1024 * 1024)

enum domcfg_kind {
	DOMCFG_XEN,		/* hostcfg.c */
	DOMCFG_XML		/* domxml.c */
};

struct domcfg;

/*
 * Read PATH (at most 16 MiB) and parse it with the engine its content
 * calls for.  0 and *cfg_r (free with domcfg_free), or -1 after one
 * message.
 */
int	 domcfg_load(const char *path, struct domcfg **cfg_r);

/* Parse LEN bytes at BUF (copied), PATH naming it in messages. */
int	 domcfg_parse(const char *path, const char *buf, size_t len,
	    struct domcfg **cfg_r);

void	 domcfg_free(struct domcfg *);

enum domcfg_kind domcfg_kind(const struct domcfg *);

/* "xen" or "libvirt", for reports. */
const char *domcfg_kind_name(const struct domcfg *);

const char *domcfg_path(const struct domcfg *);
const char *domcfg_text(const struct domcfg *, size_t *len_r);
const char *domcfg_original(const struct domcfg *, size_t *len_r);
bool	 domcfg_changed(const struct domcfg *);

/* "name", "uuid"; in a Xen config any key holding a string. */
const char *domcfg_get_string(const struct domcfg *, const char *key);
int	 domcfg_key_line(const struct domcfg *, const char *key);

size_t	 domcfg_nic_count(const struct domcfg *);
/* A vif spec, or for XML the summary above (owned, valid until an edit). */
const char *domcfg_nic_spec(const struct domcfg *, size_t i);
int	 domcfg_nic_line(const struct domcfg *, size_t i);
char	*domcfg_nic_get(const struct domcfg *, size_t i, const char *key);
size_t	 domcfg_nic_keys(const struct domcfg *, size_t i,
	    struct strlist *keys);

size_t	 domcfg_disk_count(const struct domcfg *);
const char *domcfg_disk_spec(const struct domcfg *, size_t i);
int	 domcfg_disk_line(const struct domcfg *, size_t i);
char	*domcfg_disk_target(const struct domcfg *, size_t i);

/*
 * Is disk I a CD-ROM?  Always false for XML, where cdroms take no disk
 * index (domxml.h).
 */
bool	 domcfg_disk_is_cdrom(const struct domcfg *, size_t i);

/*
 * Does XML disk I have <readonly/>, <shareable/>?  False for a Xen
 * config, whose spec says so in its mode field (scan_disk_mode reads it).
 */
bool	 domcfg_disk_readonly(const struct domcfg *, size_t i);
bool	 domcfg_disk_shared(const struct domcfg *, size_t i);

int	 domcfg_set(struct domcfg *, const char *key, const char *value);

/*
 * Append a NIC: SPEC is "mac=M[,bridge=B]".  A Xen config takes it as a
 * vif spec.  A domain XML takes it for an <interface> of the same type
 * and source as the domain's last NIC when no bridge is given (a
 * type='network' NIC's network, a type='bridge' NIC's bridge), and
 * refuses, asking for a bridge, when there is none to copy.
 */
int	 domcfg_add_nic(struct domcfg *, const char *spec);
int	 domcfg_remove_nic(struct domcfg *, size_t i);

#endif
