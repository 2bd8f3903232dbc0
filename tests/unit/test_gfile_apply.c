/*
 * test_gfile_apply.c - unit tests for the whole-NIC and other `imprint
 * apply` editors of src/gfile*.c: gfile_shvar_unset, ifcfg apply and new
 * NIC, ifupdown apply, udev name binding, kudzu hwconf, /etc/shadow and
 * the crypt prefix table.
 *
 * Inputs are tests/data/fixtures/guest-* (IMPRINT_FIXTURES overrides the
 * directory) and inline strings; every expectation is the exact output.
 * Where the edit allows it, each case also runs on a CRLF copy and on a
 * copy without the final newline, and once more on its own output, which
 * must come back unchanged.
 */
#include <stdbool.h>

#include "unit.h"
#include "gfile.h"
#include "textfix.h"

#define M1 "00:16:3e:aa:bb:01"
#define M2 "00:16:3e:aa:bb:02"
#define GU "1c9d7e5a-3b2f-4e8d-9a6c-5b4e3d2c1f0a"
#define OLDUUID "5d0c8b2e-1f3a-4c69-9e7d-2b8a6f4c1e03"


/* Every editor behind one signature, so that one checker serves all. */
typedef int	(*edit_fn)(const char *, size_t, const void *, struct buf *);

static int
ed_unset(const char *in, size_t len, const void *arg, struct buf *out)
{
	return gfile_shvar_unset(in, len, arg, out);
}

static int
ed_ifcfg(const char *in, size_t len, const void *arg, struct buf *out)
{
	return gfile_ifcfg_apply_nic(in, len, arg, out);
}

struct newnic {
	const char		*sibling;
	struct gfile_nic	 nic;
};

static int
ed_newnic(const char *in, size_t len, const void *arg, struct buf *out)
{
	const struct newnic *n = arg;

	return gfile_ifcfg_new_nic(in, len, n->sibling, &n->nic, out);
}

static int
ed_ifupdown(const char *in, size_t len, const void *arg, struct buf *out)
{
	return gfile_ifupdown_apply_nic(in, len, arg, out);
}

struct udevarg {
	const char	*name;
	const char	*mac;
};

static int
ed_udev(const char *in, size_t len, const void *arg, struct buf *out)
{
	const struct udevarg *u = arg;

	return gfile_udev_set_name_mac(in, len, u->name, u->mac, out);
}

struct hwarg {
	const struct gfile_map	*maps;
	size_t			 n;
};

static int
ed_hwconf(const char *in, size_t len, const void *arg, struct buf *out)
{
	const struct hwarg *h = arg;

	return gfile_hwconf_map_mac(in, len, h->maps, h->n, out);
}

struct shadowarg {
	const char	*user;
	const char	*hash;
	long		 days;
};

static int
ed_shadow(const char *in, size_t len, const void *arg, struct buf *out)
{
	const struct shadowarg *s = arg;

	return gfile_shadow_set_password(in, len, s->user, s->hash, s->days,
	    out);
}

static void
run(edit_fn fn, const void *arg, const char *in, const char *want,
    int line)
{
	struct buf out = BUF_INIT;
	int rc;

	rc = fn(in, strlen(in), arg, &out);
	if (!unit_check(rc == 0, __FILE__, line, "edit == 0")) {
		buf_release(&out);
		return;
	}
	if (!unit_check(out.data != NULL && out.len == strlen(want) &&
	    memcmp(out.data, want, out.len) == 0, __FILE__, line,
	    "edit result")) {
		unit_dump("in  ", in, strlen(in));
		unit_dump("got ", out.data ? out.data : "", out.len);
		unit_dump("want", want, strlen(want));
	}
	buf_release(&out);
}

/* One edit, then the same edit on its result (must change nothing). */
static void
once_twice(edit_fn fn, const void *arg, const char *in, const char *want,
    int line)
{
	run(fn, arg, in, want, line);
	run(fn, arg, want, want, line);
}

/* once_twice on the input as is, as CRLF, and without final newline. */
static void
all_forms(edit_fn fn, const void *arg, const char *in, const char *want,
    int line)
{
	char *a, *b;

	once_twice(fn, arg, in, want, line);
	a = to_crlf(in);
	b = to_crlf(want);
	once_twice(fn, arg, a, b, line);
	free(a);
	free(b);
	a = chop_nl(in);
	b = chop_nl(want);
	if (*a != '\0' && a[strlen(a) - 1] != '\n')
		once_twice(fn, arg, a, b, line);
	free(a);
	free(b);
}

/* all_forms, with its own expectation for the no-final-newline input. */
static void
all_forms2(edit_fn fn, const void *arg, const char *in, const char *want,
    const char *want_nonl, int line)
{
	char *a, *b;

	once_twice(fn, arg, in, want, line);
	a = to_crlf(in);
	b = to_crlf(want);
	once_twice(fn, arg, a, b, line);
	free(a);
	free(b);
	a = chop_nl(in);
	once_twice(fn, arg, a, want_nonl, line);
	free(a);
}

static void
fails(edit_fn fn, const void *arg, const char *in, int line)
{
	struct buf out = BUF_INIT;

	unit_check(fn(in, strlen(in), arg, &out) == -1, __FILE__, line,
	    "edit refused");
	buf_release(&out);
}

#define RUN(fn, arg, in, want)	run(fn, arg, in, want, __LINE__)
#define TWICE(fn, arg, in, want) once_twice(fn, arg, in, want, __LINE__)
#define ALL(fn, arg, in, want)	all_forms(fn, arg, in, want, __LINE__)
#define ALL2(fn, arg, in, want, want_nonl) \
	all_forms2(fn, arg, in, want, want_nonl, __LINE__)
