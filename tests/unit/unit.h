/*
 * unit.h - a tiny assertion harness for imprint's unit tests.
 *
 * Each test program includes this, calls the CHECK macros, and ends main
 * with "return unit_done();", which prints "N passed, N failed" and
 * returns 1 when anything failed.  A failing check prints the file, line
 * and both values, with bytes escaped so CR, NUL and non-ASCII show.
 */
#ifndef IMPRINT_UNIT_H
#define IMPRINT_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_pass, unit_fail;

static void __attribute__((unused))
unit_dump(const char *label, const char *p, size_t n)
{
	size_t i;

	fprintf(stderr, "    %s (%zu bytes): \"", label, n);
	for (i = 0; i < n && i < 4096; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\r')
			fputs("\\r", stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c == '"' || c == '\\')
			fprintf(stderr, "\\%c", c);
		else if (c < ' ' || c >= 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputs(i < n ? "\"...\n" : "\"\n", stderr);
}

static inline int
unit_check(int ok, const char *file, int line, const char *expr)
{
	if (ok) {
		unit_pass++;
		return 1;
	}
	unit_fail++;
	fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
	return 0;
}

#define CHECK(cond) unit_check(!!(cond), __FILE__, __LINE__, #cond)

#define CHECK_INT(got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (!unit_check(g_ == w_, __FILE__, __LINE__, #got " == " #want)) \
		fprintf(stderr, "    got %lld, want %lld\n", g_, w_);	\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	int ok_ = (g_ == NULL && w_ == NULL) ||				\
	    (g_ && w_ && strcmp(g_, w_) == 0);				\
	if (!unit_check(ok_, __FILE__, __LINE__, #got " == " #want)) {	\
		if (g_) unit_dump("got ", g_, strlen(g_));		\
		else fputs("    got  NULL\n", stderr);			\
		if (w_) unit_dump("want", w_, strlen(w_));		\
		else fputs("    want NULL\n", stderr);			\
	}								\
} while (0)

#define CHECK_MEM(got, gotlen, want, wantlen) do {			\
	const char *g_ = (got), *w_ = (want);				\
	size_t gl_ = (gotlen), wl_ = (wantlen);				\
	int ok_ = gl_ == wl_ && (gl_ == 0 || memcmp(g_, w_, gl_) == 0);	\
	if (!unit_check(ok_, __FILE__, __LINE__, #got " == " #want)) {	\
		unit_dump("got ", g_ ? g_ : "", g_ ? gl_ : 0);		\
		unit_dump("want", w_ ? w_ : "", w_ ? wl_ : 0);		\
	}								\
} while (0)

static inline int
unit_done(void)
{
	printf("%d passed, %d failed\n", unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif
