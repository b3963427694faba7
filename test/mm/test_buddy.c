/* Tests for mm/buddy.c (populating, split, merge, all orders), frame_state and
 * buddy_check's detection of each kind of corruption. CPU 999 (no cache) is
 * used where a test wants to see the buddy lists directly. */
#include "mm/mm_test.h"

#define NO_CACHE_CPU 999

static int setup(void **st)
{
	(void)st;
	host_env_set_panic_hook(mm_test_panic_hook);
	host_env_set_cpu(NO_CACHE_CPU);
	return 0;
}

static void test_add_range_aligned(void **st)
{
	(void)st;
	mm_test_fresh(4096, 0, 4096 * PG);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.free_blocks[MAX_ORDER], 4); /* 4 x 1024 frames */
	assert_int_equal(s.free_frames, 4096);
	assert_int_equal(s.managed_frames, 4096);
	assert_int_equal(mm_free_frames(), 4096);
	assert_mm_consistent();
}

static void test_add_range_unaligned(void **st)
{
	(void)st;
	/* [0x1800, 0x15000): frames 2 .. 20 (start rounded up, end down) */
	mm_test_fresh(64, 0x1800, 0x15fff);
	struct mm_stats s = mm_test_stats();

	/* 2 (o1) 4..7 (o2) 8..15 (o3) 16..19 (o2) 20 (o0) */
	assert_int_equal(s.free_frames, 19);
	assert_int_equal(s.free_blocks[0], 1);
	assert_int_equal(s.free_blocks[1], 1);
	assert_int_equal(s.free_blocks[2], 2);
	assert_int_equal(s.free_blocks[3], 1);
	assert_int_equal(frame_state(0x1000), FRAME_STATE_UNMANAGED);
	assert_int_equal(frame_state(0x2000), FRAME_STATE_FREE);
	assert_int_equal(frame_state(0x14000), FRAME_STATE_FREE);
	assert_int_equal(frame_state(0x15000), FRAME_STATE_UNMANAGED);
	assert_mm_consistent();
}

