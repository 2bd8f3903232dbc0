/*
 * test_undo.c - unit tests for undo.c: the exact bytes of a record, a
 * save/load round trip with awkward paths and binary data, the merge
 * rule (earliest original wins), applied lines, a record put back after
 * a run that changed nothing, and refusal with the
 * right message of truncated, damaged, foreign, oversized, symlinked and
 * badly owned records; saving leaves no temporary file and never a
 * half-written record.  The checksum is recomputed here by an
 * independent bit-by-bit CRC-32.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "undo.h"
#include "hostdir.h"
#include "unit.h"
#include "util.h"

#ifndef FIXTURES
#define FIXTURES "tests/data/fixtures"
#endif

/* A libvirt domain as an undo record names it (virtdom.h). */
#define LVREF "libvirt:qemu:///system#4f0c2a9e-7d1b-4c3a-9e5f-1a2b3c4d5e6f"

static char dir[] = "/tmp/imprint-undo.XXXXXX";
static const char *fixtures;

static uint32_t
crc32_bits(const char *p, size_t n)
{
	uint32_t c = 0xffffffff;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= (unsigned char)p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c;
}

static void
put(const char *path, const char *s, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd == -1 || write(fd, s, len) != (ssize_t)len) {
		perror(path);
		exit(1);
	}
	close(fd);
	chmod(path, mode);
}

/* S with a correct end line appended (caller frees). */
static char *
sealed(const char *s)
{
	return xasprintf("%send crc32 %08x\n", s, crc32_bits(s, strlen(s)));
}

static char *
slurp(const char *path, size_t *len_r)
{
	char *b = NULL;

	if (read_host_file(path, 1 << 26, &b, len_r) == -1)
		return NULL;
	return b;
}

/*
 * Run undo_load with stderr captured.  Returns the rc; *msg_r gets what
 * was printed (caller frees).
 */
static int
load_msg(const char *image, struct undo **u_r, char **msg_r)
{
	char *path = xasprintf("%s/stderr", dir);
	size_t len;
	int fd, saved, rc;

	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	rc = undo_load(image, u_r);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	*msg_r = slurp(path, &len);
	unlink(path);
	free(path);
	return rc;
}

/* Expect undo_load(IMAGE) to fail printing exactly "prog: WANT\n". */
static void
refused(const char *image, const char *want, int line)
{
	struct undo *u = (struct undo *)1;
	char *msg = NULL, *full;
	int rc;

	rc = load_msg(image, &u, &msg);
	full = xasprintf("%s: %s\n", program_invocation_short_name, want);
	if (!unit_check(rc == -1 && u == NULL && msg != NULL &&
	    strcmp(msg, full) == 0, __FILE__, line, "refused"))
		fprintf(stderr, "    rc %d\n    got  %s    want %s", rc,
		    msg ? msg : "NULL\n", full);
	undo_free(rc == 0 ? u : NULL);
	free(msg);
	free(full);
}

/*
 * Expect a sealed record of the header (image IMG, root /dev/sda2) and
 * ENTRY to be refused with "undo record 'REC': WANT".
 */
static void
refused_entry(const char *img, const char *rec, const char *entry,
    const char *want, int line)
{
	char *s = xasprintf("imprint-undo 1\nimage %s\nroot /dev/sda2\n%s",
	    img, entry), *t = sealed(s), *m;

	put(rec, t, strlen(t), 0600);
	m = xasprintf("undo record '%s': %s", rec, want);
	refused(img, m, line);
	free(m);
	free(s);
	free(t);
}

static char *
fixture(const char *name, size_t *len_r)
{
	char *p = xasprintf("%s/%s", fixtures, name), *b;

	b = slurp(p, len_r);
	if (b == NULL)
		exit(1);
	free(p);
	return b;
}

static void
add_restore(struct undo *u, bool host, const char *path, const char *data,
    size_t len, unsigned mode, unsigned uid, unsigned gid)
{
	struct undo_entry e = { .host = host, .path = (char *)path,
	    .what = UNDO_RESTORE, .data = (char *)data, .len = len,
	    .mode = mode, .uid = uid, .gid = gid };

	undo_add(u, &e);
}

static int
add_delete(struct undo *u, bool host, const char *path)
{
	struct undo_entry e = { .host = host, .path = (char *)path,
	    .what = UNDO_DELETE };

	return undo_add(u, &e);
}

