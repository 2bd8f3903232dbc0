/*
 * test_ident.c - unit tests for ident.c: MAC prefixes and Xen's
 * reserved-half rule, uniqueness over many draws, --mac-scan collision
 * avoidance on a scratch tree (parsed, unparsable and ignored files, a
 * symlink loop), uuid format, password hashes.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <crypt.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domcfg.h"
#include "ident.h"
#include "unit.h"
#include "util.h"
#include "valid.h"

static char dir[] = "/tmp/imprint-ident.XXXXXX";

static void
put(const char *name, const char *s)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd == -1 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		perror(path);
		exit(1);
	}
	close(fd);
	free(path);
}

static void
check_draws(const char *prefix, const char *want, size_t n, bool xen)
{
	struct ident_macs *m = ident_macs_new();
	struct strlist seen = STRLIST_INIT;
	unsigned char mac[6];
	char out[18];
	size_t i, bad = 0;

	if (prefix != NULL)
		CHECK_INT(ident_macs_set_prefix(m, prefix), 0);
	for (i = 0; i < n; i++) {
		if (ident_new_mac(m, out) != 0) {
			bad++;
			continue;
		}
		if (strlen(out) != 17 || strncmp(out, want, strlen(want)) ||
		    !mac_valid_nic(out) || mac_parse(out, mac) ||
		    (xen && (mac[3] & 0x80)) || strlist_has(&seen, out) ||
		    strcspn(out, "ABCDEF") != 17) {
			fprintf(stderr, "    bad draw '%s' under '%s'\n", out,
			    want);
			bad++;
		}
		strlist_add(&seen, out);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(ident_macs_count(m), n);
	strlist_release(&seen);
	ident_macs_free(m);
}

/* Oracle VM's OUI by default in a file that has it; --mac-prefix wins. */
static void
test_default_prefix(void)
{
	static const char ovm[] = "vif = ['mac=00:21:F6:4b:10:2c,"
	    "bridge=0a0c1e00']\n";
	static const char xen[] = "vif = ['mac=00:16:3e:4b:10:2c']\n";
	struct domcfg *c = NULL, *x = NULL;
	struct ident_macs *m;
	char out[18];

	CHECK(ident_default_prefix(NULL) == NULL);
	if (!CHECK(domcfg_parse("o.cfg", ovm, strlen(ovm), &c) == 0) ||
	    !CHECK(domcfg_parse("x.cfg", xen, strlen(xen), &x) == 0))
		goto out;
	CHECK_STR(ident_default_prefix(c), "ovm3");
	CHECK(ident_default_prefix(x) == NULL);

	m = ident_macs_new();
	CHECK_INT(ident_new_mac_default(m, "ovm3", out), 0);
	CHECK(strncmp(out, "00:21:f6:", 9) == 0);
	/* The generator's own prefix is back afterwards. */
	CHECK_INT(ident_new_mac_default(m, NULL, out), 0);
	CHECK(strncmp(out, "00:16:3e:", 9) == 0);
	CHECK_INT(ident_new_mac(m, out), 0);
	CHECK(strncmp(out, "00:16:3e:", 9) == 0);
	CHECK_INT(ident_macs_count(m), 3);
	ident_macs_free(m);

	m = ident_macs_new();
	CHECK_INT(ident_macs_set_prefix(m, "kvm"), 0);
	CHECK_INT(ident_new_mac_default(m, "ovm3", out), 0);
	CHECK(strncmp(out, "52:54:00:", 9) == 0);
	ident_macs_free(m);
	m = ident_macs_new();
	CHECK_INT(ident_macs_set_prefix(m, "xen"), 0);
	CHECK_INT(ident_new_mac_default(m, "ovm3", out), 0);
	CHECK(strncmp(out, "00:16:3e:", 9) == 0);
	ident_macs_free(m);
out:
	domcfg_free(c);
	domcfg_free(x);
}

