/* Buffer sizes and units for the bandwidth measurement (bandwidth.h). */
#include <kernel/bandwidth.h>

/* A quarter of L1 and L2 (a sibling hyperthread may run the same test on
 * the same core); half of L3 shared out among the CPUs, dropped when that
 * share would fit in L2; RAM: four times the L3, at least 16 MiB per CPU,
 * in whole 4 MiB blocks. */
void bandwidth_plan(const struct cpu_caches *c, uint32_t ncpu, uint64_t bytes[BW_LEVELS])
{
	uint64_t l3_share, ram;

	if (!ncpu)
		ncpu = 1;
	bytes[0] = c->l1d >= 4096 ? c->l1d / 4 : 0;
	bytes[1] = c->l2 >= 4 * c->l1d && c->l2 ? c->l2 / 4 : 0;
	l3_share = c->l3 / 2 / ncpu & ~4095ull;
	bytes[2] = l3_share > c->l2 ? l3_share : 0;
	/* 4 * l3 / ncpu without forming 4 * l3, which wraps for the L3 a
	 * hypervisor's CPUID words can state (up to 2^64 - 1): q * 4 + r * 4 / n
	 * is the same floor, and a quotient past 2^62 is past the cap anyway */
	uint64_t q = c->l3 / ncpu, r = c->l3 % ncpu;

	ram = q >= 1ull << 62 ? UINT64_MAX : q * 4 + r * 4 / ncpu;
	if (ram < 4 * BW_BLOCK)
		ram = 4 * BW_BLOCK;
	if (ram > BW_MAX_BLOCKS * BW_BLOCK) /* capped before rounding up, which could wrap */
		ram = BW_MAX_BLOCKS * BW_BLOCK;
	bytes[3] = (ram + BW_BLOCK - 1) / BW_BLOCK * BW_BLOCK;
	if (bytes[2] >= bytes[3])
		bytes[2] = 0; /* more L3 per CPU than the RAM buffer: it would not tell */
}

uint64_t bandwidth_mib_s(uint64_t bytes, uint64_t cycles, uint64_t hz)
{
	if (!cycles)
		return 0;
	/* KiB x Hz stays below 2^64 up to 3 TiB moved at 5 GHz, far beyond what
	 * fits in the time box; no 128-bit division in a kernel without libgcc */
	return (bytes >> 10) * hz / cycles >> 10;
}
