test_config_SRCS := kernel/config.c $(wildcard kernel/audit/patterns/*.c)
