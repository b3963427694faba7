/* Host tests of the run record (lib/record.c): add_frame checked
 * step by step against the ranges before it and against a model of the frame
 * set; validate on untrusted bytes, one broken field at a time and then a
 * seeded fuzz against an independent checker (every buffer is exactly `len`
 * bytes on the heap, so ASan sees a read past it); both report files read
 * back, the JSON through a strict parser, every cap with a canary behind it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/record.h>

#define HDR         offsetof(struct report_record, ranges)
#define MAXR        REPORT_MAX_RANGES
#define FRAME_LIMIT (1ull << 40) /* frame numbers a record may hold */
#define REPORT_BUF  16384        /* the loader's buffer (efi/reports.c) */

static struct report_record *R;

static int setup(void **s)
{
	(void)s;
	R = calloc(1, sizeof(*R));
	return R ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	free(R);
	return 0;
}

/* ---------------------------------------------------------------- helpers */

static uint64_t rng;

static void seed(uint64_t s)
{
	rng = s * 0x9e3779b97f4a7c15ull + 1;
}

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

/* A record with every header field set and no ranges. */
static void fresh(struct report_record *r, uint32_t result)
{
	memset(r, 0, sizeof(*r));
	r->magic = REPORT_MAGIC;
	r->version = REPORT_VERSION;
	strcpy(r->run_id, "20250102-030405-beef");
	r->year = 2025;
	r->month = 1;
	r->day = 2;
	r->hour = 3;
	r->minute = 4;
	r->second = 5;
	memcpy(r->fw_vendor, "EDK II", 7);
	r->fw_revision = 0x10000;
	r->cpus = 4;
	r->ram_bytes = 8ull << 30;
	r->tested_frames = 2000000;
	r->result = result;
	r->size = report_record_size(0);
}

/* bad_frames and size re-derived from the ranges. */
static void resum(struct report_record *r)
{
	r->bad_frames = 0;
	for (uint32_t i = 0; i < r->nranges && i < MAXR; i++)
		r->bad_frames += r->ranges[i].count;
	r->size = report_record_size(r->nranges);
}

static void set_ranges(struct report_record *r, const struct report_range *x, uint32_t n)
{
	memcpy(r->ranges, x, n * sizeof(*x));
	r->nranges = n;
	resum(r);
}

static uint64_t end_of(const struct report_range *x)
{
	return x->first + x->count;
}

/* Sorted, disjoint, not touching, none empty; counters re-derived. */
static void check_shape(const struct report_record *r)
{
	uint64_t sum = 0;

	assert_true(r->nranges <= MAXR);
	for (uint32_t i = 0; i < r->nranges; i++) {
		assert_true(r->ranges[i].count > 0);
		if (i)
			assert_true(r->ranges[i].first > end_of(&r->ranges[i - 1]));
		sum += r->ranges[i].count;
	}
	assert_int_equal(r->bad_frames, sum);
	assert_int_equal(r->size, report_record_size(r->nranges));
}

/* Whether the ranges hold f, walked without report_record_has_frame. */
static int covers(const struct report_record *r, uint64_t f)
{
	for (uint32_t i = 0; i < r->nranges && i < MAXR; i++)
		if (f >= r->ranges[i].first && f < end_of(&r->ranges[i]))
			return 1;
	return 0;
}

/* validate on a heap copy of exactly len bytes. */
static const char *validate_exact(const void *src, size_t len)
{
	void *b = malloc(len ? len : 1);
	const char *e;

	assert_non_null(b);
	memcpy(b, src, len);
	e = report_record_validate(b, len);
	free(b);
	return e;
}

static void accepted(const void *r, size_t len)
{
	const char *e = validate_exact(r, len);

	if (e)
		fail_msg("a good record (len %zu) refused: %s", len, e);
}

static void refused(const void *r, size_t len, const char *what)
{
	const char *e = validate_exact(r, len);

	if (!e)
		fail_msg("accepted a record with %s (len %zu)", what, len);
	assert_true(e[0] != 0);
}

/* Frame intervals [a, b), for the expected ranges. */
struct ivl {
	uint64_t a, b;
};

/* Sorts and joins overlapping or touching intervals; returns how many remain. */
static uint32_t norm(struct ivl *v, uint32_t n)
{
	uint32_t m = 0;

	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && v[j - 1].a > v[j].a; j--) {
			struct ivl t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (uint32_t i = 0; i < n; i++) {
		if (m && v[i].a <= v[m - 1].b) {
			if (v[i].b > v[m - 1].b)
				v[m - 1].b = v[i].b;
		} else {
			v[m++] = v[i];
		}
	}
	return m;
}

static int same_ranges(const struct report_record *r, const struct ivl *v, uint32_t n)
{
	if (r->nranges != n)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (r->ranges[i].first != v[i].a || end_of(&r->ranges[i]) != v[i].b)
			return 0;
	return 1;
}

/* Adds f and checks the ranges against those before: exactly the old ones
 * plus f; or, when f needs a new range and there is no room, the old ones
 * with one pair at the smallest gap joined (gap included) plus f. */
static void add_checked(struct report_record *r, uint64_t f)
{
	struct ivl before[MAXR], want[MAXR + 1];
	uint32_t nb = r->nranges, flags = r->flags;
	int touching = 0;

	for (uint32_t i = 0; i < nb; i++) {
		before[i] = (struct ivl){ r->ranges[i].first, end_of(&r->ranges[i]) };
		if (f + 1 >= before[i].a && f <= before[i].b)
			touching = 1; /* inside or next to range i */
	}
	report_record_add_frame(r, f);
	check_shape(r);
	assert_true(report_record_has_frame(r, f));
	if (nb < MAXR || touching) {
		memcpy(want, before, nb * sizeof(*want));
		want[nb] = (struct ivl){ f, f + 1 };
		if (!same_ranges(r, want, norm(want, nb + 1)))
			fail_msg("frame %llu: the ranges are not the old ones plus this frame",
				 (unsigned long long)f);
		assert_int_equal(r->flags, flags);
		return;
	}
	uint64_t gap = UINT64_MAX;
	int ok = 0;

	for (uint32_t k = 0; k + 1 < nb; k++)
		if (before[k + 1].a - before[k].b < gap)
			gap = before[k + 1].a - before[k].b;
	for (uint32_t k = 0; k + 1 < nb && !ok; k++) {
		uint32_t n = 0;

		if (before[k + 1].a - before[k].b != gap)
			continue;
		for (uint32_t i = 0; i < nb; i++)
			if (i == k + 1)
				want[n - 1].b = before[i].b;
			else
				want[n++] = before[i];
		want[n++] = (struct ivl){ f, f + 1 };
		ok = same_ranges(r, want, norm(want, n));
	}
	if (!ok)
		fail_msg("frame %llu at the limit: not the old ranges with a closest pair (gap %llu) joined",
			 (unsigned long long)f, (unsigned long long)gap);
	assert_true(r->flags & REPORT_FLAG_WIDENED);
}

