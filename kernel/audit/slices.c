/* Slices of a CPU's share (audit_slices.h). */
#include <kernel/audit_slices.h>

uint64_t audit_slice_min(const struct cpu_caches *c)
{
	uint64_t llc = c ? (c->l3 ? c->l3 : c->l2) : 0;

	return 2 * llc > AUDIT_SLICE_FLOOR ? 2 * llc : AUDIT_SLICE_FLOOR;
}

uint32_t audit_slices(uint64_t bytes, uint64_t slice_min)
{
	uint64_t k = slice_min ? bytes / slice_min : 1;

	return k < 1 ? 1 : k > AUDIT_SLICES ? AUDIT_SLICES : (uint32_t)k;
}
