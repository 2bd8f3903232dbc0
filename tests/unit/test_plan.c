/*
 * Unit tests for src/plan.c, src/survey.c and the in-memory guest
 * filesystem (src/gfs_mem.c): the shipped recipes planned against the
 * test guests of tests/data/guest-* held in memory, every planned file
 * checked byte for byte, the plan carried out on the tree and on a copy
 * of the domain config, and the undo record turned back into a plan that
 * restores every file, a symlink as a symlink.  No appliance.
 *
 * Generated values (MACs, uuid, password hash) are random: the expected
 * texts take them from the plan's "generated" and "applied" lines, and
 * the tests check their form.
 */
#define _GNU_SOURCE	/* memmem, program_invocation_short_name */
#include <sys/ioctl.h>

#include <linux/fs.h>

#include <crypt.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "gfs.h"
#include "guest.h"
#include "hostdir.h"
#include "domcfg.h"
#include "ident.h"
#include "plan.h"
#include "recipe.h"
#include "survey.h"
#include "textfix.h"
#include "undo.h"
#include "unit.h"
#include "util.h"
#include "valid.h"

static char tmpdir[] = "/tmp/imprint-test-plan.XXXXXX";

/* ---- the in-memory filesystem itself -------------------------------- */

static void
test_gfs_mem(void)
{
	struct gfs *fs = gfs_mem_new();
	struct strlist l = STRLIST_INIT;
	struct guest_attr a = { 0600, 5, 6 }, got;
	const char *d;
	char *buf, *t, type;
	size_t len;

	gfs_mem_add_file(fs, "/etc/machine-id", "abc\n", 4, 0444, 0, 0);
	gfs_mem_add_symlink(fs, "/var/lib/dbus/machine-id",
	    "/etc/machine-id");
	gfs_mem_add_symlink(fs, "/etc/up", "../etc/./machine-id");
	gfs_mem_add_symlink(fs, "/loop", "/loop");
	gfs_mem_add_symlink(fs, "/out", "../../../etc");

	/* reads follow links inside the tree, ".." stops at the root */
	CHECK_INT(gfs_read(fs, "/var/lib/dbus/machine-id", 100, &buf, &len), 0);
	CHECK_MEM(buf, len, "abc\n", 4);
	free(buf);
	CHECK_INT(gfs_read(fs, "/etc/up", 100, &buf, &len), 0);
	free(buf);
	CHECK_INT(gfs_read(fs, "/out/machine-id", 100, &buf, &len), 0);
	CHECK_MEM(buf, len, "abc\n", 4);
	free(buf);
	CHECK_INT(gfs_read(fs, "/loop", 100, &buf, &len), 1);
	CHECK_INT(gfs_read(fs, "/etc/machine-id", 3, &buf, &len), -1);
	CHECK_INT(gfs_read(fs, "/nope", 100, &buf, &len), 1);
	CHECK_INT(gfs_read(fs, "/etc", 100, &buf, &len), -1);

	CHECK_INT(gfs_lstat(fs, "/var/lib/dbus/machine-id", &got, &type), 0);
	CHECK_INT(type, 'l');
	CHECK_INT(gfs_readlink(fs, "/var/lib/dbus/machine-id", &t), 0);
	CHECK_STR(t, "/etc/machine-id");
	free(t);
	CHECK_INT(gfs_is_file(fs, "/var/lib/dbus/machine-id"), 1);
	CHECK_INT(gfs_is_file(fs, "/var/lib/dbus"), 0);

	CHECK_INT(gfs_ls(fs, "/", &l), 0);
	CHECK_INT(l.n, 4);
	CHECK_STR(l.n == 4 ? l.v[0] : "", "etc");
	CHECK_STR(l.n == 4 ? l.v[1] : "", "loop");
	CHECK_STR(l.n == 4 ? l.v[3] : "", "var");
	strlist_release(&l);
	CHECK_INT(gfs_ls(fs, "/etc", &l), 0);
	CHECK_INT(l.n, 2);
	strlist_release(&l);
	CHECK_INT(gfs_ls(fs, "/srv", &l), 1);
	CHECK_INT(gfs_glob(fs, "/etc", "m*", &l), 0);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.n ? l.v[0] : "", "/etc/machine-id");
	strlist_release(&l);

	/* writes: never through a symlink; a new file takes like's attrs */
	CHECK_INT(gfs_write(fs, "/var/lib/dbus/machine-id", "x", 1, NULL,
	    NULL), -1);
	CHECK_INT(gfs_write(fs, "/nodir/f", "x", 1, NULL, NULL), -1);
	CHECK_INT(gfs_write(fs, "/etc/new", "x", 1, "/etc/machine-id", NULL),
	    0);
	CHECK_INT(gfs_mem_get(fs, "/etc/new", &d, &len, &got), 'f');
	CHECK_INT(got.mode, 0444);
	CHECK_INT(gfs_write(fs, "/etc/new", "yz", 2, NULL, &a), 0);
	CHECK_INT(gfs_mem_get(fs, "/etc/new", &d, &len, &got), 'f');
	CHECK_MEM(d, len, "yz", 2);
	CHECK_INT(got.mode, 0600);
	CHECK_INT(got.uid, 5);
	CHECK_INT(gfs_setxattr(fs, "/etc/new", "security.selinux",
	    "system_u:object_r:etc_t:s0", 26), 0);
	CHECK_INT(gfs_write(fs, "/etc/new", "w", 1, NULL, NULL), 0);
	CHECK_INT(gfs_getxattr(fs, "/etc/new", "security.selinux", &t, &len),
	    0);
	CHECK_STR(t, "system_u:object_r:etc_t:s0");	/* a rewrite keeps it */
	free(t);
	CHECK_INT(gfs_getxattr(fs, "/etc/new", "user.x", &t, &len), 1);

	/* remove takes the link, not its target; symlink refuses to clobber */
	CHECK_INT(gfs_remove(fs, "/var/lib/dbus/machine-id"), 0);
	CHECK_INT(gfs_mem_get(fs, "/var/lib/dbus/machine-id", &d, &len, NULL),
	    0);
	CHECK_INT(gfs_mem_get(fs, "/etc/machine-id", &d, &len, NULL), 'f');
	CHECK_INT(gfs_remove(fs, "/var/lib/dbus/machine-id"), 0);
	CHECK_INT(gfs_remove(fs, "/etc"), -1);
	CHECK_INT(gfs_symlink(fs, "/etc/machine-id", "/etc/new", NULL), -1);
	CHECK_INT(gfs_symlink(fs, "/etc/machine-id",
	    "/var/lib/dbus/machine-id", &a), 0);
	CHECK_INT(gfs_mem_get(fs, "/var/lib/dbus/machine-id", &d, &len, &got),
	    'l');
	CHECK_STR(d, "/etc/machine-id");
	CHECK_INT(got.uid, 5);

	gfs_mem_fail_on(fs, "/etc/new");
	CHECK_INT(gfs_write(fs, "/etc/new", "q", 1, NULL, NULL), -1);
	gfs_mem_fail_on(fs, NULL);
	CHECK_INT(gfs_write(fs, "/etc/new", "q", 1, NULL, NULL), 0);
	gfs_mem_free(fs);
}

/* ---- planning the shipped recipes ------------------------------------ */

struct run {
	struct gfs		*fs;
	struct recipe		*r;
	struct domcfg		*cfg;
	struct ident_macs	*macs;
	struct survey		 s;
	struct guest_root	 root;
	struct plan		 p;
	char			*cfgpath;	/* a copy in tmpdir */
	const char		*images[2];	/* as the config is to name */
	size_t			 nimages;
	const struct undo	*prev;		/* the last apply's record */
};

/* Copy host file src to tmpdir/name with mode (caller frees the path). */
static char *
copy_host(const char *src, const char *name, mode_t mode)
{
	char *buf, *dst = xasprintf("%s/%s", tmpdir, name);
	size_t len;
	FILE *f;

	if (read_host_file(src, 1 << 20, &buf, &len) == -1 ||
	    (f = fopen(dst, "w")) == NULL || fwrite(buf, 1, len, f) != len ||
	    fclose(f) != 0 || chmod(dst, mode) == -1) {
		fprintf(stderr, "cannot copy %s to %s\n", src, dst);
		exit(1);
	}
	free(buf);
	return dst;
}

/*
 * Load guest tree dir into memory, parse recipe with the "KEY=VALUE"
 * variables (NULL-terminated) and take a copy of config.  The caller may
 * then adjust the tree before run_build.
 */
