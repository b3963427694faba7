/* The benchmark (bench.h). Pairs are alloc-then-free of the same block with
 * zeroing off, so the figures are the allocator's own cost. Each timed loop
 * runs after a warm-up so the per-CPU caches are primed, as in steady state. */
#include <mm/mm.h>
#include <kernel/bench.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/run.h>
#include <kernel/smp.h>
#include <kernel/time.h>

#define PAIRS        20000
#define WARMUP       1000
#define TPUT_PAIRS   50000

static const uint8_t orders[] = { 0, 1, 2, 3, 4, 6, 9, MAX_ORDER };

static uint64_t errors;

static uint64_t pairs(uint8_t order, uint64_t n)
{
	struct frame_alloc_options o =
		frame_alloc_options_order(frame_alloc_options_zeroed(frame_alloc_options_new(),
								     false), order);
	struct phys_frame f;
	uint64_t t0 = rdtsc();

	for (uint64_t i = 0; i < n; i++) {
		if (frame_alloc_options_allocate(&o, &f) != ALLOC_ERROR_NONE ||
		    frame_free(f.start_address, order) != ALLOC_ERROR_NONE)
			__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	}
	return rdtsc() - t0;
}

struct tput {
	uint32_t active;
	struct barrier bar;
	uint64_t cycles[MAX_CPUS];
};

static void tput_cpu(struct percpu *pc, void *arg)
{
	struct tput *t = arg;
	uint32_t n = atomic_load(&cpus_online);

	barrier_wait(&t->bar, n);
	if (pc->index < t->active) {
		pairs(0, WARMUP);
		t->cycles[pc->index] = pairs(0, TPUT_PAIRS);
	}
	barrier_wait(&t->bar, n);
}

void bench_run(void)
{
	static struct tput t;
	uint32_t n = atomic_load(&cpus_online);
	struct jw w;

	kprintf("bench: alloc+free pairs, no zeroing, one CPU");
	kprintf("  order   cycles/pair        ns/pair");
	for (unsigned i = 0; i < sizeof(orders); i++) {
		pairs(orders[i], WARMUP);
		uint64_t c = pairs(orders[i], PAIRS) / PAIRS;

		kprintf("  %5u   %11llu   %12llu", orders[i], (unsigned long long)c,
			(unsigned long long)(c * 1000000000ull / tsc_hz));
		jw_begin(&w, "bench");
		jw_str(&w, "what", "pair");
		jw_u64(&w, "order", orders[i]);
		jw_u64(&w, "cycles_per_pair", c);
		jw_u64(&w, "ns_per_pair", c * 1000000000ull / tsc_hz);
		event_emit(&w);
	}
	kprintf("bench: order-0 throughput, CPUs active at once");
	kprintf("   cpus     pairs/s   cycles/pair   speedup x100");
	uint64_t base = 0;

	for (uint32_t k = 1; k <= n; k++) {
		uint64_t worst = 1;

		t.active = k;
		smp_run(tput_cpu, &t);
		for (uint32_t c = 0; c < k; c++)
			worst = t.cycles[c] > worst ? t.cycles[c] : worst;
		uint64_t rate = (uint64_t)k * TPUT_PAIRS * tsc_hz / worst;

		if (k == 1)
			base = rate ? rate : 1;
		kprintf("  %5u  %10llu   %11llu   %12llu", k, (unsigned long long)rate,
			(unsigned long long)(worst / TPUT_PAIRS),
			(unsigned long long)(rate * 100 / base));
		jw_begin(&w, "bench");
		jw_str(&w, "what", "throughput");
		jw_u64(&w, "cpus", k);
		jw_u64(&w, "pairs_per_s", rate);
		jw_u64(&w, "cycles_per_pair", worst / TPUT_PAIRS);
		jw_u64(&w, "speedup_x100", rate * 100 / base);
		event_emit(&w);
	}
	pcpu_cache_drain_all();
	run_check(errors == 0, "bench_no_allocator_errors");
}
