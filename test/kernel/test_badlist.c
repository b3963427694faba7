/* Host tests of the bad-frame list (kernel/audit/badlist.c), its error
 * detail (checked against a model kept here) and its three exports:
 * hand-worked memmap=/badram=/Windows strings, every output cap with a
 * canary behind it, and checkers that parse the strings back and verify,
 * frame by frame, that they cover exactly the bad frames. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/badlist.h>

#define FRAME 4096ull

static struct badlist *B;

static int setup(void **s)
{
	(void)s;
	B = calloc(1, sizeof(*B));
	return B ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	free(B);
	return 0;
}

static void reset(void)
{
	memset(B, 0, sizeof(*B));
}

static void add_frames(const uint64_t *f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		assert_non_null(badlist_add(B, f[i] + 8 * i, 1, 3, 0, "t"));
}

typedef size_t (*export_fn)(const struct badlist *, char *, size_t, uint32_t *);

/* Exports with a large buffer; checks the returned length and omitted == 0. */
static const char *export(export_fn fn)
{
	static char out[65536];
	uint32_t omitted = 12345;
	size_t len = fn(B, out, sizeof(out), &omitted);

	assert_int_equal(len, strlen(out));
	assert_int_equal(omitted, 0);
	return out;
}

/* ---------------------------------------------------------------- checkers */

static int is_bad(uint64_t frame)
{
	return badlist_contains(B, frame);
}

static uint64_t parse_hex(const char **p)
{
	char *end;
	uint64_t v;

	assert_true((*p)[0] == '0' && (*p)[1] == 'x');
	v = strtoull(*p + 2, &end, 16);
	assert_true(end > *p + 2);
	*p = end;
	return v;
}

/* memmap=SIZE$ADDR,...: every range 4 KiB-aligned, rising, not touching the
 * one before (adjacent frames are merged), and made of bad frames. Returns
 * the number of ranges; `covered` counts the frames they hold. */
static uint32_t check_memmap(const char *s, uint64_t *covered)
{
	uint64_t prev_end = 0;
	uint32_t n = 0;

	*covered = 0;
	if (!*s)
		return 0;
	assert_memory_equal(s, "memmap=", 7);
	s += 7;
	for (;;) {
		char *end;
		uint64_t kib = strtoull(s, &end, 10);

		assert_true(end > s && *end == 'K' && end[1] == '$');
		assert_true(s[0] != '0');
		s = end + 2;
		uint64_t addr = parse_hex(&s);

		assert_int_equal(kib % 4, 0);
		assert_true(kib > 0);
		assert_int_equal(addr % FRAME, 0);
		if (n)
			assert_true(addr > prev_end);
		for (uint64_t f = addr; f < addr + kib * 1024; f += FRAME)
			assert_true(is_bad(f));
		*covered += kib / 4;
		prev_end = addr + kib * 1024;
		/* the frames just outside a range are good: ranges are maximal */
		if (addr)
			assert_false(is_bad(addr - FRAME));
		assert_false(is_bad(prev_end));
		n++;
		if (!*s)
			return n;
		assert_int_equal(*s, ',');
		s++;
	}
}

#define MAX_PAIRS 4096
static uint64_t pair_addr[MAX_PAIRS], pair_mask[MAX_PAIRS];

/* badram=ADDR,MASK,...: each MASK is ~(2^k - 1) with 2^k >= 4 KiB, each ADDR
 * aligned to it. Returns the number of pairs. */
static uint32_t parse_badram(const char *s)
{
	uint32_t n = 0;

	if (!*s)
		return 0;
	assert_memory_equal(s, "badram=", 7);
	s += 7;
	for (;;) {
		assert_true(n < MAX_PAIRS);
		pair_addr[n] = parse_hex(&s);
		assert_int_equal(*s++, ',');
		pair_mask[n] = parse_hex(&s);
		uint64_t size = ~pair_mask[n] + 1;

		assert_true(size >= FRAME);
		assert_int_equal(size & (size - 1), 0);
		assert_int_equal(pair_addr[n] & ~pair_mask[n], 0);
		n++;
		if (!*s)
			return n;
		assert_int_equal(*s++, ',');
	}
}