static void
run_setup(struct run *x, const char *dir, const char *recipe,
    const char *config, const char *distro, int major, int minor, ...)
{
	struct recipe_vars v = RECIPE_VARS_INIT;
	const char *kv;
	va_list ap;

	memset(x, 0, sizeof(*x));
	x->fs = gfs_mem_new();
	if (gfs_mem_load_dir(x->fs, dir) == -1)
		exit(1);
	va_start(ap, minor);
	while ((kv = va_arg(ap, const char *)) != NULL)
		if (recipe_vars_parse_define(&v, kv) == -1)
			exit(1);
	va_end(ap);
	if (recipe_load(recipe, &v, &x->r) == -1)
		exit(1);
	recipe_vars_release(&v);
	if (config) {
		x->cfgpath = copy_host(config, "vm.cfg", 0640);
		if (domcfg_load(x->cfgpath, &x->cfg) == -1)
			exit(1);
	}
	x->root.dev = xstrdup("/dev/sda2");
	x->root.display = xstrdup("/dev/sda2");
	x->root.os.type = xstrdup("linux");
	x->root.os.distro = xstrdup(distro);
	x->root.os.product = xstrdup("");
	x->root.os.source = xstrdup("release files");
	x->root.os.major = major;
	x->root.os.minor = minor;
	x->macs = ident_macs_new();
}

/* Survey the tree and plan; plan_build's result. */
static int
run_build(struct run *x)
{
	struct plan_input in;

	if (survey_read(x->fs, &x->s) == -1)
		exit(1);
	memset(&in, 0, sizeof(in));
	in.recipe = x->r;
	in.fs = x->fs;
	in.root = &x->root;
	in.survey = &x->s;
	in.cfg = x->cfg;
	in.macs = x->macs;
	in.images = x->images;
	in.nimages = x->nimages;
	in.prev = x->prev;
	return plan_build(&x->p, &in);
}

/* Give path (a file of the tree) mode, keeping its bytes. */
static void
set_mode(struct gfs *fs, const char *path, unsigned mode)
{
	struct guest_attr a = { mode, 0, 0 };
	const char *d;
	char *copy;
	size_t len;

	if (gfs_mem_get(fs, path, &d, &len, NULL) != 'f')
		exit(1);
	copy = xmalloc(len + 1);
	memcpy(copy, d, len);
	if (gfs_write(fs, path, copy, len, NULL, &a) == -1)
		exit(1);
	free(copy);
}

static void
run_release(struct run *x)
{
	plan_release(&x->p);
	survey_release(&x->s);
	guest_root_release(&x->root);
	ident_macs_free(x->macs);
	domcfg_free(x->cfg);
	recipe_free(x->r);
	gfs_mem_free(x->fs);
	if (x->cfgpath)
		unlink(x->cfgpath);
	free(x->cfgpath);
}

/* The value of "key=VALUE" in l, or "" (owned by l). */
static const char *
kv(const struct strlist *l, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; i < l->n; i++)
		if (strncmp(l->v[i], key, n) == 0 && l->v[i][n] == '=')
			return l->v[i] + n + 1;
	return "";
}

/* "op path" of every planned file, one per line. */
static char *
plan_list(const struct plan *p)
{
	static const char *ops[] = { "modify", "create", "remove", "symlink",
	    "uuid" };
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "");
	for (i = 0; i < p->n; i++)
		buf_addf(&b, "%s %s%s\n", ops[p->f[i].op], p->f[i].host ?
		    "host " : "", p->f[i].host ? "vm.cfg" : p->f[i].path);
	return buf_detach(&b, NULL);
}

static const struct plan_file *
planned(const struct plan *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!p->f[i].host && strcmp(p->f[i].path, path) == 0)
			return &p->f[i];
	return NULL;
}

/* The planned new bytes of path equal want. */
#define CHECK_PLANNED(p, path, want) do {				\
	const struct plan_file *f_ = planned((p), (path));		\
	if (CHECK(f_ != NULL))						\
		CHECK_MEM(f_->new.data, f_->new.len, (want),		\
		    strlen(want));					\
} while (0)

/* A file of the tree equals want. */
#define CHECK_TREE(fs, path, want) do {					\
	const char *d_;							\
	size_t l_;							\
	if (CHECK(gfs_mem_get((fs), (path), &d_, &l_, NULL) == 'f'))	\
		CHECK_MEM(d_, l_, (want), strlen(want));		\
} while (0)

/* The bytes of file path of the test guest dir (caller frees). */
static char *
guest_file_text(const char *dir, const char *path)
{
	char *p = xasprintf("%s%s", dir, path), *buf;
	size_t len;

	if (read_host_file(p, 1 << 20, &buf, &len) == -1)
		exit(1);
	free(p);
	return buf;
}

static bool
is_mac(const char *m)
{
	return strlen(m) == 17 && strncmp(m, "00:16:3e:", 9) == 0 &&
	    strspn(m + 9, "0123456789abcdef:") == 8;
}

/* root's hash in shadow text s verifies password pw. */
static bool
root_hash_ok(const char *s, const char *pw, const char *prefix)
{
	char *h, *e, *c;
	bool ok;

	if (strncmp(s, "root:", 5) != 0 || (e = strchr(s + 5, ':')) == NULL)
		return false;
	h = xstrndup(s + 5, (size_t)(e - s - 5));
	c = crypt(pw, h);
	ok = c != NULL && strcmp(c, h) == 0 &&
	    strncmp(h, prefix, strlen(prefix)) == 0;
	free(h);
	return ok;
}

/*
 * p's undo record for an empty image file NAME in tmpdir, saved and
 * loaded back as `imprint undo` reads it; *img_r gets the image's path
 * (caller frees, removes).
 */
static struct undo *
record_round_trip(const struct plan *p, const char *name, const char *root,
    char **img_r)
{
	struct undo *u, *back = NULL;
	FILE *fi;

	*img_r = xasprintf("%s/%s", tmpdir, name);
	if ((fi = fopen(*img_r, "w")) == NULL || fclose(fi) != 0)
		exit(1);
	u = undo_new(*img_r, root);
	plan_to_undo(p, u);
	CHECK_INT(undo_save(u), 0);
	CHECK_INT(undo_load(*img_r, &back), 0);
	undo_free(u);
	return back;
}

