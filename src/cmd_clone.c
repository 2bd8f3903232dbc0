/*
 * cmd_clone.c - `imprint clone`: from a stopped template guest to a
 * personalized clone in one command: the clone's disks (a qcow2 overlay
 * of each template disk, or a copy, reflinked where the filesystem
 * allows), its domain config (the template's bytes; for an overlay with
 * each guest disk's format made qcow2), then the apply engine on both,
 * as `imprint apply --vmcfg CONFIG RECIPE DISK` would.
 *
 * All or nothing: whatever this command created (directories, disks,
 * config, the apply's undo record) is removed again, and listed, when a
 * later step fails.  Xen configs (xm, xl, Oracle VM) and libvirt domain
 * XML; disks that are files, or LVs cloned as LVM snapshots (lvsnap.h:
 * LVM, not the device node, is the authority on an LV).  With --inventory, a clone per row: every row is planned and
 * refused first, every clone made, then the batch runner (batch.h)
 * applies the recipe to all, and a row it fails is removed.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "batch.h"
#include "clone.h"
#include "cmds.h"
#include "cmdutil.h"
#include "disks.h"
#include "domcfg.h"
#include "imgchk.h"
#include "inventory.h"
#include "lvsnap.h"
#include "recipe.h"
#include "runtool.h"
#include "undo.h"
#include "util.h"
#include "valid.h"

/* Longest clone name: a domain name, a file name, a hostname label. */
#define CLONE_NAME_MAX	64

enum {
	OPT_BACKING = 256,
	OPT_CONFIG_OUT,
	OPT_DISK,
	OPT_DISK_MODE,
	OPT_FORCE,
	OPT_FROM,
	OPT_INVENTORY,
	OPT_JSON,
	OPT_MAC_SCAN,
	OPT_NAME,
	OPT_PER_LAUNCH,
	OPT_SNAPSHOT_SIZE
};

const struct option clone_long_options[] = {
	{ "backing",	required_argument,	NULL, OPT_BACKING },
	{ "config-out",	required_argument,	NULL, OPT_CONFIG_OUT },
	{ "define",	required_argument,	NULL, 'D' },
	{ "disk",	required_argument,	NULL, OPT_DISK },
	{ "disk-mode",	required_argument,	NULL, OPT_DISK_MODE },
	{ "dry-run",	no_argument,		NULL, 'n' },
	{ "force",	no_argument,		NULL, OPT_FORCE },
	{ "from",	required_argument,	NULL, OPT_FROM },
	{ "help",	no_argument,		NULL, 'h' },
	{ "inventory",	required_argument,	NULL, OPT_INVENTORY },
	{ "jobs",	required_argument,	NULL, 'j' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "mac-scan",	required_argument,	NULL, OPT_MAC_SCAN },
	{ "name",	required_argument,	NULL, OPT_NAME },
	{ "per-launch",	required_argument,	NULL, OPT_PER_LAUNCH },
	{ "snapshot-size", required_argument,	NULL, OPT_SNAPSHOT_SIZE },
	{ NULL,		0,			NULL, 0 }
};

const char clone_usage[] =
"usage: imprint clone [--dry-run] [--force] [--json] --from TEMPLATE_CONFIG\n"
"                     --name NEW [--disk-mode overlay|copy|snapshot]\n"
"                     [--snapshot-size SIZE] [--disk NEW_PATH]...\n"
"                     [--config-out PATH] [--mac-scan DIR]...\n"
"                     [--backing FILE|DIR]...\n"
"                     [-D KEY=VALUE]... [RECIPE]\n"
"       imprint clone [--dry-run] [--force] [--json] --from TEMPLATE_CONFIG\n"
"                     --inventory FILE.csv\n"
"                     [--disk-mode overlay|copy|snapshot]\n"
"                     [--snapshot-size SIZE] [-j N] [--per-launch N]\n"
"                     [--mac-scan DIR]... [--backing FILE|DIR]...\n"
"                     [-D KEY=VALUE]... [RECIPE]\n"
"\n"
"Make a new guest NEW from the stopped template whose domain config is\n"
"TEMPLATE_CONFIG: a disk for each of its disks, a config, and the\n"
"identity RECIPE states (default: a new hostname, MACs, uuid and\n"
"forgotten stale identity) applied to both, as 'imprint apply' does.\n"
"Paths follow the template's: its name replaced by NEW.  If a step\n"
"fails, everything created is removed again.  With --inventory, a clone\n"
"per row (columns: name, optional image, image2, ..., config, and\n"
"recipe variables), personalized in few appliance launches.\n"
"\n"
"  --backing FILE|DIR      a backing file the template may name: FILE,\n"
"                          or any file under DIR (/: any)\n"
"  --config-out PATH       the clone's config (default: the template's\n"
"                          path with its name replaced, else NEW.cfg,\n"
"                          or NEW.xml for libvirt XML, beside it)\n"
"  -D, --define KEY=VALUE  set recipe variable ${KEY} (${name} is NEW)\n"
"  --disk NEW_PATH         the clone's disk, once per template disk in\n"
"                          order (default: the template's path with its\n"
"                          name replaced)\n"
"  --disk-mode MODE        overlay (a qcow2 file backed by the template\n"
"                          disk; the clone's config says qcow2), copy\n"
"                          (reflinked where the filesystem can, else\n"
"                          sparse) or snapshot (an LVM snapshot of the\n"
"                          template's LV); default snapshot for LVs, copy\n"
"                          where reflinks work, else overlay\n"
"  -n, --dry-run           print what would be created; create nothing\n"
"                          (the guest's plan is not computed)\n"
"  --force                 clone even when the template looks alive\n"
"  --from TEMPLATE_CONFIG  the template's domain config (xm, xl, Oracle\n"
"                          VM vm.cfg, or libvirt domain XML)\n"
"  -h, --help              print this help\n"
"  --inventory FILE.csv    make a clone per row (imprint(1), INVENTORY)\n"
"  -j, --jobs N            --inventory: appliances in parallel\n"
"  --json                  one JSON document on stdout (--inventory: the\n"
"                          batch report)\n"
"  --mac-scan DIR          never choose a MAC found in *.cfg or *.xml\n"
"                          under DIR (the template's MACs never either)\n"
"  --name NEW              the clone's name (and default hostname)\n"
"  --per-launch N          --inventory: clones per appliance\n"
"  --snapshot-size SIZE    each snapshot's copy-on-write space (K, M, G,\n"
"                          T; default a fifth of the origin LV; none for\n"
"                          a thin origin)\n"
"\n"
"Exit status: 0 success, 1 failure (nothing left behind), 2 usage error,\n"
"or the template's config or the recipe cannot be read.\n";

enum clone_mode {
	CLONE_MODE_DEFAULT,
	CLONE_MODE_OVERLAY,
	CLONE_MODE_COPY,
	CLONE_MODE_SNAPSHOT
};

