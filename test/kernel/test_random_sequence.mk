# random_sequence's variants (scalar, AVX2, AVX-512: kernel/audit/patterns/
# random_sequence*.c) against each other and a reference splitmix64, on every
# variant the host CPU runs.
test_random_sequence_SRCS := $(wildcard kernel/audit/patterns/*.c)
