/* Relocation (relocate.h). Steps:
 *  1. take tested blocks: the array's (mapped 4 KiB at a time at
 *     VM_META_BASE, so any blocks do), the image's and the page-table
 *     pool's (each split over one block per set bit of its page count,
 *     reloc_split: no frame taken that it does not fill); every block
 *     tested first and outside boot-services memory (kmem_alloc_outside_bs);
 *  2. build the new tables: the pool copied, every table-to-table entry
 *     into the pool rebased, the kernel's own tables outside it (vm.c's)
 *     copied to frames of their own, the image's 4 KiB entries pointed at
 *     the new image blocks (reloc_tables.c); nothing edits page tables after this
 *     but the stop itself; then the APs' new blocks (reloc_percpu.c);
 *  3. stop the world: every CPU with interrupts off at a barrier whose state
 *     lives in a frame that does not move (the boot CPU's stack is in the
 *     image). Each AP then says it is parked and waits in one asm block that
 *     stores nothing until it loads the new CR3. The boot CPU moves the
 *     array and every AP's stack, per-CPU block and CPU tables (copied, their
 *     leaves in the new tables rewritten), then copies the image and loads
 *     the new CR3 in one asm block that writes no memory between the copy
 *     and the switch, and lets the APs go;
 *  4. buddy_check on the moved array; the old frames to the allocator. */
#include <mm/mm.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/relocate.h>
#include <kernel/run.h>
#include <kernel/smp.h>
#include <kernel/vm.h>
#include <lib/string.h>
#include "reloc_internal.h"

#define BLOCK_EVENTS 64

/* Shared by every CPU during the stop: in an allocated frame, reached
 * through the direct map, which maps the same frames before and after. */
struct stop {
	struct barrier bar;
	uint32_t parked;     /* APs in their store-free wait (lock incl) */
	uint32_t go;         /* the boot CPU is on the new tables */
	uint32_t ncpu;
	uint64_t new_cr3;
	void *meta_to;
	uint64_t meta_bytes;
	uint64_t image_from;                       /* direct-map address */
	struct { uint64_t to, words; } image_to[RELOC_PARTS_MAX + 1]; /* words 0 ends it */
	const struct reloc_tables *t;
	enum alloc_error meta_err;
	uint64_t cycles;
};

extern char _kernel_start[];

static struct reloc_block blocks[RELOC_BLOCKS_MAX];
static uint32_t nblocks;
static uint64_t meta_mapped;   /* bytes mapped at VM_META_BASE */
static uint64_t meta_large;    /* of which the first this many in 2 MiB pages */

/* 2^order tested frames outside boot-services memory (bs_restore writes
 * that back at the end of the run, over whatever is there), listed for the
 * relocated event; 0 if none could be had. */
uint64_t reloc_take_tested(uint8_t order, const char *object)
{
	uint64_t pa = nblocks < RELOC_BLOCKS_MAX ? kmem_alloc_outside_bs(order,
									FRAME_PURPOSE_KERNEL_DATA)
						 : 0;

	if (pa)
		blocks[nblocks++] = (struct reloc_block){ pa, order, object };
	return pa;
}

int relocate_array_holds(uint64_t phys)
{
	static uint32_t last;   /* the screen asks frame by frame: mostly the same block */

	for (uint32_t k = 0; k < nblocks; k++) {
		uint32_t i = (last + k) % nblocks;

		if (!strcmp(blocks[i].object, "metaslot_array") &&
		    phys - blocks[i].phys < (PAGE_SIZE << blocks[i].order)) {
			last = i;
			return 1;
		}
	}
	return 0;
}

/* A kernel table outside the loader's pool (vm.c's: one allocated frame)
 * moves to a tested frame of its own. */
static uint64_t take_table(void)
{
	return reloc_take_tested(0, "kernel_page_tables");
}

static int table_movable(uint64_t phys)
{
	return frame_state(phys) == FRAME_STATE_ALLOCATED;
}

