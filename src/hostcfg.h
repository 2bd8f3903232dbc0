/*
 * hostcfg.h - read and minimally edit a Xen domain config (xm vm.cfg,
 * Oracle VM 2/3 vm.cfg, xl.cfg).
 *
 * One lexer/parser serves the three dialects.  It accepts a file that is a
 * sequence of literal assignments, KEY = VALUE or KEY += VALUE, separated by
 * newlines or ';', where VALUE is a string ('...' or "..."), a number
 * (optionally negative, int/float/hex/octal), True/False/None, a list, a
 * tuple or a dict of such values.  Comments, blank lines, CRLF or lone-CR
 * line endings, a missing final newline, a UTF-8 BOM, leading blanks,
 * trailing commas, comments and newlines inside brackets and any 8-bit
 * bytes inside strings and comments are accepted.  Nothing is evaluated.
 *
 * Refused with "FILE:LINE:COL: message" (LINE and COL 1-based, COL counts
 * bytes), nothing returned: Python code (import, if, def, ...), function
 * calls, bare names as values, operators (+ % ...) building values,
 * unterminated strings, lists, tuples or dicts, triple-quoted strings,
 * string prefixes (r'' u'' b''), a backslash line continuation (outside or
 * inside a string), NUL bytes, control characters or non-ASCII bytes
 * outside strings and comments, brackets nested more than
 * HOSTCFG_MAX_DEPTH deep, more than HOSTCFG_MAX_STMTS statements or
 * HOSTCFG_MAX_ITEMS vif/disk items, and files over HOSTCFG_MAX_SIZE bytes.
 * Parsing stops at the first error.  Time is linear in the input size.
 *
 * Adjacent string literals ('a' 'b', also across lines inside brackets)
 * are accepted and read as their concatenation, as Python does, but a
 * value made of them is never edited (hostcfg_set refuses).
 *
 * Escapes in strings (\n \t \r \\ \' \" \a \b \f \v \xHH \OOO) are
 * decoded; an unknown escape keeps its backslash, as in Python 2.
 * Accessors return decoded text.  Edits map decoded positions back to the
 * source bytes, so escapes outside the edited range stay as written; new
 * text is written in the value's own quote character, escaping that quote,
 * backslashes and control bytes (\n \t \r \xHH).
 *
 * Effective values: the last assignment of a key wins.  The NIC list is
 * the value of the last "vif =" that is a list, followed by the items of
 * every later "vif +=" list in file order (xl appends); "nicN" is the N-th
 * item (0-based) of that combined list.  The same holds for "disk".  A
 * "+=" before the last "=" is discarded, as in xl.  Items that are not
 * strings still take an index; their spec is NULL and they are not edited.
 *
 * Vif specs are comma-separated KEY=VALUE fields.  A field's key is the
 * text before its first '=', with blanks around it ignored; its value is
 * the text after "KEY=" up to the next ',' or the end of the spec, minus
 * trailing blanks.  When a key repeats, the last field wins (xl).
 *
 * Disk specs: if a field starts with "target=" (keyed xl form), the target
 * is everything after "target=" (it takes the rest of the spec, commas
 * included).  Otherwise the target is the first field that is not of the
 * form KEY=VALUE (xm and positional xl forms); leading prefixes of the form
 * WORD: (phy:, file:, tap:aio:, qcow2:, ...) are not part of the path and
 * are kept by edits.
 *
 * Edits are byte splices into the current text followed by a full
 * re-parse, so all accessors always describe the current text.  Every byte
 * an edit does not touch stays as loaded (see tests/data/fixtures/README.md,
 * "Edit conventions").  This module does no file writing; the caller takes
 * hostcfg_text() and writes it atomically; files are read by domcfg_load
 * (domcfg.h), which picks this engine or domxml.c by content.
 *
 * Messages go to stderr with warnx(3): "FILE:LINE:COL: message" for syntax
 * errors and refusals tied to a place in the file, "FILE: message"
 * otherwise.
 */
#ifndef IMPRINT_HOSTCFG_H
#define IMPRINT_HOSTCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Largest config accepted (16 MiB); larger input is refused cleanly. */
#define HOSTCFG_MAX_SIZE	(16u * 1024 * 1024)
/* Deepest nesting of lists, tuples and dicts accepted. */
#define HOSTCFG_MAX_DEPTH	64
/*
 * Most statements, and most vif plus disk list items, in one file.  With
 * the size cap these bound memory to a few tens of MiB beyond the text.
 */
