/* Relocation: the kernel moves out of the frames it booted in, through its
 * own allocator, so that the audit tests them like any other RAM. After the
 * APs run and before the audit: the MetaSlot array (to tested blocks mapped
 * at VM_META_BASE, slot for slot, then buddy_check), the kernel image and the
 * loader's page-table pool (copied to tested blocks, the tables rebased and
 * the image's 4 KiB entries pointed at the copy: virtual addresses do not
 * change), and every AP's stack, per-CPU block and CPU tables (copied while
 * the AP waits without a store, their entries rewritten), all under one
 * stop-the-world barrier on every CPU, each of which then loads the new CR3
 * (a full TLB flush: the loader sets no global pages).
 * The old frames are then handed to the allocator (buddy_add_range); nothing
 * moves back. One relocated event says what moved where, once it is done. */
#ifndef METASLOT_KERNEL_RELOCATE_H
#define METASLOT_KERNEL_RELOCATE_H

#include <stdint.h>

struct bootinfo;
/* Returns the boot info block the kernel uses from then on (moved too, its
 * frames handed to the allocator; bi itself when nothing moved). */
const struct bootinfo *relocate_run(const struct bootinfo *bi);
/* Whether phys is in one of the moved MetaSlot array's blocks (the screen
 * draws them as metadata, not as an allocation). */
int relocate_array_holds(uint64_t phys);

#endif
