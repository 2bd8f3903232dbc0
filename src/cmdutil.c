/*
 * cmdutil.c - helpers shared by the subcommands (see cmdutil.h).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alive.h"
#include "cmdutil.h"
#include "ident.h"
#include "virtdom.h"

int
cmd_usage_error(const char *cmd)
{
	fprintf(stderr, "Try 'imprint %s --help' for more information.\n",
	    cmd);
	return 2;
}

int
cmd_root_option(struct root_spec *spec, bool *have, int opt,
    const char *arg)
{
	unsigned long n;

	if (*have) {
		warnx("give one of --partition and --root, once");
		return -1;
	}
	*have = true;
	if (opt == 'p') {
		spec->how = ROOT_PARTITION;
		if (parse_uint(arg, 1, 128, &n) == -1) {
			warnx("--partition '%s': not a partition number "
			    "(1 to 128)", arg);
			return -1;
		}
		spec->partition = (int)n;
		return 0;
	}
	spec->how = ROOT_DEVICE;
	spec->device = arg;
	if (strncmp(arg, "/dev/", 5) != 0) {
		warnx("--root '%s': not a device name (/dev/sda2, "
		    "/dev/VolGroup00/LogVol00)", arg);
		return -1;
	}
	return 0;
}

json_object *
cmd_json_strlist(const struct strlist *l)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_object_array_add(a, json_object_new_string(l->v[i]));
	return a;
}

int
cmd_refuse_alive(const char *image, const char *name, const char *uuid,
    bool force, const char *verb)
{
	struct strlist why = STRLIST_INIT;
	struct stat st;
	size_t i;
	int r;

	/* A guest tree (--root-dir) has no disk a process could hold. */
	if (stat(image, &st) == 0 && S_ISDIR(st.st_mode))
		r = alive_check_domain(name, uuid, &why, NULL);
	else
		r = alive_check(image, name, uuid, &why, NULL);
	if (r == 1) {
		if (force) {
			for (i = 0; i < why.n; i++)
				warnx("warning: %s (going on: --force)",
				    why.v[i]);
			r = 0;
		} else {
			warnx("refusing to %s '%s': the guest looks alive; "
			    "stop it first (or give --force)", verb, image);
			for (i = 0; i < why.n; i++)
				fprintf(stderr, "  %s\n", why.v[i]);
		}
	}
	strlist_release(&why);
	return r == 0 ? 0 : -1;
}

int
cmd_check_mac_options(const char *prefix, const struct strlist *scan)
{
	struct ident_macs *m;
	struct stat st;
	size_t i;
	int r = 0;

	if (prefix != NULL) {
		m = ident_macs_new();
		r = ident_macs_set_prefix(m, prefix);
		ident_macs_free(m);
		if (r == -1)
			return -1;
	}
	for (i = 0; i < scan->n; i++) {
		if (stat(scan->v[i], &st) == -1) {
			warn("cannot scan '%s' for MACs", scan->v[i]);
			return -1;
		}
	}
	return 0;
}

void
cmd_put_text(const char *s)
{
	struct buf b = BUF_INIT;

	buf_add_text(&b, s);
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
}

int
cmd_domain_ref(const char *name, const char *uri, char **ref_r)
{
	*ref_r = NULL;
	if (name == NULL) {
		if (uri != NULL) {
			warnx("--connect goes with --domain");
			return -1;
		}
		return 0;
	}
	*ref_r = virtdom_ref(uri, name);
	return 0;
}

int
cmd_set_once(const char **slot, const char *opt)
{
	if (*slot) {
		warnx("%s given twice", opt);
		return -1;
	}
	*slot = optarg;
	return 0;
}

int
cmd_parse_count(const char *opt, const char *s, unsigned lo, unsigned hi,
    unsigned *out)
{
	unsigned long v;

	if (parse_uint(s, lo, hi, &v) == -1) {
		warnx("%s wants a number from %u to %u, not '%s'", opt, lo, hi,
		    s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}