#define HOSTCFG_MAX_STMTS	100000
#define HOSTCFG_MAX_ITEMS	100000

struct hostcfg;

/*
 * Parse LEN bytes at BUF (copied; BUF may hold anything, NULs included).
 * PATH is only used in messages and by hostcfg_path().  Returns 0 and
 * *cfg_r, or -1 after printing one "PATH:LINE:COL: message".
 */
int	 hostcfg_parse(const char *path, const char *buf, size_t len,
	    struct hostcfg **cfg_r);

/* Free the object and everything it owns.  NULL is allowed. */
void	 hostcfg_free(struct hostcfg *);

/* The PATH given at load/parse time (owned by the object). */
const char *hostcfg_path(const struct hostcfg *);

/*
 * The current text (edited or not), *len_r bytes, NUL-terminated for
 * convenience.  Owned by the object; valid until the next edit or free.
 */
const char *hostcfg_text(const struct hostcfg *, size_t *len_r);

/* The bytes as loaded, *len_r bytes.  Owned by the object. */
const char *hostcfg_original(const struct hostcfg *, size_t *len_r);

/* Does the current text differ from the loaded bytes? */
bool	 hostcfg_changed(const struct hostcfg *);

/*
 * Decoded value of the effective (last) assignment of KEY if that value
 * is a string, else NULL (absent, number, list, ...).  A string extended
 * by later "KEY += 'more'" gives the concatenation, as libxlutil and
 * Python do (such a value is not edited by hostcfg_set).  Owned by the
 * object; valid until the next edit or free.  Decoded text may contain
 * any byte but NUL (NUL is refused by the parser).
 */
const char *hostcfg_get_string(const struct hostcfg *, const char *key);

/* 1-based line of the effective assignment of KEY, 0 if absent. */
int	 hostcfg_key_line(const struct hostcfg *, const char *key);

/* Number of entries in the effective vif list (0 if none / not a list). */
size_t	 hostcfg_nic_count(const struct hostcfg *);

/*
 * Decoded spec string of NIC I, or NULL if I is out of range or the item
 * is not a string.  Owned by the object; valid until the next edit.
 */
const char *hostcfg_nic_spec(const struct hostcfg *, size_t i);

/* 1-based line where NIC I's item starts, 0 if I is out of range. */
int	 hostcfg_nic_line(const struct hostcfg *, size_t i);

/*
 * Value of KEY in NIC I's spec (last field wins, trailing blanks trimmed),
 * or NULL if absent (or I out of range).  Caller frees.
 */
char	*hostcfg_nic_get(const struct hostcfg *, size_t i, const char *key);

/*
 * Append the keys of NIC I's spec, in order (duplicates as often as they
 * appear), to KEYS.  Fields without '=' are skipped.  Returns the number
 * of keys added.
 */
size_t	 hostcfg_nic_keys(const struct hostcfg *, size_t i,
	    struct strlist *keys);

/* Number of entries in the effective disk list. */
size_t	 hostcfg_disk_count(const struct hostcfg *);

/* Decoded spec of disk I, NULL if out of range or not a string. */
const char *hostcfg_disk_spec(const struct hostcfg *, size_t i);

/* 1-based line where disk I's item starts, 0 if I is out of range. */
int	 hostcfg_disk_line(const struct hostcfg *, size_t i);

/*
 * Target path of disk I without its prefixes (phy:, file:, tap:aio:, ...;
 * for the keyed form, everything after "target="), or NULL if I is out of
 * range, the item is not a string or the spec has no target.  Caller
 * frees.
 */
char	*hostcfg_disk_target(const struct hostcfg *, size_t i);

/*
 * Is disk I a CD-ROM: a field "devtype=cdrom", a flag field "cdrom" (xl)
 * or a device field ending in ":cdrom" (xm "hdc:cdrom")?  False when I is
 * out of range or the item is not a string.
 */
bool	 hostcfg_disk_is_cdrom(const struct hostcfg *, size_t i);

