/* Host tests of the RAM test patterns (kernel/audit/): every pattern of the
 * table over several span layouts, clean, with injected faults (flipped in
 * the buffers by kernel/audit/inject.c from the `written` hook, as the audit
 * does in RAM), and with memory changed behind its back between a write and
 * the check that follows (from the progress callback, which runs after each
 * span of each sweep). Each span is its own malloc, so ASan catches a sweep
 * that leaves it. walking_ones_address and bit_fade also have tests of their
 * own: memfd pages mapped twice (an address line that does not decode), the
 * job's uncached view, and its `rest` hook changing a bit while memory rests. */
#define _GNU_SOURCE /* memfd_create */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kernel/audit_pattern.h>
#include "rs_reference.h"

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

#define GOLDEN 0x9e3779b97f4a7c15ull
#define P8 0x8080808080808080ull

/* modulo20's P for a seed (random_sequence's words: rs_reference.h) */
static uint64_t mod20_p(uint64_t seed)
{
	return splitmix64(seed ^ 0x2020202020202020ull);
}

static uint64_t rotl(uint64_t v, unsigned r)
{
	r &= 63;
	return r ? v << r | v >> (64 - r) : v;
}

/* block_move's fill: a rotating bit per 16 words, v or ~v in pairs, word k
 * and k +- 8 of opposite polarity; and the half it moves (0: none) */
static uint64_t bm_fill(uint64_t k, uint64_t inv)
{
	uint64_t v = 1ull << ((k >> 4) & 63);

	return (((k >> 1) ^ (k >> 3)) & 1 ? ~v : v) ^ inv;
}

static uint64_t bm_half(uint64_t words)
{
	uint64_t h = words / 2 & ~7ull;

	return h >= 16 ? h : 0;
}

enum kind { OWN_ADDRESS, MOV_INV_01, MOV_INV_RANDOM, LINUX_MEMTEST, MOV_INV_8BIT,
	    MOV_INV_WALK64, BLOCK_MOVE, RANDOM_SEQUENCE, MODULO20, WALK_ADDRESS, BIT_FADE,
	    NKINDS };

/* What the test knows of each pattern, independently of the table. */
static const struct expect {
	const char *name;
	uint32_t sweeps;    /* passes over memory */
	uint32_t checks;    /* of them, the ones that read a word back (block_move,
			     * modulo20: see reports_per_word) */
	uint32_t writes;    /* the `written` calls per span */
	uint32_t iterations; /* a full pass's, memtest86+'s (0: not in the family) */
} expects[NKINDS] = {
	[OWN_ADDRESS] = { "own_address", 2, 1, 1 },
	[MOV_INV_01] = { "mov_inv_ones_zeros", 6, 4, 6 },
	[MOV_INV_RANDOM] = { "mov_inv_random", 3, 2, 3 },
	[LINUX_MEMTEST] = { "linux_memtest", 2 * NLINUX, NLINUX, NLINUX },
	/* 8 shifts x (p, ~p) x (fill, up, down) */
	[MOV_INV_8BIT] = { "mov_inv_8bit", 48, 32, 48, 3 },
	/* 64 offsets x (walking 1, walking 0) x (fill, up, down) */
	[MOV_INV_WALK64] = { "mov_inv_walk64", 384, 256, 384, 3 },
	/* 2 x (fill, move, check, move, check) */
	[BLOCK_MOVE] = { "block_move", 10, 4, 6 },
	/* fill, check and complement, check */
	[RANDOM_SEQUENCE] = { "random_sequence", 3, 2, 2 },
	/* 20 offsets x (P, ~P) x (fill, 2 rewrites, check) */
	[MODULO20] = { "modulo20", 160, 40, 40 },
	/* a few words per span, no sweep that writes it all (no `written`) */
	[WALK_ADDRESS] = { "walking_ones_address", 1, 0, 0 },
	/* (fill, rest, check) with 0s, then with 1s */
	[BIT_FADE] = { "bit_fade", 4, 2, 2 },
};

static const uint32_t family_iterations[NKINDS] = {
	[MOV_INV_01] = 6, [MOV_INV_RANDOM] = 30, [MOV_INV_8BIT] = 3, [MOV_INV_WALK64] = 3,
};

static enum kind kind_of(const struct audit_pattern *p)
{
	for (int k = 0; k < NKINDS; k++)
		if (!strcmp(p->name, expects[k].name))
			return (enum kind)k;
	fail_msg("pattern %s has no expectations in this test", p->name);
	return NKINDS;
}

/* ---------------------------------------------------------------- harness */

#define MAX_SPANS 256
#define MAX_RECS  8192
#define MAX_TRACE 512
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
	uint32_t hits;      /* times it is found; 0 means once, NEVER none */
};
#define NEVER 0xffffffffu

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

