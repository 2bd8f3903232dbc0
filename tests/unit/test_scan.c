/*
 * test_scan.c - unit tests for scan.c: uuid and MAC canonical forms, the
 * disk sharing modes, the walk (which files count, symlinks never
 * followed below a root, each file once, sorted order, size cap, stop and
 * file cap) and the collision grouping on configs written to a scratch
 * directory.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domcfg.h"
#include "scan.h"
#include "unit.h"
#include "util.h"

static char dir[] = "/tmp/imprint-scan.XXXXXX";

static char *
at(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
put(const char *name, const char *s)
{
	char *path = at(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd == -1 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		perror(path);
		exit(1);
	}
	close(fd);
	free(path);
}

static void
sub(const char *name)
{
	char *path = at(name);

	if (mkdir(path, 0755) == -1) {
		perror(path);
		exit(1);
	}
	free(path);
}

static void
link_to(const char *target, const char *name)
{
	char *path = at(name);

	CHECK_INT(symlink(target, path), 0);
	free(path);
}

static void
check_uuid(const char *in, const char *want)
{
	char out[37] = "untouched";

	if (want == NULL) {
		CHECK_INT(scan_uuid_norm(in, out), -1);
		CHECK_STR(out, "untouched");
	} else {
		CHECK_INT(scan_uuid_norm(in, out), 0);
		CHECK_STR(out, want);
	}
}

static void
check_mac(const char *in, const char *want)
{
	char out[18] = "untouched";

	if (want == NULL) {
		CHECK_INT(scan_mac_norm(in, out), -1);
		CHECK_STR(out, "untouched");
	} else {
		CHECK_INT(scan_mac_norm(in, out), 0);
		CHECK_STR(out, want);
	}
}

/* What a walk saw: one line per callback, "STATUS PATH[ root][: error]". */
struct log {
	struct buf	 b;
	struct scan_set	*set;
	int		 stop_after;	/* return -1 at this call (1-based) */
	int		 calls;
};

static int
record(const struct scan_file *f, void *arg)
{
	struct log *l = arg;
	static const char *const st[] = { "ok", "unparsable", "unreadable" };

	l->calls++;
	buf_addf(&l->b, "%s %s%s%s%s", st[f->status], f->path +
	    (strncmp(f->path, dir, strlen(dir)) == 0 ? strlen(dir) : 0),
	    f->is_root ? " root" : "", f->is_dir ? " dir" : "",
	    f->status == SCAN_OK ? "" : ": ");
	if (f->status != SCAN_OK)
		buf_adds(&l->b, f->error);
	buf_addc(&l->b, '\n');
	/* the bytes are handed over in every case but unreadable */
	if (f->status != SCAN_UNREADABLE)
		CHECK(f->text != NULL && strlen(f->text) == f->len);
	CHECK((f->cfg != NULL) == (f->status == SCAN_OK));
	if (l->set != NULL)
		scan_set_add(l->set, f);
	return l->calls == l->stop_after ? -1 : 0;
}

/* The collisions as text: "kind value: file:line (written), ...". */
static void
dump(const struct scan_set *s, size_t n, struct buf *b)
{
	const struct scan_collision *c;
	size_t i, j;

	for (i = 0; i < n; i++) {
		c = scan_set_collision(s, i);
		buf_addf(b, "%s %s:", scan_kind_name(c->kind), c->value);
		for (j = 0; j < c->nplaces; j++) {
			buf_addf(b, "%s%s:%d", j ? ", " : " ",
			    c->places[j].file + strlen(dir),
			    c->places[j].line);
			if (c->places[j].written != NULL)
				buf_addf(b, " (%s)", c->places[j].written);
		}
		buf_addc(b, '\n');
	}
	CHECK(scan_set_collision(s, n) == NULL);
}

