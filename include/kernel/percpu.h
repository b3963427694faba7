/* Per-CPU data, reached through the GS base: %gs:0 holds the struct's own
 * address, so this_cpu() is one load. Index 0 is the boot CPU; indexes are
 * dense in start-up order over the CPUs that came online and are the mm/ CPU
 * ids. An AP that was given up on keeps its block, its stack slot and the
 * index written in its block for good (it may still be running on them),
 * and never joins: smp_init and ap_entry settle that with one CAS each on
 * `state`. */
#ifndef METASLOT_KERNEL_PERCPU_H
#define METASLOT_KERNEL_PERCPU_H

#include <stdatomic.h>
#include <stdint.h>
#include <kernel/trap.h>

/* 1024 CPUs: the kernel's per-CPU arrays (cpu_list, stress and audit results,
 * progress) cost about 112 KiB of BSS at this size. */
#define MAX_CPUS 1024

enum cpu_state {
	CPU_OFF, CPU_STARTING, CPU_ONLINE,
	CPU_FAILED,     /* a CPU other than the one started took its block */
	CPU_ABANDONED,  /* the BSP gave up on it: it must never join */
	CPU_LATE,       /* it reached ap_entry after that, and halted */
};

struct percpu {
	struct percpu *self;        /* must stay first: this_cpu() reads %gs:0 */
	uint32_t index;
	uint32_t apic_id;
	atomic_uint state;          /* enum cpu_state, set by the CPU itself */
	uint64_t stack_top;         /* virtual; a guard page lies below the stack */
	struct cpu_tables *tables;
	uint64_t work_seen;         /* last smp_run generation this CPU ran */
	uint64_t cr0;               /* as the CPU found it in ap_entry (cpu_online reports it) */
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
