# The coverage arithmetic (kernel/coverage/tally.c): per type, per reason, ranges.
test_coverage_tally_SRCS := kernel/coverage/tally.c
