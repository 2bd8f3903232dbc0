/*
 * test_inventory.c - unit tests for inventory.c: a realistic inventory
 * (BOM, comments, blank lines, CRLF, quoted commas, quotes and newlines,
 * no final newline) parses to exact rows; every refusal prints its exact
 * "FILE:LINE: message"; duplicate images are found by path and by file;
 * shards; and the shipped recipe ovm2-el5-clone.rcp checked row by row.
 *
 * Run from the repository root (tests/run.sh does): it reads
 * recipes/ovm2-el5-clone.rcp and tests/data/inventory/.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory.h"
#include "recipe.h"
#include "capture.h"
#include "unit.h"
#include "util.h"

#define P		"test_inventory: "
#define OVM2		"recipes/ovm2-el5-clone.rcp"
#define DATA_DIR	"tests/data/inventory"

/* Parse text as path with stderr captured; returns stderr (caller frees). */
static char *
parse_cap(const char *path, const char *text, size_t len, int *rc,
    struct inventory **inv)
{
	cap_start();
	*rc = inventory_parse(path, text, len, inv);
	return cap_stop();
}

/* The stderr of a parse that must fail. */
static char *
errs_of(const char *path, const char *text)
{
	struct inventory *inv = NULL;
	char *out;
	int rc;

	out = parse_cap(path, text, strlen(text), &rc, &inv);
	CHECK_INT(rc, -1);
	CHECK(inv == NULL);
	inventory_free(inv);
	return out;
}

#define CHECK_REFUSED(text, want) do {					\
	char *o_ = errs_of("inv.csv", (text));				\
	CHECK_STR(o_, (want));						\
	free(o_);							\
} while (0)

/* --- a realistic inventory ------------------------------------------- */

static const char lab[] =
"\xef\xbb\xbf# clones for the lab, made by clone.sh\r\n"	/* 1 */
" image , config,name,octet,note \r\n"				/* 2 */
"running_pool/web1/System.img,,web1,21,plain\r\n"		/* 3 */
"\r\n"								/* 4 */
"/OVS/running_pool/web2/./System.img,web2/vm.cfg,web2,22,"	/* 5 */
"\"a, b\"\r\n"
"# web3 has a note on two lines\n"				/* 6 */
"  \t\n"							/* 7 */
"\"running_pool/web3/System.img\",/etc/xen/web3.cfg,web3,23,"	/* 8 */
"\"two\r\nlines \"\"quoted\"\"\"\n"				/* 9 */
"../other//web4.img,,web4,24,";					/* 10 */

static void
test_lab(void)
{
	struct inventory *inv = NULL;
	struct inventory_row *r;
	char *out;
	int rc;

	out = parse_cap("/OVS/inv/lab.csv", lab, sizeof(lab) - 1, &rc, &inv);
	CHECK_INT(rc, 0);
	CHECK_STR(out, "");
	free(out);
	if (inv == NULL)
		return;
	CHECK_STR(inv->path, "/OVS/inv/lab.csv");
	CHECK_INT(inv->header_line, 2);
	CHECK_INT(inv->columns.n, 5);
	if (inv->columns.n == 5) {
		CHECK_STR(inv->columns.v[0], "image");
		CHECK_STR(inv->columns.v[1], "config");
		CHECK_STR(inv->columns.v[2], "name");
		CHECK_STR(inv->columns.v[3], "octet");
		CHECK_STR(inv->columns.v[4], "note");
	}
	CHECK_INT(inv->nrows, 4);
	if (inv->nrows != 4) {
		inventory_free(inv);
		return;
	}

	r = &inv->rows[0];
	CHECK_INT(r->line, 3);
	CHECK_STR(r->image, "/OVS/inv/running_pool/web1/System.img");
	CHECK_INT(r->images.n, 1);
	CHECK(r->image == r->images.v[0]);
	CHECK_STR(r->config, NULL);
	CHECK(r->ok);
	CHECK_INT(r->vars.n, 3);
	CHECK_STR(r->vars.keys[0], "name");
	CHECK_STR(r->vars.values[0], "web1");
	CHECK_STR(r->vars.keys[1], "octet");
	CHECK_STR(r->vars.values[1], "21");
	CHECK_STR(r->vars.keys[2], "note");
	CHECK_STR(r->vars.values[2], "plain");

	r = &inv->rows[1];
	CHECK_INT(r->line, 5);
	CHECK_STR(r->image, "/OVS/running_pool/web2/System.img");
	CHECK_STR(r->config, "/OVS/inv/web2/vm.cfg");
	CHECK_STR(recipe_vars_get(&r->vars, "name"), "web2");
	CHECK_STR(recipe_vars_get(&r->vars, "note"), "a, b");

	r = &inv->rows[2];
	CHECK_INT(r->line, 8);
	CHECK_STR(r->image, "/OVS/inv/running_pool/web3/System.img");
	CHECK_STR(r->config, "/etc/xen/web3.cfg");
	CHECK_STR(recipe_vars_get(&r->vars, "note"),
	    "two\r\nlines \"quoted\"");

	r = &inv->rows[3];
	CHECK_INT(r->line, 10);
	/* ".." is kept: it is the file system's to resolve. */
	CHECK_STR(r->image, "/OVS/inv/../other/web4.img");
	CHECK_STR(r->config, NULL);
	CHECK_STR(recipe_vars_get(&r->vars, "octet"), "24");
	CHECK_STR(recipe_vars_get(&r->vars, "note"), "");
	inventory_free(inv);
}

