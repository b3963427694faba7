/* The audit (audit.h). One pass:
 *  1. every CPU allocates blocks, largest order first, until the allocator is
 *     empty; each block goes into one shared table, tagged with its CPU;
 *  2. the boot CPU cuts the table into one run of blocks per CPU, of equal
 *     size (whoever allocated them: the boot CPU wins most of the race);
 *  3. every CPU runs the patterns over its run as one region;
 *  4. every CPU frees its blocks: a frame found bad was marked poisoned when
 *     it was found, so the allocator keeps it out and returns the rest.
 * While a CPU is at order k no block larger than k is free (it only drops to
 * k after order k+1 failed, and nothing is freed in step 1), so nothing is
 * split and the table needs no more entries than there were free blocks.
 * The table lives in a block allocated (and tested on its own) first; its
 * entries are the spans the patterns run over, so each CPU's blocks are tested
 * as one region (written in full before they are read back, which pushes the
 * data out of the caches). */
#include <mm/mm.h>
#include <kernel/audit.h>
#include <kernel/audit_pattern.h>
#include <kernel/badlist.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <lib/fmt.h>
#include <kernel/kmem.h>
#include <kernel/mminit.h>
#include <kernel/progress.h>
#include <kernel/run.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <lib/string.h>
#include <kernel/time.h>

struct cpu_stat {
	uint64_t frames, bytes_swept, cycles;
};

static struct {
	uint32_t patterns;                /* bit mask over audit_patterns */
	uint32_t sweeps;                  /* of the selected patterns */
	uint32_t pass;
	struct audit_span *table;
	uint64_t capacity;
	atomic_ulong used;
	uint64_t first[MAX_CPUS + 1];     /* table[first[c] .. first[c+1]) is CPU c's */
	atomic_ulong errors;              /* allocator calls that failed */
	struct barrier bar;
	struct spinlock bad_lock;
	struct badlist bad;
	struct cpu_stat stat[MAX_CPUS];
	uint64_t table_phys;
	uint8_t table_order;
	uint64_t tested_frames;           /* frames one pass tested */
	uint64_t free_at_start;           /* free frames when the passes began */
} A;

static uint32_t quick_patterns(void)
{
	uint32_t m = 0;

	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (audit_patterns[i].quick)
			m |= 1u << i;
	return m;
}

static uint32_t selected_patterns(void)
{
	if (kcfg.patterns)
		return kcfg.patterns;
	return kcfg.audit == AUDIT_FULL ? (1u << audit_pattern_count) - 1 : quick_patterns();
}

/* A bad read: the frame is poisoned at once (allocated to us, the allocator
 * quarantines it when we free the block), the first time it is seen. */
static void on_bad(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual)
{
	uint64_t f = spin_lock_irqsave(&A.bad_lock);
	uint64_t before = A.bad.n + A.bad.overflow;

	badlist_add(&A.bad, addr, expected, actual, this_cpu()->index, (const char *)j->ctx);
	int poison = A.bad.n + A.bad.overflow != before || A.bad.overflow_saturated;

	spin_unlock_irqrestore(&A.bad_lock, f);
	if (poison && frame_mark_poisoned(addr & ~(PAGE_SIZE - 1)) != ALLOC_ERROR_NONE)
		atomic_fetch_add(&A.errors, 1);
}

static uint64_t progress_total[MAX_CPUS];

static void on_progress(struct audit_job *j, uint64_t words)
{
	uint32_t me = this_cpu()->index;

	progress_update(me, words, progress_total[me]);
	(void)j;
}

/* Runs the selected patterns over `spans`. */
static void test_spans(struct audit_span *spans, uint32_t n, uint64_t seed)
{
	struct audit_job j = { spans, n, seed, on_bad, on_progress, 0, 0 };

	for (uint32_t s = 0; s < n; s++) {
		spans[s].ninj = 0;
		for (uint32_t k = 0; k < kcfg.ninject; k++)
			if (kcfg.inject[k].addr - spans[s].phys < spans[s].words * 8)
				spans[s].ninj = kcfg.ninject; /* audit_rd matches by address */
		spans[s].inj = spans[s].ninj ? kcfg.inject : 0;
	}
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		if (!(A.patterns & (1u << i)))
			continue;
		j.ctx = (void *)audit_patterns[i].name;
		audit_patterns[i].run(&j);
	}
}

