/* Seeded random maps against an independent model of the audit's rules
 * (kernel/mapaudit/). The model works frame by frame over two windows of the
 * address space (the first 16 MiB, and 4 MiB around 4 GiB where a 32-bit
 * width cuts), with 128-bit arithmetic, so it shares no code and no
 * cleverness with the sweep it checks. After every map:
 *   - the ranges are sorted, disjoint, page aligned, merged, below 2^52;
 *   - every frame of both windows has the class the model gives it, so every
 *     frame of input RAM is in exactly one class (or dropped, above width);
 *   - no USABLE range touches a frame any entry (or the kernel image) claims
 *     for firmware, kernel or not-RAM, and none lies below 1 MiB or above
 *     the width;
 *   - the coverage counts add up, and match the model when the whole map
 *     lies inside the windows; so do the findings.
 * MAPAUDIT_SEED=n in the environment replays another seed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/mapaudit.h>

typedef unsigned __int128 u128;

#define U MAPAUDIT_USABLE
#define K MAPAUDIT_KERNEL
#define F MAPAUDIT_FIRMWARE
#define N MAPAUDIT_NOT_RAM
#define HOLE 4

#define WB  UEFI_ATTR_WB
#define UC  UEFI_ATTR_UC
#define RT  UEFI_ATTR_RUNTIME
#define ARCH_PFN (1ull << 40)

struct md {
	uint32_t type;
	uint64_t phys, pages, attr;
};

/* ---------------------------------------------------------------- random */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned percent)
{
	return below(100) < percent;
}

/* ---------------------------------------------------------------- the model */

/* The rules, restated from the header's table rather than shared. */
static uint32_t ref_class(uint32_t t, uint64_t a)
{
	switch (t) {
	case 1: case 2: case 3: case 4: case 7:
		return (a & WB) && !(a & RT) ? U : F;
	case 5: case 6: case 8: case 9: case 10: case 14: case 15:
		return F;
	case 0: case 11: case 12: case 13:
		return N;
	}
	if (t >= 0x80000000u)
		return t <= 0x80000003u ? K : F;
	return N;
}

/* Frames [*s, *e) a claim of class cls over bytes [phys, phys + bytes)
 * covers; false if none (or dropped for wrapping). */
static bool ref_frames(uint64_t phys, u128 bytes, uint32_t cls, uint64_t *s, uint64_t *e)
{
	u128 end = (u128)phys + bytes;
	u128 fs, fe;

	if (bytes == 0)
		return false;
	if (end > ((u128)1 << 64)) {
		if (cls == U)
			return false;
		end = (u128)1 << 64;
	}
	if (cls == U) {
		fs = ((u128)phys + 4095) / 4096;
		fe = end / 4096;
	} else {
		fs = phys / 4096;
		fe = (end + 4095) / 4096;
	}
	if (fe > ARCH_PFN)
		fe = ARCH_PFN;
	if (fs >= fe)
		return false;
	*s = (uint64_t)fs;
	*e = (uint64_t)fe;
	return true;
}

/* The two windows, in frames. */
static const struct { uint64_t s, e; } win[2] = {
	{ 0, 0x1000 },                 /* 0 .. 16 MiB */
	{ 0xffc00, 0x100400 },         /* 4 GiB - 4 MiB .. 4 GiB + 4 MiB */
};
#define WSIZE0 0x1000u
#define WSIZE1 0x800u
#define WFRAMES (WSIZE0 + WSIZE1)

/* Window frame -> model slot. */
static int slot_of(uint64_t f)
{
	if (f < win[0].e)
		return (int)f;
	if (f >= win[1].s && f < win[1].e)
		return (int)(WSIZE0 + (f - win[1].s));
	return -1;
}

static uint64_t frame_of(unsigned slot)
{
	return slot < WSIZE0 ? slot : win[1].s + (slot - WSIZE0);
}

struct model {
	uint16_t cnt[WFRAMES][4]; /* claims per class on each window frame */
	uint16_t loader[WFRAMES]; /* EfiLoaderCode claims */
	uint8_t kimage[WFRAMES];
	uint8_t cls[WFRAMES];     /* the expected class, HOLE, or HOLE + 1 for dropped */
};

static struct model mdl;