/* Oracle VM 2 EL5 template, copied: recipes/ovm2-el5-clone.rcp. */
static void
test_ovm2_el5(void)
{
	struct run x;
	const char *m0, *m1, *uuid;
	char *want, *list, *cfgtext;
	const struct plan_file *f;
	struct guest_attr a;
	const char *d;
	size_t len, nch;

	run_setup(&x, "tests/data/guest-ovs", "recipes/ovm2-el5-clone.rcp",
	    "tests/data/ovs.vm.cfg", "rhel", 5, 2, "name=web1", "octet=21", NULL);
	set_mode(x.fs, "/etc/sysconfig/network-scripts/ifcfg-eth0", 0640);
	x.images[0] = "/OVS/running_pool/web1/System.img";
	x.nimages = 1;
	CHECK_INT(run_build(&x), 0);
	m0 = kv(&x.p.generated, "nic0.mac");
	m1 = kv(&x.p.generated, "nic1.mac");
	uuid = kv(&x.p.generated, "uuid");
	CHECK(is_mac(m0));
	CHECK(is_mac(m1));
	CHECK(strcmp(m0, m1) != 0);
	CHECK_INT(strlen(uuid), 36);
	CHECK_INT(x.p.generated.n, 3);

	list = plan_list(&x.p);
	CHECK_STR(list,
	    "modify /etc/sysconfig/network\n"
	    "modify /etc/hosts\n"
	    "modify /etc/sysconfig/network-scripts/ifcfg-eth0\n"
	    "modify /etc/udev/rules.d/70-persistent-net.rules\n"
	    "create /etc/sysconfig/network-scripts/ifcfg-eth1\n"
	    "modify /etc/sysconfig/hwconf\n"
	    "remove /etc/ssh/ssh_host_dsa_key\n"
	    "remove /etc/ssh/ssh_host_dsa_key.pub\n"
	    "remove /etc/ssh/ssh_host_rsa_key\n"
	    "remove /etc/ssh/ssh_host_rsa_key.pub\n"
	    "modify /etc/shadow\n"
	    "modify host vm.cfg\n");
	free(list);

	CHECK_PLANNED(&x.p, "/etc/sysconfig/network",
	    "NETWORKING=yes\nNETWORKING_IPV6=no\n"
	    "HOSTNAME=web1.example.com\nGATEWAY=192.0.2.1\n");
	CHECK_PLANNED(&x.p, "/etc/hosts",
	    "# Do not remove the following line, or various programs\n"
	    "# that require network functionality will fail.\n"
	    "127.0.0.1\t\tlocalhost.localdomain localhost\n"
	    "::1\t\tlocalhost6.localdomain6 localhost6\n"
	    "192.0.2.21\t\tweb1.example.com web1\n");
	want = xasprintf("# Xen Virtual Ethernet\nDEVICE=eth0\n"
	    "BOOTPROTO=static\nBROADCAST=192.0.2.255\nHWADDR=%s\n"
	    "IPADDR=192.0.2.21\nNETMASK=255.255.255.0\nNETWORK=192.0.2.0\n"
	    "ONBOOT=yes\nGATEWAY=192.0.2.1\n", m0);
	CHECK_PLANNED(&x.p, "/etc/sysconfig/network-scripts/ifcfg-eth0", want);
	free(want);
	want = xasprintf("# Xen Virtual Ethernet\nDEVICE=eth1\n"
	    "BOOTPROTO=dhcp\nHWADDR=%s\nONBOOT=yes\n", m1);
	CHECK_PLANNED(&x.p, "/etc/sysconfig/network-scripts/ifcfg-eth1", want);
	free(want);
	f = planned(&x.p, "/etc/sysconfig/network-scripts/ifcfg-eth1");
	CHECK_STR(f ? f->like : NULL,
	    "/etc/sysconfig/network-scripts/ifcfg-eth0");

	/* the udev rule and hwconf follow the new MACs */
	f = planned(&x.p, "/etc/udev/rules.d/70-persistent-net.rules");
	want = xasprintf("ATTR{address}==\"%s\", ATTR{type}==\"1\", "
	    "KERNEL==\"eth*\", NAME=\"eth0\"\n"
	    "SUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", "
	    "ATTR{address}==\"%s\", ATTR{type}==\"1\", KERNEL==\"eth*\", "
	    "NAME=\"eth1\"\n", m0, m1);
	CHECK(f && f->new.len > strlen(want) && memcmp(f->new.data +
	    f->new.len - strlen(want), want, strlen(want)) == 0);
	free(want);
	want = xasprintf("network.hwaddr: %s\n", m0);
	f = planned(&x.p, "/etc/sysconfig/hwconf");
	CHECK(f && memmem(f->new.data, f->new.len, want, strlen(want)));
	free(want);

	/* a new root password ($6$ on EL 5), shown once; the rest kept */
	f = planned(&x.p, "/etc/shadow");
	CHECK(x.p.password != NULL && strlen(x.p.password) >= 12);
	CHECK(f && x.p.password && root_hash_ok(f->new.data, x.p.password,
	    "$6$"));
	CHECK(f && strstr(f->new.data, "\nbin:*:14125:0:99999:7:::\n"));

	/* the host config: name, uuid, the vif and the disk lines (the
	 * clone's own image, prefix and mode kept), nothing else */
	if (read_host_file("tests/data/ovs.vm.cfg", 1 << 20, &cfgtext,
	    &len) == -1)
		exit(1);
	cfgtext = subst_f(cfgtext, "name = 'tmpl-el5'", "name = 'web1'");
	cfgtext = subst_f(cfgtext,
	    "disk = ['file:/OVS/running_pool/tmpl-el5/System.img,xvda,w']",
	    "disk = ['file:/OVS/running_pool/web1/System.img,xvda,w']");
	cfgtext = subst_f(cfgtext, "5f42be80-6d71-4295-9eaf-40b1c2d30501",
	    uuid);
	want = xasprintf("vif = ['mac=%s, bridge=xenbr0, type=netfront', "
	    "'mac=%s,bridge=xenbr1']", m0, m1);
	cfgtext = subst_f(cfgtext,
	    "vif = ['mac=00:16:3e:10:20:01, bridge=xenbr0, type=netfront']",
	    want);
	free(want);
	CHECK(x.p.n > 0 && x.p.f[x.p.n - 1].host);
	if (x.p.n > 0)
		CHECK_MEM(x.p.f[x.p.n - 1].new.data, x.p.f[x.p.n - 1].new.len,
		    cfgtext, strlen(cfgtext));

	/* carried out: the tree holds the planned bytes, the keys are
	 * gone, the new ifcfg has its sibling's attributes, the config on
	 * the host is the planned text with its mode kept */
	CHECK_INT(plan_carry_out(x.fs, &x.p, &nch), 0);
	want = xasprintf("# Xen Virtual Ethernet\nDEVICE=eth1\n"
	    "BOOTPROTO=dhcp\nHWADDR=%s\nONBOOT=yes\n", m1);
	CHECK_TREE(x.fs, "/etc/sysconfig/network-scripts/ifcfg-eth1", want);
	free(want);
	CHECK_INT(gfs_mem_get(x.fs, "/etc/sysconfig/network-scripts/ifcfg-eth1",
	    &d, &len, &a), 'f');
	CHECK_INT(a.mode, 0640);
	CHECK_TREE(x.fs, "/etc/sysconfig/network",
	    "NETWORKING=yes\nNETWORKING_IPV6=no\n"
	    "HOSTNAME=web1.example.com\nGATEWAY=192.0.2.1\n");
	CHECK_INT(gfs_mem_get(x.fs, "/etc/ssh/ssh_host_rsa_key", &d, &len,
	    NULL), 0);
	free(cfgtext);
	cfgtext = NULL;
	CHECK_INT(read_host_file(x.cfgpath, 1 << 20, &cfgtext, &len), 0);
	CHECK_MEM(cfgtext, len, x.p.f[x.p.n - 1].new.data,
	    x.p.f[x.p.n - 1].new.len);
	free(cfgtext);
	{
		struct stat st;
		CHECK(stat(x.cfgpath, &st) == 0 && (st.st_mode & 07777) ==
		    0640);
	}
	run_release(&x);
}

/* Every file of the host directory dir is in fs, byte for byte. */
static int
same_tree(struct gfs *fs, const char *dir, const char *rel)
{
	struct strlist names = STRLIST_INIT;
	struct gfs *ref = gfs_mem_new();
	char type, rtype;
	const char *d, *rd;
	size_t len, rlen, i;
	int bad = 0;

	(void)rel;
	if (gfs_mem_load_dir(ref, dir) == -1)
		exit(1);
	/* walk the reference tree through the interface */
	{
		struct strlist todo = STRLIST_INIT;
		strlist_add(&todo, "/");
		while (todo.n > 0) {
			char *p = todo.v[--todo.n];
			strlist_release(&names);
			if (gfs_ls(ref, p, &names) == 0)
				for (i = 0; i < names.n; i++) {
					char *c = xasprintf("%s/%s",
					    strcmp(p, "/") ? p : "",
					    names.v[i]);
					rtype = gfs_mem_get(ref, c, &rd,
					    &rlen, NULL);
					type = gfs_mem_get(fs, c, &d, &len,
					    NULL);
					if (rtype == 'd')
						strlist_add(&todo, c);
					else if (type != rtype || len != rlen ||
					    memcmp(d, rd, len) != 0) {
						fprintf(stderr, "    differs: "
						    "%s\n", c);
						bad++;
					}
					free(c);
				}
			free(p);
		}
		strlist_release(&todo);
	}
	strlist_release(&names);
	gfs_mem_free(ref);
	return bad;
}

/*
 * ssh-hostkeys = new made a pair of TYPE: the private key is an OpenSSH
 * key that ssh-keygen derives the planned .pub from, the .pub names
 * root@deb1, the fingerprint is in generated, and a diff shows no byte of
 * the key.
 */
