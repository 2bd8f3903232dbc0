/*
 * plan.c - compute a clone's identity changes (see plan.h).
 *
 * Each guest file is read once; every edit that concerns it is applied in
 * turn to its working copy; files whose bytes end up unchanged drop out.
 * The guest side and the host side take their MACs from one decision per
 * NIC, so they agree by construction.
 */
#define _GNU_SOURCE	/* memmem */
#include <ctype.h>
#include <err.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diff.h"
#include "disks.h"
#include "fcon.h"
#include "fsuuid.h"
#include "gfile.h"
#include "gfile_hosts.h"
#include "gfile_shvar.h"
#include "gfs.h"
#include "guest.h"
#include "domcfg.h"
#include "hostfile.h"
#include "ident.h"
#include "netfmt.h"
#include "plan.h"
#include "testpoint.h"
#include "recipe.h"
#include "survey.h"
#include "undo.h"
#include "util.h"
#include "virtdom.h"
#include "valid.h"

#define IFCFG_DIR	"/etc/sysconfig/network-scripts"
#define UDEV_NET	"/etc/udev/rules.d/70-persistent-net.rules"
#define INTERFACES	"/etc/network/interfaces"
#define HWCONF		"/etc/sysconfig/hwconf"
#define SELINUX_XATTR	"security.selinux"

/*
 * Where a NIC with no config yet gets one: RHEL ifcfg, Debian ifupdown,
 * or nowhere (a guest whose NICs are all bound by netfmt.h formats:
 * NetworkManager keyfiles, netplan, systemd-networkd).
 */
enum family { FAMILY_RHEL, FAMILY_DEBIAN, FAMILY_OTHER };

struct ctx {
	struct plan		*p;
	const struct plan_input	*in;
	const struct recipe	*r;
	enum family		 family;
	int			 errors;
	/* per recipe NIC, while plan_nics runs: the MAC decided ("" to
	 * leave it) and the MACs the guest may still bind it by */
	char			(*macs)[18];
	struct strlist		*olds;
};

/* --- the working set of files ------------------------------------------- */

static struct plan_file *
find_file(struct plan *p, bool host, const char *path)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->f[i].host == host && strcmp(p->f[i].path, path) == 0)
			return &p->f[i];
	return NULL;
}

/* Add a file to the plan.  This moves p->f: pointers into it held
 * across the call are stale. */
static struct plan_file *
new_file(struct plan *p, bool host, const char *path, enum plan_op op)
{
	struct plan_file *f;

	p->f = xreallocarray(p->f, p->n + 1, sizeof(*p->f));
	f = &p->f[p->n++];
	memset(f, 0, sizeof(*f));
	f->host = host;
	f->path = xstrdup(path);
	f->op = op;
	return f;
}

/*
 * The working copy of guest file path: NULL when the file does not exist
 * (*err set when it could not be read).  Only regular files are edited.
 */
static struct plan_file *
guest_file(struct ctx *c, const char *path, bool *err)
{
	struct plan_file *f = find_file(c->p, false, path);
	struct guest_attr a;
	char *buf, type;
	size_t len;
	int st;

	*err = false;
	if (f)
		return f->op == PLAN_REMOVE ? NULL : f;
	if ((st = gfs_lstat(c->in->fs, path, &a, &type)) == 1)
		return NULL;
	if (st == -1 || type != 'f') {
		if (st == 0)
			warnx("%s in the guest is not a regular file; "
			    "imprint does not edit it", esc(path));
		*err = true;
		c->errors++;
		return NULL;
	}
	if (gfs_read(c->in->fs, path, SURVEY_FILE_CAP, &buf, &len) != 0) {
		*err = true;
		c->errors++;
		return NULL;
	}
	f = new_file(c->p, false, path, PLAN_MODIFY);
	f->old = buf;
	f->oldlen = len;
	f->attr = a;
	buf_add(&f->new, buf, len);
	return f;
}

/* Replace f's working bytes by out's; out is reset. */
static void
take(struct plan_file *f, struct buf *out)
{
	buf_release(&f->new);
	f->new = *out;
	buf_init(out);
}

/* Run one gfile_edit job over the file at path if it exists. */
static void
edit_job(struct ctx *c, const char *path, enum gfile_kind kind,
    const struct gfile_job *job)
{
	struct buf out = BUF_INIT;
	struct plan_file *f;
	bool err;

	if ((f = guest_file(c, path, &err)) == NULL)
		return;
	if (gfile_edit(kind, job, f->new.data, f->new.len, &out) == -1) {
		warnx("cannot edit %s in the guest", esc(path));
		c->errors++;
		buf_release(&out);
		return;
	}
	take(f, &out);
}

/* PATH's planned change is a private key's: never shown in a diff. */
static void
mark_secret(struct ctx *c, const char *path)
{
	struct plan_file *f = find_file(c->p, false, path);

	size_t n = strlen(path);

	if (f != NULL && (n < 4 || strcmp(path + n - 4, ".pub") != 0))
		f->secret = true;
}

static void
plan_remove(struct ctx *c, const char *path)
{
	struct plan_file *f;
	struct guest_attr a;
	char type, *buf = NULL, *target = NULL;
	size_t len = 0;
	int st;

	if (find_file(c->p, false, path))
		return;
	if ((st = gfs_lstat(c->in->fs, path, &a, &type)) == 1)
		return;
	if (st == -1) {
		c->errors++;
		return;
	}
	if (type != 'f' && type != 'l') {
		warnx("%s in the guest is not a file; not removed",
		    esc(path));
		c->errors++;
		return;
	}
	/* A symlink is removed itself and recorded as one (its target for
	 * undo); what it points to is not ours to keep. */
	if ((type == 'f' && gfs_read(c->in->fs, path, SURVEY_FILE_CAP, &buf,
	    &len) != 0) || (type == 'l' && gfs_readlink(c->in->fs, path,
	    &target) != 0)) {
		c->errors++;
		return;
	}
	f = new_file(c->p, false, path, PLAN_REMOVE);
	f->old = buf ? buf : xstrdup("");
	f->oldlen = len;
	f->link = target;
	f->attr = a;
	/* Its SELinux label goes into the undo record, so that undo brings
	 * the file back readable under an enforcing policy (sshd refuses
	 * host keys labelled otherwise). */
	if (gfs_getxattr(c->in->fs, path, SELINUX_XATTR, &f->label,
	    &f->labellen) == -1)
		c->errors++;
}

static void
summary(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
summary(struct ctx *c, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	strlist_add_owned(&c->p->summary, buf_detach(&b, NULL));
}

static void
applied(struct ctx *c, const char *key, const char *value)
{
	strlist_add_owned(&c->p->applied, xasprintf("%s=%s", key, value));
}

/* --- guest family -------------------------------------------------------- */

/* A NIC config a netfmt.h unit read (not ifcfg or ifupdown). */
static bool
is_netfmt(const struct survey_nic *n)
{
	return netfmt_by_name(n->format) != NULL;
}

static int
pick_family(struct ctx *c)
{
	const struct survey *s = c->in->survey;
	struct strlist tmp = STRLIST_INIT;
	bool rhel, deb, other = false;
	size_t i, k;
	int r;

	r = gfs_ls(c->in->fs, IFCFG_DIR, &tmp);
	strlist_release(&tmp);
	if (r == -1)
		return -1;
	rhel = r == 0;
	deb = false;
	for (i = 0; i < s->nnics; i++) {
		if (strcmp(s->nics[i].format, "ifupdown") == 0)
			deb = true;
		if (is_netfmt(&s->nics[i]))
			other = true;
	}
	if (!deb && gfs_is_file(c->in->fs, INTERFACES) == 1)
		deb = true;
	if (rhel && (!deb || strcmp(c->in->root->os.distro, "debian") != 0)) {
		c->family = FAMILY_RHEL;
		return 0;
	}
	if (deb) {
		c->family = FAMILY_DEBIAN;
		return 0;
	}
	if (other) {
		c->family = FAMILY_OTHER;
		return 0;
	}
	warnx("cannot tell how the guest on %s configures its network "
	    "(%s %s): it has no %s, no %s and no file in",
	    esc(c->in->root->display), esc(c->in->root->os.distro),
	    esc(c->in->root->os.product), IFCFG_DIR, INTERFACES);
	for (k = 0; netfmts[k] != NULL; k++)
		fprintf(stderr, "  %s (%s)\n", netfmts[k]->dir,
		    netfmts[k]->name);
	for (i = 0; i < s->nhostnames; i++)
		fprintf(stderr, "  found %s\n", esc(s->hostnames[i].file));
	for (i = 0; i < s->nudev; i++)
		fprintf(stderr, "  found %s:%zu\n", esc(s->udev[i].file),
		    s->udev[i].line);
	return -1;
}

/* --- host name ----------------------------------------------------------- */

static const char *
old_hostname(const struct survey *s)
{
	size_t i;

	for (i = 0; i < s->nhostnames; i++)
		if (*s->hostnames[i].key)	/* HOSTNAME= says most */
			return s->hostnames[i].value;
	return s->nhostnames ? s->hostnames[0].value : NULL;
}

/*
 * A guest whose /etc/hosts names itself nowhere (after the edit) gets a
 * line for its new name, as Debian's installer writes it: "127.0.1.1
 * FQDN SHORT" (SHORT alone for a short name), so that the name resolves
 * without DNS (sudo, postfix and hostname -f ask).  A guest without
 * /etc/hosts is left so.
 */
static void
plan_hosts_self(struct ctx *c, const char *h)
{
	struct gfile_hosts_entry *e;
	struct plan_file *f;
	size_t i, k, n, slen = strcspn(h, ".");
	bool err, named = false;
	const char *eol, *nl;

	if ((f = guest_file(c, "/etc/hosts", &err)) == NULL)
		return;
	gfile_hosts_parse(f->new.data ? f->new.data : "", f->new.len, &e, &n);
	for (i = 0; i < n && !named; i++)
		for (k = 0; k < e[i].names.n && !named; k++)
			named = strcasecmp(e[i].names.v[k], h) == 0 ||
			    (strlen(e[i].names.v[k]) == slen &&
			    strncasecmp(e[i].names.v[k], h, slen) == 0);
	gfile_hosts_free(e, n);
	if (named)
		return;
	/* the file's own line ending, from its first line */
	nl = f->new.len > 0 ? memchr(f->new.data, '\n', f->new.len) : NULL;
	eol = nl != NULL && nl > f->new.data && nl[-1] == '\r' ? "\r\n" :
	    "\n";
	if (f->new.len > 0 && f->new.data[f->new.len - 1] != '\n')
		buf_adds(&f->new, eol);
	if (h[slen] != '\0')
		buf_addf(&f->new, "127.0.1.1\t%s\t%.*s%s", h, (int)slen, h,
		    eol);
	else
		buf_addf(&f->new, "127.0.1.1\t%s%s", h, eol);
}

/*
 * The guest's hostname before the first apply, from the last apply's
 * record (the original bytes of the file that names it), or NULL.  A run
 * killed after it renamed the host in /etc/sysconfig/network but before
 * /etc/hosts leaves the new name there: a re-run must still rename the
 * template's name in /etc/hosts, as the first run would have.
 */
static char *
first_hostname(const struct undo *u)
{
	size_t i, n;
	char *h;

	for (i = 0; u != NULL && i < u->n; i++) {
		const struct undo_entry *e = &u->e[i];

		if (e->host || e->what != UNDO_RESTORE)
			continue;
		if (strcmp(e->path, "/etc/sysconfig/network") == 0 &&
		    (h = gfile_shvar_get(e->data, e->len, "HOSTNAME")) &&
		    *h)
			return h;
		if (strcmp(e->path, "/etc/hostname") == 0 ||
		    strcmp(e->path, "/etc/HOSTNAME") == 0) {
			n = strcspn(e->data, " \t\r\n#");
			if (n > 0)
				return xstrndup(e->data, n);
		}
	}
	return NULL;
}

static void
plan_hostname(struct ctx *c)
{
	const struct survey *s = c->in->survey;
	const char *h = c->r->guest.hostname, *old = old_hostname(s);
	char *first, type = 0;
	struct gfile_job job;
	struct plan_file *f;
	size_t i;
	bool err;

	if (h == NULL)
		return;
	first = first_hostname(c->in->prev);
	memset(&job, 0, sizeof(job));
	job.hostname = h;
	job.old_hostname = old;
	if (c->family == FAMILY_RHEL)
		edit_job(c, "/etc/sysconfig/network",
		    GFILE_SYSCONFIG_NETWORK, &job);
	/* SUSE's; SLES 15 makes it a symlink to /etc/hostname */
	if (gfs_lstat(c->in->fs, "/etc/HOSTNAME", NULL, &type) == 0 &&
	    type == 'f')
		edit_job(c, "/etc/HOSTNAME", GFILE_HOSTNAME, &job);
	if ((f = guest_file(c, "/etc/hostname", &err)) != NULL)
		edit_job(c, "/etc/hostname", GFILE_HOSTNAME, &job);
	else if (!err && c->family != FAMILY_RHEL && type != 'f') {
		/* systemd and Debian read it; RHEL before 7 does not */
		f = new_file(c->p, false, "/etc/hostname", PLAN_CREATE);
		buf_addf(&f->new, "%s\n", h);
	}
	if (first != NULL && (old == NULL || strcmp(first, old) != 0)) {
		/* the template's name first, then what the guest says now */
		job.old_hostname = first;
		edit_job(c, "/etc/hosts", GFILE_HOSTS, &job);
		job.old_hostname = old;
	}
	if (old)
		edit_job(c, "/etc/hosts", GFILE_HOSTS, &job);
	free(first);
	plan_hosts_self(c, h);
	/* DHCP_HOSTNAME follows, in every live ifcfg. */
	for (i = 0; i < s->nnics; i++)
		if (strcmp(s->nics[i].format, "ifcfg") == 0 &&
		    !s->nics[i].ignored)
			edit_job(c, s->nics[i].file, GFILE_IFCFG, &job);
	if (old == NULL || strcmp(old, h) != 0)
		summary(c, "hostname: %s -> %s", old ? old : "(none)", h);
	applied(c, "hostname", h);
}

/* --- NICs ---------------------------------------------------------------- */

/* The guest's NIC config for name (not an ignored ifcfg), or NULL. */
static const struct survey_nic *
guest_nic(const struct survey *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nnics; i++)
		if (!s->nics[i].ignored && s->nics[i].device &&
		    strcmp(s->nics[i].device, name) == 0)
			return &s->nics[i];
	return NULL;
}

