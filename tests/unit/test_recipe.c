/*
 * test_recipe.c - unit tests for recipe.c: the issue's example and every
 * shipped recipe parse to exact values, substitution works in every value
 * position, each kind of bad input is refused with the exact
 * "FILE:LINE: message" text on stderr, and the golden cases in
 * tests/data/recipes-bad/ (NAME.rcp, expected stderr NAME.err, optional
 * -D definitions one per line in NAME.def) all match.
 *
 * Run from the repository root (tests/run.sh does).  IMPRINT_REGEN=1
 * rewrites the .err files from the current output instead of checking
 * them; review the diff before keeping it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recipe.h"
#include "unit.h"
#include "util.h"

#define RECIPES_DIR	"recipes"
#define BAD_DIR		"tests/data/recipes-bad"

static const char issue_example[] =
"[guest]\n"
"root = auto                   # auto | partition:N | /dev/sda2 | "
"/dev/VolGroup00/LogVol00\n"
"hostname = ${name}.example.com\n"
"root-password = random        # random (printed once) | hash:$6$... | "
"file:/path/to/hash\n"
"forget = udev-net machine-id ssh-hostkeys dhcp-leases\n"
"\n"
"[nic eth0]                    # section order = vif order (nic0, nic1, ...)\n"
"mac = auto                    # auto | 00:16:3e:12:34:56\n"
"bridge = xenbr0\n"
"boot = static                 # static | dhcp\n"
"address = 192.168.56.${octet}/24\n"
"gateway = 192.168.56.1\n"
"\n"
"[nic eth1]\n"
"mac = auto\n"
"bridge = xenbr1\n"
"boot = dhcp\n"
"\n"
"[host]\n"
"config = auto                 # auto = vm.cfg beside the image | a path | "
"none\n"
"name = ${name}\n"
"uuid = new\n";

static const char issue_dump[] =
"[guest]\n"
"root = auto\n"
"hostname = web1.example.com\n"
"root-password = random\n"
"forget = udev-net machine-id ssh-hostkeys dhcp-leases\n"
"\n"
"[nic eth0]\n"
"mac = auto\n"
"bridge = xenbr0\n"
"boot = static\n"
"address = 192.168.56.10/24\n"
"gateway = 192.168.56.1\n"
"\n"
"[nic eth1]\n"
"mac = auto\n"
"bridge = xenbr1\n"
"boot = dhcp\n"
"\n"
"[host]\n"
"config = auto\n"
"name = web1\n"
"uuid = new\n";

/* Standard variables for the tests and the golden cases. */
static void
std_vars(struct recipe_vars *v)
{
	recipe_vars_set(v, "name", "web1");
	recipe_vars_set(v, "octet", "10");
}

/*
 * Parse text with stderr captured; returns the captured bytes (caller
 * frees), *rc the return value, *r the recipe (or NULL when r is NULL,
 * in which case a parsed recipe is freed).
 */
static char *
parse_cap(const char *path, const char *text, size_t len,
    const struct recipe_vars *vars, int *rc, struct recipe **r)
{
	struct recipe *tmp = NULL;
	FILE *f = tmpfile();
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	int saved;

	if (f == NULL) {
		perror("tmpfile");
		exit(1);
	}
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(f), 2);
	*rc = recipe_parse(path, text, len, vars, &tmp);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	buf_adds(&b, "");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (r)
		*r = tmp;
	else
		recipe_free(tmp);
	return buf_detach(&b, NULL);
}

/* Parse s (standard variables plus extra "K=V" definitions, NULL-ended)
 * and return stderr; rc and the recipe are dropped. */
static char *
errs_of(const char *s)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	char *out;
	int rc;

	std_vars(&v);
	out = parse_cap("t.rcp", s, strlen(s), &v, &rc, NULL);
	CHECK_INT(rc, -1);
	recipe_vars_release(&v);
	return out;
}

#define CHECK_ERRS(text, want) do {					\
	char *e_ = errs_of(text);					\
	CHECK_STR(e_, want);						\
	free(e_);							\
} while (0)

/* Parse s with the standard variables; must succeed; returns the dump. */
static char *
dump_of_vars(const char *s, size_t len, const struct recipe_vars *v)
{
	struct recipe *r = NULL;
	struct buf b = BUF_INIT;
	char *err;
	int rc;

	err = parse_cap("t.rcp", s, len, v, &rc, &r);
	CHECK_INT(rc, 0);
	CHECK_STR(err, "");
	free(err);
	buf_adds(&b, "");
	if (r)
		recipe_dump(r, &b);
	recipe_free(r);
	return buf_detach(&b, NULL);
}

static char *
dump_of(const char *s)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	char *d;

	std_vars(&v);
	d = dump_of_vars(s, strlen(s), &v);
	recipe_vars_release(&v);
	return d;
}

#define CHECK_DUMP(text, want) do {					\
	char *d_ = dump_of(text);					\
	CHECK_STR(d_, want);						\
	free(d_);							\
} while (0)

/* The dump of a recipe parses back to the same dump. */
static void
check_roundtrip(const char *dump)
{
	char *again = dump_of(dump);

	CHECK_STR(again, dump);
	free(again);
}

static char *
slurp(const char *path, size_t *len_r)
{
	char *s;

	if (access(path, F_OK) == -1 ||
	    read_host_file(path, 1 << 20, &s, len_r) == -1)
		return NULL;
	return s;
}

