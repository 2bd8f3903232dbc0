/*
 * test_domcfg.c - the one interface to both config formats: the format
 * is told by content (never by name), Xen configs pass through to
 * hostcfg unchanged, XML items get their summaries, a new XML NIC takes
 * the kind, source and model of the last one, and Xen-only keys are
 * refused on XML with the document unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "domcfg.h"
#include "hostcfg.h"
#include "capture.h"
#include "textfix.h"
#include "unit.h"
#include "util.h"

#define WEB01 "host-libvirt-kvm-web01.xml"
#define XM2 "host-xm-pv-two-nics-one-line.vm.cfg"

static struct domcfg *
parse(const char *name, const char *text, size_t len)
{
	struct domcfg *c = NULL;

	if (domcfg_parse(name, text, len, &c) == -1)
		return NULL;
	return c;
}

static void
test_kind(void)
{
	static const char xen[] = "name = 'a'\nvif = [ 'mac=00:16:3e:00:00:01' ]\n";
	static const char bom[] = "\xef\xbb\xbf \n<domain><name>b</name>"
	    "<devices/></domain>\n";
	struct domcfg *c;

	c = parse("x.xml", xen, sizeof(xen) - 1);	/* name says nothing */
	if (CHECK(c != NULL)) {
		CHECK_INT(domcfg_kind(c), DOMCFG_XEN);
		CHECK_STR(domcfg_kind_name(c), "xen");
		CHECK_STR(domcfg_get_string(c, "name"), "a");
		CHECK_INT(domcfg_nic_count(c), 1);
		CHECK_STR(domcfg_nic_spec(c, 0), "mac=00:16:3e:00:00:01");
	}
	domcfg_free(c);
	c = parse("vm.cfg", bom, sizeof(bom) - 1);
	if (CHECK(c != NULL)) {
		CHECK_INT(domcfg_kind(c), DOMCFG_XML);
		CHECK_STR(domcfg_kind_name(c), "libvirt");
		CHECK_STR(domcfg_get_string(c, "name"), "b");
		CHECK_INT(domcfg_nic_count(c), 0);
		CHECK(domcfg_nic_spec(c, 0) == NULL);
	}
	domcfg_free(c);
	/* each engine's refusal stands: XML-looking text is judged as XML */
	CHECK(parse("bad.cfg", "<name = 'a'\n", 11) == NULL);
	CHECK(parse("bad.cfg", "name = a\n", 9) == NULL);
}

/* A Xen config: the same answers and bytes as hostcfg's own. */
static void
test_xen_passthrough(void)
{
	struct hostcfg *h = NULL;
	struct domcfg *c;
	const char *a, *b;
	size_t n, an, bn, i;
	char *t = fixture_read(XM2, &n);

	c = parse(XM2, t, n);
	CHECK(hostcfg_parse(XM2, t, n, &h) == 0);
	if (CHECK(c != NULL && h != NULL)) {
		CHECK_INT(domcfg_nic_count(c), hostcfg_nic_count(h));
		for (i = 0; i < hostcfg_nic_count(h); i++)
			CHECK_STR(domcfg_nic_spec(c, i), hostcfg_nic_spec(h, i));
		CHECK_INT(domcfg_disk_count(c), hostcfg_disk_count(h));
		CHECK_INT(domcfg_set(c, "nic1.ip", "10.0.0.9"),
		    hostcfg_set(h, "nic1.ip", "10.0.0.9"));
		CHECK_INT(domcfg_set(c, "nic0.mac", "00:16:3e:01:02:03"),
		    hostcfg_set(h, "nic0.mac", "00:16:3e:01:02:03"));
		a = domcfg_text(c, &an);
		b = hostcfg_text(h, &bn);
		CHECK_MEM(a, an, b, bn);
		CHECK(domcfg_changed(c));
		CHECK(!domcfg_disk_readonly(c, 0) && !domcfg_disk_shared(c, 0));
	}
	domcfg_free(c);
	hostcfg_free(h);
	free(t);
}

