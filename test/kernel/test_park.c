/* Host tests of the parking state machine (kernel/smp/park.c) on threads
 * standing for CPUs: while a request is granted no other CPU is between two
 * safe points (each writes its own plain counter there, which the owner
 * reads: the ThreadSanitizer copy checks the ordering too); several CPUs
 * asking at once all get their turn, none waits for another forever; a CPU
 * that does not reach a safe point makes the request give up in bounded
 * time, releasing those that parked; the owner never parks for itself and
 * cannot nest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <kernel/park.h>

#define NCPU 4

static _Thread_local uint32_t cpu;
static atomic_uint wakes;

uint32_t park_env_cpu(void)
{
	return cpu;
}

uint64_t park_env_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

void park_env_wake_others(void)
{
	atomic_fetch_add(&wakes, 1);
}

void park_env_relax(void)
{
	sched_yield(); /* more threads than host cores */
}

uint64_t park_env_irq_save(void)
{
	return 0;
}

void park_env_irq_restore(uint64_t flags)
{
	(void)flags;
}

/* ------------------------------------------------------------ the workers */

static struct {
	atomic_int stop;
	atomic_int stuck;            /* CPU index + 1 that skips its safe points, 0 none */
	uint64_t work[NCPU];         /* plain: written by CPU c between safe points */
	atomic_int busy[NCPU];       /* CPU c is between two safe points */
	atomic_ulong iters[NCPU];
	atomic_ulong granted, refused, turns;
	atomic_int violations;
	int requesters;              /* CPUs 0..requesters-1 also ask, now and then */
	uint64_t timeout_us;
} W;

/* Granted: nobody else may be working, and nothing they own may change. */
static void check_quiet(void)
{
	uint64_t before[NCPU];

	for (uint32_t c = 0; c < NCPU; c++) {
		if (c == cpu)
			continue;
		if (atomic_load(&W.busy[c]))
			atomic_fetch_add(&W.violations, 1);
		before[c] = W.work[c];
	}
	for (int i = 0; i < 50; i++)
		sched_yield();
	for (uint32_t c = 0; c < NCPU; c++)
		if (c != cpu && W.work[c] != before[c])
			atomic_fetch_add(&W.violations, 1);
}

static void *worker(void *arg)
{
	cpu = (uint32_t)(uintptr_t)arg;
	for (uint64_t i = 0; !atomic_load(&W.stop); i++) {
		atomic_store(&W.busy[cpu], 1);
		W.work[cpu]++;
		while (atomic_load(&W.stuck) == (int)cpu + 1 && !atomic_load(&W.stop))
			sched_yield();           /* a CPU in a very long span */
		atomic_store(&W.busy[cpu], 0);
		atomic_fetch_add(&W.iters[cpu], 1);
		if ((int)cpu < W.requesters && i % 64 == 7) {
			struct park_report r, nested;

			if (park_others(NCPU - 1, W.timeout_us, &r)) {
				/* all parked; the owner never parks, nor nests */
				if (r.parked != NCPU - 1 || park_point() ||
				    park_others(NCPU - 1, W.timeout_us, &nested))
					atomic_fetch_add(&W.violations, 1);
				check_quiet();
				park_release();
				atomic_fetch_add(&W.granted, 1);
			} else {
				atomic_fetch_add(&W.refused, 1);
			}
			atomic_fetch_add(&W.turns, r.turns);
		}
		park_point();
	}
	return 0;
}

static pthread_t th[NCPU];

static void start(int requesters, uint64_t timeout_us)
{
	memset(&W, 0, sizeof(W));
	W.requesters = requesters;
	W.timeout_us = timeout_us;
	for (uintptr_t c = 0; c < NCPU; c++)
		assert_int_equal(pthread_create(&th[c], NULL, worker, (void *)c), 0);
}

static void run_until(uint64_t granted, uint64_t max_s)
{
	uint64_t t0 = park_env_now_us();

	while (atomic_load(&W.granted) < granted && park_env_now_us() - t0 < max_s * 1000000u)
		usleep(1000);
}

static void stop_all(void)
{
	atomic_store(&W.stop, 1);
	/* a requester may still wait for a CPU that left: it gives up in time
	 * (W.timeout_us) */
	for (int c = 0; c < NCPU; c++)
		assert_int_equal(pthread_join(th[c], NULL), 0);
}

static void no_request_no_park(void **state)
{
	(void)state;
	cpu = 0;
	assert_int_equal(park_point(), 0);
}

static void one_asker_finds_every_other_cpu_quiet(void **state)
{
	(void)state;
	start(1, 2000000);
	run_until(200, 60);
	stop_all();
	assert_true(atomic_load(&W.granted) >= 200);
	assert_int_equal(atomic_load(&W.violations), 0);
	assert_true(atomic_load(&wakes) > 0);
}

static void every_cpu_asking_at_once_all_get_turns(void **state)
{
	(void)state;
	start(NCPU, 2000000);
	run_until(400, 60);
	stop_all();
	assert_true(atomic_load(&W.granted) >= 400);
	assert_int_equal(atomic_load(&W.violations), 0);
	/* some asked while another's request stood: they parked for it */
	assert_true(atomic_load(&W.turns) > 0);
	for (int c = 0; c < NCPU; c++)
		assert_true(atomic_load(&W.iters[c]) > 0);
}

static void a_cpu_that_never_parks_makes_the_request_give_up(void **state)
{
	(void)state;
	start(0, 0);
	W.timeout_us = 50000;
	atomic_store(&W.stuck, 3 + 1);   /* CPU 3 stays inside its span */
	usleep(20000);
	cpu = NCPU;                      /* the asker: a CPU of its own */
	struct park_report r;
	uint64_t t0 = park_env_now_us();

	/* CPU NCPU plus workers 0..3: 4 others, one of which never comes */
	assert_int_equal(park_others(NCPU, W.timeout_us, &r), 0);
	uint64_t took = park_env_now_us() - t0;

	assert_true(took >= 50000 && took < 5000000);
	assert_int_equal(r.parked, NCPU - 1);
	/* those that parked were let go: they work again */
	uint64_t before = atomic_load(&W.iters[0]);

	while (atomic_load(&W.iters[0]) == before)
		sched_yield();
	/* CPU 3 out of its span: the next request counts every CPU once, no
	 * stale count from the one given up */
	atomic_store(&W.stuck, 0);
	assert_int_equal(park_others(NCPU, 10000000, &r), 1);
	assert_int_equal(r.parked, NCPU);
	check_quiet();
	park_release();
	stop_all();
	assert_int_equal(atomic_load(&W.violations), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_request_no_park),
		cmocka_unit_test(one_asker_finds_every_other_cpu_quiet),
		cmocka_unit_test(every_cpu_asking_at_once_all_get_turns),
		cmocka_unit_test(a_cpu_that_never_parks_makes_the_request_give_up),
	};

	alarm(300); /* a deadlock fails the test instead of hanging make */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
