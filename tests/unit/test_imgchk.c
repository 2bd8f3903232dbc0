/*
 * Unit tests for src/imgchk.c: qemu-img's JSON as it really comes (saved
 * under tests/data/imgchk/ from images made with qemu-img create, then
 * truncated, stripped of their backing format or marked corrupt), and
 * every decision of the chain walk with the host replaced by a table:
 * which file answers `qemu-img info` for which path, what stat says.
 * The exact refusals are asserted, since users act on them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgchk.h"
#include "unit.h"
#include "util.h"

#define DATA_DEFAULT	"tests/data/imgchk"

static char *
data(const char *name, size_t *len_r)
{
	const char *d = getenv("IMPRINT_IMGCHK_DATA");
	char *path, *text;

	path = xasprintf("%s/%s", d && *d ? d : DATA_DEFAULT, name);
	if (read_host_file(path, 1 << 20, &text, len_r) == -1)
		exit(1);
	free(path);
	return text;
}

/* --- a host made of tables --------------------------------------------- */

struct fake_file {
	const char	*path;
	const char	*info;		/* JSON file for info, NULL: fails */
	mode_t		 mode;		/* 0: stat fails with ENOENT */
	ino_t		 ino;
};

struct fake {
	const struct fake_file	*files;
	const char		*check;	/* JSON file for check */
	int			 ninfo, ncheck;
	const char		*last_fmt;	/* of the last info call */
	bool			 fresh_inodes;	/* every stat a new inode */
	ino_t			 next_ino;
};

static const struct fake_file *
lookup(struct fake *f, const char *path)
{
	const struct fake_file *p;

	for (p = f->files; p->path; p++)
		if (strcmp(p->path, path) == 0)
			return p;
	return NULL;
}

static int
fake_info(void *arg, const char *path, const char *fmt, struct buf *out,
    char **why_r)
{
	struct fake *f = arg;
	const struct fake_file *p = lookup(f, path);
	char *t;
	size_t len;

	f->ninfo++;
	f->last_fmt = fmt;
	if (p == NULL || p->info == NULL) {
		*why_r = xasprintf("qemu-img: Could not open './%s': qcow2 "
		    "header too short", path);
		return -1;
	}
	t = data(p->info, &len);
	buf_add(out, t, len);
	free(t);
	return 0;
}

static int
fake_check(void *arg, const char *path, const char *fmt, struct buf *out,
    char **why_r)
{
	struct fake *f = arg;
	char *t;
	size_t len;

	(void)path;
	(void)fmt;
	(void)why_r;
	f->ncheck++;
	t = data(f->check, &len);
	buf_add(out, t, len);
	free(t);
	return 0;
}

