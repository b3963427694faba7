/* Address lines, walking ones (memtest86+'s test 0, "no cache"): in a span of
 * 2^L words (a buddy block, aligned to its size) the words at offset 0 and at
 * each power of two 1, 2, 4 .. 2^(L-1) differ from the first in exactly one
 * address line, and from each other in two. Each of them in turn is the
 * victim: it gets a value, then every other one is written with a value no
 * victim holds, and the victim is read back after each write; a write that
 * reached it through a stuck, shorted or open address line shows. Twice: the
 * words' own addresses, then their complements (so every data bit of each
 * victim is seen at 0 and at 1). 2 (L+1)^2 accesses per span, all through
 * its uncached view (the job's `uncached` hook), so a write that went to the
 * wrong cell cannot be hidden by the right line sitting in the cache.
 *
 * Address lines above a span's size are own_address's: every word holds its
 * own address there, across all spans. */
#include <kernel/audit_pattern.h>

/* The walked offsets, in words: 0, then 2^(k-1) for k = 1 .. */
static uint64_t walked(uint32_t k)
{
	return k ? 1ull << (k - 1) : 0;
}

static uint32_t walked_count(uint64_t words)
{
	uint32_t n = 1;

	while (n < 64 && walked(n) < words)
		n++;
	return n;
}

static void walk_span(struct audit_job *j, const struct audit_span *s, volatile uint64_t *w)
{
	uint32_t n = walked_count(s->words);

	for (int q = 0; q < 2; q++) {
		uint64_t inv = q ? ~0ull : 0;

		for (uint32_t a = 0; a < n; a++) {
			uint64_t ia = walked(a), want = inv ^ (s->phys + 8 * ia);

			w[ia] = want;
			for (uint32_t b = 0; b <= n; b++) {
				if (b < n) {
					if (b == a)
						continue;
					w[walked(b)] = ~inv ^ (s->phys + 8 * walked(b));
				}
				/* after each other write, and once more at the end */
				uint64_t v = w[ia];

				if (v != want) {
					j->bad(j, s->phys + 8 * ia, want, v);
					w[ia] = want;
				}
			}
		}
	}
}

void audit_walking_ones_address(struct audit_job *j)
{
	for (uint32_t i = 0; i < j->nspans; i++) {
		const struct audit_span *s = &j->spans[i];

		volatile uint64_t *uc = j->uncached ? j->uncached(j, s) : 0;

		walk_span(j, s, uc ? uc : s->w);
		if (uc && j->uncached_end)
			j->uncached_end(j, s);
		audit_swept(j, s);
	}
}
