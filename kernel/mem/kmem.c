/* Kernel allocations through the MetaSlot allocator (kmem.h). */
#include <kernel/audit.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <lib/string.h>

uint64_t kmem_alloc(uint8_t order, enum frame_purpose purpose)
{
	struct frame_alloc_options o =
		frame_alloc_options_order(frame_alloc_options_purpose(frame_alloc_options_new(),
								      purpose), order);
	struct phys_frame f;

	if (frame_alloc_options_allocate(&o, &f) != ALLOC_ERROR_NONE)
		return 0;
	return f.start_address;
}

uint64_t kmem_alloc_tested(uint8_t order, enum frame_purpose purpose)
{
	for (int tries = 0; tries < 8; tries++) {
		uint64_t pa = kmem_alloc(order, purpose);

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
