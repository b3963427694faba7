/* Concurrent stress: worker threads (one CPU id each) allocate and free mixed
 * orders, hand blocks to each other to be freed there, share blocks whose
 * references are dropped by several threads, while a checker thread runs
 * buddy_check, drains every cache and (in the poison test) marks frames bad.
 * Every exclusively owned block carries its owner's stamp in its first and
 * last frame, checked before it is freed: a frame handed out twice shows.
 * At the end every frame is back, buddy_check passes, and the free count
 * equals the start minus the quarantined frames. Built with ASan/UBSan and
 * with TSan (test_stress.tsan). MM_STRESS_OPS=n sets the operations per worker. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "mm/mm_test.h"

#define WORKERS 4
#define FRAMES  8192
#define HELD    96  /* blocks a worker keeps at most */
#define RING    256 /* hand-off queue */

struct held {
	uint64_t phys, stamp;
	unsigned order;
	bool shared; /* dropped with frame_dec_ref, no stamp */
};

static struct {
	pthread_mutex_t mu;
	struct held q[RING];
	unsigned head, n;
} ring = { .mu = PTHREAD_MUTEX_INITIALIZER };

static atomic_bool stop;
static atomic_uint failures;
static atomic_uint checks_done;
static bool poison_mode;
#ifdef __SANITIZE_THREAD__
static unsigned ops_per_worker = 20000; /* TSan runs ~20x slower */
#else
static unsigned ops_per_worker = 200000;
#endif

static void stamp(struct held *h)
{
	uint8_t *a = host_env_arena();

	memcpy(a + h->phys, &h->stamp, 8);
	memcpy(a + h->phys + (PG << h->order) - 8, &h->stamp, 8);
}

static bool stamp_ok(const struct held *h)
{
	uint8_t *a = host_env_arena();
	uint64_t x, y;

	memcpy(&x, a + h->phys, 8);
	memcpy(&y, a + h->phys + (PG << h->order) - 8, 8);
	return x == h->stamp && y == h->stamp;
}

static void release(struct held *h)
{
	if (!h->shared && !stamp_ok(h)) {
		fprintf(stderr, "stress: block %#llx lost its owner's stamp\n", (unsigned long long)h->phys);
		atomic_fetch_add(&failures, 1);
	}
	enum alloc_error e = h->shared ? frame_dec_ref(h->phys) : frame_free(h->phys, (uint8_t)h->order);

	if (e != ALLOC_ERROR_NONE) {
		fprintf(stderr, "stress: free %#llx order %u: %s\n", (unsigned long long)h->phys,
			h->order, alloc_error_name(e));
		atomic_fetch_add(&failures, 1);
	}
}

static bool ring_push(const struct held *h)
{
	bool ok;

	pthread_mutex_lock(&ring.mu);
	ok = ring.n < RING;
	if (ok)
		ring.q[(ring.head + ring.n++) % RING] = *h;
	pthread_mutex_unlock(&ring.mu);
	return ok;
}

static bool ring_pop(struct held *h)
{
	bool ok;

	pthread_mutex_lock(&ring.mu);
	ok = ring.n > 0;
	if (ok) {
		*h = ring.q[ring.head];
		ring.head = (ring.head + 1) % RING;
		ring.n--;
	}
	pthread_mutex_unlock(&ring.mu);
	return ok;
}

