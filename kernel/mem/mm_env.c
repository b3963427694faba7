/* The kernel side of include/mm/env.h: interrupts with pushf/cli and the CPU
 * id from per-CPU data (both inline, kernel/mm_env_inline.h), spinlocks, the direct map, and diagnostics as
 * mm_diag events (rate-limited: a corrupted list must not flood serial). */
#include <mm/env.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>

#define DIAG_REPORT_MAX 64

static atomic_uint diag_count;

/* mm_env_irq_save / mm_env_irq_restore are inline: kernel/mm_env_inline.h */
_Static_assert(__builtin_offsetof(struct percpu, index) == MM_ENV_PERCPU_INDEX_OFFSET,
	       "the inline CPU-id load reads struct percpu's index through GS");

/* mm/'s locks are the kernel's spinlocks: the lock word is mm_lock's first */
_Static_assert(sizeof(struct mm_lock) == sizeof(struct spinlock) &&
		       __builtin_offsetof(struct mm_lock, next) ==
			       __builtin_offsetof(struct spinlock, locked),
	       "struct mm_lock and struct spinlock share their layout");

void mm_env_lock(struct mm_lock *l)
{
	spin_lock((struct spinlock *)l);
}

void mm_env_unlock(struct mm_lock *l)
{
	spin_unlock((struct spinlock *)l);
}

void mm_env_cpu_relax(void)
{
	cpu_relax();
}

void *mm_env_phys_to_virt(uint64_t phys)
{
	return phys_to_virt(phys);
}

static void diag_event(struct jw *w, const struct mm_diag *d)
{
	jw_begin(w, "mm_diag");
	jw_str(w, "error", alloc_error_name(d->code));
	jw_str(w, "op", d->op);
	jw_str(w, "reason", d->reason);
	if (d->phys != MM_DIAG_NO_PHYS)
		jw_u64(w, "phys", d->phys);
	jw_u64(w, "order", d->order);
	jw_u64(w, "value", d->value);
	jw_u64(w, "cpu", this_cpu()->index);
}

void mm_env_diag(const struct mm_diag *d)
{
	struct jw w;
	unsigned n = atomic_fetch_add_explicit(&diag_count, 1, memory_order_relaxed);

	if (n >= DIAG_REPORT_MAX)
		return;
	diag_event(&w, d);
	if (n == DIAG_REPORT_MAX - 1)
		jw_bool(&w, "further_diags_suppressed", 1);
	event_emit(&w);
}

uint64_t mm_env_diag_total(void)
{
	return atomic_load_explicit(&diag_count, memory_order_relaxed);
}

_Noreturn void mm_env_panic(const struct mm_diag *d)
{
	panic("mm: %s in %s: %s (phys 0x%llx, order %u)", alloc_error_name(d->code),
	      d->op ? d->op : "?", d->reason ? d->reason : "?", (unsigned long long)d->phys,
	      d->order);
}
