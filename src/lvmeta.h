/*
 * lvmeta.h - where a plain logical volume lies on its physical volume,
 * read from LVM's text metadata (what `vgcfgbackup`, and so libguestfs's
 * vgmeta, print).
 *
 * Clones of one LVM template carry the same VG, the same PV label and
 * the same metadata: their root LV is the same byte range of the same
 * partition on each.  Knowing that range, a batch mounts a clone's root
 * through a loop device at that offset (guest.c) instead of paying LVM's
 * filter, scan and activation on every clone.  Only the simplest layout
 * qualifies, the one where the bytes are the LV: see lvmeta_linear.
 */
#ifndef IMPRINT_LVMETA_H
#define IMPRINT_LVMETA_H

#include <stddef.h>
#include <stdint.h>

/* Metadata larger than this is refused unread. */
#define LVMETA_MAX_SIZE	(1024 * 1024)

struct lv_range {
	uint64_t	 offset;	/* bytes from the start of the PV */
	uint64_t	 size;		/* bytes */
	uint64_t	 data_start;	/* the PV's first extent: pe_start */
};

/*
 * Find LV lv of VG vg in the metadata text[0..len-1] and its byte range
 * on the VG's PV.  It qualifies only when the VG has exactly one PV, the
 * LV is readable and writable, has exactly one segment, linear (type
 * "striped", one stripe), and every segment of every LV of the VG is
 * plain "striped" (no snapshot, mirror, RAID, thin or cache LV, whose
 * bytes a direct mapping would bypass).  Returns 0 with *out, or -1 with
 * *why (a static string: the reason, for a trace).
 */
int	 lvmeta_linear(const char *text, size_t len, const char *vg,
	    const char *lv, struct lv_range *out, const char **why);

/*
 * The PV label in head[0..len-1], the first bytes of a PV: how many
 * metadata areas its PV header lists (LVM's on-disk label: "LABELONE" in
 * one of the first four sectors, then the PV header's data area and
 * metadata area lists), or -1 when there is no well-formed label.
 */
int	 lvmeta_label_mdas(const char *head, size_t len);

/*
 * The device of PV pv (as "pv0") of VG vg in the metadata: the "device"
 * LVM printed, its current name for the PV (caller frees), or NULL.
 */
char	*lvmeta_pv_device(const char *text, size_t len, const char *vg);

#endif
