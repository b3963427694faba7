/* A valid kernel.elf as the loader expects it, built in a byte buffer: an
 * ELF64 x86-64 executable at the kernel base with `n` PT_LOAD segments at
 * 0x1000 steps, each 0x80 bytes of data and a bss tail to 0x800. Shared by
 * the host tests (test_elf_load.c) and the fuzz harness's seeds (fuzz/elf.c). */
#ifndef METASLOT_TEST_ELF_BUILD_H
#define METASLOT_TEST_ELF_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bootinfo.h>

static inline void elf_wr(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Fills img[0 .. cap) (zeroed first); returns the bytes the file uses. */
static inline size_t elf_build(uint8_t *img, size_t cap, int n)
{
	if (cap < 0x1000 + 0x100 * (size_t)n || 64 + 56 * (size_t)n > 0x1000)
		abort(); /* the builder's own buffer: a broken test */
	memset(img, 0, cap);
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 2;                                   /* 64-bit */
	img[5] = 1;                                   /* little-endian */
	img[6] = 1;                                   /* version */
	elf_wr(img + 16, 2, 2);                       /* ET_EXEC */
	elf_wr(img + 18, 62, 2);                      /* EM_X86_64 */
	elf_wr(img + 24, BOOTINFO_KERNEL_BASE + 0x10, 8); /* entry */
	elf_wr(img + 32, 64, 8);                      /* phoff */
	elf_wr(img + 54, 56, 2);
	elf_wr(img + 56, (uint64_t)n, 2);
	for (int i = 0; i < n; i++) {
		uint8_t *ph = img + 64 + 56 * i;

		elf_wr(ph, 1, 4);                                         /* PT_LOAD */
		elf_wr(ph + 8, 0x1000 + 0x100 * (uint64_t)i, 8);          /* offset */
		elf_wr(ph + 16, BOOTINFO_KERNEL_BASE + 0x1000 * (uint64_t)i, 8); /* vaddr */
		elf_wr(ph + 32, 0x80, 8);                                 /* filesz */
		elf_wr(ph + 40, 0x800, 8);                                /* memsz: bss tail */
		memset(img + 0x1000 + 0x100 * i, 0xa0 + i, 0x80);
	}
	return 0x1000 + 0x100 * (size_t)n;
}

#endif