static uint32_t pairs_matching(uint64_t frame, uint32_t n)
{
	uint32_t m = 0;

	for (uint32_t k = 0; k < n; k++)
		m += (frame & pair_mask[k]) == pair_addr[k];
	return m;
}

/* For every frame from `lo` to `hi`: matched by one pair iff bad, never by
 * two; and every frame a pair matches is bad (so none strays outside). */
static void check_badram(const char *s, uint64_t lo, uint64_t hi)
{
	uint32_t n = parse_badram(s);

	for (uint64_t f = lo; f <= hi; f += FRAME) {
		uint32_t m = pairs_matching(f, n);

		if (m > 1 || (m == 1) != is_bad(f))
			fail_msg("frame 0x%llx: %u pairs match, bad %d", (unsigned long long)f, m,
				 is_bad(f));
	}
	for (uint32_t k = 0; k < n; k++) {
		uint64_t size = ~pair_mask[k] + 1;

		assert_true(size <= BADLIST_MAX * FRAME);
		for (uint64_t f = pair_addr[k]; f < pair_addr[k] + size; f += FRAME)
			assert_true(is_bad(f));
	}
}

/* ---------------------------------------------------------------- the list */

static void first_bad_word_of_a_frame_is_kept(void **s)
{
	(void)s;
	reset();
	struct bad_frame *f = badlist_add(B, 0x12345678, 0xaa, 0xab, 3, "own_address");

	assert_non_null(f);
	assert_int_equal(f->phys, 0x12345000);
	assert_int_equal(f->addr, 0x12345678);
	assert_int_equal(f->expected, 0xaa);
	assert_int_equal(f->actual, 0xab);
	assert_int_equal(f->cpu, 3);
	assert_int_equal(f->reported, 0);
	assert_string_equal(f->pattern, "own_address");
	/* another word of the same frame, and the same word again */
	assert_null(badlist_add(B, 0x12345ff8, 0, 1, 1, "linux_memtest"));
	assert_null(badlist_add(B, 0x12345000, 0, 1, 1, "linux_memtest"));
	assert_null(badlist_add(B, 0x12345678, 0, 1, 1, "linux_memtest"));
	assert_int_equal(B->n, 1);
	assert_int_equal(B->overflow, 0);
	assert_int_equal(B->f[0].addr, 0x12345678);
	assert_int_equal(B->f[0].expected, 0xaa);
	assert_string_equal(B->f[0].pattern, "own_address");
	/* the neighbours are frames of their own */
	assert_non_null(badlist_add(B, 0x12344ff8, 0, 1, 0, "x"));
	assert_non_null(badlist_add(B, 0x12346000, 0, 1, 0, "x"));
	assert_int_equal(B->n, 3);
	assert_true(badlist_contains(B, 0x12344000));
	assert_true(badlist_contains(B, 0x12345000));
	assert_true(badlist_contains(B, 0x12346000));
	assert_false(badlist_contains(B, 0x12347000));
	assert_false(badlist_contains(B, 0));
	/* frame 0 is a frame like any other */
	assert_non_null(badlist_add(B, 0x8, 0, 1, 0, "x"));
	assert_true(badlist_contains(B, 0));
}

static void a_full_list_counts_the_rest(void **s)
{
	(void)s;
	reset();
	for (uint32_t i = 0; i < BADLIST_MAX; i++)
		assert_non_null(badlist_add(B, (uint64_t)i * 2 * FRAME + 16, 0, 1, 0, "x"));
	assert_int_equal(B->n, BADLIST_MAX);
	/* a frame already listed is not a new bad frame */
	assert_null(badlist_add(B, 2 * FRAME + 8, 0, 1, 0, "x"));
	assert_int_equal(B->overflow, 0);
	assert_null(badlist_add(B, FRAME, 0, 1, 0, "x"));
	assert_int_equal(B->overflow, 1);
	assert_null(badlist_add(B, 3 * FRAME, 0, 1, 0, "x"));
	assert_int_equal(B->overflow, 2);
	assert_int_equal(B->n, BADLIST_MAX);
	assert_false(badlist_contains(B, FRAME));
	/* the kept entries are untouched */
	for (uint32_t i = 0; i < BADLIST_MAX; i++)
		assert_int_equal(B->f[i].phys, (uint64_t)i * 2 * FRAME);
}

