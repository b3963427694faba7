/* x86-64 4-level page tables built from a fixed pool of pages. Pure code: the
 * pool is described by where it sits physically and where the builder can
 * write it, so host tests run it in ordinary memory. Cache types use PCD/PWT
 * only (PAT entries 0..3, whose power-on values are WB, WT, UC-, UC), so the
 * PAT bit, which sits at a different position in large pages, stays 0. */
#ifndef METASLOT_EFI_PAGETABLE_H
#define METASLOT_EFI_PAGETABLE_H

#include <stdint.h>

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS  (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

#define PT_4K (1ull << 12)
#define PT_2M (1ull << 21)
#define PT_1G (1ull << 30)

/* CR4.LA57: the firmware runs 5-level paging. A 64-bit program cannot leave
 * it (clearing LA57 needs paging off), and a 4-level PML4 loaded under it
 * would be read as a PML5: refuse instead of faulting. */
#define CR4_LA57 (1ull << 12)

struct pt_pool {
	uint64_t phys;   /* physical address of the first pool page */
	uint8_t *virt;   /* where the builder writes that page */
	uint64_t pages;  /* pool size */
	uint64_t used;   /* pages handed out; page 0 is the PML4 */
};

/* Starts a pool: zeroes the PML4 (page 0). */
void pt_init(struct pt_pool *pool, uint64_t phys, void *virt, uint64_t pages);

/* Maps [virt, virt + size) to [phys, ...) with 2 MiB pages; all three must be
 * 2 MiB aligned. Already-mapped 2 MiB slots are left as they are (so ranges
 * may overlap). Returns 0, or -1 when the pool is exhausted or a 4 KiB
 * mapping already sits in the way. */
int pt_map_2m(struct pt_pool *pool, uint64_t virt, uint64_t phys, uint64_t size,
	      uint64_t flags);

/* Same with 4 KiB pages; 4 KiB alignment. */
int pt_map_4k(struct pt_pool *pool, uint64_t virt, uint64_t phys, uint64_t size,
	      uint64_t flags);

/* Maps [virt, virt + size) with the largest pages that fit: 1 GiB (when
 * max_page allows it), 2 MiB or 4 KiB, each used where virt and phys are
 * aligned to it and the rest of the range covers it. 4 KiB alignment. A
 * large page cannot replace a table already in its slot: -1, like an
 * exhausted pool; callers map disjoint ranges. */
int pt_map(struct pt_pool *pool, uint64_t virt, uint64_t phys, uint64_t size,
	   uint64_t flags, uint64_t max_page);

/* NULL when the CPU state left by the firmware allows the jump to 4-level
 * tables, else why not (CR4.LA57). */
const char *pt_refuse_cpu(uint64_t cr4);

/* Walks the tables: the physical address `virt` maps to, or UINT64_MAX. */
uint64_t pt_translate(const struct pt_pool *pool, uint64_t virt);

/* Upper bound of pool pages pt_map (or pt_map_2m/4k) needs for `size` bytes
 * at `virt` with pages of at most `page_size`: one table per level per region
 * touched, except where pages of that region's size may cover it whole (then
 * only the partly covered regions at the two ends count). Tables shared with
 * neighbouring ranges are counted again, so sums over ranges stay bounds.
 * Assumes phys agrees with virt modulo page_size (identity, direct map). */
uint64_t pt_pages_needed(uint64_t virt, uint64_t size, uint64_t page_size);

#endif
