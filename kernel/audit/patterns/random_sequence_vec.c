/* random_sequence's vector loops over whole blocks (random_sequence.h): the
 * scalar loops' splitmix64 stream, lane k of a vector holding word k's
 * state, so every word gets the value the scalar loop gives it. AVX2 has no
 * 64-bit multiply: the low 64 bits of x * m are lo(x) lo(m) + (hi(x) lo(m)
 * + lo(x) hi(m)) << 32; vpmuludq makes the first, one vpmulld (32-bit lanes,
 * m's halves swapped) both cross terms, a shift and an add their sum (three
 * vpmuludq and two shifts instead were 7 % slower on the host: the loops
 * are bound by the vector ALUs, not the memory). AVX-512DQ has vpmullq.
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

static inline AVX2 __m256i mul64_avx2(__m256i x, uint64_t m)
{
	const __m256i lo = _mm256_set1_epi64x((long long)m);
	const __m256i swapped = _mm256_set1_epi64x((long long)(m << 32 | m >> 32));
	/* 32-bit lanes: lo(x) hi(m) and hi(x) lo(m), low halves; their sum
	 * into the high half */
	__m256i cross = _mm256_mullo_epi32(x, swapped);

	cross = _mm256_slli_epi64(_mm256_add_epi64(cross, _mm256_srli_epi64(cross, 32)), 32);
	return _mm256_add_epi64(_mm256_mul_epu32(x, lo), cross);
}

static inline AVX2 __m256i mix_avx2(__m256i x)
{
	x = mul64_avx2(_mm256_xor_si256(x, _mm256_srli_epi64(x, 30)), RS_MUL1);
	x = mul64_avx2(_mm256_xor_si256(x, _mm256_srli_epi64(x, 27)), RS_MUL2);
	return _mm256_xor_si256(x, _mm256_srli_epi64(x, 31));
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

static inline __attribute__((always_inline)) AVX2 uint64_t
check_body_avx2(struct audit_job *j, const struct audit_span *s, uint64_t i, uint64_t n,
		uint64_t x, uint64_t inv, const int complement)
{
	__m256i *b = (__m256i *)(uintptr_t)(s->w + i);
	const __m256i step4 = _mm256_set1_epi64x((long long)(4 * RS_GOLDEN));
	const __m256i step8 = _mm256_set1_epi64x((long long)(8 * RS_GOLDEN));
	const __m256i vinv = _mm256_set1_epi64x((long long)inv), ones = _mm256_set1_epi64x(-1);
	__m256i s0 = states_avx2(x), s1 = _mm256_add_epi64(s0, step4);

	for (uint64_t k = 0; k < n; k++, b += 2, x += 8 * RS_GOLDEN) {
		__m256i w0 = _mm256_xor_si256(mix_avx2(s0), vinv);
		__m256i w1 = _mm256_xor_si256(mix_avx2(s1), vinv);
		__m256i t0 = _mm256_xor_si256(_mm256_load_si256(b), w0);
		__m256i t1 = _mm256_xor_si256(_mm256_load_si256(b + 1), w1);

		if (complement) {
			_mm256_store_si256(b, _mm256_xor_si256(w0, ones));
			_mm256_store_si256(b + 1, _mm256_xor_si256(w1, ones));
		}
		if (__builtin_expect(!_mm256_testz_si256(_mm256_or_si256(t0, t1),
							 _mm256_or_si256(t0, t1)), 0)) {
			uint64_t t[8];

			_mm256_storeu_si256((__m256i *)t, t0);
			_mm256_storeu_si256((__m256i *)(t + 4), t1);
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
	return complement ? check_body_avx2(j, s, i, n, x, inv, 1)
			  : check_body_avx2(j, s, i, n, x, inv, 0);
}

const struct rs_loops rs_loops_avx2 = { fill_avx2, check_avx2 };

/* ---------------------------------------------------------------- AVX-512: 8 lanes */

static inline AVX512 __m512i mix_avx512(__m512i x)
{
	x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 30)),
			       _mm512_set1_epi64((long long)RS_MUL1));
	x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 27)),
			       _mm512_set1_epi64((long long)RS_MUL2));
	return _mm512_xor_si512(x, _mm512_srli_epi64(x, 31));
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

static inline __attribute__((always_inline)) AVX512 uint64_t
check_body_avx512(struct audit_job *j, const struct audit_span *s, uint64_t i, uint64_t n,
		  uint64_t x, uint64_t inv, const int complement)
{
	__m512i *b = (__m512i *)(uintptr_t)(s->w + i);
	const __m512i step8 = _mm512_set1_epi64((long long)(8 * RS_GOLDEN));
	const __m512i vinv = _mm512_set1_epi64((long long)inv), ones = _mm512_set1_epi64(-1);
	__m512i st = states_avx512(x);

	for (uint64_t k = 0; k < n; k++, b++, x += 8 * RS_GOLDEN) {
		__m512i want = _mm512_xor_si512(mix_avx512(st), vinv);
		__m512i t = _mm512_xor_si512(_mm512_load_si512((void *)b), want);

		if (complement)
			_mm512_store_si512((void *)b, _mm512_xor_si512(want, ones));
		if (__builtin_expect(_mm512_test_epi64_mask(t, t) != 0, 0)) {
			uint64_t tv[8];

			_mm512_storeu_si512((void *)tv, t);
			rs_bad8(j, s, i + 8 * k, tv, x, inv);
		}
		st = _mm512_add_epi64(st, step8);
	}
	return x;
}

static AVX512 uint64_t check_avx512(struct audit_job *j, const struct audit_span *s, uint64_t i,
				    uint64_t n, uint64_t x, uint64_t inv, int complement)
{
	return complement ? check_body_avx512(j, s, i, n, x, inv, 1)
			  : check_body_avx512(j, s, i, n, x, inv, 0);
}

const struct rs_loops rs_loops_avx512 = { fill_avx512, check_avx512 };
