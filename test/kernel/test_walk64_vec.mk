# mov_inv_walk64's vector loops (kernel/audit/patterns/mov_inv_walk64_vec.c)
# against its scalar loops, on every variant the host CPU runs.
test_walk64_vec_SRCS := $(wildcard kernel/audit/patterns/*.c)
