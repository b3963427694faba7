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

static void round_trip(struct audit_job *j, uint64_t inv)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t k = 0; k < sp->words; k++)
			sp->w[k] = f(k, inv);
		audit_wrote(j, sp);
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
		const struct audit_span *sp = &j->spans[s];
		uint64_t h = half_of(sp);

		for (uint64_t k = 0; k < h; k++) {
			audit_check(j, sp, k, f(k, inv));
			audit_check(j, sp, h + k, sp->w[k]);
		}
		for (uint64_t k = 2 * h; k < sp->words; k++)
			audit_check(j, sp, k, f(k, inv));
		audit_swept(j, sp);
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
		const struct audit_span *sp = &j->spans[s];
		uint64_t h = half_of(sp);

		for (uint64_t k = 0; k < h; k++)
			audit_check(j, sp, k, sp->w[h + (k + h - 8) % h]);
		for (uint64_t k = 2 * h; k < sp->words; k++)
			audit_check(j, sp, k, f(k, inv));
		audit_swept(j, sp);
	}
}

void audit_block_move(struct audit_job *j)
{
	round_trip(j, 0);
	round_trip(j, ~0ull);
}
