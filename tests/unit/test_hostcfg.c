/*
 * test_hostcfg.c - unit tests for the Xen domain config parser and editor.
 *
 * Every host fixture must round-trip byte-exact, give the expected
 * accessor values, and produce exactly the bytes its job in
 * fixtures/README.md describes.  Expected bytes are built from the
 * original by explicit substring substitutions, so a wrong edit fails.
 * Refusals are checked for their FILE:LINE:COL message (stderr is
 * captured) and for leaving the object untouched.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostcfg.h"
#include "util.h"
#include "capture.h"
#include "unit.h"

#define FIXTURES_DEFAULT "tests/data/fixtures"

#define M1 "00:16:3e:aa:bb:01"
#define M2 "00:16:3e:aa:bb:02"
#define M3 "00:16:3e:aa:bb:03"
#define U "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"

static const char *
fixtures_dir(void)
{
	const char *d = getenv("IMPRINT_FIXTURES");

	return d && *d ? d : FIXTURES_DEFAULT;
}

/* Read fixture NAME into a struct buf; aborts the test on failure. */
static void
fixture(const char *name, struct buf *b)
{
	char *path, *data;
	size_t len;

	path = xasprintf("%s/%s", fixtures_dir(), name);
	if (read_host_file(path, 1 << 20, &data, &len) == -1) {
		fprintf(stderr, "cannot read fixture %s\n", path);
		exit(1);
	}
	buf_reset(b);
	buf_add(b, data, len);
	free(data);
	free(path);
}

/* Replace the single occurrence of OLD in B with NEW (test fails if not
 * exactly one). */
static void
subst(struct buf *b, const char *old, const char *new)
{
	size_t ol = strlen(old), nl = strlen(new), i, hits = 0, at = 0;
	struct buf r = BUF_INIT;

	for (i = 0; i + ol <= b->len; i++)
		if (memcmp(b->data + i, old, ol) == 0) {
			hits++;
			at = i;
		}
	if (!CHECK(hits == 1)) {
		fprintf(stderr, "    subst: '%s' found %zu times\n", old,
		    hits);
		return;
	}
	buf_add(&r, b->data, at);
	buf_add(&r, new, nl);
	buf_add(&r, b->data + at + ol, b->len - at - ol);
	buf_release(b);
	*b = r;
}

static struct hostcfg *
parse_buf(const char *name, const char *s, size_t n)
{
	struct hostcfg *c = NULL;

	if (!CHECK(hostcfg_parse(name, s, n, &c) == 0)) {
		fprintf(stderr, "    parse of %s failed\n", name);
		return NULL;
	}
	return c;
}

static struct hostcfg *
parse_str(const char *s)
{
	return parse_buf("t.cfg", s, strlen(s));
}

static struct hostcfg *
load_fixture(const char *name, struct buf *orig)
{
	fixture(name, orig);
	return parse_buf(name, orig->data, orig->len);
}

static void
check_text(const struct hostcfg *c, const struct buf *want)
{
	const char *t;
	size_t n;

	t = hostcfg_text(c, &n);
	CHECK_MEM(t, n, want->data, want->len);
}

/* Expect a parse refusal whose message contains WANT. */
static void
refuse_parse(const char *in, size_t n, const char *want)
{
	struct hostcfg *c = NULL;
	char *msg;
	int rc;

	cap_start();
	rc = hostcfg_parse("bad.cfg", in, n, &c);
	msg = cap_stop();
	CHECK_INT(rc, -1);
	CHECK(c == NULL);
	if (!CHECK(strstr(msg, want) != NULL))
		fprintf(stderr, "    got message '%s', want '%s'\n", msg,
		    want);
	/* Exactly one line. */
	CHECK(strchr(msg, '\n') == strrchr(msg, '\n'));
	free(msg);
}

/* Expect hostcfg_set to refuse with WANT, leaving the text as it was. */
static void
refuse_set(struct hostcfg *c, const char *key, const char *value,
    const char *want)
{
	struct buf before = BUF_INIT;
	const char *t;
	size_t n;
	char *msg;
	int rc;

	t = hostcfg_text(c, &n);
	buf_add(&before, t, n);
	cap_start();
	rc = hostcfg_set(c, key, value);
	msg = cap_stop();
	CHECK_INT(rc, -1);
	if (!CHECK(strstr(msg, want) != NULL))
		fprintf(stderr, "    %s=%s: got '%s', want '%s'\n", key,
		    value, msg, want);
	check_text(c, &before);
	free(msg);
	buf_release(&before);
}

static void
set_ok(struct hostcfg *c, const char *key, const char *value)
{
	int rc = hostcfg_set(c, key, value);

	if (!CHECK(rc == 0))
		fprintf(stderr, "    set %s=%s returned %d\n", key, value, rc);
}

static void
check_nic(const struct hostcfg *c, size_t i, const char *key,
    const char *want)
{
	char *v = hostcfg_nic_get(c, i, key);

	CHECK_STR(v, want);
	free(v);
}

static void
check_disk(const struct hostcfg *c, size_t i, const char *want)
{
	char *v = hostcfg_disk_target(c, i);

	CHECK_STR(v, want);
	free(v);
}

/*
 * The referee: Xen's own parser (libxlutil) re-reads xl-style output and
 * must give the values hostcfg reports.  Loaded with dlopen so that only
 * this test needs it; missing is a failure under CI=true, else a note.
 */
static struct {
	bool	  tried, ok;
	void	 *(*init)(FILE *, const char *);
	int	  (*readdata)(void *, const char *, int);
	void	  (*destroy)(void *);
	int	  (*get_string)(const void *, const char *, const char **,
		    int);
	int	  (*get_list)(const void *, const char *, void **, int *, int);
	const char *(*listitem)(const void *, int);
} xlu;

static bool
xlu_open(void)
{
	void *h;
	const char *ci = getenv("CI");

	if (xlu.tried)
		return xlu.ok;
	xlu.tried = true;
	if ((h = dlopen("libxlutil.so.4.17", RTLD_NOW)) == NULL &&
	    (h = dlopen("libxlutil.so", RTLD_NOW)) == NULL) {
		fprintf(stderr, "note: libxlutil not found (libxen-dev); "
		    "referee checks not run\n");
		if (ci && strcmp(ci, "true") == 0)
			CHECK(!"libxlutil is required under CI");
		return false;
	}
	*(void **)&xlu.init = dlsym(h, "xlu_cfg_init");
	*(void **)&xlu.readdata = dlsym(h, "xlu_cfg_readdata");
	*(void **)&xlu.destroy = dlsym(h, "xlu_cfg_destroy");
	*(void **)&xlu.get_string = dlsym(h, "xlu_cfg_get_string");
	*(void **)&xlu.get_list = dlsym(h, "xlu_cfg_get_list");
	*(void **)&xlu.listitem = dlsym(h, "xlu_cfg_get_listitem");
	xlu.ok = xlu.init && xlu.readdata && xlu.destroy && xlu.get_string &&
	    xlu.get_list && xlu.listitem;
	CHECK(xlu.ok);
	return xlu.ok;
}

static void
xlu_list_check(void *x, const struct hostcfg *c, const char *key,
    size_t count, const char *(*spec)(const struct hostcfg *, size_t))
{
	void *list = NULL;
	int n = 0, i;

	if (xlu.get_list(x, key, &list, &n, 1) != 0) {
		CHECK_INT(count, 0);
		return;
	}
	CHECK_INT(n, count);
	for (i = 0; i < n && (size_t)i < count; i++)
		CHECK_STR(xlu.listitem(list, i), spec(c, (size_t)i));
}

