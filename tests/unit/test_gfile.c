/*
 * test_gfile.c - unit tests for the guest file parsers and editors
 * (src/gfile*.c) on tests/data/fixtures/guest-* and on inline cases.
 *
 * Expected edits are built from the fixture by explicit substring
 * substitutions, each required to occur exactly once, so a wrong or a
 * missing edit fails.  Every fixture job is also run on a CRLF copy and on
 * a copy without its final newline, and a second time on its own output.
 */
#include <stdbool.h>

#include "unit.h"
#include "capture.h"
#include "gfile.h"
#include "textfix.h"

#define M1 "00:16:3e:aa:bb:01"
#define M2 "00:16:3e:aa:bb:02"
#define GU "1c9d7e5a-3b2f-4e8d-9a6c-5b4e3d2c1f0a"

/* Run one edit and compare with want (NUL-terminated). */
static void
check_edit(enum gfile_kind kind, const struct gfile_job *job,
    const char *in, size_t len, const char *want, int line)
{
	struct buf out = BUF_INIT;
	int rc;

	rc = gfile_edit(kind, job, in, len, &out);
	if (!unit_check(rc == 0, __FILE__, line, "gfile_edit == 0"))
		fprintf(stderr, "    kind %s\n", gfile_kind_name(kind));
	if (!unit_check(out.data != NULL && out.len == strlen(want) &&
	    memcmp(out.data, want, out.len) == 0, __FILE__, line,
	    "edit result")) {
		unit_dump("got ", out.data ? out.data : "", out.len);
		unit_dump("want", want, strlen(want));
	}
	buf_release(&out);
}

/*
 * The full check of a fixture job: LF as is, idempotent on its output,
 * no-op job identical, CRLF copy, no-final-newline copy.
 */
static void
check_job(enum gfile_kind kind, const struct gfile_job *job,
    const char *in, const char *want, int line)
{
	static const struct gfile_job none;
	char *cin, *cwant, *nin, *nwant;

	check_edit(kind, job, in, strlen(in), want, line);
	check_edit(kind, job, want, strlen(want), want, line);
	check_edit(kind, &none, in, strlen(in), in, line);
	cin = to_crlf(in);
	nin = chop_nl(in);
	if (kind == GFILE_HOSTNAME) {
		cwant = xstrdup(want);
		nwant = xstrdup(want);
	} else {
		cwant = to_crlf(want);
		nwant = chop_nl(want);
	}
	check_edit(kind, job, cin, strlen(cin), cwant, line);
	check_edit(kind, job, nin, strlen(nin), nwant, line);
	free(cin);
	free(cwant);
	free(nin);
	free(nwant);
}

static void
get_is(const char *in, const char *key, const char *want, int line)
{
	char *got = gfile_shvar_get(in, strlen(in), key);
	int ok = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	if (!unit_check(ok, __FILE__, line, "gfile_shvar_get")) {
		fprintf(stderr, "    key %s\n", key);
		if (got)
			unit_dump("got ", got, strlen(got));
		else
			fputs("    got  NULL\n", stderr);
		if (want)
			unit_dump("want", want, strlen(want));
		else
			fputs("    want NULL\n", stderr);
	}
	free(got);
}

static void
set_is(const char *in, const char *key, const char *value,
    const char *want, int line)
{
	struct buf out = BUF_INIT;
	char *back;

	if (!unit_check(gfile_shvar_set(in, strlen(in), key, value,
	    &out) == 0, __FILE__, line, "gfile_shvar_set == 0"))
		return;
	if (!unit_check(out.len == strlen(want) &&
	    memcmp(out.data, want, out.len) == 0, __FILE__, line,
	    "gfile_shvar_set result")) {
		unit_dump("got ", out.data, out.len);
		unit_dump("want", want, strlen(want));
	}
	/* Whatever was written must read back as the value. */
	back = gfile_shvar_get(out.data, out.len, key);
	if (!unit_check(back != NULL && strcmp(back, value) == 0, __FILE__,
	    line, "shvar round trip") && back != NULL)
		unit_dump("back", back, strlen(back));
	free(back);
	buf_release(&out);
}

#define CHECK_JOB(k, j, in, want) check_job(k, j, in, want, __LINE__)
#define CHECK_EDIT(k, j, in, want) \
	check_edit(k, j, in, strlen(in), want, __LINE__)
#define GET_IS(in, key, want) get_is(in, key, want, __LINE__)
#define SET_IS(in, key, v, want) set_is(in, key, v, want, __LINE__)

static const struct gfile_map mac_rhel[] = {
	{ "00:16:3e:10:20:01", M1 }
};
static const struct gfile_map mac_deb[] = {
	{ "00:16:3e:2b:8c:01", M1 }
};
static const struct gfile_map ip_rhel[] = { { "192.0.2.10", "192.0.2.41" } };
static const struct gfile_map ip_deb[] = { { "192.0.2.20", "192.0.2.41" } };

static void
test_ifcfg(void)
{
	struct gfile_job job = { 0 };
	size_t len;
	char *in, *want, *v;

	in = fixture_read("guest-ifcfg-eth0.rhel6-static-unquoted", &len);
	GET_IS(in, "DEVICE", "eth0");
	GET_IS(in, "BOOTPROTO", "none");
	GET_IS(in, "HWADDR", "00:16:3E:10:20:01");
	GET_IS(in, "IPADDR", "192.0.2.10");
	GET_IS(in, "NETMASK", "255.255.255.0");
	GET_IS(in, "GATEWAY", "192.0.2.1");
	GET_IS(in, "ONBOOT", "yes");
	GET_IS(in, "MACADDR", NULL);
	GET_IS(in, "Xen", NULL);
	job.macs = mac_rhel;
	job.nmacs = 1;
	job.ips = ip_rhel;
	job.nips = 1;
	want = subst(in, "HWADDR=00:16:3E:10:20:01\n",
	    "HWADDR=" M1 "\n");
	want = subst_f(want, "IPADDR=192.0.2.10\n", "IPADDR=192.0.2.41\n");
	CHECK_JOB(GFILE_IFCFG, &job, in, want);
	free(want);
	free(in);

	in = fixture_read("guest-ifcfg-eth0.rhel7-nm-quoted", &len);
	GET_IS(in, "TYPE", "Ethernet");
	GET_IS(in, "UUID", "5d0c8b2e-1f3a-4c69-9e7d-2b8a6f4c1e03");
	GET_IS(in, "HWADDR", "00:16:3E:10:20:01");
	GET_IS(in, "DHCP_HOSTNAME", "tmpl-ol7");
	GET_IS(in, "NAME", "eth0");
	memset(&job, 0, sizeof(job));
	job.macs = mac_rhel;
	job.nmacs = 1;
	job.uuid = GU;
	job.hostname = "clone01.example.com";
	want = subst(in, "HWADDR=\"00:16:3E:10:20:01\"",
	    "HWADDR=\"" M1 "\"");
	want = subst_f(want, "UUID=\"5d0c8b2e-1f3a-4c69-9e7d-2b8a6f4c1e03\"",
	    "UUID=\"" GU "\"");
	want = subst_f(want, "DHCP_HOSTNAME=\"tmpl-ol7\"",
	    "DHCP_HOSTNAME=\"clone01\"");
	CHECK_JOB(GFILE_IFCFG, &job, in, want);
	free(want);
	free(in);

	in = fixture_read("guest-ifcfg-eth0.no-hwaddr", &len);
	GET_IS(in, "BOOTPROTO", "dhcp");
	GET_IS(in, "HWADDR", NULL);
	memset(&job, 0, sizeof(job));
	job.macs = mac_rhel;
	job.nmacs = 1;
	CHECK_JOB(GFILE_IFCFG, &job, in, in);
	free(in);

	/* Other MACs, a commented HWADDR, MACADDR, IPADDR1 and SUSE CIDR. */
	memset(&job, 0, sizeof(job));
	job.macs = mac_rhel;
	job.nmacs = 1;
	job.ips = ip_rhel;
	job.nips = 1;
	CHECK_EDIT(GFILE_IFCFG, &job,
	    "#HWADDR=00:16:3e:10:20:01\nHWADDR=00:16:3e:10:20:02\n"
	    "MACADDR='00:16:3E:10:20:01' # spoofed\nIPADDR1=192.0.2.10\n"
	    "IPADDR_2='192.0.2.10/24'\nIPADDR=192.0.2.100\n",
	    "#HWADDR=00:16:3e:10:20:01\nHWADDR=00:16:3e:10:20:02\n"
	    "MACADDR='" M1 "' # spoofed\nIPADDR1=192.0.2.41\n"
	    "IPADDR_2='192.0.2.41/24'\nIPADDR=192.0.2.100\n");
	/* A mapping never adds; uuid/DHCP_HOSTNAME are not added either. */
	job.uuid = GU;
	job.hostname = "h.example.com";
	CHECK_EDIT(GFILE_IFCFG, &job, "DEVICE=eth0\n", "DEVICE=eth0\n");
	/* A shell-hostile hostname is quoted, not executed. */
	job.hostname = "$(reboot)";
	CHECK_EDIT(GFILE_IFCFG, &job, "DHCP_HOSTNAME=old\n",
	    "DHCP_HOSTNAME='$(reboot)'\n");
	CHECK_EDIT(GFILE_IFCFG, &job, "DHCP_HOSTNAME=\"old\"\n",
	    "DHCP_HOSTNAME=\"\\$(reboot)\"\n");
	job.hostname = "bad\nname";
	{
		struct buf out = BUF_INIT;

		CHECK_INT(gfile_edit(GFILE_IFCFG, &job, "A=1\n", 4, &out),
		    -1);
		buf_release(&out);
	}
	v = gfile_shvar_get("HWADDR=x\0y\n", 11, "HWADDR");
	CHECK_STR(v, "x");
	free(v);
}

