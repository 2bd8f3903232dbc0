/*
 * test_lvmeta.c - the byte range of a linear LV, from LVM's text
 * metadata (tests/data/lvm.vgmeta is what libguestfs's vgmeta printed
 * for the VolGroup00 of tests/mkimages.sh's lvm.img): the exact offsets, and
 * every layout whose bytes are not simply the LV refused with its reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lvmeta.h"
#include "textfix.h"
#include "unit.h"
#include "util.h"

static char *meta;
static size_t metalen;

/* The sample with from (there once) replaced by to. */
static char *
with(const char *from, const char *to)
{
	return subst(meta, from, to);
}

static void
want_refused(const char *text, const char *lv, const char *reason,
    int line)
{
	struct lv_range r;
	const char *why = NULL;
	int st = lvmeta_linear(text, strlen(text), "VolGroup00", lv, &r, &why);

	if (!unit_check(st == -1, __FILE__, line, "refused"))
		return;
	if (!unit_check(why != NULL && strcmp(why, reason) == 0, __FILE__,
	    line, "reason"))
		fprintf(stderr, "    got '%s', want '%s'\n", why ? why : "(null)",
		    reason);
	CHECK_INT(r.offset, 0);
}
#define REFUSED(t, lv, why) want_refused(t, lv, why, __LINE__)

static void
test_linear(void)
{
	struct lv_range r;
	const char *why = "unset";

	/* root: extents 0..N of pv0, right after pe_start */
	CHECK_INT(lvmeta_linear(meta, metalen, "VolGroup00", "LogVol00", &r,
	    &why), 0);
	CHECK_INT(r.data_start, 2048 * 512);
	CHECK_INT(r.offset, 2048 * 512);
	CHECK_INT(r.size, 22ULL * 4194304);
	/* swap: the extents after the root's */
	CHECK_INT(lvmeta_linear(meta, metalen, "VolGroup00", "LogVol01", &r,
	    &why), 0);
	CHECK_INT(r.offset, 2048 * 512 + 22ULL * 4194304);
	CHECK_INT(r.size, 8ULL * 4194304);
}

static void
test_refused(void)
{
	char *t;

	REFUSED(meta, "LogVol09", "no such logical volume in the metadata");
	{
		struct lv_range r;
		const char *why;
		CHECK_INT(lvmeta_linear(meta, metalen, "VolGroup01",
		    "LogVol00", &r, &why), -1);
		CHECK_STR(why, "no such volume group in the metadata");
	}
	t = with("segment_count = 1\n\n\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n"
	    "\t\t\t\textent_count = 22",
	    "segment_count = 2\n\n\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n"
	    "\t\t\t\textent_count = 22");
	REFUSED(t, "LogVol00", "the logical volume has more than one segment");
	free(t);
	t = with("\"pv0\", 0", "\"pv1\", 0");
	REFUSED(t, "LogVol00", "the segment is not on the volume group's one PV");
	free(t);
	t = with("\"pv0\", 22", "\"pv0\", 24");
	REFUSED(t, "LogVol01",
	    "the segment lies past the physical volume's extents");
	free(t);
	t = with("stripe_count = 1\t# linear\n\n\t\t\t\tstripes = [\n"
	    "\t\t\t\t\t\"pv0\", 0", "stripe_count = 2\n\n\t\t\t\tstripes = [\n"
	    "\t\t\t\t\t\"pv0\", 0");
	REFUSED(t, "LogVol00", "the logical volume is not one linear segment");
	free(t);
	/* a snapshot anywhere in the VG: its origin's bytes are not all */
	t = with("\t\t}\n\t}\n\n}", "\t\t}\n\t\tsnap {\n\t\t\tstatus = "
	    "[\"READ\"]\n\t\t\tsegment_count = 1\n\t\t\tsegment1 {\n"
	    "\t\t\t\ttype = \"snapshot\"\n\t\t\t\torigin = \"LogVol00\"\n"
	    "\t\t\t}\n\t\t}\n\t}\n\n}");
	REFUSED(t, "LogVol00", "the volume group holds a snapshot, mirror, "
	    "RAID, thin or cache volume");
	free(t);
	t = with("\t\t}\n\t}\n\n\tlogical_volumes", "\t\t}\n\t\tpv1 {\n"
	    "\t\t\tpe_start = 2048\n\t\t\tpe_count = 9\n\t\t}\n\t}\n\n"
	    "\tlogical_volumes");
	REFUSED(t, "LogVol00",
	    "the volume group has more than one physical volume");
	free(t);
	t = with("arcgva\"\n\t\t\tstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]",
	    "arcgva\"\n\t\t\tstatus = [\"READ\", \"VISIBLE\"]");
	REFUSED(t, "LogVol00", "the logical volume is not read-write");
	free(t);
	t = with("status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]",
	    "status = [\"RESIZEABLE\", \"READ\", \"WRITEX\"]");
	REFUSED(t, "LogVol00", "the volume group is not writable");
	free(t);
	t = with("extent_size = 8192", "extent_size = 9223372036854775807");
	REFUSED(t, "LogVol01", "the segment's offset overflows");
	free(t);
	t = with("extent_size = 8192", "extent_size = -8192");
	REFUSED(t, "LogVol00", "no extent size");
	free(t);
	t = with("pe_start = 2048", "pe_start = 0x800");
	REFUSED(t, "LogVol00", "no pe_start or pe_count");
	free(t);
}

