/* Block move (memtest86+'s test 7): each span is filled with a pattern,
 * then its first half is copied onto its second half, and the second half
 * back onto the first shifted by 8 words (wrapping), with `rep movsq`, whose
 * long bursts of reads and writes load the memory bus and the DRAM rows in
 * a way word loops do not. Twice, the second time with the data inverted,
 * so every cell holds both values of each bit.
 *
 * Each check compares a copied word with the word it was copied from, and
 * a word filled by the CPU with its known value: a bad cell is reported at
 * its own address, never at the good cells its bad value was copied to.
 * Per span of W words, with H = W/2 rounded down to 8 words (no moves when
 * H < 16: the span is all tail), in words:
 *   fill    every word k gets f(k)                           (write sweep)
 *   move 1  second[k] = first[k]                              (write sweep)
 *   check   first[k] == f(k), second[k] == first[k], tail == f (read sweep)
 *   move 2  first[k] = second[(k - 8) mod H]                  (write sweep)
 *   check   first[k] == second[(k - 8) mod H], tail == f      (read sweep) */
#include <kernel/audit_pattern.h>

/* The fill: in each 16-word block one rotating bit v or its inverse, in
 * pairs, and word k and word k +- 8 of opposite polarity. */
static inline uint64_t f(uint64_t k, uint64_t inv)
{
	uint64_t v = 1ull << ((k >> 4) & 63);

	return (((k >> 1) ^ (k >> 3)) & 1 ? ~v : v) ^ inv;
}

static inline void movsq(volatile uint64_t *dst, volatile uint64_t *src, uint64_t n)
{
	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static uint64_t half_of(const struct audit_span *sp)
{
	uint64_t h = sp->words / 2 & ~7ull;

	return h >= 16 ? h : 0;
}

/* Part of span sp, for the `written` hook: only what a move wrote. */
static struct audit_span part(const struct audit_span *sp, uint64_t from, uint64_t words)
{
	return (struct audit_span){ sp->w + from, sp->phys + 8 * from, words, sp->tag };
}

/* The sweeps as sweep.c's (docs/audit.md, Speed): eight words a block, the
 * differences OR-ed, one branch; the slow paths below report each word as
 * the word-at-a-time form did, in the same order. */

/* In a block of 8 words at b (a multiple of 8) f is e, e, ~e, ~e, e, e, ~e,
 * ~e with e = f(b): the loops below take one f per block. */

static void fill(const struct audit_span *sp, uint64_t inv)
{
	volatile uint64_t *w = sp->w;
	uint64_t n = sp->words & ~7ull, k = 0;

	for (; k != n; k += 8) {
		uint64_t e = f(k, inv), ne = ~e;

		audit_store_nt(&w[k], e), audit_store_nt(&w[k + 1], e);
		audit_store_nt(&w[k + 2], ne), audit_store_nt(&w[k + 3], ne);
		audit_store_nt(&w[k + 4], e), audit_store_nt(&w[k + 5], e);
		audit_store_nt(&w[k + 6], ne), audit_store_nt(&w[k + 7], ne);
	}
	for (; k < sp->words; k++)
		audit_store_nt(&w[k], f(k, inv));
	audit_store_fence();
}

/* The words past both halves hold the fill. */
static void check_tail(struct audit_job *j, const struct audit_span *sp, uint64_t h,
		       uint64_t inv)
{
	for (uint64_t k = 2 * h; k < sp->words; k++)
		audit_check(j, sp, k, f(k, inv));
}

/* Check 1's slow path: first[k + m] read as a[m], second[k + m] as b[m]. */
static __attribute__((noinline)) void bad_after_move1(struct audit_job *j,
						      const struct audit_span *sp, uint64_t k,
						      uint64_t h, const uint64_t *a,
						      const uint64_t *b, uint64_t inv)
{
	for (uint32_t m = 0; m < 8; m++) {
		audit_bad_words(j, sp, k + m, 1, &a[m], 1, f(k + m, inv), 0);
		audit_bad_words(j, sp, h + k + m, 1, &b[m], 1, a[m], 0);
	}
}

/* first[k] == f(k), second[k] == first[k] */
static void check_after_move1(struct audit_job *j, const struct audit_span *sp, uint64_t h,
			      uint64_t inv)
{
	volatile uint64_t *w = sp->w;

	for (uint64_t k = 0; k != h; k += 8) {
		volatile uint64_t *a = w + k, *b = w + h + k;
		uint64_t e = f(k, inv), ne = ~e;
		uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5],
			 a6 = a[6], a7 = a[7];
		uint64_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5],
			 b6 = b[6], b7 = b[7];
		uint64_t d = (a0 ^ e) | (a1 ^ e) | (a2 ^ ne) | (a3 ^ ne) | (a4 ^ e) | (a5 ^ e) |
			     (a6 ^ ne) | (a7 ^ ne) | (b0 ^ a0) | (b1 ^ a1) | (b2 ^ a2) |
			     (b3 ^ a3) | (b4 ^ a4) | (b5 ^ a5) | (b6 ^ a6) | (b7 ^ a7);

		if (__builtin_expect(d != 0, 0))
			bad_after_move1(j, sp, k, h,
					(const uint64_t[8]){ a0, a1, a2, a3, a4, a5, a6, a7 },
					(const uint64_t[8]){ b0, b1, b2, b3, b4, b5, b6, b7 }, inv);
	}
	check_tail(j, sp, h, inv);
}

