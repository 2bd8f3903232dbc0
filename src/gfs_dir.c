/*
 * gfs_dir.c - the guest filesystem interface over a guest tree that is
 * already on the host: a debootstrap or mkosi chroot, a mounted snapshot
 * (see gfs.h).
 *
 * The tree is not to be trusted: its symlinks were made by and for the
 * guest, so "/etc/x -> /etc/shadow" means the tree's shadow, never the
 * host's.  No guest path is ever handed to a path-based call.  Each is
 * resolved from a descriptor of the root with openat2(2): RESOLVE_IN_ROOT
 * ("/" and ".." stop at the root, as in a chroot) and
 * RESOLVE_NO_MAGICLINKS (a /proc mounted in the tree cannot jump out).
 * Mounts inside the tree are crossed (no RESOLVE_NO_XDEV): a mounted
 * snapshot may have its /boot or /var beside it.  Where openat2 is not
 * there (Linux < 5.6, or a seccomp filter refusing it), walk() does the
 * same one name at a time.
 *
 * What acts on a path itself (lstat, readlink, remove, symlink, xattrs,
 * write's rename) resolves the path's directory that way and then names
 * the last component relative to the directory's descriptor, with calls
 * that do not follow it.  What reads a file opens it O_PATH first and
 * reopens it through /proc/self/fd only once it is known to be a regular
 * file: a guest's "/etc/hostname -> /dev/watchdog" in a chroot with the
 * host's /dev bound in must not open that device.
 */
#define _GNU_SOURCE	/* O_PATH, AT_EMPTY_PATH, syscall */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gfs.h"
#include "testpoint.h"
#include "util.h"

#define DIR_MAX_LINKS	40	/* as the kernel (MAXSYMLINKS) */
#define DIR_RETRIES	16	/* openat2's EAGAIN, temporary names */
#define DIR_RESOLVE	(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

struct gfs_dir {
	struct gfs	 fs;		/* first: a struct gfs * is one of us */
	int		 root;		/* O_RDONLY | O_DIRECTORY */
	char		*path;		/* root as given, named in messages */
	bool		 walk;		/* no openat2: walk() */
};

static struct gfs_dir *
dirfs(struct gfs *fs)
{
	return (struct gfs_dir *)fs;
}

/* ---- resolving a guest path inside the root ----------------------------- */

/* "Does not exist" rather than an error: no path, a file where a
 * directory should be, a symlink loop (guestfs_exists says false for one
 * too, and gfs_mem finds nothing), a magic link refused. */
static bool
absent(int e)
{
	return e == ENOENT || e == ENOTDIR || e == ELOOP;
}

static void
close_keep_errno(int fd)
{
	int e = errno;

	if (fd != -1)
		close(fd);
	errno = e;
}

/* What walk() has gone through: descriptors of the directories from the
 * root down, so that ".." goes back without ever naming ".." to the
 * kernel.  v[0] is the root's, not ours to close. */
struct walk_stack {
	int	*v;
	size_t	 n, cap;
};

static void
ws_push(struct walk_stack *s, int fd)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = fd;
}

/* Back to n entries (at least the root). */
static void
ws_cut(struct walk_stack *s, size_t n)
{
	while (s->n > n && s->n > 1)
		close(s->v[--s->n]);
}

/*
 * openat2's resolution by hand, for kernels without it: one component at
 * a time with O_NOFOLLOW, a symlink read and its target walked in its
 * place (absolute: from the root again), ".." popping the directories
 * walked through and never above the root, at most DIR_MAX_LINKS links.
 * A magic link (a /proc mounted in the tree) is followed as the text it
 * reads as, inside the root, where openat2 refuses it.  The last
 * component is opened with flags.  A descriptor, or -1 with errno.
 */
