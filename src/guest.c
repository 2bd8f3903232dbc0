/*
 * guest.c - guest access over libguestfs (see guest.h).
 *
 * This is the only file that calls libguestfs.  libguestfs's own error
 * handler is switched off for the whole handle: every failure is reported
 * here as one line that names the image and what was being done, with the
 * first line of libguestfs's error appended.
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <guestfs.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gfile.h"
#include "guest.h"
#include "fsjournal.h"
#include "fstab.h"
#include "hostfile.h"
#include "imgchk.h"
#include "lvmeta.h"
#include "osrelease.h"
#include "testpoint.h"
#include "util.h"

struct guest_image {
	char	*path;
	char	*format;
	char	*dev;		/* /dev/sdX in the appliance */
};

struct guest {
	struct gfs		 fs;		/* first: guest_gfs, of_fs */
	guestfs_h		*g;
	struct guest_image	*img;
	struct imgchk		*chain;		/* per image, top first */
	size_t			 nimg;
	bool			 readonly;
	ssize_t			 cur;		/* image being worked on */
	ssize_t			 lvm;		/* image LVM is restricted to */
	bool			 mounted;
	char			*first_err;	/* first error since reset */
	/* Roots found by the last inspection, and the image LVM was
	 * restricted to then (LV roots belong to that image only). */
	struct insp_root	*insp;
	size_t			 ninsp;
	ssize_t			 insp_cur;	/* -2: never inspected */
	char			*mounted_dev;	/* at /, when mounted */
	char			*mounted_opts;	/* its loop options, or NULL */
	const char		*mounted_type;	/* its type (fsjournal_type) */
	bool			 mounted_rw;
	/* A read-only mount in place skipped a journal replay (2), or may
	 * have (1: XFS), or left orphan inodes (1), to write nothing
	 * (noreplay_opt). */
	int			 noreplay;
	/* Devices made read-only so that a read-only mount leaves their
	 * orphan inodes alone (rodev_add); writable again once
	 * unmounted (rodevs_restore). */
	struct strlist		 rodevs;
	/* The guest's own mounts at /etc, /var and below (mount_below):
	 * done for the root mounted now, and how many. */
	bool			 below_done;
	size_t			 nbelow;
	struct lvmap		*lvmap;		/* see lvmap_learn */
	/* The current image's plan is certain to write (guest_expect_write),
	 * and its root was mounted read-write at once (rw_at_once). */
	bool			 expect_write;
	bool			 rw_early;
	/* The appliance's partitions, listed once: imprint changes no
	 * partition table, and the listing costs seconds with many
	 * drives under TCG (7 s with 30). */
	char			**parts;
	bool			 lvmap_tried;
	/* A filesystem's first bytes (sb_dev from byte sb_off), read in
	 * the same message as lvmap_use's PV head: noreplay_opt's read,
	 * for the mount that follows it and no other. */
	char			*sb_dev;
	int64_t			 sb_off;
	char			*sb;
	size_t			 sblen;
	/* Directories resolved in the guest under this mount: "dir" at
	 * dirs.v[2i], its realpath at dirs.v[2i+1]. */
	struct strlist		 dirs;
};

static const struct gfs_ops appliance_ops;
struct lvmap;
static void	lvmap_free(struct lvmap *);

static int	guest_select(struct guest *, size_t k);
static int	lvm_restrict(struct guest *, size_t k);
static int	list_fs(struct guest *, size_t k, struct guest_fs **fs_r,
	    size_t *n_r);
static int	guest_filesystems(struct guest *, size_t k, struct guest_fs **fs_r,
	    size_t *n_r);
static int	guest_find_root(struct guest *, size_t k, const struct guest_fs *fs,
	    size_t nfs, const struct root_spec *, struct guest_root *root_r);
static int	guest_root_fast(struct guest *, size_t k, const struct root_spec *,
	    struct guest_root *root_r);

/* Bytes per pread message, well below libguestfs's 4 MiB message cap. */
#define READ_CHUNK	(1024 * 1024)

struct insp_root {
	char		*dev;
	struct guest_os	 os;
};

/*
 * Where a batch's LVM root lies, learned on one clone (lvmap_learn) and
 * used on the others whose LVM label and metadata are the same bytes
 * (lvmap_use): the LV is one byte range of one partition.
 */
struct lvmap {
	char		*lv;		/* the root as found, /dev/VG/LV */
	char		*asked;		/* and as the recipe named it */
	int		 partnum;	/* the PV's partition */
	struct lv_range	 range;
	char		*head;		/* the PV's first range.data_start bytes */
	char		*lvhead;	/* the LV's first LVMAP_CHECK bytes */
	size_t		 k;		/* the image learned on */
	bool		 fresh;		/* guest_planned_fresh on it */
};

/*
 * libguestfs's error handler: keep the telling message since the last
 * reset.  A failed launch ends with "guestfs_launch failed"; an earlier
 * one is worth showing (launch_err).
 */
static void
on_error(guestfs_h *g, void *opaque, const char *msg)
{
	struct guest *gs = opaque;

	(void)g;
	/* qemu's own complaint says most; else the first message. */
	if (gs->first_err == NULL || (strstr(msg, "qemu") != NULL &&
	    strstr(gs->first_err, "qemu") == NULL)) {
		free(gs->first_err);
		gs->first_err = xstrdup(msg);
	}
}

static void
reset_err(struct guest *gs)
{
	free(gs->first_err);
	gs->first_err = NULL;
}

/*
 * One stat of path in the guest (statns following links, inside the
 * guest's root, or lstatns), into *st_r (caller frees); 1 when it is
 * not there (nor reachable: a dangling or looping link, a file on the
 * way), that error forgotten; -1 on another error, kept for gerr.  The
 * daemon's is_dir, is_file and is_symlink cost 7 ms each under TCG,
 * against 1 ms for a stat, and a batch asks dozens per image.
 */
static int
stat_path(struct guest *gs, const char *path, bool follow,
    struct guestfs_statns **st_r)
{
	bool had = gs->first_err != NULL;
	int e;

	*st_r = follow ? guestfs_statns(gs->g, path) :
	    guestfs_lstatns(gs->g, path);
	if (*st_r != NULL)
		return 0;
	e = guestfs_last_errno(gs->g);
	if (e != ENOENT && e != ENOTDIR && e != ELOOP)
		return -1;
	if (!had)
		reset_err(gs);
	return 1;
}

/* Is path of type (S_IFDIR, S_IFREG): 1 yes, 0 no or not there, -1 on
 * error (stat_path). */
static int
path_is(struct guest *gs, const char *path, bool follow, mode_t type)
{
	struct guestfs_statns *st;
	int r;

	if ((r = stat_path(gs, path, follow, &st)) != 0)
		return r == 1 ? 0 : -1;
	r = ((mode_t)st->st_mode & S_IFMT) == type;
	guestfs_free_statns(st);
	return r;
}

/*
 * First line of libguestfs's last error, for one-line messages, escaped
 * (esc): it quotes guest paths and the appliance's own words.
 */
static const char *
gerr(struct guest *gs)
{
	static char line[512];
	const char *e = gs->g ? guestfs_last_error(gs->g) : NULL;
	size_t n;

	if (gs->first_err && (e == NULL || strstr(e, "guestfs_launch failed")))
		e = gs->first_err;
	if (e == NULL)
		return "unknown libguestfs error";
	n = strcspn(e, "\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, e, n);
	while (n > 0 && line[n - 1] == '.')	/* we add our own context */
		n--;
	line[n] = '\0';
	return esc(line);
}

static const char *cur_image(const struct guest *);

/* Note a mount or unmount: what was resolved under the old one is stale. */
static void
mounted(struct guest *gs, bool m)
{
	gs->mounted = m;
	gs->noreplay = 0;
	gs->rw_early = false;
	gs->below_done = false;
	gs->nbelow = 0;
	strlist_release(&gs->dirs);
}
static int mount_root(struct guest *, const struct guest_root *, bool,
    bool);

/*
 * Make the devices noreplay_opt made read-only writable again, for a
 * read-write mount or a UUID change.  0, or -1 with libguestfs's error.
 */
static int
rodevs_restore(struct guest *gs)
{
	size_t i;

	for (i = 0; i < gs->rodevs.n; i++)
		if (guestfs_blockdev_setrw(gs->g, gs->rodevs.v[i]) == -1)
			return -1;
	strlist_release(&gs->rodevs);
	return 0;
}

/*
 * Make dev read-only until the next unmount (rodevs), so that a
 * read-only mount leaves its orphan inodes alone.  0, or -1 with
 * libguestfs's error.
 */
static int
rodev_add(struct guest *gs, const char *dev)
{
	if (strlist_has(&gs->rodevs, dev))
		return 0;
	if (guestfs_blockdev_setro(gs->g, dev) == -1)
		return -1;
	strlist_add(&gs->rodevs, dev);
	return 0;
}

/* Drop the saved first bytes of a filesystem (guest.sb). */
static void
sb_forget(struct guest *gs)
{
	free(gs->sb);
	free(gs->sb_dev);
	gs->sb = gs->sb_dev = NULL;
	gs->sblen = 0;
}

/*
 * Unmount everything.  A root mounted through a loop device (lvmap_use)
 * is flushed the same way (guest_flush): the loop driver turns the
 * filesystem's final cache flush into an fsync of the partition under
 * it, which writes its page cache back and flushes the disk.
 */
static int
unmount(struct guest *gs)
{
	if (guestfs_umount_all(gs->g) == -1)
		return -1;
	mounted(gs, false);
	return rodevs_restore(gs);
}

static void
free_strings(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* --- appliance launch, TCG fallback and its cache ---------------------- */

static volatile int progress_stop;

/* Show elapsed seconds while the appliance boots (stderr is a tty). */
static void *
progress_thread(void *arg)
{
	size_t n = *(size_t *)arg;
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	time_t start = time(NULL);
	int ticks = 0;

	while (!progress_stop) {
		if (ticks++ % 5 == 0)
			fprintf(stderr, "\rimprint: starting the appliance "
			    "(%zu image%s)... %lds", n, n == 1 ? "" : "s",
			    (long)(time(NULL) - start));
		nanosleep(&ts, NULL);
	}
	fputs("\r\033[K", stderr);
	return NULL;
}

/* Where the per-host "KVM does not work here" note lives. */
static char *
accel_cache_path(void)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		return xasprintf("%s/imprint/accel", x);
	if (home && *home == '/')
		return xasprintf("%s/.cache/imprint/accel", home);
	return NULL;
}

/*
 * The cache is valid for one kernel and one qemu binary: a new kernel
 * (KVM module) or qemu may have fixed the failure.
 */
static char *
accel_cache_key(guestfs_h *g)
{
	struct utsname u;
	struct stat st;
	char *hv, *key;

	if (uname(&u) == -1 || (hv = guestfs_get_hv(g)) == NULL)
		return NULL;
	if (stat(hv, &st) == -1) {
		free(hv);
		return NULL;
	}
	key = xasprintf("kernel %s %s; qemu %s %lld %lld %llu", u.release,
	    u.version, hv, (long long)st.st_size,
	    (long long)st.st_mtime, (unsigned long long)st.st_ino);
	free(hv);
	return key;
}

static bool
accel_cache_says_tcg(const char *key)
{
	char *path = accel_cache_path(), *want, buf[1024];
	const char *reason;
	struct stat st;
	bool tcg = false;
	ssize_t n;
	int fd;

	if (path == NULL || key == NULL)
		goto out;
	/* silent: a cache that cannot be read is no cache */
	if ((fd = host_open(path, HOST_NOFOLLOW, &st, &reason)) == -1)
		goto out;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		goto out;
	buf[n] = '\0';
	want = xasprintf("%s\ntcg\n", key);
	tcg = strcmp(buf, want) == 0;
	free(want);
out:
	free(path);
	return tcg;
}

/*
 * Best effort: a cache we cannot write only costs a slower start (the
 * reason is printed).  Written as imprint's own private file, atomically.
 */
static void
accel_cache_write_tcg(const char *key)
{
	char *path = accel_cache_path(), *slash, *text;

	if (path == NULL || key == NULL) {
		free(path);
		return;
	}
	slash = strrchr(path, '/');
	*slash = '\0';
	(void)mkdir(path, 0700);	/* .../imprint; its parent may be new */
	if (access(path, W_OK) == -1) {
		char *parent = xstrdup(path);
		*strrchr(parent, '/') = '\0';
		(void)mkdir(parent, 0700);
		free(parent);
		(void)mkdir(path, 0700);
	}
	*slash = '/';
	text = xasprintf("%s\ntcg\n", key);
	(void)hostfile_replace(path, NULL, 0, text, strlen(text),
	    HOSTFILE_PRIVATE, NULL);
	free(text);
	free(path);
}

static char *const tcg_settings[] = { (char *)"force_tcg", NULL };

/* Appliances running at once in this run: guest_set_jobs. */
static unsigned guest_jobs = 1;

void
guest_set_jobs(unsigned jobs)
{
	guest_jobs = jobs > 0 ? jobs : 1;
}

/* Create a handle with images added; NULL after a message. */
static guestfs_h *
make_handle(struct guest *gs, bool tcg)
{
	guestfs_h *g;
	size_t k;

	if ((g = guestfs_create()) == NULL) {
		warnx("cannot create a libguestfs handle");
		return NULL;
	}
	guestfs_set_error_handler(g, on_error, gs);
	gs->g = g;
	/*
	 * No autosync: at shutdown it unmounts, then runs udevadm settle and
	 * fsync on every drive, about 65 ms a drive under TCG (2 s for a
	 * batch's 32).  Nothing is left for it to do: every filesystem
	 * imprint writes is unmounted before its image counts as done
	 * (guest_flush), which flushes it to the host file.  The tools that
	 * write a device directly (tune2fs, xfs_admin, swaplabel:
	 * app_set_uuid) have closed it when their call returns, and the
	 * kernel writes a block device's cache back on its last close; qemu
	 * flushes its own when it exits.  guest_close unmounts what is still
	 * mounted.
	 */
	if (guestfs_set_autosync(g, 0) == -1 ||
	    guestfs_set_smp(g, (int)appliance_vcpus(host_cpus(),
	    guest_jobs, gs->nimg)) == -1 ||
	    (tcg && guestfs_set_backend_settings(g, tcg_settings) == -1))
		goto fail;
	for (k = 0; k < gs->nimg; k++) {
		if (guestfs_add_drive_opts(g, gs->img[k].path,
		    GUESTFS_ADD_DRIVE_OPTS_FORMAT, gs->img[k].format,
		    GUESTFS_ADD_DRIVE_OPTS_READONLY, gs->readonly ? 1 : 0,
		    -1) == -1) {
			warnx("cannot add image '%s': %s",
			    esc(gs->img[k].path), gerr(gs));
			goto fail_quiet;
		}
	}
	return g;
fail:
	warnx("cannot set up libguestfs: %s", gerr(gs));
fail_quiet:
	guestfs_close(g);
	gs->g = NULL;
	return NULL;
}

/*
 * A KVM that cannot run the appliance either aborts at once (qemu: "failed
 * to set MSR 0x10a") or, on some nested hosts, hangs after the firmware
 * with no error at all.  A launch under KVM takes 1-3 s (a few more with
 * many drives), so one that has not finished after KVM_LAUNCH_TIMEOUT
 * seconds (IMPRINT_KVM_TIMEOUT overrides, 0 = wait forever) is taken for
 * a hung KVM: the watchdog kills our qemu child, the launch fails, and
 * the caller retries under TCG.
 */
#define KVM_LAUNCH_TIMEOUT	60

struct watchdog {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	bool		 done;		/* the launch returned */
	bool		 fired;		/* qemu was killed */
	unsigned	 secs;
};

/*
 * Kill this process's children that are qemu (libguestfs's direct backend
 * forks and execs it).  /proc/PID/stat: "PID (COMM) STATE PPID ..."; COMM
 * may hold anything, so the fields are read after its last ')'.
 */
static bool
kill_qemu_children(void)
{
	char path[300], buf[512], *rp, *lp;
	struct dirent *de;
	bool killed = false;
	pid_t self = getpid();
	long ppid;
	ssize_t n;
	DIR *d;
	int fd;

	if ((d = opendir("/proc")) == NULL)
		return false;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if ((lp = strchr(buf, '(')) == NULL ||
		    (rp = strrchr(buf, ')')) == NULL || rp[1] == '\0')
			continue;
		/* ") S PPID" */
		ppid = strtol(rp + 4, NULL, 10);
		if (ppid != (long)self ||
		    strncmp(lp + 1, "qemu-system", 11) != 0)
			continue;
		if (kill((pid_t)strtol(de->d_name, NULL, 10), SIGKILL) == 0)
			killed = true;
	}
	closedir(d);
	return killed;
}

