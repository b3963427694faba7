/* mov_inv_walk64's vector loops over whole blocks (mov_inv_walk64.h): lane
 * k of a block holds rotl(x, k), as the scalar loops' word k; the next block
 * is every lane rotated by 8. AVX-512F rotates in one instruction (vprolvq,
 * vprolq); AVX2 with two shifts and an OR (a shift by 64 gives 0, so lane 0
 * needs no case of its own). Each block is loaded, checked in one compare
 * and stored (plain stores; fills non-temporal), and a block that differs
 * goes to the scalar loops' walk_bad8. Vector registers are touched here and
 * in random_sequence_vec.c only (kernel/simd.h): every function carries its
 * own target attribute and is named *_avx2 or *_avx512. */
#include <immintrin.h>
#include "mov_inv_walk64.h"

#define AVX2   __attribute__((target("avx2")))
#define AVX512 __attribute__((target("avx512f")))

/* ---------------------------------------------------------------- AVX2: two vectors a block */

static inline AVX2 __m256i rotl_avx2(__m256i x, __m256i k)
{
	const __m256i k64 = _mm256_set1_epi64x(64);

	return _mm256_or_si256(_mm256_sllv_epi64(x, k), _mm256_srlv_epi64(x, _mm256_sub_epi64(k64, k)));
}

static inline AVX2 __m256i rotl8_avx2(__m256i x)
{
	return _mm256_or_si256(_mm256_slli_epi64(x, 8), _mm256_srli_epi64(x, 56));
}

static inline AVX2 __m256i rotr8_avx2(__m256i x)
{
	return _mm256_or_si256(_mm256_srli_epi64(x, 8), _mm256_slli_epi64(x, 56));
}

/* words 0..3 and 4..7 of a block whose word 0 holds x */
static inline AVX2 void block_avx2(uint64_t x, __m256i *w0, __m256i *w1)
{
	__m256i b = _mm256_set1_epi64x((long long)x);

	*w0 = rotl_avx2(b, _mm256_set_epi64x(3, 2, 1, 0));
	*w1 = rotl_avx2(b, _mm256_set_epi64x(7, 6, 5, 4));
}

static AVX2 uint64_t fill_avx2(const struct audit_span *s, uint64_t i, uint64_t n, uint64_t v)
{
	__m256i *b = (__m256i *)(uintptr_t)(s->w + i), w0, w1;

	block_avx2(v, &w0, &w1);
	for (uint64_t k = 0; k < n; k++, b += 2) {
		_mm256_stream_si256(b, w0);
		_mm256_stream_si256(b + 1, w1);
		w0 = rotl8_avx2(w0);
		w1 = rotl8_avx2(w1);
	}
	return walk_rotl(v, (unsigned)(8 * n));
}

/* t0, t1 all ones: the block held what it should */
static inline AVX2 int right_avx2(__m256i t0, __m256i t1)
{
	return _mm256_testc_si256(_mm256_and_si256(t0, t1), _mm256_set1_epi64x(-1));
}

static inline AVX2 void bad_avx2(struct audit_job *j, const struct audit_span *s, uint64_t b,
				 int down, __m256i t0, __m256i t1, uint64_t x)
{
	uint64_t t[8];

	_mm256_storeu_si256((__m256i *)t, t0);
	_mm256_storeu_si256((__m256i *)(t + 4), t1);
	walk_bad8(j, s, b, down, t, x);
}

static AVX2 uint64_t up_avx2(struct audit_job *j, const struct audit_span *s, uint64_t i,
			     uint64_t n, uint64_t v)
{
	__m256i *b = (__m256i *)(uintptr_t)(s->w + i), w0, w1;
	uint64_t x = ~v;

	block_avx2(x, &w0, &w1);
	for (uint64_t k = 0; k < n; k++, b += 2, x = walk_rotl(x, 8)) {
		__m256i t0 = _mm256_xor_si256(_mm256_load_si256(b), w0);
		__m256i t1 = _mm256_xor_si256(_mm256_load_si256(b + 1), w1);

		_mm256_store_si256(b, w0);
		_mm256_store_si256(b + 1, w1);
		if (__builtin_expect(!right_avx2(t0, t1), 0))
			bad_avx2(j, s, i + 8 * k, 0, t0, t1, x);
		w0 = rotl8_avx2(w0);
		w1 = rotl8_avx2(w1);
	}
	return walk_rotl(v, (unsigned)(8 * n));
}