static void
test_sysconfig_network(void)
{
	struct gfile_job job = { 0 };
	size_t len;
	char *in, *want;

	in = fixture_read("guest-sysconfig-network", &len);
	GET_IS(in, "HOSTNAME", "tmpl-ol6.example.com");
	GET_IS(in, "NETWORKING", "yes");
	job.hostname = "clone01.example.com";
	want = subst(in, "HOSTNAME=tmpl-ol6.example.com\n",
	    "HOSTNAME=clone01.example.com\n");
	CHECK_JOB(GFILE_SYSCONFIG_NETWORK, &job, in, want);
	free(want);
	free(in);

	/* hostname= is a setting: added when absent, in the file's EOL. */
	CHECK_EDIT(GFILE_SYSCONFIG_NETWORK, &job, "NETWORKING=yes\n",
	    "NETWORKING=yes\nHOSTNAME=clone01.example.com\n");
	CHECK_EDIT(GFILE_SYSCONFIG_NETWORK, &job, "NETWORKING=yes",
	    "NETWORKING=yes\nHOSTNAME=clone01.example.com\n");
	CHECK_EDIT(GFILE_SYSCONFIG_NETWORK, &job, "NETWORKING=yes\r\n",
	    "NETWORKING=yes\r\nHOSTNAME=clone01.example.com\r\n");
	CHECK_EDIT(GFILE_SYSCONFIG_NETWORK, &job, "",
	    "HOSTNAME=clone01.example.com\n");
	CHECK_EDIT(GFILE_SYSCONFIG_NETWORK, &job,
	    "HOSTNAME=\"a\"\nDHCP_HOSTNAME=a\n",
	    "HOSTNAME=\"clone01.example.com\"\nDHCP_HOSTNAME=clone01\n");
}