static void
test_issue_example(void)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	struct recipe *r = NULL;
	const struct recipe_nic *n;
	char *err, *d;
	int rc;

	std_vars(&v);
	err = parse_cap("issue.rcp", issue_example, strlen(issue_example),
	    &v, &rc, &r);
	CHECK_INT(rc, 0);
	CHECK_STR(err, "");
	free(err);
	if (!CHECK(r != NULL))
		goto out;
	CHECK_STR(r->path, "issue.rcp");
	CHECK_INT(r->guest.root_kind, RECIPE_ROOT_AUTO);
	CHECK_INT(r->guest.root_line, 2);
	CHECK_STR(r->guest.hostname, "web1.example.com");
	CHECK_INT(r->guest.hostname_line, 3);
	CHECK_INT(r->guest.password_kind, RECIPE_PASSWORD_RANDOM);
	CHECK_STR(r->guest.password, NULL);
	CHECK_INT(r->guest.forget, RECIPE_FORGET_UDEV_NET |
	    RECIPE_FORGET_MACHINE_ID | RECIPE_FORGET_SSH_HOSTKEYS |
	    RECIPE_FORGET_DHCP_LEASES);
	CHECK_INT(r->guest.line, 1);
	CHECK_INT(r->nnics, 2);
	n = &r->nics[0];
	CHECK_STR(n->name, "eth0");
	CHECK_INT(n->line, 7);
	CHECK_INT(n->mac_kind, RECIPE_MAC_AUTO);
	CHECK_INT(n->mac_line, 8);
	CHECK_STR(n->bridge, "xenbr0");
	CHECK_INT(n->boot, RECIPE_BOOT_STATIC);
	CHECK_STR(n->address, "192.168.56.10");
	CHECK_INT(n->prefix, 24);
	CHECK_STR(n->netmask, "255.255.255.0");
	CHECK_STR(n->gateway, "192.168.56.1");
	n = &r->nics[1];
	CHECK_STR(n->name, "eth1");
	CHECK_INT(n->line, 14);
	CHECK_INT(n->mac_kind, RECIPE_MAC_AUTO);
	CHECK_STR(n->bridge, "xenbr1");
	CHECK_INT(n->boot, RECIPE_BOOT_DHCP);
	CHECK_STR(n->address, NULL);
	CHECK_STR(n->gateway, NULL);
	CHECK_INT(r->host.config_kind, RECIPE_CONFIG_AUTO);
	CHECK_INT(r->host.config_line, 20);
	CHECK_STR(r->host.config_path, NULL);
	CHECK_STR(r->host.name, "web1");
	CHECK_INT(r->host.uuid_kind, RECIPE_UUID_NEW);
	CHECK_INT(r->host.line, 19);
	CHECK_INT(r->vars_used.n, 2);
	if (r->vars_used.n == 2) {
		CHECK_STR(r->vars_used.v[0], "name");
		CHECK_STR(r->vars_used.v[1], "octet");
	}
	recipe_free(r);
	d = dump_of(issue_example);
	CHECK_STR(d, issue_dump);
	check_roundtrip(d);
	free(d);
out:
	recipe_vars_release(&v);
}

/* Load a shipped recipe with definitions; compare the dump. */
static void
check_shipped(const char *file, const char *const *defs, const char *want)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	struct recipe *r = NULL;
	struct buf b = BUF_INIT;
	char *path = xasprintf("%s/%s", RECIPES_DIR, file);

	for (; *defs; defs++)
		CHECK_INT(recipe_vars_parse_define(&v, *defs), 0);
	CHECK_INT(recipe_load(path, &v, &r), 0);
	if (CHECK(r != NULL)) {
		buf_adds(&b, "");
		recipe_dump(r, &b);
		CHECK_STR(b.data, want);
		check_roundtrip(b.data);
		buf_release(&b);
	}
	recipe_free(r);
	recipe_vars_release(&v);
	free(path);
}

