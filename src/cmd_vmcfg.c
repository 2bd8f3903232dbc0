/*
 * cmd_vmcfg.c - `imprint vmcfg`: show a Xen domain config, or edit it
 * minimally (set values, add or remove a NIC) without touching an image.
 *
 * The flow of an edit: parse the command line (usage errors, exit 2),
 * load the config, turn "new"/"auto" into values (ident.c), apply every
 * edit in memory (domcfg.c validates each; any refusal, exit 1, writes
 * nothing), then print a diff (--dry-run) or write the file atomically
 * (hostfile.c).  This file parses no config syntax and writes no file
 * itself.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "cmdutil.h"
#include "diff.h"
#include "domcfg.h"
#include "hostfile.h"
#include "ident.h"
#include "util.h"
#include "valid.h"

/* Version of the --json document; bumped only on incompatible change. */
#define VMCFG_SCHEMA	1

/* Short forms: -h and -n only (-j is apply's --jobs). */
enum {
	OPT_BACKUP = 256,
	OPT_JSON,
	OPT_MAC_PREFIX,
	OPT_MAC_SCAN
};

const struct option vmcfg_long_options[] = {
	{ "backup",	no_argument,		NULL, OPT_BACKUP },
	{ "dry-run",	no_argument,		NULL, 'n' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "mac-prefix",	required_argument,	NULL, OPT_MAC_PREFIX },
	{ "mac-scan",	required_argument,	NULL, OPT_MAC_SCAN },
	{ NULL,		0,			NULL, 0 }
};

const char vmcfg_usage[] =
"usage: imprint vmcfg [--json] FILE\n"
"       imprint vmcfg [--dry-run] [--backup] [--json] [--mac-prefix PREFIX]\n"
"                     [--mac-scan DIR]... FILE set KEY=VALUE...\n"
"       imprint vmcfg [--dry-run] [--backup] [--json] [--mac-prefix PREFIX]\n"
"                     [--mac-scan DIR]... FILE add-nic KEY=VALUE[,...]\n"
"       imprint vmcfg [--dry-run] [--backup] [--json] FILE remove-nic N\n"
"\n"
"Show or minimally edit a domain config: Xen (xm vm.cfg, Oracle VM, xl.cfg)\n"
"or libvirt domain XML, told apart by content.\n"
"Keys for set: name, uuid (a uuid or 'new'), nicN.mac (a MAC or 'auto'),\n"
"nicN.bridge (an XML NIC's bridge or network), diskN.target,\n"
"diskN.format (qcow2 or raw); Xen only: nicN.ip, nicN.KEY (any other\n"
"vif key).\n"
"\n"
"  --backup           keep a copy of the original as FILE.imprint-bak\n"
"                     (an existing one is kept, never overwritten)\n"
"  -n, --dry-run      print a unified diff of the edit, write nothing\n"
"  -h, --help         print this help\n"
"  --json             one JSON document on stdout: the config, or what\n"
"                     the edit did (imprint(1), JSON OUTPUT)\n"
"  --mac-prefix PREFIX\n"
"                     prefix for 'auto' MACs: xen (00:16:3e, default),\n"
"                     kvm (52:54:00, default for XML), ovm3 (00:21:f6,\n"
"                     default beside 00:21:f6 MACs) or 1-5 hex octets\n"
"  --mac-scan DIR     never choose a MAC found in *.cfg or *.xml files\n"
"                     under DIR\n"
"                     (recursive; repeatable)\n"
"\n"
"Generated values are printed as KEY=VALUE lines.  Exit status: 0 done\n"
"(or nothing to change), 1 edit refused (nothing written), 2 usage error\n"
"or FILE cannot be read or parsed.\n";

/* ---- showing ----------------------------------------------------------- */

static void
put_kv(const char *label, const char *value)
{
	fputs(label, stdout);
	if (value != NULL)
		cmd_put_text(value);
	else
		fputs("(none)", stdout);
	putchar('\n');
}

/* "nic0: line 9: 'spec'"; false when the item is not a string. */
static bool
put_item(const char *kind, size_t i, int line, const char *spec)
{
	printf("%s%zu: line %d: ", kind, i, line);
	if (spec == NULL) {
		puts("(not a string)");
		return false;
	}
	putchar('\'');
	cmd_put_text(spec);
	puts("'");
	return true;
}

