/*
 * gfile_shadow.h - /etc/shadow's root password fields, and the crypt(3)
 * method a guest can verify.  gfile_shadow_set_password follows the
 * whole-file editing contract of gfile_lib.h.
 */
#ifndef IMPRINT_GFILE_SHADOW_H
#define IMPRINT_GFILE_SHADOW_H

#include "gfile_lib.h"

/*
 * /etc/shadow: on the first line whose login is user, field 2 becomes
 * hash and, when days is not -1, field 3 (last change, days since the
 * epoch; passed in so that callers and tests decide the clock) becomes
 * days.  Everything else is kept byte for byte.  -1 when user or hash is
 * empty or holds ':' or a control character (a line break, say), days is
 * below -1, the user has no line, or its line has fewer than 3 fields
 * while days is to be set.
 */
int	 gfile_shadow_set_password(const char *in, size_t len,
	    const char *user, const char *hash, long days, struct buf *out);

/*
 * The crypt(3) prefix for a new root password hash on a guest, from
 * libguestfs inspection (distro as inspect_get_distro returns it, major
 * and minor version): "$y$" (yescrypt) where the guest's libcrypt is
 * libxcrypt with yescrypt: debian >= 11, ubuntu >= 22, fedora >= 35,
 * rhel/centos/oraclelinux/rocky/almalinux >= 9, opensuse/sles >= 16
 * (conservative: some older releases ship libxcrypt with yescrypt too,
 * but not all of them let PAM verify it); else "$6$" (SHA-512: glibc
 * 2.7 and later, RHEL/OL 5.2 and later).  Never DES or MD5, and never
 * NULL: a caller that must support RHEL 5.0/5.1 or older (no SHA-512 in
 * their glibc) checks the version itself.  Static strings.
 */
const char	*gfile_crypt_prefix_for(const char *distro, int major,
		    int minor);

#endif
