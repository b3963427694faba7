/* What kernel/report/ shares between the last run (save.c) and this run's
 * journal (journal.c). */
#ifndef METASLOT_KERNEL_REPORT_INTERNAL_H
#define METASLOT_KERNEL_REPORT_INTERNAL_H

#include <lib/record.h>

/* The known-bad ranges the loader passed (carried into this run's record). */
extern struct report_range report_known[REPORT_MAX_RANGES];
extern uint32_t report_nknown;

/* The record the last run left, decoded; valid only when report_last_ok. */
extern struct report_record report_last;
extern int report_last_ok;

extern const uint16_t report_var_name[];
extern const struct report_guid { uint32_t a; uint16_t b, c; uint8_t d[8]; } report_guid;

#endif
