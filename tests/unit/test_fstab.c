/*
 * test_fstab.c - which /etc/fstab lines guest.c mounts before it reads a
 * file: /etc, /var and below only, parents first, noauto and comments
 * left out, escapes undone, volatile and unmountable ones told apart.
 */
#include <stdlib.h>
#include <string.h>

#include "fstab.h"
#include "unit.h"
#include "util.h"

static size_t
parse(const char *text, struct fstab_ent **e)
{
	return fstab_below(text, strlen(text), e);
}

static void
test_el(void)
{
	/* A CIS-hardened EL guest: /var, /var/log, /var/tmp on their own */
	static const char t[] =
	    "# /etc/fstab\n"
	    "/dev/VolGroup00/LogVol00 /         ext4 defaults 1 1\n"
	    "UUID=6a1e-77 /boot ext4 defaults 1 2\n"
	    "/dev/VolGroup00/var_log /var/log ext4 defaults,nodev 1 2\n"
	    "\n"
	    "   # LABEL=old /var ext3 defaults 1 2\n"
	    "LABEL=var\t/var\text4\tdefaults\t1 2\r\n"
	    "tmpfs /var/tmp tmpfs nodev,nosuid 0 0\n"
	    "/dev/VolGroup00/LogVol01 swap swap defaults 0 0\n"
	    "proc /proc proc defaults 0 0\n"
	    "/dev/sdb1 /var/cache ext4 noauto 0 0\n"
	    "/dev/xvda3 /etc/pki ext4 defaults 0 0";	/* no newline */
	struct fstab_ent *e;
	size_t n = parse(t, &e);

	CHECK_INT(n, 4);
	if (n != 4)
		return;
	/* /var before its children, then the listed order; /boot, swap,
	 * /proc, the comment and the noauto line are not there */
	CHECK_STR(e[0].dir, "/var");
	CHECK_STR(e[0].spec, "LABEL=var");
	CHECK_STR(e[0].type, "ext4");
	CHECK_INT(e[0].line, 7);
	CHECK_INT(e[0].what, FSTAB_MOUNT);
	CHECK_STR(e[1].dir, "/var/log");
	CHECK_STR(e[1].spec, "/dev/VolGroup00/var_log");
	CHECK_INT(e[1].line, 4);
	CHECK_STR(e[2].dir, "/var/tmp");
	CHECK_INT(e[2].what, FSTAB_VOLATILE);
	CHECK_STR(e[3].dir, "/etc/pki");
	CHECK_STR(e[3].spec, "/dev/xvda3");
	CHECK_INT(e[3].line, 12);
	fstab_free(e, n);
}

static void
test_refused(void)
{
	static const char t[] =
	    "srv:/export/var /var nfs defaults 0 0\n"
	    "/srv/etc /etc none bind 0 0\n"
	    "/data/lib /var/lib ext4 rw,bind 0 0\n"
	    "//srv/share /var/share cifs defaults 0 0\n"
	    "UUID=1 /var/../etc ext4 defaults 0 0\n"
	    "UUID=2 /var/spool/ ext4 defaults 0 0\n";
	static const char *const why[] = {	/* listed order: same depths */
		"a network filesystem", "a bind mount", "a bind mount",
		"a network filesystem", "not a plain mount point",
		"not a plain mount point",
	};
	struct fstab_ent *e;
	size_t n = parse(t, &e), i;

	CHECK_INT(n, 6);
	for (i = 0; i < n && i < 6; i++) {
		CHECK_INT(e[i].what, FSTAB_REFUSE);
		CHECK_STR(e[i].why, why[i]);
	}
	fstab_free(e, n);
}

static void
test_escapes(void)
{
	static const char t[] =
	    "LABEL=my\\040var /var ext4 defaults 0 0\n"
	    "LABEL=x /var/lib/my\\011dir ext4 defaults 0 0\n"
	    "LABEL=y /var\\134x ext4 defaults 0 0\n"
	    "LABEL=z /home ext4 defaults 0 0\n"
	    "LABEL=w /variable ext4 defaults 0 0\n"
	    "LABEL=v /etcetera ext4 defaults 0 0\n"
	    "/dev/sda5\n"				/* one field */
	    "/dev/sda6 /var\n";				/* no type */
	struct fstab_ent *e;
	size_t n = parse(t, &e);

	/* /var\x, /home, /variable, /etcetera: not /var or /etc */
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(e[0].spec, "LABEL=my var");
		CHECK_STR(e[0].dir, "/var");
		CHECK_STR(e[1].dir, "/var");
		CHECK_STR(e[1].spec, "/dev/sda6");
		CHECK_STR(e[1].type, "auto");
		CHECK_STR(e[2].dir, "/var/lib/my\tdir");
	}
	fstab_free(e, n);
	CHECK_INT(parse("", &e), 0);
	CHECK(e == NULL);
	CHECK_INT(parse("# nothing\n\n", &e), 0);
	fstab_free(e, 0);
}

int
main(void)
{
	test_el();
	test_refused();
	test_escapes();
	return unit_done();
}
