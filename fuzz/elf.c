/* kernel.elf as the loader takes it from the ESP (efi/kernel_load.c):
 * elf_plan at the kernel's base with a 256 MiB span, then elf_copy into a
 * buffer of exactly the planned span (plans over 64 MiB are checked but not
 * copied, to keep the fuzzer fast), then the promises of elf_load.h. */
#include <string.h>
#include <bootinfo.h>
#include "../efi/elf_load.h"
#include "common/fuzz.h"
#include "../test/efi/elf_build.h"

#define SPAN (256ull << 20)

static uint8_t img[8192];

void fuzz_seeds(void)
{
	fuzz_emit("one_segment", img, elf_build(img, sizeof(img), 1));
	fuzz_emit("two_segments", img, elf_build(img, sizeof(img), 2));
	fuzz_emit("four_segments", img, elf_build(img, sizeof(img), 4));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_plan p;
	uint8_t *file = malloc(size ? size : 1), *dest;

	FUZZ_CHECK(file);
	memcpy(file, data, size);
	if (elf_plan(file, size, BOOTINFO_KERNEL_BASE, SPAN, &p)) {
		free(file);
		return 0;
	}
	FUZZ_CHECK(p.nseg >= 1 && p.nseg <= ELF_MAX_SEGMENTS);
	FUZZ_CHECK(p.virt_lo >= BOOTINFO_KERNEL_BASE && p.virt_lo % 4096 == 0 &&
		   p.virt_hi % 4096 == 0 && p.virt_hi > p.virt_lo &&
		   p.virt_hi - BOOTINFO_KERNEL_BASE <= SPAN);
	for (uint32_t i = 0; i < p.nseg; i++) {
		FUZZ_CHECK(p.seg[i].filesz <= p.seg[i].memsz);
		FUZZ_CHECK(p.seg[i].offset <= size && p.seg[i].filesz <= size - p.seg[i].offset);
		FUZZ_CHECK(p.seg[i].vaddr >= p.virt_lo && p.seg[i].memsz <= p.virt_hi - p.seg[i].vaddr);
		for (uint32_t j = 0; j < i; j++)
			FUZZ_CHECK(p.seg[j].vaddr + p.seg[j].memsz <= p.seg[i].vaddr ||
				   p.seg[i].vaddr + p.seg[i].memsz <= p.seg[j].vaddr);
	}
	if (p.virt_hi - p.virt_lo <= (64u << 20)) {
		dest = malloc(p.virt_hi - p.virt_lo); /* ASan: the copy stays inside */
		FUZZ_CHECK(dest);
		elf_copy(file, &p, dest);
		free(dest);
	}
	free(file);
	return 0;
}
