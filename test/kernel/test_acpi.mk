# The ACPI table parser: RSDP/XSDT/RSDT walk, MADT, FADT, HPET (kernel/acpi/).
test_acpi_SRCS := kernel/acpi/acpi.c kernel/acpi/madt.c kernel/acpi/fadt.c kernel/acpi/hpet.c
