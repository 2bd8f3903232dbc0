/* Unit tests for src/valid.c: MAC, hostname, IPv4 and word syntax. */
#include "unit.h"
#include "valid.h"

static void
test_mac(void)
{
	unsigned char m[6];
	char out[18];

	CHECK_INT(mac_parse("00:16:3E:aa:bb:01", m), 0);
	CHECK_INT(m[2], 0x3e);
	mac_format(m, out);
	CHECK_STR(out, "00:16:3e:aa:bb:01");
	CHECK_INT(mac_parse("00:16:3e:aa:bb", m), -1);
	CHECK_INT(mac_parse("00:16:3e:aa:bb:01:", m), -1);
	CHECK_INT(mac_parse("0:16:3e:aa:bb:01", m), -1);
	CHECK_INT(mac_parse("00-16-3e-aa-bb-01", m), -1);
	CHECK_INT(mac_parse("00:16:3g:aa:bb:01", m), -1);
	CHECK_INT(mac_normalize("00:21:F6:4B:10:2C", out), 0);
	CHECK_STR(out, "00:21:f6:4b:10:2c");
	CHECK(mac_valid_nic("00:16:3e:00:00:01"));
	CHECK(!mac_valid_nic("01:16:3e:00:00:01"));	/* multicast */
	CHECK(!mac_valid_nic("00:00:00:00:00:00"));
	CHECK(!mac_valid_nic("ff:ff:ff:ff:ff:ff"));
	CHECK(mac_equal("00:16:3E:10:20:01", "00:16:3e:10:20:01"));
	CHECK(!mac_equal("00:16:3E:10:20:01", "00:16:3e:10:20:02"));
	CHECK(!mac_equal("junk", "junk"));
}

static void
test_hostname(void)
{
	char big[300];

	CHECK(hostname_valid("clone01"));
	CHECK(hostname_valid("clone01.example.com"));
	CHECK(hostname_valid("1a-b.c"));
	CHECK(!hostname_valid(""));
	CHECK(!hostname_valid("$(reboot)"));
	CHECK(!hostname_valid("a\nb"));
	CHECK(!hostname_valid("-a"));
	CHECK(!hostname_valid("a-"));
	CHECK(!hostname_valid("a..b"));
	CHECK(!hostname_valid("a."));
	CHECK(!hostname_valid(".a"));
	CHECK(!hostname_valid("a_b"));
	memset(big, 'a', 64);
	big[64] = '\0';
	CHECK(!hostname_valid(big));		/* label of 64 */
	big[63] = '\0';
	CHECK(hostname_valid(big));
	memset(big, 'a', 255);
	for (int i = 63; i < 255; i += 64)
		big[i] = '.';
	big[254] = '\0';
	CHECK(!hostname_valid(big));		/* 254 bytes */
}

static void
test_ipv4(void)
{
	int p = -1;

	CHECK(ipv4_valid("192.0.2.10"));
	CHECK(ipv4_valid("0.0.0.0"));
	CHECK(!ipv4_valid("192.0.2"));
	CHECK(!ipv4_valid("192.0.2.256"));
	CHECK(!ipv4_valid("192.0.2.01"));
	CHECK(!ipv4_valid("192.0.2.1 "));
	CHECK(!ipv4_valid("1.2.3.4.5"));
	CHECK(ipv4_cidr_valid("192.168.56.7/24", &p));
	CHECK_INT(p, 24);
	CHECK(ipv4_cidr_valid("10.0.0.1/0", &p));
	CHECK_INT(p, 0);
	CHECK(!ipv4_cidr_valid("10.0.0.1/33", NULL));
	CHECK(!ipv4_cidr_valid("10.0.0.1", NULL));
	CHECK(!ipv4_cidr_valid("10.0.0.1/", NULL));
	CHECK(!ipv4_cidr_valid("10.0.0.1/08", NULL));
}

static void
test_words(void)
{
	CHECK(cfg_word_valid("xenbr0.240"));
	CHECK(cfg_word_valid("0a0c1f00"));
	CHECK(!cfg_word_valid(""));
	CHECK(!cfg_word_valid("a b"));
	CHECK(!cfg_word_valid("a,b"));
	CHECK(!cfg_word_valid("a=b"));
	CHECK(!cfg_word_valid("a'b"));
	CHECK(!cfg_word_valid("a\"b"));
	CHECK(!cfg_word_valid("a\\b"));
	CHECK(!cfg_word_valid("a#b"));
	CHECK(!cfg_word_valid("a\tb"));
	CHECK(abs_path_valid("/dev/vg/lv"));
	CHECK(abs_path_valid("/OVS/running_pool/a b/System.img"));
	CHECK(!abs_path_valid("dev/vg"));
	CHECK(!abs_path_valid("/dev/'x"));
	CHECK(!abs_path_valid("/dev/\nx"));
	CHECK(uuid_valid("6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"));
	CHECK(!uuid_valid("6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F"));
	CHECK(!uuid_valid("6f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5f"));
	CHECK(!uuid_valid("6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f0"));
}

static void
test_uuid_forms(void)
{
	char out[37];

	CHECK_INT(uuid_form("6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"), 0);
	CHECK_INT(uuid_form("6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F"),
	    UUID_UPPER);
	CHECK_INT(uuid_form("0004fb00000600007c2e9a41b05d3f18"),
	    UUID_DASHLESS);
	CHECK_INT(uuid_form("0004FB00000600007C2E9A41B05D3F18"),
	    UUID_DASHLESS | UUID_UPPER);
	CHECK_INT(uuid_form("00040000000600001234567890123456"),
	    UUID_DASHLESS);
	CHECK_INT(uuid_form("0004fb00000600007C2E9A41B05D3F18"), -1);
	CHECK_INT(uuid_form("0004fb00000600007c2e9a41b05d3f1"), -1);
	CHECK_INT(uuid_form("0004fb00-0006-0000-7c2e9a41-b05d3f18"), -1);
	CHECK_INT(uuid_form("0004fb00000600007c2e9a41b05d3f1g"), -1);
	CHECK_INT(uuid_form(""), -1);
	uuid_to_form("6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
	    UUID_DASHLESS, out);
	CHECK_STR(out, "6f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5f");
	uuid_to_form("6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
	    UUID_DASHLESS | UUID_UPPER, out);
	CHECK_STR(out, "6F1C2D3E4A5B4C6D8E7F0A1B2C3D4E5F");
	uuid_to_form("6F1C2D3E4A5B4C6D8E7F0A1B2C3D4E5F", 0, out);
	CHECK_STR(out, "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f");
	uuid_to_form("6f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5f", UUID_UPPER, out);
	CHECK_STR(out, "6F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F");
}

int
main(void)
{
	test_uuid_forms();
	test_mac();
	test_hostname();
	test_ipv4();
	test_words();
	return unit_done();
}
