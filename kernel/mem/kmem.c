/* Kernel allocations through the MetaSlot allocator (kmem.h). */
#include <stdatomic.h>
#include <kernel/audit.h>
#include <kernel/bssave.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <kernel/run.h>
#include <kernel/spinlock.h>
#include <lib/string.h>

/* Blocks in boot-services memory, held while one allocation looks past them
 * (so the allocator hands out others), then given back. The allocator may
 * hand out every boot-services frame first (they went in last), tens of
 * thousands at order 0: they are chained through their own first word, so
 * no list can overflow. */
static struct spinlock aside_lock;
static atomic_uint in_bs; /* blocks handed out in boot-services memory anyway */

/* One block; `zeroed` false leaves it as it is unless the purpose needs
 * zeroing (a page table). */
static uint64_t alloc_block(uint8_t order, enum frame_purpose purpose, bool zeroed)
{
	struct frame_alloc_options o = frame_alloc_options_zeroed(
		frame_alloc_options_order(frame_alloc_options_purpose(frame_alloc_options_new(),
								      purpose), order), zeroed);
	struct phys_frame f;

	if (frame_alloc_options_allocate(&o, &f) != ALLOC_ERROR_NONE)
		return 0;
	return f.start_address;
}

uint64_t kmem_alloc(uint8_t order, enum frame_purpose purpose)
{
	return alloc_block(order, purpose, true);
}

/* One block, not zeroed unless the purpose needs it (the caller tests and
 * zeroes what it keeps). */
static uint64_t probe(uint8_t order, enum frame_purpose purpose)
{
	return alloc_block(order, purpose, false);
}

/* 2^order frames outside the boot-services memory a runtime call trades
 * away (bssave.h); when nothing else is left, one inside it (counted), or 0
 * when `strict`. */
static uint64_t alloc_resident(uint8_t order, enum frame_purpose purpose, int strict)
{
	uint64_t f = spin_lock_irqsave(&aside_lock), pa, chain = 0, bytes = PAGE_SIZE << order;

	while ((pa = probe(order, purpose)) && bs_overlaps(pa, pa + bytes)) {
		*(uint64_t *)phys_to_virt(pa) = chain;
		chain = pa;
	}
	if (!pa && chain && !strict) {
		pa = chain;   /* nothing else left: a block in that memory, counted */
		chain = *(uint64_t *)phys_to_virt(pa);
		atomic_fetch_add(&in_bs, 1);
	}
	while (chain) {
		uint64_t next = *(uint64_t *)phys_to_virt(chain);

		run_check(kmem_free(chain, order) == ALLOC_ERROR_NONE, "kmem_set_aside_given_back");
		chain = next;
	}
	spin_unlock_irqrestore(&aside_lock, f);
	return pa;
}

uint32_t kmem_resident_in_bs(void)
{
	return atomic_load(&in_bs);
}

static uint64_t alloc_tested(uint8_t order, enum frame_purpose purpose, int strict)
{
	for (int tries = 0; tries < 8; tries++) {
		uint64_t pa = alloc_resident(order, purpose, strict);

		if (!pa)
			return 0;
		if (audit_test_block(pa, order) == 0) {
			memset(phys_to_virt(pa), 0, PAGE_SIZE << order);
			return pa;
		}
		/* a bad frame in it, now poisoned: the allocator keeps it out */
		if (kmem_free(pa, order) != ALLOC_ERROR_NONE)
			return 0;
	}
	return 0;
}

uint64_t kmem_alloc_tested(uint8_t order, enum frame_purpose purpose)
{
	return alloc_tested(order, purpose, 0);
}

uint64_t kmem_alloc_outside_bs(uint8_t order, enum frame_purpose purpose)
{
	return alloc_tested(order, purpose, 1);
}

enum alloc_error kmem_free(uint64_t phys, uint8_t order)
{
	return frame_free(phys, order);
}

uint8_t kmem_order_for(uint64_t bytes)
{
	uint8_t order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}
