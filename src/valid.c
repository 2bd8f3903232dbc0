/*
 * valid.c - value syntax checks (see valid.h).
 *
 * Written by hand: these are a few lines each, and the libraries that
 * could do them (inet_pton, ether_aton) accept forms we must refuse
 * (leading zeros, single-digit MAC parts).
 */
#include <stdio.h>
#include <string.h>

#include "valid.h"

int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
mac_parse(const char *s, unsigned char mac[6])
{
	int i, hi, lo;

	for (i = 0; i < 6; i++) {
		if ((hi = hex_value(s[0])) < 0 || (lo = hex_value(s[1])) < 0)
			return -1;
		mac[i] = (unsigned char)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return *s == '\0' ? 0 : -1;
}

void
mac_format(const unsigned char mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

int
mac_normalize(const char *s, char out[18])
{
	unsigned char mac[6];

	if (mac_parse(s, mac) == -1)
		return -1;
	mac_format(mac, out);
	return 0;
}

bool
mac_valid_nic(const char *s)
{
	unsigned char mac[6];
	int i;

	if (mac_parse(s, mac) == -1 || (mac[0] & 1))
		return false;
	for (i = 0; i < 6; i++)
		if (mac[i])
			return true;
	return false;
}

bool
mac_equal(const char *a, const char *b)
{
	unsigned char ma[6], mb[6];

	return mac_parse(a, ma) == 0 && mac_parse(b, mb) == 0 &&
	    memcmp(ma, mb, 6) == 0;
}

bool
hostname_valid(const char *s)
{
	size_t total = 0, label = 0;
	const char *p;

	if (*s == '\0')
		return false;
	for (p = s; *p; p++, total++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
		if (*p == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	if (label == 0 || p[-1] == '-')
		return false;
	return total <= 253;
}

/* Parse one dotted quad from *sp; advance past it. */
static bool
ipv4_part(const char **sp)
{
	const char *s = *sp;
	int parts, v, digits;

	for (parts = 0; parts < 4; parts++) {
		if (parts > 0 && *s++ != '.')
			return false;
		v = digits = 0;
		while (*s >= '0' && *s <= '9') {
			if (digits > 0 && v == 0)
				return false;	/* leading zero */
			v = v * 10 + (*s++ - '0');
			if (++digits > 3 || v > 255)
				return false;
		}
		if (digits == 0)
			return false;
	}
	*sp = s;
	return true;
}

bool
ipv4_valid(const char *s)
{
	return ipv4_part(&s) && *s == '\0';
}

bool
ipv4_cidr_valid(const char *s, int *prefix_r)
{
	int v = 0, digits = 0;

	if (!ipv4_part(&s) || *s++ != '/')
		return false;
	while (*s >= '0' && *s <= '9') {
		if (digits > 0 && v == 0)
			return false;
		v = v * 10 + (*s++ - '0');
		if (++digits > 2)
			return false;
	}
	if (digits == 0 || *s != '\0' || v > 32)
		return false;
	if (prefix_r)
		*prefix_r = v;
	return true;
}

bool
cfg_word_valid(const char *s)
{
	const unsigned char *p;

	if (*s == '\0')
		return false;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("'\"\\,=#", *p))
			return false;
	return true;
}

bool
abs_path_valid(const char *s)
{
	const unsigned char *p;

	if (*s != '/')
		return false;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < ' ' || *p == 0x7f || strchr("'\"\\", *p))
			return false;
	return true;
}

bool
uuid_valid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return s[36] == '\0';
}

int
uuid_form(const char *s)
{
	size_t i, n = strlen(s), hex = 0;
	bool lower = false, upper = false, dashed = n == 36;

	if (n != 36 && n != 32)
		return -1;
	for (i = 0; i < n; i++) {
		if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		if (s[i] >= 'a' && s[i] <= 'f')
			lower = true;
		else if (s[i] >= 'A' && s[i] <= 'F')
			upper = true;
		else if (s[i] < '0' || s[i] > '9')
			return -1;
		hex++;
	}
	if (hex != 32 || (lower && upper))
		return -1;
	return (dashed ? 0 : UUID_DASHLESS) | (upper ? UUID_UPPER : 0);
}

void
uuid_to_form(const char *u, int form, char out[37])
{
	size_t i, o = 0;
	char c;

	for (i = 0; u[i] != '\0' && o < 36; i++) {
		if (u[i] == '-')
			continue;
		c = u[i];
		if ((form & UUID_UPPER) && c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		else if (!(form & UUID_UPPER) && c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!(form & UUID_DASHLESS) && (o == 8 || o == 13 ||
		    o == 18 || o == 23))
			out[o++] = '-';
		out[o++] = c;
	}
	out[o] = '\0';
}
