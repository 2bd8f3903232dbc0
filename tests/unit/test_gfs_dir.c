/*
 * Unit tests for src/gfs_dir.c, the guest filesystem interface over a
 * guest tree on the host: a scratch tree full of symlinks that point out
 * of it (absolute, "../../..", a directory link to "/", a loop, a chain
 * of 40), read, listed and written through the interface, with a file
 * beside the tree standing in for the host's: nothing outside the tree is
 * read, written or created.  Every check runs twice, resolving with
 * openat2(2) and with the walker used where the kernel lacks it.  Then
 * recipes/debian.rcp is planned over a copy of tests/data/guest-debian
 * on the host, carried out, and undone, byte for byte.
 *
 * Owners are set and checked only as root (make check runs as root).
 */
#define _GNU_SOURCE	/* program_invocation_short_name */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "gfs.h"
#include "guest.h"
#include "ident.h"
#include "plan.h"
#include "recipe.h"
#include "survey.h"
#include "undo.h"
#include "unit.h"
#include "util.h"

#define LABEL	"system_u:object_r:etc_t:s0"

static char scratch[] = "/tmp/imprint-test-gfsdir.XXXXXX";
static char *tree;		/* scratch/tree: the guest's "/" */
static char *outside;		/* scratch/host-file: a host file */
static bool root;		/* owners can be set */
static bool selinux_xattr;	/* security.selinux can be set here */

/* ---- the host side ------------------------------------------------------ */

/* scratch/tree/rel (a ring of buffers: a few live at once). */
static const char *
T(const char *rel)
{
	static char ring[8][4096];
	static int k;

	k = (k + 1) % 8;
	snprintf(ring[k], sizeof(ring[k]), "%s/%s", tree, rel);
	return ring[k];
}

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "test setup: %s %s: %s\n", what, path,
	    strerror(errno));
	exit(1);
}

static void
mkfile(const char *rel, const char *data, mode_t mode, uid_t uid, gid_t gid)
{
	const char *p = T(rel);
	int fd;

	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, data, strlen(data)) != (ssize_t)strlen(data) ||
	    fchmod(fd, mode) == -1 || (root && fchown(fd, uid, gid) == -1) ||
	    close(fd) == -1)
		die("write", p);
}

static void
mklink(const char *rel, const char *target)
{
	if (symlink(target, T(rel)) == -1)
		die("symlink", T(rel));
}

static void
mkdirs(const char *rel, mode_t mode)
{
	if (mkdir(T(rel), mode) == -1 || chmod(T(rel), mode) == -1)
		die("mkdir", T(rel));
}

/* The bytes of host file path, or NULL when it cannot be read. */
static char *
host_text(const char *path)
{
	char *buf;
	size_t len;

	if (access(path, F_OK) == -1)
		return NULL;
	if (read_host_file(path, 1 << 20, &buf, &len) == -1)
		return NULL;
	return buf;
}

#define CHECK_HOST(path, want) do {					\
	char *t_ = host_text(path);					\
	CHECK_STR(t_, (want));						\
	free(t_);							\
} while (0)

/* A host path does not exist (not even as a dangling link). */
#define CHECK_GONE(path) do {						\
	struct stat s_;							\
	CHECK(lstat((path), &s_) == -1 && errno == ENOENT);		\
} while (0)

/* Every name in host directory dir, dot files too, sorted, one a line
 * (caller frees). */
static char *
listing(const char *dir)
{
	struct strlist l = STRLIST_INIT;
	struct buf b = BUF_INIT;
	struct dirent *de;
	DIR *dp;
	size_t i;

	if ((dp = opendir(dir)) == NULL)
		return xstrdup("(none)");
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strlist_add(&l, de->d_name);
	closedir(dp);
	sort_strings(l.v, l.n);
	buf_adds(&b, "");
	for (i = 0; i < l.n; i++)
		buf_addf(&b, "%s\n", l.v[i]);
	strlist_release(&l);
	return buf_detach(&b, NULL);
}

#define CHECK_LISTING(dir, want) do {					\
	char *l_ = listing(dir);					\
	CHECK_STR(l_, (want));						\
	free(l_);							\
} while (0)

/* The names of a strlist, one a line (caller frees). */
static char *
joined(const struct strlist *l)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "");
	for (i = 0; i < l->n; i++)
		buf_addf(&b, "%s\n", l->v[i]);
	return buf_detach(&b, NULL);
}

/* The value of extended attribute name of host path itself, or NULL. */
static char *
host_xattr(const char *path, const char *name)
{
	char v[256];
	ssize_t n;

	if ((n = lgetxattr(path, name, v, sizeof(v) - 1)) == -1)
		return NULL;
	return xstrndup(v, (size_t)n);
}

#define CHECK_XATTR(path, name, want) do {				\
	char *x_ = host_xattr((path), (name));				\
	CHECK_STR(x_, (want));						\
	free(x_);							\
} while (0)

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(p);
	return unlink(p);
}

