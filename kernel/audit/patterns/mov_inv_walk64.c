/* Moving inversions with a walking bit (memtest86+'s test 6): word n of the
 * job holds a single 1 (then a single 0) at bit (offset + n) mod 64, so
 * neighbouring words differ in two bits; every offset 0..63 is run, so each
 * word holds its 1 (and its 0) at every bit position once. The sweeps are
 * the moving inversions of audit_moving_inversions with a per-word value. */
#include <kernel/audit_pattern.h>

static inline uint64_t rotl1(uint64_t v)
{
	return v << 1 | v >> 63;
}

static inline uint64_t rotr1(uint64_t v)
{
	return v >> 1 | v << 63;
}

static inline uint64_t rotl(uint64_t v, unsigned k)
{
	return k ? v << k | v >> (64 - k) : v;
}

/* The sweeps at the memory's speed, as sweep.c's: eight words a block, the
 * expected values rotations of one register, one branch per block; a word
 * found wrong is reported with the value it should hold. */
#define E8(v) uint64_t e0 = (v), e1 = rotl((v), 1), e2 = rotl((v), 2), e3 = rotl((v), 3), \
		       e4 = rotl((v), 4), e5 = rotl((v), 5), e6 = rotl((v), 6), e7 = rotl((v), 7)

/* Span s: word n holds v rotated left by n; returns the value of the word
 * after it. */
static uint64_t fill(const struct audit_span *s, uint64_t v)
{
	volatile uint64_t *p = s->w, *end = p + (s->words & ~7ull);

	for (; p != end; p += 8, v = rotl(v, 8)) {
		E8(v);
		audit_store_nt(p, e0);
		audit_store_nt(p + 1, e1);
		audit_store_nt(p + 2, e2);
		audit_store_nt(p + 3, e3);
		audit_store_nt(p + 4, e4);
		audit_store_nt(p + 5, e5);
		audit_store_nt(p + 6, e6);
		audit_store_nt(p + 7, e7);
	}
	for (end = s->w + s->words; p != end; p++, v = rotl1(v))
		audit_store_nt(p, v);
	audit_store_fence();
	return v;
}

/* The check-and-write steps of both directions have one form: word k of an
 * 8-word block at b gets w_k = rotl(x, k) and should have held ~w_k (up:
 * x = ~v, the word held v rotated; down: x = v, it held the inverse). Per
 * word: one rotate, the load, the store, t_k = read ^ w_k (all ones when the
 * word was right) and an AND of the eight t_k, one branch per block; no
 * inversions, and the t_k are all the slow path needs. Each word is read and
 * then written before the next (the word-at-a-time order the pattern was
 * written in). */
#define STEP(k)                                                  \
	do {                                                     \
		uint64_t w_ = rotl(x, (k));                      \
		t##k = b[(k)] ^ w_;                              \
		b[(k)] = w_;                                     \
	} while (0)

/* Reports each word of a block that was wrong, in sweep order (k up or
 * down): word b + k read t[k] ^ w_k, should have held ~w_k. */
static __attribute__((noinline)) void bad8(struct audit_job *j, const struct audit_span *s,
					    uint64_t b, int down, const uint64_t *t, uint64_t x)
{
	for (uint32_t m = 0; m < 8; m++) {
		uint32_t k = down ? 7 - m : m;
		uint64_t w = rotl(x, k), v = t[k] ^ w;

		audit_bad_words(j, s, b + k, 1, &v, 1, ~w, 0);
	}
}

/* Upwards: word n checked against v rotated by n, then inverted. Returns
 * the value of the word after the span. */
static uint64_t up(struct audit_job *j, const struct audit_span *s, uint64_t v)
{
	volatile uint64_t *w = s->w, *b = w, *end = w + (s->words & ~7ull);

	for (; b != end; b += 8, v = rotl(v, 8)) {
		uint64_t x = ~v, t0, t1, t2, t3, t4, t5, t6, t7;

		STEP(0); STEP(1); STEP(2); STEP(3); STEP(4); STEP(5); STEP(6); STEP(7);
		if (__builtin_expect(~(t0 & t1 & t2 & t3 & t4 & t5 & t6 & t7) != 0, 0))
			bad8(j, s, (uint64_t)(b - w), 0,
			     (const uint64_t[8]){ t0, t1, t2, t3, t4, t5, t6, t7 }, x);
	}
	for (end = w + s->words; b != end; b++, v = rotl1(v)) {
		uint64_t x = *b;

		*b = ~v;
		if (__builtin_expect(x != v, 0))
			audit_bad_words(j, s, (uint64_t)(b - w), 1, &x, 1, v, 0);
	}
	return v;
}

/* Downwards from the word after the span (v is its value): word n checked
 * against ~(v rotated by n), then given v rotated by n back. Returns the
 * value of the span's first word. */
static uint64_t down(struct audit_job *j, const struct audit_span *s, uint64_t v)
{
	volatile uint64_t *w = s->w, *p = w + s->words, *end = w + (s->words & ~7ull);

	for (; p != end; p--) {
		v = rotr1(v);
		uint64_t x = p[-1];

		p[-1] = v;
		if (__builtin_expect(x != ~v, 0))
			audit_bad_words(j, s, (uint64_t)(p - 1 - w), -1, &x, 1, ~v, 0);
	}
	for (; p != w; p -= 8) {
		volatile uint64_t *b = p - 8;
		uint64_t x = v = rotl(v, 56), t0, t1, t2, t3, t4, t5, t6, t7; /* b[0]'s */

		STEP(7); STEP(6); STEP(5); STEP(4); STEP(3); STEP(2); STEP(1); STEP(0);
		if (__builtin_expect(~(t0 & t1 & t2 & t3 & t4 & t5 & t6 & t7) != 0, 0))
			bad8(j, s, (uint64_t)(b - w), 1,
			     (const uint64_t[8]){ t0, t1, t2, t3, t4, t5, t6, t7 }, x);
	}
	return v;
}

#undef STEP

/* Word n of the job holds first rotated left by n; ascending check and
 * invert, then descending check and restore, `iterations` times. */
static void walk(struct audit_job *j, uint64_t first)
{
	uint32_t its = j->iterations ? j->iterations : 1;
	uint64_t v = first;

	for (uint32_t s = 0; s < j->nspans; s++) {
		v = fill(&j->spans[s], v);
		audit_wrote(j, &j->spans[s]);
	}
	for (uint32_t it = 0; it < its; it++) {
		v = first;
		for (uint32_t s = 0; s < j->nspans; s++) {
			v = up(j, &j->spans[s], v);
			audit_wrote(j, &j->spans[s]);
		}
		/* v is one word past the end: step back onto the last word */
		for (uint32_t s = j->nspans; s-- > 0;) {
			v = down(j, &j->spans[s], v);
			audit_wrote(j, &j->spans[s]);
		}
	}
}

void audit_mov_inv_walk64(struct audit_job *j)
{
	for (uint32_t offset = 0; offset < 64; offset++) {
		walk(j, 1ull << offset);
		walk(j, ~(1ull << offset));
	}
}
