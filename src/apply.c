/*
 * apply.c - the apply engine (see apply.h): plan one image, record the
 * plan for undo, carry it out, report it.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "cmdutil.h"
#include "disks.h"
#include "guest.h"
#include "domcfg.h"
#include "hostfile.h"
#include "ident.h"
#include "plan.h"
#include "recipe.h"
#include "rootdir.h"
#include "survey.h"
#include "testpoint.h"
#include "undo.h"
#include "util.h"
#include "virtdom.h"

/* --- configs --------------------------------------------------------- */

/* Which domain config goes with image: NULL for none (*path_r). */
int
apply_config_for(const struct apply_opts *o, const struct recipe *r,
    const char *image, char **path_r)
{
	char *p;

	*path_r = NULL;
	if (o->vmcfg) {
		*path_r = xstrdup(o->vmcfg);
		return 0;
	}
	if (o->domain) {
		*path_r = virtdom_ref(o->connect, o->domain);
		return 0;
	}
	switch (r->host.config_kind) {
	case RECIPE_CONFIG_NONE:
		return 0;
	case RECIPE_CONFIG_PATH:
		*path_r = xstrdup(r->host.config_path);
		return 0;
	case RECIPE_CONFIG_DOMAIN:
		*path_r = virtdom_ref(o->connect, r->host.config_path);
		return 0;
	case RECIPE_CONFIG_AUTO:
		break;
	}
	/* Oracle VM keeps vm.cfg beside System.img. */
	p = path_beside(image, "vm.cfg");
	if (access(p, F_OK) == 0) {
		*path_r = p;
		return 0;
	}
	free(p);
	if (r->host.name || r->host.uuid_kind != RECIPE_UUID_KEEP ||
	    r->host.ndisks > 0) {
		warnx("%s:%zu: the recipe sets the domain's name, uuid or "
		    "disks, but there is no vm.cfg beside '%s'; give --vmcfg "
		    "FILE or 'config = PATH'", esc(r->path), r->host.line,
		    esc(image));
		return -1;
	}
	return 0;
}

int
apply_load_config(struct apply_job *j, const char *cfgpath, bool write)
{
	char buf[PATH_MAX];

	if (cfgpath == NULL)
		return 0;
	if (virtdom_is_ref(cfgpath))
		return virtdom_load(cfgpath, write, &j->cfg);
	if (realpath(cfgpath, buf) == NULL) {
		warn("cannot read domain config '%s'", esc(cfgpath));
		return -1;
	}
	return domcfg_load(buf, &j->cfg);
}

int
apply_job_disks(struct apply_job *j, const struct recipe *r,
    char *const *images, size_t n)
{
	char buf[PATH_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		if (images[i][0] == '/')
			strlist_add(&j->disks, images[i]);
		else if (realpath(images[i], buf) == NULL) {
			warn("cannot open image '%s'", esc(images[i]));
			return -1;
		} else
			strlist_add(&j->disks, buf);
	}
	if (j->cfg == NULL)
		return 0;
	return disks_check(j->cfg, r, (const char *const *)j->disks.v,
	    j->disks.n);
}

/* The identity after the run, "KEY": "VALUE", the password hash left
 * out. */
static json_object *
json_identity(const struct plan *p)
{
	json_object *o = json_object_new_object();
	const char *eq;
	char *key;
	size_t i;

	for (i = 0; i < p->applied.n; i++) {
		if ((eq = strchr(p->applied.v[i], '=')) == NULL ||
		    strncmp(p->applied.v[i], "root-password", 13) == 0)
			continue;
		key = xstrndup(p->applied.v[i], (size_t)(eq - p->applied.v[i]));
		json_object_object_add(o, key, json_object_new_string(eq + 1));
		free(key);
	}
	return o;
}

