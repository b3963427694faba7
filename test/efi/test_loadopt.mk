test_loadopt_SRCS := efi/loadopt.c