/* ---------------------------------------------------------------- add_frame */

static void expect_ranges(const struct report_record *r, const struct report_range *x, uint32_t n)
{
	check_shape(r);
	assert_int_equal(r->nranges, n);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(r->ranges[i].first, x[i].first);
		assert_int_equal(r->ranges[i].count, x[i].count);
	}
}

static void one_frame(void **s)
{
	(void)s;
	fresh(R, REPORT_BAD_MEMORY);
	report_record_add_frame(R, 42);
	expect_ranges(R, (struct report_range[]){ { 42, 1 } }, 1);
	assert_int_equal(R->bad_frames, 1);
	assert_int_equal(R->size, HDR + sizeof(struct report_range));
	assert_int_equal(R->flags, 0);
	assert_true(report_record_has_frame(R, 42));
	assert_false(report_record_has_frame(R, 41));
	assert_false(report_record_has_frame(R, 43));
	assert_false(report_record_has_frame(R, 0));
	assert_false(report_record_has_frame(R, UINT64_MAX));
	accepted(R, R->size);
}

static void neighbours_merge(void **s)
{
	(void)s;
	fresh(R, REPORT_BAD_MEMORY);
	report_record_add_frame(R, 42);
	report_record_add_frame(R, 43); /* grows the range at its end */
	expect_ranges(R, (struct report_range[]){ { 42, 2 } }, 1);
	report_record_add_frame(R, 41); /* and at its start */
	expect_ranges(R, (struct report_range[]){ { 41, 3 } }, 1);
	report_record_add_frame(R, 46);
	expect_ranges(R, (struct report_range[]){ { 41, 3 }, { 46, 1 } }, 2);
	report_record_add_frame(R, 45);
	expect_ranges(R, (struct report_range[]){ { 41, 3 }, { 45, 2 } }, 2);
	report_record_add_frame(R, 44); /* fills the one-frame gap: one range */
	expect_ranges(R, (struct report_range[]){ { 41, 6 } }, 1);
	assert_int_equal(R->bad_frames, 6);

	fresh(R, REPORT_BAD_MEMORY);
	report_record_add_frame(R, 12);
	report_record_add_frame(R, 10);
	report_record_add_frame(R, 0);
	report_record_add_frame(R, 1000);
	expect_ranges(R, (struct report_range[]){ { 0, 1 }, { 10, 1 }, { 12, 1 },
						   { 1000, 1 } }, 4);
	report_record_add_frame(R, 11);
	expect_ranges(R, (struct report_range[]){ { 0, 1 }, { 10, 3 }, { 1000, 1 } }, 3);
	report_record_add_frame(R, 1);
	expect_ranges(R, (struct report_range[]){ { 0, 2 }, { 10, 3 }, { 1000, 1 } }, 3);
	assert_int_equal(R->bad_frames, 6);
	assert_true(report_record_has_frame(R, 12));
	assert_false(report_record_has_frame(R, 13));
	assert_false(report_record_has_frame(R, 9));
	assert_int_equal(R->flags, 0);
	accepted(R, R->size);
}

static void duplicates_change_nothing(void **s)
{
	(void)s;
	static struct report_record before;
	static const uint64_t f[] = { 10, 11, 12, 20, 7, 1ull << 35 };

	fresh(R, REPORT_BAD_MEMORY);
	for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		report_record_add_frame(R, f[i]);
	before = *R;
	for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		report_record_add_frame(R, f[i]);
	report_record_add_frame(R, 11);
	assert_memory_equal(R, &before, sizeof(before));

	/* at the limit too: a frame already held merges nothing */
	fresh(R, REPORT_BAD_MEMORY);
	for (uint64_t k = 0; k < MAXR; k++)
		report_record_add_frame(R, k * 10);
	before = *R;
	report_record_add_frame(R, 50);
	report_record_add_frame(R, 0);
	report_record_add_frame(R, (MAXR - 1) * 10);
	assert_memory_equal(R, &before, sizeof(before));
	assert_int_equal(R->flags, 0);
}

/* Random frame sets in random order: after every frame the ranges are the
 * old ones plus it (add_checked); while not widened they are exactly the runs
 * of the model, once widened they still hold every model frame. */
static void random_orders_match_a_model(void **s)
{
	(void)s;
	static uint64_t model[1200];
	static struct ivl runs[1200];
	static const uint64_t universe[] = { 300, 5000, 1u << 20, 1ull << 36 };
	unsigned widened = 0, exact = 0;

	for (uint64_t sd = 1; sd <= 120; sd++) {
		uint64_t U = universe[sd % 4];
		uint32_t nm = 0, steps = 20 + (uint32_t)below(1000);

		seed(sd);
		fresh(R, REPORT_BAD_MEMORY);
		for (uint32_t st = 0; st < steps; st++) {
			uint64_t f = below(U), how = below(4);
			uint32_t p = 0;

			if (nm && how) { /* a frame held already, or one next to it */
				f = model[below(nm)];
				f = how == 2 ? f + 1 : how == 3 && f ? f - 1 : f;
			}
			add_checked(R, f);
			while (p < nm && model[p] < f)
				p++;
			if (p == nm || model[p] != f) {
				memmove(model + p + 1, model + p, (nm - p) * sizeof(model[0]));
				model[p] = f;
				nm++;
			}
			if (!(R->flags & REPORT_FLAG_WIDENED)) {
				uint32_t n = 0;

				for (uint32_t i = 0; i < nm; i++)
					if (n && runs[n - 1].b == model[i])
						runs[n - 1].b++;
					else
						runs[n++] = (struct ivl){ model[i], model[i] + 1 };
				if (!same_ranges(R, runs, n))
					fail_msg("seed %llu step %u: not exactly the model's runs",
						 (unsigned long long)sd, st);
			} else {
				uint32_t j = 0;

				for (uint32_t i = 0; i < nm; i++) {
					while (j < R->nranges && end_of(&R->ranges[j]) <= model[i])
						j++;
					if (j == R->nranges || R->ranges[j].first > model[i])
						fail_msg("seed %llu step %u: frame %llu lost after widening",
							 (unsigned long long)sd, st,
							 (unsigned long long)model[i]);
				}
			}
			const uint64_t probe[4] = { f - 1, f + 1, below(U), model[below(nm)] };

			for (int k = 0; k < 4; k++)
				assert_int_equal(!!report_record_has_frame(R, probe[k]), covers(R, probe[k]));
		}
		if (R->flags & REPORT_FLAG_WIDENED)
			widened++;
		else
			exact++;
		accepted(R, R->size);
	}
	/* both regimes were exercised */
	assert_true(widened >= 20);
	assert_true(exact >= 20);
}

