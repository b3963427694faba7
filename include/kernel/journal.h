/* The run record as a journal (lib/record.h, version 2): rewritten in the
 * UEFI variable while the run goes on, so a machine that resets, hangs or
 * loses power mid-audit leaves a record saying what was running, and the
 * next boot reports `did_not_finish`. Every write is bounded (README "Results
 * that survive a reboot": count and bytes per run); a write the firmware
 * refuses is a `journal_not_saved` event, never fatal. Nothing is written
 * with report=off.
 *
 * When a write may happen: runtime services need boot-services memory as the
 * firmware left it (bssave.h), which the audit writes over; each call trades
 * it in and out. At the start, between patterns and at the end no CPU sweeps
 * memory, so the write goes out. A change in the middle of a sweep (the
 * first bad frame, a machine-check error) goes out at once too: the CPU that
 * found it parks every other CPU at a safe point first (park.h), or needs no
 * swap (boot_services=keep). Only when a CPU does not park in time, or some
 * kernel block had to be put in boot-services memory (kmem.h), it waits for
 * the next safe point's write (a journal_deferred event says why). */
#ifndef METASLOT_KERNEL_JOURNAL_H
#define METASLOT_KERNEL_JOURNAL_H

#include <stdint.h>
#include <bootinfo.h>

struct mce_regs;

/* Before the audit, every other CPU idle: the record with result `running`
 * (run id, time, firmware, CPUs, RAM, DIMMs, a pattern resume=on left out). */
void journal_start(const struct bootinfo *bi);

/* A safe point (no CPU sweeping memory): the pass, pattern and percent as
 * audit_status says now, and whatever waited. passes.c calls it when pattern
 * i of pass n is done on every CPU (safe_point, the others halted). */
void journal_step(void);

/* Whether the safe point after the pattern now ending should write (and
 * stop every CPU for it): when a change waits for a write (journal_deferred),
 * with journal_spacing=0, or when the record is journal_spacing (default 20)
 * times older than `cost`, what such a safe point took last time (TSC
 * cycles: its trade of boot-services memory and the call; 0: none measured
 * yet, the last write's own time stands for it). So the journal's writes
 * take about 1/journal_spacing of the audit's time at most, however short
 * its patterns, and a record is at most that many writes' time behind what
 * runs. A finding never waits for it: the first bad frame and machine-check
 * errors are written at once (below). 0 without a journal (report=off, or
 * before journal_start). */
int journal_step_due(uint64_t cost);
/* Any CPU, holding no lock (it may park for another CPU's write): the run's
 * first bad frame, written at once; later ones wait for the next write. */
void journal_bad_frame(void);

/* Any CPU, holding no lock: a machine-check error of this run (counted; the first
 * REPORT_MAX_MCES kept; at most JOURNAL_MCE_WRITES of them written at once). */
#define JOURNAL_MCE_WRITES 8
/* in_mc: from #MC (never waits for a lock; journal_stop writes). */
void journal_machine_check(uint32_t cpu, const struct mce_regs *r, int in_mc);

/* The stop paths, #MC ("machine_check") and panic ("panic"), on any CPU,
 * every other CPU stopped for good, no lock waited for: the record says fail
 * with `reason`, written if the record's and the runtime lock are free and
 * no kernel block lies in boot-services memory (this CPU's stacks and tables
 * must stay put while the call trades it); otherwise journal_not_saved with
 * why. Nothing is written after it. */
void journal_stop(const char *reason);

/* resume=on after a run that did not finish: the audit_patterns index of the
 * pattern it died in, or -1 (report.h reads the last record). */
int journal_resume_skip(void);
/* `patterns` (bit mask over audit_patterns) without that pattern; a
 * `resume` event says what was done. The
 * pattern stays when it is the only one. The plan calls it once. */
uint32_t journal_resume_apply(uint32_t patterns);
/* After audit_status is reset for the run: that pattern's state SKIPPED. */
void journal_resume_mark(void);

/* Where the audit is, as the record says it (pure: kernel/report/position.c,
 * host-tested): the pass and pattern running now, or about to run when the
 * current pattern is DONE (the per-pattern barrier calls journal_step then:
 * the record must name the pattern a crash would interrupt next), and the
 * percent of the whole audit. pattern = -1 before any. */
struct audit_status;
struct journal_position {
	uint32_t pass;
	int32_t pattern;     /* index into audit_patterns, -1 none */
	uint32_t percent;
};
void journal_position(const struct audit_status *st, uint32_t npatterns,
		      struct journal_position *out);

#endif
