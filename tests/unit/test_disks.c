/*
 * Unit tests for src/disks.c (which disks hold the guest, disks follow
 * the image) and consist_check_disks (disk-not-image, disk-other-image):
 * configs from text and from the fixtures, byte-exact results, and real
 * files in a temporary directory for the same-file comparisons.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consist.h"
#include "disks.h"
#include "domcfg.h"
#include "recipe.h"
#include "capture.h"
#include "unit.h"
#include "util.h"

#define FIXTURES_DEFAULT "tests/data/fixtures"

static struct domcfg *
cfg_str(const char *name, const char *text)
{
	struct domcfg *c = NULL;

	if (!CHECK(domcfg_parse(name, text, strlen(text), &c) == 0))
		return NULL;
	return c;
}

static struct domcfg *
cfg_fixture(const char *name, struct buf *orig)
{
	const char *d = getenv("IMPRINT_FIXTURES");
	char *path, *data;
	size_t len;
	struct domcfg *c;

	path = xasprintf("%s/%s", d && *d ? d : FIXTURES_DEFAULT, name);
	if (read_host_file(path, 1 << 20, &data, &len) == -1)
		exit(1);
	buf_reset(orig);
	buf_add(orig, data, len);
	c = cfg_str(name, data);
	free(data);
	free(path);
	return c;
}

static struct recipe *
recipe_str(const char *text)
{
	struct recipe *r = NULL;

	if (!CHECK(recipe_parse("r.rcp", text, strlen(text), NULL, &r) == 0))
		return NULL;
	return r;
}

/* Replace the one occurrence of old in b by new. */
static void
subst(struct buf *b, const char *old, const char *new)
{
	char *at = strstr(b->data, old);
	struct buf r = BUF_INIT;

	if (!CHECK(at != NULL && strstr(at + 1, old) == NULL))
		return;
	buf_add(&r, b->data, (size_t)(at - b->data));
	buf_adds(&r, new);
	buf_adds(&r, at + strlen(old));
	buf_release(b);
	*b = r;
}

static void
check_text(const struct domcfg *c, const char *want)
{
	size_t n;
	const char *t = domcfg_text(c, &n);

	CHECK_MEM(t, n, want, strlen(want));
}

static void
test_guest_disks(void)
{
	struct domcfg *c;
	size_t *idx, n;

	c = cfg_str("g.cfg", "disk = [ 'phy:/dev/cdrom,hdc:cdrom,r',\n"
	    "  'file:/a/System.img,xvda,w', '/iso/x.iso,,hdd,cdrom',\n"
	    "  'format=raw, vdev=xvdc, devtype=cdrom, target=/iso/y.iso',\n"
	    "  ',hde:cdrom,r', 'phy:/dev/vg/data,xvdb,w', 7 ]\n");
	if (c == NULL)
		return;
	CHECK(domcfg_disk_is_cdrom(c, 0));
	CHECK(!domcfg_disk_is_cdrom(c, 1));
	CHECK(domcfg_disk_is_cdrom(c, 2));
	CHECK(domcfg_disk_is_cdrom(c, 3));
	CHECK(domcfg_disk_is_cdrom(c, 4));
	CHECK(!domcfg_disk_is_cdrom(c, 5));
	CHECK(!domcfg_disk_is_cdrom(c, 6));
	CHECK(!domcfg_disk_is_cdrom(c, 7));
	n = disks_guest(c, &idx);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(idx[0], 1);
		CHECK_INT(idx[1], 5);
	}
	free(idx);
	domcfg_free(c);

	/* "cdrom" inside a keyed target is part of the path. */
	c = cfg_str("k.cfg", "disk = [ 'vdev=xvda, target=/x/cdrom,y' ]\n");
	if (c) {
		CHECK(!domcfg_disk_is_cdrom(c, 0));
		domcfg_free(c);
	}
}