#define FAILS(fn, arg, in)	fails(fn, arg, in, __LINE__)

/* ---- gfile_shvar_unset ------------------------------------------------ */

static void
test_unset(void)
{
	ALL(ed_unset, "KEY", "A=1\nKEY=2\nB=3\n", "A=1\nB=3\n");
	ALL(ed_unset, "KEY", "KEY=1\nA=1\n  export KEY='x y' # old\nB=2\n",
	    "A=1\nB=2\n");
	ALL(ed_unset, "KEY", "A=1\nKEY=\"a\nb\"; \nB=2\n", "A=1\nB=2\n");
	ALL(ed_unset, "KEY", "KEY2=1\nMYKEY=1\n# KEY=1\n",
	    "KEY2=1\nMYKEY=1\n# KEY=1\n");
	ALL(ed_unset, "KEY", "", "");
	/* The last line without a line end goes with the one before's. */
	RUN(ed_unset, "KEY", "A=1\nKEY=2", "A=1\n");
	RUN(ed_unset, "KEY", "KEY=2", "");
	RUN(ed_unset, "KEY", "KEY=2\r\nA=1\r\n", "A=1\r\n");
	FAILS(ed_unset, "KEY", "A=1; KEY=2\n");
	FAILS(ed_unset, "KEY", "KEY=2; A=1\n");
	FAILS(ed_unset, "KEY", "KEY=2 A=1\n");
	FAILS(ed_unset, "KEY", "A=x \\\nKEY=1\n");
	FAILS(ed_unset, "KEY", "KEY='open\n");
	FAILS(ed_unset, "1KEY", "A=1\n");
	FAILS(ed_unset, "K-Y", "A=1\n");
}

/* ---- ifcfg ------------------------------------------------------------ */

static const struct gfile_nic rhel_static = {
	"eth0", M1, GFILE_BOOT_STATIC, "192.0.2.41", 24, "192.0.2.1", NULL,
	NULL
};
static const struct gfile_nic rhel_dhcp = {
	"eth0", M1, GFILE_BOOT_DHCP, NULL, 0, NULL, "clone01.example.com",
	GU
};

static void
test_ifcfg_fixtures(void)
{
	struct gfile_nic nic;
	char *in, *want;

	/* Static stays static: MAC and address only; none and NETMASK kept. */
	in = fixture_read("guest-ifcfg-eth0.rhel6-static-unquoted", NULL);
	want = subst(in, "HWADDR=00:16:3E:10:20:01\n", "HWADDR=" M1 "\n");
	want = subst_f(want, "IPADDR=192.0.2.10\n", "IPADDR=192.0.2.41\n");
	ALL(ed_ifcfg, &rhel_static, in, want);
	free(want);

	/* A new /16 and gateway: the dotted mask follows. */
	nic = rhel_static;
	nic.address = "10.1.2.3";
	nic.prefix = 16;
	nic.gateway = "10.1.0.1";
	want = subst(in, "HWADDR=00:16:3E:10:20:01\n", "HWADDR=" M1 "\n");
	want = subst_f(want, "IPADDR=192.0.2.10\n", "IPADDR=10.1.2.3\n");
	want = subst_f(want, "NETMASK=255.255.255.0\n",
	    "NETMASK=255.255.0.0\n");
	want = subst_f(want, "GATEWAY=192.0.2.1\n", "GATEWAY=10.1.0.1\n");
	ALL(ed_ifcfg, &nic, in, want);
	free(want);

	/* No MAC given: HWADDR untouched; no gateway: GATEWAY kept. */
	nic.mac = NULL;
	nic.gateway = NULL;
	want = subst(in, "IPADDR=192.0.2.10\n", "IPADDR=10.1.2.3\n");
	want = subst_f(want, "NETMASK=255.255.255.0\n",
	    "NETMASK=255.255.0.0\n");
	ALL(ed_ifcfg, &nic, in, want);
	free(want);

	/* The same MAC in another case is not rewritten. */
	nic = rhel_static;
	nic.mac = "00:16:3e:10:20:01";
	want = subst(in, "IPADDR=192.0.2.10\n", "IPADDR=192.0.2.41\n");
	ALL(ed_ifcfg, &nic, in, want);
	free(want);

	/* Static -> DHCP: the address lines go. */
	ALL(ed_ifcfg, &rhel_dhcp, in,
	    "# Xen paravirtual NIC, template address\n"
	    "DEVICE=eth0\n"
	    "BOOTPROTO=dhcp\n"
	    "HWADDR=" M1 "\n"
	    "ONBOOT=yes\n"
	    "TYPE=Ethernet\n"
	    "NM_CONTROLLED=no\n"
	    "USERCTL=no\n");
	free(in);

	/* NM's quoted file: quotes kept on every edited value. */
	in = fixture_read("guest-ifcfg-eth0.rhel7-nm-quoted", NULL);
	want = subst(in, "HWADDR=\"00:16:3E:10:20:01\"", "HWADDR=\"" M1 "\"");
	want = subst_f(want, "UUID=\"" OLDUUID "\"", "UUID=\"" GU "\"");
	want = subst_f(want, "DHCP_HOSTNAME=\"tmpl-ol7\"",
	    "DHCP_HOSTNAME=\"clone01\"");
	ALL(ed_ifcfg, &rhel_dhcp, in, want);
	free(want);

	/* DHCP -> static: BOOTPROTO in its quotes, the rest appended. */
	want = subst(in, "HWADDR=\"00:16:3E:10:20:01\"", "HWADDR=\"" M1 "\"");
	want = subst_f(want, "BOOTPROTO=\"dhcp\"", "BOOTPROTO=\"static\"");
	want = subst_f(want, "DHCP_HOSTNAME=\"tmpl-ol7\"\n",
	    "DHCP_HOSTNAME=\"tmpl-ol7\"\n"
	    "IPADDR=192.0.2.41\nPREFIX=24\nGATEWAY=192.0.2.1\n");
	/* Appending ends the last line first; the new ones end in \n. */
	ALL2(ed_ifcfg, &rhel_static, in, want, want);
	free(want);
	free(in);

	/* No HWADDR: none added (the file binds by name). */
	in = fixture_read("guest-ifcfg-eth0.no-hwaddr", NULL);
	ALL(ed_ifcfg, &rhel_dhcp, in, in);
	want = xstrdup("DEVICE=eth0\nBOOTPROTO=static\nONBOOT=yes\n"
	    "TYPE=Ethernet\nIPADDR=192.0.2.41\nPREFIX=24\nGATEWAY=192.0.2.1\n");
	ALL2(ed_ifcfg, &rhel_static, in, want, want);
	free(want);
	free(in);
}