static void
test_shipped(void)
{
	static const char *const ovm2[] = {
		"name=web1", "octet=21", NULL
	};
	static const char *const lvm[] = {
		"name=db1", "octet=31", "config=/etc/xen/db1.cfg", NULL
	};
	static const char *const deb[] = {
		"name=ci7", "address=192.0.2.27/24", "gateway=192.0.2.1",
		NULL
	};
	static const char *const none[] = { NULL };
	struct recipe *r = NULL;
	DIR *d;
	struct dirent *e;
	int count = 0;

	check_shipped("ovm2-el5-clone.rcp", ovm2,
	    "[guest]\n"
	    "root = partition:2\n"
	    "hostname = web1.example.com\n"
	    "root-password = random\n"
	    "forget = ssh-hostkeys dhcp-leases\n"
	    "\n[nic eth0]\nmac = auto\nbridge = xenbr0\nboot = static\n"
	    "address = 192.0.2.21/24\ngateway = 192.0.2.1\n"
	    "\n[nic eth1]\nmac = auto\nbridge = xenbr1\nboot = dhcp\n"
	    "\n[host]\nconfig = auto\nname = web1\nuuid = new\n");
	check_shipped("rhel-lvm.rcp", lvm,
	    "[guest]\n"
	    "root = /dev/VolGroup00/LogVol00\n"
	    "hostname = db1.example.com\n"
	    "root-password = random\n"
	    "forget = udev-net ssh-hostkeys dhcp-leases\n"
	    "\n[nic eth0]\nmac = auto\nbridge = xenbr0\nboot = static\n"
	    "address = 192.0.2.31/24\ngateway = 192.0.2.1\n"
	    "\n[nic eth1]\nmac = auto\nbridge = xenbr1\nboot = dhcp\n"
	    "\n[host]\nconfig = /etc/xen/db1.cfg\nname = db1\n"
	    "uuid = new\n");
	check_shipped("debian.rcp", deb,
	    "[guest]\n"
	    "root = partition:1\n"
	    "hostname = ci7\n"
	    "root-password = random\n"
	    "forget = udev-net machine-id dhcp-leases\n"
	    "ssh-hostkeys = new\n"
	    "\n[nic eth0]\nmac = auto\nbridge = xenbr0\nboot = static\n"
	    "address = 192.0.2.27/24\ngateway = 192.0.2.1\n"
	    "\n[host]\nconfig = /etc/xen/ci7.cfg\nname = ci7\n"
	    "uuid = new\n");
	check_shipped("resync.rcp", none,
	    "[guest]\nroot = auto\n"
	    "\n[nic eth0]\nmac = from-config\n"
	    "\n[host]\nconfig = auto\ndisk = keep\n");
	CHECK_INT(recipe_load(RECIPES_DIR "/resync.rcp", NULL, &r), 0);
	if (CHECK(r != NULL)) {
		CHECK_INT(r->nnics, 1);
		CHECK_INT(r->nics[0].mac_kind, RECIPE_MAC_FROM_CONFIG);
		CHECK_INT(r->nics[0].boot, RECIPE_BOOT_KEEP);
		CHECK_STR(r->nics[0].bridge, NULL);
		CHECK_STR(r->guest.hostname, NULL);
		CHECK_INT(r->guest.password_kind, RECIPE_PASSWORD_KEEP);
		CHECK_INT(r->guest.forget, 0);
		CHECK_INT(r->host.uuid_kind, RECIPE_UUID_KEEP);
		CHECK_STR(r->host.name, NULL);
		CHECK_INT(r->vars_used.n, 0);
	}
	recipe_free(r);
	/* Every shipped recipe is one of the four above. */
	if ((d = opendir(RECIPES_DIR)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strstr(e->d_name, ".rcp"))
				count++;
		closedir(d);
	}
	CHECK_INT(count, 4);
}

static void
test_subst_everywhere(void)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	static const char *const defs[] = {
		"root=/dev/VolGroup00/LogVol00", "host=db", "dom=example.org",
		"pw=hash:$6$salt$abc./XYZ", "forget=udev-net machine-id",
		"mac=00:16:3E:AA:bb:01", "br=xenbr9", "boot=static",
		"net=10.1.2", "oct=7", "len=16", "gw=10.1.0.1",
		"cfg=/OVS/running_pool/db/vm.cfg", "name=db-1",
		"uuid=5F42BE80-6d71-4295-9eaf-40b1c2d30501", NULL
	};
	static const char text[] =
	    "[guest]\n"
	    "root = ${root}\n"
	    "hostname = ${host}.${dom}\n"
	    "root-password = ${pw}\n"
	    "forget = ${forget} dhcp-leases\n"
	    "[nic eth0]\n"
	    "mac = ${mac}\n"
	    "bridge = ${br}\n"
	    "boot = ${boot}\n"
	    "address = ${net}.${oct}/${len}\n"
	    "gateway = ${gw}\n"
	    "[host]\n"
	    "config = ${cfg}\n"
	    "name = ${name}\n"
	    "uuid = ${uuid}\n";
	const char *const *p;
	struct strlist refs = STRLIST_INIT;
	char *d;

	for (p = defs; *p; p++)
		CHECK_INT(recipe_vars_parse_define(&v, *p), 0);
	d = dump_of_vars(text, strlen(text), &v);
	CHECK_STR(d,
	    "[guest]\n"
	    "root = /dev/VolGroup00/LogVol00\n"
	    "hostname = db.example.org\n"
	    "root-password = hash:$6$salt$abc./XYZ\n"
	    "forget = udev-net machine-id dhcp-leases\n"
	    "\n[nic eth0]\nmac = 00:16:3e:aa:bb:01\nbridge = xenbr9\n"
	    "boot = static\naddress = 10.1.2.7/16\ngateway = 10.1.0.1\n"
	    "\n[host]\nconfig = /OVS/running_pool/db/vm.cfg\nname = db-1\n"
	    "uuid = 5f42be80-6d71-4295-9eaf-40b1c2d30501\n");
	check_roundtrip(d);
	free(d);
	/* The names, in order of first use, without the values. */
	CHECK_INT(recipe_var_refs("t.rcp", text, strlen(text), &refs), 0);
	CHECK_INT(refs.n, 15);
	if (refs.n == 15) {
		CHECK_STR(refs.v[0], "root");
		CHECK_STR(refs.v[2], "dom");
		CHECK_STR(refs.v[9], "oct");
		CHECK_STR(refs.v[14], "uuid");
	}
	strlist_release(&refs);
	recipe_vars_release(&v);
}

