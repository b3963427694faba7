/* The kernel's view of the firmware's ACPI tables: acpi_parse run through the
 * direct map, with every finding printed as an acpi_issue event. */
#ifndef METASLOT_KERNEL_PLATFORM_H
#define METASLOT_KERNEL_PLATFORM_H

#include <bootinfo.h>
#include <kernel/acpi.h>

void platform_acpi(const struct bootinfo *bi, struct acpi_info *out);

/* Is [p, p + len) covered by memory-map descriptors that are not MMIO (RAM,
 * ACPI, reserved) and inside the direct map? Firmware tables are read only
 * where this holds. */
int platform_readable(const struct bootinfo *bi, uint64_t p, uint64_t len);

#endif
