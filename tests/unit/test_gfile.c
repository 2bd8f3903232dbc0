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
		struct gfile_job job2 = { two_macs, 2, NULL, 0, NULL, NULL,
		    NULL };
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
		struct gfile_job job3 = { swap, 2, NULL, 0, NULL, NULL, NULL };

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
		CHECK_STR(src.v[0], "/etc/network/interfaces.d/*");
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

static void
test_netplan(void)
{
	struct gfile_job job = { 0 };
	size_t len;
	char *in, *want, *v;
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

	in = fixture_read("guest-netplan-match-set-name.yaml", &len);
	v = gfile_netplan_mac(in, len, "eth0");
	CHECK_STR(v, "00:16:3e:2b:8c:01");
	free(v);
	v = gfile_netplan_mac(in, len, "eth1");
	CHECK_STR(v, NULL);
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
	CHECK_EDIT(GFILE_NETPLAN, &job, addrs, want);
	free(want);
	v = gfile_netplan_mac(addrs, strlen(addrs), "eth0");
	CHECK_STR(v, "00:16:3E:2B:8C:01");
	free(v);
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
	struct gfile_job job = { macs, 1, ips, 1, "h.example.com",
	    "old.example.com", GU };
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
	free(gfile_netplan_mac(in, len, "eth0"));
	CHECK_INT(gfile_udev_parse(in, len, &r, &n), 0);
	gfile_udev_free(r, n);
	CHECK_INT(gfile_hosts_parse(in, len, &e, &n), 0);
	gfile_hosts_free(e, n);
	CHECK_INT(gfile_ifupdown_parse(in, len, &ifs, &n, &src), 0);
	gfile_ifupdown_free(ifs, n);
	strlist_release(&src);
	/* Shell files may be refused (unterminated quotes), never others. */
	for (k = GFILE_IFCFG; k <= GFILE_NETWORKD_NETWORK; k++)
		if (k == GFILE_IFCFG || k == GFILE_SYSCONFIG_NETWORK)
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
	test_shvar();
	test_kind();
	test_edges();
	return unit_done();
}
