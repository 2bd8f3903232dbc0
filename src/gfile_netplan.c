/*
 * gfile_netplan.c - netplan YAML (/etc/netplan/ *.yaml): the editor behind
 * gfile_edit and a reader of the ethernets: entries.
 *
 * libyaml locates the nodes.  Its events follow block and flow style,
 * quoting, tags, anchors and several documents alike, where the reader of
 * indented lines this replaces missed `eth0: {match: {macaddress: ...}}`.
 * libyaml cannot write a file back byte for byte, so an edit is a splice
 * over the input at a scalar's marks (gfile_ed_*): every other byte, with
 * the comments, quotes and style, stays as written.
 *
 * The marks need care.  libyaml 0.2.5 counts mark.index in characters,
 * not bytes ("é" is one, CRLF two); the encoding is set to UTF-8 rather
 * than detected so that a BOM is one character of the input too and a
 * UTF-16 file is an error, and libyaml refuses invalid UTF-8, so the byte
 * offset of a mark is found by counting UTF-8 lead bytes.  And a scalar
 * event's start mark is its node's, tag and anchor included, so the value
 * is located back from the end mark: the bytes there must hold the value
 * as written (plain: the value; quoted: quote, value, quote).  When they
 * do not (an escape, a line break inside, a block scalar), the edit is
 * refused rather than guessed.
 *
 * Work stays within a small multiple of the input's size (at most 1 MiB:
 * the callers cap it).  Aliases are never followed: an alias event is a
 * node without a value, so `*a` costs one event however large the
 * anchored node is.  But libyaml's scanner walks its whole stack of flow
 * levels for every token (16000 `[` take a second, and the time grows
 * with the square), so a file nested deeper than netplan ever needs is
 * refused as its events come; and it compares each %TAG directive with
 * every earlier one (600 KB of them take six seconds), so a file with
 * more directive lines than anyone writes is refused before libyaml
 * sees it.
 */
#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "gfile_netplan.h"

/* Limits far above netplan's needs (7 levels, no directives). */
#define YW_MAXDEPTH	32
#define YW_MAXDIRECTIVES 64
#define YW_STR(x)	YW_STR_(x)
#define YW_STR_(x)	#x

/* One open mapping or sequence. */
struct yframe {
	bool	 map;		/* a mapping, else a sequence */
	bool	 want_key;	/* mapping: the next node is a key */
	char	*key;		/* mapping: the next value's key, or NULL */
	size_t	 keylen;	/* (a key may hold a NUL) */
	size_t	 key_line;	/* of that key, from 1 */
	int	 what;		/* what the walker's user made of the node */
};

/*
 * libyaml's events with the path of mapping keys.  During the user's
 * turn the event is in ev, and yw_top() is the parent of a node event
 * (scalar, alias, mapping or sequence start) or the collection an end
 * event closes; the user's verdict on a collection being started goes
 * in what_next and is kept in its frame.
 */
struct ywalk {
	yaml_parser_t	 parser;
	yaml_event_t	 ev;
	bool		 have_ev;
	bool		 inited;
	struct yframe	 st[YW_MAXDEPTH];
	size_t		 depth;		/* frames in st */
	int		 what_next;
	const char	*why;		/* a limit hit, or NULL */
	size_t		 why_line;
};

/* After this, yw_next fails at once when a limit is hit. */
static void
yw_init(struct ywalk *w, const char *in, size_t len)
{
	size_t i, n = 0, line = 1;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < len; i++) {
		if (in[i] == '%' && (i == 0 || in[i - 1] == '\n') &&
		    ++n > YW_MAXDIRECTIVES) {
			w->why = "more than " YW_STR(YW_MAXDIRECTIVES)
			    " directive lines";
			w->why_line = line;
			break;
		}
		if (in[i] == '\n')
			line++;
	}
	if (!yaml_parser_initialize(&w->parser)) {
		w->why = "libyaml cannot start";
		w->why_line = 1;
		return;
	}
	w->inited = true;
	yaml_parser_set_input_string(&w->parser, (const unsigned char *)in,
	    len);
	/* Set, not detected: see the top of the file. */
	yaml_parser_set_encoding(&w->parser, YAML_UTF8_ENCODING);
}

