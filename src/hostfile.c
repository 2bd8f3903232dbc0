/*
 * hostfile.c - atomic replacement of a host file (a domain config), with
 * an optional byte-copy backup.
 *
 * The only code in imprint that writes host files.  It knows nothing
 * about their syntax, and it does not lock the files: the
 * expected-contents check catches a file changed since it was read, and
 * rename(2) makes the switch atomic for readers.  Only its temporaries
 * are locked, so that the next run can tell one a killed run left
 * (sweep_temps).  Extended attributes and ACLs are not
 * copied to the new file (domain configs do not carry them).
 */
#define _GNU_SOURCE
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
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

/* Remove temporary file tmp; a failure is said, since it stays. */
static void
remove_temp(const char *tmp)
{
	int e;

	if (unlink(tmp) == -1 && errno != ENOENT) {
		e = errno;
		warnx("cannot remove temporary file '%s': %s", tmp,
		    strerror(e));
	}
}

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
 * ST, fsynced, and still open with an flock held (*fd_r; closed once it
 * is renamed or removed).  It is created with the final mode's owner
 * bits alone (0600 at most, 0400 for a 0400 file), so that the new bytes
 * (a random root password in a --report) are never readable by others,
 * and gets its owner and final mode only once they are all written.
 * Returns its path (caller frees), or NULL after one message with
 * nothing left behind.
 */
static char *
write_temp(const char *dir, const char *base, const char *data, size_t len,
    const struct stat *st, int *fd_r)
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
		if (fd == -1 && errno == EEXIST)
			continue;
		if (fd == -1)
			break;
		/*
		 * Held until the temporary is renamed or removed: the sign
		 * for sweep_temps that a writer is alive.  Another run's
		 * sweep may have locked and unlinked it in the moment before
		 * (then it has no link: try another name).  Where flock
		 * fails (ENOLCK), a sweep cannot lock it either and leaves
		 * it.
		 */
		if (flock(fd, LOCK_EX) == -1 || fstat(fd, &tst) == -1 ||
		    tst.st_nlink > 0)
			break;
		close(fd);
		fd = -1;
		errno = EEXIST;
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
	*fd_r = fd;
	return tmp;
fail:
	warnx("cannot %s '%s': %s", what, tmp, strerror(e));
	if (fd != -1)
		close(fd);
	remove_temp(tmp);
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

/* What a stage made, for commit or abort (hostfile.h). */
struct hostfile_stage {
	char		*real;		/* the file to replace, resolved */
	char		*dir;		/* its directory */
	char		*tmp;		/* the new bytes, final owner and mode */
	char		*bak;		/* HOSTFILE_BACKUP: the backup's path */
	char		*baktmp;	/* the original's copy to link there,
					   NULL when a backup exists already */
	int		 tmpfd, bakfd;	/* open and locked (write_temp) */
	struct buf	 old;		/* the file's bytes when staged */
	bool		 check;		/* commit: old must still be there */
};

static void
stage_free(struct hostfile_stage *s)
{
	if (s == NULL)
		return;
	buf_release(&s->old);
	/* after the rename or removal: the lock ends with the name */
	if (s->tmpfd != -1)
		close(s->tmpfd);
	if (s->bakfd != -1)
		close(s->bakfd);
	free(s->real);
	free(s->dir);
	free(s->tmp);
	free(s->bak);
	free(s->baktmp);
	free(s);
}

void
hostfile_abort(struct hostfile_stage *s)
{
	if (s == NULL)
		return;
	if (s->tmp != NULL)
		remove_temp(s->tmp);
	if (s->baktmp != NULL)
		remove_temp(s->baktmp);
	stage_free(s);
}

/*
 * Open and read real (not following a link), into old and st.  0; 1 when
 * it is missing and missing_ok; -1 after one message.
 */
static int
read_current(const char *real, bool missing_ok, struct buf *old,
    struct stat *st)
{
	const char *reason;
	int fd, e;

	fd = host_open(real, HOST_NOFOLLOW, st, &reason);
	e = errno;
	if (fd == -1 && e == ENOENT && missing_ok)
		return 1;
	if (fd == -1) {
		if (e == ELOOP)
			warnx("'%s' is a symbolic link", real);
		else if (st->st_mode != 0)	/* refused for its type */
			warnx("'%s' is not a regular file", real);
		else
			warnx("cannot open '%s': %s", real, reason);
		return -1;
	}
	e = host_read_fd(fd, st, SIZE_MAX - 1, old);
	close(fd);
	if (e != 0) {
		warnx("cannot read '%s': %s", real, strerror(e));
		return -1;
	}
	return 0;
}