/* The word's index in the job: the spans one after the other. */
static uint64_t job_index(uint32_t span, uint64_t word)
{
	uint64_t n = word;

	for (uint32_t s = 0; s < span; s++)
		n += R.spans[s].words;
	return n;
}

/* What a span's word holds before a pattern runs (make_spans). */
static uint64_t garbage(uint32_t span, uint64_t word)
{
	return 0xdeadbeefcafef00dull ^ (word * 0x9e3779b97f4a7c15ull) ^ span;
}

/* walking_ones_address's words: offset 0 and each power of two below the
 * span's size; the last of them is the last victim. */
static int walked(uint64_t word, uint64_t words)
{
	return word < words && (word & (word - 1)) == 0;
}

static int last_walked(uint64_t word, uint64_t words)
{
	return walked(word, words) && (word ? word * 2 >= words : words == 1);
}

/* What the pattern leaves in word `word` of span `span` when it is done
 * (one iteration). */
static uint64_t final_value(enum kind k, uint32_t span, uint64_t word, uint64_t seed)
{
	uint64_t n = job_index(span, word), h = bm_half(R.spans[span].words);
	uint64_t words = R.spans[span].words, phys = R.spans[span].phys + 8 * word;

	switch (k) {
	case WALK_ADDRESS:
		/* second round (complements): the last victim keeps ~phys, the
		 * others were last written as the others of that victim, phys */
		if (!walked(word, words))
			return garbage(span, word);
		return last_walked(word, words) ? ~phys : phys;
	case BIT_FADE:
		return ~0ull;
	case OWN_ADDRESS:
		return phys;
	case MOV_INV_01:
		return ~0ull;
	case MOV_INV_RANDOM:
		return splitmix64(seed);
	case MOV_INV_8BIT:
		return ~(P8 >> 7);
	case MOV_INV_WALK64:
		return ~rotl(1ull << 63, (unsigned)(n & 63));
	case BLOCK_MOVE:
		/* the inverted round: first half rotated by 8 words, second the fill */
		if (word < h)
			return bm_fill((word + h - 8) % h, ~0ull);
		if (word < 2 * h)
			return bm_fill(word - h, ~0ull);
		return bm_fill(word, ~0ull);
	case RANDOM_SEQUENCE:
		return ~rs_reference_word(seed, n);
	case MODULO20:
		return word % 20 == 19 ? ~mod20_p(seed) : mod20_p(seed);
	default:
		return LINUX_LAST;
	}
}

/* How often an injected fault in that word is reported in one run. */
static uint32_t reports_per_word(enum kind k, uint32_t span, uint64_t word)
{
	uint64_t h = bm_half(R.spans[span].words);

	if (k == BLOCK_MOVE) /* the second half is checked against the first once a round */
		return word >= h && word < 2 * h ? 2 : 4;
	if (k == MODULO20)   /* as P, at its offset, in both orientations */
		return 2;
	/* walking_ones_address: checks = 0; it never calls `written`, so an
	 * injected fault never reaches its memory */
	return expects[k].checks;
}


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

	/* the span written (or the part of it a block move wrote) is the one
	 * progress reports next */
	if (r->last_written && r->last_written->words > words - r->last_words)
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
			w[i] = garbage(s, i);
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
		assert_int_equal(p->iterations, family_iterations[k]);
		assert_int_equal(audit_pattern_sweeps(p, 0), p->sweeps);
		assert_int_equal(audit_pattern_sweeps(p, 1), p->sweeps);
		assert_true(p->level >= AUDIT_QUICK && p->level <= AUDIT_FULL);
		quick += p->level == AUDIT_QUICK;
	}
	for (int k = 0; k < NKINDS; k++)
		assert_int_equal(seen[k], 1);
	assert_true(quick >= 1);
}

/* The sweep kinds a row declares (make bench and the audit_cpu ratio take
 * each pattern's limit from them) add up to its sweeps, those of a further
 * iteration to its iteration_sweeps, and match what the pattern does: write
 * sweeps are the ones that call `written`, checks the ones that read. */
