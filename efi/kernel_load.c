/* Loads \EFI\METASLOT\KERNEL.ELF: checks it (elf_load.c), then copies its
 * PT_LOAD segments into one contiguous run of EfiLoaderCode pages, the
 * physical home of the higher-half kernel. */
#include "loader.h"

#define KERNEL_MAX_SPAN (256ull << 20)

void kernel_load(struct loader *L)
{
	UINTN size = 0;
	void *file = files_read(L, L"\\EFI\\METASLOT\\KERNEL.ELF", &size);

	if (!file)
		ldr_fatal("cannot read \\EFI\\METASLOT\\KERNEL.ELF", EFI_NOT_FOUND);
	const char *err = elf_plan(file, size, BOOTINFO_KERNEL_BASE, KERNEL_MAX_SPAN, &L->kplan);

	if (err)
		ldr_fatal(err, EFI_LOAD_ERROR);

	uint64_t bytes = L->kplan.virt_hi - L->kplan.virt_lo;
	EFI_PHYSICAL_ADDRESS a = 0;
	EFI_STATUS s = BS->AllocatePages(AllocateAnyPages, EfiLoaderCode, bytes / 4096, &a);

	if (EFI_ERROR(s))
		ldr_fatal("cannot allocate memory for the kernel", s);
	elf_copy(file, &L->kplan, (void *)a);
	FreePool(file);
	L->bi->kernel_phys = a;
	L->bi->kernel_bytes = bytes;
	L->bi->kernel_entry = L->kplan.entry;
}