/* 128 ranges, gaps of 96 frames or more except one gap of 3 frames between
 * ranges 70 [7000, 7002) and 71 [7005, 7008). */
static void limit_record(void)
{
	struct report_range x[MAXR];

	for (uint32_t k = 0; k < MAXR; k++)
		x[k] = (struct report_range){ k * 100ull, 1 + k % 3 };
	x[71].first = 7005;
	fresh(R, REPORT_BAD_MEMORY);
	set_ranges(R, x, MAXR);
	check_shape(R);
}

static void at_the_limit_the_closest_pair_is_joined(void **s)
{
	(void)s;
	static struct report_record before;

	/* a new frame far above: ranges 70 and 71 become [7000, 7008) */
	limit_record();
	before = *R;
	report_record_add_frame(R, 1u << 20);
	check_shape(R);
	assert_int_equal(R->nranges, MAXR);
	assert_true(R->flags & REPORT_FLAG_WIDENED);
	for (uint32_t k = 0; k < 70; k++)
		assert_memory_equal(&R->ranges[k], &before.ranges[k], sizeof(R->ranges[k]));
	assert_int_equal(R->ranges[70].first, 7000);
	assert_int_equal(R->ranges[70].count, 8);
	for (uint32_t k = 71; k < MAXR - 1; k++)
		assert_memory_equal(&R->ranges[k], &before.ranges[k + 1], sizeof(R->ranges[k]));
	assert_int_equal(R->ranges[MAXR - 1].first, 1u << 20);
	assert_int_equal(R->ranges[MAXR - 1].count, 1);
	assert_int_equal(R->bad_frames, before.bad_frames + 3 + 1); /* gap counts as bad */
	for (uint64_t f = 7000; f < 7008; f++)
		assert_true(report_record_has_frame(R, f));
	accepted(R, R->size);

	/* a new frame below everything else: the same pair is joined */
	limit_record();
	report_record_add_frame(R, 50);
	check_shape(R);
	assert_int_equal(R->ranges[1].first, 50);
	assert_int_equal(R->ranges[71].first, 7000);
	assert_int_equal(R->ranges[71].count, 8);
	assert_true(R->flags & REPORT_FLAG_WIDENED);

	/* a new frame inside the closest gap: joining the pair takes it in */
	limit_record();
	before = *R;
	report_record_add_frame(R, 7003);
	check_shape(R);
	assert_int_equal(R->nranges, MAXR - 1);
	assert_int_equal(R->ranges[70].first, 7000);
	assert_int_equal(R->ranges[70].count, 8);
	assert_int_equal(R->bad_frames, before.bad_frames + 3);
	assert_true(R->flags & REPORT_FLAG_WIDENED);

	/* next to a range: it grows, nothing is widened */
	limit_record();
	before = *R;
	report_record_add_frame(R, 7002);
	report_record_add_frame(R, 99);
	check_shape(R);
	assert_int_equal(R->nranges, MAXR);
	assert_int_equal(R->flags, 0);
	assert_int_equal(R->bad_frames, before.bad_frames + 2);
	assert_int_equal(R->ranges[70].count, 3);
	assert_int_equal(R->ranges[1].first, 99);
}

/* Runs longer than 2^32 frames must never wrap a count (counts were once 32
 * bits and lost frames here). Ranges [0, 2^32 - 1) and [2^32 - 1, +5)
 * bridged by frame 2^32 - 2 become one range. */
static void a_bridge_past_a_32_bit_count_keeps_every_frame(void **s)
{
	(void)s;
	static const uint64_t probe[] = { 0, 1ull << 31, UINT32_MAX - 1, UINT32_MAX,
					  (1ull << 32) + 3 };

	fresh(R, REPORT_BAD_MEMORY);
	set_ranges(R, (struct report_range[]){ { 0, UINT32_MAX - 1 }, { UINT32_MAX, 5 } }, 2);
	report_record_add_frame(R, UINT32_MAX - 1);
	for (unsigned i = 0; i < sizeof(probe) / sizeof(probe[0]); i++)
		if (!covers(R, probe[i]))
			fail_msg("frame %#llx lost; now %u range(s), the first [%#llx, +%llu)",
				 (unsigned long long)probe[i], R->nranges,
				 (unsigned long long)R->ranges[0].first,
				 (unsigned long long)R->ranges[0].count);
	assert_false(covers(R, (1ull << 32) + 4));
	assert_int_equal(R->bad_frames, (1ull << 32) + 4);
}

/* At the limit with ranges 2^32 frames apart (all below 2^40), joining the
 * closest pair spans more than 2^32 frames: a frame already in the record
 * must not be dropped to make room. */
static void at_the_limit_with_no_joinable_pair_no_recorded_frame_is_lost(void **s)
{
	(void)s;
	struct report_range x[MAXR];

	for (uint64_t k = 0; k < MAXR; k++)
		x[k] = (struct report_range){ k << 32, 1 };
	fresh(R, REPORT_BAD_MEMORY);
	set_ranges(R, x, MAXR);
	accepted(R, R->size);
	report_record_add_frame(R, (uint64_t)MAXR << 32);
	for (uint64_t k = 0; k < MAXR; k++)
		if (!covers(R, k << 32))
			fail_msg("frame %#llx lost; range 0 is now [%#llx, +%llu)",
				 (unsigned long long)(k << 32), (unsigned long long)R->ranges[0].first,
				 (unsigned long long)R->ranges[0].count);
	check_shape(R);
	accepted(R, R->size);
}