static int
fake_stat(void *arg, const char *path, struct stat *st)
{
	struct fake *f = arg;
	const struct fake_file *p = lookup(f, path);

	if (p == NULL || p->mode == 0) {
		errno = ENOENT;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = p->mode;
	st->st_dev = 1;
	st->st_ino = f->fresh_inodes ? ++f->next_ino : p->ino;
	return 0;
}

/* Canonical paths: the table's relative names live in /h. */
static char *
fake_realpath(void *arg, const char *path)
{
	struct fake *f = arg;

	if (lookup(f, path) == NULL) {
		errno = ENOENT;
		return NULL;
	}
	return path[0] == '/' ? xstrdup(path) : xasprintf("/h/%s", path);
}

#define OPS(f)	{ fake_info, fake_check, fake_stat, fake_realpath, f }

/* Every backing file trusted, as by --backing /: the other checks. */
static const struct imgchk_trust any = { STRLIST_INIT, STRLIST_INIT, true };

/* Walk image on the table under trust t; *why_r kept. */
static int
walk_trust(struct fake *f, const char *image, bool writable,
    const char *const *others, size_t nothers,
    const struct imgchk_trust *t, struct imgchk *c, char **why_r)
{
	struct imgchk_ops ops = OPS(f);

	return imgchk_walk(image, writable ? IMGCHK_WRITE | IMGCHK_DAMAGE : 0,
	    others, nothers, t, &ops, c, why_r);
}

static int
walk(struct fake *f, const char *image, bool writable,
    const char *const *others, size_t nothers, struct imgchk *c,
    char **why_r)
{
	return walk_trust(f, image, writable, others, nothers, &any, c,
	    why_r);
}

#define REG	(S_IFREG | 0644)

static const struct fake_file host[] = {
	{ "ov.qcow2",		"overlay.info.json",	REG,	1 },
	{ "tmpl.raw",		"template.info.json",	REG,	2 },
	{ "ov2.qcow2",		"overlay2.info.json",	REG,	3 },
	{ "trunc.qcow2",	"truncated.info.json",	REG,	4 },
	{ "nofmt.qcow2",	"nofmt.info.json",	REG,	5 },
	{ "proto.qcow2",	"nbd.info.json",	REG,	6 },
	{ "json.qcow2",		"json.info.json",	REG,	7 },
	{ "corrupt.qcow2",	"corrupt.info.json",	REG,	8 },
	{ "t50.qcow2",		NULL,			REG,	9 },
	{ "/dev/vg/lv",		"template.info.json",	S_IFBLK | 0660, 10 },
	{ NULL,			NULL,			0,	0 }
};

/* --- parsing ------------------------------------------------------------ */

static void
test_parse(void)
{
	struct imgchk_layer l;
	char *t, *why = NULL;
	size_t len;

	t = data("overlay.info.json", &len);
	CHECK_INT(imgchk_parse_info(t, len, &l, &why), 0);
	CHECK_STR(l.format, "qcow2");
	CHECK_STR(l.backing, "tmpl.raw");
	CHECK_STR(l.backing_full, "tmpl.raw");
	CHECK_STR(l.backing_fmt, "raw");
	CHECK_INT(l.corrupt, 0);
	CHECK_STR(l.path, NULL);
	free(l.format); free(l.backing); free(l.backing_full);
	free(l.backing_fmt);
	free(t);

	/* The header extension that records the format, zeroed. */
	t = data("nofmt.info.json", &len);
	CHECK_INT(imgchk_parse_info(t, len, &l, &why), 0);
	CHECK_STR(l.backing, "tmpl.raw");
	CHECK_STR(l.backing_fmt, NULL);
	free(l.format); free(l.backing); free(l.backing_full);
	free(t);

	t = data("template.info.json", &len);
	CHECK_INT(imgchk_parse_info(t, len, &l, &why), 0);
	CHECK_STR(l.format, "raw");
	CHECK_STR(l.backing, NULL);
	free(l.format);
	free(t);

	/* The corrupt bit (incompatible feature bit 1) set by hand. */
	t = data("corrupt.info.json", &len);
	CHECK_INT(imgchk_parse_info(t, len, &l, &why), 0);
	CHECK_INT(l.corrupt, 1);
	free(l.format);
	free(t);

	CHECK_INT(imgchk_parse_info("[1]", 3, &l, &why), -1);
	CHECK_STR(why, "not a JSON object");
	free(why);
	CHECK_INT(imgchk_parse_info("{\"format\": ", 11, &l, &why), -1);
	CHECK_STR(why, "not a JSON object");
	free(why);
	CHECK_INT(imgchk_parse_info("{}", 2, &l, &why), -1);
	CHECK_STR(why, "no \"format\"");
	free(why);

	/* A truncated qcow2: info says nothing, check counts it. */
	t = data("truncated.check.json", &len);
	CHECK_INT(imgchk_parse_check(t, len, &why), 1);
	CHECK_STR(why, "1 corruption");
	free(why);
	free(t);
	t = data("overlay.check.json", &len);
	why = NULL;
	CHECK_INT(imgchk_parse_check(t, len, &why), 0);
	CHECK_STR(why, NULL);
	free(t);
	t = xstrdup("{\"check-errors\": 2, \"corruptions\": 3}");
	CHECK_INT(imgchk_parse_check(t, strlen(t), &why), 1);
	free(t);
	CHECK_STR(why, "3 corruptions, 2 check errors");
	free(why);
	t = xstrdup("{\"leaks\": 4, \"check-errors\": 0}");
	CHECK_INT(imgchk_parse_check(t, strlen(t), &why), 0);
	free(t);
	CHECK_INT(imgchk_parse_check("{}", 2, &why), -1);
	CHECK_STR(why, "no \"check-errors\"");
	free(why);

	CHECK(imgchk_is_protocol("nbd://127.0.0.1:1/x"));
	CHECK(imgchk_is_protocol("json:{\"driver\":\"raw\"}"));
	CHECK(imgchk_is_protocol("file:tmpl.raw"));
	CHECK(!imgchk_is_protocol("tmpl.raw"));
	CHECK(!imgchk_is_protocol("/srv/a:b/tmpl.raw"));
	CHECK(!imgchk_is_protocol("./x:y"));
}

/* --- the walk ----------------------------------------------------------- */

static void
test_walk_ok(void)
{
	struct fake f = { host, "overlay.check.json", 0, 0, NULL, false, 0 };
	struct imgchk c;
	char *why;

	/* The normal clone: an overlay of a raw template. */
	CHECK_INT(walk(&f, "ov.qcow2", true, NULL, 0, &c, &why), 0);
	CHECK_STR(why, NULL);
	CHECK_INT(c.n, 2);
	CHECK_STR(c.layer[0].path, "ov.qcow2");
	CHECK_STR(c.layer[0].format, "qcow2");
	CHECK_STR(c.layer[1].path, "tmpl.raw");
	CHECK_STR(c.layer[1].format, "raw");
	CHECK_INT(f.ninfo, 2);
	CHECK_STR(f.last_fmt, "raw");	/* opened as recorded, not probed */
	CHECK_INT(f.ncheck, 1);
	imgchk_release(&c);

	/* Read-only: no check (its cost grows with the image). */
	f.ninfo = f.ncheck = 0;
	CHECK_INT(walk(&f, "ov.qcow2", false, NULL, 0, &c, &why), 0);
	CHECK_INT(c.n, 2);
	CHECK_INT(f.ncheck, 0);
	imgchk_release(&c);

	/* Two overlays deep; the run's images are others, not these. */
	{
		const char *others[] = { "ov2.qcow2", "x.qcow2" };

		f.ninfo = f.ncheck = 0;
		CHECK_INT(walk(&f, "ov2.qcow2", true, others, 2, &c, &why),
		    0);
		CHECK_INT(c.n, 3);
		CHECK_STR(c.layer[1].path, "ov.qcow2");
		CHECK_STR(c.layer[1].format, "qcow2");
		CHECK_STR(c.layer[2].path, "tmpl.raw");
		CHECK_INT(f.ncheck, 1);
		imgchk_release(&c);
	}

	/* Right before the launch: the chain again, no second check. */
	{
		struct imgchk_ops ops = OPS(&f);
		const char *rows[] = { "ov2.qcow2", "ov.qcow2" };

		f.ninfo = f.ncheck = 0;
		CHECK_INT(imgchk_walk("ov.qcow2", IMGCHK_WRITE, NULL, 0, &any,
		    &ops, &c, &why), 0);
		CHECK_INT(c.n, 2);
		CHECK_INT(f.ncheck, 0);
		imgchk_release(&c);
		CHECK_INT(imgchk_walk("ov2.qcow2", IMGCHK_WRITE, rows, 2, &any,
		    &ops, &c, &why), -1);
		CHECK(strncmp(why, "image 'ov2.qcow2' is backed by "
		    "'ov.qcow2', which this run also writes", 54) == 0);
		free(why);
	}

	/* A raw LV: one layer, no check. */
	f.ncheck = 0;
	CHECK_INT(walk(&f, "/dev/vg/lv", true, NULL, 0, &c, &why), 0);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.layer[0].format, "raw");
	CHECK_INT(f.ncheck, 0);
	imgchk_release(&c);
}

