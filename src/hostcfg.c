/*
 * hostcfg.c - lexer, parser, accessors and minimal editor for Xen domain
 * configs (xm vm.cfg, Oracle VM 2/3, xl.cfg).
 *
 * This file parses the literal-assignment subset described in hostcfg.h,
 * keeping every value's byte span in the text, and edits by splicing
 * bytes into the text and re-parsing it.  It does not evaluate anything,
 * reads and writes no file (domcfg_load reads, capped), and does not
 * generate identities (ident.c does).
 *
 * Hand-written on purpose: no library parses xm's Python subset while
 * keeping byte offsets (libxlutil rejects valid xm/OVM files and gives no
 * positions for edits; embedding Python would mean evaluating input).
 */
#include <err.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostcfg.h"
#include "util.h"
#include "valid.h"

enum node_type {
	N_STR,
	N_NUM,
	N_WORD,
	N_LIST,
	N_TUPLE,
	N_DICT
};

/*
 * A value.  Items are kept only for the top-level lists of "vif" and
 * "disk" (the only ones edited), which bounds memory on huge inputs.
 */
struct node {
	enum node_type	 type;
	char		 quote;		/* N_STR: quote of the first part */
	unsigned	 nparts;	/* N_STR: adjacent literals */
	size_t		 start, end;	/* source span */
	int		 line, col;
	char		*dec;		/* N_STR: decoded bytes */
	size_t		 dec_len;
	struct node	*items;		/* N_LIST of vif/disk */
	size_t		 nitems, cap;
};

enum { OP_SET, OP_ADD };

struct stmt {
	size_t		 key_start, key_len;
	int		 line, col;
	int		 op;
	struct node	 val;
	char		*cat;		/* OP_ADD: cached concatenation */
};

/* One entry of an effective vif/disk list. */
struct ref {
	struct node	*list;
	size_t		 idx;
};

struct eff {
	struct ref	*refs;
	size_t		 n, cap;
	bool		 present;	/* some assignment exists */
	bool		 notlist;	/* the effective value is not a list */
	struct node	*tail;		/* last list of the chain */
};

/* The parse of one text. */
struct doc {
	char		*text;
	size_t		 len;
	struct stmt	*stmts;
	size_t		 nstmts, cap;
	struct eff	 nic, disk;
};

struct hostcfg {
	char		*path;
	char		*orig;
	size_t		 orig_len;
	struct doc	*doc;
};

enum tok_type {
	T_EOF,
	T_NL,
	T_NAME,
	T_NUM,
	T_STR,
	T_PUNCT,	/* = [ ] ( ) { } , : ; */
	T_ADDEQ,	/* += */
	T_OPER		/* any other operator character */
};

struct tok {
	enum tok_type	 type;
	char		 c;		/* T_PUNCT, T_OPER */
	size_t		 start, end;
	int		 line, col;
};

struct parser {
	const char	*path;
	const char	*buf;
	size_t		 len;
	size_t		 pos;
	int		 line;
	size_t		 line_start;
	bool		 has_peek;
	struct tok	 peek;
	struct doc	*doc;
	size_t		 nitems;	/* vif/disk items kept so far */
};

static const char *const py_keywords[] = {
	"and", "as", "assert", "async", "await", "break", "class",
	"continue", "def", "del", "elif", "else", "except", "exec",
	"finally", "for", "from", "global", "if", "import", "in", "is",
	"lambda", "nonlocal", "not", "or", "pass", "print", "raise",
	"return", "try", "while", "with", "yield", "True", "False", "None"
};

static void
perr(const struct parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
perr(const struct parser *p, int line, int col, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warnx("%s:%d:%d: %s", p->path, line, col, msg);
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Decode the N content bytes of a string literal (already checked by the
 * lexer) and append them to OUT.  If MAP is not NULL it gets, for each
 * decoded byte, the offset in RAW where it comes from, and one final
 * entry N; it must have room for N + 1 entries.
 */
static void
str_decode(const char *raw, size_t n, struct buf *out, size_t *map)
{
	size_t i = 0, k = out->len, start, run, j;
	const char *bs;
	int v, d;
	char c;

	while (i < n) {
		/* Copy the run up to the next backslash in one go. */
		bs = memchr(raw + i, '\\', n - i);
		run = (bs ? (size_t)(bs - raw) : n) - i;
		if (run > 0) {
			if (map)
				for (j = 0; j < run; j++)
					map[out->len - k + j] = i + j;
			buf_add(out, raw + i, run);
			i += run;
			continue;
		}
		start = i;
		c = raw[i++];
		if (c == '\\' && i < n) {
			c = raw[i++];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'v': c = '\v'; break;
			case '\\': case '\'': case '"': break;
			case 'x':
				c = (char)(hex_value(raw[i]) * 16 +
				    hex_value(raw[i + 1]));
				i += 2;
				break;
			default:
				if (c >= '0' && c <= '7') {
					v = c - '0';
					for (d = 0; d < 2 && i < n &&
					    raw[i] >= '0' && raw[i] <= '7'; d++)
						v = v * 8 + (raw[i++] - '0');
					c = (char)(v & 0xff);
					break;
				}
				/* Unknown escape: both bytes stay (Python). */
				if (map)
					map[out->len - k] = start;
				buf_addc(out, '\\');
				start = i - 1;
				break;
			}
		}
		if (map)
			map[out->len - k] = start;
		buf_addc(out, c);
	}
	if (map)
		map[out->len - k] = n;
}

/* ---- lexer ---- */

static void
tok_set(struct parser *p, struct tok *t, enum tok_type type, size_t start)
{
	t->type = type;
	t->start = start;
	t->line = p->line;
	t->col = (int)(start - p->line_start) + 1;
	t->c = start < p->len ? p->buf[start] : '\0';
}

/* Check a string literal starting at p->pos; sets t->end. */
static int
lex_string(struct parser *p, struct tok *t)
{
	const char *b = p->buf;
	char q = b[p->pos], c, e;
	size_t i = p->pos + 1;

	if (i + 1 < p->len && b[i] == q && b[i + 1] == q) {
		perr(p, t->line, t->col,
		    "triple-quoted strings are not supported");
		return -1;
	}
	while (i < p->len) {
		c = b[i];
		if (c == q) {
			t->end = p->pos = i + 1;
			return 0;
		}
		if (c == '\n' || c == '\r')
			break;
		if (c != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= p->len)
			break;
		e = b[i + 1];
		if (e == '\n' || e == '\r') {
			perr(p, t->line, (int)(i - p->line_start) + 1,
			    "backslash-newline inside a string is not "
			    "supported");
			return -1;
		}
		if (e == 'x') {
			if (i + 3 >= p->len || hex_value(b[i + 2]) < 0 ||
			    hex_value(b[i + 3]) < 0) {
				perr(p, t->line, (int)(i - p->line_start) + 1,
				    "invalid \\x escape");
				return -1;
			}
			if (b[i + 2] == '0' && b[i + 3] == '0') {
				perr(p, t->line, (int)(i - p->line_start) + 1,
				    "NUL escapes are not supported");
				return -1;
			}
			i += 4;
			continue;
		}
		if (e >= '0' && e <= '7') {
			/* Same digits str_decode takes: up to three. */
			size_t j = i + 1;
			int v = 0;

			while (j < p->len && j < i + 4 && b[j] >= '0' &&
			    b[j] <= '7')
				v = v * 8 + (b[j++] - '0');
			if ((v & 0xff) == 0) {
				perr(p, t->line, (int)(i - p->line_start) + 1,
				    "NUL escapes are not supported");
				return -1;
			}
			i = j;
			continue;
		}
		i += 2;
	}
	perr(p, t->line, t->col, "unterminated string");
	return -1;
}

static int
lex(struct parser *p, struct tok *t)
{
	const char *b = p->buf;
	unsigned char uc;
	char c;
	size_t s;

	for (;;) {
		while (p->pos < p->len && (is_blank(b[p->pos]) ||
		    b[p->pos] == '\f'))
			p->pos++;
		if (p->pos >= p->len) {
			tok_set(p, t, T_EOF, p->pos);
			t->c = '\0';
			t->end = p->pos;
			return 0;
		}
		if (b[p->pos] != '#')
			break;
		/* The text is NUL-terminated and has no NUL (checked). */
		p->pos += strcspn(b + p->pos, "\r\n");
	}
	s = p->pos;
	c = b[s];
	tok_set(p, t, T_PUNCT, s);
	if (c == '\n' || c == '\r') {
		t->type = T_NL;
		p->pos++;
		if (c == '\r' && p->pos < p->len && b[p->pos] == '\n')
			p->pos++;
		t->end = p->pos;
		p->line++;
		p->line_start = p->pos;
		return 0;
	}
	if (c == '\'' || c == '"') {
		t->type = T_STR;
		return lex_string(p, t);
	}
	if (is_alpha(c)) {
		while (p->pos < p->len && (is_alpha(b[p->pos]) ||
		    is_digit(b[p->pos])))
			p->pos++;
		t->type = T_NAME;
		t->end = p->pos;
		if (p->pos < p->len && (b[p->pos] == '\'' ||
		    b[p->pos] == '"')) {
			perr(p, t->line, t->col,
			    "string prefix '%.*s' is not supported",
			    (int)(t->end - s > 8 ? 8 : t->end - s), b + s);
			return -1;
		}
		return 0;
	}
	if (is_digit(c) || (c == '.' && s + 1 < p->len &&
	    is_digit(b[s + 1]))) {
		/* Lenient: numbers are kept as written, never converted. */
		p->pos++;
		while (p->pos < p->len) {
			c = b[p->pos];
			if (is_alpha(c) || is_digit(c) || c == '.')
				p->pos++;
			else if ((c == '+' || c == '-') &&
			    (b[p->pos - 1] == 'e' || b[p->pos - 1] == 'E') &&
			    !(b[s] == '0' && s + 1 < p->len &&
			    (b[s + 1] == 'x' || b[s + 1] == 'X')))
				p->pos++;
			else
				break;
		}
		t->type = T_NUM;
		t->end = p->pos;
		return 0;
	}
	if (c == '+' && s + 1 < p->len && b[s + 1] == '=') {
		t->type = T_ADDEQ;
		t->end = p->pos = s + 2;
		return 0;
	}
	if (strchr("=[](){},:;", c)) {
		t->end = p->pos = s + 1;
		return 0;
	}
	if (c == '\\') {
		if (s + 1 >= p->len || b[s + 1] == '\n' || b[s + 1] == '\r')
			perr(p, t->line, t->col, "backslash line continuation "
			    "is not supported");
		else
			perr(p, t->line, t->col, "unexpected '\\'");
		return -1;
	}
	if (strchr("+-*/%<>&|^~!@.`$?", c)) {
		t->type = T_OPER;
		t->end = p->pos = s + 1;
		return 0;
	}
	uc = (unsigned char)c;
	if (uc == 0)
		perr(p, t->line, t->col, "binary data (NUL byte)");
	else if (uc >= 0x80)
		perr(p, t->line, t->col, "unexpected byte 0x%02x outside a "
		    "string or comment", uc);
	else
		perr(p, t->line, t->col, "unexpected control character 0x%02x",
		    uc);
	return -1;
}

static int
next(struct parser *p, struct tok *t)
{
	if (p->has_peek) {
		*t = p->peek;
		p->has_peek = false;
		return 0;
	}
	return lex(p, t);
}

/* Next token, skipping newlines (inside brackets). */
static int
next_nonl(struct parser *p, struct tok *t)
{
	do {
		if (next(p, t) == -1)
			return -1;
	} while (t->type == T_NL);
	return 0;
}

static void
unread(struct parser *p, const struct tok *t)
{
	p->peek = *t;
	p->has_peek = true;
}

/* ---- parser ---- */

static bool
tok_is(const struct parser *p, const struct tok *t, const char *word)
{
	size_t n = strlen(word);

	return t->type == T_NAME && t->end - t->start == n &&
	    memcmp(p->buf + t->start, word, n) == 0;
}

static bool
tok_is_keyword(const struct parser *p, const struct tok *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(py_keywords); i++)
		if (tok_is(p, t, py_keywords[i]))
			return true;
	return false;
}

