/*
 * cmd_apply.c - `imprint apply`: give stopped clones the identity a
 * recipe states, in the guest and in the host's domain config, in one
 * consistent step; and `imprint undo`, which puts back what an apply
 * changed.
 *
 * Order of work, so that a failure leaves nothing half-done: everything
 * that can be checked without the appliance first (recipe, configs,
 * values, liveness), then one appliance for all images, then per image a
 * complete plan; only a complete plan is written, its undo record first.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alive.h"
#include "cmds.h"
#include "cmdutil.h"
#include "guest.h"
#include "hostcfg.h"
#include "hostfile.h"
#include "ident.h"
#include "plan.h"
#include "recipe.h"
#include "survey.h"
#include "undo.h"
#include "util.h"

#define APPLY_SCHEMA	1

const struct option apply_long_options[] = {
	{ "define",	required_argument,	NULL, 'D' },
	{ "dry-run",	no_argument,		NULL, 'n' },
	{ "force",	no_argument,		NULL, 'f' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "mac-prefix",	required_argument,	NULL, 'M' },
	{ "mac-scan",	required_argument,	NULL, 'S' },
	{ "partition",	required_argument,	NULL, 'p' },
	{ "root",	required_argument,	NULL, 'r' },
	{ "vmcfg",	required_argument,	NULL, 'c' },
	{ NULL,		0,			NULL, 0 }
};

const struct option undo_long_options[] = {
	{ "force",	no_argument,		NULL, 'f' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 }
};

static const char apply_usage[] =
"usage: imprint apply [--dry-run] [--force] [--json] [-D KEY=VALUE]...\n"
"                     [--vmcfg FILE] [--partition N | --root DEV]\n"
"                     [--mac-prefix PREFIX] [--mac-scan DIR]...\n"
"                     RECIPE IMAGE...\n"
"\n"
"Give each stopped guest the identity RECIPE states (imprint.recipe(5)),\n"
"in its files and in its Xen domain config, in one consistent step.\n"
"\n"
"  -D, --define KEY=VALUE  set recipe variable ${KEY}\n"
"  -n, --dry-run           print a unified diff of every change; write\n"
"                          nothing, not even the undo record\n"
"  --force                 edit even when the guest looks alive\n"
"  --json                  one JSON document on stdout\n"
"  --mac-prefix PREFIX     prefix of new MACs: xen (default), kvm, ovm3\n"
"                          or 1-5 hex octets\n"
"  --mac-scan DIR          never choose a MAC found in *.cfg under DIR\n"
"  --partition N           the root is the Nth partition (recipe: root)\n"
"  --root DEV              the root is DEV (recipe: root)\n"
"  --vmcfg FILE            the domain config (recipe: [host] config)\n"
"\n"
"Exit status: 0 success, 1 failure (nothing written), 2 usage error.\n";

static const char undo_usage[] =
"usage: imprint undo [--force] IMAGE\n"
"\n"
"Put back every guest and host file the last apply(s) on IMAGE changed,\n"
"from the undo record IMAGE.imprint-undo, then remove the record.\n"
"\n"
"  --force    restore even when the guest looks alive\n";

struct apply_opts {
	bool			 dry_run, force, json;
	const char		*vmcfg;
	const char		*mac_prefix;
	struct strlist		 scan;
	struct recipe_vars	 vars;
	struct root_spec	 root;
	bool			 have_root;
};

/* One image of the run. */
struct job {
	const char		*image;
	char			*real;		/* realpath, for the record */
	struct hostcfg		*cfg;
	int			 lockfd;
	json_object		*json;
};

/* --- configs, liveness --------------------------------------------------- */

/* Which domain config goes with image: NULL for none (*path_r). */
static int
config_for(const struct apply_opts *o, const struct recipe *r,
    const char *image, char **path_r)
{
	char *copy, *dir, *p;

	*path_r = NULL;
	if (o->vmcfg) {
		*path_r = xstrdup(o->vmcfg);
		return 0;
	}
	switch (r->host.config_kind) {
	case RECIPE_CONFIG_NONE:
		return 0;
	case RECIPE_CONFIG_PATH:
		*path_r = xstrdup(r->host.config_path);
		return 0;
	case RECIPE_CONFIG_AUTO:
		break;
	}
	/* Oracle VM keeps vm.cfg beside System.img. */
	copy = xstrdup(image);
	dir = dirname(copy);
	p = xasprintf("%s/vm.cfg", dir);
	free(copy);
	if (access(p, F_OK) == 0) {
		*path_r = p;
		return 0;
	}
	free(p);
	if (r->host.name || r->host.uuid_kind != RECIPE_UUID_KEEP) {
		warnx("%s:%zu: the recipe sets the domain's name or uuid, but "
		    "there is no vm.cfg beside '%s'; give --vmcfg FILE or "
		    "'config = PATH'", r->path, r->host.line, image);
		return -1;
	}
	return 0;
}