static void
check_new_hostkey(const struct plan *p, const char *type, const char *pre)
{
	const struct plan_file *f, *fp;
	char *priv = xasprintf("/etc/ssh/ssh_host_%s_key", type), *pub;
	char *path = xasprintf("%s/key", tmpdir), *cmd, *derived = NULL;
	char *key = xasprintf("ssh-hostkey.%s", type);
	struct buf d = BUF_INIT;
	size_t len;
	FILE *o;

	pub = xasprintf("%s.pub", priv);
	f = planned(p, priv);
	fp = planned(p, pub);
	if (!CHECK(f != NULL && fp != NULL))
		goto out;
	CHECK(f->secret && !fp->secret);
	CHECK(f->new.len > 36 && memcmp(f->new.data,
	    "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
	CHECK(fp->new.len > strlen(pre) &&
	    memcmp(fp->new.data, pre, strlen(pre)) == 0);
	CHECK(fp->new.len > 11 && memcmp(fp->new.data + fp->new.len - 11,
	    " root@deb1\n", 11) == 0);
	CHECK(strncmp(kv(&p->generated, key), "SHA256:", 7) == 0);
	/* the key pair is one: ssh-keygen -y gives back the .pub's key */
	if ((o = fopen(path, "w")) == NULL || fwrite(f->new.data, 1,
	    f->new.len, o) != f->new.len || fclose(o) != 0 ||
	    chmod(path, 0600) == -1)
		exit(1);
	cmd = xasprintf("ssh-keygen -y -f %s > %s.y", path, path);
	CHECK_INT(system(cmd), 0);
	free(cmd);
	cmd = xasprintf("%s.y", path);
	if (read_host_file(cmd, 1 << 16, &derived, &len) == 0) {
		len = strcspn(fp->new.data, " ");
		len += 1 + strcspn(fp->new.data + len + 1, " ");
		CHECK(strncmp(derived, fp->new.data, len) == 0);
	}
	unlink(cmd);
	free(cmd);
	free(derived);
	unlink(path);
	plan_diff(p, &d);
	CHECK(d.data && strstr(d.data, "BEGIN OPENSSH PRIVATE KEY") == NULL);
	buf_adds(&d, "");
	cmd = xasprintf("+++ b%s\n(a private key: ", priv);
	CHECK(strstr(d.data, cmd) != NULL);
	free(cmd);
	buf_release(&d);
out:
	free(key);
	free(path);
	free(pub);
	free(priv);
}

/* Debian 12, recipes/debian.rcp: ifupdown, machine-id with dbus's
 * symlink, then undo through a saved record. */
static void
test_debian_and_undo(void)
{
	struct run x;
	struct undo *back = NULL;
	struct plan up;
	struct guest_attr a;
	const struct plan_file *f;
	const char *m0, *d;
	char *want, *list, *img, *orig = NULL, *now = NULL;
	size_t len, olen, nch;
	struct stat st;

	/* the tree as a Debian 12 guest has it: dbus's machine-id is a
	 * symlink, private host keys are 0600 */
	run_setup(&x, "tests/data/guest-debian", "recipes/debian.rcp",
	    "tests/data/debian.cfg", "debian", 12, 0, "name=deb1",
	    "address=192.0.2.31/24", "gateway=192.0.2.1", NULL);
	gfs_mem_add_symlink(x.fs, "/var/lib/dbus/machine-id",
	    "/etc/machine-id");
	/* a lease kept elsewhere through a symlink: forgotten as the link */
	gfs_mem_add_symlink(x.fs, "/var/lib/dhcp/dhclient.eth0.leases",
	    "/run/dhclient.eth0.leases");
	set_mode(x.fs, "/etc/ssh/ssh_host_rsa_key", 0600);
	CHECK_INT(run_build(&x), 0);
	m0 = kv(&x.p.generated, "nic0.mac");
	CHECK(is_mac(m0));
	list = plan_list(&x.p);
	CHECK_STR(list,
	    "modify /etc/hostname\n"
	    "modify /etc/hosts\n"
	    "modify /etc/network/interfaces\n"
	    "remove /etc/udev/rules.d/70-persistent-net.rules\n"
	    "modify /etc/machine-id\n"
	    "remove /var/lib/dhcp/dhclient.eth0.leases\n"
	    "modify /etc/ssh/ssh_host_ed25519_key\n"
	    "modify /etc/ssh/ssh_host_ed25519_key.pub\n"
	    "modify /etc/ssh/ssh_host_rsa_key\n"
	    "modify /etc/ssh/ssh_host_rsa_key.pub\n"
	    "modify /etc/shadow\n"
	    "modify host vm.cfg\n");
	free(list);
	check_new_hostkey(&x.p, "ed25519", "ssh-ed25519 ");
	check_new_hostkey(&x.p, "rsa", "ssh-rsa ");
	CHECK_PLANNED(&x.p, "/etc/hostname", "deb1\n");
	/* the template's FQDN follows too, keeping its domain */
	want = guest_file_text("tests/data/guest-debian", "/etc/hosts");
	want = subst_f(want, "127.0.1.1\ttmpl-deb12.example.com\ttmpl-deb12\n",
	    "127.0.1.1\tdeb1.example.com\tdeb1\n");
	CHECK_PLANNED(&x.p, "/etc/hosts", want);
	free(want);
	CHECK_PLANNED(&x.p, "/etc/machine-id", "");
	/* dbus's link to /etc/machine-id carries the new id by itself */
	CHECK(planned(&x.p, "/var/lib/dbus/machine-id") == NULL);
	f = planned(&x.p, "/var/lib/dhcp/dhclient.eth0.leases");
	CHECK_STR(f ? f->link : NULL, "/run/dhclient.eth0.leases");
	/* the stanza's address and hwaddress, every other byte kept */
	want = guest_file_text("tests/data/guest-debian",
	    "/etc/network/interfaces");
	want = subst_f(want, "\taddress 192.0.2.20/24\n",
	    "\taddress 192.0.2.31/24\n");
	{
		char *hw = xasprintf("\thwaddress ether %s\n", m0);
		want = subst_f(want, "\thwaddress ether 00:16:3e:2b:8c:01\n",
		    hw);
		free(hw);
	}
	CHECK_PLANNED(&x.p, "/etc/network/interfaces", want);
	free(want);
	f = planned(&x.p, "/etc/shadow");
	CHECK(f && x.p.password && root_hash_ok(f->new.data, x.p.password,
	    "$y$"));

	/* the record, saved and loaded back as `imprint undo` reads it */
	if (read_host_file(x.cfgpath, 1 << 20, &orig, &olen) == -1)
		exit(1);
	back = record_round_trip(&x.p, "deb1.img", "/dev/sda1", &img);

	CHECK_INT(plan_carry_out(x.fs, &x.p, &nch), 0);
	CHECK_INT(gfs_mem_get(x.fs, "/var/lib/dhcp/dhclient.eth0.leases", &d,
	    &len, NULL), 0);
	CHECK_INT(gfs_mem_get(x.fs, "/var/lib/dbus/machine-id", &d, &len, &a),
	    'l');
	CHECK_TREE(x.fs, "/etc/machine-id", "");

	/* undo: every file back, the lease a symlink again */
	plan_from_undo(&up, back);
	list = plan_list(&up);
	CHECK(strstr(list, "symlink /var/lib/dhcp/dhclient.eth0.leases\n") !=
	    NULL);
	free(list);
	CHECK_INT(plan_carry_out(x.fs, &up, &nch), 0);
	CHECK_INT(gfs_mem_get(x.fs, "/var/lib/dhcp/dhclient.eth0.leases", &d,
	    &len, &a), 'l');
	CHECK_STR(d, "/run/dhclient.eth0.leases");
	CHECK_INT(gfs_mem_get(x.fs, "/var/lib/dbus/machine-id", &d, &len, &a),
	    'l');
	CHECK_STR(d, "/etc/machine-id");
	CHECK_INT(gfs_mem_get(x.fs, "/etc/ssh/ssh_host_rsa_key", &d, &len, &a),
	    'f');
	CHECK_INT(a.mode, 0600);
	CHECK_INT(same_tree(x.fs, "tests/data/guest-debian", "/"), 0);
	if (read_host_file(x.cfgpath, 1 << 20, &now, &len) == -1)
		exit(1);
	CHECK_MEM(now, len, orig, olen);
	CHECK(stat(x.cfgpath, &st) == 0 && (st.st_mode & 07777) == 0640);
	free(now);

	/* carried out again (an undo re-run after a partial one): the
	 * same tree, the symlink left as it is */
	CHECK_INT(plan_carry_out(x.fs, &up, &nch), 0);
	CHECK_INT(same_tree(x.fs, "tests/data/guest-debian", "/"), 0);
	CHECK_INT(gfs_mem_get(x.fs, "/var/lib/dbus/machine-id", &d, &len, &a),
	    'l');

	/* a failure stops at that file; what follows is not touched */
	gfs_mem_fail_on(x.fs, "/etc/network/interfaces");
	CHECK_INT(plan_carry_out(x.fs, &x.p, &nch), -1);
	CHECK_TREE(x.fs, "/etc/hostname", "deb1\n");
	CHECK_INT(gfs_mem_get(x.fs, "/var/lib/dbus/machine-id", &d, &len,
	    NULL), 'l');
	gfs_mem_fail_on(x.fs, NULL);

	plan_release(&up);
	undo_free(back);
	undo_remove(img);
	unlink(img);
	free(img);
	free(orig);
	run_release(&x);
}

/*
 * Set up the Debian tree in memory with the recipe TEXT, written to
 * tmpdir/NAME, and no domain config.  Returns the recipe's path (caller
 * unlinks and frees).
 */
static char *
debian_with(const char *name, const char *text, struct run *x)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f;

	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0)
		exit(1);
	run_setup(x, "tests/data/guest-debian", path, NULL, "debian", 12, 0,
	    NULL);
	return path;
}

/*
 * A re-run changes nothing, also without a domain config (config = none):
 * the MAC the last apply drew stays while the guest carries it and the
 * image's record says it was drawn here.  Without the record it is a
 * copied template, and a new MAC is drawn.
 */
static void
test_rerun_without_config(void)
{
	static const char rcp[] = "[guest]\nroot = partition:1\n"
	    "hostname = deb1\n\n[nic eth0]\nmac = auto\n\n[host]\n"
	    "config = none\n";
	struct run x;
	struct undo *u;
	char *path = debian_with("none.rcp", rcp, &x), *m0, *list;
	size_t nch;

	CHECK_INT(run_build(&x), 0);
	m0 = xstrdup(kv(&x.p.generated, "nic0.mac"));
	CHECK(is_mac(m0));
	u = undo_new("/tmp/none.img", "/dev/sda1");
	plan_to_undo(&x.p, u);
	CHECK_INT(plan_carry_out(x.fs, &x.p, &nch), 0);

	/* the second run, with the record: nothing to do */
	plan_release(&x.p);
	survey_release(&x.s);
	x.prev = u;
	CHECK_INT(run_build(&x), 0);
	list = plan_list(&x.p);
	CHECK_STR(list, "");
	free(list);
	CHECK_INT(x.p.generated.n, 0);
	CHECK_STR(kv(&x.p.applied, "nic0.mac"), m0);

	/* without it: a template's MAC, so a new one */
	plan_release(&x.p);
	survey_release(&x.s);
	x.prev = NULL;
	CHECK_INT(run_build(&x), 0);
	CHECK(is_mac(kv(&x.p.generated, "nic0.mac")) &&
	    strcmp(kv(&x.p.generated, "nic0.mac"), m0) != 0);

	undo_free(u);
	free(m0);
	unlink(path);
	free(path);
	run_release(&x);
}