static int
walk(struct gfs_dir *d, const char *path, int flags)
{
	struct walk_stack s = { NULL, 0, 0 };
	char *rest = xstrdup(path), *p, *comp, *next, lnk[PATH_MAX];
	struct stat st;
	ssize_t ll;
	int links = 0, fd = -1, of, e, top;
	bool last, slash;

	if (*path == '\0') {		/* as for the kernel */
		free(rest);
		errno = ENOENT;
		return -1;
	}
	ws_push(&s, d->root);
	p = rest;
	for (;;) {
		top = s.v[s.n - 1];
		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* the path ends at the directory reached */
			fd = openat(top, ".", flags | O_CLOEXEC);
			break;
		}
		comp = p;
		p += strcspn(p, "/");
		slash = *p == '/';
		last = p[strspn(p, "/")] == '\0';
		if (*p)
			*p++ = '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			ws_cut(&s, s.n - 1);
			continue;
		}
		/* "name/" at the end must be a directory, as for open(2) */
		of = last ? flags | (slash ? O_DIRECTORY : 0) :
		    O_PATH | O_DIRECTORY;
		fd = openat(top, comp, of | O_NOFOLLOW | O_CLOEXEC);
		ll = -1;
		if (fd == -1) {
			/* ELOOP or ENOTDIR is what O_NOFOLLOW gives for a
			 * symlink, but also for other things */
			e = errno;
			if ((e != ELOOP && e != ENOTDIR) ||
			    (ll = readlinkat(top, comp, lnk, sizeof(lnk))) ==
			    -1) {
				errno = e;
				break;
			}
		} else if ((of & (O_PATH | O_DIRECTORY)) == O_PATH) {
			/* O_PATH | O_NOFOLLOW opens a symlink itself */
			if (fstat(fd, &st) == -1) {
				close_keep_errno(fd);
				fd = -1;
				break;
			}
			if (S_ISLNK(st.st_mode)) {
				ll = readlinkat(fd, "", lnk, sizeof(lnk));
				close_keep_errno(fd);
				fd = -1;
				if (ll == -1)
					break;
			}
		}
		if (ll == -1) {
			if (last)
				break;
			ws_push(&s, fd);
			fd = -1;
			continue;
		}
		if ((size_t)ll >= sizeof(lnk) || ll == 0 ||
		    ++links > DIR_MAX_LINKS) {
			/* an empty target names nothing, as for the kernel */
			errno = (size_t)ll >= sizeof(lnk) ? ENAMETOOLONG :
			    ll == 0 ? ENOENT : ELOOP;
			break;
		}
		lnk[ll] = '\0';
		if (lnk[0] == '/')
			ws_cut(&s, 1);
		/* the target, then what came after the link */
		next = xasprintf("%s%s%s", lnk, slash ? "/" : "", p);
		free(rest);
		rest = p = next;
	}
	e = errno;
	ws_cut(&s, 1);
	free(s.v);
	free(rest);
	errno = e;
	return fd;
}

/* path opened inside the tree with flags, every symlink on the way and
 * the last one followed there.  A descriptor, or -1 with errno. */
static int
open_in(struct gfs_dir *d, const char *path, int flags)
{
#ifdef SYS_openat2
	struct open_how how;
	int i, fd = -1;

	if (d->walk)
		return walk(d, path, flags);
	memset(&how, 0, sizeof(how));
	how.flags = (unsigned)(flags | O_CLOEXEC);
	how.resolve = DIR_RESOLVE;
	/* EAGAIN: a rename or mount raced with a ".."; asked to retry */
	for (i = 0; i < DIR_RETRIES; i++)
		if ((fd = (int)syscall(SYS_openat2, d->root, path, &how,
		    sizeof(how))) != -1 || errno != EAGAIN)
			break;
	return fd;
#else
	return walk(d, path, flags);
#endif
}

/*
 * path's directory, opened inside the tree with dflags, and the name of
 * path in it (*base_r, caller frees).  A path that ends at a directory
 * ("/", "/etc/..", "/etc/") has no name in a directory to act on:
 * *base_r is NULL and the descriptor is path's own, opened with
 * dflags, its last symlink followed (as POSIX does for "link/").  -1
 * with errno.
 */