/* --- carrying out a plan ------------------------------------------------- */

static void
record_plan(struct undo *u, const struct plan *p)
{
	struct undo_entry e;
	struct stat st;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->f[i];

		memset(&e, 0, sizeof(e));
		e.host = f->host;
		e.path = f->path;
		if (f->op == PLAN_CREATE) {
			e.what = UNDO_DELETE;
		} else {
			e.what = UNDO_RESTORE;
			e.data = f->old;
			e.len = f->oldlen;
			e.mode = f->attr.mode;
			e.uid = f->attr.uid;
			e.gid = f->attr.gid;
			if (f->host && stat(f->path, &st) == 0) {
				e.mode = st.st_mode & 07777;
				e.uid = st.st_uid;
				e.gid = st.st_gid;
			}
		}
		undo_add(u, &e);
	}
	undo_set_applied(u, &p->applied);
}

/* Guest files first, the host config last: a config that names the new
 * MACs is only written once the guest can answer to them. */
static int
carry_out(struct guest *gs, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->f[i];
		if (f->host)
			continue;
		if (f->op == PLAN_REMOVE) {
			if (guest_remove(gs, f->path) == -1)
				return -1;
		} else if (guest_write(gs, f->path, f->new.data ? f->new.data :
		    "", f->new.len, f->like, NULL) == -1)
			return -1;
	}
	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->f[i];
		if (f->host && hostfile_replace(f->path, f->old, f->oldlen,
		    f->new.data, f->new.len, 0, NULL) == -1)
			return -1;
	}
	return 0;
}

static void
report(const struct apply_opts *o, struct job *j, const struct plan *p,
    const char *root, const char *undo_file, const char *state)
{
	static const char *const ops[] = { "modify", "create", "remove" };
	json_object *files;
	size_t i;

	if (o->json) {
		json_object_object_add(j->json, "root",
		    json_object_new_string(root));
		json_object_object_add(j->json, "result",
		    json_object_new_string(state));
		json_object_object_add(j->json, "changes",
		    cmd_json_strlist(&p->summary));
		json_object_object_add(j->json, "generated",
		    cmd_json_strlist(&p->generated));
		files = json_object_new_array();
		for (i = 0; i < p->n; i++) {
			json_object *f = json_object_new_object();
			json_object_object_add(f, "path",
			    json_object_new_string(p->f[i].path));
			json_object_object_add(f, "side",
			    json_object_new_string(p->f[i].host ? "host" :
			    "guest"));
			json_object_object_add(f, "op",
			    json_object_new_string(ops[p->f[i].op]));
			json_object_array_add(files, f);
		}
		json_object_object_add(j->json, "files", files);
		json_object_object_add(j->json, "undo", undo_file ?
		    json_object_new_string(undo_file) : NULL);
		json_object_object_add(j->json, "root_password",
		    p->password && !o->dry_run ?
		    json_object_new_string(p->password) : NULL);
		return;
	}
	printf("%s: %s (root %s)\n", j->image, state, root);
	for (i = 0; i < p->summary.n; i++)
		printf("  %s\n", p->summary.v[i]);
	for (i = 0; i < p->n; i++)
		printf("  %s %s%s\n", ops[p->f[i].op], p->f[i].host ?
		    "host " : "", p->f[i].path);
	for (i = 0; i < p->generated.n; i++)
		printf("  generated %s\n", p->generated.v[i]);
	if (p->password && !o->dry_run)
		printf("  root password: %s\n", p->password);
	else if (p->password)
		printf("  root password: a new one is made when applied\n");
	if (undo_file)
		printf("  undo record: %s\n", undo_file);
}

/* Plan and carry out image k.  Returns 0 or 1 (failed, nothing written
 * unless a write itself failed, which is said). */