static void model_add(uint64_t s, uint64_t e, uint32_t cls, bool lc, bool kimage)
{
	for (int w = 0; w < 2; w++) {
		uint64_t a = s > win[w].s ? s : win[w].s, b = e < win[w].e ? e : win[w].e;

		for (uint64_t f = a; f < b; f++) {
			int i = slot_of(f);

			mdl.cnt[i][cls]++;
			mdl.loader[i] += lc;
			mdl.kimage[i] += kimage;
		}
	}
}

static void model_build(const struct md *m, uint32_t n, uint64_t kp, uint64_t kb, uint32_t bits)
{
	uint64_t s, e, width_pfn = 1ull << ((bits >= 32 && bits <= 52 ? bits : 36) - 12);

	memset(&mdl, 0, sizeof(mdl));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t cls = ref_class(m[i].type, m[i].attr);

		if (ref_frames(m[i].phys, (u128)m[i].pages * 4096, cls, &s, &e))
			model_add(s, e, cls, m[i].type == 1, false);
	}
	if (kb && ref_frames(kp, kb, K, &s, &e))
		model_add(s, e, K, false, true);
	for (unsigned i = 0; i < WFRAMES; i++) {
		const uint16_t *c = mdl.cnt[i];
		uint64_t f = frame_of(i);
		uint8_t x;

		if (!c[U] && !c[K] && !c[F])
			x = c[N] ? N : HOLE;
		else if (c[F] || c[N])
			x = F;
		else if (c[K])
			x = K;
		else if (f < 256)
			x = K;
		else if (f >= width_pfn)
			x = HOLE + 1;
		else
			x = U;
		mdl.cls[i] = x;
	}
}

/* ---------------------------------------------------------------- harness */

static struct mapaudit_scratch *scratch;
static struct mapaudit_range *ranges;
static struct mapaudit_result res;
static uint8_t *mapbuf;
static uint64_t seed0;

#define CAP (MAPAUDIT_RANGES_MAX(MAPAUDIT_MAX_DESCS))

/* Findings by name, as reported. */
static const char *const names[] = {
	"zero_length", "misaligned_start", "length_overflow", "beyond_phys_width",
	"attr_contradicts_type", "unknown_type", "oem_type", "unsorted", "overlap",
	"overlap_conflicting_types", "kernel_image_not_loader_code", "kernel_image_misaligned",
	"kernel_image_invalid", "phys_width_invalid", "map_empty", "issues_suppressed",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))
static uint32_t seen[NNAMES];

static int name_id(const char *what)
{
	for (unsigned i = 0; i < NNAMES; i++)
		if (!strcmp(names[i], what))
			return (int)i;
	return -1;
}

static void report_cb(void *ctx, const struct mapaudit_finding *f)
{
	int id = name_id(f->what);

	(void)ctx;
	if (id < 0)
		fail_msg("unexpected finding %s (seed %llu)", f->what, (unsigned long long)seed0);
	seen[id]++;
}

static int setup(void **state)
{
	const char *env = getenv("MAPAUDIT_SEED");

	(void)state;
	scratch = malloc(sizeof(*scratch));
	ranges = malloc(CAP * sizeof(*ranges));
	assert_non_null(scratch);
	assert_non_null(ranges);
	seed0 = env ? strtoull(env, NULL, 0) : 0x6d61706175646974ull;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(scratch);
	free(ranges);
	free(mapbuf);
	return 0;
}

static const void *make_map(const struct md *d, uint32_t n, uint32_t stride)
{
	free(mapbuf);
	mapbuf = malloc(n ? (size_t)n * stride : 1);
	assert_non_null(mapbuf);
	for (size_t i = 0; i < (size_t)n * stride; i++)
		mapbuf[i] = (uint8_t)rnd();
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = mapbuf + (size_t)i * stride;

		memcpy(p + 0, &d[i].type, 4);
		memcpy(p + 8, &d[i].phys, 8);
		memcpy(p + 24, &d[i].pages, 8);
		memcpy(p + 32, &d[i].attr, 8);
	}
	return mapbuf;
}

