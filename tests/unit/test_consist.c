/*
 * Unit tests for src/consist.c: the consistency findings for hand-built
 * surveys against domain configs parsed from text.
 */
#include <stdlib.h>
#include <string.h>

#include "consist.h"
#include "domcfg.h"
#include "survey.h"
#include "unit.h"
#include "util.h"

static struct survey_nic *
add_ifcfg(struct survey *s, const char *dev, const char *hwaddr)
{
	struct survey_nic *n;

	s->nics = xreallocarray(s->nics, s->nnics + 1, sizeof(*s->nics));
	n = &s->nics[s->nnics++];
	memset(n, 0, sizeof(*n));
	n->file = xasprintf("/etc/sysconfig/network-scripts/ifcfg-%s", dev);
	n->format = xstrdup("ifcfg");
	n->device = xstrdup(dev);
	n->hwaddr = hwaddr ? xstrdup(hwaddr) : NULL;
	return n;
}

static void
add_udev(struct survey *s, size_t line, const char *name, const char *mac)
{
	struct survey_udev *u;

	s->udev = xreallocarray(s->udev, s->nudev + 1, sizeof(*s->udev));
	u = &s->udev[s->nudev++];
	u->file = xstrdup("/etc/udev/rules.d/70-persistent-net.rules");
	u->line = line;
	u->name = xstrdup(name);
	u->mac = xstrdup(mac);
}

static struct domcfg *
cfg(const char *text)
{
	struct domcfg *c = NULL;

	if (domcfg_parse("vm.cfg", text, strlen(text), &c) == -1)
		abort();
	return c;
}

/* The codes of the findings, space-separated, in order. */
static char *
codes(const struct survey *s, const struct domcfg *c, char **msgs)
{
	struct finding *f;
	struct buf b = BUF_INIT, m = BUF_INIT;
	size_t n, i;

	n = consist_check(s, c, &f);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s%s", i ? " " : "", f[i].code);
		buf_addf(&m, "%s\n", f[i].message);
	}
	consist_free(f, n);
	if (msgs)
		*msgs = buf_detach(&m, NULL);
	else
		buf_release(&m);
	return buf_detach(&b, NULL);
}

static void
test_clone_mismatch(void)
{
	struct survey s;
	struct domcfg *c;
	char *got, *msgs;

	memset(&s, 0, sizeof(s));
	add_ifcfg(&s, "eth0", "00:16:3E:10:20:01");
	add_udev(&s, 5, "eth0", "00:16:3e:10:20:01");
	/* Consistent: same MAC, other case. */
	c = cfg("name = 'a'\nvif = ['mac=00:16:3e:10:20:01, bridge=xenbr0']\n");
	got = codes(&s, c, NULL);
	CHECK_STR(got, "");
	free(got);
	domcfg_free(c);

	/* The clone's config got a new MAC: three findings, both MACs and
	 * both files named. */
	c = cfg("name = 'a'\n\nvif = ['mac=00:16:3e:10:20:99, bridge=xenbr0']\n");
	got = codes(&s, c, &msgs);
	CHECK_STR(got, "vif-mac-unbound guest-mac-absent udev-mac-absent");
	CHECK_STR(msgs,
	    "vm.cfg:3: vif 0 mac=00:16:3e:10:20:99: no NIC config or udev "
	    "rule in the guest names this MAC\n"
	    "/etc/sysconfig/network-scripts/ifcfg-eth0: HWADDR="
	    "00:16:3E:10:20:01 is not the MAC of any vif in vm.cfg\n"
	    "/etc/udev/rules.d/70-persistent-net.rules:5: NAME=eth0 "
	    "ATTR{address}==00:16:3e:10:20:01 pins eth0 to a MAC no vif in "
	    "vm.cfg has: that NIC will come up under another name (eth1 "
	    "for eth0)\n");
	free(got);
	free(msgs);
	domcfg_free(c);
	survey_release(&s);
}

static void
test_config_only(void)
{
	struct survey s;
	struct domcfg *c;
	char *got, *msgs;

	memset(&s, 0, sizeof(s));
	/* A guest that binds nothing by MAC: vif MACs need no binding, but a
	 * vif without mac= and a duplicate are still problems. */
	add_ifcfg(&s, "eth0", NULL);
	c = cfg("vif = [ 'bridge=xenbr0', 'mac=00:16:3e:00:00:01',"
	    " 'mac=00:16:3E:00:00:01' ]\n");
	got = codes(&s, c, &msgs);
	CHECK_STR(got, "vif-no-mac duplicate-mac");
	CHECK(strstr(msgs, "vm.cfg:1: vif 0 has no mac=") == msgs);
	CHECK(strstr(msgs, "vif 1 and vif 2 both have mac=00:16:3e:00:00:01")
	    != NULL);
	free(got);
	free(msgs);
	domcfg_free(c);

	c = cfg("vif = [ 'mac=01:16:3e:00:00:01' ]\n");
	got = codes(&s, c, NULL);
	CHECK_STR(got, "vif-bad-mac");
	free(got);
	domcfg_free(c);
	survey_release(&s);
}

static void
test_guest_only(void)
{
	struct survey s;
	struct survey_nic *n;
	char *got, *msgs;

	memset(&s, 0, sizeof(s));
	add_ifcfg(&s, "eth0", "00:16:3e:10:20:01");
	add_udev(&s, 4, "eth0", "00:16:3e:10:20:02");
	got = codes(&s, NULL, &msgs);
	CHECK_STR(got, "udev-ifcfg-mismatch");
	CHECK_STR(msgs, "/etc/udev/rules.d/70-persistent-net.rules:4: "
	    "NAME=eth0 ATTR{address}==00:16:3e:10:20:02 but "
	    "/etc/sysconfig/network-scripts/ifcfg-eth0: HWADDR="
	    "00:16:3e:10:20:01: eth0 binds to neither MAC consistently\n");
	free(got);
	free(msgs);
	survey_release(&s);

	memset(&s, 0, sizeof(s));
	add_ifcfg(&s, "eth0", "00:16:3e:10:20:01");
	add_ifcfg(&s, "eth1", "00:16:3e:10:20:01");
	n = add_ifcfg(&s, "eth0.bak", "00:16:3e:10:20:01");
	n->ignored = true;	/* initscripts skip it: no duplicate */
	got = codes(&s, NULL, NULL);
	CHECK_STR(got, "duplicate-mac");
	free(got);
	survey_release(&s);
}

int
main(void)
{
	test_clone_mismatch();
	test_config_only();
	test_guest_only();
	return unit_done();
}
