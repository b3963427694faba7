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
#include <kernel/config.h>
#include <kernel/cpu.h>
#include <kernel/progress.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/audit_status.h>
#include "audit_internal.h"

/* A pattern job with what the callbacks need (job first: they get &job). */
struct cpu_job {
	struct audit_job job;
	struct audit_findings *found;
	uint64_t work;                 /* progress total, in words */
	uint32_t pattern;              /* index of the running pattern */
	uint64_t pattern_start, pattern_words; /* MINIMAL status: its share of work */
};

/* ---- MINIMAL audit_status fill (screen branch; replaced by the audit's
 * per-pattern barriers): CPU 0's progress stands for every CPU's. */
static uint32_t status_sweeps; /* of the selected patterns, one pass */

void audit_status_begin(uint32_t patterns, uint32_t passes)
{
	audit_status.selected = patterns;
	audit_status.passes = passes;
	audit_status.start_tsc = rdtsc();
	status_sweeps = 0;
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		audit_status.p[i].state = patterns & (1u << i) ? PATTERN_PENDING : PATTERN_NOT_SELECTED;
		if (patterns & (1u << i))
			status_sweeps += audit_patterns[i].sweeps;
	}
	audit_status.running = 1;
}

static void status_progress(const struct cpu_job *cj, uint64_t words)
{
	struct audit_pattern_status *p = &audit_status.p[cj->pattern];
	uint64_t done = words - cj->pattern_start, before = 0;

	p->percent = cj->pattern_words ? (uint32_t)(done * 100 / cj->pattern_words) : 100;
	p->percent = p->percent > 100 ? 100 : p->percent;
	for (uint32_t i = 0; i < cj->pattern; i++)
		if (audit_status.selected & (1u << i))
			before += audit_patterns[i].sweeps;
	/* the run's fraction in 1/10000, sweeps as the unit of work */
	uint64_t total = (uint64_t)status_sweeps * audit_status.passes * 100;
	uint64_t at = ((uint64_t)(audit_status.pass - 1) * status_sweeps + before) * 100 +
		      (uint64_t)audit_patterns[cj->pattern].sweeps * p->percent;
	uint64_t spent = tsc_hz ? (rdtsc() - audit_status.start_tsc) / tsc_hz : 0;

	audit_status.eta_s = at ? spent * (total - at) / at : 0;
}

static void status_pattern(struct cpu_job *cj, uint32_t i, int done, uint64_t t0)
{
	struct audit_pattern_status *p = &audit_status.p[i];

	if (done) {
		p->state = PATTERN_DONE;
		p->percent = 100;
		p->ms = tsc_hz ? (rdtsc() - t0) * 1000 / tsc_hz : 0;
		return;
	}
	cj->pattern_start = cj->job.words_done;
	cj->pattern_words = cj->job.words_done + audit_patterns[i].sweeps * (cj->work / status_sweeps);
	cj->pattern_words -= cj->pattern_start;
	p->state = PATTERN_RUNNING;
	p->pass = audit_status.pass;
	p->percent = 0;
	audit_status.current = (int32_t)i;
}
/* ---- end of the MINIMAL fill */

/* A bad read: the frame is poisoned at once (allocated to us, the allocator
 * quarantines it when we free the block), the first time it is seen. */
static void on_bad(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual)
{
	struct audit_findings *f = ((struct cpu_job *)j)->found;
	uint64_t flags = spin_lock_irqsave(&f->bad_lock);
	uint64_t before = f->bad.n + f->bad.overflow;

	badlist_add(&f->bad, addr, expected, actual, this_cpu()->index, (const char *)j->ctx);
	__atomic_fetch_add(&audit_status.p[((struct cpu_job *)j)->pattern].errors, 1,
			   __ATOMIC_RELAXED); /* MINIMAL status */
	int poison = f->bad.n + f->bad.overflow != before || f->bad.overflow_saturated;

	spin_unlock_irqrestore(&f->bad_lock, flags);
	if (poison && frame_mark_poisoned(addr & ~(PAGE_SIZE - 1)) != ALLOC_ERROR_NONE)
		atomic_fetch_add(&f->errors, 1);
}

static void on_progress(struct audit_job *j, uint64_t words)
{
	if (this_cpu()->index == 0 && status_sweeps && audit_status.running)
		status_progress((struct cpu_job *)j, words); /* MINIMAL status */
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

	/* MINIMAL status: CPU 0 of a pass (work != 0) tells audit_status */
	int tell = work && status_sweeps && audit_status.running && this_cpu()->index == 0;

	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		uint64_t t0 = rdtsc();

		if (!(patterns & (1u << i)))
			continue;
		cj.job.ctx = (void *)audit_patterns[i].name;
		cj.pattern = i;
		if (tell)
			status_pattern(&cj, i, 0, t0);
		audit_patterns[i].run(&cj.job);
		if (tell)
			status_pattern(&cj, i, 1, t0);
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
	audit_status.pass = pass + 1; /* MINIMAL status */
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (audit_status.p[i].state == PATTERN_DONE)
			audit_status.p[i].state = PATTERN_PENDING;
	progress_begin("audit", ncpu);
	smp_run(pass_cpu, &ps);
	progress_end();
}
