/* Host tests of the RAM test patterns (kernel/audit/): every pattern of the
 * table over several span layouts, clean, with injected faults (flipped in
 * the buffers by kernel/audit/inject.c from the `written` hook, as the audit
 * does in RAM), and with memory changed behind its back between a write and
 * the check that follows (from the progress callback, which runs after each
 * span of each sweep). Each span is its own malloc, so ASan catches a sweep
 * that leaves it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/audit_pattern.h>

/* ---------------------------------------------------------------- what each pattern does */

#define LINUX_LAST 0x7a6c7258554e494cull

/* Linux mm/memtest.c, in its order: linux_memtest fills and checks each. */
static const uint64_t linux_patterns[] = {
	0, ~0ull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull, 0x1111111111111111ull,
	0x2222222222222222ull, 0x4444444444444444ull, 0x8888888888888888ull,
	0x3333333333333333ull, 0x6666666666666666ull, 0x9999999999999999ull,
	0xccccccccccccccccull, 0x7777777777777777ull, 0xbbbbbbbbbbbbbbbbull,
	0xddddddddddddddddull, 0xeeeeeeeeeeeeeeeeull, LINUX_LAST,
};
#define NLINUX (sizeof(linux_patterns) / sizeof(linux_patterns[0]))

/* Reference splitmix64 (one step from state `seed`), for mov_inv_random. */
static uint64_t splitmix64(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

enum kind { OWN_ADDRESS, MOV_INV_01, MOV_INV_RANDOM, LINUX_MEMTEST, NKINDS };

/* What the test knows of each pattern, independently of the table. */
static const struct expect {
	const char *name;
	uint32_t sweeps;    /* passes over memory */
	uint32_t checks;    /* of them, the ones that read every word back */
	uint32_t writes;    /* ... and the ones that write every word */
} expects[NKINDS] = {
	[OWN_ADDRESS] = { "own_address", 2, 1, 1 },
	[MOV_INV_01] = { "mov_inv_ones_zeros", 6, 4, 6 },
	[MOV_INV_RANDOM] = { "mov_inv_random", 3, 2, 3 },
	[LINUX_MEMTEST] = { "linux_memtest", 2 * NLINUX, NLINUX, NLINUX },
};

static enum kind kind_of(const struct audit_pattern *p)
{
	for (int k = 0; k < NKINDS; k++)
		if (!strcmp(p->name, expects[k].name))
			return (enum kind)k;
	fail_msg("pattern %s has no expectations in this test", p->name);
	return NKINDS;
}

/* What the pattern leaves in the word at `phys` when it is done. */
static uint64_t final_value(enum kind k, uint64_t phys, uint64_t seed)
{
	switch (k) {
	case OWN_ADDRESS:
		return phys;
	case MOV_INV_01:
		return ~0ull;
	case MOV_INV_RANDOM:
		return splitmix64(seed);
	default:
		return LINUX_LAST;
	}
}

/* ---------------------------------------------------------------- harness */

#define MAX_SPANS 256
#define MAX_RECS  8192
#define MAX_TRACE 64
#define MAX_FLIPS 8

struct rec {
	uint64_t addr, expected, actual;
};

/* A change to real memory made from the progress callback number `call`. */
struct flip {
	uint64_t call;
	uint32_t span;
	uint64_t word;
	uint64_t mask;
	uint64_t expected;  /* what the check that finds it expects there */
};

struct run {
	struct audit_job job;
	struct audit_span spans[MAX_SPANS];
	uint32_t nspans;
	uint64_t words;             /* in all spans */
	struct rec rec[MAX_RECS];
	uint32_t nrec, rec_dropped;
	uint64_t calls, last_words;
	int backwards;              /* a progress value not above the one before */
	struct flip flips[MAX_FLIPS];
	uint32_t nflips;
	uint64_t trace[MAX_TRACE];  /* word 0 of span 0 after each call */
	int trace_uniform;          /* every word of span 0 equal after each call */
	const struct audit_injection *inj; /* faults the `written` hook flips in */
	uint32_t ninj;
	uint64_t written_calls;
	int written_out_of_order;   /* a `written` call not for the span progress reports next */
	const struct audit_span *last_written;
};

static struct run R;

static void on_bad(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual)
{
	struct run *r = j->ctx;

	if (r->nrec == MAX_RECS) {
		r->rec_dropped++;
		return;
	}
	r->rec[r->nrec++] = (struct rec){ addr, expected, actual };
}

static void on_progress(struct audit_job *j, uint64_t words)
{
	struct run *r = j->ctx;
	const struct audit_span *s0 = &r->spans[0];

	if (r->last_written && r->last_written->words != words - r->last_words)
		r->written_out_of_order = 1;
	r->last_written = NULL;
	if (words <= r->last_words)
		r->backwards = 1;
	r->last_words = words;
	r->calls++;
	if (r->calls <= MAX_TRACE) {
		r->trace[r->calls - 1] = s0->w[0];
		for (uint64_t i = 1; i < s0->words; i++)
			if (s0->w[i] != s0->w[0])
				r->trace_uniform = 0;
	}
	for (uint32_t f = 0; f < r->nflips; f++)
		if (r->flips[f].call == r->calls)
			r->spans[r->flips[f].span].w[r->flips[f].word] ^= r->flips[f].mask;
}

static void on_written(struct audit_job *j, const struct audit_span *s);

static void free_spans(void)
{
	for (uint32_t s = 0; s < R.nspans; s++)
		free((void *)R.spans[s].w);
	R.nspans = 0;
}

/* Spans of the given sizes with gaps between them (so the word before or
 * after a span belongs to none), at rising or, with `down`, falling
 * physical addresses; the buffers start as garbage. */
static void make_spans(const uint64_t *sizes, uint32_t n, int down)
{
	free_spans();
	memset(&R, 0, sizeof(R));
	assert_true(n <= MAX_SPANS);
	for (uint32_t s = 0; s < n; s++) {
		uint32_t slot = down ? n - 1 - s : s;
		volatile uint64_t *w = malloc(sizes[s] * 8);

		assert_non_null(w);
		for (uint64_t i = 0; i < sizes[s]; i++)
			w[i] = 0xdeadbeefcafef00dull ^ (i * 0x9e3779b97f4a7c15ull) ^ s;
		R.spans[s] = (struct audit_span){ .w = w, .words = sizes[s], .tag = s,
			.phys = 0x10000000ull + slot * 0x100000ull + (s % 3) * 8 };
		R.words += sizes[s];
	}
	R.nspans = n;
	R.trace_uniform = 1;
	R.job = (struct audit_job){ .spans = R.spans, .nspans = n, .seed = 42, .bad = on_bad,
				    .progress = on_progress, .ctx = &R, .written = on_written };
}

/* The `written` hook: the injected faults flipped in the span just written,
 * as kernel/audit/passes.c does in RAM. */
static void on_written(struct audit_job *j, const struct audit_span *s)
{
	struct run *r = j->ctx;

	r->written_calls++;
	r->last_written = s;
	audit_inject_into_span(r->inj, r->ninj, s);
}

/* Every span sees the whole list, as kernel/audit/passes.c does. */
static void give_injections(const struct audit_injection *inj, uint32_t n)
{
	R.inj = inj;
	R.ninj = n;
}

static void run_pattern(const struct audit_pattern *p)
{
	R.nrec = R.rec_dropped = 0;
	R.calls = R.last_words = 0;
	R.written_calls = 0;
	R.written_out_of_order = 0;
	R.last_written = NULL;
	R.backwards = 0;
	R.trace_uniform = 1;
	R.job.words_done = 0;
	p->run(&R.job);
	assert_int_equal(R.rec_dropped, 0);
}

static uint64_t addr_of(uint32_t span, uint64_t word)
{
	return R.spans[span].phys + 8 * word;
}

/* ---------------------------------------------------------------- layouts */

static const uint64_t one_word[] = { 1 };
static const uint64_t odd_sizes[] = { 1, 3, 7, 64, 513, 1001 };
static const uint64_t one_block[] = { 4096 };
static const uint64_t three[] = { 5, 9, 17 };
static uint64_t many[200];

struct layout {
	const char *name;
	const uint64_t *sizes;
	uint32_t n;
	int down;
};

static const struct layout layouts[] = {
	{ "one span of one word", one_word, 1, 0 },
	{ "odd sizes", odd_sizes, 6, 0 },
	{ "odd sizes, falling addresses", odd_sizes, 6, 1 },
	{ "one 32 KiB span", one_block, 1, 0 },
	{ "200 spans", many, 200, 0 },
};
#define NLAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

static void make_layout(const struct layout *l)
{
	for (uint32_t i = 0; i < 200; i++)
		many[i] = (i * 37) % 41 + 1;
	make_spans(l->sizes, l->n, l->down);
}

static int teardown(void **s)
{
	(void)s;
	free_spans();
	return 0;
}

/* ---------------------------------------------------------------- the table */

static void table_is_sane(void **s)
{
	(void)s;
	int seen[NKINDS] = { 0 }, quick = 0;

	/* config.patterns is a uint32_t bit mask of table indices */
	assert_true(audit_pattern_count >= NKINDS && audit_pattern_count <= AUDIT_MAX_PATTERNS);
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		enum kind k = kind_of(p);

		assert_int_equal(seen[k], 0);
		seen[k] = 1;
		assert_non_null(p->run);
		assert_int_equal(p->sweeps, expects[k].sweeps);
		assert_true(p->level >= AUDIT_QUICK && p->level <= AUDIT_FULL);
		quick += p->level == AUDIT_QUICK;
	}
	for (int k = 0; k < NKINDS; k++)
		assert_int_equal(seen[k], 1);
	assert_true(quick >= 1);
}

