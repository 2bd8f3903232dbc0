/*
 * gfile_hwconf.h - kudzu's /etc/sysconfig/hwconf (RHEL/OEL 4 and 5): the
 * MAC mapping of imprint apply.  Follows the whole-file editing contract
 * of gfile_lib.h.
 */
#ifndef IMPRINT_GFILE_HWCONF_H
#define IMPRINT_GFILE_HWCONF_H

#include "gfile_lib.h"

/*
 * OEL5/RHEL5 kudzu /etc/sysconfig/hwconf: records separated by `-` lines
 * of `key: value` lines.  The value of every `hwaddr:` or
 * `*.hwaddr:` (kudzu writes `network.hwaddr:`) line equal to a macs[].from
 * (ignoring case) becomes its .to, in the letter case of the old value
 * (all upper case when it had upper-case letters and no lower-case ones,
 * else lower case as given): kudzu compares case-insensitively, so the
 * case only keeps the edit minimal.  Kudzu renames ifcfg files to .bak at
 * boot when the hardware no longer matches its record, so the record must
 * follow the new MAC.
 */
int	 gfile_hwconf_map_mac(const char *in, size_t len,
	    const struct gfile_map *macs, size_t n, struct buf *out);

#endif
