/*
 * Unit tests for src/netfmt*.c: which files each format unit reads, what
 * it reads from one (the NICs it binds, by name and by MAC, their address
 * and connection uuid), and the MAC forms they share; and for consist.c,
 * that these formats' MACs are judged in their own words.
 */
#include <stdlib.h>
#include <string.h>

#include "consist.h"
#include "domcfg.h"
#include "gfile.h"
#include "netfmt.h"
#include "survey.h"
#include "unit.h"
#include "util.h"

static void
read_one(const struct netfmt *f, const char *path, const char *text,
    struct survey *s)
{
	memset(s, 0, sizeof(*s));
	f->read(path, text, strlen(text), s);
}

static void
test_mac_forms(void)
{
	char *m, out[18];

	m = netfmt_mac("00:16:3E:2B:8C:01");
	CHECK_STR(m, "00:16:3e:2b:8c:01");
	free(m);
	m = netfmt_mac("0;22;62;43;140;1;");
	CHECK_STR(m, "00:16:3e:2b:8c:01");
	free(m);
	m = netfmt_mac("0;22;62;43;140;1");	/* last ';' optional */
	CHECK_STR(m, "00:16:3e:2b:8c:01");
	free(m);
	CHECK(netfmt_mac("0;22;62;43;140;256;") == NULL);
	CHECK(netfmt_mac("0;22;62;43;140;") == NULL);
	CHECK(netfmt_mac("0;22;62;43;140;1;2;") == NULL);
	CHECK(netfmt_mac("0;22;62;43;0140;1;") == NULL);
	CHECK(netfmt_mac("stable") == NULL);
	CHECK(netfmt_mac("") == NULL);
	CHECK_INT(gfile_nm_decimal_mac("1;2;3;4;5;6;", 12, out), 0);
	CHECK_STR(out, "01:02:03:04:05:06");
	CHECK_INT(gfile_nm_decimal_mac("1;2;3;4;5;6;", 11, out), 0);
	CHECK_INT(gfile_nm_decimal_mac("1;2;3;4;5;6;", 10, out), -1);
}

static void
test_wants(void)
{
	CHECK(netfmt_nm.wants("eth0.nmconnection"));
	CHECK(netfmt_nm.wants("Wired connection 1"));
	CHECK(!netfmt_nm.wants("eth0.nmconnection~"));
	CHECK(!netfmt_nm.wants(".eth0.nmconnection.swp"));
	CHECK(!netfmt_nm.wants("eth0.nmmeta"));
	CHECK(!netfmt_nm.wants("eth0.nmconnection.rpmsave"));
	CHECK(netfmt_netplan.wants("50-cloud-init.yaml"));
	CHECK(!netfmt_netplan.wants("50-cloud-init.yaml.bak"));
	CHECK(!netfmt_netplan.wants("50-cloud-init.yml"));
	CHECK(netfmt_networkd.wants("10-eth0.link"));
	CHECK(netfmt_networkd.wants("20-eth0.network"));
	CHECK(!netfmt_networkd.wants("20-eth0.network.d"));
	CHECK(!netfmt_networkd.wants("20-eth0.netdev"));
	CHECK(!netfmt_networkd.wants("20-eth0.network.dpkg-old"));
	CHECK(netfmt_by_name("nm") == &netfmt_nm);
	CHECK(netfmt_by_name("ifcfg") == NULL);
}

