/*
 * plan.h - turn a recipe and the identity a guest carries into the list
 * of file changes that give the clone its own identity, guest and host
 * side, before anything is written.
 *
 * Planning reads the guest (through the guest filesystem interface,
 * gfs.h: the appliance, or a tree in memory in tests) and the parsed
 * domain config,
 * generates what the recipe asks to generate (MACs, uuid, password), and
 * computes every file's new bytes with the pure editors (gfile_*,
 * domcfg).  It writes nothing: cmd_apply.c shows the plan (--dry-run) or
 * records it for undo and carries it out.
 */
#ifndef IMPRINT_PLAN_H
#define IMPRINT_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "gfs.h"
#include "guest.h"
#include "util.h"

struct recipe;
struct survey;
struct domcfg;
struct ident_macs;
struct undo;

enum plan_op {
	PLAN_MODIFY,		/* replace old bytes by new */
	PLAN_CREATE,		/* a new file (attributes from like) */
	PLAN_REMOVE,		/* delete the file (or symlink) */
	PLAN_SYMLINK,		/* (undo) make a symlink to new's bytes */
	PLAN_FSUUID		/* give filesystem path (a device, as the
				   user sees it) the UUID in new; old holds
				   its UUID now */
};

struct plan_file {
	bool			 host;	/* the domain config, on the host */
	char			*path;
	enum plan_op		 op;
	char			*old;	/* MODIFY, REMOVE: current bytes */
	size_t			 oldlen;
	char			*link;	/* REMOVE of a symlink: its target */
	struct guest_attr	 attr;	/* MODIFY, REMOVE (guest): current;
					   with set_attr: to set */
	bool			 set_attr; /* (undo) give the file attr */
	struct buf		 new;	/* MODIFY, CREATE, SYMLINK */
	char			*like;	/* CREATE: copy attributes from */
	char			*label;	/* REMOVE (guest): its security.selinux
					   value, kept in the undo record;
					   (undo) set again once written;
					   CREATE without like: the guest
					   policy's label for the path */
	size_t			 labellen;
	bool			 secret; /* a private key: never shown */
	bool			 same;	/* set by plan_carry_out: a host
					   file undo found as it was */
};

struct plan {
	struct plan_file	*f;
	size_t			 n;
	struct strlist		 summary;	/* "hostname: a -> b" lines */
	struct strlist		 generated;	/* "nic0.mac=..." made now */
	struct strlist		 applied;	/* identity afterwards, for
						   the undo record */
	char			*password;	/* a random one, shown once */
};

/* What plan_build needs besides the recipe. */
struct plan_input {
	const struct recipe	*recipe;
	struct gfs		*fs;		/* the guest's files */
	const struct guest_root	*root;
	const struct survey	*survey;
	struct domcfg		*cfg;		/* NULL: no domain config */
	struct ident_macs	*macs;		/* taken MACs; gets new ones */
	const struct undo	*prev;		/* last apply's record, or NULL */
	/* The guest's images, absolute, as its config is to name them
	 * (disks.h): the image, then image2... of an inventory row. */
	const char *const	*images;
	size_t			 nimages;
};

/*
 * Build the plan.  Returns 0 (p->n may be 0: nothing to change), or -1
 * after printing every problem found ("RECIPE:LINE: message" where a
 * recipe line is to blame).  cfg is edited in memory only.  Release p
 * with plan_release in every case.
 */
int	 plan_build(struct plan *p, const struct plan_input *in);
void	 plan_release(struct plan *p);

/*
 * The crypt(3) hash in the file of r's "root-password = file:PATH" (its
 * first line) into *hash_r (caller frees).  plan_build reads it; apply
 * calls this first as well, so that a file that cannot be read (missing,
 * a FIFO, not a hash) is refused before any appliance is launched.
 * Returns 0, or -1 after one message.
 */
int	 plan_password_file(const struct recipe *r, char **hash_r);

/*
 * Append a unified diff of every planned change to out.  The paths in
 * its header lines are escaped (buf_add_text), as git quotes them: a
 * guest file name cannot break the diff or forge a line of it.  The
 * lines of the files themselves are shown as they are.
 */
void	 plan_diff(const struct plan *p, struct buf *out);

/*
 * Append the text summary of p, as apply prints it under the image: a
 * line "  " LINE per summary line, "  OP [host ]PATH" per file ("modify",
 * "create", "remove", "symlink"), "  generated KEY=VALUE" per value made.
 * Every line's text is escaped (buf_add_text): a guest's file name or
 * old host name cannot drive the terminal or forge a line.
 */
void	 plan_summary_text(const struct plan *p, struct buf *out);

/*
 * Carry out p.  First every host file is staged (hostfile.h: its new
 * bytes in a temporary file beside it, with its owner and mode, synced),
 * so that a host side that cannot be written (a full or read-only
 * filesystem, an immutable directory) fails before any guest byte
 * changes; a libvirt domain cannot be staged, a host removal only has its
 * directory checked.  Then the guest files, through fs (each write
 * atomic, a symlink made as a symlink), then flushed to the disk; only
 * then the staged host files are put in place: a config that names new
 * MACs is only written once the guest can answer to them.  On any
 * failure the stages left are removed.
 *
 * A host file that undo would restore and that holds its bytes and
 * attributes already (an apply that stopped before writing it) is left
 * alone, with f->same set, so undo is not stuck on a directory it need
 * not write.
 *
 * *changed_r gets the number of files changed (guest and host; a
 * removal of what was absent counts too).  Returns 0, or -1 after one
 * message at the first failure: what came before it is done (the undo
 * record puts it back), and when *changed_r is 0, nothing was changed.
 */
int	 plan_carry_out(struct gfs *fs, struct plan *p, size_t *changed_r);

/*
 * Record in u what undoes p: the original bytes and attributes of each
 * file p modifies or removes (a symlink as a symlink, with its target),
 * the deletion of each file it creates (entries u has already keep the
 * older original), and p's applied identity.
 */
void	 plan_to_undo(const struct plan *p, struct undo *u);

/*
 * The plan that puts back what an undo record holds: every guest file
 * restored (bytes, mode, owner), removed (apply created it) or made a
 * symlink again, then every host file restored.  Carried out again after
 * a partial run, it finishes the job (a symlink already back is left).
 * Release with plan_release.
 */
void	 plan_from_undo(struct plan *p, const struct undo *u);

#endif
