/* Host tests of reloc_tables_check / reloc_tables_build on a hand-built
 * 4-level tree in a fake physical memory: only table-to-table entries into
 * the pool are rebased (a 4 KiB direct-map leaf that maps a pool frame keeps
 * it, a table outside the pool is neither rebased nor entered), the image's
 * leaves point at their new blocks with their flags (a guard page stays
 * unmapped), pool and image each split over blocks that do not follow one
 * another, CR3's low bits survive, and the live tables are untouched.
 * Trees that are not as expected are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../kernel/mem/reloc_internal.h"

#define PHYS_PAGES 64
#define P  0x1ull
#define W  0x2ull
#define PS 0x80ull
#define NX (1ull << 63)
#define KVA 0xffffffff80000000ull

static uint8_t *mem;

static void *virt(uint64_t phys)
{
	assert_true(phys < PHYS_PAGES * 4096ull);
	return mem + phys;
}

static uint64_t *tb(uint64_t phys)
{
	return virt(phys);
}

/* pool 0x8000..0xf000: PML4 0x8000, PDPT(kernel) 0x9000, PD(kernel) 0xa000,
 * PT(kernel) 0xb000, PDPT(direct) 0xc000, PD(direct) 0xd000, PT(direct)
 * 0xe000; a table outside the pool at 0x20000; the image at 0x30000. */
static struct reloc_tables build_tree(void)
{
	memset(mem, 0, PHYS_PAGES * 4096);
	tb(0x8000)[256] = 0xc000 | P | W;
	tb(0x8000)[511] = 0x9000 | P | W;
	tb(0x8000)[509] = 0x20000 | P | W;
	tb(0x20000)[0] = 0x21000 | P | W;
	tb(0xc000)[0] = 0xd000 | P | W;
	tb(0xd000)[0] = 0x0 | P | W | PS;          /* 2 MiB leaf */
	tb(0xd000)[1] = 0xe000 | P | W;
	tb(0xe000)[0] = 0x9000 | P | W | NX;      /* direct-map leaf of a pool frame */
	tb(0x9000)[510] = 0xa000 | P | W;
	tb(0xa000)[0] = 0xb000 | P | W;
	tb(0xb000)[0] = 0x30000 | P;              /* text: read-only */
	tb(0xb000)[2] = 0x32000 | P | W | NX;     /* [1] is the guard page */
	tb(0xb000)[3] = 0x33000 | P | W | NX;
	return (struct reloc_tables){ .pool_phys = 0x8000, .pool_bytes = 0x7000,
				      .image_phys = 0x30000, .image_bytes = 0x4000,
				      .image_virt = KVA, .cr3 = 0x8000 | 0x8, .virt = virt,
				      /* pool: 4 + 3 pages, image: 2 + 2, out of order */
				      .pool_new = { { 0x18000, 0x4000 }, { 0x10000, 0x3000 } },
				      .pool_parts = 2,
				      .image_new = { { 0x3c000, 0x2000 }, { 0x38000, 0x2000 } },
				      .image_parts = 2 };
}

static void test_build_rebases_tables_and_moves_the_image(void **state)
{
	(void)state;
	struct reloc_tables t = build_tree();
	uint64_t old[7 * 512];

	memcpy(old, virt(0x8000), sizeof(old));
	assert_int_equal(reloc_tables_check(&t), 1);
	assert_int_equal(reloc_tables_build(&t), 1);
	assert_true(t.new_cr3 == (0x18000 | 0x8));
	assert_memory_equal(old, virt(0x8000), sizeof(old));  /* live tables untouched */
	/* old 0x8000..0xb000 -> 0x18000.., 0xc000..0xe000 -> 0x10000.. */
	assert_true(tb(0x18000)[256] == (0x10000 | P | W));
	assert_true(tb(0x18000)[511] == (0x19000 | P | W));
	assert_true(tb(0x18000)[509] == (0x20000 | P | W));   /* outside the pool */
	assert_true(tb(0x20000)[0] == (0x21000 | P | W));
	assert_true(tb(0x10000)[0] == (0x11000 | P | W));
	assert_true(tb(0x11000)[0] == (0x0 | P | W | PS));
	assert_true(tb(0x11000)[1] == (0x12000 | P | W));
	assert_true(tb(0x12000)[0] == (0x9000 | P | W | NX)); /* a leaf: not rebased */
	assert_true(tb(0x19000)[510] == (0x1a000 | P | W));
	assert_true(tb(0x1a000)[0] == (0x1b000 | P | W));
	assert_true(tb(0x1b000)[0] == (0x3c000 | P));
	assert_true(tb(0x1b000)[1] == 0);
	assert_true(tb(0x1b000)[2] == (0x38000 | P | W | NX));
	assert_true(tb(0x1b000)[3] == (0x39000 | P | W | NX));
	assert_true(*reloc_leaf(&t, 0x18000, KVA + 0x3000) == (0x39000 | P | W | NX));
	assert_null(reloc_leaf(&t, 0x18000, 0xffff800000000000ull));  /* a 2 MiB page */
}

static uint64_t next_table, tables_left;