static const char *
udev_mac(const struct survey *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nudev; i++)
		if (strcmp(s->udev[i].name, name) == 0)
			return s->udev[i].mac;
	return NULL;
}

/* The MAC the guest binds name to: HWADDR, hwaddress or a udev rule. */
static const char *
guest_mac(const struct survey *s, const char *name)
{
	const struct survey_nic *n = guest_nic(s, name);

	if (n && n->hwaddr && *n->hwaddr)
		return n->hwaddr;
	if (n && n->macaddr && *n->macaddr)
		return n->macaddr;
	return udev_mac(s, name);
}

/*
 * Decide NIC i's MAC: out gets it in lower case, or "" to leave the MAC
 * alone.  Returns -1 after a message.
 */
static int
decide_mac(struct ctx *c, size_t i, const char *vif_mac, char out[18])
{
	const struct recipe_nic *rn = &c->r->nics[i];
	const char *gm = guest_mac(c->in->survey, rn->name), *prev = NULL;
	char key[32], norm[18];

	out[0] = '\0';
	switch (rn->mac_kind) {
	case RECIPE_MAC_KEEP:
		return 0;
	case RECIPE_MAC_FIXED:
		memcpy(out, rn->mac, 18);
		break;
	case RECIPE_MAC_FROM_CONFIG:
		if (vif_mac == NULL || mac_normalize(vif_mac, out) == -1) {
			warnx("%s:%zu: nic %s: mac = from-config, but vif %zu "
			    "in the domain config has %s", c->r->path,
			    rn->mac_line, rn->name, i,
			    vif_mac ? "no usable mac=" : "no mac= (or no "
			    "config)");
			return -1;
		}
		break;
	case RECIPE_MAC_FROM_GUEST:
		if (gm == NULL || mac_normalize(gm, out) == -1) {
			warnx("%s:%zu: nic %s: mac = from-guest, but the guest "
			    "binds %s to no MAC", c->r->path, rn->mac_line,
			    rn->name, rn->name);
			return -1;
		}
		break;
	case RECIPE_MAC_AUTO:
		/*
		 * Idempotence: keep the MAC the last apply chose while guest
		 * and config both still carry it (without a config, while
		 * the guest does: config = none, --root-dir).  A copied
		 * template agrees with itself too, so agreement alone is not
		 * enough: the image's undo record must say we chose it.
		 */
		snprintf(key, sizeof(key), "nic%zu.mac", i);
		if (c->in->prev)
			prev = undo_applied_get(c->in->prev, key);
		if (prev && (c->in->cfg == NULL ||
		    (vif_mac && mac_equal(prev, vif_mac))) &&
		    (gm == NULL || mac_equal(prev, gm)) &&
		    mac_normalize(prev, norm) == 0) {
			memcpy(out, norm, 18);
			break;
		}
		/* Oracle VM's OUI in a file that has it, unless
		 * --mac-prefix says otherwise. */
		if (ident_new_mac_default(c->in->macs,
		    ident_default_prefix(c->in->cfg), out) == -1)
			return -1;
		strlist_add_owned(&c->p->generated, xasprintf("nic%zu.mac=%s",
		    i, out));
		break;
	}
	ident_macs_take_str(c->in->macs, out);
	return 0;
}

static int
boot_of(const struct recipe_nic *rn)
{
	return rn->boot == RECIPE_BOOT_STATIC ? GFILE_BOOT_STATIC :
	    rn->boot == RECIPE_BOOT_DHCP ? GFILE_BOOT_DHCP : GFILE_BOOT_KEEP;
}

/* Lowest-numbered live ifcfg of a real NIC, to copy a new one's style. */
static const struct survey_nic *
sibling_ifcfg(const struct survey *s)
{
	const struct survey_nic *best = NULL;
	size_t i;

	for (i = 0; i < s->nnics; i++) {
		const struct survey_nic *n = &s->nics[i];
		if (strcmp(n->format, "ifcfg") != 0 || n->ignored ||
		    strcmp(n->device, "lo") == 0)
			continue;
		if (best == NULL || strcmp(n->file, best->file) < 0)
			best = n;
	}
	return best;
}

/*
 * Whether survey entry e binds recipe NIC i: by name, or by one of the
 * MACs the NIC had (the guest's, the config's vif in the same position,
 * the first apply's) or has now.
 */
static bool
binds(const struct ctx *c, const struct survey_nic *e, size_t i)
{
	const struct strlist *o = &c->olds[i];
	const char *m[2] = { e->hwaddr, e->macaddr };
	size_t k, j;

	if (e->ignored)
		return false;
	if (e->device != NULL && strcmp(e->device, c->r->nics[i].name) == 0)
		return true;
	for (j = 0; j < 2; j++) {
		if (m[j] == NULL)
			continue;
		if (c->macs[i][0] && mac_equal(m[j], c->macs[i]))
			return true;
		for (k = 0; k < o->n; k++)
			if (mac_equal(m[j], o->v[k]))
				return true;
	}
	return false;
}

/* Whether a netfmt.h format's file binds recipe NIC i. */
static bool
bound_by_netfmt(const struct ctx *c, size_t i)
{
	const struct survey *s = c->in->survey;
	size_t k;

	for (k = 0; k < s->nnics; k++)
		if (is_netfmt(&s->nics[k]) && binds(c, &s->nics[k], i))
			return true;
	return false;
}

/* The first NIC config read from file path, or NULL. */
static const struct survey_nic *
survey_nic_of(const struct survey *s, const char *path)
{
	size_t k;

	for (k = 0; k < s->nnics; k++)
		if (strcmp(s->nics[k].file, path) == 0)
			return &s->nics[k];
	return NULL;
}

/* The ifupdown file with the stanza of name (/etc/network/interfaces
 * or one it sources), or NULL. */
static const char *
ifupdown_file(const struct survey *s, const char *name)
{
	size_t k;

	for (k = 0; k < s->nnics; k++)
		if (strcmp(s->nics[k].format, "ifupdown") == 0 &&
		    s->nics[k].device != NULL &&
		    strcmp(s->nics[k].device, name) == 0)
			return s->nics[k].file;
	return NULL;
}

/*
 * A connection uuid for the file at path, whose uuid is now cur: the one
 * the last apply gave it while it still has it, else a new one (lower
 * case, dashed, as NetworkManager writes them).  Two clones of a
 * template never share one; a re-run changes nothing.
 */