static void
rm_tree(const char *dir)
{
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == -1 &&
	    errno != ENOENT)
		die("remove", dir);
}

/* "PROG: text\n", what warnx prints (caller frees). */
static char *
said(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_addf(&b, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_addc(&b, '\n');
	return buf_detach(&b, NULL);
}

/* Call expr with stderr captured: it returns want_r and says one line. */
#define CHECK_SAYS(expr, want_r, ...) do {				\
	char *sm_, *sw_ = said(__VA_ARGS__);				\
	int sr_;							\
	cap_start();							\
	sr_ = (expr);							\
	sm_ = cap_stop();						\
	CHECK_INT(sr_, (want_r));					\
	CHECK_STR(sm_, sw_);						\
	free(sm_);							\
	free(sw_);							\
} while (0)

/* Call expr, which must say nothing: its result. */
#define QUIET(expr, want_r) do {					\
	char *sm_;							\
	int sr_;							\
	cap_start();							\
	sr_ = (expr);							\
	sm_ = cap_stop();						\
	CHECK_INT(sr_, (want_r));					\
	CHECK_STR(sm_, "");						\
	free(sm_);							\
} while (0)

/*
 * The tree (tree/ in scratch), fresh:
 *   etc/hostname "tmpl\n" 0604 5:6, xattrs user.imprint (and
 *     security.selinux where it can be set)
 *   etc/hosts 0640 7:8, etc/passwd 0644
 *   etc/evil -> /etc/shadow          (the host's, were it followed)
 *   etc/up -> ../../../../etc/hostname
 *   etc/sib -> ../../host-file       (the file beside the tree)
 *   etc/abs -> SCRATCH/host-file     (the same, absolute)
 *   etc/loop -> loop, etc/d -> /, etc/fifo, etc/sub/
 *   chain/l01 -> l02 ... l39 -> l40 -> /etc/hostname (40 links),
 *   chain/l00 -> l01 (41)
 * and host-file beside it, with a known mtime.
 */
static void
make_tree(void)
{
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char name[16], to[16];
	int i, fd;

	rm_tree(tree);
	if (mkdir(tree, 0755) == -1 || chmod(tree, 0755) == -1)
		die("mkdir", tree);
	mkdirs("etc", 0755);
	mkdirs("etc/sub", 0755);
	mkdirs("chain", 0755);
	mkfile("etc/hostname", "tmpl\n", 0604, 5, 6);
	if (lsetxattr(T("etc/hostname"), "user.imprint", "label-u", 7, 0)
	    == -1)
		die("setxattr", T("etc/hostname"));
	selinux_xattr = lsetxattr(T("etc/hostname"), "security.selinux",
	    LABEL, strlen(LABEL), 0) == 0;
	mkfile("etc/hosts", "127.0.0.1\tlocalhost\n", 0640, 7, 8);
	mkfile("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644, 0, 0);
	mklink("etc/evil", "/etc/shadow");
	mklink("etc/up", "../../../../etc/hostname");
	mklink("etc/sib", "../../host-file");
	mklink("etc/abs", outside);
	mklink("etc/loop", "loop");
	mklink("etc/d", "/");
	if (mkfifo(T("etc/fifo"), 0644) == -1)
		die("mkfifo", T("etc/fifo"));
	for (i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "chain/l%02d", i);
		snprintf(to, sizeof(to), "l%02d", i + 1);
		mklink(name, i == 40 ? "/etc/hostname" : to);
	}
	if ((fd = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, "host bytes\n", 11) != 11 || close(fd) == -1 ||
	    utimensat(AT_FDCWD, outside, ts, 0) == -1)
		die("write", outside);
}

/*
 * Before anything else is written through fs: a new file of a unique,
 * harmless name, written through each kind of path the checks write
 * through ("..", a directory link to "/"), must land in dir.  A resolver
 * that escapes its root would have the checks below replace the host's
 * /etc/passwd: stop here instead.
 */
static void
guard(struct gfs *fs, const char *dir, bool links)
{
	static const char *via[] = { "/", "/etc/../../../../", "/etc/d/",
	    "/etc/d/../../" };
	struct guest_attr a = { 0600, (unsigned)geteuid(),
	    (unsigned)getegid() };
	char name[64], *g, *h;
	size_t i;

	snprintf(name, sizeof(name), ".imprint-canary-%ld", (long)getpid());
	h = xasprintf("%s/%s", dir, name);
	for (i = 0; i < (links ? ARRAY_SIZE(via) : 2); i++) {
		g = xasprintf("%s%s", via[i], name);
		if (gfs_write(fs, g, "canary\n", 7, NULL, &a) == -1 ||
		    unlink(h) == -1) {
			fprintf(stderr, "FAIL: %s did not land in %s: the "
			    "tree is not a jail; nothing more is written\n",
			    g, dir);
			rm_tree(scratch);
			exit(1);
		}
		free(g);
	}
	free(h);
}

/* ---- the tree through the interface ------------------------------------- */

