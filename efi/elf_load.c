/* kernel.elf loading: the ELF64 header and program headers are untrusted input
 * (a truncated or foreign file on the stick), so every offset and size is
 * range-checked before it is used. */
#include "elf_load.h"

#include <lib/string.h> /* the loader's memset/memcpy come from gnu-efi */

#define PT_LOAD 1
#define EM_X86_64 62
#define ET_EXEC 2
#define PAGE 4096ull

static uint64_t rd(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* a + b <= limit without overflow */
static int fits(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

const char *elf_plan(const void *file, size_t len, uint64_t base, uint64_t max_span,
		     struct elf_plan *plan)
{
	const uint8_t *f = file;

	if (len < 64)
		return "file shorter than an ELF64 header";
	if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return "not an ELF file (bad magic)";
	if (f[4] != 2 || f[5] != 1)
		return "not a little-endian ELF64 file";
	if (rd(f + 16, 2) != ET_EXEC || rd(f + 18, 2) != EM_X86_64)
		return "not an x86-64 executable";

	uint64_t phoff = rd(f + 32, 8), phentsize = rd(f + 54, 2), phnum = rd(f + 56, 2);

	if (phentsize < 56 || phnum == 0 || phnum > 64 ||
	    !fits(phoff, phentsize * phnum, len))
		return "program headers missing or outside the file";

	plan->entry = rd(f + 24, 8);
	plan->nseg = 0;
	plan->virt_lo = UINT64_MAX;
	plan->virt_hi = 0;
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + i * phentsize;
		uint64_t off = rd(ph + 8, 8), va = rd(ph + 16, 8);
		uint64_t fsz = rd(ph + 32, 8), msz = rd(ph + 40, 8);

		if (rd(ph, 4) != PT_LOAD || msz == 0)
			continue;
		if (plan->nseg == ELF_MAX_SEGMENTS)
			return "too many PT_LOAD segments";
		if (fsz > msz || !fits(off, fsz, len))
			return "segment data outside the file";
		if (va < base || !fits(va - base, msz, max_span))
			return "segment outside the kernel's virtual window";
		for (uint32_t j = 0; j < plan->nseg; j++)
			if (va < plan->seg[j].vaddr + plan->seg[j].memsz &&
			    plan->seg[j].vaddr < va + msz)
				return "overlapping PT_LOAD segments";
		plan->seg[plan->nseg].vaddr = va;
		plan->seg[plan->nseg].offset = off;
		plan->seg[plan->nseg].filesz = fsz;
		plan->seg[plan->nseg].memsz = msz;
		plan->nseg++;
		if (va < plan->virt_lo)
			plan->virt_lo = va;
		if (va + msz > plan->virt_hi)
			plan->virt_hi = va + msz;
	}
	if (plan->nseg == 0)
		return "no PT_LOAD segment";
	plan->virt_lo &= ~(PAGE - 1);
	plan->virt_hi = (plan->virt_hi + PAGE - 1) & ~(PAGE - 1);
	if (plan->entry < plan->virt_lo || plan->entry >= plan->virt_hi)
		return "entry point outside the loaded segments";
	return 0;
}

void elf_copy(const void *file, const struct elf_plan *plan, void *dest)
{
	uint8_t *d = dest;

	memset(d, 0, plan->virt_hi - plan->virt_lo);
	for (uint32_t i = 0; i < plan->nseg; i++)
		memcpy(d + (plan->seg[i].vaddr - plan->virt_lo),
		       (const uint8_t *)file + plan->seg[i].offset, plan->seg[i].filesz);
}
