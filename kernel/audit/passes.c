/* Running the audit's passes on every CPU (audit_internal.h). One pass:
 *  1. every CPU takes blocks until the allocator is empty (plan_grab); each
 *     block goes into the shared table, tagged with its CPU;
 *  2. the boot CPU cuts the table into one run of blocks per CPU, of equal
 *     size (plan_share);
 *  3. every CPU runs the patterns over its run as one region: each CPU's
 *     blocks are written in full before they are read back, which pushes the
 *     data out of the caches;
 *  4. every CPU frees its blocks: a frame found bad was marked poisoned when
 *     it was found, so the allocator keeps it out and returns the rest. */
#include <mm/mm.h>
#include <kernel/audit_status.h>
#include <kernel/config.h>
#include <kernel/journal.h>
#include <kernel/cpu.h>
#include <kernel/progress.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include "audit_internal.h"

/* A pattern job with what the callbacks need (job first: they get &job). */
struct cpu_job {
	struct audit_job job;
	struct audit_findings *found;
	uint64_t work;                 /* progress total, in words */
};

/* A bad read: the frame is poisoned at once (allocated to us, the allocator
 * quarantines it when we free the block), the first time it is seen. */
static void on_bad(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual)
{
	struct audit_findings *f = ((struct cpu_job *)j)->found;
	uint64_t flags = spin_lock_irqsave(&f->bad_lock);
	uint64_t before = f->bad.n + f->bad.overflow;

	badlist_add(&f->bad, addr, expected, actual, this_cpu()->index, (const char *)j->ctx);
	int poison = f->bad.n + f->bad.overflow != before || f->bad.overflow_saturated;

	spin_unlock_irqrestore(&f->bad_lock, flags);
	if (poison && before == 0)
		journal_bad_frame();
	if (poison && frame_mark_poisoned(addr & ~(PAGE_SIZE - 1)) != ALLOC_ERROR_NONE)
		atomic_fetch_add(&f->errors, 1);
}

static void on_progress(struct audit_job *j, uint64_t words)
{
	progress_update(this_cpu()->index, words, ((struct cpu_job *)j)->work);
}

/* inject_fault=: the configured bits flipped in RAM in the span just written
 * (audit_pattern.h); the read-back that finds them is the production one. */
static void on_written(struct audit_job *j, const struct audit_span *s)
{
	(void)j;
	audit_inject_into_span(kcfg.inject, kcfg.ninject, s);
}

void audit_test_spans(struct audit_span *spans, uint32_t n, uint32_t patterns, uint64_t seed,
		      uint64_t work, struct audit_findings *f)
{
	struct cpu_job cj = { .job = { .spans = spans, .nspans = n, .seed = seed, .bad = on_bad,
				       .progress = on_progress,
				       .written = kcfg.ninject ? on_written : 0 },
			      .found = f, .work = work };

	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		if (!(patterns & (1u << i)))
			continue;
		cj.job.ctx = (void *)audit_patterns[i].name;
		if (work && this_cpu()->index == 0)
			audit_status.current = (int32_t)i; /* (audit_status's own fill replaces this) */
		audit_patterns[i].run(&cj.job);
	}
}

/* One pass, as every CPU sees it: on the boot CPU's stack while smp_run
 * waits for all of them. */
struct pass {
	struct audit_plan *plan;
	struct audit_findings *found;
	struct audit_cpu_stat *stat;
	uint32_t number, ncpu;
	struct barrier bar;
};

static void pass_cpu(struct percpu *pc, void *arg)
{
	struct pass *ps = arg;
	struct audit_plan *p = ps->plan;
	uint32_t me = pc->index, n = ps->ncpu;
	struct audit_cpu_stat *st = &ps->stat[me];

	barrier_wait(&ps->bar, n);
	plan_grab(p, ps->found, me);
	barrier_wait(&ps->bar, n);
	if (me == 0)
		plan_share(p, n);
	barrier_wait(&ps->bar, n);

	/* step 3: this CPU's blocks, as one region */
	uint64_t lo = p->first[me], hi = p->first[me + 1], frames = 0;
	uint64_t t0 = rdtsc();

	for (uint64_t i = lo; i < hi; i++)
		frames += p->table[i].words * 8 / PAGE_SIZE;
	audit_test_spans(&p->table[lo], (uint32_t)(hi - lo), p->patterns,
			 (uint64_t)ps->number << 32 | me, p->work[me], ps->found);
	st->cycles += rdtsc() - t0;
	st->frames += frames;
	st->bytes_swept += frames * PAGE_SIZE * p->sweeps;

	/* step 4: give everything back; the poisoned frames stay out */
	barrier_wait(&ps->bar, n);
	for (uint64_t i = lo; i < hi; i++) {
		const struct audit_span *e = &p->table[i];

		if (frame_free(e->phys, audit_span_order(e)) != ALLOC_ERROR_NONE)
			atomic_fetch_add(&ps->found->errors, 1);
	}
	pcpu_cache_drain_local();
}

void audit_pass(struct audit_plan *p, struct audit_findings *f, struct audit_cpu_stat *stat,
		uint32_t pass, uint32_t ncpu)
{
	struct pass ps = { p, f, stat, pass, ncpu, { 0, 0 } };

	plan_begin_pass(p);
	progress_begin("audit", ncpu);
	smp_run(pass_cpu, &ps);
	progress_end();
}
