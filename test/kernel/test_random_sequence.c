/* random_sequence's variants write the same data: every variant the host CPU
 * runs (audit_vec_runs) over jobs of many span lengths (0 to a
 * few thousand words, not multiples of 4 or 8 included), start alignments
 * (each word offset within a 64-byte line) and multi-span layouts; after
 * every span of every sweep the whole buffer, spans and the canary around
 * them, must be byte for byte what the reference (rs_reference.h) says
 * and what the scalar variant left. Bits flipped in the buffer by the
 * `written` hook (after the fill, after the complement) must be reported at
 * the same address with the same expected and actual value by each variant,
 * and nothing else. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/audit_pattern.h>
#include "rs_reference.h"

#define BUF_WORDS 8192u
#define CANARY 0xa5c3a5c3a5c3a5c3ull
#define PHYS 0x123400000ull
#define MAX_SPANS 6
#define MAX_SNAPS (3 * MAX_SPANS)
#define MAX_FLIPS 8
#define MAX_BAD 64

/* 64-byte aligned, so a span's word offset is its alignment within a line */
static uint64_t buf[BUF_WORDS] __attribute__((aligned(64)));

struct layout {
	uint32_t n;
	struct { uint32_t at, words; } span[MAX_SPANS];
};

struct flip {
	uint32_t sweep;  /* 0: after the fill; 1: after the complement */
	uint32_t word;   /* in the job's stream */
	uint64_t mask;
};

struct bad {
	uint64_t addr, expected, actual;
};

static struct run {
	struct audit_span spans[MAX_SPANS];
	uint32_t nspans;
	const struct flip *flips;
	uint32_t nflips, written_calls, nsnaps, nbad;
	uint64_t *snaps;                 /* MAX_SNAPS copies of buf */
	struct bad bad[MAX_BAD];
} R;

static void on_bad(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual)
{
	(void)j;
	assert_true(R.nbad < MAX_BAD);
	R.bad[R.nbad++] = (struct bad){ addr, expected, actual };
}

static void on_progress(struct audit_job *j, uint64_t words)
{
	(void)j;
	(void)words;
	assert_true(R.nsnaps < MAX_SNAPS);
	memcpy(R.snaps + (size_t)R.nsnaps++ * BUF_WORDS, buf, sizeof(buf));
}

/* the stream index of span s's first word */
static uint64_t first_word(uint32_t s)
{
	uint64_t n = 0;

	for (uint32_t k = 0; k < s; k++)
		n += R.spans[k].words;
	return n;
}

static void on_written(struct audit_job *j, const struct audit_span *sp)
{
	uint32_t s = (uint32_t)(sp - R.spans), sweep = R.written_calls++ / R.nspans;
	uint64_t n0 = first_word(s);

	(void)j;
	for (uint32_t f = 0; f < R.nflips; f++)
		if (R.flips[f].sweep == sweep && R.flips[f].word >= n0 &&
		    R.flips[f].word < n0 + sp->words)
			sp->w[R.flips[f].word - n0] ^= R.flips[f].mask;
}

/* One job of layout l with variant v; snapshots into `snaps`. */
static void run_job(const struct layout *l, enum audit_vec v, uint64_t seed,
		    const struct flip *flips, uint32_t nflips, uint64_t *snaps)
{
	memset(&R, 0, sizeof(R));
	for (uint32_t i = 0; i < BUF_WORDS; i++)
		buf[i] = CANARY ^ i;
	R.nspans = l->n;
	for (uint32_t s = 0; s < l->n; s++) {
		assert_true(l->span[s].at + l->span[s].words <= BUF_WORDS);
		R.spans[s] = (struct audit_span){ buf + l->span[s].at, PHYS + 8ull * l->span[s].at,
						  l->span[s].words, s };
	}
	R.flips = flips;
	R.nflips = nflips;
	R.snaps = snaps;
	struct audit_job j = { .spans = R.spans, .nspans = l->n, .seed = seed, .bad = on_bad,
			       .progress = on_progress, .written = on_written };

	audit_random_sequence_as(&j, v);
	assert_int_equal(R.nsnaps, 3 * l->n);
	assert_int_equal(j.words_done, 3 * first_word(l->n));
}