static void
conn_uuid(struct ctx *c, const char *path, const char *cur, char out[37])
{
	char *key = xasprintf("conn-uuid:%s", path);
	const char *prev = c->in->prev ? undo_applied_get(c->in->prev, key) :
	    NULL;

	if (prev != NULL && cur != NULL && strcmp(prev, cur) == 0)
		snprintf(out, 37, "%s", cur);
	else {
		ident_new_uuid(out);
		strlist_add_owned(&c->p->generated, xasprintf("%s=%s", key,
		    out));
		summary(c, "connection uuid %s: %s -> %s", esc(path),
		    cur ? esc(cur) : "(none)", out);
	}
	applied(c, key, out);
	free(key);
}

static void
plan_nic_guest(struct ctx *c, size_t i, const char *mac)
{
	const struct recipe_nic *rn = &c->r->nics[i];
	const struct survey *s = c->in->survey;
	struct gfile_nic gn;
	struct buf out = BUF_INIT;
	struct plan_file *f;
	char *path, *shorthost = NULL;
	const char *ifile = NULL;
	bool err;
	int r;

	memset(&gn, 0, sizeof(gn));
	gn.name = rn->name;
	gn.mac = *mac ? mac : NULL;
	gn.boot = boot_of(rn);
	gn.address = rn->address;
	gn.prefix = rn->prefix;
	gn.gateway = rn->gateway;
	if (c->r->guest.hostname) {
		shorthost = xstrndup(c->r->guest.hostname,
		    strcspn(c->r->guest.hostname, "."));
		gn.hostname = shorthost;
	}
	if (c->family == FAMILY_RHEL) {
		const struct survey_nic *sn;
		char uuid[37];

		path = xasprintf("%s/ifcfg-%s", IFCFG_DIR, rn->name);
		if ((f = guest_file(c, path, &err)) != NULL) {
			sn = survey_nic_of(s, path);
			if (sn != NULL && sn->uuid != NULL &&
			    *sn->uuid != '\0') {
				/* NetworkManager's ifcfg-rh plugin */
				conn_uuid(c, path, sn->uuid, uuid);
				gn.uuid = uuid;
			}
			r = gfile_ifcfg_apply_nic(f->new.data, f->new.len, &gn,
			    &out);
		} else if (!err && bound_by_netfmt(c, i)) {
			/* a keyfile (or netplan, networkd) has it */
			free(path);
			path = NULL;
			r = 1;
		} else if (!err && rn->boot == RECIPE_BOOT_EXISTING) {
			summary(c, "nic %s: the guest does not configure it; "
			    "boot = keep writes no %s", rn->name, path);
			free(path);
			path = NULL;
			r = 1;
		} else if (!err) {
			const struct survey_nic *sib = sibling_ifcfg(s);
			struct plan_file *sf;
			if (sib == NULL || (sf = guest_file(c, sib->file,
			    &err)) == NULL) {
				warnx("%s:%zu: nic %s: the guest has no %s and "
				    "no other ifcfg to write one after",
				    c->r->path, rn->line, rn->name, path);
				c->errors++;
				free(path);
				free(shorthost);
				return;
			}
			r = gfile_ifcfg_new_nic(sf->old, sf->oldlen,
			    sib->device, &gn, &out);
			/* After sf's last use: new_file moves the array. */
			f = new_file(c->p, false, path, PLAN_CREATE);
			f->like = xstrdup(sib->file);
		} else
			r = -1;
		if (r == 0)
			take(f, &out);
		else if (r == -1 && f) {
			warnx("cannot write the configuration of %s into %s",
			    rn->name, esc(path));
			c->errors++;
		}
		free(path);
	} else if (c->family == FAMILY_DEBIAN && rn->boot ==
	    RECIPE_BOOT_EXISTING && ifupdown_file(s, rn->name) == NULL &&
	    !bound_by_netfmt(c, i)) {
		summary(c, "nic %s: the guest does not configure it; boot = "
		    "keep writes no stanza", rn->name);
	} else if (c->family == FAMILY_DEBIAN &&
	    ((ifile = ifupdown_file(s, rn->name)) != NULL ||
	    !bound_by_netfmt(c, i)) &&
	    (f = guest_file(c, ifile ? ifile : INTERFACES, &err)) != NULL) {
		/* the file that has the stanza (one interfaces sources,
		 * maybe), else interfaces itself */
		if (gfile_ifupdown_apply_nic(f->new.data, f->new.len, &gn,
		    &out) == 0)
			take(f, &out);
		else {
			warnx("cannot write the configuration of %s into %s",
			    rn->name, esc(f->path));
			c->errors++;
		}
	}
	buf_release(&out);
	if (*mac && !(c->r->guest.forget & RECIPE_FORGET_UDEV_NET) &&
	    (f = guest_file(c, UDEV_NET, &err)) != NULL) {
		if (gfile_udev_bind_name_mac(f->new.data, f->new.len, rn->name,
		    mac, &out) == 0)
			take(f, &out);
		else
			c->errors++;
		buf_release(&out);
	}
	free(shorthost);
}

/* kudzu (EL4, EL5) renames ifcfg files to .bak when the NIC's MAC is not
 * the one it recorded in hwconf: make its record follow. */
static void
plan_hwconf(struct ctx *c, const struct gfile_map *maps, size_t n)
{
	struct buf out = BUF_INIT;
	struct plan_file *f;
	bool err;

	if (n == 0 || (f = guest_file(c, HWCONF, &err)) == NULL)
		return;
	if (gfile_hwconf_map_mac(f->new.data, f->new.len, maps, n, &out) == 0)
		take(f, &out);
	else
		c->errors++;
	buf_release(&out);
}

/* /etc/hosts lines of a NIC's old static address follow its new one. */
static void
plan_hosts_addresses(struct ctx *c)
{
	const struct recipe *r = c->r;
	struct gfile_map *ips = xcalloc(r->nnics + 1, sizeof(*ips));
	struct strlist olds = STRLIST_INIT;
	const struct survey_nic *n;
	struct gfile_job job;
	size_t i, nips = 0;

	for (i = 0; i < r->nnics; i++) {
		n = guest_nic(c->in->survey, r->nics[i].name);
		if (r->nics[i].boot != RECIPE_BOOT_STATIC || n == NULL ||
		    n->ipaddr == NULL)
			continue;
		/* ifupdown writes "address 192.0.2.20/24" */
		strlist_add_owned(&olds, xstrndup(n->ipaddr,
		    strcspn(n->ipaddr, "/")));
		if (strcmp(olds.v[olds.n - 1], r->nics[i].address) == 0 ||
		    !ipv4_valid(olds.v[olds.n - 1]))
			continue;
		ips[nips].from = olds.v[olds.n - 1];
		ips[nips++].to = r->nics[i].address;
	}
	if (nips) {
		memset(&job, 0, sizeof(job));
		job.ips = ips;
		job.nips = nips;
		edit_job(c, "/etc/hosts", GFILE_HOSTS, &job);
	}
	strlist_release(&olds);
	free(ips);
}

/*
 * The MAC of NIC name before the first apply, from the last apply's
 * record (the original ifcfg's HWADDR, else MACADDR), or NULL (caller
 * frees).  A run killed after it rewrote ifcfg-NAME but before
 * /etc/sysconfig/hwconf leaves the template's MAC only in hwconf: a
 * re-run must still map it, as the first run would have.
 */
static char *
first_mac(const struct undo *u, const char *name)
{
	char *path = xasprintf("%s/ifcfg-%s", IFCFG_DIR, name), *m = NULL;
	size_t i;

	for (i = 0; u != NULL && i < u->n && m == NULL; i++) {
		const struct undo_entry *e = &u->e[i];

		if (e->host || e->what != UNDO_RESTORE ||
		    strcmp(e->path, path) != 0)
			continue;
		m = gfile_shvar_get(e->data, e->len, "HWADDR");
		if (m == NULL || *m == '\0') {
			free(m);
			m = gfile_shvar_get(e->data, e->len, "MACADDR");
		}
		if (m != NULL && *m == '\0') {
			free(m);
			m = NULL;
		}
	}
	free(path);
	return m;
}

/* A copy of an address without its /prefix (caller frees). */
static char *
bare_address(const char *a)
{
	return xstrndup(a, strcspn(a, "/"));
}

/* What one netfmt file's edit job maps, built NIC by NIC. */
struct netjob {
	struct gfile_map	*macs, *ips, *gws;
	size_t			 nmacs, nips, ngws;
	struct strlist		 hold;		/* the from strings */
};

static void
netjob_add(struct gfile_map **m, size_t *n, const char *from, const char *to)
{
	*m = xreallocarray(*m, *n + 1, sizeof(**m));
	(*m)[*n].from = from;
	(*m)[(*n)++].to = to;
}

/*
 * What recipe NIC i wants of netfmt entry e, added to its file's job j:
 * its old MACs mapped to its new one, its old static address and gateway
 * to the recipe's.  These formats' editors change values in place and
 * add no setting, so what needs one (a DHCP NIC made static, a new
 * prefix, a gateway where the file has none) is refused here with the
 * file and the way out.
 */
static void
netfile_nic(struct ctx *c, const struct survey_nic *e, size_t i,
    struct netjob *j)
{
	const struct recipe_nic *rn = &c->r->nics[i];
	const struct survey_keys *k = e->keys;
	const char *where = e->file;
	char *old, pfx[8];
	const char *slash;
	size_t n;

	for (n = 0; c->macs[i][0] && n < c->olds[i].n; n++)
		netjob_add(&j->macs, &j->nmacs, c->olds[i].v[n], c->macs[i]);
	/* a .link file names a NIC; its .network holds the address */
	if (rn->boot == RECIPE_BOOT_KEEP || rn->boot == RECIPE_BOOT_EXISTING ||
	    k->address == NULL)
		return;
	if (rn->boot == RECIPE_BOOT_DHCP) {
		if (e->ipaddr != NULL) {
			warnx("%s:%zu: nic %s: boot = dhcp, but %s gives it the "
			    "static address %s (%s); imprint changes addresses "
			    "in %s files but does not switch their method: "
			    "make the template's NIC use DHCP, or keep boot",
			    c->r->path, rn->line, rn->name, esc(where),
			    esc(e->ipaddr), k->address, e->format);
			c->errors++;
		}
		return;
	}
	if (e->ipaddr == NULL) {
		warnx("%s:%zu: nic %s: boot = static, but %s gives it no "
		    "address (%s=%s); imprint changes addresses in %s files "
		    "but does not add them: give the template's NIC a static "
		    "address, or use boot = keep", c->r->path, rn->line,
		    rn->name, esc(where), k->method ? k->method : "method",
		    e->bootproto ? esc(e->bootproto) : "(none)", e->format);
		c->errors++;
		return;
	}
	snprintf(pfx, sizeof(pfx), "%d", rn->prefix);
	slash = strchr(e->ipaddr, '/');
	if (slash != NULL && strcmp(slash + 1, pfx) != 0) {
		warnx("%s:%zu: nic %s: the recipe's prefix is /%d, %s has "
		    "%s (%s); imprint changes the address, not the prefix, "
		    "in %s files: give the template's prefix", c->r->path,
		    rn->line, rn->name, rn->prefix, esc(where),
		    esc(e->ipaddr), k->address, e->format);
		c->errors++;
	}
	if (rn->gateway != NULL && k->gateway != NULL && e->gateway == NULL) {
		warnx("%s:%zu: nic %s: the recipe's gateway is %s, %s has "
		    "none (%s); imprint changes gateways in %s files but "
		    "does not add them: give the template's NIC a gateway",
		    c->r->path, rn->line, rn->name, rn->gateway, esc(where),
		    k->gateway, e->format);
		c->errors++;
	} else if (rn->gateway != NULL && e->gateway != NULL &&
	    strcmp(rn->gateway, e->gateway) != 0 && ipv4_valid(e->gateway)) {
		strlist_add(&j->hold, e->gateway);
		netjob_add(&j->gws, &j->ngws, j->hold.v[j->hold.n - 1],
		    rn->gateway);
	}
	old = bare_address(e->ipaddr);
	if (ipv4_valid(old) && strcmp(old, rn->address) != 0) {
		strlist_add_owned(&j->hold, old);
		netjob_add(&j->ips, &j->nips, j->hold.v[j->hold.n - 1],
		    rn->address);
	} else
		free(old);
}

