/* The firmware memory map as the kernel reads it: type names and the memmap
 * event (entries, ram_top, bytes per type). */
#ifndef METASLOT_KERNEL_MEMMAP_H
#define METASLOT_KERNEL_MEMMAP_H

#include <bootinfo.h>

/* Short stable name of a UEFI memory type, used as a JSON key. */
const char *memmap_type_name(uint32_t type);

/* Emits the memmap event; returns the RAM-like bytes and the ram_top it
 * recomputed from the map. */
void memmap_report(const struct bootinfo *bi, uint64_t *ram_bytes, uint64_t *ram_top);

#endif
