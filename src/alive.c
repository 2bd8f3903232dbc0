/*
 * alive.c - decide whether a guest whose disk imprint is about to write
 * looks alive, and lock an image against a second imprint.
 *
 * Signs of life, each cheap and read-only: Xen knows a domain with the
 * config's name or uuid (xl list -v, or xm list --long on xend hosts);
 * another process has the image open for writing (/proc/PID/fd and
 * fdinfo); qemu holds its image lock (an OFD lock, visible across NFS);
 * a loop device serves the image read-write; the kernel holds the block
 * device exclusively (mount, Xen blkback, device-mapper).
 *
 * This file does not parse domain configs (the caller passes name and
 * uuid), does not decide about --force (the caller does), and never
 * signals or changes another process.  It cannot see a guest running on
 * another host except through the qemu lock; libvirt (virsh) is out of
 * scope.
 */
#define _GNU_SOURCE	/* pipe2, F_OFD_GETLK, F_OFD_SETLK */

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alive.h"
#include "runtool.h"
#include "util.h"

#define OCFS2_SUPER_MAGIC	0x7461636f	/* linux/magic.h */

/* qemu's image lock bytes (block/file-posix.c, QEMU_LOCK_BASE 100 for
 * permissions, 200 for shared permissions, a few bits each). */
#define QEMU_LOCK_START	100
#define QEMU_LOCK_LEN	200

/* ---- small text helpers ------------------------------------------------ */

/*
 * Append s with control bytes, quotes and backslashes escaped: names
 * come from xl's output and /proc/PID/comm, which any process may set.
 */
static void
add_clean(struct buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\\' || c == '\'')
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

int
alive_uuid_normalize(const char *s, char out[33])
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == '-')
			continue;
		if (!isxdigit((unsigned char)*s) || n == 32)
			return -1;
		out[n++] = (char)tolower((unsigned char)*s);
	}
	if (n != 32)
		return -1;
	out[n] = '\0';
	return 0;
}

/* The 8-4-4-4-12 shape xl prints (LIBXL_UUID_FMT). */
static bool
uuid_shaped(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return false;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool
all_digits(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int
alive_parse_fdinfo_flags(const char *text, unsigned int *flags_r)
{
	const char *p = text;
	unsigned long v;
	char *end;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, "flags:", 6) == 0) {
			p += 6;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p < '0' || *p > '7')
				return -1;
			errno = 0;
			v = strtoul(p, &end, 8);
			if (errno != 0 || v > 0xffffffffUL ||
			    (*end != '\n' && *end != '\0'))
				return -1;
			*flags_r = (unsigned int)v;
			return 0;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

int
alive_fdinfo_has_lock(const char *text)
{
	const char *p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, "lock:", 5) == 0)
			return 1;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return 0;
}

/* ---- domain lists -------------------------------------------------------- */

void
alive_domlist_release(struct alive_domlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].id);
		free(l->v[i].uuid);
		free(l->v[i].state);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static struct alive_dom *
domlist_new(struct alive_domlist *l)
{
	struct alive_dom *d;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	d = &l->v[l->n++];
	memset(d, 0, sizeof(*d));
	return d;
}

/* Tokens of one xl line: start offset and length of each word. */
#define XL_MAXTOK	64

