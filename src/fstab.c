/*
 * fstab.c - the /etc and /var mounts of a guest's /etc/fstab.
 *
 * Written by hand: libmount (util-linux) parses fstab, but only from a
 * path on the host and with its own cache of host devices; this is the
 * guest's file, read through the appliance, and the grammar is six
 * blank-separated fields with octal escapes (fstab(5)).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fstab.h"
#include "util.h"

#define MAX_ENTRIES	64

/* Field i (0-based) of line[0..n-1], unescaped; NULL when absent. */
static char *
field(const char *line, size_t n, int i)
{
	const char *p = line, *end = line + n;
	struct buf b = BUF_INIT;
	int k;

	for (k = 0;; k++) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			return NULL;
		if (k == i)
			break;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
	}
	for (; p < end && *p != ' ' && *p != '\t'; p++) {
		if (*p == '\\' && end - p >= 4 && p[1] >= '0' && p[1] <= '3' &&
		    p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			buf_addc(&b, (char)((p[1] - '0') << 6 |
			    (p[2] - '0') << 3 | (p[3] - '0')));
			p += 3;
		} else
			buf_addc(&b, *p);
	}
	return buf_detach(&b, NULL);
}

static bool
has_opt(const char *opts, const char *want)
{
	size_t n = strlen(want);
	const char *p;

	for (p = opts; p; p = strchr(p, ','), p = p ? p + 1 : NULL)
		if (strncmp(p, want, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Is dir /etc, /var, or below one of them? */
static bool
below(const char *dir)
{
	return strcmp(dir, "/etc") == 0 || strcmp(dir, "/var") == 0 ||
	    strncmp(dir, "/etc/", 5) == 0 || strncmp(dir, "/var/", 5) == 0;
}

static bool
type_in(const char *type, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(type, *list) == 0)
			return true;
	return false;
}

static void
classify(struct fstab_ent *e, const char *opts)
{
	static const char *const volatile_types[] = {
		"tmpfs", "ramfs", "devtmpfs", NULL
	};
	static const char *const remote[] = {
		"nfs", "nfs4", "cifs", "smbfs", "smb3", "glusterfs", "ceph",
		"9p", "virtiofs", "fuse.sshfs", "davfs", "afs", NULL
	};

	e->what = FSTAB_MOUNT;
	if (type_in(e->type, volatile_types))
		e->what = FSTAB_VOLATILE;
	else if (has_opt(opts, "bind") || has_opt(opts, "rbind") ||
	    strcmp(e->type, "none") == 0) {
		e->what = FSTAB_REFUSE;
		e->why = "a bind mount";
	} else if (type_in(e->type, remote) || strchr(e->spec, ':') ||
	    strncmp(e->spec, "//", 2) == 0) {
		e->what = FSTAB_REFUSE;
		e->why = "a network filesystem";
	} else if (strcmp(e->dir, "/") == 0 || strstr(e->dir, "/../") ||
	    strstr(e->dir, "/./") || strstr(e->dir, "//") ||
	    (strlen(e->dir) > 1 && e->dir[strlen(e->dir) - 1] == '/')) {
		e->what = FSTAB_REFUSE;
		e->why = "not a plain mount point";
	}
}

/* Depth of a mount point: how many components. */
static size_t
depth(const char *dir)
{
	size_t n = 0;

	for (; *dir; dir++)
		n += *dir == '/';
	return n;
}

static int
by_depth(const void *a, const void *b)
{
	const struct fstab_ent *x = a, *y = b;
	size_t dx = depth(x->dir), dy = depth(y->dir);

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

size_t
fstab_below(const char *text, size_t len, struct fstab_ent **ents_r)
{
	struct fstab_ent *ents = NULL, *e;
	const char *p = text, *end, *nl, *q;
	char *dir, *opts;
	size_t n = 0, ll;
	unsigned line = 0;

	*ents_r = NULL;
	end = text + (len > FSTAB_MAX_SIZE ? FSTAB_MAX_SIZE : len);
	for (; p < end; p = nl + 1) {
		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		ll = (size_t)(nl - p);
		while (ll > 0 && (p[ll - 1] == '\r'))
			ll--;
		for (q = p; q < p + ll && (*q == ' ' || *q == '\t'); q++)
			;
		if (q == p + ll || *q == '#' ||
		    (dir = field(p, ll, 1)) == NULL)
			continue;		/* blank, comment, one field */
		if (!below(dir) || n == MAX_ENTRIES) {
			free(dir);
			continue;
		}
		opts = field(p, ll, 3);
		if (opts && has_opt(opts, "noauto")) {
			free(dir);
			free(opts);
			continue;
		}
		ents = xreallocarray(ents, n + 1, sizeof(*ents));
		e = &ents[n++];
		memset(e, 0, sizeof(*e));
		e->line = line;
		e->spec = field(p, ll, 0);
		e->dir = dir;
		e->type = field(p, ll, 2);
		if (e->type == NULL)
			e->type = xstrdup("auto");
		classify(e, opts ? opts : "");
		free(opts);
	}
	if (n > 1)
		qsort(ents, n, sizeof(*ents), by_depth);
	*ents_r = ents;
	return n;
}

void
fstab_free(struct fstab_ent *ents, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(ents[i].spec);
		free(ents[i].dir);
		free(ents[i].type);
	}
	free(ents);
}
