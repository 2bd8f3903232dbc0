/*
 * test_virtdom.c - unit tests for virtdom.c against libvirt's in-process
 * test driver, test:///default: no daemon, no root, no VM.
 *
 * All connections to test:///default in one process share one driver
 * state, which lives while any of them is open; the test keeps its own
 * connection (lv) open throughout, defines the domains it needs, and
 * checks what virtdom did by looking the domains up on it afresh.  The
 * driver starts with one running domain, "test".  Refusals are checked
 * for their exact one-line message (stderr is captured) and for leaving
 * the domains as they were.
 */
#define _GNU_SOURCE	/* program_invocation_short_name */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "domxml.h"
#include "textfix.h"
#include "capture.h"
#include "unit.h"
#include "util.h"
#include "virtdom.h"

#define URI	"test:///default"
#define WEB01	"host-libvirt-kvm-web01.xml"
#define U0	"4f0c2a9e-7d1b-4c3a-9e5f-1a2b3c4d5e6f"	/* web01's */
#define U1	"6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
#define U2	"7a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d"
#define UO	"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"	/* "other" */
#define MAC0	"52:54:00:6b:3c:01"
#define MAC1	"52:54:00:6b:3c:02"	/* written upper case in the fixture */
#define NEWMAC0	"52:54:00:aa:bb:01"
#define NEWMAC1	"52:54:00:aa:bb:02"

static const char other_xml[] =
    "<domain type='test'><name>other</name><uuid>" UO "</uuid>"
    "<memory>1024</memory><os><type>hvm</type></os></domain>";

static virConnectPtr lv;

/* The message is exactly "test_virtdom: WANT\n" (warnx's program name). */
static void
check_msg(const char *msg, const char *want)
{
	char *full = xasprintf("%s: %s\n", program_invocation_short_name, want);

	CHECK_STR(msg, full);
	free(full);
}

/* One line starting "test_virtdom: PREFIX" (the rest is libvirt's). */
static void
check_msg_prefix(const char *msg, const char *prefix)
{
	char *full = xasprintf("%s: %s", program_invocation_short_name, prefix);

	if (!CHECK(strncmp(msg, full, strlen(full)) == 0))
		fprintf(stderr, "    got '%s', want '%s...'\n", msg, full);
	if (!CHECK(strchr(msg, '\n') == msg + strlen(msg) - 1))
		fprintf(stderr, "    not one line: '%s'\n", msg);
	free(full);
}

static void
quiet(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

/* The inactive XML of the domain NAME on lv, parsed; NULL if none. */
static struct domxml *
lv_dom(const char *name)
{
	struct domxml *dx = NULL;
	virDomainPtr d;
	char *x;

	if ((d = virDomainLookupByName(lv, name)) == NULL)
		return NULL;
	x = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
	virDomainFree(d);
	if (!CHECK(x != NULL))
		return NULL;
	if (!CHECK(domxml_parse(name, x, strlen(x), &dx) == 0))
		dx = NULL;
	free(x);
	return dx;
}

/* Does lv know a domain named NAME / with uuid UUID? */
static bool
lv_has(const char *name)
{
	virDomainPtr d = virDomainLookupByName(lv, name);

	if (d == NULL) {
		CHECK_INT(virGetLastErrorCode(), VIR_ERR_NO_DOMAIN);
		return false;
	}
	virDomainFree(d);
	return true;
}

static bool
lv_has_uuid(const char *uuid)
{
	virDomainPtr d = virDomainLookupByUUIDString(lv, uuid);

	if (d == NULL) {
		CHECK_INT(virGetLastErrorCode(), VIR_ERR_NO_DOMAIN);
		return false;
	}
	virDomainFree(d);
	return true;
}

/* Domain NAME on lv has uuid UUID and its NIC I has MAC. */
static void
check_dom(const char *name, const char *uuid, size_t nic, const char *mac)
{
	struct domxml *dx;
	char *m;

	if (!CHECK((dx = lv_dom(name)) != NULL)) {
		fprintf(stderr, "    no domain %s\n", name);
		return;
	}
	CHECK_STR(domxml_get_string(dx, "name"), name);
	CHECK_STR(domxml_get_string(dx, "uuid"), uuid);
	m = domxml_nic_get(dx, nic, "mac");
	CHECK_STR(m, mac);
	free(m);
	domxml_free(dx);
}

static int
lv_autostart(const char *name)
{
	virDomainPtr d = virDomainLookupByName(lv, name);
	int as = -1;

	if (!CHECK(d != NULL))
		return -1;
	CHECK_INT(virDomainGetAutostart(d, &as), 0);
	virDomainFree(d);
	return as;
}

/* Open NAME with WRITE, expecting success. */
static struct virtdom *
open_ok(const char *name, bool write)
{
	struct virtdom *vd = NULL;

	if (!CHECK(virtdom_open(URI, name, write, &vd) == 0))
		fprintf(stderr, "    cannot open %s\n", name);
	return vd;
}

/* virtdom_open refuses: -1, *vd_r NULL, message exactly WANT. */
static void
open_refused(const char *uri, const char *name, bool write,
    const char *want, bool prefix)
{
	struct virtdom *vd = (struct virtdom *)&vd;
	char *msg;
	int rc;

	cap_start();
	rc = virtdom_open(uri, name, write, &vd);
	msg = cap_stop();
	CHECK_INT(rc, -1);
	CHECK(vd == NULL);
	if (prefix)
		check_msg_prefix(msg, want);
	else
		check_msg(msg, want);
	free(msg);
}

/* The text of VD's XML, edited by KEY=VALUE pairs (NULL-terminated). */
static char *
edited(struct virtdom *vd, ...)
{
	struct domxml *dx = NULL;
	const char *k, *v;
	char *x, *r;
	va_list ap;

	if ((x = virtdom_xml(vd)) == NULL)
		return NULL;
	if (!CHECK(domxml_parse(virtdom_label(vd), x, strlen(x), &dx) == 0)) {
		free(x);
		return NULL;
	}
	free(x);
	va_start(ap, vd);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (!CHECK(domxml_set(dx, k, v) == 0))
			fprintf(stderr, "    cannot set %s=%s\n", k, v);
	}
	va_end(ap);
	r = xstrdup(domxml_text(dx, NULL));
	domxml_free(dx);
	return r;
}

