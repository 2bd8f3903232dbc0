/*
 * fuzz_domxml.c - libFuzzer harness for the libvirt domain XML engine.
 *
 * Parses the input; when it parses, checks that the unedited text is the
 * input byte for byte, then applies a few edits chosen from the input's
 * first byte and checks after each: a successful edit re-parses on its
 * own (with the same counts), shows the value it set, and returns 1 only
 * when nothing changed; a refused edit leaves the text as it was.  Built
 * with -DDOMXML_FUZZ, so an edit that would not re-parse aborts.  Any
 * broken invariant aborts.  Messages go to stderr; run.sh closes it with
 * -close_fd_mask=2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static void
check_reparse(const struct domxml *dx)
{
	struct domxml *r = NULL;
	const char *t, *u;
	size_t n, m;

	t = domxml_text(dx, &n);
	REQUIRE(domxml_parse("re.xml", t, n, &r) == 0);
	u = domxml_text(r, &m);
	REQUIRE(m == n && memcmp(t, u, n) == 0);
	REQUIRE(domxml_nic_count(r) == domxml_nic_count(dx));
	REQUIRE(domxml_disk_count(r) == domxml_disk_count(dx));
	domxml_free(r);
}

/* The value KEY reads now (caller frees), or NULL. */
static char *
read_key(const struct domxml *dx, const char *key)
{
	const char *v;
	size_t i;

	if (strcmp(key, "name") == 0 || strcmp(key, "uuid") == 0) {
		v = domxml_get_string(dx, key);
		return v ? xstrdup(v) : NULL;
	}
	if (sscanf(key, "nic%zu.", &i) == 1)
		return domxml_nic_get(dx, i, strchr(key, '.') + 1);
	if (sscanf(key, "disk%zu.", &i) == 1)
		return domxml_disk_target(dx, i);
	return NULL;
}

/* Apply one set and check the invariants around it. */
static void
try_set(struct domxml *dx, const char *key, const char *value)
{
	struct buf before = BUF_INIT;
	const char *t;
	char *v;
	size_t n;
	int rc;

	t = domxml_text(dx, &n);
	buf_add(&before, t, n);
	rc = domxml_set(dx, key, value);
	t = domxml_text(dx, &n);
	if (rc != 0)
		REQUIRE(n == before.len && memcmp(t, before.data, n) == 0);
	else {
		REQUIRE(n != before.len || memcmp(t, before.data, n) != 0);
		check_reparse(dx);
	}
	if (rc >= 0) {
		v = read_key(dx, key);
		REQUIRE(v != NULL && (strcmp(v, value) == 0 ||
		    strstr(key, ".mac") != NULL));
		free(v);
		/* The same value again is no change. */
		REQUIRE(domxml_set(dx, key, value) == 1);
	}
	buf_release(&before);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct domxml *dx = NULL;
	const char *t;
	size_t n, nics, disks, i;
	unsigned sel;
	char key[32];
	int rc;

	if (domxml_parse("fuzz.xml", (const char *)data, size, &dx) == -1)
		return 0;
	REQUIRE(domxml_is_xml((const char *)data, size));
	t = domxml_text(dx, &n);
	REQUIRE(n == size && memcmp(t, data, size) == 0);
	REQUIRE(!domxml_changed(dx));
	sel = size ? data[size / 2] : 0;
	nics = domxml_nic_count(dx);
	disks = domxml_disk_count(dx);
	for (i = 0; i < nics && i < 4; i++) {
		free(domxml_nic_get(dx, i, "mac"));
		free(domxml_nic_get(dx, i, "bridge"));
		REQUIRE(domxml_nic_line(dx, i) > 0);
	}
	for (i = 0; i < disks && i < 4; i++) {
		free(domxml_disk_target(dx, i));
		REQUIRE(domxml_disk_line(dx, i) > 0);
	}
	try_set(dx, "name", sel & 1 ? "clone01" : "a&b<c>'d\"e");
	try_set(dx, "uuid", "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f");
	i = nics ? sel % nics : 0;
	snprintf(key, sizeof(key), "nic%zu.mac", i);
	try_set(dx, key, "52:54:00:AA:bb:01");
	snprintf(key, sizeof(key), "nic%zu.bridge", i);
	try_set(dx, key, sel & 2 ? "br0" : "br.250");
	i = disks ? (sel >> 2) % disks : 0;
	snprintf(key, sizeof(key), "disk%zu.target", i);
	try_set(dx, key, sel & 4 ? "/dev/vg/x&y" : "pool/o'k\"<x>");
	nics = domxml_nic_count(dx);
	rc = domxml_add_nic(dx, sel & 8 ? "network=default" :
	    "mac=52:54:00:aa:bb:02,bridge=b,model=virtio");
	if (rc == 0) {
		REQUIRE(domxml_nic_count(dx) == nics + 1);
		check_reparse(dx);
		nics++;
	}
	if (nics > 0) {
		rc = domxml_remove_nic(dx, (sel >> 4) % nics);
		REQUIRE(rc == 0);
		REQUIRE(domxml_nic_count(dx) == nics - 1);
		check_reparse(dx);
	}
	t = domxml_original(dx, &n);
	REQUIRE(n == size && memcmp(t, data, size) == 0);
	domxml_free(dx);
	return 0;
}
