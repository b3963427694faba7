/* Moving inversions with a random pattern (memtest86's test 4): the same
 * sweep as ones/zeros with a data pattern chosen per run, so data-dependent
 * faults are not missed by always writing the same bits. */
#include <kernel/audit_pattern.h>

void audit_mov_inv_random(struct audit_job *j)
{
	/* splitmix64 of the seed: any seed gives a well-mixed pattern */
	uint64_t z = j->seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	audit_moving_inversions(j, z ^ (z >> 31));
}
