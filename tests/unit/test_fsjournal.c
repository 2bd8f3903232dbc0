/*
 * test_fsjournal.c - which read-only mounts would still write: an ext3
 * superblock as mke2fs wrote it (tests/data/sb-ext3.bin, the first 2 KiB
 * of `mke2fs -t ext3` on an 8 MiB file) with and without
 * needs_recovery, without a journal (ext2), cut short; XFS and btrfs
 * superblocks built at the kernel structures' offsets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fsjournal.h"
#include "unit.h"
#include "util.h"

static unsigned char *sb;	/* FSJOURNAL_READ bytes, zero after 2 KiB */

static void
test_ext(void)
{
	int certain = -1;

	/* as made: a journal, clean */
	CHECK(fsjournal_noreplay(sb, FSJOURNAL_READ, &certain) == NULL);
	CHECK_INT(certain, 1);
	/* needs_recovery: s_feature_incompat (0x460) bit 2 */
	sb[0x460] |= 0x04;
	CHECK_STR(fsjournal_noreplay(sb, FSJOURNAL_READ, &certain), "noload");
	CHECK_INT(certain, 1);
	/* only the superblock's first 0x64 bytes are needed */
	CHECK_STR(fsjournal_noreplay(sb, 1024 + 0x64, &certain), "noload");
	CHECK(fsjournal_noreplay(sb, 1024 + 0x63, &certain) == NULL);
	/* ext2: no has_journal (s_feature_compat 0x45C bit 2), no replay */
	sb[0x45C] &= (unsigned char)~0x04;
	CHECK(fsjournal_noreplay(sb, FSJOURNAL_READ, &certain) == NULL);
	sb[0x45C] |= 0x04;
	/* not ext: the magic (0x438) changed */
	sb[0x438] ^= 0xff;
	CHECK(fsjournal_noreplay(sb, FSJOURNAL_READ, &certain) == NULL);
	sb[0x438] ^= 0xff;
	sb[0x460] &= (unsigned char)~0x04;
}

/* The type, as libblkid names it, from the same bytes. */
static void
test_type(void)
{
	CHECK_STR(fsjournal_type(sb, FSJOURNAL_READ), "ext3");
	CHECK_STR(fsjournal_type(sb, 1024 + 0x68), "ext3");
	CHECK(fsjournal_type(sb, 1024 + 0x67) == NULL);
	/* needs_recovery set: still ext3 */
	sb[0x460] |= 0x04;
	CHECK_STR(fsjournal_type(sb, FSJOURNAL_READ), "ext3");
	sb[0x460] &= (unsigned char)~0x04;
	/* extents (incompat 0x40): ext4 */
	sb[0x460] |= 0x40;
	CHECK_STR(fsjournal_type(sb, FSJOURNAL_READ), "ext4");
	sb[0x460] &= (unsigned char)~0x40;
	/* huge_file (ro_compat 0x464 bit 3): ext4 */
	sb[0x464] |= 0x08;
	CHECK_STR(fsjournal_type(sb, FSJOURNAL_READ), "ext4");
	sb[0x464] &= (unsigned char)~0x08;
	/* no has_journal: ext2 */
	sb[0x45C] &= (unsigned char)~0x04;
	CHECK_STR(fsjournal_type(sb, FSJOURNAL_READ), "ext2");
	sb[0x45C] |= 0x04;
	/* an external journal device is no filesystem to mount */
	sb[0x460] |= 0x08;
	CHECK(fsjournal_type(sb, FSJOURNAL_READ) == NULL);
	sb[0x460] &= (unsigned char)~0x08;
	/* not ext */
	sb[0x438] ^= 0xff;
	CHECK(fsjournal_type(sb, FSJOURNAL_READ) == NULL);
	sb[0x438] ^= 0xff;
}

static void
test_xfs_btrfs(void)
{
	unsigned char *b = xcalloc(1, FSJOURNAL_READ);
	int certain = -1;

	memcpy(b, "XFSB", 4);
	CHECK_STR(fsjournal_noreplay(b, 512, &certain), "norecovery");
	CHECK_INT(certain, 0);
	CHECK_STR(fsjournal_type(b, 4), "xfs");
	CHECK(fsjournal_type(b, 3) == NULL);
	memset(b, 0, 4);
	CHECK(fsjournal_type(b, FSJOURNAL_READ) == NULL);
	memcpy(b + 0x10040, "_BHRfS_M", 8);
	CHECK(fsjournal_noreplay(b, FSJOURNAL_READ, &certain) == NULL);
	CHECK_INT(certain, 1);
	CHECK_STR(fsjournal_type(b, FSJOURNAL_READ), "btrfs");
	CHECK(fsjournal_type(b, 0x10047) == NULL);
	b[0x10060 + 5] = 1;	/* log_root, little-endian u64 */
	CHECK_STR(fsjournal_noreplay(b, FSJOURNAL_READ, &certain),
	    "rescue=nologreplay");
	/* a device too small to hold the btrfs superblock */
	CHECK(fsjournal_noreplay(b, FSJOURNAL_READ - 1, &certain) == NULL);
	/* nothing at all */
	CHECK(fsjournal_noreplay(b, 0, &certain) == NULL);
	free(b);
}

