/* vm_report (vm.h): what the loader's page tables really say, read back from
 * CR3, so a test sees the cache types and page sizes in force rather than
 * what the loader meant to write. */
#include <bootinfo.h>
#include <kernel/vm.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/pat.h>
#include <kernel/run.h>
#include <lib/string.h>

#define PTE_PS   (1ull << 7)

/* The memory type the tables give va ("none" if unmapped); MTRRs may make
 * it stronger, never weaker for UC. */
static const char *cache_of(uint64_t va, uint64_t pat, uint64_t *size)
{
	uint64_t e = vm_leaf(va, size);

	if (!e)
		return "none";
	return pat_type_name(pat_entry(pat, pat_leaf_index(e, *size)));
}

/* Leaves of each size in the direct map (PML4 slots 256 up to the reach). */
static void count_leaves(uint64_t n[3])
{
	const uint64_t *l4 = phys_to_virt(read_cr3() & 0x000ffffffffff000ull);
	unsigned first = (BOOTINFO_DIRECT_MAP_BASE >> 39) & 511;

	for (unsigned i = first; i < first + (BOOTINFO_DIRECT_MAP_REACH >> 39); i++) {
		if (!(l4[i] & 1))
			continue;
		const uint64_t *l3 = phys_to_virt(l4[i] & 0x000ffffffffff000ull);

		for (unsigned j = 0; j < 512; j++) {
			if (!(l3[j] & 1))
				continue;
			if (l3[j] & PTE_PS) {
				n[2]++;
				continue;
			}
			const uint64_t *l2 = phys_to_virt(l3[j] & 0x000ffffffffff000ull);

			for (unsigned k = 0; k < 512; k++) {
				if (!(l2[k] & 1))
					continue;
				if (l2[k] & PTE_PS)
					n[1]++;
				else
					n[0] += 512; /* a page table: count its slots as 4 KiB leaves */
			}
		}
	}
}

void vm_report(const struct bootinfo *bi)
{
	uint64_t pat = rdmsr(MSR_PAT), n[3] = { 0 }, sz, lapic = rdmsr(MSR_APIC_BASE) & ~0xfffull;
	uint32_t r[4];
	struct jw w;

	cpuid(0x80000000u, 0, r);
	int has_1g = 0;

	if (r[0] >= 0x80000001u) {
		cpuid(0x80000001u, 0, r);
		has_1g = !!(r[3] & (1u << 26));
	}
	count_leaves(n);
	const char *ram = cache_of((uint64_t)phys_to_virt(bi->meta_phys), pat, &sz);
	const char *apic = cache_of((uint64_t)phys_to_virt(lapic), pat, &sz);
	const char *apic_id = cache_of(lapic, pat, &sz);

	jw_begin(&w, "paging");
	jw_u64(&w, "pagetable_bytes", bi->pagetable_bytes);
	jw_u64(&w, "direct_map_top", bi->direct_map_top);
	jw_u64(&w, "reach", BOOTINFO_DIRECT_MAP_REACH);
	jw_bool(&w, "cpu_1g_pages", has_1g);
	jw_u64(&w, "leaves_1g", n[2]);
	jw_u64(&w, "leaves_2m", n[1]);
	jw_u64(&w, "slots_4k", n[0]);
	jw_u64(&w, "pat", pat);
	jw_str(&w, "ram", ram);
	jw_str(&w, "lapic", apic);
	jw_str(&w, "lapic_identity", apic_id);
	if (bi->fb.base)
		jw_str(&w, "framebuffer", cache_of((uint64_t)phys_to_virt(bi->fb.base), pat, &sz));
	event_emit(&w);
	run_check(!strcmp(ram, "wb"), "paging_ram_write_back");
	run_check(!strcmp(apic, "uc") && !strcmp(apic_id, "uc"), "paging_lapic_uncached");
}
