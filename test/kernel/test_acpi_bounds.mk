# The ACPI walk's work on hostile roots (kernel/acpi/), counted, not timed.
test_acpi_bounds_SRCS := kernel/acpi/acpi.c kernel/acpi/madt.c kernel/acpi/fadt.c kernel/acpi/hpet.c