/* A range of 2^32 - 1 frames grows past 2^32 with the next frame, and the
 * loader must still accept what the kernel stored. */
static void a_full_range_and_the_frame_after_it_still_validate(void **s)
{
	(void)s;
	fresh(R, REPORT_BAD_MEMORY);
	set_ranges(R, (struct report_range[]){ { 0, UINT32_MAX } }, 1);
	report_record_add_frame(R, UINT32_MAX);
	assert_true(covers(R, 0));
	assert_true(covers(R, UINT32_MAX - 1));
	assert_true(covers(R, UINT32_MAX));
	assert_false(covers(R, 1ull << 32));
	assert_int_equal(R->bad_frames, 1ull << 32);
	assert_int_equal(R->size, report_record_size(R->nranges));
	accepted(R, R->size);
}

/* ---------------------------------------------------------------- validate */

static struct report_record G, T;

/* G: a good record built by add_frame, ranges [10,13) [100] [5000] [2^30]. */
static void good(void)
{
	static const uint64_t f[] = { 12, 100, 10, 1u << 30, 5000, 11 };

	fresh(&G, REPORT_BAD_MEMORY);
	for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		report_record_add_frame(&G, f[i]);
	G.found_frames = 6;
	assert_int_equal(G.nranges, 4);
	T = G;
}

static void good_records_pass(void **s)
{
	(void)s;
	good();
	accepted(&G, G.size);
	accepted(&G, sizeof(G));
	assert_int_equal(G.size, HDR + 4 * sizeof(struct report_range));

	fresh(&T, REPORT_PASS); /* no ranges at all */
	accepted(&T, HDR);
	for (uint32_t r = REPORT_PASS; r <= REPORT_FAIL; r++) {
		T.result = r;
		accepted(&T, HDR);
	}
	good();
	memset(T.run_id, 0, sizeof(T.run_id));
	memset(T.run_id, 'a', sizeof(T.run_id) - 1); /* the longest run id */
	accepted(&T, T.size);
	strcpy(T.run_id, "0123456789abcdef-");
	accepted(&T, T.size);
	good();
	T.ranges[3] = (struct report_range){ FRAME_LIMIT - 1, 1 }; /* the last frame allowed */
	resum(&T);
	accepted(&T, T.size);
	good();
	memset(T.fw_vendor, 0xff, sizeof(T.fw_vendor)); /* not the validator's business */
	accepted(&T, T.size);

	/* a full record of 128 ranges */
	fresh(&T, REPORT_BAD_MEMORY);
	for (uint64_t k = 0; k < MAXR; k++)
		report_record_add_frame(&T, k * 3);
	assert_int_equal(T.nranges, MAXR);
	accepted(&T, T.size);
	assert_int_equal(T.size, sizeof(T));
}

static void each_broken_field_is_refused(void **s)
{
	(void)s;
	static _Alignas(struct report_record) uint8_t big[sizeof(struct report_record) + 64];
	static const char bad_id[] = { 'G', 'A', 'F', ' ', '/', '.', '\\', '_', ':', '\n',
				       '\t', '"', (char)0x80, (char)0xff, 'z', 'x' };

	good();
	assert_non_null(report_record_validate(NULL, sizeof(G)));
	refused(&G, 0, "no bytes");
	refused(&G, 1, "1 byte");
	refused(&G, HDR - 1, "a cut header");
	refused(&G, G.size - 1, "size > len");
	refused(&G, G.size - sizeof(struct report_range), "size > len by a range");
	refused(&G, HDR, "size > len, header only");

	T.magic ^= 1;
	refused(&T, T.size, "a bad magic");
	good();
	T.version = 3;
	refused(&T, T.size, "version 3");
	T.version = 1; /* version 1 is decoded (report_record_decode), never validated as is */
	refused(&T, T.size, "version 1 in the version-2 layout");
	T.version = 0;
	refused(&T, T.size, "version 0");

	/* 129 ranges, each one sound */
	fresh(&T, REPORT_BAD_MEMORY);
	for (uint64_t k = 0; k < MAXR; k++)
		report_record_add_frame(&T, k * 3);
	T.nranges = MAXR + 1;
	T.size = report_record_size(MAXR + 1);
	T.bad_frames++;
	memcpy(big, &T, sizeof(T));
	memcpy(big + sizeof(T), &(struct report_range){ 1u << 20, 1 }, sizeof(T.ranges[0]));
	refused(big, T.size, "129 ranges");
	good();
	T.nranges = UINT32_MAX;
	refused(&T, sizeof(T), "2^32 - 1 ranges");

	good();
	T.size++;
	refused(&T, sizeof(T), "size one more than the ranges");
	good();
	T.size -= sizeof(struct report_range);
	refused(&T, sizeof(T), "size one range short");
	good();
	T.size = 0;
	refused(&T, sizeof(T), "size 0");

	good();
	T.result = REPORT_RUNNING + 1;
	refused(&T, T.size, "result 4");
	T.result = UINT32_MAX;
	refused(&T, T.size, "result 2^32 - 1");

	good();
	memset(T.run_id, 0, sizeof(T.run_id));
	refused(&T, T.size, "an empty run id");
	memset(T.run_id, 'a', sizeof(T.run_id));
	refused(&T, T.size, "an unterminated run id");
	memset(T.run_id, '0', sizeof(T.run_id));
	refused(&T, T.size, "an unterminated run id of digits");
	for (unsigned i = 0; i < sizeof(bad_id); i++) {
		char what[48];

		good();
		T.run_id[3] = bad_id[i];
		snprintf(what, sizeof(what), "run id byte 0x%02x", (unsigned char)bad_id[i]);
		refused(&T, T.size, what);
		good();
		T.run_id[0] = bad_id[i];
		refused(&T, T.size, what);
	}

	good();
	T.ranges[1].count = 0;
	resum(&T);
	refused(&T, T.size, "an empty range");
	good();
	T.ranges[0].count = 0;
	resum(&T);
	refused(&T, T.size, "an empty first range");
	good();
	T.ranges[1] = G.ranges[2];
	T.ranges[2] = G.ranges[1];
	refused(&T, T.size, "unsorted ranges");
	good();
	T.ranges[0] = G.ranges[3];
	T.ranges[3] = G.ranges[0];
	refused(&T, T.size, "the last range first");
	good();
	T.ranges[1].first = 12; /* inside [10, 13) */
	refused(&T, T.size, "overlapping ranges");
	good();
	T.ranges[1].first = 5;
	T.ranges[1].count = 100; /* [5, 105) over [10, 13) and starting below it */
	resum(&T);
	refused(&T, T.size, "a range starting below the one before");
	good();
	T.ranges[2] = T.ranges[1];
	refused(&T, T.size, "a range twice");
	good();
	T.ranges[3].first = FRAME_LIMIT;
	refused(&T, T.size, "frame 2^40");
	T.ranges[3].first = UINT64_MAX;
	refused(&T, T.size, "frame 2^64 - 1");
	T.ranges[3].first = 1ull << 52;
	refused(&T, T.size, "frame 2^52");

	good();
	T.bad_frames++;
	refused(&T, T.size, "bad_frames one too many");
	good();
	T.bad_frames--;
	refused(&T, T.size, "bad_frames one short");
	good();
	T.bad_frames = 0;
	refused(&T, T.size, "bad_frames 0");
	good();
	T.bad_frames += 1ull << 32;
	refused(&T, T.size, "bad_frames off by 2^32");
}

