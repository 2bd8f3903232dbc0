/*
 * scan.c - find the domain configs under directories (Xen configs and
 * libvirt domain XML), read each one with domcfg.c, and group the
 * identities they share (see scan.h).
 *
 * It parses no config syntax itself beyond the few disk spec fields that
 * say whether a disk may be shared, and it writes nothing.
 */
#define _GNU_SOURCE	/* open_memstream, program_invocation_short_name */
#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fts.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domcfg.h"
#include "domxml.h"
#include "scan.h"
#include "util.h"
#include "valid.h"

/* ---- the walk ----------------------------------------------------------- */

/* The files read so far, by device and inode: open addressing. */
struct seen {
	struct seen_slot {
		dev_t	 dev;
		ino_t	 ino;
		bool	 used;
	}		*slot;
	size_t		 nslot;		/* power of two */
	size_t		 count;
};

static size_t
seen_hash(dev_t dev, ino_t ino, size_t nslot)
{
	uint64_t k = (uint64_t)ino ^
	    ((uint64_t)dev << 32 | (uint64_t)dev >> 32);

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & (nslot - 1);
}

/* Add (dev, ino); false when it was there already. */
static bool
seen_add(struct seen *s, dev_t dev, ino_t ino)
{
	size_t i;

	if ((s->count + 1) * 2 > s->nslot) {
		struct seen_slot *old = s->slot;
		size_t j, oldn = s->nslot;

		s->nslot = oldn ? oldn * 2 : 256;
		s->slot = xcalloc(s->nslot, sizeof(*s->slot));
		for (j = 0; j < oldn; j++) {
			if (!old[j].used)
				continue;
			for (i = seen_hash(old[j].dev, old[j].ino, s->nslot);
			    s->slot[i].used; i = (i + 1) & (s->nslot - 1))
				;
			s->slot[i] = old[j];
		}
		free(old);
	}
	for (i = seen_hash(dev, ino, s->nslot); s->slot[i].used;
	    i = (i + 1) & (s->nslot - 1))
		if (s->slot[i].dev == dev && s->slot[i].ino == ino)
			return false;
	s->slot[i].dev = dev;
	s->slot[i].ino = ino;
	s->slot[i].used = true;
	s->count++;
	return true;
}

/* A Xen config (*.cfg, vm.cfg) or a libvirt domain (*.xml) by name. */
static bool
is_cfg_name(const char *name, size_t len)
{
	return len >= 4 && (memcmp(name + len - 4, ".cfg", 4) == 0 ||
	    memcmp(name + len - 4, ".xml", 4) == 0);
}

