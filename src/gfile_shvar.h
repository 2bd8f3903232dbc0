/*
 * gfile_shvar.h - the shell-variable codec: read, set, remove and map
 * `KEY=value` assignments in files a shell sources (ifcfg-*,
 * /etc/sysconfig/network) without executing or expanding anything.
 * What the variables mean is the editors' (gfile_ifcfg.h,
 * gfile_sysconfig_network.h).
 */
#ifndef IMPRINT_GFILE_SHVAR_H
#define IMPRINT_GFILE_SHVAR_H

#include "gfile_lib.h"

/*
 * Shell-variable files (ifcfg-*, /etc/sysconfig/network, SUSE ifcfg).
 * Returns the value of the LAST assignment of key (`KEY=...`, an optional
 * leading `export `), with shell quoting removed: '...' literal, "..."
 * with \-escapes of \ " $ ` and newline, bare words with \-escapes; the
 * line may end with a comment.  Nothing is expanded: `$(x)` stays `$(x)`.
 * A value holding a NUL byte is cut at it.  Reading stops at an
 * unterminated quote, `$(` or backtick (sh fails there too).  NULL when
 * absent.  Caller frees.
 */
char	*gfile_shvar_get(const char *buf, size_t len, const char *key);

/*
 * Shell-variable files: set key to value.  The last assignment of key has
 * its value replaced: its quote style kept when that style can hold value
 * ('...' needs no ', "..." gets \-escapes of \ " $ `), a bare value stays
 * bare when value needs no quoting, else it is quoted with
 * gfile_shvar_quote.  A comment after the value is kept.  When key is
 * absent, `KEY=value` (quoted as needed) is appended with the file's line
 * ending (CRLF if its first line ends in CRLF), after adding a line end
 * to a last line that lacks one.  out is reset first.  Returns 0, or -1
 * with a message when key is not a shell name, value holds a newline or
 * CR, the file has an unterminated quote or substitution, or the result
 * would not read back as key=value (an append after a trailing
 * backslash-newline, say).
 */
int	 gfile_shvar_set(const char *in, size_t len, const char *key,
	    const char *value, struct buf *out);

/*
 * Append value to out, quoted for a POSIX shell: bare when it holds only
 * [A-Za-z0-9_@%+=:,./-] and is non-empty, else in single quotes with each
 * ' written as '\''.
 */
void	 gfile_shvar_quote(const char *value, struct buf *out);

/*
 * Shell-variable files: remove every assignment of key, each with its
 * whole line (leading blanks, an `export `, a trailing comment and the
 * line end).  Absent key: out equals the input.  Returns -1 when key is
 * not a shell name, the file has an unterminated quote or substitution,
 * or an assignment shares its line with another statement (`A=1; KEY=2`:
 * removing only part of such a line is not worth its corner cases).
 */
int	 gfile_shvar_unset(const char *in, size_t len, const char *key,
	    struct buf *out);

/*
 * gfile_shvar_unset for every variable whose name (the n bytes at key, not
 * NUL-terminated) match accepts; arg is passed through.
 */
int	 gfile_shvar_unset_if(const char *in, size_t len,
	    bool (*match)(const char *key, size_t n, const void *arg),
	    const void *arg, struct buf *out);

/*
 * Every assignment's value through map: map gets the key (n bytes, not
 * NUL-terminated), the value with quoting removed (vlen bytes, NUL
 * after them), whether this is the key's last assignment, and arg; it
 * returns the new value (malloc'd; freed here) or NULL to keep it.  A
 * new value is written as gfile_shvar_set would, and an unchanged one
 * keeps its bytes.  -1 with a message for an unterminated quote or
 * substitution.
 */
int	 gfile_shvar_map(const char *in, size_t len,
	    char *(*map)(const char *key, size_t n, const char *value,
	    size_t vlen, bool last, const void *arg),
	    const void *arg, struct buf *out);

#endif