/* Orphan inodes: s_last_orphan (0x4E8) or orphan_present (ro_compat
 * 0x464, bit 16). */
static void
test_orphans(void)
{
	CHECK_INT(fsjournal_orphans(sb, FSJOURNAL_READ), 0);
	sb[0x4E8] = 12;				/* inode 12 */
	CHECK_INT(fsjournal_orphans(sb, FSJOURNAL_READ), 1);
	CHECK_INT(fsjournal_orphans(sb, 1024 + 0xEC), 1);
	CHECK_INT(fsjournal_orphans(sb, 1024 + 0xEB), 0);	/* cut short */
	sb[0x4E8] = 0;
	sb[0x4EB] = 0x80;			/* inode 0x80000000 */
	CHECK_INT(fsjournal_orphans(sb, FSJOURNAL_READ), 1);
	sb[0x4EB] = 0;
	sb[0x466] |= 0x01;			/* orphan_present */
	CHECK_INT(fsjournal_orphans(sb, FSJOURNAL_READ), 1);
	sb[0x466] &= (unsigned char)~0x01;
	CHECK_INT(fsjournal_orphans(sb, FSJOURNAL_READ), 0);
	/* not ext: the same bytes say nothing */
	sb[0x4E8] = 12;
	sb[0x438] ^= 0xff;
	CHECK_INT(fsjournal_orphans(sb, FSJOURNAL_READ), 0);
	sb[0x438] ^= 0xff;
	sb[0x4E8] = 0;
	CHECK_INT(fsjournal_orphans(sb, 0), 0);
}

/* Cleanly unmounted: s_state (0x43A) valid, not in error; no recovery
 * (incompat 0x460, bit 2); not a journal device (bit 3); no orphans. */
static void
test_ext_clean(void)
{
	CHECK_INT(fsjournal_ext_clean(sb, FSJOURNAL_READ), 1);
	CHECK_INT(fsjournal_ext_clean(sb, 1024 + 0xEC), 1);
	CHECK_INT(fsjournal_ext_clean(sb, 1024 + 0xEB), 0);	/* cut short */
	sb[0x43A] = 0x00;			/* mounted read-write */
	CHECK_INT(fsjournal_ext_clean(sb, FSJOURNAL_READ), 0);
	sb[0x43A] = 0x03;			/* valid, with errors */
	CHECK_INT(fsjournal_ext_clean(sb, FSJOURNAL_READ), 0);
	sb[0x43A] = 0x01;
	sb[0x460] |= 0x04;			/* needs_recovery */
	CHECK_INT(fsjournal_ext_clean(sb, FSJOURNAL_READ), 0);
	sb[0x460] ^= 0x0C;			/* journal_dev */
	CHECK_INT(fsjournal_ext_clean(sb, FSJOURNAL_READ), 0);
	sb[0x460] &= (unsigned char)~0x08;
	CHECK_INT(fsjournal_ext_clean(sb, FSJOURNAL_READ), 1);
	sb[0x4E8] = 12;				/* an orphan inode */
	CHECK_INT(fsjournal_ext_clean(sb, FSJOURNAL_READ), 0);
	sb[0x4E8] = 0;
	sb[0x438] ^= 0xff;			/* not ext */
	CHECK_INT(fsjournal_ext_clean(sb, FSJOURNAL_READ), 0);
	sb[0x438] ^= 0xff;
	CHECK_INT(fsjournal_ext_clean(sb, FSJOURNAL_READ), 1);
	CHECK_INT(fsjournal_ext_clean(sb, 0), 0);
}

int
main(void)
{
	char *buf;
	size_t len;

	if (read_host_file("tests/data/sb-ext3.bin", 4096, &buf, &len) == -1 ||
	    len != 2048) {
		fprintf(stderr, "cannot read tests/data/sb-ext3.bin\n");
		return 1;
	}
	sb = xcalloc(1, FSJOURNAL_READ);
	memcpy(sb, buf, len);
	free(buf);
	test_ext();
	test_type();
	test_orphans();
	test_ext_clean();
	test_xfs_btrfs();
	free(sb);
	return unit_done();
}
