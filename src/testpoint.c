/*
 * testpoint.c - IMPRINT_TEST_KILL: see testpoint.h.
 */
#include <err.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testpoint.h"
#include "util.h"

static struct {
	bool		 parsed, armed;
	enum { TP_KILL, TP_APPLIANCE, TP_STOP } act;
	char		 name[64];
	unsigned long	 nth, seen;
	void		(*kill_fn)(void *);
	void		*kill_arg;
} tp;

/* Read IMPRINT_TEST_KILL once; a malformed value arms nothing, loudly. */
static void
parse(void)
{
	const char *e = getenv("IMPRINT_TEST_KILL"), *hash, *at;
	size_t n;

	tp.parsed = true;
	if (e == NULL || *e == '\0')
		return;
	at = strchr(e, '@');
	if (at != NULL && strcmp(at, "@appliance") != 0 &&
	    strcmp(at, "@stop") != 0)
		goto bad;
	n = at ? (size_t)(at - e) : strlen(e);
	hash = memchr(e, '#', n);
	tp.nth = 1;
	if (hash != NULL) {
		char num[24];
		size_t k = n - (size_t)(hash - e) - 1;
		if (k == 0 || k >= sizeof(num))
			goto bad;
		memcpy(num, hash + 1, k);
		num[k] = '\0';
		if (parse_uint(num, 1, 1000000, &tp.nth) == -1)
			goto bad;
		n = (size_t)(hash - e);
	}
	if (n == 0 || n >= sizeof(tp.name))
		goto bad;
	memcpy(tp.name, e, n);
	tp.name[n] = '\0';
	tp.act = at == NULL ? TP_KILL : strcmp(at, "@stop") == 0 ? TP_STOP :
	    TP_APPLIANCE;
	tp.armed = true;
	return;
bad:
	warnx("IMPRINT_TEST_KILL='%s': not NAME[#N][@appliance|@stop]; "
	    "ignored", e);
}

void
testpoint(const char *name)
{
	if (!tp.parsed)
		parse();
	if (!tp.armed || strcmp(name, tp.name) != 0 || ++tp.seen != tp.nth)
		return;
	switch (tp.act) {
	case TP_KILL:
		(void)raise(SIGKILL);
		_exit(137);	/* not reached */
	case TP_STOP:
		/* held here until SIGCONT: a race made to order */
		(void)raise(SIGSTOP);
		break;
	case TP_APPLIANCE:
		if (tp.kill_fn != NULL)
			tp.kill_fn(tp.kill_arg);
		break;
	}
}

void
testpoint_appliance(void (*fn)(void *), void *arg)
{
	tp.kill_fn = fn;
	tp.kill_arg = arg;
}