struct clone_opts {
	bool			 dry_run, force, json;
	const char		*from;
	const char		*name;
	const char		*config_out;
	const char		*inventory;
	enum clone_mode		 mode;
	const char		*snapshot_size;	/* --snapshot-size */
	uint64_t		 snap_bytes;	/* ... in bytes */
	struct strlist		 disks;		/* --disk */
	struct strlist		 scan;		/* --mac-scan */
	unsigned		 jobs, per_launch;
	struct recipe_vars	 vars;
};

/* One disk of the template and the clone's own. */
struct clone_disk {
	char		*tmpl;		/* as the config names it */
	char		*tmpl_real;	/* realpath: the overlay's backing */
	char		*format;	/* the template's, from qemu-img */
	mode_t		 mode;		/* the template's */
	char		*path;		/* the clone's */
	bool		 reflinked;
	/* snapshot mode: the template's LV as lvs sees it, the new LV's
	 * name and size (0: a thin snapshot) */
	struct lvsnap_lv *lv;
	char		*new_lv;
	uint64_t	 snap_size;
};

/* What the run created, for the removal after a failure. */
struct clone_made {
	struct strlist	 files;		/* disks, config, undo record */
	struct strlist	 lvs;		/* snapshot LVs, "VG/LV" */
	struct strlist	 dirs;
};

/*
 * One clone to make: from --name, --disk and --config-out, or from a row
 * of --inventory (name, image columns, config).
 */
struct clone_one {
	const char		*name;
	const struct strlist	*disk_args;	/* empty: by name */
	const char		*config_arg;	/* NULL: by name */
	struct clone_disk	*d;
	size_t			 n;
	char			*cfgout;
	struct strlist		 dirs, modes;	/* to make, with modes */
	struct clone_made	 made;
};

static int
parse_snapshot_size(const char *arg, uint64_t *bytes_r)
{
	const char *why;

	if (lvsnap_parse_size(arg, bytes_r, &why) == -1) {
		warnx("--snapshot-size '%s': %s", esc(arg), why);
		return -1;
	}
	return 0;
}

static int
parse_clone_opts(int argc, char **argv, struct clone_opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "D:hj:n", clone_long_options,
	    NULL)) != -1) {
		switch (c) {
		case OPT_BACKING:
			if (imgchk_trust_add(&imgchk_trusted, optarg) == -1)
				return -1;
			break;
		case OPT_CONFIG_OUT:
			if (cmd_set_once(&o->config_out, "--config-out") == -1)
				return -1;
			break;
		case 'D':
			if (recipe_vars_parse_define(&o->vars, optarg) == -1)
				return -1;
			break;
		case OPT_DISK:
			strlist_add(&o->disks, optarg);
			break;
		case OPT_DISK_MODE:
			if (o->mode != CLONE_MODE_DEFAULT) {
				warnx("--disk-mode given twice");
				return -1;
			}
			if (strcmp(optarg, "overlay") == 0)
				o->mode = CLONE_MODE_OVERLAY;
			else if (strcmp(optarg, "copy") == 0)
				o->mode = CLONE_MODE_COPY;
			else if (strcmp(optarg, "snapshot") == 0)
				o->mode = CLONE_MODE_SNAPSHOT;
			else {
				warnx("--disk-mode wants overlay, copy or "
				    "snapshot, not '%s'", esc(optarg));
				return -1;
			}
			break;
		case 'n':
			o->dry_run = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_FROM:
			if (cmd_set_once(&o->from, "--from") == -1)
				return -1;
			break;
		case 'h':
			fputs(clone_usage, stdout);
			return 1;
		case OPT_INVENTORY:
			if (cmd_set_once(&o->inventory, "--inventory") == -1)
				return -1;
			break;
		case 'j':
			if (cmd_parse_count("-j", optarg, 1, BATCH_MAX_JOBS,
			    &o->jobs) == -1)
				return -1;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_MAC_SCAN:
			strlist_add(&o->scan, optarg);
			break;
		case OPT_NAME:
			if (cmd_set_once(&o->name, "--name") == -1)
				return -1;
			break;
		case OPT_PER_LAUNCH:
			if (cmd_parse_count("--per-launch", optarg, 1,
			    BATCH_MAX_PER_LAUNCH, &o->per_launch) == -1)
				return -1;
			break;
		case OPT_SNAPSHOT_SIZE:
			if (cmd_set_once(&o->snapshot_size,
			    "--snapshot-size") == -1 ||
			    parse_snapshot_size(optarg, &o->snap_bytes) == -1)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/*
 * NEW becomes a file name, a domain name and a hostname: letters,
 * digits, '.', '_', '-', not leading with '.' or '-'.
 */
static int
check_name(const char *what, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			break;
	}
	if (n == 0 || n > CLONE_NAME_MAX || i < n || name[0] == '.' ||
	    name[0] == '-') {
		warnx("%s '%s': want 1 to %d letters, digits, '.', '_' or "
		    "'-', not first '.' or '-'", what, esc(name),
		    CLONE_NAME_MAX);
		return -1;
	}
	return 0;
}

/*
 * The hostname the built-in recipe gives a clone named NAME: NAME, or,
 * for a name a host may not carry (Oracle VM's EL52_vm2: '_' is no
 * hostname character), NAME with each '_' made '-', said on stderr
 * (WHERE prefixes the note: an inventory's "FILE:LINE: ").  Caller
 * frees.
 */
static char *
default_hostname(const char *where, const char *name)
{
	char *host = xstrdup(name), *p;

	if (!hostname_valid(host)) {
		for (p = host; *p; p++)
			if (*p == '_')
				*p = '-';
		if (hostname_valid(host))
			warnx("%snote: the clone's hostname is %s ('%s' is no "
			    "host name; give -D hostname=NAME or a recipe to "
			    "choose another)", where, host, name);
	}
	return host;
}

/*
 * The built-in recipe: what a clone needs to be its own guest.  Its
 * hostname is ${hostname}, which the caller sets (default_hostname)
 * unless -D or an inventory column gives one.
 */
static char *
default_recipe(size_t nnics)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "[guest]\n"
	    "root = auto\n"
	    "hostname = ${hostname}\n"
	    "forget = udev-net machine-id dhcp-leases\n"
	    "ssh-hostkeys = new\n");
	for (i = 0; i < nnics; i++)
		buf_addf(&b, "[nic eth%zu]\nmac = auto\nboot = keep\n", i);
	buf_adds(&b, "[host]\nname = ${name}\nuuid = new\n");
	return buf_detach(&b, NULL);
}

/* path made absolute against the working directory (caller frees). */
static char *
absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

/*
 * path must not exist, and its directory must exist or be the one the
 * name replacement made (depth 1: the component holding the template's
 * name is the directory's own), beside the template's directory
 * tmpl_dir: then it goes on dirs, to be made with the mode of tmpl_dir.
 * Returns 0, or -1 after one message.
 */
