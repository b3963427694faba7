/* Memory bandwidth at start: L1, L2, L3 and RAM, on every CPU at once,
 * time-boxed (BANDWIDTH_BUDGET_MS in all): writes (rep stosq, and movnti
 * non-temporal stores), reads, copies (rep movsq) and read-modify-write in
 * place. The kernel uses no SSE: 64-bit loads and stores, which is what the
 * audit's sweeps use too (kernel/audit/patterns/sweep.c), so the figures are
 * the ceiling the audit can reach, kind by kind. */
#ifndef METASLOT_KERNEL_BANDWIDTH_H
#define METASLOT_KERNEL_BANDWIDTH_H

#include <stdint.h>
#include <kernel/audit_rate.h>
#include <kernel/cpuinfo.h>

#define BANDWIDTH_BUDGET_MS 200u
#define BW_LEVELS 4u                     /* L1, L2, L3, RAM */
#define BW_BLOCK  (4ull << 20)           /* the allocator's largest block */
#define BW_MAX_BLOCKS 16u                /* RAM buffer per CPU: at most 64 MiB */

/* Bytes each CPU sweeps per level (0: skip, the level's size is unknown or
 * too small to tell from the one below when all CPUs share it). Pure. */
void bandwidth_plan(const struct cpu_caches *c, uint32_t ncpu, uint64_t bytes[BW_LEVELS]);

/* MiB/s from bytes moved in TSC cycles at hz. Pure. */
uint64_t bandwidth_mib_s(uint64_t bytes, uint64_t cycles, uint64_t hz);

/* Measures and emits the bandwidth event (nothing when bandwidth=off). Call
 * after cpuinfo_init. */
void bandwidth_run(void);

/* All-CPU RAM bandwidth (mean of read and write) per CPU in MiB/s, the
 * figure an audit_cpu event compares itself with; 0 = not measured. */
uint64_t bandwidth_ram_mib_s_per_cpu(void);

/* The RAM limit per CPU in MiB/s of one sweep kind: write (the better of
 * plain and non-temporal stores), read, rw (read-modify-write); 0 = not
 * measured. */
uint64_t bandwidth_ram_limit_mib_s_per_cpu(enum audit_kind k);

#endif
