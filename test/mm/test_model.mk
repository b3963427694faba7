# links every mm/ source and the host environment
test_model_SRCS := $(wildcard mm/*.c) test/mm/host_env.c