static void
test_walk_refused(void)
{
	struct fake f = { host, "overlay.check.json", 0, 0, NULL, false, 0 };
	struct imgchk c;
	char *why;

	/* Truncated: refused for writing, before anything opens it rw. */
	f.check = "truncated.check.json";
	CHECK_INT(walk(&f, "trunc.qcow2", true, NULL, 0, &c, &why), -1);
	CHECK_STR(why, "image 'trunc.qcow2' is damaged (qemu-img check: 1 "
	    "corruption; truncated or corrupt); nothing was written: "
	    "restore it from a copy");
	CHECK_INT(c.n, 0);
	free(why);
	CHECK_INT(walk(&f, "trunc.qcow2", false, NULL, 0, &c, &why), 0);
	imgchk_release(&c);
	f.check = "overlay.check.json";

	CHECK_INT(walk(&f, "nofmt.qcow2", false, NULL, 0, &c, &why), -1);
	CHECK_STR(why, "image 'nofmt.qcow2': its backing file 'tmpl.raw' "
	    "has no recorded format, and qemu would guess it from content "
	    "the guest can write; record it: qemu-img rebase -u -F raw -b "
	    "'tmpl.raw' 'nofmt.qcow2'");
	free(why);

	f.ninfo = f.ncheck = 0;
	CHECK_INT(walk(&f, "proto.qcow2", true, NULL, 0, &c, &why), -1);
	CHECK_STR(why, "image 'proto.qcow2': its backing file "
	    "'nbd://127.0.0.1:1/x' is reached through a protocol ('nbd:'), "
	    "not a host file; imprint follows local files only: copy the "
	    "backing image to a file and rebase 'proto.qcow2' onto it "
	    "(qemu-img rebase -F FORMAT -b FILE)");
	CHECK_INT(f.ninfo, 1);		/* never handed to qemu-img */
	CHECK_INT(f.ncheck, 0);		/* check would open it too */
	free(why);

	CHECK_INT(walk(&f, "json.qcow2", false, NULL, 0, &c, &why), -1);
	CHECK(strncmp(why, "image 'json.qcow2': its backing file 'json:{",
	    44) == 0);
	CHECK(strstr(why, "through a protocol ('json:')") != NULL);
	free(why);

	CHECK_INT(walk(&f, "corrupt.qcow2", false, NULL, 0, &c, &why), -1);
	CHECK_STR(why, "image 'corrupt.qcow2': 'corrupt.qcow2' is marked "
	    "corrupt by qemu; restore it from a copy (or see 'qemu-img "
	    "check -r')");
	free(why);

	CHECK_INT(walk(&f, "t50.qcow2", true, NULL, 0, &c, &why), -1);
	CHECK_STR(why, "cannot open image 't50.qcow2': qemu-img: Could not "
	    "open './t50.qcow2': qcow2 header too short");
	free(why);

	CHECK_INT(walk(&f, "gone.qcow2", true, NULL, 0, &c, &why), -1);
	CHECK_STR(why, "cannot open image 'gone.qcow2': No such file or "
	    "directory");
	free(why);
}

