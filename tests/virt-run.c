/*
 * virt-run.c - run imprint commands in one process against libvirt's
 * in-process test driver (test:///default), for t-libvirt.sh.
 *
 * The test driver keeps its domains in the memory of the process that
 * opened it, for as long as one connection is open, so a domain defined
 * by one `imprint` process is gone for the next.  This program holds a
 * connection for its whole run, defines the domains the test wants,
 * runs each imprint command through the same cmd_X functions main.c
 * calls, and prints what libvirt holds afterwards:
 *
 *   virt-run [--define FILE]... [--start NAME]...
 *            -- CMD ARG... [-- CMD ARG...]...
 *
 * After each command it prints "@@ CMD exit N" on stdout.  The command
 * "@dump NAME..." prints, for each NAME, "@@ dump NAME" and the domain's
 * inactive XML, or "@@ dump NAME absent".  Exit status: 0, or 1 when
 * setting up failed (the commands' statuses are in the @@ lines).
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "cmds.h"
#include "util.h"

#define URI	"test:///default"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} commands[] = {
	{ "apply",	cmd_apply },
	{ "inspect",	cmd_inspect },
	{ "undo",	cmd_undo },
	{ "vmcfg",	cmd_vmcfg },
};

static void
quiet(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

static void
dump(virConnectPtr conn, int argc, char **argv)
{
	virDomainPtr d;
	char *xml;
	int i;

	for (i = 1; i < argc; i++) {
		printf("@@ dump %s", argv[i]);
		if ((d = virDomainLookupByName(conn, argv[i])) == NULL) {
			printf(" absent\n");
			continue;
		}
		xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
		printf("\n%s", xml != NULL ? xml : "(no XML)\n");
		free(xml);
		virDomainFree(d);
	}
	fflush(stdout);
}

static int
run(virConnectPtr conn, int argc, char **argv)
{
	size_t i;
	int rc = 127;

	if (strcmp(argv[0], "@dump") == 0) {
		dump(conn, argc, argv);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0) {
			optind = 0;	/* glibc: full getopt reset */
			rc = commands[i].fn(argc, argv);
		}
	fflush(stdout);
	fflush(stderr);
	printf("@@ %s exit %d\n", argv[0], rc);
	fflush(stdout);
	return rc;
}

int
main(int argc, char **argv)
{
	struct strlist start = STRLIST_INIT;
	virConnectPtr conn;
	virDomainPtr d;
	char *xml;
	size_t i, len;
	int k, first;

	virSetErrorFunc(NULL, quiet);
	if ((conn = virConnectOpen(URI)) == NULL)
		errx(1, "cannot open %s", URI);
	for (k = 1; k < argc && strcmp(argv[k], "--") != 0; k += 2) {
		if (k + 1 >= argc)
			errx(1, "%s needs a value", argv[k]);
		if (strcmp(argv[k], "--define") == 0) {
			if (read_host_file(argv[k + 1], 1 << 20, &xml, &len) ==
			    -1)
				return 1;
			if ((d = virDomainDefineXML(conn, xml)) == NULL)
				errx(1, "cannot define %s: %s", argv[k + 1],
				    virGetLastErrorMessage());
			virDomainFree(d);
			free(xml);
		} else if (strcmp(argv[k], "--start") == 0)
			strlist_add(&start, argv[k + 1]);
		else
			errx(1, "unknown option %s", argv[k]);
	}
	for (i = 0; i < start.n; i++) {
		if ((d = virDomainLookupByName(conn, start.v[i])) == NULL ||
		    virDomainCreate(d) == -1)
			errx(1, "cannot start %s: %s", start.v[i],
			    virGetLastErrorMessage());
		virDomainFree(d);
	}
	/* each "-- CMD ARG..." in turn */
	while (k < argc) {
		first = ++k;
		while (k < argc && strcmp(argv[k], "--") != 0)
			k++;
		if (k == first)
			errx(1, "-- without a command");
		argv[k < argc ? k : argc] = NULL;
		run(conn, k - first, argv + first);
	}
	strlist_release(&start);
	virConnectClose(conn);
	return 0;
}