static void
test_xml_summaries(void)
{
	struct domcfg *c;
	size_t n;
	char *t = fixture_read(WEB01, &n), *v;

	c = parse(WEB01, t, n);
	if (!CHECK(c != NULL))
		goto out;
	CHECK_INT(domcfg_nic_count(c), 3);
	CHECK_STR(domcfg_nic_spec(c, 1),
	    "type=network,mac=52:54:00:6B:3C:02,bridge=default,model=virtio");
	CHECK_INT(domcfg_disk_count(c), 2);	/* the cdrom takes no index */
	CHECK_STR(domcfg_disk_spec(c, 0), "type=file,format=qcow2,dev=vda,"
	    "target=/var/lib/libvirt/images/web01.qcow2");
	CHECK(!domcfg_disk_is_cdrom(c, 0));
	/* an edit refreshes the summaries */
	CHECK_INT(domcfg_set(c, "nic1.bridge", "lab"), 0);
	CHECK_INT(domcfg_set(c, "nic1.mac", "52:54:00:AA:00:01"), 0);
	CHECK_STR(domcfg_nic_spec(c, 1),
	    "type=network,mac=52:54:00:aa:00:01,bridge=lab,model=virtio");
	CHECK_INT(domcfg_set(c, "disk1.target", "/dev/vg/web02-data"), 0);
	CHECK_STR(domcfg_disk_spec(c, 1),
	    "type=block,format=raw,dev=vdb,target=/dev/vg/web02-data");
	v = domcfg_disk_target(c, 1);
	CHECK_STR(v, "/dev/vg/web02-data");
	free(v);
	CHECK_INT(domcfg_set(c, "nic1.bridge", "lab"), 1);	/* already so */
out:
	domcfg_free(c);
	free(t);
}

/* The flags are read from the element and shown in the summary. */
/* A uuid in any form is written as libvirt writes it: lower, dashed. */
static void
test_xml_uuid_form(void)
{
	static const char x[] = "<domain>\n  <name>n</name>\n"
	    "  <uuid>6F1C2D3E4A5B4C6D8E7F0A1B2C3D4E5F</uuid>\n</domain>\n";
	struct domcfg *c = parse("u.xml", x, sizeof(x) - 1);
	size_t n;

	if (!CHECK(c != NULL))
		return;
	CHECK_INT(domcfg_set(c, "uuid", "0004FB0000060000A1B2C3D4E5F60718"),
	    0);
	CHECK_STR(domcfg_text(c, &n), "<domain>\n  <name>n</name>\n"
	    "  <uuid>0004fb00-0006-0000-a1b2-c3d4e5f60718</uuid>\n"
	    "</domain>\n");
	domcfg_free(c);
}

static void
test_xml_flags(void)
{
	static const char x[] =
	    "<domain type='kvm'>\n  <name>n</name>\n  <devices>\n"
	    "    <disk type='block'><source dev='/dev/c/gfs2'/>"
	    "<shareable/></disk>\n"
	    "    <disk device='disk'><source file='/iso/t.iso'/><readonly/>"
	    "</disk>\n"
	    "    <disk type='file' device='cdrom'><source file='/i.iso'/>"
	    "</disk>\n"
	    "  </devices>\n</domain>\n";
	struct domcfg *c = parse("f.xml", x, sizeof(x) - 1);

	if (!CHECK(c != NULL))
		return;
	CHECK_INT(domcfg_disk_count(c), 2);
	CHECK(domcfg_disk_shared(c, 0) && !domcfg_disk_readonly(c, 0));
	CHECK(domcfg_disk_readonly(c, 1) && !domcfg_disk_shared(c, 1));
	CHECK_STR(domcfg_disk_spec(c, 0),
	    "type=block,shareable,target=/dev/c/gfs2");
	CHECK_STR(domcfg_disk_spec(c, 1), "readonly,target=/iso/t.iso");
	domcfg_free(c);
}