static int
apply_one(const struct apply_opts *o, const struct recipe *r,
    struct guest *gs, size_t k, struct job *j, struct ident_macs *macs)
{
	struct guest_fs *fs = NULL;
	struct guest_root root;
	struct root_spec spec;
	struct survey s;
	struct plan p;
	struct plan_input in;
	struct undo *prev = NULL, *u = NULL;
	char *undo_file = NULL;
	size_t nfs = 0;
	int rc = 1, st;

	memset(&root, 0, sizeof(root));
	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	if (o->have_root)
		spec = o->root;
	else {
		memset(&spec, 0, sizeof(spec));
		spec.how = r->guest.root_kind == RECIPE_ROOT_PARTITION ?
		    ROOT_PARTITION : r->guest.root_kind == RECIPE_ROOT_DEVICE ?
		    ROOT_DEVICE : ROOT_AUTO;
		spec.partition = r->guest.root_partition;
		spec.device = r->guest.root_device;
	}
	if (guest_filesystems(gs, k, &fs, &nfs) == -1 ||
	    guest_find_root(gs, k, fs, nfs, &spec, &root) == -1 ||
	    guest_mount_root(gs, &root) == -1 || survey_read(gs, &s) == -1)
		goto out;
	if ((st = undo_load(j->real, &prev)) == -1)
		goto out;
	memset(&in, 0, sizeof(in));
	in.recipe = r;
	in.gs = gs;
	in.root = &root;
	in.survey = &s;
	in.cfg = j->cfg;
	in.macs = macs;
	in.prev = prev;
	if (plan_build(&p, &in) == -1) {
		warnx("'%s' left unchanged", j->image);
		goto out;
	}
	if (o->dry_run) {
		struct buf d = BUF_INIT;
		plan_diff(&p, &d);
		if (!o->json)
			fwrite(d.data ? d.data : "", 1, d.len, stdout);
		else
			json_object_object_add(j->json, "diff",
			    json_object_new_string(d.data ? d.data : ""));
		buf_release(&d);
		report(o, j, &p, root.display, NULL, p.n ? "would change" :
		    "no changes");
		rc = 0;
		goto out;
	}
	if (p.n == 0) {
		report(o, j, &p, root.display, NULL, "no changes");
		rc = 0;
		goto out;
	}
	/* The undo record first: it must exist before any byte changes. */
	u = prev ? prev : undo_new(j->real, root.display);
	prev = NULL;
	record_plan(u, &p);
	if (undo_save(u) == -1) {
		warnx("'%s' left unchanged", j->image);
		goto out;
	}
	undo_file = undo_path_for(j->real);
	if (guest_mount_rw(gs, &root) == -1) {
		warnx("'%s' left unchanged; its undo record %s is not needed",
		    j->image, undo_file);
		goto out;
	}
	if (carry_out(gs, &p) == -1) {
		warnx("'%s' is partly changed; 'imprint undo %s' puts it "
		    "back", j->image, j->image);
		goto out;
	}
	report(o, j, &p, root.display, undo_file, "changed");
	rc = 0;
out:
	if (o->json && rc)
		json_object_object_add(j->json, "result",
		    json_object_new_string("failed"));
	free(undo_file);
	undo_free(u);
	undo_free(prev);
	plan_release(&p);
	survey_release(&s);
	guest_root_release(&root);
	guest_fs_free(fs, nfs);
	return rc;
}