static int
check_target(const char *what, const char *path, bool renamed,
    unsigned depth, const char *tmpl_dir, struct strlist *dirs,
    struct strlist *modes)
{
	struct stat st;
	char *dir, *up;
	int e;

	if (lstat(path, &st) == 0) {
		warnx("refusing to clone: %s '%s' exists", what, esc(path));
		return -1;
	}
	dir = path_dir(path);
	if (strlist_has(dirs, dir)) {
		free(dir);
		return 0;
	}
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			free(dir);
			return 0;
		}
		e = ENOTDIR;
	} else
		e = errno;
	up = path_dir(dir);
	if (e == ENOENT && renamed && depth == 1 && stat(up, &st) == 0 &&
	    S_ISDIR(st.st_mode) && stat(tmpl_dir, &st) == 0) {
		strlist_add_owned(dirs, dir);
		strlist_add_owned(modes, xasprintf("%04o",
		    (unsigned)(st.st_mode & 07777)));
		free(up);
		return 0;
	}
	warnx("refusing to clone: the directory of %s '%s' does not exist "
	    "(only the one the name replacement gives is made)", what,
	    esc(path));
	free(up);
	free(dir);
	return -1;
}

/*
 * Remove the snapshot LVs made ("VG/LV"), newest first, listing each on
 * stderr and in arr (may be NULL).  They are made after the directories
 * and before the config: remove_made calls this between the two.
 */
static void
remove_lvs(const struct strlist *lvs, json_object *arr)
{
	char *vg;
	size_t i;

	for (i = lvs->n; i-- > 0; ) {
		vg = xstrdup(lvs->v[i]);
		vg[strcspn(vg, "/")] = '\0';
		if (lvsnap_remove(vg, lvs->v[i] + strlen(vg) + 1) == 0) {
			fprintf(stderr, "imprint: removed LV '%s'\n",
			    esc(lvs->v[i]));
			if (arr)
				json_object_array_add(arr,
				    json_object_new_string(lvs->v[i]));
		}
		free(vg);
	}
}

/* Remove what was made, newest first, listing each on stderr. */
static void
remove_made(struct clone_made *m, json_object *doc)
{
	json_object *arr = doc ? json_object_new_array() : NULL;
	size_t i;

	for (i = m->files.n; i-- > 0; )
		if (unlink(m->files.v[i]) == 0) {
			fprintf(stderr, "imprint: removed '%s'\n",
			    esc(m->files.v[i]));
			if (arr)
				json_object_array_add(arr,
				    json_object_new_string(m->files.v[i]));
		} else if (errno != ENOENT)	/* an undo record not made */
			warn("cannot remove '%s'", esc(m->files.v[i]));
	remove_lvs(&m->lvs, arr);
	for (i = m->dirs.n; i-- > 0; )
		if (rmdir(m->dirs.v[i]) == 0) {
			fprintf(stderr, "imprint: removed directory '%s'\n",
			    esc(m->dirs.v[i]));
			if (arr)
				json_object_array_add(arr,
				    json_object_new_string(m->dirs.v[i]));
		} else
			warn("cannot remove directory '%s'",
			    esc(m->dirs.v[i]));
	if (doc)
		json_object_object_add(doc, "removed", arr);
}

/* qemu-img create: a qcow2 file over the template, its format named. */
static int
make_overlay(const struct clone_disk *d)
{
	char *argv[] = { (char *)"qemu-img", (char *)"create", (char *)"-q",
	    (char *)"-f", (char *)"qcow2", (char *)"-F", d->format,
	    (char *)"-b", d->tmpl_real, d->path, NULL };
	char *why;

	if (run_tool(argv, "qemu-utils", 120, 1 << 16, NULL, &why) == -1) {
		if (why)
			warnx("cannot create '%s': %s", esc(d->path), esc(why));
		free(why);
		return -1;
	}
	if (chmod(d->path, d->mode) == -1) {
		warn("cannot set the mode of '%s'", esc(d->path));
		return -1;
	}
	return 0;
}

/*
 * The template config's bytes, with the edits made to cfg (an overlay's
 * format), as the clone's config, never over a file.
 */
static int
write_config(const char *path, const struct domcfg *cfg, mode_t mode)
{
	size_t len, off = 0;
	const char *text = domcfg_text(cfg, &len);
	ssize_t w;
	int fd, e;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		warn("cannot create '%s'", esc(path));
		return -1;
	}
	while (off < len) {
		if ((w = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode & 07777) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	warnx("cannot write '%s': %s", esc(path), strerror(e));
	if (fd != -1)
		close(fd);
	(void)unlink(path);
	return -1;
}

/*
 * An overlay is qcow2: each guest disk of cfg gets diskN.format = qcow2,
 * for file:, tap:aio:, a bare path or <driver type='raw'/> would show
 * the guest the overlay's qcow2 bytes as a raw disk.  Returns 0, or -1
 * after the refusal (phy:, a spec whose format cannot be said).
 */
static int
set_overlay_format(struct domcfg *cfg)
{
	size_t *idx = NULL, n, i;
	char key[40];
	int rc = 0;

	n = disks_guest(cfg, &idx);
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(key, sizeof(key), "disk%zu.format", idx[i]);
		if (domcfg_set(cfg, key, "qcow2") == -1)
			rc = -1;
	}
	free(idx);
	return rc;
}

/* "created snapshot LV VG/NEW of VG/ORIGIN (size N bytes)", or JSON. */
static void
report_snapshot(json_object *arr, const struct clone_disk *d, bool dry)
{
	json_object *o;

	if (arr == NULL) {
		printf("%s snapshot LV %s/%s of %s/%s ", dry ? "would create" :
		    "created", d->lv->vg_name, d->new_lv, d->lv->vg_name,
		    d->lv->lv_name);
		if (d->snap_size)
			printf("(size %" PRIu64 " bytes)\n", d->snap_size);
		else
			printf("(thin, no size)\n");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(d->path));
	json_object_object_add(o, "template",
	    json_object_new_string(d->tmpl));
	json_object_object_add(o, "mode", json_object_new_string("snapshot"));
	json_object_object_add(o, "vg",
	    json_object_new_string(d->lv->vg_name));
	json_object_object_add(o, "lv", json_object_new_string(d->new_lv));
	json_object_object_add(o, "origin",
	    json_object_new_string(d->lv->lv_name));
	json_object_object_add(o, "size", d->snap_size ?
	    json_object_new_int64((int64_t)d->snap_size) : NULL);
	json_object_array_add(arr, o);
}

static const char *
disk_how(enum clone_mode mode, const struct clone_disk *d)
{
	if (mode == CLONE_MODE_OVERLAY)
		return "overlay";
	return d->reflinked ? "reflinked" : "sparse copy";
}