static void
test_literals(void)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	struct recipe *r = NULL;
	char *err, *d;
	int rc;
	static const char text[] =
	    "[host]\n"
	    "config = /srv/$${x}/${dir}/vm.cfg\n";

	/* $${ is a literal ${; a value's ${ is not expanded again. */
	recipe_vars_set(&v, "dir", "${name}");
	err = parse_cap("t.rcp", text, strlen(text), &v, &rc, &r);
	CHECK_INT(rc, 0);
	CHECK_STR(err, "");
	free(err);
	if (CHECK(r != NULL)) {
		CHECK_STR(r->host.config_path, "/srv/${x}/${name}/vm.cfg");
		CHECK_INT(r->vars_used.n, 1);
		recipe_free(r);
	}
	d = dump_of_vars(text, strlen(text), &v);
	CHECK_STR(d, "[guest]\nroot = auto\n\n[host]\n"
	    "config = /srv/$${x}/$${name}/vm.cfg\n");
	check_roundtrip(d);
	free(d);
	recipe_vars_release(&v);

	CHECK_DUMP("[host]\nname = $${x}\n",
	    "[guest]\nroot = auto\n\n[host]\nconfig = auto\n"
	    "name = $${x}\n");
	/* A lone $ stays, as crypt hashes need. */
	CHECK_DUMP("[guest]\nroot-password = hash:$y$j9T$F5Jx$Xy.z/0\n",
	    "[guest]\nroot = auto\nroot-password = hash:$y$j9T$F5Jx$Xy.z/0\n"
	    "\n[host]\nconfig = auto\n");
}

static void
test_comments_and_layout(void)
{
	/* Comments, blanks, tabs, CRLF, BOM, no final newline. */
	CHECK_DUMP("\xef\xbb\xbf# head\r\n"
	    "  [ guest ]\t# trailing\r\n"
	    "\thostname\t=\tweb1   # the ${nosuch} is in a comment\r\n"
	    "   # indented comment\r\n"
	    "\r\n"
	    "[nic  eth0]#tight\r\n"
	    "mac=auto#tight\r\n"
	    "[host]\r\n"
	    "uuid = new",
	    "[guest]\nroot = auto\nhostname = web1\n"
	    "\n[nic eth0]\nmac = auto\n"
	    "\n[host]\nconfig = auto\nuuid = new\n");
	/* An empty recipe keeps everything. */
	CHECK_DUMP("", "[guest]\nroot = auto\n\n[host]\nconfig = auto\n");
	CHECK_DUMP("# nothing\n\n",
	    "[guest]\nroot = auto\n\n[host]\nconfig = auto\n");
	/* UTF-8 in comments is fine. */
	CHECK_DUMP("# caf\xc3\xa9 \xe2\x82\xac\n[guest]\n",
	    "[guest]\nroot = auto\n\n[host]\nconfig = auto\n");
}

static void
test_bytes(void)
{
	static const char nul[] = "[guest]\nhostname = a\0b\nroot = x\n";
	struct recipe_vars v = RECIPE_VARS_INIT;
	struct buf b = BUF_INIT;
	char *err;
	int rc;

	std_vars(&v);
	err = parse_cap("t.rcp", nul, sizeof(nul) - 1, &v, &rc, NULL);
	CHECK_INT(rc, -1);
	CHECK_STR(err,
	    "imprint: t.rcp:2: NUL byte in line\n"
	    "imprint: t.rcp:3: bad root 'x': expected auto, partition:N "
	    "(1 to 128) or a device path such as /dev/sda2 or "
	    "/dev/VolGroup00/LogVol00\n");
	free(err);

	/* A line of exactly RECIPE_MAX_LINE bytes passes, one more not. */
	buf_adds(&b, "[guest]\n# ");
	while (b.len < 8 + RECIPE_MAX_LINE)
		buf_addc(&b, 'x');
	buf_adds(&b, "\n# ");
	while (b.len < 8 + 2 * RECIPE_MAX_LINE + 2)
		buf_addc(&b, 'y');
	buf_adds(&b, "\r\n[nic eth0]\n");
	err = parse_cap("t.rcp", b.data, b.len, &v, &rc, NULL);
	CHECK_INT(rc, -1);
	CHECK_STR(err, "imprint: t.rcp:3: line longer than 4096 bytes\n");
	free(err);
	buf_release(&b);

	/* Over the size cap. */
	buf_adds(&b, "[guest]\n");
	while (b.len <= RECIPE_MAX_SIZE)
		buf_adds(&b, "# padding padding padding padding padding\n");
	err = parse_cap("t.rcp", b.data, b.len, &v, &rc, NULL);
	CHECK_INT(rc, -1);
	CHECK_STR(err, "imprint: t.rcp:1: recipe larger than 65536 bytes\n");
	free(err);
	buf_release(&b);

	CHECK_ERRS("[guest]\rhostname = a\n",
	    "imprint: t.rcp:1: control character 0x0d in line\n");
	CHECK_ERRS("[guest]\n# \x1b[31m\n",
	    "imprint: t.rcp:2: control character 0x1b in line\n");
	CHECK_ERRS("[guest]\n# caf\xe9\n# \xc0\xaf\n# \xed\xa0\x80\n",
	    "imprint: t.rcp:2: invalid UTF-8 in line\n"
	    "imprint: t.rcp:3: invalid UTF-8 in line\n"
	    "imprint: t.rcp:4: invalid UTF-8 in line\n");
	CHECK_ERRS("[guest]\nhostname = caf\xc3\xa9\n",
	    "imprint: t.rcp:2: bad hostname 'caf\\xc3\\xa9': expected an "
	    "RFC 1123 host name: labels of letters, digits and '-' joined "
	    "by '.'\n");
	recipe_vars_release(&v);
}

