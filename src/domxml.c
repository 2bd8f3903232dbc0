/*
 * domxml.c - parser, accessors and minimal editor for libvirt domain XML.
 *
 * libxml2 parses and checks the document and gives the decoded values; a
 * small scanner of the same bytes records where each element, attribute
 * value and element content is, and the two are matched element by
 * element in document order.  Edits splice bytes into the text and
 * re-parse it.  This file does not write files, does not talk to libvirt
 * and does not generate identities (ident.c does).
 *
 * Hand-written splicing on purpose: libxml2 can only write a document by
 * serialising its tree again, which does not keep the bytes (attribute
 * quotes become ", &apos; and character references are rewritten, blanks
 * inside tags and the XML declaration change), and libxml2 gives no byte
 * offsets for attributes or content, only line numbers.  The scanner can
 * stay small because it only runs on text libxml2 has accepted and that
 * has no DOCTYPE: no entity can expand into markup, so the scanner's
 * start tags and libxml2's element nodes are the same list.
 */
#define _GNU_SOURCE	/* memmem */
#include <err.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "domxml.h"
#include "util.h"
#include "valid.h"

/* One attribute of a start tag, as written. */
struct attr {
	size_t		 name, name_len;	/* offset, length of its name */
	size_t		 val, val_len;		/* bytes between the quotes */
	char		 quote;
};

/* One element, as written. */
struct elem {
	size_t		 start;		/* its '<' */
	size_t		 name_len;	/* qualified name after the '<' */
	size_t		 stag_end;	/* just after the start tag */
	size_t		 cont_end;	/* the end tag's '<' */
	size_t		 end;		/* just after the end tag */
	size_t		 attr0, nattrs;	/* its attributes in doc->attrs */
	int		 line;
	bool		 empty;		/* <x/>: the three ends are equal */
	xmlNode		*node;
};

/* The parse of one text. */
struct doc {
	char		*text;
	size_t		 len;
	xmlDoc		*xml;
	struct elem	*elems;
	size_t		 nelems, ecap;
	struct attr	*attrs;
	size_t		 nattrs, acap;
	struct elem	*root, *name, *uuid;
	char		*name_val, *uuid_val;
	struct elem	**nics;
	size_t		 nnics, ncap;
	struct elem	**disks;
	size_t		 ndisks, dcap;
};

struct domxml {
	char		*path;
	char		*orig;
	size_t		 orig_len;
	struct doc	*doc;
};

/* The first error libxml2 reports during one parse. */
struct xml_err {
	bool		 seen;
	int		 line;
	char		 msg[256];
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
starts(const struct doc *d, size_t pos, const char *s)
{
	size_t n = strlen(s);

	return d->len - pos >= n && memcmp(d->text + pos, s, n) == 0;
}

/* Offset just after the first S at or after POS, or 0 if there is none. */
static size_t
skip_past(const struct doc *d, size_t pos, const char *s)
{
	size_t n = strlen(s);
	const char *p;

	p = memmem(d->text + pos, d->len - pos, s, n);
	return p ? (size_t)(p - d->text) + n : 0;
}

/* 1-based line of POS. */
static int
line_at(const char *text, size_t pos)
{
	const char *p = text, *end = text + pos;
	int line = 1;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p++;
	}
	return line;
}

/* A value as a message shows it: control bytes as \xHH, cut at ~200. */
struct shown {
	char		 s[216];
};

static struct shown
show(const char *v)
{
	struct shown r;
	size_t n = 0;

	for (; *v != '\0' && n < 200; v++) {
		if ((unsigned char)*v < ' ' || *v == 0x7f)
			n += (size_t)snprintf(r.s + n, sizeof(r.s) - n,
			    "\\x%02x", (unsigned char)*v);
		else
			r.s[n++] = *v;
	}
	if (*v != '\0')
		n += (size_t)snprintf(r.s + n, sizeof(r.s) - n, "...");
	r.s[n] = '\0';
	return r;
}

bool
domxml_is_xml(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && is_space(buf[i]))
		i++;
	return i < len && buf[i] == '<';
}

/* ---- parsing ---- */

#if LIBXML_VERSION >= 21200
static void
quiet(void *data, const xmlError *e)
#else
static void
quiet(void *data, xmlErrorPtr e)
#endif
{
	(void)data;
	(void)e;
}

#if LIBXML_VERSION >= 21200
static void
xml_error(void *data, const xmlError *e)
#else
static void
xml_error(void *data, xmlErrorPtr e)
#endif
{
	struct xml_err *x = data;
	size_t n;

	if (x->seen || e == NULL || e->level < XML_ERR_ERROR)
		return;
	x->seen = true;
	x->line = e->line;
	snprintf(x->msg, sizeof(x->msg), "%s",
	    e->message ? e->message : "unknown error");
	n = strlen(x->msg);
	while (n > 0 && is_space(x->msg[n - 1]))
		x->msg[--n] = '\0';
	/* Some messages go on over a second line ("Bytes: 0xE9 ..."). */
	while (n-- > 0)
		if ((unsigned char)x->msg[n] < ' ')
			x->msg[n] = ' ';
}

static void
doc_free(struct doc *d)
{
	if (d == NULL)
		return;
	xmlFreeDoc(d->xml);
	free(d->elems);
	free(d->attrs);
	free(d->nics);
	free(d->disks);
	free(d->name_val);
	free(d->uuid_val);
	free(d->text);
	free(d);
}

/*
 * The encoding named by the XML declaration at POS, or an empty string
 * when there is none.  Not a full parser: the declaration is checked by
 * libxml2 afterwards.
 */
static void
decl_encoding(const struct doc *d, size_t pos, char out[32])
{
	const char *t = d->text, *e, *q;
	size_t end;

	out[0] = '\0';
	if (!starts(d, pos, "<?xml") || pos + 5 >= d->len ||
	    !is_space(t[pos + 5]) || (end = skip_past(d, pos, "?>")) == 0)
		return;
	e = memmem(t + pos, end - pos, "encoding", 8);
	if (e == NULL)
		return;
	for (e += 8; is_space(*e); e++)
		;
	if (*e++ != '=')
		return;
	while (is_space(*e))
		e++;
	if ((*e != '\'' && *e != '"') ||
	    (q = memchr(e + 1, *e, (size_t)(t + end - e - 1))) == NULL)
		return;
	snprintf(out, 32, "%.*s", (int)(q - e - 1), e + 1);
}

