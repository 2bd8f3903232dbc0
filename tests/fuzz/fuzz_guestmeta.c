/*
 * fuzz_guestmeta.c - libFuzzer harness for the readers of guest metadata
 * that decide what guest.c mounts: LVM's text metadata and PV label
 * (lvmeta.c) and /etc/fstab (fstab.c).  All are the guest's bytes.
 *
 * Invariants: a linear LV's range lies inside 63 bits and after the PV's
 * first extent; a label lists no more metadata areas than fit in a
 * sector; every fstab entry mounts at /etc, /var or below, on a line of
 * the input, parents before their children.  Any broken one aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fstab.h"
#include "lvmeta.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static size_t
depth(const char *d)
{
	size_t n = 0;

	for (; *d; d++)
		n += *d == '/';
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *why;
	struct fstab_ent *e;
	struct lv_range r;
	size_t n, i, lines = 1;
	char *dev;
	int mdas;

	if (lvmeta_linear(text, size, "VolGroup00", "LogVol00", &r, &why) ==
	    0) {
		REQUIRE(r.size > 0 && r.offset >= r.data_start);
		REQUIRE(r.offset <= INT64_MAX && r.size <= INT64_MAX - r.offset);
	} else
		REQUIRE(why != NULL);
	free(lvmeta_pv_device(text, size, "VolGroup00"));
	dev = lvmeta_pv_device(text, size, "vg");
	free(dev);
	mdas = lvmeta_label_mdas(text, size);
	REQUIRE(mdas >= -1 && mdas <= 512 / 16);

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	n = fstab_below(text, size, &e);
	for (i = 0; i < n; i++) {
		REQUIRE(e[i].line >= 1 && e[i].line <= lines);
		REQUIRE(strcmp(e[i].dir, "/etc") == 0 ||
		    strcmp(e[i].dir, "/var") == 0 ||
		    strncmp(e[i].dir, "/etc/", 5) == 0 ||
		    strncmp(e[i].dir, "/var/", 5) == 0);
		REQUIRE(e[i].spec != NULL && e[i].type != NULL);
		REQUIRE(e[i].what != FSTAB_REFUSE || e[i].why != NULL);
		if (i > 0)
			REQUIRE(depth(e[i - 1].dir) <= depth(e[i].dir));
	}
	fstab_free(e, n);
	return 0;
}
