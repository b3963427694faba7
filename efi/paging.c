/* The kernel's first page tables: every span physmap.c lists (the map's
 * ranges and the holes of [0, 4 GiB), RAM write-back, devices uncached, the
 * framebuffer PAT entry 2, WC once the kernel runs) at
 * BOOTINFO_DIRECT_MAP_BASE and at identity (runtime services and the AP
 * trampoline need identity), with 1 GiB pages where the
 * CPU has them, else 2 MiB, and 4 KiB only at the ends of a span; the kernel
 * image with 4 KiB pages at its link address. Nothing at or above
 * BOOTINFO_DIRECT_MAP_REACH is mapped: the kernel reports those entries. */
#include "loader.h"
#include "physmap.h"
#include <lib/x86.h>

#define CPUID_EXT_PDPE1GB (1u << 26) /* CPUID 0x80000001 EDX: 1 GiB pages */

static uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static uint64_t largest_page(void)
{
	uint32_t r[4];

	cpuid(0x80000000u, 0, r);
	if (r[0] < 0x80000001u)
		return PT_2M;
	cpuid(0x80000001u, 0, r);
	return (r[3] & CPUID_EXT_PDPE1GB) ? PT_1G : PT_2M;
}

struct build {
	struct loader *L;
	uint64_t page;     /* largest page size */
	uint64_t needed;   /* pass 1: pool pages */
};

static void count_span(void *ctx, uint64_t s, uint64_t e, uint64_t cache)
{
	struct build *b = ctx;

	(void)cache;
	/* once for the identity map, once for the direct map */
	b->needed += 2 * pt_pages_needed(s, e - s, b->page);
}

static void map_span(void *ctx, uint64_t s, uint64_t e, uint64_t cache)
{
	struct build *b = ctx;
	uint64_t flags = PTE_W | cache;

	if (pt_map(&b->L->pt, s, s, e - s, flags, b->page) ||
	    pt_map(&b->L->pt, BOOTINFO_DIRECT_MAP_BASE + s, s, e - s, flags, b->page))
		ldr_fatal("page-table pool exhausted (direct map)", EFI_OUT_OF_RESOURCES);
}

void paging_check_cpu(struct loader *L)
{
	const char *why = pt_refuse_cpu(read_cr4());

	(void)L;
	if (why)
		ldr_fatal(why, EFI_UNSUPPORTED);
}

void paging_build(struct loader *L)
{
	struct bootinfo *bi = L->bi;
	struct physmap_in in = {
		.map = L->map, .count = (uint32_t)L->map_count, .stride = (uint32_t)L->map_desc_size,
		.fb_base = bi->fb.base, .fb_size = bi->fb.base ? bi->fb.size : 0,
		.reach = BOOTINFO_DIRECT_MAP_REACH,
	};
	struct build b = { .L = L, .page = largest_page() };
	struct physmap_stats st;
	uint64_t kbytes = bi->kernel_bytes;

	b.needed = 1 + pt_pages_needed(L->kplan.virt_lo, kbytes, PT_4K);
	physmap_walk(&in, count_span, &b, &st);
	if (st.beyond_reach)
		ldr_note("memory-map entries beyond the direct map's reach are not mapped");

	/* below 4 GiB: APs load this CR3 from 32-bit code in the trampoline */
	EFI_PHYSICAL_ADDRESS a = 0xffffffff;
	EFI_STATUS s = BS->AllocatePages(AllocateMaxAddress, BOOTINFO_MEM_PAGETABLE,
					 b.needed, &a);

	if (EFI_ERROR(s))
		ldr_fatal("cannot allocate the page-table pool", s);
	pt_init(&L->pt, a, (void *)a, b.needed);
	physmap_walk(&in, map_span, &b, &st);
	if (pt_map_4k(&L->pt, L->kplan.virt_lo, bi->kernel_phys, kbytes, PTE_W))
		ldr_fatal("page-table pool exhausted (kernel)", EFI_OUT_OF_RESOURCES);
	if (pt_translate(&L->pt, bi->kernel_entry) == UINT64_MAX)
		ldr_fatal("kernel entry point is not mapped", EFI_LOAD_ERROR);
	/* the bound counts shared tables once per span: give the rest back */
	if (L->pt.used < b.needed)
		BS->FreePages(a + L->pt.used * 4096, b.needed - L->pt.used);

	bi->pagetable_phys = a;
	bi->pagetable_bytes = L->pt.used * 4096;
	bi->direct_map_top = st.top;
}
