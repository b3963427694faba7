/* The environment mm/ runs in: everything mm/ needs from outside, and nothing
 * else (mm/ is freestanding C: no libc, no kernel headers). The kernel
 * implements these functions for real hardware; test/mm/host_env.c implements
 * them on the host with threads standing in for CPUs.
 *
 * Contexts: "irq-off" means interrupts disabled on the calling CPU (mm/ always
 * holds an mm_irq_token when it calls the lock, cpu-id and diag functions).
 * None of these functions may call back into mm/. */
#ifndef METASLOT_MM_ENV_H
#define METASLOT_MM_ENV_H

#include <stdatomic.h>
#include <stdint.h>
#include <mm/frame.h>

/* Per-CPU caches exist for CPU ids 0..MM_MAX_CPUS-1; a CPU with a larger id
 * still works, through the buddy lock on every operation. */
#define MM_MAX_CPUS 256

/* --- interrupts. The token is the state to restore. */
struct mm_irq_token {
	uint64_t flags; /* kernel: RFLAGS before cli; host: anything */
};

/* Disable interrupts on this CPU, return the previous state. Nests: every
 * save is paired with a restore of its own token, innermost first. Callable
 * from any context including irq-off. */
struct mm_irq_token mm_env_irq_save(void);
/* Re-enable interrupts iff they were enabled when `tok` was saved. */
void mm_env_irq_restore(struct mm_irq_token tok);

/* --- CPU identity. Dense id of the calling CPU, 0 .. (number of CPUs - 1),
 * stable for the CPU's life. Called irq-off (so the caller cannot migrate);
 * must be cheap: it is on every order-0 allocation and free. At most one
 * thread of control may run with a given id at a time. */
uint32_t mm_env_cpu_id(void);

/* --- locks. Storage mm/ embeds in its own structures; the environment
 * decides what the two words mean (kernel: a ticket spinlock, next/owner; the
 * host does the same with C11 atomics). All-zero is unlocked, so static locks
 * need no initialiser call. mm_env_lock is called irq-off, spins until the
 * lock is held, and must give acquire semantics; mm_env_unlock must give
 * release semantics. Not recursive. mm/ holds at most: one per-CPU cache lock
 * (its own, inline) then the buddy lock. */
struct mm_lock {
	_Alignas(8) atomic_uint next;
	atomic_uint owner;
};
_Static_assert(sizeof(struct mm_lock) == 8, "two 32-bit words");
void mm_env_lock(struct mm_lock *l);
void mm_env_unlock(struct mm_lock *l);

/* Spin-wait hint (x86: pause). Any context. */
void mm_env_cpu_relax(void);

/* --- memory. Direct-map address of physical address phys, valid for every
 * frame given to buddy_add_range (kernel: phys + BOOTINFO_DIRECT_MAP_BASE;
 * host: the arena standing in for RAM). mm/ writes through it only to zero
 * frames it has just allocated. Any context. */
void *mm_env_phys_to_virt(uint64_t phys);

/* --- reporting. A diagnostic: bad input rejected (code is the error the
 * caller gets) or corruption detected (ALLOC_ERROR_CORRUPTED). May be called
 * irq-off with mm/ locks held: must not allocate, must not block for long
 * (the kernel prints {"ev":"mm_diag",...} and may rate-limit). d and its
 * strings are valid only during the call. */
void mm_env_diag(const struct mm_diag *d);

/* A broken contract mm/ cannot continue from (get_meta_slot beyond the array,
 * a corrupt free list found while allocating). Does not return. */
_Noreturn void mm_env_panic(const struct mm_diag *d);

#endif
