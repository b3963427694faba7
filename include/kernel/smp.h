/* Starting the application processors and running work on every CPU. */
#ifndef METASLOT_KERNEL_SMP_H
#define METASLOT_KERNEL_SMP_H

#include <stdint.h>
#include <kernel/percpu.h>

struct acpi_info;
struct bootinfo;

/* Sets up the boot CPU's per-CPU data (index 0) and its APIC; starts every
 * usable CPU the MADT lists (at most `limit` CPUs in all, 0 = no limit), one
 * at a time, with INIT-SIPI-SIPI. Emits cpu_online per CPU and cpu_timeout /
 * smp events for trouble. Never fails: at worst the boot CPU runs alone. */
void smp_init(const struct bootinfo *bi, const struct acpi_info *acpi, uint32_t limit);

/* The boot CPU's per-CPU block: attach it before anything uses this_cpu(). */
void percpu_init_bsp(void);

/* Runs fn(pc, arg) on every online CPU at once (the caller's too) and returns
 * when all have finished. Not reentrant. */
void smp_run(void (*fn)(struct percpu *pc, void *arg), void *arg);

/* APs started that never came online: one may still run (halted in the
 * trampoline or in ap_entry) on the boot page tables and trampoline page,
 * so those must stay as they are (relocate.h, coverage.h). */
uint32_t smp_abandoned(void);
/* Stops every other CPU with an NMI (for panic). */
void smp_stop_others(void);

/* A reusable barrier for the CPUs taking part in one smp_run. Its waits, like
 * smp_run's and an idle AP's, are safe points where park.h parks a CPU. */
struct barrier {
	atomic_uint arrived;
	atomic_uint phase;
};
void barrier_wait(struct barrier *b, uint32_t n);

#endif
