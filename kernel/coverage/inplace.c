/* RAM the kernel tests in place (coverage.h), once every AP is up and the
 * firmware's tables have been read (platform_acpi and dimms_init copy what
 * they need into acpi_info / smbios_info; nothing maps a table later):
 *  - usable RAM below 1 MiB (never managed: legacy areas) and the AP
 *    trampoline page, which nothing reads once the APs run;
 *  - ACPI reclaim memory, the OS's once the tables are read (UEFI spec).
 *  - boot-services code and data below 1 MiB: bs_save copies only what the
 *    allocator manages (1 MiB up), so these keep what the firmware left
 *    there for a runtime call that may read it; each is copied out, tested
 *    and copied back (checked word for word) with no runtime call possible
 *    meanwhile (the boot CPU is here, the APs idle).
 * Page by page with the quick patterns, like a block the kernel is about to
 * use: a bad frame is listed, poisoned (the mark stays on an unmanaged frame)
 * and reported as any other. Only pages every map entry gives to one of
 * those types. */
#include <mm/frame.h>
#include <kernel/audit.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/coverage.h>
#include <kernel/cpu.h>
#include <kernel/memmap.h>
#include <kernel/smp.h>
#include <lib/string.h>

static int in_place_type(uint32_t type, uint64_t phys)
{
	if (type == UEFI_MT_ACPI_RECLAIM)
		return 1;
	return phys < MAPAUDIT_LOW_LIMIT &&
	       (type == UEFI_MT_CONVENTIONAL || type == UEFI_MT_LOADER_CODE ||
		type == UEFI_MT_LOADER_DATA || type == BOOTINFO_MEM_TRAMPOLINE ||
		type == UEFI_MT_BS_CODE || type == UEFI_MT_BS_DATA);
}

static int kept_type(uint32_t type)
{
	return type == UEFI_MT_BS_CODE || type == UEFI_MT_BS_DATA;
}

/* Every descriptor covering phys is of an in-place type; 0 if none covers
 * it. Returns the type of the last one; *keep when any says its contents
 * must survive. */
static uint32_t testable(const struct bootinfo *bi, uint64_t phys, int *keep)
{
	const void *map = phys_to_virt(bi->mmap);
	uint32_t type = 0;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		struct bootinfo_mem_desc d = bootinfo_desc_get(map, bi->mmap_stride, i);

		if (d.num_pages > (UINT64_MAX - d.phys_start) >> 12 ||
		    phys - d.phys_start >= d.num_pages << 12)
			continue;
		if (!in_place_type(d.type, phys))
			return 0;
		*keep |= kept_type(d.type);
		type = d.type ? d.type : UEFI_MT_COUNT;
	}
	return type;
}

struct tally {
	uint64_t low, acpi, bad, kept, kept_differ;
};

static uint64_t saved[PAGE_SIZE / 8];

static void test_page(const struct bootinfo *bi, uint64_t phys, struct tally *t)
{
	int keep = 0;
	uint32_t type = testable(bi, phys, &keep);
	uint64_t *page = phys_to_virt(phys);

	if (!type || phys >= BOOTINFO_DIRECT_MAP_REACH)
		return;
	/* an AP given up on may still run the trampoline: leave that page */
	if (smp_abandoned() && (phys == bi->trampoline || type == BOOTINFO_MEM_TRAMPOLINE))
		return;
	if (keep)
		memcpy(saved, page, PAGE_SIZE);
	t->bad += audit_test_block(phys, 0);
	if (keep) {
		memcpy(page, saved, PAGE_SIZE);
		t->kept += PAGE_SIZE;
		/* a stuck bit the test found may keep a word from coming back */
		t->kept_differ += memcmp(page, saved, PAGE_SIZE) != 0;
	}
	if (type == UEFI_MT_ACPI_RECLAIM)
		t->acpi += PAGE_SIZE;
	else
		t->low += PAGE_SIZE;
}

void coverage_test_in_place(const struct bootinfo *bi)
{
	const void *map = phys_to_virt(bi->mmap);
	struct tally t = { 0 };
	struct jw w;

	if (kcfg.audit == AUDIT_OFF)
		return;
	for (uint64_t phys = 0; phys < MAPAUDIT_LOW_LIMIT; phys += PAGE_SIZE)
		test_page(bi, phys, &t);
	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		struct bootinfo_mem_desc d = bootinfo_desc_get(map, bi->mmap_stride, i);

		if (d.type != UEFI_MT_ACPI_RECLAIM || d.num_pages > (UINT64_MAX >> 12) ||
		    d.num_pages > (UINT64_MAX - d.phys_start) >> 12)
			continue;
		for (uint64_t k = 0; k < d.num_pages; k++) {
			uint64_t phys = (d.phys_start & ~(PAGE_SIZE - 1)) + (k << 12);

			if (phys >= MAPAUDIT_LOW_LIMIT)   /* below: the loop above */
				test_page(bi, phys, &t);
		}
	}
	jw_begin(&w, "tested_in_place");
	jw_u64(&w, "below_1mib_bytes", t.low);
	jw_u64(&w, "acpi_reclaim_bytes", t.acpi);
	jw_u64(&w, "boot_services_below_1mib_bytes", t.kept);
	jw_u64(&w, "boot_services_pages_not_restored", t.kept_differ);
	jw_u64(&w, "bad_frames", t.bad);
	jw_u64(&w, "trampoline", bi->trampoline);
	event_emit(&w);
}
