/*
 * undo.c - build, save, load and remove undo records (format in undo.h).
 *
 * Host side only: this module never talks to libguestfs and restores
 * nothing itself.  The format is written by hand because no library
 * packaged in Debian offers a C API for a versioned, checksummed record
 * of raw byte blobs with attributes (json-c would need base64 for binary
 * data and has no integrity check); it is small: one line per item, raw
 * data with explicit lengths, percent-encoded names, a CRC-32 end line.
 * The CRC-32 is computed here (16-entry table) because none of the
 * libraries imprint links (libguestfs, libuuid, libcrypt, json-c) exports
 * a checksum.  Writing goes through hostfile_replace(), the one place
 * that replaces host files.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostfile.h"
#include "undo.h"
#include "util.h"
#include "virtdom.h"
#include "valid.h"

#define MAGIC		"imprint-undo "
#define END_PREFIX	"end crc32 "
#define MAX_FIELDS	8

/* CRC-32/ISO-HDLC (zlib, gzip, PNG): reflected polynomial 0xedb88320. */
static uint32_t
crc32_of(const char *p, size_t n)
{
	static const uint32_t t[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c
	};
	uint32_t c = 0xffffffff;
	size_t i;

	for (i = 0; i < n; i++) {
		c ^= (unsigned char)p[i];
		c = (c >> 4) ^ t[c & 15];
		c = (c >> 4) ^ t[c & 15];
	}
	return ~c;
}

struct undo *
undo_new(const char *image, const char *root)
{
	struct undo *u = xcalloc(1, sizeof(*u));

	u->image = xstrdup(image);
	u->root = xstrdup(root != NULL ? root : "");
	return u;
}

void
undo_free(struct undo *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++) {
		free(u->e[i].path);
		free(u->e[i].data);
		free(u->e[i].label);
	}
	free(u->e);
	strlist_release(&u->applied);
	free(u->image);
	free(u->root);
	free(u);
}

char *
undo_path_for(const char *image)
{
	return xasprintf("%s%s", image, UNDO_SUFFIX);
}

const struct undo_entry *
undo_find(const struct undo *u, bool host, const char *path)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->e[i].host == host && strcmp(u->e[i].path, path) == 0)
			return &u->e[i];
	return NULL;
}

int
undo_add(struct undo *u, const struct undo_entry *e)
{
	struct undo_entry *n;

	if (undo_find(u, e->host, e->path) != NULL)
		return 0;
	u->e = xreallocarray(u->e, u->n + 1, sizeof(*u->e));
	n = &u->e[u->n++];
	memset(n, 0, sizeof(*n));
	n->host = e->host;
	n->path = xstrdup(e->path);
	n->what = e->what;
	if (e->what != UNDO_DELETE) {
		n->data = xmalloc(e->len + 1);
		if (e->len > 0)
			memcpy(n->data, e->data, e->len);
		n->data[e->len] = '\0';
		n->len = e->len;
		n->mode = e->mode & 07777;
		n->uid = e->uid;
		n->gid = e->gid;
		if (e->label != NULL && !e->host) {
			n->label = xmalloc(e->labellen + 1);
			memcpy(n->label, e->label, e->labellen);
			n->label[e->labellen] = '\0';
			n->labellen = e->labellen;
		}
	}
	return 1;
}

void
undo_set_applied(struct undo *u, const struct strlist *applied)
{
	size_t i;

	strlist_release(&u->applied);
	if (applied == NULL)
		return;
	for (i = 0; i < applied->n; i++)
		strlist_add(&u->applied, applied->v[i]);
}

const char *
undo_applied_get(const struct undo *u, const char *key)
{
	size_t i, k = strlen(key);

	for (i = 0; i < u->applied.n; i++) {
		const char *s = u->applied.v[i];

		if (strncmp(s, key, k) == 0 && s[k] == '=')
			return s + k + 1;
	}
	return NULL;
}

/* Append S percent-encoded: '%', bytes <= 0x20 and >= 0x7f as %XX. */
static void
enc(struct buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '%')
			buf_addf(b, "%%%02X", *p);
		else
			buf_addc(b, (char)*p);
	}
}

/* Largest label kept (SELinux's are tens of bytes). */
#define LABEL_MAX	4096

/*
 * Decode a "selinux=HEX" field into *label_r (NUL after, caller frees)
 * and *len_r: 0, or -1 when it is not one.
 */
