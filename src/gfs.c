/*
 * gfs.c - the guest filesystem interface's calls (see gfs.h): each goes
 * through the implementation's table; glob is built on ls once for all.
 */
#include <fnmatch.h>
#include <stdlib.h>

#include "gfs.h"
#include "util.h"

int
gfs_read(struct gfs *fs, const char *path, size_t cap, char **buf_r,
    size_t *len_r)
{
	return fs->ops->read(fs, path, cap, buf_r, len_r);
}

int
gfs_lstat(struct gfs *fs, const char *path, struct guest_attr *a,
    char *type_r)
{
	return fs->ops->lstat(fs, path, a, type_r);
}

int
gfs_readlink(struct gfs *fs, const char *path, char **target_r)
{
	return fs->ops->readlink(fs, path, target_r);
}

int
gfs_ls(struct gfs *fs, const char *dir, struct strlist *names_r)
{
	return fs->ops->ls(fs, dir, names_r);
}

int
gfs_is_file(struct gfs *fs, const char *path)
{
	return fs->ops->is_file(fs, path);
}

int
gfs_write(struct gfs *fs, const char *path, const char *data, size_t len,
    const char *like, const struct guest_attr *attr)
{
	return fs->ops->write(fs, path, data, len, like, attr);
}

int
gfs_remove(struct gfs *fs, const char *path)
{
	return fs->ops->remove(fs, path);
}

int
gfs_filesystems(struct gfs *fs, struct gfs_fsinfo **fs_r, size_t *n_r)
{
	*fs_r = NULL;
	*n_r = 0;
	return fs->ops->filesystems(fs, fs_r, n_r);
}

int
gfs_set_uuid(struct gfs *fs, const char *dev, const char *uuid)
{
	return fs->ops->set_uuid(fs, dev, uuid);
}

void
gfs_fsinfo_free(struct gfs_fsinfo *f, size_t n)
{
	size_t i;

	for (i = 0; f != NULL && i < n; i++) {
		free(f[i].dev);
		free(f[i].type);
		free(f[i].uuid);
	}
	free(f);
}

int
gfs_symlink(struct gfs *fs, const char *target, const char *path,
    const struct guest_attr *attr)
{
	return fs->ops->symlink(fs, target, path, attr);
}

int
gfs_getxattr(struct gfs *fs, const char *path, const char *name,
    char **val_r, size_t *len_r)
{
	return fs->ops->getxattr(fs, path, name, val_r, len_r);
}

int
gfs_setxattr(struct gfs *fs, const char *path, const char *name,
    const char *val, size_t len)
{
	return fs->ops->setxattr(fs, path, name, val, len);
}

int
gfs_flush(struct gfs *fs)
{
	return fs->ops->flush(fs);
}

int
gfs_glob(struct gfs *fs, const char *dir, const char *pattern,
    struct strlist *paths)
{
	struct strlist names = STRLIST_INIT;
	size_t i;
	int r;

	if ((r = gfs_ls(fs, dir, &names)) != 0)
		return r;
	for (i = 0; i < names.n; i++)
		if (fnmatch(pattern, names.v[i], FNM_PERIOD) == 0)
			strlist_add_owned(paths, xasprintf("%s/%s", dir,
			    names.v[i]));
	strlist_release(&names);
	return 0;
}