/* Paths relative to an inventory given without or with a directory. */
static void
test_relative(void)
{
	static const char t[] = "image,image2,image3\n"
	    "a.img,./b.img,\n"
	    "c/d.img,e.img,/abs/f.img\n";
	struct inventory *inv = NULL;
	char *out;
	int rc;

	out = parse_cap("inv.csv", t, sizeof(t) - 1, &rc, &inv);
	CHECK_INT(rc, 0);
	CHECK_STR(out, "");
	free(out);
	if (inv && inv->nrows == 2) {
		CHECK_INT(inv->rows[0].images.n, 2);
		CHECK_STR(inv->rows[0].images.v[0], "a.img");
		CHECK_STR(inv->rows[0].images.v[1], "b.img");
		CHECK_INT(inv->rows[1].images.n, 3);
		CHECK_STR(inv->rows[1].images.v[0], "c/d.img");
		CHECK_STR(inv->rows[1].images.v[2], "/abs/f.img");
		CHECK_INT(inv->rows[1].vars.n, 0);
	} else
		CHECK(0);
	inventory_free(inv);

	inv = NULL;
	out = parse_cap("lab/x/inv.csv", t, sizeof(t) - 1, &rc, &inv);
	CHECK_INT(rc, 0);
	CHECK_STR(out, "");
	free(out);
	if (inv && inv->nrows == 2) {
		CHECK_STR(inv->rows[0].image, "lab/x/a.img");
		CHECK_STR(inv->rows[0].images.v[1], "lab/x/b.img");
		CHECK_STR(inv->rows[1].images.v[1], "lab/x/e.img");
		CHECK_STR(inv->rows[1].images.v[2], "/abs/f.img");
	} else
		CHECK(0);
	inventory_free(inv);

	/* In the root directory; one column, LF only, final newline. */
	inv = NULL;
	out = parse_cap("/inv.csv", "image\nx.img\n", 12, &rc, &inv);
	CHECK_INT(rc, 0);
	CHECK_STR(out, "");
	free(out);
	if (inv && inv->nrows == 1)
		CHECK_STR(inv->rows[0].image, "/x.img");
	else
		CHECK(0);
	inventory_free(inv);
}

/* --- refusals -------------------------------------------------------- */

