test_selfpath_SRCS := efi/selfpath.c