static void
changed_meanwhile(const char *real)
{
	warnx("'%s' changed while imprint was editing it; nothing written, "
	    "run the command again", real);
}

/*
 * Remove the DIR/.BASE.imprint-XXXXXX files a killed run left.  Every
 * writer holds an flock on its temporary until it is renamed or removed
 * (write_temp), and the kernel drops the lock when the writer dies, kill
 * -9 included: a temporary that can be locked has no writer.  Only
 * regular files of exactly that name are touched; a failure is ignored
 * (the temporary stays, as it would have).
 */
static void
sweep_temps(const char *dir, const char *base)
{
	struct dirent *de;
	struct stat a, b;
	size_t bl = strlen(base);
	DIR *d;
	int fd;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name, *suf;
		size_t i;

		if (n[0] != '.' || strncmp(n + 1, base, bl) != 0 ||
		    strncmp(n + 1 + bl, ".imprint-", 9) != 0)
			continue;
		suf = n + 1 + bl + 9;
		for (i = 0; suf[i] != '\0' && isalnum((unsigned char)suf[i]);
		    i++)
			;
		if (i != 6 || suf[i] != '\0')
			continue;
		fd = openat(dirfd(d), n, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
		if (fd == -1)
			continue;
		if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    fstatat(dirfd(d), n, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
		    unlinkat(dirfd(d), n, 0) == 0)
			warnx("removed '%s/%s', a temporary file a killed run "
			    "left", strcmp(dir, "/") ? dir : "", n);
		close(fd);
	}
	closedir(d);
}

/*
 * The stage of hostfile_stage and hostfile_stage_restore: with OV, the
 * new file gets OV's attributes, and a file that holds DATA with them
 * already is left alone (1).
 */
static int
stage(const char *path, const char *expect, size_t expect_len,
    const char *data, size_t len, int flags, const struct attr_override *ov,
    struct hostfile_stage **stage_r)
{
	struct hostfile_stage *s;
	struct stat st, bst;
	char *slash, *base;
	int e, st_r;

	*stage_r = NULL;
	s = xcalloc(1, sizeof(*s));
	s->tmpfd = s->bakfd = -1;
	if ((flags & HOSTFILE_PRIVATE) && (s->real = resolve_dir(path)) ==
	    NULL)
		goto fail;
	if (s->real == NULL && (s->real = realpath(path, NULL)) == NULL) {
		e = errno;
		warnx("cannot resolve '%s': %s", path, strerror(e));
		goto fail;
	}
	s->dir = xstrdup(s->real);
	slash = strrchr(s->dir, '/');	/* realpath gives an absolute path */
	base = strrchr(s->real, '/') + 1;
	if (slash == s->dir)		/* a file in / */
		slash[1] = '\0';
	else
		*slash = '\0';
	sweep_temps(s->dir, base);
	memset(&st, 0, sizeof(st));
	if ((st_r = read_current(s->real, flags & HOSTFILE_PRIVATE, &s->old,
	    &st)) == -1)
		goto fail;
	if (st_r == 1) {		/* a private file, not made yet */
		flags &= ~HOSTFILE_BACKUP;
		expect = NULL;
	}
	if (flags & HOSTFILE_PRIVATE) {
		st.st_uid = geteuid();
		st.st_gid = getegid();
		st.st_mode = S_IFREG | 0600;
	} else if (ov != NULL) {
		/* undo after a run that never wrote this file */
		if (s->old.len == len && (len == 0 ||
		    memcmp(s->old.data, data, len) == 0) &&
		    (st.st_mode & 07777) == ov->mode && st.st_uid == ov->uid &&
		    st.st_gid == ov->gid) {
			stage_free(s);
			return 1;
		}
		st.st_uid = ov->uid;
		st.st_gid = ov->gid;
		st.st_mode = S_IFREG | ov->mode;
	}
	if (expect != NULL && (s->old.len != expect_len ||
	    (expect_len > 0 && memcmp(s->old.data, expect, expect_len) != 0))) {
		changed_meanwhile(s->real);
		goto fail;
	}
	s->check = expect != NULL || (flags & HOSTFILE_BACKUP);