/*
 * Refuse what must never reach libxml2: NUL bytes, too much markup, a
 * first byte that is not '<' (which is how libxml2 would guess EBCDIC),
 * an encoding other than UTF-8 (libxml2 would convert the rest, so the
 * bytes here would not be what it parses) and a DOCTYPE in the prolog
 * (after the root element it is a syntax error libxml2 reports without
 * reading it).
 */
static int
precheck(const char *path, const struct doc *d)
{
	const char *p;
	size_t pos = 0, n = 0;
	char enc[32];

	if ((p = memchr(d->text, '\0', d->len)) != NULL) {
		warnx("%s:%d: NUL byte in the document", path,
		    line_at(d->text, (size_t)(p - d->text)));
		return -1;
	}
	for (p = d->text; (p = memchr(p, '<', d->len -
	    (size_t)(p - d->text))) != NULL; p++)
		if (++n > DOMXML_MAX_MARKUP) {
			warnx("%s: too much markup (more than %d '<')", path,
			    DOMXML_MAX_MARKUP);
			return -1;
		}
	if (!domxml_is_xml(d->text, d->len)) {
		warnx("%s: not XML (it does not start with '<')", path);
		return -1;
	}
	if (starts(d, 0, "\xef\xbb\xbf"))
		pos = 3;
	decl_encoding(d, pos, enc);
	if (enc[0] != '\0' && ascii_casecmp(enc, "UTF-8") != 0) {
		warnx("%s:1: encoding '%s' is not supported (only UTF-8)",
		    path, show(enc).s);
		return -1;
	}
	for (;;) {
		while (pos < d->len && is_space(d->text[pos]))
			pos++;
		if (starts(d, pos, "<!--"))
			pos = skip_past(d, pos + 4, "-->");
		else if (starts(d, pos, "<?"))
			pos = skip_past(d, pos + 2, "?>");
		else
			break;
		if (pos == 0)
			return 0;	/* unterminated: libxml2 says so */
	}
	if (starts(d, pos, "<!DOCTYPE")) {
		warnx("%s:%d: a DOCTYPE is not allowed in a domain document "
		    "(no DTDs or entities)", path, line_at(d->text, pos));
		return -1;
	}
	return 0;
}

static struct elem *
new_elem(struct doc *d)
{
	if (d->nelems == d->ecap) {
		d->ecap = d->ecap ? 2 * d->ecap : 256;
		d->elems = xreallocarray(d->elems, d->ecap,
		    sizeof(*d->elems));
	}
	memset(&d->elems[d->nelems], 0, sizeof(*d->elems));
	return &d->elems[d->nelems++];
}

static struct attr *
new_attr(struct doc *d)
{
	if (d->nattrs == d->acap) {
		d->acap = d->acap ? 2 * d->acap : 1024;
		d->attrs = xreallocarray(d->attrs, d->acap,
		    sizeof(*d->attrs));
	}
	memset(&d->attrs[d->nattrs], 0, sizeof(*d->attrs));
	return &d->attrs[d->nattrs++];
}

/*
 * Record every element of the well-formed text in document order, with
 * its attributes and the offsets of its parts.  Returns 0, or -1 if the
 * text is not what libxml2 accepted (a bug).
 */
static int
scan(struct doc *d)
{
	const char *t = d->text, *p;
	size_t pos = 0, lpos = 0, depth = 0, scap = 0, *stack = NULL;
	struct elem *e;
	struct attr *a;
	int line = 1, rc = -1;

	if (starts(d, 0, "\xef\xbb\xbf"))
		pos = 3;
	while (pos < d->len) {
		if (t[pos] != '<') {
			p = memchr(t + pos, '<', d->len - pos);
			pos = p ? (size_t)(p - t) : d->len;
			continue;
		}
		if (starts(d, pos, "<!--"))
			pos = skip_past(d, pos + 4, "-->");
		else if (starts(d, pos, "<![CDATA["))
			pos = skip_past(d, pos + 9, "]]>");
		else if (starts(d, pos, "<?"))
			pos = skip_past(d, pos + 2, "?>");
		else if (starts(d, pos, "<!"))
			goto out;
		else if (starts(d, pos, "</")) {
			if (depth == 0)
				goto out;
			e = &d->elems[stack[--depth]];
			e->cont_end = pos;
			if ((p = memchr(t + pos, '>', d->len - pos)) == NULL)
				goto out;
			pos = e->end = (size_t)(p - t) + 1;
		} else {
			e = new_elem(d);
			e->start = pos;
			line += line_at(t + lpos, pos - lpos) - 1;
			lpos = pos;
			e->line = line;
			e->attr0 = d->nattrs;
			for (pos++; pos < d->len && !is_space(t[pos]) &&
			    t[pos] != '/' && t[pos] != '>'; pos++)
				;
			if ((e->name_len = pos - e->start - 1) == 0)
				goto out;
			for (;;) {
				while (pos < d->len && is_space(t[pos]))
					pos++;
				if (pos >= d->len)
					goto out;
				if (t[pos] == '/') {
					if (!starts(d, pos, "/>"))
						goto out;
					pos += 2;
					e->empty = true;
					e->stag_end = e->cont_end = e->end =
					    pos;
					break;
				}
				if (t[pos] == '>') {
					e->stag_end = ++pos;
					if (depth == scap) {
						scap = scap ? 2 * scap : 64;
						stack = xreallocarray(stack,
						    scap, sizeof(*stack));
					}
					stack[depth++] = d->nelems - 1;
					break;
				}
				a = new_attr(d);
				a->name = pos;
				while (pos < d->len && !is_space(t[pos]) &&
				    t[pos] != '=')
					pos++;
				a->name_len = pos - a->name;
				while (pos < d->len && is_space(t[pos]))
					pos++;
				if (a->name_len == 0 || pos >= d->len ||
				    t[pos] != '=')
					goto out;
				for (pos++; pos < d->len && is_space(t[pos]);
				    pos++)
					;
				if (pos >= d->len || (t[pos] != '\'' &&
				    t[pos] != '"'))
					goto out;
				a->quote = t[pos++];
				p = memchr(t + pos, a->quote, d->len - pos);
				if (p == NULL)
					goto out;
				a->val = pos;
				a->val_len = (size_t)(p - t) - pos;
				pos = (size_t)(p - t) + 1;
				e->nattrs++;
			}
		}
		if (pos == 0)
			goto out;	/* an unterminated comment, PI, CDATA */
	}
	if (depth == 0)
		rc = 0;
out:
	free(stack);
	return rc;
}