static void
test_udev(void)
{
	struct gfile_job job = { 0 };
	struct gfile_udev_rule *r;
	size_t len, n;
	char *in, *want;
	const char *two =
	    "# SUBSYSTEM==\"net\", ATTR{address}==\"00:16:3e:10:20:01\", "
	    "NAME=\"eth9\"\n"
	    "NAME=\"eth1\", ATTR{address}==\"00:16:3E:10:20:01\", "
	    "KERNEL==\"eth*\"\n"
	    "SUBSYSTEM==\"net\", ATTR{address} == \"00:16:3e:10:20:03\","
	    "NAME:=\"eth2\"\n"
	    "ATTR{address}==\"00:16:3e:10:20:04\"\n"
	    "ATTRS{address}==\"00:16:3e:10:20:01\", NAME=\"eth3\"\n";

	in = fixture_read("guest-70-persistent-net.rules.one-nic", &len);
	CHECK_INT(gfile_udev_parse(in, len, &r, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(r[0].name, "eth0");
		CHECK_STR(r[0].mac, "00:16:3e:10:20:01");
		CHECK_INT(r[0].line, 5);
	}
	gfile_udev_free(r, n);
	job.macs = mac_rhel;
	job.nmacs = 1;
	want = subst(in, "ATTR{address}==\"00:16:3e:10:20:01\"",
	    "ATTR{address}==\"" M1 "\"");
	CHECK_JOB(GFILE_UDEV_NET, &job, in, want);
	free(want);
	free(in);

	CHECK_INT(gfile_udev_parse(two, strlen(two), &r, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(r[0].name, "eth1");
		CHECK_STR(r[0].mac, "00:16:3E:10:20:01");
		CHECK_INT(r[0].line, 2);
		CHECK_STR(r[1].name, "eth2");
		CHECK_STR(r[1].mac, "00:16:3e:10:20:03");
		CHECK_INT(r[1].line, 3);
	}
	gfile_udev_free(r, n);
	want = subst(two, "NAME=\"eth1\", ATTR{address}==\"00:16:3E:10:20:01\"",
	    "NAME=\"eth1\", ATTR{address}==\"" M1 "\"");
	CHECK_EDIT(GFILE_UDEV_NET, &job, two, want);
	free(want);

	/* Two NICs, two mappings, each rule bound to its own new MAC. */
	{
		static const struct gfile_map two_macs[] = {
			{ "00:16:3e:10:20:01", M1 },
			{ "00:16:3E:10:20:02", M2 },
		};
		struct gfile_job job2 = { .macs = two_macs, .nmacs = 2 };
		const char *rules =
		    "SUBSYSTEM==\"net\", ATTR{address}==\"00:16:3e:10:20:02\", "
		    "NAME=\"eth1\"\r\n"
		    "SUBSYSTEM==\"net\", ATTR{address}==\"00:16:3e:10:20:01\", "
		    "NAME=\"eth0\"\r\n";

		want = subst(rules, "\"00:16:3e:10:20:02\"", "\"" M2 "\"");
		want = subst_f(want, "\"00:16:3e:10:20:01\"", "\"" M1 "\"");
		CHECK_EDIT(GFILE_UDEV_NET, &job2, rules, want);
		CHECK_EDIT(GFILE_UDEV_NET, &job2, want, want);
		free(want);
	}
	/* Each setting is mapped once: a swap does not chain. */
	{
		static const struct gfile_map swap[] = {
			{ "00:16:3e:10:20:01", "00:16:3e:10:20:02" },
			{ "00:16:3e:10:20:02", "00:16:3e:10:20:01" },
		};
		struct gfile_job job3 = { .macs = swap, .nmacs = 2 };

		CHECK_EDIT(GFILE_UDEV_NET, &job3,
		    "ATTR{address}==\"00:16:3e:10:20:01\", NAME=\"eth0\"\n"
		    "ATTR{address}==\"00:16:3e:10:20:02\", NAME=\"eth1\"\n",
		    "ATTR{address}==\"00:16:3e:10:20:02\", NAME=\"eth0\"\n"
		    "ATTR{address}==\"00:16:3e:10:20:01\", NAME=\"eth1\"\n");
	}

	CHECK_INT(gfile_udev_parse("", 0, &r, &n), 0);
	CHECK_INT(n, 0);
	gfile_udev_free(r, n);
}

static void
test_hostname(void)
{
	struct gfile_job job = { 0 };
	size_t len;
	char *in, *v;

	in = fixture_read("guest-etc-hostname", &len);
	v = gfile_hostname_parse(in, len);
	CHECK_STR(v, "tmpl-deb12");
	free(v);
	job.hostname = "clone01";
	CHECK_JOB(GFILE_HOSTNAME, &job, in, "clone01\n");
	free(in);
	CHECK_EDIT(GFILE_HOSTNAME, &job, "", "clone01\n");
	CHECK_EDIT(GFILE_HOSTNAME, &job, "# c\nold\r\n", "clone01\n");

	v = gfile_hostname_parse("# set by installer\n\n  \t box.lan  x\n",
	    38);
	CHECK_STR(v, "box.lan");
	free(v);
	v = gfile_hostname_parse("", 0);
	CHECK_STR(v, NULL);
	v = gfile_hostname_parse("\n# only\n   \n", 12);
	CHECK_STR(v, NULL);
	v = gfile_hostname_parse("name\r\n", 6);
	CHECK_STR(v, "name");
	free(v);
}

static void
test_hosts(void)
{
	struct gfile_job job = { 0 };
	struct gfile_hosts_entry *e;
	size_t len, n;
	char *in, *want;
	const char *tricky =
	    "# 127.0.1.1 tmpl-deb12\n"
	    "10.0.0.1 tmpl-deb12x TMPL-DEB12 # tmpl-deb12\n"
	    "10.0.0.2\ttmpl-deb12.example.com.au\n"
	    "tmpl-deb12 tmpl-deb12\n"
	    "10.0.0.3\n";

	in = fixture_read("guest-etc-hosts", &len);
	CHECK_INT(gfile_hosts_parse(in, len, &e, &n), 0);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK_STR(e[0].addr, "127.0.0.1");
		CHECK_INT(e[0].names.n, 1);
		CHECK_STR(e[0].names.v[0], "localhost");
		CHECK_INT(e[0].line, 1);
		CHECK_STR(e[1].addr, "127.0.1.1");
		CHECK_INT(e[1].names.n, 2);
		CHECK_STR(e[1].names.v[0], "tmpl-deb12.example.com");
		CHECK_STR(e[1].names.v[1], "tmpl-deb12");
		CHECK_INT(e[1].line, 2);
		CHECK_STR(e[2].addr, "::1");
		CHECK_INT(e[2].names.n, 3);
		CHECK_STR(e[2].names.v[2], "ip6-loopback");
		CHECK_INT(e[2].line, 5);
		CHECK_STR(e[4].addr, "ff02::2");
		CHECK_STR(e[4].names.v[0], "ip6-allrouters");
		CHECK_INT(e[4].line, 7);
	}
	gfile_hosts_free(e, n);
	job.hostname = "clone01.example.com";
	job.old_hostname = "tmpl-deb12.example.com";
	want = subst(in, "127.0.1.1\ttmpl-deb12.example.com\ttmpl-deb12\n",
	    "127.0.1.1\tclone01.example.com\tclone01\n");
	CHECK_JOB(GFILE_HOSTS, &job, in, want);
	free(want);
	free(in);

	/* Whole fields only, never the address or a comment. */
	want = subst(tricky, "10.0.0.1 tmpl-deb12x TMPL-DEB12 #",
	    "10.0.0.1 tmpl-deb12x clone01 #");
	want = subst_f(want, "tmpl-deb12 tmpl-deb12\n",
	    "tmpl-deb12 clone01\n");
	CHECK_EDIT(GFILE_HOSTS, &job, tricky, want);
	free(want);
	CHECK_INT(gfile_hosts_parse(tricky, strlen(tricky), &e, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(e[0].names.n, 2);
		CHECK_STR(e[0].names.v[1], "TMPL-DEB12");
		CHECK_STR(e[2].addr, "tmpl-deb12");
	}
	gfile_hosts_free(e, n);

	/*
	 * Debian: /etc/hostname short, /etc/hosts with the FQDN.  The FQDN
	 * follows, keeping its domain when the new name is short; names
	 * that only start with the old one stay.
	 */
	in = fixture_read("guest-etc-hosts", &len);
	job.old_hostname = "tmpl-deb12";
	job.hostname = "deb1";
	want = subst(in, "127.0.1.1\ttmpl-deb12.example.com\ttmpl-deb12\n",
	    "127.0.1.1\tdeb1.example.com\tdeb1\n");
	CHECK_JOB(GFILE_HOSTS, &job, in, want);
	free(want);
	job.hostname = "web7.corp.example.net";
	want = subst(in, "127.0.1.1\ttmpl-deb12.example.com\ttmpl-deb12\n",
	    "127.0.1.1\tweb7.corp.example.net\tweb7\n");
	CHECK_JOB(GFILE_HOSTS, &job, in, want);
	free(want);
	free(in);
	job.hostname = "deb1";
	CHECK_EDIT(GFILE_HOSTS, &job,
	    "10.0.0.9 TMPL-DEB12.Lab tmpl-deb12x.lab tmpl-deb12- tmpl-deb12.\n",
	    "10.0.0.9 deb1.Lab tmpl-deb12x.lab tmpl-deb12- tmpl-deb12.\n");

	/* A value that would split a field is refused. */
	job.hostname = "a b";
	{
		struct buf out = BUF_INIT;

		CHECK_INT(gfile_edit(GFILE_HOSTS, &job, "x y\n", 4, &out), -1);
		buf_release(&out);
	}
}

static void
test_ifupdown(void)
{
	struct gfile_job job = { 0 };
	struct strlist src = STRLIST_INIT;
	struct gfile_iface *ifs;
	size_t len, n;
	char *in, *want;
	const char *more =
	    "auto eth1 eth2\n"
	    "iface eth1 inet dhcp\n"
	    "\thostname tmpl\n"
	    "\thwaddress 00:16:3E:2B:8C:01\n"
	    "iface eth2 inet static\n"
	    "  address 192.0.2.20\n"
	    "  netmask 255.255.255.0\n"
	    "  # address 192.0.2.20\n"
	    "  up ip addr add 192.0.2.20/24 dev eth2\n"
	    "mapping eth3\n"
	    "  address 192.0.2.20\n"
	    "source-directory interfaces.d\n";

	in = fixture_read("guest-debian-interfaces.static-hwaddress", &len);
	CHECK_INT(gfile_ifupdown_parse(in, len, &ifs, &n, &src), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(ifs[0].name, "lo");
		CHECK_STR(ifs[0].family, "inet");
		CHECK_STR(ifs[0].method, "loopback");
		CHECK(ifs[0].auto_);
		CHECK_STR(ifs[0].address, NULL);
		CHECK_INT(ifs[0].line, 5);
		CHECK_STR(ifs[1].name, "eth0");
		CHECK_STR(ifs[1].method, "static");
		CHECK_STR(ifs[1].address, "192.0.2.20/24");
		CHECK_STR(ifs[1].gateway, "192.0.2.1");
		CHECK_STR(ifs[1].netmask, NULL);
		CHECK_STR(ifs[1].hwaddress, "00:16:3e:2b:8c:01");
		CHECK(ifs[1].auto_);
		CHECK_INT(ifs[1].line, 8);
	}
	CHECK_INT(src.n, 1);
	if (src.n == 1)
		CHECK_STR(src.v[0], "source /etc/network/interfaces.d/*");
	gfile_ifupdown_free(ifs, n);
	strlist_release(&src);

	job.macs = mac_deb;
	job.nmacs = 1;
	job.ips = ip_deb;
	job.nips = 1;
	want = subst(in, "hwaddress ether 00:16:3e:2b:8c:01\n",
	    "hwaddress ether " M1 "\n");
	want = subst_f(want, "address 192.0.2.20/24\n",
	    "address 192.0.2.41/24\n");
	CHECK_JOB(GFILE_IFUPDOWN, &job, in, want);
	free(want);
	free(in);

	CHECK_INT(gfile_ifupdown_parse(more, strlen(more), &ifs, &n, NULL), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK(ifs[0].auto_);
		CHECK_STR(ifs[0].hwaddress, "00:16:3E:2B:8C:01");
		CHECK_STR(ifs[1].address, "192.0.2.20");
		CHECK_STR(ifs[1].netmask, "255.255.255.0");
	}
	gfile_ifupdown_free(ifs, n);
	job.hostname = "clone01.example.com";
	want = subst(more, "\thostname tmpl\n", "\thostname clone01\n");
	want = subst_f(want, "\thwaddress 00:16:3E:2B:8C:01\n",
	    "\thwaddress " M1 "\n");
	want = subst_f(want, "  address 192.0.2.20\n  netmask",
	    "  address 192.0.2.41\n  netmask");
	CHECK_EDIT(GFILE_IFUPDOWN, &job, more, want);
	free(want);
}

/* What one gfile_netplan_eth must hold (NULL = absent). */
struct eth_want {
	const char	*id;
	size_t		 line;
	const char	*set_name;
	const char	*match_name;
	const char	*match_mac;
	const char	*mac;
	const char	*address;
	const char	*gateway;
	bool		 dhcp4;
};

static bool
str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

#define NS(x) ((x) != NULL ? (x) : "(null)")

static void
eth_dump(const char *label, size_t i, const char *id, size_t line,
    const char *set_name, const char *match_name, const char *match_mac,
    const char *mac, const char *address, const char *gateway, bool dhcp4)
{
	fprintf(stderr, "    %s %zu: %s line %zu set-name %s match %s %s "
	    "mac %s address %s gateway %s dhcp4 %d\n", label, i, NS(id),
	    line, NS(set_name), NS(match_name), NS(match_mac), NS(mac),
	    NS(address), NS(gateway), dhcp4);
}

/* gfile_netplan_parse gives exactly the entries w. */
static void
check_eths(const char *in, size_t len, const struct eth_want *w, size_t nw,
    int line)
{
	struct gfile_netplan_eth *v;
	size_t n, i;

	unit_check(gfile_netplan_parse(in, len, &v, &n) == 0, __FILE__, line,
	    "gfile_netplan_parse == 0");
	if (!unit_check(n == nw, __FILE__, line, "netplan entries"))
		fprintf(stderr, "    got %zu, want %zu\n", n, nw);
	unit_check(n > 0 || v == NULL, __FILE__, line, "no entries, NULL");
	for (i = 0; i < n && i < nw; i++) {
		if (unit_check(str_same(v[i].id, w[i].id) &&
		    v[i].line == w[i].line &&
		    str_same(v[i].set_name, w[i].set_name) &&
		    str_same(v[i].match_name, w[i].match_name) &&
		    str_same(v[i].match_mac, w[i].match_mac) &&
		    str_same(v[i].mac, w[i].mac) &&
		    str_same(v[i].address, w[i].address) &&
		    str_same(v[i].gateway, w[i].gateway) &&
		    v[i].dhcp4 == w[i].dhcp4, __FILE__, line,
		    "netplan entry"))
			continue;
		eth_dump("got ", i, v[i].id, v[i].line, v[i].set_name,
		    v[i].match_name, v[i].match_mac, v[i].mac, v[i].address,
		    v[i].gateway, v[i].dhcp4);
		eth_dump("want", i, w[i].id, w[i].line, w[i].set_name,
		    w[i].match_name, w[i].match_mac, w[i].mac, w[i].address,
		    w[i].gateway, w[i].dhcp4);
	}
	gfile_netplan_free(v, n);
}

/* The netplan edit is refused with one message that ends in want. */
static void
check_refused(const struct gfile_job *job, const char *in, size_t len,
    const char *want, int line)
{
	struct buf out = BUF_INIT;
	size_t n, wn = strlen(want);
	char *msg;
	int rc;

	cap_start();
	rc = gfile_edit(GFILE_NETPLAN, job, in, len, &out);
	msg = cap_stop();
	unit_check(rc == -1, __FILE__, line, "gfile_edit == -1");
	n = strlen(msg);
	if (!unit_check(n > wn && msg[n - 1] == '\n' &&
	    strchr(msg, '\n') == msg + n - 1 &&
	    memcmp(msg + n - 1 - wn, want, wn) == 0, __FILE__, line,
	    "one message"))
		fprintf(stderr, "    got '%s', want '...%s'\n", msg, want);
	free(msg);
	buf_release(&out);
}

#define CHECK_ETHS(in, len, w) check_eths(in, len, w, ARRAY_SIZE(w), __LINE__)
#define CHECK_REFUSED(j, in, want) \
	check_refused(j, in, sizeof(in) - 1, want, __LINE__)

static void
test_netplan(void)
{
	static const struct gfile_job none;
	struct gfile_job job = { 0 };
	struct buf b = BUF_INIT, out = BUF_INIT;
	size_t len;
	char *in, *want;
	int i, j;
	const char *addrs =
	    "network:\n"
	    "  ethernets:\n"
	    "    eth0:\n"
	    "      macaddress: \"00:16:3E:2B:8C:01\" # set\n"
	    "      addresses: [192.0.2.20/24, '192.0.2.21/24']\n"
	    "      nameservers:\n"
	    "        addresses: [192.0.2.20]\n"
	    "    eth1:\n"
	    "      addresses:\n"
	    "      - 192.0.2.20/24\n"
	    "      - \"10.0.0.1/8\"\n"
	    "      - 192.0.2.20/25:\n"
	    "          label: x\n"
	    "      gateway4: 192.0.2.20\n";
	static const struct eth_want addrs_eths[] = {
		{ "eth0", 3, NULL, NULL, NULL, "00:16:3E:2B:8C:01",
		    "192.0.2.20/24", NULL, false },
		{ "eth1", 8, NULL, NULL, NULL, NULL, "192.0.2.20/24",
		    "192.0.2.20", false },
	};
	static const struct eth_want fixture_eths[] = {
		{ "eth0", 5, "eth0", NULL, "00:16:3e:2b:8c:01", NULL, NULL,
		    NULL, true },
	};
	/*
	 * Flow mappings inside block style, both quotes, a comment after
	 * a value, an IPv6 default route and then an IPv4 one (via before
	 * to).
	 */
	const char *flow =
	    "network:\n"
	    "  version: 2\n"
	    "  ethernets:\n"
	    "    eth0: {match: {macaddress: \"00:16:3e:2b:8c:01\"}, "
	    "set-name: eth0}\n"
	    "    eth1: {match: {name: \"en*\"}, macaddress: "
	    "'00:16:3E:2B:8C:01', dhcp4: yes,\n"
	    "      addresses: [192.0.2.20/24, \"192.0.2.20/25\"],  # two\n"
	    "      nameservers: {addresses: [192.0.2.20]},\n"
	    "      routes: [{to: default, via: \"2001:db8::1\"},\n"
	    "        {via: 192.0.2.1, to: 0.0.0.0/0}]}\n";
	static const struct eth_want flow_eths[] = {
		{ "eth0", 4, "eth0", NULL, "00:16:3e:2b:8c:01", NULL, NULL,
		    NULL, false },
		{ "eth1", 5, NULL, "en*", NULL, "00:16:3E:2B:8C:01",
		    "192.0.2.20/24", "192.0.2.1", true },
	};
	/* All on one line without a newline. */
	const char *oneline =
	    "network: {version: 2, ethernets: {eth0: {match: {macaddress: "
	    "00:16:3e:2b:8c:01}, addresses: ['192.0.2.20/24'], "
	    "gateway4: 192.0.2.20}}}";
	static const struct eth_want oneline_eths[] = {
		{ "eth0", 1, NULL, NULL, "00:16:3e:2b:8c:01", NULL,
		    "192.0.2.20/24", "192.0.2.20", false },
	};
	/* Characters of two, three and four bytes before the edits. */
	const char *utf8 =
	    "# R\xc3\xa9seau \xe2\x80\x94 \xc3\xa9" "crit par l'installateur\n"
	    "network:\n"
	    "  ethernets:\n"
	    "    \xc3\xa9th0: {match: {name: \"\xc3\xa9t\xc3\xa9*\", "
	    "macaddress: 00:16:3e:2b:8c:01}}  # \xc2\xab un \xc2\xbb\n"
	    "    eth1: # \xf0\x9f\x96\xa7\n"
	    "      addresses: [\"192.0.2.20/24\"]\n";
	static const struct eth_want utf8_eths[] = {
		{ "\xc3\xa9th0", 4, NULL, "\xc3\xa9t\xc3\xa9*",
		    "00:16:3e:2b:8c:01", NULL, NULL, NULL, false },
		{ "eth1", 5, NULL, NULL, NULL, NULL, "192.0.2.20/24", NULL,
		    false },
	};
	/*
	 * Anchors and a tag before edited scalars; aliases are not
	 * followed, so eth1 (not a mapping) is no entry and eth2 has
	 * nothing.
	 */
	const char *alias =
	    "network:\n"
	    "  ethernets:\n"
	    "    eth0: &e {match: &m {macaddress: &mac !!str "
	    "00:16:3e:2b:8c:01}, addresses: [&a 192.0.2.20/24]}\n"
	    "    eth1: *e\n"
	    "    eth2: {match: *m, macaddress: *mac, addresses: [*a, *a]}\n";
	static const struct eth_want alias_eths[] = {
		{ "eth0", 3, NULL, NULL, "00:16:3e:2b:8c:01", NULL,
		    "192.0.2.20/24", NULL, false },
		{ "eth2", 5, NULL, NULL, NULL, NULL, NULL, NULL, false },
	};
	/*
	 * Two documents; a network: below the top is not one; gateway4
	 * wins over a default route before it; a null set-name; a
	 * quoted "On"; an entry that is no mapping.
	 */
	const char *docs =
	    "---\n"
	    "network: {ethernets: {a: {}}}\n"
	    "---\n"
	    "x:\n"
	    "  network: {ethernets: {b: {}}}\n"
	    "network:\n"
	    "  ethernets:\n"
	    "    c:\n"
	    "      set-name: ~\n"
	    "      dhcp4: \"On\"\n"
	    "      routes:\n"
	    "      - to: default\n"
	    "        via: 192.0.2.1\n"
	    "      gateway4: 192.0.2.2\n"
	    "    d: eth0\n"
	    "...\n";
	static const struct eth_want docs_eths[] = {
		{ "a", 2, NULL, NULL, NULL, NULL, NULL, NULL, false },
		{ "c", 8, NULL, NULL, NULL, NULL, NULL, "192.0.2.2", true },
	};
	/* Broken in the second entry: the reader keeps what came before. */
	static const char unclosed[] =
	    "network:\n"
	    "  ethernets:\n"
	    "    eth0: {macaddress: 00:16:3e:2b:8c:01}\n"
	    "    eth1: {addresses: [192.0.2.20/24}\n";
	static const struct eth_want unclosed_eths[] = {
		{ "eth0", 3, NULL, NULL, NULL, "00:16:3e:2b:8c:01", NULL, NULL,
		    false },
		{ "eth1", 4, NULL, NULL, NULL, NULL, "192.0.2.20/24", NULL,
		    false },
	};
	/* Mapped scalars whose bytes are not their value. */
	static const char escaped[] =
	    "network:\n"
	    "  ethernets:\n"
	    "    eth0: {macaddress: \"00:16:3e:2b:8c:0\\x31\"}\n";
	static const char literal[] =
	    "network:\n"
	    "  ethernets:\n"
	    "    eth0:\n"
	    "      macaddress: |-\n"
	    "        00:16:3e:2b:8c:01\n";
	static const char folded[] =
	    "network:\n"
	    "  ethernets:\n"
	    "    eth0: {addresses: [192.0.2.20/24\n"
	    "      x]}\n";
	/* Not YAML libyaml reads. */
	static const char latin1[] =
	    "network:\n"
	    "  # R\xe9seau\n"
	    "  ethernets: {}\n";
	static const char utf16[] = "\xff\xfen\0:\0 \0x\0\n\0";
	static const char tab[] =
	    "network:\n"
	    "\tethernets: {}\n";

	in = fixture_read("guest-netplan-match-set-name.yaml", &len);
	CHECK_ETHS(in, len, fixture_eths);
	job.macs = mac_deb;
	job.nmacs = 1;
	want = subst(in, "macaddress: 00:16:3e:2b:8c:01\n",
	    "macaddress: " M1 "\n");
	CHECK_JOB(GFILE_NETPLAN, &job, in, want);
	free(want);
	free(in);

	job.ips = ip_deb;
	job.nips = 1;
	want = subst(addrs, "\"00:16:3E:2B:8C:01\" # set",
	    "\"" M1 "\" # set");
	want = subst_f(want, "[192.0.2.20/24, '192.0.2.21/24']",
	    "[192.0.2.41/24, '192.0.2.21/24']");
	want = subst_f(want, "      - 192.0.2.20/24\n",
	    "      - 192.0.2.41/24\n");
	want = subst_f(want, "- 192.0.2.20/25:", "- 192.0.2.41/25:");
	CHECK_JOB(GFILE_NETPLAN, &job, addrs, want);
	free(want);
	CHECK_ETHS(addrs, strlen(addrs), addrs_eths);

	want = subst(flow, "{macaddress: \"00:16:3e:2b:8c:01\"}",
	    "{macaddress: \"" M1 "\"}");
	want = subst_f(want, "'00:16:3E:2B:8C:01'", "'" M1 "'");
	want = subst_f(want, "[192.0.2.20/24, \"192.0.2.20/25\"],  # two",
	    "[192.0.2.41/24, \"192.0.2.41/25\"],  # two");
	CHECK_JOB(GFILE_NETPLAN, &job, flow, want);
	free(want);
	CHECK_ETHS(flow, strlen(flow), flow_eths);

	CHECK_EDIT(GFILE_NETPLAN, &job, oneline,
	    "network: {version: 2, ethernets: {eth0: {match: {macaddress: "
	    M1 "}, addresses: ['192.0.2.41/24'], gateway4: 192.0.2.20}}}");
	CHECK_ETHS(oneline, strlen(oneline), oneline_eths);

	/*
	 * libyaml's marks count characters, not bytes: these edits land
	 * right only because marks are turned into byte offsets.  A BOM
	 * is one character more.
	 */
	want = subst(utf8, "macaddress: 00:16:3e:2b:8c:01}",
	    "macaddress: " M1 "}");
	want = subst_f(want, "[\"192.0.2.20/24\"]", "[\"192.0.2.41/24\"]");
	CHECK_JOB(GFILE_NETPLAN, &job, utf8, want);
	CHECK_ETHS(utf8, strlen(utf8), utf8_eths);
	in = xasprintf("\xef\xbb\xbf%s", utf8);
	want = subst_f(want, "# R\xc3\xa9seau", "\xef\xbb\xbf# R\xc3\xa9seau");
	CHECK_JOB(GFILE_NETPLAN, &job, in, want);
	CHECK_ETHS(in, strlen(in), utf8_eths);
	free(in);
	free(want);

	want = subst(alias, "!!str 00:16:3e:2b:8c:01}", "!!str " M1 "}");
	want = subst_f(want, "[&a 192.0.2.20/24]", "[&a 192.0.2.41/24]");
	CHECK_JOB(GFILE_NETPLAN, &job, alias, want);
	free(want);
	CHECK_ETHS(alias, strlen(alias), alias_eths);

	CHECK_JOB(GFILE_NETPLAN, &job, docs, docs);
	CHECK_ETHS(docs, strlen(docs), docs_eths);

	/* An explicit CRLF file (CHECK_JOB also runs CRLF copies). */
	CHECK_EDIT(GFILE_NETPLAN, &job,
	    "network:\r\n  ethernets:\r\n    eth0:\r\n"
	    "      macaddress: 00:16:3e:2b:8c:01\r\n"
	    "      addresses: [192.0.2.20/24]\r\n",
	    "network:\r\n  ethernets:\r\n    eth0:\r\n"
	    "      macaddress: " M1 "\r\n"
	    "      addresses: [192.0.2.41/24]\r\n");

	/* Not located: refused, unless nothing is to be mapped there. */
	CHECK_REFUSED(&job, escaped, "netplan file line 3: cannot locate "
	    "the bytes of '00:16:3e:2b:8c:01' (an escape or a line break in "
	    "the scalar?)");
	CHECK_REFUSED(&job, literal, "netplan file line 4: cannot locate "
	    "the bytes of '00:16:3e:2b:8c:01' (an escape or a line break in "
	    "the scalar?)");
	CHECK_REFUSED(&job, folded, "netplan file line 3: cannot locate "
	    "the bytes of '192.0.2.20' (an escape or a line break in "
	    "the scalar?)");
	CHECK_EDIT(GFILE_NETPLAN, &none, escaped, escaped);
	CHECK_EDIT(GFILE_NETPLAN, &none, literal, literal);
	CHECK_EDIT(GFILE_NETPLAN, &none, folded, folded);

	/* Not YAML: refused even with nothing to map; the reader keeps
	 * what it read before the error. */
	CHECK_REFUSED(&job, unclosed, "netplan file line 4: did not find "
	    "expected ',' or ']' (while parsing a flow sequence)");
	CHECK_REFUSED(&none, unclosed, "netplan file line 4: did not find "
	    "expected ',' or ']' (while parsing a flow sequence)");
	CHECK_ETHS(unclosed, sizeof(unclosed) - 1, unclosed_eths);
	CHECK_REFUSED(&job, latin1, "netplan file line 2: invalid trailing "
	    "UTF-8 octet");
	check_eths(latin1, sizeof(latin1) - 1, NULL, 0, __LINE__);
	CHECK_REFUSED(&job, utf16, "netplan file line 1: invalid leading "
	    "UTF-8 octet");
	CHECK_REFUSED(&job, tab, "netplan file line 2: found character "
	    "that cannot start any token (while scanning for the next "
	    "token)");

	/*
	 * A billion laughs: nine anchors of ten aliases each.  Aliases
	 * are events, not copies, so this is quick.
	 */
	buf_adds(&b, "a0: &a0 [00:16:3e:2b:8c:01]\n");
	for (i = 1; i < 10; i++) {
		buf_addf(&b, "a%d: &a%d [", i, i);
		for (j = 0; j < 10; j++)
			buf_addf(&b, "%s*a%d", j ? ", " : "", i - 1);
		buf_adds(&b, "]\n");
	}
	buf_adds(&b, "network: {ethernets: {eth0: {macaddress: *a9}}}\n");
	CHECK_INT(gfile_edit(GFILE_NETPLAN, &job, b.data, b.len, &out), 0);
	CHECK_MEM(out.data, out.len, b.data, b.len);
	{
		static const struct eth_want laughs_eths[] = {
			{ "eth0", 11, NULL, NULL, NULL, NULL, NULL, NULL,
			    false },
		};

		CHECK_ETHS(b.data, b.len, laughs_eths);
	}

	/*
	 * Deeper than netplan ever goes: refused as the events come, as
	 * libyaml's work per token grows with the depth (1 MiB of "["
	 * would take an hour).  The reader keeps what came before.
	 */
	buf_reset(&b);
	buf_adds(&b, "network: {ethernets: {eth0: {addresses: [192.0.2.20/24],"
	    "\n  x: ");
	/* 4 + 28 = 32 levels: the most that is read. */
	for (i = 0; i < 28; i++)
		buf_adds(&b, "[");
	for (i = 0; i < 28; i++)
		buf_adds(&b, "]");
	buf_adds(&b, ", macaddress: 00:16:3e:2b:8c:01}}}\n");
	want = subst(b.data, "192.0.2.20/24", "192.0.2.41/24");
	want = subst_f(want, "macaddress: 00:16:3e:2b:8c:01}",
	    "macaddress: " M1 "}");
	CHECK_EDIT(GFILE_NETPLAN, &job, b.data, want);
	free(want);
	buf_reset(&b);
	buf_adds(&b, "network: {ethernets: {eth0: {addresses: [192.0.2.20/24],"
	    "\n  x: ");
	for (i = 0; i < (1 << 20) - 100; i++)
		buf_adds(&b, "[");
	check_refused(&job, b.data, b.len, "netplan file line 2: nested "
	    "deeper than 32 levels", __LINE__);
	{
		static const struct eth_want deep_eths[] = {
			{ "eth0", 1, NULL, NULL, NULL, NULL, "192.0.2.20/24",
			    NULL, false },
		};

		CHECK_ETHS(b.data, b.len, deep_eths);
	}

	/*
	 * Directives: a few are read, more than anyone writes are refused
	 * before libyaml, which compares each %TAG with all before it.
	 */
	buf_reset(&b);
	buf_adds(&b, "%YAML 1.1\n%TAG !n! tag:example.com,2024:\n---\n"
	    "network: {ethernets: {eth0: {macaddress: !n!mac "
	    "00:16:3e:2b:8c:01}}}\n");
	want = subst(b.data, "!n!mac 00:16:3e:2b:8c:01", "!n!mac " M1);
	CHECK_EDIT(GFILE_NETPLAN, &job, b.data, want);
	free(want);
	buf_reset(&b);
	for (i = 0; i < 65; i++)
		buf_addf(&b, "%%TAG !t%d! x\n", i);
	buf_adds(&b, "--- {network: {ethernets: {eth0: {}}}}\n");
	check_refused(&none, b.data, b.len, "netplan file line 65: more "
	    "than 64 directive lines", __LINE__);
	check_eths(b.data, b.len, NULL, 0, __LINE__);
	buf_release(&b);
	buf_release(&out);
}

static void
test_nm(void)
{
	struct gfile_job job = { 0 };
	size_t len;
	char *in, *want, *v;
	const char *cloned =
	    "[ethernet]\n"
	    "cloned-mac-address=stable\n"
	    "mac-address=00:16:3e:2b:8c:02\n"
	    "[ethernet]\n"
	    "cloned-mac-address = 00:16:3e:2b:8c:01  \n"
	    "# mac-address=00:16:3e:2b:8c:01\n"
	    "[ipv4]\n"
	    "dhcp-hostname=tmpl\n"
	    "addresses1=192.0.2.20;24;192.0.2.1;\n"
	    "gateway=192.0.2.20\n"
	    "[ipv6]\n"
	    "address1=192.0.2.20/24\n";

	in = fixture_read("guest-nm-eth0.nmconnection", &len);
	v = gfile_ini_get(in, len, "connection", "uuid");
	CHECK_STR(v, "0f6a3c1d-72b4-4e85-a9d3-5c1b8e2f7a60");
	free(v);
	v = gfile_ini_get(in, len, "ethernet", "mac-address");
	CHECK_STR(v, "00:16:3E:2B:8C:01");
	free(v);
	v = gfile_ini_get(in, len, "ipv4", "address1");
	CHECK_STR(v, "192.0.2.20/24,192.0.2.1");
	free(v);
	v = gfile_ini_get(in, len, "ipv6", "method");
	CHECK_STR(v, "auto");
	free(v);
	v = gfile_ini_get(in, len, "ipv4", "uuid");
	CHECK_STR(v, NULL);
	job.macs = mac_deb;
	job.nmacs = 1;
	job.ips = ip_deb;
	job.nips = 1;
	job.uuid = GU;
	want = subst(in, "uuid=0f6a3c1d-72b4-4e85-a9d3-5c1b8e2f7a60\n",
	    "uuid=" GU "\n");
	want = subst_f(want, "mac-address=00:16:3E:2B:8C:01\n",
	    "mac-address=" M1 "\n");
	want = subst_f(want, "address1=192.0.2.20/24,192.0.2.1\n",
	    "address1=192.0.2.41/24,192.0.2.1\n");
	CHECK_JOB(GFILE_NM_KEYFILE, &job, in, want);
	free(want);
	free(in);

	job.hostname = "clone01.example.com";
	want = subst(cloned, "cloned-mac-address = 00:16:3e:2b:8c:01  \n",
	    "cloned-mac-address = " M1 "  \n");
	want = subst_f(want, "dhcp-hostname=tmpl\n",
	    "dhcp-hostname=clone01\n");
	want = subst_f(want, "addresses1=192.0.2.20;",
	    "addresses1=192.0.2.41;");
	CHECK_EDIT(GFILE_NM_KEYFILE, &job, cloned, want);
	free(want);
}

static void
test_networkd(void)
{
	struct gfile_job job = { 0 };
	size_t len;
	char *in, *want, *v;

	in = fixture_read("guest-systemd-10-eth0.link", &len);
	v = gfile_ini_get(in, len, "Match", "MACAddress");
	CHECK_STR(v, "00:16:3e:2b:8c:01");
	free(v);
	v = gfile_ini_get(in, len, "Link", "Name");
	CHECK_STR(v, "eth0");
	free(v);
	job.macs = mac_deb;
	job.nmacs = 1;
	want = subst(in, "MACAddress=00:16:3e:2b:8c:01\n",
	    "MACAddress=" M1 "\n");
	CHECK_JOB(GFILE_NETWORKD_LINK, &job, in, want);
	free(want);
	free(in);

	in = fixture_read("guest-systemd-20-eth0.network", &len);
	v = gfile_ini_get(in, len, "Network", "Address");
	CHECK_STR(v, "192.0.2.20/24");
	free(v);
	memset(&job, 0, sizeof(job));
	job.ips = ip_deb;
	job.nips = 1;
	want = subst(in, "Address=192.0.2.20/24\n", "Address=192.0.2.41/24\n");
	CHECK_JOB(GFILE_NETWORKD_NETWORK, &job, in, want);
	free(want);
	free(in);

	job.macs = mac_deb;
	job.nmacs = 1;
	CHECK_EDIT(GFILE_NETWORKD_NETWORK, &job,
	    "[Match]\nMACAddress=00:16:3e:2b:8c:09 00:16:3E:2B:8C:01\n"
	    "[Route]\nGateway=192.0.2.20\n",
	    "[Match]\nMACAddress=00:16:3e:2b:8c:09 " M1 "\n"
	    "[Route]\nGateway=192.0.2.20\n");
}

static void
test_shvar(void)
{
	struct buf out = BUF_INIT;

	GET_IS("A='x y'\n", "A", "x y");
	GET_IS("A=\"a \\\"b\\\" \\$c \\\\ \\`d\\` \\n\"\n", "A",
	    "a \"b\" $c \\ `d` \\n");
	GET_IS("A=$(reboot)\n", "A", "$(reboot)");
	GET_IS("A=\"$(reboot) x\"\n", "A", "$(reboot) x");
	GET_IS("A=`reboot`\n", "A", "`reboot`");
	GET_IS("A=$(echo a b)c\n", "A", "$(echo a b)c");
	GET_IS("A=${B}\n", "A", "${B}");
	GET_IS("A=val # comment\n", "A", "val");
	GET_IS("A=val#notcomment\n", "A", "val#notcomment");
	GET_IS("export A=1\n", "A", "1");
	GET_IS("export\tA=\"q\"\n", "A", "q");
	GET_IS("A=1\nA=2\n", "A", "2");
	GET_IS("A=1\n#A=2\n", "A", "1");
	GET_IS("A=a\\ b\\\\\n", "A", "a b\\");
	GET_IS("A=x;B=y\n", "A", "x");
	GET_IS("A=x;B=y\n", "B", "y");
	GET_IS("A=1 B=2\n", "B", "2");
	GET_IS("A='unterminated\nB=1\n", "A", NULL);
	GET_IS("A=1\nB='unterminated\n", "A", "1");
	GET_IS("  A=1\n", "A", "1");
	GET_IS("AB=1\n", "A", NULL);
	GET_IS("A=\"multi\nline\"\n", "A", "multi\nline");
	GET_IS("A=\"con\\\ntinued\"\n", "A", "continued");
	GET_IS("A=x\r\nB=y\r\n", "A", "x");
	GET_IS("A=\"x\"\r\n", "A", "x");
	GET_IS("A=\n", "A", "");
	GET_IS("A=", "A", "");
	GET_IS("A='a'\"b\"c\n", "A", "abc");
	GET_IS("echo A=1\n", "A", NULL);
	GET_IS("", "A", NULL);
	GET_IS("A", "A", NULL);
	GET_IS("A=\\", "A", "");

	SET_IS("A=\"old\" # c\n", "A", "new", "A=\"new\" # c\n");
	SET_IS("A='old'\n", "A", "it's", "A='it'\\''s'\n");
	SET_IS("A='old'\n", "A", "a b", "A='a b'\n");
	SET_IS("A=old\n", "A", "a b", "A='a b'\n");
	SET_IS("A=old\n", "A", "new", "A=new\n");
	SET_IS("A=\"old\"\n", "A", "$(reboot)", "A=\"\\$(reboot)\"\n");
	SET_IS("A=old\n", "A", "$(reboot)", "A='$(reboot)'\n");
	SET_IS("A=old\n", "A", "`x` \"y\" \\z", "A='`x` \"y\" \\z'\n");
	SET_IS("A=\"old\"\n", "A", "`x` \"y\" \\z",
	    "A=\"\\`x\\` \\\"y\\\" \\\\z\"\n");
	SET_IS("A=1\nA=2 # last\n", "A", "3", "A=1\nA=3 # last\n");
	SET_IS("export A=1\r\n", "A", "2", "export A=2\r\n");
	SET_IS("A=keep\n", "A", "keep", "A=keep\n");
	SET_IS("A='keep'\n", "A", "keep", "A='keep'\n");
	SET_IS("B=1\n", "A", "x y", "B=1\nA='x y'\n");
	SET_IS("B=1", "A", "v", "B=1\nA=v\n");
	SET_IS("B=1\r\nC=2", "A", "v", "B=1\r\nC=2\r\nA=v\r\n");
	SET_IS("", "A", "", "A=''\n");
	SET_IS("A=x\n", "A", "", "A=''\n");
	CHECK_INT(gfile_shvar_set("A=1\n", 4, "1A", "x", &out), -1);
	CHECK_INT(gfile_shvar_set("A=1\n", 4, "A-B", "x", &out), -1);
	CHECK_INT(gfile_shvar_set("A=1\n", 4, "", "x", &out), -1);
	CHECK_INT(gfile_shvar_set("A=1\n", 4, "A", "x\ny", &out), -1);
	CHECK_INT(gfile_shvar_set("A=1\n", 4, "A", "x\r", &out), -1);

	/* What sh cannot parse is not edited. */
	CHECK_INT(gfile_shvar_set("B=1\nA='x\n", 9, "A", "x", &out), -1);
	CHECK_INT(gfile_shvar_set("A=$(x\n", 6, "A", "x", &out), -1);
	CHECK_INT(gfile_shvar_set("A=`x\n", 5, "A", "x", &out), -1);
	CHECK_INT(gfile_shvar_set("B=x\\", 4, "A", "x", &out), -1);
	CHECK_INT(gfile_shvar_set("B=x\\\n", 5, "A", "x", &out), -1);
	SET_IS("B=x\\", "B", "y", "B=y");
	{
		struct gfile_job job = { 0 };

		job.uuid = GU;
		CHECK_INT(gfile_edit(GFILE_IFCFG, &job, "UUID=\"x\n", 8,
		    &out), -1);
	}

	buf_reset(&out);
	gfile_shvar_quote("abc-1.2:3/4", &out);
	CHECK_STR(out.data, "abc-1.2:3/4");
	buf_reset(&out);
	gfile_shvar_quote("", &out);
	CHECK_STR(out.data, "''");
	buf_reset(&out);
	gfile_shvar_quote("a'b", &out);
	CHECK_STR(out.data, "'a'\\''b'");
	buf_reset(&out);
	gfile_shvar_quote("~x", &out);
	CHECK_STR(out.data, "'~x'");
	buf_release(&out);
}

static void
test_kind(void)
{
	static const struct {
		const char	*path;
		enum gfile_kind	 kind;
	} t[] = {
		{ "/etc/sysconfig/network-scripts/ifcfg-eth0", GFILE_IFCFG },
		{ "/etc/sysconfig/network/ifcfg-eth1", GFILE_IFCFG },
		{ "/etc/sysconfig/network", GFILE_SYSCONFIG_NETWORK },
		{ "/etc/udev/rules.d/70-persistent-net.rules",
		    GFILE_UDEV_NET },
		{ "/etc/hostname", GFILE_HOSTNAME },
		{ "/etc/HOSTNAME", GFILE_HOSTNAME },
		{ "/etc/hosts", GFILE_HOSTS },
		{ "/etc/network/interfaces", GFILE_IFUPDOWN },
		{ "/etc/network/interfaces.d/eth1", GFILE_IFUPDOWN },
		{ "/etc/NetworkManager/system-connections/eth0.nmconnection",
		    GFILE_NM_KEYFILE },
		{ "/etc/NetworkManager/system-connections/Wired",
		    GFILE_NM_KEYFILE },
		{ "/etc/netplan/50-cloud-init.yaml", GFILE_NETPLAN },
		{ "/etc/systemd/network/10-eth0.link", GFILE_NETWORKD_LINK },
		{ "/etc/systemd/network/20-eth0.network",
		    GFILE_NETWORKD_NETWORK },
	};
	static const char *unknown[] = {
		"/etc/passwd", "/etc/hosts.allow", "/etc/netplan/x.txt",
		"ifcfg-", "", "/etc/sysconfig/network-scripts/route-eth0",
	};
	size_t i;
	bool known;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		known = false;
		CHECK_INT(gfile_kind_for_path(t[i].path, &known), t[i].kind);
		CHECK(known);
	}
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		known = true;
		(void)gfile_kind_for_path(unknown[i], &known);
		if (!CHECK(!known))
			fprintf(stderr, "    path '%s'\n", unknown[i]);
	}
	CHECK_STR(gfile_kind_name(GFILE_HOSTS), "hosts");
}

