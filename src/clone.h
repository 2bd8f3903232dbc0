/*
 * clone.h - the host-side parts of `imprint clone` that need no domain
 * config and no appliance: the clone's paths from the template's (its
 * name replaced), and a disk image copied sparse or reflinked.
 *
 * cmd_clone.c puts them together with the domain config engine and the
 * apply engine (apply.h).  Nothing here runs a program or edits a config.
 */
#ifndef IMPRINT_CLONE_H
#define IMPRINT_CLONE_H

#include <sys/types.h>
#include <stdbool.h>

/*
 * Replace the template's name OLD by NEW in PATH, as the seeds name
 * clones (/OVS/running_pool/EL52_vm1/System.img ->
 * /OVS/running_pool/EL52_vm2/System.img, .../dc1.qcow2 -> .../dc2.qcow2).
 * OLD matches only between non-alphanumeric boundaries (a '/', '_', '-',
 * '.', or either end of a component): "dc1" is not found in "dc10" nor
 * in "xdc1".  Only the last path component that holds OLD changes (every
 * match in it), so /srv/dc1/dc1.img gives /srv/dc1/dc2.img: the disk of
 * the clone beside the template's, not a new tree.
 *
 * Only when OLD occurs nowhere so, a second try matches it in any letter
 * case, starting at a non-alphanumeric boundary or a CamelCase one (a
 * lowercase letter or digit, then an uppercase letter) and ending at a
 * non-alphanumeric boundary, as LVM names are written: dc1 is found in
 * /dev/VolGroupXX/LogVolDc1 (not in LogVolDc10, nor in LogVoldc1).  NEW
 * then takes the letter case of the text it replaces, place by place
 * (Dc1 -> Dc2, DC1 -> DC2; NEW's letters past the match keep theirs).
 *
 * Returns 0 with *out_r (caller frees) and *depth_r the component
 * changed, counted from the end (0: the file name, 1: its directory,
 * ...); 1 when OLD does not occur so (*out_r NULL).  OLD and NEW must be
 * non-empty.
 */
int	 clone_rename_path(const char *path, const char *old, const char *new,
	    char **out_r, unsigned *depth_r);

/*
 * Can DIR hold a reflink (FICLONE) of SRC?  Tried once on a temporary
 * file in DIR, removed again.  Returns 1 yes, 0 no (another filesystem, a
 * filesystem without reflinks), -1 after one message (SRC or DIR cannot
 * be opened).
 */
int	 clone_reflink_probe(const char *src, const char *dir);

/*
 * Copy the regular file SRC to DST, which must not exist (O_EXCL, never
 * through a symbolic link), with MODE's permission bits: a reflink
 * (FICLONE) when the filesystem takes one, else the data extents of SRC
 * found with SEEK_DATA/SEEK_HOLE, copied with copy_file_range (read and
 * write where the kernel refuses it), so that its holes stay holes; then
 * fsync.  *reflinked_r says which.  Returns 0, or -1 after one message
 * with DST removed (a DST it did not create is never removed).
 */
int	 clone_copy_file(const char *src, const char *dst, mode_t mode,
	    bool *reflinked_r);

#endif
