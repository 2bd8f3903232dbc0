/*
 * batch.c - the batch runner (see batch.h).
 *
 * The parent never opens an appliance.  It checks every row first, then
 * forks the workers.  Each worker runs in its own process group, so a
 * Ctrl-C at the terminal reaches the parent only: the parent then tells
 * the workers to stop taking images, and each finishes the image in hand
 * (its qemu is not killed under it).  A second Ctrl-C kills them.
 *
 * Work is shared through one counter in a shared mapping: a worker takes
 * the next slice of the list (one appliance launch), so a slow image
 * holds up only its own slice.  MACs are unique across workers by
 * construction: all start from the same set of taken MACs and each draws
 * from its own lane (ident_macs_set_lane).
 *
 * Each worker's stderr is a pipe to the parent, which carries both its
 * messages and its events, in the order they happened, so each message
 * is filed under the image in hand.  An event is a line that starts with
 * \036, a random tag the parent chose (a guest's filesystem label in a
 * message cannot forge one) and a space, then one JSON object:
 *   {"ev":"take","items":[3,4]}            the worker owns these now
 *   {"ev":"launch","n":2}                  an appliance for n images
 *   {"ev":"start","item":3}                work on an item begins
 *   {"ev":"phase","item":3,"phase":"writing"}
 *   {"ev":"done","item":3,"ok":true,"touched":true,"seconds":0.6,
 *    "result":{...}}                       apply's JSON for the image
 * Every other line is a message; the parent files it under the item in
 * hand and shows it.
 */
#define _GNU_SOURCE	/* pipe2, program_invocation_short_name */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alive.h"
#include "apply.h"
#include "batch.h"
#include "cmdutil.h"
#include "guest.h"
#include "domcfg.h"
#include "hostfile.h"
#include "ident.h"
#include "inventory.h"
#include "plan.h"
#include "recipe.h"
#include "util.h"
#include "virtdom.h"

#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define MIN(a, b)	((a) < (b) ? (a) : (b))

enum outcome { OUT_PENDING, OUT_OK, OUT_FAILED, OUT_SKIPPED };

/* One selected row. */
struct item {
	const struct inventory_row *ir;
	size_t			 row;		/* index among all rows */
	enum outcome		 out;
	bool			 touched;	/* a file changed */
	char			*phase;
	int			 worker;	/* -1: none yet */
	double			 secs;
	struct strlist		 msgs;		/* its messages */
	json_object		*result;	/* apply's object */
};

/* What the workers share with the parent. */
struct shared {
	atomic_size_t		 next;		/* next index into todo */
	atomic_int		 stop;
};

/* The parent's view of one worker. */
struct worker {
	pid_t			 pid;
	int			 fd;		/* -1 at EOF */
	struct buf		 in;
	long			 cur;		/* item in hand, -1 */
	size_t			 launching;	/* images, 0 when not */
};

struct batch {
	const struct apply_opts	*o;
	const char		*recipe_path;
	char			*recipe_text;
	size_t			 recipe_len;
	struct inventory	*inv;
	bool			 inv_borrowed;	/* batch_run_inventory's */
	struct item		*items;
	size_t			 nitems;
	size_t			*todo;		/* items for the workers */
	size_t			 ntodo, slice;
	unsigned		 jobs, per_launch, shard_i, shard_n;
	struct ident_macs	*macs;
	struct shared		*sh;
	struct worker		*w;
	struct timespec		 t0;
	size_t			 launches;
	bool			 tty, bar;	/* progress bar, and shown */
	struct strlist		 shown;		/* lines for no item, shown */
	struct strlist		 domains;	/* libvirt domains of the
						   rows checked, by uuid */
	/* The image of every row, all shards: what the run writes, and
	 * so what no row's backing chain may go through (imgchk.h). */
	const char		**written;
	char			 tag[2 + 16 + 2];	/* \036, hex, space */
};

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted++;
}

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "imprint: x" -> "x", for messages kept in the report. */
static const char *
unprefixed(const char *line)
{
	size_t n = strlen(program_invocation_short_name);

	if (strncmp(line, program_invocation_short_name, n) == 0 && strncmp(line + n, ": ",
	    2) == 0)
		return line + n + 2;
	return line;
}

/* --- capturing messages in the parent ------------------------------------ */

/*
 * The checks before the workers print with warnx like everything else;
 * to file the messages under their row, stderr is a memory stream while
 * one row is checked, then the text is shown and kept.
 */
struct capture {
	FILE	*saved;
	char	*text;
	size_t	 len;
};

static void
capture_begin(struct capture *c)
{
	FILE *m;

	fflush(stderr);
	c->saved = NULL;
	c->text = NULL;
	c->len = 0;
	if ((m = open_memstream(&c->text, &c->len)) == NULL)
		return;		/* messages then go straight out */
	c->saved = stderr;
	stderr = m;
}

/* Show what was captured and add each line to msgs (may be NULL). */
static void
capture_end(struct capture *c, struct strlist *msgs)
{
	char *line, *save = NULL;

	if (c->saved == NULL)
		return;
	fclose(stderr);
	stderr = c->saved;
	if (c->text == NULL)
		return;
	fputs(c->text, stderr);
	for (line = strtok_r(c->text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save))
		if (msgs)
			strlist_add(msgs, unprefixed(line));
	free(c->text);
	c->text = NULL;
}

/* --- checks before the workers ------------------------------------------- */

/* The row at inventory line `line`, among the selected items. */
static struct item *
item_at_line(struct batch *b, size_t line)
{
	size_t i;

	for (i = 0; i < b->nitems; i++)
		if (b->items[i].ir->line == line)
			return &b->items[i];
	return NULL;
}

