/* The table of RAM test patterns (audit_pattern.h) and the two sweeps most
 * patterns are built from. */
#include <kernel/audit_pattern.h>
#include <lib/string.h>

void audit_own_address(struct audit_job *j);
void audit_mov_inv_ones_zeros(struct audit_job *j);
void audit_mov_inv_random(struct audit_job *j);
void audit_linux_memtest(struct audit_job *j);
void audit_walking_ones_address(struct audit_job *j);
void audit_bit_fade(struct audit_job *j);

const struct audit_pattern audit_patterns[] = {
	{ "own_address", 2, AUDIT_QUICK, audit_own_address },
	{ "mov_inv_ones_zeros", 6, AUDIT_QUICK, audit_mov_inv_ones_zeros },
	{ "mov_inv_random", 3, AUDIT_STANDARD, audit_mov_inv_random },
	{ "linux_memtest", 34, AUDIT_STANDARD, audit_linux_memtest },
	{ "walking_ones_address", 1, AUDIT_STANDARD, audit_walking_ones_address },
	{ "bit_fade", 4, AUDIT_FULL, audit_bit_fade },
};
const uint32_t audit_pattern_count = sizeof(audit_patterns) / sizeof(audit_patterns[0]);

const struct audit_pattern *audit_pattern_find(const char *name, uint32_t len)
{
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (strlen(audit_patterns[i].name) == len && !memcmp(audit_patterns[i].name, name, len))
			return &audit_patterns[i];
	return 0;
}

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
	audit_fill(j, p);
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