static int
parse_apply_opts(int argc, char **argv, struct apply_opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "+D:hnfjM:S:p:r:c:",
	    apply_long_options, NULL)) != -1) {
		switch (c) {
		case 'D':
			if (recipe_vars_parse_define(&o->vars, optarg) == -1)
				return -1;
			break;
		case 'M':
			if (o->mac_prefix) {
				warnx("--mac-prefix given twice");
				return -1;
			}
			o->mac_prefix = optarg;
			break;
		case 'S':
			strlist_add(&o->scan, optarg);
			break;
		case 'c':
			if (o->vmcfg) {
				warnx("--vmcfg given twice");
				return -1;
			}
			o->vmcfg = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case 'h':
			fputs(apply_usage, stdout);
			return 1;
		case 'j':
			o->json = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'p':
		case 'r':
			if (cmd_root_option(&o->root, &o->have_root, c,
			    optarg) == -1)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

int
cmd_apply(int argc, char **argv)
{
	struct apply_opts o;
	struct recipe *r = NULL;
	struct ident_macs *macs = NULL;
	struct guest *gs = NULL;
	struct job *jobs = NULL;
	json_object *doc = NULL, *arr = NULL;
	char **paths = NULL, *cfgpath;
	size_t n = 0, k, i;
	int rc = 1, pr;

	memset(&o, 0, sizeof(o));
	if ((pr = parse_apply_opts(argc, argv, &o)) != 0) {
		rc = pr == 1 ? 0 : cmd_usage_error("apply");
		goto out;
	}
	argc -= optind;
	argv += optind;
	if (argc < 2) {
		warnx("apply: give a recipe and at least one image");
		rc = cmd_usage_error("apply");
		goto out;
	}
	n = (size_t)argc - 1;
	if (o.vmcfg && n > 1) {
		warnx("--vmcfg goes with one image");
		rc = cmd_usage_error("apply");
		goto out;
	}
	if (recipe_load(argv[0], &o.vars, &r) == -1)
		goto out;

	/* Everything checkable without the appliance, for every image. */
	macs = ident_macs_new();
	if (o.mac_prefix && ident_macs_set_prefix(macs, o.mac_prefix) == -1)
		goto out;
	for (i = 0; i < o.scan.n; i++)
		if (ident_macs_scan(macs, o.scan.v[i]) == -1)
			goto out;
	jobs = xcalloc(n, sizeof(*jobs));
	paths = xcalloc(n + 1, sizeof(*paths));
	for (k = 0; k < n; k++) {
		struct job *j = &jobs[k];
		char buf[PATH_MAX];

		j->image = paths[k] = argv[k + 1];
		j->lockfd = -1;
		for (i = 0; i < k; i++)
			if (strcmp(jobs[i].image, j->image) == 0) {
				warnx("image '%s' given twice", j->image);
				goto out;
			}
		if (realpath(j->image, buf) == NULL) {
			warn("cannot open image '%s'", j->image);
			goto out;
		}
		j->real = xstrdup(buf);
		if (config_for(&o, r, j->image, &cfgpath) == -1)
			goto out;
		/* The undo record names it absolutely: undo may run from
		 * another directory. */
		if (cfgpath && realpath(cfgpath, buf) == NULL) {
			warn("cannot read domain config '%s'", cfgpath);
			free(cfgpath);
			goto out;
		}
		if (cfgpath) {
			free(cfgpath);
			cfgpath = xstrdup(buf);
		}
		if (cfgpath && hostcfg_load(cfgpath, &j->cfg) == -1) {
			free(cfgpath);
			goto out;
		}
		free(cfgpath);
		if (j->cfg)
			for (i = 0; i < hostcfg_nic_count(j->cfg); i++) {
				char *m = hostcfg_nic_get(j->cfg, i, "mac");
				if (m)
					(void)ident_macs_take_str(macs, m);
				free(m);
			}
		if (!o.dry_run) {
			if (cmd_refuse_alive(j->image, j->cfg ?
			    hostcfg_get_string(j->cfg, "name") : NULL, j->cfg ?
			    hostcfg_get_string(j->cfg, "uuid") : NULL, o.force,
			    "edit") == -1)
				goto out;
			if (alive_lock_image(j->image, &j->lockfd) != 0)
				goto out;
		}
	}

	if (guest_open(&gs, paths, n, o.dry_run) == -1)
		goto out;
	if (o.json) {
		doc = json_object_new_object();
		json_object_object_add(doc, "schema",
		    json_object_new_int(APPLY_SCHEMA));
		arr = json_object_new_array();
		json_object_object_add(doc, "images", arr);
	}
	rc = 0;
	for (k = 0; k < n; k++) {
		if (o.json) {
			jobs[k].json = json_object_new_object();
			json_object_object_add(jobs[k].json, "image",
			    json_object_new_string(jobs[k].image));
			json_object_array_add(arr, jobs[k].json);
		}
		if (apply_one(&o, r, gs, k, &jobs[k], macs) != 0)
			rc = 1;
	}
	if (guest_close(gs) == -1)
		rc = 1;
	gs = NULL;
	if (doc)
		puts(json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	if (gs)
		guest_close(gs);
	if (doc)
		json_object_put(doc);
	for (k = 0; jobs && k < n; k++) {
		hostcfg_free(jobs[k].cfg);
		free(jobs[k].real);
		if (jobs[k].lockfd != -1)
			close(jobs[k].lockfd);
	}
	free(jobs);
	free(paths);
	ident_macs_free(macs);
	recipe_free(r);
	recipe_vars_release(&o.vars);
	strlist_release(&o.scan);
	if (fflush(stdout) == EOF && rc == 0)
		rc = 1;
	return rc;
}

/* --- undo ---------------------------------------------------------------- */

static int
restore(struct guest *gs, const struct undo *u)
{
	struct guest_attr a;
	size_t i;

	for (i = 0; i < u->n; i++) {
		const struct undo_entry *e = &u->e[i];
		if (e->host)
			continue;
		if (e->what == UNDO_DELETE) {
			if (guest_remove(gs, e->path) == -1)
				return -1;
			printf("  removed %s\n", e->path);
			continue;
		}
		a.mode = e->mode;
		a.uid = e->uid;
		a.gid = e->gid;
		if (guest_write(gs, e->path, e->data, e->len, NULL, &a) == -1)
			return -1;
		printf("  restored %s\n", e->path);
	}
	for (i = 0; i < u->n; i++) {
		const struct undo_entry *e = &u->e[i];
		if (!e->host)
			continue;
		if (e->what == UNDO_DELETE) {	/* apply never creates one */
			if (unlink(e->path) == -1 && errno != ENOENT) {
				warn("cannot remove '%s'", e->path);
				return -1;
			}
			continue;
		}
		if (hostfile_replace(e->path, NULL, 0, e->data, e->len, 0,
		    NULL) == -1)
			return -1;
		if (chown(e->path, e->uid, e->gid) == -1 ||
		    chmod(e->path, e->mode) == -1)
			warn("cannot restore the mode or owner of '%s'",
			    e->path);
		printf("  restored host %s\n", e->path);
	}
	return 0;
}

int
cmd_undo(int argc, char **argv)
{
	struct undo *u = NULL;
	struct guest *gs = NULL;
	struct guest_fs *fs = NULL;
	struct guest_root root;
	struct root_spec spec;
	char real[PATH_MAX], *paths[2];
	bool force = false;
	size_t nfs = 0;
	int c, rc = 1, st, lockfd = -1;

	memset(&root, 0, sizeof(root));
	while ((c = getopt_long(argc, argv, "+fh", undo_long_options, NULL))
	    != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			fputs(undo_usage, stdout);
			return 0;
		default:
			return cmd_usage_error("undo");
		}
	}
	if (argc - optind != 1) {
		warnx("undo: give one image");
		return cmd_usage_error("undo");
	}
	if (realpath(argv[optind], real) == NULL) {
		warn("cannot open image '%s'", argv[optind]);
		return 1;
	}
	if ((st = undo_load(real, &u)) != 0) {
		if (st == 1)
			warnx("'%s' has no undo record (%s%s)", argv[optind],
			    real, UNDO_SUFFIX);
		return 1;
	}
	if (cmd_refuse_alive(real, NULL, NULL, force, "restore") == -1)
		goto out;
	if (alive_lock_image(real, &lockfd) != 0)
		goto out;
	paths[0] = real;
	paths[1] = NULL;
	if (guest_open(&gs, paths, 1, false) == -1)
		goto out;
	memset(&spec, 0, sizeof(spec));
	spec.how = ROOT_DEVICE;
	spec.device = u->root;
	if (guest_filesystems(gs, 0, &fs, &nfs) == -1 ||
	    guest_find_root(gs, 0, fs, nfs, &spec, &root) == -1 ||
	    guest_mount_rw(gs, &root) == -1)
		goto out;
	printf("%s: restoring (root %s)\n", argv[optind], root.display);
	if (restore(gs, u) == -1) {
		warnx("'%s' is partly restored; the undo record is kept, "
		    "run 'imprint undo' again", argv[optind]);
		goto out;
	}
	if (guest_close(gs) == -1) {
		gs = NULL;
		goto out;
	}
	gs = NULL;
	if (undo_remove(real) == -1)
		goto out;
	rc = 0;
out:
	if (gs)
		guest_close(gs);
	if (lockfd != -1)
		close(lockfd);
	guest_root_release(&root);
	guest_fs_free(fs, nfs);
	undo_free(u);
	return rc;
}
