/* AP stacks, per-CPU blocks and CPU tables moved (reloc_internal.h). smp.c
 * maps each at a fixed virtual address of its own, 4 KiB at a time (the
 * stack in its slot at VM_KSTACK_BASE, block and tables in their slot at
 * VM_PERCPU_BASE), so moving one is a copy and a rewrite of its leaf
 * entries in the new tables: every pointer to it (GS base, GDTR, TR, the
 * TSS's IST stacks, RSP) stays valid. An object is one block per set bit of
 * its page count (reloc_split, as smp.c allocates it), each moved to a new
 * block of its order. The boot CPU does it inside the stop,
 * while every AP waits in a loop that writes no memory (relocate.c); each
 * AP's CR3 load that ends the stop flushes its TLB. New blocks come from
 * kmem_alloc_tested: tested, and resident (never in boot-services memory,
 * which a runtime call trades away while the other CPUs wait on these very
 * objects). The old blocks are then freed to the allocator, whose audit
 * tests them like any other frame; nothing moves back. The boot CPU's own
 * stack, block and tables are in the kernel image and move with it. */
#include <mm/mm.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <kernel/percpu.h>
#include <kernel/run.h>
#include <kernel/vm.h>
#include <lib/string.h>
#include "reloc_internal.h"

#define ADDR 0x000ffffffffff000ull
#define CPU_EVENTS 64

enum { OBJ_STACK, OBJ_PERCPU, OBJ_TABLES, OBJS };
/* the relocated event's keys, and relocated_cpu's */
static const char *const obj_name[OBJS] = { "ap_stacks", "ap_percpu_blocks", "ap_cpu_tables" };
static const char *const cpu_key[OBJS] = { "stack", "percpu", "tables" };
static const char *const part_key[RELOC_PARTS_MAX] = { "0", "1", "2", "3", "4", "5", "6", "7",
							"8", "9", "10" };

/* One block of an object: PAGE_SIZE << order bytes mapped at va. */
struct obj {
	uint64_t va, bytes, old, new;
	uint32_t cpu;
	uint8_t order, kind, part;
};

static struct obj *objs;        /* every part of every AP's objects, in a block of their own */
static uint32_t nobjs;
static uint64_t list_phys;
static uint8_t list_order;

/* The parts of one object into o[]; how many. */
static uint32_t describe(const struct percpu *pc, int kind, struct obj *o)
{
	uint64_t va, bytes, off = 0;
	uint8_t orders[RELOC_PARTS_MAX];

	if (kind == OBJ_STACK) {
		va = pc->stack_top - KSTACK_SIZE;
		bytes = KSTACK_SIZE;
	} else if (kind == OBJ_PERCPU) {
		va = (uint64_t)pc;
		bytes = sizeof(*pc);
	} else {
		va = (uint64_t)pc->tables;
		bytes = sizeof(*pc->tables);
	}
	uint32_t n = reloc_split((bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), orders);

	for (uint32_t k = 0; k < n; k++) {
		o[k] = (struct obj){ .va = va + off, .bytes = PAGE_SIZE << orders[k],
				     .cpu = pc->index, .order = orders[k], .kind = (uint8_t)kind,
				     .part = (uint8_t)k };
		off += o[k].bytes;
	}
	return n;
}

/* The part is where smp.c put it: in its own slot, on one block of its
 * order that the allocator has handed out, mapped page for page by the new
 * tables as by the live ones. */
static int as_expected(const struct reloc_tables *t, struct obj *o)
{
	uint64_t pa = vm_translate(o->va), base = o->kind == OBJ_STACK ? VM_KSTACK_BASE
								      : VM_PERCPU_BASE;

	if (o->va - base >= (1ull << 39) || o->va % PAGE_SIZE || pa == UINT64_MAX ||
	    pa % (PAGE_SIZE << o->order) || frame_state(pa) != FRAME_STATE_ALLOCATED)
		return 0;
	for (uint64_t off = 0; off < o->bytes; off += PAGE_SIZE) {
		uint64_t *e = reloc_leaf(t, t->new_cr3 & ADDR, o->va + off);

		if (vm_translate(o->va + off) != pa + off || !e || (*e & ADDR) != pa + off)
			return 0;
	}
	o->old = pa;
	return 1;
}

void reloc_percpu_abort(void)
{
	for (uint32_t i = 0; i < nobjs; i++)
		if (objs[i].new)
			run_check(kmem_free(objs[i].new, objs[i].order) == ALLOC_ERROR_NONE,
				  "relocation_blocks_given_back");
	if (list_phys)
		run_check(kmem_free(list_phys, list_order) == ALLOC_ERROR_NONE,
			  "relocation_blocks_given_back");
	objs = 0;
	nobjs = 0;
	list_phys = 0;
}

