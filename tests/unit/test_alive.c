/*
 * test_alive.c - unit tests for alive.c: uuid normalisation, fdinfo
 * parsing, the xl and xm domain list parsers and the matching lines, the
 * domain check through fake xl/xm scripts (IMPRINT_XL, IMPRINT_XM), the
 * image check against child processes that hold a scratch image open
 * read-write, read-only or under a qemu-style lock, and the image lock.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alive.h"
#include "unit.h"
#include "util.h"

static char dir[] = "/tmp/imprint-alive.XXXXXX";
static char *img;

static void
put(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd == -1 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		perror(path);
		exit(1);
	}
	close(fd);
}

/* ---- pure helpers ------------------------------------------------------ */

static void
test_uuid(void)
{
	char out[33];

	CHECK_INT(alive_uuid_normalize("4B7E2C19-8D3A-4F56-B0E1-92C4A7D5F308",
	    out), 0);
	CHECK_STR(out, "4b7e2c198d3a4f56b0e192c4a7d5f308");
	CHECK_INT(alive_uuid_normalize("4b7e2c198d3a4f56b0e192c4a7d5f308",
	    out), 0);
	CHECK_STR(out, "4b7e2c198d3a4f56b0e192c4a7d5f308");
	CHECK_INT(alive_uuid_normalize("4b7e2c19-8d3a4f56-b0e192c4-a7d5f308",
	    out), 0);
	CHECK_STR(out, "4b7e2c198d3a4f56b0e192c4a7d5f308");
	CHECK_INT(alive_uuid_normalize("4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f30",
	    out), -1);
	CHECK_INT(alive_uuid_normalize("4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f3081",
	    out), -1);
	CHECK_INT(alive_uuid_normalize("4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f30g",
	    out), -1);
	CHECK_INT(alive_uuid_normalize(" 4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308",
	    out), -1);
	CHECK_INT(alive_uuid_normalize("", out), -1);
}

static void
test_fdinfo(void)
{
	/* as Linux 6.x prints it for qemu's image descriptor */
	static const char qemu[] = "pos:\t0\nflags:\t02100002\nmnt_id:\t27\n"
	    "ino:\t10952708\nlock:\t1: OFDLCK ADVISORY  READ -1 "
	    "fe:00:10952708 100 101\nlock:\t2: OFDLCK ADVISORY  READ -1 "
	    "fe:00:10952708 201 201";
	unsigned int fl = 0;

	CHECK_INT(alive_parse_fdinfo_flags(qemu, &fl), 0);
	CHECK_INT(fl, 02100002);
	CHECK_INT(fl & O_ACCMODE, O_RDWR);
	CHECK_INT(alive_fdinfo_has_lock(qemu), 1);
	CHECK_INT(alive_parse_fdinfo_flags("pos:\t0\nflags:\t0100000", &fl), 0);
	CHECK_INT(fl & O_ACCMODE, O_RDONLY);
	CHECK_INT(alive_parse_fdinfo_flags("flags:\t01\n", &fl), 0);
	CHECK_INT(fl, O_WRONLY);
	CHECK_INT(alive_fdinfo_has_lock("pos:\t0\nflags:\t01\n"), 0);
	CHECK_INT(alive_parse_fdinfo_flags("pos:\t0\nmnt_id:\t3\n", &fl), -1);
	CHECK_INT(alive_parse_fdinfo_flags("flags:\t08\n", &fl), -1);
	CHECK_INT(alive_parse_fdinfo_flags("flags:\t\n", &fl), -1);
	CHECK_INT(alive_parse_fdinfo_flags("xflags:\t02\n", &fl), -1);
	CHECK_INT(alive_parse_fdinfo_flags("", &fl), -1);
}

/* The layout of tools/xl/xl_info.c list_domains() with -v (Xen 4.x). */
static const char xl_table[] =
"Name                                        ID   Mem VCPUs\tState\tTime(s)"
"   UUID                            Reason-Code\tSecurity Label\n"
"Domain-0                                     0  2048     4     r-----"
"    1234.5 00000000-0000-0000-0000-000000000000        -                -\n"
"vm1                                          3  1024     2     -b----"
"      12.0 4B7E2C19-8D3A-4F56-B0E1-92C4A7D5F308        -                -\n"
"my guest two                                12   512     1     --p---"
"       0.1 11111111-2222-3333-4444-555555555555        -                -\n"
"a-rather-long-domain-name-of-more-than-forty-chars    7   256     1     "
"--ps-- 3.0 aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee        0 -\n";