/*
 * Set one value, validating it first.  KEY is one of:
 *   "name"          cfg_word_valid(VALUE)
 *   "OVM_simple_name" cfg_word_valid(VALUE); set like name (Oracle VM 3
 *                   keeps the short name there and the uuid in name)
 *   "uuid"          uuid_valid(VALUE) (lower-case dashed, 36 characters),
 *                   or a uuid in the form (dashless, upper case; see
 *                   uuid_form) of the current value, so that an Oracle
 *                   VM 3 file keeps its style
 *   "nicN.mac"      mac_valid_nic(VALUE); written in lower case
 *   "nicN.ip"       one or more IPv4 addresses (a.b.c.d or a.b.c.d/N)
 *                   separated by single spaces
 *   "nicN.KEY"      any other vif key ([a-z][a-z0-9_-]*): cfg_word_valid
 *   "diskN.target"  abs_path_valid(VALUE); a ',', '=', blank or tab
 *                   is refused unless the spec is in the keyed xl form
 *                   (target=).  Refusals name the disk's FILE:LINE:COL
 *   "diskN.format"  "qcow2" or "raw" (anything else is refused): the
 *                   disk format as xl (libxlu_disk_l.l) and xm read it,
 *                   edited in the first place of these that applies:
 *     - a "format=" field before "target=": its value is replaced;
 *     - the keyed form (target=) without format=: for qcow2,
 *       "format=qcow2," and the blanks the target field starts with
 *       ("format=qcow2, " when target= is the first field) are inserted
 *       just before "target="; for raw nothing (no format= is raw);
 *     - a path with prefixes (file: phy: tap: tap2: tapdisk: aio: ioemu:
 *       raw: qcow: qcow2: vhd:; any other prefix is refused): for qcow2
 *       the whole chain becomes "tap:qcow2:", the one spelling xm's
 *       blktap2 and xl both read as qcow2 (xl takes tap: for the backend,
 *       qcow2: for the format, and skips the positional format field
 *       after such a prefix, so the fields after the path stay as they
 *       are); refused with phy: (a block device); for raw nothing when
 *       the chain names no format or raw:, else the chain becomes
 *       "tap:aio:";
 *     - a path without prefix (xl's PATH,FORMAT,VDEV,ACCESS): the field
 *       after the path is set to VALUE ("" and "raw" already mean raw);
 *       refused when that field is missing or not a format (PATH,xvda,w:
 *       xl reads xvda as the format and rejects the spec).
 *                   The Xen 3.x blktap1 of Oracle VM 2 reads no qcow2.
 * VALUE is final (the caller has already turned "new"/"auto" into a
 * value).  "name" and "uuid" replace the text inside the existing quotes
 * of the effective assignment; a missing uuid is inserted as the line
 * "uuid = <q>VALUE<q>" right after the line holding the effective name
 * assignment (q = name's quote, line ending as that line's), or appended at
 * the end of the file if there is no name either (a missing name is
 * appended likewise).  A vif key that exists is replaced in place (value
 * only, see above); a missing one is appended at the end of the spec as
 * ",KEY=VALUE" (no ',' when the spec is empty or already ends with ',').
 * Keys are appended in call order: set mac before bridge so that a spec
 * without both gets "mac=...,bridge=..." (fixtures convention 3).
 *
 * On success the text is edited and re-parsed and 0 is returned, or 1
 * when the value was already exactly so (nothing changed).  On refusal
 * (bad key, bad value, index out of range, value not a single plain string
 * literal, ...) one message is printed, -1 returned, and the object is
 * unchanged.
 */
int	 hostcfg_set(struct hostcfg *, const char *key, const char *value);

/*
 * Append a NIC with SPEC ("" or KEY=VALUE,... validated as in hostcfg_set;
 * MACs are written in lower case, the pairs otherwise as given) to the end
 * of the effective vif list: to the last list of the chain (the last "vif
 * +=" if any), after its last item, one item per line when the list is
 * laid out that way, keeping a trailing comma style.  With no vif at all,
 * the line "vif = [ <q>SPEC<q> ]" is appended at the end of the file (q:
 * the quote of the first string in the file, else ').  Returns 0, or -1
 * after one message (object unchanged).
 */
int	 hostcfg_add_nic(struct hostcfg *, const char *spec);

/*
 * Remove NIC I from its list, with its separating comma (and its whole
 * line when it stands alone on it).  Returns 0, or -1 after one message
 * (object unchanged).
 */
int	 hostcfg_remove_nic(struct hostcfg *, size_t i);

#endif