static void
test_open(void)
{
	char *nope = xasprintf("%s/nope", scratch);

	CHECK_SAYS(gfs_dir_open(nope) == NULL, 1,
	    "cannot open the guest tree '%s': No such file or directory",
	    nope);
	CHECK_SAYS(gfs_dir_open(outside) == NULL, 1,
	    "cannot open the guest tree '%s': Not a directory", outside);
	gfs_dir_free(NULL);
	free(nope);
}

static void
check_reads(struct gfs *fs)
{
	char *buf = NULL;
	size_t len;

#define READS(path, want) do {						\
	QUIET(gfs_read(fs, (path), 100, &buf, &len), 0);		\
	CHECK_MEM(buf, len, (want), strlen(want));			\
	CHECK(buf && buf[len] == '\0');					\
	free(buf);							\
} while (0)
#define ABSENT(path) do {						\
	QUIET(gfs_read(fs, (path), 100, &buf, &len), 1);		\
	CHECK(buf == NULL && len == 0);					\
} while (0)

	READS("/etc/hostname", "tmpl\n");
	/* out of the tree, were it followed on the host: the tree's */
	ABSENT("/etc/evil");
	QUIET(gfs_is_file(fs, "/etc/evil"), 0);
	READS("/etc/up", "tmpl\n");
	ABSENT("/etc/sib");
	ABSENT("/etc/abs");
	ABSENT("/../host-file");
	ABSENT("/etc/../../host-file");
	READS("/etc/../../../etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	READS("/etc/d/etc/hostname", "tmpl\n");
	READS("/etc/d/../../etc/d/etc/hosts", "127.0.0.1\tlocalhost\n");
	READS("/etc/sub/../up", "tmpl\n");
	READS("//etc///hostname", "tmpl\n");
	/* 40 links are followed, the 41st is a loop: absent, as a loop */
	READS("/chain/l01", "tmpl\n");
	ABSENT("/chain/l00");
	ABSENT("/etc/loop");
	ABSENT("/etc/loop/x");
	ABSENT("/etc/hostname/x");
	ABSENT("/nope");

	/* the cap, a directory, a FIFO (opened, it would block) */
	CHECK_SAYS(gfs_read(fs, "/etc/hostname", 4, &buf, &len), -1,
	    "cannot read /etc/hostname in '%s': larger than 4 bytes", tree);
	CHECK(buf == NULL);
	QUIET(gfs_read(fs, "/etc/hostname", 5, &buf, &len), 0);
	CHECK_MEM(buf, len, "tmpl\n", 5);
	free(buf);
	CHECK_SAYS(gfs_read(fs, "/etc", 100, &buf, &len), -1,
	    "cannot read /etc in '%s': not a regular file", tree);
	CHECK_SAYS(gfs_read(fs, "/etc/fifo", 100, &buf, &len), -1,
	    "cannot read /etc/fifo in '%s': not a regular file", tree);
	CHECK_SAYS(gfs_read(fs, "/etc/d", 100, &buf, &len), -1,
	    "cannot read /etc/d in '%s': not a regular file", tree);

	/* with a shadow in the tree, "/etc/shadow" is that one */
	mkfile("etc/shadow", "tree shadow\n", 0640, 0, 42);
	READS("/etc/evil", "tree shadow\n");
	QUIET(gfs_is_file(fs, "/etc/evil"), 1);
	QUIET(gfs_is_file(fs, "/etc/up"), 1);
	QUIET(gfs_is_file(fs, "/etc/d"), 0);
	QUIET(gfs_is_file(fs, "/etc/fifo"), 0);
	QUIET(gfs_is_file(fs, "/chain/l00"), 0);
	QUIET(gfs_is_file(fs, "/chain/l01"), 1);
	QUIET(gfs_is_file(fs, "/nope"), 0);
	QUIET(gfs_is_file(fs, "/etc/hostname/x"), 0);
#undef READS
#undef ABSENT
}