/* first[k] == second[(k - 8) mod h]: block k of the first half against
 * block k - 8 of the second (the last one for k = 0). */
static void check_after_move2(struct audit_job *j, const struct audit_span *sp, uint64_t h,
			      uint64_t inv)
{
	volatile uint64_t *w = sp->w;

	for (uint64_t k = 0; k != h; k += 8) {
		volatile uint64_t *a = w + k, *b = w + h + (k ? k - 8 : h - 8);
		uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5],
			 a6 = a[6], a7 = a[7];
		uint64_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5],
			 b6 = b[6], b7 = b[7];
		uint64_t d = (a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2) | (a3 ^ b3) | (a4 ^ b4) |
			     (a5 ^ b5) | (a6 ^ b6) | (a7 ^ b7);

		if (__builtin_expect(d != 0, 0)) {
			const uint64_t av[8] = { a0, a1, a2, a3, a4, a5, a6, a7 },
				       bv[8] = { b0, b1, b2, b3, b4, b5, b6, b7 };

			for (uint32_t m = 0; m < 8; m++)
				audit_bad_words(j, sp, k + m, 1, &av[m], 1, bv[m], 0);
		}
	}
	check_tail(j, sp, h, inv);
}

static void round_trip(struct audit_job *j, uint64_t inv)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		fill(&j->spans[s], inv);
		audit_wrote(j, &j->spans[s]);
	}
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];
		uint64_t h = half_of(sp);
		struct audit_span second = part(sp, h, h);

		movsq(sp->w + h, sp->w, h);
		if (j->written)
			j->written(j, &second);
		audit_swept(j, sp);
	}
	for (uint32_t s = 0; s < j->nspans; s++) {
		check_after_move1(j, &j->spans[s], half_of(&j->spans[s]), inv);
		audit_swept(j, &j->spans[s]);
	}
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];
		uint64_t h = half_of(sp);
		struct audit_span first = part(sp, 0, h);

		if (h) {
			movsq(sp->w + 8, sp->w + h, h - 8);
			movsq(sp->w, sp->w + 2 * h - 8, 8);
		}
		if (j->written)
			j->written(j, &first);
		audit_swept(j, sp);
	}
	for (uint32_t s = 0; s < j->nspans; s++) {
		check_after_move2(j, &j->spans[s], half_of(&j->spans[s]), inv);
		audit_swept(j, &j->spans[s]);
	}
}

void audit_block_move(struct audit_job *j)
{
	round_trip(j, 0);
	round_trip(j, ~0ull);
}
