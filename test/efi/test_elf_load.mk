test_elf_load_SRCS := efi/elf_load.c