/*
 * NetworkManager connections whose uuid another keyfile names (a bond's
 * or bridge's port says master=UUID, a VPN secondaries=UUID): renewing
 * it would cut the link, so it is kept.
 */
static bool
uuid_referenced(struct ctx *c, const struct survey_nic *e)
{
	const struct survey *s = c->in->survey;
	size_t k, n = strlen(e->uuid);
	struct plan_file *f;
	bool err;

	for (k = 0; k < s->nnics; k++) {
		const struct survey_nic *o = &s->nics[k];

		if (strcmp(o->format, e->format) != 0 ||
		    strcmp(o->file, e->file) == 0 ||
		    (f = guest_file(c, o->file, &err)) == NULL)
			continue;
		if (memmem(f->old, f->oldlen, e->uuid, n) != NULL) {
			summary(c, "connection uuid %s: kept (%s names it)",
			    esc(e->file), esc(o->file));
			return true;
		}
	}
	return false;
}

/*
 * Every file of a netfmt.h format (NetworkManager keyfile, netplan,
 * networkd, SUSE ifcfg) gets one edit job: for each recipe NIC one of its
 * entries binds, the NIC's old MACs, address and gateway mapped to the
 * new ones; the
 * recipe host's short name in dhcp-hostname; and for a keyfile a new
 * connection uuid.  A file binds by name or by MAC, and the template's
 * MAC may be in a .link and its address in a .network: each file is
 * judged on its own.
 */
static void
plan_netfiles(struct ctx *c)
{
	const struct survey *s = c->in->survey;
	const struct survey_nic *e;
	struct netjob nj;
	struct gfile_job job;
	size_t k, m, i;
	char uuid[37];
	bool seen, nm;

	memset(&nj, 0, sizeof(nj));
	for (k = 0; k < s->nnics; k++) {
		e = &s->nics[k];
		if (!is_netfmt(e))
			continue;
		for (seen = false, m = 0; m < k && !seen; m++)
			seen = strcmp(s->nics[m].file, e->file) == 0;
		if (seen)
			continue;
		nj.nmacs = nj.nips = nj.ngws = 0;
		for (m = k; m < s->nnics; m++) {
			if (strcmp(s->nics[m].file, e->file) != 0)
				continue;
			for (i = 0; i < c->r->nnics; i++)
				if (binds(c, &s->nics[m], i))
					netfile_nic(c, &s->nics[m], i, &nj);
		}
		memset(&job, 0, sizeof(job));
		job.macs = nj.macs;
		job.nmacs = nj.nmacs;
		job.ips = nj.ips;
		job.nips = nj.nips;
		job.gws = nj.gws;
		job.ngws = nj.ngws;
		job.hostname = c->r->guest.hostname;
		nm = strcmp(e->format, netfmt_nm.name) == 0;
		if (nm && e->uuid != NULL && uuid_valid(e->uuid) &&
		    !uuid_referenced(c, e)) {
			conn_uuid(c, e->file, e->uuid, uuid);
			job.uuid = uuid;
		}
		/* a file that binds no recipe NIC is not even parsed (only
		 * a keyfile's dhcp-hostname and uuid concern every one) */
		if (nm || nj.nmacs > 0 || nj.nips > 0 || nj.ngws > 0)
			edit_job(c, e->file, gfile_kind_for_path(e->file,
			    NULL), &job);
		strlist_release(&nj.hold);
	}
	free(nj.macs);
	free(nj.ips);
	free(nj.gws);
}

/* Add MAC m (lower case) to olds unless it is NULL, unusable, the new
 * MAC or there already. */
static void
add_old_mac(struct strlist *olds, const char *m, const char *now)
{
	char norm[18];
	size_t k;

	if (m == NULL || mac_normalize(m, norm) == -1 ||
	    (*now && strcmp(norm, now) == 0))
		return;
	for (k = 0; k < olds->n; k++)
		if (strcmp(olds->v[k], norm) == 0)
			return;
	strlist_add(olds, norm);
}

static void
plan_nics(struct ctx *c)
{
	const struct recipe *r = c->r;
	struct domcfg *cfg = c->in->cfg;
	struct gfile_map *maps;
	char (*macs)[18], *vif, *br, *fm, key[64];
	struct strlist firsts = STRLIST_INIT;
	const char *gm;
	size_t i, nmaps = 0, nvif = cfg ? domcfg_nic_count(cfg) : 0;

	macs = xcalloc(r->nnics + 1, sizeof(*macs));
	maps = xcalloc(2 * r->nnics + 1, sizeof(*maps));
	c->macs = macs;
	c->olds = xcalloc(r->nnics + 1, sizeof(*c->olds));
	for (i = 0; i < r->nnics; i++) {
		vif = i < nvif ? domcfg_nic_get(cfg, i, "mac") : NULL;
		if (decide_mac(c, i, vif, macs[i]) == -1) {
			c->errors++;
			free(vif);
			continue;
		}
		gm = guest_mac(c->in->survey, r->nics[i].name);
		fm = first_mac(c->in->prev, r->nics[i].name);
		add_old_mac(&c->olds[i], gm, macs[i]);
		add_old_mac(&c->olds[i], vif, macs[i]);
		add_old_mac(&c->olds[i], fm, macs[i]);
		if (macs[i][0] && (gm == NULL || !mac_equal(gm, macs[i])))
			summary(c, "nic%zu %s: mac %s -> %s", i,
			    r->nics[i].name, gm ? gm : vif ? vif : "(none)",
			    macs[i]);
		if (macs[i][0] && gm && !mac_equal(gm, macs[i])) {
			maps[nmaps].from = gm;
			maps[nmaps++].to = macs[i];
		}
		if (fm != NULL && macs[i][0] && !mac_equal(fm, macs[i]) &&
		    (gm == NULL || !mac_equal(fm, gm))) {
			strlist_add_owned(&firsts, fm);
			maps[nmaps].from = firsts.v[firsts.n - 1];
			maps[nmaps++].to = macs[i];
		} else
			free(fm);
		if (macs[i][0]) {
			snprintf(key, sizeof(key), "nic%zu.mac", i);
			applied(c, key, macs[i]);
		}
		plan_nic_guest(c, i, macs[i]);

		/* The host side: the same MAC, by construction. */
		if (cfg == NULL) {
			free(vif);
			continue;
		}
		br = r->nics[i].bridge;
		if (i < nvif) {
			snprintf(key, sizeof(key), "nic%zu.mac", i);
			if (macs[i][0] && domcfg_set(cfg, key, macs[i]) == -1)
				c->errors++;
			snprintf(key, sizeof(key), "nic%zu.bridge", i);
			if (br && domcfg_set(cfg, key, br) == -1)
				c->errors++;
		} else if (!macs[i][0]) {
			warnx("%s:%zu: nic %s has no vif in %s to keep a MAC "
			    "of: give mac = auto or a MAC", r->path,
			    r->nics[i].line, r->nics[i].name,
			    domcfg_path(cfg));
			c->errors++;
		} else {
			char *spec = br ? xasprintf("mac=%s,bridge=%s",
			    macs[i], br) : xasprintf("mac=%s", macs[i]);
			if (domcfg_add_nic(cfg, spec) == -1)
				c->errors++;
			else
				summary(c, "nic%zu %s: new vif %s", i,
				    r->nics[i].name, spec);
			free(spec);
		}
		free(vif);
	}
	plan_netfiles(c);
	plan_hwconf(c, maps, nmaps);
	plan_hosts_addresses(c);
	strlist_release(&firsts);
	for (i = 0; i < r->nnics; i++)
		strlist_release(&c->olds[i]);
	free(c->olds);
	c->olds = NULL;
	c->macs = NULL;
	free(maps);
	free(macs);
}

/* --- forget, password ---------------------------------------------------- */

/*
 * D-Bus's machine id: on systemd guests a symlink to /etc/machine-id,
 * which then carries the new id by itself and stays as it is; a file of
 * its own (EL5, EL6, older Debian) is removed, and the messagebus init
 * script's dbus-uuidgen --ensure makes a new one (a systemd guest's
 * D-Bus falls back to /etc/machine-id).  An empty file would be an
 * invalid id to D-Bus.
 */
static void
plan_dbus_machine_id(struct ctx *c)
{
	static const char path[] = "/var/lib/dbus/machine-id";
	char type = 0, *target = NULL;
	size_t n;
	bool link;

	if (gfs_lstat(c->in->fs, path, NULL, &type) != 0 || type != 'l') {
		plan_remove(c, path);	/* absent, a file, or an error */
		return;
	}
	if (gfs_readlink(c->in->fs, path, &target) != 0) {
		c->errors++;
		return;
	}
	n = strlen(target);
	link = strcmp(target, "/etc/machine-id") == 0 ||
	    (n > 15 && strcmp(target + n - 15, "/etc/machine-id") == 0 &&
	    strspn(target, "./") == n - 14);
	free(target);
	if (!link)
		plan_remove(c, path);
}

