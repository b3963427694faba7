/* The uncached view: a physical span of up to 4 MiB (one buddy block) seen
 * through a per-CPU window of 4 KiB pages whose entries select the PAT's UC
 * entry (pat.h, PAT_INDEX_UCVIEW), so every load and store reaches memory.
 * What the audit's walking_ones_address runs on (the job's `uncached` hook).
 *
 * The same frames stay mapped write-back in the direct map. The SDM (11.12.4)
 * leaves aliasing of memory types to software: ucview_open writes the span's
 * lines back and drops them from the caches (clflush) before the window is
 * mapped, the caller touches the frames only through the window until
 * ucview_close, and ucview_close drops them again (so a line the CPU may have
 * fetched speculatively through the direct map in between is not read later
 * in place of what was written uncached). Each window is one CPU's alone
 * (interrupts are off while the audit runs), so invlpg on that CPU is the
 * whole TLB flush. Every open reads the live entry back through CR3 and the
 * PAT from the MSR: the uc_view event reports how many spans were really
 * uncached, a check fails if any was not. */
#ifndef METASLOT_KERNEL_UCVIEW_H
#define METASLOT_KERNEL_UCVIEW_H

#include <stdint.h>

#define UCVIEW_BYTES (4ull << 20)     /* per CPU: 2^MAX_ORDER frames */

/* The page tables of the first ncpu CPUs' windows, built now (the audit
 * later takes all free memory). 0, or -1: no window (ucview_open then
 * returns NULL). */
int ucview_prepare(uint32_t ncpu);
/* This CPU's window onto [phys, phys + bytes), uncached; NULL if there is
 * no window or the span does not fit. */
volatile uint64_t *ucview_open(uint64_t phys, uint64_t bytes);
void ucview_close(uint64_t phys, uint64_t bytes);
/* The uc_view event and its check, when any span was asked for. */
void ucview_report(void);

#endif