static void *worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	uint64_t rng = 0x9e3779b97f4a7c15ull * (id + 1);
	struct held mine[HELD];
	unsigned n = 0;

	host_env_set_cpu(id);
	for (unsigned op = 0; op < ops_per_worker; op++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		unsigned r = (unsigned)(rng % 100);
		struct held h;

		if (r < 50 && n < HELD) {
			unsigned order = (rng >> 32) % 8 ? 0 : (unsigned)((rng >> 40) % 6);
			struct frame_alloc_options o = mm_test_opts(order, (rng >> 48) % 8 == 0);
			struct phys_frame f;

			if (frame_alloc_options_allocate(&o, &f) != ALLOC_ERROR_NONE)
				continue;
			h = (struct held){ f.start_address, ((uint64_t)id << 56) | op, order, false };
			stamp(&h);
			if ((rng >> 20) % 16 == 0) {
				/* shared: three references, dropped by whoever pops them */
				h.shared = true;
				if (frame_inc_ref(h.phys) || frame_inc_ref(h.phys))
					atomic_fetch_add(&failures, 1);
				for (int k = 0; k < 3; k++)
					if (!ring_push(&h))
						release(&h);
			} else if ((rng >> 24) % 4 == 0 && ring_push(&h)) {
				/* handed to another thread */
			} else {
				mine[n++] = h;
			}
		} else if (r < 85 && n) {
			unsigned i = (unsigned)((rng >> 16) % n);

			release(&mine[i]);
			mine[i] = mine[--n];
		} else if (ring_pop(&h)) {
			release(&h);
		}
	}
	while (n)
		release(&mine[--n]);
	return NULL;
}

static void *checker(void *arg)
{
	(void)arg;
	uint64_t rng = 12345;

	host_env_set_cpu(WORKERS);
	while (!atomic_load(&stop)) {
		struct mm_diag d = buddy_check();

		if (d.code != ALLOC_ERROR_NONE) {
			fprintf(stderr, "stress: concurrent buddy_check: %s (phys %#llx)\n", d.reason,
				(unsigned long long)d.phys);
			atomic_fetch_add(&failures, 1);
		}
		pcpu_cache_drain_all();
		if (poison_mode && atomic_load(&checks_done) < FRAMES / 32) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			if (frame_mark_poisoned(((rng >> 33) % FRAMES) * PG) != ALLOC_ERROR_NONE)
				atomic_fetch_add(&failures, 1);
		}
		struct mm_stats s;

		mm_stats_read(&s);
		(void)frame_state(((rng >> 20) % FRAMES) * PG);
		atomic_fetch_add(&checks_done, 1);
		usleep(200); /* leave the cores to the workers most of the time */
	}
	return NULL;
}

static void stress(bool poison)
{
	pthread_t w[WORKERS], c;
	const char *env = getenv("MM_STRESS_OPS");

	if (env)
		ops_per_worker = (unsigned)strtoul(env, NULL, 0);
	mm_test_fresh(FRAMES, 0, FRAMES * PG);
	host_env_set_cpu(WORKERS + 1);
	uint64_t start = mm_free_frames();

	poison_mode = poison;
	atomic_store(&stop, false);
	atomic_store(&failures, 0);
	assert_int_equal(pthread_create(&c, NULL, checker, NULL), 0);
	for (uintptr_t i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&w[i], NULL, worker, (void *)i), 0);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(w[i], NULL);
	atomic_store(&stop, true);
	pthread_join(c, NULL);
	struct held h;

	while (ring_pop(&h)) /* hand-offs nobody took */
		release(&h);
	assert_int_equal(atomic_load(&failures), 0);
	pcpu_cache_drain_all();
	assert_mm_consistent();
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.allocs, s.frees);
	assert_int_equal(s.corruptions, 0);
	assert_int_equal(mm_free_frames() + s.quarantined_frames, start);
	if (!poison) {
		assert_int_equal(mm_free_frames(), start);
		assert_int_equal(s.free_blocks[MAX_ORDER], FRAMES >> MAX_ORDER); /* all merged back */
	}
	assert_true(atomic_load(&checks_done) > 0);
	print_message("# stress%s: %llu allocs, %llu merges, %llu refills, %llu drains, %u checks, %llu quarantined\n",
		      poison ? " (poison)" : "", (unsigned long long)s.allocs, (unsigned long long)s.merges,
		      (unsigned long long)s.refills, (unsigned long long)s.drains,
		      atomic_load(&checks_done), (unsigned long long)s.quarantined_frames);
}

static void test_stress_mixed(void **st)
{
	(void)st;
	stress(false);
}

static void test_stress_with_poison(void **st)
{
	(void)st;
	stress(true);
}

int main(void)
{
	host_env_set_panic_hook(mm_test_panic_hook);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_mixed),
		cmocka_unit_test(test_stress_with_poison),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	host_env_teardown();
	return rc;
}
