/*
 * alive.h - "is this guest alive?" checks run before imprint opens a
 * guest's disk image for writing, and the per-image lock that keeps two
 * imprint processes (on one host or on several hosts sharing the image
 * store over NFS or OCFS2) from editing one image at once.
 *
 * Writing to the disk of a running domain destroys its filesystems, so
 * `imprint apply` refuses (unless --force) when any check here finds a
 * sign of life.  The checks only look; they never change the image, the
 * domain or any other process.
 */
#ifndef IMPRINT_ALIVE_H
#define IMPRINT_ALIVE_H

#include <stddef.h>

struct strlist;

/*
 * Seconds a domain lister (xl, xm) may take before it is killed and the
 * check fails, and the most bytes of output it may print.
 */
#define ALIVE_TIMEOUT_SEC	10
#define ALIVE_OUTPUT_MAX	(1024 * 1024)

/*
 * The byte of an image file that alive_lock_image() locks.  qemu's
 * file-posix driver locks bytes 100.. (permissions) and 200..
 * (shared permissions) of every image it opens, so this byte is far from
 * both: libguestfs's qemu can still open and lock the image while imprint
 * holds it.  It is below 2^31 so that NFSv3 servers speaking the 32-bit
 * NLM protocol can lock it too.  Locks beyond end of file are allowed.
 */
#define ALIVE_LOCK_OFFSET	0x7ffffffeLL

/*
 * Does the guest whose disk is image, and whose domain config names it
 * dom_name with uuid dom_uuid, look alive?  Runs alive_check_domain() and
 * alive_check_image(); see those for what is checked.
 *
 * image: path of one disk image (regular file or block device, symlinks
 * followed).  dom_name, dom_uuid: from the domain config; either or both
 * may be NULL (then no domain check on that key).
 *
 * Each reason found is appended to *why as one line without a newline,
 * for example
 *   domain 'vm2' (id 7, uuid 4b7e2c19-...) is running (xl list -v)
 *   image '/OVS/running_pool/vm2/System.img' is open for writing by
 *     pid 1234 (qemu-system-x86)
 *   image '/OVS/running_pool/vm2/System.img' is locked by a running qemu
 *     (pid 1234 (qemu-system-x86))
 *
 * Problems that must not block the apply (xl is installed but cannot
 * talk to Xen, as on a host that is not a Dom0) are appended to *warn as
 * one line each, or printed with warnx when warn is NULL.
 *
 * Returns 0 when nothing was found (*why unchanged), 1 when the guest
 * looks alive, -1 on error after printing one message (a domain lister
 * that hangs past ALIVE_TIMEOUT_SEC, an image that cannot be stat'ed).
 * The caller owns both lists.
 *
 * Order for a writer: alive_lock_image() first (so that a second imprint
 * stops there, with its own message), then alive_check(), then launch
 * the appliance.  Our own process is never reported, but an appliance
 * this process already launched on the image would be (it is another
 * process), so check before adding the drive.
 */
int	alive_check(const char *image, const char *dom_name,
	    const char *dom_uuid, struct strlist *why, struct strlist *warn);

/*
 * The domain part of alive_check: is a domain named dom_name, or with
 * uuid dom_uuid (compared ignoring case and dashes), known to Xen?
 *
 * Asks `xl list -v`, or, when xl is not installed or fails, `xm list
 * --long` (xend, Oracle VM 2).  Each runs without a shell, stdin from
 * /dev/null, output capped at ALIVE_OUTPUT_MAX, killed after
 * ALIVE_TIMEOUT_SEC.  Every domain listed counts, whatever its state:
 * a paused or dying domain still holds its disks.  Domain-0 is never
 * matched.  The environment variables IMPRINT_XL and IMPRINT_XM replace
 * the command names (for tests; an empty value skips that tool).
 *
 * When neither tool is installed, nothing is reported.  When one is
 * installed but none answers (exit status not 0, e.g. "cannot open libxl
 * handle" on a host that is not a Dom0), a warning names the tool and its
 * first line of error output.  Same returns as alive_check.
 */
