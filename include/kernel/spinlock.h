/* Ticket spinlocks: FIFO fair, so no CPU starves under the all-core stress.
 * The _irqsave form disables interrupts for the critical section. */
#ifndef METASLOT_KERNEL_SPINLOCK_H
#define METASLOT_KERNEL_SPINLOCK_H

#include <stdatomic.h>
#include <stdint.h>
#include <kernel/cpu.h>

struct spinlock {
	atomic_uint next;   /* ticket handed to the next arrival */
	atomic_uint owner;  /* ticket now allowed in */
};

static inline void spin_lock(struct spinlock *l)
{
	/* relaxed: taking a ticket orders nothing; the acquire load below does */
	unsigned t = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);

	while (atomic_load_explicit(&l->owner, memory_order_acquire) != t)
		cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	/* release: the critical section's writes are visible to the next owner */
	unsigned o = atomic_load_explicit(&l->owner, memory_order_relaxed);

	atomic_store_explicit(&l->owner, o + 1, memory_order_release);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t f = irq_save();

	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t f)
{
	spin_unlock(l);
	irq_restore(f);
}

#endif