/* Frames are below 2^40 (physical addresses below 2^52): a range whose
 * first frame is below that but whose last is not holds frames that no
 * machine has, and its byte addresses run past 52 bits. */
static void a_range_running_past_frame_2_40_is_refused(void **s)
{
	(void)s;
	good();
	T.ranges[3] = (struct report_range){ FRAME_LIMIT - 1, 2 };
	resum(&T);
	refused(&T, T.size, "a range [2^40 - 1, 2^40 + 1)");
	good();
	T.ranges[3] = (struct report_range){ FRAME_LIMIT - 8, UINT32_MAX };
	resum(&T);
	refused(&T, T.size, "a range [2^40 - 8, +2^32 - 1)");
}

/* The checker the fuzz compares with, written from the header's contract. */
static int checker(const uint8_t *b, size_t len)
{
	struct report_record r;
	size_t idlen;
	uint64_t sum = 0;

	if (len < HDR)
		return 0;
	memset(&r, 0, sizeof(r));
	memcpy(&r, b, len < sizeof(r) ? len : sizeof(r));
	if (r.magic != REPORT_MAGIC || r.version != REPORT_VERSION || r.nranges > MAXR)
		return 0;
	if (r.size != HDR + r.nranges * sizeof(struct report_range) || r.size > len)
		return 0;
	if (r.result > REPORT_RUNNING)
		return 0;
	/* the journal block: counts within what is kept, strings terminated */
	if (r.nmces > REPORT_MAX_MCES || r.nmces > r.mce_errors || r.ndimms > REPORT_MAX_DIMMS ||
	    r.ndimms > r.dimms_total || r.percent > 100 || (r.passes && r.pass > r.passes))
		return 0;
	if (strnlen(r.pattern, sizeof(r.pattern)) == sizeof(r.pattern) ||
	    strnlen(r.skipped, sizeof(r.skipped)) == sizeof(r.skipped) ||
	    strnlen(r.reason, sizeof(r.reason)) == sizeof(r.reason))
		return 0;
	for (uint32_t i = 0; i < r.ndimms; i++)
		if (strnlen(r.dimms[i].locator, 16) == 16 || strnlen(r.dimms[i].part, 24) == 24)
			return 0;
	idlen = strnlen(r.run_id, sizeof(r.run_id));
	if (idlen == 0 || idlen == sizeof(r.run_id) ||
	    strspn(r.run_id, "0123456789abcdef-") != idlen)
		return 0;
	for (uint32_t i = 0; i < r.nranges; i++) {
		const struct report_range *x = &r.ranges[i];

		if (x->count == 0 || x->first >= FRAME_LIMIT || x->first + x->count > FRAME_LIMIT)
			return 0;
		if (i && x->first <= end_of(x - 1)) /* sorted, apart */
			return 0;
		sum += x->count;
	}
	return sum == r.bad_frames;
}

/* A valid record with random fields and 0..128 random ranges. */
static void random_valid(struct report_record *r)
{
	static const char idch[] = "0123456789abcdef-";
	uint32_t idlen = 1 + (uint32_t)below(sizeof(r->run_id) - 1);
	uint64_t at = below(1u << 20);

	fresh(r, (uint32_t)below(REPORT_RUNNING + 1));
	memset(r->run_id, 0, sizeof(r->run_id));
	for (uint32_t i = 0; i < idlen; i++)
		r->run_id[i] = idch[below(sizeof(idch) - 1)];
	for (unsigned i = 0; i < sizeof(r->fw_vendor); i++)
		r->fw_vendor[i] = (char)rnd();
	r->year = (uint16_t)rnd();
	r->flags = (uint32_t)below(2);
	r->tested_frames = rnd();
	r->nranges = (uint32_t)below(MAXR + 1);
	for (uint32_t i = 0; i < r->nranges; i++) {
		uint32_t count = 1 + (uint32_t)below(below(2) ? 4 : 1u << 20);

		at += 1 + below(1000);
		r->ranges[i] = (struct report_range){ at, count };
		at += count;
	}
	resum(r);
}

