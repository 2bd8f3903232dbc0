/*
 * test_hostfile.c - unit tests for hostfile.c: the new bytes land, mode
 * and owner are kept, no temporary file stays, the backup is a byte copy
 * and is never overwritten, a symlink's target is edited, a FIFO target
 * is refused without blocking, and a failed write (changed file, file
 * size limit) leaves the original intact.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Number of directory entries other than . and .. */
static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
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

	unlink(p);
	rmdir(dir);
	free(p);
	free(link_p);
	free(bak);
	return unit_done();
}
