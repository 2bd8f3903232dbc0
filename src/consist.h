/*
 * consist.h - judge whether a guest's identity agrees with itself and with
 * its Xen domain config: the checks behind `imprint inspect`'s exit status.
 *
 * Pure: it reads a survey and a parsed config, and returns findings; the
 * disk checks stat(2) the paths they compare.
 */
#ifndef IMPRINT_CONSIST_H
#define IMPRINT_CONSIST_H

#include <stddef.h>

struct survey;
struct domcfg;

/*
 * One problem.  code is a stable identifier (documented in imprint(1)):
 *   vif-no-mac         a vif without mac=: xl invents one at every start
 *   vif-bad-mac        a vif mac= that is not a usable unicast MAC
 *   vif-mac-unbound    a vif MAC no guest NIC config or udev rule names
 *   guest-mac-absent   a guest HWADDR/MACADDR/hwaddress not among the vifs
 *   udev-mac-absent    a persistent-net rule pins a MAC not among the vifs
 *   udev-ifcfg-mismatch a rule and the ifcfg of one name disagree on MAC
 *   duplicate-mac      one MAC on two vifs, or on two guest NIC configs
 *   disk-not-image     no disk of the config names the inspected image
 *   disk-other-image   a disk of the config is another image of the run
 *                      (--vmcfg auto), one with a config of its own
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
size_t	 consist_check(const struct survey *s, const struct domcfg *cfg,
	    struct finding **f_r);
void	 consist_free(struct finding *, size_t n);

/*
 * The disk checks of image k of a run, images[0..n-1] as given, each
 * with its config's path cfgpaths[i] (NULL: none).  cfg is image k's
 * config.  "disk-not-image" when cfg has guest disks (disks_guest) and
 * none of them is images[k] (disks_same_path: one file when both exist,
 * else equal strings); "disk-other-image" for each guest disk of cfg
 * that is images[i], i != k, when image i's config is another file.
 * The findings are appended to *f_r, which holds nf of them (from
 * consist_check, or NULL and 0); returns the new count.
 */
size_t	 consist_check_disks(const struct domcfg *cfg,
	    const char *const *images, const char *const *cfgpaths, size_t n,
	    size_t k, struct finding **f_r, size_t nf);

#endif