static void
test_refusals(void)
{
	/* The file as a whole. */
	CHECK_REFUSED("", P "inv.csv: no header row\n");
	CHECK_REFUSED("\xef\xbb\xbf# only a comment\n\n",
	    P "inv.csv: no header row\n");
	CHECK_REFUSED("image,name\r\n# no rows\r\n",
	    P "inv.csv: no rows after the header\n");

	/* Bytes. */
	{
		static const char t[] = "image\na.img\nb\0.img\n";
		struct inventory *inv = NULL;
		char *o;
		int rc;

		o = parse_cap("inv.csv", t, sizeof(t) - 1, &rc, &inv);
		CHECK_INT(rc, -1);
		CHECK_STR(o, P "inv.csv:3: NUL byte: not a text file\n");
		free(o);
	}
	CHECK_REFUSED("image\nw\xc3\x28.img\n",
	    P "inv.csv:2: invalid UTF-8 (byte 0xc3)\n");
	CHECK_REFUSED("image\n\xc0\xaf.img\n",		/* overlong '/' */
	    P "inv.csv:2: invalid UTF-8 (byte 0xc0)\n");
	CHECK_REFUSED("image\n\xed\xa0\x80.img\n",	/* a surrogate */
	    P "inv.csv:2: invalid UTF-8 (byte 0xed)\n");
	CHECK_REFUSED("image\n\xf4\x90\x80\x80.img\n",	/* > U+10FFFF */
	    P "inv.csv:2: invalid UTF-8 (byte 0xf4)\n");
	CHECK_REFUSED("image\nx.img\xe2\x82",		/* cut short */
	    P "inv.csv:2: invalid UTF-8 (byte 0xe2)\n");

	/* CSV syntax. */
	CHECK_REFUSED("image,name\n\"a.img,web1\nb.img,web2\n",
	    P "inv.csv:2: unterminated quoted field\n");
	CHECK_REFUSED("image,name\na.img,we\"b1\"\nb.img,web2\n",
	    P "inv.csv:2: '\"' in an unquoted field (quote the whole "
	    "field and double each '\"' in it)\n");
	CHECK_REFUSED("image,name\n\"a.img\" ,web1\n\"b\nc.img\"x,w\n",
	    P "inv.csv:2: expected ',' or a line end after a closing "
	    "quote\n"
	    P "inv.csv:4: expected ',' or a line end after a closing "
	    "quote\n");
	CHECK_REFUSED("image,name\na.img,web1\rb.img,web2\n",
	    P "inv.csv:2: carriage return without a line feed\n");
	CHECK_REFUSED("image,name\na.img\nb.img,web2,x\nc.img,\"\"\n",
	    P "inv.csv:2: 1 field, the header has 2\n"
	    P "inv.csv:3: 3 fields, the header has 2\n");
	/* A syntax error in the header stops there. */
	CHECK_REFUSED("ima\"ge\na.img\n\"b\n",
	    P "inv.csv:1: '\"' in an unquoted field (quote the whole "
	    "field and double each '\"' in it)\n");

	/* The header. */
	CHECK_REFUSED("image,na me,1x,,name,name,image\na,b,c,d,e,f,g\n",
	    P "inv.csv:1: bad column name 'na me': expected image, imageN, "
	    "config or a variable name (a letter or '_', then letters, "
	    "digits, '_' or '-', at most 63 bytes)\n"
	    P "inv.csv:1: bad column name '1x': expected image, imageN, "
	    "config or a variable name (a letter or '_', then letters, "
	    "digits, '_' or '-', at most 63 bytes)\n"
	    P "inv.csv:1: a column has no name\n"
	    P "inv.csv:1: column 'name' appears twice\n"
	    P "inv.csv:1: column 'image' appears twice\n");
	CHECK_REFUSED("\n#x\nname,config\nweb1,\n",
	    P "inv.csv:3: no 'image' column\n");
	CHECK_REFUSED("image,image1,image02,image0\na,b,c,d\n",
	    P "inv.csv:1: bad column name 'image1': further disks are "
	    "image2, image3, ...\n"
	    P "inv.csv:1: bad column name 'image02': further disks are "
	    "image2, image3, ...\n"
	    P "inv.csv:1: bad column name 'image0': further disks are "
	    "image2, image3, ...\n");
	CHECK_REFUSED("image,image3,image99999999999999999999\na,b,c\n",
	    P "inv.csv:1: column 'image3' without 'image2'\n"
	    P "inv.csv:1: column 'image1025' without 'image1024'\n");
	CHECK_REFUSED("image,na\tme\na,b\n",
	    P "inv.csv:1: bad column name 'na\\tme': expected image, imageN, "
	    "config or a variable name (a letter or '_', then letters, "
	    "digits, '_' or '-', at most 63 bytes)\n");

	/* Cells. */
	CHECK_REFUSED("image,image2,image3,config\n"
	    ",,,\n"
	    "a.img,,c.img,\n"
	    "\"q\"\"uote.img\",,,\n"
	    "back\\slash.img,,,\n"
	    "\"new\nline.img\",,,\n"
	    "d.img,,,\"bad\tcfg\"\n",
	    P "inv.csv:2: empty image\n"
	    P "inv.csv:3: 'image3' is set but 'image2' is empty\n"
	    P "inv.csv:4: bad image path 'q\"uote.img': quotes, '\\' and "
	    "control characters are not allowed\n"
	    P "inv.csv:5: bad image path 'back\\slash.img': quotes, '\\' "
	    "and control characters are not allowed\n"
	    P "inv.csv:6: bad image path 'new\\nline.img': quotes, '\\' "
	    "and control characters are not allowed\n"
	    P "inv.csv:8: bad config path 'bad\\tcfg': quotes, '\\' and "
	    "control characters are not allowed\n");
}

