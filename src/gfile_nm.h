/*
 * gfile_nm.h - NetworkManager keyfiles: the editor behind gfile_edit
 * (reading them is gfile_ini_get's, gfile_lib.h).
 */
#ifndef IMPRINT_GFILE_NM_H
#define IMPRINT_GFILE_NM_H

#include "gfile_lib.h"

/*
 * gfile_edit's editor for keyfiles (GFILE_NM_KEYFILE): same contract as
 * gfile_edit (gfile.h); the job's values have been checked there.
 */
/*
 * The MAC in the n bytes at s when they are a decimal byte list as old
 * keyfiles write mac-address ("0;22;62;43;140;1;", the last ';'
 * optional), in lower-case colon form: 0, else -1.
 */
int	 gfile_nm_decimal_mac(const char *s, size_t n, char out[18]);

int	 gfile_nm_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

#endif