const char *reloc_percpu_prepare(const struct reloc_tables *t)
{
	uint32_t n = atomic_load(&cpus_online);

	if (n <= 1)
		return 0;
	list_order = kmem_order_for((uint64_t)(n - 1) * OBJS * RELOC_PARTS_MAX * sizeof(struct obj));
	list_phys = kmem_alloc(list_order, FRAME_PURPOSE_KERNEL_DATA);
	if (!list_phys)
		return "no_memory_for_the_ap_objects";
	objs = phys_to_virt(list_phys);
	for (uint32_t c = 1; c < n; c++)
		for (int k = 0; k < OBJS; k++) {
			uint32_t parts = describe(cpu_list[c], k, &objs[nobjs]);

			if (!parts)
				return "ap_objects_not_as_expected";
			for (uint32_t i = 0; i < parts; i++) {
				struct obj *o = &objs[nobjs];

				if (!as_expected(t, o))
					return "ap_objects_not_as_expected";
				o->new = kmem_alloc_tested(o->order, FRAME_PURPOSE_KERNEL_DATA);
				nobjs++;
				if (!o->new)
					return "no_memory_for_the_ap_objects";
			}
		}
	return 0;
}

/* Boot CPU, inside the stop, every AP waiting without a store: each object
 * copied, then its leaves in the new tables pointed at the copy (where the
 * leaf table is shared with the live tables the AP may see the new entry
 * early: it maps the same bytes). */
void reloc_percpu_move(const struct reloc_tables *t)
{
	for (uint32_t i = 0; i < nobjs; i++) {
		const struct obj *o = &objs[i];

		memcpy(phys_to_virt(o->new), phys_to_virt(o->old), o->bytes);
		for (uint64_t off = 0; off < o->bytes; off += PAGE_SIZE) {
			uint64_t *e = reloc_leaf(t, t->new_cr3 & ADDR, o->va + off);

			*e = (*e & ~ADDR) | (o->new + off);
		}
	}
}

/* After the stop, every CPU on the new tables: the old blocks to the
 * allocator (tested by the audit from then on), one relocated_cpu event
 * per AP (the first CPU_EVENTS). */
void reloc_percpu_release(void)
{
	for (uint32_t i = 0; i < nobjs; i++) {
		const struct obj *o = &objs[i];

		run_check(vm_translate(o->va) == o->new, "relocation_ap_objects_remapped");
		run_check(kmem_free(o->old, o->order) == ALLOC_ERROR_NONE,
			  "relocation_old_frames_to_the_allocator");
	}
	for (uint32_t i = 0, cpus = 0; i < nobjs && cpus < CPU_EVENTS; cpus++) {
		uint32_t cpu = objs[i].cpu;
		struct jw w;

		jw_begin(&w, "relocated_cpu");
		jw_u64(&w, "cpu", cpu);
		for (; i < nobjs && objs[i].cpu == cpu;) {
			const struct obj *o = &objs[i];
			uint64_t bytes = 0;

			jw_obj_begin(&w, cpu_key[o->kind]);
			jw_u64(&w, "virt", o->va);
			jw_obj_begin(&w, "parts");   /* by index, in virtual order */
			for (uint32_t k = i; k < nobjs && objs[k].cpu == cpu && objs[k].kind == o->kind;
			     k++, i++) {
				jw_obj_begin(&w, part_key[objs[k].part]);
				jw_u64(&w, "old_phys", objs[k].old);
				jw_u64(&w, "new_phys", objs[k].new);
				jw_u64(&w, "bytes", objs[k].bytes);
				jw_obj_end(&w);
				bytes += objs[k].bytes;
			}
			jw_obj_end(&w);
			jw_u64(&w, "bytes", bytes);
			jw_obj_end(&w);
		}
		event_emit(&w);
	}
}

/* The relocated event's part: per kind, how many objects moved, their
 * bytes and blocks, and where the first AP's first block went. */
void reloc_percpu_event(struct jw *w)
{
	for (int k = 0; k < OBJS; k++) {
		uint64_t count = 0, bytes = 0, blocks = 0, old = 0, new = 0;

		for (uint32_t i = 0; i < nobjs; i++)
			if (objs[i].kind == k) {
				if (!count) {
					old = objs[i].old;
					new = objs[i].new;
				}
				count += objs[i].part == 0;
				bytes += objs[i].bytes;
				blocks++;
			}
		jw_obj_begin(w, obj_name[k]);
		jw_u64(w, "count", count);
		jw_u64(w, "bytes", bytes);
		jw_u64(w, "blocks", blocks);
		jw_u64(w, "old_phys", old);
		jw_u64(w, "new_phys", new);
		jw_obj_end(w);
	}
}

void reloc_percpu_done(void)
{
	uint64_t list = list_phys;

	objs = 0;
	nobjs = 0;
	list_phys = 0;
	if (list)
		run_check(kmem_free(list, list_order) == ALLOC_ERROR_NONE, "relocation_control_freed");
}