/* File the recipe check's messages ("INV:LINE: row for ...") by row. */
static void
file_check_messages(struct batch *b, const struct strlist *msgs)
{
	size_t i, plen = strlen(b->inv->path);
	const char *m;
	struct item *it;
	char *end;

	for (i = 0; i < msgs->n; i++) {
		m = msgs->v[i];
		if (strncmp(m, b->inv->path, plen) != 0 || m[plen] != ':')
			continue;
		it = item_at_line(b, strtoul(m + plen + 1, &end, 10));
		if (it && *end == ':')
			strlist_add(&it->msgs, m);
	}
}

static void
row_options(const struct batch *b, const struct inventory_row *ir,
    struct apply_opts *ro)
{
	*ro = *b->o;
	ro->vmcfg = ir->config;
}

/* Parse the recipe with row ir's variables; quiet: it passed the check. */
static int
row_recipe(const struct batch *b, const struct inventory_row *ir,
    struct recipe **r)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	int rc;

	inventory_row_vars(ir, &b->o->vars, &v);
	rc = recipe_parse(b->recipe_path, b->recipe_text, b->recipe_len, &v,
	    r);
	recipe_vars_release(&v);
	return rc;
}

/*
 * Load what row ir needs to be applied: its options (*ro), the image's
 * realpath (j->real), the recipe with the row's variables (*r) and the
 * domain config (j->cfg, its path in *cfgpath_r, NULL for none; caller
 * frees).  The parent does it to check the row, the worker again to
 * apply it.  Returns 0, or -1 after messages.
 */
static int
load_row(const struct batch *b, const struct inventory_row *ir,
    struct apply_opts *ro, struct recipe **r, struct apply_job *j,
    char **cfgpath_r)
{
	char real[PATH_MAX];

	*cfgpath_r = NULL;
	row_options(b, ir, ro);
	j->image = ir->image;
	if (realpath(ir->image, real) == NULL) {
		warn("cannot open image '%s'", ir->image);
		return -1;
	}
	j->real = xstrdup(real);
	if (row_recipe(b, ir, r) == -1 ||
	    apply_config_for(ro, *r, ir->image, cfgpath_r) == -1 ||
	    apply_load_config(j, *cfgpath_r, !ro->dry_run) == -1 ||
	    apply_job_disks(j, *r, ir->images.v, ir->images.n) == -1)
		return -1;
	return 0;
}

/*
 * The parent's checks of one good row: the image can be resolved, the
 * recipe, its password file and the domain config load, and no other row
 * has that config.
 * Every MAC the config or the recipe names is taken, so no worker can
 * generate it.  Returns 0, or -1 after messages.
 */
static int
check_item(struct batch *b, struct item *it, struct stat *cfgs,
    size_t *ncfgs)
{
	struct apply_opts ro;
	struct apply_job j;
	struct recipe *r = NULL;
	struct stat st;
	char *cfgpath = NULL, *m;
	size_t i;
	int rc = -1;

	memset(&j, 0, sizeof(j));
	if (load_row(b, it->ir, &ro, &r, &j, &cfgpath) == -1)
		goto out;
	if (r->guest.password_kind == RECIPE_PASSWORD_FILE) {
		if (plan_password_file(r, &m) == -1)
			goto out;
		free(m);
	}
	if (b->o->connect && (cfgpath == NULL || !virtdom_is_ref(cfgpath))) {
		warnx("%s:%zu: row for %s: --connect goes with a recipe's "
		    "[host] domain, and this row's config is %s",
		    b->inv->path, it->ir->line, it->ir->image, cfgpath ?
		    cfgpath : "none");
		goto out;
	}
	if (j.cfg && virtdom_is_ref(domcfg_path(j.cfg))) {
		/* the same domain, however the rows named it */
		if (strlist_has(&b->domains, domcfg_path(j.cfg))) {
			warnx("%s:%zu: row for %s: its libvirt domain '%s' is "
			    "also an earlier row's", b->inv->path,
			    it->ir->line, it->ir->image, domcfg_path(j.cfg));
			goto out;
		}
		strlist_add(&b->domains, domcfg_path(j.cfg));
	} else if (cfgpath && stat(cfgpath, &st) == 0) {
		for (i = 0; i < *ncfgs; i++)
			if (cfgs[i].st_dev == st.st_dev &&
			    cfgs[i].st_ino == st.st_ino) {
				warnx("%s:%zu: row for %s: its domain config "
				    "'%s' is also an earlier row's", b->inv->path,
				    it->ir->line, it->ir->image, cfgpath);
				goto out;
			}
		cfgs[(*ncfgs)++] = st;
	}
	for (i = 0; j.cfg && i < domcfg_nic_count(j.cfg); i++) {
		if ((m = domcfg_nic_get(j.cfg, i, "mac")) != NULL)
			(void)ident_macs_take_str(b->macs, m);
		free(m);
	}
	for (i = 0; i < r->nnics; i++)
		if (r->nics[i].mac_kind == RECIPE_MAC_FIXED)
			(void)ident_macs_take_str(b->macs, r->nics[i].mac);
	rc = 0;
out:
	free(cfgpath);
	free(j.real);
	domcfg_free(j.cfg);
	strlist_release(&j.disks);
	recipe_free(r);
	return rc;
}

/*
 * -j by default: the cores, but no more appliances of `drives` drives
 * than the available memory holds.  The appliances share the cores as
 * vCPUs (guest_set_jobs): one appliance of 4 drives or more on two cores
 * gets two.
 */
static unsigned
default_jobs(size_t drives)
{
	unsigned long long per = BATCH_MIB_BASE + BATCH_MIB_PER_DRIVE *
	    (unsigned long long)drives;
	unsigned cores = host_cpus();
	unsigned long long kb = 0;
	unsigned j, bymem;
	char line[256];
	FILE *f;

	j = cores > BATCH_MAX_JOBS ? BATCH_MAX_JOBS : cores;
	if ((f = fopen("/proc/meminfo", "re")) == NULL)
		return j;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	if (kb == 0)
		return j;
	bymem = (unsigned)(kb / 1024 / per);
	if (bymem < 1)
		bymem = 1;
	if (bymem < j) {
		warnx("running %u appliance%s at a time, not %u (one per "
		    "core): %.1f GiB of memory is available and each, with "
		    "%zu drive%s, needs about %.1f GiB; -j N or a smaller "
		    "--per-launch overrides", bymem, bymem > 1 ? "s" : "", j,
		    (double)kb / 1048576.0, drives, drives == 1 ? "" : "s",
		    (double)per / 1024.0);
		j = bymem;
	}
	return j;
}