/* The class of frame f in the output, or HOLE. */
static uint32_t out_class(uint64_t f)
{
	uint32_t lo = 0, hi = res.range_count;
	uint64_t a = f << 12;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ranges[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < res.range_count && ranges[lo].start <= a ? ranges[lo].cls : HOLE;
}

/* No USABLE range intersects frames [s, e). */
static bool usable_free(uint64_t s, uint64_t e)
{
	for (uint32_t i = 0; i < res.range_count; i++)
		if (ranges[i].cls == U && ranges[i].start < (e << 12) && (s << 12) < ranges[i].end)
			return false;
	return true;
}

#define CHECK(cond, ...) do { \
	if (!(cond)) \
		fail_msg("seed %llu map %u: %s: " __VA_ARGS__, (unsigned long long)seed0, iter, #cond); \
} while (0)

static void check(const struct md *m, uint32_t n, uint64_t kp, uint64_t kb, uint32_t bits,
		  bool exact, unsigned iter)
{
	uint32_t eff = bits >= 32 && bits <= 52 ? bits : 36;
	uint64_t width = 1ull << eff, s, e;
	struct mapaudit_coverage cov;

	CHECK(res.ok, "not ok");
	/* Shape. */
	for (uint32_t i = 0; i < res.range_count; i++) {
		const struct mapaudit_range *r = &ranges[i];

		CHECK(!((r->start | r->end) & 0xfff) && r->start < r->end &&
		      r->end <= MAPAUDIT_ARCH_LIMIT && r->cls < 4, "range %u", i);
		CHECK(i == 0 || ranges[i - 1].end <= r->start, "range %u overlaps", i);
		CHECK(i == 0 || ranges[i - 1].end < r->start || ranges[i - 1].cls != r->cls,
		      "range %u not merged", i);
		if (r->cls == U)
			CHECK(r->start >= MAPAUDIT_LOW_LIMIT && r->end <= width, "usable %u", i);
	}
	/* Every window frame as the model says. */
	for (unsigned i = 0; i < WFRAMES; i++) {
		uint32_t want = mdl.cls[i] > HOLE ? HOLE : mdl.cls[i];
		uint32_t got = out_class(frame_of(i));

		CHECK(got == want, "frame %#llx is %u, model %u", (unsigned long long)frame_of(i),
		      got, want);
	}
	/* Nothing any entry keeps from the allocator is USABLE, anywhere. */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t cls = ref_class(m[i].type, m[i].attr);

		if (cls != U && ref_frames(m[i].phys, (u128)m[i].pages * 4096, cls, &s, &e))
			CHECK(usable_free(s, e), "entry %u's frames are usable", i);
	}
	if (kb && ref_frames(kp, kb, K, &s, &e))
		CHECK(usable_free(s, e), "kernel image frames are usable");
	/* Coverage adds up. */
	CHECK(mapaudit_coverage(ranges, res.range_count, res.ram_top, &cov), "coverage");
	CHECK(!memcmp(&cov, &res.cov, sizeof(cov)), "coverage differs");
	CHECK(res.ram_frames == cov.frames[U] + cov.frames[K] + cov.frames[F] + res.dropped_frames,
	      "ram frames");
	CHECK(cov.frames[U] + cov.frames[K] + cov.frames[F] + cov.frames[N] + cov.hole_frames ==
	      res.ram_top >> 12, "frames below top");
	CHECK(mapaudit_check_allocator(&cov, cov.frames[U], NULL, NULL), "allocator check");

	if (!exact)
		return;
	/* The whole map is in the windows: totals equal the model's. */
	uint64_t want[6] = { 0 }, top = 0, low = 0;

	for (unsigned i = 0; i < WFRAMES; i++) {
		want[mdl.cls[i]]++;
		if (mdl.cls[i] < N)
			top = frame_of(i) + 1;
		if (mdl.cls[i] == K && frame_of(i) < 256 && !mdl.cnt[i][K] && !mdl.cnt[i][F] &&
		    !mdl.cnt[i][N])
			low++;
	}
	CHECK(res.ram_top == top << 12, "ram_top %#llx model %#llx",
	      (unsigned long long)res.ram_top, (unsigned long long)(top << 12));
	CHECK(res.ram_frames == want[U] + want[K] + want[F] + want[HOLE + 1], "ram_frames");
	CHECK(res.dropped_frames == want[HOLE + 1], "dropped");
	CHECK(res.low_frames == low, "low %llu model %llu", (unsigned long long)res.low_frames,
	      (unsigned long long)low);
	for (int c = 0; c < 3; c++)
		CHECK(cov.frames[c] == want[c], "class %d", c);
}

/* Per-descriptor findings the model predicts (exact maps only, and only when
 * none were suppressed). */