static void
report_disk(json_object *arr, enum clone_mode mode,
    const struct clone_disk *d, bool dry)
{
	json_object *o;

	if (mode == CLONE_MODE_SNAPSHOT) {
		report_snapshot(arr, d, dry);
		return;
	}
	if (arr == NULL) {
		printf("%s disk %s (", dry ? "would create" : "created",
		    esc(d->path));
		if (mode == CLONE_MODE_OVERLAY)
			printf("overlay of %s)\n", esc(d->tmpl_real));
		else if (dry)
			printf("copy of %s)\n", esc(d->tmpl_real));
		else
			printf("copy of %s, %s)\n", esc(d->tmpl_real),
			    disk_how(mode, d));
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(d->path));
	json_object_object_add(o, "template",
	    json_object_new_string(d->tmpl_real));
	json_object_object_add(o, "mode", json_object_new_string(
	    mode == CLONE_MODE_OVERLAY ? "overlay" : "copy"));
	json_object_object_add(o, "format", json_object_new_string(
	    mode == CLONE_MODE_OVERLAY ? "qcow2" : d->format));
	if (mode == CLONE_MODE_OVERLAY)
		json_object_object_add(o, "backing_format",
		    json_object_new_string(d->format));
	else if (!dry)
		json_object_object_add(o, "reflinked",
		    json_object_new_boolean(d->reflinked));
	json_object_array_add(arr, o);
}

/*
 * Snapshot mode, disk i of clone c, whose template LV d->lv
 * (plan_template) is known: the new LV is the template LV's name with
 * the template's name tname replaced, or --disk's last component, in the
 * directory of the LV's own VG; d->path, the config's target, is d->tmpl
 * with the name replaced, or --disk.  The new LV must not exist.  Its
 * size: --snapshot-size or a fifth of the origin, in whole extents; 0 (a
 * thin snapshot) for a thin origin without --snapshot-size.  Returns 0,
 * or -1 after one message.
 */
static int
plan_snapshot(const struct clone_opts *o, const struct clone_one *c,
    const char *tname, size_t i, struct clone_disk *d)
{
	const struct lvsnap_lv *lv = d->lv;
	struct lvsnap_lv other;
	char *obj, *dir, *ldir;
	unsigned depth = 0;
	int r;

	ldir = path_dir(lv->lv_path);
	if (c->disk_args->n) {
		d->path = absolute(c->disk_args->v[i]);
		dir = path_dir(d->path);
		r = strcmp(dir, ldir);
		free(dir);
		if (r != 0) {
			warnx("refusing to clone: --disk '%s' is not in '%s/', "
			    "the directory of VG '%s': a snapshot LV is made "
			    "in its origin's VG", esc(d->path), esc(ldir),
			    lv->vg_name);
			free(ldir);
			return -1;
		}
		d->new_lv = xstrdup(strrchr(d->path, '/') + 1);
	} else if (tname == NULL || clone_rename_path(lv->lv_name, tname,
	    c->name, &d->new_lv, &depth) != 0 || clone_rename_path(d->tmpl,
	    tname, c->name, &d->path, &depth) != 0 || depth != 0) {
		warnx("refusing to clone: the template's name '%s' is not in "
		    "the name of its LV '%s/%s' (disk '%s'); give --disk "
		    "%s/NEW_LV", tname ? esc(tname) : "(none)", lv->vg_name,
		    lv->lv_name, esc(d->tmpl), esc(ldir));
		free(ldir);
		return -1;
	}
	free(ldir);
	if (!lvsnap_name_valid(d->new_lv)) {
		warnx("refusing to clone: '%s' is no LV name LVM takes (1 to "
		    "127 letters, digits, '+', '_', '.', '-'); give --disk "
		    "NEW_PATH", esc(d->new_lv));
		return -1;
	}
	obj = xasprintf("%s/%s", lv->vg_name, d->new_lv);
	r = lvsnap_query(obj, &other);
	if (r == 0)
		warnx("refusing to clone: LV '%s' exists", obj);
	free(obj);
	if (r != 1)
		return -1;
	if (lvsnap_is_thin(lv) && o->snapshot_size == NULL)
		d->snap_size = 0;
	else if ((d->snap_size = o->snapshot_size ?
	    lvsnap_round_extents(o->snap_bytes, lv->extent_size) :
	    lvsnap_default_size(lv->lv_size, lv->extent_size)) == 0) {
		warnx("refusing to clone: the snapshot of LV '%s/%s' would be "
		    "too large; give a smaller --snapshot-size", lv->vg_name,
		    lv->lv_name);
		return -1;
	}
	return 0;
}

/*
 * Do the snapshots of d[0..n-1] fit in their VGs' free space, summed per
 * VG?  Returns 0, or -1 after the refusal with the figures.
 */
static int
check_vg_free(const struct clone_disk *d, size_t n)
{
	uint64_t need;
	size_t i, k;
	char *msg;

	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(d[k].lv->vg_name, d[i].lv->vg_name) == 0)
				break;
		if (k < i)
			continue;	/* this VG was summed already */
		need = 0;
		for (k = i; k < n; k++)
			if (strcmp(d[k].lv->vg_name, d[i].lv->vg_name) == 0)
				need = need + d[k].snap_size < need ?
				    UINT64_MAX : need + d[k].snap_size;
		msg = lvsnap_short_message(d[i].lv->vg_name, need,
		    d[i].lv->vg_free, d[i].lv->extent_size);
		if (msg) {
			warnx("%s", msg);
			free(msg);
			return -1;
		}
	}
	return 0;
}

/*
 * Without --disk-mode: is the template's first guest disk a block
 * device that lvs knows as an LV?  Returns 1 yes, 0 no, -1 after one
 * message (lvs missing or not understood).
 */
static int
first_disk_is_lv(const struct domcfg *cfg)
{
	struct lvsnap_lv lv;
	struct stat st;
	size_t *idx = NULL;
	char *t = NULL;
	int r = 0;

	if (disks_guest(cfg, &idx) > 0 &&
	    (t = domcfg_disk_target(cfg, idx[0])) != NULL &&
	    stat(t, &st) == 0 && S_ISBLK(st.st_mode)) {
		r = lvsnap_query(t, &lv);
		r = r == 0 ? 1 : r == 1 ? 0 : -1;
	}
	free(t);
	free(idx);
	return r;
}

/*
 * lvcreate the snapshot d plans, its "VG/LV" added to lvs (also when
 * lvcreate failed yet the LV is there: never an orphan), then ask lvs
 * where the device is.  d->path stays the config's target when it names
 * that device, else becomes LVM's path.  Returns 0, or -1 after one
 * message.
 */