static void
test_xml_add_nic(void)
{
	static const char net[] =
	    "<domain>\n  <name>n</name>\n  <devices>\n"
	    "    <interface type='network'>\n"
	    "      <source network='default'/>\n"
	    "      <model type='virtio'/>\n"
	    "    </interface>\n  </devices>\n</domain>\n";
	static const char direct[] =
	    "<domain>\n  <name>n</name>\n  <devices>\n"
	    "    <interface type='direct'>\n"
	    "      <source dev='eth0' mode='bridge'/>\n"
	    "    </interface>\n  </devices>\n</domain>\n";
	const char *t;
	struct domcfg *c;
	size_t n;

	/* the last NIC's network and model; a bridge named is a network */
	c = parse("net.xml", net, sizeof(net) - 1);
	if (CHECK(c != NULL)) {
		CHECK_INT(domcfg_add_nic(c, "mac=52:54:00:00:00:01"), 0);
		CHECK_INT(domcfg_add_nic(c, "mac=52:54:00:00:00:02,bridge=lab"),
		    0);
		t = domcfg_text(c, &n);
		CHECK_STR(t,
		    "<domain>\n  <name>n</name>\n  <devices>\n"
		    "    <interface type='network'>\n"
		    "      <source network='default'/>\n"
		    "      <model type='virtio'/>\n"
		    "    </interface>\n"
		    "    <interface type='network'>\n"
		    "      <mac address='52:54:00:00:00:01'/>\n"
		    "      <source network='default'/>\n"
		    "      <model type='virtio'/>\n"
		    "    </interface>\n"
		    "    <interface type='network'>\n"
		    "      <mac address='52:54:00:00:00:02'/>\n"
		    "      <source network='lab'/>\n"
		    "      <model type='virtio'/>\n"
		    "    </interface>\n  </devices>\n</domain>\n");
		CHECK_INT(domcfg_nic_count(c), 3);
		CHECK_STR(domcfg_nic_spec(c, 2), "type=network,"
		    "mac=52:54:00:00:00:02,bridge=lab,model=virtio");
		CHECK_INT(domcfg_remove_nic(c, 1), 0);
		CHECK_INT(domcfg_nic_count(c), 2);
		CHECK_STR(domcfg_nic_spec(c, 1), "type=network,"
		    "mac=52:54:00:00:00:02,bridge=lab,model=virtio");
	}
	domcfg_free(c);
	/* a network named is the new NIC's own source */
	c = parse("net.xml", net, sizeof(net) - 1);
	if (CHECK(c != NULL)) {
		CHECK_INT(domcfg_add_nic(c, "mac=52:54:00:00:00:03,network=lab"),
		    0);
		CHECK_STR(domcfg_nic_spec(c, 1), "type=network,"
		    "mac=52:54:00:00:00:03,bridge=lab,model=virtio");
	}
	domcfg_free(c);
	/* nothing to copy: a bridge must be named; a Xen key is refused */
	c = parse("direct.xml", direct, sizeof(direct) - 1);
	if (CHECK(c != NULL)) {
		fprintf(stderr, "(two refusals expected:)\n");
		CHECK_INT(domcfg_add_nic(c, "mac=52:54:00:00:00:01"), -1);
		CHECK_INT(domcfg_set(c, "nic0.ip", "10.0.0.1"), -1);
		CHECK(!domcfg_changed(c));
		CHECK_INT(domcfg_add_nic(c, "mac=52:54:00:00:00:01,bridge=br0"),
		    0);
		CHECK_STR(domcfg_nic_spec(c, 1),
		    "type=bridge,mac=52:54:00:00:00:01,bridge=br0");
	}
	domcfg_free(c);
}