/* badlist.h: overflow counts "bad frames beyond BADLIST_MAX". A pattern
 * reads every word of a frame and checks each word several times, so one
 * unlisted frame is reported many times; it is still one bad frame (the
 * audit_result event's bad_frames is n + overflow). */
static void overflow_counts_frames_not_bad_reads(void **s)
{
	(void)s;
	reset();
	for (uint32_t i = 0; i < BADLIST_MAX; i++)
		assert_non_null(badlist_add(B, (uint64_t)i * FRAME, 0, 1, 0, "x"));
	uint64_t extra = (uint64_t)BADLIST_MAX * FRAME;

	/* two words of one frame beyond the list, then the first one again */
	assert_null(badlist_add(B, extra, 0, 1, 0, "x"));
	assert_null(badlist_add(B, extra + 8, 0, 1, 0, "x"));
	assert_null(badlist_add(B, extra, ~0ull, 1, 0, "x"));
	assert_int_equal(B->overflow, 1);
}

static void sort_orders_by_frame_and_moves_whole_entries(void **s)
{
	(void)s;
	unsigned seed = 7;

	for (int iter = 0; iter < 50; iter++) {
		uint32_t n = iter == 0 ? 0 : iter == 1 ? 1 : (uint32_t)rand_r(&seed) % BADLIST_MAX + 1;

		reset();
		while (B->n < n) {
			uint64_t frame = (uint64_t)(rand_r(&seed) % 100000) * FRAME;
			uint64_t off = (uint64_t)(rand_r(&seed) % 512) * 8;

			badlist_add(B, frame + off, frame ^ 0x5a, off, B->n % 7, "x");
		}
		badlist_sort(B);
		assert_int_equal(B->n, n);
		for (uint32_t i = 0; i < n; i++) {
			assert_int_equal(B->f[i].addr & ~(FRAME - 1), B->f[i].phys);
			assert_int_equal(B->f[i].expected, B->f[i].phys ^ 0x5a);
			assert_int_equal(B->f[i].actual, B->f[i].addr - B->f[i].phys);
			if (i)
				assert_true(B->f[i - 1].phys < B->f[i].phys);
		}
	}
	/* already sorted and reversed */
	reset();
	for (uint32_t i = 0; i < 100; i++)
		badlist_add(B, (uint64_t)(99 - i) * FRAME, 0, 1, 0, "x");
	badlist_sort(B);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(B->f[i].phys, (uint64_t)i * FRAME);
	badlist_sort(B);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(B->f[i].phys, (uint64_t)i * FRAME);
}

/* ---------------------------------------------------------------- memmap= and badram=, by hand */

struct hand {
	const char *name;
	uint32_t n;
	uint64_t frames[8];   /* in this order; sorted before export */
	const char *memmap, *badram;
};

