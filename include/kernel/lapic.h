/* Local APIC in xAPIC (MMIO) or x2APIC (MSR) mode. x2APIC is used when the
 * firmware already enabled it or when an APIC id exceeds 254 (xAPIC ids are 8
 * bits and 0xff is broadcast); every CPU runs its APIC in the BSP's mode. */
#ifndef METASLOT_KERNEL_LAPIC_H
#define METASLOT_KERNEL_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_SPURIOUS_VECTOR 0xff
#define IPI_WAKEUP            0xf0  /* wakes an idle AP: smp_run has work */
#define LAPIC_TIMER_VECTOR    0xef  /* the one-shot timer: wakes a resting CPU */

/* BSP: choose the mode (need_x2apic: an APIC id > 254 exists) and map the
 * xAPIC window at `base` (MADT, possibly overridden). Returns false if the
 * CPU has no APIC or cannot enter the required mode. */
bool lapic_init_bsp(uint64_t base, bool need_x2apic);
/* Every CPU: enter the chosen mode, software-enable the APIC. */
void lapic_init_cpu(void);
bool lapic_x2apic(void);
/* This CPU's APIC id as CPUID reports it, usable before any APIC set-up: the
 * 32-bit x2APIC id (leaf 0xb) where the CPU has that leaf, else the initial
 * 8-bit xAPIC id (leaf 1). The id the MADT lists for this CPU. */
uint32_t lapic_cpuid_id(void);
uint32_t lapic_id(void);
void lapic_eoi(void);

/* The APIC timer, for a CPU that halts until a deadline: measured once
 * against the TSC (10 ms, on the calling CPU; every APIC timer runs from the
 * same clock; false if it did not count, and then it must not be waited
 * for), then a one-shot interrupt on LAPIC_TIMER_VECTOR after `us`
 * microseconds (at least one tick), and stopped (masked). */
bool lapic_timer_calibrate(void);
void lapic_timer_oneshot(uint64_t us);
void lapic_timer_stop(void);

/* Error status register, after the write that latches it (SDM 10.5.3). */
uint32_t lapic_read_esr(void);

/* Sends an IPI: `icr_low` is the ICR's low word (vector, delivery mode, level,
 * trigger, shorthand); waits for xAPIC delivery to complete, bounded. Returns
 * false if the delivery-status bit never cleared. */
bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);

#define ICR_INIT        0x00000500u
#define ICR_STARTUP     0x00000600u
#define ICR_NMI         0x00000400u
#define ICR_FIXED       0x00000000u
#define ICR_LEVEL_ASSERT 0x00004000u
#define ICR_ALL_BUT_SELF 0x000c0000u

#endif
