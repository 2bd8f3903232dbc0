/*
 * cmd_inspect.c - `imprint inspect`: show, without changing a byte, the
 * identity a stopped guest carries and whether it agrees with its Xen
 * domain config.
 *
 * Every image given is a separate guest; all share one appliance.
 */
#include <sys/stat.h>

#include <err.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "cmdutil.h"
#include "consist.h"
#include "guest.h"
#include "imgchk.h"
#include "lvsnap.h"
#include "rootdir.h"
#include "domcfg.h"
#include "survey.h"
#include "util.h"
#include "virtdom.h"

/* Version of the --json document; bumped only on incompatible change. */
#define INSPECT_SCHEMA	1

/* Only --help has a short form (-h); -j is apply's --jobs. */
enum {
	OPT_BACKING = 256,
	OPT_CONNECT,
	OPT_DOMAIN,
	OPT_JSON,
	OPT_PARTITION,
	OPT_ROOT,
	OPT_ROOT_DIR,
	OPT_VMCFG
};

const struct option inspect_long_options[] = {
	{ "backing",	required_argument,	NULL, OPT_BACKING },
	{ "connect",	required_argument,	NULL, OPT_CONNECT },
	{ "domain",	required_argument,	NULL, OPT_DOMAIN },
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "partition",	required_argument,	NULL, OPT_PARTITION },
	{ "root",	required_argument,	NULL, OPT_ROOT },
	{ "root-dir",	required_argument,	NULL, OPT_ROOT_DIR },
	{ "vmcfg",	required_argument,	NULL, OPT_VMCFG },
	{ NULL,		0,			NULL, 0 }
};

const char inspect_usage[] =
"usage: imprint inspect [--json] [--vmcfg FILE | --vmcfg auto]\n"
"                       [--partition N | --root DEV] [--backing FILE|DIR]...\n"
"                       IMAGE...\n"
"       imprint inspect [--json] --domain NAME [--connect URI]\n"
"                       [--partition N | --root DEV] [--backing FILE|DIR]...\n"
"                       IMAGE\n"
"       imprint inspect [--json] [--vmcfg FILE | --vmcfg auto |\n"
"                       --domain NAME [--connect URI]] --root-dir DIR\n"
"\n"
"Show the identity a stopped guest carries, read-only: filesystems, root,\n"
"OS, host names, NIC configs, udev persistent-net rules, machine-id, SSH\n"
"host keys; with --vmcfg, whether the domain config (Xen or libvirt XML)\n"
"agrees; with --domain, whether the libvirt domain's XML agrees.\n"
"\n"
"  --backing FILE|DIR  a backing file an overlay may name: FILE, or\n"
"                    any file under DIR (/: any)\n"
"  --connect URI     libvirt URI of --domain (default qemu:///system)\n"
"  --domain NAME     compare with libvirt's domain NAME (or uuid), read\n"
"                    through a read-only connection (one image only)\n"
"  -h, --help        print this help\n"
"  --json            one JSON document on stdout (schema in imprint(1))\n"
"  --partition N     the root is the Nth partition of each image\n"
"  --root DEV        the root is DEV (/dev/sda2, /dev/VolGroup00/LogVol00)\n"
"  --root-dir DIR    the guest is the tree at DIR on the host (not /)\n"
"  --vmcfg FILE      compare with this domain config (one image only)\n"
"  --vmcfg auto      compare each image with the vm.cfg beside it\n"
"\n"
"Exit status: 0 consistent, 1 inconsistencies found, 2 usage error, or\n"
"an image or the domain config cannot be read.\n";

static void
print_usage(FILE *f)
{
	fputs(inspect_usage, f);
}

/* ---- JSON -------------------------------------------------------------- */

