/*
 * fsuuid.c - the references to filesystem UUIDs in a guest's files, and
 * their edit (fsuuid.h).
 *
 * By hand: a UUID is a fixed-width token in files of many syntaxes
 * (fstab, crypttab, grub.cfg's `search --fs-uuid`, kernel command lines
 * in BLS entries and grubenv, shell assignments); no parser of each
 * knows the others, and the token is what all of them share.  The edit
 * keeps every other byte, and the length: a grubenv block stays 1024
 * bytes.
 */
#include <ctype.h>
#include <string.h>

#include "fsuuid.h"

const struct fsuuid_ref fsuuid_refs[] = {
	{ "/etc", "fstab" },
	{ "/etc", "crypttab" },
	{ "/etc/default", "grub" },
	{ "/etc/kernel", "cmdline" },
	{ "/etc/initramfs-tools/conf.d", "resume" },
	{ "/boot/grub", "grub.cfg" },
	{ "/boot/grub", "grubenv" },
	{ "/boot/grub", "grub.conf" },		/* EL5, EL6: GRUB legacy */
	{ "/boot/grub", "menu.lst" },
	{ "/boot/grub2", "grub.cfg" },
	{ "/boot/grub2", "grubenv" },		/* EL8: kernelopts= */
	{ "/boot/loader/entries", "*.conf" },	/* BLS */
};
const size_t fsuuid_nrefs = sizeof(fsuuid_refs) / sizeof(fsuuid_refs[0]);

#define UUID_LEN	36

static int
in_token(char c)
{
	return isxdigit((unsigned char)c) || c == '-';
}

/* Does text at i hold uuid as a whole token? */
static int
token_at(const char *text, size_t len, size_t i, const char *uuid)
{
	if (len - i < UUID_LEN || strncasecmp(text + i, uuid, UUID_LEN) != 0)
		return 0;
	if (i > 0 && in_token(text[i - 1]))
		return 0;
	return i + UUID_LEN == len || !in_token(text[i + UUID_LEN]);
}

size_t
fsuuid_replace(const char *text, size_t len, const struct fsuuid_map *m,
    size_t n, struct buf *out)
{
	size_t i = 0, from = 0, count = 0, j, k;
	int up;

	while (i < len) {
		for (j = 0; j < n; j++)
			if (token_at(text, len, i, m[j].old))
				break;
		if (j == n) {
			i++;
			continue;
		}
		buf_add(out, text + from, i - from);
		for (up = 0, k = 0; k < UUID_LEN; k++)
			up |= isupper((unsigned char)text[i + k]) != 0;
		for (k = 0; k < UUID_LEN; k++) {
			unsigned char c = (unsigned char)m[j].new[k];
			buf_addc(out, (char)(up ? toupper(c) : tolower(c)));
		}
		i += UUID_LEN;
		from = i;
		count++;
	}
	buf_add(out, text + from, len - from);
	return count;
}

size_t
fsuuid_line(const char *text, size_t len, const char *uuid)
{
	size_t i, line = 1;

	for (i = 0; i < len; i++) {
		if (token_at(text, len, i, uuid))
			return line;
		if (text[i] == '\n')
			line++;
	}
	return 0;
}