static void *
watchdog_thread(void *arg)
{
	struct watchdog *w = arg;
	struct timespec until;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += w->secs;
	pthread_mutex_lock(&w->mu);
	while (!w->done && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&w->cv, &w->mu, &until);
	if (!w->done)
		w->fired = kill_qemu_children();
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static unsigned
kvm_timeout(void)
{
	const char *e = getenv("IMPRINT_KVM_TIMEOUT");
	unsigned long v;

	if (e != NULL && parse_uint(e, 0, 86400, &v) == 0)
		return (unsigned)v;
	return KVM_LAUNCH_TIMEOUT;
}

/*
 * Launch the appliance, with a progress line on a terminal.  A launch
 * that may use KVM runs under the watchdog; *hung_r (may be NULL) says
 * whether it fired.
 */
static int
launch(struct guest *gs, bool kvm, bool *hung_r)
{
	pthread_t th, wt;
	pthread_condattr_t ca;
	struct watchdog w;
	bool show = isatty(STDERR_FILENO), watch = false;
	int r;

	reset_err(gs);
	if (hung_r)
		*hung_r = false;
	memset(&w, 0, sizeof(w));
	if (kvm && (w.secs = kvm_timeout()) > 0) {
		pthread_mutex_init(&w.mu, NULL);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&w.cv, &ca);
		pthread_condattr_destroy(&ca);
		watch = pthread_create(&wt, NULL, watchdog_thread, &w) == 0;
		if (!watch) {
			pthread_cond_destroy(&w.cv);
			pthread_mutex_destroy(&w.mu);
		}
	}
	if (show) {
		progress_stop = 0;
		if (pthread_create(&th, NULL, progress_thread, &gs->nimg) != 0)
			show = false;
	}
	r = guestfs_launch(gs->g);
	if (show) {
		progress_stop = 1;
		pthread_join(th, NULL);
	}
	if (watch) {
		pthread_mutex_lock(&w.mu);
		w.done = true;
		pthread_cond_signal(&w.cv);
		pthread_mutex_unlock(&w.mu);
		pthread_join(wt, NULL);
		pthread_cond_destroy(&w.cv);
		pthread_mutex_destroy(&w.mu);
		if (hung_r)
			*hung_r = w.fired;
		if (w.fired && r == 0) {
			/* it came up as qemu was killed: not usable */
			r = -1;
		}
	}
	return r;
}

/* testpoint.h's "@appliance": qemu dies as if it crashed. */
static void
kill_appliance(void *arg)
{
	struct guest *gs = arg;
	int pid = guestfs_get_pid(gs->g);

	if (pid > 0)
		(void)kill(pid, SIGKILL);
}

static int
launch_with_fallback(struct guest *gs)
{
	bool user_set = getenv("LIBGUESTFS_BACKEND_SETTINGS") != NULL;
	bool have_kvm = access("/dev/kvm", F_OK) == 0;
	bool tcg = false, hung = false;
	char *key = NULL, *first = NULL;
	int r = -1;

	if ((gs->g = make_handle(gs, false)) == NULL)
		return -1;
	if (!user_set && have_kvm) {
		key = accel_cache_key(gs->g);
		if (accel_cache_says_tcg(key)) {
			tcg = true;
			guestfs_close(gs->g);
			if ((gs->g = make_handle(gs, true)) == NULL)
				goto out;
		}
	}
	if (launch(gs, !user_set && have_kvm && !tcg, &hung) == 0) {
		r = 0;
		goto out;
	}
	if (user_set || !have_kvm || tcg) {
		warnx("cannot launch the libguestfs appliance: %s", gerr(gs));
		goto out;
	}
	if (hung)
		warnx("the appliance did not start with KVM within %u s (KVM "
		    "hangs on this host); retrying with TCG software "
		    "emulation, which is slower", kvm_timeout());
	else {
		first = xstrdup(gerr(gs));
		warnx("the appliance failed to start with KVM (%s); "
		    "retrying with TCG software emulation, which is slower",
		    first);
	}
	guestfs_close(gs->g);
	if ((gs->g = make_handle(gs, true)) == NULL)
		goto out;
	if (launch(gs, false, NULL) == -1) {
		warnx("cannot launch the libguestfs appliance with TCG "
		    "either: %s", gerr(gs));
		goto out;
	}
	accel_cache_write_tcg(key);
	r = 0;
out:
	if (r == 0) {
		testpoint_appliance(kill_appliance, gs);
		testpoint("launched");
	}
	free(first);
	free(key);
	return r;
}

/* --- opening and closing ------------------------------------------------- */

static int
check_image_path(const char *path, bool readonly)
{
	struct stat st;
	int e;

	if (stat(path, &st) == -1) {
		e = errno;
		warnx("cannot open image '%s': %s", esc(path), strerror(e));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		warnx("cannot open image '%s': not a regular file or block "
		    "device", esc(path));
		return -1;
	}
	if (access(path, readonly ? R_OK : R_OK | W_OK) == -1) {
		e = errno;
		warnx("cannot open image '%s'%s: %s", esc(path),
		    readonly ? "" : " for writing", strerror(e));
		return -1;
	}
	return 0;
}

/*
 * The format of each of paths[0..n-1] and its backing chain, checked on
 * the host with qemu-img before any launch (imgchk.h); chains may be
 * NULL (only check).  The format handed to add_drive is the top layer's,
 * so the appliance's qemu never probes.  Returns 0, or -1 after one
 * message naming the first image refused.
 */
static int
probe_formats(char *const *paths, size_t n, unsigned flags,
    const char *const *others, size_t nothers, struct imgchk *chains)
{
	struct imgchk c;
	size_t k;

	for (k = 0; k < n; k++) {
		if (imgchk_image(paths[k], flags, others, nothers, &c)
		    == -1)
			return -1;
		if (chains)
			chains[k] = c;
		else
			imgchk_release(&c);
	}
	return 0;
}

int
guest_check_image(const char *path, bool readonly,
    const char *const *others, size_t nothers)
{
	char *p[1] = { (char *)path };

	if (check_image_path(path, readonly) == -1)
		return -1;
	return probe_formats(p, 1, readonly ? 0 : IMGCHK_WRITE | IMGCHK_DAMAGE,
	    others, nothers, NULL);
}

int
guest_open(struct guest **gs_r, char *const *paths, size_t n, bool readonly)
{
	struct guest *gs;
	size_t k;

	*gs_r = NULL;
	if (n == 0) {
		warnx("no image to open");
		return -1;
	}
	for (k = 0; k < n; k++)
		if (check_image_path(paths[k], readonly) == -1)
			return -1;
	gs = xcalloc(1, sizeof(*gs));
	gs->fs.ops = &appliance_ops;
	gs->fs.name = "appliance";	/* until an image is selected */
	gs->readonly = readonly;
	gs->cur = -1;
	gs->lvm = -1;
	gs->insp_cur = -2;
	gs->img = xcalloc(n, sizeof(*gs->img));
	gs->chain = xcalloc(n, sizeof(*gs->chain));
	gs->nimg = n;

	/* Formats and chains on the host (qemu-img), before any launch;
	 * the images of one launch are the images this run writes.
	 * qemu-img check is guest_check_image's: every command that
	 * writes calls it first, and it costs one more run per image. */
	for (k = 0; k < n; k++)
		gs->img[k].path = xstrdup(paths[k]);
	if (probe_formats(paths, n, readonly ? 0 : IMGCHK_WRITE,
	    (const char *const *)paths, n, gs->chain) == -1)
		goto fail;
	for (k = 0; k < n; k++)
		gs->img[k].format = xstrdup(gs->chain[k].layer[0].format);

	if (launch_with_fallback(gs) == -1)
		goto fail;
	/*
	 * Drive k is /dev/sd<k> in libguestfs's API, in the order added
	 * (the daemon names disks by their SCSI target, not by the order
	 * the kernel found them).  Not guestfs_list_devices, which gives
	 * the same names but runs udevadm settle once per disk, 0.1 s a
	 * disk under TCG: 3 s for a batch's 32.  That the last image's
	 * disk is there proves the count (the daemon refuses its own root
	 * disk's name).
	 */
	for (k = 0; k < n; k++)
		gs->img[k].dev = sd_name(k);
	if (guestfs_blockdev_getsize64(gs->g, gs->img[n - 1].dev) == -1) {
		warnx("the appliance shows fewer disks than images: %s",
		    gerr(gs));
		goto fail;
	}
	*gs_r = gs;
	return 0;
fail:
	guest_close(gs);
	return -1;
}

static void os_release(struct guest_os *);
static void insp_clear(struct guest *);

