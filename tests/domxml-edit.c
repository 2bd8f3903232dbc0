/*
 * domxml-edit.c - a test driver for the domain XML engine (src/domxml.c):
 * load FILE, apply the edits given as arguments in order, write the
 * resulting text to stdout.  Built by tests/t-domxml.sh; not installed.
 *
 *   domxml-edit FILE [EDIT]...
 *     KEY=VALUE    domxml_set(KEY, VALUE)   (name=, uuid=, nic0.mac=, ...)
 *     +nic=SPEC    domxml_add_nic(SPEC)
 *     -nic=N       domxml_remove_nic(N)
 *     ?            print what the accessors read instead of the text
 *
 * Exit status: 0 when every edit succeeded or found the value already so,
 * 1 when one was refused (nothing written), 2 on usage errors.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"

static void
show(const struct domxml *dx)
{
	const char *keys[] = { "mac", "bridge", "type", "model", "target" };
	size_t i, k;
	char *v;

	printf("name %s (line %d)\n", domxml_get_string(dx, "name") ?
	    domxml_get_string(dx, "name") : "-", domxml_key_line(dx, "name"));
	printf("uuid %s (line %d)\n", domxml_get_string(dx, "uuid") ?
	    domxml_get_string(dx, "uuid") : "-", domxml_key_line(dx, "uuid"));
	for (i = 0; i < domxml_nic_count(dx); i++) {
		printf("nic%zu line %d", i, domxml_nic_line(dx, i));
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			v = domxml_nic_get(dx, i, keys[k]);
			printf(" %s=%s", keys[k], v ? v : "-");
			free(v);
		}
		putchar('\n');
	}
	for (i = 0; i < domxml_disk_count(dx); i++) {
		v = domxml_disk_target(dx, i);
		printf("disk%zu line %d target=%s\n", i,
		    domxml_disk_line(dx, i), v ? v : "-");
		free(v);
	}
}

int
main(int argc, char **argv)
{
	struct domxml *dx;
	const char *text;
	char *key, *eq, *in = NULL;
	size_t len;
	int i, rc = 0, want_show = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: domxml-edit FILE [EDIT]...\n");
		return 2;
	}
	if (read_host_file(argv[1], DOMXML_MAX_SIZE, &in, &len) == -1 ||
	    domxml_parse(argv[1], in, len, &dx) == -1)
		return 1;
	free(in);
	for (i = 2; i < argc && rc != -1; i++) {
		if (strcmp(argv[i], "?") == 0) {
			want_show = 1;
			continue;
		}
		if ((eq = strchr(argv[i], '=')) == NULL) {
			fprintf(stderr, "domxml-edit: bad edit '%s'\n",
			    argv[i]);
			domxml_free(dx);
			return 2;
		}
		key = strndup(argv[i], (size_t)(eq - argv[i]));
		if (key == NULL)
			err(2, "strndup");
		if (strcmp(key, "+nic") == 0)
			rc = domxml_add_nic(dx, eq + 1);
		else if (strcmp(key, "-nic") == 0)
			rc = domxml_remove_nic(dx, strtoul(eq + 1, NULL, 10));
		else
			rc = domxml_set(dx, key, eq + 1);
		free(key);
	}
	if (rc == -1) {
		domxml_free(dx);
		return 1;
	}
	if (want_show)
		show(dx);
	else {
		text = domxml_text(dx, &len);
		fwrite(text, 1, len, stdout);
	}
	domxml_free(dx);
	return 0;
}
