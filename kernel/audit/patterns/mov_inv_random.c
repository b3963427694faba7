/* Moving inversions with a random pattern (memtest86's test 5): the same
 * sweep as ones/zeros with a data pattern chosen per run, so data-dependent
 * faults are not missed by always writing the same bits. Each iteration
 * (iterations=) takes the next pattern of the seed's splitmix64 stream and
 * runs one moving inversion with it, as memtest86+ does. */
#include <kernel/audit_pattern.h>

void audit_mov_inv_random(struct audit_job *j)
{
	uint32_t asked = j->iterations, its = asked ? asked : 1;

	j->iterations = 1; /* for audit_moving_inversions: one up-and-down per pattern */
	for (uint32_t k = 0; k < its; k++) {
		/* splitmix64: state seed + (k + 1) * golden, mixed */
		uint64_t z = j->seed + (k + 1) * 0x9e3779b97f4a7c15ull;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		audit_moving_inversions(j, z ^ (z >> 31));
	}
	j->iterations = asked;
}
