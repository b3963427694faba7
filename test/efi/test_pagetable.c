/* Host tests of efi/pagetable.c: mappings translate back, alignment and pool
 * exhaustion are errors, and pt_pages_needed is a true upper bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../efi/pagetable.h"

#define SZ_2M (1ull << 21)
#define DMAP 0xffff800000000000ull
#define KBASE 0xffffffff80000000ull
#define POOL_PHYS 0x40000000ull

static struct pt_pool pool;
static void *mem;

static int setup(void **s)
{
	(void)s;
	mem = aligned_alloc(4096, 256 * 4096);
	pt_init(&pool, POOL_PHYS, mem, 256);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	free(mem);
	return 0;
}

static void maps_2m_identity_and_direct(void **s)
{
	(void)s;
	assert_int_equal(pt_map_2m(&pool, 0, 0, 8 * SZ_2M, PTE_W), 0);
	assert_int_equal(pt_map_2m(&pool, DMAP, 0, 8 * SZ_2M, PTE_W), 0);
	for (uint64_t a = 0; a < 8 * SZ_2M; a += 0x12345) {
		assert_true(pt_translate(&pool, a) == a);
		assert_true(pt_translate(&pool, DMAP + a) == a);
	}
	assert_true(pt_translate(&pool, 8 * SZ_2M) == UINT64_MAX);
	assert_true(pt_translate(&pool, DMAP + 8 * SZ_2M) == UINT64_MAX);
}

static void maps_4k_kernel_and_crosses_tables(void **s)
{
	(void)s;
	/* 3 MiB at the kernel base crosses a page-table boundary */
	uint64_t phys = 0x1234000, size = 3ull << 20;

	assert_int_equal(pt_map_4k(&pool, KBASE, phys, size, PTE_W), 0);
	for (uint64_t off = 0; off < size; off += 4096)
		assert_true(pt_translate(&pool, KBASE + off + 7) == phys + off + 7);
	assert_true(pt_translate(&pool, KBASE + size) == UINT64_MAX);
}

static void rejects_misalignment(void **s)
{
	(void)s;
	assert_int_equal(pt_map_2m(&pool, 0x1000, 0, SZ_2M, 0), -1);
	assert_int_equal(pt_map_2m(&pool, 0, 0x1000, SZ_2M, 0), -1);
	assert_int_equal(pt_map_2m(&pool, 0, 0, 0x1000, 0), -1);
	assert_int_equal(pt_map_4k(&pool, 0x10, 0, 4096, 0), -1);
}

static void overlapping_maps_keep_the_first(void **s)
{
	(void)s;
	assert_int_equal(pt_map_2m(&pool, 0, 0, 4 * SZ_2M, PTE_W), 0);
	assert_int_equal(pt_map_2m(&pool, SZ_2M, 0x80000000ull, 4 * SZ_2M, PTE_W), 0);
	assert_true(pt_translate(&pool, SZ_2M) == SZ_2M);       /* first wins */
	assert_true(pt_translate(&pool, 4 * SZ_2M) == 0x80000000ull + 3 * SZ_2M);
}

static void a_4k_map_under_a_large_page_fails(void **s)
{
	(void)s;
	assert_int_equal(pt_map_2m(&pool, 0, 0, SZ_2M, PTE_W), 0);
	assert_int_equal(pt_map_4k(&pool, 0x1000, 0x5000, 4096, PTE_W), -1);
}

static void pool_exhaustion_is_an_error(void **s)
{
	(void)s;
	struct pt_pool small;
	void *m = aligned_alloc(4096, 3 * 4096);

	pt_init(&small, POOL_PHYS, m, 3); /* PML4 + PDPT + one PD */
	assert_int_equal(pt_map_2m(&small, 0, 0, SZ_2M, PTE_W), 0);
	assert_int_equal(pt_map_2m(&small, 1ull << 30, 0, SZ_2M, PTE_W), -1); /* needs a 2nd PD */
	free(m);
}

static void pages_needed_is_an_upper_bound(void **s)
{
	(void)s;
	struct { uint64_t virt, size, page; } cases[] = {
		{ 0, 4ull << 30, SZ_2M },
		{ DMAP + (511ull << 30), 2ull << 30, SZ_2M },   /* crosses a PML4 slot */
		{ KBASE, 3ull << 20, 4096 },
		{ KBASE + 0x1ff000, 0x2000, 4096 },           /* crosses a PT */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *m = aligned_alloc(4096, 64 * 4096);
		struct pt_pool p;
		uint64_t need = pt_pages_needed(cases[i].virt, cases[i].size, cases[i].page);

		pt_init(&p, POOL_PHYS, m, 1 + need);
		if (cases[i].page == SZ_2M)
			assert_int_equal(pt_map_2m(&p, cases[i].virt, 0, cases[i].size, PTE_W), 0);
		else
			assert_int_equal(pt_map_4k(&p, cases[i].virt, 0, cases[i].size, PTE_W), 0);
		assert_true(p.used <= 1 + need);
		free(m);
	}
	assert_true(pt_pages_needed(0, 0, SZ_2M) == 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(maps_2m_identity_and_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(maps_4k_kernel_and_crosses_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(rejects_misalignment, setup, teardown),
		cmocka_unit_test_setup_teardown(overlapping_maps_keep_the_first, setup, teardown),
		cmocka_unit_test_setup_teardown(a_4k_map_under_a_large_page_fails, setup, teardown),
		cmocka_unit_test(pool_exhaustion_is_an_error),
		cmocka_unit_test(pages_needed_is_an_upper_bound),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