static void fuzz_agrees_with_the_checker(void **s)
{
	(void)s;
	static _Alignas(struct report_record) uint8_t src[sizeof(struct report_record) + 64];
	struct report_record *r = (struct report_record *)src;
	enum { ITER = 60000 };
	unsigned ok[3] = { 0, 0 };

	for (uint32_t it = 0; it < ITER; it++) {
		int mode = it % 3;
		size_t len;

		seed(it + 1);
		if (mode == 0) { /* random bytes, random length */
			for (size_t i = 0; i < sizeof(src); i++)
				src[i] = (uint8_t)rnd();
			len = below(sizeof(src) + 1);
		} else if (mode == 1) { /* a good record with a few bytes changed */
			memset(src, 0, sizeof(src));
			random_valid(r);
			len = r->size;
			for (uint64_t k = 1 + below(3); k; k--) {
				size_t at = below(len);

				src[at] = below(2) ? (uint8_t)rnd() : src[at] ^ (uint8_t)(1u << below(8));
			}
			if (!below(4))
				len = below(sizeof(src) + 1);
		} else { /* random body behind a consistent header */
			for (size_t i = 0; i < sizeof(src); i++)
				src[i] = (uint8_t)rnd();
			r->magic = REPORT_MAGIC;
			r->version = REPORT_VERSION;
			r->nranges = (uint32_t)below(MAXR + 1);
			r->size = report_record_size(r->nranges);
			r->result = (uint32_t)below(REPORT_RUNNING + 1);
			len = r->size;
		}
		int want = checker(src, len);
		const char *got = validate_exact(src, len);

		if (want != !got)
			fail_msg("iteration %u (mode %d, len %zu): validate says %s, the checker %s", it,
				 mode, len, got ? got : "valid", want ? "valid" : "invalid");
		ok[mode] += want;
	}
	assert_int_equal(ok[0], 0);          /* random bytes are never a record */
	assert_true(ok[2] < ITER / 3 / 100); /* nor, almost ever, a random body */
	assert_true(ok[1] > ITER / 3 / 20);  /* changes that matter nothing do pass */
}

/* ---------------------------------------------------------------- JSON reader */

/* A strict JSON parser into a node pool: objects (no repeated names), arrays,
 * strings (escapes decoded; raw control bytes and non-ASCII refused),
 * numbers (full grammar; non-negative integers kept), true, false, null. */
enum jt { J_OBJ, J_ARR, J_STR, J_NUM, J_BOOL, J_NULL };

struct jv {
	enum jt t;
	char key[32];  /* the member's name, inside an object */
	char s[64];    /* J_STR, decoded */
	int b;         /* J_BOOL */
	int is_u64;    /* J_NUM: a non-negative integer that fits */
	uint64_t u;
	int kid, next; /* first child, next sibling; -1 for none */
};

static struct jv J[1024];
static int nj;

static int jnew(enum jt t)
{
	if (nj == (int)(sizeof(J) / sizeof(J[0])))
		fail_msg("JSON node pool exhausted");
	J[nj] = (struct jv){ .t = t, .kid = -1, .next = -1 };
	return nj++;
}

static const char *jws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *jstr(const char *p, char *out, size_t cap)
{
	size_t n = 0;

	if (*p++ != '"')
		return NULL;
	for (;;) {
		unsigned c = (unsigned char)*p++;

		if (c == '"')
			break;
		if (c < 0x20 || c >= 0x80)
			return NULL; /* a raw control byte, the end of the text, not ASCII */
		if (c == '\\') {
			c = (unsigned char)*p++;
			if (c == 'b')
				c = '\b';
			else if (c == 'f')
				c = '\f';
			else if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c == 't')
				c = '\t';
			else if (c == 'u') {
				unsigned v = 0;

				for (int i = 0; i < 4; i++, p++) {
					char h = *p;

					if (digit(h))
						v = v * 16 + (unsigned)(h - '0');
					else if (h >= 'a' && h <= 'f')
						v = v * 16 + (unsigned)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						v = v * 16 + (unsigned)(h - 'A' + 10);
					else
						return NULL;
				}
				c = v < 0x80 ? v : '?';
			} else if (c != '"' && c != '\\' && c != '/') {
				return NULL;
			}
		}
		if (n + 1 >= cap)
			return NULL;
		out[n++] = (char)c;
	}
	out[n] = 0;
	return p;
}

static const char *jnum(const char *p, struct jv *v)
{
	int neg = *p == '-', ovf = 0, frac = 0;
	uint64_t u = 0;

	if (neg)
		p++;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		for (; digit(*p); p++) {
			unsigned d = (unsigned)(*p - '0');

			if (u > (UINT64_MAX - d) / 10)
				ovf = 1;
			u = u * 10 + d;
		}
	} else {
		return NULL;
	}
	if (*p == '.') {
		if (!digit(*++p))
			return NULL;
		while (digit(*p))
			p++;
		frac = 1;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!digit(*p))
			return NULL;
		while (digit(*p))
			p++;
		frac = 1;
	}
	v->is_u64 = !neg && !ovf && !frac;
	v->u = u;
	return p;
}

static const char *jval(const char *p, int *at, int depth)
{
	int i;

	p = jws(p);
	if (depth > 8)
		return NULL;
	if (*p == '{' || *p == '[') {
		int obj = *p == '{', last = -1;
		char close = obj ? '}' : ']';

		i = jnew(obj ? J_OBJ : J_ARR);
		p = jws(p + 1);
		if (*p == close) {
			*at = i;
			return p + 1;
		}
		for (;;) {
			char key[32] = "";
			int kid;

			if (obj) {
				p = jstr(jws(p), key, sizeof(key));
				if (!p)
					return NULL;
				p = jws(p);
				if (*p++ != ':')
					return NULL;
				for (int k = J[i].kid; k >= 0; k = J[k].next)
					if (!strcmp(J[k].key, key))
						return NULL; /* a name twice */
			}
			p = jval(p, &kid, depth + 1);
			if (!p)
				return NULL;
			strcpy(J[kid].key, key);
			if (last < 0)
				J[i].kid = kid;
			else
				J[last].next = kid;
			last = kid;
			p = jws(p);
			if (*p == close) {
				*at = i;
				return p + 1;
			}
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"') {
		i = jnew(J_STR);
		p = jstr(p, J[i].s, sizeof(J[i].s));
	} else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
		i = jnew(J_BOOL);
		J[i].b = *p == 't';
		p += J[i].b ? 4 : 5;
	} else if (!strncmp(p, "null", 4)) {
		i = jnew(J_NULL);
		p += 4;
	} else {
		i = jnew(J_NUM);
		p = jnum(p, &J[i]);
	}
	*at = i;
	return p;
}

/* The whole text must be one JSON object (whitespace around it). */
static int parse_json(const char *text)
{
	int root = -1;
	const char *p;

	nj = 0;
	p = jval(text, &root, 0);
	if (!p || *jws(p))
		fail_msg("not one JSON value at offset %td: %s", p ? p - text : (ptrdiff_t)-1, text);
	assert_int_equal(J[root].t, J_OBJ);
	return root;
}

static int member(int obj, const char *key)
{
	for (int k = J[obj].kid; k >= 0; k = J[k].next)
		if (!strcmp(J[k].key, key))
			return k;
	fail_msg("no member \"%s\"", key);
	return -1;
}

