/* Running the audit's passes on every CPU (audit_internal.h). One pass:
 *  1. every CPU takes blocks until the allocator is empty (plan_grab); each
 *     block goes into the shared table, tagged with its CPU;
 *  2. the boot CPU cuts the table into one share of blocks per CPU, of equal
 *     size (plan_share);
 *  3. pattern by pattern, one barrier after each: every CPU runs pattern i
 *     over its share in slices (audit_slices.h), then takes the slices other
 *     CPUs have not started yet (CPUs do not run at one speed: an emulator's
 *     vCPUs least of all); a slice is a region of its own, written in full
 *     before it is read back, which pushes the data out of the caches. A
 *     pattern of several phases (own_address: write all, check all) runs
 *     each phase so over all memory, a barrier between; a pattern that rests
 *     (bit_fade: audit_pattern.one_region) runs over each CPU's whole share
 *     instead. Each CPU reads its thermal sensor and waits at the barrier;
 *     no CPU starts pattern i+1 before every CPU has finished pattern i, so
 *     a pattern's figures are its own. Past the barrier the boot CPU tells
 *     them (audit_pattern_done) while the others go on with pattern i+1,
 *     unless the journal is due (journal_step_due): then every CPU stops at
 *     a safe point for its write (safe_point);
 *  4. every CPU frees its blocks: a frame found bad was marked poisoned when
 *     it was found, so the allocator keeps it out and returns the rest. */
#include <mm/mm.h>
#include <kernel/audit_slices.h>
#include <kernel/bssave.h>
#include <kernel/config.h>
#include <kernel/coverage.h>
#include <kernel/journal.h>
#include <kernel/lapic.h>
#include <kernel/cpu.h>
#include <kernel/cpuinfo.h>
#include <kernel/faulttest.h>
#include <kernel/progress.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include "audit_internal.h"

/* Slices of CPU c's share (audit_slices.h: at most AUDIT_SLICES, none
 * smaller than ps->slice_min, twice the last-level cache or 32 MiB). */
static uint32_t slices_in(const struct audit_plan *p, uint32_t c, uint64_t slice_min)
{
	uint64_t words = 0;

	for (uint64_t x = p->first[c]; x < p->first[c + 1]; x++)
		words += p->table[x].words;
	return audit_slices(words * 8, slice_min);
}

/* A pass's progress, all CPUs together (a CPU may sweep more or less than
 * its share). */
struct pass_progress {
	atomic_ulong done;             /* words swept, every CPU, this pass */
	uint64_t total;                /* words the pass sweeps */
	uint64_t pattern_start;        /* `done` when the pattern running began */
	uint64_t pattern_words;        /* words it sweeps, all CPUs */
};

/* A pattern job with what the callbacks need (job first: they get &job). */
struct cpu_job {
	struct audit_job job;
	struct audit_findings *found;
	uint64_t work;                 /* progress total, in words (no `shared`) */
	atomic_ulong *errors;          /* bad reads of the pattern running (NULL: none) */
	int32_t pattern;               /* its index, for the error detail and status (-1: none) */
	struct pass_progress *shared;  /* a pass's job: progress counted there */
	uint64_t reported;             /* words_done already added to shared->done */
};

/* A bad read: counted in the error detail; the frame is poisoned at once
 * (allocated to us, the allocator quarantines it when we free the block),
 * the first time it is seen. */
static void on_bad(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual)
{
	struct cpu_job *cj = (struct cpu_job *)j;
	struct audit_findings *f = cj->found;
	const char *name = j->ctx;
	uint32_t no = cj->pattern >= 0 ? (uint32_t)cj->pattern : BADLIST_NO_PATTERN;
	uint64_t flags = spin_lock_irqsave(&f->bad_lock);
	uint64_t before = f->bad.n + f->bad.overflow;

	badlist_read(&f->bad, addr, expected, actual, this_cpu()->index, name, no);
	int poison = f->bad.n + f->bad.overflow != before || f->bad.overflow_saturated;

	spin_unlock_irqrestore(&f->bad_lock, flags);
	if (cj->errors)
		atomic_fetch_add_explicit(cj->errors, 1, memory_order_relaxed); /* a count */
	if (poison && before == 0)
		journal_bad_frame();
	if (poison && frame_mark_poisoned(addr & ~(PAGE_SIZE - 1)) != ALLOC_ERROR_NONE)
		atomic_fetch_add(&f->errors, 1);
}