/* Sort each directory's entries (and the roots) by name: a stable walk. */
static int
by_name(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

/*
 * Read a config file of at most DOMCFG_MAX_SIZE bytes into *b
 * (host_open: a FIFO swapped in cannot hang the walk).  Below a root the
 * last component is never followed (HOST_NOFOLLOW): fts saw a regular
 * file, and a link swapped in since must not lead elsewhere.  Returns 0,
 * or -1 with *errnum_r and *reason_r (static text or strerror) set.
 */
static int
read_cfg(const char *path, bool follow, struct buf *b, int *errnum_r,
    const char **reason_r)
{
	static char big[64];
	struct stat st;
	int fd, e;

	if ((fd = host_open(path, follow ? 0 : HOST_NOFOLLOW, &st,
	    reason_r)) == -1) {
		*errnum_r = errno;
		return -1;
	}
	e = host_read_fd(fd, &st, DOMCFG_MAX_SIZE, b);
	close(fd);
	if (e == 0)
		return 0;
	*errnum_r = e;
	if (e == EFBIG) {
		snprintf(big, sizeof(big), "larger than %u bytes",
		    DOMCFG_MAX_SIZE);
		*reason_r = big;
	} else
		*reason_r = strerror(e);
	return -1;
}

/* "imprint: x" -> "x". */
static const char *
unprefixed(const char *line)
{
	size_t n = strlen(program_invocation_short_name);

	if (strncmp(line, program_invocation_short_name, n) == 0 &&
	    strncmp(line + n, ": ", 2) == 0)
		return line + n + 2;
	return line;
}

/*
 * domcfg_parse prints its one message with warnx.  The walk hands the
 * message to its caller instead, which may print it, keep it for a
 * report, or both, so stderr is a memory stream during the parse (as
 * batch.c does for the rows it checks).  Returns domcfg_parse's result;
 * on -1 *msg_r gets the message (caller frees).
 */
static int
parse_quietly(const char *path, const char *text, size_t len,
    struct domcfg **cfg_r, char **msg_r)
{
	FILE *saved = stderr, *m;
	struct buf msg = BUF_INIT;
	char *out = NULL, *line, *save = NULL;
	size_t olen = 0;
	int rc;

	fflush(stderr);
	if ((m = open_memstream(&out, &olen)) != NULL)
		stderr = m;
	rc = domcfg_parse(path, text, len, cfg_r);
	if (m != NULL) {
		fclose(m);
		stderr = saved;
	}
	if (rc == -1) {
		for (line = out != NULL ? strtok_r(out, "\n", &save) : NULL;
		    line != NULL; line = strtok_r(NULL, "\n", &save)) {
			if (msg.len)
				buf_adds(&msg, "; ");
			buf_adds(&msg, unprefixed(line));
		}
		if (msg.len == 0)
			buf_addf(&msg, "%s: not a domain config", path);
		*msg_r = buf_detach(&msg, NULL);
	}
	free(out);
	return rc;
}

struct walk {
	int		(*fn)(const struct scan_file *, void *);
	void		*arg;
	struct seen	 seen;
	struct buf	 text;
	size_t		 files, max_files;
	char		*root;		/* the root walked, for messages */
};

static int
walk_unreadable(struct walk *w, const char *path, bool root, bool dir,
    int errnum, const char *reason)
{
	struct scan_file f;
	char *msg;
	int rc;

	memset(&f, 0, sizeof(f));
	f.path = path;
	f.status = SCAN_UNREADABLE;
	f.is_root = root;
	f.is_dir = dir;
	f.errnum = errnum;
	f.reason = reason;
	msg = xasprintf("cannot read %s'%s': %s", dir ? "directory " : "",
	    path, reason);
	f.error = msg;
	rc = w->fn(&f, w->arg);
	free(msg);
	return rc;
}

static int
walk_file(struct walk *w, FTSENT *e)
{
	struct domcfg *cfg = NULL;
	struct scan_file f;
	const char *reason;
	char *msg = NULL;
	bool is_root = e->fts_level == FTS_ROOTLEVEL;
	int errnum, rc;

	if (!seen_add(&w->seen, e->fts_statp->st_dev, e->fts_statp->st_ino))
		return 0;
	if (++w->files > w->max_files) {
		warnx("more than %zu config files under '%s'; name smaller "
		    "directories", w->max_files, w->root);
		return -1;
	}
	buf_reset(&w->text);
	if (read_cfg(e->fts_accpath, is_root, &w->text, &errnum, &reason) ==
	    -1)
		return walk_unreadable(w, e->fts_path, is_root, false, errnum,
		    reason);
	memset(&f, 0, sizeof(f));
	f.path = e->fts_path;
	f.is_root = is_root;
	f.text = w->text.data;
	f.len = w->text.len;
	/*
	 * libvirt keeps networks, pools and snapshots as XML beside its
	 * domains (/etc/libvirt/qemu/networks): they are not configs.
	 */
	if (!is_root && domxml_other_root(f.text, f.len))
		return 0;
	if (parse_quietly(e->fts_path, f.text, f.len, &cfg, &msg) == 0) {
		f.status = SCAN_OK;
		f.cfg = cfg;
	} else {
		f.status = SCAN_UNPARSABLE;
		f.error = msg;
	}
	rc = w->fn(&f, w->arg);
	domcfg_free(cfg);
	free(msg);
	return rc;
}

int
scan_walk(char *const *roots, size_t nroots, size_t max_files,
    int (*fn)(const struct scan_file *, void *), void *arg)
{
	struct walk w;
	char **paths;
	FTS *fts = NULL;
	FTSENT *e;
	size_t i, n = 0;
	int rc = 0, e_;

	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.arg = arg;
	w.max_files = max_files;
	paths = xcalloc(nroots + 1, sizeof(*paths));
	for (i = 0; i < nroots && rc == 0; i++) {
		/* fts_open refuses the whole list for one empty name */
		if (roots[i][0] == '\0')
			rc = walk_unreadable(&w, roots[i], true, false,
			    ENOENT, strerror(ENOENT));
		else
			paths[n++] = roots[i];
	}
	if (rc != 0 || n == 0)
		goto out;
	/*
	 * FTS_PHYSICAL: no symbolic link is followed below a root, so the
	 * walk stays inside the tree and cannot loop; FTS_COMFOLLOW: a root
	 * that is a link is followed.
	 */
	fts = fts_open(paths, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR,
	    by_name);
	if (fts == NULL) {
		e_ = errno;
		warnx("cannot scan '%s': %s", paths[0], strerror(e_));
		rc = -1;
		goto out;
	}
	for (;;) {
		bool is_root;

		errno = 0;
		if ((e = fts_read(fts)) == NULL)
			break;
		is_root = e->fts_level == FTS_ROOTLEVEL;
		if (is_root && e->fts_info != FTS_DP) {
			/* fts_path is one buffer for every entry: copy */
			free(w.root);
			w.root = xstrdup(e->fts_path);
		}
		switch (e->fts_info) {
		case FTS_DNR:
			rc = walk_unreadable(&w, e->fts_path, is_root, true,
			    e->fts_errno, strerror(e->fts_errno));
			break;
		case FTS_ERR:
		case FTS_NS:
			rc = walk_unreadable(&w, e->fts_path, is_root, false,
			    e->fts_errno, strerror(e->fts_errno));
			break;
		case FTS_SLNONE:	/* a root: links below are not read */
			if (is_root)
				rc = walk_unreadable(&w, e->fts_path, true,
				    false, ENOENT, strerror(ENOENT));
			break;
		case FTS_DEFAULT:	/* a FIFO, socket, device */
			if (is_root)
				rc = walk_unreadable(&w, e->fts_path, true,
				    false, EINVAL, "not a regular file or "
				    "directory");
			break;
		case FTS_F:
			if (is_root || is_cfg_name(e->fts_name,
			    e->fts_namelen))
				rc = walk_file(&w, e);
			break;
		case FTS_DC:	/* a cycle through bind mounts: seen already */
		case FTS_SL:	/* not followed below a root */
		default:
			break;
		}
		if (rc != 0)
			break;
	}
	if (rc == 0 && errno != 0) {
		/* fts_read returns NULL with errno 0 at the end */
		e_ = errno;
		warnx("cannot scan '%s': %s", paths[0], strerror(e_));
		rc = -1;
	}
out:
	if (fts != NULL)
		fts_close(fts);
	free(paths);
	free(w.root);
	free(w.seen.slot);
	buf_release(&w.text);
	return rc == 0 ? 0 : -1;
}

/* ---- canonical values --------------------------------------------------- */

int
scan_uuid_norm(const char *s, char out[37])
{
	char tmp[37];
	size_t i, j = 0;
	bool dashed = strlen(s) == 36;
	int v;

	if (!dashed && strlen(s) != 32)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		if ((v = hex_value(s[i])) < 0)
			return -1;
		if (j == 8 || j == 13 || j == 18 || j == 23)
			tmp[j++] = '-';
		tmp[j++] = "0123456789abcdef"[v];
	}
	tmp[j] = '\0';
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

int
scan_mac_norm(const char *s, char out[18])
{
	unsigned char mac[6];
	char sep = 0;
	int i, hi, lo;

	while (*s == ' ' || *s == '\t')
		s++;
	for (i = 0; i < 6; i++) {
		if ((hi = hex_value(s[0])) < 0 || (lo = hex_value(s[1])) < 0)
			return -1;
		mac[i] = (unsigned char)(hi << 4 | lo);
		s += 2;
		if (i == 5)
			break;
		if (sep == 0 && (*s == ':' || *s == '-'))
			sep = *s;
		if (*s++ != sep)
			return -1;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0')
		return -1;
	mac_format(mac, out);
	return 0;
}

/* Does [p, p+n) equal the string s? */
static bool
field_is(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

/* Does [p, p+n) end with the string s? */
static bool
field_ends(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);

	return n >= l && memcmp(p + n - l, s, l) == 0;
}

/*
 * The fields that say how a disk is shared, in every spelling the
 * dialects use: the xm and positional xl access field (r, ro, w, rw, w!)
 * after the target; xl's access=, devtype=cdrom and the "cdrom" flag; a
 * vdev with ":cdrom" (hdc:cdrom).  Everything after "target=" is the
 * target (xl), so the walk stops there.
 */
enum scan_disk_mode
scan_disk_mode(const char *spec)
{
	const char *p = spec, *f, *end, *eq;
	bool keyed = false, ro = false, shared = false;
	size_t n, pos = 0;

	if (spec == NULL)
		return SCAN_DISK_EXCL;
	for (f = spec; f != NULL; f = strchr(f, ',')) {
		if (*f == ',')
			f++;
		f += strspn(f, " \t");
		if (strncmp(f, "target=", 7) == 0)
			keyed = true;
	}
	for (;;) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		f = p + strspn(p, " \t");
		n = f < end ? (size_t)(end - f) : 0;
		while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == '\t'))
			n--;
		if (n >= 7 && strncmp(f, "target=", 7) == 0)
			break;
		eq = memchr(f, '=', n);
		if (eq != NULL) {
			size_t kl = (size_t)(eq - f), vl = n - kl - 1;
			const char *v = eq + 1;

			while (kl > 0 && (f[kl - 1] == ' ' ||
			    f[kl - 1] == '\t'))
				kl--;
			while (vl > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vl--;
			}
			if (field_is(f, kl, "access") &&
			    (field_is(v, vl, "r") || field_is(v, vl, "ro")))
				ro = true;
			else if (field_is(f, kl, "devtype") &&
			    field_is(v, vl, "cdrom"))
				ro = true;
			else if (field_is(f, kl, "vdev") &&
			    field_ends(v, vl, ":cdrom"))
				ro = true;
		} else if (keyed || pos++ > 0) {
			/* not the positional target */
			if (field_is(f, n, "r") || field_is(f, n, "ro") ||
			    field_is(f, n, "cdrom") ||
			    field_ends(f, n, ":cdrom"))
				ro = true;
			else if (field_is(f, n, "w!"))
				shared = true;
		}
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return ro ? SCAN_DISK_RO : shared ? SCAN_DISK_SHARED : SCAN_DISK_EXCL;
}

