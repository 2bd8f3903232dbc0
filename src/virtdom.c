/*
 * virtdom.c - one libvirt domain through libvirt's client library: look
 * it up, check it is shut off, fetch its XML, define edited XML back.
 *
 * This file does not parse or edit XML beyond asking domxml.c for the
 * name and uuid of a new definition, writes no file, and never starts,
 * stops or otherwise changes a domain's run state: a domain that is not
 * shut off is refused, with the virsh command that would end that state.
 */
#include <err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "domcfg.h"
#include "domxml.h"
#include "util.h"
#include "valid.h"
#include "virtdom.h"

struct virtdom {
	char		*uri;
	virConnectPtr	 conn;
	virDomainPtr	 dom;
	bool		 write;
	char		*name;
	char		 uuid[VIR_UUID_STRING_BUFLEN];
	char		*label;
};

/*
 * What each state is called, and how to end it (one or two virsh
 * commands, NAME appended to each) so that the domain may be defined.
 */
static const struct vstate {
	int		 state;
	const char	*word;		/* for virtdom_state */
	const char	*is;		/* "domain NAME <is>" */
	const char	*advice;
	const char	*cmd1, *cmd2;
} vstates[] = {
	{ VIR_DOMAIN_NOSTATE, "no state", "is in no known state",
	    "shut it down first", "shutdown", NULL },
	{ VIR_DOMAIN_RUNNING, "running", "is running",
	    "shut it down first", "shutdown", NULL },
	{ VIR_DOMAIN_BLOCKED, "blocked", "is running (blocked)",
	    "shut it down first", "shutdown", NULL },
	/* A paused guest does not see the ACPI shutdown request. */
	{ VIR_DOMAIN_PAUSED, "paused", "is paused",
	    "shut it down first", "resume", "shutdown" },
	{ VIR_DOMAIN_SHUTDOWN, "shutting down", "is shutting down",
	    "wait until it is shut off", "domstate", NULL },
	{ VIR_DOMAIN_SHUTOFF, "shut off", "is shut off", NULL, NULL, NULL },
	{ VIR_DOMAIN_CRASHED, "crashed", "has crashed",
	    "stop it first", "destroy", NULL },
	{ VIR_DOMAIN_PMSUSPENDED, "pmsuspended",
	    "is suspended by its guest (pmsuspended)",
	    "wake it and shut it down first", "dompmwakeup", "shutdown" },
};

/*
 * libvirt prints every error to stderr unless a handler is set; imprint
 * quotes the last error in its own one-line message instead.
 */
