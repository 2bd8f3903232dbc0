/*
 * test_clone.c - clone.c: the template's name replaced in a path, and a
 * disk copied with its holes kept, on a host temp file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clone.h"
#include "unit.h"
#include "util.h"

/* The renamed path, or "-" when the name is not found; *depth_r. */
static char *
ren(const char *path, const char *old, const char *new, unsigned *depth_r)
{
	char *out;
	unsigned d;

	if (clone_rename_path(path, old, new, &out, &d) != 0) {
		CHECK(out == NULL);
		return xstrdup("-");
	}
	if (depth_r)
		*depth_r = d;
	return out;
}

#define CHECK_REN(path, old, new, want, wdepth) do {			\
	unsigned rd_ = 99;						\
	char *rg_ = ren(path, old, new, &rd_);				\
	CHECK_STR(rg_, want);						\
	if (strcmp(want, "-") != 0)					\
		CHECK_INT(rd_, wdepth);					\
	free(rg_);							\
} while (0)

static void
test_rename(void)
{
	/* the seeds' layouts */
	CHECK_REN("/OVS/running_pool/EL52_vm1/System.img", "EL52_vm1",
	    "EL52_vm2", "/OVS/running_pool/EL52_vm2/System.img", 1);
	CHECK_REN("/var/lib/xen/images/dc1.qcow2", "dc1", "dc2",
	    "/var/lib/xen/images/dc2.qcow2", 0);
	CHECK_REN("/etc/xen/dc1", "dc1", "dc2", "/etc/xen/dc2", 0);
	CHECK_REN("/etc/xen/dc1.cfg", "dc1", "web-02", "/etc/xen/web-02.cfg",
	    0);
	/* absent */
	CHECK_REN("/var/lib/xen/images/disk.img", "dc1", "dc2", "-", 0);
	CHECK_REN("", "dc1", "dc2", "-", 0);
	/* a prefix or suffix of another word is not the name */
	CHECK_REN("/images/dc10.img", "dc1", "dc2", "-", 0);
	CHECK_REN("/images/xdc1.img", "dc1", "dc2", "-", 0);
	CHECK_REN("/images/dc10/dc1.img", "dc1", "dc2", "/images/dc10/dc2.img",
	    0);
	CHECK_REN("/images/dc1/dc10.img", "dc1", "dc2", "/images/dc2/dc10.img",
	    1);
	/* twice in the path: only the last component that holds it */
	CHECK_REN("/srv/dc1/dc1.img", "dc1", "dc2", "/srv/dc1/dc2.img", 0);
	CHECK_REN("/srv/dc1/images/disk.img", "dc1", "dc2",
	    "/srv/dc2/images/disk.img", 2);
	/* twice in one component: both */
	CHECK_REN("/srv/dc1-dc1.img", "dc1", "dc2", "/srv/dc2-dc2.img", 0);
	/* '_', '-', '.' are boundaries */
	CHECK_REN("/x/EL52_vm1/a", "vm1", "vm2", "/x/EL52_vm2/a", 1);
	/* the fallback: any case, at a CamelCase boundary, NEW cased so */
	CHECK_REN("/dev/VolGroupXX/LogVolDc1", "dc1", "dc2",
	    "/dev/VolGroupXX/LogVolDc2", 0);
	CHECK_REN("/x/DC1.img", "dc1", "dc2", "/x/DC2.img", 0);
	CHECK_REN("/dev/vg/LogVolDc1", "dc1", "web-02", "/dev/vg/LogVolWeb-02",
	    0);
	CHECK_REN("/dev/vg/lv2Dc1", "dc1", "dc2", "/dev/vg/lv2Dc2", 0);
	CHECK_REN("/dev/vg/dc1", "DC1", "DC2", "/dev/vg/dc2", 0);
	CHECK_REN("/x/el52_vm1/a", "EL52_vm1", "EL52_vm2", "/x/el52_vm2/a", 1);
	/* ... but not inside a word, nor as a prefix */
	CHECK_REN("/dev/vg/LogVolDc10", "dc1", "dc2", "-", 0);
	CHECK_REN("/dev/vg/LogVoldc1", "dc1", "dc2", "-", 0);
	CHECK_REN("/dev/vg/LOGVOLDC1", "dc1", "dc2", "-", 0);
	CHECK_REN("/images/xDc1.img", "dc1", "dc2", "/images/xDc2.img", 0);
	CHECK_REN("/images/Xdc1.img", "dc1", "dc2", "-", 0);
	/* an exact match anywhere wins over the fallback */
	CHECK_REN("/srv/dc1/LogVolDc1", "dc1", "dc2", "/srv/dc2/LogVolDc1", 1);
	CHECK_REN("/srv/Dc1/LogVolDc1", "dc1", "dc2", "/srv/Dc1/LogVolDc2", 0);
	/* a trailing slash is kept */
	CHECK_REN("/x/dc1/", "dc1", "dc2", "/x/dc2/", 0);
	/* a relative path */
	CHECK_REN("dc1.img", "dc1", "dc2", "dc2.img", 0);
	/* empty names find nothing */
	CHECK_REN("/x/dc1", "", "dc2", "-", 0);
	CHECK_REN("/x/dc1", "dc1", "", "-", 0);
}

