/* Tests for mm/pcpu_cache.c: refill and drain batches, the high watermark,
 * LIFO reuse, explicit drains, CPUs without a cache, and OOM draining the
 * other CPUs' caches. */
#include "mm/mm_test.h"

static int setup(void **st)
{
	(void)st;
	host_env_set_panic_hook(mm_test_panic_hook);
	host_env_set_cpu(0);
	return 0;
}

static void test_refill_batch_and_hits(void **st)
{
	(void)st;
	mm_test_fresh(1024, 0, 1024 * PG);
	uint64_t first = mm_test_alloc(0);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.refills, 1);
	assert_int_equal(s.cached_frames, MM_PCPU_BATCH - 1);
	assert_int_equal(s.buddy_free_frames, 1024 - MM_PCPU_BATCH);
	assert_int_equal(s.cache_hits, 0);
	/* the batch is handed out in ascending order */
	for (unsigned i = 1; i < MM_PCPU_BATCH; i++)
		assert_int_equal(mm_test_alloc(0), first + i * PG);
	s = mm_test_stats();
	assert_int_equal(s.cache_hits, MM_PCPU_BATCH - 1);
	assert_int_equal(s.cached_frames, 0);
	assert_int_equal(meta_slot_meta_aux_load(get_meta_slot(first)) & 0xffff, 0);
	mm_test_alloc(0);
	assert_int_equal(mm_test_stats().refills, 2);
	assert_mm_consistent();
}

static void test_lifo_reuse(void **st)
{
	(void)st;
	mm_test_fresh(256, 0, 256 * PG);
	uint64_t a = mm_test_alloc(0);

	mm_test_free(a, 0);
	assert_int_equal(mm_test_alloc(0), a);
	mm_test_free(a, 0);
	struct meta_slot *s = get_meta_slot(a);

	assert_int_equal(meta_slot_get_flags(s) & FRAME_FLAGS_HEAD_MASK, 0); /* cached: no head bits */
	assert_int_equal(frame_state(a), FRAME_STATE_FREE);
	assert_int_equal(meta_slot_get_refcount(s), REFCOUNT_UNUSED);
	assert_mm_consistent();
}

static void test_high_watermark_drains(void **st)
{
	(void)st;
	mm_test_fresh(1024, 0, 1024 * PG);
	uint64_t p[MM_PCPU_HIGH + 8];

	for (unsigned i = 0; i < MM_PCPU_HIGH + 8; i++)
		p[i] = mm_test_alloc(0);
	host_env_set_cpu(1); /* another CPU frees them: they go to CPU 1's cache */
	for (unsigned i = 0; i < MM_PCPU_HIGH - 1; i++)
		mm_test_free(p[i], 0);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.drains, 0);
	assert_int_equal(pcpu_count(&pcpu_caches[1]), MM_PCPU_HIGH - 1);
	mm_test_free(p[MM_PCPU_HIGH - 1], 0); /* reaches the watermark */
	s = mm_test_stats();
	assert_int_equal(s.drains, 1);
	assert_int_equal(pcpu_count(&pcpu_caches[1]), MM_PCPU_HIGH - MM_PCPU_BATCH);
	/* the oldest went back: the first freed frame is in the buddy now */
	for (unsigned i = 0; i < pcpu_count(&pcpu_caches[1]); i++)
		assert_int_not_equal(pcpu_caches[1].pfn[i], p[0] >> PAGE_SHIFT);
	assert_mm_consistent();
	for (unsigned i = MM_PCPU_HIGH; i < MM_PCPU_HIGH + 8; i++)
		mm_test_free(p[i], 0);
	host_env_set_cpu(0);
	pcpu_cache_drain_all();
	assert_int_equal(mm_test_stats().free_blocks[MAX_ORDER], 1);
	assert_mm_consistent();
}

static void test_explicit_drains(void **st)
{
	(void)st;
	mm_test_fresh(512, 0, 512 * PG);
	uint64_t a = mm_test_alloc(0);

	host_env_set_cpu(5);
	uint64_t b = mm_test_alloc(0);

	assert_int_equal(pcpu_count(&pcpu_caches[5]), MM_PCPU_BATCH - 1);
	pcpu_cache_drain_local();
	assert_int_equal(pcpu_count(&pcpu_caches[5]), 0);
	host_env_set_cpu(0);
	assert_int_equal(pcpu_cache_drain(0), ALLOC_ERROR_NONE); /* "remote" drain of CPU 0 */
	assert_int_equal(pcpu_count(&pcpu_caches[0]), 0);
	assert_int_equal(pcpu_cache_drain(MM_MAX_CPUS), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(host_env_last_diag().code, ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(mm_free_frames(), 510);
	assert_int_equal(mm_test_stats().buddy_free_frames, 510);
	mm_test_free(a, 0);
	mm_test_free(b, 0);
	pcpu_cache_drain_all();
	assert_int_equal(mm_test_stats().free_blocks[9], 1);
	assert_mm_consistent();
}

static void test_cpu_without_cache(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	host_env_set_cpu(MM_MAX_CPUS + 3);
	uint64_t a = mm_test_alloc(0);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.cached_frames, 0);
	assert_int_equal(s.allocs, 1);
	assert_int_equal(meta_slot_meta_aux_load(get_meta_slot(a)) & 0xffff, MM_MAX_CPUS + 3);
	mm_test_free(a, 0);
	s = mm_test_stats();
	assert_int_equal(s.frees, 1);
	assert_int_equal(s.free_blocks[6], 1); /* straight back into the buddy */
	pcpu_cache_drain_local(); /* nothing to drain: fine */
	host_env_set_cpu(0);
	assert_mm_consistent();
}

static void test_oom_drains_other_caches(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	host_env_set_cpu(2);
	uint64_t x = mm_test_alloc(0); /* CPU 2's cache now holds 31 frames */

	host_env_set_cpu(0);
	struct frame_alloc_options o = mm_test_opts(0, false);
	struct phys_frame f;
	uint64_t got = 0;

	while (frame_alloc_options_allocate(&o, &f) == ALLOC_ERROR_NONE)
		got++;
	assert_int_equal(got, 63); /* CPU 2's cached frames were reached */
	/* and a higher order finds blocks that caches had fragmented */
	mm_test_fresh(64, 0, 64 * PG);
	host_env_set_cpu(2);
	x = mm_test_alloc(0);
	mm_test_free(x, 0);
	host_env_set_cpu(0);
	uint64_t big = mm_test_alloc(6); /* all 64 frames: needs CPU 2's 32 back */
	mm_test_free(big, 6);
	assert_mm_consistent();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refill_batch_and_hits),
		cmocka_unit_test(test_lifo_reuse),
		cmocka_unit_test(test_high_watermark_drains),
		cmocka_unit_test(test_explicit_drains),
		cmocka_unit_test(test_cpu_without_cache),
		cmocka_unit_test(test_oom_drains_other_caches),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);

	host_env_teardown();
	return rc;
}
