/*
 * rootdir.c - a guest tree on the host as the guest (see rootdir.h).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gfs.h"
#include "guest.h"
#include "osrelease.h"
#include "rootdir.h"
#include "util.h"

int
rootdir_open(struct rootdir *rd, const char *dir)
{
	struct strlist names = STRLIST_INIT;
	struct stat st, rst;
	char buf[PATH_MAX];
	int r;

	memset(rd, 0, sizeof(*rd));
	if (realpath(dir, buf) == NULL) {
		warn("cannot open the guest tree '%s'", esc(dir));
		return -1;
	}
	if (stat(buf, &st) == -1 || stat("/", &rst) == -1) {
		warn("cannot open the guest tree '%s'", esc(dir));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		warnx("the guest tree '%s' is not a directory", esc(dir));
		return -1;
	}
	/*
	 * The host itself, by name, through a symlink or a bind mount:
	 * the running system's files are never a clone's.
	 */
	if (strcmp(buf, "/") == 0 ||
	    (st.st_dev == rst.st_dev && st.st_ino == rst.st_ino)) {
		warnx("refusing --root-dir '%s': it is the host's own root "
		    "directory; give the directory that holds the guest's "
		    "tree", esc(dir));
		return -1;
	}
	if ((rd->fs = gfs_dir_open(buf)) == NULL)
		return -1;
	/* The parent of the tree, given by mistake, has no /etc. */
	if ((r = gfs_ls(rd->fs, "/etc", &names)) != 0) {
		if (r == 1)
			warnx("'%s' holds no guest tree: it has no /etc",
			    esc(dir));
		strlist_release(&names);
		rootdir_close(rd);
		return -1;
	}
	strlist_release(&names);
	rd->real = xstrdup(buf);
	rd->root.how = ROOT_DIR;
	rd->root.dev = xstrdup(buf);
	rd->root.display = xstrdup(buf);
	rd->root.reason = xstrdup("the directory given with --root-dir");
	osrelease_read(rd->fs, &rd->root.os);
	return 0;
}

void
rootdir_close(struct rootdir *rd)
{
	gfs_dir_free(rd->fs);
	free(rd->real);
	guest_root_release(&rd->root);
	memset(rd, 0, sizeof(*rd));
}

int
rootdir_lock(const struct rootdir *rd, int *fd_r)
{
	int fd, e;

	*fd_r = -1;
	if ((fd = open(rd->real, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		warn("cannot open the guest tree '%s' to lock it",
		    esc(rd->real));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		e = errno;
		close(fd);
		if (e == EWOULDBLOCK) {
			warnx("the guest tree '%s' is being edited by another "
			    "imprint process", esc(rd->real));
			return 1;
		}
		warnx("cannot lock the guest tree '%s': %s", esc(rd->real),
		    strerror(e));
		return -1;
	}
	*fd_r = fd;
	return 0;
}

void
rootdir_copy_root(const struct rootdir *rd, struct guest_root *root_r)
{
	const struct guest_root *s = &rd->root;

	memset(root_r, 0, sizeof(*root_r));
	root_r->dev = xstrdup(s->dev);
	root_r->display = xstrdup(s->display);
	root_r->how = s->how;
	root_r->reason = xstrdup(s->reason);
	osrelease_copy(&root_r->os, &s->os);
}
