/*
 * inventory.c - read the batch inventory (a CSV file, one row per clone),
 * check it, and check a recipe against it row by row.
 *
 * The CSV reader is written here rather than taken from a library: the
 * format is small (RFC 4180 plus comments, blank lines and a BOM), the
 * libraries at hand (libcsv, glib) are not among imprint's dependencies,
 * and we need the physical line of every row and of every error, which
 * the usual readers do not give.  The UTF-8 check is hand-written for
 * the same reason; it follows RFC 3629 (no overlong forms, surrogates or
 * code points above U+10FFFF).
 *
 * This module does not run anything, choose rows for a shard beyond the
 * arithmetic, take locks or open images; it stats image paths only to
 * find two names of one file.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "diag.h"
#include "recipe.h"
#include "util.h"
#include "valid.h"

/* --- messages --------------------------------------------------------- */

/* --- bytes ------------------------------------------------------------ */

/*
 * Length of the UTF-8 sequence at s[0..n), or 0 when it is not valid
 * (RFC 3629, table 3-7 of the Unicode standard).
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t k, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		k = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < k)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return k;
}

/* Refuse NUL bytes and bad UTF-8 anywhere in the file. */
static int
check_bytes(struct diag *e, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, line = 1, k;

	while (i < len) {
		if (s[i] == '\0') {
			diag_add(e, line, "NUL byte: not a text file");
			return -1;
		}
		if ((k = utf8_len(s + i, len - i)) == 0) {
			diag_add(e, line, "invalid UTF-8 (byte 0x%02x)", s[i]);
			return -1;
		}
		if (s[i] == '\n')
			line++;
		i += k;
	}
	return 0;
}

/* --- CSV -------------------------------------------------------------- */

struct reader {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	size_t		 line;
};

enum {
	REC_EOF,	/* no more records */
	REC_OK,		/* fields hold a record */
	REC_BAD,	/* reported, skipped to the next line */
	REC_FATAL	/* reported, cannot go on */
};

static void
skip_line(struct reader *rd)
{
	const char *nl;

	nl = memchr(rd->s + rd->pos, '\n', rd->len - rd->pos);
	if (nl == NULL)
		rd->pos = rd->len;
	else {
		rd->pos = (size_t)(nl - rd->s) + 1;
		rd->line++;
	}
}

/*
 * Skip blank lines (nothing but spaces and tabs) and comment lines ('#'
 * as the first byte).  Returns false at the end of the text.
 */
static bool
skip_blank(struct reader *rd)
{
	const char *s = rd->s;
	size_t j;

	for (;;) {
		if (rd->pos >= rd->len)
			return false;
		if (s[rd->pos] == '#') {
			skip_line(rd);
			continue;
		}
		for (j = rd->pos; j < rd->len && (s[j] == ' ' || s[j] == '\t');
		    j++)
			;
		if (j == rd->len) {
			rd->pos = j;
			return false;
		}
		if (s[j] == '\n' || (s[j] == '\r' && j + 1 < rd->len &&
		    s[j + 1] == '\n')) {
			rd->pos = j;
			skip_line(rd);
			continue;
		}
		return true;
	}
}

/*
 * Is there a line end at pos?  Consumes it (and counts the line) when
 * there is.
 */
static bool
eat_eol(struct reader *rd)
{
	if (rd->pos < rd->len && rd->s[rd->pos] == '\n') {
		rd->pos++;
		rd->line++;
		return true;
	}
	if (rd->pos + 1 < rd->len && rd->s[rd->pos] == '\r' &&
	    rd->s[rd->pos + 1] == '\n') {
		rd->pos += 2;
		rd->line++;
		return true;
	}
	return false;
}

