/*
 * main.c - imprint's entry point: global options, subcommand dispatch,
 * exit status.
 *
 * Each subcommand lives in its own cmd_*.c and parses its own options;
 * this file only knows their names.  It never edits anything.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const struct option *opts;
} commands[] = {
	{ "alive-check", cmd_alive,	alive_long_options },	/* hidden */
	{ "apply",	cmd_apply,	apply_long_options },
	{ "inspect",	cmd_inspect,	inspect_long_options },
	{ "scan",	cmd_scan,	scan_long_options },
	{ "undo",	cmd_undo,	undo_long_options },
	{ "vmcfg",	cmd_vmcfg,	vmcfg_long_options },
};

static void __attribute__((noreturn))
usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try 'imprint --help' for more information.\n");
		exit(status);
	}
	printf(
"usage: imprint apply [--dry-run] [--force] [--json] [-D KEY=VALUE]...\n"
"                     [--vmcfg FILE] [--partition N | --root DEV]\n"
"                     [--mac-prefix PREFIX] [--mac-scan DIR]...\n"
"                     RECIPE IMAGE...\n"
"       imprint undo [--force] IMAGE\n"
"       imprint inspect [--json] [--vmcfg FILE] [--partition N | --root DEV]\n"
"                       IMAGE...\n"
"       imprint vmcfg [--json] FILE\n"
"       imprint vmcfg [--dry-run] [--backup] [--mac-prefix PREFIX]\n"
"                     [--mac-scan DIR]... FILE set KEY=VALUE...\n"
"       imprint vmcfg [--dry-run] [--backup] [--mac-prefix PREFIX]\n"
"                     [--mac-scan DIR]... FILE add-nic KEY=VALUE[,...]\n"
"       imprint vmcfg [--dry-run] [--backup] FILE remove-nic N\n"
"       imprint scan [--json] DIR|FILE...\n"
"       imprint --help | --version\n"
"\n"
"Give a cloned virtual machine its own identity, offline.\n"
"\n"
"  apply     give stopped guests the identity a recipe states, in their\n"
"            files and their domain config\n"
"  undo      put back what apply changed\n"
"  inspect   show the identity a stopped guest carries and whether it\n"
"            agrees with its Xen domain config (read-only)\n"
"  vmcfg     show or minimally edit a Xen domain config (vm.cfg, xl.cfg)\n"
"  scan      find domain configs that share a uuid, MAC, name or disk\n"
"\n"
"'imprint COMMAND --help' describes a command; see imprint(1).\n");
	exit(0);
}

/* Print every long option of every command, for the docs test. */
static void
print_long_options(void)
{
	const struct option *o;
	size_t i;

	puts("--help");
	puts("--version");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		for (o = commands[i].opts; o->name && commands[i].fn !=
		    cmd_alive; o++)
			if (strcmp(o->name, "long-options") != 0)
				printf("--%s\n", o->name);
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
	if (strcmp(argv[1], "--long-options") == 0) {
		print_long_options();
		return 0;
	}
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
