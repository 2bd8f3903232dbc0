/*
 * fuzz_gfile.c - libFuzzer harness for the guest file parsers and editors
 * (src/gfile*.c).
 *
 * Runs every reader on the input, then for every kind: an empty job must
 * give the input back byte for byte (shell files may instead be refused
 * when sh could not parse them, netplan files when libyaml could not);
 * a full job that succeeds must be
 * idempotent (running it on its own output changes nothing).  Finally
 * gfile_shvar_set with a value chosen by the first byte must read back
 * as that value.  The `imprint apply` editors (whole-NIC settings, new
 * ifcfg, udev name binding, hwconf, shadow, gfile_shvar_unset) must
 * succeed or refuse, and what they write must be a fixed point: the same
 * edit on their output changes nothing.  A full job may also refuse a
 * netplan file whose mapped scalar it cannot locate; a file it edits
 * must read back (gfile_netplan_parse) with the same entries.  Any broken
 * invariant aborts.
 * Build:
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_gfile.c \
 *       src/gfile.c src/gfile_*.c src/util.c src/valid.c \
 *       $(pkg-config --cflags --libs yaml-0.1)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gfile.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static const struct gfile_map macs[] = {
	{ "00:16:3e:10:20:01", "00:16:3e:aa:bb:01" },
	{ "00:16:3e:2b:8c:01", "00:16:3e:aa:bb:02" },
};
static const struct gfile_map ips[] = {
	{ "192.0.2.10", "192.0.2.41" },
	{ "192.0.2.20", "192.0.2.42" },
};
static const struct gfile_job full = {
	.macs = macs, .nmacs = 2, .ips = ips, .nips = 2, .gws = ips,
	.ngws = 2, .hostname = "clone01.example.com",
	.old_hostname = "tmpl.example.com",
	.uuid = "1c9d7e5a-3b2f-4e8d-9a6c-5b4e3d2c1f0a"
};
static const struct gfile_job none;

static const char *values[] = {
	"v", "", "a b", "it's", "$(reboot)", "`x`\"\\$y", "'", "#x", "a;b",
	"~", "x\t",
};

static void
readers(const char *in, size_t len)
{
	struct gfile_netplan_eth *np;
	struct gfile_udev_rule *r;
	struct gfile_hosts_entry *e;
	struct gfile_iface *ifs;
	struct strlist src = STRLIST_INIT;
	size_t n;

	free(gfile_shvar_get(in, len, "HWADDR"));
	free(gfile_hostname_parse(in, len));
	free(gfile_ini_get(in, len, "ipv4", "address1"));
	REQUIRE(gfile_netplan_parse(in, len, &np, &n) == 0);
	REQUIRE(n > 0 || np == NULL);
	gfile_netplan_free(np, n);
	REQUIRE(gfile_udev_parse(in, len, &r, &n) == 0);
	gfile_udev_free(r, n);
	REQUIRE(gfile_hosts_parse(in, len, &e, &n) == 0);
	gfile_hosts_free(e, n);
	REQUIRE(gfile_ifupdown_parse(in, len, &ifs, &n, &src) == 0);
	gfile_ifupdown_free(ifs, n);
	strlist_release(&src);
}

static void
editors(const char *in, size_t len)
{
	struct buf out = BUF_INIT, again = BUF_INIT;
	enum gfile_kind k;
	bool may_refuse;
	int rc;

	for (k = GFILE_IFCFG; k <= GFILE_NETWORKD_NETWORK; k++) {
		may_refuse = k == GFILE_IFCFG ||
		    k == GFILE_SYSCONFIG_NETWORK || k == GFILE_NETPLAN;
		rc = gfile_edit(k, &none, in, len, &out);
		REQUIRE(rc == 0 || (rc == -1 && may_refuse));
		if (rc == 0)
			REQUIRE(out.len == len &&
			    memcmp(out.data, in, len) == 0);
		rc = gfile_edit(k, &full, in, len, &out);
		REQUIRE(rc == 0 || (rc == -1 && may_refuse));
		if (rc != 0)
			continue;
		REQUIRE(gfile_edit(k, &full, out.data, out.len, &again) == 0);
		REQUIRE(again.len == out.len &&
		    memcmp(again.data, out.data, out.len) == 0);
	}
	buf_release(&out);
	buf_release(&again);
}

/* Same ids on the same lines, and the same fields but for the mapped ones. */
static void
netplan_same(const struct gfile_netplan_eth *a, size_t na,
    const struct gfile_netplan_eth *b, size_t nb)
{
	size_t i;

	REQUIRE(na == nb);
	for (i = 0; i < na; i++) {
		REQUIRE(strcmp(a[i].id, b[i].id) == 0);
		REQUIRE(a[i].line == b[i].line);
		REQUIRE((a[i].set_name == NULL) == (b[i].set_name == NULL));
		REQUIRE((a[i].match_mac == NULL) == (b[i].match_mac == NULL));
		REQUIRE((a[i].mac == NULL) == (b[i].mac == NULL));
		REQUIRE((a[i].address == NULL) == (b[i].address == NULL));
		REQUIRE((a[i].gateway == NULL) == (b[i].gateway == NULL));
		REQUIRE(a[i].dhcp4 == b[i].dhcp4);
	}
}

