/*
 * gfile_netplan.c - netplan YAML (/etc/netplan/ *.yaml), the block style
 * that cloud-init, subiquity and image builders write.
 *
 * Not a YAML parser: lines are read with their indentation, `key:` lines
 * form a path of parent keys, and only plain or quoted scalars on one line
 * are looked at.  Flow mappings, anchors, multi-line scalars and tabs are
 * not followed; such values are simply not matched.  libyaml would parse
 * more, but it cannot write a file back byte for byte, and the edits
 * needed are single scalars.
 *
 * The editor changes a `macaddress:` scalar equal to a mapped MAC (under
 * match: or as the set MAC), and the address part of `addresses:` items
 * (block `- a/N` or flow `[a/N, ...]`) outside `nameservers:`.
 */
#include <string.h>

#include "gfile_netplan.h"

#define MAXDEPTH 32

struct key {
	size_t		 indent;
	const char	*p;
	size_t		 len;
};

struct yline {
	size_t		 indent;
	const char	*c;	/* content after the indent (and a "- ") */
	size_t		 clen;	/* without a trailing comment and blanks */
	bool		 dash;	/* a sequence item "- " */
	const char	*key;	/* "key:" on the line, or NULL */
	size_t		 keylen;
	const char	*val;	/* the text after "key:", trimmed */
	size_t		 vallen;
};

/* Split a line; false for blank and comment lines. */
static bool
yline_split(const struct gfile_line *l, struct yline *y)
{
	size_t i = 0, n = l->len, k;
	char q = 0;

	while (i < n && l->p[i] == ' ')
		i++;
	if (i >= n || l->p[i] == '#')
		return false;
	y->indent = i;
	y->dash = false;
	if (l->p[i] == '-' && (i + 1 == n || gfile_is_blank(l->p[i + 1]))) {
		y->dash = true;
		i++;
		while (i < n && gfile_is_blank(l->p[i]))
			i++;
	}
	/* Cut a comment: '#' after a blank, outside quotes. */
	for (k = i; k < n; k++) {
		if (q != 0) {
			if (l->p[k] == q)
				q = 0;
		} else if (l->p[k] == '"' || l->p[k] == '\'')
			q = l->p[k];
		else if (l->p[k] == '#' && k > 0 && gfile_is_blank(l->p[k - 1]))
			break;
	}
	while (k > i && gfile_is_blank(l->p[k - 1]))
		k--;
	y->c = l->p + i;
	y->clen = k - i;
	y->key = NULL;
	y->keylen = 0;
	y->val = NULL;
	y->vallen = 0;
	/* A plain key: up to ": " or a final ':'. */
	for (k = 0; k < y->clen; k++) {
		if (y->c[k] == '"' || y->c[k] == '\'' || y->c[k] == '[' ||
		    y->c[k] == '{')
			break;
		if (y->c[k] == ':' &&
		    (k + 1 == y->clen || gfile_is_blank(y->c[k + 1]))) {
			y->key = y->c;
			y->keylen = k;
			k++;
			while (k < y->clen && gfile_is_blank(y->c[k]))
				k++;
			y->val = y->c + k;
			y->vallen = y->clen - k;
			break;
		}
	}
	return true;
}

/* Strip one level of matching quotes from [*s, *s+*n). */
static void
unquote(const char **s, size_t *n)
{
	if (*n >= 2 && ((*s)[0] == '"' || (*s)[0] == '\'') &&
	    (*s)[*n - 1] == (*s)[0]) {
		(*s)++;
		*n -= 2;
	}
}

/*
 * Keep the parent-key path: pop keys at or deeper than this line's
 * indentation.  A sequence item's content counts as one level deeper.
 */
static size_t
path_update(struct key *path, size_t depth, const struct yline *y)
{
	size_t ind = y->indent + (y->dash ? 1 : 0);

	while (depth > 0 && path[depth - 1].indent >= ind)
		depth--;
	if (y->key != NULL && depth < MAXDEPTH) {
		path[depth].indent = ind;
		path[depth].p = y->key;
		path[depth].len = y->keylen;
		depth++;
	}
	return depth;
}