static void
test_xl_parse(void)
{
	struct alive_domlist l = ALIVE_DOMLIST_INIT;

	CHECK_INT(alive_parse_xl_list(xl_table, strlen(xl_table), &l), 0);
	CHECK_INT(l.n, 4);
	if (l.n == 4) {
		CHECK_STR(l.v[0].name, "Domain-0");
		CHECK_STR(l.v[0].id, "0");
		CHECK_STR(l.v[1].name, "vm1");
		CHECK_STR(l.v[1].id, "3");
		CHECK_STR(l.v[1].state, "-b----");
		CHECK_STR(l.v[1].uuid, "4B7E2C19-8D3A-4F56-B0E1-92C4A7D5F308");
		CHECK_STR(l.v[2].name, "my guest two");
		CHECK_STR(l.v[2].id, "12");
		CHECK_STR(l.v[2].state, "--p---");
		CHECK_STR(l.v[3].name,
		    "a-rather-long-domain-name-of-more-than-forty-chars");
		CHECK_STR(l.v[3].uuid, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	}
	alive_domlist_release(&l);
	CHECK_INT(l.n, 0);

	/* the header alone: no domains, but a valid answer */
	CHECK_INT(alive_parse_xl_list(xl_table, 100, &l), 0);
	CHECK_INT(l.n, 0);
	/* not xl list -v: no uuid column, no header, a NUL */
	CHECK_INT(alive_parse_xl_list("Name ID Mem VCPUs State Time(s)\n"
	    "vm1 3 1024 2 -b---- 12.0\n", 54, &l), -1);
	alive_domlist_release(&l);
	CHECK_INT(alive_parse_xl_list("vm1 3 1024 2 -b---- 12.0 "
	    "4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308 - -\n", 67, &l), -1);
	alive_domlist_release(&l);
	CHECK_INT(alive_parse_xl_list("", 0, &l), -1);
	CHECK_INT(alive_parse_xl_list("Name\0x\n", 7, &l), -1);
	alive_domlist_release(&l);
}

/* Shaped as xend's `xm list --long` prints it (Oracle VM 2.2). */
static const char xm_sxp[] =
"(domain\n"
"    (domid 0)\n"
"    (uuid 00000000-0000-0000-0000-000000000000)\n"
"    (vcpus 2)\n"
"    (name Domain-0)\n"
"    (state r-----)\n"
")\n"
"(domain\n"
"    (domid 5)\n"
"    (on_crash restart)\n"
"    (uuid 4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308)\n"
"    (bootloader_args )\n"
"    (image (linux (kernel ) (name not-this) (args 'ro root=/dev/xvda2')))\n"
"    (name \"vm (two)\")\n"
"    (device (vif (uuid 99999999-9999-9999-9999-999999999999)))\n"
"    (state -b----)\n"
")\n";

static const char old_sxp[] = "(domain (domid '4') (name 'vm\\'3') "
    "(uuid '4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308'))";

static void
test_xm_parse(void)
{
	struct alive_domlist l = ALIVE_DOMLIST_INIT;

	CHECK_INT(alive_parse_xm_sxp(xm_sxp, strlen(xm_sxp), &l), 0);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		CHECK_STR(l.v[0].name, "Domain-0");
		CHECK_STR(l.v[0].id, "0");
		CHECK_STR(l.v[1].name, "vm (two)");
		CHECK_STR(l.v[1].id, "5");
		CHECK_STR(l.v[1].uuid, "4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308");
		CHECK_STR(l.v[1].state, "-b----");
	}
	alive_domlist_release(&l);
	/* older sxp.py quotes every atom with Python's repr() */
	CHECK_INT(alive_parse_xm_sxp(old_sxp, strlen(old_sxp), &l), 0);
	CHECK_INT(l.n, 1);
	if (l.n == 1) {
		CHECK_STR(l.v[0].id, "4");
		CHECK_STR(l.v[0].name, "vm'3");
		CHECK_STR(l.v[0].uuid, "4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308");
	}
	alive_domlist_release(&l);
	CHECK_INT(alive_parse_xm_sxp("", 0, &l), 0);
	CHECK_INT(l.n, 0);
	CHECK_INT(alive_parse_xm_sxp("(domain (name a)", 16, &l), -1);
	alive_domlist_release(&l);
	CHECK_INT(alive_parse_xm_sxp("(domain (name a)))", 18, &l), -1);
	alive_domlist_release(&l);
	CHECK_INT(alive_parse_xm_sxp("Error: xend not running\n", 24, &l), -1);
	CHECK_INT(alive_parse_xm_sxp("(vm (name a))", 13, &l), -1);
	CHECK_INT(alive_parse_xm_sxp("(domain (name 'a)", 17, &l), -1);
	alive_domlist_release(&l);
}

