/*
 * scan.h - find the domain configs (Xen and libvirt) under directories,
 * read each one, and find the identities that collide among them.  This
 * is the one reader behind `imprint scan` and `--mac-scan` (ident.c).
 *
 * The walk (scan_walk): each root is a directory or a file.  Below a
 * directory it takes the regular files whose name ends in ".cfg" (which
 * includes vm.cfg) or ".xml" (libvirt's domains; a well-formed document
 * with another root, such as a network, is passed over), recursively,
 * and never follows a symbolic link, so a link cannot lead out of the
 * tree or into a loop, and the links of /etc/xen/auto (and libvirt's
 * autostart) do not count a config twice.  A root is followed when it
 * is a link, and a root that is a file is read whatever its name.  A file
 * reached twice (named twice, a hard link, nested roots) is read once.
 * Files are opened with O_NONBLOCK (and O_NOFOLLOW below a root), refused
 * above DOMCFG_MAX_SIZE bytes before being read, and parsed with
 * domcfg.c; the parser's message is handed to the caller, not printed.
 *
 * The collision set (struct scan_set): the identities of the configs a
 * walk read, grouped by the value they share: "uuid" (dashed or dashless,
 * any case), "mac" (vif mac=, ':' or '-' separated, any case; a MAC twice
 * in one file collides too), "name" (exact), "disk" (the disk target
 * without its prefixes; the real path when the target exists on this
 * host).  Sorting, not pairwise comparison: O(n log n) in the number of
 * values.
 *
 * Nothing here writes a file or prints to stdout.
 */
#ifndef IMPRINT_SCAN_H
#define IMPRINT_SCAN_H

#include <stdbool.h>
#include <stddef.h>

struct domcfg;

/* Most distinct config files one walk reads; more is an error. */
#define SCAN_MAX_FILES	100000

enum scan_status {
	SCAN_OK,		/* read and parsed: cfg is set */
	SCAN_UNPARSABLE,	/* read (text is set) but not a config */
	SCAN_UNREADABLE		/* not read: a file or a directory */
};

/* What the walk hands the callback for one file (or unreadable place). */
struct scan_file {
	const char	*path;		/* the root, or root/relative/path */
	enum scan_status status;
	bool		 is_root;	/* named by the caller itself */
	bool		 is_dir;	/* an unreadable directory */
	int		 errnum;	/* SCAN_UNREADABLE: the errno, or 0 */
	/* SCAN_UNREADABLE: the reason alone ("Permission denied"). */
	const char	*reason;
	/*
	 * Why it is not SCAN_OK: one message, as it would be printed but
	 * without the program name ("cannot read 'P': reason", or the
	 * parser's "P:LINE:COL: message").  NULL when SCAN_OK.
	 */
	const char	*error;
	const char	*text;		/* the bytes read, NUL-terminated */
	size_t		 len;
	const struct domcfg *cfg;	/* SCAN_OK: the parsed config */
};

/*
 * Walk the nroots roots and call fn for each config file found, reading
 * at most max_files distinct files.  fn is called once per config file
 * and once per place that could not be read (a root, a directory, a
 * file), in walk order (roots and directory entries sorted by name).
 * Everything in f is valid only during the call.  fn returns 0 to go on,
 * -1 to stop the walk.
 *
 * Returns 0 when the walk ran to its end, or -1 when fn returned -1 (fn
 * has said why), or after printing one message when there were more than
 * max_files files or the walk itself failed.
 */
int	 scan_walk(char *const *roots, size_t nroots, size_t max_files,
	    int (*fn)(const struct scan_file *f, void *arg), void *arg);

/*
 * The canonical form of a uuid: 32 hex digits of either case, dashless
 * or dashed as 8-4-4-4-12, into the lower-case dashed form.  Returns 0,
 * or -1 when s is no such uuid (out is then untouched).
 */
int	 scan_uuid_norm(const char *s, char out[37]);

/*
 * The canonical form of a MAC: six pairs of hex digits of either case,
 * separated by ':' or by '-' (one separator throughout), leading and
 * trailing blanks ignored, into lower-case "xx:xx:xx:xx:xx:xx".  Returns
 * 0, or -1 when s is no such MAC.
 */
int	 scan_mac_norm(const char *s, char out[18]);

/*
 * How a disk spec lets other domains use its target: SCAN_DISK_RO
 * (access r/ro, or a CD-ROM), SCAN_DISK_SHARED (mode "w!", writable and
 * shared on purpose, as for a cluster filesystem) or SCAN_DISK_EXCL
 * (writable, the default).  Only a target some config holds
 * SCAN_DISK_EXCL is a collision.
 */
enum scan_disk_mode { SCAN_DISK_EXCL, SCAN_DISK_SHARED, SCAN_DISK_RO };
enum scan_disk_mode scan_disk_mode(const char *spec);

enum scan_kind { SCAN_UUID, SCAN_MAC, SCAN_NAME, SCAN_DISK };

/* "uuid", "mac", "name" or "disk". */
const char *scan_kind_name(enum scan_kind);

struct scan_place {
	const char	*file;
	int		 line;		/* 1-based */
	/* The value as the file writes it, when not the canonical value. */
	const char	*written;	/* or NULL */
};

struct scan_collision {
	enum scan_kind	 kind;
	const char	*value;		/* canonical form */
	const struct scan_place *places;	/* sorted by file, line */
	size_t		 nplaces;	/* 2 or more */
};

/* Create with scan_set_new, release with scan_set_free. */
struct scan_set;

struct scan_set *scan_set_new(void);
void	 scan_set_free(struct scan_set *);

/*
 * Add what one walk callback got: the identities of a SCAN_OK config;
 * for any other status the path and error are kept for the unreadable
 * list.  Prints nothing.  Do not add after scan_set_finish.
 */
void	 scan_set_add(struct scan_set *, const struct scan_file *f);

/*
 * Group the values into collisions, sorted by kind (uuid, mac, name,
 * disk), then value (bytewise).  Returns the number of collisions;
 * scan_set_collision(set, i) for i below it gives each (owned by the set,
 * valid until scan_set_free).
 */
size_t	 scan_set_finish(struct scan_set *);
const struct scan_collision *scan_set_collision(const struct scan_set *,
	    size_t i);

/* How many SCAN_OK configs were added. */
size_t	 scan_set_configs(const struct scan_set *);

/*
 * The places that were not read or parsed, in the order added: their
 * count, and the path and error of the Ith (owned by the set).
 */
size_t	 scan_set_unreadable(const struct scan_set *);
void	 scan_set_unreadable_at(const struct scan_set *, size_t i,
	    const char **path_r, const char **error_r);

#endif
