/*
 * gfs_mem.c - the guest filesystem interface over an in-memory tree, so
 * that surveying, planning and carrying out a plan are unit-tested
 * without an appliance (see gfs.h).
 *
 * The tree is a flat list of nodes named by their absolute, normalised
 * path; trees in tests hold tens of files, so lookups are linear.
 * Symbolic links are resolved inside the tree as the appliance resolves
 * them inside the guest: an absolute target starts again at the tree's
 * root, ".." stops at the root, at most 40 links a lookup.  It does no
 * host I/O but gfs_mem_load_dir.
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gfs.h"
#include "util.h"

#define MEM_MAX_LINKS	40
#define MEM_MAX_FILE	(16u << 20)
#define MEM_MAX_PATH	4096

struct xattr {
	char		*name;
	char		*val;
	size_t		 len;
};

struct node {
	char		*path;		/* "/", "/etc", "/etc/hosts" */
	char		 type;		/* 'f', 'l', 'd' */
	char		*data;		/* 'f': bytes (NUL after); 'l': target */
	size_t		 len;
	struct guest_attr attr;
	struct xattr	*x;
	size_t		 nx;
};

struct gfs_mem {
	struct gfs	 fs;		/* first: a struct gfs * is one of us */
	struct node	*n;
	size_t		 nn;
	char		*fail;		/* gfs_mem_fail_on */
	size_t		 writes;
	struct gfs_fsinfo *fsi;		/* gfs_mem_add_fs */
	size_t		 nfsi;
};

static struct gfs_mem *
mem(struct gfs *fs)
{
	return (struct gfs_mem *)fs;
}

/* ---- nodes -------------------------------------------------------------- */

static struct node *
find(struct gfs_mem *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->nn; i++)
		if (strcmp(m->n[i].path, path) == 0)
			return &m->n[i];
	return NULL;
}

static void
node_clear(struct node *nd)
{
	size_t i;

	free(nd->data);
	nd->data = NULL;
	nd->len = 0;
	for (i = 0; i < nd->nx; i++) {
		free(nd->x[i].name);
		free(nd->x[i].val);
	}
	free(nd->x);
	nd->x = NULL;
	nd->nx = 0;
}

/* The node at path, made (empty, type t) when missing.  Moves m->n. */
static struct node *
put(struct gfs_mem *m, const char *path, char t)
{
	struct node *nd = find(m, path);

	if (nd == NULL) {
		m->n = xreallocarray(m->n, m->nn + 1, sizeof(*m->n));
		nd = &m->n[m->nn++];
		memset(nd, 0, sizeof(*nd));
		nd->path = xstrdup(path);
	} else
		node_clear(nd);
	nd->type = t;
	return nd;
}

static void
drop(struct gfs_mem *m, struct node *nd)
{
	node_clear(nd);
	free(nd->path);
	*nd = m->n[--m->nn];
}

/* "/a/b" -> "/a"; "/a" -> "/". */
static char *
parent_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s == path ? xstrdup("/") : xstrndup(path, (size_t)(s - path));
}

/* Make every directory above path (0755 root:root). */
static void
mkparents(struct gfs_mem *m, const char *path)
{
	char *p = parent_of(path);
	struct node *nd;

	if (strcmp(p, "/") != 0 && find(m, p) == NULL) {
		mkparents(m, p);
		nd = put(m, p, 'd');
		nd->attr.mode = 0755;
	}
	free(p);
}

/* ---- path resolution ---------------------------------------------------- */

/*
 * Resolve path inside the tree: every component that is a symlink is
 * followed, the last one only when follow.  Returns the normalised path
 * (caller frees; its last component may not exist), or NULL when a
 * directory on the way is missing, not a directory, or the links loop.
 */
