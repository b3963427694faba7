/* Moving inversions with a walking bit (memtest86+'s test 6): word n of the
 * job holds a single 1 (then a single 0) at bit (offset + n) mod 64, so
 * neighbouring words differ in two bits; every offset 0..63 is run, so each
 * word holds its 1 (and its 0) at every bit position once. The sweeps are
 * the moving inversions of audit_moving_inversions with a per-word value.
 *
 * The rotations cost more than the memory at two threads (docs/audit.md,
 * Speed), so the whole blocks also have vector loops
 * (mov_inv_walk64_vec.c: AVX2, AVX-512): the same values in the same order
 * of words, chosen as random_sequence's (vec.c). */
#include "mov_inv_walk64.h"

static inline uint64_t rotl1(uint64_t v)
{
	return v << 1 | v >> 63;
}

static inline uint64_t rotr1(uint64_t v)
{
	return v >> 1 | v << 63;
}

#define rotl walk_rotl

/* The sweeps at the memory's speed, as sweep.c's: eight words a block, the
 * expected values rotations of one register, one branch per block; a word
 * found wrong is reported with the value it should hold. */
#define E8(v) uint64_t e0 = (v), e1 = rotl((v), 1), e2 = rotl((v), 2), e3 = rotl((v), 3), \
		       e4 = rotl((v), 4), e5 = rotl((v), 5), e6 = rotl((v), 6), e7 = rotl((v), 7)

