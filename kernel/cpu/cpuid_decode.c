/* CPUID decoders (cpuinfo.h, simd.h): pure, so the host tests feed them the
 * words of real CPUs. */
#include <kernel/cpuinfo.h>
#include <kernel/simd.h>

void cpuid_signature(uint32_t eax, uint32_t *family, uint32_t *model, uint32_t *stepping)
{
	uint32_t fam = (eax >> 8) & 0xf, mod = (eax >> 4) & 0xf;

	*stepping = eax & 0xf;
	/* the extended fields count only where the base field saturates (SDM
	 * vol. 2A, CPUID "display family/model"; AMD's rule is the same for 0xf) */
	*family = fam == 0xf ? fam + ((eax >> 20) & 0xff) : fam;
	*model = fam == 0x6 || fam == 0xf ? mod | ((eax >> 16) & 0xf) << 4 : mod;
}

uint64_t cpuid_cache_bytes(const uint32_t r[4], uint32_t *level, uint32_t *type,
			   uint32_t *shared_by)
{
	*type = r[0] & 0x1f;
	*level = (r[0] >> 5) & 0x7;
	*shared_by = ((r[0] >> 14) & 0xfff) + 1;
	if (!*type)
		return 0;
	return (uint64_t)((r[1] >> 22) + 1) * (((r[1] >> 12) & 0x3ff) + 1) *
	       ((r[1] & 0xfff) + 1) * ((uint64_t)r[2] + 1);
}

uint64_t simd_xcr0_for(uint32_t cpuid1_ecx, uint64_t supported)
{
	uint64_t x = XCR0_X87 | XCR0_SSE;

	if (!(cpuid1_ecx & CPUID1_ECX_XSAVE))
		return 0;
	if ((cpuid1_ecx & CPUID1_ECX_AVX) && (supported & XCR0_AVX)) {
		x |= XCR0_AVX;
		if ((supported & XCR0_AVX512) == XCR0_AVX512)
			x |= XCR0_AVX512;
	}
	return x;
}
