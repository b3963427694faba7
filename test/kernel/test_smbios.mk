# The SMBIOS parser: entry points, the structure walk, memory types 16/17/19/20 (kernel/smbios/).
test_smbios_SRCS := kernel/smbios/smbios.c kernel/smbios/memory.c kernel/smbios/query.c