/* One tested block per part of `bytes` (reloc_split); 0 if any is missing. */
static int take_parts(uint64_t bytes, const char *object, struct reloc_part *p, uint32_t *n)
{
	uint8_t orders[RELOC_PARTS_MAX];
	uint32_t k = reloc_split(bytes, orders);

	*n = 0;
	for (uint32_t i = 0; i < k; i++) {
		uint64_t pa = reloc_take_tested(orders[i], object);

		if (!pa)
			return 0;
		p[i] = (struct reloc_part){ pa, PAGE_SIZE << orders[i] };
		*n = i + 1;
	}
	return k != 0;
}

static void give_back_blocks(void)
{
	while (nblocks) {
		nblocks--;
		run_check(kmem_free(blocks[nblocks].phys, blocks[nblocks].order) == ALLOC_ERROR_NONE,
			  "relocation_blocks_given_back");
	}
}

/* The array's new home: tested blocks mapped contiguously at VM_META_BASE,
 * 2 MiB at a time where block and address allow (every allocator call reads
 * slots: fewer TLB entries), the rest 4 KiB at a time. */
#define LARGE (2ull << 20)

static int map_array(uint64_t bytes)
{
	for (uint64_t done = 0; done < bytes;) {
		uint8_t order = kmem_order_for(bytes - done);

		if (order > MAX_ORDER)
			order = MAX_ORDER;
		uint64_t pa = reloc_take_tested(order, "metaslot_array"), end = PAGE_SIZE << order;

		if (!pa)
			return 0;
		for (uint64_t off = 0; off < end && done < bytes;) {
			uint64_t va = VM_META_BASE + done, step = PAGE_SIZE;

			if (bytes - done >= LARGE && end - off >= LARGE && !((va | (pa + off)) & (LARGE - 1))) {
				if (vm_map_large(va, pa + off))
					return 0;
				step = LARGE;
				meta_large = done + LARGE;
			} else if (vm_map_page(va, pa + off)) {
				return 0;
			}
			off += step;
			done += step;
			meta_mapped = done;
		}
	}
	return 1;
}

/* The boot CPU's part: no memory write between the image copy and the CR3
 * load (the stack it runs on is in the image). The image is contiguous at
 * image_from; each part takes the next words of it. */
static void move_image_and_switch(struct stop *s)
{
	uint64_t src = s->image_from, p = (uint64_t)s->image_to, d, n;

	__asm__ volatile("1:\n\t"
			 "mov (%[p]), %%rdi\n\t"
			 "mov 8(%[p]), %%rcx\n\t"
			 "test %%rcx, %%rcx\n\t"
			 "jz 2f\n\t"
			 "rep movsq\n\t"
			 "add $16, %[p]\n\t"
			 "jmp 1b\n"
			 "2:\n\t"
			 "mov %[cr3], %%cr3"
			 : [p] "+r"(p), "+S"(src), "=&D"(d), "=&c"(n)
			 : [cr3] "r"(s->new_cr3)
			 : "memory", "cc");
}

/* An AP's part: says it is parked, then stores nothing (its stack, block
 * and tables are being copied) until it loads the new CR3, which flushes
 * its TLB (no global pages) and puts it on the copies. */
static void park_and_switch(struct stop *s)
{
	__asm__ volatile("lock incl %[parked]\n"
			 "1:\n\t"
			 "pause\n\t"
			 "cmpl $0, %[go]\n\t"
			 "je 1b\n\t"
			 "mov %[cr3], %%cr3"
			 : [parked] "+m"(s->parked)
			 : [go] "m"(s->go), [cr3] "r"(s->new_cr3)
			 : "memory", "cc");
}

