/* How the audit cuts a CPU's share of a pass into slices (kernel/audit/
 * passes.c, step 3): a CPU done with its own share takes the slices of
 * others' nobody has started. A slice is written in full before it is read
 * back, so it must be larger than the caches, or the read-back would come
 * from them and not from RAM. Pure arithmetic, host-tested. */
#ifndef METASLOT_KERNEL_AUDIT_SLICES_H
#define METASLOT_KERNEL_AUDIT_SLICES_H

#include <stdint.h>
#include <kernel/cpuinfo.h>

#define AUDIT_SLICES 8                       /* per share, at most */
#define AUDIT_SLICE_FLOOR (32ull << 20)      /* bytes, whatever the caches say */

/* The smallest slice on a CPU with these caches: twice its last-level cache
 * (L3, else L2), at least AUDIT_SLICE_FLOOR (which also stands for caches
 * CPUID does not describe). */
uint64_t audit_slice_min(const struct cpu_caches *c);

/* Slices of a share of `bytes`: as many slices of at least `slice_min` as
 * fit, 1 to AUDIT_SLICES (a share smaller than one slice is one). */
uint32_t audit_slices(uint64_t bytes, uint64_t slice_min);

#endif
