/* The new page tables for relocation (reloc_internal.h): a copy of the
 * loader's pool with its own table-to-table entries rebased, walked from the
 * root so that only entries naming a table are touched (a 4 KiB leaf of the
 * direct map may map a pool frame: it must keep mapping the old frame), and
 * the kernel image's leaves pointed at its new block. */
#include <mm/frame.h>
#include <lib/string.h>
#include "reloc_internal.h"

#define P    (1ull << 0)
#define PS   (1ull << 7)
#define ADDR 0x000ffffffffff000ull

static int in_pool(const struct reloc_tables *t, uint64_t pa)
{
	return pa - t->pool_phys < t->pool_bytes;
}

/* Rebases the entries of one copied table that name a pool table and goes
 * down into those (each pool table is reached once: it is a tree). */
static int rebase(const struct reloc_tables *t, uint64_t *table, int level, int depth)
{
	if (level == 0 || depth > 4)
		return depth <= 4;
	for (int i = 0; i < 512; i++) {
		uint64_t e = table[i], pa = e & ADDR;

		if (!(e & P) || (e & PS) || !in_pool(t, pa))
			continue;
		uint64_t np = t->pool_new + (pa - t->pool_phys);

		table[i] = (e & ~ADDR) | np;
		if (level > 1 && !rebase(t, t->virt(np), level - 1, depth + 1))
			return 0;
	}
	return 1;
}

/* The 4 KiB leaf for va under root (physical), or NULL. */
static uint64_t *leaf(const struct reloc_tables *t, uint64_t root, uint64_t va)
{
	uint64_t *tb = t->virt(root);

	for (int level = 3; level > 0; level--) {
		uint64_t e = tb[(va >> (12 + 9 * level)) & 511];

		if (!(e & P) || (e & PS))
			return 0;
		tb = t->virt(e & ADDR);
	}
	return &tb[(va >> 12) & 511];
}

int reloc_tables_check(const struct reloc_tables *t)
{
	uint64_t va = t->image_virt, mapped = 0;

	if (!in_pool(t, t->cr3 & ADDR) || t->pool_bytes % PAGE_SIZE ||
	    t->image_bytes % PAGE_SIZE || t->image_phys % PAGE_SIZE ||
	    t->pool_bytes > (PAGE_SIZE << MAX_ORDER) || t->image_bytes > (PAGE_SIZE << MAX_ORDER))
		return 0;
	for (uint64_t off = 0; off < t->image_bytes; off += PAGE_SIZE) {
		uint64_t *e = leaf(t, t->cr3 & ADDR, va + off);

		if (e && (*e & P)) {
			if ((*e & ADDR) != t->image_phys + off)
				return 0;
			mapped++;
		}
	}
	return mapped > 0;
}

int reloc_tables_build(struct reloc_tables *t)
{
	uint64_t root = t->cr3 & ADDR, va = t->image_virt;

	if (!reloc_tables_check(t))
		return 0;
	memcpy(t->virt(t->pool_new), t->virt(t->pool_phys), t->pool_bytes);
	t->new_cr3 = t->pool_new + (root - t->pool_phys) + (t->cr3 & ~ADDR);
	if (!rebase(t, t->virt(t->new_cr3 & ADDR), 3, 0))
		return 0;
	for (uint64_t off = 0; off < t->image_bytes; off += PAGE_SIZE) {
		uint64_t *e = leaf(t, t->new_cr3 & ADDR, va + off);

		if (e && (*e & P))
			*e = (*e & ~ADDR) | (t->image_new + off);
	}
	return 1;
}