/* Files: either format by content, a missing one named in the message. */
static void
test_load(void)
{
	struct domcfg *c = NULL;
	char *path, *msg;
	const char *dir = getenv("IMPRINT_FIXTURES");

	if (dir == NULL || *dir == '\0')
		dir = FIXTURES;
	path = xasprintf("%s/%s", dir, WEB01);
	CHECK_INT(domcfg_load(path, &c), 0);
	if (CHECK(c != NULL)) {
		CHECK_INT(domcfg_kind(c), DOMCFG_XML);
		CHECK_STR(domcfg_path(c), path);
		CHECK_STR(domcfg_get_string(c, "name"), "web01");
	}
	domcfg_free(c);
	free(path);
	path = xasprintf("%s/host-xm-no-uuid.vm.cfg", dir);
	c = NULL;
	CHECK_INT(domcfg_load(path, &c), 0);
	if (CHECK(c != NULL)) {
		CHECK_INT(domcfg_kind(c), DOMCFG_XEN);
		CHECK_STR(domcfg_get_string(c, "name"), "build-box");
	}
	domcfg_free(c);
	free(path);
	c = NULL;
	cap_start();
	CHECK_INT(domcfg_load("/nonexistent/x.cfg", &c), -1);
	msg = cap_stop();
	CHECK(c == NULL);
	CHECK_STR(msg, "test_domcfg: cannot read '/nonexistent/x.cfg': "
	    "No such file or directory\n");
	free(msg);
}

/* diskN.format through the one interface, in both formats. */
static void
test_disk_format(void)
{
	static const char xen[] = "disk = ['file:/p/t.img,xvda,w']\n";
	static const char xml[] = "<domain type='qemu'>\n  <name>t</name>\n"
	    "  <devices>\n    <disk type='file' device='disk'>\n"
	    "      <source file='/p/t.img'/>\n"
	    "      <target dev='vda'/>\n    </disk>\n  </devices>\n"
	    "</domain>\n";
	struct domcfg *c;
	const char *t;
	size_t n;

	if ((c = parse("x.cfg", xen, strlen(xen))) != NULL) {
		CHECK_INT(domcfg_set(c, "disk0.format", "qcow2"), 0);
		t = domcfg_text(c, &n);
		CHECK_MEM(t, n, "disk = ['tap:qcow2:/p/t.img,xvda,w']\n",
		    strlen("disk = ['tap:qcow2:/p/t.img,xvda,w']\n"));
		CHECK_STR(domcfg_disk_spec(c, 0), "tap:qcow2:/p/t.img,xvda,w");
		t = domcfg_original(c, &n);
		CHECK_MEM(t, n, xen, strlen(xen));
	}
	domcfg_free(c);
	if ((c = parse("x.xml", xml, strlen(xml))) != NULL) {
		CHECK_STR(domcfg_disk_spec(c, 0),
		    "type=file,dev=vda,target=/p/t.img");
		CHECK_INT(domcfg_set(c, "disk0.format", "qcow2"), 0);
		CHECK_STR(domcfg_disk_spec(c, 0),
		    "type=file,format=qcow2,dev=vda,target=/p/t.img");
		CHECK_STR(domcfg_text(c, NULL), "<domain type='qemu'>\n"
		    "  <name>t</name>\n  <devices>\n"
		    "    <disk type='file' device='disk'>\n"
		    "      <driver name='qemu' type='qcow2'/>\n"
		    "      <source file='/p/t.img'/>\n"
		    "      <target dev='vda'/>\n    </disk>\n  </devices>\n"
		    "</domain>\n");
		cap_start();
		CHECK_INT(domcfg_set(c, "disk0.format", "vhd"), -1);
		free(cap_stop());
	}
	domcfg_free(c);
}

int
main(void)
{
	test_kind();
	test_load();
	test_xen_passthrough();
	test_xml_summaries();
	test_xml_flags();
	test_xml_uuid_form();
	test_xml_add_nic();
	test_disk_format();
	return unit_done();
}
