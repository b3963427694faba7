# The audit's MiB/s arithmetic (kernel/audit/rate.c).
test_audit_rate_SRCS := kernel/audit/rate.c