/* Is E's name as written the qualified name of N? */
static bool
same_name(const struct doc *d, const struct elem *e, const xmlNode *n)
{
	const char *raw = d->text + e->start + 1;
	size_t pl = 0;

	if (n->ns && n->ns->prefix) {
		pl = strlen((const char *)n->ns->prefix);
		if (e->name_len <= pl || memcmp(raw,
		    (const char *)n->ns->prefix, pl) != 0 || raw[pl] != ':')
			return false;
		pl++;
	}
	return e->name_len - pl == strlen((const char *)n->name) &&
	    memcmp(raw + pl, n->name, e->name_len - pl) == 0;
}

/* Pair the scanned elements with libxml2's element nodes. */
static int
match(struct doc *d)
{
	xmlNode *n = d->xml->children;
	size_t k = 0;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			if (k >= d->nelems || !same_name(d, &d->elems[k], n))
				return -1;
			d->elems[k].node = n;
			n->_private = &d->elems[k++];
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == (xmlNode *)d->xml)
				n = NULL;
		}
		if (n != NULL)
			n = n->next;
	}
	return k == d->nelems ? 0 : -1;
}

/* Is N an element named NAME in no namespace? */
static bool
is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns == NULL &&
	    strcmp((const char *)n->name, name) == 0;
}

/* First child element of N named NAME (NULL: any name), or NULL. */
static xmlNode *
child(const xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    (name == NULL || is_elem(c, name)))
			return c;
	return NULL;
}

