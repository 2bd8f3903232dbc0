/*
 * valid.h - syntax checks for the values imprint writes into guest files and
 * domain configs: MACs, hostnames, IPv4 addresses, config words, paths.
 *
 * Pure functions; none prints anything.  Callers report the error with the
 * context (file, line, key) they know.
 */
#ifndef IMPRINT_VALID_H
#define IMPRINT_VALID_H

#include <stdbool.h>

/*
 * Parse "xx:xx:xx:xx:xx:xx" (hex, either case, ':' separators only).
 * Returns 0 and fills mac[6], or -1.
 */
int	 mac_parse(const char *s, unsigned char mac[6]);
/* Write the lower-case form "00:16:3e:..." into out (18 bytes). */
void	 mac_format(const unsigned char mac[6], char out[18]);
/*
 * Canonical lower-case form of a MAC string into out, or -1 when s is not
 * a MAC.
 */
int	 mac_normalize(const char *s, char out[18]);
/* 0 when s is a MAC usable for a NIC: unicast and not all-zero. */
bool	 mac_valid_nic(const char *s);
/* Case-insensitive equality of two MAC strings (false if either is bad). */
bool	 mac_equal(const char *a, const char *b);

/* RFC 1123 host name: dot-separated labels of [A-Za-z0-9-], 1..63 each,
 * no leading or trailing '-', at most 253 bytes in all. */
bool	 hostname_valid(const char *s);
/* Dotted-quad IPv4 address, each part 0..255, no leading zeros. */
bool	 ipv4_valid(const char *s);
/* "a.b.c.d/N" with N 0..32; prefix_r gets N (may be NULL). */
bool	 ipv4_cidr_valid(const char *s, int *prefix_r);
/* A value safe inside a quoted config word: non-empty and no quotes,
 * backslashes, commas, '=', '#', whitespace or control characters. */
bool	 cfg_word_valid(const char *s);
/* An absolute path with no quotes, backslashes or control characters. */
bool	 abs_path_valid(const char *s);
/* Value of a hex digit of either case, or -1. */
int	 hex_value(char c);
/* Lower-case dashed uuid, 36 characters. */
bool	 uuid_valid(const char *s);

/*
 * The written form of a uuid, as domain configs hold it: dashed (36
 * characters, xm and xl) or dashless (32 hex digits, as Oracle VM 3 names
 * things), in lower or upper case.
 */
#define UUID_DASHLESS	0x1
#define UUID_UPPER	0x2
/*
 * The UUID_* bits of s, or -1 when s is no uuid in one of the four forms
 * (mixed case included).  A uuid without letters counts as lower case.
 */
int	 uuid_form(const char *s);
/* Write uuid u (any form uuid_form accepts) in form into out. */
void	 uuid_to_form(const char *u, int form, char out[37]);

#endif
