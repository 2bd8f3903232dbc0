/*
 * test_domxml.c - unit tests for the libvirt domain XML engine.
 *
 * Every libvirt fixture must round-trip byte-exact, give the expected
 * accessor values, and produce exactly the bytes its job in
 * fixtures/README.md describes.  Expected bytes are built from the
 * original by exact substitutions (textfix.h), so any other byte that
 * moves fails.  Refusals are checked for their one-line message (stderr
 * is captured) and for leaving the object untouched.  No libvirt, no
 * appliance: only libxml2.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domxml.h"
#include "textfix.h"
#include "capture.h"
#include "unit.h"
#include "util.h"

#define M1 "00:16:3e:aa:bb:01"
#define M2 "00:16:3e:aa:bb:02"
#define M3 "00:16:3e:aa:bb:03"
#define L1 "52:54:00:aa:bb:01"
#define L2 "52:54:00:aa:bb:02"
#define L3 "52:54:00:aa:bb:03"
#define U "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"

#define WEB01 "host-libvirt-kvm-web01.xml"
#define DB02 "host-libvirt-etc-qemu-db02.xml"
#define XENHW "host-libvirt-xen-handwritten-no-uuid.xml"

static const char *const fixtures[] = { WEB01, DB02, XENHW };

/* Exactly one line of message that contains WANT. */
static void
check_msg(const char *msg, const char *want)
{
	if (!CHECK(strstr(msg, want) != NULL))
		fprintf(stderr, "    got message '%s', want '%s'\n", msg,
		    want);
	if (!CHECK(*msg != '\0' && strchr(msg, '\n') == strrchr(msg, '\n') &&
	    msg[strlen(msg) - 1] == '\n'))
		fprintf(stderr, "    not one line: '%s'\n", msg);
}

static struct domxml *
parse_buf(const char *name, const char *s, size_t n)
{
	struct domxml *dx = NULL;

	if (!CHECK(domxml_parse(name, s, n, &dx) == 0)) {
		fprintf(stderr, "    parse of %s failed\n", name);
		return NULL;
	}
	return dx;
}

static struct domxml *
parse_str(const char *s)
{
	return parse_buf("t.xml", s, strlen(s));
}

static void
check_text(const struct domxml *dx, const char *want)
{
	const char *t;
	size_t n;

	t = domxml_text(dx, &n);
	CHECK_MEM(t, n, want, strlen(want));
}

/* The current text parses again on its own, with the same readings. */
static void
check_reparse(const struct domxml *dx)
{
	static const char *const keys[] = { "mac", "bridge", "type" };
	struct domxml *r;
	const char *t;
	char *a, *b;
	size_t n, i, k;

	t = domxml_text(dx, &n);
	if ((r = parse_buf("re.xml", t, n)) == NULL)
		return;
	CHECK_STR(domxml_get_string(r, "name"), domxml_get_string(dx, "name"));
	CHECK_STR(domxml_get_string(r, "uuid"), domxml_get_string(dx, "uuid"));
	CHECK_INT(domxml_nic_count(r), domxml_nic_count(dx));
	CHECK_INT(domxml_disk_count(r), domxml_disk_count(dx));
	for (i = 0; i < domxml_nic_count(dx); i++)
		for (k = 0; k < ARRAY_SIZE(keys); k++) {
			a = domxml_nic_get(dx, i, keys[k]);
			b = domxml_nic_get(r, i, keys[k]);
			CHECK_STR(a, b);
			free(a);
			free(b);
		}
	for (i = 0; i < domxml_disk_count(dx); i++) {
		a = domxml_disk_target(dx, i);
		b = domxml_disk_target(r, i);
		CHECK_STR(a, b);
		free(a);
		free(b);
	}
	domxml_free(r);
}

static void
set_rc(struct domxml *dx, const char *key, const char *value, int want)
{
	int rc = domxml_set(dx, key, value);

	if (!CHECK(rc == want))
		fprintf(stderr, "    set %s=%s returned %d, want %d\n", key,
		    value, rc, want);
}

static void
set_ok(struct domxml *dx, const char *key, const char *value)
{
	set_rc(dx, key, value, 0);
}

/* Expect domxml_set to refuse with WANT, leaving the text as it was. */
static void
refuse_set(struct domxml *dx, const char *key, const char *value,
    const char *want)
{
	char *before, *msg;
	size_t n;
	int rc;

	before = xstrdup(domxml_text(dx, &n));
	cap_start();
	rc = domxml_set(dx, key, value);
	msg = cap_stop();
	CHECK_INT(rc, -1);
	check_msg(msg, want);
	check_text(dx, before);
	free(msg);
	free(before);
}

/* Expect a parse refusal whose one-line message contains WANT. */
static void
refuse_parse(const char *in, size_t n, const char *want)
{
	struct domxml *dx = NULL;
	char *msg;
	int rc;

	cap_start();
	rc = domxml_parse("bad.xml", in, n, &dx);
	msg = cap_stop();
	CHECK_INT(rc, -1);
	CHECK(dx == NULL);
	check_msg(msg, want);
	free(msg);
}

#define REFUSE(lit, want) refuse_parse(lit, sizeof(lit) - 1, want)

static void
check_nic(const struct domxml *dx, size_t i, const char *key,
    const char *want)
{
	char *v = domxml_nic_get(dx, i, key);

	CHECK_STR(v, want);
	free(v);
}

static void
check_disk(const struct domxml *dx, size_t i, const char *want)
{
	char *v = domxml_disk_target(dx, i);

	CHECK_STR(v, want);
	free(v);
}

static void
check_disk_get(const struct domxml *dx, size_t i, const char *key,
    const char *want)
{
	char *v = domxml_disk_get(dx, i, key);

	CHECK_STR(v, want);
	free(v);
}

/* NIC I's keys, space-separated, are WANT. */
static void
check_nic_keys(const struct domxml *dx, size_t i, const char *want)
{
	struct strlist keys = STRLIST_INIT;
	struct buf b = BUF_INIT;
	size_t k, n;

	n = domxml_nic_keys(dx, i, &keys);
	CHECK_INT(n, keys.n);
	buf_add(&b, "", 0);
	for (k = 0; k < keys.n; k++)
		buf_addf(&b, "%s%s", k ? " " : "", keys.v[k]);
	CHECK_STR(b.data, want);
	buf_release(&b);
	strlist_release(&keys);
}

