/* Host tests of efi/elf_load.c: kernel.elf validation and segment copying. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../efi/elf_load.h"
#include "elf_build.h"

#define BASE 0xffffffff80000000ull
#define SPAN (256ull << 20)

static uint8_t img[8192];

/* The whole buffer is the file: what lies past the segments is zeros. */
static size_t make_elf(int n)
{
	elf_build(img, sizeof(img), n);
	return sizeof(img);
}

static void valid_two_segments(void **s)
{
	(void)s;
	struct elf_plan p;
	size_t len = make_elf(2);

	assert_null(elf_plan(img, len, BASE, SPAN, &p));
	assert_int_equal(p.nseg, 2);
	assert_true(p.virt_lo == BASE);
	assert_true(p.virt_hi == BASE + 0x2000);
	assert_true(p.entry == BASE + 0x10);

	uint8_t *dest = malloc(p.virt_hi - p.virt_lo);

	memset(dest, 0x55, p.virt_hi - p.virt_lo);
	elf_copy(img, &p, dest);
	assert_int_equal(dest[0], 0xa0);
	assert_int_equal(dest[0x7f], 0xa0);
	assert_int_equal(dest[0x80], 0);        /* bss zeroed */
	assert_int_equal(dest[0x1000], 0xa1);
	assert_int_equal(dest[0x1fff], 0);      /* gap zeroed */
	free(dest);
}

static void expect_error(size_t len, const char *needle)
{
	struct elf_plan p;
	const char *e = elf_plan(img, len, BASE, SPAN, &p);

	assert_non_null(e);
	if (!strstr(e, needle))
		fail_msg("error '%s' does not mention '%s'", e, needle);
}

static void rejects_short_and_foreign_files(void **s)
{
	(void)s;
	make_elf(1);
	expect_error(10, "shorter");
	make_elf(1);
	img[1] = 'X';
	expect_error(sizeof(img), "magic");
	make_elf(1);
	img[4] = 1;   /* ELF32 */
	expect_error(sizeof(img), "ELF64");
	make_elf(1);
	elf_wr(img + 18, 3, 2);  /* i386 */
	expect_error(sizeof(img), "x86-64");
}

static void rejects_headers_outside_file(void **s)
{
	(void)s;
	make_elf(1);
	elf_wr(img + 32, sizeof(img) - 10, 8);
	expect_error(sizeof(img), "program headers");
	make_elf(1);
	elf_wr(img + 32, UINT64_MAX - 20, 8);   /* offset + size overflows */
	expect_error(sizeof(img), "program headers");
	make_elf(1);
	elf_wr(img + 56, 0, 2);
	expect_error(sizeof(img), "program headers");
}

static void rejects_bad_segments(void **s)
{
	(void)s;
	make_elf(1);
	elf_wr(img + 64 + 8, sizeof(img) - 0x10, 8);  /* data past the end */
	expect_error(sizeof(img), "outside the file");
	make_elf(1);
	elf_wr(img + 64 + 32, 0x900, 8);              /* filesz > memsz */
	expect_error(sizeof(img), "outside the file");
	make_elf(1);
	elf_wr(img + 64 + 16, 0x400000, 8);           /* below the kernel base */
	expect_error(sizeof(img), "virtual window");
	make_elf(1);
	elf_wr(img + 64 + 40, SPAN + 1, 8);           /* runs past the window */
	expect_error(sizeof(img), "virtual window");
	make_elf(2);
	elf_wr(img + 64 + 56 + 16, BASE + 0x400, 8);  /* second overlaps first */
	expect_error(sizeof(img), "overlapping");
	make_elf(1);
	elf_wr(img + 24, BASE + 0x5000, 8);
	expect_error(sizeof(img), "entry point");
	make_elf(1);
	elf_wr(img + 64, 2, 4);                       /* no PT_LOAD at all */
	expect_error(sizeof(img), "no PT_LOAD");
}

static void real_kernel_elf_plans(void **s)
{
	(void)s;
	FILE *f = fopen("build/kernel.elf", "rb");

	if (!f)
		fail_msg("build/kernel.elf missing: run make first");
	static uint8_t buf[8 << 20];
	size_t len = fread(buf, 1, sizeof(buf), f);
	struct elf_plan p;

	fclose(f);
	assert_null(elf_plan(buf, len, BASE, SPAN, &p));
	assert_true(p.virt_lo == BASE);
	assert_true(p.entry >= p.virt_lo && p.entry < p.virt_hi);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(valid_two_segments),
		cmocka_unit_test(rejects_short_and_foreign_files),
		cmocka_unit_test(rejects_headers_outside_file),
		cmocka_unit_test(rejects_bad_segments),
		cmocka_unit_test(real_kernel_elf_plans),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
