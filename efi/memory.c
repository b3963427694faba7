/* The loader's memory work: the bootinfo block, the memory-map snapshot and
 * ram_top, the metadata array and the AP trampoline page. Each allocation uses
 * an OS-defined memory type (bootinfo.h) so the kernel's audit can tell our
 * pages from the firmware's. */
#include "loader.h"
#include <mm/frame.h>
#include <lib/x86.h> /* cpu_phys_limit */

#include <lib/record.h>

/* struct bootinfo, the config text, the known-bad ranges */
#define KNOWN_BAD_PAGES ((REPORT_MAX_RANGES * sizeof(struct report_range) + 4095) / 4096)
#define BOOTINFO_PAGES (1 + CONFIG_MAX / 4096 + KNOWN_BAD_PAGES)

void bootinfo_alloc(struct loader *L)
{
	EFI_PHYSICAL_ADDRESS a = 0;
	EFI_STATUS s = BS->AllocatePages(AllocateAnyPages, BOOTINFO_MEM_BOOTINFO,
					 BOOTINFO_PAGES, &a);

	if (EFI_ERROR(s))
		ldr_fatal("cannot allocate the bootinfo block", s);
	SetMem((void *)a, BOOTINFO_PAGES * 4096, 0);
	L->bi = (struct bootinfo *)a;
	L->config = (char *)(a + 4096);
	L->bi->magic = BOOTINFO_MAGIC;
	L->bi->version = BOOTINFO_VERSION;
	L->bi->size = sizeof(struct bootinfo);
	CopyMem(L->bi->loader, LOADER_NAME, sizeof(LOADER_NAME));
	L->bi->config = a + 4096;
	L->bi->known_bad = a + 4096 + CONFIG_MAX;
}

void memory_snapshot(struct loader *L)
{
	UINTN key;

	L->map = LibMemoryMap(&L->map_count, &key, &L->map_desc_size, &L->map_desc_version);
	if (!L->map)
		ldr_fatal("GetMemoryMap failed", EFI_OUT_OF_RESOURCES);
	if (L->map_desc_size < sizeof(struct bootinfo_mem_desc))
		ldr_fatal("firmware memory descriptors are too small", EFI_UNSUPPORTED);
	L->bi->ram_top = bootinfo_ram_top(L->map, (uint32_t)L->map_count, (uint32_t)L->map_desc_size,
					  bootinfo_ram_limit(cpu_phys_limit()));
	if (L->bi->ram_top == 0)
		ldr_fatal("the memory map has no RAM", EFI_NOT_FOUND);
}

void metadata_alloc(struct loader *L)
{
	struct bootinfo *bi = L->bi;
	EFI_PHYSICAL_ADDRESS a = 0;
	uint64_t bytes = metadata_size_for(bi->ram_top);
	EFI_STATUS s = BS->AllocatePages(AllocateAnyPages, BOOTINFO_MEM_METADATA,
					 bytes / 4096, &a);

	if (EFI_ERROR(s))
		ldr_fatal("cannot allocate the metadata array", s);
	bi->meta_phys = a;
	bi->meta_bytes = bytes;
	bi->meta_frames = (bi->ram_top + 4095) / 4096;
}

void trampoline_alloc(struct loader *L)
{
	EFI_PHYSICAL_ADDRESS a = 0xfffff; /* highest byte the page may contain */
	EFI_STATUS s = BS->AllocatePages(AllocateMaxAddress, BOOTINFO_MEM_TRAMPOLINE, 1, &a);

	/* without it the kernel runs on the boot CPU alone: not fatal */
	if (EFI_ERROR(s) || a == 0) {
		ldr_note("no free page below 1 MiB: application processors stay off");
		L->bi->trampoline = 0;
		return;
	}
	L->bi->trampoline = a;
}
