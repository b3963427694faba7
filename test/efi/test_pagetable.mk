test_pagetable_SRCS := efi/pagetable.c
