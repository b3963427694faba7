# The loader's config look-up (efi/cfgscan.c), checked against the kernel's parser.
test_cfgscan_SRCS := efi/cfgscan.c kernel/config.c $(wildcard kernel/audit/patterns/*.c)