static void
yw_release(struct ywalk *w)
{
	if (w->have_ev)
		yaml_event_delete(&w->ev);
	while (w->depth > 0)
		free(w->st[--w->depth].key);
	if (w->inited)
		yaml_parser_delete(&w->parser);
}

/* The current parent (see struct ywalk), NULL at a document's top. */
static struct yframe *
yw_top(struct ywalk *w)
{
	return w->depth > 0 ? &w->st[w->depth - 1] : NULL;
}

/* A node of the parent ended: key is the scalar event when it was one. */
static void
yw_node_done(struct ywalk *w, const yaml_event_t *key)
{
	struct yframe *f = yw_top(w);
	size_t n;

	if (f == NULL || !f->map)
		return;
	free(f->key);
	f->key = NULL;
	f->keylen = 0;
	if (f->want_key && key != NULL) {
		n = key->data.scalar.length;
		f->key = xmalloc(n + 1);
		memcpy(f->key, key->data.scalar.value, n);
		f->key[n] = '\0';
		f->keylen = n;
		f->key_line = key->start_mark.line + 1;
	}
	f->want_key = !f->want_key;
}

/* What the last event does to the path, once the user has seen it. */
static void
yw_step(struct ywalk *w)
{
	struct yframe *f;

	switch (w->ev.type) {
	case YAML_SCALAR_EVENT:
		yw_node_done(w, &w->ev);
		break;
	case YAML_ALIAS_EVENT:
		yw_node_done(w, NULL);
		break;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		f = &w->st[w->depth++];	/* yw_next checked the room */
		memset(f, 0, sizeof(*f));
		f->map = w->ev.type == YAML_MAPPING_START_EVENT;
		f->want_key = f->map;
		f->what = w->what_next;
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		if (w->depth > 0)
			free(w->st[--w->depth].key);
		yw_node_done(w, NULL);
		break;
	default:
		break;
	}
}

/*
 * The next event into w->ev: 1, 0 at the end of the stream, -1 on a
 * parse error or a limit hit (w->why).
 */
static int
yw_next(struct ywalk *w)
{
	if (w->have_ev) {
		yw_step(w);
		yaml_event_delete(&w->ev);
		w->have_ev = false;
	}
	w->what_next = 0;
	if (w->why != NULL || !yaml_parser_parse(&w->parser, &w->ev))
		return -1;
	w->have_ev = true;
	if ((w->ev.type == YAML_MAPPING_START_EVENT ||
	    w->ev.type == YAML_SEQUENCE_START_EVENT) &&
	    w->depth == YW_MAXDEPTH) {
		w->why = "nested deeper than " YW_STR(YW_MAXDEPTH) " levels";
		w->why_line = w->ev.start_mark.line + 1;
		return -1;
	}
	return w->ev.type == YAML_STREAM_END_EVENT ? 0 : 1;
}

/* Is the node the value of key name in the mapping f? */
static bool
yw_value_of(const struct yframe *f, const char *name)
{
	return f != NULL && f->map && !f->want_key && f->key != NULL &&
	    gfile_span_eq(f->key, f->keylen, name);
}

/* ---- Editor --------------------------------------------------------- */

enum {
	ED_OTHER,
	ED_NS,		/* under nameservers: */
	ED_ADDRS,	/* an addresses: sequence */
	ED_ADDR_ITEM	/* a mapping item of one: `- a/N: {label: x}` */
};

struct yed {
	const struct gfile_job	*job;
	struct gfile_ed		 ed;
	size_t			 ci;	/* a character index (a mark's) */
	size_t			 bi;	/* and its byte offset */
};

/*
 * The byte offset of the mark index ci, or SIZE_MAX past the end.  Marks
 * are asked for in increasing order, so counting goes on from the last
 * one; an earlier mark starts it again.
 */
static size_t
yed_byte(struct yed *y, size_t ci)
{
	const unsigned char *p = (const unsigned char *)y->ed.in;
	size_t len = y->ed.len;

	if (ci < y->ci) {
		y->ci = 0;
		y->bi = 0;
	}
	while (y->ci < ci && y->bi < len) {
		y->bi++;
		while (y->bi < len && (p[y->bi] & 0xc0) == 0x80)
			y->bi++;
		y->ci++;
	}
	return y->ci == ci ? y->bi : SIZE_MAX;
}

/*
 * The bytes [*s_r, *e_r) of the scalar event e's value, found back from
 * its end mark; -1 when the bytes there are not the value as written.
 */