static json_object *
jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void
jset(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static json_object *
json_fs(const struct guest_fs *fs, size_t n)
{
	json_object *a = json_object_new_array(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		jset(o, "device", jstr(fs[i].display));
		jset(o, "partition", fs[i].partnum ?
		    json_object_new_int(fs[i].partnum) : NULL);
		jset(o, "type", jstr(fs[i].type));
		jset(o, "label", jstr(fs[i].label));
		jset(o, "uuid", jstr(fs[i].uuid));
		jset(o, "size", json_object_new_int64(fs[i].size));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *
json_root(const struct guest_root *r)
{
	static const char *const how[] = { "inspection", "partition",
	    "device", "directory" };
	json_object *o = json_object_new_object(), *os;

	jset(o, "device", jstr(r->display));
	jset(o, "how", jstr(how[r->how]));
	jset(o, "reason", jstr(r->reason));
	os = json_object_new_object();
	jset(os, "type", jstr(r->os.type));
	jset(os, "distro", jstr(r->os.distro));
	jset(os, "product", jstr(r->os.product));
	jset(os, "major", json_object_new_int(r->os.major));
	jset(os, "minor", json_object_new_int(r->os.minor));
	jset(os, "source", jstr(r->os.source));
	jset(o, "os", os);
	return o;
}

static json_object *
json_survey(const struct survey *s)
{
	json_object *o = json_object_new_object(), *a, *e;
	size_t i;

	a = json_object_new_array();
	for (i = 0; i < s->nhostnames; i++) {
		e = json_object_new_object();
		jset(e, "file", jstr(s->hostnames[i].file));
		jset(e, "key", *s->hostnames[i].key ?
		    jstr(s->hostnames[i].key) : NULL);
		jset(e, "value", jstr(s->hostnames[i].value));
		json_object_array_add(a, e);
	}
	jset(o, "hostnames", a);
	a = json_object_new_array();
	for (i = 0; i < s->nhosts; i++) {
		e = json_object_new_object();
		jset(e, "file", jstr("/etc/hosts"));
		jset(e, "line", json_object_new_int64((int64_t)s->hosts[i].line));
		jset(e, "address", jstr(s->hosts[i].addr));
		jset(e, "names", cmd_json_strlist(&s->hosts[i].names));
		json_object_array_add(a, e);
	}
	jset(o, "hosts", a);
	a = json_object_new_array();
	for (i = 0; i < s->nnics; i++) {
		const struct survey_nic *n = &s->nics[i];
		e = json_object_new_object();
		jset(e, "file", jstr(n->file));
		jset(e, "format", jstr(n->format));
		jset(e, "line", n->line ?
		    json_object_new_int64((int64_t)n->line) : NULL);
		jset(e, "ignored", json_object_new_boolean(n->ignored));
		jset(e, "device", jstr(n->device));
		jset(e, "hwaddr", jstr(n->hwaddr));
		jset(e, "macaddr", jstr(n->macaddr));
		jset(e, "bootproto", jstr(n->bootproto));
		jset(e, "ipaddr", jstr(n->ipaddr));
		jset(e, "netmask", jstr(n->netmask));
		jset(e, "prefix", jstr(n->prefix));
		jset(e, "gateway", jstr(n->gateway));
		jset(e, "onboot", jstr(n->onboot));
		jset(e, "uuid", jstr(n->uuid));
		json_object_array_add(a, e);
	}
	jset(o, "nics", a);
	a = json_object_new_array();
	for (i = 0; i < s->nudev; i++) {
		e = json_object_new_object();
		jset(e, "file", jstr(s->udev[i].file));
		jset(e, "line", json_object_new_int64((int64_t)s->udev[i].line));
		jset(e, "name", jstr(s->udev[i].name));
		jset(e, "mac", jstr(s->udev[i].mac));
		json_object_array_add(a, e);
	}
	jset(o, "udev_rules", a);
	jset(o, "machine_id", jstr(s->machine_id));
	jset(o, "ssh_host_keys", cmd_json_strlist(&s->ssh_host_keys));
	jset(o, "notes", cmd_json_strlist(&s->notes));
	return o;
}

/* The domain config as inspect reports it (text or JSON). */
static json_object *
json_vmcfg(const struct domcfg *cfg)
{
	json_object *o = json_object_new_object(), *a, *e;
	size_t i;
	char *v;

	jset(o, "file", jstr(domcfg_path(cfg)));
	jset(o, "format", jstr(domcfg_kind_name(cfg)));
	jset(o, "name", jstr(domcfg_get_string(cfg, "name")));
	jset(o, "uuid", jstr(domcfg_get_string(cfg, "uuid")));
	a = json_object_new_array();
	for (i = 0; i < domcfg_nic_count(cfg); i++) {
		e = json_object_new_object();
		jset(e, "index", json_object_new_int64((int64_t)i));
		jset(e, "line", json_object_new_int(domcfg_nic_line(cfg, i)));
		jset(e, "spec", jstr(domcfg_nic_spec(cfg, i)));
		v = domcfg_nic_get(cfg, i, "mac");
		jset(e, "mac", jstr(v));
		free(v);
		v = domcfg_nic_get(cfg, i, "bridge");
		jset(e, "bridge", jstr(v));
		free(v);
		json_object_array_add(a, e);
	}
	jset(o, "nics", a);
	a = json_object_new_array();
	for (i = 0; i < domcfg_disk_count(cfg); i++) {
		e = json_object_new_object();
		jset(e, "index", json_object_new_int64((int64_t)i));
		jset(e, "spec", jstr(domcfg_disk_spec(cfg, i)));
		v = domcfg_disk_target(cfg, i);
		jset(e, "target", jstr(v));
		free(v);
		json_object_array_add(a, e);
	}
	jset(o, "disks", a);
	return o;
}

/* ---- text -------------------------------------------------------------- */

/*
 * Every string below comes from the guest (a file name, a label, a host
 * name, a value read from a file) or from a config: each goes through
 * esc(), so none can drive the terminal or forge a line of the report.
 */

static void
kv(const char *k, const char *v)
{
	if (k && v)
		printf(" %s=%s", k, esc(v));
}

static void
text_image(const char *image, const char *format, const struct imgchk *chain,
    const struct guest_fs *fs, size_t nfs, const struct guest_root *root,
    const struct survey *s)
{
	size_t i, j;

	printf("image: %s (%s)\n", esc(image), esc(format));
	/* What lies under an overlay: the guest seen is mostly the
	 * template's, and a chain through another clone shows that one.
	 * A tree (chain NULL) has none, and no filesystems listed. */
	for (i = 1; chain && i < chain->n; i++)
		printf("backing: %s (%s)\n", esc(chain->layer[i].path),
		    esc(chain->layer[i].format));
	if (root->how != ROOT_DIR)
		printf("filesystems:\n");
	for (i = 0; i < nfs; i++) {
		printf("  %s type=%s", esc(fs[i].display),
		    *fs[i].type ? esc(fs[i].type) : "-");
		if (*fs[i].label)
			printf(" label=%s", esc(fs[i].label));
		if (*fs[i].uuid)
			printf(" uuid=%s", esc(fs[i].uuid));
		printf(" size=%lld\n", (long long)fs[i].size);
	}
	printf("root: %s (%s)\n", esc(root->display), esc(root->reason));
	printf("os: type=%s distro=%s version=%d.%d product=\"%s\" "
	    "(from %s)\n", esc(root->os.type), esc(root->os.distro),
	    root->os.major, root->os.minor, esc(root->os.product),
	    esc(root->os.source));
	printf("hostnames:\n");
	for (i = 0; i < s->nhostnames; i++) {
		if (*s->hostnames[i].key)
			printf("  %s %s=%s\n", esc(s->hostnames[i].file),
			    esc(s->hostnames[i].key),
			    esc(s->hostnames[i].value));
		else
			printf("  %s %s\n", esc(s->hostnames[i].file),
			    esc(s->hostnames[i].value));
	}
	for (i = 0; i < s->nhosts; i++) {
		printf("  /etc/hosts:%zu %s", s->hosts[i].line,
		    esc(s->hosts[i].addr));
		for (j = 0; j < s->hosts[i].names.n; j++)
			printf(" %s", esc(s->hosts[i].names.v[j]));
		printf("\n");
	}
	printf("nics:\n");
	for (i = 0; i < s->nnics; i++) {
		const struct survey_nic *n = &s->nics[i];
		if (n->line)
			printf("  %s:%zu", esc(n->file), n->line);
		else
			printf("  %s", esc(n->file));
		if (n->ignored)
			printf(" (ignored by initscripts)");
		if (n->keys != NULL) {
			/* a netfmt.h format, in its own words */
			kv(n->keys->device, n->device);
			kv(n->keys->hwaddr, n->hwaddr);
			kv(n->keys->macaddr, n->macaddr);
			kv(n->keys->method, n->bootproto);
			kv(n->keys->address, n->ipaddr);
			kv(n->keys->gateway, n->gateway);
			kv(n->keys->uuid, n->uuid);
			printf("\n");
			continue;
		}
		kv(n->line ? "iface" : "DEVICE", n->device);
		kv("HWADDR", n->hwaddr);
		kv(n->line ? "hwaddress" : "MACADDR", n->macaddr);
		kv(n->line ? "method" : "BOOTPROTO", n->bootproto);
		kv(n->line ? "address" : "IPADDR", n->ipaddr);
		kv(n->line ? "netmask" : "NETMASK", n->netmask);
		kv("PREFIX", n->prefix);
		kv(n->line ? "gateway" : "GATEWAY", n->gateway);
		kv(n->line ? "auto" : "ONBOOT", n->onboot);
		printf("\n");
	}
	printf("udev persistent-net rules:\n");
	for (i = 0; i < s->nudev; i++)
		printf("  %s:%zu NAME=%s mac=%s\n", esc(s->udev[i].file),
		    s->udev[i].line, esc(s->udev[i].name),
		    esc(s->udev[i].mac));
	printf("machine-id: %s\n", s->machine_id ? (*s->machine_id ?
	    esc(s->machine_id) : "(empty)") : "(none)");
	printf("ssh host keys:");
	for (i = 0; i < s->ssh_host_keys.n; i++)
		printf(" %s", esc(s->ssh_host_keys.v[i]));
	printf("%s\n", s->ssh_host_keys.n ? "" : " (none)");
	for (i = 0; i < s->notes.n; i++)
		printf("note: %s\n", esc(s->notes.v[i]));
}

static void
text_vmcfg(const struct domcfg *cfg)
{
	const char *name = domcfg_get_string(cfg, "name");
	const char *uuid = domcfg_get_string(cfg, "uuid");
	size_t i;
	char *mac, *br, *t;

	printf("domain config: %s\n", esc(domcfg_path(cfg)));
	printf("  name=%s uuid=%s\n", name ? esc(name) : "(none)",
	    uuid ? esc(uuid) : "(none)");
	for (i = 0; i < domcfg_nic_count(cfg); i++) {
		mac = domcfg_nic_get(cfg, i, "mac");
		br = domcfg_nic_get(cfg, i, "bridge");
		printf("  nic%zu mac=%s bridge=%s (line %d)\n", i,
		    mac ? esc(mac) : "(none)", br ? esc(br) : "(default)",
		    domcfg_nic_line(cfg, i));
		free(mac);
		free(br);
	}
	for (i = 0; i < domcfg_disk_count(cfg); i++) {
		t = domcfg_disk_target(cfg, i);
		printf("  disk%zu target=%s\n", i, t ? esc(t) : "(none)");
		free(t);
	}
}

/* ---- the command ------------------------------------------------------- */

struct inspect_opts {
	bool		 json;
	const char	*vmcfg;
	struct root_spec root;
};

/* The layers under the image, top first: [{"path", "format"}...]. */
static json_object *
json_chain(const struct imgchk *chain)
{
	json_object *a = json_object_new_array(), *e;
	size_t i;

	for (i = 1; i < chain->n; i++) {
		e = json_object_new_object();
		jset(e, "path", jstr(chain->layer[i].path));
		jset(e, "format", jstr(chain->layer[i].format));
		json_object_array_add(a, e);
	}
	return a;
}

/*
 * Snapshot health: when image is a block device that lvs knows as a
 * snapshot LV, its origin and copy-on-write use, on stdout (text) or in
 * obj (JSON), and a warning on stderr when it is nearly full.  lvs is
 * asked only of block devices: an image file costs nothing and needs no
 * lvm2.  Nothing is said when lvs is missing or knows no LV there.
 */
static void
snapshot_health(const char *image, json_object *obj)
{
	struct lvsnap_lv lv;
	struct stat st;
	char *line;
	bool warn;

	if (stat(image, &st) == -1 || !S_ISBLK(st.st_mode) ||
	    lvsnap_query(image, &lv) != 0 ||
	    (line = lvsnap_health(&lv, &warn)) == NULL)
		return;
	if (obj) {
		jset(obj, "snapshot_origin", jstr(lv.origin));
		jset(obj, "snapshot_percent", lv.has_percent &&
		    !lvsnap_is_thin(&lv) ? json_object_new_double(
		    lv.percent_x100 / 100.0) : NULL);
	} else
		printf("%s\n", line);
	if (warn)
		warnx("warning: '%s': %s; a snapshot fills at 100%% and "
		    "becomes invalid; extend it with lvextend -L +SIZE %s/%s",
		    esc(image), line, lv.vg_name, lv.lv_name);
	free(line);
}

/*
 * Inspect image k, or the tree rd when it is not NULL (gs is NULL then,
 * and images[0] the tree's path).  Returns 0 consistent, 1 inconsistent,
 * 2 error; adds the image's JSON object to arr when JSON is on.
 */
static int
inspect_one(struct guest *gs, size_t k, const struct inspect_opts *o,
    const struct domcfg *cfg, char *const *images,
    const char *const *cfgpaths, size_t nimages, json_object *arr,
    const struct rootdir *rd)
{
	const char *image = rd ? images[0] : guest_image_path(gs, k);
	const char *format = rd ? "directory" : guest_image_format(gs, k);
	struct guest_fs *fs = NULL;
	struct guest_root root;
	struct survey s;
	struct finding *f = NULL;
	json_object *obj = NULL, *fa;
	size_t nfs = 0, nf = 0, i;
	int rc = 2;

	memset(&s, 0, sizeof(s));
	memset(&root, 0, sizeof(root));
	if (o->json) {
		obj = json_object_new_object();
		jset(obj, "image", jstr(image));
		jset(obj, "format", jstr(format));
		if (!rd)
			jset(obj, "backing",
			    json_chain(guest_image_chain(gs, k)));
		json_object_array_add(arr, obj);
	}
	if (!rd && obj)
		snapshot_health(image, obj);
	if (rd)
		rootdir_copy_root(rd, &root);
	if ((!rd && (guest_pick_root(gs, k, &o->root, NULL, &root, &fs,
	    &nfs) == -1 || guest_mount_root(gs, &root) == -1)) ||
	    survey_read(rd ? rd->fs : guest_gfs(gs), &s) == -1) {
		if (obj)
			jset(obj, "error", jstr("inspection failed; the "
			    "reason is on standard error"));
		goto out;
	}
	nf = consist_check(&s, cfg, &f);
	if (cfg && !rd)		/* a tree: no image for a disk to name */
		nf = consist_check_disks(cfg, (const char *const *)images,
		    cfgpaths, nimages, k, &f, nf);
	rc = nf ? 1 : 0;
	if (o->json) {
		jset(obj, "filesystems", json_fs(fs, nfs));
		jset(obj, "root", json_root(&root));
		jset(obj, "identity", json_survey(&s));
		jset(obj, "vmcfg", cfg ? json_vmcfg(cfg) : NULL);
		jset(obj, "consistent", json_object_new_boolean(nf == 0));
		fa = json_object_new_array();
		for (i = 0; i < nf; i++) {
			json_object *e = json_object_new_object();
			jset(e, "code", jstr(f[i].code));
			jset(e, "message", jstr(f[i].message));
			json_object_array_add(fa, e);
		}
		jset(obj, "findings", fa);
		goto out;
	}
	text_image(image, format, rd ? NULL : guest_image_chain(gs, k), fs,
	    nfs, &root, &s);
	if (!rd)
		snapshot_health(image, NULL);
	if (cfg)
		text_vmcfg(cfg);
	if (nf == 0)
		printf("consistency: ok%s\n", cfg ? "" :
		    " (guest only; give --vmcfg to compare with the domain "
		    "config)");
	else
		printf("consistency: %zu problem%s\n", nf, nf == 1 ? "" : "s");
	for (i = 0; i < nf; i++)
		printf("  %s: %s\n", f[i].code, esc(f[i].message));
out:
	consist_free(f, nf);
	survey_release(&s);
	guest_root_release(&root);
	guest_fs_free(fs, nfs);
	return rc;
}

int
cmd_inspect(int argc, char **argv)
{
	struct inspect_opts o;
	struct domcfg **cfgs = NULL;
	const char **cfgpaths = NULL;
	struct guest *gs = NULL;
	bool beside;
	json_object *doc = NULL, *arr = NULL;
	bool have_root = false;
	const char *domain = NULL, *uri = NULL, *dir = NULL;
	char *ref = NULL, *dirv[2] = { NULL, NULL };
	struct rootdir rd;
	size_t k;
	int c, rc = 0, r;

	memset(&o, 0, sizeof(o));
	memset(&rd, 0, sizeof(rd));
	o.root.how = ROOT_AUTO;
	while ((c = getopt_long(argc, argv, "+h", inspect_long_options,
	    NULL)) != -1) {
		switch (c) {
		case OPT_BACKING:
			if (imgchk_trust_add(&imgchk_trusted, optarg) == -1)
				return cmd_usage_error("inspect");
			break;
		case OPT_VMCFG:
			if (o.vmcfg) {
				warnx("--vmcfg given twice");
				return cmd_usage_error("inspect");
			}
			o.vmcfg = optarg;
			break;
		case OPT_DOMAIN:
		case OPT_CONNECT:
			if ((c == OPT_DOMAIN ? domain : uri) != NULL) {
				warnx("%s given twice", c == OPT_DOMAIN ?
				    "--domain" : "--connect");
				return cmd_usage_error("inspect");
			}
			*(c == OPT_DOMAIN ? &domain : &uri) = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_PARTITION:
		case OPT_ROOT:
			if (cmd_root_option(&o.root, &have_root,
			    c == OPT_ROOT ? 'r' : 'p', optarg) == -1)
				return cmd_usage_error("inspect");
			break;
		case OPT_ROOT_DIR:
			if (dir) {
				warnx("--root-dir given twice");
				return cmd_usage_error("inspect");
			}
			dir = optarg;
			break;
		default:
			return cmd_usage_error("inspect");
		}
	}
	argc -= optind;
	argv += optind;
	if (dir && (argc > 0 || have_root)) {
		warnx(have_root ? "--partition and --root pick a root on an "
		    "image; with --root-dir the tree is the root" :
		    "give --root-dir DIR or images, not both");
		return cmd_usage_error("inspect");
	}
	if (argc < 1 && !dir) {
		warnx("inspect: no image given");
		return cmd_usage_error("inspect");
	}
	if (domain != NULL && o.vmcfg != NULL) {
		warnx("give --vmcfg or --domain, not both");
		return cmd_usage_error("inspect");
	}
	if (domain != NULL && argc > 1) {
		warnx("--domain goes with one image");
		return cmd_usage_error("inspect");
	}
	if (cmd_domain_ref(domain, uri, &ref) == -1)
		return cmd_usage_error("inspect");
	if (ref != NULL)
		o.vmcfg = ref;		/* a libvirt domain reference */
	if (dir) {
		/* the tree stands for the one image from here on */
		if (rootdir_open(&rd, dir) == -1) {
			free(ref);
			return 2;
		}
		dirv[0] = rd.real;
		argv = dirv;
		argc = 1;
	}
	/* "--vmcfg auto": Oracle VM keeps vm.cfg beside System.img.  (A
	 * config named "auto" in the current directory: say ./auto.) */
	beside = o.vmcfg && strcmp(o.vmcfg, "auto") == 0;
	if (o.vmcfg && !beside && argc > 1) {
		warnx("--vmcfg FILE goes with one image; use --vmcfg auto for "
		    "the vm.cfg beside each image, or inspect the others "
		    "separately");
		return cmd_usage_error("inspect");
	}
	/* Read the configs first: a bad one costs no appliance launch. */
	cfgs = xcalloc((size_t)argc, sizeof(*cfgs));
	cfgpaths = xcalloc((size_t)argc, sizeof(*cfgpaths));
	for (k = 0; o.vmcfg && k < (size_t)argc; k++) {
		char *p = beside ? path_beside(argv[k], "vm.cfg") :
		    xstrdup(o.vmcfg);

		/* a libvirt domain through a read-only connection */
		r = virtdom_is_ref(p) ? virtdom_load(p, false, &cfgs[k]) :
		    domcfg_load(p, &cfgs[k]);
		free(p);
		if (r == -1) {
			rc = 2;
			goto out;
		}
		cfgpaths[k] = domcfg_path(cfgs[k]);
	}
	if (!dir && guest_open(&gs, argv, (size_t)argc, true) == -1) {
		rc = 2;
		goto out;
	}
	if (o.json) {
		doc = json_object_new_object();
		jset(doc, "schema", json_object_new_int(INSPECT_SCHEMA));
		arr = json_object_new_array();
		jset(doc, "images", arr);
	}
	for (k = 0; k < (size_t)argc; k++) {
		if (k > 0 && !o.json)
			printf("\n");
		r = inspect_one(gs, k, &o, cfgs[k], argv, cfgpaths,
		    (size_t)argc, arr, dir ? &rd : NULL);
		if (r > rc)
			rc = r;
	}
	if (guest_close(gs) == -1)
		rc = 2;
	if (doc) {
		puts(json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(doc);
	}
	if (fflush(stdout) == EOF) {
		warn("stdout");
		rc = 2;
	}
out:
	for (k = 0; k < (size_t)argc; k++)
		domcfg_free(cfgs[k]);
	free(cfgs);
	free(cfgpaths);
	free(ref);
	rootdir_close(&rd);
	return rc;
}