static void on_progress(struct audit_job *j, uint64_t words)
{
	struct cpu_job *cj = (struct cpu_job *)j;
	struct pass_progress *sh = cj->shared;
	uint32_t me = this_cpu()->index;

	if (!sh) {                     /* a block test's job */
		progress_update(me, words, cj->work);
		return;
	}
	uint64_t done = atomic_fetch_add_explicit(&sh->done, words - cj->reported,
						  memory_order_relaxed) + words - cj->reported;

	cj->reported = words;
	progress_update(me, done < sh->total ? done : sh->total, sh->total);
	fault_test_mid_audit(me);
	/* audit_status has one writer, the boot CPU */
	if (me == 0 && cj->pattern >= 0 && sh->pattern_words) {
		uint64_t in = done - sh->pattern_start;

		status_pattern_progress((uint32_t)cj->pattern,
					(uint32_t)((in < sh->pattern_words ? in : sh->pattern_words) *
						   100 / sh->pattern_words));
	}
}

/* inject_fault=: the configured bits flipped in RAM in the span just written
 * (audit_pattern.h); the read-back that finds them is the production one. */
static void on_written(struct audit_job *j, const struct audit_span *s)
{
	(void)j;
	audit_inject_into_span(kcfg.inject, kcfg.ninject, s);
}

static struct cpu_job job_for(struct audit_span *spans, uint32_t n, uint64_t seed, uint64_t work,
			      struct audit_findings *f)
{
	return (struct cpu_job){ .job = { .spans = spans, .nspans = n, .seed = seed, .bad = on_bad,
					  .progress = on_progress,
					  .written = kcfg.ninject ? on_written : 0,
					  .rest = audit_rest,
					  .bit_fade_seconds = kcfg.bit_fade_seconds,
					  .uncached = audit_uncached,
					  .uncached_end = audit_uncached_end },
				 .found = f, .work = work, .pattern = -1 };
}

static void run_pattern(struct cpu_job *cj, uint32_t i, uint32_t iterations)
{
	cj->pattern = (int32_t)i;
	cj->job.ctx = (void *)audit_patterns[i].name;
	cj->job.iterations = iterations;
	audit_patterns[i].run(&cj->job);
}

const char *const audit_time_names[AUDIT_TIMES] = {
	[AUDIT_T_GRAB] = "grab", [AUDIT_T_SWEEP] = "sweep", [AUDIT_T_WAIT] = "wait",
	[AUDIT_T_MARK] = "mark", [AUDIT_T_FREE] = "free", [AUDIT_T_SHARE] = "share",
	[AUDIT_T_SAFE] = "safe", [AUDIT_T_JOIN] = "join", [AUDIT_T_SERIAL] = "serial",
};

/* The time since *t goes to step k of st; *t moves on to now (one rdtsc). */
static inline void lap(struct audit_cpu_stat *st, enum audit_time k, uint64_t *t)
{
	uint64_t now = rdtsc();

	st->t[k] += now - *t;
	*t = now;
}

/* What the coverage report counts: every span the patterns ran over. */
static void mark_tested(const struct audit_span *spans, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		coverage_mark_tested(spans[i].phys, spans[i].words * 8 / PAGE_SIZE);
}

void audit_test_spans(struct audit_span *spans, uint32_t n, uint32_t patterns, uint64_t seed,
		      uint64_t work, struct audit_findings *f)
{
	struct cpu_job cj = job_for(spans, n, seed, work, f);

	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (patterns & (1u << i))
			run_pattern(&cj, i, 1);
	mark_tested(spans, n);
}

/* One pass, as every CPU sees it: on the boot CPU's stack while smp_run
 * waits for all of them. */
struct pass {
	struct audit_plan *plan;
	struct audit_findings *found;
	struct audit_cpu_stat *stat;
	uint32_t number, ncpu;
	uint64_t slice_min;            /* bytes (audit_slice_min) */
	struct barrier bar;
	uint64_t t0;                   /* when the pattern running began (boot CPU) */
	uint64_t boot_cycles;          /* the boot CPU's time in pass_cpu */
	bool swap_shared;              /* the journal's trade is every CPU's (safe_point) */
	atomic_uint halted;            /* CPUs halted at the safe points so far (wait_told) */
	atomic_uint told;              /* 1 + the last pattern the boot CPU told */
	uint32_t points;               /* safe points so far (boot CPU) */
	/* Two of each below: a CPU done with stage s (a pattern, or a phase of
	 * one) goes on to s + 1 while the boot CPU still tells s's figures, so
	 * stage s + 1 uses the other one; stage s + 2 may use s's again, since
	 * nobody starts it before the boot CPU has passed s + 1's barrier. */
	uint8_t write[2];              /* stage s ends at a safe point with a journal
					* write: [s & 1], set by the boot CPU before
					* that stage's barrier */
	atomic_ulong errors[2];        /* bad reads of the k-th pattern of the pass,
					* all CPUs: [k & 1] */
	struct pass_progress prog;
	atomic_uint next[2][MAX_CPUS]; /* slices of CPU c's share taken, stage s: [s & 1] */
	int32_t temp_c[2][MAX_CPUS];   /* each CPU's reading after the k-th pattern
					* (INT32_MIN: none): [k & 1] */
};