/* Read one quoted field into f; pos is on the opening quote. */
static int
read_quoted(struct reader *rd, struct diag *e, struct buf *f)
{
	size_t start = rd->line;
	const char *s = rd->s;

	rd->pos++;
	for (;;) {
		if (rd->pos >= rd->len) {
			diag_add(e, start, "unterminated quoted field");
			return REC_FATAL;
		}
		if (s[rd->pos] == '"') {
			if (rd->pos + 1 < rd->len && s[rd->pos + 1] == '"') {
				buf_addc(f, '"');
				rd->pos += 2;
				continue;
			}
			rd->pos++;
			break;
		}
		if (s[rd->pos] == '\n')
			rd->line++;
		buf_addc(f, s[rd->pos++]);
	}
	if (rd->pos >= rd->len || s[rd->pos] == ',' || s[rd->pos] == '\n' ||
	    (s[rd->pos] == '\r' && rd->pos + 1 < rd->len &&
	    s[rd->pos + 1] == '\n'))
		return REC_OK;
	diag_add(e, rd->line, "expected ',' or a line end after a closing "
	    "quote");
	skip_line(rd);
	return REC_BAD;
}

/* Read one unquoted field into f. */
static int
read_plain(struct reader *rd, struct diag *e, struct buf *f)
{
	const char *s = rd->s;

	while (rd->pos < rd->len) {
		switch (s[rd->pos]) {
		case ',':
		case '\n':
			return REC_OK;
		case '\r':
			if (rd->pos + 1 < rd->len && s[rd->pos + 1] == '\n')
				return REC_OK;
			diag_add(e, rd->line, "carriage return without a line "
			    "feed");
			skip_line(rd);
			return REC_BAD;
		case '"':
			diag_add(e, rd->line, "'\"' in an unquoted field "
			    "(quote the whole field and double each '\"' "
			    "in it)");
			skip_line(rd);
			return REC_BAD;
		default:
			buf_addc(f, s[rd->pos++]);
		}
	}
	return REC_OK;
}

/*
 * Read the next record into fields (emptied first); *line_r gets the line
 * it starts on.  Returns a REC_ value.
 */
static int
read_record(struct reader *rd, struct diag *e, struct strlist *fields,
    size_t *line_r)
{
	struct buf f = BUF_INIT;
	int rc;

	strlist_release(fields);
	if (!skip_blank(rd))
		return REC_EOF;
	*line_r = rd->line;
	for (;;) {
		buf_reset(&f);
		buf_adds(&f, "");
		if (rd->pos < rd->len && rd->s[rd->pos] == '"')
			rc = read_quoted(rd, e, &f);
		else
			rc = read_plain(rd, e, &f);
		if (rc != REC_OK) {
			buf_release(&f);
			strlist_release(fields);
			return rc;
		}
		strlist_add_owned(fields, buf_detach(&f, NULL));
		if (rd->pos >= rd->len || eat_eol(rd))
			return REC_OK;
		rd->pos++;	/* the ',' */
	}
}

/* --- paths ------------------------------------------------------------ */

/*
 * Clean a path lexically: drop empty and "." components, and with dotdot
 * also resolve ".." against the component before it (which changes the
 * meaning when that one is a symbolic link, so it serves only as a key
 * for finding duplicates).  Caller frees.
 */