/* libxlutil's reading of C's current text equals hostcfg's. */
static void
xlu_check(const struct hostcfg *c)
{
	static const char *const keys[] = { "name", "uuid", "type" };
	const char *t, *v;
	size_t n, i;
	void *x;
	int rc;

	if (!xlu_open())
		return;
	t = hostcfg_text(c, &n);
	if (!CHECK((x = xlu.init(stderr, hostcfg_path(c))) != NULL))
		return;
	rc = xlu.readdata(x, t, (int)n);
	CHECK_INT(rc, 0);
	if (rc == 0) {
		for (i = 0; i < ARRAY_SIZE(keys); i++) {
			v = NULL;
			if (xlu.get_string(x, keys[i], &v, 1) != 0)
				v = NULL;
			CHECK_STR(v, hostcfg_get_string(c, keys[i]));
		}
		xlu_list_check(x, c, "vif", hostcfg_nic_count(c),
		    hostcfg_nic_spec);
		xlu_list_check(x, c, "disk", hostcfg_disk_count(c),
		    hostcfg_disk_spec);
	}
	xlu.destroy(x);
}

static const char *const host_fixtures[] = {
	"host-xl-hvm-three-bridges.cfg",
	"host-xl-pv-keyed-diskspec.cfg",
	"host-xl-pvh-no-mac.cfg",
	"host-xm-commented-old-vif.vm.cfg",
	"host-xm-empty-vif-spec.vm.cfg",
	"host-xm-hvm-ioemu-spaces.vm.cfg",
	"host-xm-multiline-vif-trailing-comma.vm.cfg",
	"host-xm-no-uuid.vm.cfg",
	"host-xm-ovm2-quoted-numbers.vm.cfg",
	"host-xm-ovm3-pvm.vm.cfg",
	"host-xm-provisioner-aligned-no-uuid.cfg",
	"host-xm-pv-two-nics-one-line.vm.cfg",
};

static void
test_roundtrip(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;
	size_t i, n;
	const char *t;

	for (i = 0; i < ARRAY_SIZE(host_fixtures); i++) {
		if ((c = load_fixture(host_fixtures[i], &b)) == NULL)
			continue;
		check_text(c, &b);
		t = hostcfg_original(c, &n);
		CHECK_MEM(t, n, b.data, b.len);
		CHECK(!hostcfg_changed(c));
		CHECK_STR(hostcfg_path(c), host_fixtures[i]);
		if (strstr(host_fixtures[i], "ovm3") == NULL)
			xlu_check(c);
		hostcfg_free(c);
	}
	buf_release(&b);
}

