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

/* audit_limit_mib_s: one kind is its own limit; a mix is the harmonic
 * combination (time at each limit added up), checked against doubles. */
static void limit_of_a_sweep_mix(void **s)
{
	(void)s;
	const uint64_t lim[AUDIT_KINDS] = { 20000, 30000, 12000 };
	uint32_t one[AUDIT_KINDS] = { 0, 5, 0 }, none[AUDIT_KINDS] = { 0, 0, 0 };

	assert_int_equal(audit_limit_mib_s(one, lim), 30000);
	assert_int_equal(audit_limit_mib_s(none, lim), 0);
	/* own_address: one write, one read: 2 / (1/20000 + 1/30000) = 24000 */
	uint32_t wr[AUDIT_KINDS] = { 1, 1, 0 };

	assert_int_equal(audit_limit_mib_s(wr, lim), 24000);
	/* a kind without a limit: no figure */
	const uint64_t no_rw[AUDIT_KINDS] = { 20000, 30000, 0 };
	uint32_t mi[AUDIT_KINDS] = { 2, 0, 4 };

	assert_int_equal(audit_limit_mib_s(mi, no_rw), 0);
	assert_int_equal(audit_limit_mib_s(wr, no_rw), 24000);
	uint32_t huge[AUDIT_KINDS] = { 1u << 22, 0, 0 };

	assert_int_equal(audit_limit_mib_s(huge, lim), 0);
	/* random mixes and limits (up to 2 TB/s) against floating point, within
	 * 1 MiB/s and 10^-6 */
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 100000; i++) {
		uint32_t n[AUDIT_KINDS];
		uint64_t l[AUDIT_KINDS];
		double t = 0, sw = 0;

		for (int k = 0; k < AUDIT_KINDS; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			n[k] = (uint32_t)(x % 300);
			l[k] = 1 + (x >> 20) % 2000000;
			t += n[k] / (double)l[k];
			sw += n[k];
		}
		uint64_t got = audit_limit_mib_s(n, l);

		if (!sw) {
			assert_int_equal(got, 0);
			continue;
		}
		double want = sw / t;

		if (got + 1 + want * 1e-6 < want || got > want + 1 + want * 1e-6)
			fail_msg("n %u %u %u, limits %llu %llu %llu: %llu, not %.2f", n[0], n[1], n[2],
				 (unsigned long long)l[0], (unsigned long long)l[1],
				 (unsigned long long)l[2], (unsigned long long)got, want);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(multi_tib_figures),
		cmocka_unit_test(small_figures_and_edges),
		cmocka_unit_test(random_inputs_match_the_reference),
		cmocka_unit_test(limit_of_a_sweep_mix),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
