/*
 * test_hostfile.c - unit tests for hostfile.c: the new bytes land, mode
 * and owner are kept, no temporary file stays, the backup is a byte copy
 * and is never overwritten, a symlink's target is edited, a FIFO target
 * is refused without blocking, and a failed write (changed file, file
 * size limit) leaves the original intact and no temporary file, which
 * was never more than 0600 while it held the new bytes.  Staged
 * writes (stage, then commit or abort): an abort leaves nothing, a file
 * changed between stage and commit is refused, a directory that cannot
 * be written (immutable, or gone) fails the stage, and a restore finds a
 * file already as wanted without writing.
 */
#define _GNU_SOURCE	/* program_invocation_short_name */
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <linux/fs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "hostdir.h"
#include "hostfile.h"
#include "unit.h"
#include "util.h"

static char dir[] = "/tmp/imprint-hostfile.XXXXXX";

static void
put(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd == -1 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		perror(path);
		exit(1);
	}
	close(fd);
	chmod(path, mode);
}

/* The file's bytes (caller frees), or NULL. */
static char *
get(const char *path)
{
	char *buf = NULL;
	size_t len;

	if (read_host_file(path, 1 << 20, &buf, &len) == -1)
		return NULL;
	return buf;
}

/*
 * The temporary file as it is while being written: SIGXFSZ comes when a
 * write passes RLIMIT_FSIZE, with the file still there, so the handler
 * looks at it (opendir in a handler: the write(2) it interrupts holds no
 * lock of ours).  It may come again for a message, when stderr is a file
 * past the limit.  temp_seen is the most temporaries one look found,
 * temp_mode the last one's permission bits.
 */
static int temp_seen = 0;
static unsigned temp_mode = 07777;

static void
on_xfsz(int sig)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char p[PATH_MAX];
	int n = 0;

	(void)sig;
	while (d && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, ".dc1.cfg.imprint-", 17) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0) {
			n++;
			temp_mode = st.st_mode & 07777;
		}
	}
	if (d)
		closedir(d);
	if (n > temp_seen)
		temp_seen = n;
}

/*
 * Replace dc1.cfg (mode MODE) with more bytes than RLIMIT_FSIZE lets
 * through: the write fails half-way.  Returns hostfile_replace's result;
 * temp_seen and temp_mode tell what the temporary file was meanwhile.
 */
static int
replace_too_big(const char *p, const char *orig, mode_t mode, int flags)
{
	struct sigaction sa, old;
	struct rlimit rl, small;
	char big[4096], *msg;
	int r;

	put(p, orig, mode);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_xfsz;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGXFSZ, &sa, &old);
	getrlimit(RLIMIT_FSIZE, &rl);
	small = rl;
	small.rlim_cur = 1024;
	memset(big, 'x', sizeof(big));
	temp_seen = 0;
	temp_mode = 07777;
	/*
	 * The message goes to a file of its own: stderr may be a file
	 * already past the limit (the test driver's), where it would be
	 * cut short.
	 */
	cap_start();
	if (setrlimit(RLIMIT_FSIZE, &small) == -1)
		exit(1);
	r = hostfile_replace(p, orig, strlen(orig), big, sizeof(big), flags,
	    NULL);
	setrlimit(RLIMIT_FSIZE, &rl);
	msg = cap_stop();
	CHECK(strstr(msg, "File too large") != NULL);
	free(msg);
	sigaction(SIGXFSZ, &old, NULL);
	return r;
}

/* Number of directory entries other than . and .. */
static int
entries(void)
{
	return dir_entries(dir);
}

/* The message is exactly "test_hostfile: WANT\n" (warnx's program name). */
static void
check_msg(char *msg, const char *want)
{
	char *full = xasprintf("%s: %s\n", program_invocation_short_name, want);

	CHECK_STR(msg, full);
	free(full);
	free(msg);
}

/*
 * Stage, commit, abort: the halves hostfile_replace is made of, as
 * plan_carry_out uses them around the guest's writes.
 */