static void
test_ifcfg_inline(void)
{
	struct gfile_nic nic = rhel_static;

	/* NetworkManager's numbered style. */
	ALL(ed_ifcfg, &nic,
	    "BOOTPROTO=none\nIPADDR0=10.0.0.5\nPREFIX0=8\nGATEWAY0=10.0.0.1\n",
	    "BOOTPROTO=none\nIPADDR0=192.0.2.41\nPREFIX0=24\n"
	    "GATEWAY0=192.0.2.1\n");
	/* Address with its prefix: no PREFIX added. */
	ALL2(ed_ifcfg, &nic, "BOOTPROTO=static\nIPADDR=10.0.0.5/8\n",
	    "BOOTPROTO=static\nIPADDR=192.0.2.41/24\nGATEWAY=192.0.2.1\n",
	    "BOOTPROTO=static\nIPADDR=192.0.2.41/24\nGATEWAY=192.0.2.1\n");
	/* Both mask forms: both set. */
	ALL2(ed_ifcfg, &nic,
	    "IPADDR=10.0.0.5\nPREFIX=8\nNETMASK=255.0.0.0\n",
	    "IPADDR=192.0.2.41\nPREFIX=24\nNETMASK=255.255.255.0\n"
	    "GATEWAY=192.0.2.1\n",
	    "IPADDR=192.0.2.41\nPREFIX=24\nNETMASK=255.255.255.0\n"
	    "GATEWAY=192.0.2.1\n");
	/* BOOTPROTO=bootp is DHCP to initscripts: becomes static. */
	TWICE(ed_ifcfg, &nic, "BOOTPROTO=bootp\n",
	    "BOOTPROTO=static\nIPADDR=192.0.2.41\nPREFIX=24\n"
	    "GATEWAY=192.0.2.1\n");
	/* "STATIC" in capitals is static to NM and initscripts: kept. */
	TWICE(ed_ifcfg, &nic, "BOOTPROTO='STATIC'\nIPADDR='10.0.0.5'\n",
	    "BOOTPROTO='STATIC'\nIPADDR='192.0.2.41'\nPREFIX=24\n"
	    "GATEWAY=192.0.2.1\n");
	/* To DHCP: every static variable goes, numbered ones too. */
	ALL(ed_ifcfg, &rhel_dhcp,
	    "DEVICE=eth0\nBOOTPROTO=none\nIPADDR=10.0.0.5\nPREFIX=8\n"
	    "IPADDR1=10.0.0.6\nPREFIX1=8\nBROADCAST=10.255.255.255\n"
	    "NETWORK=10.0.0.0\nGATEWAY=10.0.0.1\nDNS1=10.0.0.53\n"
	    "IPV6ADDR=fe80::1\n",
	    "DEVICE=eth0\nBOOTPROTO=dhcp\nDNS1=10.0.0.53\n"
	    "IPV6ADDR=fe80::1\n");
	/* BOOTPROTO absent means static: DHCP must say so. */
	ALL2(ed_ifcfg, &rhel_dhcp, "DEVICE=eth0\nIPADDR=10.0.0.5\n",
	    "DEVICE=eth0\nBOOTPROTO=dhcp\n", "DEVICE=eth0\nBOOTPROTO=dhcp\n");
	/* The last line without a line end: appended after a new one. */
	RUN(ed_ifcfg, &nic, "DEVICE=eth0\nBOOTPROTO=dhcp",
	    "DEVICE=eth0\nBOOTPROTO=static\nIPADDR=192.0.2.41\nPREFIX=24\n"
	    "GATEWAY=192.0.2.1\n");
	/* KEEP: addressing untouched, identity values still follow. */
	nic.boot = GFILE_BOOT_KEEP;
	nic.hostname = "web7.example.com";
	nic.uuid = GU;
	ALL(ed_ifcfg, &nic,
	    "HWADDR=00:16:3e:00:00:01 # template\nBOOTPROTO=dhcp\n"
	    "DHCP_HOSTNAME='tmpl'\nUUID=" OLDUUID "\n",
	    "HWADDR=" M1 " # template\nBOOTPROTO=dhcp\n"
	    "DHCP_HOSTNAME='web7'\nUUID=" GU "\n");
	/* $(...) in the file is data and survives. */
	TWICE(ed_ifcfg, &rhel_dhcp,
	    "ETHTOOL_OPTS=\"$(reboot)\"\nIPADDR=1.2.3.4\n",
	    "ETHTOOL_OPTS=\"$(reboot)\"\nBOOTPROTO=dhcp\n");

	/* Refusals: bad values (callers validate, but never trusted). */
	nic = rhel_static;
	nic.hostname = "$(reboot)";
	FAILS(ed_ifcfg, &nic, "DHCP_HOSTNAME=x\n");
	nic.hostname = "a\nb";
	FAILS(ed_ifcfg, &nic, "DHCP_HOSTNAME=x\n");
	nic = rhel_static;
	nic.mac = "01:00:5e:00:00:01";
	FAILS(ed_ifcfg, &nic, "");
	nic = rhel_static;
	nic.address = "192.0.2.300";
	FAILS(ed_ifcfg, &nic, "");
	nic = rhel_static;
	nic.prefix = 33;
	FAILS(ed_ifcfg, &nic, "");
	nic = rhel_static;
	nic.name = "../x";
	FAILS(ed_ifcfg, &nic, "");
	nic = rhel_static;
	nic.uuid = "not-a-uuid";
	FAILS(ed_ifcfg, &nic, "");
	/* A file sh could not parse either. */
	FAILS(ed_ifcfg, &rhel_static, "IPADDR='1.2.3.4\n");
	/* An address that shares its line cannot be removed alone. */
	FAILS(ed_ifcfg, &rhel_dhcp, "IPADDR=1.2.3.4; ONBOOT=yes\n");
}

