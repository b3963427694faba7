# The run record's version 2, the journal, and version-1 decoding (lib/record.c).
test_record_journal_SRCS := lib/record.c lib/fmt.c
