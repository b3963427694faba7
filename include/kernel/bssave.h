/* Boot-services code and data: the audit tests them (most of a PC's low
 * RAM), but some firmware's runtime services still read them after
 * ExitBootServices (why Linux has efi_reserve_boot_services). So their
 * contents are copied into memory the allocator hands out (never boot-services
 * memory: those ranges join the allocator only after the copy is made) and put
 * back, bit for bit and checksummed, before any runtime service is called. */
#ifndef METASLOT_KERNEL_BSSAVE_H
#define METASLOT_KERNEL_BSSAVE_H

#include <bootinfo.h>
#include <stdint.h>
#include <mm/frame.h>

/* Adds [start, end) (USABLE in the sanitised map) to the buddy, except the
 * parts that boot-services entries of the raw map claim: those are recorded
 * for bs_save. Returns the buddy_add_range calls that failed. */
uint64_t bs_add_usable(const struct bootinfo *bi, uint64_t start, uint64_t end);

/* Copies the recorded parts into allocated memory (checksummed), then adds
 * them to the buddy; without memory for the copy they stay out of the
 * allocator, as with boot_services=keep. Emits bs_save. */
void bs_save(void);

/* Frames the copy holds (allocated) and frames kept out of the allocator. */
uint64_t bs_copy_frames(void);
uint64_t bs_kept_frames(void);
/* The first copy block's physical address, 0 if none (fault_test only). */
uint64_t bs_copy_phys(void);

/* Puts the saved contents back and checks the checksum; emits bs_restore.
 * Idempotent: efirt calls it before every runtime service. Afterwards
 * nothing may allocate (the restored frames are free in the allocator). */
void bs_restore(void);

#endif