/* Only backing files the user named: files and directories. */
static void
test_walk_trust(void)
{
	struct fake f = { host, "overlay.check.json", 0, 0, NULL, false, 0 };
	struct imgchk_trust t;
	struct imgchk c;
	char *why;

	memset(&t, 0, sizeof(t));
	/* none named: the normal clone is refused, with the fix */
	CHECK_INT(walk_trust(&f, "ov.qcow2", false, NULL, 0, &t, &c, &why),
	    -1);
	CHECK_STR(why, "image 'ov.qcow2' is backed by 'tmpl.raw', a file "
	    "you did not name: a qcow2 image names its own backing file, "
	    "and one from elsewhere could put any host file under the "
	    "guest; if it is your template, name it: --backing 'tmpl.raw' "
	    "(or --backing DIR for every template in DIR)");
	CHECK_INT(c.n, 0);
	free(why);
	/* an image with no backing file needs none */
	CHECK_INT(walk_trust(&f, "/dev/vg/lv", false, NULL, 0, &t, &c, &why),
	    0);
	imgchk_release(&c);
	/* the template named, by its canonical path */
	strlist_add(&t.files, "/h/tmpl.raw");
	CHECK_INT(walk_trust(&f, "ov.qcow2", true, NULL, 0, &t, &c, &why), 0);
	CHECK_INT(c.n, 2);
	imgchk_release(&c);
	/* two deep: the middle layer is not named */
	CHECK_INT(walk_trust(&f, "ov2.qcow2", false, NULL, 0, &t, &c, &why),
	    -1);
	CHECK(strncmp(why, "image 'ov2.qcow2' is backed by 'ov.qcow2', a "
	    "file you did not name", 64) == 0);
	free(why);
	/* a directory: every file below it, on a component boundary */
	strlist_add(&t.dirs, "/h");
	CHECK_INT(walk_trust(&f, "ov2.qcow2", false, NULL, 0, &t, &c, &why),
	    0);
	CHECK_INT(c.n, 3);
	imgchk_release(&c);
	strlist_release(&t.files);
	strlist_release(&t.dirs);
	strlist_add(&t.dirs, "/h/tm");
	CHECK_INT(walk_trust(&f, "ov.qcow2", false, NULL, 0, &t, &c, &why),
	    -1);
	free(why);
	strlist_release(&t.dirs);
}

