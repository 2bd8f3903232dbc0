/*
 * cmd_undo.c - `imprint undo`: put back what the apply runs on an image
 * changed, from its undo record.
 *
 * The record becomes a plan (plan_from_undo) that is carried out exactly
 * as apply's own (plan_carry_out): guest files through the guest
 * filesystem interface, flushed, then host files through hostfile.c.  A
 * symlink apply removed comes back as a symlink.  The record is removed
 * only when everything is back; a partial run keeps it, and running undo
 * again finishes the job.
 */
#include <err.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alive.h"
#include "cmds.h"
#include "cmdutil.h"
#include "guest.h"
#include "imgchk.h"
#include "plan.h"
#include "rootdir.h"
#include "undo.h"
#include "util.h"

/* Version of undo's --json document (imprint(1), JSON OUTPUT). */
#define UNDO_SCHEMA	1

enum {
	OPT_BACKING = 256,
	OPT_FORCE,
	OPT_JSON,
	OPT_ROOT_DIR
};

const struct option undo_long_options[] = {
	{ "backing",	required_argument,	NULL, OPT_BACKING },
	{ "force",	no_argument,		NULL, OPT_FORCE },
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "root-dir",	required_argument,	NULL, OPT_ROOT_DIR },
	{ NULL,		0,			NULL, 0 }
};

const char undo_usage[] =
"usage: imprint undo [--force] [--json] [--backing FILE|DIR]... IMAGE\n"
"       imprint undo [--force] [--json] --root-dir DIR\n"
"\n"
"Put back every guest and host file the last apply(s) on IMAGE changed,\n"
"from the undo record IMAGE.imprint-undo, then remove the record.\n"
"\n"
"  --backing FILE|DIR  a backing file the image may name: FILE, or\n"
"                  any file under DIR (/: any)\n"
"  --force         restore even when the guest looks alive\n"
"  -h, --help      print this help\n"
"  --json          one JSON document on stdout: the files restored\n"
"  --root-dir DIR  the guest is the tree at DIR (record DIR.imprint-undo)\n"
"\n"
"Exit status: 0 restored, 1 failure (a partly restored guest keeps its\n"
"undo record: run undo again), 2 usage error, or the image or its undo\n"
"record cannot be read.\n";

/*
 * What was put back: a line per file on stdout, or the arrays of the
 * JSON document.
 */
static void
report(const struct plan *p, json_object *doc)
{
	json_object *arr;
	const char *key, *label;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->f[i];

		if (f->host && f->op == PLAN_REMOVE)
			continue;	/* apply never makes a host file */
		key = f->host ? "host" : f->op == PLAN_REMOVE ? "removed" :
		    "restored";
		label = f->host ? "restored host" : f->op == PLAN_FSUUID ?
		    "restored the filesystem UUID of" : key;
		if (doc == NULL && f->same)	/* apply never wrote it */
			printf("  host %s holds its original bytes already\n",
			    esc(f->path));
		else if (doc == NULL)	/* a guest's file name: escaped */
			printf("  %s %s\n", label, esc(f->path));
		else if (json_object_object_get_ex(doc, key, &arr))
			json_object_array_add(arr,
			    json_object_new_string(f->path));
	}
}

