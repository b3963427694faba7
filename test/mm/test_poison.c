/* Tests for mm/poison.c and quarantine: a poisoned frame is never handed out
 * again, and only the poisoned 4 KiB frames leave circulation. */
#include "mm/mm_test.h"

static int setup(void **st)
{
	(void)st;
	host_env_set_panic_hook(mm_test_panic_hook);
	host_env_set_cpu(0);
	return 0;
}

/* Allocates every free frame (order 0) and checks none is poisoned. */
static uint64_t alloc_all_check_clean(uint64_t *out, uint64_t cap)
{
	struct frame_alloc_options o = mm_test_opts(0, false);
	struct phys_frame f;
	uint64_t n = 0;

	while (n < cap && frame_alloc_options_allocate(&o, &f) == ALLOC_ERROR_NONE) {
		assert_false(meta_slot_is_guard_poisoned(get_meta_slot(f.start_address)));
		out[n++] = f.start_address;
	}
	return n;
}

static void free_all(uint64_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		mm_test_free(p[i], 0);
}

static void test_poison_free_frame_splits_block(void **st)
{
	(void)st;
	mm_test_fresh(1024, 0, 1024 * PG); /* one order-10 block */
	assert_int_equal(frame_mark_poisoned(333 * PG), ALLOC_ERROR_NONE);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.free_frames, 1023);
	assert_int_equal(s.quarantined_frames, 1);
	assert_int_equal(s.poisoned, 1);
	assert_int_equal(s.free_blocks[MAX_ORDER], 0);
	assert_int_equal(s.free_blocks[9], 1); /* the clean half stays whole */
	assert_int_equal(frame_state(333 * PG), FRAME_STATE_POISONED);
	assert_int_equal(frame_state(332 * PG), FRAME_STATE_FREE);
	assert_true(meta_slot_get_flags(get_meta_slot(333 * PG)) & FRAME_FLAGS_POISONED);
	assert_mm_consistent();
	/* idempotent */
	assert_int_equal(frame_mark_poisoned(333 * PG), ALLOC_ERROR_NONE);
	assert_int_equal(mm_test_stats().poisoned, 1);
	static uint64_t all[1024];
	uint64_t n = alloc_all_check_clean(all, 1024);

	assert_int_equal(n, 1023);
	free_all(all, n);
	assert_mm_consistent();
}

static void test_poison_allocated_frame_quarantined_on_free(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	uint64_t p = mm_test_alloc(0);

	assert_int_equal(frame_mark_poisoned(p), ALLOC_ERROR_NONE);
	assert_int_equal(frame_state(p), FRAME_STATE_POISONED);
	assert_mm_consistent(); /* allocated and poisoned is a legal state */
	mm_test_free(p, 0);
	assert_int_equal(mm_test_stats().quarantined_frames, 1);
	assert_int_equal(mm_free_frames(), 63);
	/* a quarantined frame cannot be freed again */
	assert_int_equal(frame_free(p, 0), ALLOC_ERROR_DOUBLE_FREE);
	static uint64_t all[64];
	uint64_t n = alloc_all_check_clean(all, 64);

	assert_int_equal(n, 63);
	free_all(all, n);
	assert_mm_consistent();
}

static void test_poison_tail_of_allocated_block(void **st)
{
	(void)st;
	mm_test_fresh(1024, 0, 1024 * PG);
	uint64_t p = mm_test_alloc(9);

	assert_int_equal(frame_mark_poisoned(p + 100 * PG), ALLOC_ERROR_NONE);
	assert_int_equal(frame_mark_poisoned(p + 101 * PG), ALLOC_ERROR_NONE);
	assert_true(meta_slot_get_guard(get_meta_slot(p)) & META_GUARD_BLOCK_POISONED);
	assert_int_equal(frame_state(p + 5 * PG), FRAME_STATE_ALLOCATED);
	mm_test_free(p, 9);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.quarantined_frames, 2);
	assert_int_equal(s.free_frames, 1022);
	assert_false(meta_slot_get_guard(get_meta_slot(p)) & META_GUARD_BLOCK_POISONED);
	assert_mm_consistent();
	/* order-9 blocks are still available from the other half */
	uint64_t q = mm_test_alloc(9);

	assert_false(block_phys_has_poison_guard(q, 9));
	mm_test_free(q, 9);
}