static void
test_walk_chain(void)
{
	struct fake f = { host, "overlay.check.json", 0, 0, NULL, false, 0 };
	struct imgchk c;
	char *why;

	/* A batch where one row's backing file is another row's image. */
	{
		const char *rows[] = { "ov2.qcow2", "ov.qcow2" };

		CHECK_INT(walk(&f, "ov2.qcow2", true, rows, 2, &c, &why),
		    -1);
		CHECK_STR(why, "image 'ov2.qcow2' is backed by 'ov.qcow2', "
		    "which this run also writes: that would change what "
		    "'ov2.qcow2' holds; flatten 'ov2.qcow2' first (qemu-img "
		    "convert) or leave one of them out");
		free(why);
		/* Read-only (inspect): shown, not refused. */
		CHECK_INT(walk(&f, "ov2.qcow2", false, rows, 2, &c, &why), 0);
		imgchk_release(&c);
	}

	/* A backing file that is a host block device. */
	{
		static const struct fake_file dev[] = {
			{ "ov.qcow2", "overlay.info.json", REG, 1 },
			{ "tmpl.raw", "template.info.json", S_IFBLK | 0660, 2 },
			{ NULL, NULL, 0, 0 }
		};
		struct fake fd = { dev, "overlay.check.json", 0, 0, NULL,
		    false, 0 };

		CHECK_INT(walk(&fd, "ov.qcow2", false, NULL, 0, &c, &why),
		    -1);
		CHECK_STR(why, "image 'ov.qcow2': its backing file "
		    "'tmpl.raw' is not a regular file; imprint refuses a "
		    "chain through a device or special file it was not "
		    "given: flatten 'ov.qcow2' (qemu-img convert) or rebase "
		    "it onto a file");
		CHECK_INT(fd.ninfo, 1);
		free(why);
	}

	/* Missing backing file. */
	{
		static const struct fake_file miss[] = {
			{ "ov.qcow2", "overlay.info.json", REG, 1 },
			{ NULL, NULL, 0, 0 }
		};
		struct fake fm = { miss, "overlay.check.json", 0, 0, NULL,
		    false, 0 };

		CHECK_INT(walk(&fm, "ov.qcow2", true, NULL, 0, &c, &why),
		    -1);
		CHECK_STR(why, "image 'ov.qcow2': its backing file "
		    "'tmpl.raw' cannot be opened: No such file or directory");
		free(why);
	}

	/* A loop: the backing file is the overlay itself. */
	{
		static const struct fake_file loop[] = {
			{ "ov2.qcow2", "overlay2.info.json", REG, 3 },
			{ "ov.qcow2", "overlay2.info.json", REG, 3 },
			{ NULL, NULL, 0, 0 }
		};
		struct fake fl = { loop, "overlay.check.json", 0, 0, NULL,
		    false, 0 };

		CHECK_INT(walk(&fl, "ov2.qcow2", false, NULL, 0, &c, &why),
		    -1);
		CHECK_STR(why, "image 'ov2.qcow2': its backing chain loops "
		    "at 'ov.qcow2'");
		free(why);

		/* Every name a new file: too deep, not endless. */
		fl.fresh_inodes = true;
		fl.ninfo = 0;
		CHECK_INT(walk(&fl, "ov2.qcow2", false, NULL, 0, &c, &why),
		    -1);
		CHECK_STR(why, "image 'ov2.qcow2': its backing chain is "
		    "deeper than 16 layers; flatten it with 'qemu-img "
		    "convert'");
		CHECK_INT(fl.ninfo, IMGCHK_MAX_DEPTH);
		free(why);
	}
}

int
main(void)
{
	test_parse();
	test_walk_ok();
	test_walk_refused();
	test_walk_trust();
	test_walk_chain();
	return unit_done();
}
