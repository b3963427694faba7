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

uint64_t audit_limit_mib_s(const uint32_t n[AUDIT_KINDS], const uint64_t limit[AUDIT_KINDS])
{
	/* time in units of 2^-40 s per MiB: with n < 2^22 each term is below
	 * 2^62, their sum below 2^64, and sweeps << 40 below 2^64 too */
	uint64_t t = 0, sweeps = 0;

	for (int k = 0; k < AUDIT_KINDS; k++) {
		if (!n[k])
			continue;
		if (!limit[k] || n[k] >= 1u << 22)
			return 0;
		t += ((uint64_t)n[k] << 40) / limit[k];
		sweeps += n[k];
	}
	if (!t)
		return 0;
	return ((sweeps << 40) + t / 2) / t;
}