/* 36 bytes at p: a dashed uuid (8-4-4-4-12 hex digits)? */
static bool
uuid_dashed(const char *p)
{
	size_t i;

	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? p[i] != '-' :
		    !isxdigit((unsigned char)p[i]))
			return false;
	return true;
}

static int
label_dec(const char *f, char **label_r, size_t *len_r)
{
	const char *h;
	size_t n, i;
	int hi, lo;

	if (strncmp(f, "selinux=", 8) != 0)
		return -1;
	h = f + 8;
	n = strlen(h);
	if (n == 0 || n % 2 != 0 || n / 2 > LABEL_MAX)
		return -1;
	*label_r = xmalloc(n / 2 + 1);
	for (i = 0; i < n / 2; i++) {
		if ((hi = hex_value(h[2 * i])) == -1 ||
		    (lo = hex_value(h[2 * i + 1])) == -1) {
			free(*label_r);
			*label_r = NULL;
			return -1;
		}
		(*label_r)[i] = (char)(hi << 4 | lo);
	}
	(*label_r)[n / 2] = '\0';
	*len_r = n / 2;
	return 0;
}

/*
 * Decode a percent-encoded field (caller frees).  NULL for an empty
 * field, a bad escape, an encoded NUL or a byte enc() would have encoded.
 */
static char *
dec(const char *s)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;
	int hi, lo;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '%') {
			if ((hi = hex_value((char)p[1])) == -1 ||
			    (lo = hex_value((char)p[2])) == -1 ||
			    (hi == 0 && lo == 0))
				goto bad;
			buf_addc(&b, (char)(hi << 4 | lo));
			p += 2;
		} else if (*p <= 0x20 || *p >= 0x7f)
			goto bad;
		else
			buf_addc(&b, (char)*p);
	}
	if (b.len == 0)
		goto bad;
	return buf_detach(&b, NULL);
bad:
	buf_release(&b);
	return NULL;
}

/* Strict unsigned number: digits only, at most MAX. */
static int
number(const char *s, int base, unsigned long long max,
    unsigned long long *r)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*r = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0' || *r > max)
		return -1;
	return 0;
}

/* "NAME=NUMBER" with NAME given. */
static int
attr(const char *field, const char *name, int base, unsigned long long max,
    unsigned long long *r)
{
	size_t k = strlen(name);

	if (strncmp(field, name, k) != 0 || field[k] != '=')
		return -1;
	return number(field + k + 1, base, max, r);
}

/* The loader's state, for messages. */
struct rd {
	const char	*rec;		/* record path */
	size_t		 line;		/* 1-based line of the current item */
};

static void __attribute__((format(printf, 2, 3)))
bad(const struct rd *rd, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	warnx("undo record '%s': line %zu: %s", rd->rec, rd->line, b.data);
	buf_release(&b);
}

