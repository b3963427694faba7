/* Live page-table edits (vm.h). Only ever adds mappings in regions no CPU
 * uses yet, or removes one that nothing can be using (a guard page), so no
 * cross-CPU TLB shootdown is needed. */
#include <kernel/vm.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>

#define P    (1ull << 0)
#define W    (1ull << 1)
#define PS   (1ull << 7)
#define ADDR 0x000ffffffffff000ull
#define LARGE (2ull << 20)

static uint64_t *table(uint64_t entry)
{
	return phys_to_virt(entry & ADDR);
}

/* The entry for va at `stop` (0: 4 KiB, 1: 2 MiB), creating tables when
 * `create`; NULL if absent or covered by a larger page. */
static uint64_t *walk_to(uint64_t va, int create, int stop)
{
	uint64_t *t = phys_to_virt(read_cr3() & ADDR);

	for (int level = 3; level > stop; level--) {
		uint64_t *e = &t[(va >> (12 + 9 * level)) & 511];

		if (!(*e & P)) {
			if (!create)
				return 0;
			uint64_t pa = kmem_alloc_tested(0, FRAME_PURPOSE_PAGE_TABLE);

			if (!pa)
				return 0;
			*e = pa | P | W;
		} else if (*e & PS) {
			return 0;
		}
		t = table(*e);
	}
	return &t[(va >> (12 + 9 * stop)) & 511];
}

static uint64_t *walk(uint64_t va, int create)
{
	return walk_to(va, create, 0);
}

int vm_map_large(uint64_t va, uint64_t pa)
{
	uint64_t *e = (va | pa) & (LARGE - 1) ? 0 : walk_to(va, 1, 1);

	if (!e || (*e & P))
		return -1;
	*e = (pa & ADDR) | P | W | PS;
	invlpg(va);
	return 0;
}

void vm_unmap_large(uint64_t va)
{
	uint64_t *e = walk_to(va, 0, 1);

	if (e && (*e & PS)) {
		*e = 0;
		invlpg(va);
	}
}

uint64_t *vm_pte(uint64_t va, int create)
{
	return walk(va, create);
}

int vm_map_page(uint64_t va, uint64_t pa)
{
	uint64_t *e = walk(va, 1);

	if (!e)
		return -1;
	*e = (pa & ADDR) | P | W;
	invlpg(va);
	return 0;
}

void vm_unmap_page(uint64_t va)
{
	uint64_t *e = walk(va, 0);

	if (e) {
		*e = 0;
		invlpg(va);
	}
}

uint64_t vm_leaf(uint64_t va, uint64_t *size)
{
	uint64_t *t = phys_to_virt(read_cr3() & ADDR);

	for (int level = 3; level >= 0; level--) {
		uint64_t e = t[(va >> (12 + 9 * level)) & 511];

		if (!(e & P))
			return 0;
		if (level == 0 || (e & PS)) {
			*size = 1ull << (12 + 9 * level);
			return e;
		}
		t = table(e);
	}
	return 0;
}

uint64_t vm_translate(uint64_t va)
{
	uint64_t span, e = vm_leaf(va, &span);

	if (!e)
		return UINT64_MAX;
	return (e & ADDR & ~(span - 1)) | (va & (span - 1));
}
