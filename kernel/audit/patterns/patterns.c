/* The table of RAM test patterns (audit_pattern.h); the sweeps they are
 * built from are in sweep.c. */
#include <kernel/audit_pattern.h>
#include <lib/string.h>

void audit_own_address(struct audit_job *j);
void audit_mov_inv_ones_zeros(struct audit_job *j);
void audit_mov_inv_random(struct audit_job *j);
void audit_linux_memtest(struct audit_job *j);
void audit_mov_inv_8bit(struct audit_job *j);
void audit_mov_inv_walk64(struct audit_job *j);
void audit_block_move(struct audit_job *j);
void audit_random_sequence(struct audit_job *j);
void audit_modulo20(struct audit_job *j);
void audit_walking_ones_address(struct audit_job *j);
void audit_bit_fade(struct audit_job *j);

/* name, sweeps at one iteration, level, run; for the moving-inversion family
 * the iterations of a full pass (memtest86+'s) and the sweeps each further
 * iteration adds; the sweeps at one iteration by kind { write, read, rw }, and
 * the kinds of the sweeps each further iteration adds */
const struct audit_pattern audit_patterns[] = {
	{ "own_address", 2, AUDIT_QUICK, audit_own_address, 0, 0, { 1, 1, 0 }, { 0, 0, 0 }, 0, 2 },
	{ "mov_inv_ones_zeros", 6, AUDIT_QUICK, audit_mov_inv_ones_zeros, 6, 4, { 2, 0, 4 },
	  { 0, 0, 4 }, 0, 0 },
	{ "mov_inv_random", 3, AUDIT_STANDARD, audit_mov_inv_random, 30, 3, { 1, 0, 2 },
	  { 1, 0, 2 }, 0, 0 },
	{ "linux_memtest", 34, AUDIT_STANDARD, audit_linux_memtest, 0, 0, { 17, 17, 0 },
	  { 0, 0, 0 }, 0, 0 },
	{ "mov_inv_8bit", 48, AUDIT_STANDARD, audit_mov_inv_8bit, 3, 32, { 16, 0, 32 },
	  { 0, 0, 32 }, 0, 0 },
	{ "mov_inv_walk64", 384, AUDIT_STANDARD, audit_mov_inv_walk64, 3, 256, { 128, 0, 256 },
	  { 0, 0, 256 }, 0, 0 },
	/* its 4 half-span copies move as many bytes as a read sweep: read */
	{ "block_move", 10, AUDIT_STANDARD, audit_block_move, 0, 0, { 2, 8, 0 }, { 0, 0, 0 }, 0, 0 },
	{ "random_sequence", 3, AUDIT_STANDARD, audit_random_sequence, 0, 0, { 1, 1, 1 },
	  { 0, 0, 0 }, 0, 0 },
	/* the two rewrites skip the P words: write sweeps */
	{ "modulo20", 160, AUDIT_STANDARD, audit_modulo20, 0, 0, { 120, 40, 0 }, { 0, 0, 0 }, 0, 0 },
	/* a few words per span, uncached: no streaming sweep, its ratio says nothing */
	{ "walking_ones_address", 1, AUDIT_STANDARD, audit_walking_ones_address, 0, 0, { 0, 1, 0 },
	  { 0, 0, 0 }, 0, 0 },
	{ "bit_fade", 4, AUDIT_FULL, audit_bit_fade, 0, 0, { 2, 2, 0 }, { 0, 0, 0 }, 1, 0 },
};
const uint32_t audit_pattern_count = sizeof(audit_patterns) / sizeof(audit_patterns[0]);

const struct audit_pattern *audit_pattern_find(const char *name, uint32_t len)
{
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (strlen(audit_patterns[i].name) == len && !memcmp(audit_patterns[i].name, name, len))
			return &audit_patterns[i];
	return 0;
}

uint64_t audit_pattern_sweeps(const struct audit_pattern *p, uint32_t iterations)
{
	return p->sweeps + (iterations > 1 ? iterations - 1 : 0) * (uint64_t)p->iteration_sweeps;
}
