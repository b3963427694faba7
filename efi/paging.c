/* The kernel's first page tables: the direct map (every RAM and firmware range
 * of the map, [0, 4 GiB) for local APIC/IOAPIC/HPET, and the framebuffer) at
 * BOOTINFO_DIRECT_MAP_BASE and at identity (runtime services and the AP
 * trampoline need identity), both with 2 MiB pages; the kernel image with
 * 4 KiB pages at its link address. */
#include "loader.h"

#define SZ_2M (1ull << 21)
#define SZ_4G (1ull << 32)

struct region {
	uint64_t start, end, flags;
};

static int is_mmio(uint32_t type)
{
	return type == EfiMemoryMappedIO || type == EfiMemoryMappedIOPortSpace;
}

/* Calls fn for every region to map, rounded out to 2 MiB. */
static void for_each_region(struct loader *L, void (*fn)(struct loader *, struct region),
			    uint64_t *top)
{
	struct bootinfo *bi = L->bi;

	for (UINTN i = 0; i < L->map_count; i++) {
		const struct bootinfo_mem_desc *d = bootinfo_desc_at(L->map, L->map_desc_size, i);
		uint64_t end = d->phys_start + (d->num_pages << 12);

		if (d->num_pages == 0 || d->num_pages > (1ull << 40) || end < d->phys_start)
			continue; /* broken entry: the kernel's audit reports it */
		struct region r = { d->phys_start & ~(SZ_2M - 1), (end + SZ_2M - 1) & ~(SZ_2M - 1),
				    is_mmio(d->type) ? PTE_PCD | PTE_PWT : 0 };
		fn(L, r);
		if (r.end > *top)
			*top = r.end;
	}
	fn(L, (struct region){ 0, SZ_4G, 0 });
	if (*top < SZ_4G)
		*top = SZ_4G;
	if (bi->fb.base) {
		struct region r = { bi->fb.base & ~(SZ_2M - 1),
				    (bi->fb.base + bi->fb.size + SZ_2M - 1) & ~(SZ_2M - 1), 0 };
		fn(L, r);
		if (r.end > *top)
			*top = r.end;
	}
}

static uint64_t pages_needed;

static void count_region(struct loader *L, struct region r)
{
	(void)L;
	/* once for the identity map, once for the direct map */
	pages_needed += 2 * pt_pages_needed(r.start, r.end - r.start, SZ_2M);
}

static void map_region(struct loader *L, struct region r)
{
	uint64_t flags = PTE_W | r.flags;

	if (pt_map_2m(&L->pt, r.start, r.start, r.end - r.start, flags) ||
	    pt_map_2m(&L->pt, BOOTINFO_DIRECT_MAP_BASE + r.start, r.start, r.end - r.start, flags))
		ldr_fatal("page-table pool exhausted (direct map)", EFI_OUT_OF_RESOURCES);
}

void paging_build(struct loader *L)
{
	uint64_t top = 0, kbytes = L->bi->kernel_bytes;

	pages_needed = 1 + pt_pages_needed(L->kplan.virt_lo, kbytes, 4096);
	for_each_region(L, count_region, &top);

	/* below 4 GiB: APs load this CR3 from 32-bit code in the trampoline */
	EFI_PHYSICAL_ADDRESS a = 0xffffffff;
	EFI_STATUS s = BS->AllocatePages(AllocateMaxAddress, BOOTINFO_MEM_PAGETABLE,
					 pages_needed, &a);

	if (EFI_ERROR(s))
		ldr_fatal("cannot allocate the page-table pool", s);
	pt_init(&L->pt, a, (void *)a, pages_needed);
	top = 0;
	for_each_region(L, map_region, &top);
	if (pt_map_4k(&L->pt, L->kplan.virt_lo, L->bi->kernel_phys, kbytes, PTE_W))
		ldr_fatal("page-table pool exhausted (kernel)", EFI_OUT_OF_RESOURCES);
	if (pt_translate(&L->pt, L->bi->kernel_entry) == UINT64_MAX)
		ldr_fatal("kernel entry point is not mapped", EFI_LOAD_ERROR);

	L->bi->pagetable_phys = a;
	L->bi->pagetable_bytes = pages_needed * 4096;
	L->bi->direct_map_top = top;
}