/* The sweep kinds a row declares (make bench and the audit_cpu ratio take
 * each pattern's limit from them) add up to its sweeps, and match what the
 * pattern does: write sweeps are the ones that call `written`. */
static void table_sweep_kinds_add_up(void **s)
{
	(void)s;
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		enum kind k = kind_of(p);

		assert_int_equal(p->mix.write + p->mix.read + p->mix.rw, p->sweeps);
		assert_int_equal(p->mix.write + p->mix.rw, expects[k].writes);
		assert_int_equal(p->mix.read + p->mix.rw, expects[k].checks);
	}
}

static void find_by_name(void **s)
{
	(void)s;
	char buf[64];

	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const char *name = audit_patterns[i].name;
		uint32_t len = (uint32_t)strlen(name);

		assert_ptr_equal(audit_pattern_find(name, len), &audit_patterns[i]);
		/* the name need not end the text: config passes one name of a list */
		snprintf(buf, sizeof(buf), "%s,junk", name);
		assert_ptr_equal(audit_pattern_find(buf, len), &audit_patterns[i]);
		/* every proper prefix, and the name with one more character */
		for (uint32_t k = 0; k < len; k++)
			assert_null(audit_pattern_find(name, k));
		assert_null(audit_pattern_find(buf, len + 1));
		snprintf(buf, sizeof(buf), "%sx", name);
		assert_null(audit_pattern_find(buf, len + 1));
		/* names are case-sensitive */
		snprintf(buf, sizeof(buf), "%s", name);
		buf[0] = (char)(buf[0] - 'a' + 'A');
		assert_null(audit_pattern_find(buf, len));
	}
	assert_null(audit_pattern_find("", 0));
	assert_null(audit_pattern_find("memtest", 7));
	assert_null(audit_pattern_find("own_addresses", 13));
	assert_null(audit_pattern_find("mov_inv", 7));
	assert_null(audit_pattern_find(" own_address", 12));
}

