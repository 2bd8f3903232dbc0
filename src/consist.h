/*
 * consist.h - judge whether a guest's identity agrees with itself and with
 * its Xen domain config: the checks behind `imprint inspect`'s exit status.
 *
 * Pure: it reads a survey and a parsed config, and returns findings.
 */
#ifndef IMPRINT_CONSIST_H
#define IMPRINT_CONSIST_H

#include <stddef.h>

struct survey;
struct hostcfg;

/*
 * One problem.  code is a stable identifier (documented in imprint(1)):
 *   vif-no-mac         a vif without mac=: xl invents one at every start
 *   vif-bad-mac        a vif mac= that is not a usable unicast MAC
 *   vif-mac-unbound    a vif MAC no guest NIC config or udev rule names
 *   guest-mac-absent   a guest HWADDR/MACADDR/hwaddress not among the vifs
 *   udev-mac-absent    a persistent-net rule pins a MAC not among the vifs
 *   udev-ifcfg-mismatch a rule and the ifcfg of one name disagree on MAC
 *   duplicate-mac      one MAC on two vifs, or on two guest NIC configs
 * message is one line naming the file(s), line, MACs and what follows.
 */
struct finding {
	const char	*code;
	char		*message;
};

/*
 * Check s, and s against cfg when cfg is not NULL.  Returns the number of
 * findings in *f_r (free with consist_free); 0 means consistent.
 */
size_t	 consist_check(const struct survey *s, const struct hostcfg *cfg,
	    struct finding **f_r);
void	 consist_free(struct finding *, size_t n);

#endif
