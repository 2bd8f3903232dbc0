/*
 * fsjournal.h - whether a read-only mount would still write.
 *
 * Linux replays an ext3/ext4 journal, an XFS log and a btrfs log tree
 * when it mounts the filesystem, read-only or not, as long as the drive
 * itself is writable: a guest that was not shut down cleanly (or an LVM
 * snapshot of a running template) is changed by the very first look.
 * imprint attaches an image read-write once, so its survey mounts add
 * the option that skips the replay, and it goes read-write (replaying)
 * only when the plan is complete and will be carried out.  An ext
 * filesystem's orphan inodes are processed at a read-only mount too,
 * with no option to skip it: the survey makes such a device read-only.
 *
 * Pure: the first bytes of a filesystem in, a mount option (and the
 * filesystem's type) out.
 * guest.c reads the bytes (guestfs_pread_device).
 */
#ifndef IMPRINT_FSJOURNAL_H
#define IMPRINT_FSJOURNAL_H

#include <stddef.h>

/* Bytes to read from a filesystem's start: btrfs's superblock ends
 * its log_root field there (64 KiB + 0x68). */
#define FSJOURNAL_READ	0x10068

/*
 * The mount option that keeps a read-only mount of the filesystem whose
 * first len bytes are sb from replaying anything, or NULL when it would
 * not replay: "noload" for an ext3/ext4 superblock with has_journal and
 * needs_recovery set; "norecovery" for any XFS (whether its log is clean
 * takes a log walk to tell, so a read-only mount always skips it);
 * "rescue=nologreplay" for a btrfs superblock naming a log tree.
 * *certain is set false for XFS: the filesystem may or may not have had
 * something to replay.  Any other bytes (ext2, a clean ext3/4, other
 * types, too short a read): NULL.
 */
const char	*fsjournal_noreplay(const unsigned char *sb, size_t len,
		    int *certain);

/*
 * The filesystem type the same bytes hold, named as libblkid names it
 * (and mount(8) would pass to the kernel after probing): "ext2", "ext3"
 * or "ext4" by the ext superblock's features, "xfs", "btrfs"; NULL for
 * anything else (an ext journal device, other types, too short a read).
 * Handing it to the mount spares mount(8) its own probe of the device,
 * 40 ms a mount under TCG.
 */
const char	*fsjournal_type(const unsigned char *sb, size_t len);

/*
 * Whether the same bytes are an ext superblock with orphan inodes left to
 * process (s_last_orphan set, or the orphan_present feature of an orphan
 * file).  Linux processes them at mount, read-only too, truncating and
 * freeing inodes, unless the device itself is read-only: a guest that
 * was not shut down cleanly may hold them even with a clean journal (no
 * journal at all, or one replayed by a tool that leaves the orphans to
 * the kernel).  1 or 0.
 */
int		 fsjournal_orphans(const unsigned char *sb, size_t len);

/*
 * Whether the same bytes are the superblock of an ext filesystem that was
 * unmounted cleanly: valid and error-free state, no journal to recover,
 * no orphan inodes.  Any read-write mount of it changes its superblock
 * (mount count, mount time) until the unmount: two such filesystems whose
 * first bytes are the same bytes have had the same mounts.  1 or 0.
 */
int		 fsjournal_ext_clean(const unsigned char *sb, size_t len);

#endif
