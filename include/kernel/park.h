/* Parking: one CPU stops every other online CPU for a moment at a safe point,
 * does something no other CPU may see half done, and lets them go. The
 * journal uses it for a runtime call in the middle of a sweep (journal.c:
 * the call trades boot-services memory, which other CPUs are testing).
 *
 * A safe point is a place where the CPU holds no lock and touches no memory
 * the audit tests: between spans (progress_update, progress_resting), in
 * barrier waits, in smp_run's wait and the idle loop of an AP (smp.c). There
 * park_point() parks the CPU when a request stands: interrupts off, it counts
 * itself and spins on the request word until it is released, touching
 * nothing else (its stack and per-CPU block are resident: kmem.h).
 *
 * park_others() waits a bounded time: a CPU that does not reach a safe point
 * in time (a long span, a lost race for a lock) makes it give up, release
 * those that did park and return 0; the caller then does its work later.
 * Two CPUs asking at once: one becomes the owner, the other parks (for the
 * owner) while it waits its turn, so neither waits for the other. The owner
 * never parks for anyone; park_point() on it returns at once.
 *
 * The state machine (kernel/smp/park.c) is pure: what it needs from the
 * machine is the park_env_* functions below, which the kernel gives in
 * kernel/smp/park_env.c and the host test (test/kernel/test_park.c) with
 * threads. */
#ifndef METASLOT_KERNEL_PARK_H
#define METASLOT_KERNEL_PARK_H

#include <stdint.h>

/* At a safe point, any CPU: parks it while another CPU's request stands.
 * Returns 1 if it parked, 0 if no request (one load). */
int park_point(void);

/* What park_others saw. */
struct park_report {
	uint32_t parked;       /* CPUs that parked (all of `others` on success) */
	uint64_t waited_us;    /* until they had, or until it gave up */
	uint32_t turns;        /* other requests it parked for before its own */
};

/* Parks the `others` other CPUs (every online CPU but the caller), waiting
 * at most timeout_us for them to reach a safe point. 1: all are parked, the
 * caller does its work and calls park_release. 0: gave up (they are released
 * already). The caller holds no lock (another requester may park it here). */
int park_others(uint32_t others, uint64_t timeout_us, struct park_report *r);
void park_release(void);

/* The environment (kernel: kernel/smp/park_env.c). */
uint32_t park_env_cpu(void);          /* this CPU's index */
uint64_t park_env_now_us(void);       /* a monotonic clock */
void park_env_wake_others(void);      /* wakes halted CPUs to see the request */
void park_env_relax(void);            /* one spin-wait step */
uint64_t park_env_irq_save(void);
void park_env_irq_restore(uint64_t flags);

#endif
