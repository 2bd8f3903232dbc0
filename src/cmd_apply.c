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
#include "apply.h"
#include "batch.h"
#include "cmds.h"
#include "cmdutil.h"
#include "guest.h"
#include "imgchk.h"
#include "domcfg.h"
#include "hostfile.h"
#include "ident.h"
#include "inventory.h"
#include "plan.h"
#include "recipe.h"
#include "rootdir.h"
#include "survey.h"
#include "undo.h"
#include "util.h"
#include "virtdom.h"

/* Options without a short form (imprint(1) names the short ones). */
enum {
	OPT_BACKING = 256,
	OPT_CONNECT,
	OPT_DOMAIN,
	OPT_FORCE,
	OPT_INVENTORY,
	OPT_JSON,
	OPT_MAC_PREFIX,
	OPT_MAC_SCAN,
	OPT_PARTITION,
	OPT_PER_LAUNCH,
	OPT_REPORT,
	OPT_ROOT,
	OPT_ROOT_DIR,
	OPT_SHARD,
	OPT_VMCFG
};

const struct option apply_long_options[] = {
	{ "backing",	required_argument,	NULL, OPT_BACKING },
	{ "connect",	required_argument,	NULL, OPT_CONNECT },
	{ "define",	required_argument,	NULL, 'D' },
	{ "domain",	required_argument,	NULL, OPT_DOMAIN },
	{ "dry-run",	no_argument,		NULL, 'n' },
	{ "force",	no_argument,		NULL, OPT_FORCE },
	{ "help",	no_argument,		NULL, 'h' },
	{ "inventory",	required_argument,	NULL, OPT_INVENTORY },
	{ "jobs",	required_argument,	NULL, 'j' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "mac-prefix",	required_argument,	NULL, OPT_MAC_PREFIX },
	{ "mac-scan",	required_argument,	NULL, OPT_MAC_SCAN },
	{ "partition",	required_argument,	NULL, OPT_PARTITION },
	{ "per-launch",	required_argument,	NULL, OPT_PER_LAUNCH },
	{ "report",	required_argument,	NULL, OPT_REPORT },
	{ "root",	required_argument,	NULL, OPT_ROOT },
	{ "root-dir",	required_argument,	NULL, OPT_ROOT_DIR },
	{ "shard",	required_argument,	NULL, OPT_SHARD },
	{ "vmcfg",	required_argument,	NULL, OPT_VMCFG },
	{ NULL,		0,			NULL, 0 }
};

const char apply_usage[] =
"usage: imprint apply [--dry-run] [--force] [--json] [-D KEY=VALUE]...\n"
"                     [--vmcfg FILE | --domain NAME] [--connect URI]\n"
"                     [--partition N | --root DEV] [--backing FILE|DIR]...\n"
"                     [--mac-prefix PREFIX] [--mac-scan DIR]...\n"
"                     RECIPE IMAGE...\n"
"       imprint apply [--dry-run] [--force] [--json] [-D KEY=VALUE]...\n"
"                     [--vmcfg FILE | --domain NAME] [--connect URI]\n"
"                     [--mac-prefix PREFIX] [--mac-scan DIR]...\n"
"                     --root-dir DIR RECIPE\n"
"       imprint apply [options] [-j N] [--per-launch N] [--shard I/N]\n"
"                     [--report FILE] RECIPE --inventory FILE\n"
"\n"
"Give each stopped guest the identity RECIPE states (imprint.recipe(5)),\n"
"in its files and in its domain config (Xen or libvirt XML), in one\n"
"consistent step.\n"
"With --inventory, one clone per row of a CSV file, many per appliance.\n"
"With --root-dir, the guest is the tree at DIR on the host (no appliance).\n"
"\n"
"  --backing FILE|DIR      a backing file an overlay may name: FILE,\n"
"                          or any file under DIR (/: any)\n"
"  --connect URI           libvirt URI of --domain or [host] domain\n"
"                          (default qemu:///system)\n"
"  -D, --define KEY=VALUE  set recipe variable ${KEY}\n"
"  --domain NAME           the domain config is libvirt's domain NAME\n"
"                          (or uuid), shut off (recipe: [host] domain)\n"
"  -n, --dry-run           print a unified diff of every change; write\n"
"                          nothing, not even the undo record\n"
"  --force                 edit even when the guest looks alive\n"
"  -h, --help              print this help\n"
"  --inventory FILE        the clones: a CSV file, one row each (see\n"
"                          imprint(1), INVENTORY)\n"
"  -j, --jobs N            batch: appliances in parallel (default: the\n"
"                          cores, as many as free memory holds)\n"
"  --json                  one JSON document on stdout\n"
"  --mac-prefix PREFIX     prefix of new MACs: xen (default), kvm (the\n"
"                          default for libvirt XML), ovm3 or 1-5 hex\n"
"                          octets\n"
"  --mac-scan DIR          never choose a MAC found in *.cfg or *.xml\n"
"                          under DIR\n"
"  --partition N           the root is the Nth partition (recipe: root)\n"
"  --per-launch N          batch: images per appliance (default 32)\n"
"  --report FILE           batch: also write the JSON report to FILE\n"
"  --root DEV              the root is DEV (recipe: root)\n"
"  --root-dir DIR          the guest is the tree at DIR (a chroot, a\n"
"                          mounted snapshot; not /); undo record\n"
"                          DIR.imprint-undo\n"
"  --shard I/N             batch: only the rows whose index is I mod N\n"
"  --vmcfg FILE            the domain config (recipe: [host] config)\n"
"\n"
"Exit status: 0 success, 1 failure (each failed image is left\n"
"unchanged), 2 usage error, or the recipe, an image, a domain config or\n"
"the inventory cannot be read (nothing written).\n";

