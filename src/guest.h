/*
 * guest.h - guest access over libguestfs: add images with an explicit
 * format, launch the appliance (falling back to TCG when KVM fails), pick
 * each image's root filesystem, mount it, and read guest files safely.
 *
 * One struct guest holds one appliance with one or more images; each image
 * is a separate guest (a clone), addressed by its index.  Only this module
 * talks to libguestfs.  It knows nothing of file formats.
 *
 * Device names: inside the appliance image k's disk is /dev/sdX with X the
 * k-th letter.  Users and reports speak of each image on its own, so this
 * module shows devices of image k as "/dev/sda..." ("display" names) and
 * accepts /dev/sdaN, /dev/vdaN, /dev/xvdaN and /dev/hdaN for its
 * partitions.  LVs keep their /dev/VG/LV names.
 */
#ifndef IMPRINT_GUEST_H
#define IMPRINT_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gfs.h"
#include "osrelease.h"
#include "util.h"

struct guest;
struct imgchk;

/* A filesystem or partition found on one image. */
struct guest_fs {
	char	*dev;		/* appliance device name */
	char	*display;	/* as the user sees it: /dev/sda2, /dev/VG/LV */
	char	*type;		/* ext3, swap, LVM2_member, "" when unknown */
	char	*label;		/* "" when none */
	char	*uuid;		/* "" when none */
	int64_t	 size;		/* bytes, -1 when unknown */
	int	 partnum;	/* 1.. for partitions, 0 for LVs and whole disks */
};

enum root_how {
	ROOT_AUTO,		/* libguestfs inspection */
	ROOT_PARTITION,		/* Nth partition of the image's disk */
	ROOT_DEVICE,		/* a named device or LV */
	ROOT_DIR,		/* a tree on the host (rootdir.h) */
};

struct root_spec {
	enum root_how	 how;
	int		 partition;	/* ROOT_PARTITION */
	const char	*device;	/* ROOT_DEVICE, as the user wrote it */
};

struct guest_root {
	char		*dev;		/* appliance device */
	char		*opts;		/* its loop mount options, or NULL */
	char		*display;
	enum root_how	 how;
	char		*reason;	/* one line: why this root */
	struct guest_os	 os;
};

/*
 * Open an appliance over images paths[0..n-1]: check each path (exists,
 * regular file or block device), check its format and backing chain on
 * the host with qemu-img (imgchk.h; the images of the launch are the
 * images the run writes; no second qemu-img check, guest_check_image
 * made it), add it with the format found (never letting qemu guess)
 * read-only unless readonly is false, and launch.  When stderr is a
 * terminal a progress line shows while the appliance starts.
 *
 * KVM fallback: unless the user set LIBGUESTFS_BACKEND_SETTINGS, a failed
 * launch on a host with /dev/kvm is retried once with force_tcg and one
 * line says so; the outcome is cached per host (kernel and qemu binary) in
 * $XDG_CACHE_HOME/imprint/accel so later runs go straight to TCG.
 *
 * Returns 0 and *gs_r (free with guest_close), or -1 after one message.
 */
int	 guest_open(struct guest **gs_r, char *const *paths, size_t n,
	    bool readonly);
/*
 * How many appliances this run keeps going at once (a batch's -j; 1 until
 * set).  Each appliance of several drives launched after gets the host's
 * CPUs shared among them as vCPUs (appliance_vcpus in util.h).  Set it
 * before a batch forks its workers.
 */
void	 guest_set_jobs(unsigned jobs);
/*
 * The host-side checks guest_open makes of one image, without a launch:
 * it exists, is a regular file or block device, can be opened (for
 * writing unless readonly), and its format and backing chain pass
 * imgchk_image (others[0..nothers-1]: every image the run writes, so that
 * none backs another).  A batch runs them per image so that one bad image
 * does not fail a whole launch.  Returns 0, or -1 after one message.
 */
int	 guest_check_image(const char *path, bool readonly,
	    const char *const *others, size_t nothers);
/* Unmount, shut the appliance down (flushing writes), free.  Returns -1
 * when the shutdown reported an error (writes may be lost). */
int	 guest_close(struct guest *);

const char *guest_image_path(const struct guest *, size_t k);
const char *guest_image_format(const struct guest *, size_t k);
/* Image k's backing chain as checked before the launch; owned by gs. */
const struct imgchk *guest_image_chain(const struct guest *, size_t k);

void	 guest_fs_free(struct guest_fs *, size_t n);
void	 guest_root_release(struct guest_root *);

/*
 * Choose image k's root, the one way every command does.  ROOT_AUTO: the
 * light probe (a filesystem with /etc and release files; like, an earlier
 * clone's root or NULL, is verified first), full libguestfs inspection
 * (about 19 s under TCG on an EL5 image) only when the probe finds no root
 * or several.  An explicit root: the quick way, else among the listed
 * filesystems, so that a failure names every candidate and how to pick
 * one.  The root is left mounted read-only.  When fs_r is not NULL,
 * *fs_r and *nfs_r get image k's filesystems (free with guest_fs_free).
 * Returns 0 with *root_r (free its contents with guest_root_release), or
 * -1 after one message.
 */