static void
test_nm(void)
{
	struct survey s;
	const struct survey_nic *n;

	read_one(&netfmt_nm, "/etc/NetworkManager/system-connections/a",
	    "[connection]\nid=a\nuuid=0f6a3c1d-72b4-4e85-a9d3-5c1b8e2f7a60\n"
	    "interface-name=eth0\nautoconnect=false\n"
	    "[802-3-ethernet]\nmac-address=0;22;62;43;140;1;\n"
	    "cloned-mac-address=stable\n"
	    "[ipv4]\nmethod=manual\naddresses1=192.0.2.20/24;192.0.2.1;\n",
	    &s);
	CHECK_INT(s.nnics, 1);
	n = &s.nics[0];
	CHECK_STR(n->format, "nm");
	CHECK_STR(n->device, "eth0");
	CHECK_STR(n->hwaddr, "00:16:3e:2b:8c:01");
	CHECK_STR(n->macaddr, NULL);		/* "stable" is no MAC */
	CHECK_STR(n->uuid, "0f6a3c1d-72b4-4e85-a9d3-5c1b8e2f7a60");
	CHECK_STR(n->bootproto, "manual");
	CHECK_STR(n->ipaddr, "192.0.2.20/24");
	CHECK_STR(n->gateway, "192.0.2.1;");
	CHECK_STR(n->onboot, "false");
	CHECK_STR(n->keys->hwaddr, "mac-address");
	survey_release(&s);

	/* [ethernet] wins over the legacy name; gateway= over address1's */
	read_one(&netfmt_nm, "/x", "[ethernet]\nmac-address=00:16:3E:2B:8C:02\n"
	    "cloned-mac-address=02:00:00:00:00:01\n"
	    "[ipv4]\naddress1=192.0.2.21/24,192.0.2.254\ngateway=192.0.2.1\n",
	    &s);
	n = &s.nics[0];
	CHECK_STR(n->device, NULL);
	CHECK_STR(n->hwaddr, "00:16:3e:2b:8c:02");
	CHECK_STR(n->macaddr, "02:00:00:00:00:01");
	CHECK_STR(n->ipaddr, "192.0.2.21/24");
	CHECK_STR(n->gateway, "192.0.2.1");
	survey_release(&s);
}

static void
test_networkd(void)
{
	struct survey s;
	const struct survey_nic *n;

	read_one(&netfmt_networkd, "/etc/systemd/network/10-eth0.link",
	    "[Match]\nMACAddress=00:16:3E:2B:8C:01 00:16:3e:2b:8c:09\n"
	    "[Link]\nName=lan0\nMACAddress=02:00:00:00:00:01\n", &s);
	n = &s.nics[0];
	CHECK_STR(n->device, "lan0");
	CHECK_STR(n->hwaddr, "00:16:3e:2b:8c:01");
	CHECK_STR(n->macaddr, "02:00:00:00:00:01");
	CHECK_STR(n->ipaddr, NULL);
	CHECK(n->keys->address == NULL);	/* a .link holds none */
	survey_release(&s);

	read_one(&netfmt_networkd, "/etc/systemd/network/20-eth0.network",
	    "# c\n[Match]\nName=eth0 eth1\n[Network]\nDHCP=no\n"
	    "Address=192.0.2.20/24\nAddress=198.51.100.1/24\n"
	    "Gateway=192.0.2.1\n", &s);
	n = &s.nics[0];
	CHECK_STR(n->device, "eth0");
	CHECK_STR(n->hwaddr, NULL);
	CHECK_STR(n->bootproto, "no");
	CHECK_STR(n->ipaddr, "192.0.2.20/24");	/* the first, not the last */
	CHECK_STR(n->gateway, "192.0.2.1");
	CHECK_STR(n->keys->address, "Network.Address");
	survey_release(&s);

	read_one(&netfmt_networkd, "/etc/systemd/network/30.network",
	    "[Match]\nMACAddress=00:16:3e:2b:8c:02\n[Address]\n"
	    "Address=192.0.2.22/24\n", &s);
	n = &s.nics[0];
	CHECK_STR(n->device, NULL);
	CHECK_STR(n->hwaddr, "00:16:3e:2b:8c:02");
	CHECK_STR(n->ipaddr, "192.0.2.22/24");
	survey_release(&s);
}

