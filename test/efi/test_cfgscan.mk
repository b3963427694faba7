# The loader's config look-up (efi/cfgscan.c), checked against the kernel's parser.
test_cfgscan_SRCS := efi/cfgscan.c kernel/config.c kernel/audit/patterns.c kernel/audit/own_address.c kernel/audit/mov_inv_ones_zeros.c kernel/audit/mov_inv_random.c kernel/audit/linux_memtest.c