/* ---------------------------------------------------------------- clean memory */

static void clean_memory_reports_nothing_and_sweeps_add_up(void **s)
{
	(void)s;
	for (uint32_t l = 0; l < NLAYOUTS; l++) {
		for (uint32_t i = 0; i < audit_pattern_count; i++) {
			const struct audit_pattern *p = &audit_patterns[i];
			enum kind k = kind_of(p);

			make_layout(&layouts[l]);
			R.job.seed = 7 + l;
			run_pattern(p);
			if (R.nrec)
				fail_msg("%s on %s: %u bad reads on clean memory, first at 0x%llx",
					 p->name, layouts[l].name, R.nrec,
					 (unsigned long long)R.rec[0].addr);
			/* the table's sweep count is what the pattern does */
			assert_int_equal(R.job.words_done, R.words * p->sweeps);
			assert_int_equal(R.calls, (uint64_t)R.nspans * p->sweeps);
			assert_int_equal(R.last_words, R.words * p->sweeps);
			assert_false(R.backwards);
			/* `written` once per span of each write sweep, just before its progress */
			assert_int_equal(R.written_calls, (uint64_t)R.nspans * expects[k].writes);
			assert_false(R.written_out_of_order);
			for (uint32_t sp = 0; sp < R.nspans; sp++)
				for (uint64_t w = 0; w < R.spans[sp].words; w++)
					if (R.spans[sp].w[w] != final_value(k, addr_of(sp, w), R.job.seed))
						fail_msg("%s on %s: word 0x%llx holds 0x%llx at the end",
							 p->name, layouts[l].name,
							 (unsigned long long)addr_of(sp, w),
							 (unsigned long long)R.spans[sp].w[w]);
		}
	}
}