static void
plan_forget(struct ctx *c)
{
	static const struct {
		const char *dir, *pattern;
	} leases[] = {
		{ "/var/lib/dhclient", "*.lease*" },
		{ "/var/lib/dhcp", "dhclient*.lease*" },
		{ "/var/lib/NetworkManager", "*.lease" },
	};
	unsigned int forget = c->r->guest.forget;
	struct strlist paths = STRLIST_INIT;
	struct plan_file *f;
	size_t i, j;
	bool err;

	if (forget & RECIPE_FORGET_UDEV_NET)
		plan_remove(c, UDEV_NET);
	if (forget & RECIPE_FORGET_MACHINE_ID) {
		/* Empty, not absent: systemd makes a new one at boot (an
		 * absent one it cannot always write, /etc may be read-only
		 * that early). */
		if ((f = guest_file(c, "/etc/machine-id", &err)) != NULL)
			buf_reset(&f->new);
		plan_dbus_machine_id(c);
	}
	if (forget & RECIPE_FORGET_SSH_HOSTKEYS) {
		if (gfs_glob(c->in->fs, "/etc/ssh", "ssh_host_*", &paths)
		    == -1)
			c->errors++;
		for (i = 0; i < paths.n; i++) {
			plan_remove(c, paths.v[i]);
			mark_secret(c, paths.v[i]);
		}
		strlist_release(&paths);
	}
	if (forget & RECIPE_FORGET_DHCP_LEASES) {
		for (i = 0; i < ARRAY_SIZE(leases); i++) {
			if (gfs_glob(c->in->fs, leases[i].dir,
			    leases[i].pattern, &paths) == -1)
				c->errors++;
			for (j = 0; j < paths.n; j++)
				plan_remove(c, paths.v[j]);
			strlist_release(&paths);
		}
	}
}

/* --- forget = fs-uuids ------------------------------------------------------ */

/* Configuration files read to decide, at most this large. */
#define FSUUID_CONF_CAP		(256 * 1024)


/*
 * dracut's configuration files in the order dracut reads them:
 * /etc/dracut.conf, then the *.conf of /usr/lib/dracut/dracut.conf.d and
 * /etc/dracut.conf.d sorted by name together, a name in /etc hiding the
 * same name in /usr/lib.
 */
static int
dracut_confs(struct ctx *c, struct strlist *out)
{
	static const char *const dirs[] = { "/usr/lib/dracut/dracut.conf.d",
	    "/etc/dracut.conf.d" };
	struct strlist found = STRLIST_INIT, names = STRLIST_INIT;
	size_t i;
	int r = 0;

	strlist_add(out, "/etc/dracut.conf");
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (gfs_glob(c->in->fs, dirs[i], "*.conf", &found) == -1)
			r = -1;
	for (i = 0; i < found.n; i++) {
		const char *base = strrchr(found.v[i], '/') + 1;
		if (!strlist_has(&names, base))
			strlist_add(&names, base);
	}
	sort_strings(names.v, names.n);
	for (i = 0; i < names.n; i++) {
		char *etc = xasprintf("%s/%s", dirs[1], names.v[i]);
		if (!strlist_has(&found, etc)) {
			free(etc);
			etc = xasprintf("%s/%s", dirs[0], names.v[i]);
		}
		strlist_add_owned(out, etc);
	}
	strlist_release(&found);
	strlist_release(&names);
	return r;
}

/*
 * The value the last of files assigns to shell variable key (caller
 * frees), and in *file_r the file that does; NULL when none does, or on
 * an error (c->errors counts it).
 */
static char *
conf_last(struct ctx *c, const struct strlist *files, const char *key,
    const char **file_r)
{
	char *buf, *v, *val = NULL;
	size_t i, len;
	int st;

	*file_r = NULL;
	for (i = 0; i < files->n; i++) {
		if ((st = gfs_read(c->in->fs, files->v[i], FSUUID_CONF_CAP,
		    &buf, &len)) == 1)
			continue;
		if (st == -1) {
			c->errors++;
			continue;
		}
		if ((v = gfile_shvar_get(buf, len, key)) != NULL) {
			free(val);
			val = v;
			*file_r = files->v[i];
		}
		free(buf);
	}
	return val;
}

static bool
guest_has(struct ctx *c, const char *path)
{
	char type;

	return gfs_lstat(c->in->fs, path, NULL, &type) == 0;
}

/* The guest's initramfs generator, and what it is told. */
struct initrd {
	enum { INITRD_NONE, INITRD_TOOLS, INITRD_DRACUT,
	    INITRD_MKINITRD } kind;
	char		*setting;	/* hostonly (dracut), RESUME (tools) */
	const char	*file;		/* where that was set, or NULL */
	struct strlist	 files;		/* the configuration files read */
};

static void
initrd_survey(struct ctx *c, struct initrd *ir)
{
	memset(ir, 0, sizeof(*ir));
	if (guest_has(c, "/usr/lib/dracut/modules.d") ||
	    guest_has(c, "/usr/share/dracut/modules.d")) {
		ir->kind = INITRD_DRACUT;
		if (dracut_confs(c, &ir->files) == -1)
			c->errors++;
		ir->setting = conf_last(c, &ir->files, "hostonly", &ir->file);
	} else if (guest_has(c, "/usr/share/initramfs-tools")) {
		ir->kind = INITRD_TOOLS;
		strlist_add(&ir->files, "/etc/initramfs-tools/initramfs.conf");
		if (gfs_glob(c->in->fs, "/etc/initramfs-tools/conf.d", "*",
		    &ir->files) == -1)
			c->errors++;
		ir->setting = conf_last(c, &ir->files, "RESUME", &ir->file);
	} else if (guest_has(c, "/sbin/mkinitrd"))
		ir->kind = INITRD_MKINITRD;
}

static void
initrd_release(struct initrd *ir)
{
	free(ir->setting);
	strlist_release(&ir->files);
}

/*
 * Why the guest's initramfs keeps filesystem f's UUID, so that it cannot
 * change offline (caller frees), or NULL.  The root, /usr and swap are
 * what an initramfs mounts or resumes from:
 *   dracut, hostonly="yes" (EL7 and later, Fedora, SUSE 12 and later by
 *     default) records the root's, /usr's and the swap's devices and
 *     waits for them;
 *   mkinitrd (EL5, SLES 11 and older) writes the root device and the
 *     resume swap its fstab names into the initrd;
 *   initramfs-tools (Debian, Ubuntu) takes the root from the kernel
 *     command line and /usr from the root's fstab, and keeps only the
 *     resume device (RESUME; unset = found at build time).
 */
static char *
initrd_keeps(const struct initrd *ir, const struct gfs_fsinfo *f,
    bool root, bool usr, const char *fstab, size_t fstablen)
{
	bool swap = strcmp(f->type, "swap") == 0;

	switch (ir->kind) {
	case INITRD_DRACUT:
		if ((root || usr || swap) && ir->setting != NULL &&
		    strcmp(ir->setting, "yes") == 0)
			return xasprintf("the guest's initramfs (dracut, "
			    "hostonly=\"yes\" in %s) records it and cannot be "
			    "rebuilt offline: make the template's with "
			    "hostonly=\"no\" (dracut-config-generic), or leave "
			    "fs-uuids out", esc(ir->file));
		return NULL;
	case INITRD_MKINITRD:
		if ((root || swap) && fstab != NULL &&
		    fsuuid_line(fstab, fstablen, f->uuid) != 0)
			return xstrdup("the guest's initrd (mkinitrd) names "
			    "it by the UUID /etc/fstab gives and cannot be "
			    "rebuilt offline: name it by LABEL= in the "
			    "template's /etc/fstab and initrd, or leave "
			    "fs-uuids out");
		return NULL;
	case INITRD_TOOLS:
		if (swap && (ir->setting == NULL ||
		    strcmp(ir->setting, "none") != 0))
			return xasprintf("the guest's initramfs "
			    "(initramfs-tools) names it for resume (RESUME=%s"
			    "%s%s) and cannot be rebuilt offline: set "
			    "RESUME=none in the template's "
			    "/etc/initramfs-tools/conf.d/resume and run "
			    "update-initramfs -u there, or leave fs-uuids out",
			    ir->setting ? esc(ir->setting) : "",
			    ir->setting ? " in " : "unset: found when it was "
			    "built", ir->setting ? esc(ir->file) : "");
		return NULL;
	case INITRD_NONE:
		break;
	}
	return NULL;
}

/* Does the fstab line mounting dir name filesystem f (by UUID, or by its
 * device name)? */
static bool
fstab_mounts(const char *fstab, size_t len, const char *dir,
    const struct gfs_fsinfo *f)
{
	struct gfile_line l;
	size_t pos = 0, fp, s0, s1, d0, d1;

	memset(&l, 0, sizeof(l));
	while (gfile_line_next(fstab, len, &pos, &l)) {
		fp = 0;
		if (!gfile_field_next(l.p, l.len, &fp, &s0, &s1) ||
		    l.p[s0] == '#' ||
		    !gfile_field_next(l.p, l.len, &fp, &d0, &d1) ||
		    !gfile_span_eq(l.p + d0, d1 - d0, dir))
			continue;
		if (fsuuid_line(l.p + s0, s1 - s0, f->uuid) != 0 ||
		    gfile_span_eq(l.p + s0, s1 - s0, f->dev))
			return true;
	}
	return false;
}

/* The reference files: fsuuid_refs, and grub.cfg and grubenv under each
 * directory of /boot/efi/EFI. */
static int
fsuuid_files(struct ctx *c, struct strlist *out)
{
	struct strlist efi = STRLIST_INIT;
	size_t i;
	int r = 0;

	for (i = 0; i < fsuuid_nrefs; i++)
		if (gfs_glob(c->in->fs, fsuuid_refs[i].dir,
		    fsuuid_refs[i].pattern, out) == -1)
			r = -1;
	if (gfs_glob(c->in->fs, "/boot/efi/EFI", "*", &efi) == -1)
		r = -1;
	for (i = 0; i < efi.n; i++)
		if (gfs_glob(c->in->fs, efi.v[i], "grub.cfg", out) == -1 ||
		    gfs_glob(c->in->fs, efi.v[i], "grubenv", out) == -1)
			r = -1;
	strlist_release(&efi);
	return r;
}

/*
 * forget = fs-uuids: a new UUID for each ext2/3/4, xfs and swap
 * filesystem on the guest's disks, and every reference to the old one in
 * the files fsuuid.h lists rewritten in the same plan.  The UUIDs are set
 * after every file is written (plan_carry_out).  Refused, before
 * anything is written: a guest tree on the host (no disks), a filesystem
 * the initramfs keeps (initrd_keeps), one the domain config names (a PV
 * guest's root=UUID= in `extra`: the config is the user's to change).  A
 * re-run keeps the UUID the last apply gave while the filesystem has it.
 */