/* What the boot CPU's last safe point with a journal write took (TSC), every
 * CPU's trade of boot-services memory and the call: journal_step_due weighs
 * the record's age against it. */
static uint64_t write_cost;

/* Boot CPU: pattern i begins (its time began at ps->t0). */
static void pattern_begin(struct pass *ps, uint32_t i)
{
	struct pass_progress *pr = &ps->prog;

	status_pattern_begin(i);
	pr->pattern_start += pr->pattern_words;  /* where the pattern before ended */
	pr->pattern_words = ps->plan->words_total * plan_pattern_sweeps(ps->plan, i, ps->number);
}

/* Boot CPU, just past the barrier after pattern i (the k-th of this pass),
 * at `end`: it is over on every CPU. The others may be in the next one. */
static void pattern_over(struct pass *ps, uint32_t i, uint32_t k, uint64_t end, bool journal)
{
	struct audit_plan *p = ps->plan;
	struct pattern_result r = {
		.pattern = i, .pass = ps->number, .cycles = end - ps->t0,
		.bytes_swept = p->words_total * 8 * plan_pattern_sweeps(p, i, ps->number),
		.errors = atomic_exchange(&ps->errors[k & 1], 0), .temp_c = INT32_MIN,
		.journal = journal,
	};

	for (uint32_t c = 0; c < ps->ncpu && c < MAX_CPUS; c++)
		r.temp_c = ps->temp_c[k & 1][c] > r.temp_c ? ps->temp_c[k & 1][c] : r.temp_c;
	audit_pattern_done(&r);
}

/* Every CPU: the stage (a pattern, or a phase of one) this CPU is in is
 * done on every CPU. The boot CPU clears that stage's slice counters for
 * stage + 2 (the others may be in stage + 1 already). */
static void stage_end(struct pass *ps, uint32_t me, uint32_t *stage)
{
	barrier_wait(&ps->bar, ps->ncpu);
	if (me == 0)
		for (uint32_t c = 0; c < ps->ncpu; c++)
			atomic_store_explicit(&ps->next[*stage & 1][c], 0, memory_order_relaxed);
	++*stage;
}

/* Every CPU but the boot CPU, while it tells pattern i's end: counted in
 * ps->halted, then halted until it says `told` and sends IPI_WAKEUP. No CPU
 * spins meanwhile: an emulator (QEMU's TCG) runs the firmware's flash writes
 * many times slower while other vCPUs spin, and a real machine saves the
 * power. The check runs with interrupts off and `sti; hlt` opens them only
 * for the halt, so an IPI sent after the check still ends it. */
static void wait_told(struct pass *ps, uint32_t i)
{
	atomic_fetch_add_explicit(&ps->halted, 1, memory_order_release);
	for (;;) {
		__asm__ volatile("cli" : : : "memory");
		/* acquire: what the boot CPU wrote before telling is visible */
		if (atomic_load_explicit(&ps->told, memory_order_acquire) > i)
			return;
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	}
}

/* Every CPU, pattern i over on all of them and told (pattern_over), when
 * the journal is due (journal_step_due): the boot CPU writes it
 * (journal_step), the others halted (wait_told). The journal's runtime call needs boot-services memory as the
 * firmware left it (bssave.h). Where bs_swap_shared allows, every CPU trades
 * its share of that memory in before and back out after (a serial trade of
 * tens of MiB otherwise, every other CPU waiting); else the call trades it
 * alone, once every other CPU is halted and touches nothing (not even its
 * stack, which may lie in that memory) until it is told. */