static void
test_norm(void)
{
	check_uuid("6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
	    "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f");
	check_uuid("6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F",
	    "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f");
	/* Oracle VM 3: dashless */
	check_uuid("0004fb00000600001e2a3f4d5c6b7a89",
	    "0004fb00-0006-0000-1e2a-3f4d5c6b7a89");
	check_uuid("0004FB00000600001E2A3F4D5C6B7A89",
	    "0004fb00-0006-0000-1e2a-3f4d5c6b7a89");
	check_uuid("0004fB00000600001e2A3f4d5c6b7a89",
	    "0004fb00-0006-0000-1e2a-3f4d5c6b7a89");
	check_uuid("", NULL);
	check_uuid("0004fb00000600001e2a3f4d5c6b7a8", NULL);	/* 31 */
	check_uuid("0004fb00000600001e2a3f4d5c6b7a890", NULL);	/* 33 */
	check_uuid("0004fb00000600001e2a3f4d5c6b7a8g", NULL);
	check_uuid("6f1c2d3e4-a5b-4c6d-8e7f-0a1b2c3d4e5f", NULL);
	check_uuid("6f1c2d3e-4a5b-4c6d-8e7f0a1b2c3d4e5f", NULL);
	check_uuid("6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f ", NULL);
	check_uuid("{6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5}", NULL);
	check_uuid("6f1c2d3e_4a5b_4c6d_8e7f_0a1b2c3d4e5f", NULL);

	check_mac("00:16:3e:aa:bb:01", "00:16:3e:aa:bb:01");
	check_mac("00:16:3E:AA:BB:01", "00:16:3e:aa:bb:01");
	check_mac("00-16-3E-aa-BB-01", "00:16:3e:aa:bb:01");
	check_mac(" 00:16:3e:aa:bb:01\t", "00:16:3e:aa:bb:01");
	check_mac("00:16-3e:aa:bb:01", NULL);	/* mixed separators */
	check_mac("00-16-3e-aa-bb:01", NULL);
	check_mac("0:16:3e:aa:bb:01", NULL);
	check_mac("00:16:3e:aa:bb", NULL);
	check_mac("00:16:3e:aa:bb:01:02", NULL);
	check_mac("00:16:3e:aa:bb:0g", NULL);
	check_mac("0016.3eaa.bb01", NULL);
	check_mac("00163eaabb01", NULL);
	check_mac("00:16:3e:aa:bb:01x", NULL);
	check_mac("", NULL);
	check_mac("auto", NULL);

	CHECK_INT(scan_disk_mode("phy:/dev/vg/lv,xvda,w"), SCAN_DISK_EXCL);
	CHECK_INT(scan_disk_mode("file:/x.img,xvda,rw"), SCAN_DISK_EXCL);
	CHECK_INT(scan_disk_mode("file:/x.iso,hdc:cdrom,r"), SCAN_DISK_RO);
	CHECK_INT(scan_disk_mode("file:/x.iso,hdc,r"), SCAN_DISK_RO);
	CHECK_INT(scan_disk_mode("file:/x.iso, hdc , ro "), SCAN_DISK_RO);
	CHECK_INT(scan_disk_mode("phy:/dev/sdb,xvdb,w!"), SCAN_DISK_SHARED);
	CHECK_INT(scan_disk_mode("/x.img,raw,xvda,rw"), SCAN_DISK_EXCL);
	CHECK_INT(scan_disk_mode("/x.iso,raw,xvdc,ro"), SCAN_DISK_RO);
	CHECK_INT(scan_disk_mode(",raw,hdc:cdrom,r"), SCAN_DISK_RO);
	CHECK_INT(scan_disk_mode("vdev=xvda, access=r, target=/x.img"),
	    SCAN_DISK_RO);
	CHECK_INT(scan_disk_mode("vdev=xvda,access=rw,target=/x.img"),
	    SCAN_DISK_EXCL);
	CHECK_INT(scan_disk_mode("devtype=cdrom,vdev=hdc,target=/x.iso"),
	    SCAN_DISK_RO);
	CHECK_INT(scan_disk_mode("vdev=hdc:cdrom,target=/x.iso"),
	    SCAN_DISK_RO);
	CHECK_INT(scan_disk_mode("xvdc,cdrom,target=/x.iso"), SCAN_DISK_RO);
	/* after target= everything is the path, even ",r" */
	CHECK_INT(scan_disk_mode("vdev=xvda,target=/a,r"), SCAN_DISK_EXCL);
	/* the positional target itself is never the mode */
	CHECK_INT(scan_disk_mode("r,xvda,w"), SCAN_DISK_EXCL);
	CHECK_INT(scan_disk_mode("file:/x:cdrom,xvda,w"), SCAN_DISK_EXCL);
	CHECK_INT(scan_disk_mode(""), SCAN_DISK_EXCL);
	CHECK_INT(scan_disk_mode(NULL), SCAN_DISK_EXCL);

	CHECK_STR(scan_kind_name(SCAN_UUID), "uuid");
	CHECK_STR(scan_kind_name(SCAN_MAC), "mac");
	CHECK_STR(scan_kind_name(SCAN_NAME), "name");
	CHECK_STR(scan_kind_name(SCAN_DISK), "disk");
}

