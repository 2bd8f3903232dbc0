/*
 * lvsnap.c - LVM snapshots from the host: lvs, lvcreate, lvremove run
 * without a shell, and the pure parsing and arithmetic around them
 * (lvsnap.h).
 */
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvsnap.h"
#include "runtool.h"
#include "util.h"

#define LVS_FIELDS "lv_name,vg_name,lv_path,lv_size,lv_attr,segtype," \
	"origin,data_percent,vg_free,vg_extent_size"
#define LVS_OUT_MAX	(64 * 1024)

/* Copy v[0..n-1] into dst[size]; -1 when it does not fit. */
static int
put(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* A plain decimal byte count; -1 when it is not one. */
static int
put_u64(uint64_t *dst, const char *v, size_t n)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' ||
		    x > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*dst = x;
	return 0;
}

/* data_percent: "" (none), "91.5", "91.50", "100.00" (',' taken too). */
static int
put_percent(struct lvsnap_lv *lv, const char *v, size_t n)
{
	unsigned ip = 0, fp = 0, nf = 0;
	size_t i = 0;

	lv->has_percent = false;
	if (n == 0)
		return 0;
	for (; i < n && v[i] >= '0' && v[i] <= '9' && ip <= 1000; i++)
		ip = ip * 10 + (unsigned)(v[i] - '0');
	if (i == 0 || ip > 100)
		return -1;
	if (i < n && (v[i] == '.' || v[i] == ',')) {
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++)
			if (nf < 2) {
				fp = fp * 10 + (unsigned)(v[i] - '0');
				nf++;
			}
		if (nf == 1)
			fp *= 10;
	}
	if (i != n || ip * 100 + fp > 10000)
		return -1;
	lv->percent_x100 = ip * 100 + fp;
	lv->has_percent = true;
	return 0;
}

int
lvsnap_parse(const char *text, size_t len, struct lvsnap_lv *out,
    const char **why_r)
{
	static const char *const want[] = { "LV_NAME", "VG_NAME", "LV_PATH",
	    "LV_SIZE", "LV_ATTR", "SEGTYPE", "ORIGIN", "DATA_PERCENT",
	    "VG_FREE", "VG_EXTENT_SIZE" };
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	unsigned seen = 0;
	size_t i = 0, ks, kn, vs, vn, k, lines = 0;
	int bad;

	memset(out, 0, sizeof(*out));
	*why_r = NULL;
	while (i < len) {
		/* one line: blanks, then KEY=VALUE pairs */
		bool any = false;

		while (i < len && text[i] != '\n') {
			if (text[i] == ' ' || text[i] == '\t' ||
			    text[i] == '\r') {
				i++;
				continue;
			}
			if (!any && lines++ > 0) {
				*why_r = "more than one LV";
				return -1;
			}
			any = true;
			ks = i;
			while (i < len && text[i] != '=' && text[i] != ' ' &&
			    text[i] != '\n')
				i++;
			if (i >= len || text[i] != '=') {
				*why_r = "a field without '='";
				return -1;
			}
			kn = i - ks;
			i++;
			if (i < len && text[i] == '\'') {
				vs = ++i;
				while (i < len && text[i] != '\'' &&
				    text[i] != '\n')
					i++;
				if (i >= len || text[i] != '\'') {
					*why_r = "an unterminated quote";
					return -1;
				}
				vn = i++ - vs;
			} else {
				vs = i;
				while (i < len && text[i] != ' ' &&
				    text[i] != '\t' && text[i] != '\n' &&
				    text[i] != '\r')
					i++;
				vn = i - vs;
			}
			if (kn > 5 && strncmp(text + ks, "LVM2_", 5) == 0) {
				ks += 5;
				kn -= 5;
			}
			for (k = 0; k < nwant; k++)
				if (strlen(want[k]) == kn &&
				    strncmp(text + ks, want[k], kn) == 0)
					break;
			if (k == nwant)
				continue;	/* a field not asked for */
			if (memchr(text + vs, '\0', vn) != NULL) {
				*why_r = "a NUL byte in a value";
				return -1;
			}
			switch (k) {
			case 0: bad = put(out->lv_name,
				    sizeof(out->lv_name), text + vs, vn); break;
			case 1: bad = put(out->vg_name,
				    sizeof(out->vg_name), text + vs, vn); break;
			case 2: bad = put(out->lv_path,
				    sizeof(out->lv_path), text + vs, vn); break;
			case 3: bad = put_u64(&out->lv_size, text + vs, vn);
				break;
			case 4: bad = put(out->lv_attr,
				    sizeof(out->lv_attr), text + vs, vn); break;
			case 5: bad = put(out->segtype,
				    sizeof(out->segtype), text + vs, vn); break;
			case 6: bad = put(out->origin,
				    sizeof(out->origin), text + vs, vn); break;
			case 7: bad = put_percent(out, text + vs, vn); break;
			case 8: bad = put_u64(&out->vg_free, text + vs, vn);
				break;
			default: bad = put_u64(&out->extent_size, text + vs,
				    vn); break;
			}
			if (bad) {
				*why_r = "a value too long or not a number";
				return -1;
			}
			seen |= 1u << k;
		}
		i++;
	}
	if (lines == 0) {
		*why_r = "no LV";
		return -1;
	}
	if (seen != (1u << nwant) - 1) {
		*why_r = "a field missing";
		return -1;
	}
	if (!lvsnap_name_valid(out->lv_name) ||
	    !lvsnap_name_valid(out->vg_name) || out->lv_path[0] != '/' ||
	    (*out->origin && !lvsnap_name_valid(out->origin))) {
		*why_r = "a name LVM would not give";
		return -1;
	}
	if (out->extent_size == 0) {
		*why_r = "an extent size of 0";
		return -1;
	}
	return 0;
}

