/*
 * util.c - allocation and random-byte wrappers, growable buffers, string
 * lists and the reads of host files.
 *
 * Nothing here knows about guests, recipes or domain configs.
 */
#define _GNU_SOURCE	/* vasprintf */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n ? n : 1)) == NULL)
		err(1, "malloc");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n ? n : 1, size ? size : 1)) == NULL)
		err(1, "calloc");
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		errx(1, "reallocarray: overflow");
	if ((p = realloc(p, n * size > 0 ? n * size : 1)) == NULL)
		err(1, "realloc");
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		err(1, "strdup");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		err(1, "strndup");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		err(1, "asprintf");
	return s;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > (size_t)-1 - b->len - 1)
		errx(1, "buffer overflow");
	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < want)
		b->cap = b->cap > (size_t)-1 / 2 ? want : b->cap * 2;
	b->data = xreallocarray(b->data, b->cap, 1);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		errx(1, "vsnprintf failed");
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

char *
buf_detach(struct buf *b, size_t *len_r)
{
	char *p;

	if (b->data == NULL)
		buf_grow(b, 0), b->data[0] = '\0';
	p = b->data;
	if (len_r)
		*len_r = b->len;
	buf_init(b);
	return p;
}

void
strlist_add_owned(struct strlist *l, char *s)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

void
strlist_add(struct strlist *l, const char *s)
{
	strlist_add_owned(l, xstrdup(s));
}

int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
sort_strings(char **v, size_t n)
{
	if (n > 1)	/* qsort wants no NULL, even for nothing to sort */
		qsort(v, n, sizeof(*v), cmp_str);
}

int
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void
strlist_release(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int
host_open(const char *path, int flags, struct stat *st, const char **reason_r)
{
	int fd, e;

	memset(st, 0, sizeof(*st));
	/*
	 * O_NONBLOCK: opening a FIFO for reading blocks until a writer
	 * comes, and a FIFO named as a recipe or a config would hang
	 * imprint, perhaps with the appliance up and an image locked.
	 * Regular files ignore the flag, so it can stay set for the reads.
	 */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
	    (flags & HOST_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd == -1) {
		e = errno;
		*reason_r = strerror(e);
		errno = e;
		return -1;
	}
	if (fstat(fd, st) == -1) {
		e = errno;
		close(fd);
		memset(st, 0, sizeof(*st));
		*reason_r = strerror(e);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		/* a device or socket would not stop at EOF either */
		close(fd);
		e = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
		*reason_r = e == EISDIR ? strerror(e) : "not a regular file";
		errno = e;
		return -1;
	}
	return fd;
}

int
host_read_fd(int fd, const struct stat *st, size_t cap, struct buf *b)
{
	size_t start = b->len;
	ssize_t n;

	/* st_size first, so a huge file is not read; the loop for growth */
	if ((uintmax_t)st->st_size > cap)
		return EFBIG;
	buf_grow(b, (size_t)st->st_size);
	for (;;) {
		buf_grow(b, 65536);
		n = read(fd, b->data + b->len, 65536);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno;
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len - start > cap)
			return EFBIG;
	}
	b->data[b->len] = '\0';
	return 0;
}

int
read_host_file(const char *path, size_t cap, char **buf_r, size_t *len_r)
{
	struct buf b = BUF_INIT;
	struct stat st;
	const char *reason;
	int fd, e;

	if ((fd = host_open(path, 0, &st, &reason)) == -1) {
		warnx("cannot read '%s': %s", path, reason);
		return -1;
	}
	e = host_read_fd(fd, &st, cap, &b);
	close(fd);
	if (e == EFBIG)
		warnx("cannot read '%s': larger than %zu bytes", path, cap);
	else if (e != 0)
		warnx("cannot read '%s': %s", path, strerror(e));
	if (e != 0) {
		buf_release(&b);
		return -1;
	}
	*buf_r = buf_detach(&b, len_r);
	return 0;
}

int
has_nul(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
ascii_casecmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	do {
		ca = (unsigned char)*a++;
		cb = (unsigned char)*b++;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
	} while (ca && ca == cb);
	return ca - cb;
}

void
xrandom(void *p, size_t n)
{
	unsigned char *q = p;
	ssize_t r;

	while (n > 0) {
		if ((r = getrandom(q, n, 0)) < 0) {
			if (errno == EINTR)
				continue;
			err(1, "cannot get random bytes");
		}
		q += r;
		n -= (size_t)r;
	}
}