	if ((s->tmp = write_temp(s->dir, base, data, len, &st,
	    &s->tmpfd)) == NULL)
		goto fail;
	if (flags & HOSTFILE_BACKUP) {
		s->bak = xasprintf("%s%s", s->real, HOSTFILE_BACKUP_SUFFIX);
		/* An existing backup holds an older original: keep it. */
		if (lstat(s->bak, &bst) == -1 && (s->baktmp = write_temp(
		    s->dir, base, s->old.data, s->old.len, &st,
		    &s->bakfd)) == NULL)
			goto fail;
	}
	*stage_r = s;
	return 0;
fail:
	hostfile_abort(s);
	return -1;
}

int
hostfile_stage(const char *path, const char *expect, size_t expect_len,
    const char *data, size_t len, int flags, struct hostfile_stage **stage_r)
{
	return stage(path, expect, expect_len, data ? data : "", len, flags,
	    NULL, stage_r);
}

int
hostfile_stage_restore(const char *path, const char *data, size_t len,
    unsigned mode, unsigned uid, unsigned gid,
    struct hostfile_stage **stage_r)
{
	struct attr_override a = { mode & 07777, uid, gid };

	return stage(path, NULL, 0, data ? data : "", len, 0, &a, stage_r);
}

int
hostfile_commit(struct hostfile_stage *s, char **backup_r)
{
	struct buf now = BUF_INIT;
	struct stat st;
	bool made_bak = false;
	int e, rc = -1;

	if (backup_r != NULL)
		*backup_r = NULL;
	/*
	 * The stage may be long ago (a guest written meanwhile): the file
	 * must still hold what was planned from, and what a new backup
	 * holds.
	 */
	if (s->check) {
		memset(&st, 0, sizeof(st));
		if (read_current(s->real, false, &now, &st) == -1)
			goto out;
		if (now.len != s->old.len || (now.len > 0 &&
		    memcmp(now.data, s->old.data, now.len) != 0)) {
			changed_meanwhile(s->real);
			goto out;
		}
	}
	if (s->baktmp != NULL) {
		/* link(2) never replaces an existing file */
		if (link(s->baktmp, s->bak) == 0)
			made_bak = true;
		else if (errno != EEXIST) {
			e = errno;
			warnx("cannot create backup '%s': %s", s->bak,
			    strerror(e));
			goto out;
		}
	}
	if (rename(s->tmp, s->real) == -1) {
		e = errno;
		warnx("cannot rename '%s' to '%s': %s", s->tmp, s->real,
		    strerror(e));
		goto out;
	}
	free(s->tmp);
	s->tmp = NULL;		/* in place: not to be removed */
	sync_dir(s->dir);
	rc = 0;
	if (s->bak != NULL && backup_r != NULL) {
		*backup_r = s->bak;
		s->bak = NULL;
	}
out:
	if (rc == -1 && made_bak)
		unlink(s->bak);
	buf_release(&now);
	hostfile_abort(s);
	return rc;
}

int
hostfile_replace(const char *path, const char *expect, size_t expect_len,
    const char *data, size_t len, int flags, char **backup_r)
{
	struct hostfile_stage *s;

	if (backup_r != NULL)
		*backup_r = NULL;
	if (hostfile_stage(path, expect, expect_len, data, len, flags, &s) ==
	    -1)
		return -1;
	return hostfile_commit(s, backup_r);
}

int
hostfile_restore(const char *path, const char *data, size_t len,
    unsigned mode, unsigned uid, unsigned gid)
{
	struct hostfile_stage *s;
	int r;

	if ((r = hostfile_stage_restore(path, data, len, mode, uid, gid,
	    &s)) != 0)
		return r == 1 ? 0 : -1;
	return hostfile_commit(s, NULL);
}

int
hostfile_check_remove(const char *path)
{
	char *real, *dir;
	int e, rc = 0;

	if ((real = resolve_dir(path)) == NULL)
		return -1;
	dir = path_dir(real);
	/* access(2) sees a read-only mount and an immutable directory, as
	 * unlink(2) would; removing needs no free space */
	if (access(dir, W_OK) == -1) {
		e = errno;
		warnx("cannot remove '%s': %s", real, strerror(e));
		rc = -1;
	}
	free(dir);
	free(real);
	return rc;
}

int
hostfile_remove(const char *path)
{
	char *real, *dir;
	int e;

	if ((real = resolve_dir(path)) == NULL)
		return -1;
	if (unlink(real) == -1 && errno != ENOENT) {
		e = errno;
		warnx("cannot remove '%s': %s", real, strerror(e));
		free(real);
		return -1;
	}
	dir = path_dir(real);
	sync_dir(dir);
	free(dir);
	free(real);
	return 0;
}