static void
test_netplan(void)
{
	struct survey s;

	read_one(&netfmt_netplan, "/etc/netplan/50.yaml",
	    "network:\n  ethernets:\n"
	    "    id0: {match: {macaddress: '00:16:3E:2B:8C:01'}, "
	    "set-name: eth0, addresses: [192.0.2.20/24]}\n"
	    "    eth1:\n      dhcp4: yes\n"
	    "    any:\n      match: {name: 'en*'}\n", &s);
	CHECK_INT(s.nnics, 3);
	if (s.nnics == 3) {
		CHECK_STR(s.nics[0].device, "eth0");
		CHECK_STR(s.nics[0].hwaddr, "00:16:3e:2b:8c:01");
		CHECK_STR(s.nics[0].ipaddr, "192.0.2.20/24");
		CHECK_STR(s.nics[0].bootproto, "static");
		CHECK_INT(s.nics[0].line, 3);
		CHECK_STR(s.nics[1].device, "eth1");	/* the key itself */
		CHECK_STR(s.nics[1].bootproto, "dhcp");
		CHECK_STR(s.nics[2].device, NULL);	/* a glob names none */
	}
	survey_release(&s);
}

static void
test_suse(void)
{
	struct survey s;
	const struct survey_nic *n;

	CHECK(netfmt_suse.wants("ifcfg-eth0"));
	CHECK(!netfmt_suse.wants("ifcfg-lo"));
	CHECK(!netfmt_suse.wants("ifcfg-eth0.bak"));
	CHECK(!netfmt_suse.wants("routes"));
	CHECK(!netfmt_suse.wants("ifcfg-"));
	read_one(&netfmt_suse, "/etc/sysconfig/network/ifcfg-eth0",
	    "BOOTPROTO='static'\nIPADDR='192.0.2.20/24'\n"
	    "LLADDR='00:16:3E:2B:8C:01'\nSTARTMODE=auto\n", &s);
	n = &s.nics[0];
	CHECK_STR(n->device, "eth0");
	CHECK_STR(n->hwaddr, NULL);
	CHECK_STR(n->macaddr, "00:16:3e:2b:8c:01");
	CHECK_STR(n->ipaddr, "192.0.2.20/24");
	CHECK_STR(n->bootproto, "static");
	CHECK_STR(n->onboot, "auto");
	survey_release(&s);
	read_one(&netfmt_suse, "/etc/sysconfig/network/ifcfg-eth1",
	    "BOOTPROTO=dhcp\nIPADDR=''\nLLADDR=''\n", &s);
	CHECK_STR(s.nics[0].ipaddr, NULL);	/* empty is none */
	CHECK_STR(s.nics[0].macaddr, NULL);
	survey_release(&s);
}

/* consist: these formats' MACs in their own words; a .link and a
 * .network both selecting one MAC is no duplicate. */
static void
test_consist(void)
{
#define LINK "[Match]\nMACAddress=00:16:3e:2b:8c:01\n[Link]\nName=eth0\n"
#define NETWORK "[Match]\nMACAddress=00:16:3e:2b:8c:01\n"
	static const char cfg_text[] =
	    "name = 'c'\nvif = ['mac=00:16:3e:aa:bb:01']\n";
	struct survey s;
	struct finding *f;
	struct domcfg *cfg;
	size_t n;

	memset(&s, 0, sizeof(s));
	netfmt_networkd.read("/etc/systemd/network/10.link",
	    LINK, strlen(LINK), &s);
	netfmt_networkd.read("/etc/systemd/network/20.network", NETWORK,
	    strlen(NETWORK), &s);
	CHECK_INT(domcfg_parse("/x.cfg", cfg_text, strlen(cfg_text), &cfg),
	    0);
	n = consist_check(&s, cfg, &f);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(f[0].code, "vif-mac-unbound");
		CHECK_STR(f[1].code, "guest-mac-absent");
		CHECK_STR(f[1].message, "/etc/systemd/network/10.link: "
		    "Match.MACAddress=00:16:3e:2b:8c:01 is not the MAC of any "
		    "vif in /x.cfg");
		CHECK_STR(f[2].code, "guest-mac-absent");
	}
	consist_free(f, n);
	domcfg_free(cfg);
	survey_release(&s);
}

int
main(void)
{
	test_mac_forms();
	test_wants();
	test_nm();
	test_networkd();
	test_netplan();
	test_suse();
	test_consist();
	return unit_done();
}
