/*
 * survey.c - gather a guest's identity as found (see survey.h).
 */
#include <stdlib.h>
#include <string.h>

#include "gfile.h"
#include "gfs.h"
#include "netfmt.h"
#include "survey.h"
#include "util.h"

#define IFCFG_DIR	"/etc/sysconfig/network-scripts"
#define UDEV_NET	"/etc/udev/rules.d/70-persistent-net.rules"

#define GROW(arr, n) \
	((arr) = xreallocarray((arr), (n) + 1, sizeof(*(arr))), \
	memset(&(arr)[n], 0, sizeof(*(arr))), &(arr)[(n)++])

/*
 * Read path; 0 with bytes, 1 when absent, -1 when unreadable (noted).
 * Only appliance failures are fatal to a survey, and gfs_read cannot
 * tell those apart, so every failure is a note.
 */
static int
read_noted(struct gfs *fs, struct survey *s, const char *path,
    char **buf, size_t *len)
{
	int r = gfs_read(fs, path, SURVEY_FILE_CAP, buf, len);

	if (r == -1)
		strlist_add_owned(&s->notes, xasprintf("%s: not read", path));
	return r;
}

static void
add_hostname(struct survey *s, const char *file, const char *key,
    char *value)
{
	struct survey_hostname *h;

	if (value == NULL)
		return;
	h = GROW(s->hostnames, s->nhostnames);
	h->file = xstrdup(file);
	h->key = xstrdup(key);
	h->value = value;
}

static int
read_hostnames(struct gfs *fs, struct survey *s)
{
	static const char *const plain[] = { "/etc/hostname", "/etc/HOSTNAME" };
	struct gfile_hosts_entry *e = NULL;
	char *buf;
	size_t len, n = 0, i, j;

	for (i = 0; i < ARRAY_SIZE(plain); i++) {
		if (read_noted(fs, s, plain[i], &buf, &len) != 0)
			continue;
		add_hostname(s, plain[i], "", gfile_hostname_parse(buf, len));
		free(buf);
	}
	/* a file on RHEL, SUSE's directory of ifcfg files */
	if (gfs_is_file(fs, "/etc/sysconfig/network") == 1 &&
	    read_noted(fs, s, "/etc/sysconfig/network", &buf, &len) == 0) {
		add_hostname(s, "/etc/sysconfig/network", "HOSTNAME",
		    gfile_shvar_get(buf, len, "HOSTNAME"));
		free(buf);
	}
	if (read_noted(fs, s, "/etc/hosts", &buf, &len) != 0)
		return 0;
	gfile_hosts_parse(buf, len, &e, &n);
	free(buf);
	for (i = 0; i < n; i++) {
		bool local = true;
		struct survey_hosts *h;

		for (j = 0; j < e[i].names.n; j++)
			if (strncmp(e[i].names.v[j], "localhost", 9) != 0 &&
			    strncmp(e[i].names.v[j], "ip6-", 4) != 0)
				local = false;
		if (local)
			continue;
		h = GROW(s->hosts, s->nhosts);
		h->line = e[i].line;
		h->addr = e[i].addr;
		h->names = e[i].names;
		e[i].addr = NULL;
		memset(&e[i].names, 0, sizeof(e[i].names));
	}
	gfile_hosts_free(e, n);
	return 0;
}

/* initscripts skip these (ifup's ignore list). */
static bool
ifcfg_ignored(const char *name)
{
	static const char *const sfx[] = {
		"~", ".bak", ".orig", ".rpmnew", ".rpmorig", ".rpmsave"
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sfx); i++)
		if (has_suffix(name, sfx[i]))
			return true;
	return false;
}

static int
read_ifcfg(struct gfs *fs, struct survey *s)
{
	struct strlist names = STRLIST_INIT;
	struct survey_nic *nic;
	char *path, *buf;
	size_t len, i;
	int r;

	if ((r = gfs_ls(fs, IFCFG_DIR, &names)) != 0)
		return r == 1 ? 0 : -1;
	for (i = 0; i < names.n; i++) {
		if (strncmp(names.v[i], "ifcfg-", 6) != 0)
			continue;
		path = xasprintf("%s/%s", IFCFG_DIR, names.v[i]);
		if (read_noted(fs, s, path, &buf, &len) != 0) {
			free(path);
			continue;
		}
		nic = GROW(s->nics, s->nnics);
		nic->file = path;
		nic->format = xstrdup("ifcfg");
		nic->ignored = ifcfg_ignored(names.v[i]);
		nic->device = gfile_shvar_get(buf, len, "DEVICE");
		if (nic->device == NULL)
			nic->device = xstrdup(names.v[i] + 6);
		nic->hwaddr = gfile_shvar_get(buf, len, "HWADDR");
		nic->macaddr = gfile_shvar_get(buf, len, "MACADDR");
		nic->bootproto = gfile_shvar_get(buf, len, "BOOTPROTO");
		nic->ipaddr = gfile_shvar_get(buf, len, "IPADDR");
		nic->netmask = gfile_shvar_get(buf, len, "NETMASK");
		nic->prefix = gfile_shvar_get(buf, len, "PREFIX");
		nic->gateway = gfile_shvar_get(buf, len, "GATEWAY");
		nic->onboot = gfile_shvar_get(buf, len, "ONBOOT");
		nic->uuid = gfile_shvar_get(buf, len, "UUID");
		free(buf);
	}
	strlist_release(&names);
	return 0;
}