static void
node_free(struct node *n)
{
	size_t i;

	free(n->dec);
	for (i = 0; i < n->nitems; i++)
		node_free(&n->items[i]);
	free(n->items);
}

static void
node_init(struct node *n, enum node_type type, const struct tok *t)
{
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->start = t->start;
	n->end = t->end;
	n->line = t->line;
	n->col = t->col;
}

static int	parse_value(struct parser *, const struct tok *, struct node *,
		    int, bool, bool);

/* Explain a token found where a separator or the end was expected. */
static void
bad_follow(struct parser *p, const struct tok *t, const char *want)
{
	if (t->type == T_OPER || t->type == T_ADDEQ)
		perr(p, t->line, t->col, "expressions are not supported "
		    "(found '%c')", t->c);
	else if (t->type == T_PUNCT && t->c == '(')
		perr(p, t->line, t->col, "function calls are not supported");
	else if (t->type == T_PUNCT && t->c == '[')
		perr(p, t->line, t->col, "subscripts are not supported");
	else if (t->type == T_PUNCT && t->c == '=')
		perr(p, t->line, t->col, "chained or keyword assignments are "
		    "not supported");
	else if (t->type == T_NAME && tok_is_keyword(p, t))
		perr(p, t->line, t->col, "python code is not supported "
		    "('%.*s')", (int)(t->end - t->start), p->buf + t->start);
	else
		perr(p, t->line, t->col, "expected %s", want);
}

static int
parse_container(struct parser *p, const struct tok *open, struct node *out,
    int depth, bool keep)
{
	char close = open->c == '[' ? ']' : open->c == '(' ? ')' : '}';
	const char *what = open->c == '[' ? "list" : open->c == '(' ?
	    "tuple" : "dict";
	struct node item, *dst;
	struct tok t;
	char want[32];

	if (depth >= HOSTCFG_MAX_DEPTH) {
		perr(p, open->line, open->col, "lists nested more than %d "
		    "deep", HOSTCFG_MAX_DEPTH);
		return -1;
	}
	snprintf(want, sizeof(want), "',' or '%c'", close);
	for (;;) {
		if (next_nonl(p, &t) == -1)
			return -1;
		if (t.type == T_PUNCT && t.c == close)
			break;
		if (t.type == T_EOF) {
			perr(p, open->line, open->col, "unterminated %s",
			    what);
			return -1;
		}
		dst = NULL;
		if (keep && out) {
			if (++p->nitems > HOSTCFG_MAX_ITEMS) {
				perr(p, t.line, t.col, "more than %d vif and "
				    "disk entries", HOSTCFG_MAX_ITEMS);
				return -1;
			}
			if (out->nitems == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 4;
				out->items = xreallocarray(out->items,
				    out->cap, sizeof(*out->items));
			}
			dst = &item;
		}
		if (parse_value(p, &t, dst, depth + 1, true, false) == -1)
			return -1;
		if (dst)
			out->items[out->nitems++] = item;
		if (next_nonl(p, &t) == -1)
			return -1;
		if (t.type == T_PUNCT && t.c == close)
			break;
		if (t.type == T_PUNCT && (t.c == ',' ||
		    (t.c == ':' && close == '}')))
			continue;
		if (t.type == T_EOF) {
			perr(p, open->line, open->col, "unterminated %s",
			    what);
			return -1;
		}
		if (t.type == T_NAME && tok_is(p, &t, "for")) {
			perr(p, t.line, t.col, "python code is not supported "
			    "(comprehension)");
			return -1;
		}
		bad_follow(p, &t, want);
		return -1;
	}
	if (out)
		out->end = t.end;
	return 0;
}

/*
 * Parse the value starting with token T.  OUT (may be NULL when the
 * value is not kept) gets the node; a list's items are kept only when
 * KEEP.  NESTED: inside brackets, where newlines do not end the value.
 */