static void progress_callback_is_optional(void **s)
{
	(void)s;
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		make_layout(&layouts[1]);
		R.job.progress = NULL;
		R.job.words_done = 1000; /* a job's count goes on from where it was */
		audit_patterns[i].run(&R.job);
		assert_int_equal(R.nrec, 0);
		assert_int_equal(R.job.words_done, 1000 + R.words * audit_patterns[i].sweeps);
	}
}

/* The value of word 0 of a one-span region after each sweep: the order of
 * fills and inversions of each pattern. */
static void sweeps_write_what_the_pattern_says(void **s)
{
	(void)s;
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		enum kind k = kind_of(p);
		uint64_t want[MAX_TRACE], n = 0, r = splitmix64(99);

		make_layout(&layouts[3]);
		R.job.seed = 99;
		run_pattern(p);
		assert_int_equal(R.nrec, 0);
		switch (k) {
		case OWN_ADDRESS:
			want[n++] = addr_of(0, 0);
			want[n++] = addr_of(0, 0);
			break;
		case MOV_INV_01:
			for (int q = 0; q < 2; q++) {
				uint64_t v = q ? ~0ull : 0;

				want[n++] = v;
				want[n++] = ~v;
				want[n++] = v;
			}
			break;
		case MOV_INV_RANDOM:
			want[n++] = r;
			want[n++] = ~r;
			want[n++] = r;
			break;
		default:
			for (uint32_t q = 0; q < NLINUX; q++) {
				want[n++] = linux_patterns[q];
				want[n++] = linux_patterns[q];
			}
		}
		assert_int_equal(R.calls, n);
		for (uint64_t c = 0; c < n; c++)
			if (R.trace[c] != want[c])
				fail_msg("%s: after sweep %llu word 0 is 0x%llx, not 0x%llx", p->name,
					 (unsigned long long)c + 1, (unsigned long long)R.trace[c],
					 (unsigned long long)want[c]);
		if (k != OWN_ADDRESS)
			assert_true(R.trace_uniform);
	}
}

static void mov_inv_random_follows_the_seed(void **s)
{
	(void)s;
	const struct audit_pattern *p = audit_pattern_find("mov_inv_random", 14);
	uint64_t seen[64];

	assert_non_null(p);
	/* splitmix64's first output from state 0, as published */
	assert_int_equal(splitmix64(0), 0xe220a8397b1dcdafull);
	for (uint64_t seed = 0; seed < 64; seed++) {
		make_layout(&layouts[1]);
		R.job.seed = seed;
		run_pattern(p);
		assert_int_equal(R.nrec, 0);
		seen[seed] = R.spans[0].w[0];
		assert_int_equal(seen[seed], splitmix64(seed));
		assert_true(seen[seed] != 0 && seen[seed] != ~0ull);
		for (uint64_t o = 0; o < seed; o++)
			assert_true(seen[o] != seen[seed]);
		/* the same seed, the same data */
		make_layout(&layouts[4]);
		R.job.seed = seed;
		run_pattern(p);
		assert_int_equal(R.spans[7].w[3], seen[seed]);
	}
}