/* Split LINE in place at single spaces.  -1 on an empty field. */
static int
split(char *line, char **f, size_t *nf)
{
	char *p = line;

	*nf = 0;
	for (;;) {
		if (*nf == MAX_FIELDS || *p == ' ' || *p == '\0')
			return -1;
		f[(*nf)++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			return 0;
		*p++ = '\0';
	}
}

/*
 * An absolute path, or for a host entry a libvirt domain reference
 * (virtdom.h: the domain is restored by defining its XML again).
 */
static bool
path_ok(bool host, const char *path)
{
	return path[0] == '/' || (host && virtdom_is_ref(path));
}

/*
 * Parse the items between the version line and the end line, D[0..LEN),
 * into U.  Returns 0, or -1 after one message.
 */
static int
parse_items(struct rd *rd, const char *d, size_t len, struct undo *u)
{
	const char *p = d, *end = d + len, *nl;
	char *line = NULL, *f[MAX_FIELDS], *s = NULL;
	bool have_image = false, have_root = false;
	unsigned long long mode, uid, gid, n;
	struct undo_entry e;
	size_t nf, next = rd->line + 1, i;
	int rc = -1;

	while (p < end) {
		rd->line = next++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			bad(rd, "no end of line");	/* cannot happen */
			goto out;
		}
		free(line);
		line = xstrndup(p, (size_t)(nl - p));
		if (has_nul(p, (size_t)(nl - p)) ||
		    split(line, f, &nf) == -1) {
			bad(rd, "malformed line");
			goto out;
		}
		p = nl + 1;
		free(s);
		s = NULL;
		if (strcmp(f[0], "image") == 0 && nf == 2 && !have_image) {
			if ((s = dec(f[1])) == NULL || s[0] != '/') {
				bad(rd, "bad image path");
				goto out;
			}
			free(u->image);
			u->image = s;
			s = NULL;
			have_image = true;
		} else if (strcmp(f[0], "root") == 0 && nf <= 2 &&
		    !have_root) {
			/* an empty root is written as a bare "root" */
			if (nf == 2 && (s = dec(f[1])) == NULL) {
				bad(rd, "bad root device");
				goto out;
			}
			free(u->root);
			u->root = s != NULL ? s : xstrdup("");
			s = NULL;
			have_root = true;
		} else if (strcmp(f[0], "applied") == 0 && nf == 2) {
			if ((s = dec(f[1])) == NULL) {
				bad(rd, "bad applied value");
				goto out;
			}
			strlist_add_owned(&u->applied, s);
			s = NULL;
		} else if ((strcmp(f[0], "restore") == 0 &&
		    (nf == 7 || nf == 8)) ||
		    (strcmp(f[0], "symlink") == 0 && (nf == 7 || nf == 8)) ||
		    (strcmp(f[0], "fsuuid") == 0 && nf == 7) ||
		    (strcmp(f[0], "delete") == 0 && nf == 3)) {
			memset(&e, 0, sizeof(e));
			e.what = f[0][0] == 'r' ? UNDO_RESTORE : f[0][0] == 's' ?
			    UNDO_SYMLINK : f[0][0] == 'f' ? UNDO_FSUUID :
			    UNDO_DELETE;
			if ((e.what == UNDO_SYMLINK || e.what == UNDO_FSUUID) &&
			    strcmp(f[1], "guest") != 0) {
				bad(rd, "a %s entry for a host file", f[0]);
				goto out;
			}
			if (strcmp(f[1], "host") == 0)
				e.host = true;
			else if (strcmp(f[1], "guest") != 0) {
				bad(rd, "neither host nor guest");
				goto out;
			}
			if ((s = dec(f[2])) == NULL ||
			    !path_ok(e.host, s)) {
				bad(rd, "bad path");
				goto out;
			}
			if (undo_find(u, e.host, s) != NULL) {
				bad(rd, "second entry for %s file '%s'",
				    esc(f[1]), esc(f[2]));
				goto out;
			}
			e.path = s;
			if (e.what != UNDO_DELETE) {
				if (attr(f[3], "mode", 8, 07777, &mode) ||
				    attr(f[4], "uid", 10, UINT_MAX, &uid) ||
				    attr(f[5], "gid", 10, UINT_MAX, &gid) ||
				    attr(f[6], "bytes", 10, SIZE_MAX, &n)) {
					bad(rd, "bad attributes");
					goto out;
				}
				/* the data and its '\n' must fit */
				if (n >= (unsigned long long)(end - p)) {
					bad(rd, "entry claims %llu bytes, more "
					    "than the record holds", n);
					goto out;
				}
				if (p[n] != '\n') {
					bad(rd, "no end of line after %llu "
					    "bytes of data", n);
					goto out;
				}
				if (nf == 8 && (e.host ||
				    label_dec(f[7], &e.label,
				    &e.labellen) == -1)) {
					bad(rd, "bad label");
					goto out;
				}
				if (e.what == UNDO_FSUUID && (n != 36 ||
				    !uuid_dashed(p))) {
					bad(rd, "bad filesystem UUID");
					goto out;
				}
				e.data = (char *)p;
				e.len = (size_t)n;
				e.mode = (unsigned)mode;
				e.uid = (unsigned)uid;
				e.gid = (unsigned)gid;
				for (i = 0; i < e.len; i++)
					if (p[i] == '\n')
						next++;
				p += e.len + 1;
				next++;
			}
			undo_add(u, &e);
			free(e.label);
		} else {
			bad(rd, "unknown or repeated item");
			goto out;
		}
	}
	if (!have_image || !have_root) {
		bad(rd, "no %s line", have_image ? "root" : "image");
		goto out;
	}
	rc = 0;
out:
	free(s);
	free(line);
	return rc;
}

/*
 * Check and parse the record REC, D[0..LEN) (NUL-terminated), made for
 * the image REAL.  Returns 0 and *u_r, or -1 after one message.
 */
static int
parse(const char *rec, const char *real, const char *d, size_t len,
    struct undo **u_r)
{
	struct rd rd = { rec, 1 };
	struct undo *u = NULL;
	const char *nl, *last, *v;
	char want[32];
	size_t vlen, i;
	uint32_t crc;