static void
plan_fs_uuids(struct ctx *c)
{
	static const char *const types[] = { "ext2", "ext3", "ext4", "xfs",
	    "swap" };
	struct gfs_fsinfo *fsi = NULL;
	struct fsuuid_map *map = NULL;
	struct strlist files = STRLIST_INIT;
	struct initrd ir;
	struct plan_file *f, *fstab;
	struct buf out = BUF_INIT;
	char (*news)[37] = NULL, *ft = NULL;
	const char *cfgtext = NULL;
	size_t nfs = 0, nmap = 0, cfglen = 0, ftlen = 0, i, j, line;
	bool err;
	int form;

	if (!(c->r->guest.forget & RECIPE_FORGET_FS_UUIDS))
		return;
	if (gfs_filesystems(c->in->fs, &fsi, &nfs) == -1) {
		warnx("%s:%zu: forget = fs-uuids: cannot list the guest's "
		    "filesystems", c->r->path, c->r->guest.forget_line);
		c->errors++;
		return;
	}
	initrd_survey(c, &ir);
	/* a copy: new_file below moves the plan's files */
	if ((fstab = guest_file(c, "/etc/fstab", &err)) != NULL) {
		ft = xmalloc(fstab->oldlen + 1);
		memcpy(ft, fstab->old, fstab->oldlen + 1);
		ftlen = fstab->oldlen;
	}
	if (c->in->cfg != NULL)
		cfgtext = domcfg_original(c->in->cfg, &cfglen);
	map = xcalloc(nfs + 1, sizeof(*map));
	news = xcalloc(nfs + 1, sizeof(*news));
	for (i = 0; i < nfs; i++) {
		const struct gfs_fsinfo *fi = &fsi[i];
		char *key, *why;
		const char *prev;

		for (j = 0; j < ARRAY_SIZE(types); j++)
			if (strcmp(fi->type, types[j]) == 0)
				break;
		if (j == ARRAY_SIZE(types) || (form = uuid_form(fi->uuid)) ==
		    -1 || (form & UUID_DASHLESS))
			continue;
		key = xasprintf("fs-uuid:%s", fi->dev);
		prev = c->in->prev ? undo_applied_get(c->in->prev, key) :
		    NULL;
		if (prev != NULL && strcasecmp(prev, fi->uuid) == 0) {
			applied(c, key, prev);	/* the last apply's */
			free(key);
			continue;
		}
		why = initrd_keeps(&ir, fi, c->in->root->display != NULL &&
		    strcmp(fi->dev, c->in->root->display) == 0,
		    ft != NULL && fstab_mounts(ft, ftlen, "/usr", fi), ft,
		    ftlen);
		if (why == NULL && cfgtext != NULL &&
		    (line = fsuuid_line(cfgtext, cfglen, fi->uuid)) != 0)
			why = xasprintf("the domain config names it (%s:%zu); "
			    "imprint does not edit kernel arguments there: "
			    "name the root by device in the template's config, "
			    "or leave fs-uuids out", esc(domcfg_path(c->in->cfg)),
			    line);
		if (why != NULL) {
			warnx("%s:%zu: forget = fs-uuids: %s %s (UUID %s): %s",
			    c->r->path, c->r->guest.forget_line, esc(fi->type),
			    esc(fi->dev), fi->uuid, why);
			c->errors++;
			free(why);
			free(key);
			continue;
		}
		ident_new_uuid(news[nmap]);
		map[nmap].old = fi->uuid;
		map[nmap].new = news[nmap];
		f = new_file(c->p, false, fi->dev, PLAN_FSUUID);
		f->old = xstrdup(fi->uuid);
		f->oldlen = strlen(f->old);
		buf_adds(&f->new, news[nmap]);
		summary(c, "filesystem uuid %s (%s): %s -> %s", esc(fi->dev),
		    fi->type, fi->uuid, news[nmap]);
		strlist_add_owned(&c->p->generated, xasprintf("%s=%s", key,
		    news[nmap]));
		applied(c, key, news[nmap]);
		free(key);
		nmap++;
	}
	if (nmap > 0 && fsuuid_files(c, &files) == -1)
		c->errors++;
	for (i = 0; nmap > 0 && i < files.n; i++) {
		char type;
		if (gfs_lstat(c->in->fs, files.v[i], NULL, &type) != 0 ||
		    type != 'f')
			continue;	/* a link: its target is listed */
		if ((f = guest_file(c, files.v[i], &err)) == NULL)
			continue;
		buf_reset(&out);
		if (fsuuid_replace(f->new.data, f->new.len, map, nmap,
		    &out) > 0)
			take(f, &out);
	}
	buf_release(&out);
	strlist_release(&files);
	initrd_release(&ir);
	free(ft);
	free(map);
	free(news);
	gfs_fsinfo_free(fsi, nfs);
}

/*
 * ssh-hostkeys = new: each private host key the guest has
 * (/etc/ssh/ssh_host_TYPE_key) gets a new pair of its type from
 * ssh-keygen on the host, written over the old files, so their mode,
 * owner and label stay (a .pub the guest lacks is not made: sshd needs
 * only the private key).  A re-run keeps the keys the last apply made
 * while the guest's .pub still has that fingerprint.
 */
static void
plan_ssh_hostkeys(struct ctx *c)
{
	static const char pre[] = "/etc/ssh/ssh_host_";
	struct strlist keys = STRLIST_INIT;
	struct plan_file *f, *fp;
	struct buf priv = BUF_INIT, pub = BUF_INIT;
	const char *h = c->r->guest.hostname, *prev;
	char *type, *pubpath, *key, *fpr, *comment;
	size_t i, n;
	bool err;

	if (!c->r->guest.ssh_hostkeys_new)
		return;
	if (gfs_glob(c->in->fs, "/etc/ssh", "ssh_host_*_key", &keys) == -1) {
		c->errors++;
		return;
	}
	comment = h ? xasprintf("root@%.*s", (int)strcspn(h, "."), h) :
	    xstrdup("");
	for (i = 0; i < keys.n; i++) {
		n = strlen(keys.v[i]);
		if (strncmp(keys.v[i], pre, sizeof(pre) - 1) != 0 ||
		    n < sizeof(pre) - 1 + 5)
			continue;
		type = xstrndup(keys.v[i] + sizeof(pre) - 1,
		    n - (sizeof(pre) - 1) - 4);
		if (!ident_ssh_type_ok(type)) {
			warnx("%s: not a key type imprint knows; left alone",
			    esc(keys.v[i]));
			free(type);
			continue;
		}
		key = xasprintf("ssh-hostkey.%s", type);
		pubpath = xasprintf("%s.pub", keys.v[i]);
		/* the private key first: the order files are written in */
		f = guest_file(c, keys.v[i], &err);
		fp = f != NULL ? guest_file(c, pubpath, &err) : NULL;
		/* adding a file may move the array: find the first again */
		f = f != NULL ? find_file(c->p, false, keys.v[i]) : NULL;
		prev = c->in->prev ? undo_applied_get(c->in->prev, key) : NULL;
		fpr = prev && fp ? ident_ssh_fingerprint(fp->new.data,
		    fp->new.len) : NULL;
		if (fpr && strcmp(fpr, prev) == 0) {
			applied(c, key, fpr);
		} else if (f != NULL) {
			free(fpr);
			fpr = NULL;
			buf_reset(&priv);
			buf_reset(&pub);
			if (ident_ssh_hostkey(type, comment, &priv, &pub,
			    &fpr) == -1) {
				c->errors++;
			} else {
				buf_reset(&f->new);
				buf_add(&f->new, priv.data, priv.len);
				f->secret = true;
				if (fp) {
					buf_reset(&fp->new);
					buf_add(&fp->new, pub.data, pub.len);
				}
				summary(c, "ssh host key %s: new %s", type,
				    fpr);
				strlist_add_owned(&c->p->generated,
				    xasprintf("%s=%s", key, fpr));
				applied(c, key, fpr);
			}
			if (priv.data)
				explicit_bzero(priv.data, priv.len);
		}
		free(fpr);
		free(pubpath);
		free(key);
		free(type);
	}
	free(comment);
	buf_release(&priv);
	buf_release(&pub);
	strlist_release(&keys);
}

/* root's current hash in /etc/shadow (caller frees), or NULL. */
static char *
shadow_root_hash(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl, *c1, *c2;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) > 5 && memcmp(p, "root:", 5) == 0) {
			c1 = p + 5;
			c2 = memchr(c1, ':', (size_t)(nl - c1));
			return xstrndup(c1, (size_t)((c2 ? c2 : nl) - c1));
		}
		p = nl + 1;
	}
	return NULL;
}

static char *
random_password(void)
{
	static const char set[] = "abcdefghijkmnopqrstuvwxyz"
	    "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char rnd[20];
	char *pw = xmalloc(sizeof(rnd) + 1);
	size_t i;

	xrandom(rnd, sizeof(rnd));
	/* 256 % 57 != 0: reject the few values that would bias. */
	for (i = 0; i < sizeof(rnd); i++) {
		while (rnd[i] >= 256 - 256 % (sizeof(set) - 1))
			xrandom(&rnd[i], 1);
		pw[i] = set[rnd[i] % (sizeof(set) - 1)];
	}
	pw[sizeof(rnd)] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	return pw;
}

/* Red Hat family before EL 5.2: glibc without $6$. */
static bool
old_glibc(const struct guest_os *os)
{
	static const char *const rh[] = { "rhel", "centos", "oraclelinux",
	    "redhat-based", "scientificlinux" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rh); i++)
		if (strcmp(os->distro, rh[i]) == 0)
			return os->major > 0 && (os->major < 5 ||
			    (os->major == 5 && os->minor < 2));
	return false;
}

int
plan_password_file(const struct recipe *r, char **hash_r)
{
	const struct recipe_guest *g = &r->guest;
	char *file;
	size_t len;

	*hash_r = NULL;
	if (read_host_file(g->password, 4096, &file, &len) == -1)
		return -1;
	file[strcspn(file, "\r\n")] = '\0';
	if (file[0] != '$' || strchr(file, ':')) {
		warnx("%s:%zu: '%s' does not hold a crypt(3) hash", r->path,
		    g->password_line, g->password);
		explicit_bzero(file, len);
		free(file);
		return -1;
	}
	*hash_r = xstrdup(file);
	explicit_bzero(file, len);
	free(file);
	return 0;
}