static void
show_text(const struct domcfg *cfg)
{
	struct strlist keys = STRLIST_INIT, done = STRLIST_INIT;
	char *v, *label;
	size_t i, k, n;

	put_kv("file: ", domcfg_path(cfg));
	put_kv("format: ", domcfg_kind_name(cfg));
	put_kv("name: ", domcfg_get_string(cfg, "name"));
	put_kv("uuid: ", domcfg_get_string(cfg, "uuid"));
	n = domcfg_nic_count(cfg);
	for (i = 0; i < n; i++) {
		if (!put_item("nic", i, domcfg_nic_line(cfg, i),
		    domcfg_nic_spec(cfg, i)))
			continue;
		domcfg_nic_keys(cfg, i, &keys);
		for (k = 0; k < keys.n; k++) {
			/* a repeated key: its last value, once */
			if (strlist_has(&done, keys.v[k]))
				continue;
			strlist_add(&done, keys.v[k]);
			v = domcfg_nic_get(cfg, i, keys.v[k]);
			label = xasprintf("  nic%zu.%s=", i, keys.v[k]);
			put_kv(label, v != NULL ? v : "");
			free(label);
			free(v);
		}
		strlist_release(&keys);
		strlist_release(&done);
	}
	n = domcfg_disk_count(cfg);
	for (i = 0; i < n; i++) {
		if (!put_item("disk", i, domcfg_disk_line(cfg, i),
		    domcfg_disk_spec(cfg, i)))
			continue;
		v = domcfg_disk_target(cfg, i);
		label = xasprintf("  disk%zu.target=", i);
		put_kv(label, v);
		free(label);
		free(v);
	}
}

static json_object *
jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static void
show_json(const struct domcfg *cfg)
{
	struct strlist keys = STRLIST_INIT;
	json_object *root, *nics, *disks, *o, *kv;
	const char *spec;
	char *v;
	size_t i, k, n;

	root = json_object_new_object();
	json_object_object_add(root, "schema",
	    json_object_new_int(VMCFG_SCHEMA));
	json_object_object_add(root, "file", jstr(domcfg_path(cfg)));
	json_object_object_add(root, "format", jstr(domcfg_kind_name(cfg)));
	json_object_object_add(root, "name",
	    jstr(domcfg_get_string(cfg, "name")));
	json_object_object_add(root, "uuid",
	    jstr(domcfg_get_string(cfg, "uuid")));
	nics = json_object_new_array();
	n = domcfg_nic_count(cfg);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "index",
		    json_object_new_int64((int64_t)i));
		json_object_object_add(o, "line",
		    json_object_new_int(domcfg_nic_line(cfg, i)));
		spec = domcfg_nic_spec(cfg, i);
		json_object_object_add(o, "spec", jstr(spec));
		kv = json_object_new_object();
		domcfg_nic_keys(cfg, i, &keys);
		for (k = 0; k < keys.n; k++) {
			if (json_object_object_get_ex(kv, keys.v[k], NULL))
				continue;
			v = domcfg_nic_get(cfg, i, keys.v[k]);
			json_object_object_add(kv, keys.v[k],
			    json_object_new_string(v != NULL ? v : ""));
			free(v);
		}
		strlist_release(&keys);
		json_object_object_add(o, "keys", kv);
		json_object_array_add(nics, o);
	}
	json_object_object_add(root, "nics", nics);
	disks = json_object_new_array();
	n = domcfg_disk_count(cfg);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "index",
		    json_object_new_int64((int64_t)i));
		json_object_object_add(o, "line",
		    json_object_new_int(domcfg_disk_line(cfg, i)));
		json_object_object_add(o, "spec",
		    jstr(domcfg_disk_spec(cfg, i)));
		v = domcfg_disk_target(cfg, i);
		json_object_object_add(o, "target", jstr(v));
		free(v);
		json_object_array_add(disks, o);
	}
	json_object_object_add(root, "disks", disks);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

/* ---- editing ----------------------------------------------------------- */

struct edit {
	char	*key;
	char	*value;		/* as given: may be "new" or "auto" */
};

struct opts {
	bool		 backup, dry_run, json;
	const char	*prefix;
	struct strlist	 scan;
};

/* Is KEY "nicN.mac"?  Then *idx_r gets N. */
static bool
is_nic_mac(const char *key)
{
	size_t d;

	if (strncmp(key, "nic", 3) != 0)
		return false;
	d = strspn(key + 3, "0123456789");
	return d > 0 && strcmp(key + 3 + d, ".mac") == 0;
}

