test_bootinfo_SRCS := kernel/bootinfo.c mm/metadata_size.c