int
guest_close(struct guest *gs)
{
	size_t k;
	int r = 0;

	if (gs == NULL)
		return 0;
	if (gs->g) {
		testpoint_appliance(NULL, NULL);
		if (gs->mounted)
			(void)guestfs_umount_all(gs->g);
		if (guestfs_shutdown(gs->g) == -1) {
			warnx("appliance shutdown failed: %s", gerr(gs));
			r = -1;
		}
		guestfs_close(gs->g);
	}
	for (k = 0; k < gs->nimg; k++) {
		free(gs->img[k].path);
		free(gs->img[k].format);
		free(gs->img[k].dev);
		imgchk_release(&gs->chain[k]);
	}
	free(gs->img);
	free(gs->chain);
	free(gs->mounted_dev);
	free(gs->mounted_opts);
	lvmap_free(gs->lvmap);
	sb_forget(gs);
	free_strings(gs->parts);
	strlist_release(&gs->dirs);
	strlist_release(&gs->rodevs);
	insp_clear(gs);
	free(gs->first_err);
	free(gs);
	return r;
}

const char *
guest_image_path(const struct guest *gs, size_t k)
{
	return gs->img[k].path;
}

const char *
guest_image_format(const struct guest *gs, size_t k)
{
	return gs->img[k].format;
}

const struct imgchk *
guest_image_chain(const struct guest *gs, size_t k)
{
	return &gs->chain[k];
}

/* --- devices ------------------------------------------------------------- */

/* Is dev image k's disk or one of its partitions? */
static bool
on_image(const struct guest *gs, size_t k, const char *dev)
{
	size_t n = strlen(gs->img[k].dev);

	return strncmp(dev, gs->img[k].dev, n) == 0 &&
	    (dev[n] == '\0' || (dev[n] >= '0' && dev[n] <= '9'));
}

/* Appliance name -> the name the user sees (caller frees). */
static char *
display_name(const struct guest *gs, size_t k, const char *dev)
{
	if (on_image(gs, k, dev))
		return xasprintf("/dev/sda%s", dev + strlen(gs->img[k].dev));
	return xstrdup(dev);
}

/* Unmount and make image k current, leaving LVM as it is: for a root
 * that is a partition of image k, which LVM cannot shadow. */
static int
select_disk(struct guest *gs, size_t k)
{
	if (gs->mounted && unmount(gs) == -1) {
		warnx("cannot unmount: %s", gerr(gs));
		return -1;
	}
	gs->cur = (ssize_t)k;
	gs->fs.name = gs->img[k].path;	/* messages name the image */
	return 0;
}

/*
 * Make image k the current one: unmount everything and restrict LVM to
 * that image's disk, so clones sharing VG names and UUIDs in one appliance
 * are never confused.  Called by guest_filesystems and guest_find_root.
 */
static int
guest_select(struct guest *gs, size_t k)
{
	if (select_disk(gs, k) == -1)
		return -1;
	return lvm_restrict(gs, k);
}

/* Restrict LVM to image k's disk, unless it is already. */
static int
lvm_restrict(struct guest *gs, size_t k)
{
	char *filter[2];

	if (gs->lvm == (ssize_t)k || gs->nimg == 1) {
		gs->lvm = (ssize_t)k;
		return 0;
	}
	/*
	 * Clones share VG names and PV UUIDs: let LVM see one disk only.
	 * Setting the filter deactivates every VG first (about 1 s under
	 * TCG, the bulk of a batch's per-image cost on LVM clones).
	 */
	filter[0] = gs->img[k].dev;
	filter[1] = NULL;
	if (guestfs_lvm_set_filter(gs->g, filter) == -1 ||
	    guestfs_vg_activate_all(gs->g, 1) == -1) {
		gs->lvm = -1;
		warnx("cannot restrict LVM to image '%s': %s%s",
		    esc(gs->img[k].path), gerr(gs),
		    strstr(gerr(gs), "smaller than") ? " (the image is "
		    "shorter than its LVM metadata says: truncated or "
		    "damaged?)" : "");
		return -1;
	}
	gs->lvm = (ssize_t)k;
	return 0;
}

/* --- LVM clones the short way --------------------------------------------- */

/* The LVM head (label and metadata area) compared per clone, at most. */
#define LVMAP_MAX_HEAD	(4 * READ_CHUNK)
/* The bytes lvmap_learn compares between the LV and its PV range. */
#define LVMAP_CHECK	65536

static void
lvmap_free(struct lvmap *m)
{
	if (m == NULL)
		return;
	free(m->lv);
	free(m->asked);
	free(m->head);
	free(m->lvhead);
	free(m);
}

/* len bytes of dev from off, in READ_CHUNK messages; NULL on error. */
static char *
read_dev(struct guest *gs, const char *dev, size_t len, int64_t off)
{
	char *buf = xmalloc(len ? len : 1), *p;
	size_t done = 0, n, got;

	while (done < len) {
		n = len - done < READ_CHUNK ? len - done : READ_CHUNK;
		p = guestfs_pread_device(gs->g, dev, (int)n,
		    off + (int64_t)done, &got);
		if (p == NULL || got != n) {
			free(p);
			free(buf);
			return NULL;
		}
		memcpy(buf + done, p, n);
		free(p);
		done += n;
	}
	return buf;
}

/*
 * Image k's partition that holds the one PV of VG vg, whose metadata is
 * meta (caller frees), or NULL.  LVM's "device" line is only a hint:
 * every clone carries the same PV UUID, and LVM sometimes names another
 * clone's copy even while its filter shows it image k alone (seen in 2
 * of 20 batches of 5 clones under load; LVM did activate image k's).
 * A name on another image is not taken: image k's one partition that
 * holds an LVM PV is.  The caller checks the bytes either way.  Image
 * k's partition table, not appliance_parts: an explicit root has not
 * listed every drive's partitions, which costs seconds with many.
 */
static char *
lvmap_pv(struct guest *gs, size_t k, const char *meta, size_t mlen,
    const char *vg)
{
	struct guestfs_partition_list *pl;
	char *pv = lvmeta_pv_device(meta, mlen, vg), *dev, *t;
	size_t i, n = 0;

	if (pv != NULL && on_image(gs, k, pv))
		return pv;
	free(pv);
	pv = NULL;
	if ((pl = guestfs_part_list(gs->g, gs->img[k].dev)) == NULL)
		return NULL;
	for (i = 0; i < pl->len; i++) {
		dev = xasprintf("%s%d", gs->img[k].dev, pl->val[i].part_num);
		t = guestfs_vfs_type(gs->g, dev);
		if (t != NULL && strcmp(t, "LVM2_member") == 0 && n++ == 0) {
			pv = dev;
			dev = NULL;
		}
		free(t);
		free(dev);
	}
	guestfs_free_partition_list(pl);
	if (n == 1)
		return pv;
	free(pv);
	return NULL;
}

/*
 * Image k's root lvdev was found through LVM (filter, activation: about
 * 1-2 s under TCG for each image).  Learn, once per appliance, where it
 * lies, for lvmap_use on the batch's other clones: the LV's VG has one
 * PV, a partition of image k with one metadata area, and the LV is one
 * linear segment on it (lvmeta_linear); checked, not assumed: its first
 * bytes are the PV's bytes at that offset.  Costs one LVM command.  Anything else leaves no map
 * and every clone takes the full LVM path, as before.  asked is the name
 * the recipe or the earlier clone gave the root.
 */
static void
lvmap_learn(struct guest *gs, size_t k, const char *lvdev, const char *asked)
{
	struct lvmap *m = NULL;
	struct lv_range range;
	char *canon = NULL, *vg = NULL, *meta = NULL, *pv = NULL, *a = NULL;
	char *b = NULL, *head = NULL;
	const char *lv, *why;
	size_t mlen = 0;
	int partnum;

	gs->lvmap_tried = true;
	/* /dev/VG/LV as it is; /dev/mapper/VG-LV through LVM */
	canon = strncmp(lvdev, "/dev/mapper/", 12) != 0 ? xstrdup(lvdev) :
	    guestfs_lvm_canonical_lv_name(gs->g, lvdev);
	if (canon == NULL || strncmp(canon, "/dev/", 5) != 0 ||
	    (lv = strchr(canon + 5, '/')) == NULL || strchr(lv + 1, '/'))
		goto out;
	vg = xstrndup(canon + 5, (size_t)(lv - canon - 5));
	lv++;
	/* The metadata as LVM holds it now, its one PV: a partition of
	 * image k. */
	if ((meta = guestfs_vgmeta(gs->g, vg, &mlen)) == NULL ||
	    lvmeta_linear(meta, mlen, vg, lv, &range, &why) == -1 ||
	    range.data_start > LVMAP_MAX_HEAD || range.size < LVMAP_CHECK ||
	    (pv = lvmap_pv(gs, k, meta, mlen, vg)) == NULL ||
	    (partnum = guestfs_part_to_partnum(gs->g, pv)) <= 0)
		goto out;
	/* One metadata area (a second one at the PV's end would not be in
	 * the head lvmap_use compares), and the LV's first bytes are the
	 * PV's at the offset: the map is right, not just parsed. */
	if ((head = read_dev(gs, pv, (size_t)range.data_start, 0)) == NULL ||
	    lvmeta_label_mdas(head, (size_t)range.data_start) != 1 ||
	    (a = read_dev(gs, lvdev, LVMAP_CHECK, 0)) == NULL ||
	    (b = read_dev(gs, pv, LVMAP_CHECK, (int64_t)range.offset)) ==
	    NULL || memcmp(a, b, LVMAP_CHECK) != 0)
		goto out;
	m = xcalloc(1, sizeof(*m));
	m->lv = xstrdup(lvdev);
	m->asked = xstrdup(asked);
	m->partnum = partnum;
	m->range = range;
	m->head = head;
	m->lvhead = a;
	m->k = k;
	head = a = NULL;
	gs->lvmap = m;
out:
	reset_err(gs);
	free(canon);
	free(vg);
	free(meta);
	free(pv);
	free(a);
	free(b);
	free(head);
}

/*
 * Image k's root dev the short way, when the map learned on another
 * clone names it and image k's PV partition starts with the same label
 * and metadata bytes: LVM would read the same layout, so the LV is the
 * same byte range, mounted through a loop device without activating
 * anything (no LV of two clones is ever active under one name).
 * Returns 1 with *part_r (the partition) and *opts_r (loop options), 0
 * when the map does not apply (other bytes: the full path decides and
 * explains).
 *
 * A partition too small for the range is not looked for here (a read
 * of the LV's last byte was one more 60 ms round trip under TCG): the
 * loop device then ends where the partition does, the kernel refuses
 * to mount a filesystem larger than its device (ext2/3/4, XFS and
 * btrfs all check), and the failed mount sends the root finder
 * (guest_root_fast, or probe_root for a root found automatically) to
 * the full path, which explains.
 */
static int
lvmap_use(struct guest *gs, size_t k, const char *dev, char **part_r,
    char **opts_r)
{
	const struct lvmap *m = gs->lvmap;
	char *part, *head;
	size_t got = 0, want;
	int r = 0;

	if (m == NULL || (strcmp(dev, m->lv) != 0 &&
	    strcmp(dev, m->asked) != 0))
		return 0;
	part = xasprintf("%s%d", gs->img[k].dev, m->partnum);
	/* The root LV usually starts where the head ends: its superblock
	 * comes in the same message, for noreplay_opt. */
	want = m->range.offset + FSJOURNAL_READ <= 2 * READ_CHUNK ?
	    (size_t)m->range.offset + FSJOURNAL_READ : 0;
	if ((head = want ? guestfs_pread_device(gs->g, part, (int)want, 0,
	    &got) : read_dev(gs, part, (size_t)m->range.data_start, 0)) !=
	    NULL) {
		if (want == 0)		/* read_dev: all of it, or NULL */
			got = (size_t)m->range.data_start;
		r = got >= m->range.data_start && memcmp(head, m->head,
		    (size_t)m->range.data_start) == 0;
		if (r && got > m->range.offset) {
			sb_forget(gs);
			gs->sb_dev = xstrdup(part);
			gs->sb_off = (int64_t)m->range.offset;
			gs->sblen = got - (size_t)m->range.offset;
			gs->sb = xmalloc(gs->sblen);
			memcpy(gs->sb, head + m->range.offset, gs->sblen);
		}
		free(head);
	}
	reset_err(gs);
	if (r == 1) {
		*part_r = part;
		*opts_r = xasprintf("loop,offset=%llu,sizelimit=%llu",
		    (unsigned long long)m->range.offset,
		    (unsigned long long)m->range.size);
	} else
		free(part);
	return r;
}

/* The appliance's partitions (NULL after a libguestfs error), listed on
 * first use only: see guest.parts. */
static char **
appliance_parts(struct guest *gs)
{
	if (gs->parts == NULL)
		gs->parts = guestfs_list_partitions(gs->g);
	return gs->parts;
}

/* The value of key in a libguestfs hash (key, value, ..., NULL). */
static const char *
hash_get(char *const *kv, const char *key)
{
	size_t i;

	for (i = 0; kv[i] != NULL && kv[i + 1] != NULL; i += 2)
		if (strcmp(kv[i], key) == 0)
			return kv[i + 1];
	return NULL;
}

