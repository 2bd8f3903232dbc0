/*
 * cmd_alive.c - `imprint alive-check`, a hidden command that runs the
 * safety checks of `imprint apply` (alive.c) on their own, so that
 * tests/t-alive.sh can exercise them without an appliance.
 *
 *   imprint alive-check IMAGE [NAME [UUID]]
 *	exit 0: nothing alive; 1: alive, one reason per line on stdout;
 *	2: error or usage error.  Warnings (xl cannot reach Xen) go to
 *	stderr and do not change the status.  An empty NAME means none.
 *   imprint alive-check --lock IMAGE
 *	take imprint's image lock, print "locked", hold it until stdin
 *	reaches end of file, then release it.  exit 0: was locked;
 *	1: another imprint holds it; 2: error.
 *
 * It edits nothing.  It is not in `imprint --help` nor in imprint(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "alive.h"
#include "cmds.h"
#include "util.h"

const struct option alive_long_options[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "lock",	no_argument,		NULL, 'l' },
	{ NULL,		0,			NULL, 0 }
};

static const char usage_text[] =
"usage: imprint alive-check IMAGE [NAME [UUID]]\n"
"       imprint alive-check --lock IMAGE\n"
"\n"
"Test whether the guest owning IMAGE looks alive (exit 1, reasons on\n"
"stdout), as `imprint apply` does before writing: a running Xen domain\n"
"named NAME or with UUID, another process writing IMAGE, a qemu image\n"
"lock, a loop device or kernel user of the image.  With --lock, hold\n"
"imprint's image lock until standard input ends.\n";

static int
hold_lock(const char *image)
{
	char b[512];
	ssize_t n;
	int fd, r;

	r = alive_lock_image(image, &fd);
	if (r != 0)
		return r == 1 ? 1 : 2;
	printf("locked\n");
	fflush(stdout);
	do
		n = read(STDIN_FILENO, b, sizeof(b));
	while (n > 0 || (n == -1 && errno == EINTR));
	close(fd);
	return 0;
}

int
cmd_alive(int argc, char **argv)
{
	struct strlist why = STRLIST_INIT;
	const char *name = NULL, *uuid = NULL;
	bool lock = false;
	size_t i;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", alive_long_options,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'l':
			lock = true;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > (lock ? 1 : 3))
		goto usage;
	if (lock)
		return hold_lock(argv[0]);
	if (argc > 1 && argv[1][0] != '\0')
		name = argv[1];
	if (argc > 2 && argv[2][0] != '\0')
		uuid = argv[2];
	r = alive_check(argv[0], name, uuid, &why, NULL);
	for (i = 0; i < why.n; i++)
		puts(why.v[i]);
	strlist_release(&why);
	return r == -1 ? 2 : r;
usage:
	fprintf(stderr, "Try 'imprint alive-check --help' for more "
	    "information.\n");
	return 2;
}
