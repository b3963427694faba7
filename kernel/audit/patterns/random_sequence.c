/* Random number sequence (memtest86+'s test 8): every word gets its own
 * value from a pseudo-random stream (splitmix64, seeded by the job), which
 * is regenerated to check it; then each word is complemented and checked
 * again. No two neighbours are related, so faults that need a particular
 * neighbourhood of values are met by chance rather than never. */
#include <kernel/audit_pattern.h>

#define GOLDEN 0x9e3779b97f4a7c15ull

/* splitmix64's output for state x (the state advances by GOLDEN). */
static inline uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The sweeps as sweep.c's (docs/audit.md, Speed): eight words a block, the
 * eight values independent (word n's is mix of the start plus (n + 1)
 * GOLDEN, so the multiplies of a block overlap), one branch per block, the
 * slow path out of line. x is the state of the word before the span; each
 * returns the state of the span's last word. */

/* Word b + k read t[k] ^ want_k, should have held want_k = mix(x + (k + 1)
 * GOLDEN) ^ inv. */
static __attribute__((noinline)) void bad8(struct audit_job *j, const struct audit_span *s,
					    uint64_t b, const uint64_t *t, uint64_t x, uint64_t inv)
{
	for (uint32_t k = 0; k < 8; k++) {
		uint64_t want = mix(x += GOLDEN) ^ inv, v = t[k] ^ want;

		audit_bad_words(j, s, b + k, 1, &v, 1, want, 0);
	}
}

static uint64_t fill(const struct audit_span *s, uint64_t x)
{
	volatile uint64_t *w = s->w, *b = w, *end = w + (s->words & ~7ull);

	for (; b != end; b += 8, x += 8 * GOLDEN)
#pragma GCC unroll 8
		for (uint32_t k = 0; k < 8; k++)
			audit_store_nt(&b[k], mix(x + (k + 1) * GOLDEN));
	for (end = w + s->words; b != end; b++)
		audit_store_nt(b, mix(x += GOLDEN));
	audit_store_fence();
	return x;
}

/* Each word checked against the stream xor inv; with complement, the
 * stream's complement written in its place (read, then written, word by
 * word). */
static uint64_t check(struct audit_job *j, const struct audit_span *s, uint64_t x, uint64_t inv,
		      int complement)
{
	volatile uint64_t *w = s->w, *b = w, *end = w + (s->words & ~7ull);

	for (; b != end; b += 8, x += 8 * GOLDEN) {
		uint64_t t0, t1, t2, t3, t4, t5, t6, t7;

#define STEP(k)                                                                  \
	do {                                                                     \
		uint64_t want_ = mix(x + ((k) + 1) * GOLDEN) ^ inv;              \
		t##k = b[(k)] ^ want_;                                           \
		if (complement)                                                  \
			b[(k)] = ~want_;                                         \
	} while (0)
		STEP(0); STEP(1); STEP(2); STEP(3); STEP(4); STEP(5); STEP(6); STEP(7);
#undef STEP
		if (__builtin_expect((t0 | t1 | t2 | t3 | t4 | t5 | t6 | t7) != 0, 0))
			bad8(j, s, (uint64_t)(b - w),
			     (const uint64_t[8]){ t0, t1, t2, t3, t4, t5, t6, t7 }, x, inv);
	}
	for (end = w + s->words; b != end; b++) {
		uint64_t want = mix(x += GOLDEN) ^ inv, v = *b;

		if (complement)
			*b = ~want;
		if (__builtin_expect(v != want, 0))
			audit_bad_words(j, s, (uint64_t)(b - w), 1, &v, 1, want, 0);
	}
	return x;
}

void audit_random_sequence(struct audit_job *j)
{
	/* not mov_inv_random's pattern for the same seed: another start */
	const uint64_t start = ~j->seed;
	uint64_t x = start;

	for (uint32_t s = 0; s < j->nspans; s++) {
		x = fill(&j->spans[s], x);
		audit_wrote(j, &j->spans[s]);
	}
	x = start;
	for (uint32_t s = 0; s < j->nspans; s++) {
		x = check(j, &j->spans[s], x, 0, 1);
		audit_wrote(j, &j->spans[s]);
	}
	x = start;
	for (uint32_t s = 0; s < j->nspans; s++) {
		x = check(j, &j->spans[s], x, ~0ull, 0);
		audit_swept(j, &j->spans[s]);
	}
}