/*
 * Describe dev, a partition of image k (part true) or an LV or whole
 * disk.  One blkid call (superblock probing, as vfs_type, vfs_label and
 * vfs_uuid each do) answers type, label, UUID and, for a partition, its
 * number and size: a tenth of the time of a call each under TCG (2.4 s
 * against 0.6 s measured).  A device blkid finds nothing on (an empty
 * partition: blkid fails) is asked call by call.
 */
static void
fill_fs(struct guest *gs, size_t k, struct guest_fs *f, const char *dev,
    bool part)
{
	char **kv, *s;
	const char *v;
	unsigned long n;
	int num;

	f->dev = xstrdup(dev);
	f->display = display_name(gs, k, dev);
	f->size = -1;
	if ((kv = guestfs_blkid(gs->g, dev)) != NULL) {
		f->type = xstrdup((v = hash_get(kv, "TYPE")) ? v : "");
		f->label = xstrdup((v = hash_get(kv, "LABEL")) ? v : "");
		f->uuid = xstrdup((v = hash_get(kv, "UUID")) ? v : "");
		if (part && (v = hash_get(kv, "PART_ENTRY_NUMBER")) &&
		    parse_uint(v, 1, INT_MAX, &n) == 0)
			f->partnum = (int)n;
		if (part && (v = hash_get(kv, "PART_ENTRY_SIZE")) &&
		    parse_uint(v, 1, INT64_MAX / 512, &n) == 0)
			f->size = (int64_t)n * 512;
		free_strings(kv);
	} else {
		reset_err(gs);
		f->type = (s = guestfs_vfs_type(gs->g, dev)) ? s : xstrdup("");
		f->label = (s = guestfs_vfs_label(gs->g, dev)) ? s :
		    xstrdup("");
		f->uuid = (s = guestfs_vfs_uuid(gs->g, dev)) ? s : xstrdup("");
	}
	if (part && f->partnum == 0)
		f->partnum = (num = guestfs_part_to_partnum(gs->g, dev)) > 0 ?
		    num : 0;
	if (f->size == -1)
		f->size = guestfs_blockdev_getsize64(gs->g, dev);
}

/*
 * List the partitions, LVs and filesystems of image k (selects it).
 * *fs_r is an array of *n_r entries; free with guest_fs_free.
 */
static int
guest_filesystems(struct guest *gs, size_t k, struct guest_fs **fs_r,
    size_t *n_r)
{
	*fs_r = NULL;
	*n_r = 0;
	if (guest_select(gs, k) == -1)
		return -1;
	return list_fs(gs, k, fs_r, n_r);
}

/* guest_filesystems of image k, selected already (mounts stay). */
static int
list_fs(struct guest *gs, size_t k, struct guest_fs **fs_r, size_t *n_r)
{
	char **parts, **lvs = NULL, *t;
	struct guest_fs *fs = NULL;
	size_t n = 0, cap = 0, i;
	int r = -1;

	*fs_r = NULL;
	*n_r = 0;
	if ((parts = appliance_parts(gs)) == NULL ||
	    (lvs = guestfs_lvs(gs->g)) == NULL) {
		warnx("cannot list the partitions of image '%s': %s",
		    esc(gs->img[k].path), gerr(gs));
		goto out;
	}
	for (i = 0; parts[i]; i++)
		cap++;
	for (i = 0; lvs[i]; i++)
		cap++;
	fs = xcalloc(cap + 1, sizeof(*fs));
	for (i = 0; parts[i]; i++)
		if (on_image(gs, k, parts[i]))
			fill_fs(gs, k, &fs[n++], parts[i], true);
	/* A filesystem on the whole disk, without a partition table. */
	if (n == 0 && (t = guestfs_vfs_type(gs->g, gs->img[k].dev)) != NULL) {
		if (*t)
			fill_fs(gs, k, &fs[n++], gs->img[k].dev, false);
		free(t);
	}
	/* Under the LVM filter the visible LVs are image k's. */
	for (i = 0; lvs[i]; i++)
		fill_fs(gs, k, &fs[n++], lvs[i], false);
	*fs_r = fs;
	*n_r = n;
	fs = NULL;
	r = 0;
out:
	free_strings(lvs);
	free(fs);
	return r;
}

void
guest_fs_free(struct guest_fs *fs, size_t n)
{
	size_t i;

	for (i = 0; fs != NULL && i < n; i++) {
		free(fs[i].dev);
		free(fs[i].display);
		free(fs[i].type);
		free(fs[i].label);
		free(fs[i].uuid);
	}
	free(fs);
}

/* --- root selection ------------------------------------------------------ */

static void
human_size(int64_t b, char out[32])
{
	if (b < 0)
		snprintf(out, 32, "?");
	else if (b >= 10LL << 30)
		snprintf(out, 32, "%lld GiB", (long long)(b >> 30));
	else if (b >= 10LL << 20)
		snprintf(out, 32, "%lld MiB", (long long)(b >> 20));
	else
		snprintf(out, 32, "%lld KiB", (long long)(b >> 10));
}

/* The candidate list that follows a root selection error. */
static void
list_candidates(const struct guest_fs *fs, size_t n, const char *image)
{
	char sz[32];
	size_t i;

	if (n == 0) {
		fprintf(stderr, "  '%s' holds no partition and no filesystem: "
		    "is it a disk image?\n", esc(image));
		return;
	}
	fprintf(stderr, "  filesystems on '%s':\n", esc(image));
	for (i = 0; i < n; i++) {
		human_size(fs[i].size, sz);
		/* a label and an LV name are the guest's to choose */
		fprintf(stderr, "    %-26s %-12s %-12s %s\n",
		    esc(fs[i].display), *fs[i].type ? esc(fs[i].type) :
		    "(none)", *fs[i].label ? esc(fs[i].label) : "-", sz);
	}
	fprintf(stderr, "  pick the root with --partition N or --root DEVICE"
	    " (recipe: root = partition:N or root = DEVICE)\n");
}

static bool
mountable_type(const char *t)
{
	return *t && strcmp(t, "swap") != 0 &&
	    strcmp(t, "LVM2_member") != 0 && strcmp(t, "unknown") != 0;
}

/*
 * The user's device name for image k -> appliance name.  Accepts
 * /dev/{sd,vd,xvd,hd}a[N] for the image's own disk (Xen users say xvda)
 * and /dev/VG/LV or /dev/mapper/... as they are.
 */
static char *
user_device(const struct guest *gs, size_t k, const char *dev)
{
	static const char *const pfx[] = {
		"/dev/sda", "/dev/vda", "/dev/xvda", "/dev/hda"
	};
	const char *rest;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pfx); i++) {
		if (strncmp(dev, pfx[i], strlen(pfx[i])) != 0)
			continue;
		rest = dev + strlen(pfx[i]);
		if (rest[strspn(rest, "0123456789")] == '\0')
			return xasprintf("%s%s", gs->img[k].dev, rest);
	}
	return xstrdup(dev);
}

static void
os_release(struct guest_os *os)
{
	free(os->type);
	free(os->distro);
	free(os->product);
	free(os->source);
	memset(os, 0, sizeof(*os));
}

static char *
dup_or_empty(char *s)
{
	return s ? s : xstrdup("");
}

static void
insp_clear(struct guest *gs)
{
	size_t i;

	for (i = 0; i < gs->ninsp; i++) {
		free(gs->insp[i].dev);
		os_release(&gs->insp[i].os);
	}
	free(gs->insp);
	gs->insp = NULL;
	gs->ninsp = 0;
}

/*
 * Run libguestfs inspection and keep what it says of every root, since
 * the next inspect_os call replaces it.  One call finds the partition
 * roots of every image in the appliance; LV roots only of the image LVM
 * is restricted to, so images with LVs cost one call each.
 */
static int
run_inspection(struct guest *gs)
{
	char **roots;
	size_t i, n;

	insp_clear(gs);
	if ((roots = guestfs_inspect_os(gs->g)) == NULL)
		return -1;
	for (n = 0; roots[n]; n++)
		;
	gs->insp = xcalloc(n + 1, sizeof(*gs->insp));
	for (i = 0; i < n; i++) {
		struct guest_os *os = &gs->insp[i].os;
		const char *r = roots[i];

		gs->insp[i].dev = xstrdup(r);
		os->type = dup_or_empty(guestfs_inspect_get_type(gs->g, r));
		os->distro = dup_or_empty(guestfs_inspect_get_distro(gs->g, r));
		os->product = dup_or_empty(guestfs_inspect_get_product_name(
		    gs->g, r));
		os->major = guestfs_inspect_get_major_version(gs->g, r);
		os->minor = guestfs_inspect_get_minor_version(gs->g, r);
		os->source = xstrdup("inspection");
	}
	gs->ninsp = n;
	gs->insp_cur = gs->lvm;
	free_strings(roots);
	return 0;
}

static bool
on_any_image(const struct guest *gs, const char *dev)
{
	size_t k;

	for (k = 0; k < gs->nimg; k++)
		if (on_image(gs, k, dev))
			return true;
	return false;
}

static const char *noreplay_opt(struct guest *, const char *,
    const char *, int *, const char **);

/*
 * libguestfs inspection mounts every filesystem read-only with no way to
 * skip a journal replay, which writes to an image attached read-write
 * (fsjournal.h): refused, before the plan is made, for image k with a
 * filesystem that certainly needs one.  A filesystem with orphan inodes
 * is made read-only by noreplay_opt, which the inspection's mounts then
 * leave alone.  0, or -1 after one message.
 */
static int
inspection_safe(struct guest *gs, size_t k, const struct guest_fs *fs,
    size_t nfs)
{
	size_t i;
	int level;

	for (i = 0; i < nfs && !gs->readonly; i++) {
		if (!mountable_type(fs[i].type))
			continue;
		(void)noreplay_opt(gs, fs[i].dev, NULL, &level, NULL);
		if (level == -1) {
			warnx("'%s': %s holds orphan inodes, which even a "
			    "read-only mount would process, and it cannot be "
			    "made read-only for inspection: %s",
			    esc(gs->img[k].path), esc(fs[i].display),
			    gerr(gs));
			return -1;
		}
		if (level < 2)
			continue;
		warnx("'%s': %s was not shut down cleanly (its journal "
		    "needs replaying), and only inspection could tell the "
		    "root, which would replay it before any plan is made: "
		    "name the root (--partition N, --root DEV, or 'root =' "
		    "in the recipe); 'imprint inspect' lists the "
		    "candidates and writes nothing", esc(gs->img[k].path),
		    esc(fs[i].display));
		return -1;
	}
	return 0;
}

static int
inspect_root(struct guest *gs, size_t k, const struct guest_fs *fs,
    size_t nfs, struct guest_root *root)
{
	const struct insp_root *mine = NULL;
	bool has_lvs = false;
	size_t i, nmine = 0;

	if (inspection_safe(gs, k, fs, nfs) == -1)
		return -1;
	for (i = 0; i < nfs; i++)
		if (!on_image(gs, k, fs[i].dev))
			has_lvs = true;
	if ((gs->insp_cur == -2 || (has_lvs && gs->insp_cur != (ssize_t)k)) &&
	    run_inspection(gs) == -1) {
		warnx("inspection of image '%s' failed: %s",
		    esc(gs->img[k].path), gerr(gs));
		return -1;
	}
	for (i = 0; i < gs->ninsp; i++) {
		const char *d = gs->insp[i].dev;
		if (on_image(gs, k, d) || (!on_any_image(gs, d) &&
		    gs->insp_cur == (ssize_t)k)) {
			if (nmine++ == 0)
				mine = &gs->insp[i];
		}
	}
	if (nmine != 1) {
		warnx("%s operating system found on '%s' by inspection",
		    nmine ? "more than one" : "no", esc(gs->img[k].path));
		list_candidates(fs, nfs, gs->img[k].path);
		return -1;
	}
	root->dev = xstrdup(mine->dev);
	root->display = display_name(gs, k, mine->dev);
	osrelease_copy(&root->os, &mine->os);
	root->reason = xasprintf("the only operating system libguestfs "
	    "inspection found (%s %d.%d)", root->os.distro, root->os.major,
	    root->os.minor);
	return 0;
}

/*
 * The light probe for an explicit root: what the release files say,
 * without libguestfs's full inspection (19 s under TCG on an EL5 image).
 */
static void
probe_release(struct guest *gs, struct guest_os *os)
{
	osrelease_read(guest_gfs(gs), os);
}

/*
 * Choose image k's root as spec says, among fs[0..nfs-1] as returned by
 * guest_filesystems(k).  With ROOT_AUTO it runs
 * libguestfs inspection; with an explicit root it skips inspection (the
 * costly step) and reads the release files instead.  When inspection finds
 * no OS or several, or the partition or device does not exist, prints an
 * error listing each candidate filesystem and how to pick one, and returns
 * -1.  Free *root_r's contents with guest_root_release.
 */