/* Sizes and counts at their limits. */
static void
test_limits(void)
{
	struct inventory *inv = NULL;
	struct buf b = BUF_INIT;
	char *o, *big;
	size_t i;
	int rc;

	big = xmalloc((size_t)INVENTORY_MAX_SIZE + 1);
	memset(big, 'a', (size_t)INVENTORY_MAX_SIZE + 1);
	o = parse_cap("inv.csv", big, (size_t)INVENTORY_MAX_SIZE + 1, &rc,
	    &inv);
	CHECK_INT(rc, -1);
	CHECK_STR(o, P "inv.csv: larger than 16777216 bytes\n");
	free(o);
	free(big);

	/* INVENTORY_MAX_ROWS rows pass, one more does not. */
	buf_adds(&b, "# rows\nimage\n");
	for (i = 0; i < INVENTORY_MAX_ROWS; i++)
		buf_addf(&b, "/nonexistent/r%zu.img\n", i);
	o = parse_cap("inv.csv", b.data, b.len, &rc, &inv);
	CHECK_INT(rc, 0);
	CHECK_STR(o, "");
	free(o);
	if (inv) {
		CHECK_INT(inv->nrows, INVENTORY_MAX_ROWS);
		CHECK_INT(inv->rows[INVENTORY_MAX_ROWS - 1].line,
		    INVENTORY_MAX_ROWS + 2);
		CHECK_STR(inv->rows[INVENTORY_MAX_ROWS - 1].image,
		    "/nonexistent/r99999.img");
	}
	inventory_free(inv);
	inv = NULL;
	buf_adds(&b, "/nonexistent/one-more.img\n");
	o = parse_cap("inv.csv", b.data, b.len, &rc, &inv);
	CHECK_INT(rc, -1);
	CHECK_STR(o, P "inv.csv:100003: more than 100000 rows\n");
	free(o);
	buf_release(&b);

	/* Columns. */
	buf_adds(&b, "image");
	for (i = 1; i < INVENTORY_MAX_COLUMNS; i++)
		buf_addf(&b, ",v%zu", i);
	buf_adds(&b, "\nx.img");
	for (i = 1; i < INVENTORY_MAX_COLUMNS; i++)
		buf_adds(&b, ",");
	buf_adds(&b, "\n");
	o = parse_cap("inv.csv", b.data, b.len, &rc, &inv);
	CHECK_INT(rc, 0);
	CHECK_STR(o, "");
	free(o);
	if (inv)
		CHECK_INT(inv->rows[0].vars.n, INVENTORY_MAX_COLUMNS - 1);
	inventory_free(inv);
	inv = NULL;
	buf_reset(&b);
	buf_adds(&b, "image");
	for (i = 1; i <= INVENTORY_MAX_COLUMNS; i++)
		buf_addf(&b, ",v%zu", i);
	buf_adds(&b, "\n");
	o = parse_cap("inv.csv", b.data, b.len, &rc, &inv);
	CHECK_INT(rc, -1);
	CHECK_STR(o, P "inv.csv:1: 1025 columns, at most 1024 allowed\n");
	free(o);
	buf_release(&b);

	/* At most INVENTORY_MAX_ERRORS messages, sorted by line. */
	buf_adds(&b, "image,name\n");
	for (i = 0; i < 25; i++)
		buf_adds(&b, ",x\n");
	o = parse_cap("inv.csv", b.data, b.len, &rc, &inv);
	CHECK_INT(rc, -1);
	buf_reset(&b);
	buf_adds(&b, "");
	for (i = 0; i < INVENTORY_MAX_ERRORS; i++)
		buf_addf(&b, P "inv.csv:%zu: empty image\n", i + 2);
	buf_adds(&b, P "inv.csv: too many errors, giving up\n");
	CHECK_STR(o, b.data);
	free(o);
	buf_release(&b);
}