/* --- the worker ---------------------------------------------------------- */

/* One image in a worker. */
struct wjob {
	struct item		*it;
	size_t			 idx;		/* in b->items */
	struct apply_opts	 ro;
	struct recipe		*r;
	struct apply_job	 job;
	int			*xlock;		/* image2...: their locks */
	size_t			 nx;
};

struct wctx {
	struct batch		*b;
	struct guest_root	 like;
	size_t			 cur;		/* item for phase events */
};

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			_exit(3);	/* the parent is gone */
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Send ev (consumed) to the parent. */
static void
emit(struct wctx *w, json_object *ev)
{
	const char *s = json_object_to_json_string_ext(ev,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	fflush(stderr);		/* its messages first */
	write_all(STDERR_FILENO, w->b->tag, strlen(w->b->tag));
	write_all(STDERR_FILENO, s, strlen(s));
	write_all(STDERR_FILENO, "\n", 1);
	json_object_put(ev);
}

static json_object *
event(const char *ev)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ev", json_object_new_string(ev));
	return o;
}

static void
emit_item(struct wctx *w, const char *ev, size_t idx)
{
	json_object *o = event(ev);

	json_object_object_add(o, "item", json_object_new_int64((int64_t)idx));
	emit(w, o);
}

static void
on_phase(void *arg, const char *what)
{
	struct wctx *w = arg;
	json_object *o = event("phase");

	json_object_object_add(o, "item",
	    json_object_new_int64((int64_t)w->cur));
	json_object_object_add(o, "phase", json_object_new_string(what));
	emit(w, o);
}

/* The outcome of item idx; result (consumed) may be NULL. */
static void
emit_done(struct wctx *w, size_t idx, bool ok, bool touched, double secs,
    json_object *result)
{
	json_object *o = event("done");

	json_object_object_add(o, "item", json_object_new_int64((int64_t)idx));
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	json_object_object_add(o, "touched", json_object_new_boolean(touched));
	json_object_object_add(o, "seconds", json_object_new_double(secs));
	if (result)
		json_object_object_add(o, "result", result);
	emit(w, o);
}

/*
 * A worker's checks of one image, right before its launch: the recipe
 * and config again (the parent freed its copies), the image on the
 * host, then the lock and the liveness check.  Returns 0 or -1.
 */
static int
prepare(struct wctx *w, struct wjob *wj)
{
	const struct inventory_row *ir = wj->it->ir;
	struct batch *b = w->b;
	char *cfgpath = NULL;
	size_t i;
	int rc = -1;

	wj->job.lockfd = -1;
	if (load_row(b, ir, &wj->ro, &wj->r, &wj->job, &cfgpath) == -1 ||
	    guest_check_image(ir->image, b->o->dry_run, b->written,
	    b->inv->nrows) == -1)
		goto out;
	wj->ro.json = true;
	if (!b->o->dry_run && (alive_lock_image(ir->image,
	    &wj->job.lockfd) != 0 || cmd_refuse_alive(ir->image, wj->job.cfg ?
	    domcfg_get_string(wj->job.cfg, "name") : NULL, wj->job.cfg ?
	    domcfg_get_string(wj->job.cfg, "uuid") : NULL, b->o->force,
	    "edit") == -1))
		goto out;
	/* The guest's further disks: not attached (the recipe edits the
	 * disk with the root), but no one may run the guest meanwhile. */
	wj->xlock = xcalloc(ir->images.n, sizeof(*wj->xlock));
	for (i = 1; i < ir->images.n; i++) {
		wj->xlock[wj->nx] = -1;
		if (guest_check_image(ir->images.v[i], true, NULL, 0) == -1)
			goto out;
		if (b->o->dry_run)
			continue;
		if (alive_lock_image(ir->images.v[i], &wj->xlock[wj->nx])
		    != 0)
			goto out;
		wj->nx++;
		if (cmd_refuse_alive(ir->images.v[i], NULL, NULL,
		    b->o->force, "edit") == -1)
			goto out;
	}
	rc = 0;
out:
	free(cfgpath);
	return rc;
}

static void
release(struct wjob *wj)
{
	size_t i;

	for (i = 0; i < wj->nx; i++)
		if (wj->xlock[i] != -1)
			close(wj->xlock[i]);
	free(wj->xlock);
	wj->xlock = NULL;
	wj->nx = 0;
	recipe_free(wj->r);
	domcfg_free(wj->job.cfg);
	strlist_release(&wj->job.disks);
	free(wj->job.real);
	if (wj->job.lockfd != -1)
		close(wj->job.lockfd);
	if (wj->job.json)
		json_object_put(wj->job.json);
	memset(&wj->job, 0, sizeof(wj->job));
	wj->job.lockfd = -1;
	wj->r = NULL;
}

static void run_slice(struct wctx *, const size_t *idx, size_t n,
    int attempt);

