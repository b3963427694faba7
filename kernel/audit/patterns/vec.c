/* Which loops the patterns with vector variants run (audit_pattern.h,
 * "vector loops"): what this CPU has, by CPUID, with its state enabled, by
 * XCR0 (kernel/simd.h enables it; on the host, the OS has). Pure but for
 * CPUID and XGETBV, which user code may run: host tests and the bench use
 * the same choice. */
#include <kernel/audit_pattern.h>
#include <lib/x86.h>

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

int audit_vec_runs(enum audit_vec v)
{
	uint32_t r[4];
	uint64_t xcr0;

	if (v == AUDIT_VEC_SCALAR)
		return 1;
	if ((unsigned)v >= AUDIT_VEC_KINDS)
		return 0;
	cpuid(0, 0, r);
	if (r[0] < 7)
		return 0;
	cpuid(1, 0, r);
	/* OSXSAVE: the OS turned XSAVE on, so XCR0 says which state it enabled */
	if (!(r[2] & (1u << 27)) || !(r[2] & (1u << 28)))   /* OSXSAVE, AVX */
		return 0;
	xcr0 = xgetbv0();
	cpuid(7, 0, r);
	if (v == AUDIT_VEC_AVX2)
		return (xcr0 & 6) == 6 && (r[1] & (1u << 5));     /* SSE|AVX state, AVX2 */
	return (xcr0 & 0xe6) == 0xe6 &&                           /* and the AVX-512 state */
	       (r[1] & (1u << 16)) && (r[1] & (1u << 17));        /* AVX512F, AVX512DQ */
}

static int cap = AUDIT_VEC_KINDS - 1;  /* audit_vec_cap */
static int chosen = -1;

void audit_vec_cap(enum audit_vec max)
{
	__atomic_store_n(&cap, (int)max, __ATOMIC_RELAXED);
	__atomic_store_n(&chosen, -1, __ATOMIC_RELAXED);
}

enum audit_vec audit_vec_chosen(void)
{
	int v = __atomic_load_n(&chosen, __ATOMIC_RELAXED);

	/* every CPU would choose the same (simd_report caps the choice at what
	 * every CPU runs, before any pattern) */
	if (v < 0) {
		v = __atomic_load_n(&cap, __ATOMIC_RELAXED);
		for (v = v < AUDIT_VEC_KINDS ? v : AUDIT_VEC_KINDS - 1;
		     v > 0 && !audit_vec_runs(v); v--)
			;
		__atomic_store_n(&chosen, v, __ATOMIC_RELAXED);
	}
	return (enum audit_vec)v;
}

const char *audit_vec_name(enum audit_vec v)
{
	static const char *const names[AUDIT_VEC_KINDS] = { "scalar", "avx2", "avx512" };

	return (unsigned)v < AUDIT_VEC_KINDS ? names[v] : "?";
}