static int
yed_locate(struct yed *y, const yaml_event_t *e, size_t *s_r, size_t *e_r)
{
	size_t n = e->data.scalar.length, q, start, end;
	char qc;

	switch (e->data.scalar.style) {
	case YAML_PLAIN_SCALAR_STYLE:
		q = 0;
		qc = '\0';
		break;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		q = 1;
		qc = '\'';
		break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		q = 1;
		qc = '"';
		break;
	default:
		/* A literal or folded block never holds its value as is. */
		return -1;
	}
	start = yed_byte(y, e->start_mark.index);
	end = yed_byte(y, e->end_mark.index);
	if (start == SIZE_MAX || end == SIZE_MAX || end < start ||
	    end - start < n + 2 * q)
		return -1;
	end -= q;
	start = end - n;
	if (q == 1 && (y->ed.in[start - 1] != qc || y->ed.in[end] != qc))
		return -1;
	if (memcmp(y->ed.in + start, e->data.scalar.value, n) != 0)
		return -1;
	*s_r = start;
	*e_r = end;
	return 0;
}

static int
yed_refuse(const yaml_event_t *e, size_t n)
{
	warnx("netplan file line %zu: cannot locate the bytes of '%.*s' "
	    "(an escape or a line break in the scalar?)",
	    e->start_mark.line + 1, (int)n, (const char *)e->data.scalar.value);
	return -1;
}

/* A macaddress: value. */
static int
yed_mac(struct yed *y, const yaml_event_t *e)
{
	const char *v = (const char *)e->data.scalar.value;
	size_t n = e->data.scalar.length, s, t;

	if (gfile_job_mac(y->job, v, n) == NULL)
		return 0;
	if (yed_locate(y, e, &s, &t) == -1)
		return yed_refuse(e, n);
	gfile_ed_map_mac(&y->ed, y->job, s, t);
	return 0;
}

/*
 * An addresses: item, a/N: only the address part changes; or, with gw, a
 * gateway4: or via: value, by the job's gateway mappings.
 */
static int
yed_addr(struct yed *y, const yaml_event_t *e, bool gw)
{
	const char *v = (const char *)e->data.scalar.value;
	size_t n = e->data.scalar.length, a, s, t, i;
	const struct gfile_map *m = gw ? y->job->gws : y->job->ips;
	size_t nm = gw ? y->job->ngws : y->job->nips;

	for (a = 0; a < n && v[a] != '/'; a++)
		;
	for (i = 0; i < nm; i++)
		if (strlen(m[i].from) == a && memcmp(m[i].from, v, a) == 0)
			break;
	if (i == nm)
		return 0;
	if (yed_locate(y, e, &s, &t) == -1)
		return yed_refuse(e, a);
	if (gw)
		gfile_ed_map_gw(&y->ed, y->job, s, t, "/");
	else
		gfile_ed_map_ip(&y->ed, y->job, s, t, "/");
	return 0;
}

/* The editor's verdict on a collection being started under f. */
static int
yed_what(const struct yframe *f, bool map)
{
	if (f == NULL)
		return ED_OTHER;
	if (f->what == ED_NS || yw_value_of(f, "nameservers"))
		return ED_NS;
	if (!map && yw_value_of(f, "addresses"))
		return ED_ADDRS;
	if (map && f->what == ED_ADDRS)
		return ED_ADDR_ITEM;
	return ED_OTHER;
}

/* One message for a file libyaml could not read, or a limit hit. */
static void
yw_warn(const struct ywalk *w, const char *in, size_t len)
{
	const yaml_parser_t *p = &w->parser;
	size_t line, i;

	if (w->why != NULL) {
		warnx("netplan file line %zu: %s", w->why_line, w->why);
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		/* Bad UTF-8 or a control character: libyaml has a byte
		 * offset there, not a mark. */
		for (line = 1, i = 0; i < p->problem_offset && i < len; i++)
			if (in[i] == '\n')
				line++;
	} else
		line = p->problem_mark.line + 1;
	if (p->context != NULL)
		warnx("netplan file line %zu: %s (%s)", line,
		    p->problem != NULL ? p->problem : "not YAML", p->context);
	else
		warnx("netplan file line %zu: %s", line,
		    p->problem != NULL ? p->problem : "not YAML");
}

