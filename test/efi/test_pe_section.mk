test_pe_section_SRCS := efi/pe_section.c