static int
open_parent(struct gfs_dir *d, const char *path, int dflags, char **base_r)
{
	const char *s = strrchr(path, '/');
	const char *base = s ? s + 1 : path;
	char *dir;
	int fd;

	*base_r = NULL;
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0)
		return open_in(d, path, dflags);
	dir = s == NULL || s == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(s - path));
	fd = open_in(d, dir, dflags);
	free(dir);
	if (fd != -1)
		*base_r = xstrdup(base);
	return fd;
}

/* An O_PATH descriptor of path itself, its last symlink not followed.
 * -1 with errno. */
static int
open_self(struct gfs_dir *d, const char *path)
{
	char *base;
	int dfd, fd;

	if ((dfd = open_parent(d, path, O_PATH | O_DIRECTORY, &base)) == -1)
		return -1;
	if (base == NULL)
		return dfd;
	fd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	close_keep_errno(dfd);
	free(base);
	return fd;
}

/* "/proc/self/fd/N": what the object an O_PATH descriptor holds is
 * reopened and its extended attributes are reached through.  That link
 * leads to the object itself, even to a symlink, and follows nothing. */
static void
fd_path(char buf[32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

static char
type_of(mode_t m)
{
	return S_ISREG(m) ? 'f' : S_ISLNK(m) ? 'l' : S_ISDIR(m) ? 'd' : '?';
}

static void
attr_of(const struct stat *st, struct guest_attr *a)
{
	a->mode = (unsigned)st->st_mode & 07777;
	a->uid = (unsigned)st->st_uid;
	a->gid = (unsigned)st->st_gid;
}

/* ---- the operations ----------------------------------------------------- */

static int
dir_read(struct gfs *fs, const char *path, size_t cap, char **buf_r,
    size_t *len_r)
{
	struct gfs_dir *d = dirfs(fs);
	struct stat st;
	char pp[32], *buf = NULL;
	size_t len = 0, want;
	ssize_t got;
	int fd, rfd = -1, r = -1;

	*buf_r = NULL;
	*len_r = 0;
	if ((fd = open_in(d, path, O_PATH)) == -1) {
		if (absent(errno))
			return 1;
		goto fail;
	}
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		warnx("cannot read %s in '%s': not a regular file", esc(path),
		    esc(d->path));
		goto out;
	}
	if ((uintmax_t)st.st_size > cap) {
		warnx("cannot read %s in '%s': larger than %zu bytes",
		    esc(path), esc(d->path), cap);
		goto out;
	}
	fd_path(pp, fd);
	if ((rfd = open(pp, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1)
		goto fail;
	/* up to cap + 1 bytes: a file that grew past cap is refused */
	want = (size_t)st.st_size + 1;
	buf = xmalloc(want + 1);
	for (;;) {
		if (len == want) {
			want = want > cap / 2 ? cap + 1 : want * 2;
			buf = xreallocarray(buf, want + 1, 1);
		}
		if ((got = read(rfd, buf + len, want - len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > cap) {
			warnx("cannot read %s in '%s': larger than %zu bytes",
			    esc(path), esc(d->path), cap);
			goto out;
		}
	}
	buf[len] = '\0';
	*buf_r = buf;
	*len_r = len;
	buf = NULL;
	r = 0;
	goto out;
fail:
	warnx("cannot read %s in '%s': %s", esc(path), esc(d->path),
	    strerror(errno));
out:
	free(buf);
	close_keep_errno(rfd);
	close_keep_errno(fd);
	return r;
}

static int
dir_lstat(struct gfs *fs, const char *path, struct guest_attr *a,
    char *type_r)
{
	struct gfs_dir *d = dirfs(fs);
	struct stat st;
	int fd;

	if ((fd = open_self(d, path)) == -1 && absent(errno))
		return 1;
	if (fd == -1 || fstat(fd, &st) == -1) {
		warnx("cannot stat %s in '%s': %s", esc(path), esc(d->path),
		    strerror(errno));
		close_keep_errno(fd);
		return -1;
	}
	close(fd);
	if (a)
		attr_of(&st, a);
	*type_r = type_of(st.st_mode);
	return 0;
}

static int
dir_readlink(struct gfs *fs, const char *path, char **target_r)
{
	struct gfs_dir *d = dirfs(fs);
	struct stat st;
	char lnk[PATH_MAX];
	ssize_t ll = -1;
	int fd;

	*target_r = NULL;
	if ((fd = open_self(d, path)) == -1 && absent(errno))
		return 1;
	if (fd != -1 && fstat(fd, &st) == 0 && !S_ISLNK(st.st_mode)) {
		warnx("cannot read the link %s in '%s': not a symbolic link",
		    esc(path), esc(d->path));
		close(fd);
		return -1;
	}
	if (fd == -1 || (ll = readlinkat(fd, "", lnk, sizeof(lnk))) == -1 ||
	    (size_t)ll >= sizeof(lnk)) {
		warnx("cannot read the link %s in '%s': %s", esc(path),
		    esc(d->path),
		    strerror(fd != -1 && ll != -1 ? ENAMETOOLONG : errno));
		close_keep_errno(fd);
		return -1;
	}
	close(fd);
	*target_r = xstrndup(lnk, (size_t)ll);
	return 0;
}

static int
dir_ls(struct gfs *fs, const char *dir, struct strlist *names)
{
	struct gfs_dir *d = dirfs(fs);
	struct strlist l = STRLIST_INIT;
	struct dirent *de;
	size_t i;
	DIR *dp;
	int fd;

	if ((fd = open_in(d, dir, O_RDONLY | O_DIRECTORY)) == -1 &&
	    absent(errno))
		return 1;
	if (fd == -1 || (dp = fdopendir(fd)) == NULL) {
		warnx("cannot list %s in '%s': %s", esc(dir), esc(d->path),
		    strerror(errno));
		close_keep_errno(fd);
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(dp)) == NULL)
			break;
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			strlist_add(&l, de->d_name);
	}
	if (errno != 0) {
		warnx("cannot list %s in '%s': %s", esc(dir), esc(d->path),
		    strerror(errno));
		closedir(dp);
		strlist_release(&l);
		return -1;
	}
	closedir(dp);
	sort_strings(l.v, l.n);
	for (i = 0; i < l.n; i++)
		strlist_add_owned(names, l.v[i]);
	free(l.v);
	return 0;
}

static int
dir_is_file(struct gfs *fs, const char *path)
{
	struct gfs_dir *d = dirfs(fs);
	struct stat st;
	int fd;

	if ((fd = open_in(d, path, O_PATH)) == -1 && absent(errno))
		return 0;
	if (fd == -1 || fstat(fd, &st) == -1) {
		warnx("cannot check %s in '%s': %s", esc(path), esc(d->path),
		    strerror(errno));
		close_keep_errno(fd);
		return -1;
	}
	close(fd);
	return S_ISREG(st.st_mode);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Every extended attribute of the object O_PATH descriptor src holds
 * onto open file dst: the SELinux label above all, a POSIX ACL, file
 * capabilities.  A filesystem without them, or one gone meanwhile, is not
 * an error.  0, or -1 with errno.
 */
static int
copy_xattrs(int src, int dst)
{
	char pp[32], *names = NULL, *val = NULL, *n;
	ssize_t nl, vl;
	int r = -1;

	fd_path(pp, src);
	for (;;) {
		if ((nl = listxattr(pp, NULL, 0)) == -1)
			goto none;
		names = xreallocarray(names, (size_t)nl + 1, 1);
		if ((nl = listxattr(pp, names, (size_t)nl)) != -1)
			break;
		if (errno != ERANGE)	/* ERANGE: it grew meanwhile */
			goto none;
	}
	for (n = names; n < names + nl; n += strlen(n) + 1) {
		for (;;) {
			if ((vl = getxattr(pp, n, NULL, 0)) == -1)
				break;
			val = xreallocarray(val, (size_t)vl + 1, 1);
			if ((vl = getxattr(pp, n, val, (size_t)vl)) != -1 ||
			    errno != ERANGE)
				break;
		}
		if (vl == -1) {
			if (errno == ENODATA)
				continue;
			goto out;
		}
		if (fsetxattr(dst, n, val, (size_t)vl, 0) == -1 &&
		    errno != ENOTSUP)
			goto out;
	}
	r = 0;
	goto out;
none:
	if (errno == ENOTSUP)
		r = 0;
out:
	free(names);
	free(val);
	return r;
}

/* A new file ".imprint-XXXXXXXXXXXX" in dfd, never one that was there,
 * mode mode (umask aside).  Its descriptor, or -1 with errno. */
static int
make_temp(int dfd, char name[32], mode_t mode)
{
	unsigned char rnd[6];
	int i, fd = -1;

	for (i = 0; i < DIR_RETRIES; i++) {
		xrandom(rnd, sizeof(rnd));
		snprintf(name, 32, ".imprint-%02x%02x%02x%02x%02x%02x",
		    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode)) != -1 || errno != EEXIST)
			break;
	}
	return fd;
}

/*
 * The temporary is 0600 (or the final mode where that is stricter) and
 * the caller's while the bytes go in, so a new /etc/shadow is never
 * readable by others on the host.  Then owner, extended attributes and
 * mode in that order: chown(2) drops set-id bits and file capabilities,
 * and an ACL's mask is set again by the mode.  fsync before the rename,
 * so that a crash leaves the old file or the whole new one, and of the
 * directory after it, so the write is durable when it returns.
 */
static int
dir_write(struct gfs *fs, const char *path, const char *data, size_t len,
    const char *like, const struct guest_attr *attr)
{
	struct gfs_dir *d = dirfs(fs);
	struct guest_attr a = { 0644, 0, 0 };
	struct stat st;
	char *base = NULL, tmp[32];
	int dfd, src = -1, tfd = -1, r = -1;

	if ((dfd = open_parent(d, path, O_RDONLY | O_DIRECTORY, &base)) ==
	    -1) {
		warnx("cannot write %s in '%s': %s", esc(path), esc(d->path),
		    errno == ENOENT || errno == ENOTDIR ? "no such directory" :
		    strerror(errno));
		return -1;
	}
	if (base == NULL) {
		warnx("refusing to write %s in '%s': it is not a regular file",
		    esc(path), esc(d->path));
		goto out;
	}
	if ((src = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC)) !=
	    -1) {
		if (fstat(src, &st) == -1)
			goto fail;
		if (!S_ISREG(st.st_mode)) {
			warnx("refusing to write %s in '%s': it is %s",
			    esc(path), esc(d->path),
			    S_ISLNK(st.st_mode) ? "a symbolic link" :
			    "not a regular file");
			goto out;
		}
		attr_of(&st, &a);
	} else if (errno != ENOENT)
		goto fail;
	else if (like != NULL && (src = open_self(d, like)) != -1) {
		/* like as the other implementations take it: a regular
		 * file itself, else the defaults */
		if (fstat(src, &st) == 0 && S_ISREG(st.st_mode))
			attr_of(&st, &a);
		else {
			close(src);
			src = -1;
		}
	}
	if (attr)
		a = *attr;
	if ((tfd = make_temp(dfd, tmp, (mode_t)(a.mode & 0600))) == -1)
		goto fail;
	if (write_all(tfd, data, len) == -1 || fstat(tfd, &st) == -1 ||
	    ((st.st_uid != a.uid || st.st_gid != a.gid) &&
	    fchown(tfd, a.uid, a.gid) == -1) ||
	    (src != -1 && copy_xattrs(src, tfd) == -1) ||
	    fchmod(tfd, (mode_t)(a.mode & 07777)) == -1 ||
	    fsync(tfd) == -1 || (testpoint("guest-temp"), 0) ||
	    renameat(dfd, tmp, dfd, base) == -1) {
		warnx("cannot write %s in '%s': %s", esc(path), esc(d->path),
		    strerror(errno));
		(void)unlinkat(dfd, tmp, 0);
		goto out;
	}
	if (fsync(dfd) == -1)
		goto fail;
	r = 0;
	goto out;
fail:
	warnx("cannot write %s in '%s': %s", esc(path), esc(d->path),
	    strerror(errno));
out:
	close_keep_errno(tfd);
	close_keep_errno(src);
	close_keep_errno(dfd);
	free(base);
	return r;
}

static int
dir_remove(struct gfs *fs, const char *path)
{
	struct gfs_dir *d = dirfs(fs);
	struct stat st;
	char *base = NULL;
	int dfd, r = -1;

	if ((dfd = open_parent(d, path, O_RDONLY | O_DIRECTORY, &base)) ==
	    -1) {
		if (absent(errno))
			return 0;
		goto fail;
	}
	if (base == NULL) {
		warnx("refusing to remove %s in '%s': not a file", esc(path),
		    esc(d->path));
		goto out;
	}
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			goto fail;
		r = 0;
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		warnx("refusing to remove %s in '%s': not a file", esc(path),
		    esc(d->path));
		goto out;
	}
	if ((unlinkat(dfd, base, 0) == -1 && errno != ENOENT) ||
	    fsync(dfd) == -1)
		goto fail;
	r = 0;
	goto out;
fail:
	warnx("cannot remove %s in '%s': %s", esc(path), esc(d->path),
	    strerror(errno));
out:
	close_keep_errno(dfd);
	free(base);
	return r;
}