static int
make_snapshot(struct clone_disk *d, struct strlist *lvs)
{
	struct lvsnap_lv nl;
	char *obj = xasprintf("%s/%s", d->lv->vg_name, d->new_lv);
	int r;

	r = lvsnap_create(d->lv->vg_name, d->lv->lv_name, d->new_lv,
	    d->snap_size);
	if (r == 0 || lvsnap_query(obj, &nl) == 0)
		strlist_add(lvs, obj);
	if (r == 0 && (r = lvsnap_query(obj, &nl)) == 1) {
		warnx("cannot find LV '%s' after lvcreate made it (lvs: %s)",
		    obj, esc(nl.why));
		r = -1;
	}
	free(obj);
	if (r != 0)
		return -1;
	if (!disks_same_path(d->path, nl.lv_path)) {
		free(d->path);
		d->path = xstrdup(nl.lv_path);
	}
	return 0;
}

/*
 * The template's guest disks, looked at once for every clone of the run:
 * each one's target (d[i].tmpl); for a file its real path (the
 * overlay's backing), format (imgchk: the chain checked) and mode; for
 * an LV (snapshot mode) what lvs says of it, which must be no snapshot
 * itself (LVM is the authority: the device need not exist on this
 * host).  Returns 0 with *t_r (release_disks) and *n_r, or -1 after
 * messages.
 */
static int
plan_template(const struct clone_opts *o, const struct domcfg *cfg,
    struct clone_disk **t_r, size_t *n_r)
{
	struct clone_disk *d;
	struct lvsnap_lv *lv;
	struct imgchk chain;
	struct stat st;
	size_t *idx = NULL, n, i;
	char buf[PATH_MAX];
	int rc = -1, r;

	n = disks_guest(cfg, &idx);
	*t_r = NULL;
	*n_r = 0;
	if (n == 0) {
		warnx("refusing to clone: '%s' names no disk of the guest",
		    esc(o->from));
		return -1;
	}
	d = xcalloc(n, sizeof(*d));
	*t_r = d;
	*n_r = n;
	for (i = 0; i < n; i++) {
		d[i].tmpl = domcfg_disk_target(cfg, idx[i]);
		if (d[i].tmpl == NULL || d[i].tmpl[0] != '/') {
			warnx("refusing to clone: disk%zu of '%s' is not an "
			    "absolute path", idx[i], esc(o->from));
			goto out;
		}
		if (o->mode == CLONE_MODE_SNAPSHOT) {
			lv = d[i].lv = xcalloc(1, sizeof(*d[i].lv));
			if ((r = lvsnap_query(d[i].tmpl, lv)) == -1)
				goto out;
			if (r == 1) {
				warnx("refusing to clone: the template's disk "
				    "'%s' is no LV that LVM knows (lvs: %s); "
				    "--disk-mode snapshot wants LVs, use "
				    "overlay or copy for files",
				    esc(d[i].tmpl), esc(lv->why));
				goto out;
			}
			if (lvsnap_is_thick_snapshot(lv)) {
				warnx("refusing to clone: the template's disk "
				    "'%s' is itself a snapshot (of %s/%s), "
				    "which LVM cannot snapshot; clone from its "
				    "origin, or use --disk-mode copy",
				    esc(d[i].tmpl), lv->vg_name, lv->origin);
				goto out;
			}
			d[i].tmpl_real = xstrdup(lv->lv_path);
			continue;
		}
		if (stat(d[i].tmpl, &st) == -1) {
			warn("cannot open the template's disk '%s'",
			    esc(d[i].tmpl));
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			warnx("refusing to clone: the template's disk '%s' is "
			    "not a file (an LV wants --disk-mode snapshot)",
			    esc(d[i].tmpl));
			goto out;
		}
		d[i].mode = (st.st_mode & 07777) | S_IRUSR | S_IWUSR;
		if (realpath(d[i].tmpl, buf) == NULL) {
			warn("cannot open the template's disk '%s'",
			    esc(d[i].tmpl));
			goto out;
		}
		d[i].tmpl_real = xstrdup(buf);
		/* the template itself, named: its clones' backing file */
		if (imgchk_image(d[i].tmpl_real, 0, NULL, 0, &chain) == -1 ||
		    imgchk_trust_add(&imgchk_trusted, d[i].tmpl_real) == -1)
			goto out;
		d[i].format = xstrdup(chain.layer[0].format);
		imgchk_release(&chain);
	}
	rc = 0;
out:
	free(idx);
	return rc;
}

/*
 * Clone c's disks, from the template's t[0..n-1] (plan_template): the
 * template's facts copied, the clone's paths (and, in snapshot mode, its
 * LVs) named; every refusal before anything is created.  Returns 0, or
 * -1 after messages.
 */
static int
plan_disks(const struct clone_opts *o, const struct clone_one *c,
    const struct clone_disk *t, size_t n, const char *tname,
    struct clone_disk **disks_r, struct strlist *dirs, struct strlist *modes)
{
	struct clone_disk *d;
	size_t i, k;
	char *tdir;
	unsigned depth = 0;
	int r;

	*disks_r = NULL;
	if (c->disk_args->n != 0 && c->disk_args->n != n) {
		warnx("the template has %zu disk%s: give --disk once for "
		    "each, or not at all", n, n == 1 ? "" : "s");
		return -1;
	}
	d = xcalloc(n, sizeof(*d));
	*disks_r = d;
	for (i = 0; i < n; i++) {
		d[i].tmpl = xstrdup(t[i].tmpl);
		d[i].tmpl_real = xstrdup(t[i].tmpl_real);
		d[i].format = t[i].format ? xstrdup(t[i].format) : NULL;
		d[i].mode = t[i].mode;
		if (t[i].lv) {
			d[i].lv = xmalloc(sizeof(*d[i].lv));
			*d[i].lv = *t[i].lv;
		}
	}
	for (i = 0; i < n; i++) {
		if (o->mode == CLONE_MODE_SNAPSHOT) {
			if (plan_snapshot(o, c, tname, i, &d[i]) == -1)
				return -1;
			for (k = 0; k < i; k++)
				if (strcmp(d[k].new_lv, d[i].new_lv) == 0 &&
				    strcmp(d[k].lv->vg_name,
				    d[i].lv->vg_name) == 0) {
					warnx("refusing to clone: two disks "
					    "would be LV '%s/%s'",
					    d[i].lv->vg_name, d[i].new_lv);
					return -1;
				}
			continue;
		}
		if (c->disk_args->n) {
			d[i].path = absolute(c->disk_args->v[i]);
			r = 1;
		} else if (tname == NULL) {
			warnx("refusing to clone: '%s' has no name to replace "
			    "in its disk's path '%s'; give --disk NEW_PATH",
			    esc(o->from), esc(d[i].tmpl));
			return -1;
		} else if ((r = clone_rename_path(d[i].tmpl, tname, c->name,
		    &d[i].path, &depth)) != 0) {
			warnx("refusing to clone: the template's name '%s' is "
			    "not in its disk's path '%s'; give --disk "
			    "NEW_PATH", esc(tname), esc(d[i].tmpl));
			return -1;
		}
		for (k = 0; k < i; k++)
			if (strcmp(d[k].path, d[i].path) == 0) {
				warnx("refusing to clone: two disks would be "
				    "'%s'", esc(d[i].path));
				return -1;
			}
		tdir = path_dir(d[i].tmpl);
		r = check_target("disk", d[i].path, r == 0, depth, tdir, dirs,
		    modes);
		free(tdir);
		if (r == -1)
			return -1;
	}
	return 0;
}

