/* Random number sequence (memtest86+'s test 8): every word gets its own
 * value from a pseudo-random stream (a Weyl sequence of states, seeded by
 * the job, each through a multiply-free mixer: random_sequence.h), which
 * is regenerated to check it; then each word is complemented and checked
 * again. No two neighbours are related, so faults that need a particular
 * neighbourhood of values are met by chance rather than never.
 *
 * The mixer is the limit with scalar code (docs/audit.md, Speed), so the
 * whole blocks also have vector loops (random_sequence_vec.c: AVX2, 4 words
 * a vector; AVX-512, 8): the same stream, word for word, in the same order
 * (test_random_sequence proves it against these scalar loops). The widest
 * variant the CPU runs with its state enabled is chosen once, at the first
 * call, capped by the kernel at the widest every CPU runs (simd_report). */
#include "random_sequence.h"

/* The word for state x (the state advances by RS_GOLDEN): random_sequence.h */
static inline uint64_t mix(uint64_t x)
{
	x ^= x >> RS_R1;
	x += x << RS_L1;
	x ^= x >> RS_R2;
	x += x << RS_L2;
	return x ^ (x >> RS_R3);
}

/* ---------------------------------------------------------------- scalar loops */

/* As sweep.c's (docs/audit.md, Speed): eight words a block, the eight values
 * independent (word k's is mix of the start plus (k + 1) GOLDEN, so the
 * mixers of a block overlap), one branch per block, the slow path out of
 * line. */

__attribute__((noinline)) void rs_bad8(struct audit_job *j, const struct audit_span *s,
				       uint64_t i, const uint64_t *t, uint64_t x, uint64_t inv)
{
	for (uint32_t k = 0; k < 8; k++) {
		uint64_t want = mix(x += RS_GOLDEN) ^ inv, v = t[k] ^ want;

		audit_bad_words(j, s, i + k, 1, &v, 1, want, 0);
	}
}

static uint64_t fill_scalar(const struct audit_span *s, uint64_t i, uint64_t n, uint64_t x)
{
	volatile uint64_t *b = s->w + i, *end = b + 8 * n;

	for (; b != end; b += 8, x += 8 * RS_GOLDEN)
#pragma GCC unroll 8
		for (uint32_t k = 0; k < 8; k++)
			audit_store_nt(&b[k], mix(x + (k + 1) * RS_GOLDEN));
	return x;
}

static uint64_t check_scalar(struct audit_job *j, const struct audit_span *s, uint64_t i,
			     uint64_t n, uint64_t x, uint64_t inv, int complement)
{
	volatile uint64_t *b = s->w + i, *end = b + 8 * n;

	for (; b != end; b += 8, x += 8 * RS_GOLDEN) {
		uint64_t t0, t1, t2, t3, t4, t5, t6, t7;

#define STEP(k)                                                                  \
	do {                                                                     \
		uint64_t want_ = mix(x + ((k) + 1) * RS_GOLDEN) ^ inv;           \
		t##k = b[(k)] ^ want_;                                           \
		if (complement)                                                  \
			b[(k)] = ~want_;                                         \
	} while (0)
		STEP(0); STEP(1); STEP(2); STEP(3); STEP(4); STEP(5); STEP(6); STEP(7);
#undef STEP
		if (__builtin_expect((t0 | t1 | t2 | t3 | t4 | t5 | t6 | t7) != 0, 0))
			rs_bad8(j, s, (uint64_t)(b - s->w),
				(const uint64_t[8]){ t0, t1, t2, t3, t4, t5, t6, t7 }, x, inv);
	}
	return x;
}

static const struct rs_loops rs_loops_scalar = { fill_scalar, check_scalar };

static const struct rs_loops *const loops[AUDIT_VEC_KINDS] = {
	[AUDIT_VEC_SCALAR] = &rs_loops_scalar,
	[AUDIT_VEC_AVX2] = &rs_loops_avx2,
	[AUDIT_VEC_AVX512] = &rs_loops_avx512,
};

/* ---------------------------------------------------------------- one sweep of a span */

static uint64_t fill(const struct rs_loops *l, const struct audit_span *s, uint64_t x)
{
	volatile uint64_t *w = s->w;
	uint64_t i = 0, h = audit_head_words(s), n = (s->words - h) / 8;

	for (; i < h; i++)
		audit_store_nt(&w[i], mix(x += RS_GOLDEN));
	x = l->fill(s, i, n, x);
	for (i += 8 * n; i < s->words; i++)
		audit_store_nt(&w[i], mix(x += RS_GOLDEN));
	audit_store_fence();
	return x;
}

static inline uint64_t check_word(struct audit_job *j, const struct audit_span *s, uint64_t i,
				  uint64_t x, uint64_t inv, int complement)
{
	uint64_t want = mix(x) ^ inv, v = s->w[i];

	if (complement)
		s->w[i] = ~want;
	if (__builtin_expect(v != want, 0))
		audit_bad_words(j, s, i, 1, &v, 1, want, 0);
	return x;
}

/* Each word checked against the stream xor inv; with complement, the
 * stream's complement written in its place (read, then written, word by
 * word). */
static uint64_t check(const struct rs_loops *l, struct audit_job *j, const struct audit_span *s,
		      uint64_t x, uint64_t inv, int complement)
{
	uint64_t i = 0, h = audit_head_words(s), n = (s->words - h) / 8;

	for (; i < h; i++)
		x = check_word(j, s, i, x + RS_GOLDEN, inv, complement);
	x = l->check(j, s, i, n, x, inv, complement);
	for (i += 8 * n; i < s->words; i++)
		x = check_word(j, s, i, x + RS_GOLDEN, inv, complement);
	return x;
}

void audit_random_sequence_as(struct audit_job *j, enum audit_vec v)
{
	const struct rs_loops *l = loops[(unsigned)v < AUDIT_VEC_KINDS ? v : AUDIT_VEC_SCALAR];
	/* not mov_inv_random's pattern for the same seed: another start */
	const uint64_t start = ~j->seed;
	uint64_t x = start;

	for (uint32_t s = 0; s < j->nspans; s++) {
		x = fill(l, &j->spans[s], x);
		audit_wrote(j, &j->spans[s]);
	}
	x = start;
	for (uint32_t s = 0; s < j->nspans; s++) {
		x = check(l, j, &j->spans[s], x, 0, 1);
		audit_wrote(j, &j->spans[s]);
	}
	x = start;
	for (uint32_t s = 0; s < j->nspans; s++) {
		x = check(l, j, &j->spans[s], x, ~0ull, 0);
		audit_swept(j, &j->spans[s]);
	}
}

void audit_random_sequence(struct audit_job *j)
{
	audit_random_sequence_as(j, audit_vec_chosen());
}
