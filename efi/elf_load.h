/* Validation and placement of kernel.elf's PT_LOAD segments. Pure code: no
 * UEFI calls, so the host tests link it directly. */
#ifndef METASLOT_EFI_ELF_LOAD_H
#define METASLOT_EFI_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

struct elf_plan {
	uint64_t entry;      /* virtual entry point */
	uint64_t virt_lo;    /* page-aligned start of the loaded span */
	uint64_t virt_hi;    /* page-aligned end */
	uint32_t nseg;
	struct {
		uint64_t vaddr, offset, filesz, memsz;
	} seg[ELF_MAX_SEGMENTS];
};

/* Checks that `file` is an x86-64 ELF64 executable whose PT_LOAD segments lie
 * inside the file, inside [base, base + max_span) and do not overlap; fills
 * `plan`. Returns NULL on success, else a static message naming the problem. */
const char *elf_plan(const void *file, size_t len, uint64_t base, uint64_t max_span,
		     struct elf_plan *plan);

/* Copies the segments into `dest`, which backs [plan->virt_lo, virt_hi) and
 * must be that many bytes; zero-fills bss and the gaps between segments. */
void elf_copy(const void *file, const struct elf_plan *plan, void *dest);

#endif
