/* x86-64 4-level page tables built from a fixed pool of pages. Pure code: the
 * pool is described by where it sits physically and where the builder can
 * write it, so host tests run it in ordinary memory. */
#ifndef METASLOT_EFI_PAGETABLE_H
#define METASLOT_EFI_PAGETABLE_H

#include <stdint.h>

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS  (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

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

/* Walks the tables: the physical address `virt` maps to, or UINT64_MAX. */
uint64_t pt_translate(const struct pt_pool *pool, uint64_t virt);

/* Upper bound of pool pages needed to map `size` bytes at `virt` with pages
 * of `page_size` (2 MiB or 4 KiB): one table per level per region touched. */
uint64_t pt_pages_needed(uint64_t virt, uint64_t size, uint64_t page_size);

#endif