static uint64_t jnum_of(int obj, const char *key)
{
	int k = member(obj, key);

	if (J[k].t != J_NUM || !J[k].is_u64)
		fail_msg("\"%s\" is not a non-negative integer", key);
	return J[k].u;
}

static const char *jstr_of(int obj, const char *key)
{
	int k = member(obj, key);

	assert_int_equal(J[k].t, J_STR);
	return J[k].s;
}

static void parser_self_test(void **s)
{
	(void)s;
	static const char *const bad[] = {
		"", "{", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{\"a\":01}", "{\"a\":\"x\ny\"}",
		"{\"a\":\"\\x\"}", "{\"a\":1}}", "{\"a\":1,\"a\":2}", "{a:1}", "{\"a\":[1,]}",
		"{\"a\":\"\x01\"}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":tru}", "[1]x",
		"{\"a\":\"unterminated}",
	};
	int o;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int root;
		const char *p;

		nj = 0;
		p = jval(bad[i], &root, 0);
		if (p && !*jws(p))
			fail_msg("the checker accepts %s", bad[i]);
	}
	o = parse_json(" {\"a\":18446744073709551615,\"b\":\"q\\\"\\\\\\u0041\",\"c\":[{\"d\":true},"
		       "{}],\"e\":-1.5e3,\"f\":null}\n");
	assert_int_equal(jnum_of(o, "a"), UINT64_MAX);
	assert_string_equal(jstr_of(o, "b"), "q\"\\A");
	assert_int_equal(J[member(o, "c")].t, J_ARR);
	assert_false(J[member(o, "e")].is_u64);
}

/* ---------------------------------------------------------------- reports */

/* The firmware name as reported: the vendor bytes up to the first NUL (all
 * 32 when there is none, the last one may be cut), each one itself or '?'
 * when it is a control byte, not ASCII, a quote or a backslash. Never a byte
 * from beyond fw_vendor. */
static void check_vendor(const char *got, const char *src)
{
	size_t want = strnlen(src, 32), n = strlen(got);

	if (!(n == want || (want == 32 && n == 31)))
		fail_msg("firmware \"%s\": %zu characters for a vendor of %zu", got, n, want);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			assert_int_equal((unsigned char)got[i], c);
		else if ((unsigned char)got[i] != c && got[i] != '?')
			fail_msg("vendor byte %zu (0x%02x) reported as 0x%02x", i, c,
				 (unsigned char)got[i]);
	}
}

static const char *const result_json[] = { "pass", "bad_memory", "fail" };
static const char *const result_text[] = { "PASS", "BAD MEMORY", "FAIL" };

/* The JSON report parsed back against every field of r. */
static void check_json(const struct report_record *r)
{
	static char out[REPORT_BUF];
	char want[64];
	size_t n = report_record_json(r, out, sizeof(out));
	uint32_t i = 0;
	int o, a;

	assert_int_equal(n, strlen(out));
	assert_true(n + 1 < sizeof(out)); /* not cut */
	o = parse_json(out);
	assert_string_equal(jstr_of(o, "run_id"), r->run_id);
	snprintf(want, sizeof(want), "%04u-%02u-%02uT%02u:%02u:%02u", r->year, r->month, r->day,
		 r->hour, r->minute, r->second);
	assert_string_equal(jstr_of(o, "time"), want);
	check_vendor(jstr_of(o, "firmware"), r->fw_vendor);
	assert_int_equal(jnum_of(o, "fw_revision"), r->fw_revision);
	assert_int_equal(jnum_of(o, "cpus"), r->cpus);
	assert_int_equal(jnum_of(o, "ram_bytes"), r->ram_bytes);
	assert_string_equal(jstr_of(o, "result"), result_json[r->result]);
	assert_int_equal(jnum_of(o, "tested_frames"), r->tested_frames);
	assert_int_equal(jnum_of(o, "found_frames"), r->found_frames);
	assert_int_equal(jnum_of(o, "bad_frames"), r->bad_frames);
	assert_int_equal(J[member(o, "widened")].t, J_BOOL);
	assert_int_equal(J[member(o, "widened")].b, !!(r->flags & REPORT_FLAG_WIDENED));
	a = member(o, "bad_ranges");
	assert_int_equal(J[a].t, J_ARR);
	for (int k = J[a].kid; k >= 0; k = J[k].next, i++) {
		assert_true(i < r->nranges);
		assert_int_equal(J[k].t, J_OBJ);
		assert_int_equal(jnum_of(k, "phys"), r->ranges[i].first << 12);
		assert_int_equal(jnum_of(k, "bytes"), (uint64_t)r->ranges[i].count << 12);
	}
	assert_int_equal(i, r->nranges);
}

static unsigned count_of(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The text report: printable ASCII in CRLF lines, the run id, the result
 * word, every range as "0x%012llx - 0x%012llx" in order, "widened" iff so. */
static void check_text(const struct report_record *r)
{
	static char out[REPORT_BUF];
	char want[96];
	size_t n = report_record_text(r, out, sizeof(out));
	const char *p, *word = result_text[r->result];

	assert_int_equal(n, strlen(out));
	assert_true(n + 1 < sizeof(out)); /* not cut */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == '\r' && out[i + 1] == '\n')
			i++;
		else if (c < 0x20 || c >= 0x7f)
			fail_msg("byte 0x%02x at %zu of the text report:\n%s", c, i, out);
	}
	assert_true(n >= 2 && out[n - 2] == '\r' && out[n - 1] == '\n');
	assert_non_null(strstr(out, r->run_id));
	p = strstr(out, "\nresult:");
	assert_non_null(p);
	for (p += 8; *p == ' '; p++)
		;
	if (strncmp(p, word, strlen(word)) || p[strlen(word)] != '\r')
		fail_msg("result line is not \"%s\":\n%s", word, out);
	p = out;
	for (uint32_t i = 0; i < r->nranges; i++) {
		const char *q;

		snprintf(want, sizeof(want), "0x%012llx - 0x%012llx",
			 (unsigned long long)(r->ranges[i].first << 12),
			 (unsigned long long)(end_of(&r->ranges[i]) << 12) - 1);
		q = strstr(p, want);
		if (!q)
			fail_msg("range %u (%s) missing or out of order in:\n%s", i, want, out);
		p = q + strlen(want);
	}
	assert_int_equal(count_of(out, "bad: 0x"), r->nranges);
	assert_int_equal(!!strstr(out, "widened"), !!(r->flags & REPORT_FLAG_WIDENED));
}