/* --- duplicate images ------------------------------------------------ */

static void
test_dup_images(void)
{
	char dir[] = "/tmp/imprint-inv-XXXXXX";
	char *a, *l, *h, *t, *o;
	int fd;

	CHECK_REFUSED("image,image2\n"
	    "a.img,b.img\n"
	    "# same path, other spelling\n"
	    "./a.img,\n"
	    "x/../b.img,c.img\n"
	    "c.img,c.img\n"
	    "/r/d.img,\n"
	    "/r/../r/./d.img,\n"
	    "/../r/d.img,\n"
	    "e.img,e.img\n",
	    P "inv.csv:4: image 'a.img' is also an image of the row at "
	    "line 2\n"
	    P "inv.csv:5: image 'b.img' is also an image of the row at "
	    "line 2\n"
	    P "inv.csv:6: image 'c.img' is also an image of the row at "
	    "line 5\n"
	    P "inv.csv:6: image 'c.img' is also an image of the row at "
	    "line 5\n"
	    P "inv.csv:8: image '/r/d.img' is also an image of the row at "
	    "line 7\n"
	    P "inv.csv:9: image '/r/d.img' is also an image of the row at "
	    "line 7\n"
	    P "inv.csv:10: image 'e.img' is also another image of this "
	    "row\n");

	/* The same file under two names: a symbolic and a hard link. */
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		CHECK(0);
		return;
	}
	a = xasprintf("%s/a.img", dir);
	l = xasprintf("%s/link.img", dir);
	h = xasprintf("%s/hard.img", dir);
	if ((fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    close(fd) == -1 || symlink("a.img", l) == -1 || link(a, h) == -1) {
		perror(dir);
		CHECK(0);
	}
	t = xasprintf("image\n%s\nother.img\n%s\n%s\n", a, l, h);
	o = errs_of("/none/inv.csv", t);
	free(t);
	t = xasprintf(P "/none/inv.csv:4: image '%s' is the same file as an "
	    "image of the row at line 2\n"
	    P "/none/inv.csv:5: image '%s' is the same file as an image of "
	    "the row at line 2\n", l, h);
	CHECK_STR(o, t);
	free(o);
	free(t);
	unlink(h);
	unlink(l);
	unlink(a);
	rmdir(dir);
	free(a);
	free(l);
	free(h);
}

/* --- loading a file -------------------------------------------------- */

static void
test_load(void)
{
	struct inventory *inv = NULL;
	char *o;
	int rc;

	cap_start();
	rc = inventory_load(DATA_DIR "/lab.csv", &inv);
	o = cap_stop();
	CHECK_INT(rc, 0);
	CHECK_STR(o, "");
	free(o);
	if (inv && inv->nrows == 3) {
		CHECK_STR(inv->rows[0].image,
		    DATA_DIR "/running_pool/web1/System.img");
		CHECK_STR(inv->rows[2].config, DATA_DIR "/web3/vm.cfg");
		CHECK_INT(inv->rows[2].line, 8);
		CHECK_STR(recipe_vars_get(&inv->rows[1].vars, "octet"), "22");
	} else
		CHECK(0);
	inventory_free(inv);

	inv = NULL;
	cap_start();
	rc = inventory_load(DATA_DIR "/missing.csv", &inv);
	o = cap_stop();
	CHECK_INT(rc, -1);
	CHECK(inv == NULL);
	CHECK_STR(o, P "cannot read '" DATA_DIR "/missing.csv': No such "
	    "file or directory\n");
	free(o);
}

/* --- shards ---------------------------------------------------------- */

static void
shard_bad(const char *s)
{
	unsigned i = 7, n = 7;
	char *o, *want;
	int rc;

	cap_start();
	rc = inventory_parse_shard(s, &i, &n);
	o = cap_stop();
	CHECK_INT(rc, -1);
	CHECK_INT(i, 7);
	CHECK_INT(n, 7);
	want = xasprintf(P "bad shard '%s': expected I/N with 0 <= I < N, "
	    "such as 0/4\n", s);
	CHECK_STR(o, want);
	free(o);
	free(want);
}

