# The RAM test patterns (kernel/audit/patterns/), their table, and the test
# faults flipped into the buffers (kernel/audit/inject.c), on host buffers.
test_audit_patterns_SRCS := $(wildcard kernel/audit/patterns/*.c) kernel/audit/inject.c
