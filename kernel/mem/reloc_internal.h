/* What relocate.c, reloc_tables.c, reloc_bootinfo.c and reloc_percpu.c
 * share: the blocks taken and the new page tables. */
#ifndef METASLOT_KERNEL_MEM_RELOC_INTERNAL_H
#define METASLOT_KERNEL_MEM_RELOC_INTERNAL_H

#include <stdint.h>
#include <mm/frame.h>

#define RELOC_BLOCKS_MAX 1024   /* 4 GiB of array in MAX_ORDER blocks */

struct reloc_block {
	uint64_t phys;
	uint8_t order;
	const char *object;   /* the relocated event's key */
};

/* Where an object mapped 4 KiB at a time moves: its pages in order over
 * parts, each one buddy block (reloc_split: one per set bit of its page
 * count, the largest first, so no frame is taken that the object does not
 * fill). */
#define RELOC_PARTS_MAX (MAX_ORDER + 1)
#define RELOC_TABLES_MAX 256   /* kernel tables outside the loader's pool */

struct reloc_part {
	uint64_t phys, bytes;
};

/* The orders of the parts for `bytes` (whole pages, at most one MAX_ORDER
 * block) into orders[], largest first; returns how many (0 if too big). */
uint32_t reloc_split(uint64_t bytes, uint8_t orders[RELOC_PARTS_MAX]);
/* Why the last reloc_tables_build failed (a finding name), "" if it did not. */
extern const char *reloc_tables_why;
/* The new physical address of byte `off` of the object; UINT64_MAX past
 * its parts. */
uint64_t reloc_part_phys(const struct reloc_part *p, uint32_t n, uint64_t off);

/* Pure (host-tested, test/kernel/test_reloc_tables.c): tables are reached
 * through `virt`, the live root and the image's first virtual address are
 * given. */
struct reloc_tables {
	uint64_t pool_phys, pool_bytes;    /* the loader's page-table pool */
	uint64_t image_phys, image_bytes;  /* the kernel image */
	uint64_t image_virt;               /* its first page (_kernel_start) */
	uint64_t cr3;                      /* the live tables */
	void *(*virt)(uint64_t phys);      /* the direct map */
	struct reloc_part pool_new[RELOC_PARTS_MAX], image_new[RELOC_PARTS_MAX];
	uint32_t pool_parts, image_parts;  /* their tested blocks */
	uint64_t new_cr3;                  /* set by reloc_tables_build */
	/* Tables outside the pool (the kernel's own, vm.c: the stack and
	 * per-CPU slots, the array's mapping) move too when take_table is set:
	 * each one movable() accepts is copied into a frame from take_table
	 * (0: none) and its entry in the new tables rewritten; the old frames
	 * are listed in moved[] for the caller to free once nothing uses them.
	 * Past RELOC_TABLES_MAX a table stays where it is. */
	uint64_t (*take_table)(void);
	int (*movable)(uint64_t phys);
	uint64_t moved[RELOC_TABLES_MAX], moved_to[RELOC_TABLES_MAX];
	uint32_t nmoved;
};

/* The live tables are the pool's (CR3 in it) and the image is mapped 4 KiB
 * at a time from image_virt to image_virt + image_bytes, at image_phys
 * onwards (guard pages aside); each fits one MAX_ORDER block. */
int reloc_tables_check(const struct reloc_tables *t);
/* Copies the pool to its parts, rebases table-to-table entries into the
 * pool and points the image's entries at its parts; sets new_cr3. 0 if the
 * tables are not as reloc_tables_check found them, or the parts do not hold
 * the pool and the image. */
int reloc_tables_build(struct reloc_tables *t);
/* The 4 KiB leaf entry for va in the tables under root (physical), or NULL
 * (not mapped down to a 4 KiB table, or a large page). */
uint64_t *reloc_leaf(const struct reloc_tables *t, uint64_t root, uint64_t va);

/* relocate.c: 2^order tested frames outside boot-services memory, listed
 * under `object` for the relocated event; 0 if none could be had. */
uint64_t reloc_take_tested(uint8_t order, const char *object);
/* reloc_bootinfo.c: the moved boot info block (old first range in *old,
 * bytes in *bytes, its old frames given to the allocator), or bi unchanged
 * when it cannot move. */
struct bootinfo;
const struct bootinfo *reloc_bootinfo(const struct bootinfo *bi, uint64_t *old, uint64_t *bytes);

/* reloc_percpu.c: every AP's stack, per-CPU block and CPU tables. prepare
 * (after reloc_tables_build): new tested resident blocks; NULL, or why they
 * cannot move (then reloc_percpu_abort). move: the boot CPU inside the stop,
 * every AP waiting without a store. release: the old blocks freed, the
 * relocated_cpu events; event: the relocated event's part; done: the list
 * freed. */
struct jw;
const char *reloc_percpu_prepare(const struct reloc_tables *t);
void reloc_percpu_abort(void);
void reloc_percpu_move(const struct reloc_tables *t);
void reloc_percpu_release(void);
void reloc_percpu_event(struct jw *w);
void reloc_percpu_done(void);

#endif
