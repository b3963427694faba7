/* The page attribute table (pat.h): the kernel's table, and the bits a leaf
 * uses to select an entry. */
#include <kernel/pat.h>
#include <lib/x86.h>

#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PAT_4K  (1ull << 7)
#define PAT_BIG (1ull << 12)

static const uint8_t kernel_table[8] = {
	PAT_WB, PAT_WT, PAT_WC, PAT_UC,            /* the loader's mappings: 2 the
						    * framebuffer's (pat.h) */
	PAT_UC,                                    /* PAT_INDEX_UCVIEW */
	PAT_WT, PAT_UC_MINUS, PAT_UC,
};

uint64_t pat_value(void)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)kernel_table[i] << (8 * i);
	return v;
}

enum pat_type pat_entry(uint64_t pat, unsigned index)
{
	return (enum pat_type)((pat >> (8 * (index & 7))) & 7);
}

const char *pat_type_name(enum pat_type t)
{
	static const char *const names[8] = { "uc", "wc", "?", "?", "wt", "wp", "wb", "uc-" };

	return names[t & 7];
}

uint64_t pat_leaf_bits(unsigned index, uint64_t leaf_size)
{
	uint64_t pat = leaf_size == 4096 ? PAT_4K : PAT_BIG;

	return (index & 4 ? pat : 0) | (index & 2 ? PTE_PCD : 0) | (index & 1 ? PTE_PWT : 0);
}

uint64_t pat_pte_4k(uint64_t pa, unsigned index)
{
	return (pa & 0x000ffffffffff000ull) | 3 /* present, writable */ | pat_leaf_bits(index, 4096);
}

unsigned pat_leaf_index(uint64_t leaf, uint64_t leaf_size)
{
	uint64_t pat = leaf_size == 4096 ? PAT_4K : PAT_BIG;

	return (unsigned)(!!(leaf & pat) << 2 | !!(leaf & PTE_PCD) << 1 | !!(leaf & PTE_PWT));
}

void pat_init_cpu(void)
{
	wrmsr(MSR_PAT, pat_value());
	write_cr3(read_cr3()); /* drops every non-global translation */
}