const char *
scan_kind_name(enum scan_kind k)
{
	switch (k) {
	case SCAN_UUID:
		return "uuid";
	case SCAN_MAC:
		return "mac";
	case SCAN_NAME:
		return "name";
	case SCAN_DISK:
		return "disk";
	}
	return "?";
}

/* ---- the collision set -------------------------------------------------- */

struct entry {
	enum scan_kind	 kind;
	enum scan_disk_mode mode;	/* disks only */
	int		 line;
	const char	*file;		/* owned by set->files */
	char		*key;		/* canonical value */
	char		*written;	/* NULL when the same as key */
};

struct scan_set {
	struct entry	*e;
	size_t		 ne, cap;
	struct strlist	 files;		/* every config added */
	struct strlist	 bad, bad_msg;	/* unreadable: path, message */
	struct scan_place *places;
	struct scan_collision *coll;
	size_t		 ncoll;
};

struct scan_set *
scan_set_new(void)
{
	return xcalloc(1, sizeof(struct scan_set));
}

void
scan_set_free(struct scan_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ne; i++) {
		free(s->e[i].key);
		free(s->e[i].written);
	}
	free(s->e);
	strlist_release(&s->files);
	strlist_release(&s->bad);
	strlist_release(&s->bad_msg);
	free(s->places);
	free(s->coll);
	free(s);
}