/* What buf holds after span s of sweep k (no flips): the stream in sweep 0,
 * its complement from sweep 1 on; spans after s still hold the sweep
 * before's; the canary elsewhere. */
static void expect_snapshot(const struct layout *l, uint64_t seed, uint32_t k, uint32_t s,
			    uint64_t *want)
{
	for (uint32_t i = 0; i < BUF_WORDS; i++)
		want[i] = CANARY ^ i;
	for (uint32_t t = 0, n = 0; t < l->n; t++)
		for (uint32_t i = 0; i < l->span[t].words; i++, n++) {
			uint32_t sweep = t <= s ? k : k - 1;  /* (uint32_t)-1: not yet */

			if (sweep != (uint32_t)-1)
				want[l->span[t].at + i] = rs_reference_word(seed, n) ^
							  (sweep ? ~0ull : 0);
		}
}

static uint64_t *snaps_scalar, *snaps_v, *want;

static int setup(void **st)
{
	(void)st;
	snaps_scalar = malloc(sizeof(buf) * MAX_SNAPS);
	snaps_v = malloc(sizeof(buf) * MAX_SNAPS);
	want = malloc(sizeof(buf));
	return !snaps_scalar || !snaps_v || !want;
}

static int teardown(void **st)
{
	(void)st;
	free(snaps_scalar);
	free(snaps_v);
	free(want);
	return 0;
}

/* The layouts: every length 0..80 at every word offset 0..7 (one span);
 * longer odd lengths; multi-span jobs with gaps, misaligned starts and
 * lengths of every residue mod 8. */
static uint32_t layouts(struct layout *out, uint32_t max)
{
	static const uint32_t longer[] = { 127, 128, 129, 255, 1000, 1003, 4093, 8000 };
	uint32_t n = 0, r = 12345;

	for (uint32_t len = 0; len <= 80; len++)
		for (uint32_t off = 0; off < 8; off++)
			out[n++] = (struct layout){ 1, { { 16 + off, len } } };
	for (uint32_t i = 0; i < sizeof(longer) / sizeof(longer[0]); i++)
		for (uint32_t off = 0; off < 8; off += 3)
			out[n++] = (struct layout){ 1, { { off, longer[i] } } };
	while (n < max) {
		struct layout *l = &out[n++];
		uint32_t at = 0;

		l->n = 2 + (r = r * 1103515245u + 12345u) % (MAX_SPANS - 1);
		for (uint32_t s = 0; s < l->n; s++) {
			at += (r = r * 1103515245u + 12345u) >> 16 & 31;  /* a gap */
			l->span[s].at = at;
			l->span[s].words = (r = r * 1103515245u + 12345u) >> 16 & 511;
			at += l->span[s].words;
		}
		assert_true(at <= BUF_WORDS);
	}
	return n;
}

#define NLAYOUTS 800

static void every_variant_writes_the_scalar_stream(void **st)
{
	static struct layout ls[NLAYOUTS];
	uint32_t nl = layouts(ls, NLAYOUTS), compared = 0;

	(void)st;
	for (uint32_t i = 0; i < nl; i++) {
		uint64_t seed = 0x0123456789abcdefull * (i + 1);

		run_job(&ls[i], AUDIT_VEC_SCALAR, seed, NULL, 0, snaps_scalar);
		assert_int_equal(R.nbad, 0);
		for (uint32_t k = 0; k < 3; k++)
			for (uint32_t s = 0; s < ls[i].n; s++) {
				expect_snapshot(&ls[i], seed, k, s, want);
				if (memcmp(want, snaps_scalar + (size_t)(k * ls[i].n + s) * BUF_WORDS,
					   sizeof(buf)))
					fail_msg("layout %u: scalar sweep %u span %u is not the reference "
						 "stream", i, k, s);
			}
		for (int v = AUDIT_VEC_SCALAR + 1; v < AUDIT_VEC_KINDS; v++) {
			if (!audit_vec_runs(v))
				continue;
			run_job(&ls[i], v, seed, NULL, 0, snaps_v);
			assert_int_equal(R.nbad, 0);
			for (uint32_t t = 0; t < 3 * ls[i].n; t++)
				if (memcmp(snaps_scalar + (size_t)t * BUF_WORDS,
					   snaps_v + (size_t)t * BUF_WORDS, sizeof(buf)))
					fail_msg("layout %u (%u spans, first at %u, %u words): %s differs "
						 "from scalar after sweep %u span %u", i, ls[i].n,
						 ls[i].span[0].at, ls[i].span[0].words,
						 audit_vec_name(v), t / ls[i].n,
						 t % ls[i].n);
			compared++;
		}
	}
	printf("# %u layouts, %u variant runs compared with scalar\n", nl, compared);
}

