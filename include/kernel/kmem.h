/* The kernel's own memory comes from the MetaSlot allocator like everything
 * else: thin wrappers over frame_alloc_options_allocate that return direct-map
 * pointers. Allocation failure at boot is fatal only where the caller says so. */
#ifndef METASLOT_KERNEL_KMEM_H
#define METASLOT_KERNEL_KMEM_H

#include <stdint.h>
#include <mm/frame.h>

/* 2^order zeroed frames for the kernel; returns the physical address, or 0. */
uint64_t kmem_alloc(uint8_t order, enum frame_purpose purpose);
/* The same, the block first tested with the audit's quick patterns (and
 * zeroed again): memory the kernel keeps data in for the whole run, which
 * the audit could not test later. A block holding a bad frame is freed
 * (the frame stays poisoned) and another taken; 0 after 8 such.
 * Resident: never in the boot-services memory that a runtime call trades
 * away for its duration (bssave.h), so stacks, per-CPU blocks, CPU tables
 * and page tables from here stay in place while any CPU makes the call and
 * the others wait; kmem_resident_in_bs counts the blocks that had to go
 * there anyway (nothing else left), which makes such calls unsafe. */
uint64_t kmem_alloc_tested(uint8_t order, enum frame_purpose purpose);
uint32_t kmem_resident_in_bs(void);
/* kmem_alloc_tested, but 0 rather than boot-services memory: for what must
 * outlive bs_restore, which writes that memory back at the end of the run
 * (relocation's new homes for the array, the image, the page tables). */
uint64_t kmem_alloc_outside_bs(uint8_t order, enum frame_purpose purpose);
enum alloc_error kmem_free(uint64_t phys, uint8_t order) MM_WUR;
/* Smallest order whose block holds `bytes`. */
uint8_t kmem_order_for(uint64_t bytes);

#endif