/* The first line of b (a tool's stderr), for a message. */
static const char *
first_line(const struct buf *b, char *line, size_t size)
{
	const char *s = b->data ? b->data : "";
	size_t n;

	s += strspn(s, " \t");
	n = strcspn(s, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(line, s, n);
	line[n] = '\0';
	return line;
}

int
lvsnap_query(const char *path, struct lvsnap_lv *out)
{
	struct buf o = BUF_INIT, e = BUF_INIT;
	char *argv[] = { (char *)"lvs", (char *)"--noheadings",
	    (char *)"--nameprefixes", (char *)"--units", (char *)"b",
	    (char *)"--nosuffix", (char *)"-o", (char *)LVS_FIELDS,
	    (char *)path, NULL };
	const char *why;
	char line[256];
	int st = 0, r;

	memset(out, 0, sizeof(*out));
	r = run_capture(argv, "lvs", 60, LVS_OUT_MAX, &o, &e, &st);
	if (r == 1) {
		warnx("cannot ask LVM about '%s': lvs is not installed "
		    "(Debian: lvm2)", esc(path));
		r = -1;
	} else if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		if (WIFEXITED(st)) {
			r = 1;
			(void)first_line(&e, out->why, sizeof(out->why));
			if (out->why[0] == '\0')
				snprintf(out->why, sizeof(out->why),
				    "lvs exit %d", WEXITSTATUS(st));
		} else {
			warnx("cannot ask LVM about '%s': lvs was killed by "
			    "signal %d", esc(path), WTERMSIG(st));
			r = -1;
		}
	} else if (r == 0 && lvsnap_parse(o.data ? o.data : "", o.len, out,
	    &why) == -1) {
		warnx("cannot ask LVM about '%s': lvs printed what imprint "
		    "does not understand (%s): %s", esc(path), why,
		    first_line(&o, line, sizeof(line)));
		r = -1;
	}
	buf_release(&o);
	buf_release(&e);
	return r;
}

bool
lvsnap_name_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n >= LVSNAP_NAME_MAX || name[0] == '-' ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '_' ||
		    c == '.' || c == '-'))
			return false;
	}
	return true;
}

bool
lvsnap_is_thin(const struct lvsnap_lv *lv)
{
	return strcmp(lv->segtype, "thin") == 0;
}

bool
lvsnap_is_thick_snapshot(const struct lvsnap_lv *lv)
{
	return lv->lv_attr[0] == 's' || lv->lv_attr[0] == 'S';
}

