/* mov_inv_walk64's variants write the same data: every variant the host CPU
 * runs (audit_vec_runs) over jobs of many span lengths (not multiples of 4
 * or 8 included), start alignments (every word offset within a 64-byte
 * line) and multi-span layouts; after every span of every one of its 384
 * sweeps the buffer, spans and the canary around them, must hash as the
 * scalar loops' did, and end byte for byte the same. Bits flipped by the
 * `written` hook (after the fill and after later sweeps, so found going up
 * and going down) must be reported at the same address with the same
 * expected and actual value, in the same order, by each variant. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/audit_pattern.h>

#define BUF_WORDS 2048u
#define CANARY 0x5ac35ac35ac35ac3ull
#define PHYS 0x200000000ull
#define MAX_SPANS 4
#define MAX_SNAPS (384 * MAX_SPANS)
#define MAX_BAD 4096

static uint64_t buf[BUF_WORDS] __attribute__((aligned(64)));

struct layout {
	uint32_t n;
	struct { uint32_t at, words; } span[MAX_SPANS];
};

struct bad {
	uint64_t addr, expected, actual;
};

static struct run {
	struct audit_span spans[MAX_SPANS];
	uint32_t nspans, extent, written_calls, nsnaps, nbad, flip_every;
	uint64_t hash[MAX_SNAPS];
	struct bad bad[MAX_BAD];
} R, scalar;

static void on_bad(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual)
{
	(void)j;
	assert_true(R.nbad < MAX_BAD);
	R.bad[R.nbad++] = (struct bad){ addr, expected, actual };
}

/* FNV-1a over the words the job can reach and the canary after them */
static void on_progress(struct audit_job *j, uint64_t words)
{
	uint64_t h = 0xcbf29ce484222325ull;

	(void)j;
	(void)words;
	for (uint32_t i = 0; i < R.extent; i++)
		h = (h ^ buf[i]) * 0x100000001b3ull;
	assert_true(R.nsnaps < MAX_SNAPS);
	R.hash[R.nsnaps++] = h;
}

/* every flip_every-th write of a span: one bit of one word of it flipped,
 * the word and bit moving with the count, and two words of one whole
 * (aligned) block, so the order of a block's reports shows (0: no flips) */
static void on_written(struct audit_job *j, const struct audit_span *sp)
{
	uint32_t c = R.written_calls++;
	uint64_t a = audit_head_words(sp) + 8 * (c % 3);

	(void)j;
	if (!R.flip_every || c % R.flip_every || !sp->words)
		return;
	sp->w[(c / R.flip_every * 7) % sp->words] ^= 1ull << (c % 64);
	if (a + 8 <= sp->words) {
		sp->w[a + 1] ^= 1ull << ((c + 9) % 64);
		sp->w[a + 6] ^= 1ull << ((c + 21) % 64);
	}
}

static void run_job(const struct layout *l, enum audit_vec v, uint32_t flip_every)
{
	memset(&R, 0, sizeof(R));
	for (uint32_t i = 0; i < BUF_WORDS; i++)
		buf[i] = CANARY ^ i;
	R.nspans = l->n;
	R.flip_every = flip_every;
	for (uint32_t s = 0; s < l->n; s++) {
		R.spans[s] = (struct audit_span){ buf + l->span[s].at, PHYS + 8ull * l->span[s].at,
						  l->span[s].words, s };
		if (l->span[s].at + l->span[s].words + 8 > R.extent)
			R.extent = l->span[s].at + l->span[s].words + 8;
	}
	assert_true(R.extent <= BUF_WORDS);
	struct audit_job j = { .spans = R.spans, .nspans = l->n, .bad = on_bad,
			       .progress = on_progress, .written = on_written, .iterations = 1 };

	audit_mov_inv_walk64_as(&j, v);
	assert_int_equal(R.nsnaps, 384 * l->n);
}

static uint64_t final_scalar[BUF_WORDS];

/* One layout: scalar, then each variant that runs, compared. */
static uint32_t compare(const struct layout *l, uint32_t flip_every)
{
	uint32_t compared = 0;

	run_job(l, AUDIT_VEC_SCALAR, flip_every);
	if (!flip_every)
		assert_int_equal(R.nbad, 0);
	scalar = R;
	memcpy(final_scalar, buf, sizeof(buf));
	for (int v = AUDIT_VEC_SCALAR + 1; v < AUDIT_VEC_KINDS; v++) {
		if (!audit_vec_runs(v))
			continue;
		run_job(l, v, flip_every);
		for (uint32_t t = 0; t < R.nsnaps; t++)
			if (R.hash[t] != scalar.hash[t])
				fail_msg("%s: %u spans, first at %u, %u words: differs from scalar after "
					 "sweep %u span %u", audit_vec_name(v), l->n, l->span[0].at,
					 l->span[0].words, t / l->n, t % l->n);
		assert_memory_equal(buf, final_scalar, sizeof(buf));
		assert_int_equal(R.nbad, scalar.nbad);
		for (uint32_t b = 0; b < R.nbad; b++) {
			assert_int_equal(R.bad[b].addr, scalar.bad[b].addr);
			assert_int_equal(R.bad[b].expected, scalar.bad[b].expected);
			assert_int_equal(R.bad[b].actual, scalar.bad[b].actual);
		}
		compared++;
	}
	return compared;
}

static const struct layout multi[] = {
	{ 3, { { 3, 29 }, { 40, 64 }, { 130, 77 } } },
	{ 4, { { 0, 8 }, { 9, 1 }, { 17, 250 }, { 300, 13 } } },
	{ 2, { { 5, 515 }, { 600, 1000 } } },
	{ 4, { { 1, 0 }, { 2, 15 }, { 24, 16 }, { 64, 17 } } },
};

static void every_variant_writes_what_scalar_writes(void **st)
{
	uint32_t compared = 0;

	(void)st;
	for (uint32_t len = 0; len <= 40; len++)
		for (uint32_t off = 0; off < 8; off++)
			compared += compare(&(struct layout){ 1, { { 8 + off, len } } }, 0);
	for (uint32_t i = 0; i < sizeof(multi) / sizeof(multi[0]); i++)
		compared += compare(&multi[i], 0);
	printf("# %u variant runs compared with scalar\n", compared);
}

static void flipped_bits_are_reported_alike(void **st)
{
	(void)st;
	for (uint32_t i = 0; i < sizeof(multi) / sizeof(multi[0]); i++) {
		compare(&multi[i], 37);
		assert_true(scalar.nbad > 0);
	}
	compare(&(struct layout){ 1, { { 11, 45 } } }, 5);
	assert_true(scalar.nbad > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_variant_writes_what_scalar_writes),
		cmocka_unit_test(flipped_bits_are_reported_alike),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
