/* Host tests of the audit's slices: the smallest slice follows the
 * last-level cache of real CPUs, and a share gets 1 to 8 slices of at least
 * that size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <kernel/audit_slices.h>

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

static void slice_min_follows_the_last_level_cache(void **s)
{
	(void)s;
	/* i7-6700: 8 MiB L3: the floor */
	struct cpu_caches desk = { .l1d = 32 * KiB, .l2 = 256 * KiB, .l3 = 8 * MiB };
	/* EPYC 9684X: 96 MiB L3 per CCD (leaf 0x8000001D: per instance) */
	struct cpu_caches genoa_x = { .l1d = 32 * KiB, .l2 = MiB, .l3 = 96 * MiB };
	/* Xeon 8592+: 320 MiB L3 */
	struct cpu_caches emerald = { .l1d = 48 * KiB, .l2 = 2 * MiB, .l3 = 320 * MiB };
	/* no L3, a large L2 (some Atoms): the L2 is the last level */
	struct cpu_caches l2_only = { .l1d = 32 * KiB, .l2 = 24 * MiB };
	struct cpu_caches none = { 0 };

	assert_int_equal(audit_slice_min(&desk), AUDIT_SLICE_FLOOR);
	assert_int_equal(audit_slice_min(&genoa_x), 192 * MiB);
	assert_int_equal(audit_slice_min(&emerald), 640 * MiB);
	assert_int_equal(audit_slice_min(&l2_only), 48 * MiB);
	assert_int_equal(audit_slice_min(&none), AUDIT_SLICE_FLOOR);
	assert_int_equal(audit_slice_min(NULL), AUDIT_SLICE_FLOOR);
}

static void shares_get_one_to_eight_slices_none_too_small(void **s)
{
	(void)s;
	uint64_t m = 32 * MiB;

	assert_int_equal(audit_slices(0, m), 1);
	assert_int_equal(audit_slices(5 * MiB, m), 1);      /* 128 MiB over 4 CPUs */
	assert_int_equal(audit_slices(32 * MiB - 4096, m), 1);
	assert_int_equal(audit_slices(32 * MiB, m), 1);
	assert_int_equal(audit_slices(95 * MiB, m), 2);
	assert_int_equal(audit_slices(256 * MiB, m), 8);    /* 4 GiB over 16 CPUs */
	assert_int_equal(audit_slices(64 * GiB, m), AUDIT_SLICES);
	for (uint64_t b = 0; b < 2 * GiB; b += 7 * MiB + 4096) {
		uint32_t k = audit_slices(b, m);

		assert_true(k >= 1 && k <= AUDIT_SLICES);
		assert_true(k == 1 || b / k >= m);              /* none under the minimum */
		assert_true(k == AUDIT_SLICES || b / (k + 1) < m); /* and as many as fit */
	}
	/* a 320 MiB L3: a 1 GiB share is one slice, not eight of 128 MiB */
	assert_int_equal(audit_slices(GiB, 640 * MiB), 1);
	assert_int_equal(audit_slices(8 * GiB, 640 * MiB), 8);
	assert_int_equal(audit_slices(GiB, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slice_min_follows_the_last_level_cache),
		cmocka_unit_test(shares_get_one_to_eight_slices_none_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
