# CPUID decoders: signature and leaf-4-format cache descriptors (kernel/cpu/cpuid_decode.c).
test_cpuinfo_SRCS := kernel/cpu/cpuid_decode.c
