/* Host tests of the CPUID decoders with the words real CPUs return. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <kernel/cpuinfo.h>
#include <kernel/simd.h>

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

/* The XCR0 simd_init_cpu writes, from CPUID.1:ECX and CPUID.(0xd,0):EDX:EAX
 * (bits as the SDM numbers them; the states as these CPUs report them). */
static void xcr0(void **state)
{
	const uint32_t xsave = CPUID1_ECX_XSAVE, avx = CPUID1_ECX_AVX;

	(void)state;
	/* QEMU's qemu64: no XSAVE, no XCR0 to write */
	assert_int_equal(simd_xcr0_for(0x80202001u, 0), 0);
	/* XSAVE without AVX (a Pentium of the Skylake generation: x87, SSE, MPX) */
	assert_int_equal(simd_xcr0_for(xsave, 0x1f), XCR0_X87 | XCR0_SSE);
	/* AVX and AVX2 (QEMU -cpu max under TCG; Intel client cores): x87, SSE, AVX */
	assert_int_equal(simd_xcr0_for(xsave | avx, 0x7), 0x7);
	/* AVX-512 (Zen 4, Skylake-SP): also PKRU (bit 9), which is not asked for */
	assert_int_equal(simd_xcr0_for(xsave | avx, 0x2e7), 0xe7);
	/* only some AVX-512 states: none of them (XSETBV wants all three) */
	assert_int_equal(simd_xcr0_for(xsave | avx, 0x27), 0x7);
	/* AVX in CPUID but its state not supported: SSE only */
	assert_int_equal(simd_xcr0_for(xsave | avx, 0x3), 0x3);
	/* AVX-512 states without AVX (not a real CPU): SSE only */
	assert_int_equal(simd_xcr0_for(xsave, 0xe7), 0x3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signatures),
		cmocka_unit_test(caches),
		cmocka_unit_test(xcr0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
