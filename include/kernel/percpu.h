/* Per-CPU data, reached through the GS base: %gs:0 holds the struct's own
 * address, so this_cpu() is one load. Index 0 is the boot CPU; indexes are
 * dense in start-up order and are the mm/ CPU ids. */
#ifndef METASLOT_KERNEL_PERCPU_H
#define METASLOT_KERNEL_PERCPU_H

#include <stdatomic.h>
#include <stdint.h>
#include <kernel/trap.h>

#define MAX_CPUS 256

enum cpu_state { CPU_OFF, CPU_STARTING, CPU_ONLINE, CPU_FAILED };

struct percpu {
	struct percpu *self;        /* must stay first: this_cpu() reads %gs:0 */
	uint32_t index;
	uint32_t apic_id;
	atomic_uint state;          /* enum cpu_state, set by the CPU itself */
	uint64_t stack_top;         /* virtual; a guard page lies below the stack */
	struct cpu_tables *tables;
	uint64_t work_seen;         /* last smp_run generation this CPU ran */
};

extern struct percpu *cpu_list[MAX_CPUS];
extern atomic_uint cpus_online;     /* CPUs in cpu_list that reached CPU_ONLINE */

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* Points this CPU's GS base at pc (after its GDT is loaded: loading segment
 * registers clears the base). */
void percpu_attach(struct percpu *pc);

#endif