int
alive_parse_xl_list(const char *text, size_t len, struct alive_domlist *list)
{
	const char *line, *eol, *end = text + len;
	size_t ts[XL_MAXTOK], tl[XL_MAXTOK], nt, i, k, nlen;
	bool header = false;
	struct alive_dom *d;

	if (has_nul(text, len))
		return -1;
	for (line = text; line < end; line = eol + 1) {
		eol = memchr(line, '\n', (size_t)(end - line));
		if (eol == NULL)
			eol = end;
		/* split on blanks, remembering where each word starts */
		nt = 0;
		for (i = 0; line + i < eol && nt < XL_MAXTOK; ) {
			while (line + i < eol && (line[i] == ' ' ||
			    line[i] == '\t' || line[i] == '\r'))
				i++;
			if (line + i == eol)
				break;
			ts[nt] = i;
			while (line + i < eol && line[i] != ' ' &&
			    line[i] != '\t' && line[i] != '\r')
				i++;
			tl[nt] = i - ts[nt];
			nt++;
		}
		if (nt == 0)
			continue;
		if (!header) {
			if (tl[0] != 4 || strncmp(line, "Name", 4) != 0)
				return -1;
			header = true;
			continue;
		}
		/*
		 * Name ID Mem VCPUs State Time(s) UUID ...: the name may hold
		 * blanks, so find the uuid and count back five columns.
		 */
		for (k = 6; k < nt; k++)
			if (uuid_shaped(line + ts[k], tl[k]) &&
			    all_digits(line + ts[k - 5], tl[k - 5]) &&
			    all_digits(line + ts[k - 4], tl[k - 4]) &&
			    all_digits(line + ts[k - 3], tl[k - 3]))
				break;
		if (k >= nt)
			return -1;
		nlen = ts[k - 5];
		while (nlen > 0 && (line[nlen - 1] == ' ' ||
		    line[nlen - 1] == '\t'))
			nlen--;
		d = domlist_new(list);
		d->name = xstrndup(line, nlen);
		d->id = xstrndup(line + ts[k - 5], tl[k - 5]);
		d->state = xstrndup(line + ts[k - 2], tl[k - 2]);
		d->uuid = xstrndup(line + ts[k], tl[k]);
		if (eol == end)
			break;
	}
	return header ? 0 : -1;
}

/*
 * Read one atom of an S-expression at *pp: a bare word, or a string in
 * double or single quotes with backslash escapes (xend's sxp.py quotes
 * atoms holding blanks or parentheses).  Returns the atom (caller frees)
 * or NULL on an unterminated string.
 */
static char *
sxp_atom(const char **pp, const char *end)
{
	const char *p = *pp;
	struct buf b = BUF_INIT;
	char q;

	if (*p == '"' || *p == '\'') {
		q = *p++;
		for (; p < end && *p != q; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			buf_addc(&b, *p);
		}
		if (p >= end) {
			buf_release(&b);
			return NULL;
		}
		p++;
	} else {
		for (; p < end && !isspace((unsigned char)*p) && *p != '(' &&
		    *p != ')' && *p != '"' && *p != '\''; p++)
			buf_addc(&b, *p);
	}
	*pp = p;
	return buf_detach(&b, NULL);
}

int
alive_parse_xm_sxp(const char *text, size_t len, struct alive_domlist *list)
{
	const char *p = text, *end = text + len;
	struct alive_dom *d = NULL;
	char *atom, *key = NULL, **slot;
	size_t depth = 0, elem = 0;	/* index of the next atom at depth */

	if (has_nul(text, len))
		return -1;
	while (p < end) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '(') {
			p++;
			depth++;
			elem = 0;
			if (depth == 1)
				d = NULL;
			continue;
		}
		if (*p == ')') {
			p++;
			if (depth == 0)
				goto bad;
			depth--;
			if (depth == 1) {
				free(key);
				key = NULL;
			}
			/* the list closed was the parent's element */
			elem = 1;
			continue;
		}
		if (depth == 0)
			goto bad;
		atom = sxp_atom(&p, end);
		if (atom == NULL)
			goto bad;
		if (depth == 1 && elem == 0) {
			if (strcmp(atom, "domain") != 0) {
				free(atom);
				goto bad;
			}
			d = domlist_new(list);
		} else if (depth == 2 && elem == 0 && d != NULL) {
			free(key);
			key = atom;
			atom = NULL;
		} else if (depth == 2 && elem == 1 && d != NULL &&
		    key != NULL) {
			slot = strcmp(key, "name") == 0 ? &d->name :
			    strcmp(key, "domid") == 0 ? &d->id :
			    strcmp(key, "uuid") == 0 ? &d->uuid :
			    strcmp(key, "state") == 0 ? &d->state : NULL;
			if (slot != NULL && *slot == NULL) {
				*slot = atom;
				atom = NULL;
			}
		}
		free(atom);
		elem++;
	}
	free(key);
	return depth == 0 ? 0 : -1;
bad:
	free(key);
	return -1;
}