static void table_sweep_kinds_add_up(void **s)
{
	(void)s;
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		enum kind k = kind_of(p);

		assert_int_equal(p->mix.write + p->mix.read + p->mix.rw, p->sweeps);
		assert_int_equal(p->iteration_mix.write + p->iteration_mix.read + p->iteration_mix.rw,
				 p->iteration_sweeps);
		/* block_move's copies and modulo20's rewrites are sweeps that
		 * neither call `written` nor check, walking_ones_address's one
		 * "sweep" a few uncached words per span: the others match exactly */
		if (k == BLOCK_MOVE || k == MODULO20 || k == WALK_ADDRESS)
			continue;
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
					if (R.spans[sp].w[w] != final_value(k, sp, w, R.job.seed))
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
		uint64_t want[MAX_TRACE], n = 0, r = splitmix64(99), pm = mod20_p(99);
		uint64_t h = 2048;

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
		case MOV_INV_8BIT:
			for (int b = 0; b < 8; b++)
				for (int q = 0; q < 2; q++) {
					uint64_t v = q ? ~(P8 >> b) : P8 >> b;

					want[n++] = v;
					want[n++] = ~v;
					want[n++] = v;
				}
			break;
		case MOV_INV_WALK64:
			for (int o = 0; o < 64; o++)
				for (int q = 0; q < 2; q++) {
					uint64_t v = q ? ~(1ull << o) : 1ull << o;

					want[n++] = v;
					want[n++] = ~v;
					want[n++] = v;
				}
			break;
		case BLOCK_MOVE:
			for (int q = 0; q < 2; q++) {
				uint64_t inv = q ? ~0ull : 0;

				want[n++] = bm_fill(0, inv);
				want[n++] = bm_fill(0, inv);
				want[n++] = bm_fill(0, inv);
				want[n++] = bm_fill(h - 8, inv); /* the second half's word h-8 */
				want[n++] = bm_fill(h - 8, inv);
			}
			break;
		case RANDOM_SEQUENCE:
			want[n++] = rs_reference_word(99, 0);
			want[n++] = ~rs_reference_word(99, 0);
			want[n++] = ~rs_reference_word(99, 0);
			break;
		case MODULO20:
			/* word 0 is offset 0's P word, and a ~P word for the others */
			for (int o = 0; o < 20; o++)
				for (int q = 0; q < 2; q++)
					for (int c = 0; c < 4; c++)
						want[n++] = (o == 0) == (q == 0) ? pm : ~pm;
			break;
		case WALK_ADDRESS:
			want[n++] = addr_of(0, 0);
			break;
		case BIT_FADE:
			want[n++] = 0;
			want[n++] = 0;
			want[n++] = ~0ull;
			want[n++] = ~0ull;
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
		if (k == MOV_INV_01 || k == MOV_INV_RANDOM || k == LINUX_MEMTEST || k == MOV_INV_8BIT ||
		    k == BIT_FADE)
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
				uint32_t total = 0;

				for (uint32_t k = 0; k < real; k++) {
					uint32_t want = reports_per_word(kind_of(p), ic->at[k].span,
									 word_at(ic->at[k].span, ic->at[k].w));

					if (hits[k] != want)
						fail_msg("%s, %s: 0x%llx reported %u times, not %u", p->name,
							 ic->name, (unsigned long long)inj[k].addr, hits[k],
							 want);
					total += want;
				}
				assert_int_equal(R.nrec, total);
				/* an injection is a flip in memory: after the last write
				 * sweep it is still there; nothing else was touched (a
				 * block move copies what it read, so a bad cell's value
				 * is carried to good ones: not checked there) */
				for (uint32_t sp = 0; sp < R.nspans && kind_of(p) != BLOCK_MOVE; sp++)
					for (uint64_t w = 0; w < R.spans[sp].words; w++) {
						uint64_t want = final_value(kind_of(p), sp, w, R.job.seed);

						/* modulo20 rewrites the ~P words after the last
						 * flip: it stays only in the last offset's P words;
						 * a pattern that never calls `written` never gets it */
						for (uint32_t k = 0; k < real; k++)
							if (inj[k].addr == addr_of(sp, w) &&
							    expects[kind_of(p)].writes &&
							    (kind_of(p) != MODULO20 || w % 20 == 19))
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
		assert_int_equal(R.nrec, reports_per_word(kind_of(&audit_patterns[i]), 0, 0));
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
	static const uint64_t sizes[] = { 13, 8, 3 }; /* walk64: 256 checks of 24 words fit MAX_RECS */
	struct audit_injection inj[48];
	uint64_t up[48], down[48];
	uint32_t n = 0;

	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		enum kind k = kind_of(p);
		/* the moving inversions check up, then down; these check upwards
		 * only; block_move and modulo20 report some words more than once
		 * or not at all (reports_per_word) and have their own cases */
		int mi = k == MOV_INV_01 || k == MOV_INV_RANDOM || k == MOV_INV_8BIT ||
			 k == MOV_INV_WALK64;

		if (!mi && k != OWN_ADDRESS && k != LINUX_MEMTEST && k != RANDOM_SEQUENCE)
			continue;
		make_spans(sizes, 3, 0);
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
			int is_down = mi && sweep % 2;
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

/* modulo20 on spans long enough for its eight-at-a-time check (8 P words
 * are 160 words apart end to end), every word faulty: each word is found
 * twice (as P, in both orientations) with its own mask, the P words of one
 * offset in ascending order. */
static void modulo20_checks_every_p_word_of_long_spans(void **s)
{
	(void)s;
	static const uint64_t sizes[] = { 1000, 333 };
	static struct audit_injection inj[1333];
	static uint32_t hits[1333];
	const struct audit_pattern *p = audit_pattern_find("modulo20", 8);
	uint32_t n = 0;

	assert_non_null(p);
	make_spans(sizes, 2, 0);
	for (uint32_t sp = 0; sp < R.nspans; sp++)
		for (uint64_t w = 0; w < R.spans[sp].words; w++, n++)
			inj[n] = (struct audit_injection){ addr_of(sp, w), 1ull << (n % 64) };
	give_injections(inj, n);
	memset(hits, 0, sizeof(hits));
	run_pattern(p);
	assert_int_equal(R.nrec, 2 * n);
	for (uint32_t r = 0; r < R.nrec; r++) {
		uint32_t q = 0;

		while (q < n && inj[q].addr != R.rec[r].addr)
			q++;
		assert_true(q < n);
		assert_int_equal(R.rec[r].expected ^ R.rec[r].actual, inj[q].mask);
		hits[q]++;
		/* within one check sweep of one span, addresses rise by 20 words */
		uint64_t prev = r ? R.rec[r - 1].addr : 0, cur = R.rec[r].addr;

		if (r && prev < cur && cur - prev < 8 * sizes[0])
			assert_int_equal((cur - prev) % (8 * 20), 0);
	}
	for (uint32_t q = 0; q < n; q++)
		if (hits[q] != 2)
			fail_msg("word 0x%llx found %u times, not 2", (unsigned long long)inj[q].addr,
				 hits[q]);
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
	const uint64_t P = splitmix64(42), O = ~0ull, M = mod20_p(42);

	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		enum kind k = kind_of(p);
		struct flip f[MAX_FLIPS];
		uint32_t n = 0;

		make_spans(three, 3, 0);
		/* every pattern: span 0 written, then changed (first, last word) */
		f[n++] = (struct flip){ 1, 0, 0, 1ull << 5, 0, 0 };
		f[n++] = (struct flip){ 1, 0, 4, 1ull << 63, 0, 0 };
		/* every pattern: all written, the last span's last word changed */
		f[n++] = (struct flip){ 3, 2, 16, ~0ull, 0, 0 };
		switch (k) {
		case OWN_ADDRESS:
			for (uint32_t q = 0; q < n; q++)
				f[q].expected = addr_of(f[q].span, f[q].word);
			/* span 0 checked, span 1 not yet */
			f[n++] = (struct flip){ 4, 1, 3, 0x10, addr_of(1, 3), 0 };
			break;
		case MOV_INV_01:
			/* up: span 0 checked and inverted; span 1 still 0, span 0 now ~0 */
			f[n++] = (struct flip){ 4, 1, 3, 0x10, 0, 0 };
			f[n++] = (struct flip){ 4, 0, 2, 0x20, O, 0 };
			/* down: span 2 done; span 0 still ~0, not checked downwards */
			f[n++] = (struct flip){ 7, 0, 1, 0x40, O, 0 };
			/* second half, p = ~0: span 0 filled */
			f[n++] = (struct flip){ 10, 0, 3, 0x80, O, 0 };
			/* its upward check of span 0 done: span 2 not yet */
			f[n++] = (struct flip){ 13, 2, 7, 0x100, O, 0 };
			break;
		case MOV_INV_RANDOM:
			for (uint32_t q = 0; q < n; q++)
				f[q].expected = P;
			f[n++] = (struct flip){ 4, 1, 3, 0x10, P, 0 };
			f[n++] = (struct flip){ 4, 0, 2, 0x20, ~P, 0 };
			f[n++] = (struct flip){ 7, 0, 1, 0x40, ~P, 0 };
			break;
		case MOV_INV_8BIT:
			for (uint32_t q = 0; q < n; q++)
				f[q].expected = P8;
			f[n++] = (struct flip){ 4, 1, 3, 0x10, P8, 0 };
			f[n++] = (struct flip){ 4, 0, 2, 0x20, ~P8, 0 };
			f[n++] = (struct flip){ 7, 0, 1, 0x40, ~P8, 0 };
			break;
		case MOV_INV_WALK64:
			/* offset 0's walking 1: word n holds bit n */
			for (uint32_t q = 0; q < n; q++)
				f[q].expected = rotl(1, (unsigned)job_index(f[q].span, f[q].word));
			f[n++] = (struct flip){ 4, 1, 3, 0x10, 1ull << 8, 0 };
			f[n++] = (struct flip){ 4, 0, 2, 0x20, ~(1ull << 2), 0 };
			f[n++] = (struct flip){ 7, 0, 1, 0x40, ~(1ull << 1), 0 };
			break;
		case BLOCK_MOVE:
			/* spans too small to move: checked against the fill twice a
			 * round, so a change after the fill is found twice */
			for (uint32_t q = 0; q < n; q++) {
				f[q].expected = bm_fill(f[q].word, 0);
				f[q].hits = 2;
			}
			/* after the first check of span 0: found by the second only */
			f[n++] = (struct flip){ 8, 0, 1, 0x40, bm_fill(1, 0), 0 };
			f[n++] = (struct flip){ 12, 2, 3, 0x80, bm_fill(3, 0), 0 };
			break;
		case RANDOM_SEQUENCE:
			for (uint32_t q = 0; q < n; q++)
				f[q].expected = rs_reference_word(42, job_index(f[q].span, f[q].word));
			f[n++] = (struct flip){ 4, 1, 3, 0x10, rs_reference_word(42, 8), 0 };
			f[n++] = (struct flip){ 4, 0, 2, 0x20, ~rs_reference_word(42, 2), 0 };
			break;
		case MODULO20:
			/* 24 calls per offset: (fill, 2 rewrites, check) x 3 spans, with
			 * P then ~P; word i is a P word for offset i % 20 */
			n = 0;
			f[n++] = (struct flip){ 1, 0, 0, 1ull << 5, M, 0 };
			/* a ~P word is rewritten before anything reads it: never seen */
			f[n++] = (struct flip){ 1, 0, 4, 1ull << 63, 0, NEVER };
			f[n++] = (struct flip){ 3, 2, 0, ~0ull, M, 0 };
			/* the rewrites leave the P words alone */
			f[n++] = (struct flip){ 8, 1, 0, 0x10, M, 0 };
			f[n++] = (struct flip){ 24 + 12 + 1, 0, 1, 0x20, ~M, 0 }; /* offset 1, ~P */
			f[n++] = (struct flip){ 24 * 16 + 3, 2, 16, 0x40, M, 0 };
			break;
		case WALK_ADDRESS:
			/* progress comes once a span is done with: nothing reads it
			 * again (its own faults: walking_ones_address_* below) */
			n = 0;
			break;
		case BIT_FADE:
			/* zeros filled, then checked in span 0 (span 1 not yet) */
			f[n++] = (struct flip){ 4, 1, 3, 0x10, 0, 0 };
			/* ones filled into span 0, then everywhere */
			f[n++] = (struct flip){ 7, 0, 2, 0x20, O, 0 };
			f[n++] = (struct flip){ 9, 1, 8, 0x40, O, 0 };
			break;
		default:
			/* first pattern (0) checked in span 0, span 1 not yet */
			f[n++] = (struct flip){ 4, 1, 3, 0x10, 0, 0 };
			/* second pattern (~0) filled into span 0 */
			f[n++] = (struct flip){ 7, 0, 2, 0x20, O, 0 };
			/* the last pattern, filled everywhere */
			f[n++] = (struct flip){ 3 * (2 * NLINUX - 1), 1, 8, 0x40, LINUX_LAST, 0 };
		}
		memcpy(R.flips, f, sizeof(f));
		R.nflips = n;
		run_pattern(p);
		uint32_t total = 0;

		for (uint32_t q = 0; q < n; q++) {
			uint32_t hits = 0, want = f[q].hits == NEVER ? 0 : f[q].hits ? f[q].hits : 1;

			for (uint32_t r = 0; r < R.nrec; r++) {
				if (R.rec[r].addr != addr_of(f[q].span, f[q].word))
					continue;
				hits++;
				if (R.rec[r].expected != f[q].expected)
					fail_msg("%s: change %u expected 0x%llx, the check expected 0x%llx",
						 p->name, q, (unsigned long long)f[q].expected,
						 (unsigned long long)R.rec[r].expected);
				assert_int_equal(R.rec[r].actual, f[q].expected ^ f[q].mask);
			}
			if (hits != want)
				fail_msg("%s: change %u (call %llu, span %u word %llu) found %u times, not %u",
					 p->name, q, (unsigned long long)f[q].call, f[q].span,
					 (unsigned long long)f[q].word, hits, want);
			total += want;
		}
		assert_int_equal(R.nrec, total);
	}
}

/* A block move copies what it reads: a bad cell's value is carried to good
 * cells, and the checks compare copies with their sources, so only the bad
 * cell itself is reported. One 4096-word span (halves of 2048 words); calls
 * 1-5 are the first round's fill, move, check, move, check. */
static void block_move_reports_a_bad_cell_at_its_own_address(void **s)
{
	(void)s;
	const uint64_t h = 2048;
	struct flip f[3] = {
		{ 1, 0, 10, 1ull << 9, bm_fill(10, 0), 0 },         /* first half, after the fill */
		{ 2, 0, h + 5, 1ull << 60, bm_fill(5, 0), 0 },      /* second half, after move 1 */
		{ 4, 0, 100, 3, bm_fill(92, 0), 0 },                /* first half, after move 2 */
	};

	make_layout(&layouts[3]);
	memcpy(R.flips, f, sizeof(f));
	R.nflips = 3;
	run_pattern(audit_pattern_find("block_move", 10));
	assert_int_equal(R.nrec, 3);
	for (uint32_t q = 0; q < 3; q++) {
		uint32_t r = 0;

		while (r < 3 && R.rec[r].addr != addr_of(0, f[q].word))
			r++;
		if (r == 3)
			fail_msg("change %u (word %llu) not reported", q, (unsigned long long)f[q].word);
		assert_int_equal(R.rec[r].expected, f[q].expected);
		assert_int_equal(R.rec[r].actual, f[q].expected ^ f[q].mask);
	}
}

/* iterations=: the moving-inversion family repeats its sweeps (memtest86+'s
 * way: one fill, then up-and-down sweeps; mov_inv_random a new pattern per
 * iteration), the others ignore it. Sweeps, progress, reports per injected
 * word and what is left in memory follow. */
static void iterations_repeat_the_moving_inversions(void **s)
{
	(void)s;
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		enum kind k = kind_of(p);

		for (uint32_t it = 1; it <= 4; it++) {
			uint64_t sweeps = p->sweeps, checks;
			struct audit_injection inj;

			switch (k) {
			case MOV_INV_01: sweeps = 2 * (1 + 2 * it); break;
			case MOV_INV_RANDOM: sweeps = 3 * it; break;
			case MOV_INV_8BIT: sweeps = 16 * (1 + 2 * it); break;
			case MOV_INV_WALK64: sweeps = 128 * (1 + 2 * it); break;
			default: break;
			}
			assert_int_equal(audit_pattern_sweeps(p, it), sweeps);
			make_layout(&layouts[1]);
			inj = (struct audit_injection){ addr_of(4, 256), 1ull << 33 };
			give_injections(&inj, 1);
			R.job.iterations = it;
			run_pattern(p);
			assert_int_equal(R.job.iterations, it);
			assert_int_equal(R.job.words_done, R.words * sweeps);
			assert_int_equal(R.calls, R.nspans * sweeps);
			checks = family_iterations[k] ? expects[k].checks * it
						       : reports_per_word(k, 4, 256);
			assert_int_equal(R.nrec, checks);
			for (uint32_t r = 0; r < R.nrec; r++)
				assert_int_equal(R.rec[r].expected ^ R.rec[r].actual, inj.mask);
			uint64_t last = k == MOV_INV_RANDOM ? splitmix64(R.job.seed + (it - 1) * GOLDEN)
							    : final_value(k, 0, 0, R.job.seed);

			assert_int_equal(R.spans[0].w[0], last);
		}
	}
}