static struct audit_span span_of(uint64_t phys, uint8_t order, uint32_t cpu)
{
	return (struct audit_span){ phys_to_virt(phys), phys, (PAGE_SIZE << order) / 8, 0, 0, cpu };
}

static uint8_t order_of(const struct audit_span *s)
{
	return kmem_order_for(s->words * 8);
}

/* Step 1: take blocks until the allocator is empty. */
static void grab_all(uint32_t me)
{
	struct frame_alloc_options o = frame_alloc_options_zeroed(frame_alloc_options_new(), false);
	struct phys_frame f;
	int order = MAX_ORDER;

	while (order >= 0) {
		o.order = (uint8_t)order;
		if (frame_alloc_options_allocate(&o, &f) != ALLOC_ERROR_NONE) {
			order--;
			continue;
		}
		uint64_t slot = atomic_fetch_add_explicit(&A.used, 1, memory_order_relaxed);

		if (slot >= A.capacity) {
			/* cannot happen by the argument above; stop safely if it does */
			atomic_fetch_sub_explicit(&A.used, 1, memory_order_relaxed);
			if (frame_free(f.start_address, (uint8_t)order) != ALLOC_ERROR_NONE)
				atomic_fetch_add(&A.errors, 1);
			break;
		}
		A.table[slot] = span_of(f.start_address, (uint8_t)order, me);
	}
}

/* Step 2 (boot CPU): equal shares of words, in table order. */
static void share_out(uint32_t ncpu)
{
	uint64_t used = atomic_load(&A.used), total = 0, acc = 0, i = 0;

	for (uint64_t k = 0; k < used; k++)
		total += A.table[k].words;
	for (uint32_t c = 0; c < ncpu; c++) {
		uint64_t goal = total * (c + 1) / ncpu, words = 0;

		A.first[c] = i;
		for (; i < used && (acc < goal || c == ncpu - 1); i++) {
			acc += A.table[i].words;
			words += A.table[i].words;
		}
		progress_total[c] = words * A.sweeps;
	}
	A.first[ncpu] = used;
}

static void pass_cpu(struct percpu *pc, void *arg)
{
	uint32_t me = pc->index, n = *(uint32_t *)arg;
	struct cpu_stat *st = &A.stat[me];

	barrier_wait(&A.bar, n);
	grab_all(me);
	barrier_wait(&A.bar, n);
	if (me == 0)
		share_out(n);
	barrier_wait(&A.bar, n);

	/* Step 3: this CPU's blocks, as one region */
	uint64_t lo = A.first[me], hi = A.first[me + 1], frames = 0;
	uint64_t t0 = rdtsc();

	for (uint64_t i = lo; i < hi; i++)
		frames += A.table[i].words * 8 / PAGE_SIZE;
	test_spans(&A.table[lo], (uint32_t)(hi - lo), (uint64_t)A.pass << 32 | me);
	st->cycles += rdtsc() - t0;
	st->frames += frames;
	st->bytes_swept += frames * PAGE_SIZE * A.sweeps;

	/* Step 4: give everything back; the poisoned frames stay out */
	barrier_wait(&A.bar, n);
	for (uint64_t i = lo; i < hi; i++) {
		const struct audit_span *e = &A.table[i];

		if (frame_free(e->phys, order_of(e)) != ALLOC_ERROR_NONE)
			atomic_fetch_add(&A.errors, 1);
	}
	pcpu_cache_drain_local();
}