int
main(void)
{
	struct ident_macs *m;
	struct buf b = BUF_INIT;
	unsigned char mac[6];
	char out[18], u1[37], u2[37], *h, *sub;
	size_t i;

	/* prefixes and Xen's rule, 2000 draws each, all distinct */
	check_draws(NULL, "00:16:3e:", 2000, true);
	check_draws("xen", "00:16:3e:", 2000, true);
	check_draws("kvm", "52:54:00:", 2000, false);
	check_draws("ovm3", "00:21:f6:", 2000, false);
	check_draws("02:AB", "02:ab:", 2000, false);
	check_draws("00:16:3e:7f", "00:16:3e:7f:", 2000, true);
	test_default_prefix();

	m = ident_macs_new();
	CHECK_INT(ident_macs_set_prefix(m, "01:00:5e"), -1);	/* multicast */
	CHECK_INT(ident_macs_set_prefix(m, "00:16:3e:80"), -1);	/* reserved */
	CHECK_INT(ident_macs_set_prefix(m, "00:11:22:33:44:55"), -1);
	CHECK_INT(ident_macs_set_prefix(m, ""), -1);
	CHECK_INT(ident_macs_set_prefix(m, "0:16"), -1);
	CHECK_INT(ident_macs_set_prefix(m, "00-16"), -1);
	CHECK_INT(ident_macs_set_prefix(m, "00:16:"), -1);
	CHECK_INT(ident_macs_set_prefix(m, "Xen"), -1);

	/* a full space is reported, not looped on */
	CHECK_INT(ident_macs_set_prefix(m, "02:00:00:00:00"), 0);
	for (i = 0; i < 256; i++)
		CHECK_INT(ident_new_mac(m, out), 0);
	CHECK_INT(ident_new_mac(m, out), -1);
	ident_macs_free(m);

	/*
	 * Lanes: three workers start from one taken set and draw apart.
	 * A 256-MAC space, 3 lanes of 86, 85, 85: each lane fills up with
	 * exactly its own residue class, then reports it is full.
	 */
	{
		struct ident_macs *w[3];
		unsigned lane, n[3] = { 0 }, v;
		char seen[256];

		memset(seen, 0, sizeof(seen));
		for (lane = 0; lane < 3; lane++) {
			w[lane] = ident_macs_new();
			CHECK_INT(ident_macs_set_prefix(w[lane],
			    "02:00:00:00:00"), 0);
			/* taken before the split: never drawn by anyone */
			CHECK_INT(ident_macs_take_str(w[lane],
			    "02:00:00:00:00:05"), 0);
			ident_macs_set_lane(w[lane], lane, 3);
			while (ident_new_mac(w[lane], out) == 0) {
				v = (unsigned)strtoul(out + 15, NULL, 16);
				CHECK(strncmp(out, "02:00:00:00:00:", 15) == 0);
				CHECK_INT(v % 3, lane);
				CHECK_INT(seen[v], 0);
				seen[v] = 1;
				n[lane]++;
			}
		}
		/* 02:00:00:00:00:00 is not the all-zero MAC, so it counts;
		 * 5 was taken before the split: lane 2 has one less */
		CHECK_INT(n[0], 86);
		CHECK_INT(n[1], 85);
		CHECK_INT(n[2], 84);
		CHECK_INT(seen[5], 0);
		for (lane = 0; lane < 3; lane++)
			ident_macs_free(w[lane]);
	}

	/* take_str: case-insensitive, junk ignored */
	m = ident_macs_new();
	CHECK_INT(ident_macs_take_str(m, "00:16:3E:AA:BB:01"), 0);
	CHECK_INT(ident_macs_take_str(m, "00:16:3e:aa:bb:1"), -1);
	CHECK_INT(mac_parse("00:16:3e:aa:bb:01", mac), 0);
	CHECK(ident_macs_taken(m, mac));
	CHECK_INT(ident_macs_count(m), 1);
	ident_macs_free(m);

	/*
	 * --mac-scan: a prefix with 256 candidates; 255 of them sit in
	 * configs under a scratch tree, so the one left must be chosen.
	 */
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	sub = xasprintf("%s/sub", dir);
	mkdir(sub, 0755);
	/* 00:16:3e:00:00:07 is free; the others are spread over files */
	buf_addf(&b, "name = 'a'\nvif = [ ");
	/* only the parser sees this one: the escapes spell "01" */
	buf_adds(&b, "'mac=00:16:3e:00:00:\\x30\\x31', ");
	for (i = 0; i < 100; i++)
		if (i != 7 && i != 1)
			buf_addf(&b, "'mac=00:16:3E:00:00:%02zX,bridge=x', ",
			    i);
	buf_addf(&b, "]\n");
	put("sub/a.cfg", b.data);
	buf_reset(&b);
	buf_addf(&b, "import os\n# not a plain config\n");
	for (i = 100; i < 200; i++)
		buf_addf(&b, "m%zu = 'mac=00:16:3e:00:00:%02zx'\n", i, i);
	put("sub/vm.cfg", b.data);
	buf_reset(&b);
	buf_addf(&b, "vif = [\n");
	for (i = 200; i < 256; i++)
		buf_addf(&b, "#'mac=00:16:3e:00:00:%02zx',\n", i);
	buf_addf(&b, "]\n");
	put("c.cfg", b.data);
	/* not a config name: ignored */
	put("notes.txt", "00:16:3e:00:00:07\n");
	put("x.cfg.orig", "00:16:3e:00:00:07\n");
	/* glued tokens are no MACs */
	put("glued.cfg", "a = '100:16:3e:00:00:07'\nb='00:16:3e:00:00:07:1'\n");
	/* a symlink loop and a link to a file outside: not followed */
	{
		char *l = xasprintf("%s/sub/loop", dir);

		CHECK_INT(symlink("..", l), 0);
		free(l);
		l = xasprintf("%s/sub/other.cfg", dir);
		CHECK_INT(symlink("/nonexistent/x.cfg", l), 0);
		free(l);
	}

	m = ident_macs_new();
	CHECK_INT(ident_macs_set_prefix(m, "00:16:3e:00:00"), 0);
	CHECK_INT(ident_macs_scan(m, dir), 0);
	CHECK_INT(ident_macs_count(m), 255);
	CHECK_INT(mac_parse("00:16:3e:00:00:07", mac), 0);
	CHECK(!ident_macs_taken(m, mac));
	CHECK_INT(ident_new_mac(m, out), 0);
	CHECK_STR(out, "00:16:3e:00:00:07");
	CHECK_INT(ident_new_mac(m, out), -1);
	/* scanning twice adds nothing */
	CHECK_INT(ident_macs_scan(m, dir), 0);
	CHECK_INT(ident_macs_count(m), 256);
	CHECK_INT(ident_macs_scan(m, "/nonexistent-imprint-dir"), -1);
	ident_macs_free(m);
	buf_release(&b);
	free(sub);
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);

		CHECK_INT(system(cmd), 0);
		free(cmd);
	}

	/* uuids: lower-case dashed, version 4, variant 10xx, distinct */
	ident_new_uuid(u1);
	ident_new_uuid(u2);
	CHECK_INT(strlen(u1), 36);
	CHECK(uuid_valid(u1));
	CHECK(strcmp(u1, u2) != 0);
	CHECK_INT(u1[14], '4');
	CHECK(strchr("89ab", u1[19]) != NULL);
	CHECK_INT(strcspn(u1, "ABCDEF"), 36);

	/* password hashes */
	h = ident_hash_password("s3cret", "$6$");
	CHECK(h != NULL && strncmp(h, "$6$", 3) == 0);
	if (h != NULL)
		CHECK_STR(crypt("s3cret", h), h);
	free(h);
	h = ident_hash_password("s3cret", NULL);
	CHECK(h != NULL && h[0] == '$');
	if (h != NULL)
		CHECK(strcmp(crypt("wrong", h), h) != 0);
	free(h);
	CHECK(ident_hash_password("x", "$nope$") == NULL);

	return unit_done();
}