static void
test_hostile_values(void)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	static const char text[] =
	    "[guest]\nhostname = ${evil}\n[host]\nname = ${evil}\n";
	char *err;
	int rc;

	recipe_vars_set(&v, "evil", "web1\nreboot");
	err = parse_cap("t.rcp", text, strlen(text), &v, &rc, NULL);
	CHECK_INT(rc, -1);
	CHECK_STR(err,
	    "imprint: t.rcp:2: bad hostname 'web1\\nreboot': expected an "
	    "RFC 1123 host name: labels of letters, digits and '-' joined "
	    "by '.'\n"
	    "imprint: t.rcp:4: bad name 'web1\\nreboot': expected up to 64 "
	    "bytes without blanks, quotes, '\\', ',', '=' or '#', not all "
	    "digits\n");
	free(err);
	recipe_vars_set(&v, "evil", "$(reboot)");
	err = parse_cap("t.rcp", text, strlen(text), &v, &rc, NULL);
	CHECK_INT(rc, -1);
	CHECK(strstr(err, "t.rcp:2: bad hostname '$(reboot)'") != NULL);
	free(err);
	recipe_vars_set(&v, "evil", "a'b");
	err = parse_cap("t.rcp", text, strlen(text), &v, &rc, NULL);
	CHECK_INT(rc, -1);
	CHECK(strstr(err, "t.rcp:4: bad name 'a'b'") != NULL);
	free(err);
	recipe_vars_set(&v, "evil", "");
	err = parse_cap("t.rcp", text, strlen(text), &v, &rc, NULL);
	CHECK_INT(rc, -1);
	CHECK(strstr(err, "t.rcp:2: bad hostname ''") != NULL);
	free(err);
	recipe_vars_release(&v);

	/* A crypt hash is never echoed (it may be a pasted password). */
	CHECK_ERRS("[guest]\nroot-password = hash:secret\n",
	    "imprint: t.rcp:2: bad root-password: 'hash:' needs a crypt "
	    "hash such as $6$SALT$HASH or $y$PARAMS$SALT$HASH\n");
	CHECK_ERRS("[guest]\nroot-password = hash:$6$a:b$c\n",
	    "imprint: t.rcp:2: bad root-password: 'hash:' needs a crypt "
	    "hash such as $6$SALT$HASH or $y$PARAMS$SALT$HASH\n");
}

static void
test_values(void)
{
	/* Good values in their canonical form. */
	CHECK_DUMP("[guest]\nroot = partition:128\n"
	    "root-password = file:/root/hash\n"
	    "[nic eth0]\nmac = 02:00:00:00:00:01\nboot = static\n"
	    "address = 10.0.0.1/32\n"
	    "[nic ens3]\nmac = from-guest\nbridge = br-ex.1_a\n"
	    "[host]\nconfig = none\nuuid = 5f42be80-6d71-4295-9eaf-"
	    "40b1c2d30501\n",
	    "[guest]\nroot = partition:128\n"
	    "root-password = file:/root/hash\n"
	    "\n[nic eth0]\nmac = 02:00:00:00:00:01\nboot = static\n"
	    "address = 10.0.0.1/32\n"
	    "\n[nic ens3]\nmac = from-guest\nbridge = br-ex.1_a\n"
	    "\n[host]\nconfig = none\n"
	    "uuid = 5f42be80-6d71-4295-9eaf-40b1c2d30501\n");
	/* /31 has no network or broadcast address. */
	CHECK_DUMP("[nic eth0]\nboot = static\naddress = 10.0.0.0/31\n"
	    "gateway = 10.0.0.1\n",
	    "[guest]\nroot = auto\n\n[nic eth0]\nboot = static\n"
	    "address = 10.0.0.0/31\ngateway = 10.0.0.1\n"
	    "\n[host]\nconfig = auto\n");
	CHECK_ERRS("[guest]\nroot = partition:129\n",
	    "imprint: t.rcp:2: bad root 'partition:129': expected auto, "
	    "partition:N (1 to 128) or a device path such as /dev/sda2 or "
	    "/dev/VolGroup00/LogVol00\n");
	CHECK_ERRS("[guest]\nroot = /dev/../etc/shadow\n",
	    "imprint: t.rcp:2: bad root '/dev/../etc/shadow': expected "
	    "auto, partition:N (1 to 128) or a device path such as "
	    "/dev/sda2 or /dev/VolGroup00/LogVol00\n");
	CHECK_ERRS("[nic eth0]\nmac = 00:16:3e:00:00:01\n"
	    "[nic eth1]\nmac = 00:16:3E:00:00:01\n",
	    "imprint: t.rcp:4: mac '00:16:3e:00:00:01' is also given to "
	    "[nic eth0] at line 2\n");
	CHECK_ERRS("[nic eth0]\nboot = static\naddress = 10.0.0.5/24\n"
	    "gateway = 10.0.0.5\n",
	    "imprint: t.rcp:4: gateway '10.0.0.5' is the NIC's own "
	    "address\n");
	CHECK_ERRS("[nic eth0]\nboot = static\naddress = 10.0.0.5/24\n"
	    "gateway = 10.0.0.255\n",
	    "imprint: t.rcp:4: gateway '10.0.0.255' is the broadcast "
	    "address of its subnet\n");
	CHECK_ERRS("[nic eth0]\nboot = static\naddress = 127.0.0.5/8\n"
	    "gateway = 224.0.0.1\n",
	    "imprint: t.rcp:3: bad address '127.0.0.5/8': not a unicast "
	    "host address\n"
	    "imprint: t.rcp:4: bad gateway '224.0.0.1': not a unicast host "
	    "address\n");
	CHECK_ERRS("[host]\nuuid = 00000000-0000-0000-0000-000000000000\n"
	    "name = 123\n",
	    "imprint: t.rcp:2: bad uuid '00000000-0000-0000-0000-"
	    "000000000000': expected new or a uuid such as "
	    "5f42be80-6d71-4295-9eaf-40b1c2d30501\n"
	    "imprint: t.rcp:3: bad name '123': expected up to 64 bytes "
	    "without blanks, quotes, '\\', ',', '=' or '#', not all "
	    "digits\n");
}