static int
parse_apply_opts(int argc, char **argv, struct apply_opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "D:hj:n",
	    apply_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_BACKING:
			if (imgchk_trust_add(&imgchk_trusted, optarg) == -1)
				return -1;
			break;
		case OPT_INVENTORY:
			if (cmd_set_once(&o->inventory, "--inventory") == -1)
				return -1;
			break;
		case 'j':
			if (cmd_parse_count("-j", optarg, 1, BATCH_MAX_JOBS,
			    &o->jobs) == -1)
				return -1;
			break;
		case OPT_PER_LAUNCH:
			if (cmd_parse_count("--per-launch", optarg, 1,
			    BATCH_MAX_PER_LAUNCH, &o->per_launch) == -1)
				return -1;
			break;
		case OPT_REPORT:
			if (cmd_set_once(&o->report, "--report") == -1)
				return -1;
			break;
		case OPT_SHARD: {
			unsigned si, sn;

			if (inventory_parse_shard(optarg, &si, &sn) == -1)
				return -1;
			o->shard = optarg;
			break;
		}
		case 'D':
			if (recipe_vars_parse_define(&o->vars, optarg) == -1)
				return -1;
			break;
		case OPT_MAC_PREFIX:
			if (cmd_set_once(&o->mac_prefix, "--mac-prefix") == -1)
				return -1;
			break;
		case OPT_MAC_SCAN:
			strlist_add(&o->scan, optarg);
			break;
		case OPT_VMCFG:
			if (cmd_set_once(&o->vmcfg, "--vmcfg") == -1)
				return -1;
			break;
		case OPT_DOMAIN:
			if (cmd_set_once(&o->domain, "--domain") == -1)
				return -1;
			break;
		case OPT_CONNECT:
			if (cmd_set_once(&o->connect, "--connect") == -1)
				return -1;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case 'h':
			fputs(apply_usage, stdout);
			return 1;
		case OPT_JSON:
			o->json = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case OPT_PARTITION:
		case OPT_ROOT:
			if (cmd_root_option(&o->root, &o->have_root,
			    c == OPT_ROOT ? 'r' : 'p', optarg) == -1)
				return -1;
			break;
		case OPT_ROOT_DIR:
			if (cmd_set_once(&o->root_dir, "--root-dir") == -1)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

int
apply_run(struct apply_opts *o, const struct recipe *r, char *const *images,
    size_t n, char *const *disks, size_t ndisks, json_object *doc)
{
	struct apply_ctx ctx;
	struct ident_macs *macs = NULL;
	struct guest *gs = NULL;
	struct apply_job *jobs = NULL;
	struct rootdir rd;
	json_object *arr = NULL;
	char **paths = NULL, *cfgpath;
	size_t k, i;
	int rc = 2;

	memset(&rd, 0, sizeof(rd));
	/*
	 * A recipe written for images may name their root; a tree is its
	 * own root, and the same recipe should serve both.
	 */
	if (o->root_dir && r->guest.root_kind != RECIPE_ROOT_AUTO)
		warnx("%s:%zu: note: root = does not apply to --root-dir (the "
		    "tree is the root); ignored", esc(r->path),
		    r->guest.root_line);

	/* Everything checkable without the appliance, for every image. */
	if (r->guest.password_kind == RECIPE_PASSWORD_FILE) {
		char *hash;

		if (plan_password_file(r, &hash) == -1)
			goto out;
		free(hash);
	}
	macs = ident_macs_new();
	if (o->mac_prefix && ident_macs_set_prefix(macs, o->mac_prefix) == -1)
		goto out;
	for (i = 0; i < o->scan.n; i++)
		if (ident_macs_scan(macs, o->scan.v[i]) == -1)
			goto out;
	jobs = xcalloc(n, sizeof(*jobs));
	paths = xcalloc(n + 1, sizeof(*paths));
	for (k = 0; k < n; k++)
		jobs[k].lockfd = -1;
	for (k = 0; k < n; k++) {
		struct apply_job *j = &jobs[k];
		char buf[PATH_MAX];

		j->image = paths[k] = o->root_dir ? (char *)o->root_dir :
		    images[k];
		for (i = 0; i < k; i++)
			if (strcmp(jobs[i].image, j->image) == 0) {
				warnx("image '%s' given twice", j->image);
				goto out;
			}
		if (o->root_dir) {
			if (rootdir_open(&rd, o->root_dir) == -1)
				goto out;
			j->real = xstrdup(rd.real);
		} else {
			if (realpath(j->image, buf) == NULL) {
				warn("cannot open image '%s'", j->image);
				goto out;
			}
			j->real = xstrdup(buf);
			if (guest_check_image(j->image, o->dry_run,
			    (const char *const *)images, n) == -1)
				goto out;
		}
		/* the real path: "tree/" has its vm.cfg beside "tree" */
		if (apply_config_for(o, r, o->root_dir ? j->real : j->image,
		    &cfgpath) == -1)
			goto out;
		if (apply_load_config(j, cfgpath, !o->dry_run) == -1) {
			free(cfgpath);
			if (virtdom_refused())
				rc = 1;	/* a running domain, as alive */
			goto out;
		}
		free(cfgpath);
		/* a tree has no image for the config's disk to name */
		if ((disks ? apply_job_disks(j, r, disks, ndisks) :
		    apply_job_disks(j, r, &images[k], o->root_dir ? 0 : 1)) ==
		    -1) {
			rc = 1;		/* a refusal, as vmcfg's */
			goto out;
		}
		if (j->cfg)
			for (i = 0; i < domcfg_nic_count(j->cfg); i++) {
				char *m = domcfg_nic_get(j->cfg, i, "mac");
				if (m)
					(void)ident_macs_take_str(macs, m);
				free(m);
			}
	}
	/* From here on a failure leaves each image as it was: exit 1. */
	rc = 1;
	for (k = 0; k < n && !o->dry_run; k++) {
		struct apply_job *j = &jobs[k];

		if (cmd_refuse_alive(j->image, j->cfg ?
		    domcfg_get_string(j->cfg, "name") : NULL, j->cfg ?
		    domcfg_get_string(j->cfg, "uuid") : NULL, o->force,
		    "edit") == -1)
			goto out;
		if ((o->root_dir ? rootdir_lock(&rd, &j->lockfd) :
		    alive_lock_image(j->image, &j->lockfd)) != 0)
			goto out;
	}

	if (!o->root_dir && guest_open(&gs, paths, n, o->dry_run) == -1)
		goto out;
	if (doc) {
		json_object_object_add(doc, "schema",
		    json_object_new_int(APPLY_SCHEMA));
		arr = json_object_new_array();
		json_object_object_add(doc, "images", arr);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.o = o;
	ctx.r = r;
	ctx.macs = macs;
	ctx.tree = o->root_dir ? &rd : NULL;
	rc = 0;
	for (k = 0; k < n; k++) {
		if (doc) {
			jobs[k].json = json_object_new_object();
			json_object_object_add(jobs[k].json, "image",
			    json_object_new_string(jobs[k].image));
			json_object_array_add(arr, jobs[k].json);
		}
		if (apply_image(&ctx, gs, k, &jobs[k]) != 0)
			rc = 1;
	}
	if (guest_close(gs) == -1)
		rc = 1;
	gs = NULL;
out:
	if (gs)
		guest_close(gs);
	for (k = 0; jobs && k < n; k++) {
		domcfg_free(jobs[k].cfg);
		strlist_release(&jobs[k].disks);
		free(jobs[k].real);
		if (jobs[k].lockfd != -1)
			close(jobs[k].lockfd);
	}
	free(jobs);
	free(paths);
	rootdir_close(&rd);
	ident_macs_free(macs);
	return rc;
}

int
cmd_apply(int argc, char **argv)
{
	struct apply_opts o;
	struct recipe *r = NULL;
	json_object *doc = NULL;
	size_t n = 0;
	int rc = 1, pr;

	memset(&o, 0, sizeof(o));
	if ((pr = parse_apply_opts(argc, argv, &o)) != 0) {
		rc = pr == 1 ? 0 : cmd_usage_error("apply");
		goto out;
	}
	argc -= optind;
	argv += optind;
	if (o.root_dir && (o.inventory || o.have_root || argc != 1)) {
		if (o.inventory)
			warnx("give --root-dir DIR or --inventory FILE, not "
			    "both");
		else if (o.have_root)
			warnx("--partition and --root pick a root on an image; "
			    "with --root-dir the tree is the root");
		else
			warnx("apply --root-dir DIR: give the recipe only (the "
			    "tree is the guest, no image goes with it)");
		rc = cmd_usage_error("apply");
		goto out;
	}
	if (o.inventory) {
		if (argc != 1 || o.vmcfg || o.domain) {
			warnx("apply --inventory: give the recipe only (the "
			    "images and configs are the inventory's columns)");
			rc = cmd_usage_error("apply");
			goto out;
		}
		rc = batch_run(&o, argv[0]);
		goto out;
	}
	if (o.jobs || o.per_launch || o.report || o.shard) {
		warnx("-j, --per-launch, --report and --shard go with "
		    "--inventory");
		rc = cmd_usage_error("apply");
		goto out;
	}
	if (argc < 2 && !o.root_dir) {
		warnx("apply: give a recipe and at least one image");
		rc = cmd_usage_error("apply");
		goto out;
	}
	n = o.root_dir ? 1 : (size_t)argc - 1;
	if ((o.vmcfg || o.domain) && n > 1) {
		warnx("%s goes with one image", o.vmcfg ? "--vmcfg" :
		    "--domain");
		rc = cmd_usage_error("apply");
		goto out;
	}
	if (o.vmcfg && o.domain) {
		warnx("give --vmcfg FILE or --domain NAME, not both");
		rc = cmd_usage_error("apply");
		goto out;
	}
	/* Inputs that cannot be read or used: exit 2, nothing written. */
	rc = 2;
	if (recipe_load(argv[0], &o.vars, &r) == -1)
		goto out;
	if (o.connect && !o.domain &&
	    r->host.config_kind != RECIPE_CONFIG_DOMAIN) {
		warnx("--connect goes with --domain NAME or a recipe's "
		    "[host] domain");
		rc = cmd_usage_error("apply");
		goto out;
	}
	if (o.json)
		doc = json_object_new_object();
	rc = apply_run(&o, r, &argv[1], n, NULL, 0, doc);
	/* filled once the appliance ran, as before apply_run existed */
	if (doc && json_object_object_get_ex(doc, "schema", NULL))
		puts(json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	if (doc)
		json_object_put(doc);
	recipe_free(r);
	recipe_vars_release(&o.vars);
	strlist_release(&o.scan);
	if (fflush(stdout) == EOF && rc == 0)
		rc = 1;
	return rc;
}
