/* Time: the TSC rate, measured by the loader against Stall() and cross-checked
 * here against the ACPI PM timer (or the HPET), and delays built on it. */
#ifndef METASLOT_KERNEL_TIME_H
#define METASLOT_KERNEL_TIME_H

#include <stdint.h>

struct acpi_info;

/* Calibrates against the best reference the ACPI tables name, compares with
 * the loader's figure and emits a tsc event. Never fails: with no reference
 * the loader's figure is used, and with none at all a conservative guess. */
void time_init(uint64_t loader_tsc_hz, const struct acpi_info *acpi);

extern uint64_t tsc_hz;

void udelay(uint64_t us);
static inline uint64_t tsc_to_us(uint64_t ticks)
{
	return ticks / (tsc_hz / 1000000 ? tsc_hz / 1000000 : 1);
}

#endif
