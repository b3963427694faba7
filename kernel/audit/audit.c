/* The audit (audit.h): plan, passes, verify, report (audit_internal.h says
 * what each step owns). This file holds the audit's state and runs the steps
 * in order; it makes no decision of its own. */
#include <mm/mm.h>
#include <kernel/audit.h>
#include <kernel/audit_status.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/journal.h>
#include <kernel/mminit.h>
#include <kernel/run.h>
#include <kernel/smp.h>
#include <kernel/cpuinfo.h>
#include <kernel/time.h>
#include <kernel/ucview.h>
#include "audit_internal.h"

static struct audit_plan plan;
static struct audit_findings found;
static struct audit_cpu_stat stat[MAX_CPUS];
struct audit_status audit_status = { .current = -1 };
static atomic_int reporting;  /* passes running: they report what is found */

/* Frames one pass tested (every pass tests all free RAM), and the free frames
 * at the start that no pass could take (a table too small for a huge
 * machine). The table's own frames were tested before it held the list. */
static void totals(uint32_t ncpu, uint64_t free_at_start, uint64_t *tested, uint64_t *untested)
{
	uint64_t t = 0, table = 1ull << plan.table_order;

	for (uint32_t c = 0; c < ncpu; c++)
		t += stat[c].frames;
	t = t / kcfg.passes + table;
	*tested = t;
	*untested = free_at_start > t - table ? free_at_start - (t - table) : 0;
}

void audit_run(void)
{
	uint32_t n = atomic_load(&cpus_online);
	uint64_t tested, untested;

	if (kcfg.audit == AUDIT_OFF)
		return;
	plan_patterns(&plan);
	kprintf("audit: %s, %u pass(es), patterns %s, %u CPUs",
		config_audit_name(kcfg.audit), kcfg.passes, plan.names, n);
	/* before the passes take all free memory: the uncached view's tables */
	if (ucview_prepare(n))
		kprintf("audit: no uncached view (no memory for its page tables)");
	if (!plan_table(&plan, &found)) {
		run_check(0, "audit_table_allocated");
		return;
	}
	uint64_t free_at_start = mm_free_frames();

	atomic_store(&reporting, 1);
	status_run_begin(&plan, kcfg.passes);
	journal_resume_mark();         /* resume=on: the pattern left out, SKIPPED */
	uint64_t t0 = rdtsc(), in_smp_run = 0;

	for (uint32_t pass = 0; pass < kcfg.passes; pass++) {
		in_smp_run += audit_pass(&plan, &found, stat, pass, n);
		audit_report_new_bad_frames(&found);
		cpuinfo_thermal("audit_pass");
	}
	ucview_report();
	totals(n, free_at_start, &tested, &untested);
	uint64_t t = rdtsc() - t0;

	stat[0].t[AUDIT_T_SERIAL] += t - in_smp_run;
	audit_report_result(&plan, &found, stat, n, tested, untested, tsc_to_us(t));
	status_run_end();
	atomic_store(&reporting, 0);
	audit_poison_check(&plan, &found);
	plan_table_free(&plan, &found);
	run_check(atomic_load(&found.errors) == 0, "audit_allocator_calls_succeed");
	mm_report_stats("after_audit");
}

void audit_add_bad_frame(uint64_t phys, uint32_t cpu, const char *source)
{
	uint64_t flags = spin_lock_irqsave(&found.bad_lock);
	uint64_t before = found.bad.n + found.bad.overflow;

	badlist_add(&found.bad, phys, 0, 0, cpu, source);
	int added = found.bad.n + found.bad.overflow != before || found.bad.overflow_saturated;

	/* outside the passes nobody else will tell it, nor count it */
	if (added && !atomic_load(&reporting)) {
		audit_report_new_bad_frames(&found);
		run.bad_frames = found.bad.n + found.bad.overflow;
	}
	spin_unlock_irqrestore(&found.bad_lock, flags);
	if (added && frame_mark_poisoned(phys & ~(PAGE_SIZE - 1)) != ALLOC_ERROR_NONE)
		atomic_fetch_add(&found.errors, 1);
}

uint64_t audit_test_block(uint64_t phys, uint8_t order)
{
	struct audit_span sp = audit_span_of(phys, order, 0);
	uint64_t before = found.bad.n + found.bad.overflow;

	audit_test_spans(&sp, 1, audit_quick_patterns(), 0, 0, &found);
	uint64_t n = found.bad.n + found.bad.overflow - before;

	if (n && !atomic_load(&reporting)) {
		uint64_t flags = spin_lock_irqsave(&found.bad_lock);

		audit_report_new_bad_frames(&found);
		run.bad_frames = found.bad.n + found.bad.overflow;
		spin_unlock_irqrestore(&found.bad_lock, flags);
	}
	return n;
}

const struct badlist *audit_bad_frames(void)
{
	return &found.bad;
}

uint32_t audit_bad_frames_copy(uint32_t from, struct bad_frame *out, uint32_t max,
			       uint64_t *total)
{
	uint64_t flags = spin_lock_irqsave(&found.bad_lock);
	uint32_t n = 0;

	for (uint32_t i = from; i < found.bad.n && n < max; i++)
		out[n++] = found.bad.f[i];
	*total = found.bad.n + found.bad.overflow;
	spin_unlock_irqrestore(&found.bad_lock, flags);
	return n;
}
