# The RAM test patterns (kernel/audit/) and their table, on host buffers.
test_audit_patterns_SRCS := kernel/audit/patterns.c kernel/audit/own_address.c \
	kernel/audit/mov_inv_ones_zeros.c kernel/audit/mov_inv_random.c kernel/audit/linux_memtest.c