static void
test_shard(void)
{
	unsigned i = 9, n = 9;
	size_t r, got[10], ngot = 0;

	CHECK_INT(inventory_parse_shard("0/4", &i, &n), 0);
	CHECK_INT(i, 0);
	CHECK_INT(n, 4);
	CHECK_INT(inventory_parse_shard("3/4", &i, &n), 0);
	CHECK_INT(i, 3);
	CHECK_INT(inventory_parse_shard("0/1", &i, &n), 0);
	CHECK_INT(i, 0);
	CHECK_INT(n, 1);
	CHECK_INT(inventory_parse_shard("4294967294/4294967295", &i, &n), 0);
	CHECK_INT(i, 4294967294u);
	CHECK_INT(n, 4294967295u);
	shard_bad("4/4");
	shard_bad("0/0");
	shard_bad("-1/4");
	shard_bad("+1/4");
	shard_bad(" 1/4");
	shard_bad("1/4 ");
	shard_bad("1/4x");
	shard_bad("1");
	shard_bad("/4");
	shard_bad("1/");
	shard_bad("");
	shard_bad("1/4294967296");
	shard_bad("1:4");

	for (r = 0; r < 10; r++)
		if (inventory_row_in_shard(r, 1, 3))
			got[ngot++] = r;
	CHECK_INT(ngot, 3);
	CHECK_INT(got[0], 1);
	CHECK_INT(got[1], 4);
	CHECK_INT(got[2], 7);
	for (r = 0; r < 10; r++)
		CHECK(inventory_row_in_shard(r, 0, 0));
	CHECK(inventory_row_in_shard(5, 0, 1));
	CHECK(!inventory_row_in_shard(5, 0, 2));
}

/* --- the recipe against the rows ------------------------------------- */

static char *ovm2_text;
static size_t ovm2_len;

/* Parse text (must succeed) and check the recipe; returns stderr. */
static char *
check_cap(const char *text, const struct recipe_vars *cmdline,
    struct inventory **inv, int *bad)
{
	char *o;
	int rc;

	*inv = NULL;
	o = parse_cap("/OVS/inv.csv", text, strlen(text), &rc, inv);
	CHECK_INT(rc, 0);
	CHECK_STR(o, "");
	free(o);
	if (*inv == NULL) {
		*bad = -2;
		return xstrdup("");
	}
	cap_start();
	*bad = inventory_check_recipe(*inv, OVM2, ovm2_text, ovm2_len,
	    cmdline);
	return cap_stop();
}

