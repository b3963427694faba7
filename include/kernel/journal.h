/* The run record as a journal (lib/record.h, version 2): rewritten in the
 * UEFI variable while the run goes on, so a machine that resets, hangs or
 * loses power mid-audit leaves a record saying what was running, and the
 * next boot reports `did_not_finish`. Every write is bounded (README "Results
 * that survive a reboot": count and bytes per run); a write the firmware
 * refuses is a `journal_not_saved` event, never fatal. Nothing is written
 * with report=off.
 *
 * When a write may happen: runtime services need boot-services memory as the
 * firmware left it (bssave.h), which the audit writes over. So a write goes
 * out at once only at a safe point (no CPU sweeping memory: start, between
 * patterns or passes, end) or when boot-services memory was never taken
 * (boot_services=keep); a change in the middle of a sweep (the first bad
 * frame, a machine-check error) is kept and written at the next safe point. */
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

/* Any CPU, any time: the run's first bad frame; later ones wait for the next
 * write. */
void journal_bad_frame(void);

/* Any CPU, any time: a machine-check error of this run (counted; the first
 * REPORT_MAX_MCES kept; at most JOURNAL_MCE_WRITES of them written at once). */
#define JOURNAL_MCE_WRITES 8
/* in_mc: from #MC (never waits for a lock; journal_stop writes). */
void journal_machine_check(uint32_t cpu, const struct mce_regs *r, int in_mc);

/* The #MC stop path (every other CPU stopped, no lock may be waited for):
 * the record says fail with `reason`, written if the runtime lock is free and
 * the call can be made from here: with boot-services memory in use (the
 * default), only from the boot CPU, whose stack and tables are in the kernel
 * image (an AP's may lie in that memory); otherwise journal_not_saved. */
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
