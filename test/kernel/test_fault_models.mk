# Every RAM test pattern against known fault models (stuck-at, address,
# transition, coupling, retention), made from outside the pattern code:
# write_trap.c single-steps every store to a watched page.
test_fault_models_SRCS := $(wildcard kernel/audit/patterns/*.c) test/kernel/write_trap.c
