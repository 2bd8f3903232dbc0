/*
 * gfile_hwconf.c - kudzu's hardware database /etc/sysconfig/hwconf
 * (RHEL/OEL 4 and 5): records of `key: value` lines separated by `-`
 * lines; NIC records carry `network.hwaddr: 00:16:3e:...`.
 *
 * At boot kudzu compares the NICs it finds with its records and, for a
 * NIC whose MAC is no longer recorded, "removes" the old configuration
 * (renaming ifcfg-eth0 to ifcfg-eth0.bak) and treats the new one as new
 * hardware.  A clone with new MACs must therefore have its records
 * follow them.  Only the MAC text changes; records are never added or
 * removed (kudzu adds a record for hardware it has not seen, harmlessly).
 */
#include <err.h>
#include <stdbool.h>
#include <string.h>

#include "gfile_hwconf.h"
#include "valid.h"

/* Is [k, k+n) "hwaddr" or "something.hwaddr"? */
static bool
hwaddr_key(const char *k, size_t n)
{
	return (n == 6 && memcmp(k, "hwaddr", 6) == 0) ||
	    (n > 7 && memcmp(k + n - 7, ".hwaddr", 7) == 0);
}

/* All upper case when s has upper-case hex letters and no lower-case. */
static bool
upper_case(const char *s, size_t n)
{
	bool upper = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'f')
			return false;
		if (s[i] >= 'A' && s[i] <= 'F')
			upper = true;
	}
	return upper;
}

int
gfile_hwconf_map_mac(const char *in, size_t len,
    const struct gfile_map *macs, size_t n, struct buf *out)
{
	struct gfile_job job;
	struct gfile_line l = { NULL, 0, 0, 0 };
	struct gfile_ed ed;
	const char *colon, *to;
	char nv[18];
	size_t pos = 0, i, ks, ke, vs, ve;

	for (i = 0; i < n; i++)
		if (!mac_valid_nic(macs[i].to)) {
			warnx("refusing MAC '%s' for the hwconf file: not a "
			    "NIC address", macs[i].to);
			return -1;
		}
	memset(&job, 0, sizeof(job));
	job.macs = macs;
	job.nmacs = n;
	gfile_ed_init(&ed, in, len, out);
	while (gfile_line_next(in, len, &pos, &l)) {
		colon = memchr(l.p, ':', l.len);
		if (colon == NULL)
			continue;
		ks = 0;
		while (ks < l.len && gfile_is_blank(l.p[ks]))
			ks++;
		ke = (size_t)(colon - l.p);
		if (ke < ks || !hwaddr_key(l.p + ks, ke - ks))
			continue;
		vs = ke + 1;
		while (vs < l.len && gfile_is_blank(l.p[vs]))
			vs++;
		ve = l.len;
		while (ve > vs && gfile_is_blank(l.p[ve - 1]))
			ve--;
		if ((to = gfile_job_mac(&job, l.p + vs, ve - vs)) == NULL)
			continue;
		memcpy(nv, to, 17);
		nv[17] = '\0';
		if (upper_case(l.p + vs, ve - vs))
			for (i = 0; i < 17; i++)
				if (nv[i] >= 'a' && nv[i] <= 'f')
					nv[i] -= 'a' - 'A';
		if (memcmp(l.p + vs, nv, 17) != 0)
			gfile_ed_replace(&ed, l.off + vs, l.off + ve, nv, 17);
	}
	gfile_ed_finish(&ed);
	return 0;
}
