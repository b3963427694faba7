/* Host benchmark of the MetaSlot allocator (built -O2, no sanitizers, linked
 * with the real mm/ sources and test/mm/host_env.c). Prints a table and one
 * JSON line per figure: {"bench":...,"threads":...,"ns":best,...}. Each figure
 * is measured RUNS times; "ns" is the best run, "ns_median" / "ns_worst" show
 * the spread (the machine is shared).
 *
 *   bench_mm [env=LABEL]     all figures; LABEL (call / inline) goes into the JSON
 *   bench_mm --callgrind X   run only the loop for figure X (order0_pair,
 *                            order9_pair, bulk) inside bench_cg_loop, for
 *                            valgrind --toggle-collect=bench_cg_loop */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mm/mm.h>
#include "mm/host_env.h"

#define RUNS        7
#define FRAMES      (1u << 18) /* 1 GiB of "RAM" (the arena is MAP_NORESERVE) */
#define PAIRS       2000000
#define PAIRS_O9    200000
#define PAIRS_ZERO  200000
#define BULK        100000
#define MAX_THREADS 64

static uint64_t bulk_buf[BULK];

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void die(const char *what, enum alloc_error e)
{
	fprintf(stderr, "bench: %s: %s\n", what, alloc_error_name(e));
	exit(1);
}

static struct frame_alloc_options opts(unsigned order, bool zeroed)
{
	return frame_alloc_options_order(frame_alloc_options_zeroed(frame_alloc_options_new(), zeroed),
					 (uint8_t)order);
}

/* n alloc+free pairs; returns ns for the whole loop. */
static __attribute__((noinline)) void pairs(const struct frame_alloc_options *o, unsigned n)
{
	struct phys_frame f;

	for (unsigned i = 0; i < n; i++) {
		enum alloc_error e = frame_alloc_options_allocate(o, &f);

		if (__builtin_expect(e != ALLOC_ERROR_NONE, 0))
			die("allocate", e);
		e = frame_free(f.start_address, o->order);
		if (__builtin_expect(e != ALLOC_ERROR_NONE, 0))
			die("free", e);
	}
}

static __attribute__((noinline)) void bulk(const struct frame_alloc_options *o, unsigned n)
{
	struct phys_frame f;

	for (unsigned i = 0; i < n; i++) {
		enum alloc_error e = frame_alloc_options_allocate(o, &f);

		if (__builtin_expect(e != ALLOC_ERROR_NONE, 0))
			die("bulk allocate", e);
		bulk_buf[i] = f.start_address;
	}
	for (unsigned i = 0; i < n; i++) {
		enum alloc_error e = frame_free(bulk_buf[i], 0);

		if (__builtin_expect(e != ALLOC_ERROR_NONE, 0))
			die("bulk free", e);
	}
}

/* The only function callgrind collects in (--toggle-collect). */
__attribute__((noinline)) void bench_cg_loop(const struct frame_alloc_options *o, unsigned n, bool is_bulk)
{
	if (is_bulk)
		bulk(o, n);
	else
		pairs(o, n);
}