static void
check_entry(const struct undo *u, size_t i, bool host, const char *path,
    enum undo_what what, const char *data, size_t len, unsigned mode,
    unsigned uid, unsigned gid)
{
	const struct undo_entry *e;

	if (!CHECK(i < u->n))
		return;
	e = &u->e[i];
	CHECK_INT(e->host, host);
	CHECK_STR(e->path, path);
	CHECK_INT(e->what, what);
	if (what == UNDO_RESTORE) {
		CHECK_MEM(e->data, e->len, data, len);
		CHECK(e->data != NULL && e->data[e->len] == '\0');
		CHECK_INT(e->mode, mode);
		CHECK_INT(e->uid, uid);
		CHECK_INT(e->gid, gid);
	}
}

/* The exact bytes of a small record. */
static void
test_golden(void)
{
	struct undo *u;
	struct strlist al = STRLIST_INIT;
	char *img = xasprintf("%s/x.img", dir), *rec, *got, *body, *want;
	struct stat st;
	size_t len;

	CHECK_STR(rec = undo_path_for("/OVS/running_pool/vm2/System.img"),
	    "/OVS/running_pool/vm2/System.img.imprint-undo");
	free(rec);
	CHECK_INT(crc32_bits("123456789", 9), 0xcbf43926);

	put(img, "", 0, 0644);
	u = undo_new(img, "/dev/sda2");
	strlist_add(&al, "hostname=a b");
	undo_set_applied(u, &al);
	add_restore(u, false, "/etc/ho%st", "x\n", 2, 0100644, 0, 0);
	add_delete(u, true, "/h");
	CHECK_INT(undo_save(u), 0);
	rec = undo_path_for(img);
	body = xasprintf("imprint-undo 1\nimage %s\nroot /dev/sda2\n"
	    "applied hostname=a%%20b\n"
	    "restore guest /etc/ho%%25st mode=0644 uid=0 gid=0 bytes=2\n"
	    "x\n\ndelete host /h\n", img);
	want = sealed(body);
	got = slurp(rec, &len);
	CHECK_MEM(got, len, want, strlen(want));
	CHECK_INT(lstat(rec, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_uid, geteuid());
	CHECK_INT(dir_entries(dir), 2);	/* image and record, no temp */

	/* an existing record with other modes comes back 0600 */
	chmod(rec, 0644);
	CHECK_INT(undo_save(u), 0);
	CHECK_INT(lstat(rec, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	free(got);
	got = slurp(rec, &len);
	CHECK_MEM(got, len, want, strlen(want));

	/* an empty root is a bare "root" line and loads back as "" */
	free(u->root);
	u->root = xstrdup("");
	CHECK_INT(undo_save(u), 0);
	undo_free(u);
	u = NULL;
	CHECK_INT(undo_load(img, &u), 0);
	if (u != NULL)
		CHECK_STR(u->root, "");
	undo_free(u);
	free(got);
	got = slurp(rec, &len);
	CHECK(got != NULL && strstr(got, "\nroot\napplied ") != NULL);

	CHECK_INT(undo_remove(img), 0);
	CHECK_INT(undo_remove(img), 0);
	CHECK_INT(access(rec, F_OK), -1);
	CHECK_INT(dir_entries(dir), 1);
	unlink(img);
	strlist_release(&al);
	free(got);
	free(body);
	free(want);
	free(rec);
	free(img);
}

/* Awkward names, binary data, empty files, everything round-trips. */
static void
test_roundtrip(void)
{
	static const char bin[] = "\0\001\n\0end crc32 00000000\n\377%";
	static const char *awkward = "/etc/a b\nc%d/\303\251t\303\251\t.conf";
	struct undo *u, *v = NULL;
	struct strlist al = STRLIST_INIT;
	char *sub = xasprintf("%s/dir with space%%", dir);
	char *img, *real, *ifcfg, *vmcfg, *shadow;
	size_t ilen, vlen, slen, i;

	mkdir(sub, 0755);
	img = xasprintf("%s/Sys tem\n\303\251.img", sub);
	put(img, "disk", 4, 0644);
	real = realpath(img, NULL);
	ifcfg = fixture("guest-ifcfg-eth0.rhel6-static-unquoted", &ilen);
	vmcfg = fixture("host-xm-ovm2-quoted-numbers.vm.cfg", &vlen);
	shadow = xstrdup("root:$6$salt$hash:19000:0:99999:7:::\n");
	slen = strlen(shadow);

	u = undo_new(real, "/dev/VolGroup00/LogVol00");
	add_restore(u, false, "/etc/sysconfig/network-scripts/ifcfg-eth0",
	    ifcfg, ilen, 0644, 0, 0);
	add_restore(u, false, awkward, bin, sizeof(bin) - 1, 04755, 500,
	    4294967295u);
	add_restore(u, false, "/etc/empty", NULL, 0, 0600, 65534, 65534);
	add_restore(u, false, "/etc/shadow", shadow, slen, 0, 0, 0);
	CHECK_INT(add_delete(u, false,
	    "/etc/sysconfig/network-scripts/ifcfg-eth1"), 1);
	add_restore(u, true, "/OVS/running_pool/vm2/vm.cfg", vmcfg, vlen,
	    0644, 0, 0);
	CHECK_INT(add_delete(u, true, "/etc/empty"), 1);	/* host side */
	add_restore(u, true, LVREF, "<domain/>\n", 10, 0, 0, 0);
	strlist_add(&al, "hostname=web1.example.com");
	strlist_add(&al, "nic0.mac=00:16:3e:12:34:56");
	strlist_add(&al, "nic0.mac.generated=yes");
	strlist_add(&al, "odd=a b\n%c\303\251");
	undo_set_applied(u, &al);
	CHECK_INT(undo_save(u), 0);
	CHECK_INT(dir_entries(sub), 2);

	/* loading through the unresolved path finds the same record */
	CHECK_INT(undo_load(img, &v), 0);
	if (!CHECK(v != NULL))
		goto out;
	CHECK_STR(v->image, real);
	CHECK_STR(v->root, "/dev/VolGroup00/LogVol00");
	CHECK_INT(v->n, 8);
	check_entry(v, 0, false, "/etc/sysconfig/network-scripts/ifcfg-eth0",
	    UNDO_RESTORE, ifcfg, ilen, 0644, 0, 0);
	check_entry(v, 1, false, awkward, UNDO_RESTORE, bin, sizeof(bin) - 1,
	    04755, 500, 4294967295u);
	check_entry(v, 2, false, "/etc/empty", UNDO_RESTORE, "", 0, 0600,
	    65534, 65534);
	check_entry(v, 3, false, "/etc/shadow", UNDO_RESTORE, shadow, slen,
	    0, 0, 0);
	check_entry(v, 4, false, "/etc/sysconfig/network-scripts/ifcfg-eth1",
	    UNDO_DELETE, NULL, 0, 0, 0, 0);
	check_entry(v, 5, true, "/OVS/running_pool/vm2/vm.cfg", UNDO_RESTORE,
	    vmcfg, vlen, 0644, 0, 0);
	check_entry(v, 6, true, "/etc/empty", UNDO_DELETE, NULL, 0, 0, 0, 0);
	check_entry(v, 7, true, LVREF, UNDO_RESTORE, "<domain/>\n", 10, 0, 0,
	    0);
	CHECK(undo_find(v, true, "/etc/empty") == &v->e[6]);
	CHECK(undo_find(v, false, "/etc/empty") == &v->e[2]);
	CHECK(undo_find(v, false, "/etc/nothing") == NULL);
	CHECK_INT(v->applied.n, 4);
	for (i = 0; i < al.n && i < v->applied.n; i++)
		CHECK_STR(v->applied.v[i], al.v[i]);
	CHECK_STR(undo_applied_get(v, "nic0.mac"), "00:16:3e:12:34:56");
	CHECK_STR(undo_applied_get(v, "nic0.mac.generated"), "yes");
	CHECK_STR(undo_applied_get(v, "odd"), "a b\n%c\303\251");
	CHECK_STR(undo_applied_get(v, "nic0"), NULL);
	CHECK_STR(undo_applied_get(v, "uuid"), NULL);

	/* saving what was loaded writes the same bytes */
	{
		char *rec = undo_path_for(real), *a, *b;
		size_t al_, bl;

		a = slurp(rec, &al_);
		CHECK_INT(undo_save(v), 0);
		b = slurp(rec, &bl);
		CHECK_MEM(b, bl, a, al_);
		free(a);
		free(b);
		free(rec);
	}
out:
	undo_free(v);
	v = NULL;
	CHECK_INT(undo_remove(real), 0);
	CHECK_INT(dir_entries(sub), 1);
	CHECK_INT(undo_load(img, &v), 1);
	CHECK(v == NULL);
	undo_free(u);
	unlink(img);
	rmdir(sub);
	strlist_release(&al);
	free(ifcfg);
	free(vmcfg);
	free(shadow);
	free(real);
	free(img);
	free(sub);
}

/* The earliest original wins, within a record and across applies. */
static void
test_merge(void)
{
	struct undo *u, *v = NULL;
	struct strlist a1 = STRLIST_INIT, a2 = STRLIST_INIT;
	char *img = xasprintf("%s/m.img", dir);

	put(img, "", 0, 0644);
	u = undo_new(img, "/dev/sda1");
	add_restore(u, false, "/etc/hosts", "first\n", 6, 0644, 0, 0);
	add_restore(u, false, "/etc/hosts", "second\n", 7, 0600, 1, 1);
	CHECK_INT(add_delete(u, false, "/etc/hosts"), 0);
	CHECK_INT(add_delete(u, false, "/etc/new"), 1);
	CHECK_INT(u->n, 2);
	check_entry(u, 0, false, "/etc/hosts", UNDO_RESTORE, "first\n", 6,
	    0644, 0, 0);
	strlist_add(&a1, "hostname=one");
	strlist_add(&a1, "uuid=1");
	undo_set_applied(u, &a1);
	CHECK_INT(undo_save(u), 0);
	undo_free(u);

	/* a second apply: loads, adds what it changes, replaces applied */
	CHECK_INT(undo_load(img, &v), 0);
	if (!CHECK(v != NULL))
		goto out;
	CHECK_STR(undo_applied_get(v, "hostname"), "one");
	add_restore(v, false, "/etc/hosts", "after-first\n", 12, 0644, 0, 0);
	add_restore(v, false, "/etc/new", "made by apply 1\n", 16, 0644, 0,
	    0);
	add_restore(v, true, "/vm.cfg", "name = 'a'\n", 11, 0644, 0, 0);
	strlist_add(&a2, "hostname=two");
	undo_set_applied(v, &a2);
	CHECK_INT(undo_save(v), 0);
	undo_free(v);
	v = NULL;
	CHECK_INT(undo_load(img, &v), 0);
	if (!CHECK(v != NULL))
		goto out;
	CHECK_INT(v->n, 3);
	check_entry(v, 0, false, "/etc/hosts", UNDO_RESTORE, "first\n", 6,
	    0644, 0, 0);
	check_entry(v, 1, false, "/etc/new", UNDO_DELETE, NULL, 0, 0, 0, 0);
	check_entry(v, 2, true, "/vm.cfg", UNDO_RESTORE, "name = 'a'\n", 11,
	    0644, 0, 0);
	CHECK_INT(v->applied.n, 1);
	CHECK_STR(undo_applied_get(v, "hostname"), "two");
	CHECK_STR(undo_applied_get(v, "uuid"), NULL);
	undo_set_applied(v, NULL);
	CHECK_INT(v->applied.n, 0);
	CHECK_INT(undo_save(v), 0);
	undo_free(v);
	v = NULL;
	CHECK_INT(undo_load(img, &v), 0);
	if (v != NULL)
		CHECK_INT(v->applied.n, 0);
out:
	undo_free(v);
	undo_remove(img);
	unlink(img);
	strlist_release(&a1);
	strlist_release(&a2);
	free(img);
}

/*
 * A run that saved its plan into the record and then changed nothing
 * puts the record back: the last apply's, byte for byte (its applied
 * lines still name the identity the guest carries), or none.
 */
static void
test_forget(void)
{
	struct undo *u, *kept = NULL, *v = NULL;
	struct strlist a1 = STRLIST_INIT, a2 = STRLIST_INIT;
	char *img = xasprintf("%s/f.img", dir), *rec, *before, *after;
	size_t blen, alen;

	put(img, "", 0, 0644);
	rec = undo_path_for(img);
	u = undo_new(img, "/dev/sda1");
	add_restore(u, false, "/etc/hosts", "first\n", 6, 0644, 0, 0);
	strlist_add(&a1, "nic0.mac=00:16:3e:00:00:01");
	undo_set_applied(u, &a1);
	CHECK_INT(undo_save(u), 0);
	undo_free(u);
	before = slurp(rec, &blen);

	/* the failed run: loads it twice, merges its plan into one copy */
	CHECK_INT(undo_load(img, &kept), 0);
	CHECK_INT(undo_load(img, &v), 0);
	if (!CHECK(kept != NULL && v != NULL))
		goto out;
	add_restore(v, false, "/etc/hostname", "tmpl\n", 5, 0644, 0, 0);
	strlist_add(&a2, "nic0.mac=00:16:3e:00:00:02");
	undo_set_applied(v, &a2);
	CHECK_INT(undo_save(v), 0);
	after = slurp(rec, &alen);
	CHECK(alen != blen || memcmp(after, before, alen) != 0);
	free(after);

	CHECK_INT(undo_forget(img, kept), 0);
	after = slurp(rec, &alen);
	CHECK_MEM(after, alen, before, blen);
	free(after);

	/* no record before the run: none after it */
	CHECK_INT(undo_forget(img, NULL), 0);
	CHECK_INT(access(rec, F_OK) == -1 && errno == ENOENT, 1);
out:
	undo_free(kept);
	undo_free(v);
	undo_remove(img);
	unlink(img);
	strlist_release(&a1);
	strlist_release(&a2);
	free(before);
	free(rec);
	free(img);
}

/* Damaged, foreign and unsafe records are refused with one message. */
static void
test_refused(void)
{
	struct undo *u, *v;
	struct strlist al = STRLIST_INIT;
	char *img = xasprintf("%s/r.img", dir), *rec, *good, *bad, *msg;
	char *other, *orec, *s, *t, *m;
	size_t len, i;
	int rc, fails;

	put(img, "", 0, 0644);
	rec = undo_path_for(img);
	u = undo_new(img, "/dev/sda2");
	strlist_add(&al, "hostname=h");
	undo_set_applied(u, &al);
	add_restore(u, false, "/etc/hostname", "old\n", 4, 0644, 0, 0);
	add_delete(u, true, "/x");
	CHECK_INT(undo_save(u), 0);
	good = slurp(rec, &len);
	if (good == NULL)
		exit(1);
	bad = xmalloc(len + 1);

	/* every truncation and every flipped bit is refused, no crash */
	fails = 0;
	for (i = 0; i < len; i++) {
		put(rec, good, i, 0600);
		v = NULL;
		rc = load_msg(img, &v, &msg);
		fails += rc == -1 && v == NULL && msg != NULL &&
		    strchr(msg, '\n') == msg + strlen(msg) - 1;
		undo_free(v);
		free(msg);
	}
	CHECK_INT(fails, len);
	fails = 0;
	for (i = 0; i < len * 8; i++) {
		memcpy(bad, good, len);
		bad[i / 8] ^= (char)(1 << (i % 8));
		put(rec, bad, len, 0600);
		v = NULL;
		rc = load_msg(img, &v, &msg);
		fails += rc == -1 && v == NULL;
		undo_free(v);
		free(msg);
	}
	CHECK_INT(fails, len * 8);

	put(rec, good, len - 5, 0600);
	m = xasprintf("undo record '%s' is truncated or damaged: no end line",
	    rec);
	refused(img, m, __LINE__);
	free(m);

	memcpy(bad, good, len);
	s = strstr(bad, "old\n");
	s[0] = 'O';
	put(rec, bad, len, 0600);
	m = xasprintf("undo record '%s' is damaged: checksum %08x, the end "
	    "line says %.8s", rec, crc32_bits(bad, len - 19), good + len - 9);
	refused(img, m, __LINE__);
	free(m);

	put(rec, good, len, 0600);
	t = xasprintf("%sx\n", good);
	put(rec, t, len + 2, 0600);		/* data after the end line */
	free(t);
	m = xasprintf("undo record '%s' is truncated or damaged: no end line",
	    rec);
	refused(img, m, __LINE__);
	free(m);

	t = sealed("imprint-undo 2\nimage /x\nroot\n");
	put(rec, t, strlen(t), 0600);
	free(t);
	m = xasprintf("undo record '%s' has version 2; this imprint reads "
	    "version 1", rec);
	refused(img, m, __LINE__);
	free(m);

	put(rec, "hello\n", 6, 0600);
	m = xasprintf("'%s' is not an imprint undo record", rec);
	refused(img, m, __LINE__);
	free(m);

	put(rec, "", 0, 0600);
	m = xasprintf("undo record '%s' is empty (left by an interrupted "
	    "save?); remove it", rec);
	refused(img, m, __LINE__);
	free(m);

	/* checksums that match, contents that do not */
	refused_entry(img, rec,
	    "restore guest /etc/a mode=0644 uid=0 gid=0 "
	    "bytes=99999999999999\nxx\n",
	    "line 4: entry claims 99999999999999 "
	    "bytes, more than the record holds", __LINE__);

	refused_entry(img, rec,
	    "restore guest /etc/a mode=0644 uid=0 gid=0 "
	    "bytes=18446744073709551615\nxx\n",
	    "line 4: entry claims "
	    "18446744073709551615 bytes, more than the record holds", __LINE__);

	refused_entry(img, rec,
	    "restore guest /etc/a mode=0644 uid=0 gid=0 bytes=1\nab\n",
	    "line 4: no end of line after 1 bytes "
	    "of data", __LINE__);

	refused_entry(img, rec,
	    "restore guest /etc/a mode=0644 uid=0 gid=0 "
	    "bytes=999999999999999999999999\nxx\n",
	    "line 4: bad attributes", __LINE__);

	refused_entry(img, rec,
	    "restore guest /etc/a mode=0644 uid=0 gid=0 bytes=3\na\nb\n"
	    "delete guest /etc/%61\n",
	    "line 7: second entry for guest file "
	    "'/etc/%61'", __LINE__);

	/* a libvirt domain is a host entry only */
	s = xasprintf("imprint-undo 1\nimage %s\nroot /dev/sda2\n"
	    "restore guest %s mode=0 uid=0 gid=0 bytes=0\n\n", img, LVREF);
	t = sealed(s);
	put(rec, t, strlen(t), 0600);
	m = xasprintf("undo record '%s': line 4: bad path", rec);
	refused(img, m, __LINE__);
	free(m);
	free(s);
	free(t);

	refused_entry(img, rec,
	    "delete guest /etc/a%00b\n",
	    "line 4: bad path", __LINE__);

	s = xasprintf("imprint-undo 1\nimage %s\nroot  /dev/sda2\n", img);
	t = sealed(s);
	put(rec, t, strlen(t), 0600);
	m = xasprintf("undo record '%s': line 3: malformed line", rec);
	refused(img, m, __LINE__);
	free(m);
	free(s);
	free(t);

	s = xasprintf("imprint-undo 1\nimage %s\n", img);
	t = sealed(s);
	put(rec, t, strlen(t), 0600);
	m = xasprintf("undo record '%s': line 2: no root line", rec);
	refused(img, m, __LINE__);
	free(m);
	free(s);
	free(t);

	/* a record copied along with its image to another directory */
	other = xasprintf("%s/other.img", dir);
	put(other, "", 0, 0644);
	orec = undo_path_for(other);
	put(orec, good, len, 0600);
	m = xasprintf("undo record '%s' was made for image '%s', not '%s'; "
	    "remove it if it was copied along with the image", orec, img,
	    other);
	refused(other, m, __LINE__);
	free(m);

	/* a symbolic link, even to a good record */
	put(rec, good, len, 0600);
	unlink(orec);
	CHECK_INT(symlink(rec, orec), 0);
	m = xasprintf("undo record '%s' is a symbolic link; refusing it",
	    orec);
	refused(other, m, __LINE__);
	free(m);
	/* and saving over a symlink is refused, the link kept */
	v = undo_new(other, "/dev/sda1");
	CHECK_INT(undo_save(v), -1);
	undo_free(v);
	{
		struct stat st;

		CHECK_INT(lstat(orec, &st), 0);
		CHECK(S_ISLNK(st.st_mode));
	}
	unlink(orec);

	CHECK_INT(mkdir(orec, 0700), 0);
	m = xasprintf("undo record '%s' is not a regular file", orec);
	refused(other, m, __LINE__);
	free(m);
	v = undo_new(other, "/dev/sda1");
	CHECK_INT(undo_save(v), -1);
	undo_free(v);
	rmdir(orec);

	put(rec, good, len, 0620);
	m = xasprintf("undo record '%s' is writable by group or others; "
	    "refusing it", rec);
	refused(img, m, __LINE__);
	free(m);
	put(rec, good, len, 0602);
	refused(img, m = xasprintf("undo record '%s' is writable by group or "
	    "others; refusing it", rec), __LINE__);
	free(m);

	if (geteuid() == 0) {
		put(rec, good, len, 0600);
		CHECK_INT(chown(rec, 1234, 0), 0);
		m = xasprintf("undo record '%s' is owned by uid 1234, not 0; "
		    "refusing it", rec);
		refused(img, m, __LINE__);
		free(m);
	}

	/* larger than the cap: refused before reading */
	{
		int fd;

		unlink(rec);
		fd = open(rec, O_WRONLY | O_CREAT, 0600);
		CHECK_INT(ftruncate(fd, UNDO_MAX_SIZE + 1), 0);
		close(fd);
		m = xasprintf("undo record '%s' is larger than 64 MiB", rec);
		refused(img, m, __LINE__);
		free(m);
	}

	/* no image at all */
	m = xasprintf("cannot resolve image '%s/gone.img': No such file or "
	    "directory", dir);
	s = xasprintf("%s/gone.img", dir);
	refused(s, m, __LINE__);
	free(s);
	free(m);

	put(rec, good, len, 0600);
	v = NULL;
	CHECK_INT(undo_load(img, &v), 0);
	undo_free(v);

	undo_free(u);
	unlink(rec);
	unlink(orec);
	unlink(other);
	unlink(img);
	strlist_release(&al);
	free(other);
	free(orec);
	free(good);
	free(bad);
	free(rec);
	free(img);
}

/* A failed save leaves the old record as it was and nothing new. */
static void
test_save_fail(void)
{
	struct rlimit rl, small;
	struct undo *u;
	char *img = xasprintf("%s/f.img", dir), *rec, *old, *now;
	char *p, *big;
	size_t olen, nlen;

	u = undo_new("relative.img", "/dev/sda1");
	CHECK_INT(undo_save(u), -1);
	CHECK_INT(access("relative.img.imprint-undo", F_OK), -1);
	undo_free(u);

	p = xasprintf("%s/no/such/dir/x.img", dir);
	u = undo_new(p, "/dev/sda1");
	CHECK_INT(undo_save(u), -1);
	undo_free(u);
	free(p);
	CHECK_INT(dir_entries(dir), 0);

	p = xasprintf("%s/file", dir);
	put(p, "", 0, 0644);
	free(p);
	p = xasprintf("%s/file/x.img", dir);	/* a file where a dir is */
	u = undo_new(p, "/dev/sda1");
	CHECK_INT(undo_save(u), -1);
	undo_free(u);
	free(p);
	p = xasprintf("%s/file", dir);
	unlink(p);
	free(p);

	u = undo_new(img, "/dev/sda1");
	add_delete(u, false, "relative/path");
	CHECK_INT(undo_save(u), -1);
	undo_free(u);
	CHECK_INT(dir_entries(dir), 0);

	/* the file size limit makes the write fail half-way */
	put(img, "", 0, 0644);
	rec = undo_path_for(img);
	big = xmalloc(8192);
	memset(big, 'x', 8192);
	u = undo_new(img, "/dev/sda1");
	add_restore(u, false, "/etc/big", big, 8192, 0644, 0, 0);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &rl);
	small = rl;
	small.rlim_cur = 4096;
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &small), 0);
	CHECK_INT(undo_save(u), -1);		/* no record before */
	setrlimit(RLIMIT_FSIZE, &rl);
	CHECK_INT(dir_entries(dir), 1);
	CHECK_INT(access(rec, F_OK), -1);

	undo_free(u);
	u = undo_new(img, "/dev/sda1");
	add_restore(u, false, "/etc/small", "s\n", 2, 0644, 0, 0);
	CHECK_INT(undo_save(u), 0);
	old = slurp(rec, &olen);
	add_restore(u, false, "/etc/big", big, 8192, 0644, 0, 0);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &small), 0);
	CHECK_INT(undo_save(u), -1);		/* a record before */
	setrlimit(RLIMIT_FSIZE, &rl);
	now = slurp(rec, &nlen);
	CHECK_MEM(now, nlen, old, olen);
	CHECK_INT(dir_entries(dir), 2);

	/* too big to be loaded again: refused at save */
	free(big);
	big = xmalloc(UNDO_MAX_SIZE);
	memset(big, 0, UNDO_MAX_SIZE);
	add_restore(u, false, "/huge", big, UNDO_MAX_SIZE, 0644, 0, 0);
	CHECK_INT(undo_save(u), -1);
	free(now);
	now = slurp(rec, &nlen);
	CHECK_MEM(now, nlen, old, olen);
	CHECK_INT(dir_entries(dir), 2);

	undo_free(u);
	unlink(rec);
	unlink(img);
	free(big);
	free(old);
	free(now);
	free(rec);
	free(img);
}