static void
test_roundtrip(void)
{
	struct domxml *dx;
	const char *t;
	char *orig;
	size_t i, n, on;

	for (i = 0; i < ARRAY_SIZE(fixtures); i++) {
		orig = fixture_read(fixtures[i], &on);
		CHECK(domxml_is_xml(orig, on));
		if ((dx = parse_buf(fixtures[i], orig, on)) != NULL) {
			t = domxml_text(dx, &n);
			CHECK_MEM(t, n, orig, on);
			t = domxml_original(dx, &n);
			CHECK_MEM(t, n, orig, on);
			CHECK(!domxml_changed(dx));
			CHECK_STR(domxml_path(dx), fixtures[i]);
			domxml_free(dx);
		}
		free(orig);
	}
}

static void
test_accessors(void)
{
	struct domxml *dx;
	char *orig;

	orig = fixture_read(WEB01, NULL);
	if ((dx = parse_str(orig)) != NULL) {
		CHECK_STR(domxml_get_string(dx, "name"), "web01");
		CHECK_INT(domxml_key_line(dx, "name"), 2);
		CHECK_STR(domxml_get_string(dx, "uuid"),
		    "4f0c2a9e-7d1b-4c3a-9e5f-1a2b3c4d5e6f");
		CHECK_INT(domxml_key_line(dx, "uuid"), 3);
		CHECK_STR(domxml_get_string(dx, "title"), NULL);
		CHECK_INT(domxml_key_line(dx, "memory"), 0);
		CHECK_INT(domxml_nic_count(dx), 3);
		CHECK_INT(domxml_nic_line(dx, 0), 59);
		CHECK_INT(domxml_nic_line(dx, 1), 65);
		CHECK_INT(domxml_nic_line(dx, 2), 71);
		CHECK_INT(domxml_nic_line(dx, 3), 0);
		check_nic(dx, 0, "mac", "52:54:00:6b:3c:01");
		check_nic(dx, 0, "bridge", "br0");
		check_nic(dx, 0, "type", "bridge");
		check_nic(dx, 0, "model", "virtio");
		check_nic(dx, 0, "target", NULL);
		check_nic(dx, 1, "mac", "52:54:00:6B:3C:02");
		check_nic(dx, 1, "bridge", "default");
		check_nic(dx, 1, "type", "network");
		check_nic(dx, 2, "bridge", "br0.240");
		check_nic(dx, 2, "model", "e1000e");
		check_nic(dx, 2, "nonsense", NULL);
		check_nic(dx, 3, "mac", NULL);
		/* The cdrom between the two disks takes no index. */
		CHECK_INT(domxml_disk_count(dx), 2);
		CHECK_INT(domxml_disk_line(dx, 0), 33);
		CHECK_INT(domxml_disk_line(dx, 1), 46);
		CHECK_INT(domxml_disk_line(dx, 2), 0);
		check_disk(dx, 0, "/var/lib/libvirt/images/web01.qcow2");
		check_disk(dx, 1, "/dev/vg_guests/web01-data");
		check_disk(dx, 2, NULL);
		check_disk_get(dx, 0, "type", "file");
		check_disk_get(dx, 0, "format", "qcow2");
		check_disk_get(dx, 0, "dev", "vda");
		check_disk_get(dx, 0, "readonly", NULL);
		check_disk_get(dx, 1, "type", "block");
		check_disk_get(dx, 1, "dev", "vdb");
		check_disk_get(dx, 1, "shareable", NULL);
		check_disk_get(dx, 1, "nonsense", NULL);
		check_disk_get(dx, 2, "type", NULL);
		check_nic_keys(dx, 0, "type mac bridge model");
		check_nic_keys(dx, 3, "");
		domxml_free(dx);
	}
	free(orig);

	orig = fixture_read(DB02, NULL);
	if ((dx = parse_str(orig)) != NULL) {
		CHECK_STR(domxml_get_string(dx, "name"), "db02");
		CHECK_INT(domxml_key_line(dx, "name"), 9);
		CHECK_INT(domxml_nic_count(dx), 2);
		check_nic(dx, 0, "type", "direct");
		check_nic(dx, 0, "bridge", NULL);
		check_nic(dx, 0, "mac", "52:54:00:d0:b2:02");
		check_nic(dx, 1, "bridge", "br-db");
		check_nic(dx, 1, "target", "vnet-db02");
		check_nic_keys(dx, 0, "type mac model");
		check_nic_keys(dx, 1, "type mac bridge model target");
		check_disk_get(dx, 1, "type", "network");
		check_disk_get(dx, 1, "format", "raw");
		CHECK_INT(domxml_nic_line(dx, 0), 60);
		CHECK_INT(domxml_disk_count(dx), 2);
		check_disk(dx, 0, "/dev/disk/by-id/dm-name-vg_db-db02--root");
		check_disk(dx, 1, "rbd-pool/db02-data");
		CHECK_INT(domxml_disk_line(dx, 0), 35);
		CHECK_INT(domxml_disk_line(dx, 1), 41);
		domxml_free(dx);
	}
	free(orig);

	orig = fixture_read(XENHW, NULL);
	if ((dx = parse_str(orig)) != NULL) {
		CHECK_STR(domxml_get_string(dx, "name"), "build-box");
		CHECK_INT(domxml_key_line(dx, "name"), 5);
		CHECK_STR(domxml_get_string(dx, "uuid"), NULL);
		CHECK_INT(domxml_key_line(dx, "uuid"), 0);
		CHECK_INT(domxml_nic_count(dx), 2);
		check_nic(dx, 0, "mac", NULL);
		check_nic(dx, 0, "bridge", "xenbr0");
		check_nic(dx, 1, "mac", "00:16:3e:5a:01:02");
		check_disk(dx, 0, "/dev/vg_xen/build-box-root");
		check_disk(dx, 1, "/srv/xen/build-box-swap.img");
		domxml_free(dx);
	}
	free(orig);

	dx = parse_str("<domain><devices><disk><source file='/s.img'/>"
	    "<readonly/><shareable/></disk></devices></domain>");
	if (dx != NULL) {
		check_disk(dx, 0, "/s.img");
		check_disk_get(dx, 0, "readonly", "yes");
		check_disk_get(dx, 0, "shareable", "yes");
		check_disk_get(dx, 0, "type", NULL);
		domxml_free(dx);
	}
}

/* Apply web01's job to DX. */
static void
web01_job(struct domxml *dx)
{
	set_ok(dx, "name", "web02");
	set_ok(dx, "uuid", U);
	set_ok(dx, "nic0.mac", L1);
	set_ok(dx, "nic1.mac", L2);
	set_ok(dx, "nic1.bridge", "isolated");
	set_ok(dx, "nic2.bridge", "br0.250");
	set_ok(dx, "disk0.target", "/var/lib/libvirt/images/web02.qcow2");
	set_ok(dx, "disk1.target", "/dev/vg_guests/web02-data");
}

