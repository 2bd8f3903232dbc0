/*
 * osrelease.c - the OS a root's release files name (see osrelease.h).
 */
#include <stdlib.h>
#include <string.h>

#include "gfile_shvar.h"
#include "gfs.h"
#include "osrelease.h"
#include "util.h"

static char *
dup_or_empty(char *s)
{
	return s ? s : xstrdup("");
}

/* "5.2" or "12" -> major, minor. */
static void
parse_version(const char *s, int *major, int *minor)
{
	char *end;

	*major = (int)strtol(s, &end, 10);
	*minor = *end == '.' ? (int)strtol(end + 1, NULL, 10) : 0;
}

void
osrelease_read(struct gfs *fs, struct guest_os *os)
{
	/* Oracle's and CentOS's own file first: each also ships a
	 * redhat-release that names Red Hat. */
	static const struct {
		const char *file, *distro;
	} rh[] = {
		{ "/etc/oracle-release", "oraclelinux" },
		{ "/etc/enterprise-release", "oraclelinux" },
		{ "/etc/centos-release", "centos" },
		{ "/etc/redhat-release", "rhel" },
	};
	char *buf = NULL, *v, *p;
	size_t len, i;

	os->type = xstrdup("linux");
	os->source = xstrdup("release files");
	if (gfs_read(fs, "/etc/os-release", 65536, &buf, &len) == 0) {
		os->distro = dup_or_empty(gfile_shvar_get(buf, len, "ID"));
		os->product = dup_or_empty(gfile_shvar_get(buf, len,
		    "PRETTY_NAME"));
		if ((v = gfile_shvar_get(buf, len, "VERSION_ID")) != NULL) {
			parse_version(v, &os->major, &os->minor);
			free(v);
		}
		free(buf);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(rh); i++) {
		if (gfs_read(fs, rh[i].file, 4096, &buf, &len) != 0)
			continue;
		buf[strcspn(buf, "\r\n")] = '\0';
		os->distro = xstrdup(rh[i].distro);
		os->product = xstrdup(buf);
		if ((p = strstr(buf, "release ")) != NULL)
			parse_version(p + 8, &os->major, &os->minor);
		free(buf);
		return;
	}
	if (gfs_read(fs, "/etc/debian_version", 4096, &buf, &len) == 0) {
		buf[strcspn(buf, "\r\n")] = '\0';
		os->distro = xstrdup("debian");
		os->product = xasprintf("Debian %s", buf);
		parse_version(buf, &os->major, &os->minor);
		free(buf);
		return;
	}
	free(os->type);
	os->type = xstrdup("unknown");
	os->distro = xstrdup("unknown");
	os->product = xstrdup("");
}

void
osrelease_copy(struct guest_os *dst, const struct guest_os *src)
{
	dst->type = xstrdup(src->type);
	dst->distro = xstrdup(src->distro);
	dst->product = xstrdup(src->product);
	dst->major = src->major;
	dst->minor = src->minor;
	dst->source = xstrdup(src->source);
}