static void
check_stat(struct gfs *fs)
{
	struct guest_attr a;
	char type, *t;

#define TYPE(path, want) do {						\
	type = 0;							\
	QUIET(gfs_lstat(fs, (path), NULL, &type), 0);			\
	CHECK_INT(type, (want));					\
} while (0)

	memset(&a, 0xff, sizeof(a));
	QUIET(gfs_lstat(fs, "/etc/evil", &a, &type), 0);
	CHECK_INT(type, 'l');
	CHECK_INT(a.mode, 0777);
	QUIET(gfs_lstat(fs, "/etc/hosts", &a, &type), 0);
	CHECK_INT(type, 'f');
	CHECK_INT(a.mode, 0640);
	if (root) {
		CHECK_INT(a.uid, 7);
		CHECK_INT(a.gid, 8);
	}
	TYPE("/etc/d", 'l');
	TYPE("/etc/d/", 'd');		/* "link/" is the directory */
	TYPE("/etc/d/etc/hosts", 'f');
	TYPE("/", 'd');
	TYPE("/etc/..", 'd');
	TYPE("/etc/fifo", '?');
	TYPE("/etc/loop", 'l');
	TYPE("/chain/l00", 'l');
	QUIET(gfs_lstat(fs, "/etc/loop/x", NULL, &type), 1);
	QUIET(gfs_lstat(fs, "/nope", NULL, &type), 1);
	QUIET(gfs_lstat(fs, "/nope/x", NULL, &type), 1);

	QUIET(gfs_readlink(fs, "/etc/evil", &t), 0);
	CHECK_STR(t, "/etc/shadow");
	free(t);
	QUIET(gfs_readlink(fs, "/etc/up", &t), 0);
	CHECK_STR(t, "../../../../etc/hostname");
	free(t);
	QUIET(gfs_readlink(fs, "/etc/loop", &t), 0);
	CHECK_STR(t, "loop");
	free(t);
	QUIET(gfs_readlink(fs, "/etc/d/etc/abs", &t), 0);
	CHECK_STR(t, outside);
	free(t);
	CHECK_SAYS(gfs_readlink(fs, "/etc/hostname", &t), -1,
	    "cannot read the link /etc/hostname in '%s': not a symbolic link",
	    tree);
	CHECK(t == NULL);
	QUIET(gfs_readlink(fs, "/nope", &t), 1);
	CHECK(t == NULL);
#undef TYPE
}

static void
check_ls(struct gfs *fs)
{
	struct strlist l = STRLIST_INIT;
	char *j;

#define LS(dir, want) do {						\
	QUIET(gfs_ls(fs, (dir), &l), 0);				\
	j = joined(&l);							\
	CHECK_STR(j, (want));						\
	free(j);							\
	strlist_release(&l);						\
} while (0)

	LS("/etc", "abs\nd\nevil\nfifo\nhostname\nhosts\nloop\npasswd\n"
	    "shadow\nsib\nsub\nup\n");
	LS("/etc/d", "chain\netc\n");
	LS("/etc/d/etc/..", "chain\netc\n");
	LS("/etc/sub", "");
	/* names already there stay first */
	strlist_add(&l, "zz");
	LS("/etc/sub/../d", "zz\nchain\netc\n");
	QUIET(gfs_ls(fs, "/nope", &l), 1);
	QUIET(gfs_ls(fs, "/etc/hostname", &l), 1);
	QUIET(gfs_ls(fs, "/etc/loop", &l), 1);
	CHECK_INT(l.n, 0);
	QUIET(gfs_glob(fs, "/etc", "h*", &l), 0);
	j = joined(&l);
	CHECK_STR(j, "/etc/hostname\n/etc/hosts\n");
	free(j);
	strlist_release(&l);
#undef LS
}

/*
 * As someone else, a new file (root:root by default) cannot be given its
 * owner: the write fails after the temporary was made, which goes.
 */
static void
check_write_fails(struct gfs *fs)
{
	char *w = said("cannot write /etc/sub/x in '%s': Operation not "
	    "permitted", tree), *m;
	pid_t pid;
	int st = -1, r;

	if (chmod(T("etc/sub"), 0777) == -1)
		die("chmod", T("etc/sub"));
	fflush(NULL);
	if ((pid = fork()) == -1)
		die("fork", "");
	if (pid == 0) {
		if (root && (setresgid(65534, 65534, 65534) == -1 ||
		    setresuid(65534, 65534, 65534) == -1))
			_exit(3);
		cap_start();
		r = gfs_write(fs, "/etc/sub/x", "x", 1, NULL, NULL);
		m = cap_stop();
		r = r != -1 ? 1 : strcmp(m, w) != 0 ? 2 : 0;
		free(m);	/* valgrind checks the child for leaks too */
		free(w);
		_exit(r);
	}
	if (waitpid(pid, &st, 0) == -1)
		die("waitpid", "");
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
	CHECK_LISTING(T("etc/sub"), "");
	if (chmod(T("etc/sub"), 0755) == -1)
		die("chmod", T("etc/sub"));
	free(w);
}