static int
dir_symlink(struct gfs *fs, const char *target, const char *path,
    const struct guest_attr *attr)
{
	struct gfs_dir *d = dirfs(fs);
	char *base = NULL;
	const char *why;
	int dfd, r = -1;

	if ((dfd = open_parent(d, path, O_RDONLY | O_DIRECTORY, &base)) ==
	    -1) {
		why = errno == ENOENT || errno == ENOTDIR ?
		    "no such directory" : strerror(errno);
		goto fail;
	}
	if (base == NULL || symlinkat(target, dfd, base) == -1) {
		why = base == NULL || errno == EEXIST ? "it exists" :
		    strerror(errno);
		goto fail;
	}
	if (attr && fchownat(dfd, base, attr->uid, attr->gid,
	    AT_SYMLINK_NOFOLLOW) == -1) {
		why = strerror(errno);
		(void)unlinkat(dfd, base, 0);	/* all or nothing */
		goto fail;
	}
	if (fsync(dfd) == -1) {
		why = strerror(errno);
		goto fail;
	}
	r = 0;
	goto out;
fail:
	warnx("cannot make the symbolic link %s in '%s': %s", esc(path),
	    esc(d->path), why);
out:
	close_keep_errno(dfd);
	free(base);
	return r;
}

static int
dir_getxattr(struct gfs *fs, const char *path, const char *name,
    char **val_r, size_t *len_r)
{
	struct gfs_dir *d = dirfs(fs);
	char pp[32], *val = NULL;
	ssize_t vl;
	int fd;

	*val_r = NULL;
	*len_r = 0;
	if ((fd = open_self(d, path)) == -1) {
		warnx("cannot read %s of %s in '%s': %s", esc(name), esc(path),
		    esc(d->path),
		    absent(errno) ? "no such file" : strerror(errno));
		return -1;
	}
	fd_path(pp, fd);
	for (;;) {
		if ((vl = getxattr(pp, name, NULL, 0)) == -1)
			break;
		val = xreallocarray(val, (size_t)vl + 1, 1);
		if ((vl = getxattr(pp, name, val, (size_t)vl)) != -1 ||
		    errno != ERANGE)
			break;
	}
	close_keep_errno(fd);
	if (vl == -1) {
		free(val);
		if (errno == ENODATA || errno == ENOTSUP)
			return 1;
		warnx("cannot read %s of %s in '%s': %s", esc(name), esc(path),
		    esc(d->path), strerror(errno));
		return -1;
	}
	val[vl] = '\0';
	*val_r = val;
	*len_r = (size_t)vl;
	return 0;
}