/* Whole blocks (walk_loops): word n holds v rotated left by n. */
static uint64_t fill_scalar(const struct audit_span *s, uint64_t i, uint64_t n, uint64_t v)
{
	volatile uint64_t *p = s->w + i, *end = p + 8 * n;

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
__attribute__((noinline)) void walk_bad8(struct audit_job *j, const struct audit_span *s,
					 uint64_t b, int down, const uint64_t *t, uint64_t x)
{
	for (uint32_t m = 0; m < 8; m++) {
		uint32_t k = down ? 7 - m : m;
		uint64_t w = rotl(x, k), v = t[k] ^ w;

		audit_bad_words(j, s, b + k, 1, &v, 1, ~w, 0);
	}
}

static uint64_t up_scalar(struct audit_job *j, const struct audit_span *s, uint64_t i,
			  uint64_t n, uint64_t v)
{
	volatile uint64_t *b = s->w + i, *end = b + 8 * n;

	for (; b != end; b += 8, v = rotl(v, 8)) {
		uint64_t x = ~v, t0, t1, t2, t3, t4, t5, t6, t7;

		STEP(0); STEP(1); STEP(2); STEP(3); STEP(4); STEP(5); STEP(6); STEP(7);
		if (__builtin_expect(~(t0 & t1 & t2 & t3 & t4 & t5 & t6 & t7) != 0, 0))
			walk_bad8(j, s, (uint64_t)(b - s->w), 0,
				  (const uint64_t[8]){ t0, t1, t2, t3, t4, t5, t6, t7 }, x);
	}
	return v;
}

static uint64_t down_scalar(struct audit_job *j, const struct audit_span *s, uint64_t i,
			    uint64_t n, uint64_t v)
{
	volatile uint64_t *w = s->w + i, *p = w + 8 * n;

	for (; p != w; p -= 8) {
		volatile uint64_t *b = p - 8;
		uint64_t x = v = rotl(v, 56), t0, t1, t2, t3, t4, t5, t6, t7; /* b[0]'s */

		STEP(7); STEP(6); STEP(5); STEP(4); STEP(3); STEP(2); STEP(1); STEP(0);
		if (__builtin_expect(~(t0 & t1 & t2 & t3 & t4 & t5 & t6 & t7) != 0, 0))
			walk_bad8(j, s, (uint64_t)(b - s->w), 1,
				  (const uint64_t[8]){ t0, t1, t2, t3, t4, t5, t6, t7 }, x);
	}
	return v;
}

#undef STEP

static const struct walk_loops walk_loops_scalar = { fill_scalar, up_scalar, down_scalar };

static const struct walk_loops *const loops[AUDIT_VEC_KINDS] = {
	[AUDIT_VEC_SCALAR] = &walk_loops_scalar,
	[AUDIT_VEC_AVX2] = &walk_loops_avx2,
	[AUDIT_VEC_AVX512] = &walk_loops_avx512,
};

/* ---------------------------------------------------------------- one sweep of a span:
 * the head words one at a time, the whole blocks, the rest one at a time */

/* Span s: word n holds v rotated left by n; returns the value of the word
 * after it. */
static uint64_t fill(const struct walk_loops *l, const struct audit_span *s, uint64_t v)
{
	volatile uint64_t *w = s->w;
	uint64_t i = 0, h = audit_head_words(s), n = (s->words - h) / 8;

	for (; i < h; i++, v = rotl1(v))
		audit_store_nt(&w[i], v);
	v = l->fill(s, i, n, v);
	for (i += 8 * n; i < s->words; i++, v = rotl1(v))
		audit_store_nt(&w[i], v);
	audit_store_fence();
	return v;
}

/* Word i checked against v, then inverted. */
static inline void up_word(struct audit_job *j, const struct audit_span *s, uint64_t i,
			   uint64_t v)
{
	uint64_t x = s->w[i];

	s->w[i] = ~v;
	if (__builtin_expect(x != v, 0))
		audit_bad_words(j, s, i, 1, &x, 1, v, 0);
}

/* Upwards: word n checked against v rotated by n, then inverted. Returns
 * the value of the word after the span. */
static uint64_t up(const struct walk_loops *l, struct audit_job *j, const struct audit_span *s,
		   uint64_t v)
{
	uint64_t i = 0, h = audit_head_words(s), n = (s->words - h) / 8;

	for (; i < h; i++, v = rotl1(v))
		up_word(j, s, i, v);
	v = l->up(j, s, i, n, v);
	for (i += 8 * n; i < s->words; i++, v = rotl1(v))
		up_word(j, s, i, v);
	return v;
}

/* Word i checked against ~v, then given v back. */
static inline void down_word(struct audit_job *j, const struct audit_span *s, uint64_t i,
			     uint64_t v)
{
	uint64_t x = s->w[i];

	s->w[i] = v;
	if (__builtin_expect(x != ~v, 0))
		audit_bad_words(j, s, i, -1, &x, 1, ~v, 0);
}

/* Downwards from the word after the span (v is its value): word n checked
 * against ~(v rotated by n), then given v rotated by n back. Returns the
 * value of the span's first word. */
static uint64_t down(const struct walk_loops *l, struct audit_job *j,
		     const struct audit_span *s, uint64_t v)
{
	uint64_t h = audit_head_words(s), n = (s->words - h) / 8, i = s->words;

	while (i > h + 8 * n) {
		v = rotr1(v);
		down_word(j, s, --i, v);
	}
	v = l->down(j, s, h, n, v);
	for (i = h; i > 0;) {
		v = rotr1(v);
		down_word(j, s, --i, v);
	}
	return v;
}

/* Word n of the job holds first rotated left by n; ascending check and
 * invert, then descending check and restore, `iterations` times. */
static void walk(const struct walk_loops *l, struct audit_job *j, uint64_t first)
{
	uint32_t its = j->iterations ? j->iterations : 1;
	uint64_t v = first;

	for (uint32_t s = 0; s < j->nspans; s++) {
		v = fill(l, &j->spans[s], v);
		audit_wrote(j, &j->spans[s]);
	}
	for (uint32_t it = 0; it < its; it++) {
		v = first;
		for (uint32_t s = 0; s < j->nspans; s++) {
			v = up(l, j, &j->spans[s], v);
			audit_wrote(j, &j->spans[s]);
		}
		/* v is one word past the end: step back onto the last word */
		for (uint32_t s = j->nspans; s-- > 0;) {
			v = down(l, j, &j->spans[s], v);
			audit_wrote(j, &j->spans[s]);
		}
	}
}

void audit_mov_inv_walk64_as(struct audit_job *j, enum audit_vec v)
{
	const struct walk_loops *l = loops[(unsigned)v < AUDIT_VEC_KINDS ? v : AUDIT_VEC_SCALAR];

	for (uint32_t offset = 0; offset < 64; offset++) {
		walk(l, j, 1ull << offset);
		walk(l, j, ~(1ull << offset));
	}
}

void audit_mov_inv_walk64(struct audit_job *j)
{
	audit_mov_inv_walk64_as(j, audit_vec_chosen());
}