static int
parse_value(struct parser *p, const struct tok *t, struct node *out,
    int depth, bool nested, bool keep)
{
	struct buf dec = BUF_INIT;
	struct tok u;
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	switch (t->type) {
	case T_STR:
		if (out) {
			node_init(out, N_STR, t);
			out->quote = t->c;
			out->nparts = 1;
			str_decode(p->buf + t->start + 1,
			    t->end - t->start - 2, &dec, NULL);
		}
		/* Adjacent literals concatenate, as in Python. */
		for (;;) {
			if ((nested ? next_nonl(p, &u) : next(p, &u)) == -1) {
				buf_release(&dec);
				return -1;
			}
			if (u.type != T_STR) {
				unread(p, &u);
				break;
			}
			if (out) {
				out->nparts++;
				out->end = u.end;
				str_decode(p->buf + u.start + 1,
				    u.end - u.start - 2, &dec, NULL);
			}
		}
		if (out) {
			buf_addc(&dec, '\0');
			out->dec = buf_detach(&dec, &out->dec_len);
			out->dec_len--;
		}
		return 0;
	case T_NUM:
		if (out)
			node_init(out, N_NUM, t);
		return 0;
	case T_OPER:
		if (t->c == '-' || t->c == '+') {
			if ((nested ? next_nonl(p, &u) : next(p, &u)) == -1)
				return -1;
			if (u.type == T_NUM) {
				if (out) {
					node_init(out, N_NUM, t);
					out->end = u.end;
				}
				return 0;
			}
		}
		perr(p, t->line, t->col, "expressions are not supported "
		    "(found '%c')", t->c);
		return -1;
	case T_NAME:
		if (tok_is(p, t, "True") || tok_is(p, t, "False") ||
		    tok_is(p, t, "None")) {
			if (out)
				node_init(out, N_WORD, t);
			return 0;
		}
		if (next(p, &u) == -1)
			return -1;
		if (u.type == T_PUNCT && u.c == '(')
			perr(p, t->line, t->col, "function calls are not "
			    "supported");
		else if (tok_is_keyword(p, t))
			perr(p, t->line, t->col, "python code is not supported "
			    "('%.*s')", (int)(t->end - t->start),
			    p->buf + t->start);
		else
			perr(p, t->line, t->col, "'%.*s' is not a literal "
			    "value (names are not evaluated)",
			    (int)(t->end - t->start > 64 ? 64 :
			    t->end - t->start), p->buf + t->start);
		return -1;
	case T_PUNCT:
		if (t->c == '[' || t->c == '(' || t->c == '{') {
			if (out)
				node_init(out, t->c == '[' ? N_LIST :
				    t->c == '(' ? N_TUPLE : N_DICT, t);
			rc = parse_container(p, t, out, depth,
			    keep && t->c == '[');
			return rc;
		}
		break;
	default:
		break;
	}
	if (t->type == T_EOF || t->type == T_NL)
		perr(p, t->line, t->col, "expected a value");
	else
		perr(p, t->line, t->col, "expected a value, found '%c'", t->c);
	return -1;
}

static void
doc_free(struct doc *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nstmts; i++) {
		node_free(&d->stmts[i].val);
		free(d->stmts[i].cat);
	}
	free(d->stmts);
	free(d->nic.refs);
	free(d->disk.refs);
	free(d->text);
	free(d);
}

static bool
key_is(const struct doc *d, const struct stmt *s, const char *key)
{
	size_t n = strlen(key);

	return s->key_len == n && memcmp(d->text + s->key_start, key, n) == 0;
}

static void
eff_add(struct eff *e, struct node *list)
{
	size_t i;

	for (i = 0; i < list->nitems; i++) {
		if (e->n == e->cap) {
			e->cap = e->cap ? e->cap * 2 : 8;
			e->refs = xreallocarray(e->refs, e->cap,
			    sizeof(*e->refs));
		}
		e->refs[e->n].list = list;
		e->refs[e->n].idx = i;
		e->n++;
	}
	e->tail = list;
}

/* Build the effective list of KEY: last "=" list plus later "+=" lists. */
static void
eff_build(struct doc *d, const char *key, struct eff *e)
{
	struct stmt *s;
	size_t i;

	for (i = 0; i < d->nstmts; i++) {
		s = &d->stmts[i];
		if (!key_is(d, s, key))
			continue;
		e->present = true;
		if (s->op == OP_SET) {
			e->n = 0;
			e->notlist = false;
			e->tail = NULL;
		}
		if (e->notlist)
			continue;
		if (s->val.type != N_LIST) {
			e->n = 0;
			e->notlist = true;
			e->tail = NULL;
			continue;
		}
		eff_add(e, &s->val);
	}
}

static int
parse_stmt(struct parser *p, const struct tok *name)
{
	struct doc *d = p->doc;
	struct stmt *s;
	struct tok t;
	bool keep;
	int op;

	if (tok_is_keyword(p, name)) {
		perr(p, name->line, name->col, "python code is not supported "
		    "('%.*s')", (int)(name->end - name->start),
		    p->buf + name->start);
		return -1;
	}
	if (next(p, &t) == -1)
		return -1;
	if (t.type == T_PUNCT && t.c == '=')
		op = OP_SET;
	else if (t.type == T_ADDEQ)
		op = OP_ADD;
	else {
		if (t.type == T_OPER && t.c == '.')
			perr(p, t.line, t.col, "python code is not supported "
			    "(attribute access)");
		else if (t.type == T_PUNCT && t.c == '(')
			perr(p, name->line, name->col, "function calls are "
			    "not supported");
		else if (t.type == T_PUNCT && t.c == '[')
			perr(p, t.line, t.col, "subscript assignments are not "
			    "supported");
		else
			perr(p, t.line, t.col, "expected '=' after '%.*s'",
			    (int)(name->end - name->start > 64 ? 64 :
			    name->end - name->start), p->buf + name->start);
		return -1;
	}
	if (d->nstmts >= HOSTCFG_MAX_STMTS) {
		perr(p, name->line, name->col, "more than %d statements",
		    HOSTCFG_MAX_STMTS);
		return -1;
	}
	if (d->nstmts == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->stmts = xreallocarray(d->stmts, d->cap, sizeof(*d->stmts));
	}
	s = &d->stmts[d->nstmts];
	memset(s, 0, sizeof(*s));
	s->key_start = name->start;
	s->key_len = name->end - name->start;
	s->line = name->line;
	s->col = name->col;
	s->op = op;
	keep = (s->key_len == 3 && memcmp(p->buf + name->start, "vif", 3) ==
	    0) || (s->key_len == 4 && memcmp(p->buf + name->start, "disk",
	    4) == 0);
	if (next(p, &t) == -1)
		return -1;
	/* Only vif/disk lists keep their items; see struct node. */
	if (parse_value(p, &t, &s->val, 0, false, keep) == -1) {
		node_free(&s->val);
		return -1;
	}
	d->nstmts++;
	if (next(p, &t) == -1)
		return -1;
	if (t.type == T_NL || t.type == T_EOF ||
	    (t.type == T_PUNCT && t.c == ';'))
		return 0;
	bad_follow(p, &t, "a newline or ';' after the value");
	return -1;
}

/*
 * Parse TEXT (LEN bytes, ownership taken) into a new doc.  Returns NULL
 * after one message.
 */
