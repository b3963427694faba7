/* Tests for metadata_array_move: after the move the allocator runs on the new
 * array only (the old one is scribbled over and never read again), with free,
 * allocated, cached and poisoned frames exactly as before, and buddy_check
 * holds on the copy. Bad arguments move nothing. */
#include <stdlib.h>
#include "mm/mm_test.h"

#define FRAMES 2048
#define CACHE_CPU 1

static int setup(void **st)
{
	(void)st;
	host_env_set_panic_hook(mm_test_panic_hook);
	return 0;
}

static void test_move_keeps_every_state(void **st)
{
	(void)st;
	host_env_set_cpu(CACHE_CPU);
	mm_test_fresh(FRAMES, 0, FRAMES * PG);
	uint64_t a = mm_test_alloc(3), b = mm_test_alloc(0), c = mm_test_alloc(0);
	uint64_t big = mm_test_alloc(MAX_ORDER);

	mm_test_free(c, 0);                       /* into this CPU's cache */
	assert_int_equal(frame_mark_poisoned(a + PG), ALLOC_ERROR_NONE);
	struct mm_stats before = mm_test_stats();
	uint64_t bytes = metadata_size_for(FRAMES * PG);
	struct meta_slot *old = get_meta_slot(0);
	void *to = aligned_alloc(FRAME_META_ALIGN, bytes);

	assert_non_null(to);
	assert_int_equal(metadata_array_move(to, bytes), ALLOC_ERROR_NONE);
	assert_ptr_equal(get_meta_slot(0), to);
	memset(old, 0xa5, bytes);                 /* nobody may read it now */
	assert_mm_consistent();
	struct mm_stats after = mm_test_stats();

	assert_int_equal(after.free_frames, before.free_frames);
	assert_int_equal(after.cached_frames, before.cached_frames);
	assert_int_equal(after.managed_frames, before.managed_frames);
	assert_int_equal(frame_state(a + PG), FRAME_STATE_POISONED);
	assert_int_equal(frame_state(b), FRAME_STATE_ALLOCATED);
	assert_int_equal(frame_state(big), FRAME_STATE_ALLOCATED);
	assert_int_equal(frame_state(c), FRAME_STATE_FREE);
	/* the allocator goes on: frees merge, the poisoned frame stays out */
	mm_test_free(a, 3);
	mm_test_free(b, 0);
	mm_test_free(big, MAX_ORDER);
	pcpu_cache_drain_all();
	assert_mm_consistent();
	after = mm_test_stats();
	assert_int_equal(after.free_frames, FRAMES - 1);
	assert_int_equal(after.quarantined_frames, 1);
	host_env_setup(FRAMES);                   /* off `to` before it goes */
	free(to);
	host_env_set_cpu(0);
}

static void test_bad_arguments_move_nothing(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	struct meta_slot *old = get_meta_slot(0);
	static _Alignas(64) struct meta_slot small[63], ok[64];

	assert_int_equal(metadata_array_move(NULL, sizeof(ok)), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(metadata_array_move(small, sizeof(small)), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(metadata_array_move((char *)ok + 8, sizeof(ok) - 8),
			 ALLOC_ERROR_INVALID_ARGUMENT);
	assert_ptr_equal(get_meta_slot(0), old);
	assert_int_equal(host_env_diag_count(), 3);
	assert_mm_consistent();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_move_keeps_every_state, setup),
		cmocka_unit_test_setup(test_bad_arguments_move_nothing, setup),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
