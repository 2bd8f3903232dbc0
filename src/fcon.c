/*
 * fcon.c - a path's label under the guest's SELinux policy (fcon.h).
 *
 * libselinux's file backend parses file_contexts and orders its
 * specifications exactly as restorecon does; it reads a host file, so
 * the guest's is copied into a private directory first (its .local,
 * .homedirs and .subs companions, which the backend also looks for, are
 * then absent by construction).
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <selinux/label.h>
#include <selinux/selinux.h>

#include "fcon.h"
#include "gfile_shvar.h"
#include "util.h"

#define CONFIG		"/etc/selinux/config"
#define CONFIG_MAX	(64 * 1024)

/* libselinux's messages name the guest's patterns: not for our stderr */
static int __attribute__((format(printf, 2, 3)))
quiet(int type, const char *fmt, ...)
{
	(void)type;
	(void)fmt;
	return 0;
}

/* A policy name is one path component of letters, digits, '-', '_'. */
static int
policy_name_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
	    "VWXYZ0123456789-_");

	return n > 0 && s[n] == '\0' && n < 64;
}

/* data[0..len-1] into a new file in a new private directory; the file's
 * path, or NULL after a message.  *dir_r gets the directory. */
static char *
host_copy(const char *data, size_t len, char **dir_r)
{
	const char *t = getenv("TMPDIR");
	char *dir, *file;
	ssize_t w;
	size_t done = 0;
	int fd;

	dir = xasprintf("%s/imprint-fc.XXXXXX", t && *t == '/' ? t : "/tmp");
	if (mkdtemp(dir) == NULL) {
		warn("cannot make a temporary directory in %s", t && *t ==
		    '/' ? t : "/tmp");
		free(dir);
		return NULL;
	}
	file = xasprintf("%s/file_contexts", dir);
	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600))
	    == -1)
		goto fail;
	while (done < len) {
		if ((w = write(fd, data + done, len - done)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			goto fail;
		}
		done += (size_t)w;
	}
	if (close(fd) == -1)
		goto fail;
	*dir_r = dir;
	return file;
fail:
	warn("cannot write %s", file);
	unlink(file);
	rmdir(dir);
	free(file);
	free(dir);
	return NULL;
}

int
fcon_label(struct gfs *fs, const char *path, char **label_r, size_t *len_r)
{
	struct selabel_handle *h;
	struct selinux_opt opt;
	char *cfg = NULL, *mode = NULL, *type = NULL, *fcpath = NULL,
	    *fc = NULL, *copy = NULL, *dir = NULL, *con = NULL;
	size_t cfglen, fclen;
	int r = 1, st;
	union selinux_callback cb;

	*label_r = NULL;
	*len_r = 0;
	if ((st = gfs_read(fs, CONFIG, CONFIG_MAX, &cfg, &cfglen)) != 0)
		return st;
	mode = gfile_shvar_get(cfg, cfglen, "SELINUX");
	type = gfile_shvar_get(cfg, cfglen, "SELINUXTYPE");
	if (mode != NULL && strcmp(mode, "disabled") == 0)
		goto out;
	if (type == NULL || !policy_name_ok(type)) {
		warnx("%s in '%s': %s SELINUXTYPE: cannot tell the label of "
		    "%s", CONFIG, fs->name, type ? "a bad" : "no", esc(path));
		r = -1;
		goto out;
	}
	fcpath = xasprintf("/etc/selinux/%s/contexts/files/file_contexts",
	    type);
	if ((st = gfs_read(fs, fcpath, FCON_MAX, &fc, &fclen)) != 0) {
		if (st == 1)
			warnx("%s in '%s': no such file (the policy %s names): "
			    "cannot tell the label of %s", fcpath, fs->name,
			    CONFIG, esc(path));
		r = -1;
		goto out;
	}
	if ((copy = host_copy(fc, fclen, &dir)) == NULL) {
		r = -1;
		goto out;
	}
	cb.func_log = quiet;
	selinux_set_callback(SELINUX_CB_LOG, cb);
	opt.type = SELABEL_OPT_PATH;
	opt.value = copy;
	if ((h = selabel_open(SELABEL_CTX_FILE, &opt, 1)) == NULL) {
		warnx("%s in '%s' cannot be parsed: cannot tell the label "
		    "of %s", fcpath, fs->name, esc(path));
		r = -1;
		goto out;
	}
	if (selabel_lookup_raw(h, &con, path, S_IFREG) == 0) {
		*len_r = strlen(con) + 1;
		*label_r = xmalloc(*len_r);
		memcpy(*label_r, con, *len_r);
		freecon(con);
		r = 0;
	} else if (errno != ENOENT) {
		warn("looking up the label of %s in %s of '%s'", esc(path),
		    fcpath, fs->name);
		r = -1;
	}
	selabel_close(h);
out:
	if (copy != NULL) {
		unlink(copy);
		rmdir(dir);
	}
	free(copy);
	free(dir);
	free(fc);
	free(fcpath);
	free(type);
	free(mode);
	free(cfg);
	return r;
}