static const struct hand hand[] = {
	{ "empty list", 0, { 0 }, "", "" },
	{ "one frame", 1, { 0x12345000 },
	  "memmap=4K$0x12345000", "badram=0x12345000,0xfffffffffffff000" },
	{ "two adjacent frames, not aligned to 8K", 2, { 0x12345000, 0x12346000 },
	  "memmap=8K$0x12345000",
	  "badram=0x12345000,0xfffffffffffff000,0x12346000,0xfffffffffffff000" },
	{ "the header's example, unsorted", 3, { 0x20000000, 0x12346000, 0x12345000 },
	  "memmap=8K$0x12345000,4K$0x20000000",
	  "badram=0x12345000,0xfffffffffffff000,0x12346000,0xfffffffffffff000,"
	  "0x20000000,0xfffffffffffff000" },
	{ "frames 0x1000..0x4000", 3, { 0x1000, 0x2000, 0x3000 },
	  "memmap=12K$0x1000", "badram=0x1000,0xfffffffffffff000,0x2000,0xffffffffffffe000" },
	{ "eight frames from 0", 8, { 0x7000, 0x6000, 0x5000, 0x4000, 0x3000, 0x2000, 0x1000, 0 },
	  "memmap=32K$0x0", "badram=0x0,0xffffffffffff8000" },
	{ "a run split 4K + 16K + 32K", 0, { 0 }, 0, 0 }, /* filled in below */
	{ "separate ranges", 4, { 0x100000, 0x4000, 0x1000, 0x3000 },
	  "memmap=4K$0x1000,8K$0x3000,4K$0x100000",
	  "badram=0x1000,0xfffffffffffff000,0x3000,0xfffffffffffff000,"
	  "0x4000,0xfffffffffffff000,0x100000,0xfffffffffffff000" },
	{ "the top frame of 52-bit memory", 2, { 0xffffffffff000, 0xfffffffffe000 },
	  "memmap=8K$0xfffffffffe000", "badram=0xfffffffffe000,0xffffffffffffe000" },
};

static void hand_worked_strings(void **s)
{
	(void)s;
	for (uint32_t h = 0; h < sizeof(hand) / sizeof(hand[0]); h++) {
		const struct hand *c = &hand[h];

		reset();
		if (!c->memmap) {
			/* frames 0x3000..0xf000: 0x3000 alone (4K), 0x4000 (16K), 0x8000 (32K) */
			for (uint64_t f = 0x3000; f < 0x10000; f += FRAME)
				assert_non_null(badlist_add(B, f, 0, 1, 0, "x"));
			badlist_sort(B);
			assert_string_equal(export(badlist_memmap_param), "memmap=52K$0x3000");
			assert_string_equal(export(badlist_badram),
					    "badram=0x3000,0xfffffffffffff000,0x4000,0xffffffffffffc000,"
					    "0x8000,0xffffffffffff8000");
			continue;
		}
		add_frames(c->frames, c->n);
		badlist_sort(B);
		const char *m = export(badlist_memmap_param);

		if (strcmp(m, c->memmap))
			fail_msg("%s: memmap \"%s\", not \"%s\"", c->name, m, c->memmap);
		const char *b = export(badlist_badram);

		if (strcmp(b, c->badram))
			fail_msg("%s: badram \"%s\", not \"%s\"", c->name, b, c->badram);
	}
}

/* ---------------------------------------------------------------- random lists, checked by parsing back */

static void random_lists_are_covered_exactly(void **s)
{
	(void)s;
	unsigned seed = 2024;

	for (int iter = 0; iter < 200; iter++) {
		/* a window of up to 600 frames with runs and holes, at a random base */
		uint64_t base = ((uint64_t)rand_r(&seed) << 20 | (uint64_t)rand_r(&seed)) * FRAME %
				(1ull << 46);
		uint32_t width = (uint32_t)rand_r(&seed) % 600 + 1;
		int density = rand_r(&seed) % 100;
		int in_run = 0;

		reset();
		for (uint32_t i = 0; i < width && B->n < BADLIST_MAX; i++) {
			if (rand_r(&seed) % 100 < 10)
				in_run = !in_run;
			if (in_run || rand_r(&seed) % 100 < density / 4)
				badlist_add(B, base + (uint64_t)i * FRAME + 8 * (i % 512), 0, 1, 0, "x");
		}
		/* shuffle, so the sort has work to do */
		for (uint32_t i = B->n; i > 1; i--) {
			uint32_t k = (uint32_t)rand_r(&seed) % i;
			struct bad_frame t = B->f[i - 1];

			B->f[i - 1] = B->f[k];
			B->f[k] = t;
		}
		badlist_sort(B);

		uint64_t covered;
		uint32_t ranges = check_memmap(export(badlist_memmap_param), &covered);

		assert_int_equal(covered, B->n);
		assert_true(B->n == 0 || ranges >= 1);
		check_badram(export(badlist_badram), base >= 64 * FRAME ? base - 64 * FRAME : 0,
			     base + (uint64_t)(width + 64) * FRAME);
	}
}