/* Apply the prepared images of wj[0..m-1] in one appliance. */
static void
run_launch(struct wctx *w, struct wjob *wj, size_t m, int attempt)
{
	struct batch *b = w->b;
	struct apply_ctx ctx;
	struct timespec t;
	struct guest *gs = NULL;
	json_object *o;
	char **paths;
	size_t k, i, *rest;
	int rc;

	paths = xcalloc(m + 1, sizeof(*paths));
	for (k = 0; k < m; k++)
		paths[k] = (char *)wj[k].job.image;
	o = event("launch");
	json_object_object_add(o, "n", json_object_new_int64((int64_t)m));
	emit(w, o);
	if (m == 1)
		emit_item(w, "start", wj[0].idx);
	if (guest_open(&gs, paths, m, b->o->dry_run) == -1) {
		free(paths);
		if (m == 1) {
			emit_done(w, wj[0].idx, false, false, 0, NULL);
			release(&wj[0]);
			return;
		}
		/* Which image broke the launch?  Halve and retry. */
		warnx("retrying the %zu images of the failed launch in two "
		    "halves", m);
		rest = xcalloc(m, sizeof(*rest));
		for (k = 0; k < m; k++) {
			rest[k] = wj[k].idx;
			release(&wj[k]);
		}
		run_slice(w, rest, m / 2, attempt);
		run_slice(w, rest + m / 2, m - m / 2, attempt);
		free(rest);
		return;
	}
	free(paths);
	for (k = 0; k < m; k++) {
		if (atomic_load(&b->sh->stop)) {
			emit_item(w, "skip", wj[k].idx);
			release(&wj[k]);
			continue;
		}
		w->cur = wj[k].idx;
		emit_item(w, "start", wj[k].idx);
		memset(&ctx, 0, sizeof(ctx));
		ctx.o = &wj[k].ro;
		ctx.r = wj[k].r;
		ctx.macs = b->macs;
		ctx.like = &w->like;
		ctx.phase = on_phase;
		ctx.phase_arg = w;
		wj[k].job.json = json_object_new_object();
		json_object_object_add(wj[k].job.json, "image",
		    json_object_new_string(wj[k].job.image));
		clock_gettime(CLOCK_MONOTONIC, &t);
		rc = apply_image(&ctx, gs, k, &wj[k].job);
		emit_done(w, wj[k].idx, rc == 0, wj[k].job.touched, since(&t),
		    json_object_get(wj[k].job.json));
		release(&wj[k]);
		if (rc == 0 || guest_alive(gs) || k + 1 == m)
			continue;
		/* The appliance died: the rest get a new one, once. */
		guest_close(gs);
		gs = NULL;
		rest = xcalloc(m - k - 1, sizeof(*rest));
		for (i = k + 1; i < m; i++) {
			rest[i - k - 1] = wj[i].idx;
			release(&wj[i]);
		}
		if (attempt == 0) {
			warnx("the appliance died; the %zu images it had not "
			    "reached yet get a new one", m - k - 1);
			run_slice(w, rest, m - k - 1, 1);
		} else
			for (i = 0; i < m - k - 1; i++) {
				emit_item(w, "start", rest[i]);
				warnx("not attempted: the appliance died twice");
				emit_done(w, rest[i], false, false, 0, NULL);
			}
		free(rest);
		break;
	}
	if (gs && guest_close(gs) == -1)
		warnx("(each image's writes were flushed before its domain "
		    "config was written)");
}

/* Prepare items idx[0..n-1] and apply the ready ones in one launch. */
static void
run_slice(struct wctx *w, const size_t *idx, size_t n, int attempt)
{
	struct wjob *wj;
	size_t i, m = 0;

	if (n == 0)
		return;
	wj = xcalloc(n, sizeof(*wj));
	for (i = 0; i < n; i++) {
		struct wjob *x = &wj[m];

		x->idx = idx[i];
		x->it = &w->b->items[idx[i]];
		x->job.lockfd = -1;
		emit_item(w, "start", idx[i]);
		if (prepare(w, x) == -1) {
			emit_done(w, idx[i], false, false, 0, NULL);
			release(x);
			continue;
		}
		m++;
	}
	if (m > 0)
		run_launch(w, wj, m, attempt);
	free(wj);
}

static void __attribute__((noreturn))
worker_main(struct batch *b, unsigned n)
{
	struct wctx w;
	json_object *o, *a;
	size_t start, end, i;

	memset(&w, 0, sizeof(w));
	w.b = b;
	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	ident_macs_set_lane(b->macs, n, b->jobs);
	while (!atomic_load(&b->sh->stop)) {
		start = atomic_fetch_add(&b->sh->next, b->slice);
		if (start >= b->ntodo)
			break;
		end = start + b->slice < b->ntodo ? start + b->slice :
		    b->ntodo;
		o = event("take");
		a = json_object_new_array();
		for (i = start; i < end; i++)
			json_object_array_add(a,
			    json_object_new_int64((int64_t)b->todo[i]));
		json_object_object_add(o, "items", a);
		emit(&w, o);
		run_slice(&w, b->todo + start, end - start, 0);
	}
	guest_root_release(&w.like);
	fflush(stderr);
	_exit(0);
}

/* --- the parent: progress ------------------------------------------------ */

static void
count(const struct batch *b, size_t *done, size_t *failed)
{
	size_t i;

	*done = *failed = 0;
	for (i = 0; i < b->nitems; i++) {
		if (b->items[i].out != OUT_PENDING)
			(*done)++;
		if (b->items[i].out == OUT_FAILED)
			(*failed)++;
	}
}

static void
bar_clear(struct batch *b)
{
	if (b->bar) {
		fputs("\r\033[K", stderr);
		b->bar = false;
	}
}

