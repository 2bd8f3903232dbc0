/*
 * textfix.h - helpers shared by the guest file unit tests: read a fixture
 * of tests/data/fixtures (IMPRINT_FIXTURES overrides the directory) and
 * derive expected texts from it by exact substitutions.
 */
#ifndef IMPRINT_TEXTFIX_H
#define IMPRINT_TEXTFIX_H

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "util.h"

#ifndef FIXTURES
#define FIXTURES "tests/data/fixtures"
#endif

/* The bytes of fixture name (caller frees); len_r may be NULL. */
static inline char *
fixture_read(const char *name, size_t *len_r)
{
	const char *dir = getenv("IMPRINT_FIXTURES");
	char *path, *buf = NULL;

	if (dir == NULL || *dir == '\0')
		dir = FIXTURES;
	path = xasprintf("%s/%s", dir, name);
	if (read_host_file(path, 1 << 20, &buf, len_r) == -1) {
		fprintf(stderr, "cannot read fixture %s\n", path);
		exit(1);
	}
	free(path);
	return buf;
}

/* s with the only occurrence of from replaced by to (caller frees). */
static inline char *
subst(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	struct buf b = BUF_INIT;

	if (!CHECK(p != NULL && strstr(p + 1, from) == NULL))
		fprintf(stderr, "    '%s' not exactly once\n", from);
	if (p == NULL)
		return xstrdup(s);
	buf_add(&b, s, (size_t)(p - s));
	buf_adds(&b, to);
	buf_adds(&b, p + strlen(from));
	return buf_detach(&b, NULL);
}

/* Like subst, but frees s. */
static inline char *
subst_f(char *s, const char *from, const char *to)
{
	char *r = subst(s, from, to);

	free(s);
	return r;
}

static inline char *
to_crlf(const char *s)
{
	struct buf b = BUF_INIT;

	buf_add(&b, "", 0);
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			buf_addc(&b, '\r');
		buf_addc(&b, *s);
	}
	return buf_detach(&b, NULL);
}

static inline char *
chop_nl(const char *s)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '\n')
		n--;
	return xstrndup(s, n);
}

#endif