/* ---- ifcfg for a new NIC ---------------------------------------------- */

static void
test_new_nic(void)
{
	struct newnic n;
	char *in, *want;

	/* Static sibling with HWADDR; no gateway given: GATEWAY goes. */
	in = fixture_read("guest-ifcfg-eth0.rhel6-static-unquoted", NULL);
	n.sibling = "eth0";
	n.nic = rhel_static;
	n.nic.name = "eth1";
	n.nic.mac = M2;
	n.nic.address = "192.0.2.42";
	n.nic.gateway = NULL;
	RUN(ed_newnic, &n, in,
	    "# Xen paravirtual NIC, template address\n"
	    "DEVICE=eth1\n"
	    "BOOTPROTO=none\n"
	    "HWADDR=" M2 "\n"
	    "IPADDR=192.0.2.42\n"
	    "NETMASK=255.255.255.0\n"
	    "ONBOOT=yes\n"
	    "TYPE=Ethernet\n"
	    "NM_CONTROLLED=no\n"
	    "USERCTL=no\n");
	/* The result is what apply would leave alone. */
	want = xstrdup("# Xen paravirtual NIC, template address\n"
	    "DEVICE=eth1\nBOOTPROTO=none\nHWADDR=" M2 "\n"
	    "IPADDR=192.0.2.42\nNETMASK=255.255.255.0\nONBOOT=yes\n"
	    "TYPE=Ethernet\nNM_CONTROLLED=no\nUSERCTL=no\n");
	RUN(ed_ifcfg, &n.nic, want, want);
	free(want);
	/* With a gateway, DHCP; no MAC: the sibling's HWADDR must go. */
	n.nic.gateway = "192.0.2.254";
	want = subst(in, "DEVICE=eth0\n", "DEVICE=eth1\n");
	want = subst_f(want, "HWADDR=00:16:3E:10:20:01\n", "");
	want = subst_f(want, "IPADDR=192.0.2.10\n", "IPADDR=192.0.2.42\n");
	want = subst_f(want, "GATEWAY=192.0.2.1\n", "GATEWAY=192.0.2.254\n");
	n.nic.mac = NULL;
	RUN(ed_newnic, &n, in, want);
	free(want);
	n.nic.boot = GFILE_BOOT_DHCP;
	RUN(ed_newnic, &n, in,
	    "# Xen paravirtual NIC, template address\n"
	    "DEVICE=eth1\nBOOTPROTO=dhcp\nONBOOT=yes\nTYPE=Ethernet\n"
	    "NM_CONTROLLED=no\nUSERCTL=no\n");
	/* KEEP would copy the sibling's address. */
	n.nic.boot = GFILE_BOOT_KEEP;
	FAILS(ed_newnic, &n, in);
	free(in);

	/* Sibling without HWADDR: none added. */
	in = fixture_read("guest-ifcfg-eth0.no-hwaddr", NULL);
	n.nic = rhel_dhcp;
	n.nic.name = "eth1";
	n.nic.mac = M2;
	n.nic.uuid = NULL;
	want = subst(in, "DEVICE=eth0\n", "DEVICE=eth1\n");
	RUN(ed_newnic, &n, in, want);
	free(want);
	n.nic.boot = GFILE_BOOT_KEEP;
	want = subst(in, "DEVICE=eth0\n", "DEVICE=eth1\n");
	RUN(ed_newnic, &n, in, want);
	free(want);
	free(in);

	/* NM's file: NAME follows, the sibling's UUID goes unless given. */
	in = fixture_read("guest-ifcfg-eth0.rhel7-nm-quoted", NULL);
	n.nic = rhel_dhcp;
	n.nic.name = "eth1";
	n.nic.mac = M2;
	n.nic.uuid = NULL;
	n.nic.hostname = NULL;
	want = subst(in, "NAME=\"eth0\"", "NAME=\"eth1\"");
	want = subst_f(want, "UUID=\"" OLDUUID "\"\n", "");
	want = subst_f(want, "DEVICE=\"eth0\"", "DEVICE=\"eth1\"");
	want = subst_f(want, "HWADDR=\"00:16:3E:10:20:01\"",
	    "HWADDR=\"" M2 "\"");
	RUN(ed_newnic, &n, in, want);
	free(want);
	n.nic.uuid = GU;
	n.nic.hostname = "clone01.example.com";
	want = subst(in, "NAME=\"eth0\"", "NAME=\"eth1\"");
	want = subst_f(want, "UUID=\"" OLDUUID "\"", "UUID=\"" GU "\"");
	want = subst_f(want, "DEVICE=\"eth0\"", "DEVICE=\"eth1\"");
	want = subst_f(want, "HWADDR=\"00:16:3E:10:20:01\"",
	    "HWADDR=\"" M2 "\"");
	want = subst_f(want, "DHCP_HOSTNAME=\"tmpl-ol7\"",
	    "DHCP_HOSTNAME=\"clone01\"");
	RUN(ed_newnic, &n, in, want);
	free(want);
	free(in);

	/* Anaconda's "System eth0", quoting of a value with a blank. */
	n.nic = rhel_dhcp;
	n.nic.name = "eth1";
	n.nic.mac = M2;
	n.nic.uuid = NULL;
	RUN(ed_newnic, &n,
	    "NAME=\"System eth0\"\r\nDEVICE=eth0\r\n"
	    "MACADDR=00:16:3e:00:00:09\r\nBOOTPROTO=dhcp\r\n",
	    "NAME=\"System eth1\"\r\nDEVICE=eth1\r\nBOOTPROTO=dhcp\r\n");
	RUN(ed_newnic, &n, "NAME=System\\ eth0\nDEVICE=eth0",
	    "NAME='System eth1'\nDEVICE=eth1\nBOOTPROTO=dhcp\n");
	RUN(ed_newnic, &n, "NAME=uplink\nBOOTPROTO=dhcp\n",
	    "NAME=eth1\nBOOTPROTO=dhcp\nDEVICE=eth1\n");

	/* Not a plain Ethernet sibling. */
	FAILS(ed_newnic, &n, "DEVICE=eth0\nMASTER=bond0\nSLAVE=yes\n");
	FAILS(ed_newnic, &n, "DEVICE=eth0\nBRIDGE=xenbr0\n");
	FAILS(ed_newnic, &n, "DEVICE=br0\nTYPE=Bridge\n");
	FAILS(ed_newnic, &n, "DEVICE=eth0.100\nVLAN=yes\n");
	FAILS(ed_newnic, &n, "DEVICE=lo\n");
	FAILS(ed_newnic, &n, "DEVICE=eth0:1\nIPADDR=10.0.0.1\n");
	n.sibling = "../eth0";
	FAILS(ed_newnic, &n, "DEVICE=eth0\n");
	n.sibling = "eth0";
	/* SLAVE=no and TYPE=ethernet are plain. */
	RUN(ed_newnic, &n, "DEVICE=eth0\nSLAVE=no\nTYPE=ethernet\n",
	    "DEVICE=eth1\nSLAVE=no\nTYPE=ethernet\nBOOTPROTO=dhcp\n");
}