/* Most files `source` may pull in, and how deep, so that a guest's
 * loop of sources (or a directory of thousands) costs little. */
#define IFUPDOWN_MAX_FILES	64
#define IFUPDOWN_MAX_DEPTH	4

/* run-parts' names: what source-directory reads (no dots, no ~). */
static bool
run_parts_name(const char *name)
{
	return *name != '\0' &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") == strlen(name);
}

static void read_ifupdown_file(struct gfs *, struct survey *, const char *,
    int, struct strlist *);

/*
 * The files one `source PATTERN` or `source-directory DIR` line names,
 * relative to the directory of the file that has it, as ifupdown does.
 * Only the last component of PATTERN may be a glob; a pattern with one
 * elsewhere is noted and not followed.
 */
static void
follow_source(struct gfs *fs, struct survey *s, const char *from,
    const char *line, int depth, struct strlist *seen)
{
	struct strlist paths = STRLIST_INIT;
	bool dir = strncmp(line, "source-directory ", 17) == 0;
	const char *arg = line + (dir ? 17 : 7), *slash;
	char *full, *d, *pat;
	size_t i;

	while (*arg == ' ' || *arg == '\t')
		arg++;
	full = *arg == '/' ? xstrdup(arg) : xasprintf("%.*s/%s",
	    (int)(strrchr(from, '/') - from), from, arg);
	if (dir) {
		d = xstrdup(full);
		pat = xstrdup("*");
	} else {
		slash = strrchr(full, '/');
		d = xstrndup(full, (size_t)(slash - full));
		pat = xstrdup(slash + 1);
	}
	if (strpbrk(d, "*?[") != NULL || *d == '\0') {
		strlist_add_owned(&s->notes, xasprintf("%s: '%s' not followed "
		    "(a wildcard before the last path component)", from,
		    line));
	} else if (gfs_glob(fs, d, pat, &paths) == -1) {
		strlist_add_owned(&s->notes, xasprintf("%s: '%s' not read",
		    from, line));
	} else {
		for (i = 0; i < paths.n; i++)
			if (!dir || run_parts_name(strrchr(paths.v[i], '/') +
			    1))
				read_ifupdown_file(fs, s, paths.v[i],
				    depth + 1, seen);
	}
	strlist_release(&paths);
	free(full);
	free(d);
	free(pat);
}

static void
read_ifupdown_file(struct gfs *fs, struct survey *s, const char *file,
    int depth, struct strlist *seen)
{
	struct strlist sources = STRLIST_INIT;
	struct gfile_iface *ifs = NULL;
	struct survey_nic *nic;
	char *buf;
	size_t len, n = 0, i;

	for (i = 0; i < seen->n; i++)
		if (strcmp(seen->v[i], file) == 0)
			return;		/* sourced twice, or a loop */
	if (depth > IFUPDOWN_MAX_DEPTH || seen->n >= IFUPDOWN_MAX_FILES) {
		strlist_add_owned(&s->notes, xasprintf("%s: not read (over %d "
		    "files or %d levels of source)", file,
		    IFUPDOWN_MAX_FILES, IFUPDOWN_MAX_DEPTH));
		return;
	}
	strlist_add(seen, file);
	if (read_noted(fs, s, file, &buf, &len) != 0)
		return;
	gfile_ifupdown_parse(buf, len, &ifs, &n, &sources);
	free(buf);
	for (i = 0; i < n; i++) {
		nic = GROW(s->nics, s->nnics);
		nic->file = xstrdup(file);
		nic->format = xstrdup("ifupdown");
		nic->line = ifs[i].line;
		nic->device = ifs[i].name;
		nic->macaddr = ifs[i].hwaddress;
		nic->bootproto = ifs[i].method;
		nic->ipaddr = ifs[i].address;
		nic->netmask = ifs[i].netmask;
		nic->gateway = ifs[i].gateway;
		nic->onboot = xstrdup(ifs[i].auto_ ? "yes" : "no");
		ifs[i].name = ifs[i].hwaddress = ifs[i].method = NULL;
		ifs[i].address = ifs[i].netmask = ifs[i].gateway = NULL;
	}
	gfile_ifupdown_free(ifs, n);
	for (i = 0; i < sources.n; i++)
		follow_source(fs, s, file, sources.v[i], depth, seen);
	strlist_release(&sources);
}

