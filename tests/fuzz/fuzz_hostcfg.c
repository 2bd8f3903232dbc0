/*
 * fuzz_hostcfg.c - libFuzzer harness for the domain config parser/editor.
 *
 * Parses the input; when it parses, checks that the unedited text is the
 * input byte for byte, then applies a few edits chosen from the input's
 * first byte and checks after each: a successful edit re-parses on its
 * own, shows the value it set, and returns 1 only when nothing changed; a
 * refused edit leaves the text as it was.  Any broken invariant aborts.
 * Messages go to stderr; run.sh closes it with -close_fd_mask=2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostcfg.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static void
check_reparse(const struct hostcfg *c)
{
	struct hostcfg *r = NULL;
	const char *t, *u;
	size_t n, m;

	t = hostcfg_text(c, &n);
	REQUIRE(hostcfg_parse("re.cfg", t, n, &r) == 0);
	u = hostcfg_text(r, &m);
	REQUIRE(m == n && memcmp(t, u, n) == 0);
	REQUIRE(hostcfg_nic_count(r) == hostcfg_nic_count(c));
	REQUIRE(hostcfg_disk_count(r) == hostcfg_disk_count(c));
	hostcfg_free(r);
}

/* Apply one set and check the invariants around it. */
static void
try_set(struct hostcfg *c, const char *key, const char *value,
    const char *want_nic_key, size_t nic)
{
	struct buf before = BUF_INIT;
	const char *t;
	char *v;
	size_t n;
	int rc;

	t = hostcfg_text(c, &n);
	buf_add(&before, t, n);
	rc = hostcfg_set(c, key, value);
	t = hostcfg_text(c, &n);
	if (rc != 0)
		REQUIRE(n == before.len && memcmp(t, before.data, n) == 0);
	else {
		REQUIRE(n != before.len || memcmp(t, before.data, n) != 0);
		check_reparse(c);
	}
	if (rc >= 0 && want_nic_key) {
		v = hostcfg_nic_get(c, nic, want_nic_key);
		REQUIRE(v && strcmp(v, value) == 0);
		free(v);
	}
	if (rc >= 0 && strcmp(key, "name") == 0)
		REQUIRE(hostcfg_get_string(c, "name") &&
		    strcmp(hostcfg_get_string(c, "name"), value) == 0);
	if (rc >= 0 && strncmp(key, "disk", 4) == 0) {
		v = hostcfg_disk_target(c, 0);
		REQUIRE(v && strcmp(v, value) == 0);
		free(v);
	}
	buf_release(&before);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostcfg *c = NULL;
	const char *t;
	size_t n, nics, i;
	unsigned sel;
	char key[32];
	int rc;

	if (hostcfg_parse("fuzz.cfg", (const char *)data, size, &c) == -1)
		return 0;
	t = hostcfg_text(c, &n);
	REQUIRE(n == size && (size == 0 || memcmp(t, data, size) == 0));
	REQUIRE(!hostcfg_changed(c));
	sel = size ? data[0] : 0;
	nics = hostcfg_nic_count(c);
	for (i = 0; i < nics && i < 4; i++) {
		free(hostcfg_nic_get(c, i, "mac"));
		free(hostcfg_disk_target(c, i));
		(void)hostcfg_nic_spec(c, i);
		(void)hostcfg_nic_line(c, i);
	}
	try_set(c, "name", sel & 1 ? "clone01" : "0004fb00000600006f1c2d3e",
	    NULL, 0);
	try_set(c, "uuid", "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f", NULL, 0);
	i = nics ? sel % nics : 0;
	snprintf(key, sizeof(key), "nic%zu.mac", i);
	try_set(c, key, "00:16:3e:aa:bb:01", "mac", i);
	snprintf(key, sizeof(key), "nic%zu.bridge", i);
	try_set(c, key, sel & 2 ? "xenbr1" : "br.250", "bridge", i);
	snprintf(key, sizeof(key), "nic%zu.ip", i);
	try_set(c, key, "192.0.2.1 192.0.2.2/24", "ip", i);
	try_set(c, "disk0.target", sel & 4 ? "/dev/vg/x" : "/dev/a,b", NULL,
	    0);
	nics = hostcfg_nic_count(c);
	rc = hostcfg_add_nic(c, sel & 8 ? "" :
	    "mac=00:16:3e:aa:bb:02,bridge=b");
	if (rc == 0) {
		REQUIRE(hostcfg_nic_count(c) == nics + 1);
		check_reparse(c);
		nics++;
	}
	if (nics > 0) {
		rc = hostcfg_remove_nic(c, (sel >> 4) % nics);
		REQUIRE(rc == 0);
		REQUIRE(hostcfg_nic_count(c) == nics - 1);
		check_reparse(c);
	}
	t = hostcfg_original(c, &n);
	REQUIRE(n == size && (size == 0 || memcmp(t, data, size) == 0));
	hostcfg_free(c);
	return 0;
}