/* The t-apply case: an Oracle VM 2 vm.cfg copied beside a clone. */
static void
test_follow_ovm2(void)
{
	static const char *const img[] = {
	    "/OVS/running_pool/web1/System.img" };
	struct domcfg *c;
	struct recipe *r;
	struct strlist sum = STRLIST_INIT, app = STRLIST_INIT;
	struct buf want = BUF_INIT;

	r = recipe_str("[host]\nname = web1\n");
	c = cfg_fixture("host-xm-ovm2-quoted-numbers.vm.cfg", &want);
	if (r == NULL || c == NULL)
		goto out;
	CHECK_INT(r->host.disk_kind, RECIPE_DISK_FOLLOW);
	CHECK_INT(disks_apply(c, r, img, 1, &sum, &app), 0);
	subst(&want, "'file:/OVS/running_pool/OVM_OL5U8_X86_64_PVM/"
	    "System.img,xvda,w'",
	    "'file:/OVS/running_pool/web1/System.img,xvda,w'");
	check_text(c, want.data);
	CHECK_INT(sum.n, 1);
	if (sum.n == 1)
		CHECK_STR(sum.v[0], "disk0: /OVS/running_pool/"
		    "OVM_OL5U8_X86_64_PVM/System.img -> "
		    "/OVS/running_pool/web1/System.img");
	CHECK_INT(app.n, 1);
	if (app.n == 1)
		CHECK_STR(app.v[0], "disk0=/OVS/running_pool/web1/System.img");
	/* Again: nothing to change, the disk names the image. */
	strlist_release(&sum);
	CHECK_INT(disks_apply(c, r, img, 1, &sum, NULL), 0);
	CHECK_INT(sum.n, 0);
	check_text(c, want.data);
out:
	strlist_release(&sum);
	strlist_release(&app);
	buf_release(&want);
	domcfg_free(c);
	recipe_free(r);
}

/* Every prefix kept; images map to the non-CD-ROM disks in order. */
static void
test_follow_prefixes(void)
{
	static const char *const img[] = { "/p/a.img", "/p/b.img",
	    "/p/c.img", "/dev/vg/d" };
	struct domcfg *c;
	struct recipe *r;

	r = recipe_str("[host]\ndisk = follow\n");
	c = cfg_str("p.cfg", "disk = [\n"
	    "    'tap:aio:/t/a.img,xvda,w',\n"
	    "    'phy:/dev/cdrom,hdc:cdrom,r',\n"
	    "    \"tap2:tapdisk:aio:/t/b.img,xvdb,w\",\n"
	    "    'format=qcow2, vdev=xvdc, access=rw, target=/t/c.img',\n"
	    "    'phy:/dev/vg/tmpl-d,xvdd,w',\n"
	    "]\n");
	if (r == NULL || c == NULL)
		goto out;
	CHECK_INT(disks_apply(c, r, img, 4, NULL, NULL), 0);
	check_text(c, "disk = [\n"
	    "    'tap:aio:/p/a.img,xvda,w',\n"
	    "    'phy:/dev/cdrom,hdc:cdrom,r',\n"
	    "    \"tap2:tapdisk:aio:/p/b.img,xvdb,w\",\n"
	    "    'format=qcow2, vdev=xvdc, access=rw, target=/p/c.img',\n"
	    "    'phy:/dev/vg/d,xvdd,w',\n"
	    "]\n");
	/* With one image only disk0 follows. */
	domcfg_free(c);
	c = cfg_str("p.cfg", "disk = ['tap:aio:/t/a.img,xvda,w', "
	    "'phy:/dev/vg/x,xvdb,w']\n");
	if (c == NULL)
		goto out;
	CHECK_INT(disks_apply(c, r, img, 1, NULL, NULL), 0);
	check_text(c, "disk = ['tap:aio:/p/a.img,xvda,w', "
	    "'phy:/dev/vg/x,xvdb,w']\n");
out:
	domcfg_free(c);
	recipe_free(r);
}

static void
test_keep_and_explicit(void)
{
	static const char *const img[] = { "/new/System.img" };
	static const char text[] = "name = 'a'\r\n"
	    "disk = ['file:/old/System.img,xvda,w', "
	    "'file:/old/u01.img,xvdb,w']\r\n";
	struct domcfg *c;
	struct recipe *r;
	struct strlist app = STRLIST_INIT;

	r = recipe_str("[host]\ndisk = keep\n");
	c = cfg_str("k.cfg", text);
	if (r && c) {
		CHECK_INT(disks_apply(c, r, img, 1, NULL, &app), 0);
		check_text(c, text);
		CHECK(!domcfg_changed(c));
		CHECK_INT(app.n, 0);
	}
	domcfg_free(c);
	recipe_free(r);

	/* Explicit values: only those disks, as written; CRLF kept. */
	r = recipe_str("[host]\ndisk1 = /vm2/u01.img\n");
	c = cfg_str("k.cfg", text);
	if (r && c) {
		CHECK_INT(r->host.disk_kind, RECIPE_DISK_KEEP);
		CHECK_INT(disks_apply(c, r, img, 1, NULL, &app), 0);
		check_text(c, "name = 'a'\r\n"
		    "disk = ['file:/old/System.img,xvda,w', "
		    "'file:/vm2/u01.img,xvdb,w']\r\n");
		CHECK_INT(app.n, 1);
		if (app.n == 1)
			CHECK_STR(app.v[0], "disk1=/vm2/u01.img");
	}
	strlist_release(&app);
	domcfg_free(c);
	recipe_free(r);
}

