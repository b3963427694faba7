/* All-core allocator stress (stress.h). Cross-CPU traffic goes through one
 * mailbox per CPU (a small ring under a spinlock): the sender has already
 * recorded the frame's generation, the receiver checks it and frees or drops
 * its reference. Each CPU drains its own mailbox after a barrier, when no CPU
 * can send any more, so nothing is left in flight. */
#include <kernel/stress.h>
#include <mm/mm.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <kernel/mminit.h>
#include <kernel/progress.h>
#include <kernel/run.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>

#define HELD_MAX   48   /* blocks a CPU holds at once */
#define MAILBOX    128
#define MAX_ORDER_STRESS 9

struct item {
	uint64_t phys;
	uint32_t gen;
	uint8_t order;
	uint8_t shared;    /* 1: drop a reference (frame_dec_ref), 0: free */
};

struct mailbox {
	struct spinlock lock;
	uint32_t head, count;
	struct item slot[MAILBOX];
};

struct cpu_result {
	uint64_t ops, allocs, frees, handoffs, shared, gen_mismatch, errors, oom, cycles;
	uint64_t t_start, t_end;  /* TSC, for the run's wall time (stress_total) */
};

/* One per online CPU, from kmem for the run: as a static array for MAX_CPUS
 * they would be 2 MiB of BSS on every machine. */
static struct mailbox *boxes;
static struct cpu_result results[MAX_CPUS];
static struct barrier bar;
static uint64_t ops_per_cpu;

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64: cheap, per CPU, good enough to mix operations */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int post(uint32_t cpu, struct item it)
{
	struct mailbox *m = &boxes[cpu];
	uint64_t f = spin_lock_irqsave(&m->lock);
	int ok = m->count < MAILBOX;

	if (ok)
		m->slot[(m->head + m->count++) % MAILBOX] = it;
	spin_unlock_irqrestore(&m->lock, f);
	return ok;
}

static int take(uint32_t cpu, struct item *it)
{
	struct mailbox *m = &boxes[cpu];
	uint64_t f = spin_lock_irqsave(&m->lock);
	int ok = m->count > 0;

	if (ok) {
		*it = m->slot[m->head];
		m->head = (m->head + 1) % MAILBOX;
		m->count--;
	}
	spin_unlock_irqrestore(&m->lock, f);
	return ok;
}

/* Lets go of one block: free it, or drop one shared reference. */
static void release(struct cpu_result *r, struct item it)
{
	enum alloc_error e;

	if (!meta_generation_matches(it.phys, it.gen))
		r->gen_mismatch++;
	e = it.shared ? frame_dec_ref(it.phys) : frame_free(it.phys, it.order);
	if (e != ALLOC_ERROR_NONE)
		r->errors++;
	else
		r->frees++;
}

static uint8_t pick_order(uint64_t *seed)
{
	uint64_t x = rnd(seed) % 100;

	if (x < 80)
		return 0;
	if (x < 95)
		return 1 + rnd(seed) % 3;
	return 4 + rnd(seed) % (MAX_ORDER_STRESS - 3);
}

static void stress_cpu(struct percpu *pc, void *arg)
{
	uint32_t n = *(uint32_t *)arg, me = pc->index;
	struct cpu_result *r = &results[me];
	struct item held[HELD_MAX], it;
	uint32_t nheld = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (me + 1);
	struct frame_alloc_options o = frame_alloc_options_zeroed(frame_alloc_options_new(), false);

	barrier_wait(&bar, n);
	uint64_t t0 = rdtsc();

	r->t_start = t0;

	uint64_t step = ops_per_cpu / 100 ? ops_per_cpu / 100 : 1;

	for (uint64_t i = 0; i < ops_per_cpu; i++, r->ops++) {
		if (i % step == 0)
			progress_update(me, i, ops_per_cpu);
		while (take(me, &it))
			release(r, it);
		uint64_t x = rnd(&seed) % 100;

		if (nheld < HELD_MAX && (nheld == 0 || x < 50)) {
			struct phys_frame f;

			o.order = pick_order(&seed);
			if (frame_alloc_options_allocate(&o, &f) != ALLOC_ERROR_NONE) {
				r->oom++;
				continue;
			}
			r->allocs++;
			held[nheld++] = (struct item){ f.start_address,
						       meta_slot_generation(get_meta_slot(f.start_address)),
						       o.order, 0 };
			continue;
		}
		uint32_t k = rnd(&seed) % nheld;

		it = held[k];
		held[k] = held[--nheld];
		if (n > 1 && x < 70) {
			/* hand the block to another CPU to free */
			uint32_t to = (me + 1 + rnd(&seed) % (n - 1)) % n;

			if (post(to, it)) {
				r->handoffs++;
				continue;
			}
		} else if (n > 1 && x < 80 && it.order == 0) {
			/* share it: each of `ways` CPUs drops one reference */
			uint32_t ways = 2 + rnd(&seed) % (n < 4 ? n - 1 : 3), sent = 0;

			it.shared = 1;
			for (uint32_t w = 1; w < ways; w++) {
				if (frame_inc_ref(it.phys) != ALLOC_ERROR_NONE) {
					r->errors++;
					break;
				}
				if (!post((me + w) % n, it)) {
					/* mailbox full: drop that reference here */
					release(r, it);
					continue;
				}
				sent++;
			}
			r->shared += sent;
		}
		release(r, it);
	}
	r->t_end = rdtsc();
	r->cycles = r->t_end - t0;
	progress_update(me, ops_per_cpu, ops_per_cpu);
	for (uint32_t k = 0; k < nheld; k++)
		release(r, held[k]);
	barrier_wait(&bar, n);   /* nobody posts any more */
	while (take(me, &it))
		release(r, it);
	pcpu_cache_drain_local();
}

