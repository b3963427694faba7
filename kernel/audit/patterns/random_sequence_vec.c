/* random_sequence's vector loops over whole blocks (random_sequence.h): the
 * scalar loops' stream, lane k of a vector holding word k's state, so every
 * word gets the value the scalar loop gives it. The mixer's steps are one
 * or two instructions each (shifts, adds, XORs; AVX-512 multiplies).
 *
 * The only kernel code that touches vector registers (kernel/simd.h): every
 * function here carries its own target attribute over the kernel's
 * -mgeneral-regs-only and is named *_avx2 or *_avx512, which is what
 * test_kernel_image.py allows vector operands in. Stores as the scalar
 * loops': non-temporal in fill (vmovntdq), plain in check. */
#include <immintrin.h>
#include "random_sequence.h"

#define AVX2   __attribute__((target("avx2")))
#define AVX512 __attribute__((target("avx512f,avx512dq")))

/* ---------------------------------------------------------------- AVX2: 4 lanes */

static inline AVX2 __m256i mix_avx2(__m256i x)
{
	x = _mm256_xor_si256(x, _mm256_srli_epi64(x, RS_R1));
	x = _mm256_add_epi64(x, _mm256_slli_epi64(x, RS_L1));
	x = _mm256_xor_si256(x, _mm256_srli_epi64(x, RS_R2));
	x = _mm256_add_epi64(x, _mm256_slli_epi64(x, RS_L2));
	return _mm256_xor_si256(x, _mm256_srli_epi64(x, RS_R3));
}

/* the states of words 1..4 after x; the next four are 4 GOLDEN further */
static inline AVX2 __m256i states_avx2(uint64_t x)
{
	return _mm256_add_epi64(_mm256_set1_epi64x((long long)x),
				_mm256_set_epi64x((long long)(4 * RS_GOLDEN), (long long)(3 * RS_GOLDEN),
						  (long long)(2 * RS_GOLDEN), (long long)RS_GOLDEN));
}

static AVX2 uint64_t fill_avx2(const struct audit_span *s, uint64_t i, uint64_t n, uint64_t x)
{
	__m256i *b = (__m256i *)(uintptr_t)(s->w + i);
	const __m256i step4 = _mm256_set1_epi64x((long long)(4 * RS_GOLDEN));
	const __m256i step8 = _mm256_set1_epi64x((long long)(8 * RS_GOLDEN));
	__m256i s0 = states_avx2(x), s1 = _mm256_add_epi64(s0, step4);

	for (uint64_t k = 0; k < n; k++, b += 2) {
		_mm256_stream_si256(b, mix_avx2(s0));
		_mm256_stream_si256(b + 1, mix_avx2(s1));
		s0 = _mm256_add_epi64(s0, step8);
		s1 = _mm256_add_epi64(s1, step8);
	}
	return x + 8 * n * RS_GOLDEN;
}

/* inv and complement are constants where check_avx2 calls it: the check
 * sweeps run with (0, complement) and (~0, read only), for which the test of
 * a block needs no XOR with inv (all bits clear, all bits set) */
static inline __attribute__((always_inline)) AVX2 uint64_t
check_body_avx2(struct audit_job *j, const struct audit_span *s, uint64_t i, uint64_t n,
		uint64_t x, const uint64_t inv, const int complement)
{
	__m256i *b = (__m256i *)(uintptr_t)(s->w + i);
	const __m256i step4 = _mm256_set1_epi64x((long long)(4 * RS_GOLDEN));
	const __m256i step8 = _mm256_set1_epi64x((long long)(8 * RS_GOLDEN));
	const __m256i vinv = _mm256_set1_epi64x((long long)inv);
	const __m256i vninv = _mm256_set1_epi64x((long long)~inv), ones = _mm256_set1_epi64x(-1);
	__m256i s0 = states_avx2(x), s1 = _mm256_add_epi64(s0, step4);

	for (uint64_t k = 0; k < n; k++, b += 2, x += 8 * RS_GOLDEN) {
		__m256i m0 = mix_avx2(s0), m1 = mix_avx2(s1);
		/* the words xor the stream: inv where they are right */
		__m256i r0 = _mm256_xor_si256(_mm256_load_si256(b), m0);
		__m256i r1 = _mm256_xor_si256(_mm256_load_si256(b + 1), m1);
		int bad;

		if (complement) {
			_mm256_store_si256(b, _mm256_xor_si256(m0, vninv));
			_mm256_store_si256(b + 1, _mm256_xor_si256(m1, vninv));
		}
		if (inv == 0) {
			__m256i o = _mm256_or_si256(r0, r1);

			bad = !_mm256_testz_si256(o, o);
		} else if (inv == ~0ull) {
			bad = !_mm256_testc_si256(_mm256_and_si256(r0, r1), ones);
		} else {
			__m256i o = _mm256_or_si256(_mm256_xor_si256(r0, vinv),
						    _mm256_xor_si256(r1, vinv));

			bad = !_mm256_testz_si256(o, o);
		}
		if (__builtin_expect(bad, 0)) {
			uint64_t t[8];

			_mm256_storeu_si256((__m256i *)t, _mm256_xor_si256(r0, vinv));
			_mm256_storeu_si256((__m256i *)(t + 4), _mm256_xor_si256(r1, vinv));
			rs_bad8(j, s, i + 8 * k, t, x, inv);
		}
		s0 = _mm256_add_epi64(s0, step8);
		s1 = _mm256_add_epi64(s1, step8);
	}
	return x;
}

