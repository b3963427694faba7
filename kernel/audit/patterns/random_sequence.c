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

void audit_random_sequence(struct audit_job *j)
{
	/* not mov_inv_random's pattern for the same seed: another start */
	const uint64_t start = ~j->seed;
	uint64_t x = start;

	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0; i < sp->words; i++)
			sp->w[i] = mix(x += GOLDEN);
		audit_wrote(j, sp);
	}
	x = start;
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0; i < sp->words; i++) {
			uint64_t v = mix(x += GOLDEN);

			audit_check(j, sp, i, v);
			sp->w[i] = ~v;
		}
		audit_wrote(j, sp);
	}
	x = start;
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0; i < sp->words; i++)
			audit_check(j, sp, i, ~mix(x += GOLDEN));
		audit_swept(j, sp);
	}
}
