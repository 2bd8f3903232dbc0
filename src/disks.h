/*
 * disks.h - which disks of a domain config hold the guest, and making
 * them name the clone's own images: a copied config names the template's
 * disk, and two domains booting one file system is the worst outcome a
 * clone can have.
 *
 * Pure but for realpath(3) and stat(2) on the paths compared.  The edits
 * themselves are domcfg_set "diskN.target" edits, so the prefix (file:,
 * phy:, tap:aio:, ...), device, mode and layout of each spec stay byte
 * for byte.
 */
#ifndef IMPRINT_DISKS_H
#define IMPRINT_DISKS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct domcfg;
struct recipe;

/*
 * Do paths a and b name one file?  When both exist: the same device and
 * inode (so symbolic links, "..", bind mounts and hard links agree).
 * Otherwise the strings are compared as written: a phy: LV path and its
 * /dev/mapper name are not the same path unless both exist on this host.
 */
bool	 disks_same_path(const char *a, const char *b);

/*
 * The disks of cfg that hold the guest, in list order: the disk items
 * that are strings with a target and are not CD-ROMs (see
 * domcfg_disk_is_cdrom).  The guest's image i (IMAGE for a single
 * image; the inventory's image, image2, ... columns) is held by the i-th
 * of them.  Returns their number; *idx_r (caller frees, NULL when 0)
 * gets their indices in the disk list.
 */
size_t	 disks_guest(const struct domcfg *cfg, size_t **idx_r);

/*
 * Set cfg's disks as r's [host] section asks, for a guest whose images
 * are images[0..n-1] (absolute paths as they are to be written):
 *   disk = follow (the default): the guest's i-th disk (disks_guest) is
 *     set to images[i], unless it already names that file
 *     (disks_same_path); more images than guest disks is refused; a
 *     config without a guest disk is left alone.
 *   disk = keep: nothing.
 *   diskN = PATH: disk N of the list is set to PATH, as written.
 * summary (may be NULL) gets "diskN: OLD -> NEW" for every disk that
 * changes; applied (may be NULL) gets "diskN=PATH" for every disk set.
 *
 * Returns 0, or -1 after messages: the refusal "CFG:LINE:COL: ..." from
 * domcfg_set (a ',' '=' or blank in a positional spec, a relative path)
 * and one line saying which image or recipe line wanted it.  cfg may be
 * partly edited then; see disks_check for a dry check.
 */
int	 disks_apply(struct domcfg *cfg, const struct recipe *r,
	    const char *const *images, size_t n, struct strlist *summary,
	    struct strlist *applied);

/*
 * disks_apply on a copy of cfg, so that a refusal is found before an
 * appliance is launched or anything written.  cfg is not changed.
 * Returns 0 or -1 as disks_apply.
 */
int	 disks_check(const struct domcfg *cfg, const struct recipe *r,
	    const char *const *images, size_t n);

#endif