/* [#####.....] 12/32 done, 1 failed | web13: writing | 0:42, ~0:58 left */
static void
bar_draw(struct batch *b)
{
	struct winsize ws;
	struct buf l = BUF_INIT;
	size_t done, failed, i, width = 80, fill;
	double t = since(&b->t0), left;
	const char *what = NULL;

	if (!b->tty)
		return;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		width = ws.ws_col;
	count(b, &done, &failed);
	fill = b->nitems ? 20 * done / b->nitems : 20;
	buf_adds(&l, "[");
	for (i = 0; i < 20; i++)
		buf_addc(&l, i < fill ? '#' : '.');
	buf_addf(&l, "] %zu/%zu done", done, b->nitems);
	if (failed)
		buf_addf(&l, ", %zu failed", failed);
	for (i = 0; b->w && i < b->jobs && what == NULL; i++) {
		if (b->w[i].cur >= 0) {
			const struct item *it = &b->items[b->w[i].cur];
			buf_addf(&l, " | %s: %s", esc(it->ir->image), it->phase ?
			    it->phase : "checking");
			what = "";
		} else if (b->w[i].launching) {
			buf_addf(&l, " | launching an appliance for %zu "
			    "image%s", b->w[i].launching,
			    b->w[i].launching > 1 ? "s" : "");
			what = "";
		}
	}
	buf_addf(&l, " | %d:%02d", (int)t / 60, (int)t % 60);
	if (done > 0 && done < b->nitems) {
		left = t / (double)done * (double)(b->nitems - done);
		buf_addf(&l, ", ~%d:%02d left", (int)left / 60,
		    (int)left % 60);
	}
	if (l.len > width - 1)
		l.len = width - 1;
	fputs("\r", stderr);
	fwrite(l.data, 1, l.len, stderr);
	fputs("\033[K", stderr);
	fflush(stderr);
	b->bar = true;
	buf_release(&l);
}

/* --- the parent: events -------------------------------------------------- */

static struct item *
event_item(struct batch *b, json_object *ev)
{
	json_object *v;
	int64_t i;

	if (!json_object_object_get_ex(ev, "item", &v))
		return NULL;
	i = json_object_get_int64(v);
	return i >= 0 && (size_t)i < b->nitems ? &b->items[i] : NULL;
}

static void
set_phase(struct item *it, const char *p)
{
	free(it->phase);
	it->phase = xstrdup(p);
}

static void
on_event(struct batch *b, unsigned wn, const char *line)
{
	struct worker *w = &b->w[wn];
	json_object *ev, *v, *a;
	struct item *it;
	const char *what;
	size_t i;

	if ((ev = json_tokener_parse(line)) == NULL ||
	    !json_object_object_get_ex(ev, "ev", &v)) {
		warnx("internal error: bad event from worker %u", wn);
		json_object_put(ev);
		return;
	}
	what = json_object_get_string(v);
	it = event_item(b, ev);
	if (strcmp(what, "take") == 0 &&
	    json_object_object_get_ex(ev, "items", &a)) {
		for (i = 0; i < json_object_array_length(a); i++) {
			int64_t x = json_object_get_int64(
			    json_object_array_get_idx(a, i));
			if (x >= 0 && (size_t)x < b->nitems)
				b->items[x].worker = (int)wn;
		}
	} else if (strcmp(what, "launch") == 0 &&
	    json_object_object_get_ex(ev, "n", &v)) {
		w->launching = (size_t)json_object_get_int64(v);
		w->cur = -1;	/* launch messages belong to no one image */
		b->launches++;
	} else if (strcmp(what, "start") == 0 && it) {
		w->cur = it - b->items;
		w->launching = 0;
		set_phase(it, "checking");
	} else if (strcmp(what, "phase") == 0 && it &&
	    json_object_object_get_ex(ev, "phase", &v)) {
		set_phase(it, json_object_get_string(v));
	} else if (strcmp(what, "skip") == 0 && it) {
		it->out = OUT_SKIPPED;
		w->cur = -1;
	} else if (strcmp(what, "done") == 0 && it) {
		it->out = json_object_object_get_ex(ev, "ok", &v) &&
		    json_object_get_boolean(v) ? OUT_OK : OUT_FAILED;
		it->touched = json_object_object_get_ex(ev, "touched", &v) &&
		    json_object_get_boolean(v);
		if (json_object_object_get_ex(ev, "seconds", &v))
			it->secs = json_object_get_double(v);
		if (json_object_object_get_ex(ev, "result", &v))
			it->result = json_object_get(v);
		w->cur = -1;
	}
	json_object_put(ev);
}

/* A line a worker printed on stderr. */
static void
on_message(struct batch *b, unsigned wn, const char *line)
{
	struct worker *w = &b->w[wn];

	if (w->cur >= 0)
		strlist_add(&b->items[w->cur].msgs, unprefixed(line));
	else if (strlist_has(&b->shown, line))
		return;		/* e.g. each worker's KVM fallback notice */
	else
		strlist_add(&b->shown, line);
	bar_clear(b);
	fprintf(stderr, "%s\n", line);
}

/*
 * Read what worker wn's pipe has (non-blocking); hand over each complete
 * line.  Returns 0 at EOF, 1 otherwise.
 */
static int
drain(struct batch *b, unsigned wn)
{
	struct worker *w = &b->w[wn];
	size_t off, tlen = strlen(b->tag);
	char chunk[8192], *nl, *line;
	ssize_t r;

	if ((r = read(w->fd, chunk, sizeof(chunk))) == -1)
		return errno == EINTR || errno == EAGAIN;
	if (r > 0)
		buf_add(&w->in, chunk, (size_t)r);
	off = 0;
	while (off < w->in.len && (nl = memchr(w->in.data + off, '\n',
	    w->in.len - off)) != NULL) {
		line = xstrndup(w->in.data + off,
		    (size_t)(nl - w->in.data) - off);
		if (strncmp(line, b->tag, tlen) == 0)
			on_event(b, wn, line + tlen);
		else
			on_message(b, wn, line);
		free(line);
		off = (size_t)(nl - w->in.data) + 1;
	}
	if (off > 0) {
		memmove(w->in.data, w->in.data + off, w->in.len - off);
		w->in.len -= off;
	}
	return r > 0;
}

