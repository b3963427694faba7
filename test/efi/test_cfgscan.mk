# The loader's config look-ups (efi/cfgscan.c), checked against the kernel's parser.
test_cfgscan_SRCS := efi/cfgscan.c lib/cfgline.c kernel/config.c $(wildcard kernel/audit/patterns/*.c)