/* ---- ifupdown --------------------------------------------------------- */

static const struct gfile_nic deb_static = {
	"eth0", M1, GFILE_BOOT_STATIC, "192.0.2.41", 24, "192.0.2.1", NULL,
	NULL
};

static void
test_ifupdown_fixture(void)
{
	struct gfile_nic nic = deb_static;
	char *in, *want;

	in = fixture_read("guest-debian-interfaces.static-hwaddress", NULL);
	want = subst(in, "hwaddress ether 00:16:3e:2b:8c:01",
	    "hwaddress ether " M1);
	want = subst_f(want, "address 192.0.2.20/24", "address 192.0.2.41/24");
	ALL(ed_ifupdown, &nic, in, want);
	free(want);

	/* To DHCP: address and gateway lines go, dns and hwaddress stay. */
	nic.boot = GFILE_BOOT_DHCP;
	nic.mac = NULL;
	want = subst(in, "iface eth0 inet static\n", "iface eth0 inet dhcp\n");
	want = subst_f(want, "    address 192.0.2.20/24\n", "");
	want = subst_f(want, "    gateway 192.0.2.1\n", "");
	ALL(ed_ifupdown, &nic, in, want);
	free(want);

	/* A new NIC: marked like eth0 (allow-hotplug), indented alike. */
	nic = deb_static;
	nic.name = "eth1";
	nic.mac = M2;
	nic.address = "198.51.100.7";
	nic.prefix = 25;
	nic.gateway = NULL;
	want = xasprintf("%s\nallow-hotplug eth1\niface eth1 inet static\n"
	    "    address 198.51.100.7/25\n", in);
	ALL(ed_ifupdown, &nic, in, want);
	free(want);
	nic.boot = GFILE_BOOT_DHCP;
	want = xasprintf("%s\nallow-hotplug eth1\niface eth1 inet dhcp\n", in);
	ALL(ed_ifupdown, &nic, in, want);
	free(want);
	nic.boot = GFILE_BOOT_KEEP;
	FAILS(ed_ifupdown, &nic, in);
	free(in);
}