/* The table: one block, itself tested with the quick patterns before use. */
static int table_alloc(void)
{
	struct mm_stats st;

	pcpu_cache_drain_all();
	mm_stats_read(&st);
	uint64_t blocks = 64;

	for (int o = 0; o <= MAX_ORDER; o++)
		blocks += st.free_blocks[o];
	uint64_t bytes = blocks * sizeof(struct audit_span);

	A.table_order = kmem_order_for(bytes);
	if (A.table_order > MAX_ORDER)
		A.table_order = MAX_ORDER;
	for (int tries = 0; tries < 4; tries++) {
		A.table_phys = kmem_alloc(A.table_order, FRAME_PURPOSE_KERNEL_DATA);
		if (!A.table_phys)
			return 0;
		struct audit_span sp = span_of(A.table_phys, A.table_order, 0);
		uint32_t before = A.bad.n;
		uint32_t saved = A.patterns;

		A.patterns = quick_patterns();
		test_spans(&sp, 1, 0);
		A.patterns = saved;
		if (A.bad.n == before)
			break;
		/* bad memory under the table (on_bad poisoned it): try again */
		if (kmem_free(A.table_phys, A.table_order) != ALLOC_ERROR_NONE)
			return 0;
		A.table_phys = 0;
	}
	if (!A.table_phys)
		return 0;
	uint64_t cap = (PAGE_SIZE << A.table_order) / sizeof(struct audit_span);

	A.capacity = cap < blocks ? cap : blocks;
	A.table = phys_to_virt(A.table_phys);
	return 1;
}

static void report_new_bad_frames(void)
{
	struct jw w;

	for (uint32_t i = 0; i < A.bad.n; i++) {
		struct bad_frame *f = &A.bad.f[i];

		if (f->reported)
			continue;
		f->reported = 1;
		kprintf("BAD FRAME 0x%llx: word 0x%llx read 0x%016llx, expected 0x%016llx (%s, cpu %u)",
			(unsigned long long)f->phys, (unsigned long long)f->addr,
			(unsigned long long)f->actual, (unsigned long long)f->expected, f->pattern,
			f->cpu);
		jw_begin(&w, "bad_frame");
		jw_u64(&w, "phys", f->phys);
		jw_u64(&w, "addr", f->addr);
		jw_u64(&w, "expected", f->expected);
		jw_u64(&w, "actual", f->actual);
		jw_u64(&w, "cpu", f->cpu);
		jw_str(&w, "pattern", f->pattern);
		event_emit(&w);
	}
}

/* Every free frame allocated once more: none may carry the poison guard. */
static void poison_check(void)
{
	struct frame_alloc_options o = frame_alloc_options_zeroed(frame_alloc_options_new(), false);
	struct phys_frame f;
	uint64_t n = 0, frames = 0, poisoned = 0;
	struct jw w;

	pcpu_cache_drain_all();
	for (int order = MAX_ORDER; order >= 0;) {
		o.order = (uint8_t)order;
		if (n == A.capacity || frame_alloc_options_allocate(&o, &f) != ALLOC_ERROR_NONE) {
			if (n == A.capacity)
				break;
			order--;
			continue;
		}
		A.table[n++] = span_of(f.start_address, (uint8_t)order, 0);
		for (uint64_t k = 0; k < (1ull << order); k++)
			poisoned += block_phys_has_poison_guard(f.start_address + k * PAGE_SIZE, 0);
		frames += 1ull << order;
	}
	for (uint64_t i = 0; i < n; i++)
		if (frame_free(A.table[i].phys, order_of(&A.table[i])) != ALLOC_ERROR_NONE)
			atomic_fetch_add(&A.errors, 1);
	pcpu_cache_drain_all();
	jw_begin(&w, "poison_check");
	jw_u64(&w, "allocated_all", frames);
	jw_u64(&w, "poisoned_seen", poisoned);
	jw_u64(&w, "free_after", mm_free_frames());
	event_emit(&w);
	run_check(poisoned == 0, "poison_check_no_poisoned_frame_handed_out");
	run_check(frames == mm_free_frames(), "poison_check_allocated_every_free_frame");
}

