/*
 * test_lvsnap.c - lvsnap.c's pure parts: lvs output parsed, snapshot
 * sizes, extents, the free-space refusal and the health line that
 * `imprint inspect` prints for a snapshot LV.  (The integration test
 * t-clone-lvm.sh runs the LVM tools as stubs; inspect asks lvs only of
 * block devices, which a test cannot make without device-mapper, so the
 * health line is checked here.)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvsnap.h"
#include "unit.h"

#define ORIGIN_LINE "  LVM2_LV_NAME='LogVolDc1' LVM2_VG_NAME='VolGroupXX' " \
	"LVM2_LV_PATH='/dev/VolGroupXX/LogVolDc1' LVM2_LV_SIZE='10737418240' " \
	"LVM2_LV_ATTR='-wi-a-----' LVM2_SEGTYPE='linear' LVM2_ORIGIN='' " \
	"LVM2_DATA_PERCENT='' LVM2_VG_FREE='4294967296' " \
	"LVM2_VG_EXTENT_SIZE='4194304'\n"

static int
parse(const char *s, struct lvsnap_lv *lv, const char **why)
{
	return lvsnap_parse(s, strlen(s), lv, why);
}

static void
test_parse(void)
{
	struct lvsnap_lv lv;
	const char *why;

	CHECK_INT(parse(ORIGIN_LINE, &lv, &why), 0);
	CHECK_STR(lv.lv_name, "LogVolDc1");
	CHECK_STR(lv.vg_name, "VolGroupXX");
	CHECK_STR(lv.lv_path, "/dev/VolGroupXX/LogVolDc1");
	CHECK_STR(lv.lv_attr, "-wi-a-----");
	CHECK_STR(lv.segtype, "linear");
	CHECK_STR(lv.origin, "");
	CHECK_INT(lv.lv_size, 10737418240LL);
	CHECK_INT(lv.vg_free, 4294967296LL);
	CHECK_INT(lv.extent_size, 4194304);
	CHECK(!lv.has_percent);
	CHECK(!lvsnap_is_thin(&lv));
	CHECK(!lvsnap_is_thick_snapshot(&lv));

	/* a snapshot, unquoted (--unquoted), fields in another order */
	CHECK_INT(parse("LVM2_VG_NAME=vg LVM2_LV_NAME=s1 LVM2_LV_PATH=/dev/vg/s1 "
	    "LVM2_LV_SIZE=1 LVM2_LV_ATTR=swi-a-s--- LVM2_SEGTYPE=linear "
	    "LVM2_ORIGIN=o LVM2_DATA_PERCENT=91.5 LVM2_VG_FREE=0 "
	    "LVM2_VG_EXTENT_SIZE=512 LVM2_EXTRA=x", &lv, &why), 0);
	CHECK_STR(lv.origin, "o");
	CHECK(lv.has_percent);
	CHECK_INT(lv.percent_x100, 9150);
	CHECK(lvsnap_is_thick_snapshot(&lv));
	/* a locale's decimal comma */
	CHECK_INT(parse("LVM2_VG_NAME=vg LVM2_LV_NAME=s1 LVM2_LV_PATH=/dev/vg/s1 "
	    "LVM2_LV_SIZE=1 LVM2_LV_ATTR=swi-a-s--- LVM2_SEGTYPE=linear "
	    "LVM2_ORIGIN=o LVM2_DATA_PERCENT=0,07 LVM2_VG_FREE=0 "
	    "LVM2_VG_EXTENT_SIZE=512", &lv, &why), 0);
	CHECK_INT(lv.percent_x100, 7);

	/* refusals */
	CHECK_INT(parse("", &lv, &why), -1);
	CHECK_STR(why, "no LV");
	CHECK_INT(parse("  \n\n", &lv, &why), -1);
	CHECK_STR(why, "no LV");
	CHECK_INT(parse(ORIGIN_LINE ORIGIN_LINE, &lv, &why), -1);
	CHECK_STR(why, "more than one LV");
	CHECK_INT(parse("LVM2_LV_NAME='x'\n", &lv, &why), -1);
	CHECK_STR(why, "a field missing");
	CHECK_INT(parse("LVM2_LV_NAME='x\n", &lv, &why), -1);
	CHECK_STR(why, "an unterminated quote");
	CHECK_INT(parse("junk\n", &lv, &why), -1);
	CHECK_STR(why, "a field without '='");
	CHECK_INT(parse("LVM2_VG_NAME=vg LVM2_LV_NAME=s1 LVM2_LV_PATH=/dev/vg/s1 "
	    "LVM2_LV_SIZE=1k LVM2_LV_ATTR=x LVM2_SEGTYPE=linear LVM2_ORIGIN= "
	    "LVM2_DATA_PERCENT= LVM2_VG_FREE=0 LVM2_VG_EXTENT_SIZE=512", &lv,
	    &why), -1);
	CHECK_STR(why, "a value too long or not a number");
	CHECK_INT(parse("LVM2_VG_NAME=vg LVM2_LV_NAME=s1 LVM2_LV_PATH=/dev/vg/s1 "
	    "LVM2_LV_SIZE=1 LVM2_LV_ATTR=x LVM2_SEGTYPE=linear LVM2_ORIGIN= "
	    "LVM2_DATA_PERCENT=100.01 LVM2_VG_FREE=0 LVM2_VG_EXTENT_SIZE=512",
	    &lv, &why), -1);
	CHECK_INT(parse("LVM2_VG_NAME=-vg LVM2_LV_NAME=s1 "
	    "LVM2_LV_PATH=/dev/vg/s1 LVM2_LV_SIZE=1 LVM2_LV_ATTR=x "
	    "LVM2_SEGTYPE=linear LVM2_ORIGIN= LVM2_DATA_PERCENT= "
	    "LVM2_VG_FREE=0 LVM2_VG_EXTENT_SIZE=512", &lv, &why), -1);
	CHECK_STR(why, "a name LVM would not give");
	CHECK_INT(parse("LVM2_VG_NAME=vg LVM2_LV_NAME=s1 "
	    "LVM2_LV_PATH=/dev/vg/s1 LVM2_LV_SIZE=1 LVM2_LV_ATTR=x "
	    "LVM2_SEGTYPE=linear LVM2_ORIGIN= LVM2_DATA_PERCENT= "
	    "LVM2_VG_FREE=0 LVM2_VG_EXTENT_SIZE=0", &lv, &why), -1);
	CHECK_STR(why, "an extent size of 0");
}