/* virtdom_define refuses XML with exactly WANT (or WANT... if PREFIX). */
static void
define_refused(struct virtdom *vd, const char *xml, const char *want,
    bool prefix)
{
	char *msg;
	int rc;

	cap_start();
	rc = virtdom_define(vd, xml);
	msg = cap_stop();
	CHECK_INT(rc, -1);
	if (prefix)
		check_msg_prefix(msg, want);
	else
		check_msg(msg, want);
	free(msg);
}

static void
check_id(const struct virtdom *vd, const char *name, const char *uuid)
{
	char *label = xasprintf(URI "#%s", name);

	CHECK_STR(virtdom_name(vd), name);
	CHECK_STR(virtdom_uuid(vd), uuid);
	CHECK_STR(virtdom_label(vd), label);
	free(label);
}

/* The first domain: web01 as a test-driver domain, shut off. */
static void
define_web01(void)
{
	virDomainPtr d;
	char *x;

	x = subst_f(fixture_read(WEB01, NULL), "<domain type='kvm'>",
	    "<domain type='test'>");
	d = virDomainDefineXML(lv, x);
	if (!CHECK(d != NULL)) {
		fprintf(stderr, "    cannot define web01: %s\n",
		    virGetLastErrorMessage());
		exit(1);
	}
	virDomainFree(d);
	free(x);
	d = virDomainDefineXML(lv, other_xml);
	if (!CHECK(d != NULL))
		exit(1);
	virDomainFree(d);
}

static void
test_open_read(void)
{
	struct virtdom *vd;
	const char *st;
	char *x;

	if ((vd = open_ok("web01", true)) == NULL)
		return;
	check_id(vd, "web01", U0);
	CHECK_INT(virtdom_state(vd, &st), VIR_DOMAIN_SHUTOFF);
	CHECK_STR(st, "shut off");
	x = virtdom_xml(vd);
	CHECK(x != NULL && strstr(x, "<name>web01</name>") != NULL);
	CHECK(x != NULL && strstr(x, "<uuid>" U0 "</uuid>") != NULL);
	/* libvirt writes MACs in lower case whatever it was given. */
	CHECK(x != NULL && strstr(x, "'" MAC1 "'") != NULL);
	free(x);
	virtdom_close(vd);

	/* By uuid, in either case and without dashes too. */
	if ((vd = open_ok(U0, false)) != NULL)
		check_id(vd, "web01", U0);
	virtdom_close(vd);
	if ((vd = open_ok("4F0C2A9E7D1B4C3A9E5F1A2B3C4D5E6F", false)) != NULL)
		check_id(vd, "web01", U0);
	virtdom_close(vd);
	virtdom_close(NULL);
}