size_t
alive_match_domains(const struct alive_domlist *list, const char *dom_name,
    const char *dom_uuid, const char *tool, struct strlist *why)
{
	char want[33], got[33];
	bool have_uuid;
	const struct alive_dom *d;
	struct buf b = BUF_INIT;
	size_t i, n = 0;

	have_uuid = dom_uuid != NULL &&
	    alive_uuid_normalize(dom_uuid, want) == 0;
	for (i = 0; i < list->n; i++) {
		d = &list->v[i];
		if ((d->name != NULL && strcmp(d->name, "Domain-0") == 0) ||
		    (d->id != NULL && strcmp(d->id, "0") == 0))
			continue;
		if (!(dom_name != NULL && d->name != NULL &&
		    strcmp(d->name, dom_name) == 0) &&
		    !(have_uuid && d->uuid != NULL &&
		    alive_uuid_normalize(d->uuid, got) == 0 &&
		    strcmp(got, want) == 0))
			continue;
		buf_adds(&b, "domain '");
		if (d->name != NULL)
			add_clean(&b, d->name, strlen(d->name));
		buf_adds(&b, "' (");
		if (d->id != NULL) {
			buf_adds(&b, "id ");
			add_clean(&b, d->id, strlen(d->id));
			buf_adds(&b, ", ");
		}
		if (d->uuid != NULL) {
			buf_adds(&b, "uuid ");
			add_clean(&b, d->uuid, strlen(d->uuid));
			buf_adds(&b, ", ");
		}
		buf_adds(&b, "state ");
		if (d->state != NULL)
			add_clean(&b, d->state, strlen(d->state));
		else
			buf_adds(&b, "unknown");
		buf_addf(&b, ") is running (%s)", tool);
		strlist_add_owned(why, buf_detach(&b, NULL));
		n++;
	}
	return n;
}

/* ---- running a domain lister ------------------------------------------- */

/*
 * Is cmd an executable file, by itself when it holds a slash, else in a
 * PATH directory?  Asked before spawning because posix_spawnp does not
 * report a missing command everywhere (under valgrind, and in C
 * libraries that fork first, the child just exits 127).
 */
static bool
is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

static bool
command_exists(const char *cmd)
{
	const char *path, *p, *colon;
	char *full;
	bool ok = false;
	size_t n;

	if (strchr(cmd, '/') != NULL)
		return is_executable(cmd);
	path = getenv("PATH");
	if (path == NULL)
		path = "/usr/bin:/bin";
	for (p = path; !ok; p = colon + 1) {
		colon = strchr(p, ':');
		n = colon != NULL ? (size_t)(colon - p) : strlen(p);
		/* an empty PATH element means the current directory */
		full = n == 0 ? xasprintf("./%s", cmd) :
		    xasprintf("%.*s/%s", (int)n, p, cmd);
		ok = is_executable(full);
		free(full);
		if (colon == NULL)
			break;
	}
	return ok;
}

/* "exit status 1: xl: can't open libxl handle" for a warning. */
static char *
failure_text(int status, const struct buf *err)
{
	struct buf b = BUF_INIT;
	const char *nl;
	size_t n;

	if (WIFSIGNALED(status))
		buf_addf(&b, "killed by signal %d", WTERMSIG(status));
	else
		buf_addf(&b, "exit status %d", WEXITSTATUS(status));
	if (err->len > 0) {
		nl = memchr(err->data, '\n', err->len);
		n = nl != NULL ? (size_t)(nl - err->data) : err->len;
		if (n > 200)
			n = 200;
		if (n > 0) {
			buf_adds(&b, ": ");
			add_clean(&b, err->data, n);
		}
	}
	return buf_detach(&b, NULL);
}

int
alive_check_domain(const char *dom_name, const char *dom_uuid,
    struct strlist *why, struct strlist *warn)
{
	static const struct {
		const char	*env, *cmd, *arg1, *arg2, *label;
		bool		 xm;
	} tools[] = {
		{ "IMPRINT_XL", "xl", "list", "-v", "xl list -v", false },
		{ "IMPRINT_XM", "xm", "list", "--long", "xm list --long",
		    true },
	};
	struct strlist failed = STRLIST_INIT;
	struct alive_domlist list = ALIVE_DOMLIST_INIT;
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *cmd;
	char *argv[4], *s, *who;
	int r, status, rc = 0;
	size_t i;