static AVX2 uint64_t down_avx2(struct audit_job *j, const struct audit_span *s, uint64_t i,
			       uint64_t n, uint64_t v)
{
	__m256i *b = (__m256i *)(uintptr_t)(s->w + i + 8 * n), w0, w1;
	uint64_t x = walk_rotl(v, 56);   /* the last block's word 0 */

	block_avx2(x, &w0, &w1);
	for (uint64_t k = n; k-- > 0; x = walk_rotl(x, 56)) {
		b -= 2;
		__m256i t0 = _mm256_xor_si256(_mm256_load_si256(b), w0);
		__m256i t1 = _mm256_xor_si256(_mm256_load_si256(b + 1), w1);

		_mm256_store_si256(b, w0);
		_mm256_store_si256(b + 1, w1);
		if (__builtin_expect(!right_avx2(t0, t1), 0))
			bad_avx2(j, s, i + 8 * k, 1, t0, t1, x);
		w0 = rotr8_avx2(w0);
		w1 = rotr8_avx2(w1);
	}
	return walk_rotl(v, (unsigned)(64 - (8 * n) % 64));
}

const struct walk_loops walk_loops_avx2 = { fill_avx2, up_avx2, down_avx2 };

/* ---------------------------------------------------------------- AVX-512: one vector a block */

static inline AVX512 __m512i block_avx512(uint64_t x)
{
	return _mm512_rolv_epi64(_mm512_set1_epi64((long long)x),
				 _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
}

static AVX512 uint64_t fill_avx512(const struct audit_span *s, uint64_t i, uint64_t n, uint64_t v)
{
	__m512i *b = (__m512i *)(uintptr_t)(s->w + i), w = block_avx512(v);

	for (uint64_t k = 0; k < n; k++, b++) {
		_mm512_stream_si512((void *)b, w);
		w = _mm512_rol_epi64(w, 8);
	}
	return walk_rotl(v, (unsigned)(8 * n));
}

static inline AVX512 void bad_avx512(struct audit_job *j, const struct audit_span *s, uint64_t b,
				     int down, __m512i t, uint64_t x)
{
	uint64_t tv[8];

	_mm512_storeu_si512((void *)tv, t);
	walk_bad8(j, s, b, down, tv, x);
}

static AVX512 uint64_t up_avx512(struct audit_job *j, const struct audit_span *s, uint64_t i,
				 uint64_t n, uint64_t v)
{
	__m512i *b = (__m512i *)(uintptr_t)(s->w + i);
	const __m512i ones = _mm512_set1_epi64(-1);
	uint64_t x = ~v;
	__m512i w = block_avx512(x);

	for (uint64_t k = 0; k < n; k++, b++, x = walk_rotl(x, 8)) {
		__m512i t = _mm512_xor_si512(_mm512_load_si512((void *)b), w);

		_mm512_store_si512((void *)b, w);
		if (__builtin_expect(_mm512_cmpneq_epi64_mask(t, ones) != 0, 0))
			bad_avx512(j, s, i + 8 * k, 0, t, x);
		w = _mm512_rol_epi64(w, 8);
	}
	return walk_rotl(v, (unsigned)(8 * n));
}

static AVX512 uint64_t down_avx512(struct audit_job *j, const struct audit_span *s, uint64_t i,
				   uint64_t n, uint64_t v)
{
	__m512i *b = (__m512i *)(uintptr_t)(s->w + i + 8 * n);
	const __m512i ones = _mm512_set1_epi64(-1);
	uint64_t x = walk_rotl(v, 56);   /* the last block's word 0 */
	__m512i w = block_avx512(x);

	for (uint64_t k = n; k-- > 0; x = walk_rotl(x, 56)) {
		__m512i t = _mm512_xor_si512(_mm512_load_si512((void *)--b), w);

		_mm512_store_si512((void *)b, w);
		if (__builtin_expect(_mm512_cmpneq_epi64_mask(t, ones) != 0, 0))
			bad_avx512(j, s, i + 8 * k, 1, t, x);
		w = _mm512_ror_epi64(w, 8);
	}
	return walk_rotl(v, (unsigned)(64 - (8 * n) % 64));
}

const struct walk_loops walk_loops_avx512 = { fill_avx512, up_avx512, down_avx512 };