/* Decoded value of attribute NAME of N, or NULL.  Caller frees. */
static char *
prop(const xmlNode *n, const char *name)
{
	xmlChar *v;
	char *s;

	if (n == NULL || (v = xmlGetNoNsProp(n, BAD_CAST name)) == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

static char *
content(const xmlNode *n)
{
	xmlChar *v;
	char *s;

	v = xmlNodeGetContent(n);
	s = xstrdup(v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

static void
list_add(struct elem ***v, size_t *n, size_t *cap, struct elem *e)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = e;
}

static bool
is_disk_device(const xmlNode *n)
{
	char *dev = prop(n, "device");
	bool r = dev == NULL || strcmp(dev, "disk") == 0;

	free(dev);
	return r;
}

/* Find name, uuid, NICs and disks. */
static void
resolve(struct doc *d)
{
	xmlNode *c, *dc;

	for (c = d->root->node->children; c != NULL; c = c->next) {
		if (d->name == NULL && is_elem(c, "name")) {
			d->name = c->_private;
			d->name_val = content(c);
		} else if (d->uuid == NULL && is_elem(c, "uuid")) {
			d->uuid = c->_private;
			d->uuid_val = content(c);
		} else if (is_elem(c, "devices")) {
			for (dc = c->children; dc != NULL; dc = dc->next)
				if (is_elem(dc, "interface"))
					list_add(&d->nics, &d->nnics,
					    &d->ncap, dc->_private);
				else if (is_elem(dc, "disk") &&
				    is_disk_device(dc))
					list_add(&d->disks, &d->ndisks,
					    &d->dcap, dc->_private);
		}
	}
}

/*
 * Parse TEXT (LEN bytes, NUL-terminated, owned by the result on success,
 * freed on failure).  Returns the parse or NULL after one message.
 */
static struct doc *
doc_parse(const char *path, char *text, size_t len)
{
	struct doc *d = xcalloc(1, sizeof(*d));
	struct xml_err x = { false, 0, "" };
	xmlStructuredErrorFunc old_fn = xmlStructuredError;
	void *old_ctx = xmlStructuredErrorContext;
	xmlParserCtxt *ctxt;
	xmlNode *root;
	bool wf = false;

	d->text = text;
	d->len = len;
	if (precheck(path, d) == -1)
		goto fail;
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		warnx("%s: cannot create an XML parser", path);
		goto fail;
	}
	/*
	 * No XML_PARSE_NOENT (entities stay references), XML_PARSE_NONET
	 * (nothing fetched), XML_PARSE_IGNORE_ENC (the bytes are UTF-8, as
	 * checked above, whatever a declaration says), XML_PARSE_BIG_LINES
	 * (lines past 65535).
	 */
	xmlSetStructuredErrorFunc(&x, xml_error);
	d->xml = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES);
	wf = ctxt->wellFormed && ctxt->nsWellFormed;
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	xmlFreeParserCtxt(ctxt);
	if (x.seen || d->xml == NULL || !wf) {
		if (x.line > 0)
			warnx("%s:%d: invalid XML: %s", path, x.line,
			    x.seen ? x.msg : "not well-formed");
		else
			warnx("%s: invalid XML: %s", path,
			    x.seen ? x.msg : "not well-formed");
		goto fail;
	}
	if (d->xml->intSubset != NULL || d->xml->extSubset != NULL) {
		warnx("%s: a DOCTYPE is not allowed in a domain document "
		    "(no DTDs or entities)", path);
		goto fail;
	}
	if (d->xml->encoding != NULL &&
	    ascii_casecmp((const char *)d->xml->encoding, "UTF-8") != 0) {
		warnx("%s: encoding '%s' is not supported (only UTF-8)", path,
		    (const char *)d->xml->encoding);
		goto fail;
	}
	if (scan(d) == -1 || match(d) == -1) {
		warnx("%s: internal error: cannot locate the XML elements",
		    path);
		goto fail;
	}
	root = xmlDocGetRootElement(d->xml);
	if (root == NULL || root->_private == NULL) {
		warnx("%s: no root element", path);
		goto fail;
	}
	d->root = root->_private;
	if (!is_elem(root, "domain")) {
		if (strcmp((const char *)root->name, "domain") == 0 &&
		    root->ns != NULL && root->ns->href != NULL)
			warnx("%s:%d: not a libvirt domain: the root element "
			    "is in namespace '%s'", path, d->root->line,
			    (const char *)root->ns->href);
		else
			warnx("%s:%d: not a libvirt domain: the root element "
			    "is <%.*s>", path, d->root->line,
			    (int)d->root->name_len, text + d->root->start + 1);
		goto fail;
	}
	resolve(d);
	return d;
fail:
	doc_free(d);
	return NULL;
}

/* ---- object ---- */

int
domxml_parse(const char *path, const char *buf, size_t len,
    struct domxml **dx_r)
{
	struct domxml *dx;
	char *text;

	if (len > DOMXML_MAX_SIZE) {
		warnx("%s: file too large (%zu bytes, limit %u)", path, len,
		    DOMXML_MAX_SIZE);
		return -1;
	}
	text = xmalloc(len + 1);
	if (len)
		memcpy(text, buf, len);
	text[len] = '\0';
	dx = xcalloc(1, sizeof(*dx));
	dx->path = xstrdup(path);
	if ((dx->doc = doc_parse(path, text, len)) == NULL) {
		free(dx->path);
		free(dx);
		return -1;
	}
	dx->orig = xmalloc(len + 1);
	memcpy(dx->orig, text, len + 1);
	dx->orig_len = len;
	*dx_r = dx;
	return 0;
}

void
domxml_free(struct domxml *dx)
{
	if (dx == NULL)
		return;
	doc_free(dx->doc);
	free(dx->orig);
	free(dx->path);
	free(dx);
}

const char *
domxml_path(const struct domxml *dx)
{
	return dx->path;
}

const char *
domxml_text(const struct domxml *dx, size_t *len_r)
{
	if (len_r)
		*len_r = dx->doc->len;
	return dx->doc->text;
}

const char *
domxml_original(const struct domxml *dx, size_t *len_r)
{
	if (len_r)
		*len_r = dx->orig_len;
	return dx->orig;
}

bool
domxml_changed(const struct domxml *dx)
{
	return dx->doc->len != dx->orig_len ||
	    memcmp(dx->doc->text, dx->orig, dx->orig_len) != 0;
}

/* ---- accessors ---- */

const char *
domxml_get_string(const struct domxml *dx, const char *key)
{
	if (strcmp(key, "name") == 0)
		return dx->doc->name_val;
	if (strcmp(key, "uuid") == 0)
		return dx->doc->uuid_val;
	return NULL;
}

int
domxml_key_line(const struct domxml *dx, const char *key)
{
	const struct elem *e = NULL;

	if (strcmp(key, "name") == 0)
		e = dx->doc->name;
	else if (strcmp(key, "uuid") == 0)
		e = dx->doc->uuid;
	return e ? e->line : 0;
}

size_t
domxml_nic_count(const struct domxml *dx)
{
	return dx->doc->nnics;
}

int
domxml_nic_line(const struct domxml *dx, size_t i)
{
	return i < dx->doc->nnics ? dx->doc->nics[i]->line : 0;
}

/*
 * The <source> attribute that holds NIC N's bridge: "bridge" or
 * "network" by the interface's type, or NULL.
 */
static const char *
nic_source_attr(const xmlNode *n)
{
	char *type = prop(n, "type");
	const char *r = NULL;

	if (type && strcmp(type, "bridge") == 0)
		r = "bridge";
	else if (type && strcmp(type, "network") == 0)
		r = "network";
	free(type);
	return r;
}

char *
domxml_nic_get(const struct domxml *dx, size_t i, const char *key)
{
	const xmlNode *n;
	const char *a;

	if (i >= dx->doc->nnics)
		return NULL;
	n = dx->doc->nics[i]->node;
	if (strcmp(key, "mac") == 0)
		return prop(child(n, "mac"), "address");
	if (strcmp(key, "bridge") == 0)
		return (a = nic_source_attr(n)) ? prop(child(n, "source"), a) :
		    NULL;
	if (strcmp(key, "type") == 0)
		return prop(n, "type");
	if (strcmp(key, "model") == 0)
		return prop(child(n, "model"), "type");
	if (strcmp(key, "target") == 0)
		return prop(child(n, "target"), "dev");
	return NULL;
}

size_t
domxml_nic_keys(const struct domxml *dx, size_t i, struct strlist *keys)
{
	static const char *const all[] = {
		"type", "mac", "bridge", "model", "target"
	};
	size_t k, n = 0;
	char *v;

	for (k = 0; k < ARRAY_SIZE(all); k++)
		if ((v = domxml_nic_get(dx, i, all[k])) != NULL) {
			strlist_add(keys, all[k]);
			free(v);
			n++;
		}
	return n;
}

size_t
domxml_disk_count(const struct domxml *dx)
{
	return dx->doc->ndisks;
}

int
domxml_disk_line(const struct domxml *dx, size_t i)
{
	return i < dx->doc->ndisks ? dx->doc->disks[i]->line : 0;
}

/* The <source> attribute holding disk N's target by its type, or NULL. */
static const char *
disk_source_attr(const xmlNode *n)
{
	char *type = prop(n, "type");
	const char *r = NULL;

	if (type == NULL || strcmp(type, "file") == 0)
		r = "file";
	else if (strcmp(type, "block") == 0)
		r = "dev";
	else if (strcmp(type, "dir") == 0)
		r = "dir";
	else if (strcmp(type, "network") == 0)
		r = "name";
	free(type);
	return r;
}

char *
domxml_disk_target(const struct domxml *dx, size_t i)
{
	const xmlNode *n;
	const char *a;

	if (i >= dx->doc->ndisks)
		return NULL;
	n = dx->doc->disks[i]->node;
	if ((a = disk_source_attr(n)) == NULL)
		return NULL;
	return prop(child(n, "source"), a);
}

char *
domxml_disk_get(const struct domxml *dx, size_t i, const char *key)
{
	const xmlNode *n;

	if (i >= dx->doc->ndisks)
		return NULL;
	n = dx->doc->disks[i]->node;
	if (strcmp(key, "type") == 0)
		return prop(n, "type");
	if (strcmp(key, "format") == 0)
		return prop(child(n, "driver"), "type");
	if (strcmp(key, "dev") == 0)
		return prop(child(n, "target"), "dev");
	if (strcmp(key, "readonly") == 0 || strcmp(key, "shareable") == 0)
		return child(n, key) ? xstrdup("yes") : NULL;
	return NULL;
}

/* ---- editing ---- */

/*
 * Append V escaped for XML: for an attribute quoted with Q, or for
 * element content when Q is 0.  Blanks other than space are written as
 * character references in attributes, where a parser would turn them
 * into spaces.
 */
static void
xml_escape(struct buf *out, const char *v, char q)
{
	for (; *v != '\0'; v++) {
		switch (*v) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '\'':
			buf_adds(out, q == '\'' ? "&apos;" : "'");
			break;
		case '"':
			buf_adds(out, q == '"' ? "&quot;" : "\"");
			break;
		case '\t':
		case '\n':
		case '\r':
			if (q != 0 || *v == '\r')
				buf_addf(out, "&#%d;", *v);
			else
				buf_addc(out, *v);
			break;
		default:
			buf_addc(out, *v);
		}
	}
}