static struct doc *
doc_parse(const char *path, char *text, size_t len)
{
	struct parser p;
	struct doc *d;
	struct tok t;
	const char *nul;

	d = xcalloc(1, sizeof(*d));
	d->text = text;
	d->len = len;
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.buf = text;
	p.len = len;
	p.line = 1;
	p.doc = d;
	if (len > HOSTCFG_MAX_SIZE) {
		warnx("%s: file too large (%zu bytes, limit %u)", path, len,
		    HOSTCFG_MAX_SIZE);
		goto fail;
	}
	if ((nul = memchr(text, '\0', len)) != NULL) {
		/* Report where the NUL is: count lines up to it. */
		while (p.pos < (size_t)(nul - text)) {
			if (text[p.pos] == '\n' || (text[p.pos] == '\r' &&
			    (p.pos + 1 >= len || text[p.pos + 1] != '\n'))) {
				p.line++;
				p.line_start = p.pos + 1;
			}
			p.pos++;
		}
		perr(&p, p.line, (int)(p.pos - p.line_start) + 1,
		    "binary data (NUL byte)");
		goto fail;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		p.pos = p.line_start = 3;
	for (;;) {
		if (next(&p, &t) == -1)
			goto fail;
		if (t.type == T_EOF)
			break;
		if (t.type == T_NL || (t.type == T_PUNCT && t.c == ';'))
			continue;
		if (t.type != T_NAME) {
			if (t.type == T_STR)
				perr(&p, t.line, t.col, "expected an "
				    "assignment, found a string");
			else
				perr(&p, t.line, t.col, "expected an "
				    "assignment, found '%c'", t.c);
			goto fail;
		}
		if (parse_stmt(&p, &t) == -1)
			goto fail;
	}
	eff_build(d, "vif", &d->nic);
	eff_build(d, "disk", &d->disk);
	return d;
fail:
	doc_free(d);
	return NULL;
}

/* ---- object ---- */

int
hostcfg_parse(const char *path, const char *buf, size_t len,
    struct hostcfg **cfg_r)
{
	struct hostcfg *c;
	char *text;

	if (len > HOSTCFG_MAX_SIZE) {
		warnx("%s: file too large (%zu bytes, limit %u)", path, len,
		    HOSTCFG_MAX_SIZE);
		return -1;
	}
	text = xmalloc(len + 1);
	if (len)
		memcpy(text, buf, len);
	text[len] = '\0';
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	if ((c->doc = doc_parse(path, text, len)) == NULL) {
		free(c->path);
		free(c);
		return -1;
	}
	c->orig = xmalloc(len + 1);
	memcpy(c->orig, text, len + 1);
	c->orig_len = len;
	*cfg_r = c;
	return 0;
}

void
hostcfg_free(struct hostcfg *c)
{
	if (c == NULL)
		return;
	doc_free(c->doc);
	free(c->orig);
	free(c->path);
	free(c);
}

const char *
hostcfg_path(const struct hostcfg *c)
{
	return c->path;
}

const char *
hostcfg_text(const struct hostcfg *c, size_t *len_r)
{
	if (len_r)
		*len_r = c->doc->len;
	return c->doc->text;
}

const char *
hostcfg_original(const struct hostcfg *c, size_t *len_r)
{
	if (len_r)
		*len_r = c->orig_len;
	return c->orig;
}

bool
hostcfg_changed(const struct hostcfg *c)
{
	return c->doc->len != c->orig_len ||
	    memcmp(c->doc->text, c->orig, c->orig_len) != 0;
}

/* The effective (last) statement for KEY, or NULL. */
static struct stmt *
find_stmt(const struct doc *d, const char *key)
{
	size_t i;

	for (i = d->nstmts; i > 0; i--)
		if (key_is(d, &d->stmts[i - 1], key))
			return &d->stmts[i - 1];
	return NULL;
}

const char *
hostcfg_get_string(const struct hostcfg *c, const char *key)
{
	struct doc *d = c->doc;
	struct stmt *s = find_stmt(d, key), *t;
	struct buf cat = BUF_INIT;
	size_t i, first;

	if (s == NULL || s->val.type != N_STR)
		return NULL;
	if (s->op == OP_SET)
		return s->val.dec;
	if (s->cat)
		return s->cat;
	/* "+=" on strings concatenates (libxlutil, Python): walk back. */
	first = 0;
	for (i = (size_t)(s - d->stmts) + 1; i > 0; i--) {
		t = &d->stmts[i - 1];
		if (!key_is(d, t, key))
			continue;
		if (t->val.type != N_STR)
			return NULL;
		if (t->op == OP_SET) {
			first = i - 1;
			break;
		}
	}
	for (i = first; i <= (size_t)(s - d->stmts); i++)
		if (key_is(d, &d->stmts[i], key))
			buf_add(&cat, d->stmts[i].val.dec,
			    d->stmts[i].val.dec_len);
	buf_addc(&cat, '\0');
	s->cat = buf_detach(&cat, NULL);
	return s->cat;
}

int
hostcfg_key_line(const struct hostcfg *c, const char *key)
{
	struct stmt *s = find_stmt(c->doc, key);

	return s ? s->line : 0;
}

static struct node *
eff_item(const struct eff *e, size_t i)
{
	if (i >= e->n)
		return NULL;
	return &e->refs[i].list->items[e->refs[i].idx];
}

size_t
hostcfg_nic_count(const struct hostcfg *c)
{
	return c->doc->nic.n;
}

const char *
hostcfg_nic_spec(const struct hostcfg *c, size_t i)
{
	struct node *n = eff_item(&c->doc->nic, i);

	return n && n->type == N_STR ? n->dec : NULL;
}

int
hostcfg_nic_line(const struct hostcfg *c, size_t i)
{
	struct node *n = eff_item(&c->doc->nic, i);

	return n ? n->line : 0;
}

size_t
hostcfg_disk_count(const struct hostcfg *c)
{
	return c->doc->disk.n;
}

const char *
hostcfg_disk_spec(const struct hostcfg *c, size_t i)
{
	struct node *n = eff_item(&c->doc->disk, i);

	return n && n->type == N_STR ? n->dec : NULL;
}

int
hostcfg_disk_line(const struct hostcfg *c, size_t i)
{
	struct node *n = eff_item(&c->doc->disk, i);

	return n ? n->line : 0;
}

/* ---- spec fields ---- */

struct field {
	size_t	start, end;		/* field, without its comma */
	size_t	key_s, key_e;		/* key, blanks trimmed */
	size_t	val_s, val_e;		/* after '=', trailing blanks trimmed */
	bool	has_eq;
};

/* Split field starting at POS of S (N bytes); returns the end. */
static size_t
field_at(const char *s, size_t n, size_t pos, struct field *f)
{
	size_t i = pos, e;

	memset(f, 0, sizeof(*f));
	f->start = pos;
	while (i < n && s[i] != ',')
		i++;
	f->end = i;
	for (f->key_s = pos; f->key_s < i && is_blank(s[f->key_s]);
	    f->key_s++)
		;
	for (e = f->key_s; e < i && s[e] != '='; e++)
		;
	if (e < i) {
		f->has_eq = true;
		f->key_e = e;
		while (f->key_e > f->key_s && is_blank(s[f->key_e - 1]))
			f->key_e--;
		f->val_s = e + 1;
		f->val_e = i;
		while (f->val_e > f->val_s && is_blank(s[f->val_e - 1]))
			f->val_e--;
	}
	return i;
}

/* Last field of spec S whose key is KEY; returns false if none. */
static bool
field_find(const char *s, size_t n, const char *key, struct field *out)
{
	struct field f;
	size_t pos = 0, kl = strlen(key);
	bool found = false;

	for (;;) {
		pos = field_at(s, n, pos, &f);
		if (f.has_eq && f.key_e - f.key_s == kl &&
		    memcmp(s + f.key_s, key, kl) == 0) {
			*out = f;
			found = true;
		}
		if (pos >= n)
			break;
		pos++;
	}
	return found;
}

char *
hostcfg_nic_get(const struct hostcfg *c, size_t i, const char *key)
{
	struct node *n = eff_item(&c->doc->nic, i);
	struct field f;

	if (n == NULL || n->type != N_STR ||
	    !field_find(n->dec, n->dec_len, key, &f))
		return NULL;
	return xstrndup(n->dec + f.val_s, f.val_e - f.val_s);
}

size_t
hostcfg_nic_keys(const struct hostcfg *c, size_t i, struct strlist *keys)
{
	struct node *n = eff_item(&c->doc->nic, i);
	struct field f;
	size_t pos = 0, cnt = 0;

	if (n == NULL || n->type != N_STR)
		return 0;
	for (;;) {
		pos = field_at(n->dec, n->dec_len, pos, &f);
		if (f.has_eq) {
			strlist_add_owned(keys, xstrndup(n->dec + f.key_s,
			    f.key_e - f.key_s));
			cnt++;
		}
		if (pos >= n->dec_len)
			break;
		pos++;
	}
	return cnt;
}

/* Is S[a, b) of the form KEY=... with KEY of [A-Za-z0-9_-]? */
static bool
field_keyed(const char *s, size_t a, size_t b)
{
	size_t i = a;

	while (i < b && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-'))
		i++;
	return i > a && i < b && s[i] == '=';
}

/*
 * Locate the target path of disk spec S: *a_r, *b_r get its decoded
 * range (prefixes excluded); *keyed_r tells the form.  False if none.
 */
static bool
disk_target_range(const char *s, size_t n, size_t *a_r, size_t *b_r,
    bool *keyed_r)
{
	struct field f;
	size_t pos = 0, a, b, i;

	for (;;) {
		pos = field_at(s, n, pos, &f);
		if (f.has_eq && f.key_e - f.key_s == 6 &&
		    memcmp(s + f.key_s, "target", 6) == 0) {
			*a_r = f.val_s;
			*b_r = n;
			*keyed_r = true;
			return true;
		}
		if (pos >= n)
			break;
		pos++;
	}
	pos = 0;
	for (;;) {
		pos = field_at(s, n, pos, &f);
		a = f.key_s;
		if (!field_keyed(s, a, f.end)) {
			b = f.end;
			while (b > a && is_blank(s[b - 1]))
				b--;
			/* Strip prefixes such as phy:, file:, tap:aio:. */
			for (;;) {
				for (i = a; i < b && (is_alpha(s[i]) ||
				    is_digit(s[i])); i++)
					;
				if (i == a || i >= b || s[i] != ':')
					break;
				a = i + 1;
			}
			*a_r = a;
			*b_r = b;
			*keyed_r = false;
			return true;
		}
		if (pos >= n)
			break;
		pos++;
	}
	return false;
}

char *
hostcfg_disk_target(const struct hostcfg *c, size_t i)
{
	struct node *n = eff_item(&c->doc->disk, i);
	size_t a, b;
	bool keyed;

	if (n == NULL || n->type != N_STR ||
	    !disk_target_range(n->dec, n->dec_len, &a, &b, &keyed))
		return NULL;
	return xstrndup(n->dec + a, b - a);
}

/* ---- editing ---- */

/* Append V (N bytes) to OUT encoded for a Q-quoted literal. */
static void
str_encode(struct buf *out, const char *v, size_t n, char q)
{
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)v[i];
		if (c == (unsigned char)q || c == '\\') {
			buf_addc(out, '\\');
			buf_addc(out, (char)c);
		} else if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c == '\r')
			buf_adds(out, "\\r");
		else if (c < ' ' || c == 0x7f)
			buf_addf(out, "\\x%02x", c);
		else
			buf_addc(out, (char)c);
	}
}