	if (dom_name == NULL && dom_uuid == NULL)
		return 0;
	for (i = 0; i < ARRAY_SIZE(tools); i++) {
		cmd = getenv(tools[i].env);
		if (cmd == NULL)
			cmd = tools[i].cmd;
		if (*cmd == '\0' || !command_exists(cmd))
			continue;
		argv[0] = (char *)cmd;
		argv[1] = (char *)tools[i].arg1;
		argv[2] = (char *)tools[i].arg2;
		argv[3] = NULL;
		buf_reset(&out);
		buf_reset(&err);
		r = run_capture(argv, tools[i].label, ALIVE_TIMEOUT_SEC,
		    ALIVE_OUTPUT_MAX, &out, &err, &status);
		if (r == 1)
			continue;
		if (r == -1) {
			rc = -1;
			goto done;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			s = failure_text(status, &err);
			strlist_add_owned(&failed, xasprintf("%s: %s",
			    tools[i].label, s));
			free(s);
			continue;
		}
		r = tools[i].xm ?
		    alive_parse_xm_sxp(out.data ? out.data : "", out.len,
		    &list) :
		    alive_parse_xl_list(out.data ? out.data : "", out.len,
		    &list);
		if (r == -1) {
			warnx("cannot understand the output of '%s'",
			    tools[i].label);
			rc = -1;
			goto done;
		}
		rc = alive_match_domains(&list, dom_name, dom_uuid,
		    tools[i].label, why) > 0 ? 1 : 0;
		goto done;	/* one answer is enough */
	}
	/* Installed but no answer: say so, but do not block the apply. */
	who = dom_name != NULL ? xasprintf("domain '%s'", dom_name) :
	    xasprintf("the domain with uuid '%s'", dom_uuid);
	for (i = 0; i < failed.n; i++) {
		s = xasprintf("cannot ask Xen whether %s runs: %s", who,
		    failed.v[i]);
		if (warn != NULL)
			strlist_add_owned(warn, s);
		else {
			warnx("%s", s);
			free(s);
		}
	}
	free(who);
done:
	alive_domlist_release(&list);
	strlist_release(&failed);
	buf_release(&out);
	buf_release(&err);
	return rc;
}

/* ---- the image ----------------------------------------------------------- */

/*
 * Read at most size-1 bytes of a small /proc or /sys file into b,
 * NUL-terminated.  Silent: processes vanish and deny access all the time,
 * and the caller just skips them.  Returns the length or -1.
 */
static ssize_t
read_small(const char *path, char *b, size_t size)
{
	ssize_t n, got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return -1;
	while ((size_t)got < size - 1) {
		n = read(fd, b + got, size - 1 - (size_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	b[got] = '\0';
	return got;
}

/* "pid 1234 (qemu-system-x86)" for messages (caller frees). */
static char *
describe_pid(const char *pid)
{
	char path[64], comm[64];
	struct buf b = BUF_INIT;
	ssize_t n;

	buf_addf(&b, "pid %s", pid);
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	n = read_small(path, comm, sizeof(comm));
	if (n > 0) {
		if (comm[n - 1] == '\n')
			comm[--n] = '\0';
		buf_adds(&b, " (");
		add_clean(&b, comm, (size_t)n);
		buf_addc(&b, ')');
	}
	return buf_detach(&b, NULL);
}

static bool
same_object(const struct stat *img, const struct stat *st)
{
	if (S_ISBLK(img->st_mode))
		return S_ISBLK(st->st_mode) && st->st_rdev == img->st_rdev;
	return S_ISREG(st->st_mode) && st->st_dev == img->st_dev &&
	    st->st_ino == img->st_ino;
}

/*
 * Walk /proc/PID/fd of every process but ours.  stat through the fd link
 * (not readlink: the path may be another name of the same file, a
 * /dev/mapper name of an LV, or deleted) and compare the object; for a
 * match, read the access mode from fdinfo.  Writers go to *why; holders
 * of a lock on the image go to *lockers as "pid N (comm)".
 */
static int
scan_processes(const char *image, const struct stat *img,
    struct strlist *why, struct strlist *lockers)
{
	char path[96], info[16384], *who;
	struct dirent *pe, *fe;
	struct stat st;
	DIR *proc, *fds;
	unsigned int flags;
	bool writer, locker;
	pid_t self = getpid();
	int dfd;

	proc = opendir("/proc");
	if (proc == NULL) {
		warn("cannot list processes in '/proc'");
		return -1;
	}
	while ((pe = readdir(proc)) != NULL) {
		if (!all_digits(pe->d_name, strlen(pe->d_name)) ||
		    strtol(pe->d_name, NULL, 10) == (long)self)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "/proc/%s/fd",
		    pe->d_name) >= sizeof(path))
			continue;
		dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd == -1)
			continue;	/* gone, or not ours to inspect */
		fds = fdopendir(dfd);
		if (fds == NULL) {
			close(dfd);
			continue;
		}
		writer = locker = false;
		while ((fe = readdir(fds)) != NULL) {
			if (fe->d_name[0] == '.')
				continue;
			if (fstatat(dfd, fe->d_name, &st, 0) == -1 ||
			    !same_object(img, &st))
				continue;
			if ((size_t)snprintf(path, sizeof(path),
			    "/proc/%s/fdinfo/%s", pe->d_name, fe->d_name) >=
			    sizeof(path) ||
			    read_small(path, info, sizeof(info)) <= 0 ||
			    alive_parse_fdinfo_flags(info, &flags) == -1)
				continue;
			if ((flags & O_ACCMODE) != O_RDONLY)
				writer = true;
			if (alive_fdinfo_has_lock(info))
				locker = true;
		}
		closedir(fds);
		if (!writer && !locker)
			continue;
		who = describe_pid(pe->d_name);
		if (writer)
			strlist_add_owned(why, xasprintf("image '%s' is open "
			    "for writing by %s", image, who));
		if (locker)
			strlist_add(lockers, who);
		free(who);
	}
	closedir(proc);
	return 0;
}

