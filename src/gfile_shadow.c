/*
 * gfile_shadow.c - the root password of a guest: /etc/shadow's hash and
 * last-change fields for one user, and which crypt(3) method the guest's
 * libc can verify.
 *
 * Only the two fields are replaced; every other line and field is kept
 * byte for byte (shadow(5) lines are colon-separated, with no quoting).
 * Hashing itself is ident.c's (libcrypt); reading and writing the file,
 * with its mode kept, is guest.c's.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include "gfile_shadow.h"

static bool
has_ctrl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return true;
	return false;
}

int
gfile_shadow_set_password(const char *in, size_t len, const char *user,
    const char *hash, long days, struct buf *out)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct gfile_ed ed;
	const char *c1, *c2, *c3, *end;
	char num[24];
	size_t pos = 0, ulen = strlen(user), n;

	if (ulen == 0 || strchr(user, ':') != NULL || has_ctrl(user)) {
		warnx("refusing user name '%s' for the shadow file", user);
		return -1;
	}
	if (*hash == '\0' || strchr(hash, ':') != NULL || has_ctrl(hash)) {
		warnx("refusing a password hash with a colon, a control "
		    "character or nothing for '%s'", user);
		return -1;
	}
	if (days < -1) {
		warnx("refusing a last password change of %ld days", days);
		return -1;
	}
	while (gfile_line_next(in, len, &pos, &l)) {
		if (l.len > ulen && l.p[ulen] == ':' &&
		    memcmp(l.p, user, ulen) == 0)
			break;
	}
	if (l.p == NULL || l.len <= ulen || l.p[ulen] != ':' ||
	    memcmp(l.p, user, ulen) != 0) {
		warnx("no user '%s' in the shadow file", user);
		return -1;
	}
	end = l.p + l.len;
	c1 = l.p + ulen;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (c2 == NULL && days != -1) {
		warnx("shadow file line %zu: too few fields for '%s'", l.no,
		    user);
		return -1;
	}
	if (c2 == NULL)
		c2 = end;
	gfile_ed_init(&ed, in, len, out);
	n = strlen(hash);
	if ((size_t)(c2 - c1 - 1) != n || memcmp(c1 + 1, hash, n) != 0)
		gfile_ed_replace(&ed, (size_t)(c1 + 1 - in),
		    (size_t)(c2 - in), hash, n);
	if (days != -1) {
		c3 = memchr(c2 + 1, ':', (size_t)(end - c2 - 1));
		if (c3 == NULL)
			c3 = end;
		snprintf(num, sizeof(num), "%ld", days);
		n = strlen(num);
		if ((size_t)(c3 - c2 - 1) != n || memcmp(c2 + 1, num, n) != 0)
			gfile_ed_replace(&ed, (size_t)(c2 + 1 - in),
			    (size_t)(c3 - in), num, n);
	}
	gfile_ed_finish(&ed);
	return 0;
}

/*
 * Releases from which the distribution's libcrypt is libxcrypt with
 * yescrypt and its PAM verifies it: Debian 11 (libxcrypt 4.4.18, and
 * yescrypt the default), Ubuntu 22.04 (the default since 21.10), Fedora
 * 35 (the default), EL 9 (libxcrypt 4.4.18; SHA-512 stays the default
 * there), openSUSE/SLES 16.  EL 8 has libxcrypt 4.1 without yescrypt.
 */
static const struct {
	const char	*distro;
	int		 major;
} yescrypt_from[] = {
	{ "debian",		11 },
	{ "ubuntu",		22 },
	{ "fedora",		35 },
	{ "rhel",		9 },
	{ "centos",		9 },
	{ "oraclelinux",	9 },
	{ "rocky",		9 },
	{ "almalinux",		9 },
	{ "alma",		9 },
	{ "opensuse",		16 },
	{ "sles",		16 },
};

const char *
gfile_crypt_prefix_for(const char *distro, int major, int minor)
{
	size_t i;

	(void)minor;	/* no table entry needs it (yet) */
	if (distro == NULL)
		return "$6$";
	for (i = 0; i < ARRAY_SIZE(yescrypt_from); i++)
		if (strcmp(distro, yescrypt_from[i].distro) == 0)
			return major >= yescrypt_from[i].major ? "$y$" : "$6$";
	return "$6$";
}
