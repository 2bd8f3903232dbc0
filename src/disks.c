/*
 * disks.c - the guest's disks in a domain config (see disks.h).
 */
#include <sys/stat.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disks.h"
#include "domcfg.h"
#include "recipe.h"
#include "util.h"

bool
disks_same_path(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	if (stat(a, &sa) == -1 || stat(b, &sb) == -1)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

size_t
disks_guest(const struct domcfg *cfg, size_t **idx_r)
{
	size_t i, n = 0, nd = domcfg_disk_count(cfg);
	char *t;

	*idx_r = NULL;
	for (i = 0; i < nd; i++) {
		if (domcfg_disk_is_cdrom(cfg, i) ||
		    (t = domcfg_disk_target(cfg, i)) == NULL)
			continue;
		if (*t != '\0') {
			*idx_r = xreallocarray(*idx_r, n + 1, sizeof(**idx_r));
			(*idx_r)[n++] = i;
		}
		free(t);
	}
	return n;
}

/* Set disk i to path; notes what changed. */
static int
set_disk(struct domcfg *cfg, size_t i, const char *path,
    struct strlist *summary, struct strlist *applied)
{
	char key[32], *old = domcfg_disk_target(cfg, i);
	int rc;

	snprintf(key, sizeof(key), "disk%zu.target", i);
	rc = domcfg_set(cfg, key, path);
	if (rc == 0 && summary)
		strlist_add_owned(summary, xasprintf("disk%zu: %s -> %s", i,
		    old ? old : "(none)", path));
	if (rc != -1 && applied)
		strlist_add_owned(applied, xasprintf("disk%zu=%s", i, path));
	free(old);
	return rc == -1 ? -1 : 0;
}

int
disks_apply(struct domcfg *cfg, const struct recipe *r,
    const char *const *images, size_t n, struct strlist *summary,
    struct strlist *applied)
{
	const struct recipe_host *h = &r->host;
	size_t *idx = NULL, ng, i;
	char *cur;
	int rc = 0;

	for (i = 0; i < h->ndisks; i++) {
		if (set_disk(cfg, h->disks[i].index, h->disks[i].path,
		    summary, applied) == -1) {
			warnx("%s:%zu: cannot set disk%zu of '%s' as the "
			    "recipe says", r->path, h->disks[i].line,
			    h->disks[i].index, domcfg_path(cfg));
			rc = -1;
		}
	}
	if (h->disk_kind != RECIPE_DISK_FOLLOW || n == 0)
		return rc;
	if ((ng = disks_guest(cfg, &idx)) == 0)
		return rc;
	if (n > ng) {
		warnx("%s: the guest has %zu images but the config names "
		    "%zu disk%s for them (CD-ROMs left out); give the disks "
		    "in the config, or 'disk = keep' in [host] of '%s'",
		    domcfg_path(cfg), n, ng, ng == 1 ? "" : "s", r->path);
		free(idx);
		return -1;
	}
	for (i = 0; i < n; i++) {
		cur = domcfg_disk_target(cfg, idx[i]);
		if (cur && disks_same_path(cur, images[i])) {
			if (applied)
				strlist_add_owned(applied, xasprintf(
				    "disk%zu=%s", idx[i], cur));
			free(cur);
			continue;
		}
		free(cur);
		if (set_disk(cfg, idx[i], images[i], summary, applied) ==
		    -1) {
			warnx("%s: disk%zu cannot name the image '%s' (disk = "
			    "follow); move the image, or give 'disk = keep' "
			    "or 'disk%zu = PATH' in [host] of '%s'",
			    domcfg_path(cfg), idx[i], images[i], idx[i],
			    r->path);
			rc = -1;
		}
	}
	free(idx);
	return rc;
}

int
disks_check(const struct domcfg *cfg, const struct recipe *r,
    const char *const *images, size_t n)
{
	struct domcfg *copy = NULL;
	const char *t;
	size_t len;
	int rc;

	t = domcfg_original(cfg, &len);
	if (domcfg_parse(domcfg_path(cfg), t, len, &copy) == -1)
		return -1;
	/* The same edits as the plan will make, on the loaded text. */
	rc = disks_apply(copy, r, images, n, NULL, NULL);
	domcfg_free(copy);
	return rc;
}
