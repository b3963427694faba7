/* What the audit is doing now, for whoever shows or saves it (the screen,
 * the journal): which pattern of which pass runs, how far along, what each
 * pattern took and found, and the time left. Written only by the audit on
 * the boot CPU between the steps of a pass; read by anyone at any time
 * without a lock (a reader may see a figure one update old, never a torn
 * pattern index: `current` is written last). */
#ifndef METASLOT_KERNEL_AUDIT_STATUS_H
#define METASLOT_KERNEL_AUDIT_STATUS_H

#include <stdint.h>
#include <kernel/audit_pattern.h>

enum pattern_state { PATTERN_NOT_SELECTED, PATTERN_PENDING, PATTERN_RUNNING, PATTERN_DONE,
		     PATTERN_SKIPPED };

struct audit_pattern_status {
	uint8_t state;          /* enum pattern_state */
	uint32_t pass;          /* the pass it last ran in, 1-based; 0 = not yet */
	uint32_t percent;       /* of its current run, while RUNNING */
	uint64_t ms;            /* how long its last run took */
	uint64_t errors;        /* bad words it read, over all passes */
};

struct audit_status {
	uint32_t running;       /* 1 from the first pass to the result */
	uint32_t pass, passes;  /* current pass, 1-based, of `passes` */
	int32_t current;        /* index into audit_patterns, -1 = none */
	uint32_t selected;      /* bit mask over audit_patterns */
	uint64_t start_tsc;     /* when the first pass began */
	uint64_t eta_s;         /* seconds left for the whole run (all passes) */
	struct audit_pattern_status p[AUDIT_MAX_PATTERNS];
};

extern struct audit_status audit_status;

#endif
