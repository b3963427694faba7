/* Vector state on every CPU (simd.h). */
#include <stdatomic.h>
#include <kernel/simd.h>
#include <kernel/audit_pattern.h>
#include <kernel/console.h>
#include <lib/json.h>
#include <lib/x86.h>

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE    (1ull << 18)

/* Written by the boot CPU before any AP starts; APs only read them. */
static uint64_t boot_xcr0;
static int boot_done;
static _Atomic uint32_t xcr0_differs; /* APs that enabled another XCR0 */
/* bit v: every CPU so far runs random_sequence's variant v */
static _Atomic uint32_t runs_everywhere = ~0u;

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	if (n == 0)
		__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

void simd_init_cpu(void)
{
	uint32_t r[4], d[4] = { 0 }, runs = 0;
	uint64_t cr0 = read_cr(0), cr4 = read_cr(4), xcr0;

	cr0 = (cr0 | CR0_MP) & ~(CR0_EM | CR0_TS);
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	cpuid(1, 0, r);
	if (r[2] & CPUID1_ECX_XSAVE) {
		cr4 |= CR4_OSXSAVE;
		cpuid(0xd, 0, d);
	}
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	xcr0 = simd_xcr0_for(r[2], (uint64_t)d[3] << 32 | d[0]);
	if (xcr0)
		__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)));
	for (int v = 0; v < AUDIT_VEC_KINDS; v++)
		runs |= (uint32_t)audit_vec_runs(v) << v;
	atomic_fetch_and_explicit(&runs_everywhere, runs, memory_order_relaxed);
	if (!boot_done) {
		boot_xcr0 = xcr0;
		boot_done = 1;
	} else if (xcr0 != boot_xcr0) {
		atomic_fetch_add_explicit(&xcr0_differs, 1, memory_order_relaxed);
	}
}

void simd_report(void)
{
	uint32_t runs = atomic_load_explicit(&runs_everywhere, memory_order_relaxed);
	uint32_t differ = atomic_load_explicit(&xcr0_differs, memory_order_relaxed);
	int widest = AUDIT_VEC_KINDS - 1;
	const char *v;
	struct jw w;

	/* the widest loops every CPU runs: a CPU without them would fault in
	 * the pattern */
	while (widest > 0 && !(runs >> widest & 1))
		widest--;
	audit_vec_cap((enum audit_vec)widest);
	v = audit_vec_name(audit_vec_chosen());

	kprintf("vector state: SSE%s%s; random_sequence and mov_inv_walk64 run their %s loops",
		boot_xcr0 & XCR0_AVX ? ", AVX" : "",
		(boot_xcr0 & XCR0_AVX512) == XCR0_AVX512 ? ", AVX-512" : "", v);
	jw_begin(&w, "simd");
	jw_u64(&w, "xcr0", boot_xcr0);
	jw_bool(&w, "sse", 1);
	jw_bool(&w, "avx", !!(boot_xcr0 & XCR0_AVX));
	jw_bool(&w, "avx512", (boot_xcr0 & XCR0_AVX512) == XCR0_AVX512);
	jw_u64(&w, "xcr0_differs", differ);
	jw_str(&w, "random_sequence", v);  /* the patterns with vector loops */
	jw_str(&w, "mov_inv_walk64", v);
	event_emit(&w);
	if (differ)
		kprintf("WARNING: %u CPUs enabled another vector state than the boot CPU", differ);
}