static void result_event(uint32_t n)
{
	static char memmap[1024], badram[1024];
	uint32_t om1, om2;
	uint64_t bytes = 0, cycles = 0;
	struct jw w;

	badlist_sort(&A.bad);
	badlist_memmap_param(&A.bad, memmap, sizeof(memmap), &om1);
	badlist_badram(&A.bad, badram, sizeof(badram), &om2);
	for (uint32_t c = 0; c < n; c++) {
		struct cpu_stat *s = &A.stat[c];
		uint64_t mibs = s->cycles ? s->bytes_swept * (tsc_hz / 1000) / s->cycles * 1000 >> 20
					  : 0;

		jw_begin(&w, "audit_cpu");
		jw_u64(&w, "cpu", c);
		jw_u64(&w, "tested_frames", s->frames);
		jw_u64(&w, "mib_per_s", mibs);
		event_emit(&w);
		bytes += s->bytes_swept;
		cycles = s->cycles > cycles ? s->cycles : cycles;
	}
	uint64_t total = cycles ? bytes * (tsc_hz / 1000) / cycles * 1000 >> 20 : 0;

	kprintf("audit: %llu frames tested, %u bad, %llu MiB/s in all",
		(unsigned long long)A.tested_frames, A.bad.n + (uint32_t)A.bad.overflow,
		(unsigned long long)total);
	if (A.bad.n)
		kprintf("audit: Linux: %s   GRUB: %s", memmap, badram);
	jw_begin(&w, "audit_result");
	jw_u64(&w, "tested_frames", A.tested_frames);
	/* free frames the passes could not take (a table too small for a huge
	 * machine); the table's own frames were tested before it held the list */
	jw_u64(&w, "untested_frames", A.free_at_start > A.tested_frames - (1ull << A.table_order)
					      ? A.free_at_start - (A.tested_frames - (1ull << A.table_order))
					      : 0);
	jw_u64(&w, "bad_frames", A.bad.n + A.bad.overflow);
	jw_u64(&w, "passes", kcfg.passes);
	jw_u64(&w, "mib_per_s", total);
	jw_str(&w, "memmap_param", memmap);
	jw_str(&w, "badram", badram);
	if (om1 || om2 || A.bad.overflow)
		jw_u64(&w, "ranges_omitted", om1 > om2 ? om1 : om2);
	event_emit(&w);
	run.bad_frames = A.bad.n + A.bad.overflow;
	run.tested_frames = A.tested_frames;
}

void audit_run(void)
{
	uint32_t n = atomic_load(&cpus_online);
	char names[128] = "";
	size_t len = 0;

	if (kcfg.audit == AUDIT_OFF)
		return;
	A.patterns = selected_patterns();
	A.sweeps = 0;
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (A.patterns & (1u << i)) {
			A.sweeps += audit_patterns[i].sweeps;
			len += ksnprintf(names + len, sizeof(names) - len, "%s%s", len ? "," : "",
					 audit_patterns[i].name);
		}
	kprintf("audit: %s, %u pass(es), patterns %s, %u CPUs",
		kcfg.audit == AUDIT_FULL ? "full" : "quick", kcfg.passes, names, n);
	if (!table_alloc()) {
		run_check(0, "audit_table_allocated");
		return;
	}
	A.free_at_start = mm_free_frames();
	for (A.pass = 0; A.pass < kcfg.passes; A.pass++) {
		atomic_store(&A.used, 0);
		progress_begin("audit", n);
		smp_run(pass_cpu, &n);
		progress_end();
		report_new_bad_frames();
	}
	A.tested_frames = 0;
	for (uint32_t c = 0; c < n; c++)
		A.tested_frames += A.stat[c].frames;
	A.tested_frames /= kcfg.passes; /* every pass tests all free RAM */
	A.tested_frames += 1ull << A.table_order; /* tested before it held the table */
	result_event(n);
	poison_check();
	if (kmem_free(A.table_phys, A.table_order) != ALLOC_ERROR_NONE)
		atomic_fetch_add(&A.errors, 1);
	run_check(atomic_load(&A.errors) == 0, "audit_allocator_calls_succeed");
	mm_report_stats("after_audit");
}

const struct badlist *audit_bad_frames(void)
{
	return &A.bad;
}