static char *
resolve(struct gfs_mem *m, const char *path, bool follow)
{
	char cur[MEM_MAX_PATH], *rest = xstrdup(path), *p, *comp, *tmp, *s;
	struct node *nd;
	size_t cl = 0, n;
	int links = 0;
	bool last;

	cur[0] = '\0';
	p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		comp = p;
		while (*p && *p != '/')
			p++;
		last = p[strspn(p, "/")] == '\0';
		if (*p)
			*p++ = '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {	/* stops at the root */
			if ((s = strrchr(cur, '/')) != NULL)
				*s = '\0';
			cl = strlen(cur);
			continue;
		}
		n = strlen(comp);
		if (cl + 1 + n >= sizeof(cur))
			goto fail;
		cur[cl++] = '/';
		memcpy(cur + cl, comp, n + 1);
		cl += n;
		nd = find(m, cur);
		if (nd && nd->type == 'l' && (!last || follow)) {
			if (++links > MEM_MAX_LINKS)
				goto fail;
			/* go on with the target, then what followed the link */
			tmp = xasprintf("%s/%s", nd->data, p);
			if (nd->data[0] == '/')
				cl = 0;
			else
				cl -= n + 1;
			cur[cl] = '\0';
			free(rest);
			rest = p = tmp;
			continue;
		}
		if (!last && (nd == NULL || nd->type != 'd'))
			goto fail;
	}
	free(rest);
	return xstrdup(cl ? cur : "/");
fail:
	free(rest);
	return NULL;
}

/* The node path leads to (following links when follow), or NULL. */
static struct node *
lookup(struct gfs_mem *m, const char *path, bool follow)
{
	char *r = resolve(m, path, follow);
	struct node *nd = r ? find(m, r) : NULL;

	free(r);
	return nd;
}

static bool
failing(struct gfs_mem *m, const char *path)
{
	if (m->fail == NULL || strcmp(m->fail, path) != 0)
		return false;
	warnx("%s in '%s': injected failure", path, m->fs.name);
	return true;
}

/* ---- the operations ----------------------------------------------------- */

static int
mem_read(struct gfs *fs, const char *path, size_t cap, char **buf_r,
    size_t *len_r)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;

	*buf_r = NULL;
	*len_r = 0;
	if (failing(m, path))
		return -1;
	if ((nd = lookup(m, path, true)) == NULL)
		return 1;
	if (nd->type != 'f') {
		warnx("cannot read %s in '%s': not a regular file", path,
		    fs->name);
		return -1;
	}
	if (nd->len > cap) {
		warnx("cannot read %s in '%s': larger than %zu bytes", path,
		    fs->name, cap);
		return -1;
	}
	*buf_r = xmalloc(nd->len + 1);
	memcpy(*buf_r, nd->data, nd->len);
	(*buf_r)[nd->len] = '\0';
	*len_r = nd->len;
	return 0;
}

static int
mem_lstat(struct gfs *fs, const char *path, struct guest_attr *a,
    char *type_r)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;

	if (failing(m, path))
		return -1;
	if ((nd = lookup(m, path, false)) == NULL)
		return 1;
	if (a)
		*a = nd->attr;
	*type_r = nd->type;
	return 0;
}

static int
mem_readlink(struct gfs *fs, const char *path, char **target_r)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;

	*target_r = NULL;
	if (failing(m, path))
		return -1;
	if ((nd = lookup(m, path, false)) == NULL)
		return 1;
	if (nd->type != 'l') {
		warnx("cannot read the link %s in '%s': not a symbolic link",
		    path, fs->name);
		return -1;
	}
	*target_r = xstrdup(nd->data);
	return 0;
}

static int
mem_ls(struct gfs *fs, const char *dir, struct strlist *names)
{
	struct gfs_mem *m = mem(fs);
	char *r;
	size_t i, n0 = names->n, dl;
	struct node *nd;

	if (failing(m, dir))
		return -1;
	if ((r = resolve(m, dir, true)) == NULL ||
	    (strcmp(r, "/") != 0 && ((nd = find(m, r)) == NULL ||
	    nd->type != 'd'))) {
		free(r);
		return 1;
	}
	dl = strcmp(r, "/") == 0 ? 0 : strlen(r);
	for (i = 0; i < m->nn; i++) {
		const char *p = m->n[i].path;
		if (strncmp(p, r, dl) == 0 && p[dl] == '/' && p[dl + 1] &&
		    strchr(p + dl + 1, '/') == NULL)
			strlist_add(names, p + dl + 1);
	}
	free(r);
	if (names->n > n0)	/* names->v may be NULL */
		sort_strings(names->v + n0, names->n - n0);
	return 0;
}

