/* The firmware memory map as the kernel reads it: the audit (mapaudit) run
 * over it, its findings as memmap_issue events, the memmap event, and the
 * sanitised ranges the allocator is built from. */
#ifndef METASLOT_KERNEL_MEMMAP_H
#define METASLOT_KERNEL_MEMMAP_H

#include <bootinfo.h>
#include <kernel/mapaudit.h>

/* The sanitised map: sorted, disjoint, page-aligned ranges with a class. */
extern struct mapaudit_range memmap_ranges[];
extern uint32_t memmap_range_count;
extern struct mapaudit_result memmap_audit_result;

/* Short stable name of a UEFI memory type, used as a JSON key. */
const char *memmap_type_name(uint32_t type);

/* Audits the map: memmap_issue events, then the memmap event (entries,
 * ram_top, bytes by type) and the coverage event. Panics only if the map
 * cannot be used at all (no sanitised ranges). */
void memmap_audit(const struct bootinfo *bi);

/* After the allocator is populated: its frames must be exactly the USABLE
 * frames of the sanitised map (a check, reported as memmap_issue). */
void memmap_check_allocator(uint64_t managed_frames);

#endif