static void
test_too_many(void)
{
	struct buf b = BUF_INIT;
	char *err;
	size_t i, lines = 0;
	const char *p;

	buf_adds(&b, "[guest]\n");
	for (i = 0; i < 30; i++)
		buf_adds(&b, "colour = red\n");
	err = errs_of(b.data);
	for (p = err; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	CHECK_INT(lines, RECIPE_MAX_ERRORS + 1);
	CHECK(strstr(err, "imprint: t.rcp:2: unknown key 'colour' in "
	    "[guest]\n") == err);
	CHECK(strstr(err, "imprint: t.rcp:21: unknown key 'colour' in "
	    "[guest]\nimprint: t.rcp: too many errors, giving up\n") != NULL);
	free(err);
	buf_release(&b);

	/* More [nic] sections than RECIPE_MAX_NICS. */
	for (i = 0; i <= RECIPE_MAX_NICS; i++)
		buf_addf(&b, "[nic eth%zu]\n", i);
	err = errs_of(b.data);
	CHECK_STR(err, "imprint: t.rcp:65: more than 64 [nic] sections\n");
	free(err);
	buf_release(&b);
}

/* Capture stderr around a vars call. */
static char *
vars_cap(struct recipe_vars *v, const char *def, int *rc)
{
	FILE *f = tmpfile();
	struct buf b = BUF_INIT;
	char chunk[512];
	size_t n;
	int saved;

	if (f == NULL)
		exit(1);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(f), 2);
	*rc = recipe_vars_parse_define(v, def);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	buf_adds(&b, "");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b, NULL);
}

static void
test_vars(void)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	char *err;
	int rc;

	err = vars_cap(&v, "name=web1", &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(err, "");
	free(err);
	err = vars_cap(&v, "empty=", &rc);
	CHECK_INT(rc, 0);
	free(err);
	err = vars_cap(&v, "eq=a=b", &rc);
	CHECK_INT(rc, 0);
	free(err);
	CHECK_STR(recipe_vars_get(&v, "name"), "web1");
	CHECK_STR(recipe_vars_get(&v, "empty"), "");
	CHECK_STR(recipe_vars_get(&v, "eq"), "a=b");
	CHECK_STR(recipe_vars_get(&v, "nam"), NULL);
	err = vars_cap(&v, "name=web2", &rc);
	CHECK_INT(rc, -1);
	CHECK_STR(err, "imprint: variable 'name' defined twice\n");
	free(err);
	err = vars_cap(&v, "name", &rc);
	CHECK_INT(rc, -1);
	CHECK_STR(err, "imprint: bad definition 'name': expected "
	    "KEY=VALUE\n");
	free(err);
	err = vars_cap(&v, "1x=a", &rc);
	CHECK_INT(rc, -1);
	CHECK_STR(err, "imprint: bad variable name '1x': expected a letter "
	    "or '_', then letters, digits, '_' or '-'\n");
	free(err);
	err = vars_cap(&v, "=a", &rc);
	CHECK_INT(rc, -1);
	free(err);
	CHECK_INT(recipe_vars_set(&v, "name", "web3"), 0);
	CHECK_STR(recipe_vars_get(&v, "name"), "web3");
	CHECK_INT(v.n, 3);
	CHECK(recipe_var_name_valid("_a-b_9"));
	CHECK(!recipe_var_name_valid("a.b"));
	CHECK(!recipe_var_name_valid(""));
	recipe_vars_release(&v);
	CHECK_INT(v.n, 0);
}

static void
test_var_refs(void)
{
	struct strlist refs = STRLIST_INIT;
	static const char ok[] =
	    "[guest]\nhostname = ${b}.${a}\n# ${c}\n[host]\nname = ${b}\n"
	    "config = /x/$${d}\n";
	static const char bad[] = "[guest]\nhostname = ${b\n";
	int rc;
	FILE *f;
	int saved;

	strlist_add(&refs, "a");
	CHECK_INT(recipe_var_refs("t.rcp", ok, strlen(ok), &refs), 0);
	CHECK_INT(refs.n, 2);
	if (refs.n == 2) {
		CHECK_STR(refs.v[0], "a");
		CHECK_STR(refs.v[1], "b");
	}
	strlist_release(&refs);
	fflush(stderr);
	f = tmpfile();
	saved = dup(2);
	dup2(fileno(f), 2);
	rc = recipe_var_refs("t.rcp", bad, strlen(bad), &refs);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fclose(f);
	CHECK_INT(rc, -1);
	strlist_release(&refs);
}

