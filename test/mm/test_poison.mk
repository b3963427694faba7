# links every mm/ source and the host environment
test_poison_SRCS := $(wildcard mm/*.c) test/mm/host_env.c
