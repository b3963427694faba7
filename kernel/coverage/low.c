/* Usable RAM below 1 MiB (coverage.h): never managed (legacy areas), and the
 * AP trampoline page, which nothing reads once every AP is up. Tested in
 * place with the quick patterns, page by page, like a block the kernel is
 * about to use: a bad frame is listed, poisoned (the mark stays on an
 * unmanaged frame) and reported as any other. Only pages every map entry
 * gives to the loader, to nobody (conventional) or to the trampoline: low
 * boot-services pages keep their contents (bs_save does not copy them). */
#include <mm/frame.h>
#include <kernel/audit.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/coverage.h>
#include <kernel/cpu.h>
#include <kernel/memmap.h>

static int low_type(uint32_t type)
{
	return type == UEFI_MT_CONVENTIONAL || type == UEFI_MT_LOADER_CODE ||
	       type == UEFI_MT_LOADER_DATA || type == BOOTINFO_MEM_TRAMPOLINE;
}

/* Every descriptor covering phys is of a low_type, and at least one does. */
static int testable(const struct bootinfo *bi, uint64_t phys)
{
	const void *map = phys_to_virt(bi->mmap);
	int claimed = 0;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		struct bootinfo_mem_desc d = bootinfo_desc_get(map, bi->mmap_stride, i);

		if (d.num_pages > (UINT64_MAX - d.phys_start) >> 12 ||
		    phys - d.phys_start >= d.num_pages << 12)
			continue;
		if (!low_type(d.type))
			return 0;
		claimed = 1;
	}
	return claimed;
}

void coverage_test_low(const struct bootinfo *bi)
{
	uint64_t pages = 0, bad = 0;
	struct jw w;

	if (kcfg.audit == AUDIT_OFF)
		return;

	for (uint64_t phys = 0; phys < MAPAUDIT_LOW_LIMIT; phys += PAGE_SIZE) {
		if (!testable(bi, phys))
			continue;
		bad += audit_test_block(phys, 0);
		pages++;
	}
	jw_begin(&w, "low_memory_tested");
	jw_u64(&w, "bytes", pages * PAGE_SIZE);
	jw_u64(&w, "bad_frames", bad);
	jw_u64(&w, "trampoline", bi->trampoline);
	event_emit(&w);
}