static void
test_load(void)
{
	char path[] = "/tmp/imprint-recipe.XXXXXX";
	struct recipe *r = (struct recipe *)&r;
	struct buf b = BUF_INIT;
	int fd, saved, rc;
	FILE *f;
	char *err;
	size_t len;

	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		exit(1);
	}
	while (b.len <= RECIPE_MAX_SIZE)
		buf_adds(&b, "#############################################\n");
	if (write(fd, b.data, b.len) != (ssize_t)b.len)
		exit(1);
	close(fd);
	buf_release(&b);
	fflush(stderr);
	f = tmpfile();
	saved = dup(2);
	dup2(fileno(f), 2);
	rc = recipe_load(path, NULL, &r);
	unlink(path);
	rc += recipe_load("/nonexistent/x.rcp", NULL, &r);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	buf_adds(&b, "");
	{
		char chunk[512];

		while ((len = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&b, chunk, len);
	}
	fclose(f);
	CHECK_INT(rc, -2);
	CHECK(r == NULL);
	err = xasprintf("imprint: cannot read '%s': larger than 65536 "
	    "bytes\nimprint: cannot read '/nonexistent/x.rcp': No such file "
	    "or directory\n", path);
	CHECK_STR(b.data, err);
	free(err);
	buf_release(&b);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every tests/data/recipes-bad/NAME.rcp fails with exactly NAME.err. */
static void
test_golden(void)
{
	struct strlist names = STRLIST_INIT;
	const char *regen = getenv("IMPRINT_REGEN");
	struct dirent *e;
	size_t i, n, len, elen;
	DIR *d;

	if (!CHECK((d = opendir(BAD_DIR)) != NULL))
		return;
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".rcp") == 0)
			strlist_add_owned(&names, xstrndup(e->d_name, n - 4));
	}
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), name_cmp);
	CHECK(names.n >= 15);
	for (i = 0; i < names.n; i++) {
		struct recipe_vars v = RECIPE_VARS_INIT;
		char *rcp = xasprintf("%s/%s.rcp", BAD_DIR, names.v[i]);
		char *errp = xasprintf("%s/%s.err", BAD_DIR, names.v[i]);
		char *defp = xasprintf("%s/%s.def", BAD_DIR, names.v[i]);
		char *disp = xasprintf("%s.rcp", names.v[i]);
		char *text, *want, *got, *defs, *line, *save;
		int rc;

		std_vars(&v);
		if ((defs = slurp(defp, &len)) != NULL) {
			for (line = strtok_r(defs, "\n", &save); line;
			    line = strtok_r(NULL, "\n", &save)) {
				char *eq = strchr(line, '=');

				if (!CHECK(eq != NULL))
					continue;
				*eq = '\0';
				CHECK_INT(recipe_vars_set(&v, line, eq + 1),
				    0);
			}
			free(defs);
		}
		text = slurp(rcp, &len);
		if (!CHECK(text != NULL))
			goto next;
		got = parse_cap(disp, text, len, &v, &rc, NULL);
		CHECK_INT(rc, -1);
		if (regen) {
			FILE *f = fopen(errp, "w");

			if (f) {
				fputs(got, f);
				fclose(f);
			}
		} else if ((want = slurp(errp, &elen)) != NULL) {
			if (strcmp(got, want) != 0)
				fprintf(stderr, "golden case %s:\n",
				    names.v[i]);
			CHECK_STR(got, want);
			free(want);
		} else
			CHECK(!"missing .err file");
		free(got);
		free(text);
next:
		recipe_vars_release(&v);
		free(rcp);
		free(errp);
		free(defp);
		free(disp);
	}
	strlist_release(&names);
}

