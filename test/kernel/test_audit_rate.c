/* Host tests of audit_mib_per_s (kernel/audit/rate.c): the figures of a full
 * audit of a large machine (many TiB swept, hours of cycles), where a 64-bit
 * product overflows, checked against an exact reference computed here with
 * the host's 128-bit division; edge cases; and random inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <kernel/audit_rate.h>

#define TiB (1ull << 40)
#define GHz 1000000000ull

/* The reference: floor(bytes * hz / (2^20 * cycles)), saturated. */
static uint64_t reference(uint64_t bytes, uint64_t cycles, uint64_t hz)
{
	if (!cycles)
		return 0;
	unsigned __int128 q = (unsigned __int128)bytes * hz / cycles >> 20;

	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

static void multi_tib_figures(void **s)
{
	(void)s;
	/* 8 TiB in 1000 s at 3 GHz: 8 * 2^20 / 1000 MiB/s */
	assert_int_equal(audit_mib_per_s(8 * TiB, 3000 * GHz, 3 * GHz), 8388);
	/* a full audit of 128 GiB (34 sweeps x 2 passes = 8.5 TiB) in 2 h at 2.1 GHz */
	uint64_t b = 128ull * 34 * 2 << 30, c = 7200 * 21 * GHz / 10;

	assert_int_equal(audit_mib_per_s(b, c, 21 * GHz / 10), b / 7200 >> 20);
	/* 1 PiB at 10 GiB/s on a 4.7 GHz TSC: exactly 10240 MiB/s */
	uint64_t pib = 1024 * TiB, secs = pib / (10ull << 30);

	assert_int_equal(audit_mib_per_s(pib, secs * 4700000000ull, 4700000000ull), 10240);
	/* every step from 1 TiB to 64 TiB, one hour at 3 GHz each */
	for (uint64_t t = 1; t <= 64; t++)
		assert_int_equal(audit_mib_per_s(t * TiB, 3600 * 3 * GHz, 3 * GHz),
				 reference(t * TiB, 3600 * 3 * GHz, 3 * GHz));
}

static void small_figures_and_edges(void **s)
{
	(void)s;
	assert_int_equal(audit_mib_per_s(1 << 20, 3 * GHz, 3 * GHz), 1);       /* 1 MiB in 1 s */
	assert_int_equal(audit_mib_per_s((1 << 20) - 1, 3 * GHz, 3 * GHz), 0); /* floor */
	assert_int_equal(audit_mib_per_s(123456789, 0, 3 * GHz), 0);          /* no time */
	assert_int_equal(audit_mib_per_s(0, 1000, 3 * GHz), 0);
	assert_int_equal(audit_mib_per_s(UINT64_MAX, 1, UINT64_MAX), UINT64_MAX);
	/* the largest rate that fits, and the first that does not */
	assert_int_equal(audit_mib_per_s(UINT64_MAX, UINT64_MAX, UINT64_MAX), UINT64_MAX >> 20);
	assert_int_equal(audit_mib_per_s(1ull << 63, 1, 1ull << 21), UINT64_MAX);
	assert_int_equal(audit_mib_per_s(1ull << 63, 1, 1ull << 20), 1ull << 63);
	assert_int_equal(audit_mib_per_s(1ull << 63, 2, 1ull << 21), 1ull << 63);
}

static void random_inputs_match_the_reference(void **s)
{
	(void)s;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < 200000; i++) {
		uint64_t v[3];

		for (int k = 0; k < 3; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v[k] = x >> (x % 64); /* every magnitude */
		}
		uint64_t got = audit_mib_per_s(v[0], v[1], v[2]), want = reference(v[0], v[1], v[2]);

		if (got != want)
			fail_msg("audit_mib_per_s(%llu, %llu, %llu) = %llu, expected %llu",
				 (unsigned long long)v[0], (unsigned long long)v[1],
				 (unsigned long long)v[2], (unsigned long long)got,
				 (unsigned long long)want);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(multi_tib_figures),
		cmocka_unit_test(small_figures_and_edges),
		cmocka_unit_test(random_inputs_match_the_reference),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
