/* Own address: every word holds its own physical address, so a fault in the
 * address lines (two addresses landing on one cell) shows up as a word that
 * holds another word's address. Two phases (audit_job.phase): the audit
 * writes all memory before it checks any, so two addresses anywhere in RAM
 * that land on one cell show, not only two in one region. */
#include <kernel/audit_pattern.h>

void audit_own_address(struct audit_job *j)
{
	for (uint32_t s = 0; j->phase != 2 && s < j->nspans; s++) {
		audit_span_fill_addr(&j->spans[s]);
		audit_wrote(j, &j->spans[s]);
	}
	for (uint32_t s = 0; j->phase != 1 && s < j->nspans; s++) {
		audit_span_check_addr(j, &j->spans[s]);
		audit_swept(j, &j->spans[s]);
	}
}
