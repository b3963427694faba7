test_config_SRCS := kernel/config.c kernel/audit/patterns.c kernel/audit/own_address.c kernel/audit/mov_inv_ones_zeros.c kernel/audit/mov_inv_random.c kernel/audit/linux_memtest.c