static void
test_refusals(void)
{
	static const char text[] = "name = 'a'\n"
	    "disk = ['file:/old/System.img,xvda,w']\n";
	static const char *const comma[] = { "/new/a,b/System.img" };
	static const char *const eq[] = { "/new/a=b/System.img" };
	static const char *const rel[] = { "new/System.img" };
	static const char *const two[] = { "/n/a.img", "/n/b.img" };
	struct domcfg *c;
	struct recipe *r, *rx;
	char *msg;

	r = recipe_str("[host]\nname = b\n");
	rx = recipe_str("[host]\ndisk3 = /x/y.img\n");
	c = cfg_str("/vm/vm.cfg", text);
	if (r == NULL || c == NULL || rx == NULL)
		goto out;
	cap_start();
	CHECK_INT(disks_check(c, r, comma, 1), -1);
	msg = cap_stop();
	if (!CHECK(strstr(msg, "/vm/vm.cfg:2:9: the path '/new/a,b/System.img'"
	    " cannot be disk 0's target: a ',', '=' or blank") != NULL))
		fprintf(stderr, "    got '%s'\n", msg);
	CHECK(strstr(msg, "/vm/vm.cfg: disk0 cannot name the image "
	    "'/new/a,b/System.img' (disk = follow)") != NULL);
	free(msg);
	check_text(c, text);	/* disks_check edits a copy */

	cap_start();
	CHECK_INT(disks_check(c, r, eq, 1), -1);
	free(cap_stop());
	cap_start();
	CHECK_INT(disks_check(c, r, rel, 1), -1);
	msg = cap_stop();
	CHECK(strstr(msg, "/vm/vm.cfg:2:9: invalid path 'new/System.img' "
	    "for disk 0") != NULL);
	free(msg);
	cap_start();
	CHECK_INT(disks_check(c, r, two, 2), -1);
	msg = cap_stop();
	CHECK(strstr(msg, "/vm/vm.cfg: the guest has 2 images but the config "
	    "names 1 disk for them") != NULL);
	free(msg);
	cap_start();
	CHECK_INT(disks_check(c, rx, two, 1), -1);
	msg = cap_stop();
	CHECK(strstr(msg, "disk 3 does not exist") != NULL);
	CHECK(strstr(msg, "r.rcp:2: cannot set disk3 of '/vm/vm.cfg'") !=
	    NULL);
	free(msg);
	check_text(c, text);
	CHECK(!domcfg_changed(c));

	/* The keyed form holds a comma. */
	domcfg_free(c);
	c = cfg_str("x.cfg", "disk = ['vdev=xvda, target=/old/a.img']\n");
	if (c) {
		CHECK_INT(disks_apply(c, r, comma, 1, NULL, NULL), 0);
		check_text(c, "disk = ['vdev=xvda, target=/new/a,b/System.img']"
		    "\n");
	}
out:
	domcfg_free(c);
	recipe_free(r);
	recipe_free(rx);
}

/* Real files: a symbolic link to the image is the image. */
static void
test_same_path(const char *dir)
{
	char *a = xasprintf("%s/System.img", dir);
	char *l = xasprintf("%s/link.img", dir);
	char *b = xasprintf("%s/other.img", dir);
	char *cfgtext;
	const char *imgs[1];
	struct domcfg *c;
	struct recipe *r;
	int fd;

	if ((fd = open(a, O_WRONLY | O_CREAT, 0600)) != -1)
		close(fd);
	if ((fd = open(b, O_WRONLY | O_CREAT, 0600)) != -1)
		close(fd);
	CHECK(symlink(a, l) == 0);
	CHECK(disks_same_path(a, l));
	CHECK(disks_same_path(a, a));
	CHECK(!disks_same_path(a, b));
	CHECK(!disks_same_path("/nonexistent/x", "/nonexistent/y"));
	CHECK(disks_same_path("/nonexistent/x", "/nonexistent/x"));

	/* The config names the image through the link: left alone. */
	cfgtext = xasprintf("disk = ['file:%s,xvda,w']\n", l);
	r = recipe_str("[host]\n");
	c = cfg_str("s.cfg", cfgtext);
	imgs[0] = a;
	if (c && r) {
		CHECK_INT(disks_apply(c, r, imgs, 1, NULL, NULL), 0);
		CHECK(!domcfg_changed(c));
	}
	domcfg_free(c);
	recipe_free(r);
	free(cfgtext);
	unlink(l);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
	free(l);
}

