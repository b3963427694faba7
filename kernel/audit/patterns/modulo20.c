/* Modulo 20 (memtest86+'s test 9): for each offset 0..19, the words whose
 * index in their span is that offset modulo 20 hold P and every other word
 * holds ~P; the ~P words are then rewritten twice more while the P words are
 * left alone, and only then are the P words checked. A write that disturbs
 * a word it should not reach (a coupling through the cache, the bus or the
 * cells) changes a P word nothing else has touched. Each offset runs with P
 * and with ~P swapped, so every word is checked once as P and once as ~P. */
#include <kernel/audit_pattern.h>

#define MOD 20
#define REWRITES 2

/* The sweeps of one span, in fixed runs from one P word to the next
 * (docs/audit.md, Speed): no test per word of which word is the P word. */

/* Word i: a where i % MOD == off, ~a elsewhere, one non-temporal store per
 * word in ascending order: each line is written whole, once, so it leaves
 * the write-combining buffer as one full line (a line written again after
 * that would go to RAM as a partial line, which the memory controller has
 * to read first). The words before the first P word, then per P word the P
 * word and the run of MOD - 1 after it. */
static void span_fill(const struct audit_span *sp, uint32_t off, uint64_t a)
{
	volatile uint64_t *w = sp->w;
	uint64_t n = sp->words, i = 0, na = ~a;

	for (; i < off && i < n; i++)
		audit_store_nt(w + i, na);
	for (; i + MOD <= n; i += MOD) {
		volatile uint64_t *p = w + i;

		audit_store_nt(p, a);
		audit_store_nt(p + 1, na), audit_store_nt(p + 2, na), audit_store_nt(p + 3, na);
		audit_store_nt(p + 4, na), audit_store_nt(p + 5, na), audit_store_nt(p + 6, na);
		audit_store_nt(p + 7, na), audit_store_nt(p + 8, na), audit_store_nt(p + 9, na);
		audit_store_nt(p + 10, na), audit_store_nt(p + 11, na), audit_store_nt(p + 12, na);
		audit_store_nt(p + 13, na), audit_store_nt(p + 14, na), audit_store_nt(p + 15, na);
		audit_store_nt(p + 16, na), audit_store_nt(p + 17, na), audit_store_nt(p + 18, na);
		audit_store_nt(p + 19, na);
	}
	for (; i < n; i++)
		audit_store_nt(w + i, i % MOD == off ? a : na);
	audit_store_fence();
}

/* ~a into every word but the P words, which no store touches. Plain stores:
 * the lines are partly written, which non-temporal stores would pay for.
 * The words between two P words are a run of MOD - 1, whatever the offset:
 * the words before the first P word, then one fixed run of 19 stores after
 * each P word (cut short at the span's end). */
static void span_rewrite(const struct audit_span *sp, uint32_t off, uint64_t a)
{
	volatile uint64_t *w = sp->w;
	uint64_t n = sp->words, i = 0, na = ~a;

	for (; i < off && i < n; i++)
		w[i] = na;
	/* i: the first word after a P word (past n when the span ends there) */
	for (i = off + 1; i + MOD - 1 <= n; i += MOD) {
		volatile uint64_t *p = w + i;

		p[0] = na, p[1] = na, p[2] = na, p[3] = na, p[4] = na, p[5] = na, p[6] = na;
		p[7] = na, p[8] = na, p[9] = na, p[10] = na, p[11] = na, p[12] = na;
		p[13] = na, p[14] = na, p[15] = na, p[16] = na, p[17] = na, p[18] = na;
	}
	for (; i < n; i++)
		w[i] = na;
}

/* The P words checked, eight at a time. */
static void span_check(struct audit_job *j, const struct audit_span *sp, uint32_t off,
		       uint64_t a)
{
	volatile uint64_t *w = sp->w;
	uint64_t i = off, n = sp->words;

	for (; i + 7 * MOD < n; i += 8 * MOD) {
		uint64_t v[8];

		v[0] = w[i], v[1] = w[i + MOD], v[2] = w[i + 2 * MOD], v[3] = w[i + 3 * MOD];
		v[4] = w[i + 4 * MOD], v[5] = w[i + 5 * MOD], v[6] = w[i + 6 * MOD];
		v[7] = w[i + 7 * MOD];
		if (__builtin_expect(((v[0] ^ a) | (v[1] ^ a) | (v[2] ^ a) | (v[3] ^ a) | (v[4] ^ a) |
				      (v[5] ^ a) | (v[6] ^ a) | (v[7] ^ a)) != 0, 0))
			audit_bad_words(j, sp, i, MOD, v, 8, a, 0);
	}
	for (; i < n; i += MOD) {
		uint64_t v = w[i];

		if (__builtin_expect(v != a, 0))
			audit_bad_words(j, sp, i, MOD, &v, 1, a, 0);
	}
}

/* Word i of every span: a where i % MOD == off, ~a elsewhere; the `written`
 * hook only after the sweep that wrote every word (a rewrite leaves the a
 * words alone, and the hook flips bits in words just written). */
static void fill(struct audit_job *j, uint32_t off, uint64_t a)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		span_fill(&j->spans[s], off, a);
		audit_wrote(j, &j->spans[s]);
	}
	for (int r = 0; r < REWRITES; r++)
		for (uint32_t s = 0; s < j->nspans; s++) {
			span_rewrite(&j->spans[s], off, a);
			audit_swept(j, &j->spans[s]);
		}
	for (uint32_t s = 0; s < j->nspans; s++) {
		span_check(j, &j->spans[s], off, a);
		audit_swept(j, &j->spans[s]);
	}
}

void audit_modulo20(struct audit_job *j)
{
	/* P from the seed (splitmix64 of a start of its own) */
	uint64_t p = (j->seed ^ 0x2020202020202020ull) + 0x9e3779b97f4a7c15ull;

	p = (p ^ (p >> 30)) * 0xbf58476d1ce4e5b9ull;
	p = (p ^ (p >> 27)) * 0x94d049bb133111ebull;
	p ^= p >> 31;
	for (uint32_t off = 0; off < MOD; off++) {
		fill(j, off, p);
		fill(j, off, ~p);
	}
}
