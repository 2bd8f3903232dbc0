/*
 * util.h - memory, growable buffers, string lists and capped host file reads.
 *
 * The x*alloc family aborts the process on allocation failure (the only
 * place besides main.c that may exit).  Everything else returns -1 on
 * failure after printing one message.
 */
#ifndef IMPRINT_UTIL_H
#define IMPRINT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
/*
 * n random bytes from getrandom(2), the one source of randomness for
 * identity, temporary names and tags; like the allocators, it exits when
 * the kernel cannot give them (never on Linux >= 3.17 once booted).
 */
void	 xrandom(void *, size_t);

/*
 * The decimal number s, digits only (no sign, blank or base prefix), in
 * [lo, hi], into *v_r: 0, or -1 (nothing printed) when s is not one.
 */
int	 parse_uint(const char *s, unsigned long lo, unsigned long hi,
	    unsigned long *v_r);

/*
 * The path of name in file's directory, as the path file is written
 * ("/OVS/vm2/System.img", "vm.cfg" -> "/OVS/vm2/vm.cfg"; "System.img" ->
 * "vm.cfg"; "/System.img" -> "/vm.cfg").  Caller frees.  Oracle VM keeps
 * a domain's vm.cfg beside its System.img.
 */
char	*path_beside(const char *file, const char *name);

/*
 * A copy of path without its last component: "/OVS/vm2/System.img" ->
 * "/OVS/vm2", "/vm.cfg" -> "/", "vm.cfg" -> ".".  Caller frees.
 */
char	*path_dir(const char *path);

/*
 * A growable byte buffer.  data is always NUL-terminated at data[len], so
 * text can be handed to string functions, but it may also hold NULs.
 * Initialise with BUF_INIT or buf_init(); release with buf_release().
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
#define BUF_INIT { NULL, 0, 0 }

void	 buf_init(struct buf *);
void	 buf_grow(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vaddf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	 buf_reset(struct buf *);
void	 buf_release(struct buf *);
/* Hand the bytes to the caller (caller frees); the buf is reset. */
char	*buf_detach(struct buf *, size_t *len_r);

/* A NULL-terminated vector of owned strings. */
struct strlist {
	char	**v;
	size_t	  n;
	size_t	  cap;
};
#define STRLIST_INIT { NULL, 0, 0 }

void	 strlist_add(struct strlist *, const char *);
void	 strlist_add_owned(struct strlist *, char *);
int	 strlist_has(const struct strlist *, const char *);
/* qsort(3) and bsearch(3) comparison of two char * elements (strcmp). */
int	 cmp_str(const void *a, const void *b);
/* Sort v[0..n-1] by strcmp; v may be NULL when n is 0. */
void	 sort_strings(char **v, size_t n);
void	 strlist_release(struct strlist *);

/*
 * Every file imprint reads on the host (a recipe, a domain config, an
 * inventory, a password file, an undo record) is opened by host_open:
 * O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, with O_NOFOLLOW under
 * HOST_NOFOLLOW, then fstat'ed into *st.  O_NONBLOCK because a FIFO
 * would block the open until a writer comes; anything but a regular file
 * is then refused.  Silent: returns the descriptor, or -1 with errno set
 * and *reason_r the reason for a message (static text or strerror):
 * EISDIR for a directory, EINVAL and "not a regular file" for any other
 * type.  After such a refusal *st still holds the file's fstat (a caller
 * can name what it found); after any other failure st->st_mode is 0.
 */
#define HOST_NOFOLLOW	0x1
struct stat;
int	 host_open(const char *path, int flags, struct stat *st,
	    const char **reason_r);

/*
 * Append the rest of fd (from host_open, st its fstat) to b,
 * NUL-terminated, at most cap bytes.  Silent: 0, EFBIG when the file is
 * (or grows) larger than cap, or the errno of a failed read.
 */
int	 host_read_fd(int fd, const struct stat *st, size_t cap,
	    struct buf *b);

/*
 * Read a whole host file of at most cap bytes (host_open, host_read_fd).
 * The result is NUL-terminated (caller frees *buf_r).  Anything else
 * prints "cannot read 'PATH': reason" and returns -1: a larger file, a
 * directory ("Is a directory"), a FIFO or other non-regular file ("not a
 * regular file"), a read error.
 */
int	 read_host_file(const char *path, size_t cap, char **buf_r,
	    size_t *len_r);

/*
 * Text from a guest or a file (a path, a value, a libguestfs message) as
 * it may be shown on a terminal: what could drive the terminal or forge
 * an output line is written as "\xHH" per byte, and a backslash as "\\",
 * so the output stays one line per line and reads back unambiguously.
 * Escaped: the C0 controls (newline, CR, tab, ESC, ...), DEL, bytes that
 * are not well-formed UTF-8, and the C1 controls, line and paragraph
 * separators and bidirectional controls even when well-formed.  Other
 * UTF-8 (accents, CJK) is kept as it is.
 *
 * buf_add_text appends s escaped to b; text_escape returns it (caller
 * frees); esc returns it for a message argument, as warnx("%s in '%s'",
 * esc(path), esc(image)): the string stays valid until ESC_SLOTS more
 * calls of esc, then is freed (single-threaded callers only).  esc(NULL)
 * is NULL; errno is kept, so warn(3) or strerror(errno) in the same call
 * still tell the caller's error.  JSON output needs none of this: json-c
 * escapes.
 */
#define ESC_SLOTS	16
void	 buf_add_text(struct buf *, const char *s);
char	*text_escape(const char *s);
const char *esc(const char *s);

/* Does [s, s+len) contain a NUL byte? */
int	 has_nul(const char *s, size_t len);

/* strcasecmp on ASCII only, independent of the locale. */
int	 ascii_casecmp(const char *, const char *);

/* Does s end with suffix (s itself may be no more than suffix)? */
int	 has_suffix(const char *s, const char *suffix);

/* Little-endian fields of on-disk structures (LVM labels, superblocks). */
uint16_t get_le16(const unsigned char *);
uint32_t get_le32(const unsigned char *);
uint64_t get_le64(const unsigned char *);

/*
 * The name libguestfs's API gives the index'th drive added to a handle
 * (caller frees): /dev/sda ... /dev/sdz, /dev/sdaa, ... as the kernel
 * names SCSI disks.
 */
char	*sd_name(size_t index);

/* The CPUs this process may run on (its affinity mask), at least 1. */
unsigned host_cpus(void);
/*
 * The vCPUs to give each of jobs appliances of drives drives that share
 * cpus host CPUs: 1 below APPLIANCE_SMP_DRIVES drives, else cpus / jobs,
 * at least 1 and at most APPLIANCE_MAX_VCPUS.
 */
#define APPLIANCE_MAX_VCPUS	2
#define APPLIANCE_SMP_DRIVES	4
unsigned appliance_vcpus(unsigned cpus, unsigned jobs, size_t drives);

#endif