/* ---------------------------------------------------------------- walking_ones_address */

/* A span of `pages` pages backed by a memfd, mapped so that page `alias`
 * reaches the same memory as page 0 (two addresses, one cell: an address
 * line that does not decode); alias 0 maps every page to its own memory. */
struct mapped {
	int fd;
	volatile uint64_t *w;
	uint64_t bytes;
};

static struct mapped map_span(uint64_t pages, uint64_t alias)
{
	struct mapped m = { .bytes = pages * 4096 };

	m.fd = memfd_create("span", 0);
	assert_true(m.fd >= 0);
	assert_int_equal(ftruncate(m.fd, (off_t)m.bytes), 0);
	void *p = mmap(NULL, m.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0);

	assert_true(p != MAP_FAILED);
	if (alias)
		assert_true(mmap((char *)p + alias * 4096, 4096, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, m.fd, 0) != MAP_FAILED);
	m.w = p;
	return m;
}

static void unmap_span(struct mapped *m)
{
	munmap((void *)m->w, m->bytes);
	close(m->fd);
}

static const struct audit_pattern *walk_pattern(void)
{
	const struct audit_pattern *p = audit_pattern_find("walking_ones_address", 20);

	assert_non_null(p);
	return p;
}

/* One span, a buddy block aligned to its size, as the audit gives it. */
static void one_span_job(volatile uint64_t *w, uint64_t bytes)
{
	memset(&R, 0, sizeof(R));
	R.spans[0] = (struct audit_span){ .w = w, .phys = 0x40000000ull, .words = bytes / 8 };
	R.nspans = 1;
	R.words = bytes / 8;
	R.job = (struct audit_job){ .spans = R.spans, .nspans = 1, .bad = on_bad, .ctx = &R };
}