static void
test_ovm3(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-ovm3-pvm.vm.cfg", &b)) == NULL)
		return;
	CHECK_STR(hostcfg_get_string(c, "name"),
	    "0004fb00000600007c2e9a41b05d3f18");
	CHECK_STR(hostcfg_get_string(c, "uuid"),
	    "0004fb00-0006-0000-7c2e-9a41b05d3f18");
	CHECK_STR(hostcfg_get_string(c, "OVM_os_type"), "Oracle Linux 7");
	CHECK(hostcfg_get_string(c, "OVM_high_availability") == NULL);
	CHECK(hostcfg_get_string(c, "memory") == NULL);
	CHECK_INT(hostcfg_key_line(c, "name"), 19);
	CHECK_INT(hostcfg_key_line(c, "uuid"), 7);
	CHECK_INT(hostcfg_key_line(c, "nosuch"), 0);
	CHECK_INT(hostcfg_nic_count(c), 1);
	CHECK_INT(hostcfg_nic_line(c, 0), 1);
	CHECK_INT(hostcfg_nic_line(c, 1), 0);
	CHECK(hostcfg_nic_spec(c, 1) == NULL);
	check_nic(c, 0, "mac", "00:21:f6:4b:10:2c");
	check_nic(c, 0, "bridge", "0a0c1e00");
	check_nic(c, 0, "type", NULL);
	CHECK_INT(hostcfg_disk_count(c), 1);
	CHECK_INT(hostcfg_disk_line(c, 0), 4);
	check_disk(c, 0, "/OVS/Repositories/0004fb0000030000a81e5c2d7f9b3e41/"
	    "VirtualDisks/0004fb00001200003c7d9e2a5b8f1d60.img");

	set_ok(c, "nic0.mac", "00:21:f6:aa:bb:01");
	set_ok(c, "nic0.bridge", "0a0c1f00");
	set_ok(c, "uuid", "0004fb00-0006-0000-6f1c-2d3e4a5b4c6d");
	set_ok(c, "name", "0004fb00000600006f1c2d3e4a5b4c6d");
	subst(&b, "mac=00:21:f6:4b:10:2c", "mac=00:21:f6:aa:bb:01");
	subst(&b, "bridge=0a0c1e00", "bridge=0a0c1f00");
	subst(&b, "uuid = '0004fb00-0006-0000-7c2e-9a41b05d3f18'",
	    "uuid = '0004fb00-0006-0000-6f1c-2d3e4a5b4c6d'");
	subst(&b, "name = '0004fb00000600007c2e9a41b05d3f18'",
	    "name = '0004fb00000600006f1c2d3e4a5b4c6d'");
	check_text(c, &b);
	CHECK(hostcfg_changed(c));
	/* Setting the same values again changes nothing. */
	CHECK_INT(hostcfg_set(c, "nic0.mac", "00:21:f6:aa:bb:01"), 1);
	CHECK_INT(hostcfg_set(c, "name", "0004fb00000600006f1c2d3e4a5b4c6d"),
	    1);
	check_text(c, &b);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_ovm2(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-ovm2-quoted-numbers.vm.cfg", &b)) ==
	    NULL)
		return;
	CHECK_STR(hostcfg_get_string(c, "memory"), "2048");
	CHECK_STR(hostcfg_get_string(c, "name"), "OVM_OL5U8_X86_64_PVM");
	CHECK_STR(hostcfg_get_string(c, "uuid"),
	    "3d9e1f2a-6b7c-4d8e-9f01-2a3b4c5d6e7f");
	CHECK_INT(hostcfg_nic_count(c), 1);
	check_nic(c, 0, "mac", "00:16:3E:2A:71:C4");
	check_nic(c, 0, "bridge", "xenbr0");
	check_nic(c, 0, "type", "netfront");
	CHECK_INT(hostcfg_disk_count(c), 2);
	CHECK_INT(hostcfg_disk_line(c, 1), 3);
	check_disk(c, 0, "/OVS/running_pool/OVM_OL5U8_X86_64_PVM/System.img");
	check_disk(c, 1, "/OVS/running_pool/OVM_OL5U8_X86_64_PVM/u01.img");
	set_ok(c, "nic0.mac", M1);
	set_ok(c, "uuid", U);
	subst(&b, "mac=00:16:3E:2A:71:C4", "mac=" M1);
	subst(&b, "'3d9e1f2a-6b7c-4d8e-9f01-2a3b4c5d6e7f'", "'" U "'");
	check_text(c, &b);
	CHECK_STR(hostcfg_nic_spec(c, 0),
	    "bridge=xenbr0,mac=" M1 ",type=netfront");
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_two_nics_one_line(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-pv-two-nics-one-line.vm.cfg", &b)) ==
	    NULL)
		return;
	CHECK_INT(hostcfg_nic_count(c), 2);
	check_nic(c, 0, "mac", "00:16:3e:10:20:01");
	check_nic(c, 1, "mac", "00:16:3e:10:20:02");
	check_nic(c, 1, "bridge", "xenbr1");
	CHECK_INT(hostcfg_disk_count(c), 2);
	check_disk(c, 0, "/dev/vg_guests/app-tmpl-root");
	check_disk(c, 1, "/dev/vg_guests/app-tmpl-swap");
	set_ok(c, "nic1.mac", M2);
	set_ok(c, "nic1.bridge", "xenbr2");
	set_ok(c, "disk0.target", "/dev/vg_guests/app-clone1-root");
	subst(&b, "'mac=00:16:3e:10:20:02,bridge=xenbr1'",
	    "'mac=" M2 ",bridge=xenbr2'");
	subst(&b, "'phy:/dev/vg_guests/app-tmpl-root,xvda1,w'",
	    "'phy:/dev/vg_guests/app-clone1-root,xvda1,w'");
	check_text(c, &b);
	/* A ',' in a positional disk path is refused. */
	refuse_set(c, "disk1.target", "/dev/a,b",
	    "host-xm-pv-two-nics-one-line.vm.cfg:9:");
	refuse_set(c, "disk1.target", "/dev/a,b", "positional");
	refuse_set(c, "disk2.target", "/dev/x", "disk 2 does not exist");
	refuse_set(c, "disk0.target", "dev/x",
	    "9:10: invalid path 'dev/x' for disk 0");
	refuse_set(c, "disk0.vdev", "xvdb", "unknown key");
	refuse_set(c, "nic2.mac", M3, "nic 2 does not exist");
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_hvm_spaces(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-hvm-ioemu-spaces.vm.cfg", &b)) == NULL)
		return;
	CHECK_STR(hostcfg_get_string(c, "name"), "win2k8-tmpl");
	check_nic(c, 0, "mac", "00:16:3e:5d:0a:11");
	check_nic(c, 0, "model", "e1000");
	check_nic(c, 0, "type", "ioemu");
	check_disk(c, 0, "/dev/vg_guests/win2k8-tmpl");
	check_disk(c, 1, "/srv/iso/virtio-drivers.iso");
	set_ok(c, "nic0.mac", M1);
	set_ok(c, "nic0.bridge", "xenbr1");
	set_ok(c, "uuid", U);
	subst(&b, "'type=ioemu, mac=00:16:3e:5d:0a:11, bridge=xenbr0, "
	    "model=e1000'", "'type=ioemu, mac=" M1 ", bridge=xenbr1, "
	    "model=e1000'");
	subst(&b, "\"b51c7e90-2d4f-4a38-8e6b-0f9d3c21a7e5\"", "\"" U "\"");
	check_text(c, &b);
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_empty_spec(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-empty-vif-spec.vm.cfg", &b)) == NULL)
		return;
	CHECK_INT(hostcfg_nic_count(c), 1);
	CHECK_STR(hostcfg_nic_spec(c, 0), "");
	check_nic(c, 0, "mac", NULL);
	check_disk(c, 0, "/var/lib/xen/images/minimal-pv.img");
	set_ok(c, "nic0.mac", M1);
	set_ok(c, "nic0.bridge", "xenbr1");
	subst(&b, "vif = [ '' ]", "vif = [ 'mac=" M1 ",bridge=xenbr1' ]");
	check_text(c, &b);
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_no_uuid(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-no-uuid.vm.cfg", &b)) == NULL)
		return;
	CHECK(hostcfg_get_string(c, "uuid") == NULL);
	CHECK_INT(hostcfg_key_line(c, "uuid"), 0);
	set_ok(c, "nic0.mac", M1);
	set_ok(c, "uuid", U);
	subst(&b, "mac=00:16:3e:3c:44:9a", "mac=" M1);
	subst(&b, "name = 'build-box'\n", "name = 'build-box'\nuuid = '" U
	    "'\n");
	check_text(c, &b);
	CHECK_STR(hostcfg_get_string(c, "uuid"), U);
	CHECK_INT(hostcfg_key_line(c, "uuid"), 2);
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_multiline(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-multiline-vif-trailing-comma.vm.cfg",
	    &b)) == NULL)
		return;
	CHECK_INT(hostcfg_nic_count(c), 2);
	CHECK_INT(hostcfg_nic_line(c, 0), 8);
	CHECK_INT(hostcfg_nic_line(c, 1), 10);
	check_nic(c, 1, "bridge", "xenbr1");
	set_ok(c, "nic1.mac", M2);
	set_ok(c, "nic1.bridge", "xenbr2");
	subst(&b, "'mac=00:16:3e:71:00:02,bridge=xenbr1'",
	    "'mac=" M2 ",bridge=xenbr2'");
	check_text(c, &b);
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_xl_keyed(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xl-pv-keyed-diskspec.cfg", &b)) == NULL)
		return;
	CHECK_STR(hostcfg_get_string(c, "extra"),
	    "root=/dev/xvda1 ro console=hvc0");
	check_disk(c, 0, "/dev/vg_xen/deb12-tmpl");
	CHECK_STR(hostcfg_disk_spec(c, 0),
	    "format=raw, vdev=xvda, access=rw, target=/dev/vg_xen/deb12-tmpl");
	set_ok(c, "nic0.mac", M1);
	set_ok(c, "nic0.bridge", "xenbr1");
	set_ok(c, "uuid", U);
	set_ok(c, "disk0.target", "/dev/vg_xen/clone01");
	subst(&b, "\"mac=00:16:3e:2b:8c:01,bridge=xenbr0\"",
	    "\"mac=" M1 ",bridge=xenbr1\"");
	subst(&b, "\"4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308\"", "\"" U "\"");
	subst(&b, "target=/dev/vg_xen/deb12-tmpl\"",
	    "target=/dev/vg_xen/clone01\"");
	check_text(c, &b);
	/* Keyed target takes the rest of the spec: ',' is allowed. */
	set_ok(c, "disk0.target", "/dev/odd,name");
	subst(&b, "target=/dev/vg_xen/clone01\"", "target=/dev/odd,name\"");
	check_text(c, &b);
	check_disk(c, 0, "/dev/odd,name");
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_three_bridges(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;
	struct strlist keys = STRLIST_INIT;

	if ((c = load_fixture("host-xl-hvm-three-bridges.cfg", &b)) == NULL)
		return;
	CHECK_INT(hostcfg_nic_count(c), 3);
	CHECK_INT(hostcfg_nic_line(c, 2), 8);
	check_nic(c, 1, "bridge", "xenbr0.240");
	check_nic(c, 1, "rate", "100Mb/s");
	check_nic(c, 0, "vifname", "lbt-pub");
	CHECK_INT(hostcfg_nic_keys(c, 1, &keys), 4);
	if (keys.n == 4) {
		CHECK_STR(keys.v[0], "mac");
		CHECK_STR(keys.v[3], "rate");
	}
	strlist_release(&keys);
	check_disk(c, 0, "/dev/vg_xen/lb-tmpl");
	set_ok(c, "nic1.mac", M2);
	set_ok(c, "nic1.bridge", "xenbr0.250");
	set_ok(c, "nic2.mac", M3);
	subst(&b, "mac=00:16:3e:44:01:0b,bridge=xenbr0.240",
	    "mac=" M2 ",bridge=xenbr0.250");
	subst(&b, "mac=00:16:3e:44:01:0c", "mac=" M3);
	check_text(c, &b);
	/* Positional xl disk: first field, no prefix. */
	set_ok(c, "disk0.target", "/dev/vg_xen/lb-01");
	subst(&b, "\"/dev/vg_xen/lb-tmpl,raw", "\"/dev/vg_xen/lb-01,raw");
	check_text(c, &b);
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_pvh_no_mac(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xl-pvh-no-mac.cfg", &b)) == NULL)
		return;
	check_nic(c, 0, "mac", NULL);
	check_disk(c, 0, "/srv/xen/pvh-tmpl.img");
	set_ok(c, "nic0.mac", M1);
	subst(&b, "'bridge=xenbr0'", "'bridge=xenbr0,mac=" M1 "'");
	check_text(c, &b);
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_commented(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-commented-old-vif.vm.cfg", &b)) == NULL)
		return;
	CHECK_INT(hostcfg_nic_count(c), 1);
	CHECK_INT(hostcfg_nic_line(c, 0), 7);
	check_nic(c, 0, "bridge", "xenbr3");
	set_ok(c, "nic0.mac", M1);
	set_ok(c, "nic0.bridge", "xenbr1");
	subst(&b, "vif = [ 'mac=00:16:3e:0f:0f:01,bridge=xenbr3' ]",
	    "vif = [ 'mac=" M1 ",bridge=xenbr1' ]");
	check_text(c, &b);
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_provisioner(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-provisioner-aligned-no-uuid.cfg",
	    &b)) == NULL)
		return;
	CHECK_STR(hostcfg_get_string(c, "name"), "tmpl-sq");
	CHECK_INT(hostcfg_key_line(c, "name"), 25);
	check_nic(c, 0, "ip", "192.0.2.40");
	check_disk(c, 0, "/home/xen/domains/tmpl-sq/disk.img");
	CHECK_INT(hostcfg_disk_line(c, 1), 19);
	set_ok(c, "nic0.mac", M1);
	set_ok(c, "uuid", U);
	subst(&b, "mac=00:16:3E:3A:5B:7C", "mac=" M1);
	subst(&b, "name        = 'tmpl-sq'\n",
	    "name        = 'tmpl-sq'\nuuid = '" U "'\n");
	check_text(c, &b);
	set_ok(c, "nic0.ip", "192.0.2.41 192.0.2.42/24");
	subst(&b, "ip=192.0.2.40", "ip=192.0.2.41 192.0.2.42/24");
	check_text(c, &b);
	xlu_check(c);
	hostcfg_free(c);
	buf_release(&b);
}

static void
test_value_refusals(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	if ((c = load_fixture("host-xm-no-uuid.vm.cfg", &b)) == NULL)
		return;
	refuse_set(c, "nic0.mac", "01:16:3e:00:00:01", "invalid MAC");
	refuse_set(c, "nic0.mac", "00:00:00:00:00:00", "invalid MAC");
	refuse_set(c, "nic0.mac", "00:16:3e:00:00", "invalid MAC");
	refuse_set(c, "nic0.bridge", "xen br0", "invalid value");
	refuse_set(c, "nic0.bridge", "a'b", "invalid value");
	refuse_set(c, "nic0.bridge", "", "invalid value");
	refuse_set(c, "nic0.model", "a,b", "invalid value");
	refuse_set(c, "nic0.Bad", "x", "invalid vif key");
	refuse_set(c, "nic0.ip", "192.0.2.300", "invalid IPv4");
	refuse_set(c, "nic0.ip", "192.0.2.1  192.0.2.2", "invalid IPv4");
	refuse_set(c, "name", "a=b", "invalid name");
	refuse_set(c, "name", "a#b", "invalid name");
	refuse_set(c, "uuid", "6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F",
	    "invalid uuid");
	refuse_set(c, "uuid", "not-a-uuid", "invalid uuid");
	refuse_set(c, "nic1.mac", M1, "nic 1 does not exist");
	refuse_set(c, "nic99999999999999999999999.mac", M1, "unknown key");
	refuse_set(c, "nic.mac", M1, "unknown key");
	refuse_set(c, "nic00.mac", M1, "unknown key");
	refuse_set(c, "nic0.", M1, "unknown key");
	refuse_set(c, "memory", "5", "unknown key");
	check_text(c, &b);
	CHECK(!hostcfg_changed(c));
	hostcfg_free(c);
	buf_release(&b);
}

#define REFUSE(lit, want) refuse_parse(lit, sizeof(lit) - 1, want)

static void
test_parse_refusals(void)
{
	static const char nul[] = "name = 'a'\nx = 'b\0c'\n";
	char *big;
	size_t i;

	REFUSE("import os\nname = 'a'\n", "bad.cfg:1:1: python "
	    "code is not supported ('import')");
	REFUSE("name = 'a'\nif x:\n  vif = []\n",
	    "bad.cfg:2:1: python code");
	REFUSE("def f():\n  pass\n", "bad.cfg:1:1: python code");
	REFUSE("name = 'a'\nvif = make_vifs(2)\n",
	    "bad.cfg:2:7: function calls are not supported");
	REFUSE("print('x')\n", "bad.cfg:1:1: python code");
	REFUSE("os.system('x')\n",
	    "bad.cfg:1:3: python code is not supported");
	REFUSE("vif = ['mac=' + m]\n",
	    "bad.cfg:1:15: expressions are not supported");
	REFUSE("vif = ['a'] + ['b']\n",
	    "bad.cfg:1:13: expressions are not supported");
	REFUSE("vif = ['mac=%s' % m]\n",
	    "bad.cfg:1:17: expressions are not supported");
	REFUSE("vif = [ 'a%d' % i for i in range(3) ]\n",
	    "bad.cfg:1:15: expressions");
	REFUSE("x = 1\nvif = [ v for v in y ]\n",
	    "bad.cfg:2:9: 'v' is not a literal value");
	REFUSE("name = other\n",
	    "bad.cfg:1:8: 'other' is not a literal value");
	REFUSE("name = 'abc\nx = 1\n",
	    "bad.cfg:1:8: unterminated string");
	REFUSE("name = 'abc", "bad.cfg:1:8: unterminated string");
	REFUSE("x = 1\nvif = [ 'a',\n 'b'\n",
	    "bad.cfg:2:7: unterminated list");
	REFUSE("d = { 'a': 1\n", "bad.cfg:1:5: unterminated dict");
	REFUSE("vif = [ 'a' 'b\n", "bad.cfg:1:13: unterminated");
	REFUSE(nul,
	    "bad.cfg:2:7: binary data (NUL byte)");
	REFUSE("x = 1\r\ny = 2 \\\r\n + 3\r\n",
	    "bad.cfg:2:7: backslash line continuation");
	REFUSE("x = 'a\\\nb'\n",
	    "bad.cfg:1:7: backslash-newline inside a string");
	REFUSE("x = '''a'''\n", "bad.cfg:1:5: triple-quoted");
	REFUSE("x = r'a'\n", "bad.cfg:1:5: string prefix 'r'");
	REFUSE("x = 'a\\x4'\n", "bad.cfg:1:7: invalid \\x escape");
	REFUSE("x = 'a\\x00'\n", "bad.cfg:1:7: NUL escapes");
	REFUSE("x = 'a\\0'\n", "bad.cfg:1:7: NUL escapes");
	REFUSE("x = \xe9\n", "bad.cfg:1:5: unexpected byte 0xe9");
	REFUSE("x = \x01\n", "bad.cfg:1:5: unexpected control");
	REFUSE("x = 1 2\n", "bad.cfg:1:7: expected a newline");
	REFUSE("x = \n", "bad.cfg:1:5: expected a value");
	REFUSE("x\n", "bad.cfg:1:2: expected '=' after 'x'");
	REFUSE("'a' = 1\n", "bad.cfg:1:1: expected an assignment");
	REFUSE("vif[0] = 'a'\n", "bad.cfg:1:4: subscript");
	REFUSE("a = b = 1\n", "bad.cfg:1:5: 'b' is not a literal");
	REFUSE("a = [1,,2]\n", "bad.cfg:1:8: expected a value");
	REFUSE("a = [1)\n", "bad.cfg:1:7: expected ',' or ']'");
	REFUSE("True = 1\n", "bad.cfg:1:1: python code");
	/* Nesting bound. */
	big = xmalloc(200);
	memset(big, '[', 100);
	memcpy(big, "x = ", 4);
	big[100] = '\n';
	refuse_parse(big, 101, "nested more than 64");
	free(big);
	/* Statement and item caps. */
	big = xmalloc(4 * (HOSTCFG_MAX_STMTS + 1) + 1);
	for (i = 0; i <= HOSTCFG_MAX_STMTS; i++)
		memcpy(big + 4 * i, "a=1\n", 4);
	refuse_parse(big, 4 * (HOSTCFG_MAX_STMTS + 1), "bad.cfg:100001:1: "
	    "more than 100000 statements");
	free(big);
	big = xmalloc(4 * (HOSTCFG_MAX_ITEMS + 1) + 16);
	memcpy(big, "vif=[", 5);
	for (i = 0; i <= HOSTCFG_MAX_ITEMS; i++)
		memcpy(big + 5 + 3 * i, "'',", 3);
	memcpy(big + 5 + 3 * i, "]\n", 2);
	refuse_parse(big, 7 + 3 * i, "more than 100000 vif and disk");
	free(big);
}

static void
test_size_cap(void)
{
	struct hostcfg *c = NULL;
	char *msg;
	int rc;

	cap_start();
	/* The length is checked before the bytes are read. */
	rc = hostcfg_parse("huge.cfg", "", (size_t)HOSTCFG_MAX_SIZE + 1, &c);
	msg = cap_stop();
	CHECK_INT(rc, -1);
	CHECK(strstr(msg, "huge.cfg: file too large") != NULL);
	free(msg);
}

static void
test_crlf_and_friends(void)
{
	static const char crlf[] =
	    "name = 'crlf'\r\nvif = [ 'mac=00:16:3e:00:00:01',\r\n"
	    "        'bridge=xenbr1' ]\r\nmemory = 512\r\n";
	static const char nofinal[] = "# x\nname = \"nf\"\nmemory = 5";
	static const char sjis[] = "# \x83\x65\x83\x58\x83\x67 comment\n"
	    "name = 'sj' # \x93\xfa\x96\x7b\nvif = [ 'bridge=b0' ]\n";
	static const char bom[] = "\xef\xbb\xbfname = 'bom'\nvif = []\n";
	struct buf w = BUF_INIT;
	struct hostcfg *c;

	if ((c = parse_buf("crlf.cfg", crlf, sizeof(crlf) - 1)) != NULL) {
		CHECK_STR(hostcfg_get_string(c, "name"), "crlf");
		CHECK_INT(hostcfg_nic_count(c), 2);
		CHECK_INT(hostcfg_nic_line(c, 1), 3);
		set_ok(c, "nic1.mac", M1);
		set_ok(c, "uuid", U);
		buf_add(&w, crlf, sizeof(crlf) - 1);
		subst(&w, "'bridge=xenbr1'", "'bridge=xenbr1,mac=" M1 "'");
		subst(&w, "'crlf'\r\n", "'crlf'\r\nuuid = '" U "'\r\n");
		check_text(c, &w);
		CHECK(hostcfg_add_nic(c, "bridge=xenbr9") == 0);
		subst(&w, "' ]\r\nmemory", "',\r\n        'bridge=xenbr9' ]"
		    "\r\nmemory");
		check_text(c, &w);
		hostcfg_free(c);
	}
	if ((c = parse_buf("nf.cfg", nofinal, sizeof(nofinal) - 1)) != NULL) {
		set_ok(c, "uuid", U);
		buf_reset(&w);
		buf_add(&w, nofinal, sizeof(nofinal) - 1);
		subst(&w, "\"nf\"\n", "\"nf\"\nuuid = \"" U "\"\n");
		check_text(c, &w);
		CHECK(hostcfg_add_nic(c, "") == 0);
		subst(&w, "memory = 5", "memory = 5\nvif = [ \"\" ]");
		check_text(c, &w);
		hostcfg_free(c);
	}
	/* uuid with no name is appended; name on the last line. */
	if ((c = parse_str("memory = 5\r\nname = 'x'")) != NULL) {
		set_ok(c, "uuid", U);
		buf_reset(&w);
		buf_adds(&w, "memory = 5\r\nname = 'x'\r\nuuid = '" U "'");
		check_text(c, &w);
		hostcfg_free(c);
	}
	/* Found by the fuzzer: a list opened on name's line. */
	if ((c = parse_str("name = 'n';vif += [\n ]; x = [\n1]\ny = 2\n")) !=
	    NULL) {
		set_ok(c, "uuid", U);
		CHECK_STR(hostcfg_text(c, NULL), "name = 'n';vif += [\n ]; "
		    "x = [\n1]\nuuid = '" U "'\ny = 2\n");
		hostcfg_free(c);
	}
	if ((c = parse_str("memory = 5\n")) != NULL) {
		set_ok(c, "uuid", U);
		set_ok(c, "name", "n1");
		buf_reset(&w);
		buf_adds(&w, "memory = 5\nuuid = '" U "'\nname = 'n1'\n");
		check_text(c, &w);
		hostcfg_free(c);
	}
	if ((c = parse_buf("sjis.cfg", sjis, sizeof(sjis) - 1)) != NULL) {
		CHECK_STR(hostcfg_get_string(c, "name"), "sj");
		set_ok(c, "nic0.mac", M1);
		set_ok(c, "name", "sj2");
		buf_reset(&w);
		buf_add(&w, sjis, sizeof(sjis) - 1);
		subst(&w, "'bridge=b0'", "'bridge=b0,mac=" M1 "'");
		subst(&w, "'sj'", "'sj2'");
		check_text(c, &w);
		hostcfg_free(c);
	}
	if ((c = parse_buf("bom.cfg", bom, sizeof(bom) - 1)) != NULL) {
		CHECK_STR(hostcfg_get_string(c, "name"), "bom");
		CHECK_INT(hostcfg_key_line(c, "name"), 1);
		CHECK_INT(hostcfg_nic_count(c), 0);
		CHECK(hostcfg_add_nic(c, "mac=00:16:3E:AA:BB:01,bridge=x") ==
		    0);
		buf_reset(&w);
		buf_add(&w, bom, sizeof(bom) - 1);
		subst(&w, "vif = []", "vif = ['mac=" M1 ",bridge=x']");
		check_text(c, &w);
		hostcfg_free(c);
	}
	buf_release(&w);
}

static void
test_dups_and_append(void)
{
	struct buf w = BUF_INIT;
	struct hostcfg *c;
	static const char dup[] =
	    "name = 'first'\nvif = [ 'mac=00:16:3e:00:00:01' ]\n"
	    "name = 'second'\nvif = [ 'mac=00:16:3e:00:00:02' ]\n";
	static const char add[] =
	    "vif = [ 'bridge=a' ]\nvif = [ 'bridge=b' ]; vif += [ 'bridge=c',"
	    " 'bridge=d' ]\nvif += [ \"bridge=e\" ]\n";

	if ((c = parse_str(dup)) != NULL) {
		CHECK_STR(hostcfg_get_string(c, "name"), "second");
		CHECK_INT(hostcfg_key_line(c, "name"), 3);
		CHECK_INT(hostcfg_nic_count(c), 1);
		check_nic(c, 0, "mac", "00:16:3e:00:00:02");
		set_ok(c, "name", "third");
		set_ok(c, "nic0.mac", M1);
		set_ok(c, "uuid", U);
		buf_add(&w, dup, sizeof(dup) - 1);
		subst(&w, "'second'\n", "'third'\nuuid = '" U "'\n");
		subst(&w, "mac=00:16:3e:00:00:02", "mac=" M1);
		check_text(c, &w);
		xlu_check(c);
		hostcfg_free(c);
	}
	if ((c = parse_str(add)) != NULL) {
		/* The last '=' resets; each later '+=' appends. */
		CHECK_INT(hostcfg_nic_count(c), 4);
		check_nic(c, 0, "bridge", "b");
		check_nic(c, 1, "bridge", "c");
		check_nic(c, 2, "bridge", "d");
		check_nic(c, 3, "bridge", "e");
		CHECK_INT(hostcfg_nic_line(c, 3), 3);
		set_ok(c, "nic2.mac", M2);
		set_ok(c, "nic3.mac", M3);
		buf_reset(&w);
		buf_add(&w, add, sizeof(add) - 1);
		subst(&w, "'bridge=d'", "'bridge=d,mac=" M2 "'");
		subst(&w, "\"bridge=e\"", "\"bridge=e,mac=" M3 "\"");
		check_text(c, &w);
		/* add-nic goes to the last list of the chain. */
		CHECK(hostcfg_add_nic(c, "bridge=f") == 0);
		subst(&w, "\" ]\n", "\", \"bridge=f\" ]\n");
		check_text(c, &w);
		CHECK_INT(hostcfg_nic_count(c), 5);
		/* remove-nic of the first '+=' item. */
		CHECK(hostcfg_remove_nic(c, 1) == 0);
		subst(&w, "[ 'bridge=c', 'bridge=d", "[ 'bridge=d");
		check_text(c, &w);
		CHECK_INT(hostcfg_nic_count(c), 4);
		xlu_check(c);
		hostcfg_free(c);
	}
	/* name extended with += is not edited; get_string says NULL. */
	if ((c = parse_str("name = 'a'\nname += 'b'\n")) != NULL) {
		CHECK_STR(hostcfg_get_string(c, "name"), "ab");
		CHECK_STR(hostcfg_get_string(c, "name"), "ab");
		refuse_set(c, "name", "c", "t.cfg:2:1: cannot edit 'name'");
		xlu_check(c);
		hostcfg_free(c);
	}
	/* vif not a list. */
	if ((c = parse_str("vif = 'bridge=x'\n")) != NULL) {
		CHECK_INT(hostcfg_nic_count(c), 0);
		refuse_set(c, "nic0.mac", M1, "'vif' is not a list");
		xlu_check(c);
		hostcfg_free(c);
	}
	buf_release(&w);
}

static void
test_literals(void)
{
	static const char lit[] =
	    "a = True; b = False; c = None\n"
	    "d = -1; e = 1.5e-3; f = 0x1F; g = 017\n"
	    "h = { 'k': [1, (2, 3)], 'l': {'m': None} }\n"
	    "i = ( 'x', )\n"
	    "j = [ [ 'nested', ], ]\n"
	    "k = 'it\\'s \\x41\\t\\\\ \\q'\n"
	    "l = \"dq 'single' inside\"\n"
	    "m = 'adj' \"acent\"\n"
	    "vif = [ 'bri' 'dge=x',\n  'mac=00:16:3e:00:00:09' ]\n"
	    "  n = 'leading blanks'\n\f\n";
	struct hostcfg *c;
	size_t n;
	const char *t;

	if ((c = parse_buf("lit.cfg", lit, sizeof(lit) - 1)) == NULL)
		return;
	t = hostcfg_text(c, &n);
	CHECK_MEM(t, n, lit, sizeof(lit) - 1);
	CHECK(hostcfg_get_string(c, "a") == NULL);
	CHECK_STR(hostcfg_get_string(c, "k"), "it's A\t\\ \\q");
	CHECK_STR(hostcfg_get_string(c, "l"), "dq 'single' inside");
	CHECK_STR(hostcfg_get_string(c, "m"), "adjacent");
	CHECK_STR(hostcfg_get_string(c, "n"), "leading blanks");
	CHECK_INT(hostcfg_nic_count(c), 2);
	CHECK_STR(hostcfg_nic_spec(c, 0), "bridge=x");
	refuse_set(c, "nic0.mac", M1, "lit.cfg:9:9: cannot edit nic 0");
	hostcfg_free(c);
	/* Escapes outside the edited range stay as written. */
	if ((c = parse_str("vif = [ 'ip=1.2.3.4,script=\\x41b,mac=00:16:3e:"
	    "00:00:09' ]\n")) != NULL) {
		check_nic(c, 0, "script", "Ab");
		set_ok(c, "nic0.mac", M1);
		t = hostcfg_text(c, &n);
		CHECK_STR(t, "vif = [ 'ip=1.2.3.4,script=\\x41b,mac=" M1
		    "' ]\n");
		set_ok(c, "nic0.script", "vif-route");
		t = hostcfg_text(c, &n);
		CHECK_STR(t, "vif = [ 'ip=1.2.3.4,script=vif-route,mac=" M1
		    "' ]\n");
		hostcfg_free(c);
	}
	/* The spec trailing comma rule and "ip=a b" value spaces. */
	if ((c = parse_str("vif = [ 'bridge=x,', 'ip=1.2.3.4 5.6.7.8 ,"
	    "bridge=y' ]\n")) != NULL) {
		check_nic(c, 1, "ip", "1.2.3.4 5.6.7.8");
		set_ok(c, "nic0.mac", M1);
		set_ok(c, "nic1.ip", "10.0.0.1");
		t = hostcfg_text(c, &n);
		CHECK_STR(t, "vif = [ 'bridge=x,mac=" M1 "', 'ip=10.0.0.1 ,"
		    "bridge=y' ]\n");
		hostcfg_free(c);
	}
	/* Disk prefixes. */
	if ((c = parse_str("disk = [ 'tap:aio:/x/a.img,xvda,w', "
	    "'qcow2:/x/b.qcow2,xvdb,w', ',hdc:cdrom,r', 'vdev=xvdc' ]\n")) !=
	    NULL) {
		check_disk(c, 0, "/x/a.img");
		check_disk(c, 1, "/x/b.qcow2");
		check_disk(c, 2, "");
		check_disk(c, 3, NULL);
		set_ok(c, "disk0.target", "/y/a.img");
		set_ok(c, "disk1.target", "/y/b.qcow2");
		CHECK_INT(hostcfg_set(c, "disk1.target", "/y/b.qcow2"), 1);
		refuse_set(c, "disk3.target", "/y", "t.cfg:1:80: disk 3 has no "
		    "target");
		t = hostcfg_text(c, &n);
		CHECK_STR(t, "disk = [ 'tap:aio:/y/a.img,xvda,w', "
		    "'qcow2:/y/b.qcow2,xvdb,w', ',hdc:cdrom,r', "
		    "'vdev=xvdc' ]\n");
		hostcfg_free(c);
	}
}

static void
test_add_remove(void)
{
	struct buf b = BUF_INIT;
	struct hostcfg *c;

	/* Multi-line list with trailing comma and comments. */
	if ((c = load_fixture("host-xm-multiline-vif-trailing-comma.vm.cfg",
	    &b)) != NULL) {
		CHECK(hostcfg_add_nic(c, "mac=" M3 ",bridge=xenbr3") == 0);
		subst(&b, "bridge=xenbr1',\n]",
		    "bridge=xenbr1',\n    'mac=" M3 ",bridge=xenbr3',\n]");
		check_text(c, &b);
		CHECK_INT(hostcfg_nic_count(c), 3);
		CHECK(hostcfg_remove_nic(c, 0) == 0);
		subst(&b, "    'mac=00:16:3e:71:00:01,bridge=xenbr0',\n", "");
		check_text(c, &b);
		CHECK_INT(hostcfg_nic_count(c), 2);
		check_nic(c, 0, "mac", "00:16:3e:71:00:02");
		xlu_check(c);
		hostcfg_free(c);
	}
	/* One-line list. */
	if ((c = load_fixture("host-xm-pv-two-nics-one-line.vm.cfg", &b)) !=
	    NULL) {
		CHECK(hostcfg_add_nic(c, "bridge=xenbr5") == 0);
		subst(&b, "bridge=xenbr1' ]",
		    "bridge=xenbr1', 'bridge=xenbr5' ]");
		check_text(c, &b);
		CHECK(hostcfg_remove_nic(c, 1) == 0);
		subst(&b, ", 'mac=00:16:3e:10:20:02,bridge=xenbr1'", "");
		check_text(c, &b);
		CHECK(hostcfg_remove_nic(c, 0) == 0);
		subst(&b, "'mac=00:16:3e:10:20:01,bridge=xenbr0', ", "");
		check_text(c, &b);
		CHECK(hostcfg_remove_nic(c, 0) == 0);
		subst(&b, "vif = [ 'bridge=xenbr5' ]", "vif = [ ]");
		check_text(c, &b);
		CHECK_INT(hostcfg_nic_count(c), 0);
		CHECK(hostcfg_add_nic(c, "bridge=b") == 0);
		subst(&b, "vif = [ ]", "vif = [ 'bridge=b' ]");
		check_text(c, &b);
		xlu_check(c);
		hostcfg_free(c);
	}
	/* xl three-line layout without trailing comma. */
	if ((c = load_fixture("host-xl-hvm-three-bridges.cfg", &b)) != NULL) {
		CHECK(hostcfg_add_nic(c, "bridge=xenbr4") == 0);
		subst(&b, "type=vif\" ]", "type=vif\",\n        "
		    "\"bridge=xenbr4\" ]");
		check_text(c, &b);
		CHECK(hostcfg_remove_nic(c, 3) == 0);
		subst(&b, ",\n        \"bridge=xenbr4\" ]", " ]");
		check_text(c, &b);
		CHECK(hostcfg_remove_nic(c, 1) == 0);
		subst(&b, "        \"mac=00:16:3e:44:01:0b,bridge=xenbr0.240,"
		    "script=vif-bridge,rate=100Mb/s\",\n", "");
		check_text(c, &b);
		xlu_check(c);
		hostcfg_free(c);
	}
	/* Found by the fuzzer: the item's comma sits on the next line. */
	if ((c = parse_str("vif = [\n    'a=1' \n,  # c\n]\n")) != NULL) {
		CHECK_INT(hostcfg_remove_nic(c, 0), 0);
		CHECK_STR(hostcfg_text(c, NULL), "vif = [\n    ]\n");
		hostcfg_free(c);
	}
	if ((c = parse_str("vif = [\n  'a=1'\n  , 'b=2' ]\n")) != NULL) {
		CHECK_INT(hostcfg_remove_nic(c, 0), 0);
		CHECK_STR(hostcfg_text(c, NULL), "vif = [\n  'b=2' ]\n");
		CHECK_INT(hostcfg_add_nic(c, "c=3"), 0);
		CHECK_STR(hostcfg_text(c, NULL),
		    "vif = [\n  'b=2',\n  'c=3' ]\n");
		hostcfg_free(c);
	}
	/* No vif at all, file quote is double. */
	if ((c = parse_str("name = \"x\"\n")) != NULL) {
		CHECK(hostcfg_add_nic(c, "mac=" M1) == 0);
		CHECK_STR(hostcfg_text(c, NULL),
		    "name = \"x\"\nvif = [ \"mac=" M1 "\" ]\n");
		xlu_check(c);
		hostcfg_free(c);
	}
	if ((c = parse_str("vif = ['a=b']\n")) != NULL) {
		struct buf same = BUF_INIT;

		buf_adds(&same, "vif = ['a=b']\n");
		cap_start();
		CHECK_INT(hostcfg_add_nic(c, "mac=zz"), -1);
		CHECK_INT(hostcfg_add_nic(c, "mac"), -1);
		CHECK_INT(hostcfg_add_nic(c, "Mac=" M1), -1);
		CHECK_INT(hostcfg_add_nic(c, "bridge=a b"), -1);
		CHECK_INT(hostcfg_add_nic(c, " bridge=a"), -1);
		CHECK_INT(hostcfg_remove_nic(c, 1), -1);
		free(cap_stop());
		check_text(c, &same);
		buf_release(&same);
		xlu_check(c);
		hostcfg_free(c);
	}
	buf_release(&b);
}

static void
test_empty_inputs(void)
{
	struct hostcfg *c;

	if ((c = parse_buf("e.cfg", "", 0)) != NULL) {
		CHECK_INT(hostcfg_nic_count(c), 0);
		CHECK(hostcfg_get_string(c, "name") == NULL);
		set_ok(c, "name", "n");
		CHECK_STR(hostcfg_text(c, NULL), "name = 'n'\n");
		hostcfg_free(c);
	}
	if ((c = parse_str("# only a comment")) != NULL) {
		set_ok(c, "uuid", U);
		CHECK_STR(hostcfg_text(c, NULL), "# only a comment\nuuid = '"
		    U "'");
		hostcfg_free(c);
	}
}

static void
test_big_comment(void)
{
	size_t n = 10u * 1024 * 1024;
	struct hostcfg *c;
	char *s;

	s = xmalloc(n + 64);
	s[0] = '#';
	memset(s + 1, 'x', n - 1);
	strcpy(s + n, "\nname = 'big'\n");
	if ((c = parse_buf("big.cfg", s, strlen(s))) != NULL) {
		CHECK_STR(hostcfg_get_string(c, "name"), "big");
		CHECK_INT(hostcfg_key_line(c, "name"), 2);
		set_ok(c, "uuid", U);
		CHECK_INT(hostcfg_key_line(c, "uuid"), 3);
		hostcfg_free(c);
	}
	free(s);
}

/*
 * Oracle VM 3 style: a dashless (or upper-case) uuid stays so; the short
 * name in OVM_simple_name; the disk refusals name the line.
 */
static void
test_ovm3_style(void)
{
	struct buf b = BUF_INIT, orig = BUF_INIT;
	struct hostcfg *c;

	fixture("host-xm-ovm3-pvm.vm.cfg", &b);
	subst(&b, "uuid = '0004fb00-0006-0000-7c2e-9a41b05d3f18'",
	    "uuid = '0004fb00000600007c2e9a41b05d3f18'");
	buf_add(&orig, b.data, b.len);
	if ((c = parse_buf("ovm3.cfg", b.data, b.len)) == NULL)
		goto out;
	/* Another form than the file's: refused; its own: taken. */
	refuse_set(c, "uuid", "6F1C2D3E4A5B4C6D8E7F0A1B2C3D4E5F",
	    "invalid uuid '6F1C2D3E4A5B4C6D8E7F0A1B2C3D4E5F'");
	refuse_set(c, "uuid", "6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F",
	    "invalid uuid");
	set_ok(c, "uuid", "6f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5f");
	set_ok(c, "OVM_simple_name", "web1");
	refuse_set(c, "OVM_simple_name", "web 1", "invalid OVM_simple_name");
	subst(&b, "uuid = '0004fb00000600007c2e9a41b05d3f18'",
	    "uuid = '6f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5f'");
	subst(&b, "OVM_simple_name = 'ol7-base-template'",
	    "OVM_simple_name = 'web1'");
	check_text(c, &b);
	CHECK_INT(hostcfg_set(c, "uuid", "6f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5f"),
	    1);
	/* The lower-case dashed form is always taken (an explicit
	 * choice; apply and vmcfg write new ones in the file's form). */
	set_ok(c, "uuid", U);
	subst(&b, "uuid = '6f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5f'",
	    "uuid = '" U "'");
	check_text(c, &b);
	hostcfg_free(c);

	/* Upper-case dashed stays upper-case dashed. */
	c = parse_str("uuid = \"5F42BE80-6D71-4295-9EAF-40B1C2D30501\"\n");
	if (c != NULL) {
		refuse_set(c, "uuid", "6f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5f",
		    "invalid uuid");
		set_ok(c, "uuid", "6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F");
		CHECK_STR(hostcfg_text(c, NULL),
		    "uuid = \"6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F\"\n");
		/* The lower-case dashed form is always taken. */
		set_ok(c, "uuid", U);
		CHECK_STR(hostcfg_text(c, NULL), "uuid = \"" U "\"\n");
		hostcfg_free(c);
	}
	/* No uuid yet: the dashed form only. */
	c = parse_str("name = 'a'\n");
	if (c != NULL) {
		refuse_set(c, "uuid", "6f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5f",
		    "invalid uuid");
		hostcfg_free(c);
	}

	/* Positional disk specs hold no ',', '=' or blank; keyed ones do. */
	c = parse_str("name = 'a'\ndisk = [ 'file:/a/b.img,xvda,w' ]\n");
	if (c != NULL) {
		refuse_set(c, "disk0.target", "/x/a=b.img",
		    "t.cfg:2:10: the path '/x/a=b.img' cannot be disk 0's "
		    "target");
		refuse_set(c, "disk0.target", "/x/a b.img", "positional");
		refuse_set(c, "disk0.target", "/x/a\tb.img", "invalid path");
		set_ok(c, "disk0.target", "/x/a:b.img");
		CHECK_STR(hostcfg_text(c, NULL),
		    "name = 'a'\ndisk = [ 'file:/x/a:b.img,xvda,w' ]\n");
		hostcfg_free(c);
	}
	c = parse_str("disk = [ 'vdev=xvda, target=/a/b.img' ]\n");
	if (c != NULL) {
		set_ok(c, "disk0.target", "/x/a=b, c.img");
		CHECK_STR(hostcfg_text(c, NULL),
		    "disk = [ 'vdev=xvda, target=/x/a=b, c.img' ]\n");
		hostcfg_free(c);
	}
out:
	buf_release(&b);
	buf_release(&orig);
}

/*
 * diskN.format on each disk spec form: the exact spec written (or the
 * refusal), the quote and the rest of the line kept.  tests/t-vmcfg.sh
 * has libxlutil read the same edits back.
 */
static void
test_disk_format(void)
{
	static const struct {
		const char *spec, *value, *want;	/* want NULL: refused */
		int rc;
		const char *msg;
	} t[] = {
		/* prefix chains: all become tap:qcow2: */
		{ "file:/p/x.img,xvda,w", "qcow2",
		    "tap:qcow2:/p/x.img,xvda,w", 0, NULL },
		{ "tap:aio:/p/x.img,xvda,w", "qcow2",
		    "tap:qcow2:/p/x.img,xvda,w", 0, NULL },
		{ "tap2:aio:/p/x.img,xvda,w", "qcow2",
		    "tap:qcow2:/p/x.img,xvda,w", 0, NULL },
		{ "tap:tapdisk:aio:/p/x.img,xvda,w", "qcow2",
		    "tap:qcow2:/p/x.img,xvda,w", 0, NULL },
		{ "aio:/p/x.img,xvda,w", "qcow2",
		    "tap:qcow2:/p/x.img,xvda,w", 0, NULL },
		{ "raw:/p/x.img,xvda,w", "qcow2",
		    "tap:qcow2:/p/x.img,xvda,w", 0, NULL },
		{ "qcow2:/p/x.img,xvda,w", "qcow2",
		    "tap:qcow2:/p/x.img,xvda,w", 0, NULL },
		{ " file:/p/x.img, ioemu:hda, w", "qcow2",
		    " tap:qcow2:/p/x.img, ioemu:hda, w", 0, NULL },
		{ "tap:qcow2:/p/x.img,xvda,w", "qcow2",
		    "tap:qcow2:/p/x.img,xvda,w", 1, NULL },
		/* raw: kept where it means raw, else tap:aio: */
		{ "file:/p/x.img,xvda,w", "raw", "file:/p/x.img,xvda,w", 1,
		    NULL },
		{ "phy:/dev/vg/x,xvda,w", "raw", "phy:/dev/vg/x,xvda,w", 1,
		    NULL },
		{ "raw:/p/x.img,xvda,w", "raw", "raw:/p/x.img,xvda,w", 1,
		    NULL },
		{ "tap:qcow2:/p/x.img,xvda,w", "raw",
		    "tap:aio:/p/x.img,xvda,w", 0, NULL },
		/* xl positional without prefix: the second field */
		{ "/p/x.img,raw,xvda,w", "qcow2", "/p/x.img,qcow2,xvda,w", 0,
		    NULL },
		{ "/p/x.img,,xvda", "qcow2", "/p/x.img,qcow2,xvda", 0, NULL },
		{ "/p/x.img,,xvda", "raw", "/p/x.img,,xvda", 1, NULL },
		{ "/p/x.img,qcow2,xvda,w", "raw", "/p/x.img,raw,xvda,w", 0,
		    NULL },
		/* keyed */
		{ "format=raw, vdev=xvda, access=rw, target=/p/x.img",
		    "qcow2", "format=qcow2, vdev=xvda, access=rw, "
		    "target=/p/x.img", 0, NULL },
		{ "vdev=xvda, access=rw, target=/p/x.img", "qcow2",
		    "vdev=xvda, access=rw, format=qcow2, target=/p/x.img", 0,
		    NULL },
		{ "vdev=xvda,access=rw,target=/p/x,y.img", "qcow2",
		    "vdev=xvda,access=rw,format=qcow2,target=/p/x,y.img", 0,
		    NULL },
		{ "target=/p/x.img", "qcow2", "format=qcow2, target=/p/x.img",
		    0, NULL },
		{ "vdev=xvda, target=/p/format=raw", "raw",
		    "vdev=xvda, target=/p/format=raw", 1, NULL },
		/* refusals */
		{ "phy:/dev/vg/x,xvda,w", "qcow2", NULL, -1,
		    "t.cfg:1:10: cannot set disk 0's format to qcow2: "
		    "'phy:/dev/vg/x' is a block device (phy:)" },
		{ "/p/x.img,xvda,w", "qcow2", NULL, -1,
		    "t.cfg:1:10: cannot set disk 0's format: '/p/x.img,xvda,w'"
		    " has no prefix, so xl reads 'xvda' as its format and "
		    "refuses it; write it 'file:/p/x.img,xvda,w' (xm) or "
		    "'PATH,raw,xvda,w' (xl) first" },
		{ "/p/x.img", "qcow2", NULL, -1,
		    "has no prefix and no format field" },
		{ "iscsi:/p/x,xvda,w", "qcow2", NULL, -1,
		    "its prefix 'iscsi:' is not one of" },
		{ "file:/p/x.img,xvda,w", "vmdk", NULL, -1,
		    "t.cfg: invalid format 'vmdk' for 'disk0.format' (want "
		    "qcow2 or raw)" },
		{ "file:/p/x.img,xvda,w", "QCOW2", NULL, -1,
		    "invalid format" },
	};
	struct hostcfg *c;
	struct buf in = BUF_INIT, want = BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&in);
		buf_addf(&in, "disk = [ '%s' ]\nname = 'a'\n", t[i].spec);
		if ((c = parse_buf("t.cfg", in.data, in.len)) == NULL)
			continue;
		if (t[i].want == NULL) {
			refuse_set(c, "disk0.format", t[i].value, t[i].msg);
		} else {
			rc = hostcfg_set(c, "disk0.format", t[i].value);
			if (!CHECK(rc == t[i].rc))
				fprintf(stderr, "    spec '%s' %s: %d\n",
				    t[i].spec, t[i].value, rc);
			buf_reset(&want);
			buf_addf(&want, "disk = [ '%s' ]\nname = 'a'\n",
			    t[i].want);
			check_text(c, &want);
		}
		hostcfg_free(c);
	}
	/* Disk 1 of two, in a double-quoted multi-line list. */
	c = parse_str("disk = [\n    \"phy:/dev/vg/a,xvda,w\",\n"
	    "    \"file:/p/b.img,xvdb,w\",\n]\n");
	if (c != NULL) {
		set_ok(c, "disk1.format", "qcow2");
		CHECK_STR(hostcfg_text(c, NULL), "disk = [\n"
		    "    \"phy:/dev/vg/a,xvda,w\",\n"
		    "    \"tap:qcow2:/p/b.img,xvdb,w\",\n]\n");
		refuse_set(c, "disk2.format", "qcow2",
		    "disk 2 does not exist");
		hostcfg_free(c);
	}
	buf_release(&in);
	buf_release(&want);
}

int
main(void)
{
	test_roundtrip();
	test_ovm3();
	test_ovm2();
	test_two_nics_one_line();
	test_hvm_spaces();
	test_empty_spec();
	test_no_uuid();
	test_multiline();
	test_xl_keyed();
	test_three_bridges();
	test_pvh_no_mac();
	test_commented();
	test_provisioner();
	test_value_refusals();
	test_parse_refusals();
	test_size_cap();
	test_crlf_and_friends();
	test_dups_and_append();
	test_literals();
	test_add_remove();
	test_empty_inputs();
	test_big_comment();
	test_ovm3_style();
	test_disk_format();
	return unit_done();
}
