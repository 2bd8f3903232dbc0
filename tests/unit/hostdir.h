/*
 * hostdir.h - host directories for the unit tests that write files
 * there (hostfile, plan, undo): how many entries one holds, to show that
 * no temporary or backup is left, and its immutable flag (chattr +i),
 * the one way to make a directory unwritable for root.
 */
#ifndef IMPRINT_HOSTDIR_H
#define IMPRINT_HOSTDIR_H

#include <sys/ioctl.h>

#include <linux/fs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Entries of host directory d other than . and .. */
static inline int
dir_entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int n = 0;

	while (dp && (e = readdir(dp)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (dp)
		closedir(dp);
	return n;
}

/* Set or clear the immutable flag of directory path: 0 or an errno (a
 * filesystem without the flag: EOPNOTSUPP or ENOTTY). */
static inline int
set_immutable(const char *path, int on)
{
	int fd, flags, e = 0;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return errno;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == -1)
		e = errno;
	else {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		if (ioctl(fd, FS_IOC_SETFLAGS, &flags) == -1)
			e = errno;
	}
	close(fd);
	return e;
}

#endif
