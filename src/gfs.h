/*
 * gfs.h - the guest filesystem interface: what planning, surveying and
 * writing need of a guest's files, whatever holds them.
 *
 * Three implementations: the libguestfs appliance (guest.c,
 * guest_gfs()), an in-memory tree (gfs_mem.c) for unit tests, and a
 * guest tree already on the host, resolved strictly inside its root
 * (gfs_dir.c; --root-dir, rootdir.h).
 *
 * Every path is an absolute guest path.  Symbolic links are resolved
 * inside the guest, never on the host, and only where an operation says
 * so.  Return conventions follow guest.h: 0 done, 1 "does not exist"
 * where that is not an error, -1 after one message naming the path.
 */
#ifndef IMPRINT_GFS_H
#define IMPRINT_GFS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Attributes of a guest file, as plans and undo records keep them. */
struct guest_attr {
	unsigned int	mode;		/* permission bits (07777) */
	unsigned int	uid, gid;
};

/* A filesystem on the guest's own disks (gfs_filesystems). */
struct gfs_fsinfo {
	char		*dev;	/* as the user sees it: /dev/sda2, /dev/VG/LV */
	char		*type;	/* ext4, xfs, swap, ... */
	char		*uuid;	/* "" when none */
};

struct gfs;

struct gfs_ops {
	/* Read a regular file of at most cap bytes (symlinks followed in
	 * the guest) into *buf_r, NUL-terminated, caller frees.  0, 1 when
	 * absent, -1 (not a regular file, too large, I/O). */
	int	(*read)(struct gfs *, const char *path, size_t cap,
		    char **buf_r, size_t *len_r);
	/* lstat: *type_r 'f', 'l', 'd' or '?'; a may be NULL.  0, 1, -1. */
	int	(*lstat)(struct gfs *, const char *path, struct guest_attr *a,
		    char *type_r);
	/* The target of symlink path (caller frees).  0, 1, -1. */
	int	(*readlink)(struct gfs *, const char *path, char **target_r);
	/* Names in dir (symlinks followed), sorted.  0, 1, -1. */
	int	(*ls)(struct gfs *, const char *dir, struct strlist *names_r);
	/* 1 when path is a regular file (symlinks followed), 0, -1. */
	int	(*is_file)(struct gfs *, const char *path);
	/*
	 * Replace or create path atomically (a temporary file in the same
	 * directory, renamed over it; made at most 0600 before any byte
	 * goes in, given its final attributes after the last, removed on
	 * every failure).  A new file takes the attributes of like (may be
	 * NULL: root:root 0644), an existing one keeps its own (owner,
	 * mode, extended attributes such as the SELinux label); attr, when
	 * not NULL, is applied last.  A symlink or non-regular file at path
	 * is refused.  0 or -1.
	 */
	int	(*write)(struct gfs *, const char *path, const char *data,
		    size_t len, const char *like, const struct guest_attr *attr);
	/* Remove a regular file or a symlink itself; absent is fine.  0, -1. */
	int	(*remove)(struct gfs *, const char *path);
	/* Make path a symlink to target (path must not exist), with owner
	 * attr->uid:gid when attr is not NULL.  0 or -1. */
	int	(*symlink)(struct gfs *, const char *target, const char *path,
		    const struct guest_attr *attr);
	/* Extended attribute name of path itself (not followed): *val_r
	 * (caller frees, *len_r bytes).  0, 1 when path has none of that
	 * name, -1. */
	int	(*getxattr)(struct gfs *, const char *path, const char *name,
		    char **val_r, size_t *len_r);
	/* Set it (not followed).  0 or -1. */
	int	(*setxattr)(struct gfs *, const char *path, const char *name,
		    const char *val, size_t len);
	/* Make every write so far durable (the appliance unmounts).  0, -1. */
	int	(*flush)(struct gfs *);
	/* The filesystems on the guest's disks (its partitions and LVs,
	 * whatever is mounted), *n_r of them in *fs_r (free with
	 * gfs_fsinfo_free).  0, or -1 after one message (a tree on the
	 * host has no disks). */
	int	(*filesystems)(struct gfs *, struct gfs_fsinfo **fs_r,
		    size_t *n_r);
	/* Give filesystem dev (as filesystems names it) the UUID uuid.
	 * Called after flush: the appliance unmounts every filesystem of
	 * the guest first, and nothing is read or written through fs
	 * afterwards.  0 or -1. */
	int	(*set_uuid)(struct gfs *, const char *dev, const char *uuid);
};

struct gfs {
	const struct gfs_ops	*ops;
	const char		*name;	/* for messages: the image, "memory" */
};

/* The operations, called through the table. */
int	 gfs_read(struct gfs *, const char *path, size_t cap, char **buf_r,
	    size_t *len_r);
int	 gfs_lstat(struct gfs *, const char *path, struct guest_attr *a,
	    char *type_r);
int	 gfs_readlink(struct gfs *, const char *path, char **target_r);
int	 gfs_ls(struct gfs *, const char *dir, struct strlist *names_r);
int	 gfs_is_file(struct gfs *, const char *path);
int	 gfs_write(struct gfs *, const char *path, const char *data,
	    size_t len, const char *like, const struct guest_attr *attr);