static int
guest_find_root(struct guest *gs, size_t k, const struct guest_fs *fs,
    size_t nfs, const struct root_spec *spec, struct guest_root *root)
{
	const char *image = gs->img[k].path;
	char *want = NULL;
	size_t i;
	int r = -1;

	memset(root, 0, sizeof(*root));
	root->how = spec->how;
	if (guest_select(gs, k) == -1)
		return -1;
	if (spec->how == ROOT_AUTO) {
		if (inspect_root(gs, k, fs, nfs, root) == -1)
			goto out;
		r = 0;
		goto out;
	}
	if (spec->how == ROOT_PARTITION) {
		for (i = 0; i < nfs; i++)
			if (fs[i].partnum == spec->partition)
				break;
		if (i == nfs) {
			warnx("image '%s' has no partition %d", esc(image),
			    spec->partition);
			list_candidates(fs, nfs, image);
			goto out;
		}
		root->reason = xasprintf("partition %d, as asked",
		    spec->partition);
	} else {
		want = user_device(gs, k, spec->device);
		for (i = 0; i < nfs; i++)
			if (strcmp(fs[i].dev, want) == 0 ||
			    strcmp(fs[i].display, spec->device) == 0)
				break;
		if (i == nfs) {
			warnx("image '%s' has no device '%s'", esc(image),
			    esc(spec->device));
			list_candidates(fs, nfs, image);
			goto out;
		}
		root->reason = xasprintf("device %s, as asked", spec->device);
	}
	if (!mountable_type(fs[i].type)) {
		warnx("%s on '%s' cannot be a root filesystem: %s",
		    esc(fs[i].display), esc(image), *fs[i].type ?
		    (strcmp(fs[i].type, "LVM2_member") == 0 ?
		    "it is an LVM physical volume; name one of its logical "
		    "volumes" : esc(fs[i].type)) : "it holds no filesystem");
		list_candidates(fs, nfs, image);
		goto out;
	}
	root->dev = xstrdup(fs[i].dev);
	root->display = xstrdup(fs[i].display);
	if (guest_mount_root(gs, root) == -1)
		goto out;
	if (path_is(gs, "/etc", true, S_IFDIR) != 1) {
		warnx("%s on '%s' does not look like a root filesystem "
		    "(no /etc)", esc(root->display), esc(image));
		list_candidates(fs, nfs, image);
		goto out;
	}
	probe_release(gs, &root->os);
	r = 0;
out:
	if (r == -1)
		guest_root_release(root);
	free(want);
	return r;
}

/* Mount dev read-only at / and read its release files into os; 1 when
 * it is not a Linux root (no /etc or no release file), -1 on error. */
static int
probe_candidate(struct guest *gs, const char *dev, const char *opts,
    const char *display, struct guest_os *os)
{
	struct guest_root r = { .dev = (char *)dev, .opts = (char *)opts,
	    .display = (char *)display };
	int d;

	memset(os, 0, sizeof(*os));
	reset_err(gs);
	if (mount_root(gs, &r, false, true) == -1)
		return 1;
	if ((d = path_is(gs, "/etc", true, S_IFDIR)) != 1)
		return d == -1 ? -1 : 1;
	probe_release(gs, os);
	if (strcmp(os->type, "linux") != 0) {
		os_release(os);
		return 1;
	}
	return 0;
}

static void
root_take(struct guest_root *root, const char *dev, const char *opts,
    const char *display, struct guest_os *os)
{
	root->how = ROOT_AUTO;
	root->dev = xstrdup(dev);
	root->opts = opts ? xstrdup(opts) : NULL;
	root->display = xstrdup(display);
	root->os = *os;
	memset(os, 0, sizeof(*os));
}

#define LVMAP_REASON	", reached at its offset in its partition: LVM label " \
	"and metadata are the batch's first clone's"

/*
 * Make image k current for mounting dev: a partition of image k's own
 * disk needs no LVM; an LV the learned map names (lvmap_use) neither,
 * and then *part_r and *opts_r say how to mount it; any other LV needs
 * LVM restricted to image k (guest_select).
 */
static int
select_root(struct guest *gs, size_t k, const char *dev, char **part_r,
    char **opts_r)
{
	*part_r = *opts_r = NULL;
	if (on_image(gs, k, dev))
		return select_disk(gs, k);
	if (lvmap_use(gs, k, dev, part_r, opts_r) == 1)
		return select_disk(gs, k);
	return guest_select(gs, k);
}

/*
 * An explicit root (ROOT_PARTITION, ROOT_DEVICE) the quick way: no
 * filesystem listing, no LVM filter for a partition of image k's own
 * disk; the device must mount read-only, hold /etc and a Linux release
 * file.  Returns 0 with *root_r (left mounted), 1 when that did not work
 * (nothing printed: guest_find_root then says why, with the candidates),
 * -1 on error after one message.
 */
static int
guest_root_fast(struct guest *gs, size_t k, const struct root_spec *spec,
    struct guest_root *root)
{
	struct guest_os os;
	char *dev, *display, *part = NULL, *opts = NULL;
	int r = 1;

	memset(root, 0, sizeof(*root));
	if (spec->how == ROOT_PARTITION) {
		dev = xasprintf("%s%d", gs->img[k].dev, spec->partition);
		display = xasprintf("/dev/sda%d", spec->partition);
	} else if (spec->how == ROOT_DEVICE) {
		dev = user_device(gs, k, spec->device);
		display = display_name(gs, k, dev);
	} else
		return 1;
	if (select_root(gs, k, dev, &part, &opts) == -1) {
		r = -1;
		goto out;
	}
	if (probe_candidate(gs, part ? part : dev, opts, display, &os) != 0)
		goto out;	/* the full path explains */
	root_take(root, part ? part : dev, opts, display, &os);
	root->how = spec->how;
	root->reason = spec->how == ROOT_PARTITION ?
	    xasprintf("partition %d, as asked", spec->partition) :
	    xasprintf("device %s, as asked%s", spec->device, opts ?
	    LVMAP_REASON : "");
	r = 0;
out:
	free(dev);
	free(display);
	free(part);
	free(opts);
	return r;
}

/*
 * The root finder for ROOT_AUTO, without libguestfs's full
 * inspection (about 19 s under TCG on an EL5 image, more than a launch).
 * Clones of one template share a layout, so like (the root found on an
 * earlier image of the batch, or NULL) is tried first on image k and
 * accepted when it mounts, has /etc, and its release files name the same
 * distribution and major version.  Else every mountable filesystem of
 * image k is probed for /etc and release files; exactly one such is the
 * root.  Else full inspection decides, as guest_find_root does.  The
 * root is left mounted read-only.  Returns 0 or -1 after one message.
 *
 * With given not NULL, image k's filesystems are already listed there
 * (the caller's).
 */
static int
probe_root(struct guest *gs, size_t k, const struct guest_root *like,
    struct guest_root *root, const struct guest_fs *given, size_t ngiven)
{
	struct guest_fs *fs = NULL;
	const struct guest_fs *cand;
	struct guest_os os;
	struct root_spec spec;
	char *dev = NULL, *part = NULL, *opts = NULL;
	size_t nfs = 0, i, nfound = 0, found = 0;
	int r = -1, st;

	memset(root, 0, sizeof(*root));
	memset(&spec, 0, sizeof(spec));
	spec.how = ROOT_AUTO;
	memset(&os, 0, sizeof(os));
	if (like && like->display) {
		/* The root of an earlier clone: verify it, do not search. */
		dev = user_device(gs, k, like->display);
		if (select_root(gs, k, dev, &part, &opts) == -1)
			goto out;
		/* A device that is not there fails to mount, quietly. */
		if (probe_candidate(gs, part ? part : dev, opts,
		    like->display, &os) == 0 &&
		    strcmp(os.distro, like->os.distro) == 0 &&
		    os.major == like->os.major) {
			root->reason = xasprintf("%s, the root of the "
			    "batch's earlier clones, verified by its "
			    "release files (%s %d.%d)%s", like->display,
			    os.distro, os.major, os.minor, opts ?
			    LVMAP_REASON : "");
			root_take(root, part ? part : dev, opts,
			    like->display, &os);
			r = 0;
			goto out;
		}
		os_release(&os);
	}
	/* The light probe: every filesystem with /etc and release files. */
	if (given != NULL) {
		cand = given;
		nfs = ngiven;
		if (guest_select(gs, k) == -1)
			goto out;
	} else if (guest_filesystems(gs, k, &fs, &nfs) == -1)
		goto out;
	else
		cand = fs;
	for (i = 0; i < nfs; i++) {
		if (!mountable_type(cand[i].type))
			continue;
		if ((st = probe_candidate(gs, cand[i].dev, NULL, cand[i].display,
		    &os)) == -1)
			goto out;
		os_release(&os);
		if (st == 0 && nfound++ == 0)
			found = i;
	}
	if (nfound == 1 && probe_candidate(gs, cand[found].dev, NULL,
	    cand[found].display, &os) == 0) {
		root->reason = xasprintf("the only filesystem with /etc and "
		    "release files (%s %d.%d)", os.distro, os.major, os.minor);
		root_take(root, cand[found].dev, NULL, cand[found].display,
		    &os);
		r = 0;
		goto out;
	}
	/* None or several: let full inspection decide (or explain). */
	r = guest_find_root(gs, k, cand, nfs, &spec, root);
out:
	os_release(&os);
	if (given == NULL)
		guest_fs_free(fs, nfs);
	free(dev);
	free(part);
	free(opts);
	return r;
}

int
guest_pick_root(struct guest *gs, size_t k, const struct root_spec *spec,
    const struct guest_root *like, struct guest_root *root,
    struct guest_fs **fs_r, size_t *nfs_r)
{
	struct guest_fs *fs = NULL;
	size_t nfs = 0;
	int st;

	memset(root, 0, sizeof(*root));
	if (fs_r != NULL) {
		*fs_r = NULL;
		*nfs_r = 0;
		if (guest_filesystems(gs, k, &fs, &nfs) == -1)
			return -1;
	}
	if (spec->how == ROOT_AUTO)
		st = probe_root(gs, k, like, root, fs, nfs);
	else if ((st = guest_root_fast(gs, k, spec, root)) == 1) {
		/* Not the quick way: list the filesystems, so that a
		 * failure names every candidate. */
		if (fs == NULL && guest_filesystems(gs, k, &fs, &nfs) == -1)
			st = -1;
		else
			st = guest_find_root(gs, k, fs, nfs, spec, root);
	}
	/* A batch's first LVM root: learn the short way for the others. */
	if (st == 0 && fs_r == NULL && gs->nimg > 1 && !gs->readonly &&
	    !gs->lvmap_tried && root->opts == NULL &&
	    !on_image(gs, k, root->dev))
		lvmap_learn(gs, k, root->dev, root->display);
	if (st == 0 && fs_r != NULL) {
		*fs_r = fs;
		*nfs_r = nfs;
		fs = NULL;
		nfs = 0;
	}
	guest_fs_free(fs, nfs);
	return st == 0 ? 0 : -1;
}

/*
 * Unmounting writes every dirty block back and, with write barriers (the
 * default of the ext3/ext4 and xfs drivers the appliance mounts with),
 * ends with a cache flush that qemu passes to the host file.  That is
 * the flush we need, for the current image only: guestfs_sync flushes
 * every drive of the appliance, about 70 ms per drive under TCG, which a
 * batch of 32 drives would pay once per image.
 */
int
guest_flush(struct guest *gs)
{
	if (!gs->mounted)
		return 0;
	if (unmount(gs) == -1) {
		warnx("cannot unmount '%s' to flush its writes: %s",
		    cur_image(gs), gerr(gs));
		return -1;
	}
	return 0;
}

bool
guest_alive(struct guest *gs)
{
	return gs->g != NULL && guestfs_is_ready(gs->g) == 1;
}

void
guest_root_release(struct guest_root *root)
{
	free(root->dev);
	free(root->opts);
	free(root->display);
	free(root->reason);
	os_release(&root->os);
	memset(root, 0, sizeof(*root));
}

/* Is root what is mounted at /, the same way? */
static bool
is_mounted(const struct guest *gs, const struct guest_root *root)
{
	return gs->mounted && gs->mounted_dev &&
	    strcmp(gs->mounted_dev, root->dev) == 0 &&
	    (gs->mounted_opts && root->opts ?
	    strcmp(gs->mounted_opts, root->opts) == 0 :
	    gs->mounted_opts == root->opts);
}

/*
 * The option a read-only mount of dev adds so that the kernel writes
 * nothing (fsjournal.h), or NULL; *level: 2 when a journal is certainly
 * left unreplayed, 1 when it may be (XFS) or when orphan inodes are left
 * unprocessed, else 0; -1 when dev holds orphan inodes and cannot be
 * made read-only (no read-only mount may be made then).  loop: the
 * mount's loop options, whose offset= is where the filesystem starts on
 * dev; mount(8) makes the loop device of a read-only mount read-only,
 * which leaves orphans alone.  Any other dev with orphans is made
 * read-only here (rodevs) until the next unmount.  An image attached
 * read-only needs none of this: qemu keeps the writes in a throwaway
 * overlay.  A device whose first bytes cannot be read will not mount
 * either.  With type_r, *type_r is the filesystem's type the same bytes
 * tell (fsjournal_type), or NULL.
 */
