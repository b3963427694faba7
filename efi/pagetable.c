/* Page-table builder for the loader: the direct map, the identity map and the
 * higher-half kernel. Tables only ever point into the pool, so translating a
 * table's physical address back to a writable pointer is pool arithmetic. */
#include "pagetable.h"

#include <lib/string.h> /* the loader's memset comes from gnu-efi */

#define SZ_4K PT_4K
#define SZ_2M PT_2M
#define PHYS_LIMIT (1ull << 52) /* the architectural MAXPHYADDR */

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

	if ((*e & PTE_P) && leaf_level && !(*e & PTE_PS))
		return -1; /* a table is there: a large page would drop its mappings */
	if (*e & PTE_P)
		return 0; /* first mapping of a slot wins; overlaps are expected */
	*e = phys | flags | PTE_P | (leaf_level ? PTE_PS : 0);
	return 0;
}

/* The index bits of 4-level paging stop at 47: a range that is not inside
 * one canonical half, or whose physical end passes 2^52, would wrap onto
 * other addresses (silent aliasing), so it is refused. */
static int range_ok(uint64_t virt, uint64_t phys, uint64_t size)
{
	uint64_t last = virt + size - 1;
	uint64_t top = virt >> 47;

	if (size == 0)
		return 1;
	if (last < virt || phys + size < phys || phys + size > PHYS_LIMIT)
		return 0;
	if (top != 0 && top != 0x1ffff)
		return 0; /* virt not canonical */
	return (last >> 47) == top;
}

static int map_range(struct pt_pool *pool, uint64_t virt, uint64_t phys, uint64_t size,
		     uint64_t flags, uint64_t page, int leaf_level)
{
	if (((virt | phys | size) & (page - 1)) || !range_ok(virt, phys, size))
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

int pt_map(struct pt_pool *pool, uint64_t virt, uint64_t phys, uint64_t size,
	   uint64_t flags, uint64_t max_page)
{
	if (((virt | phys | size) & (SZ_4K - 1)) || !range_ok(virt, phys, size))
		return -1;
	for (uint64_t off = 0; off < size;) {
		uint64_t v = virt + off, p = phys + off, left = size - off;
		int level = 0;

		/* the largest page aligned at both ends of the mapping and inside it */
		if (max_page >= PT_1G && !((v | p) & (PT_1G - 1)) && left >= PT_1G)
			level = 2;
		else if (max_page >= SZ_2M && !((v | p) & (SZ_2M - 1)) && left >= SZ_2M)
			level = 1;
		if (map_one(pool, v, p, flags, level))
			return -1;
		off += 1ull << (12 + 9 * level);
	}
	return 0;
}

const char *pt_refuse_cpu(uint64_t cr4)
{
	if (cr4 & CR4_LA57)
		return "the firmware left 5-level paging on (CR4.LA57); this loader builds "
		       "4-level tables and cannot switch";
	return 0;
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
	uint64_t last = virt + size - 1, end = virt + size, n = 0;

	/* tables at each level below the PML4: one per region of 2^shift bytes
	 * the range touches; where a page of that size can cover a region, only
	 * the regions at the two ends, if the range covers them partly */
	for (int shift = 39; shift >= 21; shift -= 9) {
		uint64_t r = 1ull << shift, first = virt >> shift, lastr = last >> shift;

		if (r > page_size) {
			n += lastr - first + 1;
			continue;
		}
		int head = (virt & (r - 1)) || (end & (r - 1) && lastr == first) || size < r;
		int tail = lastr != first && (end & (r - 1));

		n += head + tail;
	}
	return n;
}