static int
dir_setxattr(struct gfs *fs, const char *path, const char *name,
    const char *val, size_t len)
{
	struct gfs_dir *d = dirfs(fs);
	char pp[32];
	int fd, r;

	if ((fd = open_self(d, path)) == -1) {
		warnx("cannot set %s of %s in '%s': %s", esc(name), esc(path),
		    esc(d->path),
		    absent(errno) ? "no such file" : strerror(errno));
		return -1;
	}
	fd_path(pp, fd);
	if ((r = setxattr(pp, name, val, len, 0)) == -1)
		warnx("cannot set %s of %s in '%s': %s", esc(name), esc(path),
		    esc(d->path), strerror(errno));
	close_keep_errno(fd);
	return r;
}

/*
 * Nothing left to do: write, remove and symlink fsync what they change
 * before they return.  One syncfs(2) of the root here would miss the
 * filesystems mounted inside the tree.
 */
static int
dir_flush(struct gfs *fs)
{
	(void)fs;
	return 0;
}

/* A tree on the host has no disks of its own: what holds it is the
 * host's. */
static int
dir_filesystems(struct gfs *fs, struct gfs_fsinfo **fs_r, size_t *n_r)
{
	(void)fs_r;
	(void)n_r;
	warnx("'%s' is a guest tree on the host, without the guest's disks: "
	    "its filesystems' UUIDs cannot be changed here (use the disk "
	    "image)", esc(dirfs(fs)->path));
	return -1;
}

