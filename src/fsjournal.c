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
#define EXT_MAGIC		0xEF53
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
#define EXT_LAST_ORPHAN		0xE8
#define BTRFS_SB		0x10000

const char *
fsjournal_noreplay(const unsigned char *sb, size_t len, int *certain)
{
	const unsigned char *e = sb + EXT_SB, *b = sb + BTRFS_SB;

	*certain = 1;
	if (len >= 4 && memcmp(sb, "XFSB", 4) == 0) {
		*certain = 0;
		return "norecovery";
	}
	if (len >= EXT_SB + 0x64 && get_le16(e + 0x38) == EXT_MAGIC)
		return (get_le32(e + 0x5C) & EXT_COMPAT_HAS_JOURNAL) &&
		    (get_le32(e + 0x60) & EXT_INCOMPAT_RECOVER) ? "noload" :
		    NULL;
	if (len >= FSJOURNAL_READ && memcmp(b + 0x40, "_BHRfS_M", 8) == 0)
		return get_le64(b + 0x60) != 0 ? "rescue=nologreplay" : NULL;
	return NULL;
}

const char *
fsjournal_type(const unsigned char *sb, size_t len)
{
	const unsigned char *e = sb + EXT_SB, *b = sb + BTRFS_SB;
	uint32_t compat, incompat, ro_compat;

	if (len >= 4 && memcmp(sb, "XFSB", 4) == 0)
		return "xfs";
	if (len >= EXT_SB + 0x68 && get_le16(e + 0x38) == EXT_MAGIC) {
		compat = get_le32(e + 0x5C);
		incompat = get_le32(e + 0x60);
		ro_compat = get_le32(e + 0x64);
		if (incompat & EXT_INCOMPAT_JOURNAL_DEV)
			return NULL;
		if ((incompat & ~(uint32_t)EXT3_INCOMPAT_OK) ||
		    (ro_compat & ~(uint32_t)EXT3_RO_COMPAT_OK))
			return "ext4";
		if (compat & EXT_COMPAT_HAS_JOURNAL)
			return "ext3";
		return (incompat & EXT_INCOMPAT_RECOVER) ? "ext4" : "ext2";
	}
	if (len >= BTRFS_SB + 0x48 && memcmp(b + 0x40, "_BHRfS_M", 8) == 0)
		return "btrfs";
	return NULL;
}

int
fsjournal_orphans(const unsigned char *sb, size_t len)
{
	const unsigned char *e = sb + EXT_SB;

	if (len < EXT_SB + EXT_LAST_ORPHAN + 4 ||
	    get_le16(e + 0x38) != EXT_MAGIC)
		return 0;
	return get_le32(e + EXT_LAST_ORPHAN) != 0 ||
	    (get_le32(e + 0x64) & EXT_RO_COMPAT_ORPHAN_PRESENT) != 0;
}