static void
test_recipe_rows(void)
{
	struct recipe_vars cmd = RECIPE_VARS_INIT, v = RECIPE_VARS_INIT;
	struct inventory *inv;
	char *o;
	int bad;

	if (read_host_file(OVM2, RECIPE_MAX_SIZE, &ovm2_text, &ovm2_len)
	    == -1) {
		CHECK(0);
		return;
	}

	/* A bad octet marks its row only. */
	o = check_cap("image,name,octet\n"
	    "web1/System.img,web1,21\n"
	    "web2/System.img,web2,300\n"
	    "web3/System.img,web3,23\n", NULL, &inv, &bad);
	CHECK_INT(bad, 1);
	CHECK_STR(o, P "/OVS/inv.csv:3: row for /OVS/web2/System.img: "
	    OVM2 ":24: bad address '192.0.2.300/24': expected "
	    "a.b.c.d/N\n");
	free(o);
	if (inv && inv->nrows == 3) {
		CHECK(inv->rows[0].ok);
		CHECK(!inv->rows[1].ok);
		CHECK(inv->rows[2].ok);
	} else
		CHECK(0);
	inventory_free(inv);

	/* A missing column is named, with the recipe line. */
	o = check_cap("image,name\nweb1/System.img,web1\n", NULL, &inv,
	    &bad);
	CHECK_INT(bad, -1);
	CHECK_STR(o, P OVM2 ":24: variable 'octet' is neither a column of "
	    "'/OVS/inv.csv' nor defined with -D\n");
	free(o);
	if (inv)
		CHECK(inv->rows[0].ok);
	inventory_free(inv);

	/* ... both of them; "image" is no variable. */
	o = check_cap("image,config\nweb1/System.img,\n", NULL, &inv, &bad);
	CHECK_INT(bad, -1);
	CHECK_STR(o, P OVM2 ":16: variable 'name' is neither a column of "
	    "'/OVS/inv.csv' nor defined with -D\n"
	    P OVM2 ":24: variable 'octet' is neither a column of "
	    "'/OVS/inv.csv' nor defined with -D\n");
	free(o);
	inventory_free(inv);

	/* -D octet=... fills the gap. */
	recipe_vars_set(&cmd, "octet", "30");
	o = check_cap("image,name\nweb1/System.img,web1\n"
	    "web2/System.img,web2\n", &cmd, &inv, &bad);
	CHECK_INT(bad, 0);
	CHECK_STR(o, "");
	free(o);
	inventory_free(inv);

	/* A column wins over -D, also a bad one, also when empty. */
	recipe_vars_release(&cmd);
	recipe_vars_set(&cmd, "octet", "300");
	recipe_vars_set(&cmd, "extra", "x");
	o = check_cap("image,name,octet\nweb1/System.img,web1,21\n"
	    "web2/System.img,web2,\n", &cmd, &inv, &bad);
	CHECK_INT(bad, 1);
	CHECK_STR(o, P "/OVS/inv.csv:3: row for /OVS/web2/System.img: "
	    OVM2 ":24: bad address '192.0.2./24': expected a.b.c.d/N\n");
	free(o);
	if (inv) {
		inventory_row_vars(&inv->rows[0], &cmd, &v);
		CHECK_INT(v.n, 3);
		CHECK_STR(v.keys[0], "octet");
		CHECK_STR(v.values[0], "21");
		CHECK_STR(v.keys[1], "extra");
		CHECK_STR(v.values[1], "x");
		CHECK_STR(v.keys[2], "name");
		CHECK_STR(v.values[2], "web1");
		recipe_vars_release(&v);
		inventory_row_vars(&inv->rows[1], NULL, &v);
		CHECK_INT(v.n, 2);
		CHECK_STR(recipe_vars_get(&v, "octet"), "");
		recipe_vars_release(&v);
	}
	inventory_free(inv);
	recipe_vars_release(&cmd);
	free(ovm2_text);
}

/* Explicit MACs across rows. */
static void
test_recipe_macs(void)
{
	static const char rcp[] =
	    "# two NICs with MACs from the inventory\n"
	    "[nic eth0]\n"
	    "mac = ${mac0}\n"
	    "[nic eth1]\n"
	    "mac = ${mac1}\n";
	static const char t[] =
	    "image,mac0,mac1\n"
	    "a.img,00:16:3e:00:00:01,00:16:3e:00:00:02\n"	/* 2 */
	    "b.img,00:16:3e:00:00:03,00:16:3E:00:00:01\n"	/* 3 */
	    "c.img,00:16:3e:00:00:04,00:16:3e:00:00:04\n"	/* 4 */
	    "d.img,00:16:3e:00:00:02,01:00:5e:00:00:01\n"	/* 5 */
	    "e.img,00:16:3e:00:00:03,00:16:3e:00:00:05\n"	/* 6 */
	    "f.img,00:16:3e:00:00:06,00:16:3e:00:00:07\n";	/* 7 */
	struct inventory *inv = NULL;
	char *o;
	int rc;

	o = parse_cap("m.csv", t, sizeof(t) - 1, &rc, &inv);
	CHECK_INT(rc, 0);
	free(o);
	if (inv == NULL)
		return;
	cap_start();
	rc = inventory_check_recipe(inv, "m.rcp", rcp, sizeof(rcp) - 1,
	    NULL);
	o = cap_stop();
	CHECK_INT(rc, 4);
	CHECK_STR(o,
	    P "m.csv:4: row for c.img: m.rcp:5: mac '00:16:3e:00:00:04' is "
	    "also given to [nic eth0] at line 3\n"
	    P "m.csv:5: row for d.img: m.rcp:5: bad mac '01:00:5e:00:00:01': "
	    "multicast (the first octet is odd), not a NIC address\n"
	    P "m.csv:3: row for b.img: MAC '00:16:3e:00:00:01' of eth1 is "
	    "already that of eth0 of the row at line 2\n"
	    P "m.csv:6: row for e.img: MAC '00:16:3e:00:00:03' of eth0 is "
	    "already that of eth0 of the row at line 3\n");
	free(o);
	CHECK(inv->rows[0].ok);
	CHECK(!inv->rows[1].ok);
	CHECK(!inv->rows[2].ok);
	CHECK(!inv->rows[3].ok);
	CHECK(!inv->rows[4].ok);
	CHECK(inv->rows[5].ok);

	/* A recipe error that needs no variable: -1, rows untouched. */
	cap_start();
	rc = inventory_check_recipe(inv, "bad.rcp", "[gust]\n", 7, NULL);
	o = cap_stop();
	CHECK_INT(rc, -1);
	CHECK(o[0] != '\0' && strncmp(o, P "bad.rcp:1: ", 24) == 0);
	free(o);
	CHECK(!inv->rows[1].ok);
	inventory_free(inv);
}