static int
dir_set_uuid(struct gfs *fs, const char *dev, const char *uuid)
{
	(void)uuid;
	warnx("'%s': no filesystem %s in a guest tree on the host",
	    esc(dirfs(fs)->path), esc(dev));
	return -1;
}

static const struct gfs_ops dir_ops = {
	.read		= dir_read,
	.lstat		= dir_lstat,
	.readlink	= dir_readlink,
	.ls		= dir_ls,
	.is_file	= dir_is_file,
	.write		= dir_write,
	.remove		= dir_remove,
	.symlink	= dir_symlink,
	.getxattr	= dir_getxattr,
	.setxattr	= dir_setxattr,
	.flush		= dir_flush,
	.filesystems	= dir_filesystems,
	.set_uuid	= dir_set_uuid,
};

/* ---- opening and closing ------------------------------------------------ */

struct gfs *
gfs_dir_open(const char *root)
{
	struct gfs_dir *d;
	int fd;
#ifdef SYS_openat2
	struct open_how how;
	int p;
#endif

	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		warnx("cannot open the guest tree '%s': %s", esc(root),
		    strerror(errno));
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->fs.ops = &dir_ops;
	d->path = xstrdup(root);
	d->fs.name = d->path;
	d->root = fd;
	d->walk = true;
#ifdef SYS_openat2
	/* ENOSYS before 5.6, EPERM or ENOSYS under a seccomp filter */
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = DIR_RESOLVE;
	if ((p = (int)syscall(SYS_openat2, fd, "/", &how, sizeof(how))) !=
	    -1) {
		close(p);
		d->walk = false;
	}
#endif
	return &d->fs;
}

void
gfs_dir_free(struct gfs *fs)
{
	struct gfs_dir *d = dirfs(fs);

	if (fs == NULL)
		return;
	close(d->root);
	free(d->path);
	free(d);
}

bool
gfs_dir_force_walk(struct gfs *fs)
{
	struct gfs_dir *d = dirfs(fs);
	bool had = !d->walk;

	d->walk = true;
	return had;
}