/* Run the workers until all have exited. */
static void
supervise(struct batch *b)
{
	struct pollfd *pfd = xcalloc(b->jobs, sizeof(*pfd));
	size_t i, live = 0;
	int status, warned = 0;
	struct item *it;

	for (i = 0; i < b->jobs; i++)
		if (b->w[i].pid > 0)
			live++;
	while (live > 0) {
		if (interrupted && !atomic_load(&b->sh->stop)) {
			atomic_store(&b->sh->stop, 1);
			bar_clear(b);
			warnx("interrupted: finishing the images in hand "
			    "(Ctrl-C again kills them)");
		}
		if (interrupted > 1 && !warned) {
			for (i = 0; i < b->jobs; i++)
				if (b->w[i].pid > 0)
					kill(-b->w[i].pid, SIGKILL);
			warned = 1;
		}
		for (i = 0; i < b->jobs; i++) {
			pfd[i].fd = b->w[i].fd;
			pfd[i].events = POLLIN;
		}
		bar_draw(b);
		if (poll(pfd, b->jobs, 1000) == -1 && errno != EINTR) {
			/* Cannot watch the workers: stop them and reap them;
			 * their unfinished images are reported failed. */
			warn("poll: stopping the workers");
			for (i = 0; i < b->jobs; i++) {
				struct worker *w = &b->w[i];

				if (w->pid > 0)
					kill(-w->pid, SIGKILL);
				if (w->fd != -1)
					close(w->fd);
				w->fd = -1;
				pfd[i].revents = 0;
			}
		}
		for (i = 0; i < b->jobs; i++) {
			struct worker *w = &b->w[i];

			if (w->fd == -1 || !(pfd[i].revents & (POLLIN |
			    POLLHUP | POLLERR)))
				continue;
			if (drain(b, (unsigned)i) == 0) {
				close(w->fd);
				w->fd = -1;
			}
		}
		for (i = 0; i < b->jobs; i++) {
			struct worker *w = &b->w[i];
			if (w->pid <= 0 || w->fd != -1)
				continue;
			while (waitpid(w->pid, &status, 0) == -1 &&
			    errno == EINTR)
				;
			w->pid = 0;
			live--;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				continue;
			/* Its unfinished images: say what state they are in. */
			for (it = b->items; it < b->items + b->nitems; it++) {
				if (it->worker != (int)i ||
				    it->out != OUT_PENDING)
					continue;
				it->out = OUT_FAILED;
				/*
				 * Its done event never came, with the count of
				 * what changed: once writing began, something
				 * may have, and undo is the safe advice.
				 */
				it->touched = it->phase &&
				    strcmp(it->phase, "writing") == 0;
				strlist_add(&it->msgs, WIFSIGNALED(status) ?
				    "the worker process was killed" :
				    "the worker process failed");
			}
		}
	}
	free(pfd);
}

static int
start_workers(struct batch *b)
{
	int pfd[2];
	unsigned i;
	pid_t pid;

	b->w = xcalloc(b->jobs, sizeof(*b->w));
	for (i = 0; i < b->jobs; i++) {
		b->w[i].fd = -1;
		b->w[i].cur = -1;
	}
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < b->jobs; i++) {
		if (pipe2(pfd, O_CLOEXEC) == -1) {
			warn("pipe");
			return -1;
		}
		if ((pid = fork()) == -1) {
			warn("fork");
			close(pfd[0]);
			close(pfd[1]);
			return -1;
		}
		if (pid == 0) {
			unsigned k;
			int null = open("/dev/null", O_RDWR | O_CLOEXEC);

			for (k = 0; k < i; k++)
				close(b->w[k].fd);
			close(pfd[0]);
			if (null != -1) {
				dup2(null, STDIN_FILENO);
				dup2(null, STDOUT_FILENO);
				close(null);
			}
			dup2(pfd[1], STDERR_FILENO);
			close(pfd[1]);
			worker_main(b, i);
		}
		close(pfd[1]);
		(void)setpgid(pid, pid);	/* as the child does: no race */
		b->w[i].pid = pid;
		b->w[i].fd = pfd[0];
		(void)fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	}
	return 0;
}

/* --- the parent: the report ---------------------------------------------- */

static const char *
result_of(const struct item *it)
{
	json_object *v;

	switch (it->out) {
	case OUT_OK:
		if (it->result && json_object_object_get_ex(it->result,
		    "result", &v))
			return json_object_get_string(v);
		return "changed";
	case OUT_FAILED:
		return it->touched ? "failed, partly changed" : "failed";
	default:	/* skipped, or never taken after an interrupt */
		return "skipped";
	}
}

/* The identity value key ("hostname", "nic0.mac") of a done item. */
static const char *
identity(const struct item *it, const char *key)
{
	json_object *id, *v;

	if (it->result && json_object_object_get_ex(it->result, "identity",
	    &id) && json_object_object_get_ex(id, key, &v))
		return json_object_get_string(v);
	return NULL;
}

/* Its MACs, comma-separated, in NIC order (caller frees). */
static char *
macs_of(const struct item *it)
{
	struct buf l = BUF_INIT;
	const char *m;
	char key[32];
	int i;

	for (i = 0; i < 64; i++) {
		snprintf(key, sizeof(key), "nic%d.mac", i);
		if ((m = identity(it, key)) == NULL)
			continue;
		if (l.len)
			buf_addc(&l, ',');
		buf_adds(&l, m);
	}
	return l.data ? buf_detach(&l, NULL) : xstrdup("-");
}