/*
 * Replace TEXT[off, off+del) with INS and re-parse.  Returns 0, or -1
 * (object unchanged) if the result does not parse, which would be a bug.
 */
static int
commit(struct hostcfg *c, size_t off, size_t del, const char *ins,
    size_t inslen)
{
	struct doc *d = c->doc, *nd;
	size_t len = d->len - del + inslen;
	char *text;

	text = xmalloc(len + 1);
	memcpy(text, d->text, off);
	memcpy(text + off, ins, inslen);
	memcpy(text + off + inslen, d->text + off + del, d->len - off - del);
	text[len] = '\0';
	if ((nd = doc_parse(c->path, text, len)) == NULL) {
#ifdef HOSTCFG_FUZZ
		abort();	/* a bug the fuzzer must report */
#endif
		warnx("%s: internal error: the edit would not parse", c->path);
		return -1;
	}
	doc_free(d);
	c->doc = nd;
	return 0;
}

/*
 * Replace decoded bytes [a, b) of string node N with V.  Returns 0, 1 if
 * nothing would change, -1 on failure.
 */
static int
edit_string(struct hostcfg *c, const struct node *n, size_t a, size_t b,
    const char *v, size_t vlen)
{
	const char *raw = c->doc->text + n->start + 1;
	size_t rawlen = n->end - n->start - 2, *map, ra, rb;
	struct buf dec = BUF_INIT, enc = BUF_INIT;
	int rc;

	map = xreallocarray(NULL, rawlen + 1, sizeof(*map));
	str_decode(raw, rawlen, &dec, map);
	ra = map[a];
	rb = map[b];
	free(map);
	buf_release(&dec);
	str_encode(&enc, v, vlen, n->quote);
	if (rb - ra == enc.len && memcmp(raw + ra, enc.data ? enc.data : "",
	    enc.len) == 0)
		rc = 1;
	else
		rc = commit(c, n->start + 1 + ra, rb - ra,
		    enc.data ? enc.data : "", enc.len);
	buf_release(&enc);
	return rc;
}

/* Can string node N be edited?  Prints the refusal. */
static bool
editable(const struct hostcfg *c, const struct node *n, const char *what)
{
	if (n->type != N_STR) {
		warnx("%s:%d:%d: %s is not a string", c->path, n->line,
		    n->col, what);
		return false;
	}
	if (n->nparts != 1) {
		warnx("%s:%d:%d: cannot edit %s: it is made of adjacent "
		    "string literals", c->path, n->line, n->col, what);
		return false;
	}
	return true;
}

static const char *
file_eol(const struct doc *d)
{
	const char *nl = memchr(d->text, '\n', d->len);

	if (nl && nl > d->text && nl[-1] == '\r')
		return "\r\n";
	return "\n";
}

static char
file_quote(const struct doc *d)
{
	size_t i, j;

	for (i = 0; i < d->nstmts; i++) {
		if (d->stmts[i].val.type == N_STR)
			return d->stmts[i].val.quote;
		for (j = 0; j < d->stmts[i].val.nitems; j++)
			if (d->stmts[i].val.items[j].type == N_STR)
				return d->stmts[i].val.items[j].quote;
	}
	return '\'';
}

/* Append LINE (no line ending) as a new last line. */
static int
append_line(struct hostcfg *c, const char *line)
{
	const struct doc *d = c->doc;
	const char *eol = file_eol(d);
	char *s;
	int rc;

	if (d->len > 0 && d->text[d->len - 1] != '\n' &&
	    d->text[d->len - 1] != '\r')
		s = xasprintf("%s%s", eol, line);
	else
		s = xasprintf("%s%s", line, eol);
	rc = commit(c, d->len, 0, s, strlen(s));
	free(s);
	return rc;
}

/* Set "name" or "uuid". */
static int
set_top(struct hostcfg *c, const char *key, const char *value)
{
	struct doc *d = c->doc;
	struct stmt *s, *name;
	struct buf line = BUF_INIT;
	const char *eol;
	size_t pos, j;
	char q, what[32];
	int rc;

	snprintf(what, sizeof(what), "'%s'", key);
	if ((s = find_stmt(d, key)) != NULL) {
		if (s->op != OP_SET) {
			warnx("%s:%d:%d: cannot edit '%s': it is extended "
			    "with '+='", c->path, s->line, s->col, key);
			return -1;
		}
		if (!editable(c, &s->val, what))
			return -1;
		return edit_string(c, &s->val, 0, s->val.dec_len, value,
		    strlen(value));
	}
	name = strcmp(key, "uuid") == 0 ? find_stmt(d, "name") : NULL;
	q = name && name->val.type == N_STR ? name->val.quote :
	    file_quote(d);
	buf_addf(&line, "%s = %c", key, q);
	str_encode(&line, value, strlen(value), q);
	buf_addc(&line, q);
	if (name == NULL) {
		rc = append_line(c, line.data);
		buf_release(&line);
		return rc;
	}
	/*
	 * Insert after name's line; when statements follow on that line
	 * ("name = 'x'; vif = [" ...), after the line where they end.
	 */
	j = (size_t)(name - d->stmts);
	pos = name->val.end;
	for (;;) {
		while (pos < d->len && d->text[pos] != '\n' &&
		    d->text[pos] != '\r')
			pos++;
		if (j + 1 >= d->nstmts || d->stmts[j + 1].key_start > pos)
			break;
		pos = d->stmts[++j].val.end;
	}
	if (pos >= d->len) {
		rc = append_line(c, line.data);
		buf_release(&line);
		return rc;
	}
	if (d->text[pos] == '\r' && pos + 1 < d->len &&
	    d->text[pos + 1] == '\n') {
		eol = "\r\n";
		pos += 2;
	} else {
		eol = d->text[pos] == '\r' ? "\r" : "\n";
		pos++;
	}
	buf_adds(&line, eol);
	rc = commit(c, pos, 0, line.data, line.len);
	buf_release(&line);
	return rc;
}