/* ---------------------------------------------------------------- injected faults */

enum where { FIRST, MIDDLE, LAST };

struct inj_case {
	const char *name;
	uint32_t n;
	struct { uint32_t span; enum where w; uint64_t mask; } at[6];
};

static const struct inj_case inj_cases[] = {
	{ "one bit, one word", 1, { { 1, MIDDLE, 1ull << 17 } } },
	{ "all bits, one word", 1, { { 0, FIRST, ~0ull } } },
	{ "bit 63 of the last word", 1, { { 5, LAST, 1ull << 63 } } },
	{ "several in one span", 3,
	  { { 4, FIRST, 1 }, { 4, MIDDLE, 0x00f0000000000f00ull }, { 4, LAST, ~0ull } } },
	{ "several spans", 6,
	  { { 0, FIRST, 2 }, { 1, LAST, 1ull << 40 }, { 2, MIDDLE, ~0ull },
	    { 3, FIRST, 0x8000000000000001ull }, { 5, FIRST, 4 }, { 5, LAST, 8 } } },
};

static uint64_t word_at(uint32_t span, enum where w)
{
	uint64_t n = R.spans[span].words;

	return w == FIRST ? 0 : w == LAST ? n - 1 : n / 2;
}

/* Every injected word is reported `checks` times with exactly its mask
 * flipped, and nothing else is; faults listed outside every span (just
 * before and after spans) are never reported. */
static void injected_faults_are_reported_exactly(void **s)
{
	(void)s;
	static const int lay[] = { 1, 2 }; /* odd sizes, rising and falling */

	for (uint32_t li = 0; li < 2; li++) {
		for (uint32_t c = 0; c < sizeof(inj_cases) / sizeof(inj_cases[0]); c++) {
			for (uint32_t i = 0; i < audit_pattern_count; i++) {
				const struct audit_pattern *p = &audit_patterns[i];
				const struct inj_case *ic = &inj_cases[c];
				struct audit_injection inj[16];
				uint32_t n = 0, hits[16] = { 0 };

				make_layout(&layouts[lay[li]]);
				for (uint32_t k = 0; k < ic->n; k++)
					inj[n++] = (struct audit_injection){
						addr_of(ic->at[k].span, word_at(ic->at[k].span, ic->at[k].w)),
						ic->at[k].mask };
				uint32_t real = n;

				inj[n++] = (struct audit_injection){ R.spans[0].phys - 8, ~0ull };
				inj[n++] = (struct audit_injection){ addr_of(5, R.spans[5].words), 1 };
				inj[n++] = (struct audit_injection){ addr_of(2, 0) + 4, ~0ull };
				give_injections(inj, n);
				run_pattern(p);
				for (uint32_t r = 0; r < R.nrec; r++) {
					uint32_t k = 0;

					while (k < real && inj[k].addr != R.rec[r].addr)
						k++;
					if (k == real)
						fail_msg("%s, %s: 0x%llx reported, not injected", p->name,
							 ic->name, (unsigned long long)R.rec[r].addr);
					assert_int_equal(R.rec[r].expected ^ R.rec[r].actual, inj[k].mask);
					if (kind_of(p) == OWN_ADDRESS)
						assert_int_equal(R.rec[r].expected, R.rec[r].addr);
					hits[k]++;
				}
				for (uint32_t k = 0; k < real; k++)
					if (hits[k] != expects[kind_of(p)].checks)
						fail_msg("%s, %s: 0x%llx reported %u times, not %u", p->name,
							 ic->name, (unsigned long long)inj[k].addr, hits[k],
							 expects[kind_of(p)].checks);
				assert_int_equal(R.nrec, real * expects[kind_of(p)].checks);
				/* an injection is a flip in memory: after the last write
				 * sweep it is still there; nothing else was touched */
				for (uint32_t sp = 0; sp < R.nspans; sp++)
					for (uint64_t w = 0; w < R.spans[sp].words; w++) {
						uint64_t want = final_value(kind_of(p), addr_of(sp, w),
									    R.job.seed);

						for (uint32_t k = 0; k < real; k++)
							if (inj[k].addr == addr_of(sp, w))
								want ^= inj[k].mask;
						assert_int_equal(R.spans[sp].w[w], want);
					}
			}
		}
	}
}

