/*
 * imgchk.h - an image's format and backing chain, checked on the host
 * with qemu-img before any appliance is launched.
 *
 * qemu opens a qcow2 image's backing file by the name and format
 * recorded in the image, and opens a damaged qcow2 image read-write
 * without complaint (it marks it corrupt, or repairs it: bytes change
 * even when imprint then refuses the guest).  So every image is walked
 * here one layer at a time, `qemu-img info -U` per layer (never
 * --backing-chain, which would open a backing file before we have looked
 * at its name), and refused when:
 *   - qemu-img cannot open a layer;
 *   - a layer is marked corrupt, or (for an image that will be
 *     written, IMGCHK_DAMAGE) `qemu-img check` finds corruption or
 *     cannot finish: a truncated qcow2 passes `qemu-img info`;
 *   - a layer has a backing file with no recorded format: qemu would
 *     guess it from content the guest controls;
 *   - a backing file is reached through a protocol (nbd:, http:, json:,
 *     any name with a ':' before its first '/', as qemu reads it), or is
 *     not a regular file (a host block device, a FIFO), or is missing;
 *   - the chain loops or is deeper than IMGCHK_MAX_DEPTH;
 *   - (for an image that will be written, IMGCHK_WRITE) a backing file
 *     is one of the images this run writes: writing it would change
 *     the overlay's contents underneath it;
 *   - a backing file is not one the user named (struct imgchk_trust:
 *     --backing FILE or DIR): a qcow2 image names its own backing file,
 *     so an image from elsewhere could put any host file (another
 *     guest's disk) under the guest imprint reads and edits.  The normal
 *     clone, an overlay of a template, passes once the template is
 *     named; `imprint clone` names the template it was given.
 *
 * The walk itself is pure but for the callbacks in struct imgchk_ops, so
 * its decisions are unit-tested on saved qemu-img output.
 */
#ifndef IMPRINT_IMGCHK_H
#define IMPRINT_IMGCHK_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Deeper chains are refused: clones are one or two layers deep. */
#define IMGCHK_MAX_DEPTH	16

/* One layer of a chain, as `qemu-img info` describes it. */
struct imgchk_layer {
	char	*path;		/* as opened: the image, then full backing names */
	char	*format;	/* "qcow2", "raw", ... */
	char	*backing;	/* backing-filename as recorded, or NULL */
	char	*backing_full;	/* full-backing-filename (resolved), or NULL */
	char	*backing_fmt;	/* backing-filename-format, NULL: not recorded */
	bool	 corrupt;	/* qcow2's corrupt bit */
};

/* A chain, top (the image named) first. */
struct imgchk {
	struct imgchk_layer	*layer;
	size_t			 n;
};

/*
 * How the walk reaches the host; imgchk_host_ops is the real thing.
 * info and check put qemu-img's JSON in *out and return 0, or return -1
 * with *why_r (caller frees) saying why qemu-img failed.  check's JSON
 * is also wanted when qemu-img exits non-zero (2: corruptions).
 */
struct imgchk_ops {
	int	(*info)(void *arg, const char *path, const char *fmt,
		    struct buf *out, char **why_r);
	int	(*check)(void *arg, const char *path, const char *fmt,
		    struct buf *out, char **why_r);
	int	(*stat)(void *arg, const char *path, struct stat *st);
	/* the canonical path (caller frees), NULL with errno set */
	char	*(*realpath)(void *arg, const char *path);
	void	*arg;
};

extern const struct imgchk_ops imgchk_host_ops;

/*
 * Parse one `qemu-img info --output=json` object into *l (release with
 * imgchk_release's layer part; path is left NULL).  Returns 0, or -1
 * with *why_r (caller frees).
 */
int	 imgchk_parse_info(const char *json, size_t len,
	    struct imgchk_layer *l, char **why_r);

/*
 * Parse `qemu-img check --output=json`: 0 when clean (leaks are not
 * damage), 1 when it found corruptions or check errors, -1 when the text
 * is not such a report; *why_r (caller frees) says what, for 1 and -1.
 */
int	 imgchk_parse_check(const char *json, size_t len, char **why_r);

/* Does qemu read name as "protocol:rest" rather than a file name? */
bool	 imgchk_is_protocol(const char *name);

/* What imgchk_walk checks beyond the chain itself. */
#define IMGCHK_WRITE	0x1	/* will be written: refuse others[] below it */
#define IMGCHK_DAMAGE	0x2	/* qemu-img check a qcow2 image (costs a run) */

/*
 * The backing files a chain may pass through: files (by their canonical
 * path) and every file below a directory; "/" trusts any.
 */
struct imgchk_trust {
	struct strlist	files;
	struct strlist	dirs;		/* canonical, no trailing '/' */
	bool		any;
};

/*
 * The run's trust, which imgchk_image applies: empty until the command
 * line names backing files (--backing of apply, inspect, undo and clone)
 * or clone adds its template; it lives as long as the process.
 */
extern struct imgchk_trust imgchk_trusted;

/*
 * Trust path, a file or a directory that must exist, in t.  Returns 0,
 * or -1 after one message.
 */
int	 imgchk_trust_add(struct imgchk_trust *t, const char *path);

/*
 * Walk image's chain.  flags: IMGCHK_*; a command checks an image it
 * writes with both before it locks it, and with IMGCHK_WRITE alone right
 * before the launch.  others[0..nothers-1] are the images the run writes
 * (may include image itself, which is skipped); trust, the backing files
 * the chain may pass through.  Returns 0 with *c_r filled (free with
 * imgchk_release), or -1 with *why_r (caller frees): one line naming the
 * image, what is wrong and the fix, and *c_r empty.
 */
int	 imgchk_walk(const char *image, unsigned flags,
	    const char *const *others, size_t nothers,
	    const struct imgchk_trust *trust, const struct imgchk_ops *ops,
	    struct imgchk *c_r, char **why_r);

/* imgchk_walk on the host, printing the refusal; 0 or -1. */
int	 imgchk_image(const char *image, unsigned flags,
	    const char *const *others, size_t nothers, struct imgchk *c_r);

void	 imgchk_release(struct imgchk *);

#endif