static int
mem_is_file(struct gfs *fs, const char *path)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;

	if (failing(m, path))
		return -1;
	nd = lookup(m, path, true);
	return nd != NULL && nd->type == 'f';
}

static int
mem_write(struct gfs *fs, const char *path, const char *data, size_t len,
    const char *like, const struct guest_attr *attr)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd, *ln, *pd;
	struct guest_attr a = { 0644, 0, 0 };
	struct xattr *x = NULL;
	size_t nx = 0;
	char *r, *par;

	if (failing(m, path))
		return -1;
	if ((r = resolve(m, path, false)) == NULL) {
		warnx("cannot write %s in '%s': no such directory", path,
		    fs->name);
		return -1;
	}
	par = parent_of(r);
	pd = find(m, par);
	free(par);
	if (strcmp(r, "/") == 0 || (pd == NULL && strchr(r + 1, '/')) ||
	    (pd != NULL && pd->type != 'd')) {
		warnx("cannot write %s in '%s': no such directory", path,
		    fs->name);
		free(r);
		return -1;
	}
	if ((nd = find(m, r)) != NULL) {
		if (nd->type != 'f') {
			warnx("refusing to write %s in '%s': it is %s", path,
			    fs->name, nd->type == 'l' ? "a symbolic link" :
			    "not a regular file");
			free(r);
			return -1;
		}
		a = nd->attr;
		x = nd->x;		/* keep its extended attributes */
		nx = nd->nx;
		nd->x = NULL;
		nd->nx = 0;
	} else if (like && (ln = lookup(m, like, false)) != NULL &&
	    ln->type == 'f') {
		size_t i;

		a = ln->attr;
		x = xcalloc(ln->nx ? ln->nx : 1, sizeof(*x));
		for (i = 0; i < ln->nx; i++) {
			x[i].name = xstrdup(ln->x[i].name);
			x[i].val = xmalloc(ln->x[i].len + 1);
			memcpy(x[i].val, ln->x[i].val, ln->x[i].len);
			x[i].len = ln->x[i].len;
		}
		nx = ln->nx;
	}
	if (attr)
		a = *attr;
	nd = put(m, r, 'f');
	nd->data = xmalloc(len + 1);
	if (len)
		memcpy(nd->data, data, len);
	nd->data[len] = '\0';
	nd->len = len;
	nd->attr = a;
	nd->x = x;
	nd->nx = nx;
	free(r);
	m->writes++;
	return 0;
}

static int
mem_remove(struct gfs *fs, const char *path)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;

	if (failing(m, path))
		return -1;
	if ((nd = lookup(m, path, false)) == NULL)
		return 0;
	if (nd->type != 'f' && nd->type != 'l') {
		warnx("refusing to remove %s in '%s': not a file", path,
		    fs->name);
		return -1;
	}
	drop(m, nd);
	m->writes++;
	return 0;
}

static int
mem_symlink(struct gfs *fs, const char *target, const char *path,
    const struct guest_attr *attr)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;
	char *r;

	if (failing(m, path))
		return -1;
	if ((r = resolve(m, path, false)) == NULL || find(m, r) != NULL) {
		warnx("cannot make the symbolic link %s in '%s': %s", path,
		    fs->name, r ? "it exists" : "no such directory");
		free(r);
		return -1;
	}
	nd = put(m, r, 'l');
	nd->data = xstrdup(target);
	nd->len = strlen(target);
	nd->attr.mode = 0777;
	if (attr) {
		nd->attr.uid = attr->uid;
		nd->attr.gid = attr->gid;
	}
	free(r);
	m->writes++;
	return 0;
}