/*
 * Is any byte of qemu's lock range locked by another open file?  A write
 * lock probe conflicts with qemu's shared read locks.  F_OFD_GETLK first;
 * kernels before 3.15 lack it, and there F_GETLK sees the same locks.
 * Returns 1 locked, 0 not (or the filesystem has no locks, in which case
 * qemu cannot have locked it either), -1 error.
 */
static int
qemu_locked(const char *image)
{
	struct flock fl;
	int fd, r, e;

	/* O_NONBLOCK: a FIFO swapped in since the stat cannot hang us */
	fd = open(image, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		warn("cannot open image '%s'", image);
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = QEMU_LOCK_START;
	fl.l_len = QEMU_LOCK_LEN;
	r = fcntl(fd, F_OFD_GETLK, &fl);
	if (r == -1 && errno == EINVAL) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = QEMU_LOCK_START;
		fl.l_len = QEMU_LOCK_LEN;
		r = fcntl(fd, F_GETLK, &fl);
	}
	e = errno;
	close(fd);
	if (r == -1) {
		if (e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS)
			return 0;
		warnx("cannot test the locks of image '%s': %s", image,
		    strerror(e));
		return -1;
	}
	return fl.l_type != F_UNLCK;
}

/*
 * A file image served by a loop device: Xen's "file:" disks (xend's
 * block-attach, Oracle VM 2) and losetup/kpartx.  The kernel holds the
 * file, so no process has it open.  Only a read-write attachment counts.
 */
static void
scan_loops(const char *image, const struct stat *img, struct strlist *why)
{
	char path[300], backing[4096], ro[8];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;

	d = opendir("/sys/block");
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "loop", 4) != 0 ||
		    !all_digits(de->d_name + 4, strlen(de->d_name + 4)))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file",
		    de->d_name);
		n = read_small(path, backing, sizeof(backing));
		if (n <= 0)
			continue;	/* not attached */
		if (backing[n - 1] == '\n')
			backing[--n] = '\0';
		if (stat(backing, &st) == -1 || !same_object(img, &st))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/ro", de->d_name);
		if (read_small(path, ro, sizeof(ro)) > 0 && ro[0] == '1')
			continue;
		strlist_add_owned(why, xasprintf("image '%s' is attached "
		    "read-write to loop device '/dev/%s'", image, de->d_name));
	}
	closedir(d);
}

