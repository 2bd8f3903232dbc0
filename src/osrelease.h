/*
 * osrelease.h - the operating system a root's release files name
 * (/etc/os-release, /etc/redhat-release and its kin, /etc/debian_version),
 * read through the guest filesystem interface.
 *
 * The appliance uses it as the light probe for a root (instead of
 * libguestfs's full inspection), and a guest tree on the host
 * (--root-dir), which has no inspection at all, uses it for everything.
 * It only reads; it knows nothing of devices or mounts.
 */
#ifndef IMPRINT_OSRELEASE_H
#define IMPRINT_OSRELEASE_H

struct gfs;

/* The operating system found on a root, from inspection or release files. */
struct guest_os {
	char	*type;		/* linux, windows, unknown */
	char	*distro;	/* rhel, oraclelinux, centos, debian, ... */
	char	*product;	/* product name line, "" when unknown */
	int	 major, minor;
	char	*source;	/* "inspection" or "release files" */
};

/*
 * Fill *os (which must be zeroed) from fs's release files: type "linux"
 * and the distro, product and version of the first file found, in the
 * order os-release, oracle-release, enterprise-release, centos-release,
 * redhat-release, debian_version; type and distro "unknown" when none
 * is.  source is "release files".  Free with the owner's release of the
 * struct (guest_root_release frees a root's).  A file that cannot be
 * read counts as absent (its message printed).
 */
void	 osrelease_read(struct gfs *fs, struct guest_os *os);

/* Fill *dst with a copy of *src (every string duplicated). */
void	 osrelease_copy(struct guest_os *dst, const struct guest_os *src);

#endif
