/* Every write to one watched page, seen from outside the code that makes it:
 * the page is read-only, a write faults (SIGSEGV), the handler makes the page
 * writable and single-steps the faulting instruction (EFLAGS.TF), and after
 * it (SIGTRAP) calls `after` with the address written, then protects the page
 * again. Reads run at full speed. So a fault model can act exactly once per
 * store (a string instruction: once per element), whatever instruction the
 * compiler or the pattern's author chose. One trap at a time (process-wide
 * signal handlers); x86-64 Linux only. */
#ifndef METASLOT_TEST_WRITE_TRAP_H
#define METASLOT_TEST_WRITE_TRAP_H

#include <stdint.h>

/* Called in the SIGTRAP handler, with the page writable, after the store to
 * `addr` (the fault address the CPU reported: the first byte written). */
typedef void (*write_trap_fn)(void *ctx, uintptr_t addr);

/* Watch the page at `page` (page-aligned, mapped read-write). Returns 0. */
int write_trap_arm(void *page, write_trap_fn after, void *ctx);
/* Stop watching; the page is read-write again and the old handlers back.
 * Returns the number of writes seen. */
uint64_t write_trap_disarm(void);

#endif