static void stop_cpu(struct percpu *pc, void *arg)
{
	struct stop *s = arg;
	uint64_t flags = irq_save();

	barrier_wait(&s->bar, s->ncpu);          /* nobody is in the allocator now */
	if (pc->index == 0) {
		uint64_t t0 = rdtsc();

		/* acquire: each AP stored its last before it said so */
		while (__atomic_load_n(&s->parked, __ATOMIC_ACQUIRE) + 1 < s->ncpu)
			cpu_relax();
		s->meta_err = metadata_array_move(s->meta_to, s->meta_bytes);
		reloc_percpu_move(s->t);
		move_image_and_switch(s);
		s->cycles = rdtsc() - t0;
		/* release: the copies and the new tables before anyone switches */
		__atomic_store_n(&s->go, 1, __ATOMIC_RELEASE);
	} else {
		park_and_switch(s);
	}
	barrier_wait(&s->bar, s->ncpu);
	irq_restore(flags);
}

static void object_event(struct jw *w, const char *name, uint64_t old, uint64_t bytes)
{
	uint64_t first = 0, n = 0;

	for (uint32_t i = 0; i < nblocks; i++)
		if (blocks[i].object == name && !n++)
			first = blocks[i].phys;
	jw_obj_begin(w, name);
	jw_u64(w, "old_phys", old);
	jw_u64(w, "bytes", bytes);
	jw_u64(w, "new_phys", first);
	jw_u64(w, "new_blocks", n);
	jw_obj_end(w);
}

static void skipped(const char *why, int failed)
{
	struct jw w;

	for (uint64_t off = 0; off < meta_mapped;) {
		int large = !(off & (LARGE - 1)) && off < meta_large;

		if (large)
			vm_unmap_large(VM_META_BASE + off);
		else
			vm_unmap_page(VM_META_BASE + off);
		off += large ? LARGE : PAGE_SIZE;
	}
	reloc_percpu_abort();
	give_back_blocks();
	kprintf("relocation skipped: %s", why);
	jw_begin(&w, "relocated");
	jw_bool(&w, "done", 0);
	jw_str(&w, "skipped", why);
	event_emit(&w);
	if (failed)
		run_check(0, "relocation_done");
}

static void release_old(uint64_t start, uint64_t bytes)
{
	run_check(buddy_add_range(start, start + bytes) == ALLOC_ERROR_NONE,
		  "relocation_old_frames_to_the_allocator");
}