int
alive_check_image(const char *image, struct strlist *why)
{
	struct strlist lockers = STRLIST_INIT;
	struct stat img;
	size_t before = why->n, i;
	int fd, r, rc = -1;

	if (stat(image, &img) == -1) {
		warn("cannot stat image '%s'", image);
		return -1;
	}
	if (!S_ISREG(img.st_mode) && !S_ISBLK(img.st_mode)) {
		warnx("image '%s' is not a regular file or block device",
		    image);
		return -1;
	}
	if (scan_processes(image, &img, why, &lockers) == -1)
		goto out;
	r = qemu_locked(image);
	if (r == -1)
		goto out;
	if (r == 1 && lockers.n == 0)
		strlist_add_owned(why, xasprintf("image '%s' is locked by a "
		    "running qemu (on another host, or in a process imprint "
		    "may not inspect)", image));
	for (i = 0; r == 1 && i < lockers.n; i++)
		strlist_add_owned(why, xasprintf("image '%s' is locked by a "
		    "running qemu (%s)", image, lockers.v[i]));
	if (S_ISREG(img.st_mode))
		scan_loops(image, &img, why);
	else {
		/*
		 * O_EXCL on a block device fails with EBUSY while it is
		 * mounted or claimed by a kernel user: Xen's blkback for a
		 * running guest's phy: disk, a device-mapper table (kpartx).
		 */
		fd = open(image, O_RDONLY | O_EXCL | O_CLOEXEC | O_NOCTTY);
		if (fd != -1)
			close(fd);
		else if (errno == EBUSY)
			strlist_add_owned(why, xasprintf("block device '%s' "
			    "is in use (mounted, or held by the kernel: Xen "
			    "blkback, device-mapper)", image));
	}
	rc = why->n > before ? 1 : 0;
out:
	strlist_release(&lockers);
	return rc;
}

int
alive_check(const char *image, const char *dom_name, const char *dom_uuid,
    struct strlist *why, struct strlist *warn)
{
	int a, b;

	a = alive_check_domain(dom_name, dom_uuid, why, warn);
	if (a == -1)
		return -1;
	b = alive_check_image(image, why);
	if (b == -1)
		return -1;
	return a || b ? 1 : 0;
}

int
alive_lock_image(const char *image, int *fd_r)
{
	struct flock fl;
	struct statfs sfs;
	struct stat st;
	int fd, e, cmd = F_OFD_SETLK;

	fd = open(image, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		warn("cannot open image '%s' to lock it", image);
		return -1;
	}
	if (fstat(fd, &st) == -1 ||
	    (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		warnx("image '%s' is not a regular file or block device",
		    image);
		close(fd);
		return -1;
	}
	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = ALIVE_LOCK_OFFSET;
		fl.l_len = 1;
		if (fcntl(fd, cmd, &fl) == 0)
			break;
		e = errno;
		/*
		 * Before Linux 3.15 there are only process-associated locks:
		 * they still keep other processes and hosts out, but not
		 * other threads of this process.
		 */
		if (e == EINVAL && cmd == F_OFD_SETLK) {
			cmd = F_SETLK;
			continue;
		}
		close(fd);
		if (e == EAGAIN || e == EACCES) {
			warnx("image '%s' is being edited by another imprint "
			    "process", image);
			return 1;
		}
		warnx("cannot lock image '%s': %s", image, strerror(e));
		return -1;
	}
	/*
	 * OCFS2 (Oracle VM's /OVS) keeps fcntl locks cluster-wide only with
	 * the userspace cluster stack; with o2cb, the usual one, only
	 * flock(2) reaches the other nodes.  So there take both.  Not on
	 * NFS, which emulates flock with a POSIX lock on the whole file
	 * that would clash with our own byte lock.
	 */
	if (S_ISREG(st.st_mode) && fstatfs(fd, &sfs) == 0 &&
	    sfs.f_type == OCFS2_SUPER_MAGIC && flock(fd, LOCK_EX | LOCK_NB)
	    == -1) {
		e = errno;
		close(fd);
		if (e == EWOULDBLOCK) {
			warnx("image '%s' is being edited by another imprint "
			    "process (on this or another node of the OCFS2 "
			    "cluster)", image);
			return 1;
		}
		warnx("cannot lock image '%s' on OCFS2: %s", image,
		    strerror(e));
		return -1;
	}
	*fd_r = fd;
	return 0;
}
