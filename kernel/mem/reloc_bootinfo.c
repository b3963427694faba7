/* The boot info block moved (reloc_internal.h): every BOOTINFO-type range
 * of the map (the struct, the map copy, the config text, the known-bad
 * list) copied into one tested block, and the struct's three pointers into
 * them rebased: mmap, config, known_bad. Only the boot CPU reads the block,
 * so no stop is needed; the caller uses the copy from then on. What the
 * kernel took from it earlier was copied out (kcfg, memmap_ranges, acpi and
 * SMBIOS info); dimms.c and platform.c keep the old pointer for their init
 * calls only. */
#include <mm/mm.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <kernel/run.h>
#include <lib/string.h>
#include "reloc_internal.h"

#define RANGES_MAX 8

struct piece {
	uint64_t start, end, to;
};

static uint64_t rebase(const struct piece *p, uint32_t n, uint64_t phys)
{
	for (uint32_t k = 0; k < n; k++)
		if (phys - p[k].start < p[k].end - p[k].start)
			return p[k].to + (phys - p[k].start);
	return phys;   /* not in the block: it does not move */
}

const struct bootinfo *reloc_bootinfo(const struct bootinfo *bi, uint64_t *old, uint64_t *bytes)
{
	const void *map = phys_to_virt(bi->mmap);
	struct piece p[RANGES_MAX];
	uint32_t n = 0;
	uint64_t total = 0, self = (uint64_t)bi - BOOTINFO_DIRECT_MAP_BASE;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		struct bootinfo_mem_desc d = bootinfo_desc_get(map, bi->mmap_stride, i);

		if (d.type != BOOTINFO_MEM_BOOTINFO || !d.num_pages || d.phys_start % PAGE_SIZE ||
		    d.num_pages > (UINT64_MAX - d.phys_start) >> 12)
			continue;
		if (n == RANGES_MAX)
			return bi;
		p[n] = (struct piece){ d.phys_start, d.phys_start + (d.num_pages << 12), 0 };
		total += d.num_pages << 12;
		n++;
	}
	if (!n || total > (PAGE_SIZE << MAX_ORDER) || rebase(p, n, self) == self)
		return bi;   /* nothing to move, or the struct is not where the map says */
	uint64_t to = reloc_take_tested(kmem_order_for(total), "bootinfo");

	if (!to)
		return bi;
	for (uint32_t k = 0, off = 0; k < n; off += p[k].end - p[k].start, k++) {
		p[k].to = to + off;
		memcpy(phys_to_virt(p[k].to), phys_to_virt(p[k].start), p[k].end - p[k].start);
	}
	struct bootinfo *nb = phys_to_virt(rebase(p, n, self));

	nb->mmap = rebase(p, n, bi->mmap);
	if (bi->config_len)
		nb->config = rebase(p, n, bi->config);
	if (bootinfo_has_v2(bi) && bi->known_bad)
		nb->known_bad = rebase(p, n, bi->known_bad);
	*old = p[0].start;
	*bytes = total;
	for (uint32_t k = 0; k < n; k++)
		run_check(buddy_add_range(p[k].start, p[k].end) == ALLOC_ERROR_NONE,
			  "relocation_old_frames_to_the_allocator");
	return nb;
}
