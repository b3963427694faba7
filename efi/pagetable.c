/* Page-table builder for the loader: the direct map, the identity map and the
 * higher-half kernel. Tables only ever point into the pool, so translating a
 * table's physical address back to a writable pointer is pool arithmetic. */
#include "pagetable.h"

#include <lib/string.h> /* the loader's memset comes from gnu-efi */

#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)

static uint64_t *table_at(const struct pt_pool *pool, uint64_t phys)
{
	if (phys < pool->phys || phys >= pool->phys + pool->used * SZ_4K)
		return 0;
	return (uint64_t *)(pool->virt + (phys - pool->phys));
}

void pt_init(struct pt_pool *pool, uint64_t phys, void *virt, uint64_t pages)
{
	pool->phys = phys;
	pool->virt = virt;
	pool->pages = pages;
	pool->used = 1;
	memset(virt, 0, SZ_4K);
}

/* The next-level table under entry `e`, created on demand; NULL when the pool
 * is empty or `e` already maps a large page. */
static uint64_t *next_level(struct pt_pool *pool, uint64_t *e)
{
	if (*e & PTE_P)
		return (*e & PTE_PS) ? 0 : table_at(pool, *e & PTE_ADDR);
	if (pool->used == pool->pages)
		return 0;
	uint64_t phys = pool->phys + pool->used * SZ_4K;

	memset(pool->virt + pool->used * SZ_4K, 0, SZ_4K);
	pool->used++;
	*e = phys | PTE_P | PTE_W;
	return table_at(pool, phys);
}

static unsigned idx(uint64_t virt, int level)
{
	return (virt >> (12 + 9 * level)) & 511;
}

static int map_one(struct pt_pool *pool, uint64_t virt, uint64_t phys, uint64_t flags,
		   int leaf_level)
{
	uint64_t *t = table_at(pool, pool->phys);

	for (int level = 3; level > leaf_level; level--) {
		t = next_level(pool, &t[idx(virt, level)]);
		if (!t)
			return -1;
	}
	uint64_t *e = &t[idx(virt, leaf_level)];

	if (*e & PTE_P)
		return 0; /* first mapping of a slot wins; overlaps are expected */
	*e = phys | flags | PTE_P | (leaf_level ? PTE_PS : 0);
	return 0;
}

static int map_range(struct pt_pool *pool, uint64_t virt, uint64_t phys, uint64_t size,
		     uint64_t flags, uint64_t page, int leaf_level)
{
	if ((virt | phys | size) & (page - 1))
		return -1;
	for (uint64_t off = 0; off < size; off += page)
		if (map_one(pool, virt + off, phys + off, flags, leaf_level))
			return -1;
	return 0;
}

int pt_map_2m(struct pt_pool *pool, uint64_t virt, uint64_t phys, uint64_t size,
	      uint64_t flags)
{
	return map_range(pool, virt, phys, size, flags, SZ_2M, 1);
}

int pt_map_4k(struct pt_pool *pool, uint64_t virt, uint64_t phys, uint64_t size,
	      uint64_t flags)
{
	return map_range(pool, virt, phys, size, flags, SZ_4K, 0);
}

uint64_t pt_translate(const struct pt_pool *pool, uint64_t virt)
{
	const uint64_t *t = table_at(pool, pool->phys);

	for (int level = 3; level >= 0; level--) {
		uint64_t e = t[idx(virt, level)];

		if (!(e & PTE_P))
			return UINT64_MAX;
		if (level == 0 || (e & PTE_PS)) {
			uint64_t span = 1ull << (12 + 9 * level);

			return (e & PTE_ADDR & ~(span - 1)) | (virt & (span - 1));
		}
		t = table_at(pool, e & PTE_ADDR);
		if (!t)
			return UINT64_MAX;
	}
	return UINT64_MAX;
}

uint64_t pt_pages_needed(uint64_t virt, uint64_t size, uint64_t page_size)
{
	if (size == 0)
		return 0;
	uint64_t last = virt + size - 1, n = 0;

	/* tables at each level below the PML4: one per region the range touches */
	for (int shift = 39; shift >= 21; shift -= 9) {
		if ((1ull << shift) <= page_size)
			break;
		n += (last >> shift) - (virt >> shift) + 1;
	}
	return n;
}