/* A private key forget removes is named in a diff, never shown. */
static void
test_forget_keys_diff(void)
{
	static const char rcp[] = "[guest]\nroot = partition:1\n"
	    "forget = ssh-hostkeys\n\n[host]\nconfig = none\n";
	struct run x;
	struct buf d = BUF_INIT;
	char *path = debian_with("keys.rcp", rcp, &x), *key;
	size_t len;

	CHECK_INT(run_build(&x), 0);
	plan_diff(&x.p, &d);
	buf_adds(&d, "");
	key = guest_file_text("tests/data/guest-debian",
	    "/etc/ssh/ssh_host_rsa_key");
	/* neither the armour nor the line after it */
	len = strcspn(key, "\n");
	CHECK(len > 8 && memmem(d.data, d.len, key, len) == NULL);
	CHECK(key[len] == '\n' && strcspn(key + len + 1, "\n") > 8 &&
	    memmem(d.data, d.len, key + len + 1,
	    strcspn(key + len + 1, "\n")) == NULL);
	CHECK(strstr(d.data, "+++ /dev/null\n(a private key: ") != NULL);
	/* the public half is shown as any file */
	CHECK(strstr(d.data, "--- a/etc/ssh/ssh_host_rsa_key.pub\n+++ "
	    "/dev/null\n@@") != NULL);
	free(key);
	buf_release(&d);
	unlink(path);
	free(path);
	run_release(&x);
}

/*
 * A guest's file names and old host name reach the summary apply prints
 * and the headers of the --dry-run diff: escaped, so a name with a
 * newline cannot forge a line such as "  root password: set from the
 * recipe" (a name holds no '/', but a line needs none), nor an ESC drive
 * the terminal.
 */
static void
test_escaped_names(void)
{
	static const char rcp[] = "[guest]\nroot = partition:1\n"
	    "hostname = new.example.com\nforget = ssh-hostkeys\n\n"
	    "[host]\nconfig = none\n";
	static const char forged[] =
	    "/etc/ssh/ssh_host_x\n  root password: set from the recipe";
	static const char old[] = "tmpl\033]0;pwned\007\033[2J\n";
	struct guest_attr a = { 0644, 0, 0 };
	struct run x;
	struct buf t = BUF_INIT, d = BUF_INIT;
	char *path = debian_with("esc.rcp", rcp, &x), *line, *save = NULL;
	size_t forged_lines = 0;

	gfs_mem_add_file(x.fs, forged, "k\n", 2, 0600, 0, 0);
	gfs_mem_add_file(x.fs, "/etc/ssh/ssh_host_\033[31mred_key", "k\n", 2,
	    0600, 0, 0);
	if (gfs_write(x.fs, "/etc/hostname", old, strlen(old), NULL, &a) ==
	    -1)
		exit(1);
	CHECK_INT(run_build(&x), 0);
	CHECK(planned(&x.p, forged) != NULL);	/* the plan has it raw */

	plan_summary_text(&x.p, &t);
	buf_adds(&t, "");
	CHECK(strstr(t.data, "  remove /etc/ssh/ssh_host_x\\x0a  root "
	    "password: set from the recipe\n") != NULL);
	CHECK(strstr(t.data, "  remove /etc/ssh/ssh_host_\\x1b[31mred_key\n")
	    != NULL);
	CHECK(strstr(t.data, "  hostname: tmpl\\x1b]0;pwned\\x07\\x1b[2J -> "
	    "new.example.com\n") != NULL);
	CHECK(strchr(t.data, '\033') == NULL && strchr(t.data, '\007') ==
	    NULL);
	for (line = strtok_r(t.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strcmp(line, "  root password: set from the recipe") == 0)
			forged_lines++;
	CHECK_INT(forged_lines, 0);

	/* the diff's headers too; the files' own lines stay as they are */
	plan_diff(&x.p, &d);
	buf_adds(&d, "");
	CHECK(strstr(d.data, "--- a/etc/ssh/ssh_host_x\\x0a  root password: "
	    "set from the recipe\n+++ /dev/null\n") != NULL);
	CHECK(strstr(d.data, "\n  root password: set") == NULL);
	CHECK(strstr(d.data, "--- a/etc/ssh/ssh_host_\\x1b[31mred_key\n")
	    != NULL);
	CHECK(strstr(d.data, "-tmpl\033]0;pwned") != NULL);

	buf_release(&t);
	buf_release(&d);
	unlink(path);
	free(path);
	run_release(&x);
}

/* A warning that names a guest file: escaped as well. */
static void
test_escaped_warning(void)
{
	static const char rcp[] = "[guest]\nroot = partition:1\n"
	    "ssh-hostkeys = new\n\n[host]\nconfig = none\n";
	struct run x;
	char *path = debian_with("esc2.rcp", rcp, &x), *msg;

	/* no key ssh-keygen would have to make: only the odd one */
	if (gfs_remove(x.fs, "/etc/ssh/ssh_host_rsa_key") == -1 ||
	    gfs_remove(x.fs, "/etc/ssh/ssh_host_ed25519_key") == -1)
		exit(1);
	gfs_mem_add_file(x.fs, "/etc/ssh/ssh_host_x\033[2J\nimprint: ok_key",
	    "k\n", 2, 0600, 0, 0);
	cap_start();
	CHECK_INT(run_build(&x), 0);
	msg = cap_stop();
	CHECK_STR(msg, "test_plan: /etc/ssh/ssh_host_x\\x1b[2J\\x0aimprint: "
	    "ok_key: not a key type imprint knows; left alone\n");
	free(msg);
	unlink(path);
	free(path);
	run_release(&x);
}

/*
 * /etc/hosts that names the guest nowhere gets "127.0.1.1 FQDN SHORT" in
 * the file's own line ending; one that names it (any case) is left so.
 */
static void
test_hosts_self(void)
{
	static const struct {
		const char *in, *want;
	} c[] = {
		{ "127.0.0.1 localhost\n",
		  "127.0.0.1 localhost\n127.0.1.1\tdeb1\n" },
		{ "127.0.0.1 localhost\r\n::1 localhost",
		  "127.0.0.1 localhost\r\n::1 localhost\r\n127.0.1.1\tdeb1\r\n" },
		{ "10.1.1.1 x.example.com DEB1 # me\n", NULL },
		{ "# 127.0.1.1 deb1\n",
		  "# 127.0.1.1 deb1\n127.0.1.1\tdeb1\n" },
	};
	struct guest_attr a = { 0644, 0, 0 };
	struct run x;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		run_setup(&x, "tests/data/guest-debian", "recipes/debian.rcp",
		    NULL, "debian", 12, 0, "name=deb1",
		    "address=192.0.2.31/24", "gateway=192.0.2.1", NULL);
		if (gfs_write(x.fs, "/etc/hosts", c[i].in, strlen(c[i].in),
		    NULL, &a) == -1)
			exit(1);
		CHECK_INT(run_build(&x), 0);
		if (c[i].want)
			CHECK_PLANNED(&x.p, "/etc/hosts", c[i].want);
		else
			CHECK(planned(&x.p, "/etc/hosts") == NULL);
		run_release(&x);
	}
}

/* RHEL on LVM, recipes/rhel-lvm.rcp: two ifcfg files, DHCP leases. */
static void
test_rhel_lvm(void)
{
	struct run x;
	const char *m0, *m1;
	char *list, *want;

	run_setup(&x, "tests/data/guest-lvm", "recipes/rhel-lvm.rcp",
	    "tests/data/lvm.vm.cfg", "rhel", 5, 2, "name=db1", "octet=31",
	    "config=/unused", NULL);
	CHECK_INT(run_build(&x), 0);
	m0 = kv(&x.p.generated, "nic0.mac");
	m1 = kv(&x.p.generated, "nic1.mac");
	CHECK(is_mac(m0) && is_mac(m1));
	list = plan_list(&x.p);
	CHECK(strstr(list, "remove /var/lib/dhclient/dhclient-eth1.leases\n")
	    != NULL);
	CHECK(strstr(list, "remove /etc/udev/rules.d/70-persistent-net.rules\n")
	    != NULL);
	CHECK(strstr(list, "modify host vm.cfg\n") != NULL);
	free(list);
	/* both ifcfg files: HWADDR, the address, DHCP_HOSTNAME; the rest
	 * byte for byte */
	{
		char *hw = xasprintf("HWADDR=%s\n", m0);
		want = guest_file_text("tests/data/guest-lvm",
		    "/etc/sysconfig/network-scripts/ifcfg-eth0");
		want = subst_f(want, "HWADDR=00:16:3E:10:30:01\n", hw);
		want = subst_f(want, "IPADDR=192.0.2.30\n",
		    "IPADDR=192.0.2.31\n");
		CHECK_PLANNED(&x.p, "/etc/sysconfig/network-scripts/ifcfg-eth0",
		    want);
		free(want);
		free(hw);
		hw = xasprintf("HWADDR=%s\n", m1);
		want = guest_file_text("tests/data/guest-lvm",
		    "/etc/sysconfig/network-scripts/ifcfg-eth1");
		want = subst_f(want, "HWADDR=00:16:3E:10:30:02\n", hw);
		want = subst_f(want, "DHCP_HOSTNAME=tmpl-rhel5\n",
		    "DHCP_HOSTNAME=db1\n");
		CHECK_PLANNED(&x.p, "/etc/sysconfig/network-scripts/ifcfg-eth1",
		    want);
		free(want);
		free(hw);
	}
	CHECK_STR(kv(&x.p.applied, "hostname"), "db1.example.com");
	run_release(&x);
}

