/* What the loader maps of physical memory, and with which cache type: the
 * firmware's map turned into disjoint spans. Pure code (host-tested with
 * efi/pagetable.c); paging.c maps each span at identity and in the direct map. */
#ifndef METASLOT_EFI_PHYSMAP_H
#define METASLOT_EFI_PHYSMAP_H

#include <stdint.h>

/* Cache types as PTE bits (PAT entries at their power-on values, as the
 * firmware leaves them while the loader runs): RAM write-back; MMIO, other
 * non-RAM entries and the holes of [0, 4 GiB) (local APIC, IOAPIC, HPET are
 * often not in the map) strong UC; the framebuffer alone selects entry 2:
 * UC- under the firmware's PAT (a write-combining MTRR it set shows
 * through, SDM 11.5.2.2), WC under the kernel's (include/kernel/pat.h). */
#define PHYSMAP_WB 0ull
#define PHYSMAP_UC ((1ull << 4) | (1ull << 3)) /* PCD | PWT: PAT entry 3 */
#define PHYSMAP_FB (1ull << 4)                 /* PCD: PAT entry 2 */

struct physmap_in {
	const void *map;      /* firmware descriptors, `stride` bytes apart */
	uint32_t count;
	uint32_t stride;
	uint64_t fb_base;     /* framebuffer; 0 = none */
	uint64_t fb_size;
	uint64_t reach;       /* nothing at or above it is mapped (4 KiB aligned) */
};

struct physmap_stats {
	uint64_t spans;          /* spans handed to fn */
	uint64_t top;            /* end of the highest span */
	uint32_t beyond_reach;   /* descriptors wholly or partly at or above reach */
	uint64_t beyond_bytes;   /* their bytes at or above reach, left out */
	uint32_t broken;         /* zero-length or overflowing descriptors, skipped */
};

/* Calls fn(ctx, start, end, cache) for each maximal span of one cache type,
 * in address order; spans are 4 KiB aligned and disjoint. Where claims
 * overlap, the framebuffer beats UC beats WB: mapping RAM uncached is slow,
 * mapping a device write-back is wrong. */
void physmap_walk(const struct physmap_in *in,
		  void (*fn)(void *ctx, uint64_t start, uint64_t end, uint64_t cache), void *ctx,
		  struct physmap_stats *st);

#endif
