# CPUID decoders: signature, leaf-4-format cache descriptors and the XCR0
# simd_init_cpu writes (kernel/cpu/cpuid_decode.c).
test_cpuinfo_SRCS := kernel/cpu/cpuid_decode.c
