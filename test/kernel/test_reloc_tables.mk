# The relocation's new page tables (kernel/mem/reloc_tables.c) on a hand-built tree.
test_reloc_tables_SRCS := kernel/mem/reloc_tables.c