static int
mem_getxattr(struct gfs *fs, const char *path, const char *name,
    char **val_r, size_t *len_r)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;
	size_t i;

	*val_r = NULL;
	*len_r = 0;
	if (failing(m, path))
		return -1;
	if ((nd = lookup(m, path, false)) == NULL) {
		warnx("cannot read %s of %s in '%s': no such file", name,
		    path, fs->name);
		return -1;
	}
	for (i = 0; i < nd->nx; i++)
		if (strcmp(nd->x[i].name, name) == 0) {
			*val_r = xmalloc(nd->x[i].len + 1);
			memcpy(*val_r, nd->x[i].val, nd->x[i].len);
			(*val_r)[nd->x[i].len] = '\0';
			*len_r = nd->x[i].len;
			return 0;
		}
	return 1;
}

static int
mem_setxattr(struct gfs *fs, const char *path, const char *name,
    const char *val, size_t len)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;
	struct xattr *x = NULL;
	size_t i;

	if (failing(m, path))
		return -1;
	if ((nd = lookup(m, path, false)) == NULL) {
		warnx("cannot set %s of %s in '%s': no such file", name,
		    path, fs->name);
		return -1;
	}
	for (i = 0; i < nd->nx && x == NULL; i++)
		if (strcmp(nd->x[i].name, name) == 0)
			x = &nd->x[i];
	if (x == NULL) {
		nd->x = xreallocarray(nd->x, nd->nx + 1, sizeof(*nd->x));
		x = &nd->x[nd->nx++];
		x->name = xstrdup(name);
	} else
		free(x->val);
	x->val = xmalloc(len + 1);
	memcpy(x->val, val, len);
	x->len = len;
	m->writes++;
	return 0;
}

static int
mem_flush(struct gfs *fs)
{
	return failing(mem(fs), "flush") ? -1 : 0;
}

static int
mem_filesystems(struct gfs *fs, struct gfs_fsinfo **fs_r, size_t *n_r)
{
	struct gfs_mem *m = mem(fs);
	size_t i;

	if (failing(m, "filesystems"))
		return -1;
	*fs_r = xcalloc(m->nfsi + 1, sizeof(**fs_r));
	for (i = 0; i < m->nfsi; i++) {
		(*fs_r)[i].dev = xstrdup(m->fsi[i].dev);
		(*fs_r)[i].type = xstrdup(m->fsi[i].type);
		(*fs_r)[i].uuid = xstrdup(m->fsi[i].uuid);
	}
	*n_r = m->nfsi;
	return 0;
}

static int
mem_set_uuid(struct gfs *fs, const char *dev, const char *uuid)
{
	struct gfs_mem *m = mem(fs);
	size_t i;

	if (failing(m, dev))
		return -1;
	for (i = 0; i < m->nfsi; i++)
		if (strcmp(m->fsi[i].dev, dev) == 0) {
			free(m->fsi[i].uuid);
			m->fsi[i].uuid = xstrdup(uuid);
			m->writes++;
			return 0;
		}
	warnx("cannot set the UUID of %s in '%s': no such filesystem", dev,
	    fs->name);
	return -1;
}

static const struct gfs_ops mem_ops = {
	.read		= mem_read,
	.lstat		= mem_lstat,
	.readlink	= mem_readlink,
	.ls		= mem_ls,
	.is_file	= mem_is_file,
	.write		= mem_write,
	.remove		= mem_remove,
	.symlink	= mem_symlink,
	.getxattr	= mem_getxattr,
	.setxattr	= mem_setxattr,
	.flush		= mem_flush,
	.filesystems	= mem_filesystems,
	.set_uuid	= mem_set_uuid,
};

/* ---- building and reading the tree -------------------------------------- */

struct gfs *
gfs_mem_new(void)
{
	struct gfs_mem *m = xcalloc(1, sizeof(*m));

	m->fs.ops = &mem_ops;
	m->fs.name = "memory";
	return &m->fs;
}

void
gfs_mem_free(struct gfs *fs)
{
	struct gfs_mem *m = mem(fs);

	if (fs == NULL)
		return;
	while (m->nn > 0)
		drop(m, &m->n[m->nn - 1]);
	free(m->n);
	free(m->fail);
	gfs_fsinfo_free(m->fsi, m->nfsi);
	free(m);
}

