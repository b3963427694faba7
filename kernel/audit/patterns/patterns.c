/* The table of RAM test patterns (audit_pattern.h); the sweeps they are
 * built from are in sweep.c. */
#include <kernel/audit_pattern.h>
#include <lib/string.h>

void audit_own_address(struct audit_job *j);
void audit_mov_inv_ones_zeros(struct audit_job *j);
void audit_mov_inv_random(struct audit_job *j);
void audit_linux_memtest(struct audit_job *j);

const struct audit_pattern audit_patterns[] = {
	/* name, sweeps, level, run, { write, read, rw } sweeps */
	{ "own_address", 2, AUDIT_QUICK, audit_own_address, { 1, 1, 0 } },
	{ "mov_inv_ones_zeros", 6, AUDIT_QUICK, audit_mov_inv_ones_zeros, { 2, 0, 4 } },
	{ "mov_inv_random", 3, AUDIT_STANDARD, audit_mov_inv_random, { 1, 0, 2 } },
	{ "linux_memtest", 34, AUDIT_STANDARD, audit_linux_memtest, { 17, 17, 0 } },
};
const uint32_t audit_pattern_count = sizeof(audit_patterns) / sizeof(audit_patterns[0]);

const struct audit_pattern *audit_pattern_find(const char *name, uint32_t len)
{
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (strlen(audit_patterns[i].name) == len && !memcmp(audit_patterns[i].name, name, len))
			return &audit_patterns[i];
	return 0;
}