int
parse_uint(const char *s, unsigned long lo, unsigned long hi,
    unsigned long *v_r)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	*v_r = v;
	return 0;
}

char *
path_beside(const char *file, const char *name)
{
	const char *slash = strrchr(file, '/');

	if (slash == NULL)
		return xstrdup(name);
	return xasprintf("%.*s/%s", (int)(slash - file), file, name);
}

char *
path_dir(const char *path)
{
	const char *s = strrchr(path, '/');

	if (s == NULL)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

/*
 * The length (2 to 4) of the well-formed UTF-8 sequence at s, its code
 * point in *cp, or 0: a stray continuation byte, a truncated sequence,
 * an overlong form, a surrogate or a code point past U+10FFFF.
 */
static size_t
utf8_seq(const unsigned char *s, uint32_t *cp)
{
	uint32_t c, min;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	/* a NUL stops this loop too: it is no continuation byte */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Code points a terminal acts on rather than shows: the C1 controls
 * (U+0080-U+009F: in some terminals U+009B is CSI), the line and
 * paragraph separators, and the bidirectional embeddings, overrides and
 * isolates, which reorder what is shown so it no longer reads as the
 * bytes say.
 */
static int
unsafe_cp(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

void
buf_add_text(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n, i;

	buf_grow(b, strlen(s));
	b->data[b->len] = '\0';	/* for an empty s too */
	while (*p) {
		if (*p == '\\') {
			buf_add(b, "\\\\", 2);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			buf_addf(b, "\\x%02x", *p++);
		} else if (*p < 0x80) {
			buf_addc(b, (char)*p++);
		} else if ((n = utf8_seq(p, &cp)) == 0) {
			buf_addf(b, "\\x%02x", *p++);
		} else if (unsafe_cp(cp)) {
			for (i = 0; i < n; i++)
				buf_addf(b, "\\x%02x", *p++);
		} else {
			buf_add(b, p, n);
			p += n;
		}
	}
}

char *
text_escape(const char *s)
{
	struct buf b = BUF_INIT;

	buf_add_text(&b, s);
	return buf_detach(&b, NULL);
}

const char *
esc(const char *s)
{
	static char *ring[ESC_SLOTS];
	static unsigned next;
	char *e;
	int saved = errno;

	if (s == NULL)
		return NULL;
	e = text_escape(s);
	free(ring[next]);
	ring[next] = e;
	next = (next + 1) % ESC_SLOTS;
	/* for warn(3) and strerror(errno) in the same call */
	errno = saved;
	return e;
}

uint16_t
get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t
get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

uint64_t
get_le64(const unsigned char *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

char *
sd_name(size_t index)
{
	char letters[16];
	size_t n = sizeof(letters) - 1;

	/* bijective base 26: a..z, then aa..zz, then aaa.. */
	letters[n] = '\0';
	do {
		letters[--n] = (char)('a' + index % 26);
		index = index / 26;
	} while (index-- > 0 && n > 0);
	return xasprintf("/dev/sd%s", letters + n);
}

unsigned
host_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/*
 * Why more than one vCPU: most of an appliance's boot is udev working
 * through each drive's events (blkid, scsi_id, LVM's pvscan), in
 * parallel workers that a second vCPU runs side by side, and qemu's TCG
 * runs each vCPU in its own host thread.  Measured under TCG on 2 cores,
 * 32 drives: 28 s with one vCPU, 21.7 s with two.  With one drive the
 * gain is 1 s (11.9 s against 10.8 s), and the second vCPU's thread
 * then costs more than that to whatever else keeps the host busy: two
 * single-image runs at once took 18.1 s with two vCPUs each, 15.3 s
 * with one.  So a launch of a few drives keeps one.  More than two was
 * never measured, so it is not given.
 */
unsigned
appliance_vcpus(unsigned cpus, unsigned jobs, size_t drives)
{
	unsigned n = jobs > 0 ? cpus / jobs : cpus;

	if (drives < APPLIANCE_SMP_DRIVES || n < 1)
		return 1;
	return n > APPLIANCE_MAX_VCPUS ? APPLIANCE_MAX_VCPUS : n;
}