/* ---------------------------------------------------------------- every cap */

/* Stops at a whole entry, NUL-terminated inside cap, never past cap, and
 * counts what it left out. `entry_commas`: commas inside one entry. */
static void every_cap(export_fn fn, const char *prefix, uint32_t entry_commas)
{
	static char full[65536], out[65536 + 64];
	uint32_t om;
	size_t flen = fn(B, full, sizeof(full), &om);
	uint32_t entries = 0;

	assert_int_equal(om, 0);
	assert_int_equal(flen, strlen(full));
	for (const char *p = full; *p; p++)
		entries += *p == ',';
	entries = flen ? (entries + 1) / (entry_commas + 1) : 0;

	for (size_t cap = 0; cap <= flen + 3; cap++) {
		memset(out, 0xa5, sizeof(out));
		om = 777;
		size_t len = fn(B, out, cap, &om);

		for (size_t k = cap; k < sizeof(out); k++)
			if ((unsigned char)out[k] != 0xa5)
				fail_msg("cap %zu: byte %zu written", cap, k);
		if (cap == 0) {
			assert_int_equal(len, 0);
		} else {
			assert_true(memchr(out, 0, cap) != NULL);
			assert_int_equal(len, strlen(out));
			assert_true(len < cap);
		}
		/* what is there is the full string cut at the end of an entry */
		uint32_t kept = 0;

		if (cap && len) {
			assert_memory_equal(out, full, len);
			/* the bare prefix is allowed when not even one entry fits */
			assert_true(full[len] == 0 || full[len] == ',' || len == strlen(prefix));
			assert_memory_equal(out, prefix, strlen(prefix));
			uint32_t commas = 0;

			for (size_t k = 0; k < len; k++)
				commas += out[k] == ',';
			if (len > strlen(prefix))
				kept = (commas + 1) / (entry_commas + 1);
			if (len > strlen(prefix))
				assert_int_equal(commas % (entry_commas + 1), entry_commas);
		}
		/* caps below the prefix: a_cap_below_the_prefix_omits_every_range */
		if ((cap > strlen(prefix) || !entries) && om != entries - kept)
			fail_msg("cap %zu: \"%.*s\" keeps %u of %u entries, omitted says %u", cap,
				 (int)(cap && len ? len : 0), out, kept, entries, om);
		if (cap > flen)
			assert_int_equal(len, flen);
	}
}

static void every_cap_memmap(void **s)
{
	(void)s;
	static const uint64_t f[] = { 0x1000, 0x3000, 0x4000, 0x100000, 0xfffffffffe000 };

	reset();
	add_frames(f, 5);
	every_cap(badlist_memmap_param, "memmap=", 0);
	reset();
	every_cap(badlist_memmap_param, "memmap=", 0);
	/* a long entry between short ones: once one is left out, so are the
	 * rest, even one short enough to fit */
	reset();
	badlist_add(B, 0x1000, 0, 1, 0, "x");
	for (uint64_t fr = 0x3000; fr < 0x102000; fr += FRAME)
		badlist_add(B, fr, 0, 1, 0, "x");
	badlist_add(B, 0x200000, 0, 1, 0, "x");
	assert_string_equal(export(badlist_memmap_param),
			    "memmap=4K$0x1000,1020K$0x3000,4K$0x200000");
	every_cap(badlist_memmap_param, "memmap=", 0);
}

static void every_cap_badram(void **s)
{
	(void)s;
	static const uint64_t f[] = { 0x1000, 0x3000, 0x4000, 0x5000, 0x6000, 0x100000 };

	reset();
	add_frames(f, 6);
	every_cap(badlist_badram, "badram=", 1);
	reset();
	every_cap(badlist_badram, "badram=", 1);
}