static void injection_on_a_one_word_span(void **s)
{
	(void)s;
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		struct audit_injection inj = { 0, 1ull << 31 };

		make_layout(&layouts[0]);
		inj.addr = R.spans[0].phys;
		give_injections(&inj, 1);
		run_pattern(&audit_patterns[i]);
		assert_int_equal(R.nrec, expects[kind_of(&audit_patterns[i])].checks);
		for (uint32_t r = 0; r < R.nrec; r++) {
			assert_int_equal(R.rec[r].addr, inj.addr);
			assert_int_equal(R.rec[r].expected ^ R.rec[r].actual, inj.mask);
		}
	}
}

/* Moving inversions check upwards, then downwards: the bad reads come in
 * that order, with p expected going up and ~p coming down. */
static void moving_inversions_check_up_then_down(void **s)
{
	(void)s;
	const struct audit_pattern *p = audit_pattern_find("mov_inv_ones_zeros", 18);
	struct audit_injection inj[3];

	make_spans(three, 3, 0);
	inj[0] = (struct audit_injection){ addr_of(0, 2), 1 };
	inj[1] = (struct audit_injection){ addr_of(1, 8), 2 };
	inj[2] = (struct audit_injection){ addr_of(2, 0), 4 };
	give_injections(inj, 3);
	run_pattern(p);
	static const uint32_t order[12] = { 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0 };
	static const uint64_t exp[12] = { 0, 0, 0, ~0ull, ~0ull, ~0ull,
					  ~0ull, ~0ull, ~0ull, 0, 0, 0 };
	assert_int_equal(R.nrec, 12);
	for (int r = 0; r < 12; r++) {
		assert_int_equal(R.rec[r].addr, inj[order[r]].addr);
		assert_int_equal(R.rec[r].expected, exp[r]);
		assert_int_equal(R.rec[r].actual, exp[r] ^ inj[order[r]].mask);
	}
}

/* Every word of every span faulty (the sweeps compare eight words at a
 * time and report from an out-of-line slow path): each word is reported
 * once per check, with its own mask, and the reports come in sweep order:
 * upwards for fills and upward steps, downwards (spans and words) for the
 * moving inversions' downward step. */
static void dense_faults_are_reported_in_sweep_order(void **s)
{
	(void)s;
	static const uint64_t sizes[] = { 21, 8, 3, 16 };
	struct audit_injection inj[48];
	uint64_t up[48], down[48];
	uint32_t n = 0;

	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		enum kind k = kind_of(p);

		make_spans(sizes, 4, 0);
		n = 0;
		for (uint32_t sp = 0; sp < R.nspans; sp++)
			for (uint64_t w = 0; w < R.spans[sp].words; w++, n++)
				inj[n] = (struct audit_injection){ addr_of(sp, w), 1ull << (n % 64) };
		for (uint32_t q = 0; q < n; q++) {
			up[q] = inj[q].addr;
			down[n - 1 - q] = inj[q].addr;
		}
		give_injections(inj, n);
		run_pattern(p);
		assert_int_equal(R.nrec, n * expects[k].checks);
		for (uint32_t r = 0; r < R.nrec; r++) {
			uint32_t sweep = r / n, q = r % n;
			/* moving inversions: check up, then down (twice for ones/zeros) */
			int is_down = (k == MOV_INV_01 || k == MOV_INV_RANDOM) && sweep % 2;
			uint64_t want = is_down ? down[q] : up[q];

			if (R.rec[r].addr != want)
				fail_msg("%s: report %u is 0x%llx, not 0x%llx", p->name, r,
					 (unsigned long long)R.rec[r].addr, (unsigned long long)want);
			uint32_t idx = 0;

			while (inj[idx].addr != want)
				idx++;
			assert_int_equal(R.rec[r].expected ^ R.rec[r].actual, inj[idx].mask);
		}
	}
}