/* Two words reaching one cell are found, both of them and nothing else: the
 * victim read back holds what the write to its alias put there. Aliases at
 * a low and at a high address line of a 4 MiB block; none: clean. */
static void walking_ones_address_finds_aliased_words(void **s)
{
	(void)s;
	static const uint64_t aliases[] = { 0, 1, 2, 256, 512 };

	for (uint32_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++) {
		struct mapped m = map_span(1024, aliases[a]);
		uint64_t base = 0x40000000ull, other = base + aliases[a] * 4096;
		uint32_t at_base = 0, at_other = 0;

		one_span_job(m.w, m.bytes);
		run_pattern(walk_pattern());
		for (uint32_t r = 0; r < R.nrec; r++) {
			const struct rec *e = &R.rec[r];

			if (e->addr == base) {
				at_base++;
				/* victim base, overwritten through the alias */
				assert_int_equal(e->actual, e->expected ^ ~0ull ^ (base ^ other));
			} else if (e->addr == other) {
				at_other++;
				assert_int_equal(e->actual, e->expected ^ ~0ull ^ (base ^ other));
			} else {
				fail_msg("alias page %llu: 0x%llx reported",
					 (unsigned long long)aliases[a], (unsigned long long)e->addr);
			}
		}
		if (aliases[a]) {
			/* each is the victim in both rounds, overwritten once by the other */
			assert_int_equal(at_base, 2);
			assert_int_equal(at_other, 2);
		} else {
			assert_int_equal(R.nrec, 0);
		}
		assert_int_equal(R.job.words_done, R.words);
		unmap_span(&m);
	}
	R.nspans = 0; /* not malloc'd: nothing for free_spans */
}