/* A cap too small for even the prefix leaves every range out: the count
 * must say so, or the caller takes "" for "no bad memory". */
static void a_cap_below_the_prefix_omits_every_range(void **s)
{
	(void)s;
	static const uint64_t f[] = { 0x1000, 0x3000, 0x4000, 0x100000 };
	char out[16];
	uint32_t om;

	reset();
	add_frames(f, 4);
	for (size_t cap = 0; cap < 8; cap++) {
		memset(out, 0xa5, sizeof(out));
		assert_int_equal(badlist_memmap_param(B, out, cap, &om), 0);
		if (cap)
			assert_int_equal(out[0], 0);
		if (om != 3)
			fail_msg("memmap, cap %zu: omitted %u, not 3", cap, om);
		assert_int_equal(badlist_badram(B, out, cap, &om), 0);
		if (om != 4)
			fail_msg("badram, cap %zu: omitted %u, not 4", cap, om);
	}
}

/* The audit's own buffers (BADLIST_EXPORT_CAP): a long list is cut, and
 * what is kept still covers only bad frames, from the lowest up. */
static void a_long_list_in_the_audits_buffer(void **s)
{
	(void)s;
	char out[BADLIST_EXPORT_CAP + 16];
	uint32_t om;
	uint64_t covered;

	reset();
	for (uint32_t i = 0; i < BADLIST_MAX; i++)
		badlist_add(B, (uint64_t)(BADLIST_MAX - i) * 2 * FRAME + 0x100000000ull, 0, 1, 0, "x");
	badlist_sort(B);
	memset(out, 0xa5, sizeof(out));
	size_t len = badlist_memmap_param(B, out, BADLIST_EXPORT_CAP, &om);

	for (size_t k = BADLIST_EXPORT_CAP; k < sizeof(out); k++)
		assert_int_equal((unsigned char)out[k], 0xa5);
	assert_true(len < BADLIST_EXPORT_CAP && len == strlen(out));
	uint32_t kept = check_memmap(out, &covered);

	assert_true(kept > 10);
	assert_int_equal(kept + om, BADLIST_MAX);
	assert_int_equal(covered, kept);
	assert_true(strstr(out, "4K$0x100002000,4K$0x100004000,") == out + 7);

	memset(out, 0xa5, sizeof(out));
	len = badlist_badram(B, out, BADLIST_EXPORT_CAP, &om);
	for (size_t k = BADLIST_EXPORT_CAP; k < sizeof(out); k++)
		assert_int_equal((unsigned char)out[k], 0xa5);
	assert_true(len < BADLIST_EXPORT_CAP && len == strlen(out));
	kept = parse_badram(out);
	assert_int_equal(kept + om, BADLIST_MAX);
	for (uint32_t k = 0; k < kept; k++)
		assert_int_equal(pair_addr[k], 0x100000000ull + (uint64_t)(k + 1) * 2 * FRAME);

	memset(out, 0xa5, sizeof(out));
	len = badlist_windows(B, out, BADLIST_EXPORT_CAP, &om);
	for (size_t k = BADLIST_EXPORT_CAP; k < sizeof(out); k++)
		assert_int_equal((unsigned char)out[k], 0xa5);
	assert_true(len < BADLIST_EXPORT_CAP && len == strlen(out));
	kept = 0;
	for (const char *p = out; *p; kept++) {
		assert_int_equal(parse_hex(&p), 0x100000 + (uint64_t)(kept + 1) * 2);
		if (*p)
			assert_int_equal(*p++, ' ');
	}
	assert_true(kept > 10);
	assert_int_equal(kept + om, BADLIST_MAX);
}


/* ---------------------------------------------------------------- error detail */