static void check_findings(const struct md *m, uint32_t n, uint64_t kp, uint64_t kb,
			   uint32_t bits, unsigned iter)
{
	uint32_t want[NNAMES] = { 0 };
	uint64_t width = 1ull << (bits >= 32 && bits <= 52 ? bits : 36);

	if (res.n_reported != res.n_errors + res.n_warnings + res.n_infos)
		return;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = m[i].type;
		uint64_t a = m[i].attr;
		bool usable_t = t == 1 || t == 2 || t == 3 || t == 4 || t == 7;
		u128 end = (u128)m[i].phys + (u128)m[i].pages * 4096;

		if (i && m[i].phys < m[i - 1].phys)
			want[name_id("unsorted")] = 1;
		if (!m[i].pages) {
			want[name_id("zero_length")]++;
			continue;
		}
		if (end > ((u128)1 << 64))
			want[name_id("length_overflow")]++;
		else if (end > width)
			want[name_id("beyond_phys_width")]++;
		want[name_id("misaligned_start")] += (m[i].phys & 0xfff) != 0;
		if (usable_t || (t >= 0x80000000u && t <= 0x80000003u))
			want[name_id("attr_contradicts_type")] += !(a & WB) + (usable_t && (a & RT));
		if (t == 11 || t == 12)
			want[name_id("attr_contradicts_type")] += !(a & UC);
		if (t == 5 || t == 6)
			want[name_id("attr_contradicts_type")] += !(a & RT);
		if (t >= 0x70000000u && t < 0x80000000u)
			want[name_id("oem_type")]++;
		else if ((t >= 16 && t < 0x70000000u) || t > 0x80000003u)
			want[name_id("unknown_type")]++;
		/* Overlaps: one finding per entry that some entry sorted before it
		 * (by start, then index) reaches. */
		for (uint32_t j = 0; j < n; j++) {
			u128 ej = (u128)m[j].phys + (u128)m[j].pages * 4096;

			if (j == i || !m[j].pages)
				continue;
			if ((m[j].phys < m[i].phys || (m[j].phys == m[i].phys && j < i)) &&
			    ej > m[i].phys) {
				want[name_id("overlap")]++;
				break;
			}
		}
	}
	if (kb) {
		uint64_t bad = 0;

		for (unsigned i = 0; i < WFRAMES; i++)
			bad += mdl.kimage[i] && !mdl.loader[i];
		want[name_id("kernel_image_not_loader_code")] = bad != 0;
		want[name_id("kernel_image_misaligned")] = (kp & 0xfff) != 0;
	}
	if (bits < 32 || bits > 52)
		want[name_id("phys_width_invalid")] = 1;
	if (n == 0)
		want[name_id("map_empty")] = 1;

	seen[name_id("overlap")] += seen[name_id("overlap_conflicting_types")];
	seen[name_id("overlap_conflicting_types")] = 0;
	for (unsigned k = 0; k < NNAMES; k++)
		CHECK(seen[k] == want[k], "%s: %u findings, model %u", names[k], seen[k], want[k]);
}

/* ---------------------------------------------------------------- generators */

static uint32_t rand_type(void)
{
	static const uint32_t t[] = {
		7, 7, 7, 7, 7, 4, 4, 3, 1, 1, 2, 5, 6, 9, 10, 0, 0, 11, 12, 13, 8, 14, 15,
		0x80000000u, 0x80000001u, 0x80000002u, 0x80000003u, 16, 0x70000005u,
		0x80000004u, 0xffffffffu,
	};

	return t[below(sizeof(t) / sizeof(t[0]))];
}

static uint64_t rand_attr(uint32_t type)
{
	static const uint64_t odd[] = { 0, UC, WB, WB | RT, UC | RT, 0xf, ~0ull };

	if (chance(15))
		return odd[below(sizeof(odd) / sizeof(odd[0]))];
	if (type == 5 || type == 6)
		return 0xf | RT;
	if (type == 11 || type == 12)
		return UC | RT;
	if (type == 0)
		return 0;
	return 0xf;
}

/* An entry inside one of the windows, with room for outward growth. */
static struct md rand_entry_in_window(void)
{
	int w = chance(70) ? 0 : 1;
	uint64_t size = win[w].e - win[w].s - 2;
	uint64_t s = win[w].s + below(size);
	uint64_t pages = chance(5) ? 0 : 1 + below(chance(80) ? 16 : 256);
	uint32_t t = rand_type();
	uint64_t phys = s << 12;