/* The running domain "test": read-only yes, for writing no. */
static void
test_running(void)
{
	struct virtdom *vd;
	virDomainPtr d;
	const char *st;
	char *x;

	open_refused(URI, "test", true, URI ": domain test is running: shut "
	    "it down first (virsh -c " URI " shutdown test)", false);
	if ((vd = open_ok("test", false)) == NULL)
		return;
	check_id(vd, "test", "6695eb01-f6a4-8304-79aa-97f2502e193f");
	CHECK_INT(virtdom_state(vd, &st), VIR_DOMAIN_RUNNING);
	CHECK_STR(st, "running");
	/* Read-only: libvirt refuses VIR_DOMAIN_XML_SECURE, none asked. */
	x = virtdom_xml(vd);
	CHECK(x != NULL && strstr(x, "<name>test</name>") != NULL);
	define_refused(vd, x, URI ": domain test: opened read-only, cannot "
	    "define it", false);
	free(x);
	virtdom_close(vd);

	d = virDomainLookupByName(lv, "test");
	CHECK(d != NULL && virDomainSuspend(d) == 0);
	open_refused(URI, "test", true, URI ": domain test is paused: shut "
	    "it down first (virsh -c " URI " resume test, then virsh -c "
	    URI " shutdown test)", false);
	CHECK(d != NULL && virDomainResume(d) == 0);
	if (d != NULL)
		virDomainFree(d);
}

static void
test_open_refused(void)
{
	open_refused(URI, "nope", false, URI ": no domain nope", false);
	open_refused(URI, "nope", true, URI ": no domain nope", false);
	open_refused(URI, U2, true, URI ": no domain " U2, false);
	/* The test driver wants a file or "default": a local failure. */
	open_refused("test:///", "web01", true, "test:///: cannot connect: ",
	    true);
	open_refused("::", "web01", false, "::: cannot connect: ", true);
	open_refused("", "web01", false, "empty libvirt URI", false);
	open_refused(URI, "", false, URI ": empty domain name", false);
	/*
	 * The default URI: no daemon here, so no connection; were there
	 * one, there would be no such domain.  Either way one message.
	 */
	open_refused(NULL, "imprint-no-such-domain", false,
	    VIRTDOM_DEFAULT_URI ": ", true);
}

/* web01 becomes web02 with uuid U1 and a new nic0 MAC. */
static void
test_define_new_identity(void)
{
	struct virtdom *vd;
	char *x;

	if ((vd = open_ok("web01", true)) == NULL)
		return;
	x = edited(vd, "nic0.mac", NEWMAC0, "uuid", U1, "name", "web02",
	    NULL);
	CHECK_INT(virtdom_define(vd, x), 0);
	free(x);
	check_id(vd, "web02", U1);
	check_dom("web02", U1, 0, NEWMAC0);
	check_dom("web02", U1, 1, MAC1);
	CHECK(!lv_has("web01"));
	CHECK(!lv_has_uuid(U0));
	CHECK(lv_has_uuid(U1));

	/* The handle now is web02: same identity, another MAC, in place. */
	x = edited(vd, "nic1.mac", NEWMAC1, NULL);
	CHECK_INT(virtdom_define(vd, x), 0);
	free(x);
	check_id(vd, "web02", U1);
	check_dom("web02", U1, 1, NEWMAC1);
	CHECK_INT(lv_autostart("web02"), 0);
	virtdom_close(vd);
}

/* Only the uuid, then only the name: the old one is undefined first. */
static void
test_define_half_identity(void)
{
	struct virtdom *vd;
	virDomainPtr d;
	char *x;

	/* Autostart goes with the domain. */
	d = virDomainLookupByName(lv, "web02");
	CHECK(d != NULL && virDomainSetAutostart(d, 1) == 0);
	if (d != NULL)
		virDomainFree(d);
	if ((vd = open_ok("web02", true)) == NULL)
		return;
	x = edited(vd, "uuid", U2, NULL);
	CHECK_INT(virtdom_define(vd, x), 0);
	free(x);
	check_id(vd, "web02", U2);
	check_dom("web02", U2, 0, NEWMAC0);
	CHECK(!lv_has_uuid(U1));
	CHECK_INT(lv_autostart("web02"), 1);

	x = edited(vd, "name", "web03", NULL);
	CHECK_INT(virtdom_define(vd, x), 0);
	free(x);
	check_id(vd, "web03", U2);
	check_dom("web03", U2, 0, NEWMAC0);
	CHECK(!lv_has("web02"));
	CHECK_INT(lv_autostart("web03"), 1);
	virtdom_close(vd);
}