static void error_detail_by_hand(void **s)
{
	(void)s;
	reset();
	/* frame 0x5000: two reads by pattern 2, one by pattern 0 */
	assert_non_null(badlist_read(B, 0x5010, 0xff, 0xfe, 1, "p2", 2));
	assert_null(badlist_read(B, 0x5ff8, 0, 0x80, 1, "p2", 2));
	assert_null(badlist_read(B, 0x5010, 0xff, 0x7f, 0, "p0", 0));
	/* frame 0x9000, a machine check's: listed, no read, no error */
	assert_non_null(badlist_add(B, 0x9000, 0, 0, 2, "machine_check"));
	/* a read that found what it expected is no error either */
	assert_non_null(badlist_read(B, 0x20008, 5, 5, 0, "p1", 1));
	/* a read with no pattern number counts in the totals only */
	assert_null(badlist_read(B, 0x9008, 1ull << 63, 0, 0, "x", BADLIST_NO_PATTERN));

	assert_int_equal(B->n, 3);
	const struct bad_frame *f = &B->f[0];

	assert_int_equal(f->phys, 0x5000);
	assert_int_equal(f->addr, 0x5010);         /* the first bad word stays */
	assert_int_equal(f->expected, 0xff);
	assert_int_equal(f->actual, 0xfe);
	assert_string_equal(f->pattern, "p2");
	assert_int_equal(f->bits, 0x81);
	assert_int_equal(f->errors, 3);
	assert_int_equal(f->patterns, (1u << 2) | (1u << 0));
	f = &B->f[1];
	assert_int_equal(f->errors, 1);
	assert_int_equal(f->bits, 1ull << 63);
	assert_int_equal(f->patterns, 0);
	assert_string_equal(f->pattern, "machine_check");
	f = &B->f[2];
	assert_int_equal(f->errors, 0);
	assert_int_equal(f->bits, 0);

	assert_int_equal(B->errors, 4);
	assert_int_equal(B->bits, 0x81 | (1ull << 63));
	assert_int_equal(B->lowest, 0x5010);
	assert_int_equal(B->highest, 0x9008);
	assert_int_equal(B->pattern_errors[2], 2);
	assert_int_equal(B->pattern_errors[0], 1);
	assert_int_equal(B->pattern_errors[1], 0);
}

/* Random bad reads, some beyond a full list: every frame's detail and the
 * totals against a model; a frame is listed (and so poisoned) once. */
static void error_detail_matches_a_model(void **s)
{
	(void)s;
	enum { FRAMES = BADLIST_MAX + 200, READS = 20000 };
	static uint64_t bits[FRAMES], errs[FRAMES], pats[FRAMES], per_pattern[BADLIST_PATTERNS];
	uint64_t x = 88172645463325252ull, total = 0, allbits = 0, lo = ~0ull, hi = 0, listed = 0;

	reset();
	memset(bits, 0, sizeof(bits));
	memset(errs, 0, sizeof(errs));
	memset(pats, 0, sizeof(pats));
	memset(per_pattern, 0, sizeof(per_pattern));
	for (uint32_t r = 0; r < READS; r++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint32_t fr = (uint32_t)(x % FRAMES), no = (uint32_t)(x >> 20) % 40;
		uint64_t addr = 0x100000000ull + (uint64_t)fr * FRAME + ((x >> 8) & 0x1ff) * 8;
		uint64_t exp = x * 3, act = exp ^ (1ull << ((x >> 30) % 64)) ^ ((x >> 40) & 1);

		if (no >= BADLIST_PATTERNS)
			no = BADLIST_NO_PATTERN;
		if (badlist_read(B, addr, exp, act, 0, "p", no))
			listed++;
		if (exp == act)
			continue;  /* listed, but no error */
		bits[fr] |= exp ^ act;
		errs[fr]++;
		if (no != BADLIST_NO_PATTERN) {
			pats[fr] |= 1u << no;
			per_pattern[no]++;
		}
		total++;
		allbits |= exp ^ act;
		lo = addr < lo ? addr : lo;
		hi = addr > hi ? addr : hi;
	}
	assert_int_equal(listed, B->n);
	assert_int_equal(B->n, BADLIST_MAX);
	assert_int_equal(B->errors, total);
	assert_int_equal(B->bits, allbits);
	assert_int_equal(B->lowest, lo);
	assert_int_equal(B->highest, hi);
	for (uint32_t i = 0; i < BADLIST_PATTERNS; i++)
		assert_int_equal(B->pattern_errors[i], per_pattern[i]);
	for (uint32_t i = 0; i < B->n; i++) {
		uint32_t fr = (uint32_t)((B->f[i].phys - 0x100000000ull) / FRAME);

		assert_int_equal(B->f[i].bits, bits[fr]);
		assert_int_equal(B->f[i].errors, errs[fr]);
		assert_int_equal(B->f[i].patterns, pats[fr]);
	}
	/* sorting moves the detail with its frame */
	badlist_sort(B);
	for (uint32_t i = 0; i < B->n; i++) {
		uint32_t fr = (uint32_t)((B->f[i].phys - 0x100000000ull) / FRAME);

		assert_int_equal(B->f[i].bits, bits[fr]);
		assert_int_equal(B->f[i].errors, errs[fr]);
	}
}