/* Empty input, NUL bytes and a 1 MiB line through every parser/editor. */
static void
run_all(const char *in, size_t len)
{
	static const struct gfile_map ips[] = { { "192.0.2.20", "10.0.0.1" } };
	static const struct gfile_map macs[] = {
		{ "00:16:3e:2b:8c:01", M2 }
	};
	struct gfile_job job = { .macs = macs, .nmacs = 1, .ips = ips,
	    .nips = 1, .gws = ips, .ngws = 1, .hostname = "h.example.com",
	    .old_hostname = "old.example.com", .uuid = GU };
	struct gfile_netplan_eth *np;
	struct gfile_udev_rule *r;
	struct gfile_hosts_entry *e;
	struct gfile_iface *ifs;
	struct strlist src = STRLIST_INIT;
	struct buf out = BUF_INIT;
	size_t n;
	int k;

	free(gfile_shvar_get(in, len, "A"));
	free(gfile_hostname_parse(in, len));
	free(gfile_ini_get(in, len, "a", "b"));
	CHECK_INT(gfile_netplan_parse(in, len, &np, &n), 0);
	gfile_netplan_free(np, n);
	CHECK_INT(gfile_udev_parse(in, len, &r, &n), 0);
	gfile_udev_free(r, n);
	CHECK_INT(gfile_hosts_parse(in, len, &e, &n), 0);
	gfile_hosts_free(e, n);
	CHECK_INT(gfile_ifupdown_parse(in, len, &ifs, &n, &src), 0);
	gfile_ifupdown_free(ifs, n);
	strlist_release(&src);
	/* Shell files may be refused (unterminated quotes), and netplan
	 * files that are not YAML, never others. */
	for (k = GFILE_IFCFG; k <= GFILE_NETWORKD_NETWORK; k++)
		if (k == GFILE_IFCFG || k == GFILE_SYSCONFIG_NETWORK ||
		    k == GFILE_NETPLAN)
			(void)gfile_edit((enum gfile_kind)k, &job, in, len,
			    &out);
		else
			CHECK_INT(gfile_edit((enum gfile_kind)k, &job, in,
			    len, &out), 0);
	(void)gfile_shvar_set(in, len, "A", "v", &out);
	buf_release(&out);
}

