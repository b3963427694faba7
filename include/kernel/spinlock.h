/* Spinlocks: test-and-test-and-set with bounded exponential backoff.
 *
 * Not ticket locks, on purpose: a ticket lock hands itself to the next waiter
 * in line, and when that waiter's CPU is not running (a vCPU the host
 * descheduled: CI boots -smp 8 on 2 cores) every CPU behind it waits for the
 * host to run it again, once per hand-off; the all-core stress then ran about
 * a thousand times slower per operation. Here whichever CPU is running when
 * the lock comes free takes it. Waiters read the word (no locked write while
 * it is held, so its cache line stays shared) and back off after each lost
 * race, so a crowd does not hammer the holder's line. The price is fairness:
 * a CPU can lose many races in a row, but never forever in practice, and the
 * backoff bound keeps a loser close behind.
 *
 * The _irqsave form disables interrupts for the critical section. */
#ifndef METASLOT_KERNEL_SPINLOCK_H
#define METASLOT_KERNEL_SPINLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <kernel/cpu.h>

#define SPIN_BACKOFF_MAX 256u  /* pauses between attempts, at most */

struct spinlock {
	atomic_uint locked; /* 0 free, 1 held */
	uint32_t unused;    /* mm/'s struct mm_lock is two words (kernel/mem/mm_env.c) */
};

static inline void spin_lock(struct spinlock *l)
{
	unsigned delay = 1;

	/* acquire: the previous holder's critical section is visible to us */
	while (atomic_exchange_explicit(&l->locked, 1, memory_order_acquire)) {
		do {
			for (unsigned i = 0; i < delay; i++)
				cpu_relax();
			if (delay < SPIN_BACKOFF_MAX)
				delay <<= 1;
			/* relaxed: only a hint that a retry may win; the exchange orders */
		} while (atomic_load_explicit(&l->locked, memory_order_relaxed));
	}
}

static inline void spin_unlock(struct spinlock *l)
{
	/* release: the critical section's writes are visible to the next holder */
	atomic_store_explicit(&l->locked, 0, memory_order_release);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t f = irq_save();

	spin_lock(l);
	return f;
}

/* Takes it only if it is free now: true (interrupts off, *f to give back),
 * or false with nothing changed. */
static inline bool spin_trylock_irqsave(struct spinlock *l, uint64_t *f)
{
	*f = irq_save();
	/* acquire: as spin_lock */
	if (!atomic_load_explicit(&l->locked, memory_order_relaxed) &&
	    !atomic_exchange_explicit(&l->locked, 1, memory_order_acquire))
		return true;
	irq_restore(*f);
	return false;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t f)
{
	spin_unlock(l);
	irq_restore(f);
}

#endif
