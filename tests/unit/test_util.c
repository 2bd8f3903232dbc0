/*
 * Unit tests for the small helpers of src/util.c that every command
 * shares: parse_uint (option numbers), path_beside (the vm.cfg beside an
 * image), xrandom, the host file reads (host_open, read_host_file): a
 * FIFO, a device or a directory is refused at once, never waited on, and
 * the escaping of text for the terminal (text_escape, esc).
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "unit.h"
#include "util.h"

static void
test_parse_uint(void)
{
	unsigned long v = 7;

	CHECK_INT(parse_uint("0", 0, 10, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(parse_uint("128", 1, 128, &v), 0);
	CHECK_INT(v, 128);
	CHECK_INT(parse_uint("129", 1, 128, &v), -1);
	CHECK_INT(parse_uint("0", 1, 128, &v), -1);
	CHECK_INT(parse_uint("", 0, 10, &v), -1);
	CHECK_INT(parse_uint("+1", 0, 10, &v), -1);
	CHECK_INT(parse_uint("-1", 0, 10, &v), -1);
	CHECK_INT(parse_uint(" 1", 0, 10, &v), -1);
	CHECK_INT(parse_uint("1 ", 0, 10, &v), -1);
	CHECK_INT(parse_uint("0x1", 0, 10, &v), -1);
	CHECK_INT(parse_uint("99999999999999999999999", 0, ~0UL, &v), -1);
	CHECK_INT(v, 128);	/* untouched on failure */
}

static void
test_path_beside(void)
{
	char *p;

	p = path_beside("/OVS/running_pool/vm2/System.img", "vm.cfg");
	CHECK_STR(p, "/OVS/running_pool/vm2/vm.cfg");
	free(p);
	p = path_beside("System.img", "vm.cfg");
	CHECK_STR(p, "vm.cfg");
	free(p);
	p = path_beside("/System.img", "vm.cfg");
	CHECK_STR(p, "/vm.cfg");
	free(p);
	p = path_beside("pool/c01/System.img", "vm.cfg");
	CHECK_STR(p, "pool/c01/vm.cfg");
	free(p);
}

static void
test_xrandom(void)
{
	unsigned char a[32], b[32];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	xrandom(a, sizeof(a));
	xrandom(b, sizeof(b));
	/* 2^-256 of failing by chance */
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	xrandom(a, 0);
}