static void
plan_password(struct ctx *c)
{
	const struct recipe_guest *g = &c->r->guest;
	const struct guest_os *os = &c->in->root->os;
	struct buf out = BUF_INIT;
	struct plan_file *f;
	char *cur = NULL, *hash = NULL;
	const char *prev;
	bool err;

	if (g->password_kind == RECIPE_PASSWORD_KEEP)
		return;
	if ((f = guest_file(c, "/etc/shadow", &err)) == NULL) {
		if (!err)
			warnx("%s:%zu: the guest has no /etc/shadow",
			    c->r->path, g->password_line);
		c->errors++;
		return;
	}
	cur = shadow_root_hash(f->new.data, f->new.len);
	switch (g->password_kind) {
	case RECIPE_PASSWORD_HASH:
		hash = xstrdup(g->password);
		break;
	case RECIPE_PASSWORD_FILE:
		if (plan_password_file(c->r, &hash) == -1) {
			c->errors++;
			goto out;
		}
		break;
	default:	/* RANDOM: keep the last apply's while it stands */
		if (old_glibc(os)) {
			warnx("%s:%zu: %s %d.%d has no SHA-512 crypt(3) (glibc "
			    "before 2.5 as in EL 5.2): give root-password = "
			    "hash:... with a hash it knows", c->r->path,
			    g->password_line, esc(os->distro), os->major,
			    os->minor);
			c->errors++;
			goto out;
		}
		prev = c->in->prev ? undo_applied_get(c->in->prev,
		    "root-password-hash") : NULL;
		if (prev && cur && strcmp(prev, cur) == 0) {
			applied(c, "root-password-hash", prev);
			goto out;
		}
		c->p->password = random_password();
		hash = ident_hash_password(c->p->password,
		    gfile_crypt_prefix_for(os->distro, os->major, os->minor));
		if (hash == NULL) {
			c->errors++;
			goto out;
		}
		applied(c, "root-password-hash", hash);
		break;
	}
	if (cur && strcmp(cur, hash) == 0)
		goto out;
	if (gfile_shadow_set_password(f->new.data, f->new.len, "root", hash,
	    (long)(time(NULL) / 86400), &out) == -1) {
		c->errors++;
		goto out;
	}
	take(f, &out);
	summary(c, "root password: %s", g->password_kind ==
	    RECIPE_PASSWORD_RANDOM ? "new random password (below)" :
	    "set from the recipe");
out:
	buf_release(&out);
	free(cur);
	free(hash);
}

/* --- host ---------------------------------------------------------------- */

/* The domain uuid, written in the style of the file's current one. */
static void
plan_uuid(struct ctx *c)
{
	const struct recipe_host *h = &c->r->host;
	struct domcfg *cfg = c->in->cfg;
	const char *cur, *prev;
	char uuid[37], styled[37];
	int form;

	cur = domcfg_get_string(cfg, "uuid");
	if (h->uuid_kind == RECIPE_UUID_FIXED)
		memcpy(uuid, h->uuid, sizeof(uuid));
	else {
		/* As for MACs: keep the uuid the last apply made. */
		prev = c->in->prev ? undo_applied_get(c->in->prev, "uuid") :
		    NULL;
		if (prev && cur && strcmp(prev, cur) == 0)
			snprintf(uuid, sizeof(uuid), "%s", cur);
		else {
			ident_new_uuid(uuid);
			/* Oracle VM 3 writes uuids without dashes. */
			if (cur && (form = uuid_form(cur)) > 0) {
				uuid_to_form(uuid, form, styled);
				memcpy(uuid, styled, sizeof(uuid));
			}
			strlist_add_owned(&c->p->generated,
			    xasprintf("uuid=%s", uuid));
		}
	}
	if (h->uuid_kind == RECIPE_UUID_FIXED && cur &&
	    (form = uuid_form(cur)) > 0) {
		uuid_to_form(uuid, form, styled);
		memcpy(uuid, styled, sizeof(uuid));
	}
	if (cur == NULL || strcmp(cur, uuid) != 0)
		summary(c, "uuid: %s -> %s", cur ? cur : "(none)", uuid);
	if (domcfg_set(cfg, "uuid", uuid) == -1)
		c->errors++;
	applied(c, "uuid", uuid);
}

static void
plan_host(struct ctx *c)
{
	const struct recipe_host *h = &c->r->host;
	struct domcfg *cfg = c->in->cfg;
	const char *cur;

	if (cfg == NULL)
		return;
	if (h->name) {
		cur = domcfg_get_string(cfg, "name");
		if ((cur == NULL || strcmp(cur, h->name) != 0))
			summary(c, "name: %s -> %s", cur ? cur : "(none)",
			    h->name);
		if (domcfg_set(cfg, "name", h->name) == -1)
			c->errors++;
		applied(c, "name", h->name);
		/* Oracle VM 3: name is the uuid, the short name is here. */
		cur = domcfg_get_string(cfg, "OVM_simple_name");
		if (cur && strcmp(cur, h->name) != 0) {
			summary(c, "OVM_simple_name: %s -> %s", cur, h->name);
			if (domcfg_set(cfg, "OVM_simple_name", h->name) == -1)
				c->errors++;
		}
	}
	if (h->uuid_kind != RECIPE_UUID_KEEP)
		plan_uuid(c);
	/* The clone's own disks (disk = follow by default). */
	if (disks_apply(cfg, c->r, c->in->images, c->in->nimages,
	    &c->p->summary, &c->p->applied) == -1)
		c->errors++;
	if (domcfg_changed(cfg)) {
		struct plan_file *f = new_file(c->p, true, domcfg_path(cfg),
		    PLAN_MODIFY);
		const char *t;
		size_t len;

		t = domcfg_original(cfg, &len);
		f->old = xmalloc(len + 1);
		memcpy(f->old, t, len);
		f->old[len] = '\0';
		f->oldlen = len;
		t = domcfg_text(cfg, &len);
		buf_add(&f->new, t, len);
	}
}

static void
file_release(struct plan_file *f)
{
	free(f->path);
	free(f->old);
	free(f->link);
	free(f->like);
	free(f->label);
	buf_release(&f->new);
}

/* Drop files whose bytes did not change. */
static void
prune(struct plan *p)
{
	size_t i, j = 0;

	for (i = 0; i < p->n; i++) {
		struct plan_file *f = &p->f[i];
		if (f->op == PLAN_MODIFY && f->new.len == f->oldlen &&
		    memcmp(f->new.data ? f->new.data : "", f->old,
		    f->oldlen) == 0) {
			file_release(f);
			continue;
		}
		p->f[j++] = *f;
	}
	p->n = j;
}

/*
 * A file the plan creates with no sibling to copy attributes from gets
 * the SELinux label the guest's policy gives its path (fcon.h), set once
 * its bytes are written (plan_carry_out); a guest without a policy gets
 * none, as it has none elsewhere.
 */
static int
label_new_files(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->p->n; i++) {
		struct plan_file *f = &c->p->f[i];

		if (f->host || f->op != PLAN_CREATE || f->like != NULL)
			continue;
		if (fcon_label(c->in->fs, f->path, &f->label, &f->labellen)
		    == -1) {
			warnx("'%s': the new %s would have no SELinux label",
			    c->in->fs->name, esc(f->path));
			return -1;
		}
	}
	return 0;
}

int
plan_build(struct plan *p, const struct plan_input *in)
{
	struct ctx c;

	memset(p, 0, sizeof(*p));
	memset(&c, 0, sizeof(c));
	c.p = p;
	c.in = in;
	c.r = in->recipe;
	if (pick_family(&c) == -1)
		return -1;
	plan_hostname(&c);
	plan_nics(&c);
	plan_forget(&c);
	plan_ssh_hostkeys(&c);
	plan_fs_uuids(&c);
	plan_password(&c);
	plan_host(&c);
	if (c.errors)
		return -1;
	prune(p);
	return label_new_files(&c);
}

void
plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		file_release(&p->f[i]);
	free(p->f);
	strlist_release(&p->summary);
	strlist_release(&p->generated);
	strlist_release(&p->applied);
	if (p->password) {
		explicit_bzero(p->password, strlen(p->password));
		free(p->password);
	}
	memset(p, 0, sizeof(*p));
}

void
plan_diff(const struct plan *p, struct buf *out)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->f[i];
		char *a, *b;

		if (f->op == PLAN_FSUUID) {
			buf_addf(out, "filesystem %s: UUID %s -> %s\n",
			    esc(f->path), f->old, f->new.data);
			continue;
		}
		a = f->op == PLAN_CREATE ? xstrdup("/dev/null") :
		    xasprintf("%s%s", f->host ? "" : "a", esc(f->path));
		b = f->op == PLAN_REMOVE ? xstrdup("/dev/null") :
		    xasprintf("%s%s", f->host ? "" : "b", esc(f->path));
		if (f->host)
			buf_addf(out, "host: %s\n", esc(f->path));
		if (f->secret)	/* a private key: its path, not its bytes */
			buf_addf(out, "--- %s\n+++ %s\n(a private key: "
			    "%zu bytes -> %zu bytes, not shown)\n", a, b,
			    f->oldlen, f->new.len);
		else
			diff_unified(a, b, f->old ? f->old : "", f->oldlen,
			    f->new.data ? f->new.data : "", f->new.len, out);
		if (f->op == PLAN_REMOVE && f->oldlen == 0)
			buf_addf(out, "removed: %s\n", esc(f->path));
		free(a);
		free(b);
	}
}

void
plan_summary_text(const struct plan *p, struct buf *out)
{
	static const char *const ops[] = { "modify", "create", "remove",
	    "symlink", "uuid" };
	size_t i;

	for (i = 0; i < p->summary.n; i++) {
		buf_adds(out, "  ");
		buf_add_text(out, p->summary.v[i]);
		buf_addc(out, '\n');
	}
	for (i = 0; i < p->n; i++) {
		buf_addf(out, "  %s %s", ops[p->f[i].op], p->f[i].host ?
		    "host " : "");
		buf_add_text(out, p->f[i].path);
		buf_addc(out, '\n');
	}
	for (i = 0; i < p->generated.n; i++) {
		buf_adds(out, "  generated ");
		buf_add_text(out, p->generated.v[i]);
		buf_addc(out, '\n');
	}
}

/* A symlink at path to target: already there (0), or made (after
 * removing what stood there), or -1; *changed_r counts what changed. */
static int
put_symlink(struct gfs *fs, const struct plan_file *f, size_t *changed_r)
{
	const char *target = f->new.data ? f->new.data : "";
	char type, *cur = NULL;
	int st, same;

	if ((st = gfs_lstat(fs, f->path, NULL, &type)) == -1)
		return -1;
	if (st == 0 && type == 'l') {
		if (gfs_readlink(fs, f->path, &cur) == -1)
			return -1;
		same = strcmp(cur, target) == 0;
		free(cur);
		if (same)
			return 0;
	}
	if (st == 0) {
		if (gfs_remove(fs, f->path) == -1)
			return -1;
		(*changed_r)++;
	}
	if (gfs_symlink(fs, target, f->path, f->set_attr ? &f->attr :
	    NULL) == -1)
		return -1;
	(*changed_r)++;
	return 0;
}