static void safe_point(struct pass *ps, uint32_t me, uint32_t i, struct audit_cpu_stat *st,
		       uint64_t *t)
{
	uint32_t n = ps->ncpu;
	bool share = ps->swap_shared;

	if (share) {
		bs_swap_part(me, n, 1);
		lap(st, AUDIT_T_SAFE, t);
		barrier_wait(&ps->bar, n);
		lap(st, AUDIT_T_WAIT, t);
	}
	if (me == 0) {
		/* every other CPU of this safe point counted: none runs on anything
		 * the call's trade could move (acquire: pairs with their count) */
		ps->points++;
		while (atomic_load_explicit(&ps->halted, memory_order_acquire) < (n - 1) * ps->points)
			cpu_relax();
		if (share)
			bs_swap_end(1);
		journal_step();
		atomic_store_explicit(&ps->told, i + 1, memory_order_release);
		if (n > 1)
			lapic_send_ipi(0, ICR_FIXED | ICR_ALL_BUT_SELF | IPI_WAKEUP);
		lap(st, AUDIT_T_SAFE, t);
	} else {
		wait_told(ps, i);
		lap(st, AUDIT_T_WAIT, t);
	}
	if (!share)
		return;
	bs_swap_part(me, n, 0);
	lap(st, AUDIT_T_SAFE, t);
	barrier_wait(&ps->bar, n);
	lap(st, AUDIT_T_WAIT, t);
	if (me == 0) {
		bs_swap_end(0);
		lap(st, AUDIT_T_SAFE, t);
	}
}

/* Pattern i (its phase `phase`, 0: all), step 3: this CPU's share, slice by
 * slice, then the slices of the others' not yet taken (each takes from the
 * next CPUs round, so two thieves rarely meet); the words of the slices it
 * ran. */
static uint64_t run_share(struct pass *ps, struct cpu_job *cj, uint32_t me, uint32_t i,
			  uint32_t phase, uint32_t stage, struct audit_cpu_stat *st)
{
	struct audit_plan *p = ps->plan;
	uint32_t n = ps->ncpu, iterations = plan_iterations(p, i, ps->number);
	uint64_t words = 0;

	cj->job.phase = phase;
	if (audit_patterns[i].one_region || n == 1) {
		uint64_t lo = p->first[me], hi = p->first[me + 1];

		cj->job.spans = &p->table[lo];
		cj->job.nspans = (uint32_t)(hi - lo);
		run_pattern(cj, i, iterations);
		for (uint64_t x = lo; x < hi; x++)
			words += p->table[x].words;
		return words;
	}
	for (uint32_t k = 0; k < n; k++) {
		uint32_t c = (me + k) % n, s, ns = slices_in(p, c, ps->slice_min);
		uint64_t lo = p->first[c], count = p->first[c + 1] - lo;

		while ((s = atomic_fetch_add_explicit(&ps->next[stage & 1][c], 1,
						      memory_order_relaxed)) < ns) {
			uint64_t a = lo + count * s / ns, b = lo + count * (s + 1) / ns;

			if (a == b)
				continue;
			cj->job.spans = &p->table[a];
			cj->job.nspans = (uint32_t)(b - a);
			run_pattern(cj, i, iterations);
			st->slices++;
			st->slices_taken += c != me;
			for (uint64_t x = a; x < b; x++)
				words += p->table[x].words;
		}
	}
	return words;
}

/* Pattern i on this CPU: its phases one after the other, every CPU done
 * with a phase (over all memory) before any starts the next, each phase a
 * stage (*stage counts them; the pattern's last one ends in pass_cpu); the
 * bytes this CPU swept. */
static uint64_t run_phases(struct pass *ps, struct cpu_job *cj, uint32_t me, uint32_t i,
			   struct audit_cpu_stat *st, uint64_t *t, uint32_t *stage)
{
	uint32_t phases = audit_patterns[i].phases > 1 && ps->ncpu > 1 ? audit_patterns[i].phases
									: 0;
	uint64_t sweeps = plan_pattern_sweeps(ps->plan, i, ps->number), bytes = 0;

	if (!phases)
		return run_share(ps, cj, me, i, 0, *stage, st) * sweeps * 8;
	for (uint32_t k = 1; k <= phases; k++) {
		if (k > 1) {
			lap(st, AUDIT_T_SWEEP, t);
			stage_end(ps, me, stage);   /* phase k-1 done everywhere */
			lap(st, AUDIT_T_WAIT, t);
		}
		bytes += run_share(ps, cj, me, i, k, *stage, st) * sweeps / phases * 8;
	}
	cj->job.phase = 0;
	return bytes;
}

