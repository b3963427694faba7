/* Randomized model test: random allocations and frees of random orders,
 * shared references, poison marks, CPU switches, drains and bad frees against
 * a reference model (a bitmap of the frames we own plus the poisoned set),
 * over several memory layouts. Short run: buddy_check after every step; long
 * run: every 1000 steps. Seeded (MM_SEED=n to replay); the seed is in every
 * failure message. */
#include <stdlib.h>
#include <time.h>
#include "mm/mm_test.h"

static uint64_t seed, rng;

static uint64_t next_rand(void)
{
	rng ^= rng >> 12; /* xorshift64* */
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return next_rand() % n;
}

#define MFAIL(...)                                                                   \
	do {                                                                         \
		print_error("model failure with MM_SEED=%llu\n", (unsigned long long)seed); \
		fail_msg(__VA_ARGS__);                                               \
	} while (0)

struct block {
	uint64_t phys;
	unsigned order, refs;
};

struct model {
	uint64_t frames, managed;
	uint8_t *owned;    /* 1 per frame we hold */
	uint8_t *poisoned; /* 1 per frame we marked */
	uint8_t *ram;      /* 1 per managed frame */
	struct block *blocks;
	uint64_t nblocks, owned_frames, poisoned_ram;
};

static void add_ram(struct model *m, uint64_t start, uint64_t end)
{
	assert_int_equal(buddy_add_range(start, end), ALLOC_ERROR_NONE);
	for (uint64_t p = (start + PG - 1) / PG; p < end / PG; p++) {
		m->ram[p] = 1;
		m->managed++;
	}
}

static void layout(struct model *m, unsigned which)
{
	static const uint64_t sizes[] = { 4096, 3000, 700, 1, 1023, 1025, 2049 };
	uint64_t frames = which < 7 ? sizes[which] : 64;

	if (which == 3)
		frames = 8; /* a single frame of RAM in a small array */
	mm_test_fresh(frames, 0, 0);
	*m = (struct model){ .frames = frames };
	m->owned = calloc(frames, 1);
	m->poisoned = calloc(frames, 1);
	m->ram = calloc(frames, 1);
	m->blocks = calloc(frames, sizeof(*m->blocks));
	switch (which) {
	case 0: /* one range */
		add_ram(m, 0, frames * PG);
		break;
	case 1: /* many ranges with holes, odd sizes */
		for (uint64_t p = 0; p < frames;) {
			uint64_t len = 1 + below(300), hole = below(40);

			if (p + len > frames)
				len = frames - p;
			add_ram(m, p * PG, (p + len) * PG);
			p += len + hole;
		}
		break;
	case 2: /* unaligned ends */
		add_ram(m, 3 * PG + 1234, (frames - 1) * PG + 77);
		break;
	case 3: /* a single frame */
		add_ram(m, 5 * PG, 6 * PG);
		break;
	default: /* sizes around 2^MAX_ORDER */
		add_ram(m, 0, frames * PG);
	}
}

static void model_free(struct model *m)
{
	free(m->owned);
	free(m->poisoned);
	free(m->ram);
	free(m->blocks);
}

static void do_alloc(struct model *m)
{
	unsigned order = below(4) ? (unsigned)below(3) : (unsigned)below(MAX_ORDER + 1);
	struct frame_alloc_options o = mm_test_opts(order, below(16) == 0);
	struct phys_frame f;
	enum alloc_error e = frame_alloc_options_allocate(&o, &f);

	if (e == ALLOC_ERROR_OUT_OF_MEMORY) {
		if (order == 0 && mm_free_frames() != 0)
			MFAIL("order-0 OOM with %llu free frames", (unsigned long long)mm_free_frames());
		return;
	}
	if (e != ALLOC_ERROR_NONE)
		MFAIL("allocate order %u: %s", order, alloc_error_name(e));
	uint64_t pfn = f.start_address / PG, n = 1ull << order;

	if (pfn & (n - 1))
		MFAIL("block %#llx not aligned to order %u", (unsigned long long)f.start_address, order);
	for (uint64_t i = 0; i < n; i++) {
		if (pfn + i >= m->frames || !m->ram[pfn + i])
			MFAIL("frame %#llx is not RAM", (unsigned long long)((pfn + i) * PG));
		if (m->owned[pfn + i])
			MFAIL("frame %#llx handed out twice", (unsigned long long)((pfn + i) * PG));
		if (m->poisoned[pfn + i])
			MFAIL("poisoned frame %#llx handed out", (unsigned long long)((pfn + i) * PG));
		m->owned[pfn + i] = 1;
	}
	if (o.zeroed && host_env_arena()[f.start_address + below(PG << order)] != 0)
		MFAIL("zeroed block not zero");
	m->blocks[m->nblocks++] = (struct block){ f.start_address, order, 1 };
	m->owned_frames += n;
}

static void drop(struct model *m, uint64_t i, bool use_free)
{
	struct block *b = &m->blocks[i];
	enum alloc_error e = use_free ? frame_free(b->phys, (uint8_t)b->order) : frame_dec_ref(b->phys);

	if (e != ALLOC_ERROR_NONE)
		MFAIL("free %#llx order %u: %s", (unsigned long long)b->phys, b->order, alloc_error_name(e));
	if (--b->refs)
		return;
	for (uint64_t k = 0; k < (1ull << b->order); k++)
		m->owned[b->phys / PG + k] = 0;
	m->owned_frames -= 1ull << b->order;
	m->blocks[i] = m->blocks[--m->nblocks];
}

