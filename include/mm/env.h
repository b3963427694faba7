/* The environment mm/ runs in: everything mm/ needs from outside, and nothing
 * else (mm/ is freestanding C: no libc, no kernel headers). The kernel
 * implements these functions for real hardware; test/mm/host_env.c implements
 * them on the host with threads standing in for CPUs.
 *
 * Contexts: "irq-off" means interrupts disabled on the calling CPU (mm/ always
 * holds an mm_irq_token when it calls the lock and diag functions).
 * None of these functions may call back into mm/.
 *
 * Besides the functions below, the environment links memset (kernel:
 * kernel/lib/string.c; host: libc): mm/ zeroes frames with __builtin_memset,
 * which gcc may emit as a call, as it may memcpy, memmove and memcmp in any
 * freestanding code. mm/ includes no header for them. */
#ifndef METASLOT_MM_ENV_H
#define METASLOT_MM_ENV_H

#include <stdatomic.h>
#include <stdint.h>
#include <mm/frame.h>

/* Per-CPU caches exist for CPU ids 0..MM_MAX_CPUS-1; a CPU with a larger id
 * still works, through the buddy lock on every operation. */
#define MM_MAX_CPUS 256

/* --- interrupts and CPU identity. mm/ disables interrupts around every
 * per-CPU or locked section; while they are off the calling CPU cannot change,
 * so the token also carries the CPU's id (one call on the hot path, not two). */
struct mm_irq_token {
	uint64_t flags; /* state to restore (kernel: RFLAGS before cli; host: anything) */
	uint32_t cpu;   /* dense id of this CPU, 0 .. (number of CPUs - 1), stable for
			 * the CPU's life; at most one thread of control runs with a
			 * given id at a time. May be >= MM_MAX_CPUS (then no cache). */
};

/* Disable interrupts on this CPU and return the previous state and the CPU's
 * id. Nests: every save is paired with a restore of its own token, innermost
 * first. Any context, including irq-off. On every order-0 allocation and free:
 * must be cheap.
 *
 * These two may be static inline: build mm/ with
 * -DMM_ENV_INLINE_HEADER='<path/to/header.h>' and that header defines both
 * (and nothing else mm/ calls). Out-of-line calls cost the order-0 pair about
 * 45 instructions (call, return, and the registers saved around them). */
#ifdef MM_ENV_INLINE_HEADER
#include MM_ENV_INLINE_HEADER
#else
struct mm_irq_token mm_env_irq_save(void);
/* Re-enable interrupts iff they were enabled when `tok` was saved. */
void mm_env_irq_restore(struct mm_irq_token tok);
#endif

/* --- locks. Storage mm/ embeds in its own structures; the environment
 * decides what the two words mean (kernel: a test-and-test-and-set lock in the
 * first word; the host: a ticket lock with C11 atomics). All-zero is
 * unlocked, so static locks need no initialiser call. mm_env_lock is called
 * irq-off, spins until the lock is held, and must give acquire semantics;
 * mm_env_unlock must give release semantics. Not recursive. mm/ holds at
 * most: one per-CPU cache lock (its own, inline) then the buddy lock. */
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