static void test_poison_head_of_allocated_block(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	uint64_t p = mm_test_alloc(3);

	assert_int_equal(frame_mark_poisoned(p), ALLOC_ERROR_NONE);
	mm_test_free(p, 3);
	assert_int_equal(mm_test_stats().quarantined_frames, 1);
	assert_int_equal(mm_free_frames(), 63);
	assert_mm_consistent();
}

static void test_poison_cached_frame_never_handed_out(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	uint64_t p = mm_test_alloc(0);

	mm_test_free(p, 0); /* now on top of CPU 0's cache */
	assert_int_equal(frame_mark_poisoned(p), ALLOC_ERROR_NONE);
	assert_mm_consistent(); /* poisoned while cached is legal until popped */
	uint64_t q = mm_test_alloc(0);

	assert_int_not_equal(q, p);
	assert_int_equal(mm_test_stats().quarantined_frames, 1);
	mm_test_free(q, 0);
	/* another cached frame, quarantined by a drain instead */
	uint64_t r = mm_test_alloc(0);

	mm_test_free(r, 0);
	assert_int_equal(frame_mark_poisoned(r), ALLOC_ERROR_NONE);
	pcpu_cache_drain_all();
	assert_int_equal(mm_test_stats().quarantined_frames, 2);
	assert_int_equal(mm_free_frames(), 62);
	assert_mm_consistent();
}

static void test_add_range_skips_poisoned(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 0);
	assert_int_equal(frame_mark_poisoned(10 * PG), ALLOC_ERROR_NONE); /* unmanaged yet */
	assert_int_equal(frame_state(10 * PG), FRAME_STATE_POISONED);
	assert_int_equal(buddy_add_range(0, 64 * PG), ALLOC_ERROR_NONE);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.managed_frames, 64);
	assert_int_equal(s.free_frames, 63);
	assert_int_equal(s.quarantined_frames, 1);
	assert_mm_consistent();
	static uint64_t all[64];
	uint64_t n = alloc_all_check_clean(all, 64);

	assert_int_equal(n, 63);
	free_all(all, n);
}

static void test_many_poisoned_never_out(void **st)
{
	(void)st;
	mm_test_fresh(2048, 0, 2048 * PG);
	static uint64_t all[2048];
	uint64_t n = alloc_all_check_clean(all, 2048);

	/* the auditor holds everything, finds every 7th frame bad, frees all */
	for (uint64_t i = 0; i < n; i++)
		if (all[i] / PG % 7 == 3)
			assert_int_equal(frame_mark_poisoned(all[i]), ALLOC_ERROR_NONE);
	free_all(all, n);
	pcpu_cache_drain_all();
	uint64_t bad = (2048 + 3) / 7;

	assert_int_equal(mm_test_stats().quarantined_frames, bad);
	assert_int_equal(mm_free_frames(), 2048 - bad);
	assert_mm_consistent();
	for (unsigned o = 0; o <= 2; o++) { /* higher orders: only clean blocks */
		struct frame_alloc_options opt = mm_test_opts(o, false);
		struct phys_frame f;
		uint64_t got = 0;

		while (frame_alloc_options_allocate(&opt, &f) == ALLOC_ERROR_NONE) {
			assert_false(block_phys_has_poison_guard(f.start_address, (uint8_t)o));
			all[got++] = f.start_address;
		}
		assert_true(got > 0);
		for (uint64_t i = 0; i < got; i++)
			mm_test_free(all[i], o);
		assert_mm_consistent();
	}
}

static void test_mark_errors(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	assert_int_equal(frame_mark_poisoned(5 * PG + 1), ALLOC_ERROR_INVALID_ADDRESS);
	assert_int_equal(frame_mark_poisoned(64 * PG), ALLOC_ERROR_OUT_OF_RANGE);
	assert_int_equal(host_env_diag_count(), 2);
	assert_int_equal(mm_test_stats().poisoned, 0);
	assert_mm_consistent();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poison_free_frame_splits_block),
		cmocka_unit_test(test_poison_allocated_frame_quarantined_on_free),
		cmocka_unit_test(test_poison_tail_of_allocated_block),
		cmocka_unit_test(test_poison_head_of_allocated_block),
		cmocka_unit_test(test_poison_cached_frame_never_handed_out),
		cmocka_unit_test(test_add_range_skips_poisoned),
		cmocka_unit_test(test_many_poisoned_never_out),
		cmocka_unit_test(test_mark_errors),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);

	host_env_teardown();
	return rc;
}