	if (s + pages + 1 > win[w].e)
		pages = win[w].e - 1 - s;
	if (chance(10))
		phys += below(4096);
	return (struct md){ t, phys, pages, rand_attr(t) };
}

static struct md rand_entry_wild(void)
{
	struct md d = rand_entry_in_window();

	switch (below(8)) {
	case 0: d.phys = rnd(); break;
	case 1: d.pages = rnd() >> below(64); break;
	case 2: d.phys = UINT64_MAX - below(1ull << 20); break;
	case 3: d.phys = (1ull << (32 + below(21))) - below(1ull << 24); d.pages = below(1ull << 20); break;
	case 4: d.pages = UINT64_MAX - below(4); break;
	default: break;
	}
	return d;
}

static void one_map(struct md *m, uint32_t n, bool wild, unsigned iter)
{
	static const uint32_t strides[] = { 40, 48, 56, 64 };
	uint32_t stride = chance(80) ? strides[below(4)] : 40 + (uint32_t)below(90);
	uint32_t bits = chance(50) ? 32 : chance(90) ? 39 : (uint32_t)below(70);
	uint64_t kp = 0, kb = 0;
	struct mapaudit_input in;

	if (chance(60)) {
		kp = (0x100 + below(0xe00)) << 12;
		kb = 1 + below(0x20000);
		if (chance(20))
			kp += below(4096);
		/* Usually inside loader code, as the loader lays it out. */
		if (chance(70) && n)
			m[below(n)] = (struct md){ 1, kp & ~0xfffull, ((kp & 0xfff) + kb + 4095) >> 12,
						   0xf };
	}
	if (wild && chance(20)) {
		kp = rnd();
		kb = rnd() >> below(64);
	}
	/* Sometimes sorted, as most firmware does. */
	if (chance(30))
		for (uint32_t i = 1; i < n; i++)
			for (uint32_t j = i; j > 0 && m[j - 1].phys > m[j].phys; j--) {
				struct md t = m[j];

				m[j] = m[j - 1];
				m[j - 1] = t;
			}

	in = (struct mapaudit_input){ make_map(m, n, stride), n, stride, bits, kp, kb,
				      report_cb, NULL, false };
	memset(seen, 0, sizeof(seen));
	mapaudit_run(&in, scratch, ranges, CAP, &res);
	model_build(m, n, kp, kb, bits);
	check(m, n, kp, kb, bits, !wild, iter);
	if (!wild)
		check_findings(m, n, kp, kb, bits, iter);
}

/* Small maps that live entirely in the windows: everything is compared. */
static void test_fuzz_exact(void **state)
{
	struct md m[24];

	(void)state;
	rng = seed0 | 1;
	for (unsigned iter = 0; iter < 4000; iter++) {
		uint32_t n = (uint32_t)below(25);

		for (uint32_t i = 0; i < n; i++)
			m[i] = rand_entry_in_window();
		one_map(m, n, false, iter);
	}
}

/* Hostile values anywhere in the 64-bit space: invariants and the windows. */
static void test_fuzz_wild(void **state)
{
	struct md m[40];

	(void)state;
	rng = (seed0 ^ 0x77696c64) | 1;
	for (unsigned iter = 0; iter < 3000; iter++) {
		uint32_t n = (uint32_t)below(41);

		for (uint32_t i = 0; i < n; i++)
			m[i] = chance(40) ? rand_entry_wild() : rand_entry_in_window();
		one_map(m, n, true, iter);
	}
}

/* Big maps, up to the limit: the same checks, and it stays fast. */
static void test_fuzz_large(void **state)
{
	struct md *m = malloc(MAPAUDIT_MAX_DESCS * sizeof(*m));

	(void)state;
	assert_non_null(m);
	rng = (seed0 ^ 0x6c61726765) | 1;
	for (unsigned iter = 0; iter < 24; iter++) {
		uint32_t n = iter == 0 ? MAPAUDIT_MAX_DESCS : 1000 + (uint32_t)below(MAPAUDIT_MAX_DESCS - 999);

		for (uint32_t i = 0; i < n; i++)
			m[i] = chance(5) ? rand_entry_wild() : rand_entry_in_window();
		one_map(m, n, true, iter);
	}
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_exact),
		cmocka_unit_test(test_fuzz_wild),
		cmocka_unit_test(test_fuzz_large),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