static char *
path_clean(const char *p, bool dotdot)
{
	struct buf b = BUF_INIT;
	size_t *ends = NULL, nends = 0, n;
	bool abs = p[0] == '/';
	const char *c, *e;

	ends = xreallocarray(NULL, strlen(p) + 1, sizeof(*ends));
	buf_adds(&b, abs ? "/" : "");
	for (c = p; *c; c = *e ? e + 1 : e) {
		if ((e = strchr(c, '/')) == NULL)
			e = c + strlen(c);
		n = (size_t)(e - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (dotdot && n == 2 && c[0] == '.' && c[1] == '.') {
			if (nends > 0 && !(b.len >= 2 &&
			    strcmp(b.data + b.len - 2, "..") == 0 &&
			    (b.len == 2 || b.data[b.len - 3] == '/'))) {
				b.len = ends[--nends];
				b.data[b.len] = '\0';
				continue;
			}
			if (abs)
				continue;
		}
		ends[nends++] = b.len;
		if (b.len > (abs ? 1u : 0u))
			buf_addc(&b, '/');
		buf_add(&b, c, n);
	}
	if (b.len == 0)
		buf_adds(&b, ".");
	free(ends);
	return buf_detach(&b, NULL);
}

/*
 * The cell as a path: relative to dir (NULL: the current directory) when
 * it is relative, cleaned of "." and empty components (caller frees).
 */
static char *
path_resolve(const char *dir, const char *cell)
{
	char *t, *r;

	if (cell[0] == '/' || dir == NULL)
		return path_clean(cell, false);
	t = xasprintf("%s/%s", dir, cell);
	r = path_clean(t, false);
	free(t);
	return r;
}

/* The characters a domain config and libguestfs can take (see valid.h). */
static bool
cell_path_ok(const char *cell)
{
	char *t;
	bool ok;

	if (cell[0] == '/')
		return abs_path_valid(cell);
	t = xasprintf("/%s", cell);
	ok = abs_path_valid(t);
	free(t);
	return ok;
}

/* --- the header ------------------------------------------------------- */

enum col_kind { COL_VAR, COL_IMAGE, COL_CONFIG };

struct col {
	enum col_kind	 kind;
	unsigned	 disk;	/* COL_IMAGE: 1 for image, N for imageN */
};

/* Trim spaces and tabs from both ends of s, in place. */
static void
trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

/*
 * Classify header name s.  Returns 0, or -1 after adding a message; a
 * name "image" with digits is a further disk only as image2, image3, ...
 */
static int
classify(struct diag *e, size_t line, const char *s, struct col *c)
{
	const char *d;
	unsigned long v = 0;
	char *q;

	c->kind = COL_VAR;
	c->disk = 0;
	if (strcmp(s, "config") == 0) {
		c->kind = COL_CONFIG;
		return 0;
	}
	if (strncmp(s, "image", 5) == 0 &&
	    strspn(s + 5, "0123456789") == strlen(s + 5)) {
		d = s + 5;
		if (*d == '\0') {
			c->kind = COL_IMAGE;
			c->disk = 1;
			return 0;
		}
		for (; *d && v <= INVENTORY_MAX_COLUMNS; d++)
			v = v * 10 + (unsigned long)(*d - '0');
		if (s[5] == '0' || v < 2) {
			diag_add(e, line, "bad column name '%s': further disks "
			    "are image2, image3, ...", s);
			return -1;
		}
		c->kind = COL_IMAGE;
		/* A number past the cap only needs to be missing its
		 * predecessor. */
		if (v > INVENTORY_MAX_COLUMNS)
			v = INVENTORY_MAX_COLUMNS + 1;
		c->disk = (unsigned)v;
		return 0;
	}
	if (recipe_var_name_valid(s))
		return 0;
	q = diag_quote(s, false);
	if (*s == '\0')
		diag_add(e, line, "a column has no name");
	else
		diag_add(e, line, "bad column name '%s': expected image, "
		    "imageN, config or a variable name (a letter or '_', "
		    "then letters, digits, '_' or '-', at most %d bytes)", q,
		    RECIPE_MAX_VARNAME);
	free(q);
	return -1;
}

/*
 * Check the header row and fill inv->columns and cols (one per column).
 * *ndisks_r gets the highest disk number.  Returns 0 or -1 (reported).
 */
static int
read_header(struct diag *e, struct inventory *inv, struct strlist *fields,
    unsigned flags, struct col **cols_r, unsigned *ndisks_r)
{
	struct col *cols;
	unsigned ndisks = 0;
	size_t i, j, line = inv->header_line;
	bool *have;
	int rc = 0;

	*cols_r = NULL;
	if (fields->n > INVENTORY_MAX_COLUMNS) {
		diag_add(e, line, "%zu columns, at most %d allowed", fields->n,
		    INVENTORY_MAX_COLUMNS);
		return -1;
	}
	cols = xcalloc(fields->n, sizeof(*cols));
	for (i = 0; i < fields->n; i++) {
		trim(fields->v[i]);
		strlist_add(&inv->columns, fields->v[i]);
		if (classify(e, line, fields->v[i], &cols[i]) == -1) {
			rc = -1;
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(fields->v[j], fields->v[i]) == 0)
				break;
		if (j < i) {
			diag_add(e, line, "column '%s' appears twice",
			    fields->v[i]);
			rc = -1;
		}
		if (cols[i].kind == COL_IMAGE && cols[i].disk > ndisks)
			ndisks = cols[i].disk;
	}
	have = xcalloc((size_t)ndisks + 1, sizeof(*have));
	for (i = 0; i < fields->n; i++)
		if (cols[i].kind == COL_IMAGE)
			have[cols[i].disk] = true;
	if ((flags & INVENTORY_CLONES) == 0 && (ndisks == 0 || !have[1])) {
		diag_add(e, line, "no 'image' column");
		rc = -1;
	}
	if ((flags & INVENTORY_CLONES) && !strlist_has(&inv->columns, "name")) {
		diag_add(e, line, "no 'name' column (the clones' names)");
		rc = -1;
	}
	for (i = 2; i <= ndisks; i++)
		if (have[i] && !have[i - 1]) {
			diag_add(e, line, "column 'image%zu' without 'image%zu'",
			    i, i - 1);
			rc = -1;
		}
	free(have);
	if (rc == -1) {
		free(cols);
		return -1;
	}
	*cols_r = cols;
	*ndisks_r = ndisks;
	return 0;
}

/* --- rows ------------------------------------------------------------- */

static void
row_release(struct inventory_row *row)
{
	strlist_release(&row->images);
	row->image = NULL;
	free(row->config);
	row->config = NULL;
	recipe_vars_release(&row->vars);
}

/* Check a path cell; adds a message and returns false when it is bad. */
static bool
check_cell_path(struct diag *e, size_t line, const char *what,
    const char *cell)
{
	char *q;

	if (cell_path_ok(cell))
		return true;
	q = diag_quote(cell, false);
	diag_add(e, line, "bad %s path '%s': quotes, '\\' and control "
	    "characters are not allowed", what, q);
	free(q);
	return false;
}

/*
 * Fill row from the fields of one data record.  Returns 0, or -1 after
 * adding messages.
 */
static int
read_row(struct diag *e, const char *dir, const struct strlist *columns,
    const struct col *cols, unsigned ndisks, unsigned flags,
    struct strlist *fields, struct inventory_row *row)
{
	const char **disk;
	unsigned k, gap = 0;
	size_t i;
	int rc = 0;

	disk = xcalloc((size_t)ndisks + 1, sizeof(*disk));
	for (i = 0; i < fields->n; i++) {
		switch (cols[i].kind) {
		case COL_IMAGE:
			disk[cols[i].disk] = fields->v[i];
			break;
		case COL_CONFIG:
			if (fields->v[i][0] == '\0')
				break;
			if (!check_cell_path(e, row->line, "config",
			    fields->v[i])) {
				rc = -1;
				break;
			}
			row->config = path_resolve(dir, fields->v[i]);
			break;
		case COL_VAR:
			if ((flags & INVENTORY_CLONES) &&
			    strcmp(columns->v[i], "name") == 0 &&
			    fields->v[i][0] == '\0') {
				diag_add(e, row->line, "empty name");
				rc = -1;
			}
			/* The name was checked with the header. */
			if (recipe_vars_set(&row->vars, columns->v[i],
			    fields->v[i]) == -1)
				rc = -1;
			break;
		}
	}
	for (k = 1; k <= ndisks; k++) {
		if (disk[k][0] == '\0') {
			if (k == 1 && (flags & INVENTORY_CLONES)) {
				gap = 1;	/* the clone's paths by name */
				continue;
			}
			if (k == 1) {
				diag_add(e, row->line, "empty image");
				rc = -1;
			} else if (gap == 0)
				gap = k;
			continue;
		}
		if (gap) {
			if (gap == 1)
				diag_add(e, row->line, "'image%u' is set but "
				    "'image' is empty", k);
			else
				diag_add(e, row->line, "'image%u' is set but "
				    "'image%u' is empty", k, gap);
			rc = -1;
			continue;
		}
		if (!check_cell_path(e, row->line, "image", disk[k])) {
			rc = -1;
			continue;
		}
		if (rc == 0)
			strlist_add_owned(&row->images,
			    path_resolve(dir, disk[k]));
	}
	free(disk);
	if (rc == 0 && row->images.n > 0)
		row->image = row->images.v[0];
	return rc;
}

/* --- duplicate images ------------------------------------------------- */

struct imgkey {
	char		*key;	/* lexically cleaned path */
	size_t		 row;
	size_t		 seq;	/* order within the file */
	bool		 have_stat;
	dev_t		 dev;
	ino_t		 ino;
	bool		 reported;
};

static int
imgkey_lex_cmp(const void *a, const void *b)
{
	const struct imgkey *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
imgkey_file_cmp(const void *a, const void *b)
{
	const struct imgkey *x = a, *y = b;

	if (x->have_stat != y->have_stat)
		return x->have_stat ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
dup_err(struct diag *e, const struct inventory *inv, const struct imgkey *k,
    const struct imgkey *first, const char *how)
{
	const struct inventory_row *row = &inv->rows[k->row];
	char *q = diag_quote(k->key, false);

	if (k->row == first->row)
		diag_add(e, row->line, "image '%s' %s another image of this "
		    "row", q, how);
	else
		diag_add(e, row->line, "image '%s' %s an image of the row at "
		    "line %zu", q, how, inv->rows[first->row].line);
	free(q);
}

/*
 * Report every image that an earlier image of the inventory already
 * names: the same path after lexical cleaning, or the same file
 * (device and inode, following symbolic links) when it exists.
 */
static int
check_dup_images(struct diag *e, const struct inventory *inv)
{
	struct imgkey *keys = NULL;
	size_t n = 0, cap = 0, i, j, first;
	struct stat st;
	int rc = 0;

	for (i = 0; i < inv->nrows; i++)
		for (j = 0; j < inv->rows[i].images.n; j++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				keys = xreallocarray(keys, cap, sizeof(*keys));
			}
			memset(&keys[n], 0, sizeof(keys[n]));
			keys[n].key = path_clean(inv->rows[i].images.v[j],
			    true);
			keys[n].row = i;
			keys[n].seq = n;
			if (stat(inv->rows[i].images.v[j], &st) == 0) {
				keys[n].have_stat = true;
				keys[n].dev = st.st_dev;
				keys[n].ino = st.st_ino;
			}
			n++;
		}
	if (n > 0)
		qsort(keys, n, sizeof(*keys), imgkey_lex_cmp);
	for (i = 1, first = 0; i < n; i++) {
		if (strcmp(keys[i].key, keys[first].key) != 0) {
			first = i;
			continue;
		}
		dup_err(e, inv, &keys[i], &keys[first], "is also");
		keys[i].reported = true;
		rc = -1;
	}
	if (n > 0)
		qsort(keys, n, sizeof(*keys), imgkey_file_cmp);
	for (i = 1, first = 0; i < n && keys[i].have_stat; i++) {
		if (keys[i].dev != keys[first].dev ||
		    keys[i].ino != keys[first].ino) {
			first = i;
			continue;
		}
		if (keys[i].reported || strcmp(keys[i].key,
		    keys[first].key) == 0)
			continue;
		dup_err(e, inv, &keys[i], &keys[first], "is the same file as");
		rc = -1;
	}
	for (i = 0; i < n; i++)
		free(keys[i].key);
	free(keys);
	return rc;
}

/* --- parse and load --------------------------------------------------- */

void
inventory_free(struct inventory *inv)
{
	size_t i;

	if (inv == NULL)
		return;
	for (i = 0; i < inv->nrows; i++)
		row_release(&inv->rows[i]);
	free(inv->rows);
	strlist_release(&inv->columns);
	free(inv->path);
	free(inv);
}

/* The directory of path, or NULL when it has none (caller frees). */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return NULL;
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int
inventory_parse(const char *path, const char *text, size_t len,
    struct inventory **inv_r)
{
	return inventory_parse_flags(path, text, len, 0, inv_r);
}

int
inventory_parse_flags(const char *path, const char *text, size_t len,
    unsigned flags, struct inventory **inv_r)
{
	struct diag e = DIAG_INIT(path, INVENTORY_MAX_ERRORS);
	struct reader rd = { text, len, 0, 1 };
	struct strlist fields = STRLIST_INIT;
	struct inventory *inv;
	struct inventory_row *row;
	struct col *cols = NULL;
	unsigned ndisks = 0;
	size_t cap = 0, line = 0;
	char *dir = NULL;
	int rc = -1, r;

	*inv_r = NULL;
	inv = xcalloc(1, sizeof(*inv));
	inv->path = xstrdup(path);
	if (len > INVENTORY_MAX_SIZE) {
		diag_add(&e, 0, "larger than %d bytes", INVENTORY_MAX_SIZE);
		goto out;
	}
	if (check_bytes(&e, text, len) == -1)
		goto out;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		rd.pos = 3;

	/* The header: syntax errors in it are fatal. */
	r = read_record(&rd, &e, &fields, &line);
	if (r == REC_EOF)
		diag_add(&e, 0, "no header row");
	if (r != REC_OK)
		goto out;
	inv->header_line = line;
	if (read_header(&e, inv, &fields, flags, &cols, &ndisks) == -1)
		goto out;

	dir = dir_of(path);
	while ((r = read_record(&rd, &e, &fields, &line)) != REC_EOF) {
		if (r == REC_FATAL)
			goto out;
		if (r == REC_BAD)
			continue;
		if (inv->nrows == INVENTORY_MAX_ROWS) {
			diag_add(&e, line, "more than %d rows",
			    INVENTORY_MAX_ROWS);
			goto out;
		}
		if (fields.n != inv->columns.n) {
			diag_add(&e, line, "%zu field%s, the header has %zu",
			    fields.n, fields.n == 1 ? "" : "s",
			    inv->columns.n);
			continue;
		}
		if (inv->nrows == cap) {
			cap = cap ? cap * 2 : 16;
			inv->rows = xreallocarray(inv->rows, cap,
			    sizeof(*inv->rows));
		}
		row = &inv->rows[inv->nrows];
		memset(row, 0, sizeof(*row));
		row->line = line;
		row->ok = true;
		if (read_row(&e, dir, &inv->columns, cols, ndisks, flags,
		    &fields, row) == -1) {
			row_release(row);
			continue;
		}
		inv->nrows++;
	}
	if (e.total == 0 && inv->nrows == 0)
		diag_add(&e, 0, "no rows after the header");
	if (e.total == 0)
		check_dup_images(&e, inv);
	if (e.total == 0)
		rc = 0;
out:
	strlist_release(&fields);
	free(cols);
	free(dir);
	if (rc == -1) {
		diag_flush(&e);
		inventory_free(inv);
		return -1;
	}
	*inv_r = inv;
	return 0;
}

int
inventory_load(const char *path, struct inventory **inv)
{
	return inventory_load_flags(path, 0, inv);
}

int
inventory_load_flags(const char *path, unsigned flags, struct inventory **inv)
{
	char *text;
	size_t len;
	int rc;

	*inv = NULL;
	if (read_host_file(path, INVENTORY_MAX_SIZE, &text, &len) == -1)
		return -1;
	rc = inventory_parse_flags(path, text, len, flags, inv);
	free(text);
	return rc;
}

/* --- the recipe against the rows -------------------------------------- */

void
inventory_row_vars(const struct inventory_row *row,
    const struct recipe_vars *cmdline, struct recipe_vars *out)
{
	size_t i;

	/* Both lists hold only valid names, so recipe_vars_set succeeds. */
	if (cmdline)
		for (i = 0; i < cmdline->n; i++)
			(void)recipe_vars_set(out, cmdline->keys[i],
			    cmdline->values[i]);
	for (i = 0; i < row->vars.n; i++)
		(void)recipe_vars_set(out, row->vars.keys[i],
		    row->vars.values[i]);
}

/*
 * The line of the first "${name}" in recipe text outside a comment, or 0.
 * A best guess for the message only: recipe_var_refs gives no lines.
 */
static size_t
ref_line(const char *text, size_t len, const char *name)
{
	char *pat = xasprintf("${%s}", name);
	size_t plen = strlen(pat), line = 1, i;
	bool comment = false;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			line++;
			comment = false;
		} else if (text[i] == '#')
			comment = true;
		else if (!comment && len - i >= plen &&
		    memcmp(text + i, pat, plen) == 0 &&
		    (i == 0 || text[i - 1] != '$')) {
			free(pat);
			return line;
		}
	}
	free(pat);
	return 0;
}