static void
test_edges(void)
{
	static const struct gfile_job none;
	struct gfile_udev_rule *r;
	struct buf big = BUF_INIT, out = BUF_INIT;
	char *v;
	size_t n;
	const char nul[] = "A=1\0B=2\nHWADDR=\"00:16:3e:2b:8c:01\0\"\n"
	    "1.2.3.4 a\0b c\nATTR{address}==\"x\0\", NAME=\"e\"\n";

	run_all("", 0);
	run_all(nul, sizeof(nul) - 1);
	run_all("\0\0\0", 3);
	run_all("A=\"\\", 4);
	run_all("[", 1);
	run_all("  - a:\n- [", 10);

	/* Bytes after a NUL are still data on that line; NUL cuts values. */
	v = gfile_shvar_get(nul, sizeof(nul) - 1, "HWADDR");
	CHECK_STR(v, "00:16:3e:2b:8c:01");
	free(v);
	CHECK_INT(gfile_udev_parse(nul, sizeof(nul) - 1, &r, &n), 0);
	CHECK_INT(n, 1);
	gfile_udev_free(r, n);
	CHECK_INT(gfile_edit(GFILE_IFCFG, &none, nul, sizeof(nul) - 1, &out),
	    0);
	CHECK_MEM(out.data, out.len, nul, sizeof(nul) - 1);

	/* A 1 MiB line before the interesting one. */
	buf_add(&big, "# ", 2);
	for (n = 0; n < (1 << 20); n++)
		buf_addc(&big, (char)('a' + n % 26));
	buf_adds(&big, "\nHOSTNAME=old\n");
	v = gfile_shvar_get(big.data, big.len, "HOSTNAME");
	CHECK_STR(v, "old");
	free(v);
	run_all(big.data, big.len);
	{
		struct gfile_job job = { 0 };

		job.hostname = "new";
		CHECK_INT(gfile_edit(GFILE_SYSCONFIG_NETWORK, &job, big.data,
		    big.len, &out), 0);
		CHECK_INT(out.len, big.len);
		CHECK(out.len == big.len && memcmp(out.data, big.data,
		    big.len - 4) == 0);
		CHECK_STR(out.data + out.len - 13, "HOSTNAME=new\n");
	}
	/* And a 1 MiB value. */
	buf_reset(&big);
	buf_adds(&big, "A=\"");
	for (n = 0; n < (1 << 20); n++)
		buf_addc(&big, 'x');
	buf_adds(&big, "\"\n");
	v = gfile_shvar_get(big.data, big.len, "A");
	CHECK_INT(v ? strlen(v) : 0, 1 << 20);
	free(v);
	run_all(big.data, big.len);
	buf_release(&big);
	buf_release(&out);
}

