/* Own address: every word holds its own physical address, so a fault in the
 * address lines (two addresses landing on one cell) shows up as a word that
 * holds another word's address. */
#include <kernel/audit_pattern.h>

void audit_own_address(struct audit_job *j)
{
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0; i < sp->words; i++)
			sp->w[i] = sp->phys + 8 * i;
		audit_wrote(j, sp);
	}
	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0; i < sp->words; i++)
			audit_check(j, sp, i, sp->phys + 8 * i);
		audit_swept(j, sp);
	}
}
