# links every mm/ source and the host environment; also built with TSan
test_stress_SRCS := $(wildcard mm/*.c) test/mm/host_env.c
test_stress_TSAN := 1