static char *
web01_want(const char *orig)
{
	char *w = xstrdup(orig);

	w = subst_f(w, "<name>web01</name>", "<name>web02</name>");
	w = subst_f(w, "<uuid>4f0c2a9e-7d1b-4c3a-9e5f-1a2b3c4d5e6f</uuid>",
	    "<uuid>" U "</uuid>");
	w = subst_f(w, "'52:54:00:6b:3c:01'", "'" L1 "'");
	w = subst_f(w, "'52:54:00:6B:3C:02'", "'" L2 "'");
	w = subst_f(w, "network='default'", "network='isolated'");
	w = subst_f(w, "bridge='br0.240'", "bridge='br0.250'");
	w = subst_f(w, "file='/var/lib/libvirt/images/web01.qcow2'",
	    "file='/var/lib/libvirt/images/web02.qcow2'");
	w = subst_f(w, "dev='/dev/vg_guests/web01-data'",
	    "dev='/dev/vg_guests/web02-data'");
	return w;
}

static void
test_web01_job(void)
{
	struct domxml *dx;
	char *orig, *want, *crlf, *crlf_want;
	const char *t;
	size_t n;

	orig = fixture_read(WEB01, NULL);
	want = web01_want(orig);
	if ((dx = parse_str(orig)) != NULL) {
		web01_job(dx);
		check_text(dx, want);
		CHECK(domxml_changed(dx));
		t = domxml_original(dx, &n);
		CHECK_MEM(t, n, orig, strlen(orig));
		CHECK_STR(domxml_get_string(dx, "name"), "web02");
		CHECK_STR(domxml_get_string(dx, "uuid"), U);
		check_nic(dx, 1, "mac", L2);
		check_nic(dx, 1, "bridge", "isolated");
		check_nic(dx, 2, "bridge", "br0.250");
		check_disk(dx, 1, "/dev/vg_guests/web02-data");
		/* Lines still describe the current text. */
		CHECK_INT(domxml_nic_line(dx, 2), 71);
		check_reparse(dx);
		/* The whole job again: every value already so. */
		set_rc(dx, "name", "web02", 1);
		set_rc(dx, "uuid", U, 1);
		set_rc(dx, "nic0.mac", L1, 1);
		set_rc(dx, "nic1.mac", "52:54:00:AA:BB:02", 1);
		set_rc(dx, "nic1.bridge", "isolated", 1);
		set_rc(dx, "nic2.bridge", "br0.250", 1);
		set_rc(dx, "disk0.target",
		    "/var/lib/libvirt/images/web02.qcow2", 1);
		set_rc(dx, "disk1.target", "/dev/vg_guests/web02-data", 1);
		check_text(dx, want);
		domxml_free(dx);
	}
	/* The same on CRLF line endings. */
	crlf = to_crlf(orig);
	crlf_want = to_crlf(want);
	if ((dx = parse_str(crlf)) != NULL) {
		web01_job(dx);
		check_text(dx, crlf_want);
		CHECK_INT(domxml_nic_line(dx, 2), 71);
		domxml_free(dx);
	}
	free(crlf);
	free(crlf_want);
	free(want);
	free(orig);
}

static void
test_web01_idempotent(void)
{
	struct domxml *dx;
	char *orig, *want;

	orig = fixture_read(WEB01, NULL);
	if ((dx = parse_str(orig)) == NULL) {
		free(orig);
		return;
	}
	set_rc(dx, "name", "web01", 1);
	set_rc(dx, "uuid", "4f0c2a9e-7d1b-4c3a-9e5f-1a2b3c4d5e6f", 1);
	set_rc(dx, "nic0.mac", "52:54:00:6B:3C:01", 1);
	set_rc(dx, "nic0.bridge", "br0", 1);
	set_rc(dx, "nic1.bridge", "default", 1);
	set_rc(dx, "disk1.target", "/dev/vg_guests/web01-data", 1);
	check_text(dx, orig);
	CHECK(!domxml_changed(dx));
	/* An upper-case MAC is written in lower case, even the same MAC. */
	set_rc(dx, "nic1.mac", "52:54:00:6B:3C:02", 0);
	want = subst(orig, "'52:54:00:6B:3C:02'", "'52:54:00:6b:3c:02'");
	check_text(dx, want);
	set_rc(dx, "nic1.mac", "52:54:00:6b:3c:02", 1);
	free(want);
	domxml_free(dx);
	free(orig);
}

