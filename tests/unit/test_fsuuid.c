/*
 * test_fsuuid.c - the UUID references editor of forget = fs-uuids.
 */
#include "fsuuid.h"
#include "util.h"

#include "unit.h"

#define A	"3d209c6e-4b5f-4073-9c8d-2e9fa0b10301"
#define B	"0b5c7f2a-91d4-4e63-8a0e-5f1c2d3e4f50"
#define NA	"11111111-2222-4333-8444-555555555555"
#define NB	"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"

static void
replace(const char *in, const char *want, size_t nwant)
{
	static const struct fsuuid_map m[] = { { A, NA }, { B, NB } };
	struct buf out = BUF_INIT;

	CHECK_INT(fsuuid_replace(in, strlen(in), m, 2, &out), nwant);
	CHECK_MEM(out.data ? out.data : "", out.len, want, strlen(want));
	buf_release(&out);
}

/* Every syntax the guest names a filesystem in, byte for byte. */
static void
test_replace(void)
{
	/* fstab, and a line that must stay (another UUID) */
	replace("UUID=" A " / ext4 errors=remount-ro 0 1\n"
	    "UUID=" B " none swap sw 0 0\n"
	    "UUID=9d209c6e-4b5f-4073-9c8d-2e9fa0b10301 /srv ext4 defaults\n",
	    "UUID=" NA " / ext4 errors=remount-ro 0 1\n"
	    "UUID=" NB " none swap sw 0 0\n"
	    "UUID=9d209c6e-4b5f-4073-9c8d-2e9fa0b10301 /srv ext4 defaults\n",
	    2);
	/* grub.cfg: search --fs-uuid and root=UUID= on one line each */
	replace("\tsearch --no-floppy --fs-uuid --set=root " A "\n"
	    "\tlinux /vmlinuz root=UUID=" A " ro resume=UUID=" B "\n",
	    "\tsearch --no-floppy --fs-uuid --set=root " NA "\n"
	    "\tlinux /vmlinuz root=UUID=" NA " ro resume=UUID=" NB "\n", 3);
	/* upper case stays upper case; by-uuid paths */
	replace("/dev/disk/by-uuid/3D209C6E-4B5F-4073-9C8D-2E9FA0B10301 /\n",
	    "/dev/disk/by-uuid/11111111-2222-4333-8444-555555555555 /\n", 1);
	replace("x 3D209c6e-4b5f-4073-9c8d-2e9fa0b10301\n",
	    "x 11111111-2222-4333-8444-555555555555\n", 1);
	/* not a whole token: a longer hex run, a '-' joined on */
	replace("a" A "\n" A "0\n-" A "\n" A "-x\n",
	    "a" A "\n" A "0\n-" A "\n" A "-x\n", 0);
	/* at the very start and end, no newline */
	replace(A, NA, 1);
	replace("", "", 0);
	/* a cut-off UUID at the end is left */
	replace("root=UUID=3d209c6e-4b5f-4073", "root=UUID=3d209c6e-4b5f-4073",
	    0);
}

/* grubenv is a 1024-byte block: the edit keeps its length. */
static void
test_grubenv_length(void)
{
	static const struct fsuuid_map m[] = { { A, NA } };
	struct buf in = BUF_INIT, out = BUF_INIT;

	buf_adds(&in, "# GRUB Environment Block\nkernelopts=root=UUID=" A
	    " ro\n");
	while (in.len < 1024)
		buf_addc(&in, '#');
	CHECK_INT(fsuuid_replace(in.data, in.len, m, 1, &out), 1);
	CHECK_INT(out.len, 1024);
	CHECK(memcmp(out.data + 46, NA, 36) == 0);
	buf_release(&in);
	buf_release(&out);
}

static void
test_line(void)
{
	static const char t[] = "name = \"vm\"\n"
	    "extra = \"root=UUID=" A " ro\"\n";

	CHECK_INT(fsuuid_line(t, strlen(t), A), 2);
	CHECK_INT(fsuuid_line(t, strlen(t), B), 0);
	CHECK_INT(fsuuid_line(A, 36, A), 1);
	CHECK_INT(fsuuid_line("a" A, 37, A), 0);
	CHECK_INT(fsuuid_line("x" A, 37, A), 1);
}

int
main(void)
{
	test_replace();
	test_grubenv_length();
	test_line();
	return unit_done();
}