static void
test_syntax(void)
{
	static const char *const bad[] = {
		"VolGroup00 {",			/* unclosed */
		"}",				/* unopened */
		"VolGroup00 { id = \"abc }",	/* unterminated string */
		"VolGroup00 { a = [ 1 2 ] }",	/* list without commas */
		"VolGroup00 { a = }",		/* no value */
		"VolGroup00 { = 1 }",		/* no key */
		"VolGroup00 { a b }",
		"VolGroup00 { a\001 = 1 }",	/* a control byte */
	};
	struct lv_range r;
	const char *why;
	char *t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(lvmeta_linear(bad[i], strlen(bad[i]), "VolGroup00",
		    "LogVol00", &r, &why), -1);
		CHECK_STR(why, "the metadata does not parse");
	}
	/* Braces, quotes and # inside strings and comments are text. */
	t = with("creation_host = \"(none)\"\n\t\t\tsegment_count = 1\n\n"
	    "\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n"
	    "\t\t\t\textent_count = 22", "creation_host = \"a\\\"}{ # [\""
	    "\t# } { ] \"\n\t\t\tsegment_count = 1\n\n\t\t\tsegment1 {\n"
	    "\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = 22");
	CHECK_INT(lvmeta_linear(t, strlen(t), "VolGroup00", "LogVol00", &r,
	    &why), 0);
	CHECK_INT(r.offset, 2048 * 512);
	free(t);
	/* Nesting deeper than any metadata: refused, not a deep recursion. */
	t = xstrdup("a{b{c{d{e{f{g{h{i{j{k{}}}}}}}}}}}");
	CHECK_INT(lvmeta_linear(t, strlen(t), "a", "b", &r, &why), -1);
	CHECK_STR(why, "the metadata does not parse");
	free(t);
	CHECK_INT(lvmeta_linear(meta, LVMETA_MAX_SIZE + 1, "VolGroup00",
	    "LogVol00", &r, &why), -1);
	CHECK_STR(why, "the metadata is larger than 1 MiB");
}

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A PV's first 2 KiB with its label in sector sec, as pvcreate writes
 * it: nda data areas, nmda metadata areas, each list ended by zeros. */
static void
label(unsigned char *h, int sec, int nda, int nmda)
{
	unsigned char *s = h + 512 * sec, *p;
	int i;

	memset(h, 0, 2048);
	memcpy(s, "LABELONE", 8);
	put64(s + 8, (uint64_t)sec);
	s[20] = 32;			/* offset_xl */
	memcpy(s + 24, "LVM2 001", 8);
	memset(s + 32, 'u', 32);	/* pv_uuid */
	put64(s + 64, 133169152);	/* device_size */
	p = s + 72;
	for (i = 0; i < nda; i++, p += 16)
		put64(p, 1048576);
	p += 16;
	for (i = 0; i < nmda; i++, p += 16) {
		put64(p, i ? 133169152 - 1044480 : 4096);
		put64(p + 8, 1044480);
	}
}

static void
test_label(void)
{
	unsigned char h[2048];

	label(h, 1, 1, 1);
	CHECK_INT(lvmeta_label_mdas((char *)h, sizeof(h)), 1);
	label(h, 0, 1, 1);
	CHECK_INT(lvmeta_label_mdas((char *)h, sizeof(h)), 1);
	label(h, 1, 1, 2);		/* pvcreate --pvmetadatacopies 2 */
	CHECK_INT(lvmeta_label_mdas((char *)h, sizeof(h)), 2);
	label(h, 1, 1, 0);
	CHECK_INT(lvmeta_label_mdas((char *)h, sizeof(h)), 0);
	label(h, 1, 1, 1);
	CHECK_INT(lvmeta_label_mdas((char *)h, 1000), -1);	/* cut */
	h[512 + 8] = 2;			/* sector_xl says another sector */
	CHECK_INT(lvmeta_label_mdas((char *)h, sizeof(h)), -1);
	label(h, 1, 1, 1);
	h[512 + 24 + 3] = '3';		/* "LVM3 001" */
	CHECK_INT(lvmeta_label_mdas((char *)h, sizeof(h)), -1);
	label(h, 1, 1, 1);
	h[512 + 20] = 0xcc;		/* offset_xl 460: the header past */
	h[512 + 21] = 0x01;		/* the sector */
	CHECK_INT(lvmeta_label_mdas((char *)h, sizeof(h)), -1);
	label(h, 1, 27, 0);		/* a list without its end */
	memset(h + 512 + 72 + 27 * 16, 0xff, 512 - 72 - 27 * 16);
	CHECK_INT(lvmeta_label_mdas((char *)h, sizeof(h)), -1);
	memset(h, 0, sizeof(h));	/* no label */
	CHECK_INT(lvmeta_label_mdas((char *)h, sizeof(h)), -1);
}

static void
test_pv_device(void)
{
	char *d, *t;

	d = lvmeta_pv_device(meta, metalen, "VolGroup00");
	CHECK_STR(d, "/dev/sdd2");
	free(d);
	CHECK(lvmeta_pv_device(meta, metalen, "VolGroup01") == NULL);
	t = with("\t\t}\n\t}\n\n\tlogical_volumes", "\t\t}\n\t\tpv1 {\n"
	    "\t\t\tdevice = \"/dev/sde2\"\n\t\t}\n\t}\n\n\tlogical_volumes");
	CHECK(lvmeta_pv_device(t, strlen(t), "VolGroup00") == NULL);
	free(t);
}

int
main(void)
{
	if (read_host_file("tests/data/lvm.vgmeta", 1 << 20, &meta,
	    &metalen) == -1) {
		fprintf(stderr, "cannot read tests/data/lvm.vgmeta\n");
		return 1;
	}
	test_linear();
	test_refused();
	test_syntax();
	test_label();
	test_pv_device();
	free(meta);
	return unit_done();
}