/* Give guest file f the label its undo entry kept, unless it has it. */
static int
set_label(struct gfs *fs, const struct plan_file *f)
{
	char *cur = NULL;
	size_t len = 0;
	bool same;

	if (gfs_getxattr(fs, f->path, SELINUX_XATTR, &cur, &len) == -1)
		return -1;
	same = cur != NULL && len == f->labellen &&
	    memcmp(cur, f->label, len) == 0;
	free(cur);
	return same ? 0 : gfs_setxattr(fs, f->path, SELINUX_XATTR, f->label,
	    f->labellen);
}

/*
 * Stage host file f (hostfile_stage) into *s_r: 0, or -1 after one
 * message.  A libvirt domain cannot be staged: libvirt keeps its files,
 * and what can be known of it early (it exists, it is shut off) was
 * checked when it was loaded, before the plan; it is defined when the
 * guest is done (*s_r NULL).  A removal stages nothing but checks its
 * directory.  Undo's restore of a file already as it was sets f->same.
 */
static int
stage_host(struct plan_file *f, struct hostfile_stage **s_r)
{
	int r;

	*s_r = NULL;
	f->same = false;
	if (virtdom_is_ref(f->path))
		return 0;
	if (f->op == PLAN_REMOVE)
		return hostfile_check_remove(f->path);
	if (f->set_attr) {
		r = hostfile_stage_restore(f->path, f->new.data, f->new.len,
		    f->attr.mode, f->attr.uid, f->attr.gid, s_r);
		f->same = r == 1;
		return r == -1 ? -1 : 0;
	}
	return hostfile_stage(f->path, f->old, f->oldlen, f->new.data,
	    f->new.len, 0, s_r);
}

/* Put staged host file f in place: 0, or -1 after one message.  s is
 * consumed. */
static int
commit_host(const struct plan_file *f, struct hostfile_stage *s)
{
	if (virtdom_is_ref(f->path))	/* a domain libvirt keeps */
		return f->op == PLAN_REMOVE ? 0 : virtdom_replace(f->path,
		    f->set_attr ? NULL : f->old, f->oldlen, f->new.data,
		    f->new.len);
	if (f->op == PLAN_REMOVE)
		return hostfile_remove(f->path);
	return hostfile_commit(s, NULL);
}

/* ".imprint-" and 12 lowercase hex digits: a guest temporary (guest.c,
 * gfs_dir.c), by its name. */
static bool
guest_temp_name(const char *name)
{
	size_t i;

	if (strncmp(name, ".imprint-", 9) != 0 || strlen(name) != 21)
		return false;
	for (i = 9; i < 21; i++)
		if (!isdigit((unsigned char)name[i]) &&
		    (name[i] < 'a' || name[i] > 'f'))
			return false;
	return true;
}

/*
 * Remove the temporaries a killed run left in the directories p writes:
 * a regular file named as guest_temp_name says is imprint's own, and
 * none is being written now, since the image (or tree) is locked for
 * this run.  They are not guest files: neither the plan nor the undo
 * record counts them.  A failure is said and otherwise ignored.
 */
static void
sweep_guest_temps(struct gfs *fs, const struct plan *p)
{
	struct strlist dirs = STRLIST_INIT, temps = STRLIST_INIT;
	size_t i;
	char type;

	for (i = 0; i < p->n; i++) {
		const char *path = p->f[i].path, *slash;
		char *dir;

		if (p->f[i].host || (slash = strrchr(path, '/')) == NULL)
			continue;
		dir = slash == path ? xstrdup("/") :
		    xstrndup(path, (size_t)(slash - path));
		if (!strlist_has(&dirs, dir))
			strlist_add(&dirs, dir);
		free(dir);
	}
	for (i = 0; i < dirs.n; i++)
		(void)gfs_glob(fs, dirs.v[i], ".imprint-*", &temps);
	for (i = 0; i < temps.n; i++) {
		const char *name = strrchr(temps.v[i], '/') + 1;

		if (!guest_temp_name(name) || gfs_lstat(fs, temps.v[i], NULL,
		    &type) != 0 || type != 'f')
			continue;
		if (gfs_remove(fs, temps.v[i]) == 0)
			warnx("removed %s in '%s', a temporary file a killed "
			    "run left", esc(temps.v[i]), esc(fs->name));
	}
	strlist_release(&temps);
	strlist_release(&dirs);
}

int
plan_carry_out(struct gfs *fs, struct plan *p, size_t *changed_r)
{
	struct hostfile_stage **st;
	size_t i;
	int r, rc = -1;

	*changed_r = 0;
	st = xcalloc(p->n ? p->n : 1, sizeof(*st));
	for (i = 0; i < p->n; i++)
		if (p->f[i].host && stage_host(&p->f[i], &st[i]) == -1)
			goto out;
	testpoint("host-staged");
	sweep_guest_temps(fs, p);
	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->f[i];
		if (f->host || f->op == PLAN_FSUUID)
			continue;
		if (f->op == PLAN_REMOVE)
			r = gfs_remove(fs, f->path);
		else if (f->op == PLAN_SYMLINK)
			r = put_symlink(fs, f, changed_r);
		else
			r = gfs_write(fs, f->path, f->new.data ? f->new.data :
			    "", f->new.len, f->like, f->set_attr ? &f->attr :
			    NULL);
		/* the label of a file apply had removed (undo), or of a
		 * new one from the guest's policy */
		if (r == 0 && f->op != PLAN_REMOVE && f->label != NULL)
			r = set_label(fs, f);
		if (r == -1)
			goto out;
		/* a failed write or removal changes nothing (gfs.h) */
		if (f->op != PLAN_SYMLINK)
			(*changed_r)++;
		testpoint("guest-write");
	}
	if (gfs_flush(fs) == -1)
		goto out;
	testpoint("guest-flushed");
	/* filesystem UUIDs: once every file naming them is written */
	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->f[i];

		if (f->op != PLAN_FSUUID)
			continue;
		if (gfs_set_uuid(fs, f->path, f->new.data) == -1)
			goto out;
		(*changed_r)++;
		testpoint("guest-fsuuid");
	}
	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->f[i];
		struct hostfile_stage *s = st[i];

		if (!f->host || f->same)
			continue;
		st[i] = NULL;		/* consumed, whatever the result */
		if (commit_host(f, s) == -1)
			goto out;
		(*changed_r)++;
		testpoint("host-commit");
	}
	rc = 0;
out:
	for (i = 0; i < p->n; i++)
		hostfile_abort(st[i]);
	free(st);
	return rc;
}

void
plan_from_undo(struct plan *p, const struct undo *u)
{
	struct plan_file *f;
	size_t i, pass;

	memset(p, 0, sizeof(*p));
	/* guest entries, then host entries: the order carry_out keeps */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < u->n; i++) {
			const struct undo_entry *e = &u->e[i];

			if (e->host != (pass == 1))
				continue;
			f = new_file(p, e->host, e->path, e->what ==
			    UNDO_DELETE ? PLAN_REMOVE : e->what ==
			    UNDO_SYMLINK ? PLAN_SYMLINK : e->what ==
			    UNDO_FSUUID ? PLAN_FSUUID : PLAN_MODIFY);
			if (e->what == UNDO_DELETE)
				continue;
			buf_add(&f->new, e->data, e->len);
			if (e->what == UNDO_FSUUID) {
				/* old: unknown until carried out */
				f->old = xstrdup("(as apply left it)");
				continue;
			}
			f->attr.mode = e->mode;
			f->attr.uid = e->uid;
			f->attr.gid = e->gid;
			f->set_attr = true;
			if (e->label != NULL) {
				f->label = xmalloc(e->labellen + 1);
				memcpy(f->label, e->label, e->labellen + 1);
				f->labellen = e->labellen;
			}
		}
}

/*
 * A libvirt domain's entry names the domain by the uuid apply gives it,
 * since that is how undo will find it: the applied uuid (u's applied
 * lines are the plan's already), else the one the domain is named by
 * now ("libvirt:URI#UUID", virtdom_load).  A second apply moves the entry
 * of the first to the newer identity and keeps its original XML.
 */
static void
domain_to_undo(const struct plan_file *f, struct undo *u)
{
	const char *uuid = undo_applied_get(u, "uuid");
	struct undo_entry e;
	char *ref, norm[37];
	size_t i;

	if (uuid != NULL && uuid_form(uuid) != -1) {
		uuid_to_form(uuid, 0, norm);	/* as libvirt writes it */
		ref = xasprintf("%.*s#%s", (int)(strrchr(f->path, '#') -
		    f->path), f->path, norm);
	} else
		ref = xstrdup(f->path);
	for (i = 0; i < u->n; i++)
		if (u->e[i].host && virtdom_is_ref(u->e[i].path)) {
			free(u->e[i].path);
			u->e[i].path = ref;
			return;
		}
	memset(&e, 0, sizeof(e));
	e.host = true;
	e.path = ref;
	e.what = UNDO_RESTORE;
	e.data = f->old;
	e.len = f->oldlen;
	undo_add(u, &e);
	free(ref);
}

void
plan_to_undo(const struct plan *p, struct undo *u)
{
	struct undo_entry e;
	struct stat st;
	size_t i;

	undo_set_applied(u, &p->applied);
	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->f[i];

		memset(&e, 0, sizeof(e));
		e.host = f->host;
		e.path = f->path;
		if (f->host && virtdom_is_ref(f->path)) {
			domain_to_undo(f, u);
			continue;
		}
		e.mode = f->attr.mode;
		e.uid = f->attr.uid;
		e.gid = f->attr.gid;
		e.label = f->label;
		e.labellen = f->labellen;
		if (f->op == PLAN_CREATE)
			e.what = UNDO_DELETE;
		else if (f->op == PLAN_FSUUID) {
			e.what = UNDO_FSUUID;
			e.data = f->old;
			e.len = f->oldlen;
			e.mode = e.uid = e.gid = 0;
		} else if (f->link != NULL) {	/* a symlink apply removes */
			e.what = UNDO_SYMLINK;
			e.data = f->link;
			e.len = strlen(f->link);
		} else {
			e.what = UNDO_RESTORE;
			e.data = f->old;
			e.len = f->oldlen;
			if (f->host && stat(f->path, &st) == 0) {
				e.mode = st.st_mode & 07777;
				e.uid = st.st_uid;
				e.gid = st.st_gid;
			}
		}
		undo_add(u, &e);
	}
}