static void
check_write(struct gfs *fs)
{
	struct guest_attr a = { 0600, 9, 10 };
	struct stat st0, st;

	/* in place: a new inode, owner, mode and extended attributes kept,
	 * no temporary left */
	if (stat(T("etc/hostname"), &st0) == -1)
		die("stat", T("etc/hostname"));
	QUIET(gfs_write(fs, "/etc/hostname", "deb1\n", 5, NULL, NULL), 0);
	CHECK_HOST(T("etc/hostname"), "deb1\n");
	CHECK(stat(T("etc/hostname"), &st) == 0);
	CHECK(st.st_ino != st0.st_ino);
	CHECK_INT(st.st_mode, S_IFREG | 0604);
	if (root) {
		CHECK_INT(st.st_uid, 5);
		CHECK_INT(st.st_gid, 6);
	}
	CHECK_XATTR(T("etc/hostname"), "user.imprint", "label-u");
	if (selinux_xattr)
		CHECK_XATTR(T("etc/hostname"), "security.selinux", LABEL);
	CHECK_LISTING(T("etc"), "abs\nd\nevil\nfifo\nhostname\nhosts\nloop\n"
	    "passwd\nshadow\nsib\nsub\nup\n");

	/* attr, applied last */
	if (root) {
		QUIET(gfs_write(fs, "/etc/hosts", "x\n", 2, NULL, &a), 0);
		CHECK_HOST(T("etc/hosts"), "x\n");
		CHECK(stat(T("etc/hosts"), &st) == 0);
		CHECK_INT(st.st_mode, S_IFREG | 0600);
		CHECK_INT(st.st_uid, 9);
		CHECK_INT(st.st_gid, 10);
	}

	/* new files: like a regular file, else root:root 0644 */
	QUIET(gfs_write(fs, "/etc/new", "n\n", 2, "/etc/hostname", NULL), 0);
	CHECK_HOST(T("etc/new"), "n\n");
	CHECK(stat(T("etc/new"), &st) == 0);
	CHECK_INT(st.st_mode, S_IFREG | 0604);
	if (root) {
		CHECK_INT(st.st_uid, 5);
		CHECK_INT(st.st_gid, 6);
	}
	CHECK_XATTR(T("etc/new"), "user.imprint", "label-u");
	if (selinux_xattr)
		CHECK_XATTR(T("etc/new"), "security.selinux", LABEL);
	if (root) {
		QUIET(gfs_write(fs, "/etc/new2", "", 0, NULL, NULL), 0);
		CHECK_HOST(T("etc/new2"), "");
		CHECK(stat(T("etc/new2"), &st) == 0);
		CHECK_INT(st.st_mode, S_IFREG | 0644);
		CHECK_INT(st.st_uid, 0);
		CHECK_INT(st.st_gid, 0);
		/* a symlink is no like, even to a file */
		QUIET(gfs_write(fs, "/etc/new3", "3", 1, "/etc/up", NULL), 0);
		CHECK(stat(T("etc/new3"), &st) == 0);
		CHECK_INT(st.st_mode, S_IFREG | 0644);
		CHECK_INT(st.st_uid, 0);
		CHECK_XATTR(T("etc/new3"), "user.imprint", NULL);
	}

	/* never through a symlink, never a directory or a FIFO */
	CHECK_SAYS(gfs_write(fs, "/etc/evil", "pwned\n", 6, NULL, NULL), -1,
	    "refusing to write /etc/evil in '%s': it is a symbolic link",
	    tree);
	CHECK_HOST(T("etc/shadow"), "tree shadow\n");
	CHECK_SAYS(gfs_write(fs, "/etc/sib", "pwned\n", 6, NULL, NULL), -1,
	    "refusing to write /etc/sib in '%s': it is a symbolic link",
	    tree);
	CHECK_SAYS(gfs_write(fs, "/etc/abs", "pwned\n", 6, NULL, NULL), -1,
	    "refusing to write /etc/abs in '%s': it is a symbolic link",
	    tree);
	CHECK_SAYS(gfs_write(fs, "/etc/sub", "x", 1, NULL, NULL), -1,
	    "refusing to write /etc/sub in '%s': it is not a regular file",
	    tree);
	CHECK_SAYS(gfs_write(fs, "/etc/fifo", "x", 1, NULL, NULL), -1,
	    "refusing to write /etc/fifo in '%s': it is not a regular file",
	    tree);
	CHECK_SAYS(gfs_write(fs, "/", "x", 1, NULL, NULL), -1,
	    "refusing to write / in '%s': it is not a regular file", tree);
	CHECK_SAYS(gfs_write(fs, "/nodir/f", "x", 1, NULL, NULL), -1,
	    "cannot write /nodir/f in '%s': no such directory", tree);
	CHECK_SAYS(gfs_write(fs, "/etc/hostname/f", "x", 1, NULL, NULL), -1,
	    "cannot write /etc/hostname/f in '%s': no such directory", tree);
	CHECK_SAYS(gfs_write(fs, "/etc/loop/x", "x", 1, NULL, NULL), -1,
	    "cannot write /etc/loop/x in '%s': Too many levels of symbolic "
	    "links", tree);

	/* through links and "..": inside the tree */
	QUIET(gfs_write(fs, "/etc/d/hostname2", "in\n", 3, "/etc/passwd",
	    NULL), 0);
	QUIET(gfs_write(fs, "/etc/d/../../host-file", "pwned\n", 6,
	    "/etc/passwd", NULL), 0);
	CHECK_HOST(T("host-file"), "pwned\n");
	QUIET(gfs_write(fs, "/etc/../../../etc/passwd", "p2\n", 3, NULL,
	    NULL), 0);
	CHECK_HOST(T("etc/passwd"), "p2\n");
	CHECK_HOST(T("hostname2"), "in\n");
	CHECK_LISTING(tree, "chain\netc\nhost-file\nhostname2\n");
	check_write_fails(fs);
}