/*
 * netplan: a file it can edit is YAML, and the edit is splices of
 * scalars by scalars of the same kind, so the entries read back the same
 * but for the mapped values.
 */
static void
netplan(const char *in, size_t len)
{
	struct gfile_netplan_eth *a, *b;
	struct buf out = BUF_INIT;
	size_t na, nb;

	if (gfile_edit(GFILE_NETPLAN, &full, in, len, &out) == 0) {
		REQUIRE(gfile_netplan_parse(in, len, &a, &na) == 0);
		REQUIRE(gfile_netplan_parse(out.data, out.len, &b, &nb) == 0);
		netplan_same(a, na, b, nb);
		gfile_netplan_free(a, na);
		gfile_netplan_free(b, nb);
	}
	buf_release(&out);
}

static const struct gfile_nic nics[] = {
	{ "eth0", "00:16:3e:aa:bb:01", GFILE_BOOT_STATIC, "192.0.2.41", 24,
	    "192.0.2.1", "clone01.example.com",
	    "1c9d7e5a-3b2f-4e8d-9a6c-5b4e3d2c1f0a" },
	{ "eth1", "00:16:3e:aa:bb:02", GFILE_BOOT_DHCP, NULL, 0, NULL,
	    "clone01", NULL },
	{ "eth0", NULL, GFILE_BOOT_KEEP, NULL, 0, NULL, NULL, NULL },
};

typedef int	(*nic_fn)(const char *, size_t, const struct gfile_nic *,
		    struct buf *);

/* rc 0 or -1; on 0 the output must be a fixed point of the same edit. */
static void
fixed_point(nic_fn fn, const struct gfile_nic *nic, const char *in,
    size_t len)
{
	struct buf out = BUF_INIT, again = BUF_INIT;
	int rc = fn(in, len, nic, &out);

	REQUIRE(rc == 0 || rc == -1);
	if (rc == 0) {
		REQUIRE(fn(out.data, out.len, nic, &again) == 0);
		REQUIRE(again.len == out.len &&
		    memcmp(again.data, out.data, out.len) == 0);
	}
	buf_release(&out);
	buf_release(&again);
}

static void
apply_editors(const char *in, size_t len)
{
	struct buf out = BUF_INIT, again = BUF_INIT;
	char *back;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(nics); i++) {
		fixed_point(gfile_ifcfg_apply_nic, &nics[i], in, len);
		fixed_point(gfile_ifupdown_apply_nic, &nics[i], in, len);
		/* A new NIC's file is one apply leaves alone. */
		if (gfile_ifcfg_new_nic(in, len, "eth0", &nics[i],
		    &out) == 0) {
			REQUIRE(gfile_ifcfg_apply_nic(out.data, out.len,
			    &nics[i], &again) == 0);
			REQUIRE(again.len == out.len &&
			    memcmp(again.data, out.data, out.len) == 0);
		}
	}
	rc = gfile_shvar_unset(in, len, "HWADDR", &out);
	if (rc == 0) {
		back = gfile_shvar_get(out.data, out.len, "HWADDR");
		REQUIRE(back == NULL);
	}
	rc = gfile_udev_set_name_mac(in, len, "eth0", "00:16:3e:aa:bb:01",
	    &out);
	REQUIRE(rc == 0);
	REQUIRE(gfile_udev_set_name_mac(out.data, out.len, "eth0",
	    "00:16:3e:aa:bb:01", &again) == 0);
	REQUIRE(again.len == out.len &&
	    memcmp(again.data, out.data, out.len) == 0);
	REQUIRE(gfile_hwconf_map_mac(in, len, macs, ARRAY_SIZE(macs),
	    &out) == 0);
	rc = gfile_shadow_set_password(in, len, "root", "$6$s$h", 19000,
	    &out);
	if (rc == 0) {
		REQUIRE(gfile_shadow_set_password(out.data, out.len, "root",
		    "$6$s$h", 19000, &again) == 0);
		REQUIRE(again.len == out.len &&
		    memcmp(again.data, out.data, out.len) == 0);
	}
	buf_release(&out);
	buf_release(&again);
}

static void
shvar(const char *in, size_t len, const char *value)
{
	struct buf out = BUF_INIT;
	char *back;

	if (gfile_shvar_set(in, len, "IMPRINT_K", value, &out) == 0) {
		back = gfile_shvar_get(out.data, out.len, "IMPRINT_K");
		REQUIRE(back != NULL && strcmp(back, value) == 0);
		free(back);
	}
	buf_release(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *value = values[size > 0 ? data[0] % ARRAY_SIZE(values) :
	    0];

	readers(in, size);
	editors(in, size);
	netplan(in, size);
	apply_editors(in, size);
	shvar(in, size, value);
	return 0;
}