/* /etc/network/interfaces and every file it sources, inside the guest. */
static void
read_ifupdown(struct gfs *fs, struct survey *s)
{
	struct strlist seen = STRLIST_INIT;

	read_ifupdown_file(fs, s, "/etc/network/interfaces", 0, &seen);
	strlist_release(&seen);
}

static void
read_udev(struct gfs *fs, struct survey *s)
{
	struct gfile_udev_rule *rules = NULL;
	struct survey_udev *u;
	char *buf;
	size_t len, n = 0, i;

	if (read_noted(fs, s, UDEV_NET, &buf, &len) != 0)
		return;
	gfile_udev_parse(buf, len, &rules, &n);
	free(buf);
	for (i = 0; i < n; i++) {
		u = GROW(s->udev, s->nudev);
		u->file = xstrdup(UDEV_NET);
		u->line = rules[i].line;
		u->name = rules[i].name;
		u->mac = rules[i].mac;
		rules[i].name = rules[i].mac = NULL;
	}
	gfile_udev_free(rules, n);
}

/* The files of every netfmt.h unit, in name order. */
static int
read_netfmts(struct gfs *fs, struct survey *s)
{
	struct strlist names = STRLIST_INIT;
	const struct netfmt *f;
	struct guest_attr a;
	char *path, *buf, type = 0;
	size_t len, i, k;
	int r;

	for (k = 0; (f = netfmts[k]) != NULL; k++) {
		/* absent, or a file (RHEL's /etc/sysconfig/network) */
		if ((r = gfs_lstat(fs, f->dir, NULL, &type)) == 1 ||
		    (r == 0 && type != 'd' && type != 'l'))
			continue;
		if ((r = gfs_ls(fs, f->dir, &names)) != 0) {
			if (r == -1)
				return -1;
			continue;
		}
		for (i = 0; i < names.n; i++) {
			if (!f->wants(names.v[i]))
				continue;
			path = xasprintf("%s/%s", f->dir, names.v[i]);
			/* a symlink (to /dev/null: a masked unit) or a
			 * directory (a .network.d drop-in) is not read */
			if (gfs_lstat(fs, path, &a, &type) == 0 &&
			    type == 'f' &&
			    read_noted(fs, s, path, &buf, &len) == 0) {
				f->read(path, buf, len, s);
				free(buf);
			} else if (type == 'l')
				strlist_add_owned(&s->notes, xasprintf("%s: a "
				    "symlink; not read", path));
			free(path);
		}
		strlist_release(&names);
	}
	return 0;
}

static int
read_misc(struct gfs *fs, struct survey *s)
{
	char *buf;
	size_t len;

	if (read_noted(fs, s, "/etc/machine-id", &buf, &len) == 0) {
		buf[strcspn(buf, "\r\n")] = '\0';
		s->machine_id = buf;
	}
	/* Private keys only; gfs_glob returns them sorted. */
	return gfs_glob(fs, "/etc/ssh", "ssh_host_*_key", &s->ssh_host_keys)
	    == -1 ? -1 : 0;
}

int
survey_read(struct gfs *fs, struct survey *s)
{
	memset(s, 0, sizeof(*s));
	if (read_hostnames(fs, s) == -1 || read_ifcfg(fs, s) == -1)
		return -1;
	read_ifupdown(fs, s);
	if (read_netfmts(fs, s) == -1)
		return -1;
	read_udev(fs, s);
	return read_misc(fs, s);
}

struct survey_nic *
survey_add_nic(struct survey *s)
{
	return GROW(s->nics, s->nnics);
}

void
survey_release(struct survey *s)
{
	size_t i;

	for (i = 0; i < s->nhostnames; i++) {
		free(s->hostnames[i].file);
		free(s->hostnames[i].key);
		free(s->hostnames[i].value);
	}
	free(s->hostnames);
	for (i = 0; i < s->nhosts; i++) {
		free(s->hosts[i].addr);
		strlist_release(&s->hosts[i].names);
	}
	free(s->hosts);
	for (i = 0; i < s->nnics; i++) {
		struct survey_nic *n = &s->nics[i];
		free(n->file);
		free(n->format);
		free(n->device);
		free(n->hwaddr);
		free(n->macaddr);
		free(n->bootproto);
		free(n->ipaddr);
		free(n->netmask);
		free(n->prefix);
		free(n->gateway);
		free(n->onboot);
		free(n->uuid);
	}
	free(s->nics);
	for (i = 0; i < s->nudev; i++) {
		free(s->udev[i].file);
		free(s->udev[i].name);
		free(s->udev[i].mac);
	}
	free(s->udev);
	free(s->machine_id);
	strlist_release(&s->ssh_host_keys);
	strlist_release(&s->notes);
	memset(s, 0, sizeof(*s));
}