/* A read that blocks is the bug: fail loudly rather than hang. */
static void
on_alarm(int sig)
{
	static const char msg[] = "FAIL: a host file read blocked\n";

	(void)sig;
	(void)write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

static void
test_host_files(void)
{
	char dir[] = "/tmp/imprint-util.XXXXXX", *fifo, *file, *link, *big;
	char *buf = NULL, *msg, *want;
	const char *reason = NULL;
	struct buf b = BUF_INIT;
	struct stat st;
	size_t len;
	int fd;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	fifo = xasprintf("%s/fifo", dir);
	file = xasprintf("%s/file", dir);
	link = xasprintf("%s/link", dir);
	big = xasprintf("%s/big", dir);
	CHECK_INT(mkfifo(fifo, 0600), 0);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK_INT(write(fd, "hello\n", 6), 6);
	close(fd);
	CHECK_INT(symlink("file", link), 0);
	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK_INT(ftruncate(fd, 100000), 0);
	close(fd);
	signal(SIGALRM, on_alarm);
	alarm(10);

	/* a FIFO without a writer: refused, not waited on */
	CHECK_INT(host_open(fifo, 0, &st, &reason), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_STR(reason, "not a regular file");
	CHECK(S_ISFIFO(st.st_mode));
	cap_start();
	CHECK_INT(read_host_file(fifo, 4096, &buf, &len), -1);
	msg = cap_stop();
	want = xasprintf("test_util: cannot read '%s': not a regular file\n",
	    fifo);
	CHECK_STR(msg, want);
	free(want);
	free(msg);
	CHECK(buf == NULL);

	/* a character device, a directory */
	CHECK_INT(host_open("/dev/null", 0, &st, &reason), -1);
	CHECK_STR(reason, "not a regular file");
	CHECK(S_ISCHR(st.st_mode));
	CHECK_INT(host_open(dir, 0, &st, &reason), -1);
	CHECK_INT(errno, EISDIR);
	CHECK(S_ISDIR(st.st_mode));
	cap_start();
	CHECK_INT(read_host_file(dir, 4096, &buf, &len), -1);
	msg = cap_stop();
	CHECK(strstr(msg, "Is a directory") != NULL);
	free(msg);

	/* absent: errno and strerror, and st tells it was never opened */
	CHECK_INT(host_open("/nonexistent/x", 0, &st, &reason), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_INT(st.st_mode, 0);

	/* a symlink: followed, or refused with HOST_NOFOLLOW */
	fd = host_open(link, 0, &st, &reason);
	CHECK(fd >= 0);
	CHECK_INT(host_read_fd(fd, &st, 4096, &b), 0);
	CHECK_STR(b.data, "hello\n");
	close(fd);
	CHECK_INT(host_open(link, HOST_NOFOLLOW, &st, &reason), -1);
	CHECK_INT(errno, ELOOP);
	CHECK_INT(st.st_mode, 0);

	/* the cap, by st_size before any read */
	fd = host_open(big, 0, &st, &reason);
	CHECK(fd >= 0);
	buf_reset(&b);
	CHECK_INT(host_read_fd(fd, &st, 4096, &b), EFBIG);
	close(fd);
	cap_start();
	CHECK_INT(read_host_file(big, 4096, &buf, &len), -1);
	msg = cap_stop();
	CHECK(strstr(msg, "larger than 4096 bytes") != NULL);
	free(msg);

	/* a regular file is read in full */
	CHECK_INT(read_host_file(file, 4096, &buf, &len), 0);
	CHECK_INT(len, 6);
	CHECK_STR(buf, "hello\n");
	free(buf);

	alarm(0);
	buf_release(&b);
	unlink(fifo);
	unlink(file);
	unlink(link);
	unlink(big);
	rmdir(dir);
	free(fifo);
	free(file);
	free(link);
	free(big);
}

/* text_escape(in) is want, and so is esc(in). */
static void
check_esc(const char *in, const char *want)
{
	char *got = text_escape(in);

	CHECK_STR(got, want);
	CHECK_STR(esc(in), want);
	free(got);
}

static void
test_escape(void)
{
	const char *a, *b;
	size_t i;

	check_esc("", "");
	check_esc("/etc/sysconfig/network-scripts/ifcfg-eth0",
	    "/etc/sysconfig/network-scripts/ifcfg-eth0");
	/* a forged line, a carriage return over the line, a tab */
	check_esc("ifcfg-eth0\n  modify /etc/shadow",
	    "ifcfg-eth0\\x0a  modify /etc/shadow");
	check_esc("a\rb", "a\\x0db");
	check_esc("a\tb", "a\\x09b");
	check_esc("\033[31mred\033[0m", "\\x1b[31mred\\x1b[0m");
	check_esc("\033]0;title\007", "\\x1b]0;title\\x07");
	check_esc("del\177", "del\\x7f");
	check_esc("\001", "\\x01");
	/* the escape character itself, so the output reads back */
	check_esc("a\\x0ab", "a\\\\x0ab");
	check_esc("\\", "\\\\");
	/* well-formed UTF-8 is kept: accents, CJK, an emoji */
	check_esc("h\xc3\xb4te-\xc3\xa9t\xc3\xa9",
	    "h\xc3\xb4te-\xc3\xa9t\xc3\xa9");
	check_esc("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	check_esc("\xf0\x9f\x90\xa7", "\xf0\x9f\x90\xa7");
	check_esc("\xc2\xa0", "\xc2\xa0");	/* U+00A0, no control */
	/* bytes that are not UTF-8: each one escaped */
	check_esc("latin1-\xe9", "latin1-\\xe9");
	check_esc("\xff\xfe", "\\xff\\xfe");
	check_esc("\x80", "\\x80");			/* stray continuation */
	check_esc("\xc3", "\\xc3");			/* cut short: end */
	check_esc("\xe6\x97", "\\xe6\\x97");
	check_esc("\xc3x", "\\xc3x");			/* cut short: ASCII */
	check_esc("\xc0\xaf", "\\xc0\\xaf");		/* overlong '/' */
	check_esc("\xe0\x80\xaf", "\\xe0\\x80\\xaf");	/* overlong */
	check_esc("\xed\xa0\x80", "\\xed\\xa0\\x80");	/* surrogate */
	check_esc("\xf4\x90\x80\x80",			/* past U+10FFFF */
	    "\\xf4\\x90\\x80\\x80");
	/* well-formed, but a terminal acts on it: C1 CSI, U+2028, RLO */
	check_esc("\xc2\x9b" "31m", "\\xc2\\x9b31m");
	check_esc("a\xe2\x80\xa8" "b", "a\\xe2\\x80\\xa8b");
	check_esc("\xe2\x80\xaetxt.exe", "\\xe2\\x80\\xaetxt.exe");
	check_esc("\xe2\x81\xa6x\xe2\x81\xa9",
	    "\\xe2\\x81\\xa6x\\xe2\\x81\\xa9");
	CHECK(esc(NULL) == NULL);
	/* errno survives, for warn("... '%s'", esc(path)) */
	errno = ENOENT;
	(void)esc("a long enough string to need memory of its own\n");
	CHECK_INT(errno, ENOENT);
	/* esc: several in one message, each valid until ESC_SLOTS more */
	a = esc("one\n");
	b = esc("two\n");
	CHECK_STR(a, "one\\x0a");
	CHECK_STR(b, "two\\x0a");
	for (i = 0; i < ESC_SLOTS - 2; i++)
		(void)esc("x");
	CHECK_STR(b, "two\\x0a");
}

static void
test_has_suffix(void)
{
	CHECK(has_suffix("10-eth0.link", ".link"));
	CHECK(has_suffix(".link", ".link"));
	CHECK(has_suffix("x", ""));
	CHECK(!has_suffix("10-eth0.network", ".link"));
	CHECK(!has_suffix("link", ".link"));
	CHECK(!has_suffix("", "~"));
}

static void
test_sort_strings(void)
{
	char a[] = "lan2", b[] = "eth0", c[] = "eth10", d[] = "eth1",
	    e[] = "Eth9";
	char *v[] = { a, b, c, d, e };

	sort_strings(v, 5);
	CHECK_STR(v[0], "Eth9");
	CHECK_STR(v[1], "eth0");
	CHECK_STR(v[2], "eth1");
	CHECK_STR(v[3], "eth10");
	CHECK_STR(v[4], "lan2");
	sort_strings(NULL, 0);		/* nothing, no qsort on NULL */
	CHECK(bsearch(&(const char *){ "eth10" }, v, 5, sizeof(*v), cmp_str)
	    == &v[3]);
}

/* libguestfs's drive names: index 0 is sda, 25 sdz, 26 sdaa, 701 sdzz. */
static void
test_sd_name(void)
{
	static const struct { size_t i; const char *name; } t[] = {
		{ 0, "/dev/sda" }, { 1, "/dev/sdb" }, { 25, "/dev/sdz" },
		{ 26, "/dev/sdaa" }, { 27, "/dev/sdab" }, { 31, "/dev/sdaf" },
		{ 51, "/dev/sdaz" }, { 52, "/dev/sdba" }, { 701, "/dev/sdzz" },
		{ 702, "/dev/sdaaa" },
	};
	size_t k;
	char *s;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		s = sd_name(t[k].i);
		CHECK_STR(s, t[k].name);
		free(s);
	}
}

/* Appliance vCPUs: host CPUs shared among the jobs, 1..2, and 1 for a
 * launch of fewer than 4 drives. */
static void
test_appliance_vcpus(void)
{
	static const struct { unsigned cpus, jobs; size_t drives;
	    unsigned want; } t[] = {
		{ 1, 1, 32, 1 }, { 2, 1, 32, 2 }, { 2, 2, 32, 1 },
		{ 2, 3, 32, 1 }, { 3, 2, 32, 1 }, { 4, 2, 32, 2 },
		{ 16, 1, 32, 2 }, { 16, 8, 32, 2 }, { 16, 16, 32, 1 },
		{ 2, 0, 32, 2 }, { 0, 1, 32, 1 },
		{ 2, 1, 4, 2 }, { 2, 1, 3, 1 }, { 16, 1, 1, 1 },
		{ 16, 1, 0, 1 },
	};
	size_t k;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++)
		CHECK(appliance_vcpus(t[k].cpus, t[k].jobs, t[k].drives) ==
		    t[k].want);
	CHECK(host_cpus() >= 1);
	CHECK(host_cpus() <= (unsigned)sysconf(_SC_NPROCESSORS_CONF));
}

int
main(void)
{
	test_sd_name();
	test_appliance_vcpus();
	test_sort_strings();
	test_parse_uint();
	test_path_beside();
	test_xrandom();
	test_host_files();
	test_escape();
	test_has_suffix();
	return unit_done();
}