static AVX2 uint64_t check_avx2(struct audit_job *j, const struct audit_span *s, uint64_t i,
				uint64_t n, uint64_t x, uint64_t inv, int complement)
{
	if (complement && inv == 0)
		return check_body_avx2(j, s, i, n, x, 0, 1);
	if (!complement && inv == ~0ull)
		return check_body_avx2(j, s, i, n, x, ~0ull, 0);
	return complement ? check_body_avx2(j, s, i, n, x, inv, 1)
			  : check_body_avx2(j, s, i, n, x, inv, 0);
}

const struct rs_loops rs_loops_avx2 = { fill_avx2, check_avx2 };

/* ---------------------------------------------------------------- AVX-512: 8 lanes */

/* The shift-adds as vpmullq by 1 + 2^L, the same value: on the host (AMD
 * Zen 4) the shifts were the limit, 5 a vector, and a multiply runs beside
 * them (random_sequence 0.88 of its limit with shifts, 0.94-0.96 so). gcc
 * turns such a multiply back into a shift and an add: the empty asm hides
 * the constants from it. AVX2 has no 64-bit multiply: it shifts. */
static inline AVX512 __m512i mix_avx512(__m512i x)
{
	__m512i m1 = _mm512_set1_epi64((long long)(1 + (1ull << RS_L1)));
	__m512i m2 = _mm512_set1_epi64((long long)(1 + (1ull << RS_L2)));

	__asm__("" : "+v"(m1), "+v"(m2));

	x = _mm512_xor_si512(x, _mm512_srli_epi64(x, RS_R1));
	x = _mm512_mullo_epi64(x, m1);
	x = _mm512_xor_si512(x, _mm512_srli_epi64(x, RS_R2));
	x = _mm512_mullo_epi64(x, m2);
	return _mm512_xor_si512(x, _mm512_srli_epi64(x, RS_R3));
}

/* the states of words 1..8 after x */
static inline AVX512 __m512i states_avx512(uint64_t x)
{
	const uint64_t g = RS_GOLDEN;

	return _mm512_add_epi64(_mm512_set1_epi64((long long)x),
				_mm512_set_epi64((long long)(8 * g), (long long)(7 * g),
						 (long long)(6 * g), (long long)(5 * g),
						 (long long)(4 * g), (long long)(3 * g),
						 (long long)(2 * g), (long long)g));
}

static AVX512 uint64_t fill_avx512(const struct audit_span *s, uint64_t i, uint64_t n, uint64_t x)
{
	__m512i *b = (__m512i *)(uintptr_t)(s->w + i);
	const __m512i step8 = _mm512_set1_epi64((long long)(8 * RS_GOLDEN));
	__m512i st = states_avx512(x);

	for (uint64_t k = 0; k < n; k++, b++) {
		_mm512_stream_si512((void *)b, mix_avx512(st));
		st = _mm512_add_epi64(st, step8);
	}
	return x + 8 * n * RS_GOLDEN;
}

/* as check_body_avx2: constant inv and complement where check_avx512 can */
static inline __attribute__((always_inline)) AVX512 uint64_t
check_body_avx512(struct audit_job *j, const struct audit_span *s, uint64_t i, uint64_t n,
		  uint64_t x, const uint64_t inv, const int complement)
{
	__m512i *b = (__m512i *)(uintptr_t)(s->w + i);
	const __m512i step8 = _mm512_set1_epi64((long long)(8 * RS_GOLDEN));
	const __m512i vinv = _mm512_set1_epi64((long long)inv), ones = _mm512_set1_epi64(-1);
	__m512i st = states_avx512(x);

	for (uint64_t k = 0; k < n; k++, b++, x += 8 * RS_GOLDEN) {
		__m512i want = _mm512_xor_si512(mix_avx512(st), vinv);
		__m512i v = _mm512_load_si512((void *)b);

		if (complement)
			_mm512_store_si512((void *)b, _mm512_xor_si512(want, ones));
		if (__builtin_expect(_mm512_cmpneq_epi64_mask(v, want) != 0, 0)) {
			uint64_t tv[8];

			_mm512_storeu_si512((void *)tv, _mm512_xor_si512(v, want));
			rs_bad8(j, s, i + 8 * k, tv, x, inv);
		}
		st = _mm512_add_epi64(st, step8);
	}
	return x;
}

static AVX512 uint64_t check_avx512(struct audit_job *j, const struct audit_span *s, uint64_t i,
				    uint64_t n, uint64_t x, uint64_t inv, int complement)
{
	if (complement && inv == 0)
		return check_body_avx512(j, s, i, n, x, 0, 1);
	if (!complement && inv == ~0ull)
		return check_body_avx512(j, s, i, n, x, ~0ull, 0);
	return complement ? check_body_avx512(j, s, i, n, x, inv, 1)
			  : check_body_avx512(j, s, i, n, x, inv, 0);
}

const struct rs_loops rs_loops_avx512 = { fill_avx512, check_avx512 };
