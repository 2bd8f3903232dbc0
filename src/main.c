/*
 * main.c - imprint's entry point: global options, subcommand dispatch,
 * exit status.
 *
 * Each subcommand lives in its own cmd_*.c and parses its own options;
 * this file only knows their names.  It never edits anything.
 */
#include <err.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const struct option *opts;
	const char	*usage;		/* NULL: hidden */
} commands[] = {
	{ "apply",	cmd_apply,	apply_long_options,	apply_usage },
	{ "undo",	cmd_undo,	undo_long_options,	undo_usage },
	{ "clone",	cmd_clone,	clone_long_options,	clone_usage },
	{ "inspect",	cmd_inspect,	inspect_long_options,	inspect_usage },
	{ "vmcfg",	cmd_vmcfg,	vmcfg_long_options,	vmcfg_usage },
	{ "scan",	cmd_scan,	scan_long_options,	scan_usage },
	{ "alive-check", cmd_alive,	alive_long_options,	NULL },
};

/*
 * The synopsis of every command, taken from the first paragraph of its
 * own help, so that the two cannot disagree.
 */
static void
print_synopses(void)
{
	const char *u, *end;
	size_t i;
	bool first = true;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if ((u = commands[i].usage) == NULL)
			continue;
		end = strstr(u, "\n\n");
		if (!first && strncmp(u, "usage: ", 7) == 0) {
			fputs("       ", stdout);
			u += 7;
		}
		fwrite(u, 1, (size_t)(end - u + 1), stdout);
		first = false;
	}
}

static void __attribute__((noreturn))
usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try 'imprint --help' for more information.\n");
		exit(status);
	}
	print_synopses();
	printf(
"       imprint --help | --version\n"
"\n"
"Give a cloned virtual machine its own identity, offline.\n"
"\n"
"  apply     give stopped guests the identity a recipe states, in their\n"
"            files and their domain config\n"
"  undo      put back what apply changed\n"
"  clone     make a personalized clone of a stopped template: its disks\n"
"            (overlay or copy), its config, its identity\n"
"  inspect   show the identity a stopped guest carries and whether it\n"
"            agrees with its domain config (read-only)\n"
"  vmcfg     show or minimally edit a domain config (vm.cfg, xl.cfg, XML)\n"
"  scan      find domain configs that share a uuid, MAC, name or disk\n"
"\n"
"  -h, --help     print this help\n"
"  -V, --version  print the version\n"
"\n"
"'imprint COMMAND --help' describes a command; see imprint(1).  Exit\n"
"status: 0 success (inspect: consistent), 1 failure or inconsistency,\n"
"2 usage error or an input that cannot be read.\n");
	exit(0);
}

/*
 * Print every long option of every visible command, or of command CMD
 * only, for the docs test (tests/man-lint.sh).  Returns the exit status.
 */
static int
print_long_options(const char *cmd)
{
	const struct option *o;
	size_t i;
	bool found = false;

	if (cmd == NULL) {
		puts("--help");
		puts("--version");
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (commands[i].usage == NULL ||
		    (cmd != NULL && strcmp(cmd, commands[i].name) != 0))
			continue;
		found = true;
		for (o = commands[i].opts; o->name; o++)
			printf("--%s\n", o->name);
	}
	return found || cmd == NULL ? 0 : 2;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		usage(2);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		usage(0);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("imprint %s\n", IMPRINT_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--long-options") == 0)
		return print_long_options(argc > 2 ? argv[2] : NULL);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			optind = 0;	/* glibc: full getopt reset */
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	if (argv[1][0] == '-')
		warnx("unknown option '%s'", argv[1]);
	else
		warnx("unknown command '%s'", argv[1]);
	usage(2);
}