static json_object *
report_json(const struct batch *b, double secs)
{
	json_object *doc = json_object_new_object(), *arr, *sum, *o;
	size_t i, n[4] = { 0 }, changed = 0, same = 0, would = 0;
	const char *res;

	json_object_object_add(doc, "schema", json_object_new_int(APPLY_SCHEMA));
	json_object_object_add(doc, "recipe",
	    json_object_new_string(b->recipe_path));
	json_object_object_add(doc, "inventory",
	    json_object_new_string(b->inv->path));
	json_object_object_add(doc, "shard", b->shard_n ?
	    json_object_new_string(b->o->shard) : NULL);
	json_object_object_add(doc, "dry_run",
	    json_object_new_boolean(b->o->dry_run));
	json_object_object_add(doc, "jobs", json_object_new_int((int)b->jobs));
	json_object_object_add(doc, "per_launch",
	    json_object_new_int((int)b->per_launch));
	json_object_object_add(doc, "launches",
	    json_object_new_int64((int64_t)b->launches));
	json_object_object_add(doc, "seconds", json_object_new_double(secs));
	arr = json_object_new_array();
	for (i = 0; i < b->nitems; i++) {
		const struct item *it = &b->items[i];

		n[it->out]++;
		o = json_object_new_object();
		json_object_object_add(o, "row",
		    json_object_new_int64((int64_t)it->row));
		json_object_object_add(o, "line",
		    json_object_new_int64((int64_t)it->ir->line));
		json_object_object_add(o, "image",
		    json_object_new_string(it->ir->image));
		json_object_object_add(o, "config", it->ir->config ?
		    json_object_new_string(it->ir->config) : NULL);
		res = it->out == OUT_FAILED ? "failed" : result_of(it);
		if (strcmp(res, "changed") == 0)
			changed++;
		else if (strcmp(res, "no changes") == 0)
			same++;
		else if (strcmp(res, "would change") == 0)
			would++;
		json_object_object_add(o, "result",
		    json_object_new_string(res));
		json_object_object_add(o, "partly_changed",
		    json_object_new_boolean(it->out == OUT_FAILED &&
		    it->touched));
		json_object_object_add(o, "seconds",
		    json_object_new_double(it->secs));
		json_object_object_add(o, "messages",
		    cmd_json_strlist(&it->msgs));
		if (it->result) {
			json_object_object_foreach(it->result, key, val) {
				if (strcmp(key, "image") == 0 ||
				    strcmp(key, "result") == 0)
					continue;
				json_object_object_add(o, key,
				    json_object_get(val));
			}
		}
		json_object_array_add(arr, o);
	}
	sum = json_object_new_object();
	json_object_object_add(sum, "images",
	    json_object_new_int64((int64_t)b->nitems));
	json_object_object_add(sum, "changed",
	    json_object_new_int64((int64_t)changed));
	json_object_object_add(sum, "no changes",
	    json_object_new_int64((int64_t)same));
	json_object_object_add(sum, "would change",
	    json_object_new_int64((int64_t)would));
	json_object_object_add(sum, "failed",
	    json_object_new_int64((int64_t)n[OUT_FAILED]));
	json_object_object_add(sum, "skipped",
	    json_object_new_int64((int64_t)(n[OUT_SKIPPED] +
	    n[OUT_PENDING])));
	json_object_object_add(doc, "summary", sum);
	json_object_object_add(doc, "images", arr);
	return doc;
}

static void
print_table(const struct batch *b, double secs)
{
	size_t i, wi = 5, wh = 8, wm = 4, wr = 6, nok = 0, nfail = 0;
	char **macs = xcalloc(b->nitems + 1, sizeof(*macs));
	const char *h;
	json_object *v;

	if (b->o->dry_run)
		for (i = 0; i < b->nitems; i++)
			if (b->items[i].result && json_object_object_get_ex(
			    b->items[i].result, "diff", &v))
				fputs(json_object_get_string(v), stdout);
	for (i = 0; i < b->nitems; i++) {
		const struct item *it = &b->items[i];

		macs[i] = macs_of(it);
		h = identity(it, "hostname");
		wi = MAX(wi, strlen(esc(it->ir->image)));
		wh = MAX(wh, h ? strlen(h) : 1);
		wm = MAX(wm, strlen(macs[i]));
		wr = MAX(wr, strlen(result_of(it)));
	}
	printf("%-*s  %-*s  %-*s  %-*s  %s\n", (int)wi, "IMAGE", (int)wh,
	    "HOSTNAME", (int)wm, "MACS", (int)wr, "RESULT", "SECONDS");
	for (i = 0; i < b->nitems; i++) {
		const struct item *it = &b->items[i];

		h = identity(it, "hostname");
		printf("%-*s  %-*s  %-*s  %-*s  %.1f\n", (int)wi,
		    esc(it->ir->image), (int)wh, h ? h : "-", (int)wm, macs[i],
		    (int)wr, result_of(it), it->secs);
		free(macs[i]);
		if (it->out == OUT_OK)
			nok++;
		else
			nfail++;
	}
	free(macs);
	for (i = 0; i < b->nitems; i++) {
		const struct item *it = &b->items[i];

		if (it->out == OUT_OK)
			continue;
		printf("%s (%s line %zu): %s\n", esc(it->ir->image),
		    esc(b->inv->path), it->ir->line, it->msgs.n ?
		    it->msgs.v[0] : it->out == OUT_FAILED ? "no message" :
		    "not started (interrupted)");
		if (it->touched)
			printf("  it is partly changed: 'imprint undo %s' "
			    "puts it back\n", esc(it->ir->image));
	}
	printf("%zu of %zu image%s done, %zu failed or not done, in %.1f s "
	    "(%zu launch%s, -j %u, --per-launch %u)\n", nok, b->nitems,
	    b->nitems == 1 ? "" : "s", nfail, secs, b->launches,
	    b->launches == 1 ? "" : "es", b->jobs, b->per_launch);
}

/* --- batch_run ----------------------------------------------------------- */

/* The event tag: \036, 16 random hex digits, a space. */
static void
make_tag(struct batch *b)
{
	unsigned char r[8];
	size_t i;

	xrandom(r, sizeof(r));
	b->tag[0] = '\036';
	for (i = 0; i < sizeof(r); i++)
		snprintf(b->tag + 1 + 2 * i, 3, "%02x", r[i]);
	b->tag[17] = ' ';
	b->tag[18] = '\0';
}

static void
batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nitems; i++) {
		free(b->items[i].phase);
		strlist_release(&b->items[i].msgs);
		if (b->items[i].result)
			json_object_put(b->items[i].result);
	}
	if (b->w)
		for (i = 0; i < b->jobs; i++) {
			buf_release(&b->w[i].in);
		}
	free(b->w);
	free(b->items);
	free(b->written);
	free(b->todo);
	if (b->sh)
		munmap(b->sh, sizeof(*b->sh));
	ident_macs_free(b->macs);
	if (!b->inv_borrowed)
		inventory_free(b->inv);
	free(b->recipe_text);
	strlist_release(&b->shown);
	strlist_release(&b->domains);
}

