/*
 * runtool.h - run a host tool (a domain lister, ssh-keygen) without a
 * shell: argv as given, PATH searched, stdin from /dev/null, its output
 * collected under caps and a deadline.  No guest data ever becomes an
 * argument here without being validated by the caller first.
 */
#ifndef IMPRINT_RUNTOOL_H
#define IMPRINT_RUNTOOL_H

#include <stddef.h>

#include "util.h"

/* How much of a tool's stderr is kept for messages. */
#define RUN_ERR_KEEP	4096

/*
 * Run argv, collecting stdout (at most out_max bytes: more is an error)
 * into *out and the first RUN_ERR_KEEP bytes of stderr into *err, for at
 * most timeout_sec seconds.  Returns 0 with the wait status in *status_r,
 * 1 when the command does not exist, -1 on error (printed with LABEL;
 * the child is killed and reaped).
 */
int	 run_capture(char *const argv[], const char *label, int timeout_sec,
	    size_t out_max, struct buf *out, struct buf *err, int *status_r);

/*
 * run_capture for a tool that must succeed (argv[0] names it in
 * messages): 0 with its stdout in *out (may be NULL: dropped), or -1.
 * Then *why_r (caller frees) says why, for the caller's message: "TOOL
 * is not installed (Debian: PKG)" or "TOOL: " and the first line of its
 * stderr ("failed" when it printed none); *why_r is NULL when
 * run_capture itself failed and said so.
 */
int	 run_tool(char *const argv[], const char *pkg, int timeout_sec,
	    size_t out_max, struct buf *out, char **why_r);

#endif
