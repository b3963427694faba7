/* Moving inversions with a walking bit (memtest86+'s test 6): word n of the
 * job holds a single 1 (then a single 0) at bit (offset + n) mod 64, so
 * neighbouring words differ in two bits; every offset 0..63 is run, so each
 * word holds its 1 (and its 0) at every bit position once. The sweeps are
 * the moving inversions of audit_moving_inversions with a per-word value. */
#include <kernel/audit_pattern.h>

static inline uint64_t rotl1(uint64_t v)
{
	return v << 1 | v >> 63;
}

static inline uint64_t rotr1(uint64_t v)
{
	return v >> 1 | v << 63;
}

/* Word n holds first rotated left by n; ascending check and invert, then
 * descending check and restore, `iterations` times. */
static void walk(struct audit_job *j, uint64_t first)
{
	uint32_t its = j->iterations ? j->iterations : 1;
	uint64_t v = first;

	for (uint32_t s = 0; s < j->nspans; s++) {
		const struct audit_span *sp = &j->spans[s];

		for (uint64_t i = 0; i < sp->words; i++, v = rotl1(v))
			sp->w[i] = v;
		audit_wrote(j, sp);
	}
	for (uint32_t it = 0; it < its; it++) {
		v = first;
		for (uint32_t s = 0; s < j->nspans; s++) {
			const struct audit_span *sp = &j->spans[s];

			for (uint64_t i = 0; i < sp->words; i++, v = rotl1(v)) {
				audit_check(j, sp, i, v);
				sp->w[i] = ~v;
			}
			audit_wrote(j, sp);
		}
		/* v is one word past the end: step back onto the last word */
		for (uint32_t s = j->nspans; s-- > 0;) {
			const struct audit_span *sp = &j->spans[s];

			for (uint64_t i = sp->words; i-- > 0;) {
				v = rotr1(v);
				audit_check(j, sp, i, ~v);
				sp->w[i] = v;
			}
			audit_wrote(j, sp);
		}
	}
}

void audit_mov_inv_walk64(struct audit_job *j)
{
	for (uint32_t offset = 0; offset < 64; offset++) {
		walk(j, 1ull << offset);
		walk(j, ~(1ull << offset));
	}
}