static const char *
noreplay_opt(struct guest *gs, const char *dev, const char *loop, int *level,
    const char **type_r)
{
	const char *o = loop ? strstr(loop, "offset=") : NULL, *opt = NULL;
	int64_t off = o ? (int64_t)strtoull(o + 7, NULL, 10) : 0;
	char *sb = NULL;
	size_t got = 0;
	int certain = 1;

	*level = 0;
	if (type_r)
		*type_r = NULL;
	if (gs->sb && strcmp(gs->sb_dev, dev) == 0 && gs->sb_off == off) {
		sb = gs->sb;		/* read with the PV head, just now */
		got = gs->sblen;
		gs->sb = NULL;
	}
	sb_forget(gs);
	if (gs->readonly) {
		free(sb);
		return NULL;
	}
	if (sb == NULL &&
	    (sb = guestfs_pread_device(gs->g, dev, FSJOURNAL_READ, off,
	    &got)) == NULL)
		reset_err(gs);
	else {
		if ((opt = fsjournal_noreplay((unsigned char *)sb, got,
		    &certain)) != NULL)
			*level = certain ? 2 : 1;
		if (type_r)
			*type_r = fsjournal_type((unsigned char *)sb, got);
		if (loop == NULL && fsjournal_orphans((unsigned char *)sb,
		    got)) {
			if (rodev_add(gs, dev) == -1)
				*level = -1;
			else if (*level == 0)
				*level = 1;
		}
	}
	free(sb);
	return opt;
}

/*
 * The options of a mount of dev (caller frees): for a read-only one,
 * "ro" and what keeps it from writing (noreplay_opt, which sets
 * *level and *type_r); then loop, a loop mount's options, or NULL.  A
 * read-write mount replays any journal itself: *level 0, and *type_r
 * left as the caller set it.  NULL, with libguestfs's error, when
 * nothing can keep a read-only mount from writing.
 */
static char *
mount_opts(struct guest *gs, const char *dev, const char *loop, bool rw,
    int *level, const char **type_r)
{
	const char *skip = NULL;

	*level = 0;
	if (rw)
		sb_forget(gs);
	else
		skip = noreplay_opt(gs, dev, loop, level, type_r);
	if (*level < 0)
		return NULL;
	return xasprintf("%s%s%s%s%s", rw ? "" : "ro", skip ? "," : "",
	    skip ? skip : "", !rw && loop ? "," : "", loop ? loop : "");
}

/*
 * Mount dev at mp: by type when it is known, as mount(8) would after
 * probing the device, which it then skips (40 ms a mount under TCG);
 * else, or when that fails, with mount(8)'s own probe, whose error is
 * the one kept.
 */
static int
mount_dev(struct guest *gs, const char *opts, const char *type,
    const char *dev, const char *mp)
{
	if (type != NULL) {
		if (guestfs_mount_vfs(gs->g, opts, type, dev, mp) == 0)
			return 0;
		reset_err(gs);
	}
	return guestfs_mount_options(gs->g, opts, dev, mp);
}

/*
 * Mount a batch clone's root read-write at once, for a plan certain to
 * write?  A root reached through the learned LVM map (lvmap_use) is
 * mounted through a loop device, which a read-only mount makes read-only
 * for good: going read-write is then a second mount, and an unmount,
 * 0.2 s of each clone's 0.7 s under TCG (bench/trace.sh).  So when every
 * one of these holds, the first mount is the read-write one:
 *  - the caller's plan is certain to write (guest_expect_write: no undo
 *    record, and a recipe that makes a new password or host keys);
 *  - the clone the map was learned on, with no undo record either,
 *    planned changes (guest_planned_fresh);
 *  - this clone's first LVMAP_CHECK bytes of the LV, read with its PV
 *    head, are that clone's (read before its plan was carried out), and
 *    are a cleanly unmounted ext filesystem (fsjournal_ext_clean): any
 *    read-write mount would have changed them, so both are the same tree
 *    and this plan finds what that one found.
 * Else, or for anything the caller did not ask (a read-only image), the
 * read-only mount as always.  *type_r: the filesystem's type.
 */
static bool
rw_at_once(struct guest *gs, const struct guest_root *root,
    const char **type_r)
{
	const struct lvmap *m = gs->lvmap;
	const unsigned char *sb = (const unsigned char *)gs->sb;

	if (!gs->expect_write || gs->readonly || m == NULL || !m->fresh ||
	    root->opts == NULL || sb == NULL ||
	    strcmp(gs->sb_dev, root->dev) != 0 ||
	    gs->sb_off != (int64_t)m->range.offset ||
	    gs->sblen < LVMAP_CHECK ||
	    memcmp(sb, m->lvhead, LVMAP_CHECK) != 0 ||
	    !fsjournal_ext_clean(sb, gs->sblen))
		return false;
	*type_r = fsjournal_type(sb, gs->sblen);
	return true;
}

/*
 * Mount root at /, read-write or not; quiet: no message on failure.  A
 * root with loop options (lvmap_use) mounts its partition through a loop
 * device at the LV's offset; such a device, made read-only by a
 * read-only mount, cannot be remounted read-write in place.  Nor can a
 * mount that skipped its journal (noreplay_opt): going read-write is a
 * new mount, which replays it.
 */
static int
mount_root(struct guest *gs, const struct guest_root *root, bool rw,
    bool quiet)
{
	struct strlist keep = STRLIST_INIT;
	const char *type = NULL;
	char *opts;
	int r, level;
	bool early;

	if (is_mounted(gs, root) && (gs->mounted_rw == rw || gs->rw_early))
		return 0;
	/* Read-only to read-write in place: cheaper than a new mount, and
	 * cheaper still through guestfs_remount, which names the mount
	 * point: a call that names a device runs udevadm settle first
	 * (60 ms under TCG). */
	if (is_mounted(gs, root) && rw && root->opts == NULL &&
	    gs->noreplay == 0 &&
	    guestfs_remount(gs->g, "/", GUESTFS_REMOUNT_RW, 1, -1) == 0) {
		gs->mounted_rw = true;
		return 0;
	}
	/* The same filesystem mounted again, unchanged (no journal left to
	 * replay, nothing below): its directories resolve as before. */
	if (is_mounted(gs, root) && gs->noreplay == 0 && gs->nbelow == 0) {
		keep = gs->dirs;
		memset(&gs->dirs, 0, sizeof(gs->dirs));
	}
	if (is_mounted(gs, root))	/* for a read-write mount */
		type = gs->mounted_type;
	if (gs->mounted && unmount(gs) == -1) {
		warnx("cannot unmount: %s", gerr(gs));
		strlist_release(&keep);
		return -1;
	}
	early = !rw && rw_at_once(gs, root, &type);
	if (early)
		rw = true;
	opts = mount_opts(gs, root->dev, root->opts, rw, &level, &type);
	r = opts ? mount_dev(gs, opts, type, root->dev, "/") : -1;
	free(opts);
	if (r == -1) {
		strlist_release(&keep);
		if (quiet)
			return -1;
		warnx("cannot mount %s of '%s'%s: %s", esc(root->display),
		    cur_image(gs), rw ? " read-write" : "", gerr(gs));
		return -1;
	}
	mounted(gs, true);
	gs->dirs = keep;
	gs->noreplay = level;
	gs->mounted_rw = rw;
	gs->rw_early = early;
	free(gs->mounted_dev);
	gs->mounted_dev = xstrdup(root->dev);
	free(gs->mounted_opts);
	gs->mounted_opts = root->opts ? xstrdup(root->opts) : NULL;
	gs->mounted_type = type;
	return 0;
}

/* --- the guest's own mounts below / ----------------------------------------- */

/* Does dev, a filesystem of image k, carry the wanted UUID or label? */
static bool
fs_is(struct guest *gs, const char *dev, const char *uuid, const char *label)
{
	char *v = uuid ? guestfs_vfs_uuid(gs->g, dev) :
	    guestfs_vfs_label(gs->g, dev);
	bool r = v && *v && (uuid ? ascii_casecmp(v, uuid) == 0 :
	    strcmp(v, label) == 0);

	free(v);
	return r;
}

/*
 * The filesystem of image k that an fstab spec names (appliance name,
 * caller frees): UUID=, LABEL=, /dev/disk/by-uuid/ and by-label/ among
 * its partitions and, with LVM on image k, its LVs; a device name
 * (/dev/sda3, /dev/xvda3) on its disk; an LV name (/dev/VG/LV,
 * /dev/mapper/VG-LV).  NULL when none; *lvm_r set when LVM restricted to
 * image k might still find it (an LV, or a UUID on no partition).
 */
static char *
fstab_device(struct guest *gs, size_t k, const char *spec, bool *lvm_r)
{
	const char *uuid = NULL, *label = NULL;
	bool lvm = gs->nimg == 1 || gs->lvm == (ssize_t)k;
	char **lvs = NULL, *dev = NULL;
	size_t i;

	*lvm_r = false;
	if (strncmp(spec, "UUID=", 5) == 0)
		uuid = spec + 5;
	else if (strncmp(spec, "/dev/disk/by-uuid/", 18) == 0)
		uuid = spec + 18;
	else if (strncmp(spec, "LABEL=", 6) == 0)
		label = spec + 6;
	else if (strncmp(spec, "/dev/disk/by-label/", 19) == 0)
		label = spec + 19;
	else if (strncmp(spec, "/dev/", 5) == 0) {
		dev = user_device(gs, k, spec);
		if (on_image(gs, k, dev)) {
			for (i = 0; appliance_parts(gs) && gs->parts[i]; i++)
				if (strcmp(gs->parts[i], dev) == 0)
					return dev;
			free(dev);
			return NULL;
		}
		if (lvm && guestfs_is_lv(gs->g, dev) == 1)
			return dev;
		free(dev);
		*lvm_r = !lvm;
		return NULL;
	} else
		return NULL;	/* PARTUUID=, PARTLABEL=: not read here */
	for (i = 0; appliance_parts(gs) && gs->parts[i]; i++)
		if (on_image(gs, k, gs->parts[i]) &&
		    fs_is(gs, gs->parts[i], uuid, label))
			return xstrdup(gs->parts[i]);
	if (!lvm) {
		*lvm_r = true;
		return NULL;
	}
	if ((lvs = guestfs_lvs(gs->g)) != NULL)
		for (i = 0; lvs[i] && dev == NULL; i++)
			if (fs_is(gs, lvs[i], uuid, label))
				dev = xstrdup(lvs[i]);
	free_strings(lvs);
	return dev;
}

/* Is every component of dir a directory of the guest, no symlink? */
static bool
plain_dir(struct guest *gs, const char *dir)
{
	char *p = xstrdup(dir), *slash;
	bool ok = true;

	for (slash = p + 1; ok; slash++) {
		slash = strchr(slash, '/');
		if (slash)
			*slash = '\0';
		ok = path_is(gs, p, false, S_IFDIR) == 1;
		if (slash == NULL)
			break;
		*slash = '/';
	}
	free(p);
	return ok;
}

/*
 * Mount, over the root just mounted, what the guest's /etc/fstab mounts
 * at /etc, /var and below (read-only unless rw), so that every file
 * imprint reads or writes there is the one the guest sees; /etc and /var
 * are all imprint touches.  A mount it cannot make (a network or bind
 * mount, a filesystem it cannot find, a mount point that is a symlink)
 * is refused, never worked around: the files under it are not the
 * guest's.  Returns 0, -1 after one message, or 1 when a filesystem may
 * be an LV of image k, which LVM does not show now.
 */
static int
mount_below(struct guest *gs, const struct guest_root *root, bool rw)
{
	struct fstab_ent *ents = NULL;
	const char *image = cur_image(gs), *type;
	char *buf = NULL, *dev, *opts;
	size_t len, n = 0, i;
	bool lvm;
	int r = -1, st, level;

	if ((st = guest_read(gs, "/etc/fstab", FSTAB_MAX_SIZE, &buf, &len)) ==
	    -1)
		return -1;
	if (st == 0)
		n = fstab_below(buf, len, &ents);
	free(buf);
	for (i = 0; i < n; i++) {
		const struct fstab_ent *e = &ents[i];

		if (e->what == FSTAB_VOLATILE)
			continue;
		if (e->what == FSTAB_REFUSE) {
			warnx("'%s': /etc/fstab line %u mounts %s from %s, %s: "
			    "imprint cannot mount it, and will not edit the "
			    "directory it hides", image, e->line, esc(e->dir),
			    esc(e->spec), e->why);
			goto out;
		}
		if ((dev = fstab_device(gs, (size_t)gs->cur, e->spec,
		    &lvm)) == NULL) {
			if (lvm) {
				r = 1;
				goto out;
			}
			warnx("'%s': /etc/fstab line %u mounts %s from %s, "
			    "which is none of the image's filesystems "
			    "(imprint reads UUID=, LABEL=, device and LV "
			    "names): it will not edit the directory the "
			    "mount hides", image, e->line, esc(e->dir),
			    esc(e->spec));
			goto out;
		}
		if (!plain_dir(gs, e->dir)) {
			warnx("'%s': /etc/fstab line %u mounts %s, which is "
			    "not a directory in %s (a symlink?): refused",
			    image, e->line, esc(e->dir), esc(root->display));
			free(dev);
			goto out;
		}
		type = NULL;
		opts = mount_opts(gs, dev, NULL, rw, &level, &type);
		st = opts ? mount_dev(gs, opts, type, dev, e->dir) : -1;
		free(opts);
		free(dev);
		if (st == 0 && level > gs->noreplay)
			gs->noreplay = level;
		if (st == -1) {
			warnx("'%s': cannot mount %s (/etc/fstab line %u)%s: "
			    "%s", image, esc(e->dir), e->line, rw ?
			    " read-write" : "", gerr(gs));
			goto out;
		}
		gs->nbelow++;
		strlist_release(&gs->dirs);	/* realpaths may differ now */
	}
	gs->below_done = true;
	r = 0;
out:
	fstab_free(ents, n);
	return r;
}

