# The bad-frame list and its memmap=/badram= strings (kernel/audit/badlist.c).
test_badlist_SRCS := kernel/audit/badlist.c lib/fmt.c