static void
test_stage(const char *orig, const char *next)
{
	struct hostfile_stage *s;
	struct stat st;
	char *p = xasprintf("%s/dc1.cfg", dir), *sub, *q, *gone, *got, *msg;
	char *bak = xasprintf("%s%s", p, HOSTFILE_BACKUP_SUFFIX), *bak_r;
	int e;

	/* staged: the file untouched, one temporary; abort removes it */
	put(p, orig, 0640);
	CHECK_INT(hostfile_stage(p, orig, strlen(orig), next, strlen(next),
	    HOSTFILE_BACKUP, &s), 0);
	CHECK_STR(got = get(p), orig);
	free(got);
	CHECK_INT(entries(), 3);	/* the new bytes, the backup's copy */
	hostfile_abort(s);
	CHECK_STR(got = get(p), orig);
	free(got);
	CHECK_INT(entries(), 1);

	/* committed: new bytes, mode kept, the backup linked */
	CHECK_INT(hostfile_stage(p, orig, strlen(orig), next, strlen(next),
	    HOSTFILE_BACKUP, &s), 0);
	CHECK_INT(hostfile_commit(s, &bak_r), 0);
	CHECK_STR(bak_r, bak);
	free(bak_r);
	CHECK_STR(got = get(p), next);
	free(got);
	CHECK_STR(got = get(bak), orig);
	free(got);
	CHECK_INT(stat(p, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0640);
	CHECK_INT(entries(), 2);
	unlink(bak);

	/* changed between stage and commit: refused, nothing left */
	put(p, orig, 0640);
	CHECK_INT(hostfile_stage(p, orig, strlen(orig), next, strlen(next),
	    HOSTFILE_BACKUP, &s), 0);
	put(p, "edited\n", 0640);
	cap_start();
	CHECK_INT(hostfile_commit(s, &bak_r), -1);
	msg = cap_stop();
	q = xasprintf("'%s' changed while imprint was editing it; nothing "
	    "written, run the command again", p);
	check_msg(msg, q);
	free(q);
	CHECK(bak_r == NULL);
	CHECK_STR(got = get(p), "edited\n");
	free(got);
	CHECK_INT(entries(), 1);

	/* a restore of a file that holds its bytes and attributes already:
	 * nothing staged; another mode is restored */
	put(p, orig, 0640);
	CHECK_INT(stat(p, &st), 0);
	s = (struct hostfile_stage *)1;
	CHECK_INT(hostfile_stage_restore(p, orig, strlen(orig), 0640,
	    st.st_uid, st.st_gid, &s), 1);
	CHECK(s == NULL);
	CHECK_INT(entries(), 1);
	CHECK_INT(hostfile_stage_restore(p, orig, strlen(orig), 0600,
	    st.st_uid, st.st_gid, &s), 0);
	CHECK_INT(hostfile_commit(s, NULL), 0);
	CHECK_INT(stat(p, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(entries(), 1);

	/* a directory that is gone: the stage fails, with nothing made */
	gone = xasprintf("%s/gone/vm.cfg", dir);
	cap_start();
	CHECK_INT(hostfile_stage(gone, NULL, 0, next, strlen(next), 0, &s),
	    -1);
	msg = cap_stop();
	q = xasprintf("cannot resolve '%s': No such file or directory", gone);
	check_msg(msg, q);
	free(q);
	cap_start();
	CHECK_INT(hostfile_check_remove(gone), -1);
	msg = cap_stop();
	q = xasprintf("cannot resolve '%s/gone': No such file or directory",
	    dir);
	check_msg(msg, q);
	free(q);
	free(gone);

	/*
	 * An immutable directory (chattr +i; root is refused too, unlike
	 * with chmod): the stage fails before anything is written, and a
	 * restore of a file already as wanted succeeds without writing (an
	 * undo after an apply that could not write it is not stuck).
	 */
	sub = xasprintf("%s/imm", dir);
	q = xasprintf("%s/vm.cfg", sub);
	if (mkdir(sub, 0755) == -1)
		exit(1);
	put(q, orig, 0644);
	CHECK_INT(stat(q, &st), 0);
	if ((e = set_immutable(sub, 1)) != 0)
		printf("skip: cannot make '%s' immutable (%s): its checks "
		    "are left out\n", sub, strerror(e));
	else {
		char *want;

		cap_start();
		CHECK_INT(hostfile_stage(q, orig, strlen(orig), next,
		    strlen(next), 0, &s), -1);
		msg = cap_stop();
		want = xasprintf("cannot create a temporary file in '%s': "
		    "Operation not permitted", sub);
		check_msg(msg, want);
		free(want);
		CHECK_INT(hostfile_restore(q, orig, strlen(orig), 0644,
		    st.st_uid, st.st_gid), 0);
		cap_start();
		CHECK_INT(hostfile_restore(q, next, strlen(next), 0644,
		    st.st_uid, st.st_gid), -1);
		msg = cap_stop();
		want = xasprintf("cannot create a temporary file in '%s': "
		    "Operation not permitted", sub);
		check_msg(msg, want);
		free(want);
		cap_start();
		CHECK_INT(hostfile_check_remove(q), -1);
		msg = cap_stop();
		want = xasprintf("cannot remove '%s': Operation not "
		    "permitted", q);
		check_msg(msg, want);
		free(want);
		CHECK_INT(set_immutable(sub, 0), 0);
		CHECK_STR(got = get(q), orig);
		free(got);
	}
	CHECK_INT(hostfile_check_remove(q), 0);
	unlink(q);
	rmdir(sub);
	free(q);
	free(sub);
	free(bak);
	unlink(p);
	free(p);
}

/*
 * What a killed run left beside a config is removed by the next write:
 * a temporary of exactly ".NAME.imprint-XXXXXX" that no live writer
 * holds locked.  One held locked (a run still writing), one of another
 * file, names that only look alike and a symlink of that name stay.
 */
static void
test_sweep(const char *p, const char *orig, const char *next)
{
	static const char *keep[] = {
		".dc1.cfg.imprint-12345",	/* 5 characters */
		".dc1.cfg.imprint-1234567",	/* 7 */
		".dc1.cfg.imprint-12-456",	/* not alphanumeric */
		".other.cfg.imprint-AbC123",	/* another file's */
		"dc1.cfg.imprint-AbC123",	/* no dot */
	};
	char *stale = xasprintf("%s/.dc1.cfg.imprint-AbC123", dir);
	char *live = xasprintf("%s/.dc1.cfg.imprint-zZ9zZ9", dir);
	char *sym = xasprintf("%s/.dc1.cfg.imprint-sym000", dir);
	char *got, *k;
	struct stat st;
	size_t i;
	int fd;

	put(p, orig, 0644);
	put(stale, "half", 0600);
	put(live, "being written", 0600);
	fd = open(live, O_RDONLY | O_CLOEXEC);
	CHECK_INT(flock(fd, LOCK_EX), 0);
	CHECK_INT(symlink("dc1.cfg", sym), 0);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		k = xasprintf("%s/%s", dir, keep[i]);
		put(k, "x", 0600);
		free(k);
	}
	cap_start();
	CHECK_INT(hostfile_replace(p, orig, strlen(orig), next, strlen(next),
	    0, NULL), 0);
	got = cap_stop();
	k = xasprintf("test_hostfile: removed '%s', a temporary file a "
	    "killed run left\n", stale);
	CHECK_STR(got, k);
	free(k);
	free(got);
	CHECK_INT(lstat(stale, &st), -1);
	CHECK_INT(lstat(live, &st), 0);
	CHECK_INT(lstat(sym, &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_STR(got = get(p), next);
	free(got);
	/* the file, the live temporary, the symlink, the look-alikes */
	CHECK_INT(entries(), 3 + (int)(sizeof(keep) / sizeof(keep[0])));
	close(fd);
	unlink(live);
	unlink(sym);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		k = xasprintf("%s/%s", dir, keep[i]);
		unlink(k);
		free(k);
	}
	CHECK_INT(entries(), 1);
	free(stale);
	free(live);
	free(sym);
}

int
main(void)
{
	struct stat st;
	struct rlimit rl;
	char *p, *link_p, *bak, *got, *bak_r = NULL;
	const char *orig = "name = 'dc1'\r\n# keep\n";
	const char *next = "name = 'dc2'\r\n# keep\n";

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	p = xasprintf("%s/dc1.cfg", dir);
	link_p = xasprintf("%s/link.cfg", dir);
	bak = xasprintf("%s/dc1.cfg%s", dir, HOSTFILE_BACKUP_SUFFIX);

	/* plain replace: bytes, mode 0640 and owner kept, no temp left */
	put(p, orig, 0640);
	chown(p, 12345, 54321);
	CHECK_INT(hostfile_replace(p, orig, strlen(orig), next, strlen(next),
	    0, &bak_r), 0);
	CHECK(bak_r == NULL);
	CHECK_STR(got = get(p), next);
	free(got);
	CHECK_INT(stat(p, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0640);
	if (geteuid() == 0) {
		CHECK_INT(st.st_uid, 12345);
		CHECK_INT(st.st_gid, 54321);
	}
	CHECK_INT(entries(), 1);

	/* backup: an exact copy of the original, same mode */
	put(p, orig, 0604);
	CHECK_INT(hostfile_replace(p, NULL, 0, next, strlen(next),
	    HOSTFILE_BACKUP, &bak_r), 0);
	CHECK_STR(bak_r, bak);
	free(bak_r);
	CHECK_STR(got = get(bak), orig);
	free(got);
	CHECK_STR(got = get(p), next);
	free(got);
	CHECK_INT(stat(bak, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0604);
	CHECK_INT(entries(), 2);

	/* an existing backup is kept: it holds the oldest original */
	CHECK_INT(hostfile_replace(p, NULL, 0, "third\n", 6, HOSTFILE_BACKUP,
	    &bak_r), 0);
	free(bak_r);
	CHECK_STR(got = get(bak), orig);
	free(got);
	CHECK_STR(got = get(p), "third\n");
	free(got);
	CHECK_INT(entries(), 2);
	unlink(bak);

	/* the file changed since it was read: refused, nothing written */
	put(p, orig, 0600);
	CHECK_INT(hostfile_replace(p, "other", 5, next, strlen(next),
	    HOSTFILE_BACKUP, NULL), -1);
	CHECK_STR(got = get(p), orig);
	free(got);
	CHECK_INT(entries(), 1);

	/* a symlink: the target is replaced, the link stays a link */
	CHECK_INT(symlink("dc1.cfg", link_p), 0);
	CHECK_INT(hostfile_replace(link_p, orig, strlen(orig), next,
	    strlen(next), 0, NULL), 0);
	CHECK_INT(lstat(link_p, &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_STR(got = get(p), next);
	free(got);
	CHECK_INT(entries(), 2);
	unlink(link_p);

	/* not a regular file, or absent */
	CHECK_INT(hostfile_replace(dir, NULL, 0, "x", 1, 0, NULL), -1);
	CHECK_INT(hostfile_replace("/nonexistent/x.cfg", NULL, 0, "x", 1, 0,
	    NULL), -1);
	/*
	 * A FIFO (a --report target, a config): refused at once, not waited
	 * on for a writer, and left a FIFO.
	 */
	{
		char *fifo = xasprintf("%s/report.fifo", dir);

		CHECK_INT(mkfifo(fifo, 0600), 0);
		alarm(10);	/* a blocking open is the bug: fail, not hang */
		CHECK_INT(hostfile_replace(fifo, NULL, 0, "x", 1,
		    HOSTFILE_PRIVATE, NULL), -1);
		CHECK_INT(hostfile_replace(fifo, NULL, 0, "x", 1, 0, NULL), -1);
		alarm(0);
		CHECK_INT(lstat(fifo, &st), 0);
		CHECK(S_ISFIFO(st.st_mode));
		CHECK_INT(entries(), 2);
		unlink(fifo);
		free(fifo);
	}

	/*
	 * A write that fails half-way (file size limit: works as root,
	 * unlike a read-only directory): the original stays, and neither
	 * the temporary file nor the backup made by this call is left.
	 */
	put(p, orig, 0600);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &rl);
	{
		struct rlimit small = rl;
		char big[4096];

		memset(big, 'x', sizeof(big));
		small.rlim_cur = 1024;
		CHECK_INT(setrlimit(RLIMIT_FSIZE, &small), 0);
		CHECK_INT(hostfile_replace(p, orig, strlen(orig), big,
		    sizeof(big), HOSTFILE_BACKUP, &bak_r), -1);
		CHECK(bak_r == NULL);
		setrlimit(RLIMIT_FSIZE, &rl);
	}
	CHECK_STR(got = get(p), orig);
	free(got);
	CHECK_INT(entries(), 1);

	/*
	 * While the new bytes are written the temporary file is 0600, or
	 * the original's owner bits when stricter (0400, 0000): never
	 * readable by group or others.  A failure removes it.
	 */
	{
		static const unsigned modes[][2] = {
			{ 0644, 0600 }, { 0640, 0600 }, { 0600, 0600 },
			{ 0400, 0400 }, { 0000, 0000 },
		};
		size_t i;

		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			/* a 0000 original is readable by root alone */
			if (modes[i][0] == 0 && geteuid() != 0)
				continue;
			CHECK_INT(replace_too_big(p, orig, modes[i][0],
			    HOSTFILE_BACKUP), -1);
			CHECK_INT(temp_seen, 1);
			CHECK_INT(temp_mode, modes[i][1]);
			CHECK_INT(entries(), 1);	/* no temp, no backup */
			chmod(p, 0600);
			CHECK_STR(got = get(p), orig);
			free(got);
		}
	}

	/* a read-only directory (meaningful only when not root) */
	if (geteuid() != 0) {
		chmod(dir, 0555);
		CHECK_INT(hostfile_replace(p, NULL, 0, next, strlen(next), 0,
		    NULL), -1);
		chmod(dir, 0755);
		CHECK_STR(got = get(p), orig);
		free(got);
		CHECK_INT(entries(), 1);
	}

	test_stage(orig, next);
	test_sweep(p, orig, next);
	unlink(p);
	rmdir(dir);
	free(p);
	free(link_p);
	free(bak);
	return unit_done();
}