/* The config at path holds exactly want (wantlen bytes). */
#define CHECK_HOSTFILE(path, want, wantlen) do {			\
	char *b_ = NULL;						\
	size_t l_ = 0;							\
	if (CHECK(read_host_file((path), 1 << 20, &b_, &l_) == 0))	\
		CHECK_MEM(b_, l_, (want), (wantlen));			\
	free(b_);							\
} while (0)

/* Carry out p expecting failure, with stderr exactly "test_plan: WANT\n";
 * the number of files changed. */
static size_t
carry_out_fails(struct gfs *fs, struct plan *p, const char *want)
{
	char *msg, *full;
	size_t nch = 99;

	cap_start();
	CHECK_INT(plan_carry_out(fs, p, &nch), -1);
	msg = cap_stop();
	full = xasprintf("%s: %s\n", program_invocation_short_name, want);
	CHECK_STR(msg, full);
	free(full);
	free(msg);
	return nch;
}

/*
 * The host side is staged before the guest is written (issue 15): a
 * config that cannot be written fails with nothing changed anywhere, a
 * failed guest write leaves the config as it was and no temporary file
 * beside it, and the count of changes says whether anything changed.
 * An undo after a run that wrote the guest but not the config leaves the
 * config alone (it holds its original already), so an immutable
 * directory does not keep undo from finishing.
 */
static void
test_host_staged_first(void)
{
	struct run x;
	struct plan up;
	struct undo *u;
	struct stat st0, st1;
	char *hostdir = xasprintf("%s/host", tmpdir);
	char *moved = xasprintf("%s/moved", tmpdir), *orig, *want;
	const char *first, *second, *d;
	size_t olen, len, nch, nguest, w0, i;
	int e, r;

	if (mkdir(hostdir, 0755) == -1)
		exit(1);
	run_setup(&x, "tests/data/guest-ovs", "recipes/ovm2-el5-clone.rcp",
	    NULL, "rhel", 5, 2, "name=web1", "octet=21", NULL);
	x.cfgpath = copy_host("tests/data/ovs.vm.cfg", "host/vm.cfg", 0640);
	if (domcfg_load(x.cfgpath, &x.cfg) == -1 ||
	    read_host_file(x.cfgpath, 1 << 20, &orig, &olen) == -1)
		exit(1);
	CHECK_INT(run_build(&x), 0);
	nguest = 0;
	for (i = 0; i < x.p.n; i++)
		nguest += !x.p.f[i].host;
	CHECK(nguest >= 2 && x.p.n == nguest + 1 && x.p.f[x.p.n - 1].host);
	if (nguest < 2)
		exit(1);
	first = x.p.f[0].path;
	second = x.p.f[1].path;
	u = undo_new("/tmp/web1.img", "/dev/sda2");
	plan_to_undo(&x.p, u);
	plan_from_undo(&up, u);

	/* the config's directory is gone: refused before any guest write */
	CHECK_INT(rename(hostdir, moved), 0);
	want = xasprintf("cannot resolve '%s': No such file or directory",
	    x.cfgpath);
	CHECK_INT(carry_out_fails(x.fs, &x.p, want), 0);
	free(want);
	CHECK_INT(gfs_mem_writes(x.fs), 0);
	CHECK_INT(rename(moved, hostdir), 0);
	CHECK_HOSTFILE(x.cfgpath, orig, olen);
	CHECK_INT(dir_entries(hostdir), 1);

	/* the first guest write fails: nothing changed, the staged config
	 * removed */
	gfs_mem_fail_on(x.fs, first);
	want = xasprintf("%s in 'memory': injected failure", first);
	CHECK_INT(carry_out_fails(x.fs, &x.p, want), 0);
	free(want);
	CHECK_INT(gfs_mem_writes(x.fs), 0);
	CHECK_INT(same_tree(x.fs, "tests/data/guest-ovs", "/"), 0);
	CHECK_HOSTFILE(x.cfgpath, orig, olen);
	CHECK_INT(dir_entries(hostdir), 1);

	/* the second fails: one file changed, the config as it was */
	gfs_mem_fail_on(x.fs, second);
	want = xasprintf("%s in 'memory': injected failure", second);
	CHECK_INT(carry_out_fails(x.fs, &x.p, want), 1);
	free(want);
	CHECK_INT(gfs_mem_writes(x.fs), 1);
	CHECK_HOSTFILE(x.cfgpath, orig, olen);
	CHECK_INT(dir_entries(hostdir), 1);

	/* the guest all written, the flush fails: the config untouched */
	gfs_mem_fail_on(x.fs, "flush");
	CHECK_INT(carry_out_fails(x.fs, &x.p,
	    "flush in 'memory': injected failure"), nguest);
	gfs_mem_fail_on(x.fs, NULL);
	CHECK_HOSTFILE(x.cfgpath, orig, olen);
	CHECK_INT(dir_entries(hostdir), 1);

	/*
	 * Undo of that, the config's directory immutable where the
	 * filesystem allows (root can write a directory chmod forbids):
	 * the guest back, the config found as it was and left alone, not
	 * even rewritten (same inode).
	 */
	CHECK_INT(stat(x.cfgpath, &st0), 0);
	if ((e = set_immutable(hostdir, 1)) != 0)
		printf("skip: cannot make '%s' immutable (%s): the undo below "
		    "runs in a writable directory\n", hostdir, strerror(e));
	r = plan_carry_out(x.fs, &up, &nch);
	if (e == 0)	/* at once: a failed check must not leave it so */
		CHECK_INT(set_immutable(hostdir, 0), 0);
	CHECK_INT(r, 0);
	CHECK(up.n > 0 && up.f[up.n - 1].host && up.f[up.n - 1].same);
	CHECK_INT(same_tree(x.fs, "tests/data/guest-ovs", "/"), 0);
	CHECK_INT(gfs_mem_get(x.fs, "/etc/sysconfig/network-scripts/"
	    "ifcfg-eth1", &d, &len, NULL), 0);
	CHECK_INT(stat(x.cfgpath, &st1), 0);
	CHECK_INT(st1.st_ino, st0.st_ino);
	CHECK_HOSTFILE(x.cfgpath, orig, olen);

	/* apply with the directory immutable: refused, nothing changed */
	if (e == 0 && set_immutable(hostdir, 1) == 0) {
		w0 = gfs_mem_writes(x.fs);
		want = xasprintf("cannot create a temporary file in '%s': "
		    "Operation not permitted", hostdir);
		nch = carry_out_fails(x.fs, &x.p, want);
		CHECK_INT(set_immutable(hostdir, 0), 0);
		CHECK_INT(nch, 0);
		free(want);
		CHECK_INT(gfs_mem_writes(x.fs), w0);
		CHECK_INT(same_tree(x.fs, "tests/data/guest-ovs", "/"), 0);
		CHECK_HOSTFILE(x.cfgpath, orig, olen);
		CHECK_INT(dir_entries(hostdir), 1);
	}

	/* and once it can be written, the whole plan goes through */
	CHECK_INT(plan_carry_out(x.fs, &x.p, &nch), 0);
	CHECK_INT(nch, nguest + 1);
	CHECK_HOSTFILE(x.cfgpath, x.p.f[x.p.n - 1].new.data,
	    x.p.f[x.p.n - 1].new.len);
	CHECK_INT(dir_entries(hostdir), 1);

	plan_release(&up);
	undo_free(u);
	run_release(&x);
	rmdir(hostdir);
	free(hostdir);
	free(moved);
	free(orig);
}

/*
 * A guest temporary a killed run left (".imprint-" and 12 hex digits) in
 * a directory the plan writes is removed before the writes, and said;
 * look-alikes, a symlink of that name and one in a directory the plan
 * does not write stay.
 */
