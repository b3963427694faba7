/* What park.c needs from the machine (park.h). */
#include <kernel/cpu.h>
#include <kernel/lapic.h>
#include <kernel/park.h>
#include <kernel/percpu.h>
#include <kernel/time.h>

uint32_t park_env_cpu(void)
{
	return this_cpu()->index;
}

uint64_t park_env_now_us(void)
{
	return tsc_to_us(rdtsc());
}

/* A CPU halted in its idle loop or resting (bit_fade) wakes and meets a
 * safe point; one sweeping with interrupts off takes the interrupt later,
 * when it next enables them, and goes on (trap.c acknowledges it). Only
 * called with others online, so the APIC is set up. */
void park_env_wake_others(void)
{
	lapic_send_ipi(0, ICR_FIXED | ICR_ALL_BUT_SELF | IPI_WAKEUP);
}

void park_env_relax(void)
{
	cpu_relax();
}

uint64_t park_env_irq_save(void)
{
	return irq_save();
}

void park_env_irq_restore(uint64_t flags)
{
	irq_restore(flags);
}