static void
test_match(void)
{
	struct alive_domlist l = ALIVE_DOMLIST_INIT;
	struct strlist why = STRLIST_INIT;

	alive_parse_xl_list(xl_table, strlen(xl_table), &l);
	CHECK_INT(alive_match_domains(&l, "vm1", NULL, "xl list -v", &why),
	    1);
	CHECK_INT(why.n, 1);
	if (why.n == 1)
		CHECK_STR(why.v[0], "domain 'vm1' (id 3, uuid "
		    "4B7E2C19-8D3A-4F56-B0E1-92C4A7D5F308, state -b----) "
		    "is running (xl list -v)");
	strlist_release(&why);
	/* by uuid, written without dashes and in lower case */
	CHECK_INT(alive_match_domains(&l, "other",
	    "4b7e2c198d3a4f56b0e192c4a7d5f308", "xl list -v", &why), 1);
	strlist_release(&why);
	/* name and uuid of one domain: one line */
	CHECK_INT(alive_match_domains(&l, "vm1",
	    "4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308", "xl list -v", &why), 1);
	strlist_release(&why);
	/* name of one, uuid of another: both */
	CHECK_INT(alive_match_domains(&l, "my guest two",
	    "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "xl list -v", &why), 2);
	strlist_release(&why);
	/* Domain-0 never counts, by name or by its all-zero uuid */
	CHECK_INT(alive_match_domains(&l, "Domain-0",
	    "00000000-0000-0000-0000-000000000000", "xl list -v", &why), 0);
	CHECK_INT(alive_match_domains(&l, "vm2", NULL, "xl list -v", &why), 0);
	CHECK_INT(alive_match_domains(&l, NULL, NULL, "xl list -v", &why), 0);
	/* names compare exactly */
	CHECK_INT(alive_match_domains(&l, "VM1", "not-a-uuid", "xl list -v",
	    &why), 0);
	CHECK_INT(why.n, 0);
	alive_domlist_release(&l);

	alive_parse_xm_sxp(xm_sxp, strlen(xm_sxp), &l);
	CHECK_INT(alive_match_domains(&l, "vm (two)", NULL,
	    "xm list --long", &why), 1);
	if (why.n == 1)
		CHECK_STR(why.v[0], "domain 'vm (two)' (id 5, uuid "
		    "4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308, state -b----) "
		    "is running (xm list --long)");
	strlist_release(&why);
	alive_domlist_release(&l);
}

/* ---- the domain check through fake listers ------------------------------ */

static char *
script(const char *name, const char *body)
{
	char *path = xasprintf("%s/%s", dir, name);

	put(path, body, 0755);
	return path;
}

static void
test_domain(void)
{
	struct strlist why = STRLIST_INIT, warn = STRLIST_INIT;
	char *xl, *bad, *xm, *junk, *t;

	t = xasprintf("%s/xl-table", dir);
	put(t, xl_table, 0644);
	xl = xasprintf("#!/bin/sh\n[ \"$*\" = 'list -v' ] || exit 9\n"
	    "exec cat '%s'\n", t);
	free(t);
	t = xl;
	xl = script("xl", t);
	free(t);
	bad = script("xl-bad", "#!/bin/sh\necho \"xc: error: Could not "
	    "obtain handle\" >&2\necho second line >&2\nexit 3\n");
	t = xasprintf("%s/xm-sxp", dir);
	put(t, xm_sxp, 0644);
	xm = xasprintf("#!/bin/sh\n[ \"$*\" = 'list --long' ] || exit 9\n"
	    "exec cat '%s'\n", t);
	free(t);
	t = xm;
	xm = script("xm", t);
	free(t);
	junk = script("xl-junk", "#!/bin/sh\necho hello\n");

	setenv("IMPRINT_XL", xl, 1);
	setenv("IMPRINT_XM", "", 1);
	CHECK_INT(alive_check_domain("vm1", NULL, &why, &warn), 1);
	CHECK_INT(why.n, 1);
	CHECK_INT(warn.n, 0);
	strlist_release(&why);
	CHECK_INT(alive_check_domain("vm2",
	    "4b7e2c19-8d3a-4f56-b0e1-92c4a7d5f308", &why, &warn), 1);
	strlist_release(&why);
	CHECK_INT(alive_check_domain("vm2", NULL, &why, &warn), 0);
	CHECK_INT(why.n, 0);
	CHECK_INT(alive_check_domain(NULL, NULL, &why, &warn), 0);

	/* xl fails, no xm: a warning, not an error and not alive */
	setenv("IMPRINT_XL", bad, 1);
	CHECK_INT(alive_check_domain("vm1", NULL, &why, &warn), 0);
	CHECK_INT(why.n, 0);
	CHECK_INT(warn.n, 1);
	if (warn.n == 1)
		CHECK_STR(warn.v[0], "cannot ask Xen whether domain 'vm1' "
		    "runs: xl list -v: exit status 3: xc: error: Could not "
		    "obtain handle");
	strlist_release(&warn);

	/* xl fails, xm answers: xm's answer counts, no warning */
	setenv("IMPRINT_XM", xm, 1);
	CHECK_INT(alive_check_domain("vm (two)", NULL, &why, &warn), 1);
	CHECK_INT(warn.n, 0);
	if (why.n == 1)
		CHECK(strstr(why.v[0], "(xm list --long)") != NULL);
	strlist_release(&why);

	/* neither installed: nothing at all */
	setenv("IMPRINT_XL", "/nonexistent/xl", 1);
	setenv("IMPRINT_XM", "/nonexistent/xm", 1);
	CHECK_INT(alive_check_domain("vm1", NULL, &why, &warn), 0);
	CHECK_INT(why.n + warn.n, 0);
	strlist_release(&why);
	strlist_release(&warn);

	/* output that is no domain list: an error */
	setenv("IMPRINT_XL", junk, 1);
	CHECK_INT(alive_check_domain("vm1", NULL, &why, &warn), -1);

	setenv("IMPRINT_XL", "", 1);
	setenv("IMPRINT_XM", "", 1);
	free(xl);
	free(bad);
	free(xm);
	free(junk);
}

/* ---- the image check against real processes ---------------------------- */

enum hold { HOLD_RDWR, HOLD_RDONLY, HOLD_QEMU_LOCK, HOLD_IMPRINT_LOCK };

/*
 * Start a child that opens img as asked and waits; it reports on a pipe
 * once the descriptor (and lock) is in place.
 */
static pid_t
holder(enum hold how)
{
	struct flock fl;
	int p[2], fd, r;
	char c;
	pid_t pid;

	if (pipe(p) == -1)
		exit(1);
	pid = fork();
	if (pid == -1)
		exit(1);
	if (pid == 0) {
		close(p[0]);
		if (how == HOLD_IMPRINT_LOCK) {
			r = alive_lock_image(img, &fd);
			c = (char)('0' + r);
		} else {
			fd = open(img, how == HOLD_RDONLY ? O_RDONLY : O_RDWR);
			c = fd == -1 ? 'e' : '0';
			if (how == HOLD_QEMU_LOCK && fd != -1) {
				/* what qemu takes: shared locks at 100, 201 */
				memset(&fl, 0, sizeof(fl));
				fl.l_type = F_RDLCK;
				fl.l_whence = SEEK_SET;
				fl.l_start = 100;
				fl.l_len = 2;
				if (fcntl(fd, F_OFD_SETLK, &fl) == -1)
					c = 'l';
				fl.l_start = 201;
				fl.l_len = 1;
				if (fcntl(fd, F_OFD_SETLK, &fl) == -1)
					c = 'l';
			}
		}
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1 || c != '0') {
		fprintf(stderr, "holder %d failed: %c\n", how, c);
		exit(1);
	}
	close(p[0]);
	return pid;
}

/* Our comm, which forked children share (valgrind changes it). */
static char comm[64];

static void
read_comm(void)
{
	FILE *f = fopen("/proc/self/comm", "r");

	if (f == NULL || fgets(comm, sizeof(comm), f) == NULL)
		exit(1);
	comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

static void
reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
test_image(void)
{
	struct strlist why = STRLIST_INIT;
	char *want, *other;
	pid_t pid;
	int fd, fd2;

	read_comm();
	CHECK_INT(alive_check_image(img, &why), 0);
	CHECK_INT(why.n, 0);

	/* our own descriptors never count */
	fd = open(img, O_RDWR);
	CHECK_INT(alive_check_image(img, &why), 0);
	close(fd);

	pid = holder(HOLD_RDONLY);
	CHECK_INT(alive_check_image(img, &why), 0);
	reap(pid);

	pid = holder(HOLD_RDWR);
	CHECK_INT(alive_check_image(img, &why), 1);
	CHECK_INT(why.n, 1);
	want = xasprintf("image '%s' is open for writing by pid %d (%s)",
	    img, (int)pid, comm);
	if (why.n == 1)
		CHECK_STR(why.v[0], want);
	free(want);
	strlist_release(&why);
	/* another name of the same file (a hard link) is the same image */
	other = xasprintf("%s/other-name.img", dir);
	CHECK_INT(link(img, other), 0);
	CHECK_INT(alive_check_image(other, &why), 1);
	strlist_release(&why);
	unlink(other);
	free(other);
	reap(pid);

	pid = holder(HOLD_QEMU_LOCK);
	CHECK_INT(alive_check_image(img, &why), 1);
	CHECK_INT(why.n, 2);
	want = xasprintf("image '%s' is locked by a running qemu (pid %d "
	    "(%s))", img, (int)pid, comm);
	if (why.n == 2)
		CHECK_STR(why.v[1], want);
	free(want);
	strlist_release(&why);
	reap(pid);

	CHECK_INT(alive_check_image(img, &why), 0);
	CHECK_INT(alive_check_image("/nonexistent/x.img", &why), -1);
	CHECK_INT(alive_check_image(dir, &why), -1);
	CHECK_INT(why.n, 0);

	/* the whole check: domain part skipped (no xl), image part alive */
	pid = holder(HOLD_RDWR);
	CHECK_INT(alive_check(img, "vm1", NULL, &why, NULL), 1);
	CHECK_INT(why.n, 1);
	strlist_release(&why);
	reap(pid);
	CHECK_INT(alive_check(img, "vm1", NULL, &why, NULL), 0);

	/* imprint's lock: exclusive across processes and descriptors */
	pid = holder(HOLD_IMPRINT_LOCK);
	CHECK_INT(alive_lock_image(img, &fd), 1);
	/* and it is not in qemu's range: no qemu lock is reported */
	CHECK_INT(alive_check_image(img, &why), 1);
	if (why.n == 1)
		CHECK(strstr(why.v[0], "is open for writing by") != NULL);
	strlist_release(&why);
	reap(pid);
	fd = -1;
	CHECK_INT(alive_lock_image(img, &fd), 0);
	CHECK(fd >= 0);
	CHECK_INT(alive_lock_image(img, &fd2), 1);
	CHECK_INT(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
	CHECK_INT(alive_lock_image(img, &fd2), 0);
	close(fd2);
	CHECK_INT(alive_lock_image("/nonexistent/x.img", &fd), -1);
}

int
main(void)
{
	char *cmd;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	img = xasprintf("%s/System.img", dir);
	put(img, "not really a disk\n", 0644);

	test_uuid();
	test_fdinfo();
	test_xl_parse();
	test_xm_parse();
	test_match();
	test_domain();
	test_image();

	free(img);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	return unit_done();
}
