/* The audit's sweep rate (audit_rate.h). The kernel links no libgcc, so the
 * 128-bit quotient is a long division written out here; gcc turns the
 * 64 x 64 -> 128 product into one mul. It runs once per CPU per report. */
#include <kernel/audit_rate.h>

/* floor((hi:lo) / d) for hi < d (so the quotient fits in 64 bits):
 * restoring division, one quotient bit per step. */
static uint64_t div128_64(uint64_t hi, uint64_t lo, uint64_t d)
{
	uint64_t q = 0;

	for (int i = 0; i < 64; i++) {
		uint64_t carry = hi >> 63; /* the remainder's 65th bit */

		hi = hi << 1 | lo >> 63;
		lo <<= 1;
		q <<= 1;
		if (carry || hi >= d) {
			hi -= d;
			q |= 1;
		}
	}
	return q;
}

uint64_t audit_mib_per_s(uint64_t bytes, uint64_t cycles, uint64_t tsc_hz)
{
	if (!cycles)
		return 0;
	unsigned __int128 n = (unsigned __int128)bytes * tsc_hz;
	/* MiB first: floor(floor(n / 2^20) / cycles) == floor(n / (2^20 * cycles)) */
	uint64_t hi = (uint64_t)(n >> 84), lo = (uint64_t)(n >> 20);

	if (hi >= cycles)
		return UINT64_MAX;
	return div128_64(hi, lo, cycles);
}
