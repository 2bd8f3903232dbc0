/*
 * Unit tests for the small helpers of src/util.c that every command
 * shares: parse_uint (option numbers), path_beside (the vm.cfg beside an
 * image) and xrandom.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "util.h"

static void
test_parse_uint(void)
{
	unsigned long v = 7;

	CHECK_INT(parse_uint("0", 0, 10, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(parse_uint("128", 1, 128, &v), 0);
	CHECK_INT(v, 128);
	CHECK_INT(parse_uint("129", 1, 128, &v), -1);
	CHECK_INT(parse_uint("0", 1, 128, &v), -1);
	CHECK_INT(parse_uint("", 0, 10, &v), -1);
	CHECK_INT(parse_uint("+1", 0, 10, &v), -1);
	CHECK_INT(parse_uint("-1", 0, 10, &v), -1);
	CHECK_INT(parse_uint(" 1", 0, 10, &v), -1);
	CHECK_INT(parse_uint("1 ", 0, 10, &v), -1);
	CHECK_INT(parse_uint("0x1", 0, 10, &v), -1);
	CHECK_INT(parse_uint("99999999999999999999999", 0, ~0UL, &v), -1);
	CHECK_INT(v, 128);	/* untouched on failure */
}

static void
test_path_beside(void)
{
	char *p;

	p = path_beside("/OVS/running_pool/vm2/System.img", "vm.cfg");
	CHECK_STR(p, "/OVS/running_pool/vm2/vm.cfg");
	free(p);
	p = path_beside("System.img", "vm.cfg");
	CHECK_STR(p, "vm.cfg");
	free(p);
	p = path_beside("/System.img", "vm.cfg");
	CHECK_STR(p, "/vm.cfg");
	free(p);
	p = path_beside("pool/c01/System.img", "vm.cfg");
	CHECK_STR(p, "pool/c01/vm.cfg");
	free(p);
}

static void
test_xrandom(void)
{
	unsigned char a[32], b[32];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	xrandom(a, sizeof(a));
	xrandom(b, sizeof(b));
	/* 2^-256 of failing by chance */
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	xrandom(a, 0);
}

int
main(void)
{
	test_parse_uint();
	test_path_beside();
	test_xrandom();
	return unit_done();
}
