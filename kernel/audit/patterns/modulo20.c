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

/* Word i of every span: a where i % MOD == off, ~a elsewhere; the `written`
 * hook only after the sweep that wrote every word (a rewrite leaves the a
 * words alone, and the hook flips bits in words just written). */
static void fill(struct audit_job *j, uint32_t off, uint64_t a)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0, k = 0; i < sp->words; i++, k = k == MOD - 1 ? 0 : k + 1)
			sp->w[i] = k == off ? a : ~a;
		audit_wrote(j, sp);
	}
	for (int r = 0; r < REWRITES; r++) {
		for (uint32_t s = 0; s < j->nspans; s++) {
			const struct audit_span *sp = &j->spans[s];

			for (uint64_t i = 0, k = 0; i < sp->words; i++, k = k == MOD - 1 ? 0 : k + 1)
				if (k != off)
					sp->w[i] = ~a;
			audit_swept(j, sp);
		}
	}
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = off; i < sp->words; i += MOD)
			audit_check(j, sp, i, a);
		audit_swept(j, sp);
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
