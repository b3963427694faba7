/* The audit's steps and what they hand each other. audit.c runs them in
 * order; each step reads and writes only the structs it is given:
 *   plan.c    which patterns run, the table of blocks, which blocks are taken
 *             (grab) and which CPU tests which (share)       -> audit_plan
 *   passes.c  one pass on every CPU: grab, share, test, free -> audit_cpu_stat
 *   status.c  audit_status and pattern_done, as each pattern of a pass ends
 *   verify.c  every free frame allocated once more: none may be poisoned
 *   report.c  bad_frame, audit_cpu and audit_result events
 *   hooks.c   the job hooks that need the kernel: rest, uncached view
 * What goes wrong on the way (bad words, failed allocator calls) is collected
 * in audit_findings, which the steps only add to and report.c reads. */
#ifndef METASLOT_KERNEL_AUDIT_INTERNAL_H
#define METASLOT_KERNEL_AUDIT_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <kernel/audit_pattern.h>
#include <kernel/audit_rate.h>
#include <kernel/badlist.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>

/* Written by plan.c; the passes read it (verify.c borrows the table as
 * scratch once they are over). */
struct audit_plan {
	uint32_t patterns;             /* bit mask over audit_patterns */
	uint64_t sweeps;               /* of the selected patterns in this pass */
	char names[256];               /* their names, comma-separated */
	struct audit_span *table;      /* one span per block taken */
	uint64_t capacity;             /* spans the table can hold */
	uint64_t table_phys;
	uint8_t table_order;
	atomic_ulong used;             /* spans in the table (grab: every CPU) */
	uint64_t first[MAX_CPUS + 1];  /* table[first[c] .. first[c+1]) is CPU c's */
	uint64_t words_total;          /* in the table, all CPUs (plan_share) */
};

/* Added to by every step, read by report.c. */
struct audit_findings {
	struct spinlock bad_lock;
	struct badlist bad;            /* under bad_lock */
	atomic_ulong errors;           /* allocator calls that failed */
};

/* Where the audit phase's time goes (docs/audit.md, "Where the time goes"),
 * in TSC cycles over every pass. Every CPU's own steps, then the boot CPU's
 * alone: on the boot CPU they add up to the phase (audit_result's ms). */
enum audit_time {
	AUDIT_T_GRAB,    /* plan_grab: taking blocks from the allocator */
	AUDIT_T_SWEEP,   /* the patterns over this CPU's blocks (rests too) */
	AUDIT_T_WAIT,    /* at the pass's barriers, for the slowest CPU */
	AUDIT_T_MARK,    /* the coverage bits of its blocks */
	AUDIT_T_FREE,    /* giving its blocks back */
	AUDIT_T_SHARE,   /* boot CPU: plan_share */
	AUDIT_T_SAFE,    /* boot CPU: the safe point after each pattern (pattern_done,
			  * the journal's write), the others at the barrier */
	AUDIT_T_JOIN,    /* boot CPU: smp_run around its own part (wake-up, join) */
	AUDIT_T_SERIAL,  /* boot CPU: outside smp_run (between passes, the bad frames,
			  * the uncached view's report) */
	AUDIT_TIMES
};
extern const char *const audit_time_names[AUDIT_TIMES];

/* One CPU's totals over every pass; passes.c writes CPU c's entry on CPU c. */
struct audit_cpu_stat {
	uint64_t frames, bytes_swept, cycles;
	uint64_t slices, slices_taken; /* slices run; of them, from other CPUs' shares */
	uint64_t t[AUDIT_TIMES];       /* cycles, by audit_time */
};

/* plan.c */
uint32_t audit_quick_patterns(void);
void plan_patterns(struct audit_plan *p);
/* The table: one block, itself tested with the quick patterns first; 0 when
 * no block could be had (or every try found bad memory). */