/*
 * The generator for "auto" MACs, made on first use: the prefix, every MAC
 * the config already holds, the MACs given explicitly in this command,
 * and the --mac-scan directories count as taken.
 */
static struct ident_macs *
macs_get(struct ident_macs **mp, const struct opts *o,
    const struct domcfg *cfg, const struct edit *ed, size_t ned)
{
	struct ident_macs *m;
	char *v;
	size_t i, n;

	if (*mp != NULL)
		return *mp;
	m = ident_macs_new();
	/* Oracle VM's OUI in a file that already has it. */
	if (o->prefix == NULL && ident_default_prefix(cfg) != NULL &&
	    ident_macs_set_prefix(m, ident_default_prefix(cfg)) == -1)
		goto fail;
	if (o->prefix != NULL && ident_macs_set_prefix(m, o->prefix) == -1)
		goto fail;
	n = domcfg_nic_count(cfg);
	for (i = 0; i < n; i++) {
		if ((v = domcfg_nic_get(cfg, i, "mac")) != NULL)
			ident_macs_take_str(m, v);
		free(v);
	}
	for (i = 0; i < ned; i++)
		if (is_nic_mac(ed[i].key))
			ident_macs_take_str(m, ed[i].value);
	for (i = 0; i < o->scan.n; i++)
		if (ident_macs_scan(m, o->scan.v[i]) == -1)
			goto fail;
	*mp = m;
	return m;
fail:
	ident_macs_free(m);
	return NULL;
}

/* Append "KEY=VALUE" to the list of generated values to print. */
static void
note(struct buf *gen, const char *key, const char *value)
{
	buf_addf(gen, "%s=%s\n", key, value);
}

static int
apply_sets(struct domcfg *cfg, const struct opts *o, struct edit *ed,
    size_t ned, struct ident_macs **mp, struct buf *gen)
{
	char val[40];
	size_t i;
	int pass;

	/* Generate in command order, so the values print in that order. */
	for (i = 0; i < ned; i++) {
		if (strcmp(ed[i].key, "uuid") == 0 &&
		    strcmp(ed[i].value, "new") == 0) {
			const char *cur = domcfg_get_string(cfg, "uuid");
			char u[37];
			int form;

			/* In the style of the current one (Oracle VM 3:
			 * no dashes). */
			ident_new_uuid(u);
			form = cur ? uuid_form(cur) : -1;
			uuid_to_form(u, form > 0 ? form : 0, val);
		} else if (is_nic_mac(ed[i].key) &&
		    strcmp(ed[i].value, "auto") == 0) {
			if (macs_get(mp, o, cfg, ed, ned) == NULL ||
			    ident_new_mac(*mp, val) == -1)
				return -1;
		} else
			continue;
		note(gen, ed[i].key, val);
		free(ed[i].value);
		ed[i].value = xstrdup(val);
	}
	/*
	 * MACs first: when a spec lacks both mac and bridge, mac is appended
	 * first (fixtures convention 3), whatever the order given.
	 */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < ned; i++)
			if (is_nic_mac(ed[i].key) == (pass == 0) &&
			    domcfg_set(cfg, ed[i].key, ed[i].value) == -1)
				return -1;
	return 0;
}

/*
 * add-nic: replace "mac=auto" by a new MAC, and put one in front when the
 * spec has no mac at all (xl would draw a new random MAC at every start).
 * The spec is split here by hand because it is not in the config yet;
 * domcfg_add_nic validates the result with the same field rules.
 */
static int
apply_add(struct domcfg *cfg, const struct opts *o, const char *spec,
    struct ident_macs **mp, struct buf *gen)
{
	struct buf nspec = BUF_INIT;
	const char *p = spec, *f, *end;
	char mac[18], *label;
	bool has_mac = false;
	size_t idx = domcfg_nic_count(cfg);
	int rc = -1;