/* Everything before the workers; -1 when the batch cannot start. */
static int
prepare_batch(struct batch *b)
{
	const struct apply_opts *o = b->o;
	struct strlist msgs = STRLIST_INIT;
	struct capture cap;
	struct stat *cfgs;
	size_t i, ncfgs = 0;
	int nbad;

	if (b->recipe_text == NULL && read_host_file(b->recipe_path,
	    RECIPE_MAX_SIZE, &b->recipe_text, &b->recipe_len) == -1)
		return -1;
	if (o->shard && inventory_parse_shard(o->shard, &b->shard_i,
	    &b->shard_n) == -1)
		return -1;
	if (b->inv == NULL && inventory_load(o->inventory, &b->inv) == -1)
		return -1;
	b->items = xcalloc(b->inv->nrows, sizeof(*b->items));
	b->written = xcalloc(b->inv->nrows, sizeof(*b->written));
	for (i = 0; i < b->inv->nrows; i++)
		b->written[i] = b->inv->rows[i].image;
	for (i = 0; i < b->inv->nrows; i++) {
		if (!inventory_row_in_shard(i, b->shard_i, b->shard_n))
			continue;
		b->items[b->nitems].ir = &b->inv->rows[i];
		b->items[b->nitems].row = i;
		b->items[b->nitems++].worker = -1;
	}
	/* Every row, before the shard: all hosts mark the same rows. */
	capture_begin(&cap);
	nbad = inventory_check_recipe(b->inv, b->recipe_path, b->recipe_text,
	    b->recipe_len, &o->vars);
	capture_end(&cap, &msgs);
	file_check_messages(b, &msgs);
	strlist_release(&msgs);
	if (nbad == -1)
		return -1;
	b->macs = ident_macs_new();
	if (o->mac_prefix && ident_macs_set_prefix(b->macs, o->mac_prefix)
	    == -1)
		return -1;
	for (i = 0; i < o->scan.n; i++)
		if (ident_macs_scan(b->macs, o->scan.v[i]) == -1)
			return -1;
	b->todo = xcalloc(b->nitems + 1, sizeof(*b->todo));
	cfgs = xcalloc(b->nitems + 1, sizeof(*cfgs));
	for (i = 0; i < b->nitems; i++) {
		struct item *it = &b->items[i];

		if (!it->ir->ok) {
			it->out = OUT_FAILED;
			continue;
		}
		capture_begin(&cap);
		if (check_item(b, it, cfgs, &ncfgs) == -1)
			it->out = OUT_FAILED;
		capture_end(&cap, &it->msgs);
		if (it->out != OUT_FAILED)
			b->todo[b->ntodo++] = i;
	}
	free(cfgs);
	return 0;
}

int
batch_run(const struct apply_opts *o, const char *recipe_path)
{
	return batch_run_inventory(o, recipe_path, NULL, 0, NULL, NULL);
}

int
batch_run_inventory(const struct apply_opts *o, const char *recipe_path,
    const char *recipe_text, size_t recipe_len, struct inventory *inv,
    bool *ok_r)
{
	struct batch b;
	struct sigaction sa, old;
	json_object *doc = NULL;
	const char *text;
	double secs;
	size_t i;
	int rc = 1;

	memset(&b, 0, sizeof(b));
	b.o = o;
	b.recipe_path = recipe_path;
	if (recipe_text) {
		b.recipe_text = xmalloc(recipe_len + 1);
		memcpy(b.recipe_text, recipe_text, recipe_len);
		b.recipe_text[recipe_len] = '\0';
		b.recipe_len = recipe_len;
	}
	b.inv = inv;
	b.inv_borrowed = inv != NULL;
	clock_gettime(CLOCK_MONOTONIC, &b.t0);
	b.tty = isatty(STDERR_FILENO) == 1;
	if (prepare_batch(&b) == -1) {
		rc = 2;		/* recipe, inventory or an option unusable */
		goto out;
	}
	b.per_launch = o->per_launch ? o->per_launch :
	    BATCH_DEFAULT_PER_LAUNCH;
	if (b.ntodo > 0)
		b.jobs = o->jobs ? o->jobs : default_jobs(MIN(b.per_launch,
		    b.ntodo));
	if (b.jobs > b.ntodo)
		b.jobs = (unsigned)b.ntodo;
	if (b.jobs > 0) {
		b.slice = (b.ntodo + b.jobs - 1) / b.jobs;
		if (b.slice > b.per_launch)
			b.slice = b.per_launch;
	}
	b.sh = mmap(NULL, sizeof(*b.sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b.sh == MAP_FAILED) {
		b.sh = NULL;
		warn("mmap");
		goto out;
	}
	atomic_init(&b.sh->next, 0);
	atomic_init(&b.sh->stop, 0);
	if (b.jobs > 0) {
		make_tag(&b);
		guest_set_jobs(b.jobs);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old);
		if (start_workers(&b) == 0)
			supervise(&b);
		else {
			atomic_store(&b.sh->stop, 1);
			supervise(&b);
		}
		sigaction(SIGINT, &old, NULL);
	}
	bar_clear(&b);
	secs = since(&b.t0);
	doc = report_json(&b, secs);
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (o->json)
		puts(text);
	else
		print_table(&b, secs);
	rc = 0;
	for (i = 0; i < b.nitems; i++) {
		if (b.items[i].out != OUT_OK)
			rc = 1;
		if (ok_r)
			ok_r[b.items[i].row] = b.items[i].out == OUT_OK;
	}
	/* It may hold a random root password: 0600, never half-written. */
	if (o->report && hostfile_replace(o->report, NULL, 0, text,
	    strlen(text), HOSTFILE_PRIVATE, NULL) == -1)
		rc = 1;
out:
	if (doc)
		json_object_put(doc);
	batch_free(&b);
	return rc;
}
