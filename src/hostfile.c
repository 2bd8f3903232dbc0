/*
 * hostfile.c - atomic replacement of a host file (a domain config), with
 * an optional byte-copy backup.
 *
 * The only code in imprint that writes host files.  It knows nothing
 * about their syntax, and it does not lock: the expected-contents check
 * catches a file changed since it was read, and rename(2) makes the
 * switch atomic for readers.  Extended attributes and ACLs are not
 * copied to the new file (domain configs do not carry them).
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostfile.h"
#include "util.h"

#define TEMP_TRIES	100

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Create DIR/.BASE.imprint-XXXXXX holding DATA with the owner and mode of
 * ST, fsynced and closed.  It is created with the final mode's owner
 * bits alone (0600 at most, 0400 for a 0400 file), so that the new bytes
 * (a random root password in a --report) are never readable by others,
 * and gets its owner and final mode only once they are all written.
 * Returns its path (caller frees), or NULL after one message with
 * nothing left behind.
 */
static char *
write_temp(const char *dir, const char *base, const char *data, size_t len,
    const struct stat *st)
{
	static const char chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	struct stat tst;
	char *tmp = NULL;
	const char *what;
	int fd = -1, e = 0, i, t;

	for (t = 0; t < TEMP_TRIES; t++) {
		unsigned char rnd[6];
		char suf[7];

		xrandom(rnd, sizeof(rnd));
		for (i = 0; i < 6; i++)
			suf[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		suf[6] = '\0';
		free(tmp);
		tmp = xasprintf("%s/.%s.imprint-%s", dir, base, suf);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, st->st_mode & 0600);
		if (fd != -1 || errno != EEXIST)
			break;
	}
	if (fd == -1) {
		e = errno;
		warnx("cannot create a temporary file in '%s': %s", dir,
		    strerror(e));
		free(tmp);
		return NULL;
	}
	what = "write";
	if ((e = write_all(fd, data, len)) != 0)
		goto fail;
	what = "stat";
	if (fstat(fd, &tst) == -1) {
		e = errno;
		goto fail;
	}
	what = "set the owner of";
	if ((tst.st_uid != st->st_uid || tst.st_gid != st->st_gid) &&
	    fchown(fd, st->st_uid, st->st_gid) == -1) {
		e = errno;
		goto fail;
	}
	/* after fchown, which may clear set-id bits */
	what = "set the mode of";
	if (fchmod(fd, st->st_mode & 07777) == -1) {
		e = errno;
		goto fail;
	}
	what = "sync";
	if (fsync(fd) == -1) {
		e = errno;
		goto fail;
	}
	what = "close";
	i = close(fd);
	fd = -1;
	if (i == -1) {
		e = errno;
		goto fail;
	}
	return tmp;
fail:
	warnx("cannot %s '%s': %s", what, tmp, strerror(e));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return NULL;
}

static void
sync_dir(const char *dir)
{
	int fd, e;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1) {
		e = errno;
		warnx("warning: cannot sync directory '%s': %s", dir,
		    strerror(e));
	}
	if (fd != -1)
		close(fd);
}

/*
 * realpath(3) of PATH's directory joined with PATH's last component, which
 * need not exist and is not resolved (caller frees), or NULL after one
 * message.
 */