	label = xasprintf("nic%zu.mac", idx);
	while (*p != '\0' || p == spec) {
		const char *eq, *k0, *k1, *v0, *v1;

		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		f = p;
		eq = memchr(f, '=', (size_t)(end - f));
		for (k0 = f; k0 < end && (*k0 == ' ' || *k0 == '\t'); k0++)
			;
		k1 = eq != NULL ? eq : k0;
		while (k1 > k0 && (k1[-1] == ' ' || k1[-1] == '\t'))
			k1--;
		if (eq != NULL && k1 - k0 == 3 && memcmp(k0, "mac", 3) == 0) {
			has_mac = true;
			for (v0 = eq + 1; v0 < end && *v0 == ' '; v0++)
				;
			for (v1 = end; v1 > v0 && (v1[-1] == ' ' ||
			    v1[-1] == '\t'); v1--)
				;
			if (v1 - v0 == 4 && memcmp(v0, "auto", 4) == 0) {
				if (macs_get(mp, o, cfg, NULL, 0) ==
				    NULL || ident_new_mac(*mp, mac) == -1)
					goto out;
				note(gen, label, mac);
				buf_add(&nspec, f, (size_t)(v0 - f));
				buf_adds(&nspec, mac);
				buf_add(&nspec, v1, (size_t)(end - v1));
			} else
				buf_add(&nspec, f, (size_t)(end - f));
		} else
			buf_add(&nspec, f, (size_t)(end - f));
		if (*end == '\0')
			break;
		buf_addc(&nspec, ',');
		p = end + 1;
	}
	if (!has_mac) {
		struct buf t = BUF_INIT;

		if (macs_get(mp, o, cfg, NULL, 0) == NULL ||
		    ident_new_mac(*mp, mac) == -1)
			goto out;
		note(gen, label, mac);
		buf_addf(&t, "mac=%s%s%s", mac, nspec.len ? "," : "",
		    nspec.len ? nspec.data : "");
		buf_release(&nspec);
		nspec = t;
	}
	rc = domcfg_add_nic(cfg, nspec.data != NULL ? nspec.data : "");
out:
	buf_release(&nspec);
	free(label);
	return rc;
}

/*
 * The --json report of an edit: the file, whether it changed (or would,
 * with --dry-run), the generated values (GEN holds "KEY=VALUE" lines), the
 * unified diff and the backup made.
 */
