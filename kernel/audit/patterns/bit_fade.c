/* Bit fade (memtest86+'s test 10): retention. Every span is filled with 0s,
 * the memory is left alone for bit_fade_seconds (the job's `rest` hook: the
 * audit halts every CPU, so nothing reads or rewrites it), then checked; then
 * the same with 1s. A cell that cannot hold its charge for that long between
 * the DRAM's own refreshes, or that leaks into a neighbour, has changed by
 * the check. */
#include <kernel/audit_pattern.h>

void audit_bit_fade(struct audit_job *j)
{
	for (int q = 0; q < 2; q++) {
		uint64_t p = q ? ~0ull : 0;

		audit_fill(j, p);
		if (j->rest)
			j->rest(j, j->bit_fade_seconds);
		audit_check_all(j, p);
	}
}
