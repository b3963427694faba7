# The run record kept in a UEFI variable (kernel/report/record.c).
test_report_record_SRCS := kernel/report/record.c kernel/lib/fmt.c