int	 gfs_remove(struct gfs *, const char *path);
int	 gfs_symlink(struct gfs *, const char *target, const char *path,
	    const struct guest_attr *attr);
int	 gfs_getxattr(struct gfs *, const char *path, const char *name,
	    char **val_r, size_t *len_r);
int	 gfs_setxattr(struct gfs *, const char *path, const char *name,
	    const char *val, size_t len);
int	 gfs_flush(struct gfs *);
int	 gfs_filesystems(struct gfs *, struct gfs_fsinfo **fs_r, size_t *n_r);
int	 gfs_set_uuid(struct gfs *, const char *dev, const char *uuid);
void	 gfs_fsinfo_free(struct gfs_fsinfo *, size_t n);

/*
 * Paths "DIR/NAME" of the names in dir matching a shell glob pattern
 * (basename only, a leading '.' matched only explicitly), sorted, added
 * to paths_r; 1 when dir does not exist.  Built on ls for every
 * implementation.
 */
int	 gfs_glob(struct gfs *, const char *dir, const char *pattern,
	    struct strlist *paths_r);

/* ---- a guest tree on the host (gfs_dir.c) ------------------------------ */

/*
 * The guest tree under host directory root: a debootstrap or mkosi
 * chroot, a mounted snapshot.  root is the guest's "/": gfs_read(fs,
 * "/etc/hosts", ...) reads ROOT/etc/hosts.  Nothing in the tree leads out
 * of it: guest paths are resolved as in a chroot (openat2(2) with
 * RESOLVE_IN_ROOT, or the same by hand on kernels before 5.6), so an
 * absolute symlink target starts again at root and ".." stops there; a
 * /proc mounted in the tree cannot jump out (openat2 refuses its magic
 * links, the walker reads them as text, inside root); filesystems
 * mounted inside the tree are crossed.  At most 40 links a lookup; a
 * loop counts as absent, as in the appliance.  read, is_file and ls
 * follow the last symlink (inside root); lstat, readlink, remove,
 * symlink and the xattr calls act on it.
 *
 * A write is a temporary file beside the target (0600 while written), in
 * the end with the target's owner, mode and extended attributes, fsync'd
 * and renamed over it; a write, remove or symlink is durable when it
 * returns (the directory is fsync'd too), so flush does nothing.  Owners
 * are host ids as the tree stores them (no id mapping), and setting one
 * that is not the caller's needs CAP_CHOWN.  A file is reopened, and
 * extended attributes reached, through /proc/self/fd once the object is
 * known: /proc must be mounted on the host, and a device node or FIFO in
 * the tree is never opened.
 *
 * root itself may be a symlink; it is not checked further ("/" is the
 * host): what trees to accept is the caller's choice.  Returns NULL after
 * one message when root is not a directory or cannot be opened.  Free
 * with gfs_dir_free.
 */
struct gfs	*gfs_dir_open(const char *root);
void		 gfs_dir_free(struct gfs *);

/*
 * For tests: resolve by hand from now on, as where openat2(2) is missing.
 * Returns whether openat2 was in use.
 */
bool		 gfs_dir_force_walk(struct gfs *);

/* ---- the in-memory tree (gfs_mem.c), for unit tests ------------------- */

/* A new empty tree holding only "/" (free with gfs_mem_free). */
struct gfs	*gfs_mem_new(void);
void		 gfs_mem_free(struct gfs *);

/*
 * Add a regular file (its parent directories are made as needed, 0755
 * root:root), a symlink or a directory.  Replaces what was at path.
 */
void	 gfs_mem_add_file(struct gfs *, const char *path, const char *data,
	    size_t len, unsigned mode, unsigned uid, unsigned gid);
void	 gfs_mem_add_symlink(struct gfs *, const char *path,
	    const char *target);
void	 gfs_mem_add_dir(struct gfs *, const char *path, unsigned mode);
/* A filesystem of the tree's "disks": filesystems lists them in the order
 * added; set_uuid changes the UUID kept here (and fails for a dev given
 * to gfs_mem_fail_on). */
void	 gfs_mem_add_fs(struct gfs *, const char *dev, const char *type,
	    const char *uuid);
/* The UUID of dev now, or NULL when there is no such filesystem. */
const char *gfs_mem_fs_uuid(struct gfs *, const char *dev);

/*
 * Copy the host directory dir into the tree at "/": regular files (at
 * most 16 MiB each), directories and symlinks, as they are (symlinks are
 * not followed; modes kept, owner root).  Returns 0 or -1 after one
 * message.
 */
int	 gfs_mem_load_dir(struct gfs *, const char *dir);

/*
 * What is at path now, for assertions: 'f' with *data_r and *len_r (owned
 * by the tree) and *a, 'l' with the target in *data_r, 'd', or 0 when
 * nothing.  a may be NULL.
 */
char	 gfs_mem_get(struct gfs *, const char *path, const char **data_r,
	    size_t *len_r, struct guest_attr *a);

/*
 * Make the next operations on path fail (-1 with a message), to test
 * failure paths: every operation naming exactly path.  NULL clears.
 */
void	 gfs_mem_fail_on(struct gfs *, const char *path);

/* Number of write, remove and symlink calls that changed the tree. */
size_t	 gfs_mem_writes(const struct gfs *);

#endif