static void fresh(void)
{
	host_env_setup(FRAMES);
	enum alloc_error e = buddy_add_range(0, (uint64_t)FRAMES * PAGE_SIZE);

	if (e)
		die("buddy_add_range", e);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct figure {
	const char *name;
	unsigned threads;
	bool zeroed;
	double ns[RUNS]; /* per operation (pair, or bulk op) */
	double speedup;  /* vs the 1-thread run of the same loop, 0 if n/a */
};

static void report(struct figure *fg)
{
	qsort(fg->ns, RUNS, sizeof(double), cmp_double);
	printf("| %-20s | %7u | %-6s | %9.2f | %9.2f | %9.2f |", fg->name, fg->threads,
	       fg->zeroed ? "yes" : "no", fg->ns[0], fg->ns[RUNS / 2], fg->ns[RUNS - 1]);
	if (fg->speedup > 0)
		printf(" %5.2fx", fg->speedup);
	printf("\n");
	fflush(stdout);
}

static const char *env_label = "call";

static void json(const struct figure *fg)
{
	printf("{\"bench\":\"%s\",\"env\":\"%s\",\"threads\":%u,\"zeroed\":%s,\"ns\":%.2f,\"ns_median\":%.2f,"
	       "\"ns_worst\":%.2f,\"runs\":%d", fg->name, env_label, fg->threads, fg->zeroed ? "true" : "false",
	       fg->ns[0], fg->ns[RUNS / 2], fg->ns[RUNS - 1], RUNS);
	if (fg->speedup > 0)
		printf(",\"speedup\":%.2f", fg->speedup);
	printf("}\n");
}

/* --- multi-threaded order-0 pairs */

struct mt {
	pthread_barrier_t start;
	unsigned threads, n;
	double t0, t1[MAX_THREADS];
};

static void pin(unsigned cpu)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % (unsigned)(ncpu > 0 ? ncpu : 1), &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

struct mt_arg {
	struct mt *mt;
	unsigned id;
};

static void *mt_worker(void *p)
{
	struct mt_arg *a = p;
	struct frame_alloc_options o = opts(0, false);

	host_env_set_cpu(a->id);
	pin(a->id);
	pairs(&o, 1000); /* warm this CPU's cache */
	pthread_barrier_wait(&a->mt->start);
	if (a->id == 0)
		a->mt->t0 = now_ns();
	pairs(&o, a->mt->n);
	a->mt->t1[a->id] = now_ns();
	return NULL;
}

/* Aggregate ns per pair (wall time / all pairs) with `threads` threads. */
static double mt_run(unsigned threads, unsigned n)
{
	struct mt mt = { .threads = threads, .n = n };
	pthread_t t[MAX_THREADS];
	struct mt_arg args[MAX_THREADS];

	pthread_barrier_init(&mt.start, NULL, threads);
	for (unsigned i = 0; i < threads; i++) {
		args[i] = (struct mt_arg){ &mt, i };
		pthread_create(&t[i], NULL, mt_worker, &args[i]);
	}
	double end = 0;

	for (unsigned i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		if (mt.t1[i] > end)
			end = mt.t1[i];
	}
	pthread_barrier_destroy(&mt.start);
	return (end - mt.t0) / ((double)threads * n);
}

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned nproc = ncpu > 0 ? (unsigned)ncpu : 1;

	if (nproc > MAX_THREADS)
		nproc = MAX_THREADS;
	if (argc == 2 && !strncmp(argv[1], "env=", 4))
		env_label = argv[1] + 4;
	host_env_set_cpu(0);
	pin(0);
	fresh();
	if (argc == 3 && !strcmp(argv[1], "--callgrind")) {
		struct frame_alloc_options o0 = opts(0, false), o9 = opts(9, false);

		pairs(&o0, 1000); /* warm the cache and the buddy */
		if (!strcmp(argv[2], "order0_pair"))
			bench_cg_loop(&o0, 100000, false);
		else if (!strcmp(argv[2], "order9_pair"))
			bench_cg_loop(&o9, 10000, false);
		else if (!strcmp(argv[2], "bulk"))
			bench_cg_loop(&o0, BULK, true);
		else
			return 2;
		return 0;
	}

	printf("| %-20s | %7s | %-6s | %9s | %9s | %9s | speedup\n", "figure", "threads", "zeroed",
	       "best ns", "median ns", "worst ns");
	printf("|----------------------|---------|--------|-----------|-----------|-----------|--------\n");
	struct figure figs[32];
	unsigned nf = 0;

	struct {
		const char *name;
		unsigned order, n;
		bool zeroed, is_bulk;
	} single[] = {
		{ "order0_pair", 0, PAIRS, false, false },
		{ "order0_pair", 0, PAIRS_ZERO, true, false },
		{ "order0_bulk", 0, BULK, false, true },
		{ "order0_bulk", 0, BULK, true, true },
		{ "order9_pair", 9, PAIRS_O9, false, false },
		{ "order9_pair", 9, 2000, true, false },
	};
	for (unsigned k = 0; k < sizeof(single) / sizeof(single[0]); k++) {
		struct figure *fg = &figs[nf++];
		struct frame_alloc_options o = opts(single[k].order, single[k].zeroed);

		*fg = (struct figure){ single[k].name, 1, single[k].zeroed, { 0 }, 0 };
		for (int r = 0; r < RUNS; r++) {
			double t0 = now_ns();

			if (single[k].is_bulk)
				bulk(&o, single[k].n);
			else
				pairs(&o, single[k].n);
			/* a bulk run is n allocations + n frees */
			fg->ns[r] = (now_ns() - t0) / (single[k].is_bulk ? 2.0 * single[k].n : single[k].n);
		}
		report(fg);
	}
	double base = 0;

	for (unsigned t = 1; t <= nproc; t++) {
		struct figure *fg = &figs[nf++];

		*fg = (struct figure){ "order0_pair_mt", t, false, { 0 }, 0 };
		for (int r = 0; r < RUNS; r++)
			fg->ns[r] = mt_run(t, PAIRS);
		qsort(fg->ns, RUNS, sizeof(double), cmp_double);
		if (t == 1)
			base = fg->ns[0];
		fg->speedup = base / fg->ns[0] * 1.0; /* throughput ratio: t threads vs 1 */
		report(fg);
	}
	struct mm_diag d = buddy_check();

	if (d.code != ALLOC_ERROR_NONE) {
		fprintf(stderr, "bench: buddy_check after the runs: %s\n", d.reason);
		return 1;
	}
	for (unsigned i = 0; i < nf; i++)
		json(&figs[i]);
	host_env_teardown();
	return 0;
}
