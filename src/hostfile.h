/*
 * hostfile.h - the one place that writes files on the host: atomic
 * replacement of a domain config, with an optional byte-copy backup.
 *
 * Guest files are written through the guest filesystem interface
 * (gfs.h), never here.
 */
#ifndef IMPRINT_HOSTFILE_H
#define IMPRINT_HOSTFILE_H

#include <stddef.h>

/* Backup suffix: "vm.cfg" is backed up as "vm.cfg.imprint-bak". */
#define HOSTFILE_BACKUP_SUFFIX	".imprint-bak"

/* Flags for hostfile_replace. */
#define HOSTFILE_BACKUP	0x1	/* keep a byte copy of the original */
#define HOSTFILE_PRIVATE 0x2	/* imprint's own file: see below */

/*
 * Replace the contents of the existing regular file PATH with LEN bytes at
 * DATA, atomically: a new file is created in the same directory with
 * O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, named ".NAME.imprint-XXXXXX", mode
 * 0600 (the original's owner bits alone when stricter, as 0400); it is
 * written in full, only then given the original's owner, group and mode
 * (permission bits, setgid and sticky included), fsynced and renamed
 * over the original, and the directory is fsynced.
 * Readers see either the old or the new file, never a mix.
 *
 * When PATH is a symbolic link, the file it resolves to (realpath(3)) is
 * replaced and the link is kept.
 *
 * When EXPECT is not NULL, the file must still hold exactly EXPECT_LEN
 * bytes at EXPECT (what the caller read and edited); if anyone changed it
 * in between, nothing is written and -1 is returned.
 *
 * With HOSTFILE_BACKUP in FLAGS, a byte copy of the original, with its
 * owner and mode, is made first as TARGET HOSTFILE_BACKUP_SUFFIX, TARGET
 * being the resolved path (created with link(2), so it never replaces
 * anything).  If that backup exists already, it is kept as it is and not
 * overwritten: it holds the oldest original, the one worth going back to.
 * *backup_r (if not NULL) gets the backup's path (caller frees), whether
 * made now or kept, or NULL without HOSTFILE_BACKUP.
 *
 * With HOSTFILE_PRIVATE, PATH is a file of imprint's own (the undo
 * record) rather than a config: it may be missing, then it is created
 * the same way (no file exists under PATH until the rename); a symbolic
 * link or other non-regular file at PATH is refused, not resolved; the
 * new file is owned by the effective uid and gid with mode 0600 whatever
 * the old one had.  EXPECT and HOSTFILE_BACKUP apply only when PATH
 * exists.
 *
 * Returns 0 on success.  On failure returns -1 after printing one
 * message; the original is then untouched and no temporary or backup file
 * made by this call is left.  A failed fsync of the directory after the
 * rename only prints a warning (the new contents are in place) and still
 * returns 0.
 */
int	hostfile_replace(const char *path, const char *expect,
	    size_t expect_len, const char *data, size_t len, int flags,
	    char **backup_r);

/*
 * Undo's replace: as hostfile_replace without EXPECT or flags, but the
 * new file gets MODE (permission bits), UID and GID, the attributes the
 * file had before an apply changed it.  A file that holds LEN bytes at
 * DATA with those attributes already is left as it is (an apply that
 * stopped before writing it, perhaps because its directory could not be
 * written).  Returns 0, or -1 after one message with the file untouched.
 */
int	hostfile_restore(const char *path, const char *data, size_t len,
	    unsigned mode, unsigned uid, unsigned gid);

/*
 * hostfile_replace and hostfile_restore in two halves, for a caller with
 * other writes to make (the guest's), so that it knows the host file can
 * be written before it starts them, and a host that cannot (a full or
 * read-only filesystem, an immutable directory) fails with nothing
 * changed anywhere.
 *
 * hostfile_stage does all but the switch: PATH resolved and read, EXPECT
 * checked, the temporary file (and, with HOSTFILE_BACKUP, the original's
 * copy for a backup not made yet) created in the directory, written in
 * full, given its final owner and mode and fsynced.  It returns 0 and
 * *stage_r, or -1 after one message with nothing left behind.
 * hostfile_stage_restore is the same for hostfile_restore, and returns 1
 * with *stage_r NULL when the file is as wanted already: nothing to do.
 *
 * hostfile_commit checks again that the file holds the bytes the stage
 * read (with EXPECT or HOSTFILE_BACKUP: it may have changed since), links
 * the backup, renames the temporary file over the file and fsyncs the
 * directory; it returns as hostfile_replace does.  hostfile_abort removes
 * what the stage made.  Either frees the stage, whatever the result.
 * The stage holds the file's attributes as they were when staged.
 */
struct hostfile_stage;

int	hostfile_stage(const char *path, const char *expect,
	    size_t expect_len, const char *data, size_t len, int flags,
	    struct hostfile_stage **stage_r);
int	hostfile_stage_restore(const char *path, const char *data,
	    size_t len, unsigned mode, unsigned uid, unsigned gid,
	    struct hostfile_stage **stage_r);
int	hostfile_commit(struct hostfile_stage *s, char **backup_r);
void	hostfile_abort(struct hostfile_stage *s);

/*
 * Remove PATH (its directory resolved, the file itself not followed) and
 * sync the directory.  Absent is not an error.  0, or -1 after one
 * message.
 */
int	hostfile_remove(const char *path);

/*
 * Whether hostfile_remove could remove PATH: its directory resolves and
 * is writable (access(2): not a read-only mount or an immutable
 * directory).  A cheap check made before other writes, as a stage is.
 * 0, or -1 after one message.
 */
int	hostfile_check_remove(const char *path);

#endif