static void do_bad_free(struct model *m)
{
	uint64_t pfn = below(m->frames);

	if (m->owned[pfn])
		return;
	enum alloc_error e = frame_free(pfn * PG, 0);

	if (e != ALLOC_ERROR_DOUBLE_FREE)
		MFAIL("free of unowned frame %#llx gave %s", (unsigned long long)(pfn * PG),
		      alloc_error_name(e));
}

static void check_counts(struct model *m)
{
	struct mm_stats s = mm_test_stats();

	if (s.managed_frames != m->managed)
		MFAIL("managed %llu, model %llu", (unsigned long long)s.managed_frames,
		      (unsigned long long)m->managed);
	/* poisoned frames still cached count as free until popped or drained */
	if (s.free_frames + m->owned_frames + s.quarantined_frames != m->managed)
		MFAIL("free %llu + owned %llu + quarantined %llu != managed %llu",
		      (unsigned long long)s.free_frames, (unsigned long long)m->owned_frames,
		      (unsigned long long)s.quarantined_frames, (unsigned long long)m->managed);
}

static void run(unsigned which, uint64_t steps, uint64_t check_every)
{
	struct model m;

	rng = seed * 1000003 + which + 1;
	host_env_set_cpu(0);
	layout(&m, which);
	for (uint64_t step = 0; step < steps; step++) {
		unsigned op = (unsigned)below(100);

		if (op < 45) {
			do_alloc(&m);
		} else if (op < 85 && m.nblocks) {
			drop(&m, below(m.nblocks), below(2));
		} else if (op < 89 && m.nblocks) {
			struct block *b = &m.blocks[below(m.nblocks)];

			if (frame_inc_ref(b->phys) != ALLOC_ERROR_NONE)
				MFAIL("inc_ref %#llx", (unsigned long long)b->phys);
			b->refs++;
		} else if (op < 91 && m.poisoned_ram < m.managed / 8) { /* keep RAM usable */
			uint64_t pfn = below(m.frames);

			m.poisoned_ram += m.ram[pfn] && !m.poisoned[pfn];
			if (frame_mark_poisoned(pfn * PG) != ALLOC_ERROR_NONE)
				MFAIL("mark_poisoned %#llx", (unsigned long long)(pfn * PG));
			m.poisoned[pfn] = 1;
		} else if (op < 95) {
			host_env_set_cpu((uint32_t)below(4));
			if (below(4) == 0)
				host_env_set_cpu(MM_MAX_CPUS + 1); /* a CPU without a cache */
		} else if (op < 97) {
			if (below(2))
				pcpu_cache_drain_local();
			else
				pcpu_cache_drain_all();
		} else {
			do_bad_free(&m);
		}
		if (check_every && step % check_every == 0) {
			struct mm_diag d = buddy_check();

			if (d.code != ALLOC_ERROR_NONE)
				MFAIL("layout %u step %llu: buddy_check: %s (phys %#llx)", which,
				      (unsigned long long)step, d.reason, (unsigned long long)d.phys);
			check_counts(&m);
		}
	}
	while (m.nblocks)
		drop(&m, m.nblocks - 1, true);
	host_env_set_cpu(0);
	pcpu_cache_drain_all();
	assert_mm_consistent();
	check_counts(&m);
	uint64_t bad = 0;

	for (uint64_t p = 0; p < m.frames; p++)
		bad += m.ram[p] && m.poisoned[p];
	struct mm_stats s = mm_test_stats();

	if (s.quarantined_frames != bad || s.free_frames != m.managed - bad)
		MFAIL("end: quarantined %llu (model %llu), free %llu", (unsigned long long)s.quarantined_frames,
		      (unsigned long long)bad, (unsigned long long)s.free_frames);
	if (getenv("MM_MODEL_VERBOSE"))
		print_message("# layout %u: %llu steps, managed %llu, allocs %llu, frees %llu, splits %llu, merges %llu, quarantined %llu, refills %llu, drains %llu\n",
			      which, (unsigned long long)steps, (unsigned long long)m.managed,
			      (unsigned long long)s.allocs, (unsigned long long)s.frees,
			      (unsigned long long)s.splits, (unsigned long long)s.merges,
			      (unsigned long long)s.quarantined_frames, (unsigned long long)s.refills,
			      (unsigned long long)s.drains);
	model_free(&m);
}

static void test_model_short(void **st)
{
	(void)st;
	for (unsigned which = 0; which < 7; which++)
		run(which, 2500, 1);
}

static void test_model_long(void **st)
{
	(void)st;
	for (unsigned which = 0; which < 7; which++)
		run(which, 250000, 1000);
}

int main(void)
{
	const char *env = getenv("MM_SEED");

	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	print_message("# test_model: MM_SEED=%llu\n", (unsigned long long)seed);
	host_env_set_panic_hook(mm_test_panic_hook);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_short),
		cmocka_unit_test(test_model_long),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	host_env_teardown();
	return rc;
}