static void pass_cpu(struct percpu *pc, void *arg)
{
	struct pass *ps = arg;
	struct audit_plan *p = ps->plan;
	uint32_t me = pc->index, n = ps->ncpu;
	struct audit_cpu_stat *st = &ps->stat[me];
	uint64_t t = rdtsc(), entered = t;

	barrier_wait(&ps->bar, n);
	lap(st, AUDIT_T_WAIT, &t);
	plan_grab(p, ps->found, me);
	lap(st, AUDIT_T_GRAB, &t);
	barrier_wait(&ps->bar, n);
	lap(st, AUDIT_T_WAIT, &t);
	if (me == 0) {
		plan_share(p, n);
		ps->prog.total = p->words_total * p->sweeps;
		lap(st, AUDIT_T_SHARE, &t);
	}
	barrier_wait(&ps->bar, n);
	lap(st, AUDIT_T_WAIT, &t);
	if (me == 0)
		ps->t0 = t;            /* the first pattern begins */

	/* step 3: pattern by pattern, this CPU's share and what it can take */
	uint64_t lo = p->first[me], hi = p->first[me + 1], words = 0;
	struct cpu_job cj = job_for(&p->table[lo], (uint32_t)(hi - lo),
				    (uint64_t)ps->number << 32 | me, 0 /* progress: ps->prog */,
				    ps->found);
	uint32_t k = 0, stage = 0;     /* patterns and stages run so far */

	cj.shared = &ps->prog;
	for (uint64_t i = lo; i < hi; i++)
		words += p->table[i].words;
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		if (!(p->patterns & (1u << i)))
			continue;
		if (me == 0)
			pattern_begin(ps, i);
		cj.errors = &ps->errors[k & 1];
		lap(st, AUDIT_T_SAFE, &t);
		uint64_t t0 = t, waited = st->t[AUDIT_T_WAIT];

		st->bytes_swept += run_phases(ps, &cj, me, i, st, &t, &stage);
		/* a rest (bit_fade) and the waits between phases are not sweeping:
		 * kept out of the MiB/s */
		st->cycles += rdtsc() - t0 - audit_rest_cycles_take(me) -
			      (st->t[AUDIT_T_WAIT] - waited);
		ps->temp_c[k & 1][me] = cpuinfo_temp_c();
		lap(st, AUDIT_T_SWEEP, &t);
		uint8_t *write = &ps->write[stage & 1];

		if (me == 0)           /* before the barrier: every CPU reads it after */
			*write = (uint8_t)journal_step_due(write_cost);
		stage_end(ps, me, &stage);     /* every CPU is done with pattern i */
		lap(st, AUDIT_T_WAIT, &t);
		if (me == 0) {
			pattern_over(ps, i, k, t, *write);
			ps->t0 = t;            /* the next pattern's time begins */
		}
		if (*write) {
			uint64_t w0 = t;

			safe_point(ps, me, i, st, &t);
			if (me == 0)
				ps->t0 = t, write_cost = t - w0;
		}
		k++;
	}
	lap(st, AUDIT_T_SAFE, &t);
	st->frames += words * 8 / PAGE_SIZE;
	mark_tested(&p->table[lo], hi - lo);
	lap(st, AUDIT_T_MARK, &t);

	/* step 4: give everything back; the poisoned frames stay out */
	barrier_wait(&ps->bar, n);
	lap(st, AUDIT_T_WAIT, &t);
	for (uint64_t i = lo; i < hi; i++) {
		const struct audit_span *e = &p->table[i];

		if (frame_free(e->phys, audit_span_order(e)) != ALLOC_ERROR_NONE)
			atomic_fetch_add(&ps->found->errors, 1);
	}
	pcpu_cache_drain_local();
	lap(st, AUDIT_T_FREE, &t);
	if (me == 0)
		ps->boot_cycles = t - entered;
}

uint64_t audit_pass(struct audit_plan *p, struct audit_findings *f, struct audit_cpu_stat *stat,
		    uint32_t pass, uint32_t ncpu)
{
	static struct pass ps;         /* too big for the stack with MAX_CPUS readings */

	ps = (struct pass){ .plan = p, .found = f, .stat = stat, .number = pass, .ncpu = ncpu,
			    .swap_shared = kcfg.save_report && bs_swap_shared(),
			    .slice_min = audit_slice_min(cpuinfo_caches()) };
	plan_begin_pass(p, pass);
	status_pass_begin(pass);
	progress_set_eta(status_eta_s);
	progress_begin("audit", ncpu);
	uint64_t t = rdtsc();

	smp_run(pass_cpu, &ps);
	t = rdtsc() - t;
	stat[0].t[AUDIT_T_JOIN] += t - ps.boot_cycles;
	progress_end();
	return t;
}