/* own_address in phases, as the audit runs it over slices (passes.c): every
 * region written, then every region checked, so two addresses in different
 * regions landing on one cell show. Region 1's page is region 0's (one memfd
 * page mapped twice): run region by region, each is checked before the next
 * is written and nothing is found; in phases, all 512 words of region 0 hold
 * region 1's addresses. */
static void own_address_in_phases_sees_aliases_across_regions(void **s)
{
	(void)s;
	const struct audit_pattern *p = audit_pattern_find("own_address", 11);
	struct mapped m = map_span(2, 1);

	assert_non_null(p);
	assert_int_equal(p->phases, 2);
	for (uint32_t phased = 0; phased < 2; phased++) {
		memset(&R, 0, sizeof(R));
		for (uint32_t k = 0; k < (phased ? 4u : 2u); k++) {
			uint32_t region = k % 2;

			R.spans[0] = (struct audit_span){ .w = m.w + region * 512,
							  .phys = 0x40000000ull + region * 4096,
							  .words = 512 };
			R.job = (struct audit_job){ .spans = R.spans, .nspans = 1, .bad = on_bad,
						    .ctx = &R, .phase = phased ? 1 + k / 2 : 0 };
			p->run(&R.job);
		}
		assert_int_equal(R.nrec + R.rec_dropped, phased ? 512 : 0);
		for (uint32_t r = 0; r < R.nrec; r++) {
			assert_true(R.rec[r].addr - 0x40000000ull < 4096);
			assert_int_equal(R.rec[r].actual, R.rec[r].addr + 4096);
		}
	}
	unmap_span(&m);
	memset(&R, 0, sizeof(R)); /* not malloc'd: nothing for free_spans */
}

