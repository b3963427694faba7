test_config_SRCS := kernel/config.c lib/cfgline.c $(wildcard kernel/audit/patterns/*.c)