/* One or more IPv4 addresses (optionally /N) separated by single spaces. */
static bool
ip_list_valid(const char *v)
{
	char *copy, *w, *sp;
	bool ok = true;

	if (*v == '\0' || *v == ' ' || v[strlen(v) - 1] == ' ' ||
	    strstr(v, "  "))
		return false;
	copy = xstrdup(v);
	for (w = copy; w && ok; w = sp) {
		if ((sp = strchr(w, ' ')) != NULL)
			*sp++ = '\0';
		if (!ipv4_valid(w) && !ipv4_cidr_valid(w, NULL))
			ok = false;
	}
	free(copy);
	return ok;
}

static bool
vif_key_valid(const char *k)
{
	if (!(*k >= 'a' && *k <= 'z'))
		return false;
	for (k++; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || is_digit(*k) ||
		    *k == '_' || *k == '-'))
			return false;
	return true;
}

/*
 * Check VALUE for vif key KEY; *norm_r gets the form to write (caller
 * frees).  Prints and returns -1 when bad.
 */
static int
vif_value_check(const struct hostcfg *c, const char *what, const char *key,
    const char *value, char **norm_r)
{
	char mac[18];

	if (strcmp(key, "mac") == 0) {
		if (!mac_valid_nic(value) || mac_normalize(value, mac) == -1) {
			warnx("%s: invalid MAC address '%s' for '%s' (want "
			    "six hex pairs, unicast, not all-zero)", c->path,
			    value, what);
			return -1;
		}
		*norm_r = xstrdup(mac);
		return 0;
	}
	if (strcmp(key, "ip") == 0) {
		if (!ip_list_valid(value)) {
			warnx("%s: invalid IPv4 address list '%s' for '%s'",
			    c->path, value, what);
			return -1;
		}
	} else if (!cfg_word_valid(value)) {
		warnx("%s: invalid value '%s' for '%s' (no quotes, "
		    "backslashes, commas, '=', '#', blanks or control "
		    "characters)", c->path, value, what);
		return -1;
	}
	*norm_r = xstrdup(value);
	return 0;
}

/* Parse "PREFIXN.REST" into N and REST; false if not of that form. */
static bool
parse_indexed(const char *key, const char *prefix, size_t *idx_r,
    const char **rest_r)
{
	size_t pl = strlen(prefix), v = 0;
	const char *p;

	if (strncmp(key, prefix, pl) != 0 || !is_digit(key[pl]) ||
	    (key[pl] == '0' && is_digit(key[pl + 1])))
		return false;
	for (p = key + pl; is_digit(*p); p++) {
		if (v > (SIZE_MAX - 9) / 10)
			return false;
		v = v * 10 + (size_t)(*p - '0');
	}
	if (*p != '.' || p[1] == '\0')
		return false;
	*idx_r = v;
	*rest_r = p + 1;
	return true;
}

/* Fetch an editable item I of E; prints the refusal. */
static struct node *
item_for_edit(const struct hostcfg *c, const struct eff *e, size_t i,
    const char *kind, const char *listkey)
{
	struct node *n;
	char what[64];

	if (e->notlist) {
		warnx("%s: '%s' is not a list", c->path, listkey);
		return NULL;
	}
	if (i >= e->n) {
		warnx("%s: %s %zu does not exist (the %s list has %zu "
		    "entries)", c->path, kind, i, listkey, e->n);
		return NULL;
	}
	n = eff_item(e, i);
	snprintf(what, sizeof(what), "%s %zu", kind, i);
	return editable(c, n, what) ? n : NULL;
}

static int
set_nic(struct hostcfg *c, size_t i, const char *key, const char *value,
    const char *what)
{
	struct node *n;
	struct field f;
	struct buf add = BUF_INIT;
	char *norm;
	size_t end;
	int rc;

	if (!vif_key_valid(key)) {
		warnx("%s: invalid vif key '%s' in '%s'", c->path, key, what);
		return -1;
	}
	if (vif_value_check(c, what, key, value, &norm) == -1)
		return -1;
	if ((n = item_for_edit(c, &c->doc->nic, i, "nic", "vif")) == NULL) {
		free(norm);
		return -1;
	}
	if (field_find(n->dec, n->dec_len, key, &f)) {
		rc = edit_string(c, n, f.val_s, f.val_e, norm, strlen(norm));
		free(norm);
		return rc;
	}
	end = n->dec_len;
	while (end > 0 && is_blank(n->dec[end - 1]))
		end--;
	if (end > 0 && n->dec[end - 1] != ',')
		buf_addc(&add, ',');
	buf_addf(&add, "%s=%s", key, norm);
	free(norm);
	rc = edit_string(c, n, n->dec_len, n->dec_len, add.data, add.len);
	buf_release(&add);
	return rc;
}

static int
set_disk_target(struct hostcfg *c, size_t i, const char *value)
{
	struct node *n;
	size_t a, b;
	bool keyed;

	if ((n = item_for_edit(c, &c->doc->disk, i, "disk", "disk")) == NULL)
		return -1;
	if (!abs_path_valid(value)) {
		warnx("%s:%d:%d: invalid path '%s' for disk %zu (want an "
		    "absolute path without quotes, backslashes or control "
		    "characters)", c->path, n->line, n->col, value, i);
		return -1;
	}
	if (!disk_target_range(n->dec, n->dec_len, &a, &b, &keyed)) {
		warnx("%s:%d:%d: disk %zu has no target", c->path, n->line,
		    n->col, i);
		return -1;
	}
	/*
	 * xl takes a positional field with '=' for KEY=VALUE, ends it at
	 * ',' and trims blanks; xm splits at ',' too.  Only the keyed form
	 * (target=, the rest of the spec) holds such a path.
	 */
	if (!keyed && strpbrk(value, ",= \t") != NULL) {
		warnx("%s:%d:%d: the path '%s' cannot be disk %zu's target: a "
		    "',', '=' or blank is not allowed in a positional disk "
		    "spec (only after target=)", c->path, n->line, n->col,
		    value, i);
		return -1;
	}
	return edit_string(c, n, a, b, value, strlen(value));
}

/* Is S[a, b) one of the words of LIST? */
static bool
word_in(const char *s, size_t a, size_t b, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == b - a && memcmp(s + a, *list, b - a) == 0)
			return true;
	return false;
}

/* What xl reads in a format field (libxlu_disk_l.l); "" means raw. */
static const char *const disk_formats[] = {
	"raw", "qcow", "qcow2", "vhd", "qed", NULL
};
/* Prefix words naming a format (xl's deprecated raw: qcow: qcow2: vhd:). */
static const char *const format_prefixes[] = {
	"raw", "qcow", "qcow2", "vhd", NULL
};
/* Prefix words naming only a backend (xm, blktap1/2, xl): raw data. */
static const char *const backend_prefixes[] = {
	"file", "phy", "tap", "tap2", "tapdisk", "aio", "ioemu", NULL
};

/*
 * Set disk I's format to VALUE (qcow2 or raw); the rules are in
 * hostcfg.h ("diskN.format").
 */