static char *
resolve_dir(const char *path)
{
	char *dir, *real, *r = NULL, *slash;
	int e;

	if (strrchr(path, '/') == NULL)
		dir = xasprintf("./%s", path);
	else
		dir = xstrdup(path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if ((real = realpath(slash == dir ? "/" : dir, NULL)) == NULL) {
		e = errno;
		warnx("cannot resolve '%s': %s", slash == dir ? "/" : dir,
		    strerror(e));
	} else if (slash[1] == '\0' || strcmp(slash + 1, ".") == 0 ||
	    strcmp(slash + 1, "..") == 0)
		warnx("'%s' is not a path to a file", path);
	else
		r = xasprintf("%s/%s", strcmp(real, "/") ? real : "",
		    slash + 1);
	free(real);
	free(dir);
	return r;
}

/* Attributes the new file gets instead of the original's (restore). */
struct attr_override {
	unsigned	mode, uid, gid;
};

static int replace(const char *, const char *, size_t, const char *, size_t,
    int, char **, const struct attr_override *);

int
hostfile_replace(const char *path, const char *expect, size_t expect_len,
    const char *data, size_t len, int flags, char **backup_r)
{
	return replace(path, expect, expect_len, data, len, flags, backup_r,
	    NULL);
}

int
hostfile_restore(const char *path, const char *data, size_t len,
    unsigned mode, unsigned uid, unsigned gid)
{
	struct attr_override a = { mode & 07777, uid, gid };

	return replace(path, NULL, 0, data ? data : "", len, 0, NULL, &a);
}

int
hostfile_remove(const char *path)
{
	char *real, *dir, *slash;
	int e;

	if ((real = resolve_dir(path)) == NULL)
		return -1;
	if (unlink(real) == -1 && errno != ENOENT) {
		e = errno;
		warnx("cannot remove '%s': %s", real, strerror(e));
		free(real);
		return -1;
	}
	dir = xstrdup(real);
	slash = strrchr(dir, '/');
	*slash = '\0';
	sync_dir(slash == dir ? "/" : dir);
	free(dir);
	free(real);
	return 0;
}

static int
replace(const char *path, const char *expect, size_t expect_len,
    const char *data, size_t len, int flags, char **backup_r,
    const struct attr_override *ov)
{
	struct buf old = BUF_INIT;
	struct stat st;
	char *real = NULL, *dir = NULL, *base, *slash, *tmp = NULL;
	char *bak = NULL, *baktmp = NULL;
	const char *reason;
	bool made_bak = false;
	int fd = -1, e, rc = -1;

	if (backup_r != NULL)
		*backup_r = NULL;
	if ((flags & HOSTFILE_PRIVATE) && (real = resolve_dir(path)) == NULL)
		goto out;
	if (real == NULL && (real = realpath(path, NULL)) == NULL) {
		e = errno;
		warnx("cannot resolve '%s': %s", path, strerror(e));
		goto out;
	}
	fd = host_open(real, HOST_NOFOLLOW, &st, &reason);
	e = errno;
	if (fd == -1 && e == ENOENT && (flags & HOSTFILE_PRIVATE)) {
		flags &= ~HOSTFILE_BACKUP;
		expect = NULL;
		memset(&st, 0, sizeof(st));
	} else if (fd == -1) {
		if (e == ELOOP)
			warnx("'%s' is a symbolic link", real);
		else if (st.st_mode != 0)	/* refused for its type */
			warnx("'%s' is not a regular file", real);
		else
			warnx("cannot open '%s': %s", real, reason);
		goto out;
	} else if ((e = host_read_fd(fd, &st, SIZE_MAX - 1, &old)) != 0) {
		warnx("cannot read '%s': %s", real, strerror(e));
		goto out;
	}
	if (fd != -1)
		close(fd);
	fd = -1;
	if (flags & HOSTFILE_PRIVATE) {
		st.st_uid = geteuid();
		st.st_gid = getegid();
		st.st_mode = S_IFREG | 0600;
	} else if (ov != NULL) {
		st.st_uid = ov->uid;
		st.st_gid = ov->gid;
		st.st_mode = S_IFREG | ov->mode;
	}
	if (expect != NULL && (old.len != expect_len ||
	    memcmp(old.data, expect, expect_len) != 0)) {
		warnx("'%s' changed while imprint was editing it; nothing "
		    "written, run the command again", real);
		goto out;
	}

	dir = xstrdup(real);
	slash = strrchr(dir, '/');	/* realpath gives an absolute path */
	base = slash + 1;
	*slash = '\0';
	if (slash == dir) {
		/* a file in / */
		free(dir);
		dir = xstrdup("/");
		base = strrchr(real, '/') + 1;
	}

	if (flags & HOSTFILE_BACKUP) {
		struct stat bst;

		bak = xasprintf("%s%s", real, HOSTFILE_BACKUP_SUFFIX);
		/* An existing backup holds an older original: keep it. */
		if (lstat(bak, &bst) == -1) {
			baktmp = write_temp(dir, base, old.data, old.len, &st);
			if (baktmp == NULL)
				goto out;
			/* link(2) never replaces an existing file */
			if (link(baktmp, bak) == 0)
				made_bak = true;
			else if (errno != EEXIST) {
				e = errno;
				warnx("cannot create backup '%s': %s", bak,
				    strerror(e));
				goto out;
			}
			unlink(baktmp);
			free(baktmp);
			baktmp = NULL;
		}
	}

	if ((tmp = write_temp(dir, base, data, len, &st)) == NULL)
		goto out;
	if (rename(tmp, real) == -1) {
		e = errno;
		warnx("cannot rename '%s' to '%s': %s", tmp, real,
		    strerror(e));
		unlink(tmp);
		goto out;
	}
	sync_dir(dir);
	rc = 0;
	if (bak != NULL && backup_r != NULL) {
		*backup_r = bak;
		bak = NULL;
	}
out:
	if (rc == -1 && made_bak)
		unlink(bak);
	if (baktmp != NULL) {
		unlink(baktmp);
		free(baktmp);
	}
	if (fd != -1)
		close(fd);
	buf_release(&old);
	free(tmp);
	free(bak);
	free(dir);
	free(real);
	return rc;
}
