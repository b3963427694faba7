/* Results that survive: the known-bad frames the loader passed from the last
 * run, and the record this run leaves for the next one (lib/record.h). */
#ifndef METASLOT_KERNEL_REPORT_H
#define METASLOT_KERNEL_REPORT_H

#include <bootinfo.h>

/* Poisons the previous runs' bad frames before the allocator owns any frame
 * (call between init_metadata_array and buddy_add_range); emits last_run and
 * known_bad events. Sets run.known_bad_frames. */
void report_apply_known_bad(const struct bootinfo *bi);

/* Stores this run's record (known + newly found bad frames) in the UEFI
 * variable through runtime SetVariable; emits report_saved or
 * report_not_saved. A firmware that refuses is reported, never fatal. */
void report_save(const struct bootinfo *bi);

#endif