	*u_r = NULL;
	if (len == 0) {
		warnx("undo record '%s' is empty (left by an interrupted "
		    "save?); remove it", rec);
		return -1;
	}
	nl = memchr(d, '\n', len);
	if (len < sizeof(MAGIC) - 1 ||
	    memcmp(d, MAGIC, sizeof(MAGIC) - 1) != 0 || nl == NULL) {
		warnx("'%s' is not an imprint undo record", rec);
		return -1;
	}
	v = d + sizeof(MAGIC) - 1;
	vlen = (size_t)(nl - v);
	for (i = 0; i < vlen; i++)
		if (v[i] < '0' || v[i] > '9')
			break;
	if (vlen == 0 || vlen > 9 || i < vlen) {
		warnx("'%s' is not an imprint undo record", rec);
		return -1;
	}
	snprintf(want, sizeof(want), "%d", UNDO_VERSION);
	if (vlen != strlen(want) || memcmp(v, want, vlen) != 0) {
		warnx("undo record '%s' has version %.*s; this imprint reads "
		    "version %d", rec, (int)vlen, v, UNDO_VERSION);
		return -1;
	}

	/* The end line is the last line; it follows the version line. */
	last = NULL;
	if (d[len - 1] == '\n' && (size_t)(nl - d) + 1 < len)
		last = (const char *)memrchr(d, '\n', len - 1) + 1;
	if (last == NULL || (size_t)(d + len - last) !=
	    sizeof(END_PREFIX) - 1 + 8 + 1 ||
	    memcmp(last, END_PREFIX, sizeof(END_PREFIX) - 1) != 0) {
		warnx("undo record '%s' is truncated or damaged: no end line",
		    rec);
		return -1;
	}
	crc = crc32_of(d, (size_t)(last - d));
	snprintf(want, sizeof(want), "%08x", crc);
	if (memcmp(last + sizeof(END_PREFIX) - 1, want, 8) != 0) {
		char said[9];

		/* any 8 bytes: escaped for the message */
		memcpy(said, last + sizeof(END_PREFIX) - 1, 8);
		said[8] = '\0';
		warnx("undo record '%s' is damaged: checksum %s, the end "
		    "line says %s", rec, want, esc(said));
		return -1;
	}

	u = undo_new("", "");
	if (parse_items(&rd, nl + 1, (size_t)(last - nl - 1), u) == -1) {
		undo_free(u);
		return -1;
	}
	if (strcmp(u->image, real) != 0) {
		warnx("undo record '%s' was made for image '%s', not '%s'; "
		    "remove it if it was copied along with the image", rec,
		    esc(u->image), real);
		undo_free(u);
		return -1;
	}
	*u_r = u;
	return 0;
}

/*
 * Read the record REC: no symlink, a regular file owned by us, not
 * writable by others, at most UNDO_MAX_SIZE bytes.  host_open, not
 * read_host_file(): that one follows symbolic links and checks no owner.
 * Returns 0 with *buf_r (caller frees), 1 when there is none, or -1.
 */
static int
read_record(const char *rec, char **buf_r, size_t *len_r)
{
	struct buf b = BUF_INIT;
	struct stat st;
	const char *reason;
	int fd, e;

	*buf_r = NULL;
	if ((fd = host_open(rec, HOST_NOFOLLOW, &st, &reason)) == -1) {
		e = errno;
		if (e == ENOENT)
			return 1;
		if (e == ELOOP)
			warnx("undo record '%s' is a symbolic link; refusing "
			    "it", rec);
		else if (st.st_mode != 0)	/* refused for its type */
			warnx("undo record '%s' is not a regular file", rec);
		else
			warnx("cannot open undo record '%s': %s", rec,
			    reason);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		warnx("undo record '%s' is owned by uid %u, not %u; refusing "
		    "it", rec, (unsigned)st.st_uid, (unsigned)geteuid());
		goto fail;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		warnx("undo record '%s' is writable by group or others; "
		    "refusing it", rec);
		goto fail;
	}
	if ((e = host_read_fd(fd, &st, UNDO_MAX_SIZE, &b)) == EFBIG) {
		warnx("undo record '%s' is larger than %u MiB", rec,
		    UNDO_MAX_SIZE >> 20);
		goto fail;
	} else if (e != 0) {
		warnx("cannot read undo record '%s': %s", rec, strerror(e));
		goto fail;
	}
	close(fd);
	*buf_r = buf_detach(&b, len_r);
	return 0;
fail:
	close(fd);
	buf_release(&b);
	return -1;
}

