/*
 * undo.h - the undo record of `imprint apply`: the original bytes and
 * attributes of every guest and host file an apply changes, kept on the
 * host beside the image as "IMAGE.imprint-undo" (one regular file, mode
 * 0600: it may hold the guest's /etc/shadow).
 *
 * This module builds, saves, loads and removes records.  It does not
 * restore anything: plan_from_undo (plan.c) turns a record into a plan,
 * which `imprint undo` carries out as apply does (plan_carry_out).  It never
 * touches the guest.  Records are never kept inside the guest, because
 * RHEL reads ifcfg-*.orig and similar leftovers as live config.
 *
 * File format, version 1 (written and read only here; text lines ending
 * in '\n', fields separated by one space):
 *
 *	imprint-undo 1
 *	image /OVS/running_pool/vm2/System.img
 *	root /dev/sda2
 *	applied hostname=web1.example.com
 *	restore guest /etc/hosts mode=0644 uid=0 gid=0 bytes=27
 *	<exactly 27 raw bytes>
 *	delete guest /etc/sysconfig/network-scripts/ifcfg-eth1
 *	symlink guest /var/lib/dbus/machine-id mode=0777 uid=0 gid=0 bytes=16
 *	<exactly 16 raw bytes: the link's target, /etc/machine-id>
 *	restore host /OVS/running_pool/vm2/vm.cfg mode=0644 uid=0 gid=0 bytes=9
 *	<exactly 9 raw bytes>
 *	end crc32 1a2b3c4d
 *
 * An "fsuuid" item, "fsuuid guest DEVICE mode=0000 uid=0 gid=0 bytes=36"
 * and the filesystem's UUID before apply (forget = fs-uuids), was added
 * within version 1 as well; its path is the device as the user sees it
 * (/dev/sda1, /dev/VG/LV), never a file imprint edits.
 * A "symlink" item (a symbolic link apply removed) was added within
 * version 1; an older imprint refuses a record holding one.  So was an
 * eighth field "selinux=HEX" on a guest restore or symlink line: the
 * SELinux label of a file apply removed, its raw bytes in hex (a label
 * usually ends in a NUL byte), which undo sets again on the file it
 * brings back.  So was a
 * host path that is a libvirt domain reference, "libvirt:URI#UUID"
 * (virtdom.h): its data is the domain's XML before apply, and the UUID
 * the one apply gave the domain, by which undo finds it to define the old
 * XML again (mode, uid and gid are 0 and unused).  Each raw
 * data block is followed by one '\n'.  Paths, the image, the
 * root and applied lines are percent-encoded: '%', bytes <= 0x20 and
 * bytes >= 0x7f are written as %XX, so any byte but NUL round-trips.
 * mode is octal (permission, set-id and sticky bits), uid and gid
 * decimal.  The end line carries the CRC-32 (ISO-HDLC, as zlib's crc32
 * and `gzip`) of every byte before it, so a truncated or damaged record is
 * refused.  The CRC detects damage, not a deliberate edit: the record is
 * trusted only when owned by the current user and not writable by group
 * or others.  Nothing may follow the end line.  Records are at most
 * UNDO_MAX_SIZE bytes.
 */
#ifndef IMPRINT_UNDO_H
#define IMPRINT_UNDO_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define UNDO_SUFFIX	".imprint-undo"
#define UNDO_VERSION	1
#define UNDO_MAX_SIZE	(64u << 20)	/* 64 MiB, for load and save */

enum undo_what {
	UNDO_RESTORE,	/* put the original bytes and attributes back */
	UNDO_DELETE,	/* the apply created the file: delete it */
	UNDO_SYMLINK,	/* the apply removed a symlink: data is its target */
	UNDO_FSUUID	/* the apply changed the UUID of filesystem path
			   (a guest device): data is the old UUID */
};

struct undo_entry {
	bool		 host;	/* host file, else a file in the guest */
	char		*path;	/* absolute (host or guest) path */
	enum undo_what	 what;
	char		*data;	/* UNDO_RESTORE: original bytes, NUL after;
				   UNDO_SYMLINK: the target */
	size_t		 len;
	unsigned	 mode;	/* UNDO_RESTORE, _SYMLINK: st_mode & 07777 */
	unsigned	 uid, gid;
	char		*label;	/* guest UNDO_RESTORE, _SYMLINK: the
				   security.selinux value of a file apply
				   removed (raw bytes, NUL after), or NULL */
	size_t		 labellen;
};