/*
 * Replace TEXT[off, off+del) with INS and re-parse.  Returns 0, or -1
 * (object unchanged) if the result does not parse, which would be a bug.
 */
static int
commit(struct domxml *dx, size_t off, size_t del, const char *ins,
    size_t inslen)
{
	struct doc *d = dx->doc, *nd;
	size_t len = d->len - del + inslen;
	char *text;

	text = xmalloc(len + 1);
	memcpy(text, d->text, off);
	memcpy(text + off, ins, inslen);
	memcpy(text + off + inslen, d->text + off + del, d->len - off - del);
	text[len] = '\0';
	if ((nd = doc_parse(dx->path, text, len)) == NULL) {
#ifdef DOMXML_FUZZ
		abort();	/* a bug the fuzzer must report */
#endif
		warnx("%s: internal error: the edit would not parse",
		    dx->path);
		return -1;
	}
	doc_free(d);
	dx->doc = nd;
	return 0;
}

static int
commit_buf(struct domxml *dx, size_t off, size_t del, struct buf *b)
{
	int rc;

	rc = commit(dx, off, del, b->data ? b->data : "", b->len);
	buf_release(b);
	return rc;
}

static const char *
file_eol(const struct doc *d)
{
	const char *nl = memchr(d->text, '\n', d->len);

	if (nl && nl > d->text && nl[-1] == '\r')
		return "\r\n";
	return "\n";
}

static size_t
line_begin(const struct doc *d, size_t pos)
{
	while (pos > 0 && d->text[pos - 1] != '\n' && d->text[pos - 1] != '\r')
		pos--;
	return pos;
}

/* Does POS start its line after blanks only?  *ind_r: the line's start. */
static bool
starts_line(const struct doc *d, size_t pos, size_t *ind_r)
{
	size_t b = line_begin(d, pos), i;

	for (i = b; i < pos; i++)
		if (!is_blank(d->text[i]))
			return false;
	*ind_r = b;
	return true;
}

/*
 * Is POS followed by blanks only up to a line ending?  *next_r: the
 * offset just after that line ending.
 */
static bool
ends_line(const struct doc *d, size_t pos, size_t *next_r)
{
	while (pos < d->len && is_blank(d->text[pos]))
		pos++;
	if (pos < d->len && d->text[pos] == '\r' && pos + 1 < d->len &&
	    d->text[pos + 1] == '\n')
		pos += 2;
	else if (pos < d->len && (d->text[pos] == '\n' ||
	    d->text[pos] == '\r'))
		pos++;
	else
		return false;
	*next_r = pos;
	return true;
}

/* Append the blanks that indent the line of POS (none if not alone). */
static void
add_indent(struct buf *b, const struct doc *d, size_t pos)
{
	size_t ls;

	if (starts_line(d, pos, &ls))
		buf_add(b, d->text + ls, pos - ls);
}

/* The raw attribute NAME of E, or NULL. */
static const struct attr *
find_attr(const struct doc *d, const struct elem *e, const char *name)
{
	size_t i, n = strlen(name);
	const struct attr *a;

	for (i = 0; i < e->nattrs; i++) {
		a = &d->attrs[e->attr0 + i];
		if (a->name_len == n &&
		    memcmp(d->text + a->name, name, n) == 0)
			return a;
	}
	return NULL;
}

/* The quote of E's attribute NAME, else the document's first, else '. */
static char
quote_of(const struct doc *d, const struct elem *e, const char *name)
{
	const struct attr *a = e ? find_attr(d, e, name) : NULL;

	if (a)
		return a->quote;
	return d->nattrs > 0 ? d->attrs[0].quote : '\'';
}

/*
 * Set attribute NAME of element E (which has it) to VALUE.  Returns 0,
 * or 1 if its decoded value already is VALUE.
 */
static int
set_attr(struct domxml *dx, const struct elem *e, const char *name,
    const char *value)
{
	const struct attr *a = find_attr(dx->doc, e, name);
	struct buf b = BUF_INIT;
	char *cur;
	bool same;

	if (a == NULL) {
		warnx("%s:%d: internal error: attribute '%s' not found",
		    dx->path, e->line, name);
		return -1;
	}
	cur = prop(e->node, name);
	same = cur && strcmp(cur, value) == 0;
	free(cur);
	if (same)
		return 1;
	buf_add(&b, "", 0);
	xml_escape(&b, value, a->quote);
	return commit_buf(dx, a->val, a->val_len, &b);
}

/* Set the text of element E (WHAT names it) to VALUE. */
static int
set_text(struct domxml *dx, const struct elem *e, const char *cur,
    const char *value, const char *what)
{
	struct buf b = BUF_INIT;
	const xmlNode *c;

	if (e->empty) {
		warnx("%s:%d: cannot edit <%s/>: write it <%s></%s>",
		    dx->path, e->line, what, what, what);
		return -1;
	}
	for (c = e->node->children; c != NULL; c = c->next)
		if (c->type != XML_TEXT_NODE) {
			warnx("%s:%d: cannot edit <%s>: it holds more than "
			    "text", dx->path, e->line, what);
			return -1;
		}
	if (cur && strcmp(cur, value) == 0)
		return 1;
	buf_add(&b, "", 0);
	xml_escape(&b, value, 0);
	return commit_buf(dx, e->stag_end, e->cont_end - e->stag_end, &b);
}

/* Insert <uuid>VALUE</uuid> after </name>. */
static int
insert_uuid(struct domxml *dx, const char *value)
{
	const struct doc *d = dx->doc;
	const struct elem *n = d->name;
	struct buf b = BUF_INIT;
	size_t ls, at;

	if (n == NULL) {
		warnx("%s: no <name> element to put <uuid> after", dx->path);
		return -1;
	}
	if (starts_line(d, n->start, &ls) && ends_line(d, n->end, &at)) {
		buf_add(&b, d->text + ls, n->start - ls);
		buf_adds(&b, "<uuid>");
		xml_escape(&b, value, 0);
		buf_adds(&b, "</uuid>");
		buf_adds(&b, file_eol(d));
	} else {
		at = n->end;
		buf_adds(&b, "<uuid>");
		xml_escape(&b, value, 0);
		buf_adds(&b, "</uuid>");
	}
	return commit_buf(dx, at, 0, &b);
}

