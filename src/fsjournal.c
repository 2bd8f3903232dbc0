/*
 * fsjournal.c - whether a read-only mount would still write: see
 * fsjournal.h.  The superblock fields are read by hand because no
 * library on Debian 12 answers the question for a filesystem inside the
 * appliance: libext2fs and libblkid want the device on the host, and the
 * appliance only offers bytes (pread_device).  Offsets are those of the
 * kernel's own structures: ext4_super_block (superblock at 1024,
 * s_magic 0x38, s_feature_compat 0x5C, s_feature_incompat 0x60,
 * s_feature_ro_compat 0x64, s_last_orphan 0xE8),
 * xfs_dsb (sb_magicnum "XFSB" at 0), btrfs_super_block (at 64 KiB,
 * magic "_BHRfS_M" at 0x40, log_root at 0x60).
 */
#include <stdint.h>
#include <string.h>

#include "fsjournal.h"
#include "util.h"

#define EXT_SB			1024
/* ext4_super_block's fields, from EXT_SB */
#define EXT_S_MAGIC		0x38
#define EXT_S_STATE		0x3A
#define EXT_S_COMPAT		0x5C
#define EXT_S_INCOMPAT		0x60
#define EXT_S_RO_COMPAT		0x64
#define EXT_S_LAST_ORPHAN	0xE8
#define EXT_MAGIC		0xEF53
#define EXT_STATE_VALID		0x0001
#define EXT_STATE_ERROR		0x0002
#define EXT_COMPAT_HAS_JOURNAL	0x0004
#define EXT_INCOMPAT_RECOVER	0x0004
#define EXT_INCOMPAT_JOURNAL_DEV	0x0008
/* What libblkid calls ext3 may have no more than these features (and
 * what it calls ext2, no has_journal and no needs_recovery either):
 * incompat FILETYPE, RECOVER, META_BG; ro_compat SPARSE_SUPER,
 * LARGE_FILE, BTREE_DIR.  Anything else is ext4. */
#define EXT3_INCOMPAT_OK	(0x0002 | 0x0004 | 0x0010)
#define EXT3_RO_COMPAT_OK	(0x0001 | 0x0002 | 0x0004)
#define EXT_RO_COMPAT_ORPHAN_PRESENT	0x10000
#define BTRFS_SB		0x10000
/* btrfs_super_block's fields, from BTRFS_SB */
#define BTRFS_S_MAGIC		0x40
#define BTRFS_S_LOG_ROOT	0x60

/* The ext superblock in sb's len bytes, when they hold it up to byte
 * `end` of it (a field's end), else NULL. */
static const unsigned char *
ext_sb(const unsigned char *sb, size_t len, size_t end)
{
	if (len < EXT_SB + end ||
	    get_le16(sb + EXT_SB + EXT_S_MAGIC) != EXT_MAGIC)
		return NULL;
	return sb + EXT_SB;
}

/* The same for the btrfs superblock. */
static const unsigned char *
btrfs_sb(const unsigned char *sb, size_t len, size_t end)
{
	if (len < BTRFS_SB + end ||
	    memcmp(sb + BTRFS_SB + BTRFS_S_MAGIC, "_BHRfS_M", 8) != 0)
		return NULL;
	return sb + BTRFS_SB;
}

const char *
fsjournal_noreplay(const unsigned char *sb, size_t len, int *certain)
{
	const unsigned char *e, *b;

	*certain = 1;
	if (len >= 4 && memcmp(sb, "XFSB", 4) == 0) {
		*certain = 0;
		return "norecovery";
	}
	if ((e = ext_sb(sb, len, EXT_S_INCOMPAT + 4)) != NULL)
		return (get_le32(e + EXT_S_COMPAT) & EXT_COMPAT_HAS_JOURNAL) &&
		    (get_le32(e + EXT_S_INCOMPAT) & EXT_INCOMPAT_RECOVER) ?
		    "noload" : NULL;
	if ((b = btrfs_sb(sb, len, BTRFS_S_LOG_ROOT + 8)) != NULL)
		return get_le64(b + BTRFS_S_LOG_ROOT) != 0 ?
		    "rescue=nologreplay" : NULL;
	return NULL;
}

const char *
fsjournal_type(const unsigned char *sb, size_t len)
{
	const unsigned char *e;
	uint32_t compat, incompat, ro_compat;

	if (len >= 4 && memcmp(sb, "XFSB", 4) == 0)
		return "xfs";
	if ((e = ext_sb(sb, len, EXT_S_RO_COMPAT + 4)) != NULL) {
		compat = get_le32(e + EXT_S_COMPAT);
		incompat = get_le32(e + EXT_S_INCOMPAT);
		ro_compat = get_le32(e + EXT_S_RO_COMPAT);
		if (incompat & EXT_INCOMPAT_JOURNAL_DEV)
			return NULL;
		if ((incompat & ~(uint32_t)EXT3_INCOMPAT_OK) ||
		    (ro_compat & ~(uint32_t)EXT3_RO_COMPAT_OK))
			return "ext4";
		if (compat & EXT_COMPAT_HAS_JOURNAL)
			return "ext3";
		return (incompat & EXT_INCOMPAT_RECOVER) ? "ext4" : "ext2";
	}
	if (btrfs_sb(sb, len, BTRFS_S_MAGIC + 8) != NULL)
		return "btrfs";
	return NULL;
}

int
fsjournal_orphans(const unsigned char *sb, size_t len)
{
	const unsigned char *e = ext_sb(sb, len, EXT_S_LAST_ORPHAN + 4);

	return e != NULL && (get_le32(e + EXT_S_LAST_ORPHAN) != 0 ||
	    (get_le32(e + EXT_S_RO_COMPAT) &
	    EXT_RO_COMPAT_ORPHAN_PRESENT) != 0);
}

int
fsjournal_ext_clean(const unsigned char *sb, size_t len)
{
	const unsigned char *e = ext_sb(sb, len, EXT_S_LAST_ORPHAN + 4);

	return e != NULL &&
	    (get_le16(e + EXT_S_STATE) & (EXT_STATE_VALID | EXT_STATE_ERROR)) ==
	    EXT_STATE_VALID &&
	    !(get_le32(e + EXT_S_INCOMPAT) &
	    (EXT_INCOMPAT_RECOVER | EXT_INCOMPAT_JOURNAL_DEV)) &&
	    !fsjournal_orphans(sb, len);
}
