/*
 * gfile_nm.c - NetworkManager keyfiles (system-connections/
 * *.nmconnection and extension-less keyfiles there).
 *
 * The editor changes [connection] uuid=, a mac-address= or
 * cloned-mac-address= equal to a mapped MAC (keywords such as
 * cloned-mac-address=stable never match; a decimal byte list
 * "0;22;62;43;140;1;" of old files is matched and written as one), the
 * address and gateway parts of [ipv4] addressN= / addressesN= (the
 * /prefix kept) and [ipv4] gateway= and dhcp-hostname= (short name).  It never adds a key.  It
 * does not decode GKeyFile escapes: every value it writes or compares is
 * a plain token.  Keeping the file 0600 is the writer's job (guest.c).
 */
#include <stdio.h>
#include <string.h>

#include "gfile_nm.h"

int
gfile_nm_decimal_mac(const char *s, size_t n, char out[18])
{
	unsigned int b[6];
	size_t i, k = 0, digits;

	for (i = 0; i < 6; i++) {
		b[i] = 0;
		for (digits = 0; k < n && s[k] >= '0' && s[k] <= '9';
		    k++, digits++)
			b[i] = b[i] * 10 + (unsigned int)(s[k] - '0');
		if (digits == 0 || digits > 3 || b[i] > 255)
			return -1;
		if (k < n && s[k] == ';')
			k++;
		else if (i < 5 || k < n)
			return -1;
	}
	if (k != n)
		return -1;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
	    b[3], b[4], b[5]);
	return 0;
}

/*
 * A mac-address value: a MAC text the job maps, or an old keyfile's
 * decimal list, written back as a decimal list.
 */
static void
map_mac(struct gfile_ed *ed, const struct gfile_job *job, size_t start,
    size_t end)
{
	char mac[18], dec[32];
	unsigned int b[6];
	const char *to;

	if (gfile_nm_decimal_mac(ed->in + start, end - start, mac) == -1) {
		gfile_ed_map_mac(ed, job, start, end);
		return;
	}
	if ((to = gfile_job_mac(job, mac, 17)) == NULL ||
	    sscanf(to, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3],
	    &b[4], &b[5]) != 6)
		return;
	snprintf(dec, sizeof(dec), "%u;%u;%u;%u;%u;%u;", b[0], b[1], b[2],
	    b[3], b[4], b[5]);
	gfile_ed_replace(ed, start, end, dec, strlen(dec));
}

/*
 * The gateway of an addressN value: "a/N,gw", or the old "a;N;gw;" list
 * of addressesN; mapped as the address is.
 */
static void
map_address_gateway(struct gfile_ed *ed, const struct gfile_job *job,
    size_t off, const char *v, size_t vlen)
{
	const char *c = memchr(v, ',', vlen);
	size_t g, semis = 0;

	if (c != NULL)
		g = (size_t)(c - v) + 1;
	else {
		for (g = 0; g < vlen && semis < 2; g++)
			if (v[g] == ';')
				semis++;
		if (semis < 2)
			return;
	}
	if (g < vlen)
		gfile_ed_map_gw(ed, job, off + g, off + vlen, ",;");
}

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
				map_mac(&ed, job, off, off + vlen);
			} else if (sec == S_IPV4 && is_address_key(a, alen)) {
				gfile_ed_map_ip(&ed, job, off, off + vlen,
				    "/,;");
				map_address_gateway(&ed, job, off, v, vlen);
			} else if (sec == S_IPV4 &&
			    gfile_span_eq(a, alen, "gateway")) {
				gfile_ed_map_gw(&ed, job, off, off + vlen, "");
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
