/* The kernel's mm_env_irq_save / mm_env_irq_restore, inline (see mm/env.h):
 * they run on every order-0 allocation and free. The CPU id is one load
 * through GS from this CPU's struct percpu. */
#ifndef METASLOT_KERNEL_MM_ENV_INLINE_H
#define METASLOT_KERNEL_MM_ENV_INLINE_H

#include <stdint.h>

#define MM_ENV_PERCPU_INDEX_OFFSET 8 /* offsetof(struct percpu, index), checked in mm_env.c */

static inline struct mm_irq_token mm_env_irq_save(void)
{
	uint64_t flags;
	uint32_t cpu;

	__asm__ volatile("pushfq; pop %0; cli" : "=r"(flags) : : "memory");
	/* interrupts are off: this CPU cannot change under us */
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(cpu) : "i"(MM_ENV_PERCPU_INDEX_OFFSET));
	return (struct mm_irq_token){ flags, cpu };
}

static inline void mm_env_irq_restore(struct mm_irq_token tok)
{
	if (tok.flags & (1u << 9))
		__asm__ volatile("sti" : : : "memory");
}

#endif