int plan_table(struct audit_plan *p, struct audit_findings *f);
void plan_table_free(struct audit_plan *p, struct audit_findings *f);
/* Times pattern i repeats its sweeps in pass `pass` (0-based; iterations=,
 * memtest86+'s shorter first pass), and the sweeps that makes. */
uint32_t plan_iterations(const struct audit_plan *p, uint32_t i, uint32_t pass);
uint64_t plan_pattern_sweeps(const struct audit_plan *p, uint32_t i, uint32_t pass);
uint64_t plan_pass_sweeps(const struct audit_plan *p, uint32_t pass);
/* The sweeps of passes 0 .. passes-1 by kind (audit_rate.h): what the
 * audit_cpu ratio compares with the machine's limits. */
void plan_sweep_kinds(const struct audit_plan *p, uint32_t passes, uint32_t n[AUDIT_KINDS]);
/* Each pass takes blocks into an empty table. */
void plan_begin_pass(struct audit_plan *p, uint32_t pass);
void plan_grab(struct audit_plan *p, struct audit_findings *f, uint32_t cpu);
void plan_share(struct audit_plan *p, uint32_t ncpu);
struct audit_span audit_span_of(uint64_t phys, uint8_t order, uint32_t cpu);
uint8_t audit_span_order(const struct audit_span *s);

/* passes.c */
/* Runs `patterns` over spans[0 .. n) on this CPU; `work` is the progress
 * total in words. Bad words are listed and their frames poisoned in f. */
void audit_test_spans(struct audit_span *spans, uint32_t n, uint32_t patterns, uint64_t seed,
		      uint64_t work, struct audit_findings *f);
/* Pass number `pass` on every online CPU (ncpu of them); the cycles its
 * smp_run took. */
uint64_t audit_pass(struct audit_plan *p, struct audit_findings *f, struct audit_cpu_stat *stat,
		    uint32_t pass, uint32_t ncpu);

/* status.c: audit_status (audit_status.h), written on the boot CPU only */
struct pattern_result {
	uint32_t pattern, pass;        /* index into audit_patterns; pass 0-based */
	uint64_t cycles;               /* TSC, from the barrier before it to the one after */
	uint64_t bytes_swept;          /* all CPUs */
	uint64_t errors;               /* bad reads, all CPUs */
	int32_t temp_c;                /* hottest CPU after it; INT32_MIN: no sensor */
	bool journal;                  /* the journal is written before the next */
};
void status_run_begin(const struct audit_plan *p, uint32_t passes);
void status_pass_begin(uint32_t pass);
void status_pattern_begin(uint32_t i);
void status_pattern_progress(uint32_t i, uint32_t percent);
/* Pattern r->pattern of pass r->pass is done on every CPU: the pattern_done
 * event and audit_status. The one place that knows it (the journal hooks
 * here). */
void audit_pattern_done(const struct pattern_result *r);
/* Seconds left in the whole run, the current pass `percent` done (progress.c
 * calls it for its events). */
uint64_t status_eta_s(uint32_t percent);
void status_run_end(void);
/* hooks.c: the job's rest (every CPU of the pass halts until the same
 * deadline; only a pattern all CPUs run may call it) and its uncached view */
void audit_rest(struct audit_job *j, uint32_t seconds);
/* Cycles CPU `cpu` rested since the last call (not sweeping: kept out of
 * the audit's MiB/s) */
uint64_t audit_rest_cycles_take(uint32_t cpu);
volatile uint64_t *audit_uncached(struct audit_job *j, const struct audit_span *s);
void audit_uncached_end(struct audit_job *j, const struct audit_span *s);

/* verify.c */
void audit_poison_check(struct audit_plan *p, struct audit_findings *f);

/* report.c */
void audit_report_new_bad_frames(struct audit_findings *f);
void audit_report_result(const struct audit_plan *p, struct audit_findings *f,
			 const struct audit_cpu_stat *stat, uint32_t ncpu, uint64_t tested_frames,
			 uint64_t untested_frames, uint64_t passes_us);

#endif
