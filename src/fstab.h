/*
 * fstab.h - the filesystems a guest's /etc/fstab mounts where imprint
 * reads and writes (/etc, /var and below), so that guest.c mounts them
 * over the root before a file is read: a guest with /var (or /etc) on its
 * own filesystem is edited where its files really are, never in the
 * directory the mount hides.
 */
#ifndef IMPRINT_FSTAB_H
#define IMPRINT_FSTAB_H

#include <stddef.h>

/* An /etc/fstab larger than this is refused unread. */
#define FSTAB_MAX_SIZE	(64 * 1024)

enum fstab_what {
	FSTAB_MOUNT,		/* mount spec at dir */
	FSTAB_VOLATILE,		/* tmpfs and the like: nothing kept there */
	FSTAB_REFUSE,		/* a mount imprint cannot make: why says */
};

struct fstab_ent {
	unsigned	 line;		/* 1-based, in /etc/fstab */
	char		*spec;		/* UUID=..., LABEL=..., /dev/... */
	char		*dir;		/* /var, /etc, /var/lib, ... */
	char		*type;
	enum fstab_what	 what;
	const char	*why;		/* FSTAB_REFUSE: static text */
};

/*
 * The entries of fstab text[0..len-1] whose mount point is /etc, /var or
 * below them, in the order to mount them (a parent before its children,
 * else as listed); `noauto` entries are left out (the guest does not
 * mount them at boot either).  Fields are unescaped (\040 is a space).
 * Returns how many, with *ents_r (free with fstab_free).
 */
size_t	 fstab_below(const char *text, size_t len, struct fstab_ent **ents_r);
void	 fstab_free(struct fstab_ent *, size_t);

#endif
