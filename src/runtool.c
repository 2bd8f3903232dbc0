/*
 * runtool.c - run a host tool without a shell (see runtool.h).
 */
#define _GNU_SOURCE	/* pipe2 */

#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtool.h"
#include "util.h"

extern char **environ;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* posix_spawnp rather than fork: it is safe in a threaded caller and
 * reports a missing command as ENOENT. */
int
run_capture(char *const argv[], const char *label, int timeout_sec,
    size_t out_max, struct buf *out, struct buf *err, int *status_r)
{
	posix_spawn_file_actions_t fa;
	struct pollfd pfd[2];
	int op[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int rc = -1, e, i, st;
	long long deadline, left;
	char tmp[8192];
	ssize_t n;
	pid_t pid = -1, w;

	if (pipe2(op, O_CLOEXEC) == -1 || pipe2(ep, O_CLOEXEC) == -1) {
		warn("cannot run '%s'", label);
		goto out;
	}
	if ((e = posix_spawn_file_actions_init(&fa)) != 0) {
		warnx("cannot run '%s': %s", label, strerror(e));
		goto out;
	}
	e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
	    0);
	if (e == 0)
		e = posix_spawn_file_actions_adddup2(&fa, op[1], 1);
	if (e == 0)
		e = posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	if (e == 0)
		e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e == ENOENT) {
		rc = 1;
		goto out;
	}
	if (e != 0) {
		pid = -1;
		warnx("cannot run '%s': %s", label, strerror(e));
		goto out;
	}
	close(op[1]);
	close(ep[1]);
	op[1] = ep[1] = -1;

	deadline = now_ms() + timeout_sec * 1000LL;
	pfd[0].fd = op[0];
	pfd[1].fd = ep[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd != -1 || pfd[1].fd != -1) {
		left = deadline - now_ms();
		if (left <= 0)
			goto timeout;
		if (poll(pfd, 2, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			warn("cannot run '%s': poll", label);
			goto out;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, tmp, sizeof(tmp));
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				pfd[i].fd = -1;
				continue;
			}
			if (i == 1) {
				if (err->len < RUN_ERR_KEEP)
					buf_add(err, tmp, (size_t)n <
					    RUN_ERR_KEEP - err->len ? (size_t)n :
					    RUN_ERR_KEEP - err->len);
				continue;
			}
			if (out->len + (size_t)n > out_max) {
				warnx("output of '%s' is larger than %zu "
				    "bytes", label, out_max);
				goto out;
			}
			buf_add(out, tmp, (size_t)n);
		}
	}
	/* Both pipes are closed; the child should be gone or going. */
	for (;;) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w == -1 && errno != EINTR) {
			warn("cannot run '%s': waitpid", label);
			pid = -1;
			goto out;
		}
		if (now_ms() >= deadline)
			goto timeout;
		/* It closed its output and is exiting: a short nap.  10 ms
		 * here was most of imgchk's cost per image (3 runs). */
		usleep(1000);
	}
	pid = -1;
	*status_r = st;
	rc = 0;
	goto out;
timeout:
	warnx("'%s' did not answer within %d seconds; killed it", label,
	    timeout_sec);
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	for (i = 0; i < 2; i++) {
		if (op[i] != -1)
			close(op[i]);
		if (ep[i] != -1)
			close(ep[i]);
	}
	return rc;
}

int
run_tool(char *const argv[], const char *pkg, int timeout_sec,
    size_t out_max, struct buf *out, char **why_r)
{
	struct buf o = BUF_INIT, e = BUF_INIT;
	const char *line;
	size_t n;
	int st = 0, r;

	*why_r = NULL;
	r = run_capture(argv, argv[0], timeout_sec, out_max, out ? out : &o,
	    &e, &st);
	if (r == 1) {
		*why_r = xasprintf("%s is not installed (Debian: %s)", argv[0],
		    pkg);
		r = -1;
	} else if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		line = e.data ? e.data + strspn(e.data, " \t") : "";
		n = strcspn(line, "\n");
		*why_r = n > 0 ? xasprintf("%s: %.*s", argv[0], (int)n, line) :
		    xasprintf("%s: failed", argv[0]);
		r = -1;
	}
	buf_release(&o);
	buf_release(&e);
	return r;
}