const struct bootinfo *relocate_run(const struct bootinfo *bi)
{
	uint64_t bi_old = 0, bi_bytes = 0;
	struct reloc_tables t = { .pool_phys = bi->pagetable_phys, .pool_bytes = bi->pagetable_bytes,
				  .image_phys = bi->kernel_phys, .image_bytes = bi->kernel_bytes,
				  .image_virt = (uint64_t)_kernel_start, .cr3 = read_cr3(),
				  .virt = phys_to_virt, .take_table = take_table,
				  .movable = table_movable };
	uint64_t meta_bytes = metadata_frames() * FRAME_META_SIZE;
	struct jw w;

	meta_bytes = (meta_bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (kcfg.audit == AUDIT_OFF) {   /* moving serves the audit only */
		skipped("audit_off", 0);
		return bi;
	}
	if (smp_abandoned()) {   /* it may wake on the boot tables and image */
		skipped("an_ap_was_given_up_on", 0);
		return bi;
	}
	if (!reloc_tables_check(&t)) {
		skipped("tables_or_image_not_as_expected", 1);
		return bi;
	}
	if (!map_array(meta_bytes)) {
		skipped("no_memory_for_the_array", 1);
		return bi;
	}
	int image = take_parts(t.image_bytes, "kernel_image", t.image_new, &t.image_parts);
	int pool = take_parts(t.pool_bytes, "page_tables", t.pool_new, &t.pool_parts);
	uint64_t ctl = reloc_take_tested(kmem_order_for(sizeof(struct stop)), "stop_control");
	const char *why;

	if (!image || !pool || !ctl) {
		skipped("no_memory_for_the_image_or_tables", 1);
		return bi;
	}
	if (!reloc_tables_build(&t)) {
		kprintf("relocation: new page tables not built: %s (%u kernel tables moved, %u blocks taken)",
			reloc_tables_why, t.nmoved, nblocks);
		skipped("page_tables_not_as_expected", 1);
		return bi;
	}
	if ((why = reloc_percpu_prepare(&t))) {
		skipped(why, 1);
		return bi;
	}

	struct stop *s = phys_to_virt(ctl);

	*s = (struct stop){ .ncpu = atomic_load(&cpus_online), .new_cr3 = t.new_cr3,
			    .meta_to = (void *)VM_META_BASE, .meta_bytes = meta_bytes,
			    .image_from = (uint64_t)phys_to_virt(t.image_phys), .t = &t };
	for (uint32_t k = 0; k < t.image_parts; k++) {
		s->image_to[k].to = (uint64_t)phys_to_virt(t.image_new[k].phys);
		s->image_to[k].words = t.image_new[k].bytes / 8;
	}
	smp_run(stop_cpu, s);
	if (s->meta_err != ALLOC_ERROR_NONE)
		panic("metadata_array_move: %s", alloc_error_name(s->meta_err));
	struct mm_diag d = buddy_check();

	run_check(d.code == ALLOC_ERROR_NONE, "relocation_buddy_check_on_the_copy");
	run_check(read_cr3() == t.new_cr3, "relocation_new_cr3_loaded");
	release_old(bi->meta_phys, bi->meta_bytes);
	release_old(t.image_phys, t.image_bytes);
	release_old(t.pool_phys, t.pool_bytes);
	const struct bootinfo *nb = reloc_bootinfo(bi, &bi_old, &bi_bytes);

	bi = 0;   /* its frames may be the allocator's now */
	run_check(nb != 0 && bi_bytes != 0, "relocation_bootinfo_moved");
	/* after the boot info's block is taken: the APs' old frames and the
	 * kernel's old tables are left for the audit alone */
	reloc_percpu_release();
	for (uint32_t i = 0; i < t.nmoved; i++)
		run_check(kmem_free(t.moved[i], 0) == ALLOC_ERROR_NONE,
			  "relocation_old_frames_to_the_allocator");

	for (uint32_t i = 0; i < nblocks && i < BLOCK_EVENTS; i++) {
		jw_begin(&w, "relocated_block");
		jw_str(&w, "object", blocks[i].object);
		jw_u64(&w, "phys", blocks[i].phys);
		jw_u64(&w, "bytes", PAGE_SIZE << blocks[i].order);
		event_emit(&w);
	}
	kprintf("relocated: MetaSlot array, kernel image, page tables, boot info, AP stacks, "
		"per-CPU blocks and CPU tables (%u CPUs stopped, %llu cycles)", s->ncpu,
		(unsigned long long)s->cycles);
	jw_begin(&w, "relocated");
	jw_bool(&w, "done", 1);
	jw_u64(&w, "cpus", s->ncpu);
	jw_u64(&w, "stop_cycles", s->cycles);
	object_event(&w, "metaslot_array", nb->meta_phys, nb->meta_bytes);
	object_event(&w, "kernel_image", t.image_phys, t.image_bytes);
	object_event(&w, "page_tables", t.pool_phys, t.pool_bytes);
	object_event(&w, "bootinfo", bi_old, bi_bytes);
	object_event(&w, "kernel_page_tables", t.nmoved ? t.moved[0] : 0, t.nmoved * PAGE_SIZE);
	reloc_percpu_event(&w);
	jw_u64(&w, "array_virt", VM_META_BASE);
	{
		uint64_t size = 0;   /* read back from the live tables */

		jw_u64(&w, "array_first_page_bytes", vm_leaf(VM_META_BASE, &size) ? size : 0);
	}
	jw_u64(&w, "array_bytes_in_2m_pages", meta_large);
	jw_u64(&w, "new_cr3", t.new_cr3);
	event_emit(&w);
	reloc_percpu_done();
	/* the control block is done with: only the moved objects stay */
	for (uint32_t i = 0; i < nblocks; i++)
		if (blocks[i].phys == ctl)
			run_check(kmem_free(ctl, blocks[i].order) == ALLOC_ERROR_NONE,
				  "relocation_control_freed");
	return nb;
}