char *
gfile_netplan_mac(const char *buf, size_t len, const char *iface)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct key path[MAXDEPTH];
	struct yline y;
	const char *v;
	size_t pos = 0, depth = 0, j, n;

	while (gfile_line_next(buf, len, &pos, &l)) {
		if (!yline_split(&l, &y))
			continue;
		depth = path_update(path, depth, &y);
		if (y.key == NULL || !gfile_span_eq(y.key, y.keylen, "macaddress"))
			continue;
		for (j = 0; j + 1 < depth; j++) {
			if (gfile_span_eq(path[j].p, path[j].len, "ethernets") &&
			    gfile_span_eq(path[j + 1].p, path[j + 1].len, iface)) {
				v = y.val;
				n = y.vallen;
				unquote(&v, &n);
				return xstrndup(v, n);
			}
		}
	}
	return NULL;
}

/* Map the address part of one addresses item [s, s+n) at offset off. */
static void
map_item(struct gfile_ed *ed, const struct gfile_job *job, const char *s,
    size_t n, size_t off)
{
	const char *p = s;

	unquote(&p, &n);
	off += (size_t)(p - s);
	gfile_ed_map_ip(ed, job, off, off + n, "/:");
}

static bool
under_nameservers(const struct key *path, size_t depth)
{
	size_t j;

	for (j = 0; j < depth; j++)
		if (gfile_span_eq(path[j].p, path[j].len, "nameservers"))
			return true;
	return false;
}

int
gfile_netplan_edit(const struct gfile_job *job, const char *in, size_t len,
    struct buf *out)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct key path[MAXDEPTH];
	struct gfile_ed ed;
	struct yline y;
	const char *v;
	size_t pos = 0, depth = 0, n, i, s, e, aind = 0;
	bool in_addrs = false;

	gfile_ed_init(&ed, in, len, out);
	while (gfile_line_next(in, len, &pos, &l)) {
		if (!yline_split(&l, &y))
			continue;
		if (in_addrs) {
			if (y.dash && y.indent >= aind) {
				/* "- a/N", or "- a/N:" with lifetime/label
				 * below it. */
				if (y.key != NULL)
					map_item(&ed, job, y.key, y.keylen,
					    l.off + (size_t)(y.key - l.p));
				else
					map_item(&ed, job, y.c, y.clen,
					    l.off + (size_t)(y.c - l.p));
				continue;
			}
			if (y.indent > aind)
				continue;
			in_addrs = false;
		}
		depth = path_update(path, depth, &y);
		if (y.key == NULL)
			continue;
		if (gfile_span_eq(y.key, y.keylen, "macaddress")) {
			v = y.val;
			n = y.vallen;
			unquote(&v, &n);
			gfile_ed_map_mac(&ed, job, l.off + (size_t)(v - l.p),
			    l.off + (size_t)(v - l.p) + n);
		} else if (gfile_span_eq(y.key, y.keylen, "addresses") &&
		    !under_nameservers(path, depth)) {
			if (y.vallen == 0) {
				in_addrs = true;
				aind = y.indent;
				continue;
			}
			if (y.val[0] != '[')
				continue;
			/* Flow sequence on this line. */
			for (i = 1; i < y.vallen && y.val[i] != ']'; ) {
				while (i < y.vallen && gfile_is_blank(y.val[i]))
					i++;
				s = i;
				while (i < y.vallen && y.val[i] != ',' &&
				    y.val[i] != ']')
					i++;
				e = i;
				while (e > s && gfile_is_blank(y.val[e - 1]))
					e--;
				if (e > s)
					map_item(&ed, job, y.val + s, e - s,
					    l.off + (size_t)(y.val + s - l.p));
				if (i < y.vallen && y.val[i] == ',')
					i++;
			}
		}
	}
	gfile_ed_finish(&ed);
	return 0;
}