static void
report(const struct apply_opts *o, struct apply_job *j, const struct plan *p,
    const char *root, const char *undo_file, const char *state)
{
	static const char *const ops[] = { "modify", "create", "remove",
	    "symlink", "uuid" };
	struct buf text = BUF_INIT;
	json_object *files;
	size_t i;

	if (o->json) {
		json_object_object_add(j->json, "identity", json_identity(p));
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
	/*
	 * Paths, names and values come from the guest (a file name, an
	 * LV, an old host name) or the host: escaped, so none can drive
	 * the terminal or forge a line of this summary.
	 */
	printf("%s: %s (root %s)\n", esc(j->image), state, esc(root));
	plan_summary_text(p, &text);
	fwrite(text.data ? text.data : "", 1, text.len, stdout);
	buf_release(&text);
	if (p->password && !o->dry_run)
		printf("  root password: %s\n", p->password);
	else if (p->password)
		printf("  root password: a new one is made when applied\n");
	if (undo_file)
		printf("  undo record: %s\n", esc(undo_file));
}

static void
phase(const struct apply_ctx *c, const char *what)
{
	if (c->phase)
		c->phase(c->phase_arg, what);
}

/* j's config as it was loaded: plan_build edits it in memory. */
static int
config_reset(struct apply_job *j)
{
	struct domcfg *cfg;
	const char *text;
	size_t len;

	if (j->cfg == NULL || !domcfg_changed(j->cfg))
		return 0;
	text = domcfg_original(j->cfg, &len);
	if (domcfg_parse(domcfg_path(j->cfg), text, len, &cfg) == -1)
		return -1;
	domcfg_free(j->cfg);
	j->cfg = cfg;
	return 0;
}

/*
 * The plan was made on filesystems mounted without replaying their
 * journal (guest_replay_pending): it only showed that there is work and
 * that it is allowed.  Mount read-write, which replays the journal, and
 * survey and plan again on what the guest will really see.  Returns 0,
 * or -1 after its message.
 */
static int
replan_replayed(const struct apply_ctx *c, struct guest *gs,
    struct apply_job *j, const struct guest_root *root, struct survey *s,
    struct plan_input *in, struct plan *p)
{
	int pending = guest_replay_pending(gs);

	if (pending == 2)
		warnx("'%s': %s was not shut down cleanly: its journal is "
		    "replayed now, and the plan made again", esc(j->image),
		    esc(root->display));
	phase(c, "replaying");
	plan_release(p);
	survey_release(s);
	memset(p, 0, sizeof(*p));
	memset(s, 0, sizeof(*s));
	if (guest_mount_rw(gs, root) == -1 || survey_read(in->fs, s) == -1 ||
	    config_reset(j) == -1)
		return -1;
	testpoint("replayed");
	in->cfg = j->cfg;
	return plan_build(p, in);
}

/*
 * What a root mounted read-write at once (guest_rw_early) changed when
 * its plan then wrote nothing: "" when it was not.
 */
static const char *
early_note(const struct guest *gs)
{
	return gs != NULL && guest_rw_early(gs) ? ": its root was mounted "
	    "read-write ahead of the plan (a batch clone with the first "
	    "clone's bytes), which changed its mount count and times only" :
	    "";
}

int
apply_image(const struct apply_ctx *c, struct guest *gs, size_t k,
    struct apply_job *j)
{
	const struct apply_opts *o = c->o;
	const struct recipe *r = c->r;
	struct guest_root root;
	struct root_spec spec;
	struct survey s;
	struct plan p;
	struct plan_input in;
	struct undo *prev = NULL, *u = NULL, *kept = NULL;
	struct gfs *fs = c->tree ? c->tree->fs : guest_gfs(gs);
	char *undo_file = NULL;
	size_t changed;
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
	phase(c, "planning");
	if ((st = undo_load(j->real, &prev)) == -1)
		goto out;
	if (!c->tree)
		guest_expect_write(gs, !o->dry_run && prev == NULL &&
		    recipe_always_writes(r));
	if (c->tree)
		rootdir_copy_root(c->tree, &root);
	else if (guest_pick_root(gs, k, &spec, c->like && c->like->dev ?
	    c->like : NULL, &root, NULL, NULL) == -1)
		goto out;
	if (spec.how == ROOT_AUTO && c->like && c->like->dev == NULL) {
		/* the batch's first root: later clones verify it */
		c->like->dev = xstrdup(root.dev);
		c->like->display = xstrdup(root.display);
		c->like->os.distro = xstrdup(root.os.distro);
		c->like->os.major = root.os.major;
	}
	if ((!c->tree && guest_mount_root(gs, &root) == -1) ||
	    survey_read(fs, &s) == -1)
		goto out;
	testpoint("surveyed");
	memset(&in, 0, sizeof(in));
	in.recipe = r;
	in.fs = fs;
	in.root = &root;
	in.survey = &s;
	in.cfg = j->cfg;
	in.macs = c->macs;
	in.prev = prev;
	in.images = (const char *const *)j->disks.v;
	in.nimages = j->disks.n;
	if (plan_build(&p, &in) == -1) {
		warnx("'%s' left unchanged%s", esc(j->image), early_note(gs));
		goto out;
	}
	if (!c->tree && p.n > 0 && prev == NULL)
		guest_planned_fresh(gs, k);
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
	if (p.n > 0 && !c->tree && guest_replay_pending(gs) &&
	    replan_replayed(c, gs, j, &root, &s, &in, &p) == -1) {
		warnx("'%s' left unchanged but for its journal, replayed",
		    esc(j->image));
		goto out;
	}
	if (p.n == 0) {
		if (!c->tree && guest_replay_pending(gs) == 2)
			warnx("note: '%s': %s was not shut down cleanly; "
			    "nothing to change in what it holds before its "
			    "journal is replayed, which is left to its next "
			    "mount so that this run writes nothing",
			    esc(j->image), esc(root.display));
		if (*early_note(gs) != '\0')
			warnx("note: '%s'%s", esc(j->image), early_note(gs));
		report(o, j, &p, root.display, NULL, "no changes");
		rc = 0;
		goto out;
	}
	/*
	 * The undo record first: it must exist before any byte changes.
	 * The last apply's record is loaded twice: one copy takes this
	 * plan, the other is put back if nothing changes after all.
	 */
	if (prev != NULL && undo_load(j->real, &kept) != 0) {
		warnx("'%s' left unchanged", esc(j->image));
		goto out;
	}
	u = prev ? prev : undo_new(j->real, root.display);
	prev = NULL;
	plan_to_undo(&p, u);
	if (undo_save(u) == -1) {
		warnx("'%s' left unchanged", esc(j->image));
		goto out;
	}
	testpoint("recorded");
	undo_file = undo_path_for(j->real);
	phase(c, "writing");
	if (!c->tree && guest_mount_rw(gs, &root) == -1) {
		(void)undo_forget(j->real, kept);
		warnx("'%s' left unchanged", esc(j->image));
		goto out;
	}
	st = plan_carry_out(fs, &p, &changed);
	j->touched = changed > 0;
	if (st == -1 && changed == 0) {
		/* staging failed, or the first write: nothing to undo */
		(void)undo_forget(j->real, kept);
		warnx("'%s' left unchanged", esc(j->image));
		goto out;
	}
	if (st == -1 && o->discard_on_failure) {
		warnx("'%s' is partly changed (clone removes it)",
		    esc(j->image));
		goto out;
	}
	if (st == -1) {
		warnx("'%s' is partly changed; 'imprint undo %s%s' puts it "
		    "back", esc(j->image), c->tree ? "--root-dir " : "",
		    esc(j->image));
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
	undo_free(kept);
	plan_release(&p);
	survey_release(&s);
	guest_root_release(&root);
	return rc;
}