static uint64_t take_table(void)
{
	if (!tables_left)
		return 0;
	tables_left--;
	next_table += 0x1000;
	return next_table - 0x1000;
}

static int movable(uint64_t phys)
{
	return phys == 0x20000 || phys == 0x21000;
}

/* The kernel's own tables outside the pool (a PDPT and the PD under it)
 * move into frames of their own when asked: copied, their entries in the
 * new tables rewritten, the old frames listed and left as they were. */
static void test_tables_outside_the_pool_move_when_asked(void **state)
{
	(void)state;
	struct reloc_tables t = build_tree();

	tb(0x21000)[7] = 0x22000 | P | W;         /* a PT movable() refuses: it stays */
	t.take_table = take_table;
	t.movable = movable;
	next_table = 0x28000;
	tables_left = 8;
	assert_int_equal(reloc_tables_build(&t), 1);
	assert_int_equal(t.nmoved, 2);
	assert_true(t.moved[0] == 0x20000 && t.moved_to[0] == 0x28000);
	assert_true(t.moved[1] == 0x21000 && t.moved_to[1] == 0x29000);
	assert_true(tb(0x18000)[509] == (0x28000 | P | W));
	assert_true(tb(0x28000)[0] == (0x29000 | P | W));
	assert_true(tb(0x29000)[7] == (0x22000 | P | W));
	assert_true(tb(0x8000)[509] == (0x20000 | P | W));    /* the live tables as they were */
	assert_true(tb(0x20000)[0] == (0x21000 | P | W));
	/* no frame for a table: nothing half-built is used */
	t = build_tree();
	t.take_table = take_table;
	t.movable = movable;
	tables_left = 1;
	assert_int_equal(reloc_tables_build(&t), 0);
}

static void test_parts_too_small_are_refused(void **state)
{
	(void)state;
	struct reloc_tables t = build_tree();

	t.image_new[1].bytes = 0x1000;            /* 3 pages for a 4-page image */
	assert_int_equal(reloc_tables_build(&t), 0);
	t = build_tree();
	t.pool_parts = 1;
	assert_int_equal(reloc_tables_build(&t), 0);
}

/* One block per set bit of the page count, largest first: nothing wasted. */
static void test_split_takes_no_frame_the_object_does_not_fill(void **state)
{
	(void)state;
	uint8_t o[RELOC_PARTS_MAX];
	struct reloc_part p[3] = { { 0x400000, 0x200000 }, { 0x100000, 0x8000 }, { 0x7000, 0x1000 } };

	assert_int_equal(reloc_split(551 * 4096ull, o), 5);   /* a 2.15 MiB image */
	assert_int_equal(o[0], 9);
	assert_int_equal(o[1], 5);
	assert_int_equal(o[2], 2);
	assert_int_equal(o[3], 1);
	assert_int_equal(o[4], 0);
	assert_int_equal(reloc_split(4096ull << MAX_ORDER, o), 1);
	assert_int_equal(o[0], MAX_ORDER);
	assert_int_equal(reloc_split((4096ull << MAX_ORDER) + 4096, o), 0);
	assert_int_equal(reloc_split(0x1800, o), 0);          /* not whole pages */
	assert_true(reloc_part_phys(p, 3, 0) == 0x400000);
	assert_true(reloc_part_phys(p, 3, 0x1fffff) == 0x5fffff);
	assert_true(reloc_part_phys(p, 3, 0x200000) == 0x100000);
	assert_true(reloc_part_phys(p, 3, 0x208000) == 0x7000);
	assert_true(reloc_part_phys(p, 3, 0x209000) == UINT64_MAX);
}

static void test_check_refuses_what_it_cannot_move(void **state)
{
	(void)state;
	struct reloc_tables t = build_tree();

	t.cr3 = 0x20000;                          /* live root outside the pool */
	assert_int_equal(reloc_tables_check(&t), 0);
	t = build_tree();
	tb(0xb000)[3] = 0x3f000 | P;              /* an image page mapped elsewhere */
	assert_int_equal(reloc_tables_check(&t), 0);
	assert_int_equal(reloc_tables_build(&t), 0);
	t = build_tree();
	t.image_virt = KVA + 0x200000;            /* nothing mapped there */
	assert_int_equal(reloc_tables_check(&t), 0);
	t = build_tree();
	t.image_bytes = 0x3800;                   /* not whole pages */
	assert_int_equal(reloc_tables_check(&t), 0);
	t = build_tree();
	t.image_bytes = (4096ull << 10) + 4096;   /* larger than one block */
	assert_int_equal(reloc_tables_check(&t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_rebases_tables_and_moves_the_image),
		cmocka_unit_test(test_check_refuses_what_it_cannot_move),
		cmocka_unit_test(test_parts_too_small_are_refused),
		cmocka_unit_test(test_tables_outside_the_pool_move_when_asked),
		cmocka_unit_test(test_split_takes_no_frame_the_object_does_not_fill),
	};

	mem = aligned_alloc(4096, PHYS_PAGES * 4096);
	assert_non_null(mem);
	return cmocka_run_group_tests(tests, 0, 0);
}