int
cmd_undo(int argc, char **argv)
{
	struct undo *u = NULL;
	struct guest *gs = NULL;
	struct guest_root root;
	struct root_spec spec;
	struct plan p;
	struct rootdir rd;
	json_object *doc = NULL;
	const char *dir = NULL, *name;
	char real[PATH_MAX], *paths[2];
	size_t changed;
	bool force = false, json = false;
	int c, rc = 1, st, lockfd = -1;

	memset(&root, 0, sizeof(root));
	memset(&p, 0, sizeof(p));
	memset(&rd, 0, sizeof(rd));
	while ((c = getopt_long(argc, argv, "+h", undo_long_options, NULL))
	    != -1) {
		switch (c) {
		case OPT_BACKING:
			if (imgchk_trust_add(&imgchk_trusted, optarg) == -1)
				return cmd_usage_error("undo");
			break;
		case OPT_FORCE:
			force = true;
			break;
		case 'h':
			fputs(undo_usage, stdout);
			return 0;
		case OPT_JSON:
			json = true;
			break;
		case OPT_ROOT_DIR:
			if (dir) {
				warnx("--root-dir given twice");
				return cmd_usage_error("undo");
			}
			dir = optarg;
			break;
		default:
			return cmd_usage_error("undo");
		}
	}
	if (argc - optind != (dir ? 0 : 1)) {
		warnx(dir ? "give --root-dir DIR or an image, not both" :
		    "undo: give one image");
		return cmd_usage_error("undo");
	}
	name = dir ? dir : argv[optind];
	if (dir) {
		if (rootdir_open(&rd, dir) == -1)
			return 2;
		snprintf(real, sizeof(real), "%s", rd.real);
	} else if (realpath(name, real) == NULL) {
		warn("cannot open image '%s'", esc(name));
		return 2;
	}
	if ((st = undo_load(real, &u)) != 0) {
		if (st == 1)
			warnx("'%s' has no undo record (%s%s)", esc(name),
			    esc(real), UNDO_SUFFIX);
		rc = 2;
		goto out;
	}
	if (!dir && guest_check_image(real, false, NULL, 0) == -1) {
		rc = 2;
		goto out;
	}
	if (cmd_refuse_alive(real, NULL, NULL, force, "restore") == -1)
		goto out;
	if ((dir ? rootdir_lock(&rd, &lockfd) :
	    alive_lock_image(real, &lockfd)) != 0)
		goto out;
	plan_from_undo(&p, u);
	if (dir) {
		/* a tree: no appliance, no mount; writes are durable */
		rootdir_copy_root(&rd, &root);
		if (!json)
			printf("%s: restoring (root %s)\n", esc(name),
			    esc(root.display));
		if (plan_carry_out(rd.fs, &p, &changed) == -1) {
			if (changed == 0)
				warnx("nothing of '%s' is restored; the undo "
				    "record is kept", esc(name));
			else
				warnx("'%s' is partly restored; the undo "
				    "record is kept, run 'imprint undo "
				    "--root-dir' again", esc(name));
			goto out;
		}
		goto restored;
	}
	paths[0] = real;
	paths[1] = NULL;
	if (guest_open(&gs, paths, 1, false) == -1)
		goto out;
	memset(&spec, 0, sizeof(spec));
	spec.how = ROOT_DEVICE;
	spec.device = u->root;
	if (guest_pick_root(gs, 0, &spec, NULL, &root, NULL, NULL) == -1 ||
	    guest_mount_rw(gs, &root) == -1)
		goto out;
	if (!json)
		printf("%s: restoring (root %s)\n", esc(name),
		    esc(root.display));
	if (plan_carry_out(guest_gfs(gs), &p, &changed) == -1) {
		if (changed == 0)
			warnx("nothing of '%s' is restored; the undo record "
			    "is kept", esc(name));
		else
			warnx("'%s' is partly restored; the undo record is "
			    "kept, run 'imprint undo' again", esc(name));
		goto out;
	}
	if (guest_close(gs) == -1) {
		gs = NULL;
		goto out;
	}
	gs = NULL;
restored:
	if (undo_remove(real) == -1)
		goto out;
	rc = 0;
	if (json) {
		doc = json_object_new_object();
		json_object_object_add(doc, "schema",
		    json_object_new_int(UNDO_SCHEMA));
		json_object_object_add(doc, "image",
		    json_object_new_string(name));
		json_object_object_add(doc, "root",
		    json_object_new_string(root.display));
		json_object_object_add(doc, "restored",
		    json_object_new_array());
		json_object_object_add(doc, "removed",
		    json_object_new_array());
		json_object_object_add(doc, "host", json_object_new_array());
		report(&p, doc);
		puts(json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
	} else
		report(&p, NULL);
out:
	if (doc)
		json_object_put(doc);
	if (gs)
		guest_close(gs);
	if (lockfd != -1)
		close(lockfd);
	plan_release(&p);
	guest_root_release(&root);
	rootdir_close(&rd);
	undo_free(u);
	if (fflush(stdout) == EOF && rc == 0)
		rc = 1;
	return rc;
}
