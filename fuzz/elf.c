/* kernel.elf as the loader takes it from the ESP (efi/kernel_load.c):
 * elf_plan at the kernel's base with a 256 MiB span, then elf_copy into a
 * buffer of exactly the planned span (plans over 64 MiB are checked but not
 * copied, to keep the fuzzer fast), then the promises of elf_load.h. */
#include <string.h>
#include <bootinfo.h>
#include "../efi/elf_load.h"
#include "common/fuzz.h"

#define SPAN (256ull << 20)

static uint8_t img[8192];

static void w(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* As test/efi/test_elf_load.c's make_elf: n PT_LOAD segments, bss tails. */
static size_t make_elf(int n)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 2, img[5] = 1, img[6] = 1;
	w(img + 16, 2, 2);
	w(img + 18, 62, 2);
	w(img + 24, BOOTINFO_KERNEL_BASE + 0x10, 8);
	w(img + 32, 64, 8);
	w(img + 54, 56, 2);
	w(img + 56, (uint64_t)n, 2);
	for (int i = 0; i < n; i++) {
		uint8_t *ph = img + 64 + 56 * i;

		w(ph, 1, 4);
		w(ph + 8, 0x1000 + 0x100 * (uint64_t)i, 8);
		w(ph + 16, BOOTINFO_KERNEL_BASE + 0x1000 * (uint64_t)i, 8);
		w(ph + 32, 0x80, 8);
		w(ph + 40, 0x800, 8);
		memset(img + 0x1000 + 0x100 * i, 0xa0 + i, 0x80);
	}
	return 0x1000 + 0x100 * (size_t)n;
}

void fuzz_seeds(void)
{
	fuzz_emit("one_segment", img, make_elf(1));
	fuzz_emit("two_segments", img, make_elf(2));
	fuzz_emit("four_segments", img, make_elf(4));
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