/* Refusals and failures of define leave every domain as it was. */
static void
test_define_refused(void)
{
	struct virtdom *vd;
	virDomainPtr d;
	char *x, *bad;

	if ((vd = open_ok("web03", true)) == NULL)
		return;

	/* Another domain's name or uuid: nothing is tried. */
	x = edited(vd, "name", "other", "uuid", U1, NULL);
	define_refused(vd, x, URI ": domain web03: cannot define the new "
	    "XML: a domain named other exists already", false);
	free(x);
	x = edited(vd, "name", "web04", "uuid", UO, NULL);
	define_refused(vd, x, URI ": domain web03: cannot define the new "
	    "XML: uuid " UO " is domain other's", false);
	free(x);
	x = edited(vd, "uuid", UO, NULL);
	define_refused(vd, x, URI ": domain web03: cannot define the new "
	    "XML: uuid " UO " is domain other's", false);
	free(x);

	/* XML that libvirt refuses, both ways of replacing. */
	x = edited(vd, "name", "web04", "uuid", U1, NULL);
	bad = subst(x, "<memory unit='KiB'>2097152</memory>",
	    "<memory unit='KiB'>lots</memory>");
	define_refused(vd, bad, URI ": domain web03: cannot define the new "
	    "XML: ", true);
	free(bad);
	free(x);
	x = edited(vd, "uuid", U1, NULL);
	bad = subst(x, "<memory unit='KiB'>2097152</memory>",
	    "<memory unit='KiB'>lots</memory>");
	cap_start();
	CHECK_INT(virtdom_define(vd, bad), -1);
	free(bad);
	free(x);
	x = cap_stop();
	check_msg_prefix(x, URI ": domain web03: cannot define the new XML: ");
	CHECK(strstr(x, "; its old XML is defined back\n") != NULL);
	free(x);
	/* In place, same identity. */
	x = edited(vd, NULL);
	bad = subst(x, "<memory unit='KiB'>2097152</memory>",
	    "<memory unit='KiB'>lots</memory>");
	define_refused(vd, bad, URI ": domain web03: cannot define the new "
	    "XML: ", true);
	free(bad);
	free(x);
	/* Not XML domxml takes. */
	define_refused(vd, "<domain>", URI "#web03:1: invalid XML: ", true);
	define_refused(vd, "<domain><uuid>" U1 "</uuid></domain>",
	    URI ": domain web03: the new XML has no <name>", false);

	CHECK(!lv_has("web04"));
	CHECK(!lv_has_uuid(U1));
	check_id(vd, "web03", U2);
	check_dom("web03", U2, 0, NEWMAC0);
	check_dom("other", UO, 0, NULL);
	CHECK_INT(lv_autostart("web03"), 1);

	/* Started since it was opened. */
	x = edited(vd, "nic0.mac", MAC0, NULL);
	d = virDomainLookupByName(lv, "web03");
	CHECK(d != NULL && virDomainCreate(d) == 0);
	define_refused(vd, x, URI ": domain web03 is running: shut it down "
	    "first (virsh -c " URI " shutdown web03)", false);
	CHECK(d != NULL && virDomainDestroy(d) == 0);
	if (d != NULL)
		virDomainFree(d);
	check_dom("web03", U2, 0, NEWMAC0);
	CHECK_INT(virtdom_define(vd, x), 0);
	check_dom("web03", U2, 0, MAC0);
	free(x);
	virtdom_close(vd);
}

/*
 * A managed save image makes libvirt refuse to undefine: the new domain
 * defined beside the old one is undefined again; undefining first stops
 * before anything changed.
 */
static void
test_undefine_refused(void)
{
	struct virtdom *vd;
	virDomainPtr d;
	char *x;

	d = virDomainLookupByName(lv, "other");
	if (!CHECK(d != NULL))
		return;
	CHECK_INT(virDomainCreate(d), 0);
	CHECK_INT(virDomainManagedSave(d, 0), 0);
	if ((vd = open_ok("other", true)) != NULL) {
		x = edited(vd, "name", "other2", "uuid", U1, NULL);
		define_refused(vd, x,
		    URI ": domain other: cannot undefine it: ", true);
		free(x);
		x = edited(vd, "uuid", U1, NULL);
		define_refused(vd, x,
		    URI ": domain other: cannot undefine it: ", true);
		free(x);
		check_id(vd, "other", UO);
		virtdom_close(vd);
	}
	CHECK(!lv_has("other2"));
	CHECK(!lv_has_uuid(U1));
	check_dom("other", UO, 0, NULL);
	CHECK_INT(virDomainHasManagedSaveImage(d, 0), 1);
	CHECK_INT(virDomainManagedSaveRemove(d, 0), 0);
	virDomainFree(d);
}

int
main(void)
{
	virSetErrorFunc(NULL, quiet);
	if ((lv = virConnectOpen(URI)) == NULL) {
		fprintf(stderr, "cannot open %s: %s\n", URI,
		    virGetLastErrorMessage());
		return 1;
	}
	define_web01();
	test_open_read();
	test_running();
	test_open_refused();
	test_define_new_identity();
	test_define_half_identity();
	test_define_refused();
	test_undefine_refused();
	/*
	 * 0: none of the test's own domain handles is left (virtdom's own
	 * would hold its own connection: valgrind and ASan see those).
	 */
	CHECK_INT(virConnectClose(lv), 0);
	return unit_done();
}
