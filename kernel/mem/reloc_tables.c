/* The new page tables for relocation (reloc_internal.h): a copy of the
 * loader's pool with its own table-to-table entries rebased, walked from the
 * root so that only entries naming a table are touched (a 4 KiB leaf of the
 * direct map may map a pool frame: it must keep mapping the old frame), and
 * the kernel image's leaves pointed at its new blocks; the kernel's own
 * tables outside the pool are copied into frames of their own. Pool and image each
 * move into several blocks (reloc_split): every table and every image page
 * is reached through an entry, so no part needs to follow another. */
#include <mm/frame.h>
#include <lib/string.h>
#include "reloc_internal.h"

#define P    (1ull << 0)
#define PS   (1ull << 7)
#define ADDR 0x000ffffffffff000ull

const char *reloc_tables_why = "";

static int in_pool(const struct reloc_tables *t, uint64_t pa)
{
	return pa - t->pool_phys < t->pool_bytes;
}

/* Where the table at pa goes: its place in the pool's parts, a frame of its
 * own for a kernel table outside the pool (copied here), or 0: it stays. */
static uint64_t new_home(struct reloc_tables *t, uint64_t pa, int *failed)
{
	if (in_pool(t, pa))
		return reloc_part_phys(t->pool_new, t->pool_parts, pa - t->pool_phys);
	if (!t->take_table || t->nmoved == RELOC_TABLES_MAX || !t->movable(pa))
		return 0;
	uint64_t np = t->take_table();

	if (!np) {
		reloc_tables_why = "no_frame_for_a_kernel_table";
		*failed = 1;
		return 0;
	}
	memcpy(t->virt(np), t->virt(pa), PAGE_SIZE);
	t->moved[t->nmoved] = pa;
	t->moved_to[t->nmoved++] = np;
	return np;
}

/* Rebases the entries of one copied table that name a table that moves and
 * goes down into those (each table is reached once: it is a tree). */
static int rebase(struct reloc_tables *t, uint64_t *table, int level, int depth)
{
	int failed = 0;

	if (level == 0 || depth > 4) {
		if (depth > 4)
			reloc_tables_why = "tables_deeper_than_4_levels";
		return depth <= 4;
	}
	for (int i = 0; i < 512; i++) {
		uint64_t e = table[i], pa = e & ADDR;

		if (!(e & P) || (e & PS))
			continue;
		uint64_t np = new_home(t, pa, &failed);

		if (failed)
			return 0;
		if (!np)
			continue;

		table[i] = (e & ~ADDR) | np;
		if (level > 1 && !rebase(t, t->virt(np), level - 1, depth + 1))
			return 0;
	}
	return 1;
}

uint32_t reloc_split(uint64_t bytes, uint8_t orders[RELOC_PARTS_MAX])
{
	uint64_t pages = bytes / PAGE_SIZE;
	uint32_t n = 0;

	if (bytes % PAGE_SIZE || pages > (1ull << MAX_ORDER))
		return 0;
	for (int o = MAX_ORDER; o >= 0; o--)
		if (pages & (1ull << o))
			orders[n++] = (uint8_t)o;
	return n;
}

uint64_t reloc_part_phys(const struct reloc_part *p, uint32_t n, uint64_t off)
{
	for (uint32_t k = 0; k < n; off -= p[k].bytes, k++)
		if (off < p[k].bytes)
			return p[k].phys + off;
	return UINT64_MAX;
}

static uint64_t parts_bytes(const struct reloc_part *p, uint32_t n)
{
	uint64_t b = 0;

	for (uint32_t k = 0; k < n; k++)
		b += p[k].bytes;
	return b;
}

uint64_t *reloc_leaf(const struct reloc_tables *t, uint64_t root, uint64_t va)
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
		uint64_t *e = reloc_leaf(t, t->cr3 & ADDR, va + off);

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

	t->nmoved = 0;
	reloc_tables_why = "";
	if (!reloc_tables_check(t) || parts_bytes(t->pool_new, t->pool_parts) < t->pool_bytes ||
	    parts_bytes(t->image_new, t->image_parts) < t->image_bytes) {
		reloc_tables_why = "tables_changed_or_parts_too_small";
		return 0;
	}
	for (uint64_t off = 0; off < t->pool_bytes; off += PAGE_SIZE)
		memcpy(t->virt(reloc_part_phys(t->pool_new, t->pool_parts, off)),
		       t->virt(t->pool_phys + off), PAGE_SIZE);
	t->new_cr3 = reloc_part_phys(t->pool_new, t->pool_parts, root - t->pool_phys) +
		     (t->cr3 & ~ADDR);
	if (!rebase(t, t->virt(t->new_cr3 & ADDR), 3, 0))
		return 0;
	for (uint64_t off = 0; off < t->image_bytes; off += PAGE_SIZE) {
		uint64_t *e = reloc_leaf(t, t->new_cr3 & ADDR, va + off);

		if (e && (*e & P))
			*e = (*e & ~ADDR) | reloc_part_phys(t->image_new, t->image_parts, off);
	}
	return 1;
}