/* [host] disk = follow | keep, diskN = PATH. */
static void
test_disk_keys(void)
{
	struct recipe *r = NULL;
	struct recipe_vars v = RECIPE_VARS_INIT;
	char *err;
	int rc;
	static const char two[] = "[host]\ndisk1 = /OVS/${name}/u01.img\n"
	    "disk0 = /OVS/${name}/System.img\n";

	CHECK_DUMP("[host]\ndisk = follow\n",
	    "[guest]\nroot = auto\n\n[host]\nconfig = auto\n");
	CHECK_DUMP("[host]\ndisk = keep\n",
	    "[guest]\nroot = auto\n\n[host]\nconfig = auto\n"
	    "disk = keep\n");
	check_roundtrip("[guest]\nroot = auto\n\n[host]\nconfig = auto\n"
	    "disk = keep\n");
	/* Substituted; in recipe order; the others are kept. */
	CHECK_DUMP(two, "[guest]\nroot = auto\n\n[host]\nconfig = auto\n"
	    "disk1 = /OVS/web1/u01.img\ndisk0 = /OVS/web1/System.img\n");
	std_vars(&v);
	err = parse_cap("t.rcp", two, strlen(two), &v, &rc, &r);
	CHECK_INT(rc, 0);
	CHECK_STR(err, "");
	free(err);
	if (r != NULL) {
		CHECK_INT(r->host.disk_kind, RECIPE_DISK_KEEP);
		CHECK_INT(r->host.ndisks, 2);
		if (r->host.ndisks == 2) {
			CHECK_INT(r->host.disks[0].index, 1);
			CHECK_INT(r->host.disks[0].line, 2);
			CHECK_STR(r->host.disks[1].path,
			    "/OVS/web1/System.img");
		}
	}
	recipe_free(r);
	recipe_vars_release(&v);
	CHECK_DUMP("[host]\ndisk = keep\ndisk0 = /a.img\n",
	    "[guest]\nroot = auto\n\n[host]\nconfig = auto\n"
	    "disk0 = /a.img\n");

	CHECK_ERRS("[host]\ndisk = copy\n",
	    "imprint: t.rcp:2: bad disk 'copy': expected follow, keep, or "
	    "diskN = PATH keys for single disks\n");
	CHECK_ERRS("[host]\ndisk = follow\ndisk0 = /a.img\n",
	    "imprint: t.rcp:2: 'disk = follow' conflicts with 'disk0' (line "
	    "3): give one or the other\n");
	CHECK_ERRS("[host]\ndisk0 = ${name}/System.img\n",
	    "imprint: t.rcp:2: bad disk0 'web1/System.img': expected an "
	    "absolute path without quotes, '\\' or '#'\n");
	CHECK_ERRS("[host]\ndisk0 = /a.img\ndisk0 = /b.img\n",
	    "imprint: t.rcp:3: duplicate key 'disk0' (first at line 2)\n");
	CHECK_ERRS("[host]\ndisk64 = /a.img\n",
	    "imprint: t.rcp:2: bad key 'disk64': disks are numbered from "
	    "disk0 to disk63\n");
	CHECK_ERRS("[host]\ndisk01 = /a.img\n",
	    "imprint: t.rcp:2: unknown key 'disk01' in [host]\n");
	CHECK_ERRS("[guest]\ndisk0 = /a.img\n",
	    "imprint: t.rcp:2: unknown key 'disk0' in [guest]\n");
	CHECK_ERRS("[host]\ndisk0 =\n",
	    "imprint: t.rcp:2: missing value for 'disk0'\n");
	CHECK_ERRS("[host]\ndisk0 = ${nope}\n",
	    "imprint: t.rcp:2: undefined variable 'nope'\n");
}

/* Variables a diskN value refers to are found without values. */
static void
test_disk_refs(void)
{
	static const char t[] = "[host]\ndisk0 = /OVS/${vm}/System.img\n";
	struct strlist names = STRLIST_INIT;

	CHECK_INT(recipe_var_refs("t.rcp", t, strlen(t), &names), 0);
	CHECK_INT(names.n, 1);
	if (names.n == 1)
		CHECK_STR(names.v[0], "vm");
	strlist_release(&names);
}

/* [host] domain: a libvirt domain instead of a config file. */
static void
test_domain(void)
{
	CHECK_DUMP("[host]\ndomain = ${name}-kvm\nuuid = new\n",
	    "[guest]\nroot = auto\n\n[host]\ndomain = web1-kvm\n"
	    "uuid = new\n");
	check_roundtrip("[guest]\nroot = auto\n\n[host]\n"
	    "domain = 4f0c2a9e-7d1b-4c3a-9e5f-1a2b3c4d5e6f\n");
	CHECK_DUMP("[host]\ndomain = my web #2\n",	/* '#': a comment */
	    "[guest]\nroot = auto\n\n[host]\ndomain = my web\n");
	CHECK_ERRS("[host]\nconfig = /etc/xen/a.cfg\ndomain = a\n",
	    "imprint: t.rcp:3: give config or domain, not both (config on line 2)\n");
	CHECK_ERRS("[host]\ndomain = a\nconfig = none\n",
	    "imprint: t.rcp:3: give config or domain, not both (domain on line 2)\n");
	CHECK_ERRS("[guest]\nforget = ssh-hostkeys\nssh-hostkeys = new\n",
	    "imprint: t.rcp:3: forget = ssh-hostkeys (line 2) and "
	    "ssh-hostkeys = new: give one\n");
	CHECK_ERRS("[guest]\nssh-hostkeys = new\nforget = ssh-hostkeys\n",
	    "imprint: t.rcp:3: forget = ssh-hostkeys and ssh-hostkeys = new "
	    "(line 2): give one\n");
	CHECK_ERRS("[guest]\nssh-hostkeys = fresh\n",
	    "imprint: t.rcp:2: bad ssh-hostkeys 'fresh': expected new or "
	    "keep\n");
	CHECK_DUMP("[guest]\nssh-hostkeys = keep\nforget = ssh-hostkeys\n",
	    "[guest]\nroot = auto\nforget = ssh-hostkeys\n\n[host]\n"
	    "config = auto\n");
	CHECK_ERRS("[host]\ndomain = a/b\n",
	    "imprint: t.rcp:2: bad domain 'a/b': expected a libvirt domain's name "
	    "(up to 255 bytes, no '/') or uuid\n");
}

int
main(void)
{
	/* warnx prefixes the program name; make it the real one. */
	program_invocation_short_name = (char *)"imprint";
	test_issue_example();
	test_shipped();
	test_subst_everywhere();
	test_literals();
	test_comments_and_layout();
	test_bytes();
	test_hostile_values();
	test_values();
	test_too_many();
	test_vars();
	test_var_refs();
	test_load();
	test_golden();
	test_disk_keys();
	test_domain();
	test_disk_refs();
	return unit_done();
}