struct undo {
	char		*image;	/* absolute path of the image (realpath) */
	char		*root;	/* guest root device, e.g. "/dev/sda2" */
	struct undo_entry *e;	/* in the order added */
	size_t		 n;
	/*
	 * "KEY=VALUE" lines describing the identity as the last apply left
	 * it ("hostname=web1.example.com", "nic0.mac=00:16:3e:..").
	 * Opaque here: stored and returned in order.
	 */
	struct strlist	 applied;
};

/*
 * A new empty record for IMAGE (which the caller has resolved with
 * realpath(3)) and ROOT (the guest root device; may be NULL, then "").
 * Both are copied.  Never NULL; free with undo_free().
 */
struct undo	*undo_new(const char *image, const char *root);

/* Free U and everything it holds.  NULL is fine. */
void		 undo_free(struct undo *u);

/* "IMAGE.imprint-undo", taken literally (caller frees). */
char		*undo_path_for(const char *image);

/*
 * Load the record of IMAGE.  IMAGE is resolved with realpath(3) and the
 * record read is undo_path_for(resolved).  Returns 0 and *u_r (caller
 * frees with undo_free), 1 with *u_r = NULL when there is no record, or
 * -1 with *u_r = NULL after one message naming the record and what is
 * wrong with it: a symbolic link or not a regular file, not owned by the
 * effective uid or writable by group or others, larger than
 * UNDO_MAX_SIZE, not a record, another version, truncated (no end
 * line), a checksum mismatch, a malformed line, an entry claiming more
 * bytes than the record holds, two entries for one file, or a record
 * made for another image (the image's directory was copied with it).
 */
int		 undo_load(const char *image, struct undo **u_r);

/*
 * Write U to undo_path_for(U->image) atomically: the record is replaced
 * as a whole through hostfile_replace() (temporary file in the same
 * directory, fsync, rename, directory fsync), owned by the effective uid
 * and gid, mode 0600.  A symbolic link or non-regular file in the
 * record's place is refused.  Returns 0, or -1 after one message with the
 * previous record (if any) untouched and no new file left behind.  Also
 * refused: an image, entry path or applied line that cannot be stored
 * (image or path not absolute, empty applied line), a record over
 * UNDO_MAX_SIZE.
 */
int		 undo_save(const struct undo *u);

/*
 * Remove the record of IMAGE (resolved as in undo_load).  Returns 0, also
 * when there was none, or -1 after one message.
 */
int		 undo_remove(const char *image);

/*
 * Put the record of IMAGE back as it was before a run that saved its
 * plan into it and then changed nothing: KEPT (the record as loaded
 * before that run) saved again, or with KEPT NULL (there was none) the
 * record removed.  Not only tidiness: the applied lines name the
 * identity the last apply left (a MAC drawn then is kept by the next run
 * while the guest carries it), which the failed run's would replace by
 * values never written.  0, or -1 after one message; the record then
 * also holds the failed run's entries, whose bytes are the files' own,
 * so an undo with it is harmless.
 */
int		 undo_forget(const char *image, const struct undo *kept);

/*
 * Add a copy of E to U, unless U already has an entry for the same
 * (host, path): then the old entry is kept, because the earliest original
 * is the one to go back to after several applies.  For UNDO_DELETE,
 * data, len and the attributes are ignored.  Returns 1 when added, 0 when
 * an entry was already there.
 */
int		 undo_add(struct undo *u, const struct undo_entry *e);

/* The entry for (HOST, PATH) in U, or NULL.  Owned by U. */
const struct undo_entry *undo_find(const struct undo *u, bool host,
		    const char *path);

/* Replace U's applied lines with copies of APPLIED (NULL: clear them). */
void		 undo_set_applied(struct undo *u,
		    const struct strlist *applied);

/*
 * The value of the first applied line "KEY=VALUE" in U, or NULL.  Owned
 * by U, valid until its applied lines change.
 */
const char	*undo_applied_get(const struct undo *u, const char *key);

#endif