static void test_add_range_errors(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 0);
	assert_int_equal(buddy_add_range(5 * PG, 5 * PG), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(buddy_add_range(6 * PG, 5 * PG), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(buddy_add_range(PG + 1, 2 * PG - 1), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(buddy_add_range(~0ull - 10, ~0ull), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(buddy_add_range(0, 65 * PG), ALLOC_ERROR_OUT_OF_RANGE);
	assert_int_equal(host_env_diag_count(), 5);
	assert_int_equal(buddy_add_range(8 * PG, 16 * PG), ALLOC_ERROR_NONE);
	assert_int_equal(buddy_add_range(15 * PG, 17 * PG), ALLOC_ERROR_OVERLAP);
	assert_int_equal(host_env_last_diag().code, ALLOC_ERROR_OVERLAP);
	assert_int_equal(host_env_last_diag().phys, 15 * PG);
	assert_int_equal(mm_free_frames(), 8); /* nothing of the bad range added */
	assert_mm_consistent();
}

static void test_adjacent_ranges_merge(void **st)
{
	(void)st;
	mm_test_fresh(2048, 0, 0);
	assert_int_equal(buddy_add_range(512 * PG, 1024 * PG), ALLOC_ERROR_NONE);
	assert_int_equal(buddy_add_range(0, 512 * PG), ALLOC_ERROR_NONE);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.free_blocks[MAX_ORDER], 1); /* merged into one 4 MiB block */
	assert_int_equal(s.free_blocks[9], 0);
	assert_int_equal(s.merges, 1);
	assert_mm_consistent();
}

static void test_single_frame(void **st)
{
	(void)st;
	mm_test_fresh(8, 3 * PG, 4 * PG);
	assert_int_equal(mm_test_alloc(0), 3 * PG);
	struct frame_alloc_options o = mm_test_opts(0, false);
	struct phys_frame f;

	assert_int_equal(frame_alloc_options_allocate(&o, &f), ALLOC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(frame_state(3 * PG), FRAME_STATE_ALLOCATED);
	mm_test_free(3 * PG, 0);
	assert_int_equal(frame_state(3 * PG), FRAME_STATE_FREE);
	assert_mm_consistent();
}

static void test_every_order(void **st)
{
	(void)st;
	mm_test_fresh(2048, 0, 2048 * PG);
	for (unsigned o = 0; o <= MAX_ORDER; o++) {
		uint64_t p = mm_test_alloc(o);

		assert_int_equal(p & ((PG << o) - 1), 0); /* aligned to its size */
		assert_int_equal(meta_slot_get_order(get_meta_slot(p)), o);
		assert_int_equal(meta_slot_get_refcount(get_meta_slot(p)), 1);
		for (uint64_t i = 0; i < (1ull << o); i++)
			assert_int_equal(frame_state(p + i * PG), FRAME_STATE_ALLOCATED);
		assert_mm_consistent();
		mm_test_free(p, o);
		assert_mm_consistent();
	}
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.free_blocks[MAX_ORDER], 2); /* everything merged back */
	assert_int_equal(s.splits, s.merges);
	assert_int_equal(s.allocs, MAX_ORDER + 1);
	assert_int_equal(s.frees, MAX_ORDER + 1);
}

static void test_split_and_merge_counts(void **st)
{
	(void)st;
	mm_test_fresh(1024, 0, 1024 * PG);
	uint64_t a = mm_test_alloc(0);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(a, 0);
	assert_int_equal(s.splits, MAX_ORDER); /* 1024 -> 512 + 256 + ... + 1 + 1 */
	for (unsigned o = 0; o < MAX_ORDER; o++)
		assert_int_equal(s.free_blocks[o], 1);
	uint64_t b = mm_test_alloc(0);

	assert_int_equal(b, PG); /* the buddy of frame 0 */
	mm_test_free(a, 0);
	s = mm_test_stats();
	assert_int_equal(s.merges, 0); /* b is allocated: no merge */
	mm_test_free(b, 0);
	s = mm_test_stats();
	assert_int_equal(s.merges, MAX_ORDER);
	assert_int_equal(s.free_blocks[MAX_ORDER], 1);
	assert_mm_consistent();
}

static void test_exhaust_each_order(void **st)
{
	(void)st;
	for (unsigned o = 0; o <= MAX_ORDER; o += 3) {
		mm_test_fresh(3000, 0, 3000 * PG); /* not a multiple of 1024 */
		uint64_t got = 0, blocks[3000];
		struct phys_frame f;
		struct frame_alloc_options opt = mm_test_opts(o, false);

		while (frame_alloc_options_allocate(&opt, &f) == ALLOC_ERROR_NONE)
			blocks[got++] = f.start_address;
		assert_int_equal(got, 3000 >> o);
		assert_int_equal(host_env_diag_count(), 0); /* OOM is not a diagnostic */
		assert_mm_consistent();
		for (uint64_t i = 0; i < got; i++)
			mm_test_free(blocks[i], o);
		assert_int_equal(mm_free_frames(), 3000);
		assert_mm_consistent();
	}
}

static void test_frame_state_beyond(void **st)
{
	(void)st;
	mm_test_fresh(16, 0, 16 * PG);
	assert_int_equal(frame_state(16 * PG), FRAME_STATE_UNMANAGED);
	assert_int_equal(frame_state(~0ull), FRAME_STATE_UNMANAGED);
}

/* --- buddy_check finds each kind of corruption (then we repair it). */

static void expect_violation(const char *what)
{
	struct mm_diag d = buddy_check();

	assert_int_equal(d.code, ALLOC_ERROR_CORRUPTED);
	if (!strstr(d.reason, what))
		fail_msg("expected '%s', got '%s'", what, d.reason);
}

static void test_check_detects(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	uint64_t a = mm_test_alloc(0); /* leaves one free block of each order 0..5 */
	struct meta_slot *free1 = get_meta_slot(PG), *free2 = get_meta_slot(2 * PG);

	assert_mm_consistent();

	meta_slot_set_refcount(free1, 7);
	expect_violation("free head refcount");
	meta_slot_set_refcount(free1, REFCOUNT_UNUSED);

	meta_slot_set_order(free2, 2);
	expect_violation("order field differs");
	meta_slot_set_order(free2, 1);

	uint64_t saved = meta_slot_prev(free2);
	meta_slot_set_prev(free2, 40);
	expect_violation("prev link");
	meta_slot_set_prev(free2, saved);

	mm_buddy.nr_free[3]++;
	expect_violation("list shorter");
	mm_buddy.nr_free[3]--;

	mm_buddy.nr_free[3]--;
	expect_violation("list longer");
	mm_buddy.nr_free[3]++;

	mm_buddy.free_frames++;
	expect_violation("free-frame counter");
	mm_buddy.free_frames--;

	/* a poisoned frame inside a free block (raw mark, bypassing the buddy) */
	meta_slot_fetch_or_guard(get_meta_slot(5 * PG), META_GUARD_POISONED);
	expect_violation("poisoned frame in a free block");
	meta_slot_set_guard(get_meta_slot(5 * PG), 0);

	/* a tail that claims to head a block: overlap */
	atomic_store(&get_meta_slot(9 * PG)->flags, FRAME_FLAGS_FREE);
	expect_violation("block head inside another block");
	atomic_store(&get_meta_slot(9 * PG)->flags, 0);

	/* a lost frame: managed, REFCOUNT_UNUSED, in nothing */
	uint64_t b = mm_test_alloc(0);
	atomic_store(&get_meta_slot(b)->flags, 0);
	meta_slot_set_refcount(get_meta_slot(b), REFCOUNT_UNUSED);
	expect_violation("lost");
	atomic_store(&get_meta_slot(b)->flags, FRAME_FLAGS_ALLOCATED);
	meta_slot_set_refcount(get_meta_slot(b), 1);

	/* a reference without an allocated head */
	atomic_store(&get_meta_slot(a)->flags, 0);
	expect_violation("heads no allocated block");
	atomic_store(&get_meta_slot(a)->flags, FRAME_FLAGS_ALLOCATED);


	/* a cycle: a list pointing back at itself */
	unsigned lo = 0;
	while (mm_buddy.head[lo] == FRAME_META_LINK_NONE)
		lo++;
	uint64_t h0 = mm_buddy.head[lo];
	meta_slot_set_next(get_meta_slot(h0 << PAGE_SHIFT), h0);
	expect_violation("prev link"); /* a self-loop breaks symmetry first */
	meta_slot_set_next(get_meta_slot(h0 << PAGE_SHIFT), FRAME_META_LINK_NONE);

	/* a frame twice in one cache */
	host_env_set_cpu(0);
	uint64_t c = mm_test_alloc(0);
	mm_test_free(c, 0);
	struct pcpu_cache *pc = &pcpu_caches[0];
	unsigned n = pcpu_count(pc);
	pc->pfn[n] = pc->pfn[n - 1];
	pcpu_set_count(pc, n + 1);
	expect_violation("twice in the caches");
	/* a cached frame that is also a tail of a free block */
	pc->pfn[n] = 9;
	expect_violation("cached frame inside a block");
	/* ... or heads an allocated block */
	pc->pfn[n] = a >> PAGE_SHIFT;
	expect_violation("cached frame heads a block");
	pcpu_set_count(pc, n);
	host_env_set_cpu(NO_CACHE_CPU);

	assert_mm_consistent();
	mm_test_free(a, 0);
	mm_test_free(b, 0);
	assert_mm_consistent();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_range_aligned),
		cmocka_unit_test(test_add_range_unaligned),
		cmocka_unit_test(test_add_range_errors),
		cmocka_unit_test(test_adjacent_ranges_merge),
		cmocka_unit_test(test_single_frame),
		cmocka_unit_test(test_every_order),
		cmocka_unit_test(test_split_and_merge_counts),
		cmocka_unit_test(test_exhaust_each_order),
		cmocka_unit_test(test_frame_state_beyond),
		cmocka_unit_test(test_check_detects),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);

	host_env_teardown();
	return rc;
}