/*
 * Insert TAG as element E's first child: on a line of its own, indented
 * as the first child is, when that child starts its line; else just
 * before it (or after E's start tag when E has no child element).
 */
static int
insert_first_child(struct domxml *dx, const struct elem *e, struct buf *tag)
{
	const struct doc *d = dx->doc;
	const struct elem *c;
	const xmlNode *cn;
	struct buf b = BUF_INIT;
	size_t at, ls;
	bool own_line = false;

	if ((cn = child(e->node, NULL)) != NULL) {
		c = cn->_private;
		at = c->start;
		if (starts_line(d, c->start, &ls)) {
			own_line = true;
			buf_add(&b, d->text + ls, c->start - ls);
			at = ls;
		}
	} else
		at = e->stag_end;
	buf_add(&b, tag->data, tag->len);
	buf_release(tag);
	if (own_line)
		buf_adds(&b, file_eol(d));
	return commit_buf(dx, at, 0, &b);
}

/* Insert <mac address=Q VALUE Q/> as NIC element E's first child. */
static int
insert_mac(struct domxml *dx, size_t i, const char *value)
{
	const struct doc *d = dx->doc;
	const struct elem *e = d->nics[i];
	struct buf b = BUF_INIT;
	char q = quote_of(d, e, "type");

	if (e->empty) {
		warnx("%s:%d: nic %zu has no <mac> and no room for one "
		    "(<interface/>)", dx->path, e->line, i);
		return -1;
	}
	buf_addf(&b, "<mac address=%c", q);
	xml_escape(&b, value, q);
	buf_addf(&b, "%c/>", q);
	return insert_first_child(dx, e, &b);
}

static bool
utf8_text_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c, need, min;

	for (; *p != '\0'; p++) {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return false;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			c = *p & 0x1f; need = 1; min = 0x80;
		} else if ((*p & 0xf0) == 0xe0) {
			c = *p & 0x0f; need = 2; min = 0x800;
		} else if ((*p & 0xf8) == 0xf0) {
			c = *p & 0x07; need = 3; min = 0x10000;
		} else
			return false;
		for (; need > 0; need--) {
			if ((*++p & 0xc0) != 0x80)
				return false;
			c = c << 6 | (*p & 0x3f);
		}
		/* overlong, surrogates, past U+10FFFF, C1 controls */
		if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff ||
		    (c >= 0x80 && c <= 0x9f))
			return false;
	}
	return true;
}

/* A libvirt domain name (libvirt refuses '/' and, for qemu, newlines). */
static bool
domain_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && utf8_text_valid(s) && strchr(s, '/') == NULL &&
	    s[0] != ' ' && s[n - 1] != ' ';
}