static void
add_entry(struct scan_set *s, enum scan_kind kind, const char *file,
    int line, const char *key, const char *written)
{
	struct entry *e;

	if (s->ne == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->e = xreallocarray(s->e, s->cap, sizeof(*s->e));
	}
	e = &s->e[s->ne++];
	e->kind = kind;
	e->mode = SCAN_DISK_EXCL;
	e->line = line;
	e->file = file;
	e->key = xstrdup(key);
	e->written = written != NULL && strcmp(written, key) != 0 ?
	    xstrdup(written) : NULL;
}

/*
 * The disk's key: the target without prefixes; "phy:sda1" names
 * /dev/sda1 (xm); the real path when an absolute target exists here, so
 * that /OVS/x and /var/ovs/mount/ID/x, or /dev/vg/lv and
 * /dev/mapper/vg-lv, are one disk.
 */
static char *
disk_key(const char *spec, const char *target)
{
	char real[PATH_MAX], *path;

	if (target[0] != '/' && spec != NULL &&
	    strncmp(spec + strspn(spec, " \t"), "phy:", 4) == 0)
		path = xasprintf("/dev/%s", target);
	else
		path = xstrdup(target);
	if (path[0] == '/' && realpath(path, real) != NULL) {
		free(path);
		path = xstrdup(real);
	}
	return path;
}