static void
test_names(void)
{
	CHECK(lvsnap_name_valid("LogVolDc2"));
	CHECK(lvsnap_name_valid("a+b_c.d-e"));
	CHECK(!lvsnap_name_valid(""));
	CHECK(!lvsnap_name_valid("-x"));
	CHECK(!lvsnap_name_valid(".."));
	CHECK(!lvsnap_name_valid("a/b"));
	CHECK(!lvsnap_name_valid("a b"));
}

static void
test_sizes(void)
{
	uint64_t b = 0;
	const char *why;

	CHECK_INT(lvsnap_parse_size("1G", &b, &why), 0);
	CHECK_INT(b, 1073741824);
	CHECK_INT(lvsnap_parse_size("512m", &b, &why), 0);
	CHECK_INT(b, 536870912);
	CHECK_INT(lvsnap_parse_size("4K", &b, &why), 0);
	CHECK_INT(b, 4096);
	CHECK_INT(lvsnap_parse_size("2T", &b, &why), 0);
	CHECK_INT(b, 2199023255552LL);
	CHECK_INT(lvsnap_parse_size("512", &b, &why), -1);
	CHECK_STR(why, "want a unit K, M, G or T (1024-based, as lvcreate's)");
	CHECK_INT(lvsnap_parse_size("G", &b, &why), -1);
	CHECK_INT(lvsnap_parse_size("1GB", &b, &why), -1);
	CHECK_INT(lvsnap_parse_size("0M", &b, &why), -1);
	CHECK_STR(why, "a snapshot needs some space");
	CHECK_INT(lvsnap_parse_size("-1G", &b, &why), -1);
	CHECK_INT(lvsnap_parse_size("99999999999999999999G", &b, &why), -1);
	CHECK_STR(why, "too large");
	CHECK_INT(lvsnap_parse_size("9999999999T", &b, &why), -1);
	CHECK_STR(why, "too large");

	/* whole extents, at least one */
	CHECK_INT(lvsnap_round_extents(1, 4194304), 4194304);
	CHECK_INT(lvsnap_round_extents(0, 4194304), 4194304);
	CHECK_INT(lvsnap_round_extents(4194304, 4194304), 4194304);
	CHECK_INT(lvsnap_round_extents(4194305, 4194304), 8388608);
	CHECK_INT(lvsnap_round_extents(1, 0), 0);
	CHECK_INT(lvsnap_round_extents(UINT64_MAX, 4194304), 0);
	/* a fifth of the origin: 10 GiB -> 2 GiB; 100 MiB -> 20 MiB */
	CHECK_INT(lvsnap_default_size(10737418240LL, 4194304), 2147483648LL);
	CHECK_INT(lvsnap_default_size(104857600, 4194304), 20971520);
	/* 64 MiB / 5 = 12.8 MiB -> 4 extents of 4 MiB */
	CHECK_INT(lvsnap_default_size(67108864, 4194304), 16777216);
	CHECK_INT(lvsnap_default_size(1, 4194304), 4194304);
}

