test_pagetable_SRCS := efi/pagetable.c efi/physmap.c
