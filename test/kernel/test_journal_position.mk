# What the run record names as running (kernel/report/position.c).
test_journal_position_SRCS := kernel/report/position.c
