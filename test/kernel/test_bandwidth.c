/* Host tests of the bandwidth plan: which buffer each level gets on real
 * cache geometries, and the MiB/s arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <kernel/bandwidth.h>

#define KiB 1024ull
#define MiB (1024ull * KiB)

static void desktop(void **s)
{
	(void)s;
	/* i7-6700: 32 KiB L1d, 256 KiB L2, 8 MiB L3, 8 CPUs */
	struct cpu_caches c = { .l1d = 32 * KiB, .l2 = 256 * KiB, .l3 = 8 * MiB };
	uint64_t b[BW_LEVELS];

	bandwidth_plan(&c, 8, b);
	assert_int_equal(b[0], 8 * KiB);
	assert_int_equal(b[1], 64 * KiB);
	assert_int_equal(b[2], 512 * KiB);     /* half the L3, shared by 8 */
	assert_int_equal(b[3], 16 * MiB);      /* 4 x L3 / 8 = 4 MiB: the floor */
	bandwidth_plan(&c, 1, b);
	assert_int_equal(b[2], 4 * MiB);
	assert_int_equal(b[3], 32 * MiB);
}

static void server_and_unknowns(void **s)
{
	(void)s;
	/* Xeon with 1 MiB L2 and 1.375 MiB L3 per core: the L3 share fits in L2 */
	struct cpu_caches c = { .l1d = 32 * KiB, .l2 = MiB, .l3 = 22 * MiB };
	uint64_t b[BW_LEVELS];

	bandwidth_plan(&c, 32, b);
	assert_int_equal(b[2], 0);
	assert_int_equal(b[3], 16 * MiB);
	/* a huge L3 on few CPUs: the RAM buffer is capped, the L3 dropped */
	c.l3 = 256 * MiB;
	bandwidth_plan(&c, 2, b);
	assert_int_equal(b[3], BW_MAX_BLOCKS * BW_BLOCK);
	assert_int_equal(b[2], 0);
	/* nothing known: only RAM */
	struct cpu_caches none = { .source = "none" };
	bandwidth_plan(&none, 0, b);
	assert_int_equal(b[0], 0);
	assert_int_equal(b[1], 0);
	assert_int_equal(b[2], 0);
	assert_int_equal(b[3], 16 * MiB);
}

/* A hypervisor chooses the CPUID words cpuid_cache_bytes multiplies, so an
 * L3 can be near 2^64: four times it wrapped, and a huge L3 got the smallest
 * RAM buffer instead of the largest (found by fuzz/cpuid). */
static void huge_l3_gets_the_largest_ram_buffer(void **s)
{
	(void)s;
	uint64_t b[BW_LEVELS];
	struct cpu_caches c = { .l1d = 32 * KiB, .l2 = MiB, .l3 = 1ull << 62 };

	bandwidth_plan(&c, 1, b);
	assert_int_equal(b[3], BW_MAX_BLOCKS * BW_BLOCK);
	c.l3 = UINT64_MAX;
	bandwidth_plan(&c, 3, b);
	assert_int_equal(b[3], BW_MAX_BLOCKS * BW_BLOCK);
	assert_int_equal(b[2], 0);                 /* more than the RAM buffer: dropped */
	c.l3 = 5 * MiB;                            /* 4 * 5 / 3 MiB: rounded up to 8 MiB, then 16 */
	bandwidth_plan(&c, 3, b);
	assert_int_equal(b[3], 4 * BW_BLOCK);
	c.l3 = 50 * MiB;                           /* 4 * 50 / 3 = 66.67 MiB: the cap */
	bandwidth_plan(&c, 3, b);
	assert_int_equal(b[3], BW_MAX_BLOCKS * BW_BLOCK);
	c.l3 = 40 * MiB;                           /* 4 * 40 / 3 = 53.3 MiB: 56 MiB */
	bandwidth_plan(&c, 3, b);
	assert_int_equal(b[3], 56 * MiB);
}

static void units(void **s)
{
	(void)s;
	/* 1 GiB in one second at 3 GHz is 1024 MiB/s */
	assert_int_equal(bandwidth_mib_s(1ull << 30, 3000000000ull, 3000000000ull), 1024);
	assert_int_equal(bandwidth_mib_s(1ull << 30, 0, 3000000000ull), 0);
	/* 200 GiB in 100 ms at 4 GHz: 2000 GiB/s, no overflow */
	assert_int_equal(bandwidth_mib_s(200ull << 30, 400000000ull, 4000000000ull),
			 2000ull * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(desktop),
		cmocka_unit_test(server_and_unknowns),
		cmocka_unit_test(units),
		cmocka_unit_test(huge_l3_gets_the_largest_ram_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