/* Is name a recipe variable of the inventory (not image, config, ...)? */
static bool
is_var_column(const struct inventory *inv, const char *name)
{
	size_t i;

	if (inv->nrows == 0)
		return false;
	/* Every row holds every variable column, in header order. */
	for (i = 0; i < inv->rows[0].vars.n; i++)
		if (strcmp(inv->rows[0].vars.keys[i], name) == 0)
			return true;
	return false;
}

struct macuse {
	char	 mac[18];
	size_t	 row;
	size_t	 nic;
	char	*name;
	bool	 dup;	/* an earlier use holds it */
	size_t	 owner_row;
	const char *owner_name;
};

static int
macuse_cmp(const void *a, const void *b)
{
	const struct macuse *x = a, *y = b;
	int c = strcmp(x->mac, y->mac);

	if (c)
		return c;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->nic < y->nic ? -1 : x->nic > y->nic;
}

static int
macuse_row_cmp(const void *a, const void *b)
{
	const struct macuse *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->nic < y->nic ? -1 : x->nic > y->nic;
}

int
inventory_check_recipe(struct inventory *inv, const char *recipe_path,
    const char *recipe_text, size_t len, const struct recipe_vars *cmdline)
{
	struct strlist refs = STRLIST_INIT;
	struct recipe_vars vars;
	struct macuse *macs = NULL;
	struct inventory_row *row;
	struct recipe *r;
	size_t i, j, n = 0, cap = 0, first, line, bad;
	char *prefix;
	int missing = 0;

	if (recipe_var_refs(recipe_path, recipe_text, len, &refs) == -1) {
		strlist_release(&refs);
		return -1;
	}
	for (i = 0; i < refs.n; i++) {
		if (is_var_column(inv, refs.v[i]) ||
		    (cmdline && recipe_vars_get(cmdline, refs.v[i])))
			continue;
		missing = 1;
		line = ref_line(recipe_text, len, refs.v[i]);
		if (line)
			warnx("%s:%zu: variable '%s' is neither a column of "
			    "'%s' nor defined with -D", recipe_path, line,
			    refs.v[i], inv->path);
		else
			warnx("%s: variable '%s' is neither a column of '%s' "
			    "nor defined with -D", recipe_path, refs.v[i],
			    inv->path);
	}
	strlist_release(&refs);
	if (missing)
		return -1;

	for (i = 0; i < inv->nrows; i++) {
		row = &inv->rows[i];
		row->ok = true;
		vars = (struct recipe_vars)RECIPE_VARS_INIT;
		inventory_row_vars(row, cmdline, &vars);
		prefix = xasprintf("%s:%zu: row for %s: %s", inv->path,
		    row->line, row->image, recipe_path);
		if (recipe_parse(prefix, recipe_text, len, &vars, &r) == -1)
			row->ok = false;
		else {
			for (j = 0; j < r->nnics; j++) {
				if (r->nics[j].mac_kind != RECIPE_MAC_FIXED)
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 64;
					macs = xreallocarray(macs, cap,
					    sizeof(*macs));
				}
				memcpy(macs[n].mac, r->nics[j].mac,
				    sizeof(macs[n].mac));
				macs[n].mac[17] = '\0';
				macs[n].row = i;
				macs[n].nic = j;
				macs[n].name = xstrdup(r->nics[j].name);
				macs[n].dup = false;
				n++;
			}
			recipe_free(r);
		}
		free(prefix);
		recipe_vars_release(&vars);
	}

	/*
	 * The first use of a MAC in file order keeps it; every later use
	 * marks its row.  No cap on the messages: every bad row is named.
	 * Two NICs of one row with one MAC are refused by recipe_parse, so
	 * a duplicate here is always between rows.
	 */
	if (n > 0)
		qsort(macs, n, sizeof(*macs), macuse_cmp);
	for (i = 1, first = 0; i < n; i++) {
		if (strcmp(macs[i].mac, macs[first].mac) != 0) {
			first = i;
			continue;
		}
		macs[i].dup = true;
		macs[i].owner_row = macs[first].row;
		macs[i].owner_name = macs[first].name;
	}
	/* Report in file order; owner_name stays valid until the end. */
	if (n > 0)
		qsort(macs, n, sizeof(*macs), macuse_row_cmp);
	for (i = 0; i < n; i++) {
		if (!macs[i].dup)
			continue;
		row = &inv->rows[macs[i].row];
		row->ok = false;
		warnx("%s:%zu: row for %s: MAC '%s' of %s is already that "
		    "of %s of the row at line %zu", inv->path, row->line,
		    row->image, macs[i].mac, macs[i].name, macs[i].owner_name,
		    inv->rows[macs[i].owner_row].line);
	}
	for (i = 0; i < n; i++)
		free(macs[i].name);
	free(macs);
	for (i = 0, bad = 0; i < inv->nrows; i++)
		if (!inv->rows[i].ok)
			bad++;
	return bad > INT_MAX ? INT_MAX : (int)bad;
}

/* --- shards ----------------------------------------------------------- */

/* Parse decimal digits at *s into *v; no sign, no blanks, no overflow. */
static bool
parse_unsigned(const char **s, unsigned *v)
{
	unsigned long long x = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		x = x * 10 + (unsigned)(*p - '0');
		if (x > UINT_MAX)
			return false;
	}
	*v = (unsigned)x;
	*s = p;
	return true;
}

int
inventory_parse_shard(const char *s, unsigned *i_r, unsigned *n_r)
{
	const char *p = s;
	unsigned i, n;
	char *q;

	if (!parse_unsigned(&p, &i) || *p++ != '/' ||
	    !parse_unsigned(&p, &n) || *p != '\0' || n == 0 || i >= n) {
		q = diag_quote(s, false);
		warnx("bad shard '%s': expected I/N with 0 <= I < N, such as "
		    "0/4", q);
		free(q);
		return -1;
	}
	*i_r = i;
	*n_r = n;
	return 0;
}

bool
inventory_row_in_shard(size_t row_index, unsigned i, unsigned n)
{
	if (n == 0)
		return true;
	return row_index % n == i;
}