/* realpath(IMAGE) (caller frees), or NULL after one message. */
static char *
resolve(const char *image)
{
	char *real;
	int e;

	if ((real = realpath(image, NULL)) == NULL) {
		e = errno;
		warnx("cannot resolve image '%s': %s", image, strerror(e));
	}
	return real;
}

int
undo_load(const char *image, struct undo **u_r)
{
	char *real, *rec = NULL, *data = NULL;
	size_t len;
	int rc;

	*u_r = NULL;
	if ((real = resolve(image)) == NULL)
		return -1;
	rec = undo_path_for(real);
	rc = read_record(rec, &data, &len);
	if (rc == 0)
		rc = parse(rec, real, data, len, u_r);
	free(data);
	free(rec);
	free(real);
	return rc;
}

int
undo_remove(const char *image)
{
	char *real, *rec;
	int e, rc = 0;

	if ((real = resolve(image)) == NULL)
		return -1;
	rec = undo_path_for(real);
	if (unlink(rec) == -1 && errno != ENOENT) {
		e = errno;
		warnx("cannot remove undo record '%s': %s", rec, strerror(e));
		rc = -1;
	}
	free(rec);
	free(real);
	return rc;
}

int
undo_forget(const char *image, const struct undo *kept)
{
	return kept != NULL ? undo_save(kept) : undo_remove(image);
}

/* Serialise U into B.  Returns 0, or -1 after one message. */
static int
serialise(const struct undo *u, const char *rec, struct buf *b)
{
	const struct undo_entry *e;
	size_t i, k;

	if (u->image[0] != '/') {
		warnx("cannot write undo record '%s': image path '%s' is not "
		    "absolute", rec, u->image);
		return -1;
	}
	buf_addf(b, "%s%d\nimage ", MAGIC, UNDO_VERSION);
	enc(b, u->image);
	buf_adds(b, u->root[0] != '\0' ? "\nroot " : "\nroot");
	enc(b, u->root);
	buf_addc(b, '\n');
	for (i = 0; i < u->applied.n; i++) {
		if (u->applied.v[i][0] == '\0') {
			warnx("cannot write undo record '%s': empty applied "
			    "line", rec);
			return -1;
		}
		buf_adds(b, "applied ");
		enc(b, u->applied.v[i]);
		buf_addc(b, '\n');
	}
	for (i = 0; i < u->n; i++) {
		e = &u->e[i];
		if (!path_ok(e->host, e->path)) {
			warnx("cannot write undo record '%s': path '%s' is "
			    "not absolute", rec, esc(e->path));
			return -1;
		}
		buf_adds(b, e->what == UNDO_RESTORE ? "restore " :
		    e->what == UNDO_SYMLINK ? "symlink " : e->what ==
		    UNDO_FSUUID ? "fsuuid " : "delete ");
		buf_adds(b, e->host ? "host " : "guest ");
		enc(b, e->path);
		if (e->what != UNDO_DELETE) {
			buf_addf(b, " mode=%04o uid=%u gid=%u bytes=%zu",
			    e->mode & 07777, e->uid, e->gid, e->len);
			if (e->label != NULL && !e->host) {
				buf_adds(b, " selinux=");
				for (k = 0; k < e->labellen; k++)
					buf_addf(b, "%02x",
					    (unsigned char)e->label[k]);
			}
			buf_addc(b, '\n');
			buf_add(b, e->data, e->len);
		}
		buf_addc(b, '\n');
		if (b->len > UNDO_MAX_SIZE)
			break;
	}
	if (b->len + sizeof(END_PREFIX) + 8 > UNDO_MAX_SIZE) {
		warnx("cannot write undo record '%s': larger than %u MiB",
		    rec, UNDO_MAX_SIZE >> 20);
		return -1;
	}
	buf_addf(b, "%s%08x\n", END_PREFIX, crc32_of(b->data, b->len));
	return 0;
}

int
undo_save(const struct undo *u)
{
	struct buf b = BUF_INIT;
	char *rec = undo_path_for(u->image);
	int rc = -1;

	if (serialise(u, rec, &b) == 0)
		rc = hostfile_replace(rec, NULL, 0, b.data, b.len,
		    HOSTFILE_PRIVATE, NULL);
	buf_release(&b);
	free(rec);
	return rc;
}
