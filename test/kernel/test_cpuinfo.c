/* Host tests of the CPUID decoders with the words real CPUs return. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <kernel/cpuinfo.h>

static void sig(uint32_t eax, uint32_t f, uint32_t m, uint32_t s)
{
	uint32_t family, model, stepping;

	cpuid_signature(eax, &family, &model, &stepping);
	assert_int_equal(family, f);
	assert_int_equal(model, m);
	assert_int_equal(stepping, s);
}

static void signatures(void **state)
{
	(void)state;
	sig(0x00050654, 6, 0x55, 4);     /* Xeon Skylake-SP */
	sig(0x0001067a, 6, 0x17, 0xa);   /* Core 2 Duo E8400 */
	sig(0x00000f29, 0xf, 2, 9);      /* Pentium 4 */
	sig(0x00870f10, 0x17, 0x71, 0);  /* Ryzen 7 3700X (Zen 2) */
	sig(0x00a60f12, 0x19, 0x61, 2);  /* Ryzen 9 7950X (Zen 4) */
	sig(0x00010435, 4, 3, 5);        /* extended model ignored below family 6 */
	sig(0x00100635, 6, 3, 5);        /* extended family ignored below 0xf */
}

static void caches(void **state)
{
	(void)state;
	uint32_t level, type, shared;
	/* i7-6700 (Skylake) leaf 4: L1d 32 KiB shared by 2, L3 8 MiB by 16 */
	const uint32_t l1d[4] = { 0x1c004121, 0x01c0003f, 0x0000003f, 0 };
	const uint32_t l3[4] = { 0x1c03c163, 0x03c0003f, 0x00001fff, 6 };
	const uint32_t null[4] = { 0x1c000000, 0x03c0003f, 0x1fff, 0 };

	assert_int_equal(cpuid_cache_bytes(l1d, &level, &type, &shared), 32 * 1024);
	assert_int_equal(level, 1);
	assert_int_equal(type, 1);
	assert_int_equal(shared, 2);
	assert_int_equal(cpuid_cache_bytes(l3, &level, &type, &shared), 8u << 20);
	assert_int_equal(level, 3);
	assert_int_equal(type, 3);
	assert_int_equal(shared, 16);
	assert_int_equal(cpuid_cache_bytes(null, &level, &type, &shared), 0);
	assert_int_equal(type, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signatures),
		cmocka_unit_test(caches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