/* The uncached view: every span opened once, closed once, in order; while it
 * is open the span's own mapping (the cached direct map in the kernel) is
 * PROT_NONE, so any access through it would kill the test; the pattern's
 * reads and writes go through the view (a fault in the view alone is found). */
static struct {
	struct mapped view[4];
	uint32_t opened, closed;
	int order_wrong;
} UC;

static volatile uint64_t *test_uncached(struct audit_job *j, const struct audit_span *s)
{
	uint32_t i = (uint32_t)(s - j->spans);

	if (i != UC.opened || UC.closed != UC.opened)
		UC.order_wrong = 1;
	UC.opened++;
	assert_int_equal(mprotect((void *)s->w, s->words * 8, PROT_NONE), 0);
	return UC.view[i].w;
}

static void test_uncached_end(struct audit_job *j, const struct audit_span *s)
{
	if ((uint32_t)(s - j->spans) != UC.closed || UC.closed + 1 != UC.opened)
		UC.order_wrong = 1;
	UC.closed++;
	assert_int_equal(mprotect((void *)s->w, s->words * 8, PROT_READ | PROT_WRITE), 0);
}

static void walking_ones_address_uses_only_the_uncached_view(void **s)
{
	(void)s;
	for (int faulty = 0; faulty < 2; faulty++) {
		struct mapped own[4];

		memset(&UC, 0, sizeof(UC));
		memset(&R, 0, sizeof(R));
		for (uint32_t i = 0; i < 4; i++) {
			own[i] = map_span(4, 0);
			/* the view maps the same memory; with `faulty`, span 2's view
			 * has its page 2 decoded onto page 0 */
			UC.view[i].bytes = own[i].bytes;
			UC.view[i].fd = -1;
			UC.view[i].w = mmap(NULL, own[i].bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
					    own[i].fd, 0);
			assert_true(UC.view[i].w != MAP_FAILED);
			if (faulty && i == 2)
				assert_true(mmap((char *)UC.view[i].w + 2 * 4096, 4096,
						 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
						 own[i].fd, 0) != MAP_FAILED);
			R.spans[i] = (struct audit_span){ .w = own[i].w, .words = own[i].bytes / 8,
				.phys = 0x80000000ull + i * 0x4000 };
		}
		R.nspans = 4;
		R.job = (struct audit_job){ .spans = R.spans, .nspans = 4, .bad = on_bad, .ctx = &R,
					    .uncached = test_uncached,
					    .uncached_end = test_uncached_end };
		run_pattern(walk_pattern());
		assert_int_equal(UC.opened, 4);
		assert_int_equal(UC.closed, 4);
		assert_false(UC.order_wrong);
		for (uint32_t r = 0; r < R.nrec; r++)
			assert_true(R.rec[r].addr == R.spans[2].phys ||
				    R.rec[r].addr == R.spans[2].phys + 2 * 4096);
		assert_int_equal(R.nrec, faulty ? 4 : 0);
		/* what went through the views is in memory */
		for (uint32_t i = 0; i < 4; i++) {
			if (faulty && i == 2)
				continue;
			assert_int_equal(own[i].w[1], R.spans[i].phys + 8);
			assert_int_equal(own[i].w[1024], ~(R.spans[i].phys + 8 * 1024));
		}
		for (uint32_t i = 0; i < 4; i++) {
			munmap((void *)UC.view[i].w, UC.view[i].bytes);
			unmap_span(&own[i]);
		}
	}
	R.nspans = 0; /* not malloc'd: nothing for free_spans */
}