static void
test_short(void)
{
	char *m;

	CHECK(lvsnap_short_message("vg", 4194304, 4194304, 4194304) == NULL);
	m = lvsnap_short_message("VolGroupXX", 2147483648ULL, 1073741824ULL,
	    4194304);
	CHECK_STR(m, "refusing to clone: VG 'VolGroupXX' has 1073741824 bytes "
	    "free (256 extents of 4194304 bytes), the snapshots need "
	    "2147483648 bytes (512 extents); give a smaller --snapshot-size, "
	    "or free space in the VG (vgextend, lvreduce)");
	free(m);
}

static void
test_health(void)
{
	struct lvsnap_lv lv;
	bool warn = true;
	char *h;

	memset(&lv, 0, sizeof(lv));
	strcpy(lv.vg_name, "VolGroupXX");
	strcpy(lv.lv_name, "LogVolDc2");
	strcpy(lv.segtype, "linear");
	strcpy(lv.lv_attr, "-wi-a-----");
	CHECK(lvsnap_health(&lv, &warn) == NULL);
	CHECK(!warn);

	strcpy(lv.lv_attr, "swi-a-s---");
	strcpy(lv.origin, "LogVolDc1");
	lv.has_percent = true;
	lv.percent_x100 = 9150;
	h = lvsnap_health(&lv, &warn);
	CHECK_STR(h, "snapshot of VolGroupXX/LogVolDc1, copy-on-write space "
	    "91.50% used");
	CHECK(warn);
	free(h);
	lv.percent_x100 = 8000;		/* at the threshold: no warning */
	h = lvsnap_health(&lv, &warn);
	CHECK_STR(h, "snapshot of VolGroupXX/LogVolDc1, copy-on-write space "
	    "80.00% used");
	CHECK(!warn);
	free(h);
	lv.percent_x100 = 8001;
	free(lvsnap_health(&lv, &warn));
	CHECK(warn);
	lv.percent_x100 = 7;
	h = lvsnap_health(&lv, &warn);
	CHECK_STR(h, "snapshot of VolGroupXX/LogVolDc1, copy-on-write space "
	    "0.07% used");
	CHECK(!warn);
	free(h);

	strcpy(lv.lv_attr, "Swi-I-s---");	/* invalid: it filled */
	lv.has_percent = false;
	h = lvsnap_health(&lv, &warn);
	CHECK_STR(h, "snapshot of VolGroupXX/LogVolDc1, INVALID: its "
	    "copy-on-write space filled, its data is lost (remove it with "
	    "lvremove)");
	CHECK(warn);
	free(h);

	strcpy(lv.lv_attr, "Vwi-a-tz--");
	strcpy(lv.segtype, "thin");
	h = lvsnap_health(&lv, &warn);
	CHECK_STR(h, "thin snapshot of VolGroupXX/LogVolDc1");
	CHECK(!warn);
	free(h);
}

int
main(void)
{
	test_parse();
	test_names();
	test_sizes();
	test_short();
	test_health();
	return unit_done();
}