static void
test_ifupdown_inline(void)
{
	struct gfile_nic nic = deb_static;

	/* Address and netmask lines; tab indentation. */
	ALL(ed_ifupdown, &nic,
	    "auto eth0\niface eth0 inet static\n\taddress 10.0.0.5\n"
	    "\tnetmask 255.0.0.0\n\tgateway 10.0.0.1\n",
	    "auto eth0\niface eth0 inet static\n\taddress 192.0.2.41\n"
	    "\tnetmask 255.255.255.0\n\tgateway 192.0.2.1\n");
	/* DHCP -> static, nothing to copy the style from. */
	ALL(ed_ifupdown, &nic,
	    "auto lo\niface lo inet loopback\n\nauto eth0\n"
	    "iface eth0 inet dhcp\n",
	    "auto lo\niface lo inet loopback\n\nauto eth0\n"
	    "iface eth0 inet static\n\taddress 192.0.2.41\n"
	    "\tnetmask 255.255.255.0\n\tgateway 192.0.2.1\n");
	/* Added lines go after the last option, indented like it. */
	ALL(ed_ifupdown, &nic,
	    "iface eth0 inet dhcp\n  hostname tmpl\n# end\n\n"
	    "iface eth1 inet static\n  address 10.9.9.9/8\n",
	    "iface eth0 inet static\n  hostname tmpl\n"
	    "  address 192.0.2.41/24\n"
	    "  gateway 192.0.2.1\n# end\n\n"
	    "iface eth1 inet static\n  address 10.9.9.9/8\n");
	/* ... unless it also writes netmask lines. */
	ALL(ed_ifupdown, &nic,
	    "iface eth1 inet static\n  address 10.9.9.9/8\n"
	    "iface eth0 inet dhcp\n  netmask 255.0.0.0\n",
	    "iface eth1 inet static\n  address 10.9.9.9/8\n"
	    "iface eth0 inet static\n  netmask 255.255.255.0\n"
	    "  address 192.0.2.41\n  gateway 192.0.2.1\n");
	/* A CIDR address without its prefix gets a netmask line. */
	ALL(ed_ifupdown, &nic,
	    "iface eth0 inet static\n address 10.0.0.5\n gateway 10.0.0.1\n",
	    "iface eth0 inet static\n address 192.0.2.41\n"
	    " netmask 255.255.255.0\n gateway 192.0.2.1\n");
	/* hostname option and hwaddress without `ether`. */
	nic.boot = GFILE_BOOT_DHCP;
	nic.hostname = "clone01.example.com";
	ALL(ed_ifupdown, &nic,
	    "iface eth0 inet dhcp\n    hostname tmpl\n"
	    "    hwaddress 00:16:3E:2B:8C:01\n",
	    "iface eth0 inet dhcp\n    hostname clone01\n"
	    "    hwaddress " M1 "\n");
	/* Same MAC in upper case: kept as written. */
	ALL(ed_ifupdown, &nic,
	    "iface eth0 inet dhcp\n    hwaddress ether 00:16:3E:AA:BB:01\n",
	    "iface eth0 inet dhcp\n    hwaddress ether 00:16:3E:AA:BB:01\n");
	/* Other stanzas, inet6 and comments untouched; every static line
	 * of the stanza goes. */
	ALL(ed_ifupdown, &nic,
	    "# eth0\niface eth0 inet static\n  address 10.0.0.5\n"
	    "  netmask 255.0.0.0\n  # keep me\n  broadcast 10.255.255.255\n"
	    "  address 10.0.0.6/8\n  mtu 9000\n"
	    "iface eth0 inet6 static\n  address fd00::5/64\n"
	    "iface eth1 inet static\n  address 10.1.0.5/16\n",
	    "# eth0\niface eth0 inet dhcp\n  # keep me\n  mtu 9000\n"
	    "iface eth0 inet6 static\n  address fd00::5/64\n"
	    "iface eth1 inet static\n  address 10.1.0.5/16\n");
	/* Static lines last, no final newline (checked by ALL). */
	ALL(ed_ifupdown, &nic,
	    "auto eth0\niface eth0 inet static\n  address 10.0.0.5/8\n",
	    "auto eth0\niface eth0 inet dhcp\n");
	/* New stanza: `auto` when others use it; none when marked. */
	nic = deb_static;
	nic.name = "eth1";
	nic.gateway = NULL;
	ALL(ed_ifupdown, &nic, "auto eth0\niface eth0 inet dhcp\n",
	    "auto eth0\niface eth0 inet dhcp\n\nauto eth1\n"
	    "iface eth1 inet static\n\taddress 192.0.2.41\n"
	    "\tnetmask 255.255.255.0\n");
	ALL(ed_ifupdown, &nic, "auto lo eth0 eth1\niface eth0 inet dhcp\n\n",
	    "auto lo eth0 eth1\niface eth0 inet dhcp\n\n"
	    "iface eth1 inet static\n\taddress 192.0.2.41\n"
	    "\tnetmask 255.255.255.0\n");
	TWICE(ed_ifupdown, &nic, "",
	    "auto eth1\niface eth1 inet static\n\taddress 192.0.2.41\n"
	    "\tnetmask 255.255.255.0\n");
	/* A prefix-less stanza line and a missing method word. */
	nic = deb_static;
	ALL(ed_ifupdown, &nic, "iface eth0 inet\naddress\n",
	    "iface eth0 inet static\naddress 192.0.2.41\n"
	    "netmask 255.255.255.0\ngateway 192.0.2.1\n");
	/* Two stanzas for one name: which one counts is unclear. */
	FAILS(ed_ifupdown, &nic,
	    "iface eth0 inet dhcp\niface eth0 inet static\n");
	nic.gateway = "1.2.3";
	FAILS(ed_ifupdown, &nic, "iface eth0 inet dhcp\n");
}

/* ---- udev ------------------------------------------------------------- */

