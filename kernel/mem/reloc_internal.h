/* What relocate.c and reloc_tables.c share: the blocks taken and the new
 * page tables. */
#ifndef METASLOT_KERNEL_MEM_RELOC_INTERNAL_H
#define METASLOT_KERNEL_MEM_RELOC_INTERNAL_H

#include <stdint.h>

#define RELOC_BLOCKS_MAX 1024   /* 4 GiB of array in MAX_ORDER blocks */

struct reloc_block {
	uint64_t phys;
	uint8_t order;
	const char *object;   /* the relocated event's key */
};

/* Pure (host-tested, test/kernel/test_reloc_tables.c): tables are reached
 * through `virt`, the live root and the image's first virtual address are
 * given. */
struct reloc_tables {
	uint64_t pool_phys, pool_bytes;    /* the loader's page-table pool */
	uint64_t image_phys, image_bytes;  /* the kernel image */
	uint64_t image_virt;               /* its first page (_kernel_start) */
	uint64_t cr3;                      /* the live tables */
	void *(*virt)(uint64_t phys);      /* the direct map */
	uint64_t pool_new, image_new;      /* their tested blocks */
	uint64_t new_cr3;                  /* set by reloc_tables_build */
};

/* The live tables are the pool's (CR3 in it) and the image is mapped 4 KiB
 * at a time from image_virt to image_virt + image_bytes, at image_phys
 * onwards (guard pages aside); each fits one MAX_ORDER block. */
int reloc_tables_check(const struct reloc_tables *t);
/* Copies the pool to pool_new, rebases table-to-table entries into the
 * pool and points the image's entries at image_new; sets new_cr3. 0 if the
 * tables are not as reloc_tables_check found them. */
int reloc_tables_build(struct reloc_tables *t);

/* relocate.c: 2^order tested frames outside boot-services memory, listed
 * under `object` for the relocated event; 0 if none could be had. */
uint64_t reloc_take_tested(uint8_t order, const char *object);
/* reloc_bootinfo.c: the moved boot info block (old first range in *old,
 * bytes in *bytes, its old frames given to the allocator), or bi unchanged
 * when it cannot move. */
struct bootinfo;
const struct bootinfo *reloc_bootinfo(const struct bootinfo *bi, uint64_t *old, uint64_t *bytes);

#endif