static void rec_pass(struct report_record *r)
{
	fresh(r, REPORT_PASS);
}

static void rec_bad(struct report_record *r)
{
	static const uint64_t f[] = { 7, 8, 9, 1000, (1ull << 39) + 5, FRAME_LIMIT - 1 };

	fresh(r, REPORT_BAD_MEMORY);
	for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		report_record_add_frame(r, f[i]);
	r->found_frames = 3;
}

static void rec_widened(struct report_record *r)
{
	fresh(r, REPORT_FAIL);
	for (uint64_t i = 0; i < 300; i++)
		report_record_add_frame(r, i * 1000 + i % 7);
	assert_true(r->flags & REPORT_FLAG_WIDENED);
	r->found_frames = 300;
	r->ram_bytes = UINT64_MAX;
	r->tested_frames = UINT64_MAX;
	r->cpus = UINT32_MAX;
	r->fw_revision = UINT32_MAX;
}

/* The longest report: every number at its widest, 128 ranges of 2^32 - 1
 * frames up to 2^40, a vendor of 32 quotes, a 23-character run id. */
static void rec_full(struct report_record *r)
{
	fresh(r, REPORT_BAD_MEMORY);
	memset(r->run_id, 0, sizeof(r->run_id));
	memset(r->run_id, 'f', sizeof(r->run_id) - 1);
	memset(r->fw_vendor, '"', sizeof(r->fw_vendor));
	r->year = UINT16_MAX;
	r->month = r->day = r->hour = r->minute = r->second = UINT8_MAX;
	r->fw_revision = r->cpus = r->found_frames = UINT32_MAX;
	r->ram_bytes = r->tested_frames = UINT64_MAX;
	r->flags = REPORT_FLAG_WIDENED;
	r->nranges = MAXR;
	for (uint64_t k = 0; k < MAXR; k++)
		r->ranges[k] = (struct report_range){ FRAME_LIMIT - ((MAXR - k) << 33), UINT32_MAX };
	resum(r);
}

typedef void (*rec_fn)(struct report_record *);
static const rec_fn recs[] = { rec_pass, rec_bad, rec_widened, rec_full };

static void json_reads_back(void **s)
{
	(void)s;
	for (unsigned i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		recs[i](R);
		accepted(R, R->size);
		check_json(R);
	}
}

static void text_names_everything(void **s)
{
	(void)s;
	for (unsigned i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		recs[i](R);
		check_text(R);
	}
}

static void a_hostile_vendor_stays_valid(void **s)
{
	(void)s;
	static const char *const vendors[] = {
		/* 32 bytes and more, no NUL */
		"\"\\\"\x01\x1f\n\r\t\x7f\x80\xff\"\\{}[],:"
		"\"\\\"\\\x1b\x08\x0c\"\"\"\"\"\"\"\"\\",
		"x\",\"result\":\"pass\",\"y\":\"", /* an injection */
		"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", /* 32, no NUL */
		"\\",
		"",
		"AMI \xe2\x80\x9c" "BIOS\xe2\x80\x9d\\u0000",
	};

	for (unsigned i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++) {
		rec_bad(R);
		memset(R->fw_vendor, 0, sizeof(R->fw_vendor));
		memcpy(R->fw_vendor, vendors[i], strnlen(vendors[i], sizeof(R->fw_vendor)));
		R->fw_revision = 0x5a5a5a5a; /* "ZZZZ" right behind fw_vendor */
		check_json(R);
		check_text(R);
	}
}

typedef size_t (*report_fn)(const struct report_record *, char *, size_t);

/* Every cap (or a sample): nothing past cap is written, the result is the
 * full report cut to cap - 1 bytes and NUL-terminated. */
static void caps(report_fn fn, const struct report_record *r, int every)
{
	static char full[REPORT_BUF];
	size_t len = fn(r, full, sizeof(full));

	assert_true(len + 1 < sizeof(full));
	for (size_t cap = 0; cap <= len + 2;
	     cap += every || cap < 300 || cap + 300 > len ? 1 : 97) {
		char *b = malloc(cap + 32);
		size_t n;

		assert_non_null(b);
		memset(b, 0xa5, cap + 32);
		n = fn(r, b, cap);
		for (size_t k = cap; k < cap + 32; k++)
			if ((unsigned char)b[k] != 0xa5)
				fail_msg("cap %zu: byte %zu written", cap, k);
		if (cap == 0) {
			assert_int_equal(n, 0);
		} else {
			assert_int_equal(n, len < cap ? len : cap - 1);
			assert_int_equal(strlen(b), n);
			assert_memory_equal(b, full, n);
		}
		free(b);
	}
}

static void small_caps_cut_without_overflow(void **s)
{
	(void)s;
	rec_bad(R);
	caps(report_record_json, R, 1);
	caps(report_record_text, R, 1);
	rec_widened(R);
	caps(report_record_json, R, 0);
	caps(report_record_text, R, 0);
	rec_full(R);
	caps(report_record_json, R, 0);
	caps(report_record_text, R, 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(one_frame),
		cmocka_unit_test(neighbours_merge),
		cmocka_unit_test(duplicates_change_nothing),
		cmocka_unit_test(random_orders_match_a_model),
		cmocka_unit_test(at_the_limit_the_closest_pair_is_joined),
		cmocka_unit_test(a_bridge_past_a_32_bit_count_keeps_every_frame),
		cmocka_unit_test(at_the_limit_with_no_joinable_pair_no_recorded_frame_is_lost),
		cmocka_unit_test(a_full_range_and_the_frame_after_it_still_validate),
		cmocka_unit_test(good_records_pass),
		cmocka_unit_test(each_broken_field_is_refused),
		cmocka_unit_test(a_range_running_past_frame_2_40_is_refused),
		cmocka_unit_test(fuzz_agrees_with_the_checker),
		cmocka_unit_test(parser_self_test),
		cmocka_unit_test(json_reads_back),
		cmocka_unit_test(text_names_everything),
		cmocka_unit_test(a_hostile_vendor_stays_valid),
		cmocka_unit_test(small_caps_cut_without_overflow),
	};
	return cmocka_run_group_tests(t, setup, teardown);
}