int	 guest_pick_root(struct guest *, size_t k, const struct root_spec *,
	    const struct guest_root *like, struct guest_root *root_r,
	    struct guest_fs **fs_r, size_t *nfs_r);

/*
 * Mount root read-only at /.  Planning reads through this mount: even a
 * read-write image is not changed by a plan that fails (a read-write
 * mount alone rewrites the superblock, and a read-only one still replays
 * a journal: such a filesystem is mounted without the replay,
 * fsjournal.h).  The one exception, a batch clone whose plan is certain
 * to write: guest_expect_write.
 */
int	 guest_mount_root(struct guest *, const struct guest_root *);
/*
 * Did the read-only mounts now in place leave a journal unreplayed: 2
 * certainly (a guest not shut down cleanly), 1 perhaps (XFS, whose log
 * state takes a log walk to tell), 0 no.  Then what planning read may
 * not be what the guest sees: the caller mounts read-write (which
 * replays it) and plans again before writing.
 */
int	 guest_replay_pending(const struct guest *);
/* Remount root read-write, right before writing (image opened so). */
int	 guest_mount_rw(struct guest *, const struct guest_root *);

/*
 * A batch's LVM clones mounted read-write at once (guest.c, rw_at_once):
 * the caller says, before image k's root is picked, whether its plan is
 * certain to write (guest_expect_write); and, once image k's plan is
 * built with changes and no undo record, guest_planned_fresh.  Then a
 * later clone whose root's first bytes are still image k's is mounted
 * read-write from the start, which saves the read-only mount and its
 * unmount.  guest_rw_early: the current root was (a plan that fails or
 * finds nothing to do after all has then changed its mount count and
 * times, and nothing else).
 */
void	 guest_expect_write(struct guest *, bool certain);
void	 guest_planned_fresh(struct guest *, size_t k);
bool	 guest_rw_early(const struct guest *);

/* Unmount: the current image's writes are on its disk (flushed to the
 * host file) when this returns 0.  -1 after one message. */
int	 guest_flush(struct guest *);

/* Is the appliance still up?  After a failed call, false means it died
 * and the images it held need a new appliance. */
bool	 guest_alive(struct guest *);

/*
 * Read guest file path of at most cap bytes into *buf_r (NUL-terminated,
 * caller frees).  Symlinks are resolved inside the guest by libguestfs
 * (never on the host).  Returns 0 when read, 1 when the file does not
 * exist, -1 on error (not a regular file, too large, I/O) after one
 * message naming the image and path.
 */
int	 guest_read(struct guest *, const char *path, size_t cap,
	    char **buf_r, size_t *len_r);
/* Names in directory dir, sorted; 1 when dir does not exist. */
int	 guest_ls(struct guest *, const char *dir, struct strlist *names_r);
/* 1 when path exists as a regular file (symlinks followed in the guest),
 * 0 when not, -1 on error. */
int	 guest_is_file(struct guest *, const char *path);


/*
 * lstat path in the guest: *type_r is 'f' (regular file), 'l' (symlink),
 * 'd' (directory) or '?'.  Returns 0, 1 when path does not exist, -1 on
 * error after one message.
 */
int	 guest_lstat(struct guest *, const char *path, struct guest_attr *a,
	    char *type_r);

/*
 * Replace (or create) guest file path with len bytes of data, atomically,
 * the way libguestfs's own file editing does it: the bytes go to a new
 * file with a random name in the same directory (the directory resolved
 * inside the guest), which gets the attributes of the file it replaces
 * (owner, mode, extended attributes such as the SELinux label) or, for a
 * new file, those of like (a sibling, may be NULL: root:root 0644), then
 * is renamed over path.  attr, when not NULL, is applied last (undo uses
 * it).  The new file is created with at most the final mode's owner bits
 * (0600, or 0000 for a 0000 file) before any byte goes in, gets its final
 * attributes only once every byte is written, and is removed on every
 * failure; only a kill midway (of imprint or the appliance) can leave
 * it, private, as DIR/.imprint-XXXXXXXXXXXX.  A path that is a symlink or
 * not a regular file is refused: we never write through a guest symlink.
 * Returns 0, or -1 after one message with nothing changed.
 */
int	 guest_write(struct guest *, const char *path, const char *data,
	    size_t len, const char *like, const struct guest_attr *attr);

/* Remove guest file path (a regular file or a symlink itself); 0, or -1
 * after one message.  Absent is not an error. */
int	 guest_remove(struct guest *, const char *path);

/*
 * The guest filesystem interface (gfs.h) over this appliance's current
 * image, mounted at /: what survey.c and plan.c read through and what a
 * plan is carried out with.  Owned by gs.
 */
struct gfs	*guest_gfs(struct guest *gs);

#endif