static void
release_disks(struct clone_disk *d, size_t n)
{
	size_t i;

	for (i = 0; d && i < n; i++) {
		free(d[i].tmpl);
		free(d[i].tmpl_real);
		free(d[i].format);
		free(d[i].path);
		free(d[i].lv);
		free(d[i].new_lv);
	}
	free(d);
}

/* Free what c holds (not the strings it borrows). */
static void
one_release(struct clone_one *c)
{
	release_disks(c->d, c->n);
	free(c->cfgout);
	strlist_release(&c->dirs);
	strlist_release(&c->modes);
	strlist_release(&c->made.files);
	strlist_release(&c->made.lvs);
	strlist_release(&c->made.dirs);
}

/*
 * Plan clone c of the template whose config cfg is at the absolute path
 * from, in directory tdir: its disks and config path.  Every refusal
 * comes here, before anything is made.  Returns 0, or -1 after messages.
 */
static int
prepare_one(const struct clone_opts *o, const struct domcfg *cfg,
    const struct clone_disk *t, size_t nt, const char *tname,
    const char *from, const char *tdir, struct clone_one *c)
{
	unsigned depth = 0;
	size_t i;
	int x;

	if (tname && strcmp(tname, c->name) == 0) {
		warnx("refusing to clone: the template is named '%s' already",
		    esc(c->name));
		return -1;
	}
	c->n = nt;
	if (plan_disks(o, c, t, nt, tname, &c->d, &c->dirs, &c->modes) == -1)
		return -1;
	if (c->config_arg)
		c->cfgout = absolute(c->config_arg), x = 1;
	else if (tname == NULL || (x = clone_rename_path(from, tname,
	    c->name, &c->cfgout, &depth)) != 0) {
		c->cfgout = xasprintf("%s/%s.%s", tdir, c->name,
		    domcfg_kind(cfg) == DOMCFG_XML ? "xml" : "cfg");
		x = 1;
	}
	if (check_target("config", c->cfgout, x == 0, depth, tdir, &c->dirs,
	    &c->modes) == -1)
		return -1;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->d[i].path, c->cfgout) == 0) {
			warnx("refusing to clone: the config and a disk would "
			    "be '%s'", esc(c->cfgout));
			return -1;
		}
	return 0;
}

/*
 * Fill created (a JSON object) with c's directories and config, and an
 * empty "disks" array, returned for the disks to be added to.
 */
static json_object *
json_created(json_object *created, const struct clone_one *c)
{
	json_object *arr = json_object_new_array();

	json_object_object_add(created, "directories",
	    cmd_json_strlist(&c->dirs));
	json_object_object_add(created, "disks", arr);
	json_object_object_add(created, "config",
	    json_object_new_string(c->cfgout));
	return arr;
}

/*
 * Print (or add to created, a JSON object) what making c would do.
 */
static void
report_plan(const struct clone_opts *o, const struct clone_one *c,
    json_object *created)
{
	json_object *arr = NULL;
	size_t i;

	if (created) {
		json_object_object_add(created, "name",
		    json_object_new_string(c->name));
		arr = json_created(created, c);
	}
	for (i = 0; i < c->dirs.n && !created; i++)
		printf("would create directory %s (mode %s)\n",
		    esc(c->dirs.v[i]), c->modes.v[i]);
	for (i = 0; i < c->n; i++)
		report_disk(arr, o->mode, &c->d[i], true);
	if (!created)
		printf("would create config %s (from %s)\n", esc(c->cfgout),
		    esc(o->from));
}

/*
 * Make c's directories, disks and config (the template's bytes, mode
 * cfgmode), each added to c->made as it is made, then the name of the
 * undo record the apply will write, so that remove_made takes it too.
 * created (may be NULL) gets the JSON of what was made; quiet: no text.
 * Returns 0, or -1 after one message.
 */
static int
create_one(const struct clone_opts *o, const struct domcfg *cfg,
    mode_t cfgmode, struct clone_one *c, json_object *created, bool quiet)
{
	json_object *arr = NULL;
	struct stat st;
	char buf[PATH_MAX];
	size_t i;
	int x;

	if (created)
		arr = json_created(created, c);
	for (i = 0; i < c->dirs.n; i++) {
		unsigned long m = strtoul(c->modes.v[i], NULL, 8);

		if (mkdir(c->dirs.v[i], 0700) == -1) {
			warn("cannot create directory '%s'", esc(c->dirs.v[i]));
			return -1;
		}
		strlist_add(&c->made.dirs, c->dirs.v[i]);
		if (chmod(c->dirs.v[i], (mode_t)m) == -1) {
			warn("cannot set the mode of '%s'", esc(c->dirs.v[i]));
			return -1;
		}
		if (!quiet)
			printf("created directory %s\n", esc(c->dirs.v[i]));
	}
	for (i = 0; i < c->n; i++) {
		if (o->mode == CLONE_MODE_SNAPSHOT) {
			if (make_snapshot(&c->d[i], &c->made.lvs) == -1)
				return -1;
			if (!quiet || arr)
				report_disk(arr, o->mode, &c->d[i], false);
			continue;
		}
		if (o->mode == CLONE_MODE_OVERLAY)
			x = make_overlay(&c->d[i]);
		else
			x = clone_copy_file(c->d[i].tmpl_real, c->d[i].path,
			    c->d[i].mode, &c->d[i].reflinked);
		/* qemu-img may leave a file behind when it fails */
		if (x == 0 || lstat(c->d[i].path, &st) == 0)
			strlist_add(&c->made.files, c->d[i].path);
		if (x == -1)
			return -1;
		if (!quiet || arr)
			report_disk(arr, o->mode, &c->d[i], false);
	}
	if (write_config(c->cfgout, cfg, cfgmode) == -1)
		return -1;
	strlist_add(&c->made.files, c->cfgout);
	if (!quiet)
		printf("created config %s\n", esc(c->cfgout));
	/* the apply's record of the first disk goes with the disk */
	if (realpath(c->d[0].path, buf) == NULL) {
		warn("cannot open '%s'", esc(c->d[0].path));
		return -1;
	}
	strlist_add_owned(&c->made.files, undo_path_for(buf));
	return 0;
}

/*
 * The inventory the batch runner takes for the clones made: each row of
 * inv with its clone's disks as image, image2, ... and its config, and,
 * for the built-in recipe (hostname true), a hostname column where
 * neither the row nor -D gives one.
 */
static struct inventory *
batch_inventory(const struct clone_opts *o, const struct inventory *inv,
    const struct clone_one *c, bool hostname)
{
	struct inventory *b = xcalloc(1, sizeof(*b));
	struct inventory_row *row;
	char *where, *host;
	size_t i, k;

	b->path = xstrdup(inv->path);
	b->header_line = inv->header_line;
	for (i = 0; i < inv->columns.n; i++)
		strlist_add(&b->columns, inv->columns.v[i]);
	hostname = hostname && recipe_vars_get(&o->vars, "hostname") == NULL &&
	    !strlist_has(&inv->columns, "hostname");
	if (hostname)
		strlist_add(&b->columns, "hostname");
	b->nrows = inv->nrows;
	b->rows = xcalloc(inv->nrows, sizeof(*b->rows));
	for (i = 0; i < inv->nrows; i++) {
		row = &b->rows[i];
		row->line = inv->rows[i].line;
		row->ok = true;
		for (k = 0; k < c[i].n; k++)
			strlist_add(&row->images, c[i].d[k].path);
		row->image = row->images.v[0];
		row->config = xstrdup(c[i].cfgout);
		inventory_row_vars(&inv->rows[i], NULL, &row->vars);
		if (hostname) {
			where = xasprintf("%s:%zu: ", inv->path, row->line);
			host = default_hostname(where, c[i].name);
			(void)recipe_vars_set(&row->vars, "hostname", host);
			free(host);
			free(where);
		}
	}
	return b;
}

