/*
 * cmd_scan.c - `imprint scan`: find the domain configs that collide with
 * each other (the same uuid, MAC, name or disk) under directories or
 * among files, and say where.
 *
 * scan.c finds, reads and groups; this file parses the command line,
 * reports what could not be read, prints the collisions as text or JSON
 * and chooses the exit status.  It reads and writes no file itself.
 */
#include <err.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "cmdutil.h"
#include "scan.h"

/* Version of the --json document; bumped only on incompatible change. */
#define SCAN_SCHEMA	1

const struct option scan_long_options[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, 'j' },
	{ NULL,		0,			NULL, 0 }
};

const char scan_usage[] =
"usage: imprint scan [--json] DIR|FILE...\n"
"\n"
"Find the domain configs that collide: the same uuid (dashed or not,\n"
"any case), MAC (any case, ':' or '-'), name or disk in two places, or a\n"
"MAC or disk twice in one config.  Reads every Xen config named *.cfg\n"
"(vm.cfg included) and libvirt domain named *.xml (other libvirt XML,\n"
"such as networks, is passed over) under each DIR, recursively, without\n"
"following symbolic links, and each FILE whatever its name.\n"
"\n"
"  -h, --help         print this help\n"
"  --json             one JSON document on stdout (schema in imprint(1))\n"
"\n"
"Exit status: 0 no collision, 1 collisions found, 2 usage error or a DIR\n"
"or FILE named here that cannot be read (files that cannot be read or\n"
"parsed inside a DIR are reported but do not change the status).\n";

struct scan_ctx {
	struct scan_set	*set;
	bool		 root_failed;	/* a DIR or FILE named cannot be read */
};

/* Report what cannot be read, keep the rest. */
static int
on_file(const struct scan_file *f, void *arg)
{
	struct scan_ctx *ctx = arg;

	if (f->status != SCAN_OK) {
		warnx("%s", f->error);
		if (f->is_root && f->status == SCAN_UNREADABLE)
			ctx->root_failed = true;
	}
	scan_set_add(ctx->set, f);
	return 0;
}

/*
 * One line per collision:
 *   KIND VALUE: FILE:LINE[ (WRITTEN)], FILE:LINE[ (WRITTEN)]...
 * then "configs: N, unreadable: N, collisions: N".
 */
static void
show_text(const struct scan_set *set, size_t ncoll)
{
	const struct scan_collision *c;
	size_t i, j;

	for (i = 0; i < ncoll; i++) {
		c = scan_set_collision(set, i);
		printf("%s ", scan_kind_name(c->kind));
		cmd_put_text(c->value);
		putchar(':');
		for (j = 0; j < c->nplaces; j++) {
			fputs(j ? ", " : " ", stdout);
			cmd_put_text(c->places[j].file);
			printf(":%d", c->places[j].line);
			if (c->places[j].written != NULL) {
				fputs(" (", stdout);
				cmd_put_text(c->places[j].written);
				putchar(')');
			}
		}
		putchar('\n');
	}
	printf("configs: %zu, unreadable: %zu, collisions: %zu\n",
	    scan_set_configs(set), scan_set_unreadable(set), ncoll);
}

static void
show_json(const struct scan_set *set, size_t ncoll)
{
	const struct scan_collision *c;
	const char *path, *msg;
	json_object *root, *arr, *o, *places, *p;
	size_t i, j;

	root = json_object_new_object();
	json_object_object_add(root, "schema",
	    json_object_new_int(SCAN_SCHEMA));
	json_object_object_add(root, "configs",
	    json_object_new_int64((int64_t)scan_set_configs(set)));
	arr = json_object_new_array();
	for (i = 0; i < scan_set_unreadable(set); i++) {
		scan_set_unreadable_at(set, i, &path, &msg);
		o = json_object_new_object();
		json_object_object_add(o, "file",
		    json_object_new_string(path));
		json_object_object_add(o, "message",
		    json_object_new_string(msg));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "unreadable", arr);
	arr = json_object_new_array();
	for (i = 0; i < ncoll; i++) {
		c = scan_set_collision(set, i);
		o = json_object_new_object();
		json_object_object_add(o, "kind",
		    json_object_new_string(scan_kind_name(c->kind)));
		json_object_object_add(o, "value",
		    json_object_new_string(c->value));
		places = json_object_new_array();
		for (j = 0; j < c->nplaces; j++) {
			p = json_object_new_object();
			json_object_object_add(p, "file",
			    json_object_new_string(c->places[j].file));
			json_object_object_add(p, "line",
			    json_object_new_int(c->places[j].line));
			json_object_object_add(p, "written",
			    json_object_new_string(c->places[j].written ?
			    c->places[j].written : c->value));
			json_object_array_add(places, p);
		}
		json_object_object_add(o, "places", places);
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "collisions", arr);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

int
cmd_scan(int argc, char **argv)
{
	struct scan_ctx ctx = { NULL, false };
	bool json = false;
	size_t ncoll;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", scan_long_options,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(scan_usage, stdout);
			return 0;
		case 'j':
			json = true;
			break;
		default:
			return cmd_usage_error("scan");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		warnx("scan: give at least one DIR or FILE");
		return cmd_usage_error("scan");
	}
	ctx.set = scan_set_new();
	if (scan_walk(argv, (size_t)argc, SCAN_MAX_FILES, on_file,
	    &ctx) == -1) {
		/* too many files: a partial answer could mislead */
		scan_set_free(ctx.set);
		return 2;
	}
	ncoll = scan_set_finish(ctx.set);
	if (json)
		show_json(ctx.set, ncoll);
	else
		show_text(ctx.set, ncoll);
	rc = ctx.root_failed ? 2 : ncoll > 0 ? 1 : 0;
	scan_set_free(ctx.set);
	fflush(stdout);
	return rc;
}