/* The sweep helpers on their own (audit_pattern.h), on spans of every
 * length from 0 to 40 words: what they leave in memory, and each word found
 * wrong exactly once, in the helper's order. */
static void span_helpers_cover_every_length(void **s)
{
	(void)s;
	for (uint64_t len = 0; len <= 40; len++) {
		uint64_t sizes[1] = { len ? len : 1 };

		make_spans(sizes, 1, 0);
		R.spans[0].words = len;
		struct audit_span *sp = &R.spans[0];

		audit_span_fill(sp, 0x1111);
		for (uint64_t w = 0; w < len; w++)
			assert_int_equal(sp->w[w], 0x1111);
		audit_span_check(&R.job, sp, 0x1111);
		assert_int_equal(R.nrec, 0);
		for (uint64_t w = 0; w < len; w += 3)
			sp->w[w] ^= 4;
		audit_span_check(&R.job, sp, 0x1111);
		assert_int_equal(R.nrec, (len + 2) / 3);
		for (uint32_t r = 0; r < R.nrec; r++) {
			assert_int_equal(R.rec[r].addr, addr_of(0, 3 * r));
			assert_int_equal(R.rec[r].actual, 0x1111 ^ 4);
		}
		/* up: the flipped words found, ~ written everywhere */
		R.nrec = 0;
		audit_span_check_write_up(&R.job, sp, 0x1111, 0x2222);
		assert_int_equal(R.nrec, (len + 2) / 3);
		for (uint64_t w = 0; w < len; w++)
			assert_int_equal(sp->w[w], 0x2222);
		/* down: found from the top */
		R.nrec = 0;
		if (len)
			sp->w[len - 1] ^= 1, sp->w[0] ^= 2;
		audit_span_check_write_down(&R.job, sp, 0x2222, 0x3333);
		assert_int_equal(R.nrec, len ? (len > 1 ? 2 : 1) : 0);
		if (len > 1) {
			assert_int_equal(R.rec[0].addr, addr_of(0, len - 1));
			assert_int_equal(R.rec[1].addr, addr_of(0, 0));
		}
		for (uint64_t w = 0; w < len; w++)
			assert_int_equal(sp->w[w], 0x3333);
		/* own address */
		R.nrec = 0;
		audit_span_fill_addr(sp);
		for (uint64_t w = 0; w < len; w++)
			assert_int_equal(sp->w[w], addr_of(0, w));
		if (len)
			sp->w[len / 2] = addr_of(0, 0);
		audit_span_check_addr(&R.job, sp);
		assert_int_equal(R.nrec, len > 1 ? 1 : 0);
		if (len > 1) {
			assert_int_equal(R.rec[0].addr, addr_of(0, len / 2));
			assert_int_equal(R.rec[0].expected, addr_of(0, len / 2));
		}
		R.spans[0].words = sizes[0];
	}
}

/* ---------------------------------------------------------------- memory changed between write and check */

/* Flips in real memory, made after a given sweep of a given span, where the
 * pattern has written the word and not yet read it back: each is found,
 * once, with the value written there expected, and nothing else is. Spans
 * of 5, 9 and 17 words; progress call c is after span (c-1)%3 of sweep
 * (c-1)/3, counting spans downwards in a descending sweep. */
