# The kernel's PAT and the entry bits that select its entries (kernel/cpu/pat.c).
test_pat_SRCS := kernel/cpu/pat.c
