/* The ACPI walk (kernel/acpi/) as platform.c runs it, from the RSDP at the
 * start of the input (acpi_common.h): RSDP, XSDT/RSDT, MADT, FADT, HPET, and
 * a bound on the work a root can cause (issue 18: 124 s on one RSDT).
 * fuzz-dict: acpi.dict */
#include "acpi_common.h"

void fuzz_seeds(void)
{
	static uint8_t m[SEED_MEM];

	fuzz_emit("q35_acpi2", m, seed_acpi(m, ACPI_BASE, 1, 4, 0));
	fuzz_emit("acpi1_rsdt", m, seed_acpi(m, ACPI_BASE, 0, 2, 0));
	fuzz_emit("x2apic_cpus", m, seed_acpi(m, ACPI_BASE, 1, 8, 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	acpi_run(data, size);
	return 0;
}