static void
test_consist_disks(const char *dir)
{
	char *img1 = xasprintf("%s/vm1/System.img", dir);
	char *img2 = xasprintf("%s/vm2/System.img", dir);
	char *cfg1 = xasprintf("%s/vm1/vm.cfg", dir);
	char *cfg2 = xasprintf("%s/vm2/vm.cfg", dir);
	char *d1 = xasprintf("%s/vm1", dir), *d2 = xasprintf("%s/vm2", dir);
	char *text, *want;
	const char *images[2], *cfgs[2];
	struct finding *f = NULL;
	struct domcfg *c;
	size_t n;
	int fd;

	mkdir(d1, 0700);
	mkdir(d2, 0700);
	if ((fd = open(img1, O_WRONLY | O_CREAT, 0600)) != -1)
		close(fd);
	if ((fd = open(img2, O_WRONLY | O_CREAT, 0600)) != -1)
		close(fd);
	images[0] = img1;
	images[1] = img2;
	cfgs[0] = cfg1;
	cfgs[1] = cfg2;

	/* Before apply: vm2's config names the template's disk. */
	c = cfg_str(cfg2, "name = 'vm2'\n"
	    "disk = ['file:/OVS/running_pool/tmpl-el5/System.img,xvda,w']\n");
	if (c) {
		n = consist_check_disks(c, images + 1, cfgs + 1, 1, 0, &f, 0);
		CHECK_INT(n, 1);
		if (n == 1) {
			CHECK_STR(f[0].code, "disk-not-image");
			want = xasprintf("%s:2: disk0 is '/OVS/running_pool/"
			    "tmpl-el5/System.img', not the inspected image "
			    "'%s': the domain would boot another disk "
			    "('imprint apply' makes it follow the image)", cfg2,
			    img2);
			CHECK_STR(f[0].message, want);
			free(want);
		}
		consist_free(f, n);
		f = NULL;
		domcfg_free(c);
	}

	/* After: the clone's own disk; also found through a "..". */
	text = xasprintf("disk = ['phy:/dev/cdrom,hdc:cdrom,r', "
	    "'file:%s/../vm2/System.img,xvda,w']\n", d1);
	c = cfg_str(cfg2, text);
	if (c) {
		CHECK_INT(consist_check_disks(c, images, cfgs, 2, 1, &f, 0),
		    0);
		CHECK(f == NULL);
		domcfg_free(c);
	}
	free(text);

	/* --vmcfg auto: vm2's config names vm1's image as well. */
	text = xasprintf("disk = ['file:%s,xvda,w', 'file:%s,xvdb,w']\n",
	    img2, img1);
	c = cfg_str(cfg2, text);
	if (c) {
		n = consist_check_disks(c, images, cfgs, 2, 1, &f, 0);
		CHECK_INT(n, 1);
		if (n == 1) {
			CHECK_STR(f[0].code, "disk-other-image");
			want = xasprintf("%s:1: disk1 '%s' is the image '%s' "
			    "of this run, whose config is '%s': two domains "
			    "would write one disk", cfg2, img1, img1, cfg1);
			CHECK_STR(f[0].message, want);
			free(want);
		}
		consist_free(f, n);
		f = NULL;
		/* One config for both images (one domain): fine. */
		cfgs[0] = cfg2;
		CHECK_INT(consist_check_disks(c, images, cfgs, 2, 1, &f, 0),
		    0);
		cfgs[0] = cfg1;
		domcfg_free(c);
	}
	free(text);

	/* No disks at all: nothing to say. */
	c = cfg_str(cfg2, "name = 'x'\n");
	if (c) {
		CHECK_INT(consist_check_disks(c, images, cfgs, 2, 1, &f, 0),
		    0);
		domcfg_free(c);
	}
	unlink(img1);
	unlink(img2);
	rmdir(d1);
	rmdir(d2);
	free(img1);
	free(img2);
	free(cfg1);
	free(cfg2);
	free(d1);
	free(d2);
}

int
main(void)
{
	char tmpl[] = "/tmp/test_disks_dir.XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (dir == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_guest_disks();
	test_follow_ovm2();
	test_follow_prefixes();
	test_keep_and_explicit();
	test_refusals();
	test_same_path(dir);
	test_consist_disks(dir);
	rmdir(dir);
	return unit_done();
}