static void
test_db02_job(void)
{
	struct domxml *dx;
	char *orig, *want;

	orig = fixture_read(DB02, NULL);
	if ((dx = parse_str(orig)) == NULL) {
		free(orig);
		return;
	}
	refuse_set(dx, "nic0.bridge", "br0",
	    "t.xml:60: nic 0 has no bridge (only type 'bridge' and "
	    "'network' interfaces have one)");
	set_ok(dx, "name", "db03");
	set_ok(dx, "uuid", U);
	set_ok(dx, "nic1.mac", L1);
	set_ok(dx, "nic1.bridge", "br-db2");
	set_ok(dx, "disk0.target", "/dev/disk/by-id/dm-name-vg_db-db03--root");
	set_ok(dx, "disk1.target", "rbd-pool/db03-data");
	want = xstrdup(orig);
	want = subst_f(want, "<name>db02</name>", "<name>db03</name>");
	want = subst_f(want, "<uuid>9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	    "</uuid>", "<uuid>" U "</uuid>");
	/* Only the live <mac>, not the comment holding the same MAC. */
	want = subst_f(want, "<mac address='52:54:00:d0:b2:01'/>\n      "
	    "<source bridge='br-db'/>", "<mac address='" L1 "'/>\n      "
	    "<source bridge='br-db2'/>");
	want = subst_f(want, "dev='/dev/disk/by-id/dm-name-vg_db-db02--root'",
	    "dev='/dev/disk/by-id/dm-name-vg_db-db03--root'");
	want = subst_f(want, "name='rbd-pool/db02-data'",
	    "name='rbd-pool/db03-data'");
	check_text(dx, want);
	CHECK(strstr(domxml_text(dx, NULL), "<!-- old NIC, kept for "
	    "reference: <mac address='52:54:00:d0:b2:01'/> on br-old -->")
	    != NULL);
	check_nic(dx, 0, "mac", "52:54:00:d0:b2:02");
	check_reparse(dx);
	free(want);
	domxml_free(dx);
	free(orig);
}

static void
test_xen_handwritten_job(void)
{
	struct domxml *dx;
	char *orig, *want;

	orig = fixture_read(XENHW, NULL);
	if ((dx = parse_str(orig)) == NULL) {
		free(orig);
		return;
	}
	set_ok(dx, "uuid", U);
	set_ok(dx, "nic0.mac", M1);
	set_ok(dx, "nic1.mac", M2);
	set_ok(dx, "disk1.target", "/srv/xen/clone-swap.img");
	CHECK_INT(domxml_add_nic(dx, "mac=" M3 ",bridge=xenbr2"), 0);
	want = xstrdup(orig);
	want = subst_f(want, "\t<name>build-box</name>\n",
	    "\t<name>build-box</name>\n\t<uuid>" U "</uuid>\n");
	want = subst_f(want, "\t\t<interface type=\"bridge\">\n"
	    "\t\t\t<source bridge=\"xenbr0\"/>\n",
	    "\t\t<interface type=\"bridge\">\n"
	    "\t\t\t<mac address=\"" M1 "\"/>\n"
	    "\t\t\t<source bridge=\"xenbr0\"/>\n");
	want = subst_f(want, "'00:16:3e:5a:01:02'", "'" M2 "'");
	want = subst_f(want, "file=\"/srv/xen/build-box-swap.img\"",
	    "file=\"/srv/xen/clone-swap.img\"");
	want = subst_f(want, "\t\t\t<source bridge='xenbr1'/>\n"
	    "\t\t</interface>\n",
	    "\t\t\t<source bridge='xenbr1'/>\n"
	    "\t\t</interface>\n"
	    "\t\t<interface type='bridge'>\n"
	    "\t\t\t<mac address='" M3 "'/>\n"
	    "\t\t\t<source bridge='xenbr2'/>\n"
	    "\t\t</interface>\n");
	check_text(dx, want);
	CHECK_STR(domxml_get_string(dx, "uuid"), U);
	CHECK_INT(domxml_key_line(dx, "uuid"), 6);
	CHECK_INT(domxml_nic_count(dx), 3);
	check_nic(dx, 0, "mac", M1);
	check_nic(dx, 2, "mac", M3);
	check_nic(dx, 2, "bridge", "xenbr2");
	/* The title's &apos; and literal quotes are untouched. */
	CHECK(strstr(domxml_text(dx, NULL),
	    "<title>Jane&apos;s \"build\" box</title>") != NULL);
	set_rc(dx, "uuid", U, 1);
	set_rc(dx, "nic0.mac", M1, 1);
	check_text(dx, want);
	check_reparse(dx);
	free(want);
	domxml_free(dx);
	free(orig);
}

static void
test_escaping(void)
{
	struct domxml *dx;
	char *orig, *want;

	/* Element text: & < > escaped, quotes as they are. */
	orig = fixture_read(WEB01, NULL);
	if ((dx = parse_str(orig)) != NULL) {
		set_ok(dx, "name", "a&b<c>'d\"e");
		want = subst(orig, "<name>web01</name>",
		    "<name>a&amp;b&lt;c&gt;'d\"e</name>");
		check_text(dx, want);
		CHECK_STR(domxml_get_string(dx, "name"), "a&b<c>'d\"e");
		set_rc(dx, "name", "a&b<c>'d\"e", 1);
		check_text(dx, want);
		free(want);
		domxml_free(dx);
	}
	free(orig);
	/* A single-quoted attribute: ' becomes &apos;, " stays. */
	orig = fixture_read(DB02, NULL);
	if ((dx = parse_str(orig)) != NULL) {
		set_ok(dx, "disk1.target", "rbd-pool/o'k\"&<x>");
		want = subst(orig, "name='rbd-pool/db02-data'",
		    "name='rbd-pool/o&apos;k\"&amp;&lt;x&gt;'");
		check_text(dx, want);
		check_disk(dx, 1, "rbd-pool/o'k\"&<x>");
		set_rc(dx, "disk1.target", "rbd-pool/o'k\"&<x>", 1);
		free(want);
		domxml_free(dx);
	}
	free(orig);
	/* A double-quoted attribute: " becomes &quot;, ' stays. */
	dx = parse_str("<domain type=\"kvm\">\n  <name>n</name>\n  <devices>\n"
	    "    <disk type=\"network\" device=\"disk\">\n"
	    "      <source protocol=\"rbd\" name=\"p/a&amp;b\"/>\n"
	    "    </disk>\n  </devices>\n</domain>\n");
	if (dx != NULL) {
		check_disk(dx, 0, "p/a&b");
		set_rc(dx, "disk0.target", "p/a&b", 1);
		set_ok(dx, "disk0.target", "p/o'k\"&<x>");
		check_text(dx, "<domain type=\"kvm\">\n  <name>n</name>\n"
		    "  <devices>\n"
		    "    <disk type=\"network\" device=\"disk\">\n"
		    "      <source protocol=\"rbd\" "
		    "name=\"p/o'k&quot;&amp;&lt;x&gt;\"/>\n"
		    "    </disk>\n  </devices>\n</domain>\n");
		check_disk(dx, 0, "p/o'k\"&<x>");
		domxml_free(dx);
	}
	/* Paths: & and < escaped in a file= value (quotes are refused). */
	orig = fixture_read(XENHW, NULL);
	if ((dx = parse_str(orig)) != NULL) {
		set_ok(dx, "disk1.target", "/srv/a&b<c>.img");
		want = subst(orig, "file=\"/srv/xen/build-box-swap.img\"",
		    "file=\"/srv/a&amp;b&lt;c&gt;.img\"");
		check_text(dx, want);
		check_disk(dx, 1, "/srv/a&b<c>.img");
		free(want);
		domxml_free(dx);
	}
	free(orig);
	/* References in the old value go with it; others stay. */
	dx = parse_str("<domain><name>a&amp;&#98;</name><title>x&amp;y"
	    "</title></domain>");
	if (dx != NULL) {
		CHECK_STR(domxml_get_string(dx, "name"), "a&b");
		set_rc(dx, "name", "a&b", 1);
		set_ok(dx, "name", "c");
		check_text(dx, "<domain><name>c</name><title>x&amp;y</title>"
		    "</domain>");
		domxml_free(dx);
	}
}

static void
test_odd_markup(void)
{
	struct domxml *dx;
	const char *in;

	/*
	 * Markup look-alikes in comments, CDATA, attribute values and
	 * processing instructions; blanks around '='; a multi-line start
	 * tag; a BOM.
	 */
	in = "\xef\xbb\xbf<?xml version='1.0'?>\n"
	    "<!-- <interface type='bridge'> -->\n"
	    "<?foo <interface> ?>\n"
	    "<domain type='kvm'>\n"
	    "  <name>x</name>\n"
	    "  <description><![CDATA[<interface type='bridge'><mac "
	    "address='52:54:00:00:00:09'/>]]></description>\n"
	    "  <devices>\n"
	    "    <disk type='file'>\n"
	    "      <source file='/a>b.img' index = \"1\" />\n"
	    "    </disk>\n"
	    "    <interface\n"
	    "        type='bridge'>\n"
	    "      <mac  address = \"52:54:00:00:00:01\"   />\n"
	    "      <source bridge='br0'/>\n"
	    "    </interface>\n"
	    "  </devices>\n"
	    "</domain>";
	if ((dx = parse_str(in)) == NULL)
		return;
	CHECK_INT(domxml_nic_count(dx), 1);
	CHECK_INT(domxml_nic_line(dx, 0), 11);
	CHECK_INT(domxml_disk_count(dx), 1);
	check_disk(dx, 0, "/a>b.img");
	set_ok(dx, "nic0.mac", L1);
	set_ok(dx, "disk0.target", "/c.img");
	check_text(dx, "\xef\xbb\xbf<?xml version='1.0'?>\n"
	    "<!-- <interface type='bridge'> -->\n"
	    "<?foo <interface> ?>\n"
	    "<domain type='kvm'>\n"
	    "  <name>x</name>\n"
	    "  <description><![CDATA[<interface type='bridge'><mac "
	    "address='52:54:00:00:00:09'/>]]></description>\n"
	    "  <devices>\n"
	    "    <disk type='file'>\n"
	    "      <source file='/c.img' index = \"1\" />\n"
	    "    </disk>\n"
	    "    <interface\n"
	    "        type='bridge'>\n"
	    "      <mac  address = \"" L1 "\"   />\n"
	    "      <source bridge='br0'/>\n"
	    "    </interface>\n"
	    "  </devices>\n"
	    "</domain>");
	check_reparse(dx);
	domxml_free(dx);

	/* Several <devices>, namespaced look-alikes in <metadata>. */
	in = "<domain xmlns:x='urn:x'><name>x</name><metadata><x:name>no"
	    "</x:name><x:devices><x:interface/></x:devices></metadata>"
	    "<devices><interface type='user'/></devices><devices><disk "
	    "type='block' device='lun'><source dev='/dev/sdb'/></disk>"
	    "<interface type='network'><source network='n'/></interface>"
	    "</devices></domain>";
	if ((dx = parse_str(in)) == NULL)
		return;
	CHECK_STR(domxml_get_string(dx, "name"), "x");
	CHECK_INT(domxml_nic_count(dx), 2);
	CHECK_INT(domxml_disk_count(dx), 0);
	check_nic(dx, 0, "type", "user");
	check_nic(dx, 1, "bridge", "n");
	refuse_set(dx, "nic0.mac", L1, "t.xml:1: nic 0 has no <mac> and no "
	    "room for one (<interface/>)");
	/* A missing <mac> goes first, inline where the child is inline. */
	set_ok(dx, "nic1.mac", L1);
	CHECK(strstr(domxml_text(dx, NULL), "<interface type='network'>"
	    "<mac address='" L1 "'/><source network='n'/></interface>") !=
	    NULL);
	domxml_free(dx);
}

static void
test_value_refusals(void)
{
	struct domxml *dx;
	char *orig;

	orig = fixture_read(WEB01, NULL);
	if ((dx = parse_str(orig)) == NULL) {
		free(orig);
		return;
	}
	refuse_set(dx, "nic0.mac", "01:16:3e:00:00:01", "invalid MAC");
	refuse_set(dx, "nic0.mac", "00:00:00:00:00:00", "invalid MAC");
	refuse_set(dx, "nic0.mac", "52:54:00:00:00", "invalid MAC");
	refuse_set(dx, "nic0.bridge", "br 0", "invalid value 'br 0' for "
	    "'nic0.bridge'");
	refuse_set(dx, "nic0.bridge", "a'b", "invalid value");
	refuse_set(dx, "nic0.bridge", "", "invalid value");
	refuse_set(dx, "nic0.model", "virtio", "unknown NIC key 'nic0.model'");
	refuse_set(dx, "nic3.mac", L1, "t.xml: nic 3 does not exist (the "
	    "domain has 3 <interface> elements)");
	refuse_set(dx, "name", "", "invalid name");
	refuse_set(dx, "name", "a/b", "invalid name");
	refuse_set(dx, "name", "a\nb", "invalid name 'a\\x0ab'");
	refuse_set(dx, "name", " web", "invalid name");
	refuse_set(dx, "name", "web ", "invalid name");
	refuse_set(dx, "name", "w\xe9", "invalid name");
	refuse_set(dx, "name", "w\xc0\xaf", "invalid name");
	refuse_set(dx, "name", "w\xed\xa0\x80", "invalid name");
	refuse_set(dx, "uuid", "6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F",
	    "invalid uuid");
	refuse_set(dx, "uuid", "not-a-uuid", "invalid uuid");
	refuse_set(dx, "disk0.target", "images/web02.qcow2",
	    "invalid disk path");
	refuse_set(dx, "disk0.target", "/a'b", "invalid disk path");
	refuse_set(dx, "disk2.target", "/a", "t.xml: disk 2 does not exist "
	    "(the domain has 2 disks of device 'disk')");
	refuse_set(dx, "nic.mac", L1, "unknown key");
	refuse_set(dx, "nic00.mac", L1, "unknown key");
	refuse_set(dx, "nic99999999999999999999999.mac", L1, "unknown key");
	refuse_set(dx, "disk0.", "/a", "unknown key");
	refuse_set(dx, "disk0.dev", "vdb", "unknown key");
	refuse_set(dx, "memory", "5", "unknown key 'memory'");
	/* A valid name with UTF-8 passes. */
	set_ok(dx, "name", "w\xc3\xa9" "b");
	CHECK_STR(domxml_get_string(dx, "name"), "w\xc3\xa9" "b");
	domxml_free(dx);
	free(orig);
}

static void
test_structure_refusals(void)
{
	struct domxml *dx;

	dx = parse_str("<domain>\n<name/>\n<devices>\n<disk type='volume'>"
	    "<source pool='p' volume='v'/></disk>\n<disk type='file'/>\n"
	    "<interface type='bridge'><mac/></interface>\n"
	    "<interface type='bridge'><model type='virtio'/></interface>\n"
	    "</devices>\n</domain>\n");
	if (dx != NULL) {
		refuse_set(dx, "name", "x", "t.xml:2: cannot edit <name/>");
		refuse_set(dx, "disk0.target", "/a", "t.xml:4: disk 0 has no "
		    "path to edit");
		refuse_set(dx, "disk1.target", "/a", "t.xml:5: disk 1 has no "
		    "<source file=...>");
		refuse_set(dx, "nic0.mac", L1, "t.xml:6: nic 0: <mac> has no "
		    "address");
		refuse_set(dx, "nic1.bridge", "br0", "t.xml:7: nic 1 has no "
		    "<source bridge=...>");
		domxml_free(dx);
	}
	dx = parse_str("<domain><name><!-- c -->x</name><uuid><![CDATA["
	    U "]]></uuid></domain>");
	if (dx != NULL) {
		CHECK_STR(domxml_get_string(dx, "name"), "x");
		CHECK_STR(domxml_get_string(dx, "uuid"), U);
		refuse_set(dx, "name", "y", "t.xml:1: cannot edit <name>: it "
		    "holds more than text");
		refuse_set(dx, "uuid", U, "cannot edit <uuid>");
		domxml_free(dx);
	}
	dx = parse_str("<domain type='kvm'><devices/></domain>");
	if (dx != NULL) {
		refuse_set(dx, "name", "x", "t.xml: the domain has no <name> "
		    "element");
		refuse_set(dx, "uuid", U, "t.xml: no <name> element to put "
		    "<uuid> after");
		CHECK_STR(domxml_get_string(dx, "name"), NULL);
		CHECK_INT(domxml_nic_count(dx), 0);
		CHECK_INT(domxml_disk_count(dx), 0);
		domxml_free(dx);
	}
	/* uuid after an inline <name>. */
	dx = parse_str("<domain><name>a</name><os/></domain>");
	if (dx != NULL) {
		set_ok(dx, "uuid", U);
		check_text(dx, "<domain><name>a</name><uuid>" U "</uuid><os/>"
		    "</domain>");
		domxml_free(dx);
	}
}

static void
test_parse_refusals(void)
{
	static const char nul[] = "<domain>\n<name>a\0b</name></domain>";
	struct buf big = BUF_INIT;
	size_t i;

	REFUSE("", "bad.xml: not XML (it does not start with '<')");
	REFUSE("  \n", "bad.xml: not XML");
	REFUSE("name = 'web01'\n", "bad.xml: not XML");
	REFUSE("\xef\xbb\xbf\xef\xbb\xbf<domain/>", "bad.xml: not XML");
	/* EBCDIC "<?xml": libxml2 would guess the encoding from it. */
	REFUSE("\x4c\x6f\xa7\x94", "bad.xml: not XML");
	REFUSE("<", "bad.xml:1: invalid XML");
	REFUSE("<?xml version='1.0'?>", "bad.xml:1: invalid XML");
	REFUSE("<domain>\n  <name>a</nam>\n</domain>\n",
	    "bad.xml:2: invalid XML: Opening and ending tag mismatch");
	REFUSE("<domain>\n<name>a</name>\n", "bad.xml:3: invalid XML");
	REFUSE("<domain><name>a &foo; b</name></domain>",
	    "bad.xml:1: invalid XML: Entity 'foo' not defined");
	REFUSE("<domain><x:name>a</x:name></domain>",
	    "bad.xml:1: invalid XML: Namespace prefix x on name is not "
	    "defined");
	REFUSE("<domain a='1' a='2'/>", "bad.xml:1: invalid XML: Attribute "
	    "a redefined");
	REFUSE("<network><name>default</name></network>",
	    "bad.xml:1: not a libvirt domain: the root element is <network>");
	REFUSE("<!-- c -->\n<x:domain xmlns:x='urn:y'/>",
	    "bad.xml:2: not a libvirt domain: the root element is in "
	    "namespace 'urn:y'");
	REFUSE("<dom/>", "bad.xml:1: not a libvirt domain: the root element "
	    "is <dom>");
	REFUSE("<x xmlns='urn:y'/>", "bad.xml:1: not a libvirt domain: the "
	    "root element is <x>");
	REFUSE("<domain xmlns='urn:y'/>",
	    "bad.xml:1: not a libvirt domain: the root element is in "
	    "namespace 'urn:y'");
	REFUSE("<!DOCTYPE domain>\n<domain/>",
	    "bad.xml:1: a DOCTYPE is not allowed");
	REFUSE("<?xml version='1.0'?>\n<!-- a -->\n<!DOCTYPE domain [\n"
	    "<!ENTITY a 'aaaaaaaaaa'>\n<!ENTITY b '&a;&a;&a;&a;&a;&a;'>\n"
	    "]>\n<domain><name>&b;</name></domain>",
	    "bad.xml:3: a DOCTYPE is not allowed in a domain document "
	    "(no DTDs or entities)");
	REFUSE("<!DOCTYPE domain SYSTEM 'http://example.com/x.dtd'><domain/>",
	    "bad.xml:1: a DOCTYPE is not allowed");
	REFUSE("<domain/>\n<!DOCTYPE domain>", "bad.xml:2: invalid XML");
	REFUSE(nul, "bad.xml:2: NUL byte in the document");
	REFUSE("\xff\xfe<\0d\0/\0>\0", "bad.xml:1: NUL byte");
	REFUSE("<?xml version='1.0' encoding='ISO-8859-1'?><domain><name>"
	    "\xe9</name></domain>", "bad.xml:1: encoding 'ISO-8859-1' is not "
	    "supported (only UTF-8)");
	/* UTF-7 would hide markup ("+ADw-" is '<') from the byte checks. */
	REFUSE("<?xml version=\"1.0\" encoding = \"UTF-7\" ?>\n"
	    "+ADw-!DOCTYPE domain+AD4-<domain/>", "bad.xml:1: encoding "
	    "'UTF-7' is not supported");
	REFUSE("<?xml version='1.0' encoding='latin1'?>\n<domain/>",
	    "bad.xml:1: encoding 'latin1'");
	REFUSE("<domain><name>\xe9</name></domain>", "bad.xml:1: invalid "
	    "XML: Input is not proper UTF-8, indicate encoding ! Bytes: 0xE9");
	REFUSE("<domain><name>a\x01</name></domain>", "bad.xml:1: invalid "
	    "XML");
	/* Markup cap: checked before libxml2 builds anything. */
	buf_adds(&big, "<domain>");
	for (i = 0; i < DOMXML_MAX_MARKUP; i++)
		buf_adds(&big, "<a/>");
	buf_adds(&big, "</domain>");
	refuse_parse(big.data, big.len, "bad.xml: too much markup (more "
	    "than 200000 '<')");
	buf_release(&big);
}

static void
test_size_cap(void)
{
	struct domxml *dx = NULL;
	char *msg;
	int rc;

	cap_start();
	/* The length is checked before the bytes are read. */
	rc = domxml_parse("huge.xml", "", (size_t)DOMXML_MAX_SIZE + 1, &dx);
	msg = cap_stop();
	CHECK_INT(rc, -1);
	check_msg(msg, "huge.xml: file too large (16777217 bytes, limit "
	    "16777216)");
	free(msg);
}

static void
test_add_remove(void)
{
	struct domxml *dx;
	char *orig, *want, *msg, *before;
	int rc;

	orig = fixture_read(WEB01, NULL);
	if ((dx = parse_str(orig)) == NULL) {
		free(orig);
		return;
	}
	CHECK_INT(domxml_add_nic(dx, "mac=52:54:00:AA:BB:03,network=lab,"
	    "model=virtio"), 0);
	want = subst(orig, "      <model type='e1000e'/>\n      <address "
	    "type='pci' domain='0x0000' bus='0x06' slot='0x00' "
	    "function='0x0'/>\n    </interface>\n",
	    "      <model type='e1000e'/>\n      <address type='pci' "
	    "domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>\n"
	    "    </interface>\n"
	    "    <interface type='network'>\n"
	    "      <mac address='" L3 "'/>\n"
	    "      <source network='lab'/>\n"
	    "      <model type='virtio'/>\n"
	    "    </interface>\n");
	check_text(dx, want);
	CHECK_INT(domxml_nic_count(dx), 4);
	CHECK_INT(domxml_nic_line(dx, 3), 80);
	check_nic(dx, 3, "mac", L3);
	check_nic(dx, 3, "bridge", "lab");
	check_nic(dx, 3, "type", "network");
	check_reparse(dx);
	/* Remove it again: back to the fixture. */
	CHECK_INT(domxml_remove_nic(dx, 3), 0);
	check_text(dx, orig);
	CHECK(!domxml_changed(dx));
	free(want);
	/* Remove nic1: its six lines go, nothing else. */
	CHECK_INT(domxml_remove_nic(dx, 1), 0);
	want = subst(orig, "    <interface type='network'>\n"
	    "      <mac address='52:54:00:6B:3C:02'/>\n"
	    "      <source network='default'/>\n"
	    "      <model type='virtio'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x02' "
	    "slot='0x00' function='0x0'/>\n"
	    "    </interface>\n", "");
	check_text(dx, want);
	CHECK_INT(domxml_nic_count(dx), 2);
	check_nic(dx, 1, "bridge", "br0.240");
	free(want);
	/* Remove all; an added NIC then goes before </devices>. */
	CHECK_INT(domxml_remove_nic(dx, 0), 0);
	CHECK_INT(domxml_remove_nic(dx, 0), 0);
	CHECK_INT(domxml_nic_count(dx), 0);
	CHECK_INT(domxml_add_nic(dx, "bridge=br0"), 0);
	CHECK(strstr(domxml_text(dx, NULL), "    </rng>\n"
	    "    <interface type='bridge'>\n"
	    "      <source bridge='br0'/>\n"
	    "    </interface>\n"
	    "  </devices>\n</domain>\n") != NULL);
	check_reparse(dx);
	/* Refusals leave the text alone. */
	before = xstrdup(domxml_text(dx, NULL));
	cap_start();
	rc = domxml_remove_nic(dx, 1);
	msg = cap_stop();
	CHECK_INT(rc, -1);
	check_msg(msg, "t.xml: nic 1 does not exist");
	free(msg);
	static const char *const bad[][2] = {
		{ "", "field '' is not KEY=VALUE" },
		{ "mac=" L1, "give exactly one of bridge= and network=" },
		{ "bridge=a,network=b", "give exactly one" },
		{ "bridge=a,bridge=b", "key 'bridge' given twice" },
		{ "mac=" L1 ",mac=" L2 ",bridge=a", "key 'mac' given twice" },
		{ "mac=01:00:00:00:00:01,bridge=a", "invalid MAC address" },
		{ "bridge=a b", "invalid value 'a b' for 'bridge'" },
		{ "bridge=a'b", "invalid value" },
		{ "bridge=", "invalid value '' for 'bridge'" },
		{ "bridge=a,vlan=3", "unknown key 'vlan'" },
		{ "bridge", "field 'bridge' is not KEY=VALUE" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		cap_start();
		rc = domxml_add_nic(dx, bad[i][0]);
		msg = cap_stop();
		CHECK_INT(rc, -1);
		check_msg(msg, bad[i][1]);
		free(msg);
		check_text(dx, before);
	}
	free(before);
	domxml_free(dx);
	free(orig);

	/* No <devices>, or no room in it. */
	dx = parse_str("<domain><name>a</name><devices/></domain>");
	if (dx != NULL) {
		cap_start();
		rc = domxml_add_nic(dx, "bridge=br0");
		msg = cap_stop();
		CHECK_INT(rc, -1);
		check_msg(msg, "t.xml: cannot add a NIC: the domain has no "
		    "<devices> element with room for one");
		free(msg);
		domxml_free(dx);
	}
	/* Inline layouts stay inline; CRLF is kept. */
	dx = parse_str("<domain>\r\n<devices><interface type='network'>"
	    "<source network='a'/></interface></devices>\r\n</domain>\r\n");
	if (dx != NULL) {
		CHECK_INT(domxml_add_nic(dx, "bridge=br1"), 0);
		check_text(dx, "<domain>\r\n<devices><interface type='network'>"
		    "<source network='a'/></interface>\r\n"
		    "<interface type='bridge'>\r\n"
		    "  <source bridge='br1'/>\r\n"
		    "</interface></devices>\r\n</domain>\r\n");
		CHECK_INT(domxml_remove_nic(dx, 0), 0);
		check_text(dx, "<domain>\r\n<devices>\r\n"
		    "<interface type='bridge'>\r\n"
		    "  <source bridge='br1'/>\r\n"
		    "</interface></devices>\r\n</domain>\r\n");
		domxml_free(dx);
	}
	dx = parse_str("<domain>\n\t<devices>\n\t</devices>\n</domain>\n");
	if (dx != NULL) {
		CHECK_INT(domxml_add_nic(dx, "network=default"), 0);
		check_text(dx, "<domain>\n\t<devices>\n"
		    "\t\t<interface type='network'>\n"
		    "\t\t\t<source network='default'/>\n"
		    "\t\t</interface>\n"
		    "\t</devices>\n</domain>\n");
		domxml_free(dx);
	}
}

static void
test_declarations(void)
{
	static const char *const ok[] = {
		"<?xml version='1.0' encoding='utf-8'?><domain/>",
		"<?xml version=\"1.0\" encoding = \"UTF-8\" ?>\n<domain/>",
		"<?xml version='1.0' standalone='yes'?>\n<domain/>",
		"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?><domain/>",
		"\n  <domain/>\n",
	};
	struct domxml *dx;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		if ((dx = parse_str(ok[i])) != NULL) {
			check_text(dx, ok[i]);
			domxml_free(dx);
		}
}

static void
test_is_xml(void)
{
	CHECK(domxml_is_xml("<domain/>", 9));
	CHECK(domxml_is_xml(" \t\r\n<domain/>", 13));
	CHECK(domxml_is_xml("\xef\xbb\xbf<", 4));
	CHECK(domxml_is_xml("\xef\xbb\xbf\n <", 6));
	CHECK(!domxml_is_xml("", 0));
	CHECK(!domxml_is_xml("   \n", 4));
	CHECK(!domxml_is_xml("name = 'x'\n", 11));
	CHECK(!domxml_is_xml("# <domain>\n", 11));
	CHECK(!domxml_is_xml("\xef\xbb\xbf", 3));
	CHECK(!domxml_is_xml("<", 0));
}

/*
 * diskN.format: <driver type=> replaced, added to a <driver> without it,
 * or a whole <driver name='qemu' type='qcow2'/> put first in the disk,
 * indented as its first child; the edits `imprint clone --disk-mode
 * overlay` makes (format and target) on one document.
 */
static void
test_disk_format(void)
{
	static const char head[] = "<domain type='kvm'>\n"
	    "  <name>t</name>\n"
	    "  <devices>\n";
	static const char tail[] = "  </devices>\n</domain>\n";
	struct domxml *dx;
	struct buf in = BUF_INIT, want = BUF_INIT;
	char *v;

	/* no <driver>: added first, with the disk's quote and indent */
	buf_addf(&in, "%s    <disk type=\"file\" device=\"disk\">\n"
	    "\t<source file=\"/p/t.img\"/>\n"
	    "\t<target dev=\"vda\" bus=\"virtio\"/>\n"
	    "    </disk>\n%s", head, tail);
	if ((dx = parse_str(in.data)) != NULL) {
		set_rc(dx, "disk0.format", "raw", 1);
		set_ok(dx, "disk0.format", "qcow2");
		set_ok(dx, "disk0.target", "/p/c.qcow2");
		buf_addf(&want, "%s    <disk type=\"file\" device=\"disk\">\n"
		    "\t<driver name=\"qemu\" type=\"qcow2\"/>\n"
		    "\t<source file=\"/p/c.qcow2\"/>\n"
		    "\t<target dev=\"vda\" bus=\"virtio\"/>\n"
		    "    </disk>\n%s", head, tail);
		check_text(dx, want.data);
		check_disk_get(dx, 0, "format", "qcow2");
		set_rc(dx, "disk0.format", "qcow2", 1);
		check_reparse(dx);
		domxml_free(dx);
	}
	/* <driver type='raw'>: the value replaced, nothing else */
	buf_reset(&in);
	buf_reset(&want);
	buf_addf(&in, "%s    <disk type='file' device='cdrom'><target "
	    "dev='hdc'/></disk>\n"
	    "    <disk type='file' device='disk'>\n"
	    "      <driver name='qemu' type='raw' cache='none'/>\n"
	    "      <source file='/p/t.img'/>\n"
	    "    </disk>\n%s", head, tail);
	if ((dx = parse_str(in.data)) != NULL) {
		set_ok(dx, "disk0.format", "qcow2");
		buf_addf(&want, "%s    <disk type='file' device='cdrom'><target "
		    "dev='hdc'/></disk>\n"
		    "    <disk type='file' device='disk'>\n"
		    "      <driver name='qemu' type='qcow2' cache='none'/>\n"
		    "      <source file='/p/t.img'/>\n"
		    "    </disk>\n%s", head, tail);
		check_text(dx, want.data);
		refuse_set(dx, "disk1.format", "qcow2", "t.xml: disk 1 does not "
		    "exist (the domain has 1 disks of device 'disk')");
		refuse_set(dx, "disk0.format", "vmdk", "t.xml: invalid format "
		    "'vmdk' for 'disk0.format' (want qcow2 or raw)");
		domxml_free(dx);
	}
	/* <driver> without type: type= added after its last attribute */
	buf_reset(&in);
	buf_reset(&want);
	buf_addf(&in, "%s    <disk type='file'><driver name='qemu' "
	    "cache='none' /><source file='/p/t.img'/></disk>\n%s", head,
	    tail);
	if ((dx = parse_str(in.data)) != NULL) {
		set_rc(dx, "disk0.format", "raw", 1);
		set_ok(dx, "disk0.format", "qcow2");
		buf_addf(&want, "%s    <disk type='file'><driver name='qemu' "
		    "cache='none' type='qcow2' /><source file='/p/t.img'/>"
		    "</disk>\n%s", head, tail);
		check_text(dx, want.data);
		v = domxml_disk_get(dx, 0, "format");
		CHECK_STR(v, "qcow2");
		free(v);
		domxml_free(dx);
	}
	/* a Xen domain without <driver>: refused, the name is Xen's choice */
	buf_reset(&in);
	buf_addf(&in, "<domain type='xen'>\n  <name>t</name>\n  <devices>\n"
	    "    <disk type='file'>\n      <source file='/p/t.img'/>\n"
	    "    </disk>\n%s", tail);
	if ((dx = parse_str(in.data)) != NULL) {
		set_rc(dx, "disk0.format", "raw", 1);
		refuse_set(dx, "disk0.format", "qcow2", "t.xml:4: disk 0 has "
		    "no <driver> to give type='qcow2': the driver name depends "
		    "on the hypervisor of a domain of type other than kvm or "
		    "qemu (xen: qemu, tap or phy); add <driver name=... "
		    "type='qcow2'/> by hand");
		domxml_free(dx);
	}
	buf_release(&in);
	buf_release(&want);
}

int
main(void)
{
	test_roundtrip();
	test_accessors();
	test_web01_job();
	test_web01_idempotent();
	test_db02_job();
	test_xen_handwritten_job();
	test_escaping();
	test_odd_markup();
	test_value_refusals();
	test_structure_refusals();
	test_parse_refusals();
	test_size_cap();
	test_declarations();
	test_add_remove();
	test_is_xml();
	test_disk_format();
	return unit_done();
}
