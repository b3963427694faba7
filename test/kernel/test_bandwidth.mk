# The bandwidth measurement's buffer sizes and units (kernel/cpu/bandwidth_plan.c).
test_bandwidth_SRCS := kernel/cpu/bandwidth_plan.c
