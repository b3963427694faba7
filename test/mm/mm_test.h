/* Shared helpers for the mm host tests: cmocka includes, a panic hook that
 * turns mm_env_panic into a cmocka assertion, and short allocation helpers. */
#ifndef METASLOT_TEST_MM_MM_TEST_H
#define METASLOT_TEST_MM_MM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <mm/mm.h>
#include <mm/internal.h>
#include "mm/host_env.h"

#define PG PAGE_SIZE

/* mm_env_panic -> a cmocka assertion (expect_assert_failure catches it). */
static inline void mm_test_panic_hook(const struct mm_diag *d)
{
	mock_assert(0, d->reason, __FILE__, __LINE__);
}

/* buddy_check() must pass; print its finding otherwise. */
#define assert_mm_consistent()                                                              \
	do {                                                                                \
		struct mm_diag d_ = buddy_check();                                          \
		if (d_.code != ALLOC_ERROR_NONE)                                            \
			fail_msg("buddy_check: %s (phys %#llx order %u value %llu)", d_.reason, \
				 (unsigned long long)d_.phys, d_.order,                     \
				 (unsigned long long)d_.value);                             \
	} while (0)

/* Fresh allocator with `frames` frames of physical space and one RAM range. */
static inline void mm_test_fresh(uint64_t frames, uint64_t start, uint64_t end)
{
	host_env_setup(frames);
	host_env_set_panic_hook(mm_test_panic_hook);
	if (end > start)
		assert_int_equal(buddy_add_range(start, end), ALLOC_ERROR_NONE);
	host_env_diag_reset();
}

static inline struct frame_alloc_options mm_test_opts(unsigned order, bool zeroed)
{
	return frame_alloc_options_order(frame_alloc_options_zeroed(frame_alloc_options_new(), zeroed),
					 (uint8_t)order);
}

/* Allocates (must succeed) and returns the physical address. */
static inline uint64_t mm_test_alloc(unsigned order)
{
	struct frame_alloc_options o = mm_test_opts(order, false);
	struct phys_frame f;

	assert_int_equal(frame_alloc_options_allocate(&o, &f), ALLOC_ERROR_NONE);
	return f.start_address;
}

static inline void mm_test_free(uint64_t phys, unsigned order)
{
	assert_int_equal(frame_free(phys, (uint8_t)order), ALLOC_ERROR_NONE);
}

static inline struct mm_stats mm_test_stats(void)
{
	struct mm_stats s;

	mm_stats_read(&s);
	return s;
}

#endif
