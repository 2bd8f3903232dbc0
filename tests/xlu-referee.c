/*
 * xlu-referee.c - print what Xen's own config parser (libxlutil) reads
 * from an xl domain config, for tests/t-vmcfg.sh: the referee that checks
 * imprint's edits of xl-style files.  Test-only; not part of imprint.
 *
 * Output, one item per line:
 *	name=VALUE	(or "name absent")
 *	uuid=VALUE	(or "uuid absent")
 *	vif[N]=SPEC
 *	disk[N]=SPEC
 * Exit status: 0 read, 1 libxlutil rejected the file, 2 usage.
 *
 * "xlu-referee --disk SPEC" instead parses one disk spec with xl's own
 * xlu_disk_parse and prints what xl makes of it, on one line:
 *	format=F vdev=V target=PATH access=rw|ro backend=B
 * (exit 1 when xl rejects the spec): tests/t-vmcfg.sh uses it to prove
 * that a "diskN.format" edit means that format to xl.
 *
 * Build: cc -o referee tests/xlu-referee.c -lxlutil -lxenlight
 */
#include <stdio.h>
#include <string.h>

#include <libxlutil.h>

static void
put_string(XLU_Config *cfg, const char *key)
{
	const char *v;

	if (xlu_cfg_get_string(cfg, key, &v, 1) == 0)
		printf("%s=%s\n", key, v);
	else
		printf("%s absent\n", key);
}

static void
put_list(XLU_Config *cfg, const char *key)
{
	XLU_ConfigList *l;
	const char *v;
	int i, n;

	if (xlu_cfg_get_list(cfg, key, &l, &n, 1) != 0)
		return;
	for (i = 0; i < n; i++) {
		v = xlu_cfg_get_listitem(l, i);
		printf("%s[%d]=%s\n", key, i, v ? v : "(not a string)");
	}
}

static int
put_disk(const char *spec)
{
	XLU_Config *cfg;
	libxl_device_disk d;
	int rc = 1;

	if ((cfg = xlu_cfg_init(stderr, "disk")) == NULL) {
		perror("xlu_cfg_init");
		return 2;
	}
	libxl_device_disk_init(&d);
	if (xlu_disk_parse(cfg, 1, &spec, &d) == 0) {
		printf("format=%s vdev=%s target=%s access=%s backend=%s\n",
		    libxl_disk_format_to_string(d.format),
		    d.vdev ? d.vdev : "(none)",
		    d.pdev_path ? d.pdev_path : "(none)",
		    d.readwrite ? "rw" : "ro",
		    libxl_disk_backend_to_string(d.backend));
		rc = 0;
	}
	libxl_device_disk_dispose(&d);
	xlu_cfg_destroy(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	XLU_Config *cfg;

	if (argc == 3 && strcmp(argv[1], "--disk") == 0)
		return put_disk(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: xlu-referee FILE\n"
		    "       xlu-referee --disk SPEC\n");
		return 2;
	}
	if ((cfg = xlu_cfg_init(stderr, argv[1])) == NULL) {
		perror("xlu_cfg_init");
		return 2;
	}
	if (xlu_cfg_readfile(cfg, argv[1]) != 0) {
		xlu_cfg_destroy(cfg);
		return 1;
	}
	put_string(cfg, "name");
	put_string(cfg, "uuid");
	put_list(cfg, "vif");
	put_list(cfg, "disk");
	xlu_cfg_destroy(cfg);
	return 0;
}