/* The whole machine's throughput: all CPUs' operations over the wall time
 * from the first CPU's start to the last CPU's end (TSCs are synchronised;
 * `make bench` compares this figure across CPU counts). */
static void total_event(uint32_t n, uint64_t ops, uint64_t us)
{
	struct jw w;

	jw_begin(&w, "stress_total");
	jw_u64(&w, "cpus", n);
	jw_u64(&w, "ops", ops);
	jw_u64(&w, "us", us);
	jw_u64(&w, "ops_per_s", us ? ops * 1000000 / us : 0);
	event_emit(&w);
}

static uint64_t quarantined_frames(void)
{
	struct mm_stats st;

	mm_stats_read(&st);
	return st.quarantined_frames;
}

void stress_run(uint64_t ops)
{
	uint32_t n = atomic_load(&cpus_online);
	struct jw w;

	if (!ops)
		return;
	uint8_t box_order = kmem_order_for((uint64_t)n * sizeof(struct mailbox));
	uint64_t box_phys = kmem_alloc(box_order, FRAME_PURPOSE_KERNEL_DATA);

	run_check(box_phys != 0, "stress_mailboxes_allocated");
	if (!box_phys)
		return;
	boxes = phys_to_virt(box_phys); /* zeroed: empty, unlocked */
	pcpu_cache_drain_all();
	uint64_t before = mm_free_frames(), q_before = quarantined_frames();

	ops_per_cpu = ops;
	kprintf("stress: %llu operations on each of %u CPUs", (unsigned long long)ops, n);
	progress_begin("stress", n);
	smp_run(stress_cpu, &n);
	progress_end();
	pcpu_cache_drain_all();

	uint64_t after = mm_free_frames(), mismatches = 0, errors = 0;
	/* free frames poisoned while the stress ran (a machine check) left the
	 * free lists for the quarantine: withheld, not lost */
	uint64_t withheld = quarantined_frames() - q_before;
	uint64_t ops_total = 0, t_first = UINT64_MAX, t_last = 0;

	for (uint32_t c = 0; c < n; c++) {
		struct cpu_result *r = &results[c];

		jw_begin(&w, "stress");
		jw_u64(&w, "cpu", c);
		jw_u64(&w, "ops", r->ops);
		jw_u64(&w, "allocs", r->allocs);
		jw_u64(&w, "frees", r->frees);
		jw_u64(&w, "handoffs", r->handoffs);
		jw_u64(&w, "shared_refs", r->shared);
		jw_u64(&w, "gen_mismatch", r->gen_mismatch);
		jw_u64(&w, "errors", r->errors);
		jw_u64(&w, "out_of_memory", r->oom);
		jw_u64(&w, "cycles_per_op", r->ops ? r->cycles / r->ops : 0);
		event_emit(&w);
		mismatches += r->gen_mismatch;
		errors += r->errors;
		ops_total += r->ops;
		t_first = r->t_start < t_first ? r->t_start : t_first;
		t_last = r->t_end > t_last ? r->t_end : t_last;
	}
	total_event(n, ops_total, t_last > t_first ? tsc_to_us(t_last - t_first) : 0);
	struct mm_diag d = buddy_check();

	if (d.code != ALLOC_ERROR_NONE) {
		jw_begin(&w, "buddy_check");
		jw_str(&w, "error", alloc_error_name(d.code));
		jw_str(&w, "op", d.op);
		jw_str(&w, "reason", d.reason);
		jw_u64(&w, "phys", d.phys);
		event_emit(&w);
	}
	run.frames_free_before = before;
	run.frames_free_after = after;
	run.frames_withheld = withheld;
	run_check(d.code == ALLOC_ERROR_NONE, "buddy_check_after_stress");
	run_check(after + withheld == before, "stress_lost_no_frame");
	run_check(mismatches == 0, "stress_generations_match");
	run_check(errors == 0, "stress_no_allocator_errors");
	boxes = 0;
	run_check(kmem_free(box_phys, box_order) == ALLOC_ERROR_NONE, "stress_mailboxes_freed");
	mm_report_stats("after_stress");
}
