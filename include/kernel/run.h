/* The run's outcome: checks record failures as they happen; run_finish emits
 * the summary (always the last event) and ends the run as the config says. */
#ifndef METASLOT_KERNEL_RUN_H
#define METASLOT_KERNEL_RUN_H

#include <stdint.h>

enum run_result { RUN_PASS, RUN_BAD_MEMORY, RUN_FAIL };

/* Figures the summary carries; components fill what they own. */
struct run_summary {
	uint32_t cpus;
	uint64_t ram_bytes;        /* RAM-like bytes in the memory map */
	uint64_t checks;           /* invariant checks made */
	uint64_t checks_failed;
	const char *first_failure; /* name of the first failed check */
	uint64_t bad_frames;       /* set by the audit */
	uint64_t known_bad_frames; /* bad frames from earlier runs, quarantined at boot */
	uint64_t tested_frames;    /* frames the audit tested (one pass) */
	uint64_t frames_free_before; /* free frames before / after the stress */
	uint64_t frames_free_after;
	uint64_t frames_withheld;  /* ... of which poisoned during the stress: not lost */
};

extern struct run_summary run;

/* Records one invariant check; a failure prints a check_failed event naming
 * `what` and makes the run's result "fail". Returns `ok`. */
int run_check(int ok, const char *what);

enum run_result run_result(void);

/* Emits the summary and ends the run (halt, shutdown or reboot). */
void run_finish(void) __attribute__((noreturn));

/* Summary with result "fail" and `reason`, then stop: for panics. Does not
 * take the console lock. */
void run_stop_failed(const char *reason) __attribute__((noreturn));

#endif