/* ---------------------------------------------------------------- bit_fade */

/* The `rest` hook plays the memory while nothing refreshes it: on rest
 * `decay_at` it changes one bit of one word, once (a cell that did not hold
 * its charge). It also sees that the memory was filled before the rest. */
static struct {
	uint32_t calls, seconds[4];
	uint32_t decay_at, span;
	uint64_t word, mask;
	int unfilled;
} FADE;

static void test_rest(struct audit_job *j, uint32_t seconds)
{
	uint64_t p = FADE.calls ? ~0ull : 0;

	for (uint32_t s = 0; s < j->nspans; s++)
		for (uint64_t i = 0; i < j->spans[s].words; i++)
			if (j->spans[s].w[i] != p)
				FADE.unfilled = 1;
	if (FADE.calls < 4)
		FADE.seconds[FADE.calls] = seconds;
	if (++FADE.calls == FADE.decay_at)
		R.spans[FADE.span].w[FADE.word] ^= FADE.mask;
}

static void bit_fade_finds_a_bit_that_decays_during_a_rest(void **s)
{
	(void)s;
	const struct audit_pattern *p = audit_pattern_find("bit_fade", 8);
	static const struct { uint32_t at, span; uint64_t word, mask; } cases[] = {
		{ 0, 0, 0, 0 },                /* nothing decays: nothing found */
		{ 1, 1, 2, 1ull << 17 },       /* a 0 that became 1 */
		{ 2, 2, 0, 1ull << 63 },       /* a 1 that became 0 */
		{ 2, 5, 1000, 0x0101 },        /* two bits of the last span's last word */
	};

	assert_non_null(p);
	for (uint32_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		make_layout(&layouts[1]);
		memset(&FADE, 0, sizeof(FADE));
		FADE.decay_at = cases[c].at;
		FADE.span = cases[c].span;
		FADE.word = cases[c].word;
		FADE.mask = cases[c].mask;
		R.job.rest = test_rest;
		R.job.bit_fade_seconds = 17;
		run_pattern(p);
		assert_int_equal(FADE.calls, 2);
		assert_int_equal(FADE.seconds[0], 17);
		assert_int_equal(FADE.seconds[1], 17);
		assert_false(FADE.unfilled);
		if (!cases[c].at) {
			assert_int_equal(R.nrec, 0);
			continue;
		}
		uint64_t want = cases[c].at == 1 ? 0 : ~0ull;

		assert_int_equal(R.nrec, 1);
		assert_int_equal(R.rec[0].addr, addr_of(cases[c].span, cases[c].word));
		assert_int_equal(R.rec[0].expected, want);
		assert_int_equal(R.rec[0].actual, want ^ cases[c].mask);
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
		cmocka_unit_test_teardown(modulo20_checks_every_p_word_of_long_spans, teardown),
		cmocka_unit_test_teardown(block_move_reports_a_bad_cell_at_its_own_address, teardown),
		cmocka_unit_test(own_address_in_phases_sees_aliases_across_regions),
		cmocka_unit_test_teardown(iterations_repeat_the_moving_inversions, teardown),
		cmocka_unit_test(walking_ones_address_finds_aliased_words),
		cmocka_unit_test(walking_ones_address_uses_only_the_uncached_view),
		cmocka_unit_test_teardown(bit_fade_finds_a_bit_that_decays_during_a_rest, teardown),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