static void
edit_json(const char *path, const struct opts *o, bool changed,
    const struct buf *gen, const struct buf *diff, const char *bak)
{
	json_object *root, *g;
	const char *p, *nl, *eq;
	char *k;

	root = json_object_new_object();
	json_object_object_add(root, "schema",
	    json_object_new_int(VMCFG_SCHEMA));
	json_object_object_add(root, "file", json_object_new_string(path));
	json_object_object_add(root, "dry_run",
	    json_object_new_boolean(o->dry_run));
	json_object_object_add(root, "changed",
	    json_object_new_boolean(changed));
	g = json_object_new_object();
	for (p = gen->data; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		eq = memchr(p, '=', (size_t)(nl - p));
		k = xstrndup(p, (size_t)(eq - p));
		json_object_object_add(g, k,
		    json_object_new_string_len(eq + 1, (int)(nl - eq - 1)));
		free(k);
	}
	json_object_object_add(root, "generated", g);
	json_object_object_add(root, "diff", json_object_new_string_len(
	    diff->data != NULL ? diff->data : "", (int)diff->len));
	json_object_object_add(root, "backup", jstr(bak));
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

static int
edit(const char *path, const struct opts *o, char **args, int nargs)
{
	struct domcfg *cfg = NULL;
	struct ident_macs *macs = NULL;
	struct edit *ed = NULL;
	struct buf gen = BUF_INIT, d = BUF_INIT;
	const char *cmd = args[0], *text, *orig;
	char *bak = NULL;
	size_t ned = 0, i, j, tlen, olen;
	unsigned long idx = 0;
	bool cmdline_ok = false;
	int rc = 2;

	/* Everything the command line can get wrong: exit 2. */
	if (strcmp(cmd, "set") == 0) {
		if (nargs < 2) {
			warnx("set: give at least one KEY=VALUE");
			goto out;
		}
		ed = xcalloc((size_t)nargs, sizeof(*ed));
		for (i = 1; i < (size_t)nargs; i++) {
			const char *eq = strchr(args[i], '=');

			if (eq == NULL || eq == args[i]) {
				warnx("set: '%s' is not KEY=VALUE", args[i]);
				goto out;
			}
			ed[ned].key = xstrndup(args[i],
			    (size_t)(eq - args[i]));
			ed[ned].value = xstrdup(eq + 1);
			for (j = 0; j < ned; j++) {
				if (strcmp(ed[j].key, ed[ned].key) == 0) {
					warnx("set: key '%s' given twice",
					    ed[ned].key);
					ned++;
					goto out;
				}
			}
			ned++;
		}
	} else if (strcmp(cmd, "add-nic") == 0) {
		if (nargs != 2) {
			warnx("add-nic: give one spec, KEY=VALUE[,...]");
			goto out;
		}
	} else if (strcmp(cmd, "remove-nic") == 0) {
		if (nargs != 2 ||
		    parse_uint(args[1], 0, 1000000, &idx) == -1) {
			warnx("remove-nic: give one NIC index (0, 1, ...)");
			goto out;
		}
	} else {
		warnx("unknown vmcfg command '%s': use set, add-nic or "
		    "remove-nic", cmd);
		goto out;
	}

	/* Checked even when no MAC is drawn. */
	if (cmd_check_mac_options(o->prefix, &o->scan) == -1)
		goto out;
	cmdline_ok = true;
	if (domcfg_load(path, &cfg) == -1)
		goto out;		/* unreadable input: exit 2 */
	/* From here on, a refusal: exit 1, nothing written. */
	rc = 1;
	if (strcmp(cmd, "set") == 0) {
		if (apply_sets(cfg, o, ed, ned, &macs, &gen) == -1)
			goto out;
	} else if (strcmp(cmd, "add-nic") == 0) {
		if (apply_add(cfg, o, args[1], &macs, &gen) == -1)
			goto out;
	} else if (domcfg_remove_nic(cfg, (size_t)idx) == -1)
		goto out;

	orig = domcfg_original(cfg, &olen);
	text = domcfg_text(cfg, &tlen);
	if (domcfg_changed(cfg))
		diff_unified(esc(path), esc(path), orig, olen, text, tlen,
		    &d);
	if (!o->json) {
		fputs(gen.data != NULL ? gen.data : "", stdout);
		if (!domcfg_changed(cfg))
			printf("no changes\n");
		else if (o->dry_run)
			fwrite(d.data, 1, d.len, stdout);
	}
	if (domcfg_changed(cfg) && !o->dry_run &&
	    hostfile_replace(path, orig, olen, text, tlen,
	    o->backup ? HOSTFILE_BACKUP : 0, &bak) == -1)
		goto out;
	if (o->json)
		edit_json(path, o, domcfg_changed(cfg), &gen, &d, bak);
	else if (bak != NULL)
		printf("backup: %s\n", bak);
	rc = 0;
out:
	if (rc == 2 && !cmdline_ok)
		cmd_usage_error("vmcfg");
	for (i = 0; i < ned; i++) {
		free(ed[i].key);
		free(ed[i].value);
	}
	free(ed);
	free(bak);
	buf_release(&gen);
	buf_release(&d);
	ident_macs_free(macs);
	domcfg_free(cfg);
	return rc;
}

int
cmd_vmcfg(int argc, char **argv)
{
	struct opts o = { false, false, false, NULL, STRLIST_INIT };
	struct domcfg *cfg = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "hn", vmcfg_long_options,
	    NULL)) != -1) {
		switch (c) {
		case OPT_BACKUP:
			o.backup = true;
			break;
		case 'h':
			fputs(vmcfg_usage, stdout);
			strlist_release(&o.scan);
			return 0;
		case OPT_JSON:
			o.json = true;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case OPT_MAC_PREFIX:
			if (o.prefix != NULL) {
				warnx("--mac-prefix given twice");
				strlist_release(&o.scan);
				return cmd_usage_error("vmcfg");
			}
			o.prefix = optarg;
			break;
		case OPT_MAC_SCAN:
			strlist_add(&o.scan, optarg);
			break;
		default:
			strlist_release(&o.scan);
			return cmd_usage_error("vmcfg");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		warnx("vmcfg: missing FILE");
		rc = cmd_usage_error("vmcfg");
	} else if (argc == 1) {
		if (o.dry_run || o.backup || o.prefix || o.scan.n) {
			warnx("vmcfg: --dry-run, --backup, --mac-prefix and "
			    "--mac-scan need an edit (set, add-nic, "
			    "remove-nic)");
			rc = cmd_usage_error("vmcfg");
		} else if (domcfg_load(argv[0], &cfg) == -1)
			rc = 2;
		else {
			if (o.json)
				show_json(cfg);
			else
				show_text(cfg);
			rc = 0;
		}
	} else {
		rc = edit(argv[0], &o, argv + 1, argc - 1);
	}
	domcfg_free(cfg);
	strlist_release(&o.scan);
	fflush(stdout);
	return rc;
}