/* Gateway mappings go to gateways only, address mappings to addresses
 * only, in every format that writes one. */
static void
test_gateways(void)
{
	static const struct gfile_map gw[] = { { "192.0.2.1", "192.0.2.254" } };
	static const struct gfile_map ip[] = { { "192.0.2.1", "192.0.2.9" } };
	struct gfile_job job = { .gws = gw, .ngws = 1 };
	struct gfile_job ipjob = { .ips = ip, .nips = 1 };
	const char *nm =
	    "[ipv4]\naddress1=192.0.2.1/24,192.0.2.1\n"
	    "addresses2=192.0.2.1;24;192.0.2.1;\ngateway=192.0.2.1\n"
	    "dns=192.0.2.1;\n";
	const char *nd =
	    "[Network]\nAddress=192.0.2.1/24\nGateway=192.0.2.1\n"
	    "DNS=192.0.2.1\n[Route]\nGateway=192.0.2.1\nMetric=5\n"
	    "[Match]\nGateway=192.0.2.1\n";
	const char *np =
	    "network:\n  ethernets:\n    eth0:\n"
	    "      addresses: [192.0.2.1/24]\n"
	    "      gateway4: 192.0.2.1   # old style\n"
	    "      routes: [{to: default, via: \"192.0.2.1\"}]\n"
	    "      nameservers: {addresses: [192.0.2.1]}\n";

	CHECK_EDIT(GFILE_NM_KEYFILE, &job, nm,
	    "[ipv4]\naddress1=192.0.2.1/24,192.0.2.254\n"
	    "addresses2=192.0.2.1;24;192.0.2.254;\ngateway=192.0.2.254\n"
	    "dns=192.0.2.1;\n");
	CHECK_EDIT(GFILE_NM_KEYFILE, &ipjob, nm,
	    "[ipv4]\naddress1=192.0.2.9/24,192.0.2.1\n"
	    "addresses2=192.0.2.9;24;192.0.2.1;\ngateway=192.0.2.1\n"
	    "dns=192.0.2.1;\n");
	CHECK_EDIT(GFILE_NETWORKD_NETWORK, &job, nd,
	    "[Network]\nAddress=192.0.2.1/24\nGateway=192.0.2.254\n"
	    "DNS=192.0.2.1\n[Route]\nGateway=192.0.2.254\nMetric=5\n"
	    "[Match]\nGateway=192.0.2.1\n");
	CHECK_EDIT(GFILE_NETWORKD_NETWORK, &ipjob, nd,
	    "[Network]\nAddress=192.0.2.9/24\nGateway=192.0.2.1\n"
	    "DNS=192.0.2.1\n[Route]\nGateway=192.0.2.1\nMetric=5\n"
	    "[Match]\nGateway=192.0.2.1\n");
	CHECK_EDIT(GFILE_NETPLAN, &job, np,
	    "network:\n  ethernets:\n    eth0:\n"
	    "      addresses: [192.0.2.1/24]\n"
	    "      gateway4: 192.0.2.254   # old style\n"
	    "      routes: [{to: default, via: \"192.0.2.254\"}]\n"
	    "      nameservers: {addresses: [192.0.2.1]}\n");
	CHECK_EDIT(GFILE_NETPLAN, &ipjob, np,
	    "network:\n  ethernets:\n    eth0:\n"
	    "      addresses: [192.0.2.9/24]\n"
	    "      gateway4: 192.0.2.1   # old style\n"
	    "      routes: [{to: default, via: \"192.0.2.1\"}]\n"
	    "      nameservers: {addresses: [192.0.2.1]}\n");
}

int
main(void)
{
	test_ifcfg();
	test_sysconfig_network();
	test_udev();
	test_hostname();
	test_hosts();
	test_ifupdown();
	test_netplan();
	test_nm();
	test_networkd();
	test_gateways();
	test_shvar();
	test_kind();
	test_edges();
	return unit_done();
}