/*
 * The guest's tree as it boots: the root, then its own mounts at /etc
 * and /var (mount_below).  Filesystems mounted read-only below the root
 * are not remounted one by one: going read-write starts again.
 */
static int
mount_guest(struct guest *gs, const struct guest_root *root, bool rw)
{
	int st;

	if (rw && gs->mounted && !gs->mounted_rw && gs->nbelow > 0 &&
	    unmount(gs) == -1) {
		warnx("cannot unmount: %s", gerr(gs));
		return -1;
	}
	if (mount_root(gs, root, rw, false) == -1)
		return -1;
	if (gs->below_done)
		return 0;
	if ((st = mount_below(gs, root, rw || gs->rw_early)) != 1)
		return st;
	/* An LV of image k: LVM restricted to it, and again. */
	if (guest_select(gs, (size_t)gs->cur) == -1 ||
	    mount_root(gs, root, rw, false) == -1)
		return -1;
	if ((st = mount_below(gs, root, rw || gs->rw_early)) == 1) {
		warnx("'%s': /etc/fstab names a filesystem that is none of "
		    "the image's: it will not edit the directory the mount "
		    "hides", cur_image(gs));
		return -1;
	}
	return st;
}

int
guest_mount_root(struct guest *gs, const struct guest_root *root)
{
	return mount_guest(gs, root, false);
}

int
guest_replay_pending(const struct guest *gs)
{
	return gs->mounted && !gs->mounted_rw ? gs->noreplay : 0;
}

int
guest_mount_rw(struct guest *gs, const struct guest_root *root)
{
	if (gs->readonly) {
		warnx("internal error: read-write mount of a read-only image");
		return -1;
	}
	return mount_guest(gs, root, true);
}

void
guest_expect_write(struct guest *gs, bool certain)
{
	gs->expect_write = certain;
}

void
guest_planned_fresh(struct guest *gs, size_t k)
{
	if (gs->lvmap != NULL && gs->lvmap->k == k)
		gs->lvmap->fresh = true;
}

bool
guest_rw_early(const struct guest *gs)
{
	return gs->mounted && gs->rw_early;
}

/* --- file access --------------------------------------------------------- */

/* The image being worked on, escaped (esc) for a message. */
static const char *
cur_image(const struct guest *gs)
{
	return esc(gs->img[gs->cur < 0 ? 0 : gs->cur].path);
}

int
guest_is_file(struct guest *gs, const char *path)
{
	int r = path_is(gs, path, true, S_IFREG);

	if (r == -1)
		warnx("cannot check %s in '%s': %s", esc(path), cur_image(gs),
		    gerr(gs));
	return r;
}

static void split_path(const char *, char **, char **);

/* dir's cached realpath (see real_dir), or NULL. */
static const char *
dir_cached(const struct guest *gs, const char *dir)
{
	size_t i;

	for (i = 0; i + 1 < gs->dirs.n; i += 2)
		if (strcmp(gs->dirs.v[i], dir) == 0)
			return gs->dirs.v[i + 1];
	return NULL;
}

/*
 * dir walked component by component: a directory that is not a symlink
 * resolves to itself below a resolved parent, so each component costs
 * one lstatns (1 ms under TCG) instead of a realpath (10 ms), and the
 * prefixes are remembered for the next dir.  0 with *real_r; 1 when a
 * component is not there (so neither is anything below dir); -1 when
 * the walk cannot tell (a symlink, not a directory, a path with ".",
 * ".." or "//", an error): realpath then decides.  No error is kept.
 */
static int
walk_dir(struct guest *gs, const char *dir, char **real_r)
{
	struct guestfs_statns *st;
	const char *p = dir, *c, *known;
	char *asked, *cand, *real = xstrdup("");
	bool isdir;
	int r = -1, e;

	*real_r = NULL;
	while (*p == '/') {
		c = ++p;
		p += strcspn(p, "/");
		if (p == c || (p - c == 1 && c[0] == '.') ||
		    (p - c == 2 && c[0] == '.' && c[1] == '.'))
			goto out;
		asked = xstrndup(dir, (size_t)(p - dir));
		if ((known = dir_cached(gs, asked)) != NULL) {
			free(real);
			real = xstrdup(known);
			free(asked);
			continue;
		}
		cand = xasprintf("%s/%.*s", strcmp(real, "/") ? real : "",
		    (int)(p - c), c);
		free(real);
		real = cand;
		isdir = false;
		if ((e = stat_path(gs, real, false, &st)) == 0) {
			isdir = (st->st_mode & S_IFMT) == S_IFDIR;
			guestfs_free_statns(st);
		}
		if (isdir) {
			strlist_add(&gs->dirs, asked);
			strlist_add(&gs->dirs, real);
		}
		free(asked);
		if (!isdir) {
			r = e == 1 ? 1 : -1;
			goto out;
		}
	}
	if (*p == '\0' && *real != '\0') {
		*real_r = real;
		return 0;
	}
out:
	reset_err(gs);
	free(real);
	return r;
}

/*
 * dir resolved inside the guest (caller frees), remembered until the
 * next mount change: a batch reads and writes a dozen files in a few
 * directories per image.  NULL after a libguestfs error (gerr tells),
 * or, with absent_r, with *absent_r set when dir is not there.
 */
static char *
real_dir(struct guest *gs, const char *dir, bool *absent_r)
{
	const char *known;
	char *r;

	if (absent_r)
		*absent_r = false;
	if (strcmp(dir, "/") == 0)
		return xstrdup("/");
	if ((known = dir_cached(gs, dir)) != NULL)
		return xstrdup(known);
	switch (walk_dir(gs, dir, &r)) {
	case 0:
		return r;
	case 1:
		if (absent_r) {
			*absent_r = true;
			return NULL;
		}
		break;
	}
	if ((r = guestfs_realpath(gs->g, dir)) == NULL)
		return NULL;
	strlist_add(&gs->dirs, dir);
	strlist_add(&gs->dirs, r);
	return r;
}

int
guest_read(struct guest *gs, const char *path, size_t cap, char **buf_r,
    size_t *len_r)
{
	struct guestfs_statns *st = NULL;
	struct guestfs_statns_list *sl = NULL;
	const struct guestfs_statns *sp;
	char *real = NULL, *buf = NULL, *dir, *base, *rdir, *names[2];
	size_t len;
	uint64_t size;
	bool absent;
	int r = -1, e;

	*buf_r = NULL;
	*len_r = 0;
	/*
	 * Resolved by the appliance inside the guest's root: a symlink can
	 * never lead out of the guest.  The directory's realpath is cached;
	 * the file itself is lstat'ed there, and resolved in full only when
	 * it is a symlink.
	 */
	split_path(path, &dir, &base);
	if ((rdir = real_dir(gs, dir, &absent)) == NULL) {
		free(dir);
		free(base);
		if (absent || (e = guestfs_exists(gs->g, path)) == 0)
			return 1;
		goto gfail;
	}
	names[0] = base;
	names[1] = NULL;
	sl = guestfs_lstatnslist(gs->g, rdir, names);
	real = xasprintf("%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base);
	free(dir);
	free(base);
	free(rdir);
	if (sl == NULL || sl->len != 1)
		goto gfail;
	if (sl->val[0].st_ino == -1) {
		r = 1;		/* absent */
		goto out;
	}
	if ((sl->val[0].st_mode & S_IFMT) == S_IFLNK) {
		free(real);
		if ((e = guestfs_exists(gs->g, path)) == 0) {
			real = NULL;
			r = 1;	/* a dangling link: absent, as before */
			goto out;
		}
		if (e == -1 || (real = guestfs_realpath(gs->g, path)) == NULL ||
		    (st = guestfs_lstatns(gs->g, real)) == NULL)
			goto gfail;
		sp = st;
	} else
		sp = &sl->val[0];
	if ((sp->st_mode & S_IFMT) != S_IFREG) {
		warnx("%s in '%s' is not a regular file; not read", esc(path),
		    cur_image(gs));
		goto out;
	}
	if (sp->st_size < 0 || (uint64_t)sp->st_size > cap) {
		warnx("%s in '%s' is larger than %zu bytes; not read",
		    esc(path), cur_image(gs), cap);
		goto out;
	}
	/*
	 * pread, not read_file: read_file goes through libguestfs's file
	 * transfer protocol, about 0.1 s a file under TCG, pread is one
	 * message.  real is free of symlinks and a regular file.  A short
	 * read that reaches the size lstat gave is its end: no more round
	 * trip to read nothing.
	 */
	size = (uint64_t)sp->st_size;
	len = 0;
	buf = xmalloc(1);
	for (;;) {
		size_t want = cap + 1 - len, got;
		char *chunk;

		if (want > READ_CHUNK)
			want = READ_CHUNK;
		if ((chunk = guestfs_pread(gs->g, real, (int)want,
		    (int64_t)len, &got)) == NULL) {
			free(buf);
			goto gfail;
		}
		if (got > want)
			got = want;
		buf = xreallocarray(buf, len + got + 1, 1);
		memcpy(buf + len, chunk, got);
		free(chunk);
		len += got;
		if (got == 0 || len > cap || (got < want && len >= size))
			break;
	}
	if (len > cap) {
		warnx("%s in '%s' grew past %zu bytes; not read", esc(path),
		    cur_image(gs), cap);
		free(buf);
		goto out;
	}
	buf[len] = '\0';
	*buf_r = buf;
	*len_r = len;
	r = 0;
	goto out;
gfail:
	warnx("cannot read %s in '%s': %s", esc(path), cur_image(gs), gerr(gs));
out:
	guestfs_free_statns_list(sl);
	guestfs_free_statns(st);
	free(real);
	return r;
}

int
guest_ls(struct guest *gs, const char *dir, struct strlist *names)
{
	char **v;
	size_t i;
	int d;

	if ((d = path_is(gs, dir, true, S_IFDIR)) == 0)
		return 1;
	if (d == -1 || (v = guestfs_ls(gs->g, dir)) == NULL) {
		warnx("cannot list %s in '%s': %s", esc(dir), cur_image(gs),
		    gerr(gs));
		return -1;
	}
	for (i = 0; v[i]; i++)
		;
	sort_strings(v, i);
	for (i = 0; v[i]; i++)
		strlist_add_owned(names, v[i]);
	free(v);
	return 0;
}

/* --- writing ------------------------------------------------------------- */

int
guest_lstat(struct guest *gs, const char *path, struct guest_attr *a,
    char *type_r)
{
	struct guestfs_statns *st;
	int e;

	if ((e = stat_path(gs, path, false, &st)) == 1)
		return 1;	/* neither a file nor a dangling link */
	if (e == -1) {
		warnx("cannot stat %s in '%s': %s", esc(path), cur_image(gs),
		    gerr(gs));
		return -1;
	}
	if (a) {
		a->mode = (unsigned int)st->st_mode & 07777;
		a->uid = (unsigned int)st->st_uid;
		a->gid = (unsigned int)st->st_gid;
	}
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		*type_r = 'f';
		break;
	case S_IFLNK:
		*type_r = 'l';
		break;
	case S_IFDIR:
		*type_r = 'd';
		break;
	default:
		*type_r = '?';
	}
	guestfs_free_statns(st);
	return 0;
}

/* "/a/b/c" -> "/a/b" and "c" (caller frees both). */
static void
split_path(const char *path, char **dir_r, char **base_r)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path) {
		*dir_r = xstrdup("/");
		*base_r = xstrdup(slash ? slash + 1 : path);
		return;
	}
	*dir_r = xstrndup(path, (size_t)(slash - path));
	*base_r = xstrdup(slash + 1);
}

