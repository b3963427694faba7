# metadata_array_move (mm/meta_slot.c): the allocator's state moves with the array
test_meta_move_SRCS := $(wildcard mm/*.c) test/mm/host_env.c