/* A removed file's SELinux label: saved as hex, loaded byte for byte
 * (its NUL too), refused when malformed or on a host entry. */
static void
test_label(void)
{
	static const char lab[] = "system_u:object_r:sshd_key_t:s0";
	struct undo *u, *v = NULL;
	struct undo_entry e;
	char *img = xasprintf("%s/l.img", dir), *rec, *text;
	size_t len;

	put(img, "", 0, 0644);
	rec = undo_path_for(img);
	u = undo_new(img, "/dev/sda1");
	memset(&e, 0, sizeof(e));
	e.path = (char *)"/etc/ssh/ssh_host_ed25519_key";
	e.what = UNDO_RESTORE;
	e.data = (char *)"KEY\n";
	e.len = 4;
	e.mode = 0600;
	e.label = (char *)lab;
	e.labellen = sizeof(lab);	/* with its NUL, as the kernel keeps it */
	undo_add(u, &e);
	e.path = (char *)"/var/lib/dbus/machine-id";
	e.what = UNDO_SYMLINK;
	e.data = (char *)"/etc/machine-id";
	e.len = 15;
	e.mode = 0777;
	e.label = (char *)"x";
	e.labellen = 1;
	undo_add(u, &e);
	CHECK_INT(undo_save(u), 0);
	text = slurp(rec, &len);
	CHECK(text != NULL && strstr(text, "restore guest "
	    "/etc/ssh/ssh_host_ed25519_key mode=0600 uid=0 gid=0 bytes=4 "
	    "selinux=73797374656d5f753a6f626a6563745f723a737368645f6b65795f74"
	    "3a733000\nKEY\n\n") != NULL);
	CHECK(text != NULL && strstr(text, "symlink guest "
	    "/var/lib/dbus/machine-id mode=0777 uid=0 gid=0 bytes=15 "
	    "selinux=78\n") != NULL);
	free(text);
	CHECK_INT(undo_load(img, &v), 0);
	if (v != NULL && v->n == 2) {
		CHECK_MEM(v->e[0].label, v->e[0].labellen, lab, sizeof(lab));
		CHECK_MEM(v->e[1].label, v->e[1].labellen, "x", 1);
	}
	undo_free(v);
	undo_free(u);

	/* odd hex, a non-hex digit, a host entry with a label */
	refused_entry(img, rec,
	    "restore guest /etc/a mode=0644 uid=0 gid=0 bytes=2 "
	    "selinux=7\nxx\n",
	    "line 4: bad label", __LINE__);
	refused_entry(img, rec,
	    "restore host /etc/a mode=0644 uid=0 gid=0 bytes=2 "
	    "selinux=78\nxx\n",
	    "line 4: bad label", __LINE__);
	unlink(rec);
	unlink(img);
	free(rec);
	free(img);
}

int
main(void)
{
	fixtures = getenv("IMPRINT_FIXTURES");
	if (fixtures == NULL || *fixtures == '\0')
		fixtures = FIXTURES;
	umask(022);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_golden();
	test_roundtrip();
	test_merge();
	test_forget();
	test_refused();
	test_label();
	test_save_fail();
	CHECK_INT(dir_entries(dir), 0);
	rmdir(dir);
	return unit_done();
}