static int
set_disk_format(struct hostcfg *c, size_t i, const char *value)
{
	struct node *n;
	struct field f, fmt = { 0 }, tgt = { 0 }, pos1 = { 0 }, pos2 = { 0 };
	const char *s, *fw = NULL;
	struct buf add = BUF_INIT;
	size_t pos = 0, a, b, w, e, npos = 0;
	bool qcow2 = strcmp(value, "qcow2") == 0, has_fmt = false;
	bool has_tgt = false, phy = false, keyed;
	int rc;

	if (!qcow2 && strcmp(value, "raw") != 0) {
		warnx("%s: invalid format '%s' for 'disk%zu.format' (want "
		    "qcow2 or raw)", c->path, value, i);
		return -1;
	}
	if ((n = item_for_edit(c, &c->doc->disk, i, "disk", "disk")) == NULL)
		return -1;
	s = n->dec;
	/* The fields before target= (which takes the rest of the spec). */
	for (;;) {
		pos = field_at(s, n->dec_len, pos, &f);
		if (f.has_eq && f.key_e - f.key_s == 6 &&
		    memcmp(s + f.key_s, "target", 6) == 0) {
			tgt = f;
			has_tgt = true;
			break;
		}
		if (f.has_eq && f.key_e - f.key_s == 6 &&
		    memcmp(s + f.key_s, "format", 6) == 0) {
			fmt = f;
			has_fmt = true;
		} else if (!field_keyed(s, f.key_s, f.end) && npos < 2)
			*(npos++ == 0 ? &pos1 : &pos2) = f;
		if (pos >= n->dec_len)
			break;
		pos++;
	}
	if (has_fmt)
		return edit_string(c, n, fmt.val_s, fmt.val_e, value,
		    strlen(value));
	if (has_tgt) {
		/* No format= means raw to xl. */
		if (!qcow2)
			return 1;
		/* The separator of the target field: ',' and its blanks. */
		buf_addf(&add, "format=qcow2%s", tgt.start > 0 ? "," : ", ");
		if (tgt.start > 0)
			buf_add(&add, s + tgt.start, tgt.key_s - tgt.start);
		rc = edit_string(c, n, tgt.key_s, tgt.key_s, add.data,
		    add.len);
		buf_release(&add);
		return rc;
	}
	if (npos == 0 ||
	    !disk_target_range(s, n->dec_len, &a, &b, &keyed)) {
		warnx("%s:%d:%d: disk %zu has no target", c->path, n->line,
		    n->col, i);
		return -1;
	}
	if (a > pos1.key_s) {
		/* A prefix chain WORD:WORD:... before the path. */
		for (w = pos1.key_s; w < a; w = e + 1) {
			e = w;
			while (s[e] != ':')
				e++;
			if (word_in(s, w, e, format_prefixes))
				fw = s + w;
			else if (!word_in(s, w, e, backend_prefixes)) {
				warnx("%s:%d:%d: cannot set disk %zu's format: "
				    "its prefix '%.*s:' is not one of file:, "
				    "phy:, tap:, tap2:, tapdisk:, aio:, "
				    "ioemu:, raw:, qcow:, qcow2:, vhd:; write "
				    "the spec by hand", c->path, n->line,
				    n->col, i, (int)(e - w), s + w);
				return -1;
			}
			if (e - w == 3 && memcmp(s + w, "phy", 3) == 0)
				phy = true;
		}
		if (!qcow2)
			return fw == NULL || memcmp(fw, "raw:", 4) == 0 ? 1 :
			    edit_string(c, n, pos1.key_s, a, "tap:aio:", 8);
		if (phy) {
			warnx("%s:%d:%d: cannot set disk %zu's format to "
			    "qcow2: '%.*s' is a block device (phy:), not a "
			    "qcow2 file; write the spec by hand", c->path,
			    n->line, n->col, i, (int)(b - pos1.key_s),
			    s + pos1.key_s);
			return -1;
		}
		return edit_string(c, n, pos1.key_s, a, "tap:qcow2:", 10);
	}
	/* No prefix: xl reads the second positional field as the format. */
	if (npos < 2) {
		warnx("%s:%d:%d: cannot set disk %zu's format: '%s' has no "
		    "prefix and no format field; write it 'PATH,raw,VDEV' or "
		    "'file:PATH,VDEV' first", c->path, n->line, n->col, i, s);
		return -1;
	}
	e = pos2.end;
	while (e > pos2.key_s && is_blank(s[e - 1]))
		e--;
	if (e > pos2.key_s && !word_in(s, pos2.key_s, e, disk_formats)) {
		warnx("%s:%d:%d: cannot set disk %zu's format: '%s' has no "
		    "prefix, so xl reads '%.*s' as its format and refuses "
		    "it; write it 'file:%s' (xm) or 'PATH,raw,%s' (xl) first",
		    c->path, n->line, n->col, i, s, (int)(e - pos2.key_s),
		    s + pos2.key_s, s, s + pos2.key_s);
		return -1;
	}
	if (!qcow2 && (e == pos2.key_s ||
	    (e - pos2.key_s == 3 && memcmp(s + pos2.key_s, "raw", 3) == 0)))
		return 1;
	return edit_string(c, n, pos2.key_s, e, value, strlen(value));
}

bool
hostcfg_disk_is_cdrom(const struct hostcfg *c, size_t i)
{
	struct node *n = eff_item(&c->doc->disk, i);
	const char *s;
	struct field f;
	size_t pos = 0, len, vl;

	if (n == NULL || n->type != N_STR)
		return false;
	s = n->dec;
	for (;;) {
		pos = field_at(s, n->dec_len, pos, &f);
		if (f.has_eq) {
			vl = f.val_e - f.val_s;
			if (f.key_e - f.key_s == 7 &&
			    memcmp(s + f.key_s, "devtype", 7) == 0 &&
			    vl == 5 && memcmp(s + f.val_s, "cdrom", 5) == 0)
				return true;
		} else {
			/* xl flag "cdrom", xm device "hdc:cdrom" */
			len = f.end - f.key_s;
			while (len > 0 && is_blank(s[f.key_s + len - 1]))
				len--;
			if ((len == 5 &&
			    memcmp(s + f.key_s, "cdrom", 5) == 0) ||
			    (len > 6 && memcmp(s + f.key_s + len - 6,
			    ":cdrom", 6) == 0))
				return true;
		}
		if (f.end >= n->dec_len)
			break;
		pos = f.end + 1;
		/* Everything after target= is the path. */
		if (f.has_eq && f.key_e - f.key_s == 6 &&
		    memcmp(s + f.key_s, "target", 6) == 0)
			break;
	}
	return false;
}

int
hostcfg_set(struct hostcfg *c, const char *key, const char *value)
{
	const char *rest;
	size_t i;

	if (strcmp(key, "name") == 0) {
		if (!cfg_word_valid(value)) {
			warnx("%s: invalid name '%s' (no quotes, backslashes, "
			    "commas, '=', '#', blanks or control characters)",
			    c->path, value);
			return -1;
		}
		return set_top(c, key, value);
	}
	if (strcmp(key, "OVM_simple_name") == 0) {
		if (!cfg_word_valid(value)) {
			warnx("%s: invalid OVM_simple_name '%s' (no quotes, "
			    "backslashes, commas, '=', '#', blanks or control "
			    "characters)", c->path, value);
			return -1;
		}
		return set_top(c, key, value);
	}
	if (strcmp(key, "uuid") == 0) {
		const char *cur = hostcfg_get_string(c, "uuid");
		char same[37];
		int form = cur ? uuid_form(cur) : -1;

		/* The lower-case dashed form always; another form only
		 * where the current value is written that way. */
		if (!uuid_valid(value) && (form <= 0 ||
		    uuid_form(value) == -1 ||
		    (uuid_to_form(value, form, same), strcmp(same, value)))) {
			warnx("%s: invalid uuid '%s' (want the lower-case "
			    "dashed form, or the form of the current value)",
			    c->path, value);
			return -1;
		}
		return set_top(c, key, value);
	}
	if (parse_indexed(key, "nic", &i, &rest))
		return set_nic(c, i, rest, value, key);
	if (parse_indexed(key, "disk", &i, &rest) &&
	    strcmp(rest, "target") == 0)
		return set_disk_target(c, i, value);
	if (parse_indexed(key, "disk", &i, &rest) &&
	    strcmp(rest, "format") == 0)
		return set_disk_format(c, i, value);
	warnx("%s: unknown key '%s' (want name, uuid, OVM_simple_name, "
	    "nicN.KEY, diskN.target or diskN.format)", c->path, key);
	return -1;
}

