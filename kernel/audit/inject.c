/* Test faults put into RAM (audit_pattern.h): the audit's `written` hook
 * flips the configured bits in a span a sweep has just written, so the
 * patterns' ordinary read-back finds them. Per span, not per word: a
 * handful of compares for each span of each write sweep, and only when
 * inject_fault= is set. */
#include <kernel/audit_pattern.h>

void audit_inject_into_span(const struct audit_injection *inj, uint32_t n,
			    const struct audit_span *s)
{
	for (uint32_t k = 0; k < n; k++) {
		uint64_t off = inj[k].addr - s->phys; /* wraps for addresses below the span */

		if (off < s->words * 8 && !(off & 7))
			s->w[off / 8] ^= inj[k].mask;
	}
}
