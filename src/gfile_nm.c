/*
 * gfile_nm.c - NetworkManager keyfiles (system-connections/
 * *.nmconnection and extension-less keyfiles there).
 *
 * The editor changes [connection] uuid=, a mac-address= or
 * cloned-mac-address= equal to a mapped MAC (keywords such as
 * cloned-mac-address=stable never match), the address part of
 * [ipv4] addressN= / addressesN= (the /prefix, the gateway after ',' or
 * ';' kept) and dhcp-hostname= (short name).  It never adds a key.  It
 * does not decode GKeyFile escapes: every value it writes or compares is
 * a plain token.  Keeping the file 0600 is the writer's job (guest.c).
 */
#include <string.h>

#include "gfile_nm.h"

/* address, address1, addresses, addresses2, ... */
static bool
is_address_key(const char *a, size_t n)
{
	size_t i;

	if (n >= 9 && memcmp(a, "addresses", 9) == 0)
		i = 9;
	else if (n >= 7 && memcmp(a, "address", 7) == 0)
		i = 7;
	else
		return false;
	for (; i < n; i++)
		if (a[i] < '0' || a[i] > '9')
			return false;
	return true;
}

int
gfile_nm_edit(const struct gfile_job *job, const char *in, size_t len,
    struct buf *out)
{
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct gfile_ed ed;
	const char *a, *v;
	size_t pos = 0, alen, vlen, off, hlen;
	enum { S_OTHER, S_CONNECTION, S_IPV4, S_IPV6 } sec = S_OTHER;

	gfile_ed_init(&ed, in, len, out);
	while (gfile_line_next(in, len, &pos, &l)) {
		switch (gfile_ini_line(&l, &a, &alen, &v, &vlen)) {
		case 1:
			if (gfile_span_eq(a, alen, "connection"))
				sec = S_CONNECTION;
			else if (gfile_span_eq(a, alen, "ipv4"))
				sec = S_IPV4;
			else if (gfile_span_eq(a, alen, "ipv6"))
				sec = S_IPV6;
			else
				sec = S_OTHER;
			break;
		case 2:
			off = l.off + (size_t)(v - l.p);
			if (sec == S_CONNECTION && gfile_span_eq(a, alen, "uuid") &&
			    job->uuid != NULL) {
				if (!gfile_span_eq(v, vlen, job->uuid))
					gfile_ed_replace(&ed, off, off + vlen,
					    job->uuid, strlen(job->uuid));
			} else if (gfile_span_eq(a, alen, "mac-address") ||
			    gfile_span_eq(a, alen, "cloned-mac-address")) {
				gfile_ed_map_mac(&ed, job, off, off + vlen);
			} else if (sec == S_IPV4 && is_address_key(a, alen)) {
				gfile_ed_map_ip(&ed, job, off, off + vlen,
				    "/,;");
			} else if ((sec == S_IPV4 || sec == S_IPV6) &&
			    gfile_span_eq(a, alen, "dhcp-hostname") &&
			    job->hostname != NULL) {
				hlen = gfile_short_len(job->hostname);
				if (vlen != hlen ||
				    memcmp(v, job->hostname, hlen) != 0)
					gfile_ed_replace(&ed, off, off + vlen,
					    job->hostname, hlen);
			}
			break;
		}
	}
	gfile_ed_finish(&ed);
	return 0;
}
