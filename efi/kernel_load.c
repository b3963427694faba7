/* Loads the kernel that travels inside this very image: the .kernel section
 * of the loader's PE file (tools/pe_pack.py put it there; a signature over
 * the file covers it). Found through the loaded image protocol's ImageBase
 * and ImageSize (pe_section.c checks every header), checked (elf_load.c),
 * then its PT_LOAD segments are copied into one contiguous run of
 * EfiLoaderCode pages, the physical home of the higher-half kernel. */
#include "loader.h"
#include "pe_section.h"

#define KERNEL_MAX_SPAN (256ull << 20)

void kernel_load(struct loader *L)
{
	const void *elf = NULL;
	uint64_t size = 0;
	const char *err = pe_section_find(L->loaded->ImageBase, L->loaded->ImageSize, ".kernel",
					  &elf, &size);

	if (err)
		ldr_fatal(err, EFI_LOAD_ERROR);
	err = elf_plan(elf, size, BOOTINFO_KERNEL_BASE, KERNEL_MAX_SPAN, &L->kplan);
	if (err)
		ldr_fatal(err, EFI_LOAD_ERROR);

	uint64_t bytes = L->kplan.virt_hi - L->kplan.virt_lo;
	EFI_PHYSICAL_ADDRESS a = 0;
	EFI_STATUS s = BS->AllocatePages(AllocateAnyPages, EfiLoaderCode, bytes / 4096, &a);

	if (EFI_ERROR(s))
		ldr_fatal("cannot allocate memory for the kernel", s);
	elf_copy(elf, &L->kplan, (void *)a);
	L->bi->kernel_phys = a;
	L->bi->kernel_bytes = bytes;
	L->bi->kernel_entry = L->kplan.entry;
}