static void
quiet(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

/* The text of libvirt's last error in this thread. */
static const char *
lv_msg(void)
{
	return virGetLastErrorMessage();
}

/* "URI: domain NAME: WHAT: libvirt's message". */
static void
lv_warn(const struct virtdom *vd, const char *what)
{
	warnx("%s: domain %s: %s: %s", vd->uri, vd->name, what, lv_msg());
}

/* Read name, uuid and label from the domain handle again. */
static int
refresh(struct virtdom *vd)
{
	const char *name;

	if ((name = virDomainGetName(vd->dom)) == NULL) {
		lv_warn(vd, "cannot read its name");
		return -1;
	}
	if (virDomainGetUUIDString(vd->dom, vd->uuid) == -1) {
		lv_warn(vd, "cannot read its uuid");
		return -1;
	}
	free(vd->name);
	vd->name = xstrdup(name);
	free(vd->label);
	vd->label = xasprintf("%s#%s", vd->uri, vd->name);
	return 0;
}

/*
 * Look up NAME: by uuid first when it is one, then by name.  NULL with
 * *err_r set (0 when there simply is no such domain, else 1) on failure;
 * nothing printed.
 */
static virDomainPtr
lookup(virConnectPtr conn, const char *name, int *err_r)
{
	virDomainPtr d;

	*err_r = 0;
	if (uuid_form(name) != -1) {
		if ((d = virDomainLookupByUUIDString(conn, name)) != NULL)
			return d;
		if (virGetLastErrorCode() != VIR_ERR_NO_DOMAIN) {
			*err_r = 1;
			return NULL;
		}
	}
	if ((d = virDomainLookupByName(conn, name)) != NULL)
		return d;
	if (virGetLastErrorCode() != VIR_ERR_NO_DOMAIN)
		*err_r = 1;
	return NULL;
}

int
virtdom_state(struct virtdom *vd, const char **name_r)
{
	size_t i;
	int state, reason;

	if (virDomainGetState(vd->dom, &state, &reason, 0) == -1) {
		lv_warn(vd, "cannot read its state");
		return -1;
	}
	if (name_r != NULL) {
		*name_r = "unknown";
		for (i = 0; i < ARRAY_SIZE(vstates); i++)
			if (vstates[i].state == state)
				*name_r = vstates[i].word;
	}
	return state;
}

/* Set when the last refusal was a domain not shut off (virtdom.h). */
static bool refused;

bool
virtdom_refused(void)
{
	return refused;
}

/* 0 when the domain is shut off, else -1 after one message. */
static int
check_shutoff(struct virtdom *vd)
{
	const struct vstate *s = NULL;
	struct buf b = BUF_INIT;
	char *virsh;
	size_t i;
	int state;

	if ((state = virtdom_state(vd, NULL)) == -1)
		return -1;
	if (state == VIR_DOMAIN_SHUTOFF)
		return 0;
	for (i = 0; i < ARRAY_SIZE(vstates); i++)
		if (vstates[i].state == state)
			s = &vstates[i];
	if (strcmp(vd->uri, VIRTDOM_DEFAULT_URI) == 0)
		virsh = xstrdup("virsh");
	else
		virsh = xasprintf("virsh -c %s", vd->uri);
	if (s == NULL)
		buf_addf(&b, "is in an unknown state (%d): shut it down "
		    "first (%s shutdown %s)", state, virsh, vd->name);
	else {
		buf_addf(&b, "%s: %s (%s %s %s", s->is, s->advice, virsh,
		    s->cmd1, vd->name);
		if (s->cmd2 != NULL)
			buf_addf(&b, ", then %s %s %s", virsh, s->cmd2,
			    vd->name);
		buf_addc(&b, ')');
	}
	warnx("%s: domain %s %s", vd->uri, vd->name, b.data);
	buf_release(&b);
	free(virsh);
	refused = true;
	return -1;
}

int
virtdom_open(const char *uri, const char *name, bool write,
    struct virtdom **vd_r)
{
	struct virtdom *vd;
	int err;

	*vd_r = NULL;
	refused = false;
	if (uri == NULL)
		uri = VIRTDOM_DEFAULT_URI;
	if (*uri == '\0') {
		warnx("empty libvirt URI");
		return -1;
	}
	if (*name == '\0') {
		warnx("%s: empty domain name", uri);
		return -1;
	}
	/* Before any thread of ours might use libvirt; idempotent. */
	if (virInitialize() == -1) {
		warnx("%s: cannot initialise libvirt: %s", uri, lv_msg());
		return -1;
	}
	virSetErrorFunc(NULL, quiet);

	vd = xcalloc(1, sizeof(*vd));
	vd->uri = xstrdup(uri);
	vd->name = xstrdup(name);
	vd->write = write;
	if (write)
		vd->conn = virConnectOpen(uri);
	else
		vd->conn = virConnectOpenReadOnly(uri);
	if (vd->conn == NULL) {
		warnx("%s: cannot connect: %s", uri, lv_msg());
		goto fail;
	}
	if ((vd->dom = lookup(vd->conn, name, &err)) == NULL) {
		if (err)
			lv_warn(vd, "cannot look it up");
		else
			warnx("%s: no domain %s", uri, name);
		goto fail;
	}
	if (refresh(vd) == -1)
		goto fail;
	if (write && check_shutoff(vd) == -1)
		goto fail;
	*vd_r = vd;
	return 0;
fail:
	virtdom_close(vd);
	return -1;
}

char *
virtdom_xml(struct virtdom *vd)
{
	unsigned int flags = VIR_DOMAIN_XML_INACTIVE;
	char *xml;

	if (vd->write)
		flags |= VIR_DOMAIN_XML_SECURE;
	if ((xml = virDomainGetXMLDesc(vd->dom, flags)) == NULL)
		lv_warn(vd, "cannot read its XML");
	return xml;
}

const char *
virtdom_label(const struct virtdom *vd)
{
	return vd->label;
}

const char *
virtdom_name(const struct virtdom *vd)
{
	return vd->name;
}

const char *
virtdom_uuid(const struct virtdom *vd)
{
	return vd->uuid;
}

/*
 * Undefine D keeping what a definition may still use (see virtdom.h).
 * Drivers refuse flags they do not know with VIR_ERR_INVALID_ARG (the
 * test driver knows neither, libvirt before 8.9 not KEEP_TPM); fewer
 * flags are tried then.  Flags 0 never deletes NVRAM (the qemu driver
 * refuses a domain that has one).
 */
static int
undefine(virDomainPtr d)
{
	static const unsigned int flags[] = {
		VIR_DOMAIN_UNDEFINE_KEEP_NVRAM | VIR_DOMAIN_UNDEFINE_KEEP_TPM,
		VIR_DOMAIN_UNDEFINE_KEEP_NVRAM,
		0,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		if (virDomainUndefineFlags(d, flags[i]) == 0)
			return 0;
		if (virGetLastErrorCode() != VIR_ERR_INVALID_ARG)
			return -1;
	}
	return -1;
}

/*
 * A step of replace() failed with libvirt's message ERR: take back what
 * was done (undefine ND, the new domain, if any; define OLDXML, the old
 * domain's, if the old domain was undefined) and print one message that
 * says WHAT failed and, when even that fails, what is left.
 */
static void
take_back(struct virtdom *vd, virDomainPtr nd, const char *oldxml,
    int autostart, const char *what, const char *err)
{
	struct buf b = BUF_INIT;
	virDomainPtr od;
	const char *nname;

	buf_addf(&b, "%s: domain %s: %s: %s", vd->uri, vd->name, what, err);
	if (nd != NULL) {
		nname = virDomainGetName(nd);
		if (undefine(nd) == -1)
			buf_addf(&b, "; the new domain %s cannot be undefined "
			    "again (%s): it is defined too", nname, lv_msg());
		virDomainFree(nd);
	}
	if (oldxml != NULL) {
		if ((od = virDomainDefineXML(vd->conn, oldxml)) == NULL)
			buf_addf(&b, "; its old XML cannot be defined back "
			    "(%s): it is undefined now", lv_msg());
		else {
			buf_adds(&b, "; its old XML is defined back");
			if (autostart && virDomainSetAutostart(od, 1) == -1)
				buf_addf(&b, ", but without autostart (%s)",
				    lv_msg());
			virDomainFree(vd->dom);
			vd->dom = od;
		}
	}
	warnx("%s", b.data);
	buf_release(&b);
}

/*
 * Replace the domain by one defined from XML, whose name or uuid differs.
 * BOTH_NEW: both differ, and the new domain can be defined beside the
 * old one; else libvirt would take the XML for the old domain with a
 * clash, so the old one is undefined first.
 */
static int
replace(struct virtdom *vd, const char *xml, bool both_new)
{
	virDomainPtr nd = NULL;
	const char *what;
	char *oldxml = NULL, *err;
	int autostart;

	if (virDomainGetAutostart(vd->dom, &autostart) == -1) {
		lv_warn(vd, "cannot read its autostart flag");
		return -1;
	}
	if (!both_new) {
		if ((oldxml = virtdom_xml(vd)) == NULL)
			return -1;
		if (undefine(vd->dom) == -1) {
			lv_warn(vd, "cannot undefine it");
			free(oldxml);
			return -1;
		}
	}
	what = "cannot define the new XML";
	if ((nd = virDomainDefineXML(vd->conn, xml)) == NULL)
		goto back;
	what = "cannot set autostart on the new domain";
	if (autostart && virDomainSetAutostart(nd, 1) == -1)
		goto back;
	what = "cannot undefine it";
	if (both_new && undefine(vd->dom) == -1)
		goto back;
	virDomainFree(vd->dom);
	vd->dom = nd;
	free(oldxml);
	return refresh(vd);
back:
	err = xstrdup(lv_msg());
	take_back(vd, nd, oldxml, autostart, what, err);
	free(err);
	free(oldxml);
	return -1;
}

/*
 * Is NAME (by name) or UUID (lower-case dashed, may be NULL) another
 * domain's?  Then print one message and return -1 (also when libvirt
 * cannot say).
 */
static int
check_free(struct virtdom *vd, const char *name, const char *uuid)
{
	virDomainPtr d;

	if (name != NULL) {
		if ((d = virDomainLookupByName(vd->conn, name)) != NULL) {
			virDomainFree(d);
			warnx("%s: domain %s: cannot define the new XML: a "
			    "domain named %s exists already", vd->uri,
			    vd->name, name);
			return -1;
		}
		if (virGetLastErrorCode() != VIR_ERR_NO_DOMAIN) {
			lv_warn(vd, "cannot look up the new name");
			return -1;
		}
	}
	if (uuid != NULL) {
		if ((d = virDomainLookupByUUIDString(vd->conn, uuid)) != NULL) {
			warnx("%s: domain %s: cannot define the new XML: "
			    "uuid %s is domain %s's", vd->uri, vd->name, uuid,
			    virDomainGetName(d));
			virDomainFree(d);
			return -1;
		}
		if (virGetLastErrorCode() != VIR_ERR_NO_DOMAIN) {
			lv_warn(vd, "cannot look up the new uuid");
			return -1;
		}
	}
	return 0;
}

int
virtdom_define(struct virtdom *vd, const char *xml)
{
	struct domxml *dx;
	virDomainPtr nd;
	const char *s;
	char *name, uuid[37];
	bool same_name, same_uuid, have_uuid = false;
	int rc;

	if (!vd->write) {
		warnx("%s: domain %s: opened read-only, cannot define it",
		    vd->uri, vd->name);
		return -1;
	}
	if (check_shutoff(vd) == -1)
		return -1;
	if (domxml_parse(vd->label, xml, strlen(xml), &dx) == -1)
		return -1;
	if ((s = domxml_get_string(dx, "name")) == NULL) {
		warnx("%s: domain %s: the new XML has no <name>", vd->uri,
		    vd->name);
		domxml_free(dx);
		return -1;
	}
	name = xstrdup(s);
	/*
	 * A uuid in a form uuid_form() does not know is left to libvirt,
	 * counted as new: libvirt refuses it if it is the old one after all.
	 */
	if ((s = domxml_get_string(dx, "uuid")) != NULL &&
	    uuid_form(s) != -1) {
		uuid_to_form(s, 0, uuid);
		have_uuid = true;
	}
	domxml_free(dx);
	same_name = strcmp(name, vd->name) == 0;
	same_uuid = have_uuid && strcmp(uuid, vd->uuid) == 0;

	if (same_name && same_uuid) {
		if ((nd = virDomainDefineXML(vd->conn, xml)) == NULL) {
			lv_warn(vd, "cannot define the new XML");
			free(name);
			return -1;
		}
		virDomainFree(vd->dom);
		vd->dom = nd;
		rc = refresh(vd);
	} else if (check_free(vd, same_name ? NULL : name,
	    same_uuid || !have_uuid ? NULL : uuid) == -1)
		rc = -1;
	else
		rc = replace(vd, xml, !same_name && !same_uuid);
	free(name);
	return rc;
}

void
virtdom_close(struct virtdom *vd)
{
	if (vd == NULL)
		return;
	if (vd->dom != NULL)
		virDomainFree(vd->dom);
	if (vd->conn != NULL)
		virConnectClose(vd->conn);
	free(vd->uri);
	free(vd->name);
	free(vd->label);
	free(vd);
}

/* ---- references ---------------------------------------------------------- */

bool
virtdom_is_ref(const char *s)
{
	return strncmp(s, VIRTDOM_REF_PREFIX, strlen(VIRTDOM_REF_PREFIX)) ==
	    0;
}

char *
virtdom_ref(const char *uri, const char *domain)
{
	return xasprintf("%s%s#%s", VIRTDOM_REF_PREFIX,
	    uri != NULL ? uri : VIRTDOM_DEFAULT_URI, domain);
}

/* Split REF into its URI and domain (caller frees both); -1: not one. */
static int
ref_split(const char *ref, char **uri_r, char **dom_r)
{
	const char *u, *h;

	if (!virtdom_is_ref(ref) ||
	    (h = strrchr(u = ref + strlen(VIRTDOM_REF_PREFIX), '#')) ==
	    NULL || h == u || h[1] == '\0') {
		warnx("'%s' is not a libvirt domain reference "
		    "(libvirt:URI#DOMAIN)", ref);
		return -1;
	}
	*uri_r = xstrndup(u, (size_t)(h - u));
	*dom_r = xstrdup(h + 1);
	return 0;
}

static int
ref_open(const char *ref, bool write, struct virtdom **vd_r)
{
	char *uri, *dom;
	int rc;

	if (ref_split(ref, &uri, &dom) == -1)
		return -1;
	rc = virtdom_open(uri, dom, write, vd_r);
	free(uri);
	free(dom);
	return rc;
}

int
virtdom_load(const char *ref, bool write, struct domcfg **cfg_r)
{
	struct virtdom *vd;
	char *xml, *path;
	int rc = -1;

	if (ref_open(ref, write, &vd) == -1)
		return -1;
	if ((xml = virtdom_xml(vd)) != NULL) {
		path = virtdom_ref(vd->uri, vd->uuid);
		rc = domcfg_parse(path, xml, strlen(xml), cfg_r);
		free(path);
		free(xml);
	}
	virtdom_close(vd);
	return rc;
}

int
virtdom_replace(const char *ref, const char *old, size_t oldlen,
    const char *new, size_t newlen)
{
	struct virtdom *vd;
	char *cur = NULL, *text;
	int rc = -1;

	if (ref_open(ref, true, &vd) == -1)
		return -1;
	if (old != NULL) {
		if ((cur = virtdom_xml(vd)) == NULL)
			goto out;
		if (strlen(cur) != oldlen || memcmp(cur, old, oldlen) != 0) {
			warnx("%s: domain %s changed since it was read; "
			    "nothing written (run again)", vd->uri,
			    vd->name);
			goto out;
		}
	}
	text = xstrndup(new, newlen);	/* libvirt takes a C string */
	rc = virtdom_define(vd, text);
	free(text);
out:
	free(cur);
	virtdom_close(vd);
	return rc;
}