int
lvsnap_parse_size(const char *s, uint64_t *bytes_r, const char **why_r)
{
	uint64_t x = 0, mul;
	size_t i;

	*why_r = NULL;
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (x > (UINT64_MAX - 9) / 10) {
			*why_r = "too large";
			return -1;
		}
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0) {
		*why_r = "want a number and a unit, such as 512M or 2G";
		return -1;
	}
	switch (s[i]) {
	case 'k': case 'K': mul = 1ULL << 10; break;
	case 'm': case 'M': mul = 1ULL << 20; break;
	case 'g': case 'G': mul = 1ULL << 30; break;
	case 't': case 'T': mul = 1ULL << 40; break;
	default:
		*why_r = "want a unit K, M, G or T (1024-based, as lvcreate's)";
		return -1;
	}
	if (s[i + 1] != '\0') {
		*why_r = "want a number and a unit, such as 512M or 2G";
		return -1;
	}
	if (x == 0) {
		*why_r = "a snapshot needs some space";
		return -1;
	}
	if (x > UINT64_MAX / mul / 2) {
		*why_r = "too large";
		return -1;
	}
	*bytes_r = x * mul;
	return 0;
}

uint64_t
lvsnap_round_extents(uint64_t bytes, uint64_t extent)
{
	uint64_t n;

	if (extent == 0)
		return 0;
	n = bytes / extent + (bytes % extent != 0);
	if (n == 0)
		n = 1;
	if (n > UINT64_MAX / extent)
		return 0;
	return n * extent;
}

uint64_t
lvsnap_default_size(uint64_t origin_size, uint64_t extent)
{
	return lvsnap_round_extents(origin_size / 5 + (origin_size % 5 != 0),
	    extent);
}

char *
lvsnap_short_message(const char *vg, uint64_t need, uint64_t free,
    uint64_t extent)
{
	if (need <= free || extent == 0)
		return NULL;
	return xasprintf("refusing to clone: VG '%s' has %" PRIu64 " bytes "
	    "free (%" PRIu64 " extents of %" PRIu64 " bytes), the snapshots "
	    "need %" PRIu64 " bytes (%" PRIu64 " extents); give a smaller "
	    "--snapshot-size, or free space in the VG (vgextend, lvreduce)",
	    vg, free, free / extent, extent, need,
	    need / extent + (need % extent != 0));
}

char *
lvsnap_health(const struct lvsnap_lv *lv, bool *warn_r)
{
	*warn_r = false;
	if (lv->origin[0] == '\0')
		return NULL;
	if (lvsnap_is_thin(lv))
		return xasprintf("thin snapshot of %s/%s", lv->vg_name,
		    lv->origin);
	if (lv->lv_attr[0] == 'S' || !lv->has_percent) {
		*warn_r = true;
		return xasprintf("snapshot of %s/%s, INVALID: its "
		    "copy-on-write space filled, its data is lost (remove it "
		    "with lvremove)", lv->vg_name, lv->origin);
	}
	*warn_r = lv->percent_x100 > LVSNAP_WARN_PERCENT * 100;
	return xasprintf("snapshot of %s/%s, copy-on-write space %u.%02u%% "
	    "used", lv->vg_name, lv->origin, lv->percent_x100 / 100,
	    lv->percent_x100 % 100);
}

/* Run an LVM tool that changes something; 0, or -1 after one message. */
static int
run_lvm(char *const argv[], const char *what, const char *object)
{
	char *why;

	if (run_tool(argv, "lvm2", 300, LVS_OUT_MAX, NULL, &why) == 0)
		return 0;
	if (why)
		warnx("cannot %s LV '%s': %s", what, esc(object), esc(why));
	free(why);
	return -1;
}

int
lvsnap_create(const char *vg, const char *origin, const char *new_lv,
    uint64_t size)
{
	char *src = xasprintf("%s/%s", vg, origin);
	char *obj = xasprintf("%s/%s", vg, new_lv);
	char *sz = xasprintf("%" PRIu64 "b", size);
	char *thick[] = { (char *)"lvcreate", (char *)"--snapshot",
	    (char *)"--size", sz, (char *)"--name", (char *)new_lv, src,
	    NULL };
	char *thin[] = { (char *)"lvcreate", (char *)"--snapshot",
	    (char *)"--setactivationskip", (char *)"n", (char *)"--name",
	    (char *)new_lv, src, NULL };
	int r;

	r = run_lvm(size ? thick : thin, "create snapshot", obj);
	free(sz);
	free(obj);
	free(src);
	return r;
}

int
lvsnap_remove(const char *vg, const char *lv)
{
	char *obj = xasprintf("%s/%s", vg, lv);
	char *argv[] = { (char *)"lvremove", (char *)"-f", obj, NULL };
	int r;

	r = run_lvm(argv, "remove", obj);
	free(obj);
	return r;
}