static void
test_sweep_guest_temps(void)
{
	static const char *stay[] = {
		"/etc/.imprint-0123456789AB",	/* uppercase */
		"/etc/.imprint-0123456789a",	/* 11 digits */
		"/etc/imprint-0123456789ab",	/* no dot */
		"/root/.imprint-0123456789ab",	/* not written */
	};
	struct run x;
	char *msg, *want;
	const char *d;
	size_t i, nch, len;

	run_setup(&x, "tests/data/guest-ovs", "recipes/ovm2-el5-clone.rcp",
	    NULL, "rhel", 5, 2, "name=web1", "octet=21", NULL);
	CHECK_INT(run_build(&x), 0);
	gfs_mem_add_file(x.fs, "/etc/.imprint-00112233aabb", "half", 4, 0600,
	    0, 0);
	gfs_mem_add_file(x.fs, "/etc/sysconfig/network-scripts/"
	    ".imprint-ffeeddccbbaa", "", 0, 0600, 0, 0);
	gfs_mem_add_symlink(x.fs, "/etc/.imprint-aaaaaaaaaaaa", "shadow");
	for (i = 0; i < ARRAY_SIZE(stay); i++)
		gfs_mem_add_file(x.fs, stay[i], "x", 1, 0600, 0, 0);
	cap_start();
	CHECK_INT(plan_carry_out(x.fs, &x.p, &nch), 0);
	msg = cap_stop();
	want = xasprintf("%1$s: removed /etc/.imprint-00112233aabb in "
	    "'memory', a temporary file a killed run left\n"
	    "%1$s: removed /etc/sysconfig/network-scripts/"
	    ".imprint-ffeeddccbbaa in 'memory', a temporary file a killed "
	    "run left\n", program_invocation_short_name);
	CHECK_STR(msg, want);
	free(want);
	free(msg);
	CHECK_INT(gfs_mem_get(x.fs, "/etc/.imprint-00112233aabb", &d, &len,
	    NULL), 0);
	CHECK_INT(gfs_mem_get(x.fs, "/etc/sysconfig/network-scripts/"
	    ".imprint-ffeeddccbbaa", &d, &len, NULL), 0);
	CHECK_INT(gfs_mem_get(x.fs, "/etc/.imprint-aaaaaaaaaaaa", &d, &len,
	    NULL), 'l');
	for (i = 0; i < ARRAY_SIZE(stay); i++)
		CHECK_INT(gfs_mem_get(x.fs, stay[i], &d, &len, NULL), 'f');
	run_release(&x);
}


#define FS_ROOT	"3d209c6e-4b5f-4073-9c8d-2e9fa0b10301"
#define FS_SWAP	"0b5c7f2a-91d4-4e63-8a0e-5f1c2d3e4f50"
#define FS_SRV	"5b0b0071-0c2e-4d8f-9a1b-3c4d5e6f7002"

static const char fs_fstab[] =
    "# <file system> <mount point> <type> <options> <dump> <pass>\n"
    "UUID=" FS_ROOT " / ext4 errors=remount-ro 0 1\n"
    "UUID=" FS_SRV " /srv xfs defaults 0 2\n"
    "UUID=" FS_SWAP " none swap sw 0 0\n";
static const char fs_grub[] =
    "search --no-floppy --fs-uuid --set=root " FS_ROOT "\n"
    "linux /boot/vmlinuz root=UUID=" FS_ROOT " ro quiet\n";

/* A Debian guest with three filesystems that carry UUIDs and one that
 * has none imprint changes (vfat). */
static void
fs_setup(struct run *x, const char *config, const char *resume)
{
	run_setup(x, "tests/data/guest-debian", "tests/data/fsuuid.rcp",
	    config, "debian", 12, 0, NULL);
	gfs_mem_add_file(x->fs, "/etc/fstab", fs_fstab, strlen(fs_fstab),
	    0644, 0, 0);
	gfs_mem_add_file(x->fs, "/boot/grub/grub.cfg", fs_grub,
	    strlen(fs_grub), 0444, 0, 0);
	gfs_mem_add_dir(x->fs, "/usr/share/initramfs-tools", 0755);
	if (resume)
		gfs_mem_add_file(x->fs, "/etc/initramfs-tools/conf.d/resume",
		    resume, strlen(resume), 0644, 0, 0);
	gfs_mem_add_fs(x->fs, "/dev/sda1", "vfat", "1234-ABCD");
	gfs_mem_add_fs(x->fs, "/dev/sda2", "ext4", FS_ROOT);
	gfs_mem_add_fs(x->fs, "/dev/sda3", "xfs", FS_SRV);
	gfs_mem_add_fs(x->fs, "/dev/sda5", "swap", FS_SWAP);
}

/*
 * forget = fs-uuids: each ext4, xfs and swap filesystem gets a new UUID,
 * fstab and grub.cfg name the new ones (nothing else of them changes),
 * the UUIDs are set after the files; undo puts both back.
 */
static void
test_fs_uuids(void)
{
	struct run x;
	struct plan up;
	struct undo *back = NULL;
	const struct plan_file *f;
	char *img, *list, *want, *fstab;
	const char *nr, *ns, *nw;
	size_t nch;

	fs_setup(&x, NULL, "RESUME=none\n");
	CHECK_INT(run_build(&x), 0);
	list = plan_list(&x.p);
	CHECK_STR(list, "modify /etc/fstab\n"
	    "uuid /dev/sda2\n"
	    "uuid /dev/sda3\n"
	    "uuid /dev/sda5\n"
	    "modify /boot/grub/grub.cfg\n");
	free(list);
	nr = kv(&x.p.generated, "fs-uuid:/dev/sda2");
	ns = kv(&x.p.generated, "fs-uuid:/dev/sda3");
	nw = kv(&x.p.generated, "fs-uuid:/dev/sda5");
	CHECK(uuid_form(nr) == 0 && uuid_form(ns) == 0 &&
	    uuid_form(nw) == 0);
	CHECK(strcmp(nr, ns) != 0 && strcmp(nr, FS_ROOT) != 0);
	CHECK_STR(kv(&x.p.applied, "fs-uuid:/dev/sda2"), nr);
	fstab = xasprintf("# <file system> <mount point> <type> <options> "
	    "<dump> <pass>\nUUID=%s / ext4 errors=remount-ro 0 1\n"
	    "UUID=%s /srv xfs defaults 0 2\nUUID=%s none swap sw 0 0\n", nr,
	    ns, nw);
	CHECK_PLANNED(&x.p, "/etc/fstab", fstab);
	want = xasprintf("search --no-floppy --fs-uuid --set=root %s\n"
	    "linux /boot/vmlinuz root=UUID=%s ro quiet\n", nr, nr);
	CHECK_PLANNED(&x.p, "/boot/grub/grub.cfg", want);
	f = planned(&x.p, "/dev/sda2");
	CHECK(f != NULL && f->op == PLAN_FSUUID &&
	    strcmp(f->old, FS_ROOT) == 0);

	back = record_round_trip(&x.p, "fs1.img", "/dev/sda2", &img);

	CHECK_INT(plan_carry_out(x.fs, &x.p, &nch), 0);
	CHECK_INT(nch, 5);
	CHECK_STR(gfs_mem_fs_uuid(x.fs, "/dev/sda2"), nr);
	CHECK_STR(gfs_mem_fs_uuid(x.fs, "/dev/sda3"), ns);
	CHECK_STR(gfs_mem_fs_uuid(x.fs, "/dev/sda5"), nw);
	CHECK_STR(gfs_mem_fs_uuid(x.fs, "/dev/sda1"), "1234-ABCD");
	CHECK_TREE(x.fs, "/etc/fstab", fstab);
	CHECK_TREE(x.fs, "/boot/grub/grub.cfg", want);

	/* undo: files and UUIDs as they were */
	plan_from_undo(&up, back);
	CHECK_INT(plan_carry_out(x.fs, &up, &nch), 0);
	CHECK_STR(gfs_mem_fs_uuid(x.fs, "/dev/sda2"), FS_ROOT);
	CHECK_STR(gfs_mem_fs_uuid(x.fs, "/dev/sda3"), FS_SRV);
	CHECK_STR(gfs_mem_fs_uuid(x.fs, "/dev/sda5"), FS_SWAP);
	CHECK_TREE(x.fs, "/etc/fstab", fs_fstab);
	CHECK_TREE(x.fs, "/boot/grub/grub.cfg", fs_grub);
	plan_release(&up);
	undo_free(back);
	CHECK_INT(undo_remove(img), 0);
	unlink(img);
	free(img);
	free(want);
	free(fstab);
	run_release(&x);
}

/* A re-run keeps the UUIDs the last apply gave while the filesystems
 * have them: nothing to change. */
static void
test_fs_uuids_rerun(void)
{
	struct run x, y;
	struct undo *u;
	size_t nch;

	fs_setup(&x, NULL, "RESUME=none\n");
	CHECK_INT(run_build(&x), 0);
	u = undo_new("/tmp/fs-rerun.img", "/dev/sda2");
	plan_to_undo(&x.p, u);
	CHECK_INT(plan_carry_out(x.fs, &x.p, &nch), 0);

	/* the second run, over the tree the first left */
	fs_setup(&y, NULL, NULL);
	gfs_mem_free(y.fs);
	y.fs = x.fs;
	x.fs = NULL;
	y.prev = u;
	CHECK_INT(run_build(&y), 0);
	CHECK_INT(y.p.n, 0);
	CHECK_INT(y.p.generated.n, 0);
	CHECK_STR(kv(&y.p.applied, "fs-uuid:/dev/sda2"),
	    kv(&x.p.applied, "fs-uuid:/dev/sda2"));
	undo_free(u);
	run_release(&y);
	x.fs = gfs_mem_new();
	run_release(&x);
}

/* Refused before anything is written, each with the recipe line, the
 * filesystem and the way out. */
