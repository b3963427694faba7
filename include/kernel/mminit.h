/* Bringing up the MetaSlot allocator on the machine: the metadata array the
 * loader allocated, then every usable RAM range of the memory map. */
#ifndef METASLOT_KERNEL_MMINIT_H
#define METASLOT_KERNEL_MMINIT_H

#include <bootinfo.h>
#include <stdint.h>

/* Initialises the metadata array and populates the buddy; emits mm_init.
 * Panics only if the metadata array itself is unusable. */
void mm_init(const struct bootinfo *bi);

/* Emits the mm_stats event (free blocks per order, counters). */
void mm_report_stats(const char *when);

/* mm_diag events seen so far (counted even when rate-limited). */
uint64_t mm_env_diag_total(void);

#endif
