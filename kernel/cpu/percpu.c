/* Per-CPU blocks (percpu.h): the list of CPUs and the GS-base attach. */
#include <kernel/percpu.h>
#include <kernel/cpu.h>

struct percpu *cpu_list[MAX_CPUS];
atomic_uint cpus_online;

void percpu_attach(struct percpu *pc)
{
	pc->self = pc;
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
}