/* Flips in the head (before the first 64-byte line), in whole blocks (two in
 * one block, one in each AVX2 half), in the tail, after the fill and after
 * the complement: each variant reports exactly the flipped words, in sweep
 * order, with the stream's value and the value read. */
static void flipped_bits_are_reported_alike(void **st)
{
	/* spans: 5 words at offset 3 (head only), 45 at offset 21 (3 head, 5
	 * blocks, 2 tail), 19 at offset 128 (2 blocks, 3 tail) */
	static const struct layout l = { 3, { { 3, 5 }, { 21, 45 }, { 128, 19 } } };
	static const struct flip flips[] = {  /* in the order they are found */
		{ 0, 2, 1ull << 0 },     /* span 0 */
		{ 0, 6, 1ull << 63 },    /* span 1, head */
		{ 0, 9, 1ull << 17 },    /* span 1, a block: word 1 of it */
		{ 0, 14, 3ull << 40 },   /* the same block, word 6 (AVX2's second half) */
		{ 0, 52, ~0ull },        /* span 2, a block */
		{ 1, 40, 1ull << 5 },    /* span 1, the last block, after the complement */
		{ 1, 49, 1ull << 33 },   /* span 1, tail */
		{ 1, 68, 1ull << 1 },    /* span 2, tail */
	};
	uint32_t nf = sizeof(flips) / sizeof(flips[0]);
	struct bad scalar[MAX_BAD];
	uint32_t nscalar;
	const uint64_t seed = 0xfeedface12345678ull;

	(void)st;
	run_job(&l, AUDIT_VEC_SCALAR, seed, flips, nf, snaps_scalar);
	assert_int_equal(R.nbad, nf);
	for (uint32_t f = 0; f < nf; f++) {
		/* the stream index -> span and word */
		uint32_t s = 0, n = flips[f].word;

		while (n >= l.span[s].words)
			n -= l.span[s++].words;
		/* sweep 1 (check, complement) finds a flip made after the fill,
		 * sweep 2 (check the complement) one made after the complement */
		uint64_t v = rs_reference_word(seed, flips[f].word) ^ (flips[f].sweep ? ~0ull : 0);

		assert_int_equal(R.bad[f].addr, PHYS + 8ull * (l.span[s].at + n));
		assert_int_equal(R.bad[f].expected, v);
		assert_int_equal(R.bad[f].actual, v ^ flips[f].mask);
	}
	memcpy(scalar, R.bad, sizeof(scalar));
	nscalar = R.nbad;
	for (int v = AUDIT_VEC_SCALAR + 1; v < AUDIT_VEC_KINDS; v++) {
		if (!audit_vec_runs(v)) {
			printf("# %s: not on this CPU\n", audit_vec_name(v));
			continue;
		}
		run_job(&l, v, seed, flips, nf, snaps_v);
		assert_int_equal(R.nbad, nscalar);
		for (uint32_t b = 0; b < nscalar; b++) {
			assert_int_equal(R.bad[b].addr, scalar[b].addr);
			assert_int_equal(R.bad[b].expected, scalar[b].expected);
			assert_int_equal(R.bad[b].actual, scalar[b].actual);
		}
		/* and memory ends as the scalar run left it */
		assert_memory_equal(snaps_v + (size_t)(R.nsnaps - 1) * BUF_WORDS,
				    snaps_scalar + (size_t)(R.nsnaps - 1) * BUF_WORDS, sizeof(buf));
	}
}

/* The choice: scalar always runs; a vector variant runs where the kernel
 * (here: Linux) says the CPU has it and enabled its state, which
 * /proc/cpuinfo's flags say from outside this code; the chosen one is the
 * widest that runs. */
