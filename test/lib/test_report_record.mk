# The run record kept in a UEFI variable (lib/record.c).
test_report_record_SRCS := lib/record.c lib/fmt.c
