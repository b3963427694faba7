/* The CPUID decoders (kernel/cpu/cpuid_decode.c) and what is sized from them
 * (kernel/cpu/bandwidth_plan.c), as cpuinfo.c and bandwidth.c use them. A
 * hypervisor chooses every CPUID word its guest sees, so they are input too.
 * Input (56 bytes): leaf-1 EAX, then the L1d, L2, L3 descriptors in leaf-4
 * format (4 words each: cpuinfo.c's caches_deterministic), then the CPU count
 * (u32, as smp_init counts them: 1..MAX_CPUS, 0 taken as 1 by the plan). */
#include <string.h>
#include <kernel/cpuinfo.h>
#include <kernel/bandwidth.h>
#include "common/fuzz.h"

#define IN_LEN 56u

static void emit(const char *name, uint32_t sig, const uint32_t l1[4], const uint32_t l2[4],
		 const uint32_t l3[4], uint32_t ncpu)
{
	uint8_t b[IN_LEN];

	fuzz_put32(b, sig);
	for (int i = 0; i < 4; i++) {
		fuzz_put32(b + 4 + 4 * i, l1[i]);
		fuzz_put32(b + 20 + 4 * i, l2[i]);
		fuzz_put32(b + 36 + 4 * i, l3[i]);
	}
	fuzz_put32(b + 52, ncpu);
	fuzz_emit(name, b, sizeof(b));
}

/* test_cpuinfo.c's Skylake words */
void fuzz_seeds(void)
{
	const uint32_t l1d[4] = { 0x1c004121, 0x01c0003f, 0x0000003f, 0 };
	const uint32_t l2[4] = { 0x1c004143, 0x03c0003f, 0x000003ff, 0 };
	const uint32_t l3[4] = { 0x1c03c163, 0x03c0003f, 0x00001fff, 6 };
	const uint32_t null[4] = { 0x1c000000, 0x03c0003f, 0x1fff, 0 };

	emit("skylake_sp", 0x00050654, l1d, l2, l3, 8);
	emit("zen2_1cpu", 0x00870f10, l1d, l2, l3, 1);
	emit("no_l3", 0x00000f29, l1d, l2, null, 4);
}

static unsigned __int128 product(const uint32_t r[4])
{
	return (unsigned __int128)((r[1] >> 22) + 1) * (((r[1] >> 12) & 0x3ff) + 1) *
	       ((r[1] & 0xfff) + 1) * ((uint64_t)r[2] + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t sig, w[3][4], fam, mod, step, ncpu;
	struct cpu_caches c = { 0 };
	uint64_t *dst[3] = { &c.l1d, &c.l2, &c.l3 }, b[BW_LEVELS];

	if (size != IN_LEN)
		return 0;
	memcpy(&sig, data, 4);
	memcpy(w, data + 4, sizeof(w));
	memcpy(&ncpu, data + 52, 4);
	ncpu %= 1025; /* MAX_CPUS-sized counts and 0 */

	cpuid_signature(sig, &fam, &mod, &step);
	FUZZ_CHECK(step == (sig & 0xf) && fam <= 0xf + 0xff && mod <= 0xff);
	FUZZ_CHECK(((sig >> 8) & 0xf) == 0xf ? fam >= 0xf : fam == ((sig >> 8) & 0xf));

	for (int i = 0; i < 3; i++) {
		uint32_t level, type, shared;
		uint64_t bytes = cpuid_cache_bytes(w[i], &level, &type, &shared);
		unsigned __int128 p = product(w[i]);

		FUZZ_CHECK(type == (w[i][0] & 0x1f) && level <= 7 && shared >= 1 && shared <= 0x1000);
		/* bytes per instance; 0 for the null type or a size past 2^64 (unknown) */
		if (!type)
			FUZZ_CHECK(bytes == 0);
		else
			FUZZ_CHECK(bytes == (p >> 64 ? 0 : (uint64_t)p));
		*dst[i] = bytes;
	}

	/* bandwidth.h's plan: buffers sized by the caches, RAM 16..64 MiB blocks */
	bandwidth_plan(&c, ncpu, b);
	uint32_t n = ncpu ? ncpu : 1;
	unsigned __int128 ram = (unsigned __int128)4 * c.l3 / n;

	FUZZ_CHECK(b[0] == (c.l1d >= 4096 ? c.l1d / 4 : 0));
	FUZZ_CHECK(b[3] % BW_BLOCK == 0 && b[3] >= 4 * BW_BLOCK && b[3] <= BW_MAX_BLOCKS * BW_BLOCK);
	if (ram >= BW_MAX_BLOCKS * BW_BLOCK)
		FUZZ_CHECK(b[3] == BW_MAX_BLOCKS * BW_BLOCK); /* four times the L3, capped */
	FUZZ_CHECK(b[2] == 0 || (b[2] % 4096 == 0 && b[2] > c.l2 && b[2] < b[3]));
	return 0;
}