int
gfile_netplan_edit(const struct gfile_job *job, const char *in, size_t len,
    struct buf *out)
{
	struct ywalk w;
	struct yed y;
	struct yframe *f;
	const yaml_event_t *e = &w.ev;
	int rc = 0, bad = 0;

	memset(&y, 0, sizeof(y));
	y.job = job;
	gfile_ed_init(&y.ed, in, len, out);
	yw_init(&w, in, len);
	while (bad == 0 && (rc = yw_next(&w)) == 1) {
		f = yw_top(&w);
		switch (e->type) {
		case YAML_SCALAR_EVENT:
			if (yw_value_of(f, "macaddress"))
				bad = yed_mac(&y, e);
			else if (f != NULL && f->what == ED_ADDRS)
				bad = yed_addr(&y, e, false);
			else if (f != NULL && f->what != ED_NS &&
			    (yw_value_of(f, "gateway4") ||
			    yw_value_of(f, "via")))
				bad = yed_addr(&y, e, true);
			else if (f != NULL && f->what == ED_ADDR_ITEM &&
			    f->want_key)
				bad = yed_addr(&y, e, false);
			break;
		case YAML_MAPPING_START_EVENT:
			w.what_next = yed_what(f, true);
			break;
		case YAML_SEQUENCE_START_EVENT:
			w.what_next = yed_what(f, false);
			break;
		default:
			break;
		}
	}
	if (bad == 0 && rc == -1)
		yw_warn(&w, in, len);
	yw_release(&w);
	if (bad != 0 || rc == -1)
		return -1;
	gfile_ed_finish(&y.ed);
	return 0;
}

/* ---- Reader --------------------------------------------------------- */

enum {
	RD_OTHER,
	RD_ROOT,	/* a document's top mapping */
	RD_NETWORK,
	RD_ETHERNETS,
	RD_ETH,		/* one entry: the last one of the vector */
	RD_MATCH,
	RD_ADDRS,
	RD_ADDR_ITEM,
	RD_ROUTES,
	RD_ROUTE
};

struct yrd {
	struct gfile_netplan_eth *v;
	size_t		 n;
	size_t		 cap;
	bool		 gw4;		/* the last entry has a gateway4: */
	bool		 to_default;	/* the open route is a default route */
	char		*via;		/* and its via:, or NULL */
};

/* A plain null: empty, ~ or null (YAML 1.1's spellings). */
static bool
rd_null(const yaml_event_t *e)
{
	const char *v = (const char *)e->data.scalar.value;
	size_t n = e->data.scalar.length;

	return e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (n == 0 || gfile_span_eq(v, n, "~") ||
	    gfile_span_eq(v, n, "null") || gfile_span_eq(v, n, "Null") ||
	    gfile_span_eq(v, n, "NULL"));
}

/* *dst = the scalar's value, or NULL for a null. */
static void
rd_set(char **dst, const yaml_event_t *e)
{
	free(*dst);
	*dst = NULL;
	if (!rd_null(e))
		*dst = xstrndup((const char *)e->data.scalar.value,
		    e->data.scalar.length);
}

static void
rd_add(struct yrd *r, const struct yframe *f)
{
	struct gfile_netplan_eth *x;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	x = &r->v[r->n++];
	memset(x, 0, sizeof(*x));
	x->id = xstrndup(f->key, f->keylen);
	x->line = f->key_line;
	r->gw4 = false;
}

/* The reader's verdict on a collection being started under f. */
static int
rd_what(struct yrd *r, const struct yframe *f, bool map)
{
	if (f == NULL)
		return map ? RD_ROOT : RD_OTHER;
	if (!map) {
		if (f->what == RD_ETH && yw_value_of(f, "addresses"))
			return RD_ADDRS;
		if (f->what == RD_ETH && yw_value_of(f, "routes"))
			return RD_ROUTES;
		return RD_OTHER;
	}
	switch (f->what) {
	case RD_ROOT:
		return yw_value_of(f, "network") ? RD_NETWORK : RD_OTHER;
	case RD_NETWORK:
		return yw_value_of(f, "ethernets") ? RD_ETHERNETS : RD_OTHER;
	case RD_ETHERNETS:
		if (f->want_key || f->key == NULL)
			return RD_OTHER;
		rd_add(r, f);
		return RD_ETH;
	case RD_ETH:
		return yw_value_of(f, "match") ? RD_MATCH : RD_OTHER;
	case RD_ADDRS:
		return RD_ADDR_ITEM;
	case RD_ROUTES:
		r->to_default = false;
		free(r->via);
		r->via = NULL;
		return RD_ROUTE;
	default:
		return RD_OTHER;
	}
}