static void
add_config(struct scan_set *s, const char *path, const struct domcfg *c)
{
	const char *file, *v;
	char norm[37], *t, *k;
	size_t i, n;

	strlist_add(&s->files, path);
	file = s->files.v[s->files.n - 1];
	v = domcfg_get_string(c, "name");
	if (v != NULL && *v != '\0')
		add_entry(s, SCAN_NAME, file, domcfg_key_line(c, "name"), v,
		    NULL);
	v = domcfg_get_string(c, "uuid");
	if (v != NULL && *v != '\0')
		add_entry(s, SCAN_UUID, file, domcfg_key_line(c, "uuid"),
		    scan_uuid_norm(v, norm) == 0 ? norm : v, v);
	n = domcfg_nic_count(c);
	for (i = 0; i < n; i++) {
		if ((t = domcfg_nic_get(c, i, "mac")) == NULL)
			continue;
		/* not a MAC ("auto", garbage): xl refuses it anyway */
		if (scan_mac_norm(t, norm) == 0)
			add_entry(s, SCAN_MAC, file, domcfg_nic_line(c, i),
			    norm, t);
		free(t);
	}
	n = domcfg_disk_count(c);
	for (i = 0; i < n; i++) {
		if ((t = domcfg_disk_target(c, i)) == NULL)
			continue;
		if (*t != '\0') {	/* an empty CD-ROM drive */
			k = disk_key(domcfg_disk_spec(c, i), t);
			add_entry(s, SCAN_DISK, file, domcfg_disk_line(c, i),
			    k, t);
			s->e[s->ne - 1].mode =
			    domcfg_kind(c) == DOMCFG_XEN ?
			    scan_disk_mode(domcfg_disk_spec(c, i)) :
			    domcfg_disk_readonly(c, i) ? SCAN_DISK_RO :
			    domcfg_disk_shared(c, i) ? SCAN_DISK_SHARED :
			    SCAN_DISK_EXCL;
			free(k);
		}
		free(t);
	}
}

void
scan_set_add(struct scan_set *s, const struct scan_file *f)
{
	if (f->status == SCAN_OK) {
		add_config(s, f->path, f->cfg);
		return;
	}
	strlist_add(&s->bad, f->path);
	strlist_add(&s->bad_msg, f->error != NULL ? f->error : "");
}

static int
cmp_entry(const void *a_, const void *b_)
{
	const struct entry *a = a_, *b = b_;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = strcmp(a->key, b->key)) != 0)
		return c;
	if (a->file != b->file && (c = strcmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return strcmp(a->written ? a->written : a->key,
	    b->written ? b->written : b->key);
}

/* Is the run [i, j) of sorted entries a collision? */
static bool
is_collision(const struct scan_set *s, size_t i, size_t j)
{
	if (j - i < 2)
		return false;
	if (s->e[i].kind != SCAN_DISK)
		return true;
	/* a disk every holder opens read-only or shares on purpose: fine */
	for (; i < j; i++)
		if (s->e[i].mode == SCAN_DISK_EXCL)
			return true;
	return false;
}

size_t
scan_set_finish(struct scan_set *s)
{
	size_t i, j, k, np = 0, nc = 0, pass;

	if (s->coll != NULL || s->ne == 0)
		return s->ncoll;
	qsort(s->e, s->ne, sizeof(*s->e), cmp_entry);
	/* pass 0 counts, pass 1 fills */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			s->places = xcalloc(np ? np : 1, sizeof(*s->places));
			s->coll = xcalloc(nc ? nc : 1, sizeof(*s->coll));
			np = nc = 0;
		}
		for (i = 0; i < s->ne; i = j) {
			for (j = i + 1; j < s->ne && s->e[j].kind ==
			    s->e[i].kind && strcmp(s->e[j].key,
			    s->e[i].key) == 0; j++)
				;
			if (!is_collision(s, i, j))
				continue;
			if (pass == 1) {
				struct scan_collision *c = &s->coll[nc];

				c->kind = s->e[i].kind;
				c->value = s->e[i].key;
				c->places = &s->places[np];
				c->nplaces = j - i;
				for (k = i; k < j; k++) {
					s->places[np + k - i].file =
					    s->e[k].file;
					s->places[np + k - i].line =
					    s->e[k].line;
					s->places[np + k - i].written =
					    s->e[k].written;
				}
			}
			np += j - i;
			nc++;
		}
	}
	s->ncoll = nc;
	return nc;
}

const struct scan_collision *
scan_set_collision(const struct scan_set *s, size_t i)
{
	return i < s->ncoll ? &s->coll[i] : NULL;
}

size_t
scan_set_configs(const struct scan_set *s)
{
	return s->files.n;
}

size_t
scan_set_unreadable(const struct scan_set *s)
{
	return s->bad.n;
}

void
scan_set_unreadable_at(const struct scan_set *s, size_t i,
    const char **path_r, const char **error_r)
{
	*path_r = i < s->bad.n ? s->bad.v[i] : NULL;
	*error_r = i < s->bad.n ? s->bad_msg.v[i] : NULL;
}
