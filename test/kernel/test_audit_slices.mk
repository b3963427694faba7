# How the audit cuts a share into slices (kernel/audit/slices.c).
test_audit_slices_SRCS := kernel/audit/slices.c