static void
check_remove_symlink(struct gfs *fs)
{
	struct guest_attr a = { 0, 3, 4 };
	struct stat st;
	char *t;

	/* the link, not what it leads to */
	QUIET(gfs_remove(fs, "/etc/up"), 0);
	CHECK_GONE(T("etc/up"));
	CHECK_HOST(T("etc/hostname"), "deb1\n");
	QUIET(gfs_remove(fs, "/etc/d"), 0);
	CHECK_GONE(T("etc/d"));
	CHECK_LISTING(T("etc"), root ? "abs\nevil\nfifo\nhostname\nhosts\n"
	    "loop\nnew\nnew2\nnew3\npasswd\nshadow\nsib\nsub\n" :
	    "abs\nevil\nfifo\nhostname\nhosts\nloop\nnew\npasswd\nshadow\n"
	    "sib\nsub\n");
	QUIET(gfs_remove(fs, "/etc/evil"), 0);
	CHECK_HOST(T("etc/shadow"), "tree shadow\n");
	QUIET(gfs_remove(fs, "/etc/up"), 0);	/* absent is fine */
	QUIET(gfs_remove(fs, "/nope/x"), 0);
	QUIET(gfs_remove(fs, "/etc/loop/x"), 0);
	QUIET(gfs_remove(fs, "/hostname2"), 0);
	CHECK_GONE(T("hostname2"));
	CHECK_SAYS(gfs_remove(fs, "/etc/sub"), -1,
	    "refusing to remove /etc/sub in '%s': not a file", tree);
	CHECK_SAYS(gfs_remove(fs, "/etc/fifo"), -1,
	    "refusing to remove /etc/fifo in '%s': not a file", tree);
	CHECK_SAYS(gfs_remove(fs, "/"), -1,
	    "refusing to remove / in '%s': not a file", tree);

	QUIET(gfs_symlink(fs, "/etc/shadow", "/etc/ln", root ? &a : NULL), 0);
	CHECK(lstat(T("etc/ln"), &st) == 0 && S_ISLNK(st.st_mode));
	if (root) {
		CHECK_INT(st.st_uid, 3);
		CHECK_INT(st.st_gid, 4);
	}
	QUIET(gfs_readlink(fs, "/etc/ln", &t), 0);
	CHECK_STR(t, "/etc/shadow");
	free(t);
	QUIET(gfs_symlink(fs, "/", "/etc/d", NULL), 0);
	QUIET(gfs_symlink(fs, "../x", "/etc/d/../ln2", NULL), 0);
	CHECK(lstat(T("ln2"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_SAYS(gfs_symlink(fs, "x", "/etc/hostname", NULL), -1,
	    "cannot make the symbolic link /etc/hostname in '%s': it exists",
	    tree);
	CHECK_SAYS(gfs_symlink(fs, "x", "/etc/loop", NULL), -1,
	    "cannot make the symbolic link /etc/loop in '%s': it exists",
	    tree);
	CHECK_SAYS(gfs_symlink(fs, "x", "/nodir/x", NULL), -1,
	    "cannot make the symbolic link /nodir/x in '%s': no such "
	    "directory", tree);
}

static void
check_xattrs(struct gfs *fs)
{
	char *v;
	size_t len;

	QUIET(gfs_setxattr(fs, "/etc/hostname", "user.k", "v1", 2), 0);
	CHECK_XATTR(T("etc/hostname"), "user.k", "v1");
	QUIET(gfs_getxattr(fs, "/etc/hostname", "user.k", &v, &len), 0);
	CHECK_MEM(v, len, "v1", 2);
	free(v);
	QUIET(gfs_getxattr(fs, "/etc/hostname", "user.none", &v, &len), 1);
	CHECK(v == NULL && len == 0);
	CHECK_SAYS(gfs_getxattr(fs, "/nope", "user.k", &v, &len), -1,
	    "cannot read user.k of /nope in '%s': no such file", tree);
	CHECK_SAYS(gfs_setxattr(fs, "/nope", "user.k", "v", 1), -1,
	    "cannot set user.k of /nope in '%s': no such file", tree);
	if (!root)
		return;
	/* on the symlink itself (user.* cannot be; trusted.* can) */
	QUIET(gfs_symlink(fs, "/etc/shadow", "/etc/evil", NULL), 0);
	QUIET(gfs_setxattr(fs, "/etc/evil", "trusted.k", "lnk", 3), 0);
	CHECK_XATTR(T("etc/evil"), "trusted.k", "lnk");
	CHECK_XATTR(T("etc/shadow"), "trusted.k", NULL);
	QUIET(gfs_getxattr(fs, "/etc/evil", "trusted.k", &v, &len), 0);
	CHECK_MEM(v, len, "lnk", 3);
	free(v);
	QUIET(gfs_getxattr(fs, "/etc/shadow", "trusted.k", &v, &len), 1);
}

/* Host files the tree's links name, as they were before. */
struct host_state {
	struct stat	 shadow, hosts;
	bool		 has_shadow;
	char		*hostname;
};

static void
host_state(struct host_state *h)
{
	h->has_shadow = stat("/etc/shadow", &h->shadow) == 0;
	if (stat("/etc/hosts", &h->hosts) == -1)
		memset(&h->hosts, 0, sizeof(h->hosts));
	h->hostname = host_text("/etc/hostname");
}

static void
check_host_state(const struct host_state *was)
{
	struct host_state now;

	host_state(&now);
	CHECK_INT(now.has_shadow, was->has_shadow);
	CHECK_INT(now.shadow.st_ino, was->shadow.st_ino);
	CHECK_INT(now.shadow.st_size, was->shadow.st_size);
	CHECK_INT(now.shadow.st_mtim.tv_sec, was->shadow.st_mtim.tv_sec);
	CHECK_INT(now.shadow.st_mtim.tv_nsec, was->shadow.st_mtim.tv_nsec);
	CHECK_INT(now.hosts.st_ino, was->hosts.st_ino);
	CHECK_INT(now.hosts.st_mtim.tv_nsec, was->hosts.st_mtim.tv_nsec);
	CHECK_STR(now.hostname, was->hostname);
	free(now.hostname);
}

static void
test_tree(bool walk, bool *had_openat2)
{
	struct host_state hs;
	struct stat st;
	struct gfs *fs;

	make_tree();
	host_state(&hs);
	CHECK_LISTING(scratch, "host-file\ntree\n");
	if ((fs = gfs_dir_open(tree)) == NULL)
		exit(1);
	CHECK_STR(fs->name, tree);
	if (walk)
		(void)gfs_dir_force_walk(fs);
	else {
		/* whether openat2 is there, asked of a second handle */
		struct gfs *probe = gfs_dir_open(tree);

		*had_openat2 = gfs_dir_force_walk(probe);
		gfs_dir_free(probe);
	}
	guard(fs, tree, true);

	check_reads(fs);
	check_stat(fs);
	check_ls(fs);
	check_write(fs);
	check_remove_symlink(fs);
	check_xattrs(fs);
	QUIET(gfs_flush(fs), 0);
	gfs_dir_free(fs);

	/* nothing outside the tree was touched or made */
	CHECK_LISTING(scratch, "host-file\ntree\n");
	CHECK_HOST(outside, "host bytes\n");
	CHECK(stat(outside, &st) == 0 && st.st_mtim.tv_sec == 1000000000 &&
	    st.st_mtim.tv_nsec == 0);
	check_host_state(&hs);
	free(hs.hostname);
}

/* ---- a plan carried out over a tree on the host ------------------------- */

/* The plan's guest files, "op path" a line (caller frees). */
static char *
plan_list(const struct plan *p)
{
	static const char *ops[] = { "modify", "create", "remove", "symlink" };
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "");
	for (i = 0; i < p->n; i++)
		if (!p->f[i].host)
			buf_addf(&b, "%s %s\n", ops[p->f[i].op], p->f[i].path);
	return buf_detach(&b, NULL);
}

struct run {
	struct recipe		*r;
	struct ident_macs	*macs;
	struct survey		 s;
	struct guest_root	 root;
	struct plan		 p;
};

/* Plan recipes/debian.rcp for deb1 over fs, as test_plan.c does. */
static int
run_plan(struct run *x, struct gfs *fs)
{
	static const char *defs[] = { "name=deb1", "address=192.0.2.31/24",
	    "gateway=192.0.2.1" };
	struct recipe_vars v = RECIPE_VARS_INIT;
	struct plan_input in;
	size_t i;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < ARRAY_SIZE(defs); i++)
		if (recipe_vars_parse_define(&v, defs[i]) == -1)
			exit(1);
	if (recipe_load("recipes/debian.rcp", &v, &x->r) == -1)
		exit(1);
	recipe_vars_release(&v);
	x->root.dev = xstrdup("/dev/sda1");
	x->root.display = xstrdup("/dev/sda1");
	x->root.os.type = xstrdup("linux");
	x->root.os.distro = xstrdup("debian");
	x->root.os.product = xstrdup("");
	x->root.os.source = xstrdup("release files");
	x->root.os.major = 12;
	x->macs = ident_macs_new();
	if (survey_read(fs, &x->s) == -1)
		exit(1);
	memset(&in, 0, sizeof(in));
	in.recipe = x->r;
	in.fs = fs;
	in.root = &x->root;
	in.survey = &x->s;
	in.macs = x->macs;
	return plan_build(&x->p, &in);
}

static void
run_release(struct run *x)
{
	plan_release(&x->p);
	survey_release(&x->s);
	guest_root_release(&x->root);
	ident_macs_free(x->macs);
	recipe_free(x->r);
}

/* tests/data/guest-debian copied to scratch/name as a Debian 12 guest has
 * it: dbus's machine-id a symlink, the private host key 0600, and a lease
 * kept elsewhere through a symlink (caller frees the path). */
static char *
debian_copy(const char *name)
{
	char *dir = xasprintf("%s/%s", scratch, name), *cmd, *p;

	rm_tree(dir);
	cmd = xasprintf("cp -a tests/data/guest-debian '%s'", dir);
	if (system(cmd) != 0)
		die("cp -a", dir);
	free(cmd);
	p = xasprintf("%s/var/lib/dbus' '%s/var/lib/dhcp", dir, dir);
	cmd = xasprintf("mkdir -p '%s'", p);
	if (system(cmd) != 0)
		die("mkdir", p);
	free(cmd);
	free(p);
	p = xasprintf("%s/var/lib/dbus/machine-id", dir);
	if (symlink("/etc/machine-id", p) == -1)
		die("symlink", p);
	free(p);
	/* a lease kept elsewhere through a link: forgotten as the link */
	p = xasprintf("%s/var/lib/dhcp/dhclient.eth0.leases", dir);
	if (symlink("/run/dhclient.eth0.leases", p) == -1)
		die("symlink", p);
	free(p);
	p = xasprintf("%s/etc/ssh/ssh_host_rsa_key", dir);
	if (chmod(p, 0600) == -1)
		die("chmod", p);
	free(p);
	return dir;
}

static void
test_plan_over_dir(bool walk)
{
	struct gfs *fs, *mem = gfs_mem_new();
	struct run x, xm;
	struct undo *u;
	struct plan up;
	struct stat st, rst;
	char *deb = debian_copy("deb"), *ref = debian_copy("ref"), *list;
	char *lm, *p, *q, *cmd;
	size_t i, nch;

	if ((fs = gfs_dir_open(deb)) == NULL ||
	    gfs_mem_load_dir(mem, deb) == -1)
		exit(1);
	if (walk)
		(void)gfs_dir_force_walk(fs);
	guard(fs, deb, false);
	/* the same plan as over the tree held in memory */
	CHECK_INT(run_plan(&x, fs), 0);
	CHECK_INT(run_plan(&xm, mem), 0);
	list = plan_list(&x.p);
	lm = plan_list(&xm.p);
	CHECK_STR(list, lm);
	CHECK(strstr(list, "modify /etc/hostname\n") != NULL);
	CHECK(strstr(list, "remove /var/lib/dhcp/dhclient.eth0.leases\n") !=
	    NULL);
	CHECK(strstr(list, "dbus/machine-id") == NULL);
	free(list);
	free(lm);

	u = undo_new("/nonexistent/deb1.img", "/dev/sda1");
	plan_to_undo(&x.p, u);
	QUIET(plan_carry_out(fs, &x.p, &nch), 0);
	p = xasprintf("%s/etc/hostname", deb);
	CHECK_HOST(p, "deb1\n");
	free(p);
	/* every planned file as planned, modes and owners kept */
	for (i = 0; i < x.p.n; i++) {
		const struct plan_file *f = &x.p.f[i];

		if (f->host)
			continue;
		p = xasprintf("%s%s", deb, f->path);
		q = xasprintf("%s%s", ref, f->path);
		if (f->op == PLAN_REMOVE)
			CHECK_GONE(p);
		else if (CHECK(lstat(p, &st) == 0 && lstat(q, &rst) == 0)) {
			char *t = host_text(p);

			CHECK_MEM(t, t ? strlen(t) : 0, f->new.data ?
			    f->new.data : "", f->new.len);
			CHECK_INT(st.st_mode, rst.st_mode);
			CHECK_INT(st.st_uid, rst.st_uid);
			CHECK_INT(st.st_gid, rst.st_gid);
			free(t);
		}
		free(p);
		free(q);
	}
	p = xasprintf("%s/etc", deb);
	q = xasprintf("%s/etc", ref);
	cmd = listing(q);
	CHECK_LISTING(p, cmd);		/* no temporary left */
	free(cmd);
	free(p);
	free(q);

	/* undone: the tree as it was, the lease a symlink again */
	plan_from_undo(&up, u);
	QUIET(plan_carry_out(fs, &up, &nch), 0);
	cmd = xasprintf("diff -r --no-dereference '%s' '%s'", ref, deb);
	CHECK_INT(system(cmd), 0);
	free(cmd);
	p = xasprintf("%s/var/lib/dhcp/dhclient.eth0.leases", deb);
	CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
	free(p);
	p = xasprintf("%s/etc/ssh/ssh_host_rsa_key", deb);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600);
	free(p);

	plan_release(&up);
	undo_free(u);
	run_release(&x);
	run_release(&xm);
	gfs_dir_free(fs);
	gfs_mem_free(mem);
	rm_tree(deb);
	rm_tree(ref);
	free(deb);
	free(ref);
}

int
main(void)
{
	bool had_openat2 = false;

	if (mkdtemp(scratch) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	tree = xasprintf("%s/tree", scratch);
	outside = xasprintf("%s/host-file", scratch);
	root = geteuid() == 0;
	make_tree();

	test_open();
	test_tree(false, &had_openat2);
	test_tree(true, &had_openat2);
	test_plan_over_dir(false);
	test_plan_over_dir(true);
	if (!had_openat2)
		printf("note: no openat2(2) here; both runs walked\n");

	rm_tree(scratch);
	free(tree);
	free(outside);
	return unit_done();
}