/* Parse "PREFIXN.REST" into N and REST; false if not of that form. */
static bool
parse_indexed(const char *key, const char *prefix, size_t *idx_r,
    const char **rest_r)
{
	size_t pl = strlen(prefix), v = 0;
	const char *p;

	if (strncmp(key, prefix, pl) != 0 || !(key[pl] >= '0' &&
	    key[pl] <= '9') || (key[pl] == '0' && key[pl + 1] >= '0' &&
	    key[pl + 1] <= '9'))
		return false;
	for (p = key + pl; *p >= '0' && *p <= '9'; p++) {
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

static int
set_nic(struct domxml *dx, size_t i, const char *key, const char *value)
{
	const struct doc *d = dx->doc;
	const struct elem *e;
	const xmlNode *n, *c;
	const char *a;
	char mac[18];

	if (strcmp(key, "mac") == 0) {
		if (!mac_valid_nic(value) || mac_normalize(value, mac) == -1) {
			warnx("%s: invalid MAC address '%s' for 'nic%zu.mac' "
			    "(want six hex pairs, unicast, not all-zero)",
			    dx->path, show(value).s, i);
			return -1;
		}
		value = mac;
	} else if (strcmp(key, "bridge") == 0) {
		if (!cfg_word_valid(value)) {
			warnx("%s: invalid value '%s' for 'nic%zu.bridge' (no "
			    "quotes, backslashes, commas, '=', '#', blanks or "
			    "control characters)", dx->path, show(value).s, i);
			return -1;
		}
	} else {
		warnx("%s: unknown NIC key 'nic%zu.%s' (want mac or bridge)",
		    dx->path, i, show(key).s);
		return -1;
	}
	if (i >= d->nnics) {
		warnx("%s: nic %zu does not exist (the domain has %zu "
		    "<interface> elements)", dx->path, i, d->nnics);
		return -1;
	}
	e = d->nics[i];
	n = e->node;
	if (strcmp(key, "mac") == 0) {
		if ((c = child(n, "mac")) == NULL)
			return insert_mac(dx, i, value);
		if (find_attr(d, c->_private, "address") == NULL) {
			warnx("%s:%d: nic %zu: <mac> has no address",
			    dx->path, ((const struct elem *)c->_private)->line,
			    i);
			return -1;
		}
		return set_attr(dx, c->_private, "address", value);
	}
	if ((a = nic_source_attr(n)) == NULL) {
		warnx("%s:%d: nic %zu has no bridge (only type 'bridge' and "
		    "'network' interfaces have one)", dx->path, e->line, i);
		return -1;
	}
	if ((c = child(n, "source")) == NULL ||
	    find_attr(d, c->_private, a) == NULL) {
		warnx("%s:%d: nic %zu has no <source %s=...>", dx->path,
		    e->line, i, a);
		return -1;
	}
	return set_attr(dx, c->_private, a, value);
}

static int
set_disk_target(struct domxml *dx, size_t i, const char *value)
{
	const struct doc *d = dx->doc;
	const struct elem *e;
	const xmlNode *c;
	const char *a;

	if (i >= d->ndisks) {
		warnx("%s: disk %zu does not exist (the domain has %zu "
		    "disks of device 'disk')", dx->path, i, d->ndisks);
		return -1;
	}
	e = d->disks[i];
	if ((a = disk_source_attr(e->node)) == NULL) {
		warnx("%s:%d: disk %zu has no path to edit (its type is not "
		    "file, block, dir or network)", dx->path, e->line, i);
		return -1;
	}
	if (strcmp(a, "name") == 0 ? !utf8_text_valid(value) ||
	    *value == '\0' : !abs_path_valid(value)) {
		warnx("%s: invalid disk %s '%s' for 'disk%zu.target' (want %s)",
		    dx->path, strcmp(a, "name") == 0 ? "name" : "path",
		    show(value).s, i, strcmp(a, "name") == 0 ? "UTF-8 text "
		    "without control "
		    "characters" : "an absolute path without quotes, "
		    "backslashes or control characters");
		return -1;
	}
	if ((c = child(e->node, "source")) == NULL ||
	    find_attr(d, c->_private, a) == NULL) {
		warnx("%s:%d: disk %zu has no <source %s=...>", dx->path,
		    e->line, i, a);
		return -1;
	}
	return set_attr(dx, c->_private, a, value);
}

/*
 * Set disk I's <driver type=...> to VALUE (qcow2 or raw); the rules are
 * in domxml.h ("diskN.format").
 */
static int
set_disk_format(struct domxml *dx, size_t i, const char *value)
{
	const struct doc *d = dx->doc;
	const struct elem *e, *de;
	const struct attr *a;
	const xmlNode *c;
	struct buf b = BUF_INIT;
	char *dtype, q;
	size_t at;
	bool qemu;

	if (strcmp(value, "qcow2") != 0 && strcmp(value, "raw") != 0) {
		warnx("%s: invalid format '%s' for 'disk%zu.format' (want "
		    "qcow2 or raw)", dx->path, show(value).s, i);
		return -1;
	}
	if (i >= d->ndisks) {
		warnx("%s: disk %zu does not exist (the domain has %zu "
		    "disks of device 'disk')", dx->path, i, d->ndisks);
		return -1;
	}
	e = d->disks[i];
	if ((c = child(e->node, "driver")) != NULL) {
		de = c->_private;
		if (find_attr(d, de, "type") != NULL)
			return set_attr(dx, de, "type", value);
		/* libvirt reads a disk without a driver type as raw */
		if (strcmp(value, "raw") == 0)
			return 1;
		/* type= after the driver's last attribute */
		q = quote_of(d, de, "name");
		if (de->nattrs > 0) {
			a = &d->attrs[de->attr0 + de->nattrs - 1];
			at = a->val + a->val_len + 1;
		} else
			at = de->start + 1 + de->name_len;
		buf_addf(&b, " type=%c%s%c", q, value, q);
		return commit_buf(dx, at, 0, &b);
	}
	if (strcmp(value, "raw") == 0)
		return 1;
	dtype = prop(d->root->node, "type");
	qemu = dtype && (strcmp(dtype, "kvm") == 0 ||
	    strcmp(dtype, "qemu") == 0);
	if (!qemu || e->empty) {
		warnx("%s:%d: disk %zu has no <driver> to give type='qcow2': "
		    "%s; add <driver name=... type='qcow2'/> by hand", dx->path,
		    e->line, i, e->empty ? "it is written <disk/>" :
		    "the driver name depends on the hypervisor of a domain of "
		    "type other than kvm or qemu (xen: qemu, tap or phy)");
		free(dtype);
		return -1;
	}
	free(dtype);
	q = quote_of(d, e, "type");
	buf_addf(&b, "<driver name=%cqemu%c type=%cqcow2%c/>", q, q, q, q);
	return insert_first_child(dx, e, &b);
}

int
domxml_set(struct domxml *dx, const char *key, const char *value)
{
	const struct doc *d = dx->doc;
	const char *rest;
	size_t i;

	if (strcmp(key, "name") == 0) {
		if (!domain_name_valid(value)) {
			warnx("%s: invalid name '%s' (want UTF-8 without "
			    "control characters or '/', no blank at either "
			    "end)", dx->path, show(value).s);
			return -1;
		}
		if (d->name == NULL) {
			warnx("%s: the domain has no <name> element",
			    dx->path);
			return -1;
		}
		return set_text(dx, d->name, d->name_val, value, "name");
	}
	if (strcmp(key, "uuid") == 0) {
		if (!uuid_valid(value)) {
			warnx("%s: invalid uuid '%s' (want the lower-case "
			    "dashed form)", dx->path, show(value).s);
			return -1;
		}
		if (d->uuid == NULL)
			return insert_uuid(dx, value);
		return set_text(dx, d->uuid, d->uuid_val, value, "uuid");
	}
	if (parse_indexed(key, "nic", &i, &rest))
		return set_nic(dx, i, rest, value);
	if (parse_indexed(key, "disk", &i, &rest) &&
	    strcmp(rest, "target") == 0)
		return set_disk_target(dx, i, value);
	if (parse_indexed(key, "disk", &i, &rest) &&
	    strcmp(rest, "format") == 0)
		return set_disk_format(dx, i, value);
	warnx("%s: unknown key '%s' (want name, uuid, nicN.mac, nicN.bridge, "
	    "diskN.target or diskN.format)", dx->path, show(key).s);
	return -1;
}

/* The fields of an add-nic spec. */
struct nic_spec {
	char		 mac[18];
	char		*bridge, *network, *model;
};

static void
nic_spec_release(struct nic_spec *s)
{
	free(s->bridge);
	free(s->network);
	free(s->model);
}

static int
nic_spec_parse(const struct domxml *dx, const char *spec, struct nic_spec *s)
{
	char *copy = xstrdup(spec), *f, *next, *v, **slot;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	for (f = copy; f != NULL; f = next) {
		if ((next = strchr(f, ',')) != NULL)
			*next++ = '\0';
		if ((v = strchr(f, '=')) == NULL) {
			warnx("%s: cannot add a NIC: field '%s' is not "
			    "KEY=VALUE", dx->path, show(f).s);
			goto out;
		}
		*v++ = '\0';
		if (strcmp(f, "mac") == 0) {
			if (s->mac[0] != '\0')
				goto dup;
			if (!mac_valid_nic(v) ||
			    mac_normalize(v, s->mac) == -1) {
				warnx("%s: cannot add a NIC: invalid MAC "
				    "address '%s' (want six hex pairs, "
				    "unicast, not all-zero)", dx->path,
				    show(v).s);
				goto out;
			}
			continue;
		}
		if (strcmp(f, "bridge") == 0)
			slot = &s->bridge;
		else if (strcmp(f, "network") == 0)
			slot = &s->network;
		else if (strcmp(f, "model") == 0)
			slot = &s->model;
		else {
			warnx("%s: cannot add a NIC: unknown key '%s' (want "
			    "mac, bridge, network or model)", dx->path,
			    show(f).s);
			goto out;
		}
		if (*slot != NULL)
			goto dup;
		if (!cfg_word_valid(v)) {
			warnx("%s: cannot add a NIC: invalid value '%s' for "
			    "'%s' (no quotes, backslashes, commas, '=', '#', "
			    "blanks or control characters)", dx->path,
			    show(v).s, f);
			goto out;
		}
		*slot = xstrdup(v);
	}
	if ((s->bridge == NULL) == (s->network == NULL)) {
		warnx("%s: cannot add a NIC: give exactly one of bridge= and "
		    "network=", dx->path);
		goto out;
	}
	rc = 0;
	goto out;
dup:
	warnx("%s: cannot add a NIC: key '%s' given twice", dx->path, f);
out:
	free(copy);
	if (rc == -1)
		nic_spec_release(s);
	return rc;
}

/*
 * One indentation step: what the first child of E that starts a line
 * adds to E's own indentation, or the nesting step PARENT -> E, else a
 * tab when E is indented with tabs, else two spaces.
 */
static void
indent_step(const struct doc *d, const struct elem *e,
    const struct elem *parent, struct buf *out)
{
	size_t eb, cb, pb, el, cl, pl;
	const xmlNode *cn;

	if (!starts_line(d, e->start, &eb)) {
		buf_adds(out, "  ");
		return;
	}
	el = e->start - eb;
	for (cn = child(e->node, NULL); cn != NULL; cn = cn->next) {
		const struct elem *c = cn->_private;

		if (cn->type != XML_ELEMENT_NODE ||
		    !starts_line(d, c->start, &cb))
			continue;
		cl = c->start - cb;
		if (cl > el && memcmp(d->text + cb, d->text + eb, el) == 0) {
			buf_add(out, d->text + cb + el, cl - el);
			return;
		}
		break;
	}
	if (parent && starts_line(d, parent->start, &pb)) {
		pl = parent->start - pb;
		if (el > pl && memcmp(d->text + pb, d->text + eb, pl) == 0) {
			buf_add(out, d->text + eb + pl, el - pl);
			return;
		}
	}
	buf_adds(out, memchr(d->text + eb, '\t', el) ? "\t" : "  ");
}

int
domxml_add_nic(struct domxml *dx, const char *spec)
{
	const struct doc *d = dx->doc;
	const struct elem *last, *dev = NULL, *c;
	const xmlNode *n;
	struct nic_spec s;
	struct buf ind = BUF_INIT, step = BUF_INIT, b = BUF_INIT;
	const char *eol = file_eol(d), *type;
	size_t at, ls;
	bool before = false;	/* the block goes before a line start */
	char q;

	if (nic_spec_parse(dx, spec, &s) == -1)
		return -1;
	buf_add(&ind, "", 0);
	buf_add(&step, "", 0);
	if (d->nnics > 0) {
		last = d->nics[d->nnics - 1];
		q = quote_of(d, last, "type");
		add_indent(&ind, d, last->start);
		indent_step(d, last, last->node->parent->_private, &step);
		if (ends_line(d, last->end, &at))
			before = true;
		else
			at = last->end;
	} else {
		for (n = child(d->root->node, "devices"); n != NULL;
		    n = n->next)
			if (is_elem(n, "devices"))
				dev = n->_private;
		if (dev == NULL || dev->empty) {
			warnx("%s: cannot add a NIC: the domain has no "
			    "<devices> element with room for one", dx->path);
			buf_release(&ind);
			buf_release(&step);
			nic_spec_release(&s);
			return -1;
		}
		q = quote_of(d, d->root, "type");
		if ((n = child(dev->node, NULL)) != NULL &&
		    starts_line(d, ((c = n->_private))->start, &ls))
			buf_add(&ind, d->text + ls, c->start - ls);
		else {
			add_indent(&ind, d, dev->start);
			indent_step(d, dev, d->root, &ind);
		}
		indent_step(d, dev, d->root, &step);
		if (starts_line(d, dev->cont_end, &ls)) {
			at = ls;
			before = true;
		} else
			at = dev->cont_end;
	}
	type = s.bridge ? "bridge" : "network";
	buf_add(&b, "", 0);
	if (!before)
		buf_adds(&b, eol);
	buf_addf(&b, "%s<interface type=%c%s%c>%s", ind.data, q, type, q, eol);
	if (s.mac[0] != '\0')
		buf_addf(&b, "%s%s<mac address=%c%s%c/>%s", ind.data,
		    step.data, q, s.mac, q, eol);
	buf_addf(&b, "%s%s<source %s=%c", ind.data, step.data, type, q);
	xml_escape(&b, s.bridge ? s.bridge : s.network, q);
	buf_addf(&b, "%c/>%s", q, eol);
	if (s.model) {
		buf_addf(&b, "%s%s<model type=%c", ind.data, step.data, q);
		xml_escape(&b, s.model, q);
		buf_addf(&b, "%c/>%s", q, eol);
	}
	buf_addf(&b, "%s</interface>", ind.data);
	if (before || d->nnics == 0)
		buf_adds(&b, eol);
	buf_release(&ind);
	buf_release(&step);
	nic_spec_release(&s);
	return commit_buf(dx, at, 0, &b);
}

int
domxml_remove_nic(struct domxml *dx, size_t i)
{
	const struct doc *d = dx->doc;
	const struct elem *e;
	size_t a, b;

	if (i >= d->nnics) {
		warnx("%s: nic %zu does not exist (the domain has %zu "
		    "<interface> elements)", dx->path, i, d->nnics);
		return -1;
	}
	e = d->nics[i];
	if (starts_line(d, e->start, &a) && ends_line(d, e->end, &b))
		return commit(dx, a, b - a, "", 0);
	return commit(dx, e->start, e->end - e->start, "", 0);
}

bool
domxml_other_root(const char *buf, size_t len)
{
	xmlStructuredErrorFunc old_fn = xmlStructuredError;
	void *old_ctx = xmlStructuredErrorContext;
	xmlParserCtxt *ctxt;
	xmlDoc *doc;
	xmlNode *root;
	bool other = false;

	if (len == 0 || len > DOMXML_MAX_SIZE || memchr(buf, '\0', len))
		return false;
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		return false;
	xmlSetStructuredErrorFunc(NULL, quiet);
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES);
	if (doc != NULL && ctxt->wellFormed && ctxt->nsWellFormed &&
	    (root = xmlDocGetRootElement(doc)) != NULL)
		other = !is_elem(root, "domain");
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return other;
}
