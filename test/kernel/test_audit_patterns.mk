# The RAM test patterns (kernel/audit/patterns/) and their table, on host buffers.
test_audit_patterns_SRCS := $(wildcard kernel/audit/patterns/*.c)
