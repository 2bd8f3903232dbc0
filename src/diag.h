/*
 * diag.h - "FILE:LINE: message" diagnostics collected while parsing user
 * files (recipes, inventories) and printed together, sorted by line, so
 * that one run reports several problems before giving up.
 */
#ifndef IMPRINT_DIAG_H
#define IMPRINT_DIAG_H

#include <stdbool.h>
#include <stddef.h>

struct diag_msg {
	size_t	 line;		/* 0: the file as a whole */
	size_t	 seq;		/* order added, among one line's */
	char	*msg;
};

struct diag {
	const char	*path;
	size_t		 max;	/* messages kept; later ones are counted */
	struct diag_msg	*v;
	size_t		 n;
	size_t		 cap;
	size_t		 total;	/* also those past max */
};
#define DIAG_INIT(path, max) { (path), (max), NULL, 0, 0, 0 }

void	 diag_add(struct diag *, size_t line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* More problems than max were found: parsing may stop. */
bool	 diag_gave_up(const struct diag *);
/*
 * Print every message with warnx, sorted by line (ties in the order
 * added), then "FILE: too many errors, giving up" when some were
 * dropped; free them.  The diag can be reused.
 */
void	 diag_flush(struct diag *);

/*
 * s as a message shows it: \n, \r, \t, other control bytes (and, with
 * escape_8bit, bytes >= 0x80) as \xHH; cut after 80 bytes with "...".
 * Caller frees.
 */
char	*diag_quote(const char *s, bool escape_8bit);

#endif