/* --- imprint clone's inventory (INVENTORY_CLONES) ---------------------- */

/* The stderr of a clones inventory that must fail. */
static char *
clone_errs(const char *text)
{
	struct inventory *inv = NULL;
	char *out;
	int rc;

	cap_start();
	rc = inventory_parse_flags("c.csv", text, strlen(text),
	    INVENTORY_CLONES, &inv);
	out = cap_stop();
	CHECK_INT(rc, -1);
	CHECK(inv == NULL);
	inventory_free(inv);
	return out;
}

static void
test_clones(void)
{
	struct inventory *inv = NULL;
	char *o;
	int rc;

	/* no image column: the clones' paths follow the template's */
	cap_start();
	rc = inventory_parse_flags("/srv/c.csv", "name,octet\ndc2,22\ndc3,23\n",
	    25, INVENTORY_CLONES, &inv);
	o = cap_stop();
	CHECK_INT(rc, 0);
	CHECK_STR(o, "");
	free(o);
	if (inv) {
		CHECK_INT(inv->nrows, 2);
		CHECK(inv->rows[0].image == NULL);
		CHECK_INT(inv->rows[0].images.n, 0);
		CHECK_STR(recipe_vars_get(&inv->rows[1].vars, "name"), "dc3");
		CHECK_INT(inv->rows[1].line, 3);
	}
	inventory_free(inv);
	inv = NULL;
	/* an image column: a cell gives the disk, an empty one does not */
	cap_start();
	rc = inventory_parse_flags("/srv/c.csv",
	    "name,image,config\ndc2,dc2.img,dc2.cfg\ndc3,,\n", 44,
	    INVENTORY_CLONES, &inv);
	o = cap_stop();
	CHECK_INT(rc, 0);
	CHECK_STR(o, "");
	free(o);
	if (inv) {
		CHECK_STR(inv->rows[0].image, "/srv/dc2.img");
		CHECK_STR(inv->rows[0].config, "/srv/dc2.cfg");
		CHECK(inv->rows[1].image == NULL);
		CHECK(inv->rows[1].config == NULL);
	}
	inventory_free(inv);

	o = clone_errs("octet\n22\n");
	CHECK_STR(o, P "c.csv:1: no 'name' column (the clones' names)\n");
	free(o);
	o = clone_errs("name,octet\ndc2,22\n,23\n");
	CHECK_STR(o, P "c.csv:3: empty name\n");
	free(o);
	o = clone_errs("name,image2\ndc2,b.img\n");
	CHECK_STR(o, P "c.csv:1: column 'image2' without 'image1'\n");
	free(o);
	o = clone_errs("name,image,image2\ndc2,,b.img\n");
	CHECK_STR(o, P "c.csv:2: 'image2' is set but 'image' is empty\n");
	free(o);
	/* the plain inventory still wants its image column */
	CHECK_REFUSED("name,octet\ndc2,22\n",
	    P "inv.csv:1: no 'image' column\n");
}

int
main(void)
{
	test_lab();
	test_clones();
	test_relative();
	test_refusals();
	test_limits();
	test_dup_images();
	test_load();
	test_shard();
	test_recipe_rows();
	test_recipe_macs();
	return unit_done();
}