int
main(void)
{
	struct log l;
	struct buf b = BUF_INIT, want = BUF_INIT;
	char *roots[4], *big, *real_disk;
	char empty[] = "", missing[] = "/nonexistent-imprint-dir";
	const char *p, *e;
	size_t n;
	int fd;

	test_norm();

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* disk keys are real paths: the expected ones assume dir is one */
	{
		char *r = realpath(dir, NULL);

		CHECK_STR(r, dir);
		free(r);
	}
	/*
	 * The tree:
	 *   a/vm.cfg       web1, dashed uuid, two MACs, two disks
	 *   b/vm.cfg       web1 again, the uuid dashless upper-case, the
	 *                  first MAC with '-' in upper case, a MAC twice,
	 *                  the first disk as tap:aio:, the ISO read-only
	 *   c/x.cfg        other values; disk via a symlink to a/'s real one
	 *   c/bad.cfg      not a config
	 *   c/notes.txt    not a *.cfg name: never read
	 *   c/loop -> ..   a loop, not followed
	 *   c/out.cfg -> outside config, not followed
	 *   c/hard.cfg     a hard link to a/vm.cfg: read once
	 *   big.cfg        sparse, over the size cap
	 *   d/shared.cfg   w! and r disks shared with e/: no collision
	 */
	sub("a");
	sub("b");
	sub("c");
	sub("d");
	sub("e");
	real_disk = at("disk.img");
	put("disk.img", "");
	link_to("disk.img", "disk-link.img");
	buf_addf(&b,
	    "# web1\n"
	    "name = 'web1'\n"
	    "uuid = '0004fb00-0006-0000-1e2a-3f4d5c6b7a89'\n"
	    "vif = [ 'mac=00:16:3e:aa:bb:01,bridge=xenbr0',\n"
	    "        'mac=00:16:3e:aa:bb:02' ]\n"
	    "disk = [ 'file:/OVS/running_pool/web1/System.img,xvda,w',\n"
	    "         'file:/OVS/iso/el5.iso,hdc:cdrom,r',\n"
	    "         'file:%s,xvdb,w' ]\n", real_disk);
	put("a/vm.cfg", b.data);
	buf_reset(&b);
	put("b/vm.cfg",
	    "name = \"web1\"\r\n"
	    "uuid = \"0004FB00000600001E2A3F4D5C6B7A89\"\r\n"
	    "vif = [ 'mac=00-16-3E-AA-BB-01', "
	    "'bridge=xenbr0,mac=00:16:3e:aa:bb:03',\r\n"
	    "  'mac=00:16:3E:aa:bb:03' ]\r\n"
	    "disk = [ 'tap:aio:/OVS/running_pool/web1/System.img,xvda,w',\r\n"
	    "  'file:/OVS/iso/el5.iso,hdc:cdrom,r' ]\r\n");
	buf_addf(&b,
	    "name = 'web2'\n"
	    "uuid = 'not-a-uuid'\n"
	    "vif = [ 'mac=auto', 'bridge=xenbr0', 'mac=00:16:3e:aa:bb:04' ]\n"
	    "disk = [ 'phy:%s/disk-link.img,xvda,w', "
	    "'phy:imprint-no-dev,xvdb,w',\n"
	    "  'phy:/dev/imprint-no-dev,xvdc,w', ',raw,hdc:cdrom,r' ]\n", dir);
	put("c/x.cfg", b.data);
	buf_reset(&b);
	put("c/bad.cfg", "import os\nname = 'web1'\n");
	put("c/notes.txt", "name = 'web1'\n");
	link_to("..", "c/loop");
	put("outside.conf", "name = 'web1'\nuuid = 'not-a-uuid'\n");
	link_to("../outside.conf", "c/out.cfg");
	{
		char *from = at("a/vm.cfg"), *to = at("c/hard.cfg");

		CHECK_INT(link(from, to), 0);
		free(from);
		free(to);
	}
	big = at("big.cfg");
	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd != -1 && ftruncate(fd, DOMCFG_MAX_SIZE + 1) == 0);
	close(fd);
	put("d/shared.cfg",
	    "name = 'node1'\n"
	    "disk = [ 'phy:/dev/cluster/ocfs2,xvdb,w!', "
	    "'file:/OVS/iso/tools.iso,hdc:cdrom,r' ]\n");
	put("e/shared.cfg",
	    "name = 'node2'\n"
	    "disk = [ 'phy:/dev/cluster/ocfs2,xvdb,w!', "
	    "'file:/OVS/iso/tools.iso,hdc,r',\n"
	    "  'file:/OVS/iso/el5.iso,xvdd,w' ]\n");

	/* the walk: sorted, each file once, links below the root not read */
	memset(&l, 0, sizeof(l));
	l.set = scan_set_new();
	roots[0] = dir;
	CHECK_INT(scan_walk(roots, 1, SCAN_MAX_FILES, record, &l), 0);
	buf_addf(&want,
	    "ok /a/vm.cfg\n"
	    "ok /b/vm.cfg\n"
	    "unreadable /big.cfg: cannot read '%s/big.cfg': larger than "
	    "16777216 bytes\n"
	    "unparsable /c/bad.cfg: %s/c/bad.cfg:1:1: python code is not "
	    "supported ('import')\n"
	    "ok /c/x.cfg\n"
	    "ok /d/shared.cfg\n"
	    "ok /e/shared.cfg\n", dir, dir);
	CHECK_STR(l.b.data, want.data);
	buf_reset(&want);

	n = scan_set_finish(l.set);
	CHECK_INT(scan_set_configs(l.set), 5);
	CHECK_INT(scan_set_unreadable(l.set), 2);
	scan_set_unreadable_at(l.set, 0, &p, &e);
	CHECK_STR(p, big);
	buf_addf(&want, "cannot read '%s': larger than 16777216 bytes", big);
	CHECK_STR(e, want.data);
	buf_reset(&want);
	scan_set_unreadable_at(l.set, 1, &p, &e);
	CHECK(p != NULL && strcmp(p + strlen(dir), "/c/bad.cfg") == 0);
	CHECK(e != NULL && strstr(e, ":1:1: python code") != NULL);
	dump(l.set, n, &b);
	buf_addf(&want,
	    "uuid 0004fb00-0006-0000-1e2a-3f4d5c6b7a89: /a/vm.cfg:3, "
	    "/b/vm.cfg:2 (0004FB00000600001E2A3F4D5C6B7A89)\n"
	    "mac 00:16:3e:aa:bb:01: /a/vm.cfg:4, /b/vm.cfg:3 "
	    "(00-16-3E-AA-BB-01)\n"
	    "mac 00:16:3e:aa:bb:03: /b/vm.cfg:3, /b/vm.cfg:4 "
	    "(00:16:3E:aa:bb:03)\n"
	    "name web1: /a/vm.cfg:2, /b/vm.cfg:1\n"
	    "disk /OVS/iso/el5.iso: /a/vm.cfg:7, /b/vm.cfg:6, "
	    "/e/shared.cfg:3\n"
	    "disk /OVS/running_pool/web1/System.img: /a/vm.cfg:6, "
	    "/b/vm.cfg:5\n"
	    "disk /dev/imprint-no-dev: /c/x.cfg:4 (imprint-no-dev), "
	    "/c/x.cfg:5\n"
	    "disk %s: /a/vm.cfg:8, /c/x.cfg:4 (%s/disk-link.img)\n",
	    real_disk, dir);
	CHECK_STR(b.data, want.data);
	CHECK_INT(n, 8);
	/* finishing twice changes nothing */
	CHECK_INT(scan_set_finish(l.set), 8);
	scan_set_free(l.set);
	buf_release(&l.b);
	buf_reset(&b);
	buf_reset(&want);

	/*
	 * Roots: a file of any name is read, a link as root is followed,
	 * a file reached twice (named, inside a named dir) counts once, a
	 * missing root and an empty one are unreadable roots.
	 */
	memset(&l, 0, sizeof(l));
	roots[0] = at("c/out.cfg");
	roots[1] = at("a");
	roots[2] = at("a/vm.cfg");
	roots[3] = empty;
	CHECK_INT(scan_walk(roots, 4, SCAN_MAX_FILES, record, &l), 0);
	/* '' first (fts_open is not asked); then the roots sorted by name */
	buf_addf(&want,
	    "unreadable  root: cannot read '': No such file or directory\n"
	    "ok /a/vm.cfg\n"
	    "ok /c/out.cfg root\n");
	CHECK_STR(l.b.data, want.data);
	buf_reset(&want);
	CHECK_INT(l.calls, 3);
	buf_release(&l.b);
	free(roots[0]);
	free(roots[1]);
	free(roots[2]);

	/* the callback stops the walk */
	memset(&l, 0, sizeof(l));
	l.stop_after = 2;
	roots[0] = dir;
	CHECK_INT(scan_walk(roots, 1, SCAN_MAX_FILES, record, &l), -1);
	CHECK_INT(l.calls, 2);
	buf_release(&l.b);
	/* the file cap */
	memset(&l, 0, sizeof(l));
	CHECK_INT(scan_walk(roots, 1, 3, record, &l), -1);
	CHECK_INT(l.calls, 3);
	buf_release(&l.b);
	/* a missing root, a FIFO as root */
	memset(&l, 0, sizeof(l));
	roots[0] = missing;
	roots[1] = at("fifo");
	CHECK_INT(mkfifo(roots[1], 0644), 0);
	CHECK_INT(scan_walk(roots, 2, SCAN_MAX_FILES, record, &l), 0);
	buf_addf(&want,
	    "unreadable /nonexistent-imprint-dir root: cannot read "
	    "'/nonexistent-imprint-dir': No such file or directory\n"
	    "unreadable /fifo root: cannot read '%s/fifo': not a regular "
	    "file or directory\n", dir);
	CHECK_STR(l.b.data, want.data);
	CHECK_INT(l.calls, 2);
	buf_release(&l.b);
	buf_reset(&want);
	free(roots[1]);

	/* an empty set */
	l.set = scan_set_new();
	CHECK_INT(scan_set_finish(l.set), 0);
	CHECK_INT(scan_set_configs(l.set), 0);
	CHECK(scan_set_collision(l.set, 0) == NULL);
	scan_set_free(l.set);

	buf_release(&b);
	buf_release(&want);
	free(big);
	free(real_disk);
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);

		CHECK_INT(system(cmd), 0);
		free(cmd);
	}
	return unit_done();
}
