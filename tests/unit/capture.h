/*
 * capture.h - capture what a call writes to stderr, for the unit tests
 * that check messages: cap_start(), the call, then cap_stop() returns the
 * text (caller frees).  The text goes through an unnamed temporary file
 * (tmpfile(3)), so nothing is left in /tmp, and through fd 2 itself, so
 * warnx(3) and libraries writing to fd 2 are caught alike.
 */
#ifndef IMPRINT_CAPTURE_H
#define IMPRINT_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

static FILE *cap_f;
static int cap_saved = -1;

static inline void
cap_start(void)
{
	if ((cap_f = tmpfile()) == NULL) {
		perror("tmpfile");
		exit(1);
	}
	fflush(stderr);
	cap_saved = dup(2);
	dup2(fileno(cap_f), 2);
}

static inline char *
cap_stop(void)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	fflush(stderr);
	dup2(cap_saved, 2);
	close(cap_saved);
	cap_saved = -1;
	rewind(cap_f);
	buf_adds(&b, "");
	while ((n = fread(chunk, 1, sizeof(chunk), cap_f)) > 0)
		buf_add(&b, chunk, n);
	fclose(cap_f);
	cap_f = NULL;
	return buf_detach(&b, NULL);
}

#endif