int
cmd_clone(int argc, char **argv)
{
	struct clone_opts o;
	struct clone_one *c = NULL;
	struct clone_disk *tmpl = NULL;		/* the template's disks */
	struct inventory *inv = NULL, *binv = NULL;
	struct domcfg *cfg = NULL;
	struct recipe *r = NULL;
	struct apply_opts ao;
	struct strlist paths = STRLIST_INIT;
	struct stat st;
	json_object *doc = NULL, *created = NULL, *arr = NULL;
	const char *tname, *v, *rpath = "(built-in clone recipe)";
	char *text = NULL, *tdir = NULL, *from = NULL, *where, *host;
	char **images = NULL;
	bool *ok = NULL;
	size_t nc = 0, ntmpl = 0, i, k;
	mode_t cfgmode;
	int rc = 2, pr, x, bad;

	memset(&o, 0, sizeof(o));
	memset(&ao, 0, sizeof(ao));
	if ((pr = parse_clone_opts(argc, argv, &o)) != 0) {
		rc = pr == 1 ? 0 : cmd_usage_error("clone");
		goto out;
	}
	argc -= optind;
	argv += optind;
	if (o.from == NULL || (o.name == NULL) == (o.inventory == NULL) ||
	    argc > 1) {
		warnx("clone: give --from TEMPLATE_CONFIG, either --name NEW or "
		    "--inventory FILE.csv, and at most one recipe");
		rc = cmd_usage_error("clone");
		goto out;
	}
	if (o.inventory && (o.disks.n || o.config_out)) {
		warnx("with --inventory, a clone's disks and config are its "
		    "row's image, image2, ... and config columns, not --disk "
		    "or --config-out");
		rc = cmd_usage_error("clone");
		goto out;
	}
	if (!o.inventory && (o.jobs || o.per_launch)) {
		warnx("-j and --per-launch go with --inventory");
		rc = cmd_usage_error("clone");
		goto out;
	}
	if (o.name && check_name("--name", o.name) == -1) {
		rc = cmd_usage_error("clone");
		goto out;
	}
	if ((v = recipe_vars_get(&o.vars, "name")) != NULL &&
	    (o.name == NULL || strcmp(v, o.name) != 0)) {
		if (o.name)
			warnx("-D name=%s: the clone's ${name} is --name %s",
			    esc(v), esc(o.name));
		else
			warnx("-D name=%s: each clone's ${name} is its row's "
			    "name", esc(v));
		rc = cmd_usage_error("clone");
		goto out;
	}
	if (o.name)
		(void)recipe_vars_set(&o.vars, "name", o.name);

	/* Inputs that cannot be read: exit 2, nothing created. */
	if (domcfg_load(o.from, &cfg) == -1)
		goto out;
	if (o.inventory && inventory_load_flags(o.inventory, INVENTORY_CLONES,
	    &inv) == -1)
		goto out;
	if (argc == 1) {
		rpath = argv[0];
		/* the batch reads and checks it per row */
		if (!o.inventory && recipe_load(argv[0], &o.vars, &r) == -1)
			goto out;
	} else {
		text = default_recipe(domcfg_nic_count(cfg));
		if (o.name && recipe_vars_get(&o.vars, "hostname") == NULL) {
			host = default_hostname("", o.name);
			(void)recipe_vars_set(&o.vars, "hostname", host);
			free(host);
		}
		if (!o.inventory && recipe_parse(rpath, text, strlen(text),
		    &o.vars, &r) == -1)
			goto out;
	}
	if (stat(o.from, &st) == -1) {
		warn("cannot open '%s'", esc(o.from));
		goto out;
	}
	cfgmode = st.st_mode & 07777;

	/* Refusals: exit 1, nothing created. */
	rc = 1;
	tname = domcfg_get_string(cfg, "name");
	/* absolute, so that "vm.cfg" in the template's directory has one */
	from = absolute(o.from);
	tdir = path_dir(from);
	if (o.mode == CLONE_MODE_DEFAULT && (x = first_disk_is_lv(cfg)) != 0) {
		if (x == -1)
			goto out;
		o.mode = CLONE_MODE_SNAPSHOT;
	}
	if (o.snapshot_size && o.mode != CLONE_MODE_SNAPSHOT) {
		warnx("--snapshot-size goes with --disk-mode snapshot (the "
		    "template's disks are LVs)");
		rc = cmd_usage_error("clone");
		goto out;
	}
	if (plan_template(&o, cfg, &tmpl, &ntmpl) == -1)
		goto out;
	nc = inv ? inv->nrows : 1;
	c = xcalloc(nc, sizeof(*c));
	bad = 0;
	for (i = 0; i < nc; i++) {
		if (inv == NULL) {
			c[i].name = o.name;
			c[i].disk_args = &o.disks;
			c[i].config_arg = o.config_out;
		} else {
			c[i].name = recipe_vars_get(&inv->rows[i].vars, "name");
			c[i].disk_args = &inv->rows[i].images;
			c[i].config_arg = inv->rows[i].config;
			where = xasprintf("%s:%zu: name", o.inventory,
			    inv->rows[i].line);
			x = check_name(where, c[i].name);
			free(where);
			for (k = 0; x == 0 && k < i; k++)
				if (strcmp(c[k].name, c[i].name) == 0) {
					warnx("%s:%zu: name '%s' is also the "
					    "row at line %zu's", o.inventory,
					    inv->rows[i].line, esc(c[i].name),
					    inv->rows[k].line);
					x = -1;
				}
			if (x == -1) {
				bad++;
				continue;
			}
		}
		if (prepare_one(&o, cfg, tmpl, ntmpl, tname, from, tdir,
		    &c[i]) == -1) {
			bad++;
			continue;
		}
		/* no two clones make one file or directory */
		for (k = 0; k <= c[i].n; k++) {
			const char *pth = k < c[i].n ? c[i].d[k].path :
			    c[i].cfgout;

			if (strlist_has(&paths, pth)) {
				warnx("refusing to clone: two clones would "
				    "make '%s'", esc(pth));
				bad++;
			}
			strlist_add(&paths, pth);
		}
		for (k = 0; k < c[i].dirs.n; k++) {
			if (strlist_has(&paths, c[i].dirs.v[k])) {
				warnx("refusing to clone: two clones would "
				    "make '%s'", esc(c[i].dirs.v[k]));
				bad++;
			}
			strlist_add(&paths, c[i].dirs.v[k]);
		}
	}
	if (bad)
		goto out;
	if (o.mode == CLONE_MODE_SNAPSHOT) {
		/* every clone's snapshots, summed per VG */
		struct clone_disk *all = xcalloc(nc * c[0].n, sizeof(*all));

		for (i = 0, k = 0; i < nc; k += c[i].n, i++)
			memcpy(all + k, c[i].d, c[i].n * sizeof(*all));
		x = check_vg_free(all, k);
		free(all);
		if (x == -1)
			goto out;
	}
	for (i = 0; i < ntmpl; i++)
		if (cmd_refuse_alive(tmpl[i].tmpl, tname,
		    domcfg_get_string(cfg, "uuid"), o.force, "clone") == -1)
			goto out;
	if (o.mode == CLONE_MODE_DEFAULT) {
		/*
		 * One try of FICLONE where the first disk goes: in the
		 * directory above, when that directory is still to be made.
		 */
		char *dir = path_dir(c[0].d[0].path), *up = path_dir(dir);

		x = clone_reflink_probe(c[0].d[0].tmpl_real,
		    strlist_has(&c[0].dirs, dir) ? up : dir);
		free(up);
		free(dir);
		if (x == -1)
			goto out;
		o.mode = x == 1 ? CLONE_MODE_COPY : CLONE_MODE_OVERLAY;
	}
	/* after the last use of tname, which the edit frees */
	if (o.mode == CLONE_MODE_OVERLAY && set_overlay_format(cfg) == -1)
		goto out;

	/* With --inventory and --json, the batch's report is the document. */
	if (o.json && (inv == NULL || o.dry_run)) {
		doc = json_object_new_object();
		if (inv) {
			arr = json_object_new_array();
			json_object_object_add(doc, o.dry_run ?
			    "would_create" : "created", arr);
		}
	}
	if (o.dry_run) {
		for (i = 0; i < nc; i++) {
			created = NULL;
			if (doc) {
				created = json_object_new_object();
				if (arr)
					json_object_array_add(arr, created);
				else
					json_object_object_add(doc,
					    "would_create", created);
			}
			report_plan(&o, &c[i], created);
		}
		if (!o.json && inv == NULL)
			printf("then apply %s to it and to %s (not planned in "
			    "a dry run: it needs the new disk)\n",
			    argc == 1 ? esc(argv[0]) : "the built-in recipe",
			    esc(c[0].d[0].path));
		else if (!o.json)
			printf("then apply %s to the %zu clones and their "
			    "configs (not planned in a dry run: it needs the "
			    "new disks)\n",
			    argc == 1 ? esc(argv[0]) : "the built-in recipe",
			    nc);
		rc = 0;
		goto print;
	}

	/* Create; from here on a failure removes what was made. */
	for (i = 0; i < nc; i++) {
		created = NULL;
		if (doc) {
			created = json_object_new_object();
			json_object_object_add(doc, "created", created);
		}
		if (create_one(&o, cfg, cfgmode, &c[i], created,
		    o.json) == -1) {
			fflush(stdout);
			warnx("clone '%s' failed: removing what %s created",
			    esc(c[i].name), inv ? "every clone" : "it");
			for (k = i + 1; k-- > 0; )
				remove_made(&c[k].made, doc);
			goto print;
		}
	}
	fflush(stdout);

	ao.force = o.force;
	ao.json = o.json;
	ao.discard_on_failure = true;
	ao.vars = o.vars;
	ao.jobs = o.jobs;
	ao.per_launch = o.per_launch;
	/* never a MAC the template or a --mac-scan directory has */
	strlist_add(&ao.scan, from);
	for (i = 0; i < o.scan.n; i++)
		strlist_add(&ao.scan, o.scan.v[i]);
	if (inv == NULL) {
		ao.vmcfg = c[0].cfgout;
		images = xcalloc(c[0].n + 1, sizeof(*images));
		for (i = 0; i < c[0].n; i++)
			images[i] = c[0].d[i].path;
		rc = apply_run(&ao, r, images, 1, c[0].n > 1 ? images : NULL,
		    c[0].n, doc);
		if (rc != 0) {
			rc = 1;
			fflush(stdout);
			warnx("clone '%s' failed: removing what it created",
			    esc(c[0].name));
			remove_made(&c[0].made, doc);
		}
		goto print;
	}
	ao.inventory = o.inventory;
	binv = batch_inventory(&o, inv, c, argc == 0);
	ok = xcalloc(nc, sizeof(*ok));
	rc = batch_run_inventory(&ao, rpath, text, text ? strlen(text) : 0,
	    binv, ok);
	fflush(stdout);
	for (i = nc; i-- > 0; )
		if (!ok[i]) {
			warnx("clone '%s' failed: removing what it created",
			    esc(c[i].name));
			remove_made(&c[i].made, NULL);
			rc = rc == 0 ? 1 : rc;
		}
print:
	if (doc)
		puts(json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	if (doc)
		json_object_put(doc);
	free(images);
	free(ok);
	free(from);
	free(tdir);
	free(text);
	for (i = 0; c && i < nc; i++)
		one_release(&c[i]);
	release_disks(tmpl, ntmpl);
	free(c);
	strlist_release(&paths);
	strlist_release(&ao.scan);
	inventory_free(binv);
	inventory_free(inv);
	recipe_free(r);
	domcfg_free(cfg);
	recipe_vars_release(&o.vars);
	strlist_release(&o.disks);
	strlist_release(&o.scan);
	if (fflush(stdout) == EOF && rc == 0)
		rc = 1;
	return rc;
}