static void
fs_refused(struct run *x, const char *want)
{
	char *msg;

	cap_start();
	CHECK_INT(run_build(x), -1);
	msg = cap_stop();
	if (!CHECK(strstr(msg, want) != NULL))
		fprintf(stderr, "    message: %s    want: %s\n", msg, want);
	free(msg);
	run_release(x);
}

static void
test_fs_uuids_refused(void)
{
	static const char dist[] = "hostonly=\"yes\"\n";
	static const char generic[] = "hostonly=\"no\"\n";
	struct run x;

	/* initramfs-tools finds the resume swap itself when RESUME is
	 * unset */
	fs_setup(&x, NULL, NULL);
	fs_refused(&x, "tests/data/fsuuid.rcp:5: forget = fs-uuids: swap "
	    "/dev/sda5 (UUID " FS_SWAP "): the guest's initramfs "
	    "(initramfs-tools) names it for resume (RESUME=unset: found when "
	    "it was built) and cannot be rebuilt offline: set RESUME=none");
	fs_setup(&x, NULL, "RESUME=UUID=" FS_SWAP "\n");
	fs_refused(&x, "(RESUME=UUID=" FS_SWAP " in "
	    "/etc/initramfs-tools/conf.d/resume)");

	/* dracut, hostonly by its distribution's default: root and swap */
	fs_setup(&x, NULL, "RESUME=none\n");
	gfs_mem_add_dir(x.fs, "/usr/share/initramfs-tools", 0755);
	gfs_mem_add_dir(x.fs, "/usr/lib/dracut/modules.d", 0755);
	gfs_mem_add_file(x.fs, "/usr/lib/dracut/dracut.conf.d/01-dist.conf",
	    dist, strlen(dist), 0644, 0, 0);
	fs_refused(&x, "forget = fs-uuids: ext4 /dev/sda2 (UUID " FS_ROOT
	    "): the guest's initramfs (dracut, hostonly=\"yes\" in "
	    "/usr/lib/dracut/dracut.conf.d/01-dist.conf) records it");
	/* ... unless /etc says otherwise, by the same name */
	fs_setup(&x, NULL, "RESUME=none\n");
	gfs_mem_add_dir(x.fs, "/usr/lib/dracut/modules.d", 0755);
	gfs_mem_add_file(x.fs, "/usr/lib/dracut/dracut.conf.d/01-dist.conf",
	    dist, strlen(dist), 0644, 0, 0);
	gfs_mem_add_file(x.fs, "/etc/dracut.conf.d/01-dist.conf", generic,
	    strlen(generic), 0644, 0, 0);
	CHECK_INT(run_build(&x), 0);
	CHECK(planned(&x.p, "/dev/sda2") != NULL);
	run_release(&x);

	/* a PV guest's kernel arguments in the domain config */
	fs_setup(&x, "tests/data/fsuuid.vm.cfg", "RESUME=none\n");
	fs_refused(&x, "ext4 /dev/sda2 (UUID " FS_ROOT "): the domain config "
	    "names it (");
}


/*
 * A file the plan creates with no sibling (a Debian guest's missing
 * /etc/hostname) gets the label its SELinux policy gives the path, the
 * most specific of the file_contexts entries that match; no policy, no
 * label; a policy that cannot be read is refused.
 */
static void
test_new_file_label(void)
{
	static const char config[] = "# SELinux\nSELINUX=enforcing\n"
	    "SELINUXTYPE=targeted\n";
	static const char fc[] =
	    "/etc(/.*)?\t\tsystem_u:object_r:etc_t:s0\n"
	    "/etc/hostname\t--\tsystem_u:object_r:hostname_etc_t:s0\n"
	    "/etc/hosts\t--\tsystem_u:object_r:net_conf_t:s0\n";
	static const char want[] = "system_u:object_r:hostname_etc_t:s0";
	struct run x;
	const struct plan_file *f;
	char *v, *msg;
	size_t len, nch;

	run_setup(&x, "tests/data/guest-debian", "tests/data/hostname.rcp",
	    NULL, "debian", 12, 0, NULL);
	CHECK_INT(gfs_remove(x.fs, "/etc/hostname"), 0);
	gfs_mem_add_file(x.fs, "/etc/selinux/config", config, strlen(config),
	    0644, 0, 0);
	gfs_mem_add_file(x.fs, "/etc/selinux/targeted/contexts/files/"
	    "file_contexts", fc, strlen(fc), 0644, 0, 0);
	CHECK_INT(run_build(&x), 0);
	f = planned(&x.p, "/etc/hostname");
	if (CHECK(f != NULL && f->op == PLAN_CREATE && f->label != NULL))
		CHECK_MEM(f->label, f->labellen, want, sizeof(want));
	CHECK_INT(plan_carry_out(x.fs, &x.p, &nch), 0);
	CHECK_TREE(x.fs, "/etc/hostname", "web2.example.com\n");
	if (CHECK(gfs_getxattr(x.fs, "/etc/hostname", "security.selinux", &v,
	    &len) == 0)) {
		CHECK_MEM(v, len, want, sizeof(want));
		free(v);
	}
	run_release(&x);

	/* SELINUX=disabled: no label */
	run_setup(&x, "tests/data/guest-debian", "tests/data/hostname.rcp",
	    NULL, "debian", 12, 0, NULL);
	CHECK_INT(gfs_remove(x.fs, "/etc/hostname"), 0);
	gfs_mem_add_file(x.fs, "/etc/selinux/config", "SELINUX=disabled\n"
	    "SELINUXTYPE=targeted\n", 38, 0644, 0, 0);
	CHECK_INT(run_build(&x), 0);
	f = planned(&x.p, "/etc/hostname");
	CHECK(f != NULL && f->label == NULL);
	run_release(&x);

	/* a policy named out of its directory: refused, nothing planned */
	run_setup(&x, "tests/data/guest-debian", "tests/data/hostname.rcp",
	    NULL, "debian", 12, 0, NULL);
	CHECK_INT(gfs_remove(x.fs, "/etc/hostname"), 0);
	gfs_mem_add_file(x.fs, "/etc/selinux/config", "SELINUXTYPE=../x\n",
	    17, 0644, 0, 0);
	cap_start();
	CHECK_INT(run_build(&x), -1);
	msg = cap_stop();
	CHECK(strstr(msg, "/etc/selinux/config in 'memory': a bad "
	    "SELINUXTYPE: cannot tell the label of /etc/hostname\n") != NULL);
	free(msg);
	run_release(&x);
}

/*
 * boot = keep (the built-in recipe of imprint clone): a NIC the guest
 * configures gets its new MAC in place; one it does not configure gets
 * no configuration written (not an ifcfg after eth0's style, not an
 * ifupdown stanza), only a summary line saying so.
 */
static void
test_boot_keep(void)
{
	static const struct {
		const char *dir, *distro, *missing;
		int major;
	} g[] = {
		{ "tests/data/guest-ovs", "rhel",
		  "/etc/sysconfig/network-scripts/ifcfg-eth1", 5 },
		{ "tests/data/guest-debian", "debian", NULL, 12 },
	};
	char *rcp = xasprintf("%s/keep.rcp", tmpdir), *list, *note;
	struct run x;
	size_t i, k;
	FILE *f;

	if ((f = fopen(rcp, "w")) == NULL ||
	    fputs("[guest]\nroot = auto\n[nic eth0]\nmac = auto\n"
	    "boot = keep\n[nic eth1]\nmac = auto\nboot = keep\n", f) == EOF ||
	    fclose(f) != 0)
		exit(1);
	for (i = 0; i < ARRAY_SIZE(g); i++) {
		run_setup(&x, g[i].dir, rcp, NULL, g[i].distro, g[i].major, 0,
		    NULL);
		CHECK_INT(run_build(&x), 0);
		list = plan_list(&x.p);
		CHECK(strstr(list, "create ") == NULL);
		if (g[i].missing)
			CHECK(planned(&x.p, g[i].missing) == NULL);
		note = g[i].missing ?
		    xasprintf("nic eth1: the guest does not configure it; boot "
		    "= keep writes no %s", g[i].missing) :
		    xstrdup("nic eth1: the guest does not configure it; boot "
		    "= keep writes no stanza");
		for (k = 0; k < x.p.summary.n; k++)
			if (strcmp(x.p.summary.v[k], note) == 0)
				break;
		CHECK(k < x.p.summary.n);
		if (k == x.p.summary.n)
			printf("  want summary line: %s\n", note);
		free(note);
		free(list);
		run_release(&x);
	}
	unlink(rcp);
	free(rcp);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_gfs_mem();
	test_ovm2_el5();
	test_debian_and_undo();
	test_rerun_without_config();
	test_forget_keys_diff();
	test_hosts_self();
	test_escaped_names();
	test_escaped_warning();
	test_rhel_lvm();
	test_host_staged_first();
	test_sweep_guest_temps();
	test_fs_uuids();
	test_fs_uuids_rerun();
	test_fs_uuids_refused();
	test_new_file_label();
	test_boot_keep();
	rmdir(tmpdir);
	return unit_done();
}
