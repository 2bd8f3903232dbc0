/*
 * lvsnap.h - host-side LVM for `imprint clone --disk-mode snapshot` and
 * the snapshot health `imprint inspect` shows: what `lvs` says of an
 * LV, a snapshot LV made with `lvcreate` and removed with `lvremove`,
 * and the pure arithmetic and text around them (sizes, extents, the
 * free-space refusal, the health line), which the unit tests check.
 *
 * The LVM tools are run without a shell (runtool.h), with names that
 * lvsnap_name_valid accepted; nothing here reads guest data.  This module
 * does not edit configs or decide names: cmd_clone.c does.
 */
#ifndef IMPRINT_LVSNAP_H
#define IMPRINT_LVSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* LVM's own limit on VG and LV names is 127 bytes. */
#define LVSNAP_NAME_MAX	128
#define LVSNAP_PATH_MAX	1024

/* A snapshot whose copy-on-write space is fuller than this is warned of. */
#define LVSNAP_WARN_PERCENT	80

/* What `lvs` says of one LV (see lvsnap_query for the fields asked). */
struct lvsnap_lv {
	char		 lv_name[LVSNAP_NAME_MAX];
	char		 vg_name[LVSNAP_NAME_MAX];
	char		 lv_path[LVSNAP_PATH_MAX];
	char		 lv_attr[16];
	char		 segtype[32];
	char		 origin[LVSNAP_NAME_MAX];	/* "" unless a snapshot */
	uint64_t	 lv_size;			/* bytes */
	uint64_t	 vg_free;			/* bytes */
	uint64_t	 extent_size;			/* bytes */
	bool		 has_percent;
	unsigned	 percent_x100;	/* data_percent, in 1/100 % */
	char		 why[256];	/* lvsnap_query's 1: lvs's first line */
};

/*
 * Parse the output of lvsnap_query's `lvs` command, text[0..len-1]: one
 * non-empty line of NAME='VALUE' pairs (LVM2_LV_NAME='LogVolDc1' ...,
 * quotes optional), every field of the -o list present, sizes plain byte
 * counts, data_percent "" or "91.50" (a ',' accepted for the point).
 * Unknown fields are ignored.  Returns 0 with *out filled, or -1 with
 * *why_r a static string saying what is wrong (for the caller's message).
 */
int	 lvsnap_parse(const char *text, size_t len, struct lvsnap_lv *out,
	    const char **why_r);

/*
 * Ask `lvs` about PATH (a device path such as /dev/VG/LV, or VG/LV):
 *   lvs --noheadings --nameprefixes --units b --nosuffix -o lv_name,
 *   vg_name,lv_path,lv_size,lv_attr,segtype,origin,data_percent,vg_free,
 *   vg_extent_size PATH
 * (the -o list one argument), for at most 60 s, 64 KiB of output.
 * Returns 0 with *out; 1 when lvs fails (PATH is no LV LVM knows, a VG
 * not found: out->why holds the first line lvs printed); -1 after one
 * message (lvs not installed, killed, output not understood).
 */
int	 lvsnap_query(const char *path, struct lvsnap_lv *out);

/*
 * Is name a VG or LV name LVM could take: 1 to 127 of [A-Za-z0-9+_.-],
 * not starting with '-', not "." or ".."?  (LVM refuses a few reserved
 * names more; lvcreate says so then.)
 */
bool	 lvsnap_name_valid(const char *name);

/* Is lv a thin LV (a thin origin gets a thin snapshot, no size)? */
bool	 lvsnap_is_thin(const struct lvsnap_lv *lv);

/* Is lv a classic (thick) snapshot, valid or not (lv_attr 's', 'S')? */
bool	 lvsnap_is_thick_snapshot(const struct lvsnap_lv *lv);

/*
 * Parse a --snapshot-size: digits and one unit K, M, G or T (either
 * case, 1024-based as lvcreate's).  Returns 0 with *bytes_r, or -1 with
 * *why_r a static string (no unit, not a number, zero, too large).
 */
int	 lvsnap_parse_size(const char *s, uint64_t *bytes_r,
	    const char **why_r);

/*
 * bytes rounded up to whole extents of extent bytes, at least one.
 * Returns 0 when extent is 0 or the result does not fit 64 bits.
 */
uint64_t lvsnap_round_extents(uint64_t bytes, uint64_t extent);

/*
 * The default snapshot size for an origin of origin_size bytes: a fifth
 * of it, rounded up to whole extents, at least one extent (0 as
 * lvsnap_round_extents).
 */
uint64_t lvsnap_default_size(uint64_t origin_size, uint64_t extent);

/*
 * When need bytes do not fit in VG vg's free bytes: the refusal, with
 * the figures (bytes and extents of extent bytes), as a string the
 * caller frees; NULL when they fit.
 */
char	*lvsnap_short_message(const char *vg, uint64_t need, uint64_t free,
	    uint64_t extent);

/*
 * The health line `imprint inspect` shows for a snapshot LV (NULL when
 * lv is no snapshot): "snapshot of VG/ORIGIN, copy-on-write space
 * 91.50% used", "thin snapshot of VG/ORIGIN" or, for an invalid one,
 * "snapshot of VG/ORIGIN, INVALID: ...".  *warn_r says whether the space
 * is fuller than LVSNAP_WARN_PERCENT (or the snapshot already invalid).
 * Caller frees.
 */
char	*lvsnap_health(const struct lvsnap_lv *lv, bool *warn_r);

/*
 * Make LV new_lv in VG vg as a snapshot of vg/origin:
 *   lvcreate --snapshot --size Nb --name NEW VG/ORIGIN
 * or, for a thin origin (size 0),
 *   lvcreate --snapshot --setactivationskip n --name NEW VG/ORIGIN
 * (a thin snapshot is skipped at activation by default: the apply then
 * would find no device).  Names must be lvsnap_name_valid.  Returns 0,
 * or -1 after one message with lvcreate's first line of error.
 */
int	 lvsnap_create(const char *vg, const char *origin, const char *new_lv,
	    uint64_t size);

/*
 * Remove LV vg/lv: lvremove -f VG/LV.  Returns 0, or -1 after one
 * message.
 */
int	 lvsnap_remove(const char *vg, const char *lv);

#endif
