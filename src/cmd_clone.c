/*
 * cmd_clone.c - `imprint clone`: from a stopped template guest to a
 * personalized clone in one command: the clone's disks (a qcow2 overlay
 * of each template disk, or a copy, reflinked where the filesystem
 * allows), its domain config (the template's bytes), then the apply
 * engine on both, as `imprint apply --vmcfg CONFIG RECIPE DISK` would.
 *
 * All or nothing: whatever this command created (directories, disks,
 * config, the apply's undo record) is removed again, and listed, when a
 * later step fails.  Version 1: Xen configs (xm, xl, Oracle VM) whose
 * disks are files, or LVs cloned as LVM snapshots (lvsnap.h: LVM, not
 * the device node, is the authority on an LV); libvirt XML and many
 * clones at once are not done yet.
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
#include "clone.h"
#include "cmds.h"
#include "cmdutil.h"
#include "disks.h"
#include "domcfg.h"
#include "imgchk.h"
#include "lvsnap.h"
#include "recipe.h"
#include "runtool.h"
#include "undo.h"
#include "util.h"
#include "valid.h"

/* Longest clone name: a domain name, a file name, a hostname label. */
#define CLONE_NAME_MAX	64

enum {
	OPT_CONFIG_OUT = 256,
	OPT_DISK,
	OPT_DISK_MODE,
	OPT_FORCE,
	OPT_FROM,
	OPT_JSON,
	OPT_NAME,
	OPT_SNAPSHOT_SIZE
};

const struct option clone_long_options[] = {
	{ "config-out",	required_argument,	NULL, OPT_CONFIG_OUT },
	{ "define",	required_argument,	NULL, 'D' },
	{ "disk",	required_argument,	NULL, OPT_DISK },
	{ "disk-mode",	required_argument,	NULL, OPT_DISK_MODE },
	{ "dry-run",	no_argument,		NULL, 'n' },
	{ "force",	no_argument,		NULL, OPT_FORCE },
	{ "from",	required_argument,	NULL, OPT_FROM },
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "name",	required_argument,	NULL, OPT_NAME },
	{ "snapshot-size", required_argument,	NULL, OPT_SNAPSHOT_SIZE },
	{ NULL,		0,			NULL, 0 }
};

const char clone_usage[] =
"usage: imprint clone [--dry-run] [--force] [--json] --from TEMPLATE_CONFIG\n"
"                     --name NEW [--disk-mode overlay|copy|snapshot]\n"
"                     [--snapshot-size SIZE] [--disk NEW_PATH]...\n"
"                     [--config-out PATH]\n"
"                     [-D KEY=VALUE]... [RECIPE]\n"
"\n"
"Make a new guest NEW from the stopped template whose domain config is\n"
"TEMPLATE_CONFIG: a disk for each of its disks, a config, and the\n"
"identity RECIPE states (default: a new hostname, MACs, uuid and\n"
"forgotten stale identity) applied to both, as 'imprint apply' does.\n"
"Paths follow the template's: its name replaced by NEW.  If a step\n"
"fails, everything created is removed again.\n"
"\n"
"  --config-out PATH       the clone's config (default: the template's\n"
"                          path with its name replaced, else NEW.cfg\n"
"                          beside it)\n"
"  -D, --define KEY=VALUE  set recipe variable ${KEY} (${name} is NEW)\n"
"  --disk NEW_PATH         the clone's disk, once per template disk in\n"
"                          order (default: the template's path with its\n"
"                          name replaced)\n"
"  --disk-mode MODE        overlay (a qcow2 file backed by the template\n"
"                          disk), copy (reflinked where the filesystem\n"
"                          can, else sparse) or snapshot (an LVM snapshot\n"
"                          of the template's LV); default snapshot for\n"
"                          LVs, copy where reflinks work, else overlay\n"
"  -n, --dry-run           print what would be created; create nothing\n"
"                          (the guest's plan is not computed)\n"
"  --force                 clone even when the template looks alive\n"
"  --from TEMPLATE_CONFIG  the template's domain config (xm, xl, Oracle\n"
"                          VM vm.cfg)\n"
"  -h, --help              print this help\n"
"  --json                  one JSON document on stdout\n"
"  --name NEW              the clone's name (and default hostname)\n"
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
	enum clone_mode		 mode;
	const char		*snapshot_size;	/* --snapshot-size */
	uint64_t		 snap_bytes;	/* ... in bytes */
	struct strlist		 disks;		/* --disk */
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

	while ((c = getopt_long(argc, argv, "D:hn", clone_long_options,
	    NULL)) != -1) {
		switch (c) {
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
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_NAME:
			if (cmd_set_once(&o->name, "--name") == -1)
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
check_name(const char *name)
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
		warnx("--name '%s': want 1 to %d letters, digits, '.', '_' or "
		    "'-', not first '.' or '-'", esc(name), CLONE_NAME_MAX);
		return -1;
	}
	return 0;
}

