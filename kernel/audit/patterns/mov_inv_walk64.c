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

/* Reports each word of a block that differs (k: word i + k*step holds v[k],
 * should hold e[k]). */
static void bad8(struct audit_job *j, const struct audit_span *s, uint64_t i, int64_t step,
		 const uint64_t *v, const uint64_t *e)
{
	for (uint32_t k = 0; k < 8; k++)
		audit_bad_words(j, s, i + (uint64_t)(k * step), step, &v[k], 1, e[k], 0);
}

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

/* Upwards: word n checked against v rotated by n, then inverted. */
static uint64_t up(struct audit_job *j, const struct audit_span *s, uint64_t v)
{
	volatile uint64_t *w = s->w, *p = w, *end = w + (s->words & ~7ull);

	for (; p != end; p += 8, v = rotl(v, 8)) {
		E8(v);
		uint64_t v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5],
			 v6 = p[6], v7 = p[7];

		p[0] = ~e0, p[1] = ~e1, p[2] = ~e2, p[3] = ~e3;
		p[4] = ~e4, p[5] = ~e5, p[6] = ~e6, p[7] = ~e7;
		if (__builtin_expect(((v0 ^ e0) | (v1 ^ e1) | (v2 ^ e2) | (v3 ^ e3) | (v4 ^ e4) |
				      (v5 ^ e5) | (v6 ^ e6) | (v7 ^ e7)) != 0, 0))
			bad8(j, s, (uint64_t)(p - w), 1,
			     (const uint64_t[8]){ v0, v1, v2, v3, v4, v5, v6, v7 },
			     (const uint64_t[8]){ e0, e1, e2, e3, e4, e5, e6, e7 });
	}
	for (end = w + s->words; p != end; p++, v = rotl1(v)) {
		uint64_t x = *p;

		*p = ~v;
		if (__builtin_expect(x != v, 0))
			audit_bad_words(j, s, (uint64_t)(p - w), 1, &x, 1, v, 0);
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
		v = rotl(v, 56); /* the block's first word, p[-8]: 8 back */
		uint64_t v0 = p[-1], v1 = p[-2], v2 = p[-3], v3 = p[-4], v4 = p[-5], v5 = p[-6],
			 v6 = p[-7], v7 = p[-8];

		p[-1] = rotl(v, 7), p[-2] = rotl(v, 6), p[-3] = rotl(v, 5), p[-4] = rotl(v, 4);
		p[-5] = rotl(v, 3), p[-6] = rotl(v, 2), p[-7] = rotl(v, 1), p[-8] = v;
		uint64_t f0 = ~rotl(v, 7), f1 = ~rotl(v, 6), f2 = ~rotl(v, 5), f3 = ~rotl(v, 4),
			 f4 = ~rotl(v, 3), f5 = ~rotl(v, 2), f6 = ~rotl(v, 1), f7 = ~v;

		if (__builtin_expect(((v0 ^ f0) | (v1 ^ f1) | (v2 ^ f2) | (v3 ^ f3) | (v4 ^ f4) |
				      (v5 ^ f5) | (v6 ^ f6) | (v7 ^ f7)) != 0, 0))
			bad8(j, s, (uint64_t)(p - 1 - w), -1,
			     (const uint64_t[8]){ v0, v1, v2, v3, v4, v5, v6, v7 },
			     (const uint64_t[8]){ f0, f1, f2, f3, f4, f5, f6, f7 });
	}
	return v;
}

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
