# Parking every other CPU at a safe point (kernel/smp/park.c), on threads.
test_park_SRCS := kernel/smp/park.c
test_park_TSAN := 1