static void
test_udev(void)
{
	struct udevarg u = { "eth0", M1 };
	char *in, *want;

	in = fixture_read("guest-70-persistent-net.rules.one-nic", NULL);
	want = subst(in, "ATTR{address}==\"00:16:3e:10:20:01\"",
	    "ATTR{address}==\"" M1 "\"");
	ALL(ed_udev, &u, in, want);
	free(want);
	/* No rule for eth1: unchanged. */
	u.name = "eth1";
	ALL(ed_udev, &u, in, in);
	free(in);

	/* Only the named rule; a stale rule pinning the MAC is left. */
	u.name = "eth1";
	u.mac = M2;
	ALL(ed_udev, &u,
	    "# eth1 00:16:3e:00:00:01\n"
	    "SUBSYSTEM==\"net\", ATTR{address}==\"" M2 "\", NAME=\"eth0\"\n"
	    "SUBSYSTEM==\"net\", ATTR{address}==\"00:16:3e:00:00:02\", "
	    "KERNEL==\"eth*\", NAME=\"eth1\"\n"
	    "SUBSYSTEM==\"net\", NAME=\"eth1\", ATTR{address}==\"x\"\n"
	    "SUBSYSTEM==\"net\", ATTR{address}==\"00:16:3e:00:00:03\", "
	    "NAME=\"eth10\"\n",
	    "# eth1 00:16:3e:00:00:01\n"
	    "SUBSYSTEM==\"net\", ATTR{address}==\"" M2 "\", NAME=\"eth0\"\n"
	    "SUBSYSTEM==\"net\", ATTR{address}==\"" M2 "\", "
	    "KERNEL==\"eth*\", NAME=\"eth1\"\n"
	    "SUBSYSTEM==\"net\", NAME=\"eth1\", ATTR{address}==\"" M2 "\"\n"
	    "SUBSYSTEM==\"net\", ATTR{address}==\"00:16:3e:00:00:03\", "
	    "NAME=\"eth10\"\n");
	/* Equal in another case: kept. */
	ALL(ed_udev, &u,
	    "ATTR{address}==\"00:16:3E:AA:BB:02\", NAME=\"eth1\"\n",
	    "ATTR{address}==\"00:16:3E:AA:BB:02\", NAME=\"eth1\"\n");
	u.mac = "ff:ff:ff:ff:ff:ff";
	FAILS(ed_udev, &u, "");
}

/* ---- kudzu hwconf ----------------------------------------------------- */

static const char hwconf[] =
	"-\n"
	"class: OTHER\n"
	"bus: PCI\n"
	"detached: 0\n"
	"desc: \"Host bridge 00:16:3E:10:20:01\"\n"
	"-\n"
	"class: NETWORK\n"
	"bus: XEN\n"
	"detached: 0\n"
	"device: eth0\n"
	"driver: xennet\n"
	"desc: \"Xen Virtual Ethernet\"\n"
	"network.hwaddr: 00:16:3E:10:20:01\n"
	"-\n"
	"class: NETWORK\n"
	"bus: XEN\n"
	"detached: 0\n"
	"device: eth1\n"
	"driver: xennet\n"
	"desc: \"Xen Virtual Ethernet\"\n"
	"network.hwaddr: 00:16:3e:10:20:02\n"
	"-\n"
	"class: NETWORK\n"
	"device: eth2\n"
	"hwaddr:  00:16:3e:10:20:09  \n";

static void
test_hwconf(void)
{
	static const struct gfile_map maps[] = {
		{ "00:16:3e:10:20:01", M1 },
		{ "00:16:3E:10:20:02", M2 },
		{ "00:16:3e:10:20:03", "00:16:3e:aa:bb:03" },
	};
	static const struct gfile_map bad[] = {
		{ "00:16:3e:10:20:01", "01:16:3e:aa:bb:01" },
	};
	struct hwarg h = { maps, ARRAY_SIZE(maps) };
	char *want;

	want = subst(hwconf, "network.hwaddr: 00:16:3E:10:20:01\n",
	    "network.hwaddr: 00:16:3E:AA:BB:01\n");
	want = subst_f(want, "network.hwaddr: 00:16:3e:10:20:02\n",
	    "network.hwaddr: " M2 "\n");
	ALL(ed_hwconf, &h, hwconf, want);
	free(want);
	/* Plain hwaddr key, blanks around the value kept. */
	ALL(ed_hwconf, &h, "-\nhwaddr:  00:16:3e:10:20:03 \n",
	    "-\nhwaddr:  00:16:3e:aa:bb:03 \n");
	h.n = 0;
	ALL(ed_hwconf, &h, hwconf, hwconf);
	h.maps = bad;
	h.n = 1;
	FAILS(ed_hwconf, &h, hwconf);
}

/* ---- /etc/shadow ------------------------------------------------------ */

#define H6 "$6$salt$hash.Value/x"

static void
test_shadow(void)
{
	static const char shadow[] =
	    "rootkit:!:19000:0:99999:7:::\n"
	    "daemon:*:19000:0:99999:7:::\n"
	    "root:$1$old$oldhash:18000:0:99999:7:::\n"
	    "user:$y$j9T$abc$def:19500:0:99999:7:::\n"
	    "root:!:1::::::\n";
	struct shadowarg s = { "root", H6, 19876 };
	char *want;

	want = subst(shadow, "root:$1$old$oldhash:18000:",
	    "root:" H6 ":19876:");
	ALL(ed_shadow, &s, shadow, want);
	free(want);
	s.days = -1;
	want = subst(shadow, "root:$1$old$oldhash:18000:",
	    "root:" H6 ":18000:");
	ALL(ed_shadow, &s, shadow, want);
	free(want);
	s.user = "user";
	s.days = 0;
	want = subst(shadow, "user:$y$j9T$abc$def:19500:",
	    "user:" H6 ":0:");
	ALL(ed_shadow, &s, shadow, want);
	free(want);
	/* Short lines: the last field runs to the line end. */
	s.user = "root";
	s.days = 20000;
	ALL(ed_shadow, &s, "root:x:1\n", "root:" H6 ":20000\n");
	ALL(ed_shadow, &s, "root::\n", "root:" H6 ":20000\n");
	s.days = -1;
	ALL(ed_shadow, &s, "root:x\n", "root:" H6 "\n");
	s.days = 20000;
	FAILS(ed_shadow, &s, "root:x\n");
	/* Refusals. */
	FAILS(ed_shadow, &s, "rootkit:x:1::::::\n");
	FAILS(ed_shadow, &s, "");
	s.hash = "$6$a:b";
	FAILS(ed_shadow, &s, shadow);
	s.hash = "$6$a\nb";
	FAILS(ed_shadow, &s, shadow);
	s.hash = "";
	FAILS(ed_shadow, &s, shadow);
	s.hash = H6;
	s.user = "ro:ot";
	FAILS(ed_shadow, &s, shadow);
	s.user = "";
	FAILS(ed_shadow, &s, shadow);
	s.user = "root";
	s.days = -2;
	FAILS(ed_shadow, &s, shadow);
}