/*
 * The built-in recipe: what a clone needs to be its own guest.  Its
 * hostname is NEW, or, for a name a host may not carry (Oracle VM's
 * EL52_vm2: '_' is no hostname character), NEW with each '_' made '-',
 * said on stderr.
 */
static char *
default_recipe(size_t nnics, const char *name)
{
	struct buf b = BUF_INIT;
	char *host = xstrdup(name), *p;
	size_t i;

	if (!hostname_valid(host)) {
		for (p = host; *p; p++)
			if (*p == '_')
				*p = '-';
		if (hostname_valid(host))
			warnx("note: the clone's hostname is %s ('%s' is no "
			    "host name; give a recipe to choose another)",
			    host, name);
	}
	buf_adds(&b, "[guest]\n"
	    "root = auto\n");
	if (strcmp(host, name) == 0)
		buf_adds(&b, "hostname = ${name}\n");
	else
		buf_addf(&b, "hostname = %s\n", host);
	free(host);
	buf_adds(&b, "forget = udev-net machine-id dhcp-leases\n"
	    "ssh-hostkeys = new\n");
	for (i = 0; i < nnics; i++)
		buf_addf(&b, "[nic eth%zu]\nmac = auto\n", i);
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

/* A copy of path without its last component (caller frees). */
static char *
dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	if (s == NULL)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
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
	dir = dir_of(path);
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
	up = dir_of(dir);
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
	struct buf out = BUF_INIT, err = BUF_INIT;
	char *argv[] = { (char *)"qemu-img", (char *)"create", (char *)"-q",
	    (char *)"-f", (char *)"qcow2", (char *)"-F", d->format,
	    (char *)"-b", d->tmpl_real, d->path, NULL };
	int st = 0, r;

	r = run_capture(argv, "qemu-img", 120, 1 << 16, &out, &err, &st);
	if (r == 1)
		warnx("cannot create '%s': qemu-img is not installed "
		    "(Debian: qemu-utils)", esc(d->path));
	else if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		warnx("cannot create '%s': qemu-img: %.*s", esc(d->path),
		    (int)strcspn(err.data ? err.data : "", "\n"),
		    err.data ? err.data : "failed");
		r = -1;
	}
	buf_release(&out);
	buf_release(&err);
	if (r != 0)
		return -1;
	if (chmod(d->path, d->mode) == -1) {
		warn("cannot set the mode of '%s'", esc(d->path));
		return -1;
	}
	return 0;
}