static bool
rd_true(const yaml_event_t *e)
{
	const char *v = (const char *)e->data.scalar.value;
	size_t n = e->data.scalar.length;

	return gfile_span_caseeq(v, n, "true") ||
	    gfile_span_caseeq(v, n, "yes") || gfile_span_caseeq(v, n, "on");
}

static void
rd_scalar(struct yrd *r, const struct yframe *f, const yaml_event_t *e)
{
	struct gfile_netplan_eth *x;

	if (f == NULL || r->n == 0)
		return;
	x = &r->v[r->n - 1];
	switch (f->what) {
	case RD_ETH:
		if (yw_value_of(f, "set-name"))
			rd_set(&x->set_name, e);
		else if (yw_value_of(f, "macaddress"))
			rd_set(&x->mac, e);
		else if (yw_value_of(f, "gateway4")) {
			rd_set(&x->gateway, e);
			r->gw4 = x->gateway != NULL;
		} else if (yw_value_of(f, "dhcp4"))
			x->dhcp4 = rd_true(e);
		break;
	case RD_MATCH:
		if (yw_value_of(f, "name"))
			rd_set(&x->match_name, e);
		else if (yw_value_of(f, "macaddress"))
			rd_set(&x->match_mac, e);
		break;
	case RD_ADDRS:
		if (x->address == NULL)
			rd_set(&x->address, e);
		break;
	case RD_ADDR_ITEM:
		if (f->want_key && x->address == NULL)
			rd_set(&x->address, e);
		break;
	case RD_ROUTE:
		if (yw_value_of(f, "to"))
			r->to_default = gfile_span_eq(
			    (const char *)e->data.scalar.value,
			    e->data.scalar.length, "default") ||
			    gfile_span_eq((const char *)e->data.scalar.value,
			    e->data.scalar.length, "0.0.0.0/0");
		else if (yw_value_of(f, "via"))
			rd_set(&r->via, e);
		break;
	default:
		break;
	}
}

/*
 * A route closes: its via is the gateway when it is a default route, no
 * gateway4: was given and no earlier default route was.  An IPv6 via is
 * not one: the field stands for gateway4.
 */
static void
rd_route_end(struct yrd *r)
{
	struct gfile_netplan_eth *x;

	if (r->n > 0 && r->to_default && r->via != NULL && !r->gw4 &&
	    strchr(r->via, ':') == NULL) {
		x = &r->v[r->n - 1];
		if (x->gateway == NULL) {
			x->gateway = r->via;
			r->via = NULL;
		}
	}
	r->to_default = false;
	free(r->via);
	r->via = NULL;
}

int
gfile_netplan_parse(const char *buf, size_t len,
    struct gfile_netplan_eth **v_r, size_t *n_r)
{
	struct ywalk w;
	struct yrd r;
	struct yframe *f;

	memset(&r, 0, sizeof(r));
	*v_r = NULL;
	*n_r = 0;
	yw_init(&w, buf, len);
	while (yw_next(&w) == 1) {
		f = yw_top(&w);
		switch (w.ev.type) {
		case YAML_SCALAR_EVENT:
			rd_scalar(&r, f, &w.ev);
			break;
		case YAML_MAPPING_START_EVENT:
			w.what_next = rd_what(&r, f, true);
			break;
		case YAML_SEQUENCE_START_EVENT:
			w.what_next = rd_what(&r, f, false);
			break;
		case YAML_MAPPING_END_EVENT:
			if (f != NULL && f->what == RD_ROUTE)
				rd_route_end(&r);
			break;
		default:
			break;
		}
	}
	yw_release(&w);
	free(r.via);
	*v_r = r.v;
	*n_r = r.n;
	return 0;
}

void
gfile_netplan_free(struct gfile_netplan_eth *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].set_name);
		free(v[i].match_name);
		free(v[i].match_mac);
		free(v[i].mac);
		free(v[i].address);
		free(v[i].gateway);
	}
	free(v);
}