/* Validate SPEC and build its normalised form into OUT. */
static int
spec_check(const struct hostcfg *c, const char *spec, struct buf *out)
{
	struct field f;
	size_t pos = 0, n = strlen(spec);
	char *k, *v, *norm, what[80];
	int rc = 0;

	if (n == 0)
		return 0;
	for (;;) {
		pos = field_at(spec, n, pos, &f);
		if (!f.has_eq || f.key_s != f.start || f.key_e + 1 !=
		    f.val_s) {
			warnx("%s: invalid vif spec '%s' (want KEY=VALUE,...)",
			    c->path, spec);
			return -1;
		}
		k = xstrndup(spec + f.key_s, f.key_e - f.key_s);
		v = xstrndup(spec + f.val_s, f.end - f.val_s);
		snprintf(what, sizeof(what), "add-nic %s", k);
		if (!vif_key_valid(k)) {
			warnx("%s: invalid vif key '%s' in '%s'", c->path, k,
			    spec);
			rc = -1;
		} else if (vif_value_check(c, what, k, v, &norm) == 0) {
			buf_addf(out, "%s%s=%s", out->len ? "," : "", k, norm);
			free(norm);
		} else
			rc = -1;
		free(k);
		free(v);
		if (rc == -1 || pos >= n)
			break;
		pos++;
	}
	return rc;
}

/* Offset of the start of the line holding POS. */
static size_t
line_begin(const struct doc *d, size_t pos)
{
	while (pos > 0 && d->text[pos - 1] != '\n' && d->text[pos - 1] != '\r')
		pos--;
	return pos;
}

static bool
all_blank(const char *s, size_t a, size_t b)
{
	for (; a < b; a++)
		if (!is_blank(s[a]))
			return false;
	return true;
}

/* Skip blanks, newlines and comments from POS. */
static size_t
skip_ws(const struct doc *d, size_t pos)
{
	const char *t = d->text;

	while (pos < d->len) {
		if (is_blank(t[pos]) || t[pos] == '\n' || t[pos] == '\r' ||
		    t[pos] == '\f')
			pos++;
		else if (t[pos] == '#') {
			while (pos < d->len && t[pos] != '\n' && t[pos] != '\r')
				pos++;
		} else
			break;
	}
	return pos;
}

/* If only blanks and a comment follow POS on its line, its end; else POS. */
static size_t
rest_of_line(const struct doc *d, size_t pos)
{
	size_t i = pos;

	while (i < d->len && is_blank(d->text[i]))
		i++;
	if (i < d->len && d->text[i] == '#')
		while (i < d->len && d->text[i] != '\n' && d->text[i] != '\r')
			i++;
	if (i >= d->len || d->text[i] == '\n' || d->text[i] == '\r')
		return i;
	return pos;
}

int
hostcfg_add_nic(struct hostcfg *c, const char *spec)
{
	struct doc *d = c->doc;
	struct buf norm = BUF_INIT, ins = BUF_INIT;
	struct node *l, *last;
	size_t pos, ls, comma;
	const char *eol = file_eol(d);
	bool multi;
	char q;
	int rc;

	if (spec_check(c, spec, &norm) == -1) {
		buf_release(&norm);
		return -1;
	}
	if (d->nic.notlist) {
		warnx("%s: 'vif' is not a list", c->path);
		buf_release(&norm);
		return -1;
	}
	l = d->nic.tail;
	if (l == NULL && d->nic.present) {
		/* "vif += ..." chains always leave a tail; defensive. */
		warnx("%s: 'vif' is not a list", c->path);
		buf_release(&norm);
		return -1;
	}
	if (l == NULL) {
		q = file_quote(d);
		buf_addf(&ins, "vif = [ %c", q);
		str_encode(&ins, norm.data ? norm.data : "", norm.len, q);
		buf_addf(&ins, "%c ]", q);
		rc = append_line(c, ins.data);
		goto out;
	}
	last = l->nitems ? &l->items[l->nitems - 1] : NULL;
	q = last && last->type == N_STR ? last->quote : file_quote(d);
	if (last == NULL) {
		buf_addc(&ins, q);
		str_encode(&ins, norm.data ? norm.data : "", norm.len, q);
		buf_addc(&ins, q);
		if (l->end - l->start > 2 &&
		    all_blank(d->text, l->start + 1, l->end - 1)) {
			buf_release(&norm);
			buf_adds(&norm, " ");
			buf_add(&norm, ins.data, ins.len);
			buf_adds(&norm, " ");
			rc = commit(c, l->start + 1, l->end - l->start - 2,
			    norm.data, norm.len);
		} else
			rc = commit(c, l->start + 1, 0, ins.data, ins.len);
		goto out;
	}
	ls = line_begin(d, last->start);
	multi = last->line > l->line && all_blank(d->text, ls, last->start);
	comma = skip_ws(d, last->end);
	if (comma < d->len && d->text[comma] == ',') {
		pos = comma + 1;
		if (multi)
			pos = rest_of_line(d, pos);
	} else {
		pos = last->end;
		buf_addc(&ins, ',');
		comma = 0;
	}
	if (multi) {
		buf_adds(&ins, eol);
		buf_add(&ins, d->text + ls, last->start - ls);
	} else
		buf_addc(&ins, ' ');
	buf_addc(&ins, q);
	str_encode(&ins, norm.data ? norm.data : "", norm.len, q);
	buf_addc(&ins, q);
	if (comma)
		buf_addc(&ins, ',');
	rc = commit(c, pos, 0, ins.data, ins.len);
out:
	buf_release(&norm);
	buf_release(&ins);
	return rc;
}

int
hostcfg_remove_nic(struct hostcfg *c, size_t i)
{
	struct doc *d = c->doc;
	struct node *l, *it;
	size_t k, a, b, e;
	bool comma;

	if (d->nic.notlist || i >= d->nic.n) {
		warnx("%s: nic %zu does not exist (the vif list has %zu "
		    "entries)", c->path, i, d->nic.n);
		return -1;
	}
	l = d->nic.refs[i].list;
	k = d->nic.refs[i].idx;
	it = &l->items[k];
	a = line_begin(d, it->start);
	/* Alone on its line(s): drop the whole line. */
	if (it->line > l->line && all_blank(d->text, a, it->start)) {
		e = it->end;
		while (e < d->len && is_blank(d->text[e]))
			e++;
		comma = e < d->len && d->text[e] == ',';
		if (comma)
			e++;
		e = rest_of_line(d, e);
		/* Not when its comma sits on a later line: it would stay. */
		if ((e >= d->len || d->text[e] == '\n' ||
		    d->text[e] == '\r') && (comma ||
		    d->text[skip_ws(d, e)] != ',')) {
			if (e < d->len && d->text[e] == '\r')
				e++;
			if (e < d->len && d->text[e] == '\n')
				e++;
			return commit(c, a, e - a, "", 0);
		}
	}
	if (k > 0) {
		a = l->items[k - 1].end;
		b = it->end;
	} else if (k + 1 < l->nitems) {
		a = it->start;
		b = l->items[k + 1].start;
	} else {
		/* The only item: take its comma, wherever it is. */
		a = it->start;
		b = skip_ws(d, it->end);
		if (b < d->len && d->text[b] == ',')
			b = skip_ws(d, b + 1);
		if (b >= d->len || d->text[b] != ']')
			b = it->end;
	}
	return commit(c, a, b - a, "", 0);
}
