/*
 * diag.c - collected, line-sorted diagnostics (see diag.h).
 */
#include <err.h>
#include <stdarg.h>
#include <stdlib.h>

#include "diag.h"
#include "util.h"

void
diag_add(struct diag *d, size_t line, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	d->total++;
	if (d->n >= d->max)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	d->v[d->n].line = line;
	d->v[d->n].seq = d->total;
	d->v[d->n].msg = buf_detach(&b, NULL);
	d->n++;
}

bool
diag_gave_up(const struct diag *d)
{
	return d->total > d->n;
}

static int
cmp(const void *a, const void *b)
{
	const struct diag_msg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
diag_flush(struct diag *d)
{
	size_t i;

	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), cmp);
	for (i = 0; i < d->n; i++) {
		if (d->v[i].line)
			warnx("%s:%zu: %s", d->path, d->v[i].line,
			    d->v[i].msg);
		else
			warnx("%s: %s", d->path, d->v[i].msg);
		free(d->v[i].msg);
	}
	if (d->total > d->n)
		warnx("%s: too many errors, giving up", d->path);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = d->total = 0;
}

char *
diag_quote(const char *s, bool escape_8bit)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;

	buf_adds(&b, "");
	for (p = (const unsigned char *)s; *p; p++) {
		if (b.len >= 80) {
			buf_adds(&b, "...");
			break;
		}
		if (*p == '\n')
			buf_adds(&b, "\\n");
		else if (*p == '\r')
			buf_adds(&b, "\\r");
		else if (*p == '\t')
			buf_adds(&b, "\\t");
		else if (*p < 0x20 || *p == 0x7f || (escape_8bit && *p > 0x7f))
			buf_addf(&b, "\\x%02x", *p);
		else
			buf_addc(&b, (char)*p);
	}
	return buf_detach(&b, NULL);
}