static void
test_crypt_prefix(void)
{
	CHECK_STR(gfile_crypt_prefix_for("debian", 12, 0), "$y$");
	CHECK_STR(gfile_crypt_prefix_for("debian", 11, 0), "$y$");
	CHECK_STR(gfile_crypt_prefix_for("debian", 10, 13), "$6$");
	CHECK_STR(gfile_crypt_prefix_for("ubuntu", 22, 4), "$y$");
	CHECK_STR(gfile_crypt_prefix_for("ubuntu", 20, 4), "$6$");
	CHECK_STR(gfile_crypt_prefix_for("fedora", 35, 0), "$y$");
	CHECK_STR(gfile_crypt_prefix_for("fedora", 34, 0), "$6$");
	CHECK_STR(gfile_crypt_prefix_for("rhel", 9, 2), "$y$");
	CHECK_STR(gfile_crypt_prefix_for("rhel", 8, 9), "$6$");
	CHECK_STR(gfile_crypt_prefix_for("oraclelinux", 5, 11), "$6$");
	CHECK_STR(gfile_crypt_prefix_for("oraclelinux", 9, 0), "$y$");
	CHECK_STR(gfile_crypt_prefix_for("centos", 7, 9), "$6$");
	CHECK_STR(gfile_crypt_prefix_for("rocky", 9, 0), "$y$");
	CHECK_STR(gfile_crypt_prefix_for("almalinux", 9, 0), "$y$");
	CHECK_STR(gfile_crypt_prefix_for("opensuse", 15, 5), "$6$");
	CHECK_STR(gfile_crypt_prefix_for("sles", 16, 0), "$y$");
	CHECK_STR(gfile_crypt_prefix_for("unknown", 99, 0), "$6$");
	CHECK_STR(gfile_crypt_prefix_for(NULL, 0, 0), "$6$");
}

/* A rule for a NIC the template lacked, after the last rule's line. */
static void
test_udev_bind(void)
{
	static const char in[] =
	    "# generated\r\n"
	    "SUBSYSTEM==\"net\", ATTR{address}==\"00:16:3e:10:20:01\", "
	    "NAME=\"eth0\"\r\n";
	static const char want[] =
	    "# generated\r\n"
	    "SUBSYSTEM==\"net\", ATTR{address}==\"00:16:3e:00:00:0a\", "
	    "NAME=\"eth0\"\r\n"
	    "SUBSYSTEM==\"net\", ATTR{address}==\"00:16:3e:00:00:0b\", "
	    "NAME=\"eth1\"\r\n";
	struct buf a = BUF_INIT, b = BUF_INIT;

	CHECK_INT(gfile_udev_bind_name_mac(in, strlen(in), "eth0",
	    "00:16:3e:00:00:0a", &a), 0);
	CHECK_INT(gfile_udev_bind_name_mac(a.data, a.len, "eth1",
	    "00:16:3e:00:00:0b", &b), 0);
	CHECK_MEM(b.data, b.len, want, strlen(want));
	/* Again: the rule exists now, nothing is added. */
	CHECK_INT(gfile_udev_bind_name_mac(b.data, b.len, "eth1",
	    "00:16:3e:00:00:0b", &a), 0);
	CHECK_MEM(a.data, a.len, want, strlen(want));
	/* NAME before the address, no final newline. */
	CHECK_INT(gfile_udev_bind_name_mac("NAME=\"eth0\", "
	    "ATTR{address}==\"00:16:3e:00:00:0a\"", 47, "eth1",
	    "00:16:3e:00:00:0b", &a), 0);
	CHECK_STR(a.data, "NAME=\"eth0\", ATTR{address}==\"00:16:3e:00:00:0a\"\n"
	    "NAME=\"eth1\", ATTR{address}==\"00:16:3e:00:00:0b\"\n");
	/* No rules at all: left alone. */
	CHECK_INT(gfile_udev_bind_name_mac("# none\n", 7, "eth1",
	    "00:16:3e:00:00:0b", &a), 0);
	CHECK_STR(a.data, "# none\n");
	buf_release(&a);
	buf_release(&b);
}

/* /etc/hosts: the address field follows a NIC's new address. */
static void
test_hosts_ips(void)
{
	static const char in[] = "127.0.0.1\tlocalhost\n"
	    "192.0.2.10\t\ttmpl.example.com tmpl\n"
	    "192.0.2.100\tother\n";
	static const struct gfile_map ips[] = { { "192.0.2.10", "192.0.2.21" } };
	struct gfile_job job;
	struct buf out = BUF_INIT;

	memset(&job, 0, sizeof(job));
	job.ips = ips;
	job.nips = 1;
	job.hostname = "web1.example.com";
	job.old_hostname = "tmpl.example.com";
	CHECK_INT(gfile_edit(GFILE_HOSTS, &job, in, strlen(in), &out), 0);
	CHECK_STR(out.data, "127.0.0.1\tlocalhost\n"
	    "192.0.2.21\t\tweb1.example.com web1\n"
	    "192.0.2.100\tother\n");
	buf_release(&out);
}

int
main(void)
{
	test_unset();
	test_ifcfg_fixtures();
	test_ifcfg_inline();
	test_new_nic();
	test_ifupdown_fixture();
	test_ifupdown_inline();
	test_udev();
	test_udev_bind();
	test_hosts_ips();
	test_hwconf();
	test_shadow();
	test_crypt_prefix();
	return unit_done();
}
