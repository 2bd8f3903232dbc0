/*
 * clone.c - the clone's paths from the template's, and a sparse or
 * reflinked copy of a disk image (clone.h).  No config, no appliance, no
 * program run: cmd_clone.c does those.
 */
#define _GNU_SOURCE	/* copy_file_range, mkostemp */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/fs.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clone.h"
#include "util.h"

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Does old occur at s[i] between boundaries, within [start, end)? */
static bool
match_at(const char *s, size_t i, size_t start, size_t end, const char *old,
    size_t olen)
{
	if (i + olen > end || strncmp(s + i, old, olen) != 0)
		return false;
	if (i > start && is_alnum(s[i - 1]))
		return false;
	if (i + olen < end && is_alnum(s[i + olen]))
		return false;
	return true;
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static char
lower(char c)
{
	return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/*
 * The fallback match: old at s[i] in any letter case, starting at a
 * non-alphanumeric boundary or a CamelCase one (a lowercase letter or a
 * digit, then an uppercase letter: LogVol|Dc1), ending at a
 * non-alphanumeric boundary.
 */
static bool
match_case_at(const char *s, size_t i, size_t start, size_t end,
    const char *old, size_t olen)
{
	size_t k;

	if (i + olen > end)
		return false;
	for (k = 0; k < olen; k++)
		if (lower(s[i + k]) != lower(old[k]))
			return false;
	if (i > start && is_alnum(s[i - 1]) && !(is_upper(s[i]) &&
	    (is_lower(s[i - 1]) || (s[i - 1] >= '0' && s[i - 1] <= '9'))))
		return false;
	if (i + olen < end && is_alnum(s[i + olen]))
		return false;
	return true;
}

/* new, each letter in the case of the letter at its place in like. */
static void
add_cased(struct buf *b, const char *new, const char *like, size_t llen)
{
	size_t k;
	char c;

	for (k = 0; new[k] != '\0'; k++) {
		c = new[k];
		if (k < llen && is_upper(like[k]) && is_lower(c))
			c = (char)(c - 'a' + 'A');
		else if (k < llen && is_lower(like[k]))
			c = lower(c);
		buf_addc(b, c);
	}
}

/* rename_path's work, with the exact match or the fallback one. */
static int
rename_with(const char *path, const char *old, const char *new, bool cased,
    char **out_r, unsigned *depth_r)
{
	size_t len = strlen(path), olen = strlen(old), start, end, i;
	unsigned depth = 0;
	struct buf b;
	bool (*match)(const char *, size_t, size_t, size_t, const char *,
	    size_t) = cased ? match_case_at : match_at;

	/* components from the last one back: [start, end) */
	end = len;
	while (end > 0) {
		while (end > 0 && path[end - 1] == '/')
			end--;
		if (end == 0)
			break;
		start = end;
		while (start > 0 && path[start - 1] != '/')
			start--;
		for (i = start; i < end; i++)
			if (match(path, i, start, end, old, olen))
				break;
		if (i < end) {
			buf_init(&b);
			buf_add(&b, path, start);
			for (i = start; i < end; ) {
				if (!match(path, i, start, end, old, olen))
					buf_addc(&b, path[i++]);
				else {
					if (cased)
						add_cased(&b, new, path + i,
						    olen);
					else
						buf_adds(&b, new);
					i += olen;
				}
			}
			buf_add(&b, path + end, len - end);
			*out_r = buf_detach(&b, NULL);
			*depth_r = depth;
			return 0;
		}
		end = start;
		depth++;
	}
	return 1;
}

int
clone_rename_path(const char *path, const char *old, const char *new,
    char **out_r, unsigned *depth_r)
{
	*out_r = NULL;
	*depth_r = 0;
	if (*old == '\0' || *new == '\0')
		return 1;
	if (rename_with(path, old, new, false, out_r, depth_r) == 0)
		return 0;
	return rename_with(path, old, new, true, out_r, depth_r);
}

int
clone_reflink_probe(const char *src, const char *dir)
{
	char *tmp;
	int in, out, r, e;

	if ((in = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		warn("cannot open '%s'", esc(src));
		return -1;
	}
	tmp = xasprintf("%s/.imprint-reflink-XXXXXX", dir);
	if ((out = mkostemp(tmp, O_CLOEXEC)) == -1) {
		e = errno;
		warnx("cannot create a file in '%s': %s", esc(dir),
		    strerror(e));
		close(in);
		free(tmp);
		return -1;
	}
	r = ioctl(out, FICLONE, in) == 0 ? 1 : 0;
	close(out);
	close(in);
	(void)unlink(tmp);
	free(tmp);
	return r;
}

/* Copy [off, end) of in to the same offsets of out. */
static int
copy_range(int in, int out, off_t off, off_t end, bool *no_cfr)
{
	static char buf[1 << 16];
	ssize_t n, w, k;
	off_t o_in, o_out;

	while (off < end) {
		if (!*no_cfr) {
			o_in = o_out = off;
			n = copy_file_range(in, &o_in, out, &o_out,
			    (size_t)(end - off), 0);
			if (n > 0) {
				off += n;
				continue;
			}
			if (n == 0)
				break;		/* the file shrank */
			if (errno != EXDEV && errno != ENOSYS &&
			    errno != EOPNOTSUPP && errno != EINVAL)
				return -1;
			*no_cfr = true;	/* an older kernel, another fs */
		}
		n = pread(in, buf, (size_t)(end - off) < sizeof(buf) ?
		    (size_t)(end - off) : sizeof(buf), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		for (k = 0; k < n; k += w) {
			w = pwrite(out, buf + k, (size_t)(n - k), off + k);
			if (w == -1 && errno != EINTR)
				return -1;
			if (w == -1)
				w = 0;
		}
		off += n;
	}
	return 0;
}

/* The data extents of in, copied to out (already as long as in). */
static int
copy_sparse(int in, int out, off_t size)
{
	off_t data, hole = 0;
	bool no_cfr = false;

	for (;;) {
		if ((data = lseek(in, hole, SEEK_DATA)) == -1)
			return errno == ENXIO ? 0 : -1;
		if ((hole = lseek(in, data, SEEK_HOLE)) == -1)
			return -1;
		if (hole > size)
			hole = size;
		if (copy_range(in, out, data, hole, &no_cfr) == -1)
			return -1;
		if (hole >= size)
			return 0;
	}
}

int
clone_copy_file(const char *src, const char *dst, mode_t mode,
    bool *reflinked_r)
{
	struct stat st;
	int in, out = -1, e;
	const char *what = "copy";

	*reflinked_r = false;
	if ((in = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		warn("cannot open '%s'", esc(src));
		return -1;
	}
	if (fstat(in, &st) == -1 || !S_ISREG(st.st_mode)) {
		e = S_ISREG(st.st_mode) ? errno : EINVAL;
		warnx("cannot copy '%s': %s", esc(src), e == EINVAL ?
		    "not a regular file" : strerror(e));
		close(in);
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (out == -1) {
		warn("cannot create '%s'", esc(dst));
		close(in);
		return -1;
	}
	if (ioctl(out, FICLONE, in) == 0)
		*reflinked_r = true;
	else if (ftruncate(out, st.st_size) == -1 ||
	    copy_sparse(in, out, st.st_size) == -1)
		goto fail;
	what = "set the mode of";
	if (fchmod(out, mode & 07777) == -1)
		goto fail;
	what = "flush";
	if (fsync(out) == -1)
		goto fail;
	what = "close";
	e = close(out);
	out = -1;
	if (e == -1)
		goto fail;
	close(in);
	return 0;
fail:
	e = errno;
	warnx("cannot %s '%s': %s", what, esc(dst), strerror(e));
	if (out != -1)
		close(out);
	close(in);
	(void)unlink(dst);
	return -1;
}
