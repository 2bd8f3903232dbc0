/*
 * imgchk.c - an image's format and backing chain, checked on the host
 * (see imgchk.h).  It runs qemu-img through runtool (no shell) and reads
 * its JSON with json-c; it never calls libguestfs.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgchk.h"
#include "runtool.h"
#include "util.h"

/* One layer's description is under 2 KiB; vmdk extents make it longer. */
#define INFO_MAX	(1024 * 1024)
#define INFO_TIMEOUT	30
/* check reads every L2 and refcount table of the image: larger. */
#define CHECK_TIMEOUT	300

/* --- parsing (pure) ------------------------------------------------------ */

static json_object *
parse_json(const char *json, size_t len, char **why_r)
{
	json_tokener *tok;
	json_object *o;

	if ((tok = json_tokener_new()) == NULL) {
		*why_r = xstrdup("out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, json, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success
	    || !json_object_is_type(o, json_type_object)) {
		if (o)
			json_object_put(o);
		o = NULL;
		*why_r = xstrdup("not a JSON object");
	}
	json_tokener_free(tok);
	return o;
}

/* The string member key of o, duplicated, or NULL when absent. */
static char *
str_member(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

int
imgchk_parse_info(const char *json, size_t len, struct imgchk_layer *l,
    char **why_r)
{
	json_object *o, *fs, *data, *c;

	memset(l, 0, sizeof(*l));
	if (len > INT32_MAX || (o = parse_json(json, len, why_r)) == NULL) {
		if (len > INT32_MAX)
			*why_r = xstrdup("too long");
		return -1;
	}
	if ((l->format = str_member(o, "format")) == NULL) {
		json_object_put(o);
		*why_r = xstrdup("no \"format\"");
		return -1;
	}
	l->backing = str_member(o, "backing-filename");
	l->backing_full = str_member(o, "full-backing-filename");
	l->backing_fmt = str_member(o, "backing-filename-format");
	if (json_object_object_get_ex(o, "format-specific", &fs) &&
	    json_object_object_get_ex(fs, "data", &data) &&
	    json_object_object_get_ex(data, "corrupt", &c))
		l->corrupt = json_object_get_boolean(c);
	json_object_put(o);
	return 0;
}

static int64_t
int_member(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

int
imgchk_parse_check(const char *json, size_t len, char **why_r)
{
	json_object *o;
	int64_t corrupt, errs;

	if (len > INT32_MAX || (o = parse_json(json, len, why_r)) == NULL) {
		if (len > INT32_MAX)
			*why_r = xstrdup("too long");
		return -1;
	}
	if (!json_object_object_get_ex(o, "check-errors", NULL)) {
		json_object_put(o);
		*why_r = xstrdup("no \"check-errors\"");
		return -1;
	}
	corrupt = int_member(o, "corruptions");
	errs = int_member(o, "check-errors");
	json_object_put(o);
	if (corrupt == 0 && errs == 0)
		return 0;
	if (errs == 0)
		*why_r = xasprintf("%lld corruption%s", (long long)corrupt,
		    corrupt == 1 ? "" : "s");
	else
		*why_r = xasprintf("%lld corruption%s, %lld check error%s",
		    (long long)corrupt, corrupt == 1 ? "" : "s",
		    (long long)errs, errs == 1 ? "" : "s");
	return 1;
}

/* qemu's path_has_protocol: a ':' before any '/' (or '\'). */
bool
imgchk_is_protocol(const char *name)
{
	return name[strcspn(name, ":/\\")] == ':';
}

/* --- the walk ------------------------------------------------------------ */

static void
layer_release(struct imgchk_layer *l)
{
	free(l->path);
	free(l->format);
	free(l->backing);
	free(l->backing_full);
	free(l->backing_fmt);
	memset(l, 0, sizeof(*l));
}

void
imgchk_release(struct imgchk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		layer_release(&c->layer[i]);
	free(c->layer);
	c->layer = NULL;
	c->n = 0;
}

/* "nbd:" of "nbd://host/x": the protocol part, for messages. */
static char *
protocol_of(const char *name)
{
	size_t n = strcspn(name, ":");

	return xasprintf("%.*s:", n > 32 ? 32 : (int)n, name);
}

/*
 * The format qemu-img would guess for a backing file with none recorded,
 * for the rebase command in the message; "FORMAT" when it cannot tell.
 */
static char *
guess_format(const struct imgchk_ops *ops, const char *name)
{
	struct imgchk_layer l;
	struct buf out = BUF_INIT;
	struct stat st;
	char *why = NULL, *fmt = NULL;

	if (!imgchk_is_protocol(name) && ops->stat(ops->arg, name, &st) == 0
	    && S_ISREG(st.st_mode) &&
	    ops->info(ops->arg, name, NULL, &out, &why) == 0 &&
	    imgchk_parse_info(out.data, out.len, &l, &why) == 0) {
		fmt = l.format;
		l.format = NULL;
		layer_release(&l);
	}
	free(why);
	buf_release(&out);
	return fmt ? fmt : xstrdup("FORMAT");
}

/* Is st the file of one of others[] (image itself excepted)? */
static const char *
written_by_run(const struct imgchk_ops *ops, const char *image,
    const struct stat *st, const char *const *others, size_t nothers)
{
	struct stat so;
	size_t i;

	for (i = 0; i < nothers; i++) {
		if (others[i] == NULL || strcmp(others[i], image) == 0)
			continue;
		if (ops->stat(ops->arg, others[i], &so) == 0 &&
		    so.st_dev == st->st_dev && so.st_ino == st->st_ino)
			return others[i];
	}
	return NULL;
}

struct imgchk_trust imgchk_trusted;

int
imgchk_trust_add(struct imgchk_trust *t, const char *path)
{
	struct stat st;
	char *rp;

	if (stat(path, &st) == -1 || (rp = realpath(path, NULL)) == NULL) {
		warn("--backing '%s'", esc(path));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		warnx("--backing '%s': not a file or a directory", esc(path));
		free(rp);
		return -1;
	}
	if (strcmp(rp, "/") == 0)
		t->any = true;
	else
		strlist_add(S_ISDIR(st.st_mode) ? &t->dirs : &t->files, rp);
	free(rp);
	return 0;
}

/* Did the user name backing file name (trust)?  Its canonical path is
 * compared, so neither a symlink nor ".." leads out of a trusted
 * directory. */
static bool
trusted(const struct imgchk_trust *t, const struct imgchk_ops *ops,
    const char *name)
{
	char *rp;
	size_t i, n;
	bool r = false;

	if (t && t->any)
		return true;
	if (t == NULL || (rp = ops->realpath(ops->arg, name)) == NULL)
		return false;
	r = strlist_has(&t->files, rp);
	for (i = 0; i < t->dirs.n && !r; i++) {
		n = strlen(t->dirs.v[i]);
		r = strncmp(rp, t->dirs.v[i], n) == 0 && rp[n] == '/';
	}
	free(rp);
	return r;
}

int
imgchk_walk(const char *image, unsigned flags, const char *const *others,
    size_t nothers, const struct imgchk_trust *trust,
    const struct imgchk_ops *ops, struct imgchk *c_r, char **why_r)
{
	struct imgchk c = { NULL, 0 };
	struct imgchk_layer l, *up;
	struct stat *sts = NULL;
	struct buf out = BUF_INIT;
	const char *name, *fmt = NULL, *other;
	char *why = NULL, *proto, *guess;
	size_t depth, i;
	int e, r;

	*why_r = NULL;
	memset(c_r, 0, sizeof(*c_r));
	sts = xcalloc(IMGCHK_MAX_DEPTH + 1, sizeof(*sts));
	name = image;
	for (depth = 0;; depth++) {
		up = depth ? &c.layer[depth - 1] : NULL;
		if (depth == IMGCHK_MAX_DEPTH) {
			*why_r = xasprintf("image '%s': its backing chain is "
			    "deeper than %d layers; flatten it with "
			    "'qemu-img convert'", esc(image),
			    IMGCHK_MAX_DEPTH);
			goto fail;
		}
		/* Refused before qemu-img opens it: a protocol name
		 * would make qemu-img connect somewhere. */
		if (up && (imgchk_is_protocol(up->backing) ||
		    imgchk_is_protocol(name))) {
			proto = protocol_of(imgchk_is_protocol(up->backing) ?
			    up->backing : name);
			*why_r = xasprintf("image '%s': its backing file '%s' "
			    "is reached through a protocol ('%s'), not a "
			    "host file; imprint follows local files only: "
			    "copy the backing image to a file and rebase "
			    "'%s' onto it (qemu-img rebase -F FORMAT -b "
			    "FILE)", esc(image), esc(up->backing), proto,
			    esc(up->path));
			free(proto);
			goto fail;
		}
		if (ops->stat(ops->arg, name, &sts[depth]) == -1) {
			e = errno;
			if (up)
				*why_r = xasprintf("image '%s': its backing "
				    "file '%s' cannot be opened: %s",
				    esc(image), esc(name), strerror(e));
			else
				*why_r = xasprintf("cannot open image '%s': "
				    "%s", esc(image), strerror(e));
			goto fail;
		}
		if (up && !S_ISREG(sts[depth].st_mode)) {
			*why_r = xasprintf("image '%s': its backing file '%s' "
			    "is not a regular file; imprint refuses a chain "
			    "through a device or special file it was not "
			    "given: flatten '%s' (qemu-img convert) or "
			    "rebase it onto a file", esc(image), esc(name),
			    esc(up->path));
			goto fail;
		}
		for (i = 0; i < depth; i++)
			if (sts[i].st_dev == sts[depth].st_dev &&
			    sts[i].st_ino == sts[depth].st_ino) {
				*why_r = xasprintf("image '%s': its backing "
				    "chain loops at '%s'", esc(image),
				    esc(name));
				goto fail;
			}
		/* Writing the backing file of a live overlay changes
		 * the overlay's contents behind its back. */
		if (up && (flags & IMGCHK_WRITE) && (other = written_by_run(ops, image,
		    &sts[depth], others, nothers)) != NULL) {
			*why_r = xasprintf("image '%s' is backed by '%s', "
			    "which this run also writes: that would change "
			    "what '%s' holds; flatten '%s' first (qemu-img "
			    "convert) or leave one of them out", esc(image),
			    esc(other), esc(image), esc(image));
			goto fail;
		}
		/* only what the user named (imgchk_trust) */
		if (up && !trusted(trust, ops, name)) {
			*why_r = xasprintf("image '%s' is backed by '%s', a "
			    "file you did not name: a qcow2 image names its "
			    "own backing file, and one from elsewhere could "
			    "put any host file under the guest; if it is "
			    "your template, name it: --backing '%s' (or "
			    "--backing DIR for every template in DIR)",
			    esc(image), esc(name), esc(name));
			goto fail;
		}

		buf_reset(&out);
		if (ops->info(ops->arg, name, fmt, &out, &why) == -1) {
			if (up)
				*why_r = xasprintf("image '%s': cannot open "
				    "its backing file '%s': %s", esc(image),
				    esc(name), why);
			else
				*why_r = xasprintf("cannot open image '%s': "
				    "%s", esc(image), why);
			goto fail;
		}
		if (imgchk_parse_info(out.data, out.len, &l, &why) == -1) {
			*why_r = xasprintf("image '%s': cannot read qemu-img's "
			    "description of '%s': %s", esc(image), esc(name),
			    why);
			goto fail;
		}
		l.path = xstrdup(name);
		c.layer = xreallocarray(c.layer, c.n + 1, sizeof(*c.layer));
		c.layer[c.n++] = l;
		if (l.corrupt) {
			*why_r = xasprintf("image '%s': '%s' is marked "
			    "corrupt by qemu; restore it from a copy (or see "
			    "'qemu-img check -r')", esc(image), esc(name));
			goto fail;
		}
		if (l.backing == NULL)
			break;
		if (l.backing_fmt == NULL) {
			guess = guess_format(ops, l.backing_full ?
			    l.backing_full : l.backing);
			*why_r = xasprintf("image '%s': its backing file '%s' "
			    "has no recorded format, and qemu would guess it "
			    "from content the guest can write; record it: "
			    "qemu-img rebase -u -F %s -b '%s' '%s'",
			    esc(image), esc(l.backing), esc(guess),
			    esc(l.backing), esc(name));
			free(guess);
			goto fail;
		}
		name = c.layer[c.n - 1].backing_full ?
		    c.layer[c.n - 1].backing_full : c.layer[c.n - 1].backing;
		fmt = c.layer[c.n - 1].backing_fmt;
	}
	/*
	 * A truncated qcow2 passes info; check reads its tables.  Only the
	 * layer that is written (qemu opens backing files read-only, and
	 * check's cost grows with the image), and only now: check opens
	 * the whole chain, which must have passed first.
	 */
	if ((flags & IMGCHK_DAMAGE) && strcmp(c.layer[0].format, "qcow2") ==
	    0) {
		buf_reset(&out);
		if (ops->check(ops->arg, image, c.layer[0].format, &out,
		    &why) == -1 || (r = imgchk_parse_check(out.data, out.len,
		    &why)) == -1) {
			*why_r = xasprintf("image '%s' cannot be checked "
			    "(qemu-img check): %s; nothing was written",
			    esc(image), why);
			goto fail;
		}
		if (r == 1) {
			*why_r = xasprintf("image '%s' is damaged (qemu-img "
			    "check: %s; truncated or corrupt); nothing was "
			    "written: restore it from a copy", esc(image),
			    why);
			goto fail;
		}
	}
	free(sts);
	buf_release(&out);
	*c_r = c;
	return 0;
fail:
	free(why);
	free(sts);
	buf_release(&out);
	imgchk_release(&c);
	return -1;
}

/* --- on the host ---------------------------------------------------------- */

/* qemu-img reads "a:b" as a protocol and "-x" as an option. */
static char *
qemu_path(const char *path)
{
	return path[0] == '/' ? xstrdup(path) : xasprintf("./%s", path);
}

/* The first line of a tool's stderr, or a status note. */
static char *
tool_error(const struct buf *err, int status)
{
	size_t n;

	if (err->len > 0) {
		n = strcspn(err->data, "\n");
		return xasprintf("%.*s", (int)n, err->data);
	}
	if (WIFEXITED(status))
		return xasprintf("qemu-img exited with status %d",
		    WEXITSTATUS(status));
	return xstrdup("qemu-img was killed");
}

static int
run_qemu_img(char **argv, int timeout, bool json_on_failure,
    struct buf *out, char **why_r)
{
	struct buf err = BUF_INIT;
	int st = 0, r;

	r = run_capture(argv, "qemu-img", timeout, INFO_MAX, out, &err, &st);
	if (r == 1) {
		*why_r = xstrdup("qemu-img is not installed (Debian: "
		    "qemu-utils)");
		r = -1;
	} else if (r == -1) {
		*why_r = xstrdup("qemu-img failed");
	} else if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 &&
	    !(json_on_failure && out->len > 0))) {
		*why_r = tool_error(&err, st);
		r = -1;
	}
	buf_release(&err);
	return r;
}

static int
host_info(void *arg, const char *path, const char *fmt, struct buf *out,
    char **why_r)
{
	char *argv[8], *p = qemu_path(path);
	size_t i = 0;
	int r;

	(void)arg;
	argv[i++] = (char *)"qemu-img";
	argv[i++] = (char *)"info";
	argv[i++] = (char *)"-U";	/* a running guest is alive.c's job */
	argv[i++] = (char *)"--output=json";
	if (fmt) {
		argv[i++] = (char *)"-f";
		argv[i++] = (char *)fmt;
	}
	argv[i++] = p;
	argv[i] = NULL;
	r = run_qemu_img(argv, INFO_TIMEOUT, false, out, why_r);
	free(p);
	return r;
}

static int
host_check(void *arg, const char *path, const char *fmt, struct buf *out,
    char **why_r)
{
	char *p = qemu_path(path);
	char *argv[] = { (char *)"qemu-img", (char *)"check", (char *)"-U",
	    (char *)"--output=json", (char *)"-f", (char *)fmt, p, NULL };
	int r;

	(void)arg;
	/* Exit 2 (corruptions) and 3 (leaks) come with the report. */
	r = run_qemu_img(argv, CHECK_TIMEOUT, true, out, why_r);
	free(p);
	return r;
}

static int
host_stat(void *arg, const char *path, struct stat *st)
{
	(void)arg;
	return stat(path, st);
}

static char *
host_realpath(void *arg, const char *path)
{
	(void)arg;
	return realpath(path, NULL);
}

const struct imgchk_ops imgchk_host_ops = {
	host_info, host_check, host_stat, host_realpath, NULL
};

int
imgchk_image(const char *image, unsigned flags, const char *const *others,
    size_t nothers, struct imgchk *c_r)
{
	char *why;

	if (imgchk_walk(image, flags, others, nothers, &imgchk_trusted,
	    &imgchk_host_ops, c_r, &why) == 0)
		return 0;
	warnx("%s", why);
	free(why);
	return -1;
}