int
guest_write(struct guest *gs, const char *path, const char *data,
    size_t len, const char *like, const struct guest_attr *attr)
{
	struct guest_attr cur, la;
	unsigned char rnd[6];
	char *dir = NULL, *base = NULL, *rdir = NULL, *tmp = NULL;
	char *dst = NULL, type;
	unsigned mode;
	int r = -1, st, exists, has_like, old, w, u;

	if (gs->readonly) {
		warnx("internal error: write to read-only image");
		return -1;
	}
	split_path(path, &dir, &base);
	if ((rdir = real_dir(gs, dir, NULL)) == NULL) {
		warnx("cannot write %s in '%s': %s", esc(path), cur_image(gs),
		    gerr(gs));
		goto out;
	}
	dst = xasprintf("%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base);
	if ((st = guest_lstat(gs, dst, &cur, &type)) == -1)
		goto out;
	exists = st == 0;
	if (exists && type != 'f') {
		warnx("refusing to write %s in '%s': it is %s", esc(path),
		    cur_image(gs), type == 'l' ? "a symbolic link" :
		    "not a regular file");
		goto out;
	}
	has_like = !exists && like && guest_lstat(gs, like, &la, &type) == 0 &&
	    type == 'f';
	/* the mode the file ends with */
	mode = attr ? attr->mode : exists ? cur.mode : has_like ? la.mode :
	    0644;
	xrandom(rnd, sizeof(rnd));
	tmp = xasprintf("%s/.imprint-%02x%02x%02x%02x%02x%02x",
	    strcmp(rdir, "/") ? rdir : "", rnd[0], rnd[1], rnd[2], rnd[3],
	    rnd[4], rnd[5]);
	/*
	 * The new bytes (a new /etc/shadow) must never sit in a file others
	 * may read, not even for the moment before the final mode is set.
	 * The daemon creates the file 0666 & ~umask: with this umask it is
	 * born with no more than the final mode's owner bits (0600 at most,
	 * 0000 for a 0000 shadow), the umask goes back at once, and every
	 * failure from here on removes the file.
	 */
	if ((old = guestfs_umask(gs->g, 0777 & ~(int)(mode & 0600))) == -1)
		goto gfail;
	w = guestfs_write(gs->g, tmp, data, len);
	u = guestfs_umask(gs->g, old);
	if (w == -1 || u == -1)
		goto gfail_rm;
	/* the final owner, mode and label: after the bytes, before the
	 * rename */
	if (exists) {
		if (guestfs_copy_attributes(gs->g, dst, tmp,
		    GUESTFS_COPY_ATTRIBUTES_ALL, 1, -1) == -1)
			goto gfail_rm;
	} else if (has_like) {
		if (guestfs_copy_attributes(gs->g, like, tmp,
		    GUESTFS_COPY_ATTRIBUTES_ALL, 1, -1) == -1)
			goto gfail_rm;
	} else if (guestfs_chmod(gs->g, 0644, tmp) == -1 ||
	    guestfs_chown(gs->g, 0, 0, tmp) == -1)
		goto gfail_rm;
	if (attr && (guestfs_chmod(gs->g, (int)attr->mode, tmp) == -1 ||
	    guestfs_chown(gs->g, (int)attr->uid, (int)attr->gid, tmp) == -1))
		goto gfail_rm;
	testpoint("guest-temp");
	if (guestfs_rename(gs->g, tmp, dst) == -1)
		goto gfail_rm;
	r = 0;
	goto out;
gfail_rm:
	/*
	 * Every failure once the file may exist (a write cut short by a
	 * full filesystem leaves part of the bytes): remove it.
	 */
	warnx("cannot write %s in '%s': %s", esc(path), cur_image(gs),
	    gerr(gs));
	if (guestfs_rm_f(gs->g, tmp) == -1)	/* the appliance is gone */
		warnx("cannot remove the temporary file %s in '%s': %s",
		    esc(tmp), cur_image(gs), gerr(gs));
	goto out;
gfail:
	warnx("cannot write %s in '%s': %s", esc(path), cur_image(gs),
	    gerr(gs));
out:
	free(dir);
	free(base);
	free(rdir);
	free(tmp);
	free(dst);
	return r;
}

int
guest_remove(struct guest *gs, const char *path)
{
	char type;
	int st;

	if ((st = guest_lstat(gs, path, NULL, &type)) != 0)
		return st == 1 ? 0 : -1;
	if (type != 'f' && type != 'l') {
		warnx("refusing to remove %s in '%s': not a file", esc(path),
		    cur_image(gs));
		return -1;
	}
	if (guestfs_rm(gs->g, path) == -1) {
		warnx("cannot remove %s in '%s': %s", esc(path), cur_image(gs),
		    gerr(gs));
		return -1;
	}
	return 0;
}

/* ---- the guest filesystem interface (gfs.h) over the appliance ---------- */

static struct guest *
of_fs(struct gfs *fs)
{
	return (struct guest *)fs;
}

struct gfs *
guest_gfs(struct guest *gs)
{
	return &gs->fs;
}

static int
app_read(struct gfs *fs, const char *path, size_t cap, char **buf_r,
    size_t *len_r)
{
	return guest_read(of_fs(fs), path, cap, buf_r, len_r);
}

static int
app_lstat(struct gfs *fs, const char *path, struct guest_attr *a,
    char *type_r)
{
	return guest_lstat(of_fs(fs), path, a, type_r);
}

static int
app_readlink(struct gfs *fs, const char *path, char **target_r)
{
	struct guest *gs = of_fs(fs);
	char type, *t;
	int st;

	*target_r = NULL;
	if ((st = guest_lstat(gs, path, NULL, &type)) != 0)
		return st;
	if (type != 'l') {
		warnx("cannot read the link %s in '%s': not a symbolic link",
		    esc(path), cur_image(gs));
		return -1;
	}
	if ((t = guestfs_readlink(gs->g, path)) == NULL) {
		warnx("cannot read the link %s in '%s': %s", esc(path),
		    cur_image(gs), gerr(gs));
		return -1;
	}
	*target_r = t;
	return 0;
}

static int
app_ls(struct gfs *fs, const char *dir, struct strlist *names)
{
	return guest_ls(of_fs(fs), dir, names);
}

static int
app_is_file(struct gfs *fs, const char *path)
{
	return guest_is_file(of_fs(fs), path);
}

static int
app_write(struct gfs *fs, const char *path, const char *data, size_t len,
    const char *like, const struct guest_attr *attr)
{
	return guest_write(of_fs(fs), path, data, len, like, attr);
}

static int
app_remove(struct gfs *fs, const char *path)
{
	return guest_remove(of_fs(fs), path);
}

static int
app_symlink(struct gfs *fs, const char *target, const char *path,
    const struct guest_attr *attr)
{
	struct guest *gs = of_fs(fs);

	if (gs->readonly) {
		warnx("internal error: write to read-only image");
		return -1;
	}
	if (guestfs_ln_s(gs->g, target, path) == -1 || (attr &&
	    guestfs_lchown(gs->g, (int)attr->uid, (int)attr->gid, path)
	    == -1)) {
		warnx("cannot make the symbolic link %s in '%s': %s", esc(path),
		    cur_image(gs), gerr(gs));
		return -1;
	}
	return 0;
}

static int
app_getxattr(struct gfs *fs, const char *path, const char *name,
    char **val_r, size_t *len_r)
{
	struct guest *gs = of_fs(fs);
	struct guestfs_xattr_list *l;
	size_t i;
	int r = 1;

	*val_r = NULL;
	*len_r = 0;
	if ((l = guestfs_lgetxattrs(gs->g, path)) == NULL) {
		warnx("cannot read the extended attributes of %s in '%s': %s",
		    esc(path), cur_image(gs), gerr(gs));
		return -1;
	}
	for (i = 0; i < l->len && r == 1; i++) {
		if (strcmp(l->val[i].attrname, name) != 0)
			continue;
		*len_r = l->val[i].attrval_len;
		*val_r = xmalloc(*len_r + 1);
		memcpy(*val_r, l->val[i].attrval, *len_r);
		(*val_r)[*len_r] = '\0';
		r = 0;
	}
	guestfs_free_xattr_list(l);
	return r;
}

static int
app_setxattr(struct gfs *fs, const char *path, const char *name,
    const char *val, size_t len)
{
	struct guest *gs = of_fs(fs);

	if (guestfs_lsetxattr(gs->g, name, val, (int)len, path) == -1) {
		warnx("cannot set %s of %s in '%s': %s", esc(name), esc(path),
		    cur_image(gs), gerr(gs));
		return -1;
	}
	return 0;
}

static int
app_flush(struct gfs *fs)
{
	return guest_flush(of_fs(fs));
}

/* The filesystems of the current image (guest_filesystems), by the
 * names the user sees. */
static int
app_filesystems(struct gfs *fs, struct gfs_fsinfo **fs_r, size_t *n_r)
{
	struct guest *gs = of_fs(fs);
	struct guest_fs *l;
	size_t n, i;

	/* what is mounted stays: planning reads on */
	if (gs->cur < 0 || lvm_restrict(gs, (size_t)gs->cur) == -1 ||
	    list_fs(gs, (size_t)gs->cur, &l, &n) == -1)
		return -1;
	*fs_r = xcalloc(n + 1, sizeof(**fs_r));
	for (i = 0; i < n; i++) {
		(*fs_r)[i].dev = xstrdup(l[i].display);
		(*fs_r)[i].type = xstrdup(l[i].type);
		(*fs_r)[i].uuid = xstrdup(l[i].uuid);
	}
	*n_r = n;
	guest_fs_free(l, n);
	return 0;
}

/*
 * The appliance device of image k that the user names display
 * (display_name backwards: a partition, the whole disk or an LV), checked
 * against the appliance's lists of partitions and LVs, so nothing is
 * probed; NULL when there is none.  Caller frees.
 */
static char *
appliance_dev(struct guest *gs, size_t k, const char *display)
{
	char **list, *dev = user_device(gs, k, display);
	size_t i;
	bool ok = strcmp(dev, gs->img[k].dev) == 0;	/* the whole disk */

	if (!ok && (list = appliance_parts(gs)) != NULL)
		for (i = 0; list[i] && !ok; i++)
			ok = strcmp(list[i], dev) == 0;
	if (!ok && (list = guestfs_lvs(gs->g)) != NULL) {
		for (i = 0; list[i] && !ok; i++)
			ok = strcmp(list[i], dev) == 0;
		free_strings(list);
	}
	if (!ok) {
		free(dev);
		return NULL;
	}
	return dev;
}

/*
 * tune2fs, xfs_admin and swaplabel change a UUID only on a filesystem
 * nobody has mounted.  An ext4 filesystem with metadata checksums (the
 * default since e2fsprogs 1.43) must also have been checked since it was
 * last mounted, as every checksum is rewritten: when tune2fs fails on an
 * ext filesystem, e2fsck -f -p, then once more.  The device is found by
 * name, not by a new listing of the filesystems (a blkid probe of each,
 * seconds under TCG, for every UUID set).
 */
static int
app_set_uuid(struct gfs *fs, const char *dev, const char *uuid)
{
	struct guest *gs = of_fs(fs);
	char *real = NULL, *type = NULL, *why = NULL;
	int r = -1;

	if (gs->cur < 0 || guest_select(gs, (size_t)gs->cur) == -1 ||
	    rodevs_restore(gs) == -1)
		goto fail;
	if ((real = appliance_dev(gs, (size_t)gs->cur, dev)) == NULL) {
		warnx("cannot set the UUID of %s in '%s': no such filesystem",
		    esc(dev), cur_image(gs));
		goto out;
	}
	if (guestfs_set_uuid(gs->g, real, uuid) == 0) {
		r = 0;
		goto out;
	}
	why = xstrdup(gerr(gs));
	/* (tune2fs says why on stdout, which the daemon drops) */
	if ((type = guestfs_vfs_type(gs->g, real)) == NULL ||
	    strncmp(type, "ext", 3) != 0) {
		warnx("cannot set the UUID of %s in '%s': %s", esc(dev),
		    cur_image(gs), why);
		goto out;
	}
	reset_err(gs);
	if (guestfs_e2fsck(gs->g, real, GUESTFS_E2FSCK_CORRECT, 1, -1) == -1 ||
	    guestfs_set_uuid(gs->g, real, uuid) == -1)
		goto fail;
	r = 0;
	goto out;
fail:
	warnx("cannot set the UUID of %s in '%s': %s", esc(dev),
	    cur_image(gs), gerr(gs));
out:
	free(real);
	free(type);
	free(why);
	return r;
}

static const struct gfs_ops appliance_ops = {
	.read		= app_read,
	.lstat		= app_lstat,
	.readlink	= app_readlink,
	.ls		= app_ls,
	.is_file	= app_is_file,
	.write		= app_write,
	.remove		= app_remove,
	.symlink	= app_symlink,
	.getxattr	= app_getxattr,
	.setxattr	= app_setxattr,
	.flush		= app_flush,
	.filesystems	= app_filesystems,
	.set_uuid	= app_set_uuid,
};