int	alive_check_domain(const char *dom_name, const char *dom_uuid,
	    struct strlist *why, struct strlist *warn);

/*
 * The image part of alive_check, for one disk image:
 *  - another process has the image open for writing (a file by device
 *    and inode, a block device such as an LVM volume by its device
 *    number, whatever path the process used), found by walking
 *    /proc/PID/fd and reading the access mode from /proc/PID/fdinfo;
 *    our own process is skipped, processes we may not inspect too;
 *  - a qemu image lock (an OFD lock on bytes 100..299, tested with
 *    F_OFD_GETLK; also seen over NFS from other hosts), with the holding
 *    process named when it is on this host;
 *  - a file image attached read-write to a loop device (Xen's "file:"
 *    disks are served through one);
 *  - a block device that the kernel holds exclusively (mounted, claimed
 *    by Xen blkback for a running guest, used by a device-mapper table).
 * Same returns as alive_check (no warnings).
 */
int	alive_check_image(const char *image, struct strlist *why);

/*
 * Take imprint's exclusive lock on image: an OFD write lock (fcntl
 * F_OFD_SETLK) on the single byte ALIVE_LOCK_OFFSET of the image, which
 * NFS propagates between hosts; on OCFS2 also flock(2), which its o2cb
 * cluster stack propagates (its fcntl locks stay on the node there).  The
 * image is opened read-write (a write lock needs it) but never written
 * through this descriptor.
 *
 * Returns 0 with the descriptor in *fd_r (release the lock by closing
 * it; it is close-on-exec), 1 when another imprint holds the lock
 * ("image 'X' is being edited by another imprint process" printed),
 * -1 on error (message printed).
 */
int	alive_lock_image(const char *image, int *fd_r);

/* ---- for tests: the pure helpers, exported only for tests/unit -------- */

/* One domain as a lister reported it; fields NULL when not shown. */
struct alive_dom {
	char	*name;
	char	*id;
	char	*uuid;		/* as printed */
	char	*state;
};

struct alive_domlist {
	struct alive_dom *v;
	size_t		  n;
};
#define ALIVE_DOMLIST_INIT { NULL, 0 }

void	alive_domlist_release(struct alive_domlist *);

/*
 * Parse the table `xl list -v` prints (header line starting "Name", then
 * one line per domain: name padded to 40 columns, ID, Mem, VCPUs, State,
 * Time(s), UUID, ...).  Names may contain spaces.  Appends to *list.
 * Returns 0, or -1 (nothing printed) when the text is not such a table.
 */
int	alive_parse_xl_list(const char *text, size_t len,
	    struct alive_domlist *list);

/*
 * Parse the S-expressions `xm list --long` prints: top-level "(domain
 * ...)" lists whose children (name X), (domid N), (uuid U), (state S)
 * are picked.  Appends to *list.  Returns 0, or -1 (nothing printed) on
 * unbalanced parentheses or text outside the lists.
 */
int	alive_parse_xm_sxp(const char *text, size_t len,
	    struct alive_domlist *list);

/*
 * Append a line to *why for every domain in list that is not Domain-0
 * and has the name dom_name or the uuid dom_uuid (either may be NULL).
 * tool names the source in the message ("xl list -v").  Returns the
 * number of matches.
 */
size_t	alive_match_domains(const struct alive_domlist *list,
	    const char *dom_name, const char *dom_uuid, const char *tool,
	    struct strlist *why);

/*
 * Normalise a uuid for comparison: 32 lower-case hex digits into out
 * (33 bytes with the NUL), dashes anywhere ignored.  Returns 0, or -1
 * when s has anything else or not exactly 32 digits.
 */
int	alive_uuid_normalize(const char *s, char out[33]);

/*
 * Read the "flags:" line (octal open flags) of a /proc/PID/fdinfo/N text
 * into *flags_r.  Returns 0, or -1 when there is no such line or it is
 * not an octal number.
 */
int	alive_parse_fdinfo_flags(const char *text, unsigned int *flags_r);

/* Does a /proc/PID/fdinfo/N text list a lock ("lock:" line)? */
int	alive_fdinfo_has_lock(const char *text);

#endif
