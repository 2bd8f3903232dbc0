/*
 * fsuuid.h - `forget = fs-uuids`: the guest files that name a filesystem
 * by its UUID, their edit, and the guest's initramfs generator, which
 * decides whether a UUID may change offline at all.
 *
 * Pure: text in, text out.  plan.c reads the files through gfs.h, asks
 * the generator's configuration (gfile_shvar_get), and sets the new UUIDs
 * through gfs.h (the appliance, after every file is written and the
 * filesystems are unmounted).
 */
#ifndef IMPRINT_FSUUID_H
#define IMPRINT_FSUUID_H

#include <stddef.h>

#include "util.h"

/* One filesystem's change: old and new UUID, 36 characters each. */
struct fsuuid_map {
	const char	*old;
	const char	*new;
};

/*
 * The places a guest names its filesystems by UUID: a directory and a
 * glob of file names in it (gfs_glob), in the order plan.c reads them.
 * fsuuid_nrefs entries.  grub.cfg and grubenv in each directory of
 * /boot/efi/EFI are one level deeper; plan.c lists them by hand.
 */
struct fsuuid_ref {
	const char	*dir;
	const char	*pattern;
};
extern const struct fsuuid_ref	fsuuid_refs[];
extern const size_t		fsuuid_nrefs;

/*
 * Append text[0..len-1] to out with every occurrence of each map entry's
 * old UUID (compared without regard to case, and only as a whole token:
 * no hex digit or '-' on either side) replaced by its new one, upper case
 * where the old was written upper case.  Returns how many were replaced.
 */
size_t	 fsuuid_replace(const char *text, size_t len,
	    const struct fsuuid_map *m, size_t n, struct buf *out);

/* The 1-based number of the first line of text that names uuid (as
 * fsuuid_replace would find it), or 0 when none does. */
size_t	 fsuuid_line(const char *text, size_t len, const char *uuid);

#endif