void
gfs_mem_add_fs(struct gfs *fs, const char *dev, const char *type,
    const char *uuid)
{
	struct gfs_mem *m = mem(fs);
	struct gfs_fsinfo *f;

	m->fsi = xreallocarray(m->fsi, m->nfsi + 1, sizeof(*m->fsi));
	f = &m->fsi[m->nfsi++];
	f->dev = xstrdup(dev);
	f->type = xstrdup(type);
	f->uuid = xstrdup(uuid);
}

const char *
gfs_mem_fs_uuid(struct gfs *fs, const char *dev)
{
	struct gfs_mem *m = mem(fs);
	size_t i;

	for (i = 0; i < m->nfsi; i++)
		if (strcmp(m->fsi[i].dev, dev) == 0)
			return m->fsi[i].uuid;
	return NULL;
}

void
gfs_mem_add_file(struct gfs *fs, const char *path, const char *data,
    size_t len, unsigned mode, unsigned uid, unsigned gid)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;

	mkparents(m, path);
	nd = put(m, path, 'f');
	nd->data = xmalloc(len + 1);
	if (len)
		memcpy(nd->data, data, len);
	nd->data[len] = '\0';
	nd->len = len;
	nd->attr.mode = mode;
	nd->attr.uid = uid;
	nd->attr.gid = gid;
}

void
gfs_mem_add_symlink(struct gfs *fs, const char *path, const char *target)
{
	struct gfs_mem *m = mem(fs);
	struct node *nd;

	mkparents(m, path);
	nd = put(m, path, 'l');
	nd->data = xstrdup(target);
	nd->len = strlen(target);
	nd->attr.mode = 0777;
}

void
gfs_mem_add_dir(struct gfs *fs, const char *path, unsigned mode)
{
	struct gfs_mem *m = mem(fs);

	mkparents(m, path);
	put(m, path, 'd')->attr.mode = mode;
}

static int
load(struct gfs *fs, const char *host, const char *guest)
{
	struct dirent **ents = NULL;
	struct stat st;
	char *hp = NULL, *gp = NULL, *buf = NULL, lnk[4096];
	size_t len;
	ssize_t ll;
	int i, n, r = -1;

	if ((n = scandir(host, &ents, NULL, alphasort)) == -1) {
		warn("cannot read directory '%s'", host);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		free(hp);
		free(gp);
		hp = xasprintf("%s/%s", host, name);
		gp = xasprintf("%s/%s", strcmp(guest, "/") ? guest : "",
		    name);
		if (lstat(hp, &st) == -1) {
			warn("cannot stat '%s'", hp);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			gfs_mem_add_dir(fs, gp, st.st_mode & 07777);
			if (load(fs, hp, gp) == -1)
				goto out;
		} else if (S_ISLNK(st.st_mode)) {
			if ((ll = readlink(hp, lnk, sizeof(lnk) - 1)) == -1) {
				warn("cannot read link '%s'", hp);
				goto out;
			}
			lnk[ll] = '\0';
			gfs_mem_add_symlink(fs, gp, lnk);
		} else if (S_ISREG(st.st_mode)) {
			if (read_host_file(hp, MEM_MAX_FILE, &buf, &len) == -1)
				goto out;
			gfs_mem_add_file(fs, gp, buf, len, st.st_mode & 07777,
			    0, 0);
			free(buf);
			buf = NULL;
		}
	}
	r = 0;
out:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	free(hp);
	free(gp);
	return r;
}

int
gfs_mem_load_dir(struct gfs *fs, const char *dir)
{
	return load(fs, dir, "/");
}

char
gfs_mem_get(struct gfs *fs, const char *path, const char **data_r,
    size_t *len_r, struct guest_attr *a)
{
	struct node *nd = find(mem(fs), path);

	*data_r = NULL;
	*len_r = 0;
	if (nd == NULL)
		return 0;
	if (nd->type != 'd') {
		*data_r = nd->data;
		*len_r = nd->len;
	}
	if (a)
		*a = nd->attr;
	return nd->type;
}

void
gfs_mem_fail_on(struct gfs *fs, const char *path)
{
	struct gfs_mem *m = mem(fs);

	free(m->fail);
	m->fail = path ? xstrdup(path) : NULL;
}

size_t
gfs_mem_writes(const struct gfs *fs)
{
	return ((const struct gfs_mem *)fs)->writes;
}