static void changes_behind_the_patterns_back_are_found(void **s)
{
	(void)s;
	const uint64_t P = splitmix64(42), O = ~0ull;

	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		enum kind k = kind_of(p);
		struct flip f[MAX_FLIPS];
		uint32_t n = 0;

		make_spans(three, 3, 0);
		/* every pattern: span 0 written, then changed (first, last word) */
		f[n++] = (struct flip){ 1, 0, 0, 1ull << 5, 0 };
		f[n++] = (struct flip){ 1, 0, 4, 1ull << 63, 0 };
		/* every pattern: all written, the last span's last word changed */
		f[n++] = (struct flip){ 3, 2, 16, ~0ull, 0 };
		switch (k) {
		case OWN_ADDRESS:
			for (uint32_t q = 0; q < n; q++)
				f[q].expected = addr_of(f[q].span, f[q].word);
			/* span 0 checked, span 1 not yet */
			f[n++] = (struct flip){ 4, 1, 3, 0x10, addr_of(1, 3) };
			break;
		case MOV_INV_01:
			/* up: span 0 checked and inverted; span 1 still 0, span 0 now ~0 */
			f[n++] = (struct flip){ 4, 1, 3, 0x10, 0 };
			f[n++] = (struct flip){ 4, 0, 2, 0x20, O };
			/* down: span 2 done; span 0 still ~0, not checked downwards */
			f[n++] = (struct flip){ 7, 0, 1, 0x40, O };
			/* second half, p = ~0: span 0 filled */
			f[n++] = (struct flip){ 10, 0, 3, 0x80, O };
			/* its upward check of span 0 done: span 2 not yet */
			f[n++] = (struct flip){ 13, 2, 7, 0x100, O };
			break;
		case MOV_INV_RANDOM:
			for (uint32_t q = 0; q < n; q++)
				f[q].expected = P;
			f[n++] = (struct flip){ 4, 1, 3, 0x10, P };
			f[n++] = (struct flip){ 4, 0, 2, 0x20, ~P };
			f[n++] = (struct flip){ 7, 0, 1, 0x40, ~P };
			break;
		default:
			/* first pattern (0) checked in span 0, span 1 not yet */
			f[n++] = (struct flip){ 4, 1, 3, 0x10, 0 };
			/* second pattern (~0) filled into span 0 */
			f[n++] = (struct flip){ 7, 0, 2, 0x20, O };
			/* the last pattern, filled everywhere */
			f[n++] = (struct flip){ 3 * (2 * NLINUX - 1), 1, 8, 0x40, LINUX_LAST };
		}
		memcpy(R.flips, f, sizeof(f));
		R.nflips = n;
		run_pattern(p);
		for (uint32_t q = 0; q < n; q++) {
			uint32_t hits = 0;

			for (uint32_t r = 0; r < R.nrec; r++) {
				if (R.rec[r].addr != addr_of(f[q].span, f[q].word))
					continue;
				hits++;
				assert_int_equal(R.rec[r].expected, f[q].expected);
				assert_int_equal(R.rec[r].actual, f[q].expected ^ f[q].mask);
			}
			if (hits != 1)
				fail_msg("%s: change %u (call %llu, span %u word %llu) found %u times",
					 p->name, q, (unsigned long long)f[q].call, f[q].span,
					 (unsigned long long)f[q].word, hits);
		}
		assert_int_equal(R.nrec, n);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(table_is_sane),
		cmocka_unit_test(find_by_name),
		cmocka_unit_test_teardown(clean_memory_reports_nothing_and_sweeps_add_up, teardown),
		cmocka_unit_test_teardown(progress_callback_is_optional, teardown),
		cmocka_unit_test_teardown(sweeps_write_what_the_pattern_says, teardown),
		cmocka_unit_test_teardown(mov_inv_random_follows_the_seed, teardown),
		cmocka_unit_test_teardown(injected_faults_are_reported_exactly, teardown),
		cmocka_unit_test_teardown(injection_on_a_one_word_span, teardown),
		cmocka_unit_test_teardown(moving_inversions_check_up_then_down, teardown),
		cmocka_unit_test_teardown(changes_behind_the_patterns_back_are_found, teardown),
		cmocka_unit_test_teardown(dense_faults_are_reported_in_sweep_order, teardown),
		cmocka_unit_test_teardown(span_helpers_cover_every_length, teardown),
		cmocka_unit_test(table_sweep_kinds_add_up),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
