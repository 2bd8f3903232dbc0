/*
 * rootdir.h - a guest tree on the host as the guest a command works on
 * (--root-dir DIR): a debootstrap or mkosi chroot, a mounted snapshot.
 * What apply, undo and inspect share about it: which directory it is,
 * that it is not the running host, its files (gfs_dir, resolved strictly
 * inside it) and the OS its release files name.
 *
 * No appliance is involved and nothing is mounted; the root spec of an
 * image (--partition, --root, a recipe's root =) has no meaning here.
 */
#ifndef IMPRINT_ROOTDIR_H
#define IMPRINT_ROOTDIR_H

#include "guest.h"

struct gfs;

struct rootdir {
	char			*real;	/* realpath(3) of DIR: names the
					   undo record, DIR.imprint-undo */
	struct gfs		*fs;	/* the tree (gfs_dir_open) */
	struct guest_root	 root;	/* how ROOT_DIR, display = real,
					   os from the release files */
};

/*
 * Open the tree at dir: resolved with realpath(3); refused when that is
 * "/" or the same directory as "/" (a bind mount of it): editing the
 * running host is never what --root-dir means; refused when it is not a
 * directory or has no /etc (the parent of a tree given by mistake).
 * Returns 0 with *rd filled (free with rootdir_close), or -1 after one
 * message with *rd empty.
 */
int	 rootdir_open(struct rootdir *rd, const char *dir);
void	 rootdir_close(struct rootdir *rd);

/*
 * Take imprint's lock on the tree, as alive_lock_image does on an image:
 * flock(2) on the directory (an image's byte lock needs a file), so that
 * a second imprint on the same tree stops before it reads.  Returns 0
 * with *fd_r (release by closing it), 1 when another imprint holds it,
 * -1 on error; a message either way.
 */
int	 rootdir_lock(const struct rootdir *rd, int *fd_r);

/* A copy of rd's root into *root_r (free with guest_root_release). */
void	 rootdir_copy_root(const struct rootdir *rd,
	    struct guest_root *root_r);

#endif