static void
put_at(int fd, off_t off, char c, size_t n)
{
	char *b = xmalloc(n);

	memset(b, c, n);
	if (pwrite(fd, b, n, off) != (ssize_t)n) {
		perror("pwrite");
		exit(1);
	}
	free(b);
}

static bool
same_bytes(const char *a, const char *b)
{
	char *x, *y;
	size_t xl, yl;
	bool same;

	if (read_host_file(a, 64u << 20, &x, &xl) == -1)
		return false;
	if (read_host_file(b, 64u << 20, &y, &yl) == -1) {
		free(x);
		return false;
	}
	same = xl == yl && memcmp(x, y, xl) == 0;
	free(x);
	free(y);
	return same;
}

static void
test_copy(void)
{
	char dir[] = "/tmp/imprint-clone.XXXXXX";
	char *src, *dst, *dst2;
	struct stat s1, s2;
	bool refl;
	int fd, pr;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	src = xasprintf("%s/tmpl.img", dir);
	dst = xasprintf("%s/clone.img", dir);
	dst2 = xasprintf("%s/missing/clone.img", dir);
	/* 8 MiB: data at 1 MiB and 5 MiB, holes around, a hole at the end */
	fd = open(src, O_WRONLY | O_CREAT | O_EXCL, 0640);
	CHECK(fd != -1);
	put_at(fd, 1 << 20, 'a', 8192);
	put_at(fd, 5 << 20, 'b', 4096 * 3 + 17);
	CHECK(ftruncate(fd, 8 << 20) == 0);
	close(fd);
	CHECK(chmod(src, 0640) == 0);

	pr = clone_reflink_probe(src, dir);
	CHECK(pr == 0 || pr == 1);
	CHECK(clone_copy_file(src, dst, 0640, &refl) == 0);
	CHECK(refl == (pr == 1));
	CHECK(same_bytes(src, dst));
	CHECK(stat(src, &s1) == 0 && stat(dst, &s2) == 0);
	CHECK_INT(s2.st_size, 8 << 20);
	CHECK_INT(s2.st_mode & 07777, 0640);
	/* holes kept: no more blocks than the template, far fewer than
	 * the size (a reflink shares the template's) */
	CHECK(s2.st_blocks <= s1.st_blocks);
	CHECK(s2.st_blocks < (8 << 20) / 512 / 4);
	if (s2.st_blocks > s1.st_blocks)
		fprintf(stderr, "    blocks %lld vs %lld\n",
		    (long long)s2.st_blocks, (long long)s1.st_blocks);

	/* never over an existing file, and the existing file stays */
	fprintf(stderr, "expected: a refusal of an existing target\n");
	CHECK(clone_copy_file(src, dst, 0640, &refl) == -1);
	CHECK(access(dst, F_OK) == 0);
	/* a failed copy leaves nothing */
	fprintf(stderr, "expected: a missing directory\n");
	CHECK(clone_copy_file(src, dst2, 0640, &refl) == -1);
	CHECK(access(dst2, F_OK) == -1 && errno == ENOENT);
	fprintf(stderr, "expected: a missing template\n");
	CHECK(clone_copy_file(dst2, src, 0640, &refl) == -1);
	CHECK(access(src, F_OK) == 0);

	/* an empty template, and one that is all data */
	CHECK(unlink(dst) == 0);
	fd = open(src, O_WRONLY | O_TRUNC);
	CHECK(fd != -1);
	close(fd);
	CHECK(clone_copy_file(src, dst, 0600, &refl) == 0);
	CHECK(same_bytes(src, dst));
	CHECK(unlink(dst) == 0);
	fd = open(src, O_WRONLY | O_TRUNC);
	put_at(fd, 0, 'c', 100000);
	close(fd);
	CHECK(clone_copy_file(src, dst, 0600, &refl) == 0);
	CHECK(same_bytes(src, dst));

	unlink(src);
	unlink(dst);
	rmdir(dir);
	free(src);
	free(dst);
	free(dst2);
}

int
main(void)
{
	test_rename();
	test_copy();
	return unit_done();
}