static void the_widest_variant_that_runs_is_chosen(void **st)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	static char line[8192];
	int avx2 = -1, avx512 = -1, v;

	(void)st;
	assert_true(audit_vec_runs(AUDIT_VEC_SCALAR));
	assert_false(audit_vec_runs(AUDIT_VEC_KINDS));
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			avx2 = strstr(line, " avx2 ") != NULL;
			avx512 = strstr(line, " avx512f ") && strstr(line, " avx512dq ");
			break;
		}
	if (f)
		fclose(f);
	if (avx2 >= 0) {
		assert_int_equal(audit_vec_runs(AUDIT_VEC_AVX2), avx2);
		assert_int_equal(audit_vec_runs(AUDIT_VEC_AVX512), avx512);
	}
	for (v = AUDIT_VEC_KINDS - 1; !audit_vec_runs(v); v--)
		;
	assert_int_equal(audit_vec_chosen(), v);
	printf("# this CPU: avx2 %d, avx512 %d; random_sequence runs %s\n",
	       audit_vec_runs(AUDIT_VEC_AVX2), audit_vec_runs(AUDIT_VEC_AVX512),
	       audit_vec_name(v));
}

/* audit_vec_cap (simd_report: the widest every CPU runs) holds
 * the choice down to the cap, and lifting it chooses the widest again. */
static void the_cap_holds_the_choice_down(void **st)
{
	enum audit_vec best = audit_vec_chosen();

	(void)st;
	for (int cap = AUDIT_VEC_SCALAR; cap < AUDIT_VEC_KINDS; cap++) {
		audit_vec_cap(cap);
		assert_int_equal(audit_vec_chosen(),
				 (int)best < cap ? (int)best : cap);
	}
	audit_vec_cap(AUDIT_VEC_SCALAR);
	assert_int_equal(audit_vec_chosen(), AUDIT_VEC_SCALAR);
	audit_vec_cap(AUDIT_VEC_KINDS - 1);
	assert_int_equal(audit_vec_chosen(), best);
}

/* The stream looks random bit by bit, which is what the pattern is for:
 * over 65536 words of each of three seeds, every bit is 1 in half the words
 * and differs between words 1, 2, 3, 8 and 20 apart in half the pairs, to
 * within 0.02 (ten standard deviations of a fair coin's share, so a random
 * stream never fails it; a mixer of three steps, x ^= x >> 29,
 * x += x << 17, x ^= x >> 31, does: its top bit differs between neighbours
 * in 86 % of pairs). And it repeats no word (the mixer is one to one). */
static void stream_looks_random(void **st)
{
	enum { N = 65536 };
	static uint64_t w[N];
	static const uint32_t lag[] = { 1, 2, 3, 8, 20 };
	static const uint64_t seeds[] = { 0, 0x123456789abcdef0ull, ~0ull };

	(void)st;
	for (uint32_t si = 0; si < 3; si++) {
		uint32_t ones[64] = { 0 };

		for (uint32_t n = 0; n < N; n++) {
			w[n] = rs_reference_word(seeds[si], n);
			for (uint32_t b = 0; b < 64; b++)
				ones[b] += (uint32_t)(w[n] >> b & 1);
		}
		for (uint32_t b = 0; b < 64; b++)
			if (ones[b] < N * 0.48 || ones[b] > N * 0.52)
				fail_msg("seed %u: bit %u is 1 in %u of %u words", si, b, ones[b], N);
		for (uint32_t l = 0; l < 5; l++) {
			uint32_t diff[64] = { 0 }, pairs = N - lag[l];

			for (uint32_t n = 0; n < pairs; n++) {
				uint64_t d = w[n] ^ w[n + lag[l]];

				if (!d)
					fail_msg("seed %u: words %u and %u are the same", si, n,
						 n + lag[l]);
				for (uint32_t b = 0; b < 64; b++)
					diff[b] += (uint32_t)(d >> b & 1);
			}
			for (uint32_t b = 0; b < 64; b++)
				if (diff[b] < pairs * 0.48 || diff[b] > pairs * 0.52)
					fail_msg("seed %u: bit %u differs between words %u apart in "
						 "%u of %u pairs", si, b, lag[l], diff[b], pairs);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_widest_variant_that_runs_is_chosen),
		cmocka_unit_test(the_cap_holds_the_choice_down),
		cmocka_unit_test(every_variant_writes_the_scalar_stream),
		cmocka_unit_test(flipped_bits_are_reported_alike),
		cmocka_unit_test(stream_looks_random),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
