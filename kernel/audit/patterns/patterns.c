/* The table of RAM test patterns (audit_pattern.h) and the two sweeps most
 * patterns are built from. */
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
 * iteration adds */
const struct audit_pattern audit_patterns[] = {
	{ "own_address", 2, AUDIT_QUICK, audit_own_address, 0, 0 },
	{ "mov_inv_ones_zeros", 6, AUDIT_QUICK, audit_mov_inv_ones_zeros, 6, 4 },
	{ "mov_inv_random", 3, AUDIT_STANDARD, audit_mov_inv_random, 30, 3 },
	{ "linux_memtest", 34, AUDIT_STANDARD, audit_linux_memtest, 0, 0 },
	{ "mov_inv_8bit", 48, AUDIT_STANDARD, audit_mov_inv_8bit, 3, 32 },
	{ "mov_inv_walk64", 384, AUDIT_STANDARD, audit_mov_inv_walk64, 3, 256 },
	{ "block_move", 10, AUDIT_STANDARD, audit_block_move, 0, 0 },
	{ "random_sequence", 3, AUDIT_STANDARD, audit_random_sequence, 0, 0 },
	{ "modulo20", 160, AUDIT_STANDARD, audit_modulo20, 0, 0 },
	{ "walking_ones_address", 1, AUDIT_STANDARD, audit_walking_ones_address, 0, 0 },
	{ "bit_fade", 4, AUDIT_FULL, audit_bit_fade, 0, 0 },
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

static void up_and_down(struct audit_job *j, uint64_t p);

void audit_fill(struct audit_job *j, uint64_t p)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0; i < sp->words; i++)
			sp->w[i] = p;
		audit_wrote(j, sp);
	}
}

void audit_check_all(struct audit_job *j, uint64_t p)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0; i < sp->words; i++)
			audit_check(j, sp, i, p);
		audit_swept(j, sp);
	}
}

void audit_fill_check(struct audit_job *j, uint64_t p)
{
	audit_fill(j, p);
	audit_check_all(j, p);
}

void audit_moving_inversions(struct audit_job *j, uint64_t p)
{
	uint32_t its = j->iterations ? j->iterations : 1;

	audit_fill(j, p);
	for (uint32_t it = 0; it < its; it++)
		up_and_down(j, p);
}

/* One iteration: ascending, check p and write ~p; descending, check ~p and
 * write p. */
static void up_and_down(struct audit_job *j, uint64_t p)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0; i < sp->words; i++) {
			audit_check(j, sp, i, p);
			sp->w[i] = ~p;
		}
		audit_wrote(j, sp);
	}
	for (uint32_t s = j->nspans; s-- > 0;) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = sp->words; i-- > 0;) {
			audit_check(j, sp, i, ~p);
			sp->w[i] = p;
		}
		audit_wrote(j, sp);
	}
}