/* The template config's bytes as the clone's config, never over a file. */
static int
write_config(const char *path, const struct domcfg *cfg, mode_t mode)
{
	size_t len, off = 0;
	const char *text = domcfg_original(cfg, &len);
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

/* The directory LVM gives lv's VG ("/dev/VG"), for a message. */
static const char *
dir_of_lv(const struct lvsnap_lv *lv)
{
	static char dir[LVSNAP_PATH_MAX];
	const char *s = strrchr(lv->lv_path, '/');

	snprintf(dir, sizeof(dir), "%.*s", s ? (int)(s - lv->lv_path) : 0,
	    lv->lv_path);
	return dir;
}

/*
 * Snapshot mode, disk i: the template's disk d->tmpl must be an LV that
 * lvs knows (LVM is the authority: the device need not exist on this
 * host) and no snapshot itself.  The new LV is its name with the
 * template's name tname replaced, or --disk's last component, in the
 * directory of the LV's own VG; d->path, the config's target, is
 * d->tmpl with the name replaced, or --disk.  The new LV must not
 * exist.  Its size: --snapshot-size or a fifth of the origin, in whole
 * extents; 0 (a thin snapshot) for a thin origin without
 * --snapshot-size.  Returns 0, or -1 after one message.
 */
static int
plan_snapshot(const struct clone_opts *o, const char *tname, size_t i,
    struct clone_disk *d)
{
	struct lvsnap_lv *lv, other;
	char *obj, *dir, *ldir;
	unsigned depth = 0;
	int r;

	lv = d->lv = xcalloc(1, sizeof(*d->lv));
	if ((r = lvsnap_query(d->tmpl, lv)) == -1)
		return -1;
	if (r == 1) {
		warnx("refusing to clone: the template's disk '%s' is no LV "
		    "that LVM knows (lvs: %s); --disk-mode snapshot wants "
		    "LVs, use overlay or copy for files", esc(d->tmpl),
		    esc(lv->why));
		return -1;
	}
	if (lvsnap_is_thick_snapshot(lv)) {
		warnx("refusing to clone: the template's disk '%s' is itself "
		    "a snapshot (of %s/%s), which LVM cannot snapshot; clone "
		    "from its origin, or use --disk-mode copy", esc(d->tmpl),
		    lv->vg_name, lv->origin);
		return -1;
	}
	d->tmpl_real = xstrdup(lv->lv_path);
	if (o->disks.n) {
		d->path = absolute(o->disks.v[i]);
		dir = dir_of(d->path);
		ldir = dir_of(lv->lv_path);
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
		free(ldir);
		d->new_lv = xstrdup(strrchr(d->path, '/') + 1);
	} else if (tname == NULL || clone_rename_path(lv->lv_name, tname,
	    o->name, &d->new_lv, &depth) != 0 || clone_rename_path(d->tmpl,
	    tname, o->name, &d->path, &depth) != 0 || depth != 0) {
		warnx("refusing to clone: the template's name '%s' is not in "
		    "the name of its LV '%s/%s' (disk '%s'); give --disk "
		    "%s/NEW_LV", tname ? esc(tname) : "(none)", lv->vg_name,
		    lv->lv_name, esc(d->tmpl), esc(dir_of_lv(lv)));
		return -1;
	}
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
 * The template's disks and the clone's paths for them; every refusal
 * before anything is created.  Returns 0, or -1 after messages.
 */
static int
plan_disks(const struct clone_opts *o, const struct domcfg *cfg,
    const char *tname, struct clone_disk **disks_r, size_t *n_r,
    struct strlist *dirs, struct strlist *modes)
{
	struct clone_disk *d = NULL;
	struct imgchk chain;
	struct stat st;
	size_t *idx = NULL, n, i, k;
	char buf[PATH_MAX], *tdir;
	unsigned depth = 0;
	int rc = -1, r;

	n = disks_guest(cfg, &idx);
	*disks_r = NULL;
	*n_r = 0;
	if (n == 0) {
		warnx("refusing to clone: '%s' names no disk of the guest",
		    esc(o->from));
		return -1;
	}
	if (o->disks.n != 0 && o->disks.n != n) {
		warnx("the template has %zu disk%s: give --disk once for "
		    "each, or not at all", n, n == 1 ? "" : "s");
		free(idx);
		return -1;
	}
	d = xcalloc(n, sizeof(*d));
	*disks_r = d;
	*n_r = n;
	for (i = 0; i < n; i++) {
		d[i].tmpl = domcfg_disk_target(cfg, idx[i]);
		if (d[i].tmpl == NULL || d[i].tmpl[0] != '/') {
			warnx("refusing to clone: disk%zu of '%s' is not an "
			    "absolute path", idx[i], esc(o->from));
			goto out;
		}
		if (o->mode == CLONE_MODE_SNAPSHOT) {
			if (plan_snapshot(o, tname, i, &d[i]) == -1)
				goto out;
			for (k = 0; k < i; k++)
				if (strcmp(d[k].new_lv, d[i].new_lv) == 0 &&
				    strcmp(d[k].lv->vg_name,
				    d[i].lv->vg_name) == 0) {
					warnx("refusing to clone: two disks "
					    "would be LV '%s/%s'",
					    d[i].lv->vg_name, d[i].new_lv);
					goto out;
				}
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
		if (imgchk_image(d[i].tmpl_real, 0, NULL, 0, &chain) == -1)
			goto out;
		d[i].format = xstrdup(chain.layer[0].format);
		imgchk_release(&chain);
		if (o->disks.n) {
			d[i].path = absolute(o->disks.v[i]);
			r = 1;
		} else if (tname == NULL) {
			warnx("refusing to clone: '%s' has no name to replace "
			    "in its disk's path '%s'; give --disk NEW_PATH",
			    esc(o->from), esc(d[i].tmpl));
			goto out;
		} else if ((r = clone_rename_path(d[i].tmpl, tname, o->name,
		    &d[i].path, &depth)) != 0) {
			warnx("refusing to clone: the template's name '%s' is "
			    "not in its disk's path '%s'; give --disk "
			    "NEW_PATH", esc(tname), esc(d[i].tmpl));
			goto out;
		}
		for (k = 0; k < i; k++)
			if (strcmp(d[k].path, d[i].path) == 0) {
				warnx("refusing to clone: two disks would be "
				    "'%s'", esc(d[i].path));
				goto out;
			}
		tdir = dir_of(d[i].tmpl);
		r = check_target("disk", d[i].path, r == 0, depth, tdir, dirs,
		    modes);
		free(tdir);
		if (r == -1)
			goto out;
	}
	rc = 0;
out:
	free(idx);
	return rc;
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

int
cmd_clone(int argc, char **argv)
{
	struct clone_opts o;
	struct clone_made made = { STRLIST_INIT, STRLIST_INIT, STRLIST_INIT };
	struct strlist dirs = STRLIST_INIT, modes = STRLIST_INIT;
	struct clone_disk *d = NULL;
	struct domcfg *cfg = NULL;
	struct recipe *r = NULL;
	struct apply_opts ao;
	struct stat st;
	json_object *doc = NULL, *created = NULL, *arr = NULL;
	const char *tname, *v;
	char *cfgout = NULL, *text = NULL, *tdir = NULL, *undo = NULL;
	char *from = NULL;
	char **images = NULL, buf[PATH_MAX];
	size_t n = 0, i;
	unsigned depth = 0;
	mode_t cfgmode;
	int rc = 2, pr, x;

	memset(&o, 0, sizeof(o));
	memset(&ao, 0, sizeof(ao));
	if ((pr = parse_clone_opts(argc, argv, &o)) != 0) {
		rc = pr == 1 ? 0 : cmd_usage_error("clone");
		goto out;
	}
	argc -= optind;
	argv += optind;
	if (o.from == NULL || o.name == NULL || argc > 1) {
		warnx("clone: give --from TEMPLATE_CONFIG, --name NEW and at "
		    "most one recipe");
		rc = cmd_usage_error("clone");
		goto out;
	}
	if (check_name(o.name) == -1) {
		rc = cmd_usage_error("clone");
		goto out;
	}
	if ((v = recipe_vars_get(&o.vars, "name")) != NULL &&
	    strcmp(v, o.name) != 0) {
		warnx("-D name=%s: the clone's ${name} is --name %s", esc(v),
		    esc(o.name));
		rc = cmd_usage_error("clone");
		goto out;
	}
	(void)recipe_vars_set(&o.vars, "name", o.name);

	/* Inputs that cannot be read: exit 2, nothing created. */
	if (domcfg_load(o.from, &cfg) == -1)
		goto out;
	if (domcfg_kind(cfg) != DOMCFG_XEN) {
		warnx("'%s' is libvirt XML: clone does not take it yet (a Xen "
		    "config only)", esc(o.from));
		goto out;
	}
	if (argc == 1) {
		if (recipe_load(argv[0], &o.vars, &r) == -1)
			goto out;
	} else {
		text = default_recipe(domcfg_nic_count(cfg), o.name);
		if (recipe_parse("(built-in clone recipe)", text, strlen(text),
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
	if (tname && strcmp(tname, o.name) == 0) {
		warnx("refusing to clone: the template is named '%s' already",
		    esc(o.name));
		goto out;
	}
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
	if (plan_disks(&o, cfg, tname, &d, &n, &dirs, &modes) == -1 ||
	    (o.mode == CLONE_MODE_SNAPSHOT && check_vg_free(d, n) == -1))
		goto out;
	/* absolute, so that "vm.cfg" in the template's directory has one */
	from = absolute(o.from);
	tdir = dir_of(from);
	if (o.config_out)
		cfgout = absolute(o.config_out), x = 1;
	else if (tname == NULL || (x = clone_rename_path(from, tname, o.name,
	    &cfgout, &depth)) != 0) {
		cfgout = xasprintf("%s/%s.cfg", tdir, o.name);
		x = 1;
	}
	if (check_target("config", cfgout, x == 0, depth, tdir, &dirs,
	    &modes) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (strcmp(d[i].path, cfgout) == 0) {
			warnx("refusing to clone: the config and a disk would "
			    "be '%s'", esc(cfgout));
			goto out;
		}
	for (i = 0; i < n; i++)
		if (cmd_refuse_alive(d[i].tmpl, tname,
		    domcfg_get_string(cfg, "uuid"), o.force, "clone") == -1)
			goto out;
	if (o.mode == CLONE_MODE_DEFAULT) {
		/*
		 * One try of FICLONE where the first disk goes: in the
		 * directory above, when that directory is still to be made.
		 */
		char *dir = dir_of(d[0].path), *up = dir_of(dir);

		x = clone_reflink_probe(d[0].tmpl_real,
		    strlist_has(&dirs, dir) ? up : dir);
		free(up);
		free(dir);
		if (x == -1)
			goto out;
		o.mode = x == 1 ? CLONE_MODE_COPY : CLONE_MODE_OVERLAY;
	}

	if (o.json) {
		doc = json_object_new_object();
		created = json_object_new_object();
		json_object_object_add(doc, o.dry_run ? "would_create" :
		    "created", created);
		json_object_object_add(created, "directories",
		    cmd_json_strlist(&dirs));
		arr = json_object_new_array();
		json_object_object_add(created, "disks", arr);
		json_object_object_add(created, "config",
		    json_object_new_string(cfgout));
	}
	if (o.dry_run) {
		for (i = 0; i < dirs.n && !o.json; i++)
			printf("would create directory %s (mode %s)\n",
			    esc(dirs.v[i]), modes.v[i]);
		for (i = 0; i < n; i++)
			report_disk(arr, o.mode, &d[i], true);
		if (!o.json) {
			printf("would create config %s (from %s)\n",
			    esc(cfgout), esc(o.from));
			printf("then apply %s to it and to %s (not planned in "
			    "a dry run: it needs the new disk)\n",
			    argc == 1 ? esc(argv[0]) : "the built-in recipe",
			    esc(d[0].path));
		}
		rc = 0;
		goto print;
	}

	/* Create; from here on a failure removes what was made. */
	for (i = 0; i < dirs.n; i++) {
		unsigned long m = strtoul(modes.v[i], NULL, 8);

		if (mkdir(dirs.v[i], 0700) == -1) {
			warn("cannot create directory '%s'", esc(dirs.v[i]));
			goto fail;
		}
		strlist_add(&made.dirs, dirs.v[i]);
		if (chmod(dirs.v[i], (mode_t)m) == -1) {
			warn("cannot set the mode of '%s'", esc(dirs.v[i]));
			goto fail;
		}
		if (!o.json)
			printf("created directory %s\n", esc(dirs.v[i]));
	}
	for (i = 0; i < n; i++) {
		if (o.mode == CLONE_MODE_SNAPSHOT) {
			if (make_snapshot(&d[i], &made.lvs) == -1)
				goto fail;
			report_disk(arr, o.mode, &d[i], false);
			continue;
		}
		if (o.mode == CLONE_MODE_OVERLAY)
			x = make_overlay(&d[i]);
		else
			x = clone_copy_file(d[i].tmpl_real, d[i].path,
			    d[i].mode, &d[i].reflinked);
		/* qemu-img may leave a file behind when it fails */
		if (x == 0 || lstat(d[i].path, &st) == 0)
			strlist_add(&made.files, d[i].path);
		if (x == -1)
			goto fail;
		report_disk(arr, o.mode, &d[i], false);
	}
	if (write_config(cfgout, cfg, cfgmode) == -1)
		goto fail;
	strlist_add(&made.files, cfgout);
	if (!o.json)
		printf("created config %s\n", esc(cfgout));
	/* the apply's record of the first disk goes with the disk */
	if (realpath(d[0].path, buf) == NULL) {
		warn("cannot open '%s'", esc(d[0].path));
		goto fail;
	}
	undo = undo_path_for(buf);
	strlist_add(&made.files, undo);
	fflush(stdout);

	ao.force = o.force;
	ao.json = o.json;
	ao.discard_on_failure = true;
	ao.vmcfg = cfgout;
	ao.vars = o.vars;
	images = xcalloc(n + 1, sizeof(*images));
	for (i = 0; i < n; i++)
		images[i] = d[i].path;
	rc = apply_run(&ao, r, images, 1, n > 1 ? images : NULL, n, doc);
	if (rc == 0)
		goto print;
fail:
	rc = 1;
	fflush(stdout);
	warnx("clone '%s' failed: removing what it created", esc(o.name));
	remove_made(&made, doc);
print:
	if (doc)
		puts(json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	if (doc)
		json_object_put(doc);
	free(images);
	free(undo);
	free(cfgout);
	free(from);
	free(tdir);
	free(text);
	release_disks(d, n);
	strlist_release(&made.files);
	strlist_release(&made.lvs);
	strlist_release(&made.dirs);
	strlist_release(&dirs);
	strlist_release(&modes);
	recipe_free(r);
	domcfg_free(cfg);
	recipe_vars_release(&o.vars);
	strlist_release(&o.disks);
	if (fflush(stdout) == EOF && rc == 0)
		rc = 1;
	return rc;
}
