/*
 * gfile_networkd.c - systemd-networkd .link and .network files (read with
 * gfile_lib.c's INI reader, which NetworkManager keyfiles share).
 *
 * The editor changes MACAddress= list entries equal to a mapped MAC (in
 * [Match] and [Link] alike) and the address part of Address= in [Network]
 * and [Address], and Gateway= in [Network] and [Route] by the job's
 * gateway mappings; DNS= and everything else stay.  It never adds a
 * key.  Drop-in directories (*.network.d/) are files like any other to the
 * caller; nothing here follows them.
 */

#include "gfile_networkd.h"

int
gfile_networkd_edit(const struct gfile_job *job, const char *in, size_t len,
    struct buf *out)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct gfile_ed ed;
	const char *a, *v;
	size_t pos = 0, alen, vlen, i, s, off;
	bool addr_sec = false, gw_sec = false;

	gfile_ed_init(&ed, in, len, out);
	while (gfile_line_next(in, len, &pos, &l)) {
		switch (gfile_ini_line(&l, &a, &alen, &v, &vlen)) {
		case 1:
			addr_sec = gfile_span_eq(a, alen, "Network") ||
			    gfile_span_eq(a, alen, "Address");
			gw_sec = gfile_span_eq(a, alen, "Network") ||
			    gfile_span_eq(a, alen, "Route");
			break;
		case 2:
			off = l.off + (size_t)(v - l.p);
			if (gfile_span_eq(a, alen, "MACAddress")) {
				/* A blank-separated list in [Match]. */
				for (i = 0; i < vlen; ) {
					while (i < vlen && gfile_is_blank(v[i]))
						i++;
					s = i;
					while (i < vlen && !gfile_is_blank(v[i]))
						i++;
					gfile_ed_map_mac(&ed, job, off + s,
					    off + i);
				}
			} else if (addr_sec && gfile_span_eq(a, alen, "Address")) {
				gfile_ed_map_ip(&ed, job, off, off + vlen, "/");
			} else if (gw_sec && gfile_span_eq(a, alen, "Gateway")) {
				gfile_ed_map_gw(&ed, job, off, off + vlen, "");
			}
			break;
		}
	}
	gfile_ed_finish(&ed);
	return 0;
}