/* ---------------------------------------------------------------- the Windows list */

static void windows_list_by_hand(void **s)
{
	(void)s;
	static const uint64_t f[] = { 0x12345000, 0x12346000, 0x20000000, 0x123456789000 };

	reset();
	assert_string_equal(export(badlist_windows), "");
	add_frames(f, 4);
	badlist_sort(B);
	assert_string_equal(export(badlist_windows), "0x12345 0x12346 0x20000 0x123456789");
}

/* Every cap: whole page numbers only, from the lowest, NUL-terminated inside
 * the cap, and kept + omitted = listed frames. */
static void every_cap_windows(void **s)
{
	(void)s;
	static char full[65536], out[65536 + 64];
	uint32_t om;

	reset();
	for (uint32_t i = 0; i < 40; i++)
		badlist_add(B, (uint64_t)(i * i * 7 + 1) * FRAME, 0, 1, 0, "x");
	badlist_sort(B);
	size_t flen = badlist_windows(B, full, sizeof(full), &om);

	assert_int_equal(om, 0);
	for (size_t cap = 0; cap <= flen + 3; cap++) {
		memset(out, 0xa5, sizeof(out));
		size_t len = badlist_windows(B, out, cap, &om);
		uint32_t kept = 0;

		for (size_t k = cap; k < sizeof(out); k++)
			if ((unsigned char)out[k] != 0xa5)
				fail_msg("cap %zu: byte %zu written", cap, k);
		if (cap) {
			assert_int_equal(len, strlen(out));
			assert_true(len < cap);
			assert_memory_equal(out, full, len);
			assert_true(!len || full[len] == 0 || full[len] == ' ');
			for (const char *p = out; *p; p++) {
				uint64_t pfn = parse_hex(&p);

				assert_true(badlist_contains(B, pfn * FRAME));
				kept++;
				if (!*p)
					break;
				assert_int_equal(*p, ' ');
			}
		} else {
			assert_int_equal(len, 0);
		}
		if (kept + om != B->n)
			fail_msg("cap %zu: kept %u, omitted %u, of %u", cap, kept, om, B->n);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(first_bad_word_of_a_frame_is_kept),
		cmocka_unit_test(a_full_list_counts_the_rest),
		cmocka_unit_test(overflow_counts_frames_not_bad_reads),
		cmocka_unit_test(sort_orders_by_frame_and_moves_whole_entries),
		cmocka_unit_test(hand_worked_strings),
		cmocka_unit_test(random_lists_are_covered_exactly),
		cmocka_unit_test(every_cap_memmap),
		cmocka_unit_test(every_cap_badram),
		cmocka_unit_test(a_cap_below_the_prefix_omits_every_range),
		cmocka_unit_test(a_long_list_in_the_audits_buffer),
		cmocka_unit_test(error_detail_by_hand),
		cmocka_unit_test(error_detail_matches_a_model),
		cmocka_unit_test(windows_list_by_hand),
		cmocka_unit_test(every_cap_windows),
	};
	return cmocka_run_group_tests(t, setup, teardown);
}
