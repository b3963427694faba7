/* ExitBootServices and the jump. The map buffer is allocated (with slack)
 * before the loop because nothing may be allocated or printed between
 * GetMemoryMap and ExitBootServices; EFI_INVALID_PARAMETER means the map key
 * went stale (an event allocated memory), so we fetch the map again. */
#include "loader.h"

#define MAP_SLACK_DESCS 128
#define EBS_TRIES       8

static void __attribute__((noreturn)) jump(uint64_t cr3, uint64_t entry, uint64_t bi)
{
	/* the current code and stack are identity-mapped in the new tables */
	__asm__ volatile("cli\n\t"
			 "mov %0, %%cr3\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "jmp *%1"
			 : : "a"(cr3), "c"(entry), "D"(bi) : "memory");
	__builtin_unreachable();
}

void exit_and_jump(struct loader *L)
{
	struct bootinfo *bi = L->bi;
	UINTN cap = (L->map_count + MAP_SLACK_DESCS) * L->map_desc_size;
	EFI_PHYSICAL_ADDRESS buf = 0;
	EFI_STATUS s = BS->AllocatePages(AllocateAnyPages, BOOTINFO_MEM_BOOTINFO,
					 (cap + 4095) / 4096, &buf);

	if (EFI_ERROR(s))
		ldr_fatal("cannot allocate the final memory-map buffer", s);
	for (int tries = 0;; tries++) {
		UINTN size = cap, key = 0, dsize = 0;
		UINT32 dver = 0;

		s = BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)buf, &key, &dsize, &dver);
		if (EFI_ERROR(s))
			ldr_fatal("GetMemoryMap before ExitBootServices failed", s);
		s = BS->ExitBootServices(L->image, key);
		if (!EFI_ERROR(s)) {
			bi->mmap = buf;
			bi->mmap_count = size / dsize;
			bi->mmap_stride = dsize;
			bi->mmap_desc_version = dver;
			break;
		}
		if (s != EFI_INVALID_PARAMETER || tries == EBS_TRIES) {
			/* boot services may be half gone: only raw serial is safe now */
			ldr_boot_services_gone();
			ldr_fatal("ExitBootServices failed", s);
		}
	}
	ldr_boot_services_gone();
	jump(bi->pagetable_phys, bi->kernel_entry, (uint64_t)bi);
}
