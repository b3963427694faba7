/* Host tests of the memory-map audit (kernel/mapaudit/): a real OVMF map
 * (q35, 1 GiB, read out of guest RAM after a boot of metaslot) and many
 * hand-made broken ones. Each test checks the exact findings, the exact
 * sanitised ranges and the counts. Maps are malloc'd to exactly count *
 * stride bytes with garbage in every padding byte, so ASan catches a read
 * past the map and a stride mistake shows up as garbage. */
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

/* ---------------------------------------------------------------- harness */

struct md {
	uint32_t type;
	uint64_t phys, pages, attr;
};

struct rec {
	struct mapaudit_finding f;
};

#define MAX_RECS 256u
#define CAP      (MAPAUDIT_RANGES_MAX(MAPAUDIT_MAX_DESCS))
#define CANARY   0x5a5a5a5a5a5a5a5aull

static struct mapaudit_scratch *scratch;
static struct mapaudit_range *ranges;   /* CAP + 1 entries, the last a canary */
static struct mapaudit_result res;
static struct rec recs[MAX_RECS];
static uint32_t nrec;
static uint8_t *mapbuf;

enum {
	RSV = UEFI_MT_RESERVED, LC = UEFI_MT_LOADER_CODE, LD = UEFI_MT_LOADER_DATA,
	BC = UEFI_MT_BS_CODE, BD = UEFI_MT_BS_DATA, RC = UEFI_MT_RT_CODE, RD = UEFI_MT_RT_DATA,
	CONV = UEFI_MT_CONVENTIONAL, BAD = UEFI_MT_UNUSABLE, ACPI = UEFI_MT_ACPI_RECLAIM,
	NVS = UEFI_MT_ACPI_NVS, MMIO = UEFI_MT_MMIO, PAL = UEFI_MT_PAL_CODE,
};
#define META  BOOTINFO_MEM_METADATA
#define PGT   BOOTINFO_MEM_PAGETABLE
#define TRAMP BOOTINFO_MEM_TRAMPOLINE
#define BINFO BOOTINFO_MEM_BOOTINFO

#define A_RAM   0xfull                       /* UC | WC | WT | WB, as OVMF */
#define A_RT    (A_RAM | UEFI_ATTR_RUNTIME)
#define A_UC    UEFI_ATTR_UC
#define A_RT_UC (UEFI_ATTR_UC | UEFI_ATTR_RUNTIME)

#define U MAPAUDIT_USABLE
#define K MAPAUDIT_KERNEL
#define F MAPAUDIT_FIRMWARE
#define N MAPAUDIT_NOT_RAM

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static int setup(void **state)
{
	(void)state;
	scratch = malloc(sizeof(*scratch));
	ranges = malloc((CAP + 1) * sizeof(*ranges));
	assert_non_null(scratch);
	assert_non_null(ranges);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(scratch);
	free(ranges);
	free(mapbuf);
	mapbuf = NULL;
	return 0;
}

static void report_cb(void *ctx, const struct mapaudit_finding *f)
{
	assert_ptr_equal(ctx, &nrec);
	assert_non_null(f->what);
	for (const char *c = f->what; *c; c++)
		assert_true((*c >= 'a' && *c <= 'z') || *c == '_');
	assert_true(f->severity <= MAPAUDIT_SEV_ERROR);
	assert_true(nrec < MAX_RECS);
	recs[nrec++].f = *f;
}

/* n descriptors `stride` bytes apart in a buffer of exactly n * stride
 * bytes: pad, virt_start and the bytes past the 40 of version 1 are junk. */
static void *make_map(const struct md *d, uint32_t n, uint32_t stride)
{
	free(mapbuf);
	mapbuf = malloc(n ? (size_t)n * stride : 1);
	assert_non_null(mapbuf);
	for (size_t i = 0; i < (size_t)n * stride; i++)
		mapbuf[i] = (uint8_t)(0xa5 ^ (i * 7));
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = mapbuf + (size_t)i * stride;

		memcpy(p + 0, &d[i].type, 4);
		memcpy(p + 8, &d[i].phys, 8);
		memcpy(p + 24, &d[i].pages, 8);
		memcpy(p + 32, &d[i].attr, 8);
	}
	return mapbuf;
}

/* Shape of any result: sorted, aligned, disjoint, merged, and the canary
 * after the caller's capacity untouched. */
static void check_shape(uint32_t cap)
{
	assert_true(res.range_count <= cap);
	assert_true(ranges[cap].start == CANARY && ranges[cap].end == CANARY);
	for (uint32_t i = 0; i < res.range_count; i++) {
		const struct mapaudit_range *r = &ranges[i];

		assert_int_equal(r->start & 0xfff, 0);
		assert_int_equal(r->end & 0xfff, 0);
		assert_true(r->start < r->end);
		assert_true(r->end <= MAPAUDIT_ARCH_LIMIT);
		assert_true(r->cls < MAPAUDIT_CLASS_COUNT);
		if (i) {
			assert_true(ranges[i - 1].end <= r->start);
			assert_false(ranges[i - 1].end == r->start && ranges[i - 1].cls == r->cls);
		}
		if (r->cls == U)
			assert_true(r->start >= MAPAUDIT_LOW_LIMIT);
	}
	if (res.ok) {
		struct mapaudit_coverage cov;

		assert_true(mapaudit_coverage(ranges, res.range_count, res.ram_top, &cov));
		assert_memory_equal(&cov, &res.cov, sizeof(cov));
		assert_int_equal(res.ram_frames, cov.frames[U] + cov.frames[K] + cov.frames[F] +
						  res.dropped_frames);
		assert_int_equal(cov.above_top[U] + cov.above_top[K] + cov.above_top[F], 0);
	}
	assert_int_equal(res.n_reported, nrec > MAPAUDIT_MAX_REPORTS ? MAPAUDIT_MAX_REPORTS :
			 (nrec && !strcmp(recs[nrec - 1].f.what, "issues_suppressed") ? nrec - 1 : nrec));
}

static bool keep_bs; /* mapaudit_input.keep_boot_services for the next audit */

static void audit_full(const struct md *d, uint32_t n, uint32_t stride, uint32_t bits,
		       uint64_t kphys, uint64_t kbytes, uint32_t cap)
{
	struct mapaudit_input in = { make_map(d, n, stride), n, stride, bits, kphys, kbytes,
				     report_cb, &nrec, keep_bs };

	nrec = 0;
	ranges[cap].start = ranges[cap].end = CANARY;
	mapaudit_run(&in, scratch, ranges, cap, &res);
	check_shape(cap);
}

#define NELEM(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))
#define AUDIT(m)              audit_full(m, NELEM(m), 48, 39, 0, 0, CAP)
#define AUDIT_K(m, kp, kb)    audit_full(m, NELEM(m), 48, 39, kp, kb, CAP)

/* The findings, in order, by name; NULL-terminated. */
static void expect_findings_v(const char *const *w)
{
	uint32_t i = 0;

	for (; w[i]; i++) {
		if (i >= nrec)
			fail_msg("finding %u (%s) missing, only %u reported", i, w[i], nrec);
		if (strcmp(recs[i].f.what, w[i]))
			fail_msg("finding %u is %s, expected %s", i, recs[i].f.what, w[i]);
	}
	if (i != nrec)
		fail_msg("%u findings, expected %u (first extra: %s)", nrec, i, recs[i].f.what);
}
#define EXPECT(...) expect_findings_v((const char *const[]){ __VA_ARGS__, NULL })
#define EXPECT_NONE() expect_findings_v((const char *const[]){ NULL })

static const struct mapaudit_finding *finding(const char *what, uint32_t nth)
{
	for (uint32_t i = 0; i < nrec; i++)
		if (!strcmp(recs[i].f.what, what) && nth-- == 0)
			return &recs[i].f;
	fail_msg("no finding %s", what);
	return NULL;
}

struct xr {
	uint64_t start, end;
	uint32_t cls;
};

static void expect_ranges_v(const struct xr *x, uint32_t n)
{
	if (res.range_count != n) {
		for (uint32_t i = 0; i < res.range_count; i++)
			print_message("  [%#llx, %#llx) %s\n", (unsigned long long)ranges[i].start,
				      (unsigned long long)ranges[i].end,
				      mapaudit_class_name(ranges[i].cls));
		fail_msg("%u ranges, expected %u", res.range_count, n);
	}
	for (uint32_t i = 0; i < n; i++) {
		if (ranges[i].start != x[i].start || ranges[i].end != x[i].end ||
		    ranges[i].cls != x[i].cls)
			fail_msg("range %u is [%#llx, %#llx) %s, expected [%#llx, %#llx) %s", i,
				 (unsigned long long)ranges[i].start,
				 (unsigned long long)ranges[i].end, mapaudit_class_name(ranges[i].cls),
				 (unsigned long long)x[i].start, (unsigned long long)x[i].end,
				 mapaudit_class_name(x[i].cls));
	}
}
#define RANGES(...) do { \
	static const struct xr x_[] = { __VA_ARGS__ }; \
	expect_ranges_v(x_, NELEM(x_)); \
} while (0)
#define NO_RANGES() expect_ranges_v(NULL, 0)

static void expect_cov(uint64_t u, uint64_t k, uint64_t f, uint64_t n, uint64_t holes)
{
	assert_int_equal(res.cov.frames[U], u);
	assert_int_equal(res.cov.frames[K], k);
	assert_int_equal(res.cov.frames[F], f);
	assert_int_equal(res.cov.frames[N], n);
	assert_int_equal(res.cov.hole_frames, holes);
}

/* ---------------------------------------------------------------- a real map */

#include "ovmf_q35_1g.h"

static void expect_ovmf_result(void)
{
	assert_true(res.ok);
	EXPECT_NONE();
	RANGES({ 0x0, 0xa0000, K }, { 0x100000, 0x806000, U }, { 0x806000, 0x808000, F },
	       { 0x808000, 0x810000, U }, { 0x810000, 0x900000, F }, { 0x900000, 0x3cc4a000, U },
	       { 0x3cc4a000, 0x3de7a000, K }, { 0x3de7a000, 0x3de90000, U },
	       { 0x3de90000, 0x3de93000, K }, { 0x3de93000, 0x3deb0000, U },
	       { 0x3deb0000, 0x3deb5000, K }, { 0x3deb5000, 0x3eaa0000, U },
	       { 0x3eaa0000, 0x3eba2000, F }, { 0x3eba2000, 0x3f4ec000, U },
	       { 0x3f4ec000, 0x3f6ec000, F }, { 0x3f6ec000, 0x3f76c000, N },
	       { 0x3f76c000, 0x3f7fe000, F }, { 0x3f7fe000, 0x3fef4000, U },
	       { 0x3fef4000, 0x40000000, F }, { 0xb0000000, 0xc0000000, N },
	       { 0xffc00000, 0x100000000, N });
	assert_int_equal(res.ram_top, GiB);
	/* The 96 frames of the legacy VGA/BIOS hole at 0xa0000 are the holes;
	 * the 128 reserved frames below 1 GiB are NOT_RAM. */
	expect_cov(255670, 4824, 1426, 128, 96);
	assert_int_equal(res.cov.above_top[N], 65536 + 1024);
	assert_int_equal(res.ram_frames, 255670 + 4824 + 1426);
	assert_int_equal(res.low_frames, 159);
	assert_int_equal(res.dropped_frames, 0);
	/* The same numbers as the memmap event of that boot. */
	assert_int_equal(res.ram_bytes, 1072824320);
	assert_int_equal(res.type_bytes[CONV], 1006039040);
	assert_int_equal(res.type_bytes[BC], 3895296);
	assert_int_equal(res.type_bytes[BD], 37855232);
	assert_int_equal(res.type_bytes[RSV], 268959744);
	assert_int_equal(res.type_bytes[MMIO], 4194304);
	assert_int_equal(res.type_bytes[mapaudit_type_slot(META)], 16777216);
	assert_int_equal(res.type_bytes[mapaudit_type_slot(PGT)], 2170880);
	assert_int_equal(res.type_bytes[mapaudit_type_slot(TRAMP)], 4096);
	assert_int_equal(res.type_bytes[mapaudit_type_slot(BINFO)], 32768);
	assert_int_equal(res.type_bytes[MAPAUDIT_SLOT_UNKNOWN], 0);
	assert_int_equal(res.n_errors + res.n_warnings + res.n_infos, 0);
}

static void test_ovmf_q35_1g(void **state)
{
	(void)state;
	audit_full(ovmf_q35_1g, NELEM(ovmf_q35_1g), 48, 39, OVMF_KPHYS, OVMF_KBYTES, CAP);
	expect_ovmf_result();
	assert_int_equal(res.phys_bits, 39);
}

/* boot_services=keep: every boot services frame becomes FIRMWARE: from
 * USABLE, and below 1 MiB from the KERNEL's low-memory hold; nothing else
 * changes. */
static void test_ovmf_keep_boot_services(void **state)
{
	uint64_t bs = 0, bs_low = 0;

	(void)state;
	for (uint32_t i = 0; i < NELEM(ovmf_q35_1g); i++)
		if (ovmf_q35_1g[i].type == BC || ovmf_q35_1g[i].type == BD)
			*(ovmf_q35_1g[i].phys >= 0x100000 ? &bs : &bs_low) += ovmf_q35_1g[i].pages;
	keep_bs = true;
	audit_full(ovmf_q35_1g, NELEM(ovmf_q35_1g), 48, 39, OVMF_KPHYS, OVMF_KBYTES, CAP);
	keep_bs = false;
	assert_true(res.ok);
	assert_true(bs > 9000);
	expect_cov(255670 - bs, 4824 - bs_low, 1426 + bs + bs_low, 128, 96);
	for (uint32_t r = 0; r < res.range_count; r++)
		for (uint32_t i = 0; i < NELEM(ovmf_q35_1g); i++) {
			const struct md *d = &ovmf_q35_1g[i];

			if ((d->type == BC || d->type == BD) && ranges[r].cls == U &&
			    d->phys < ranges[r].end && ranges[r].start < d->phys + d->pages * 4096)
				fail_msg("boot services memory at %#llx is still usable",
					 (unsigned long long)d->phys);
		}
}

/* Every DescriptorSize a firmware might use, with junk in the padding. */
static void test_ovmf_strides(void **state)
{
	static const uint32_t strides[] = { 40, 44, 48, 56, 64, 72, 128, 4096 };

	(void)state;
	for (unsigned s = 0; s < NELEM(strides); s++) {
		audit_full(ovmf_q35_1g, NELEM(ovmf_q35_1g), strides[s], 39, OVMF_KPHYS,
			   OVMF_KBYTES, CAP);
		expect_ovmf_result();
	}
}

/* The map at an odd address: descriptors are read with byte copies. */
static void test_ovmf_unaligned_buffer(void **state)
{
	uint32_t n = NELEM(ovmf_q35_1g);
	uint8_t *buf = malloc((size_t)n * 48 + 1);
	struct mapaudit_input in = { buf + 1, n, 48, 39, OVMF_KPHYS, OVMF_KBYTES, report_cb, &nrec, false };

	(void)state;
	assert_non_null(buf);
	memcpy(buf + 1, make_map(ovmf_q35_1g, n, 48), (size_t)n * 48);
	nrec = 0;
	ranges[CAP].start = ranges[CAP].end = CANARY;
	mapaudit_run(&in, scratch, ranges, CAP, &res);
	free(buf);
	check_shape(CAP);
	expect_ovmf_result();
}

/* The kernel's closing check: allocator-owned frames == USABLE frames. */
static void test_ovmf_allocator_check(void **state)
{
	struct mapaudit_coverage cov;

	(void)state;
	audit_full(ovmf_q35_1g, NELEM(ovmf_q35_1g), 48, 39, OVMF_KPHYS, OVMF_KBYTES, CAP);
	nrec = 0;
	assert_true(mapaudit_check_allocator(&res.cov, 255670, report_cb, &nrec));
	assert_int_equal(nrec, 0);
	assert_false(mapaudit_check_allocator(&res.cov, 255669, report_cb, &nrec));
	EXPECT("allocator_frames_mismatch");
	assert_int_equal(recs[0].f.severity, MAPAUDIT_SEV_ERROR);
	assert_int_equal(recs[0].f.value, 255669);
	assert_int_equal(recs[0].f.pages, 255670);
	assert_false(mapaudit_check_allocator(&res.cov, 0, NULL, NULL));

	/* Against the metadata array's extent, as the kernel will count:
	 * bootinfo ram_top is 1 GiB here, so nothing USABLE lies above it. */
	assert_true(mapaudit_coverage(ranges, res.range_count, 1ull << 30, &cov));
	assert_int_equal(cov.above_top[U], 0);
	/* A smaller top: the USABLE frames above it are named. */
	assert_true(mapaudit_coverage(ranges, res.range_count, 0x3f7fe000 + 0x1800, &cov));
	assert_int_equal(cov.top, 0x3f800000);
	assert_int_equal(cov.above_top[U], (0x3fef4000 - 0x3f800000) >> 12);
	assert_int_equal(cov.frames[U] + cov.above_top[U], 255670);
}

/* ---------------------------------------------------------------- small maps */

static void test_zero_entries(void **state)
{
	(void)state;
	audit_full(NULL, 0, 48, 39, 0, 0, CAP);
	assert_true(res.ok);
	EXPECT("map_empty");
	assert_int_equal(recs[0].f.severity, MAPAUDIT_SEV_ERROR);
	NO_RANGES();
	assert_int_equal(res.ram_top, 0);
	expect_cov(0, 0, 0, 0, 0);

	/* No map but a kernel image: it is still never handed out. */
	audit_full(NULL, 0, 48, 39, 0x200000, 0x3000, CAP);
	EXPECT("map_empty", "kernel_image_not_loader_code");
	assert_int_equal(finding("kernel_image_not_loader_code", 0)->value, 3);
	RANGES({ 0x200000, 0x203000, K });
	expect_cov(0, 3, 0, 0, 0x200);
}

static void test_single_entry(void **state)
{
	static const struct md m[] = { { CONV, 16 * MiB, 256, A_RAM } };

	(void)state;
	AUDIT(m);
	assert_true(res.ok);
	EXPECT_NONE();
	RANGES({ 16 * MiB, 17 * MiB, U });
	assert_int_equal(res.ram_top, 17 * MiB);
	expect_cov(256, 0, 0, 0, 16 * 256);
	assert_int_equal(res.ram_frames, 256);
}

/* Conventional memory from 0: the first MiB is held back as KERNEL. */
static void test_low_memory_never_usable(void **state)
{
	static const struct md m[] = {
		{ BD, 0, 1, A_RAM }, { CONV, 0x1000, 0x9e, A_RAM }, { TRAMP, 0x9f000, 1, A_RAM },
		{ RSV, 0xe0000, 0x20, 0 }, { CONV, 0x100000, 0x100, A_RAM },
		{ ACPI, 0x40000, 1, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("unsorted", "overlap_conflicting_types");
	RANGES({ 0, 0x40000, K }, { 0x40000, 0x41000, F }, { 0x41000, 0xa0000, K },
	       { 0xe0000, 0x100000, N }, { 0x100000, 0x200000, U });
	assert_int_equal(res.low_frames, 0x9f - 1);
	expect_cov(0x100, 0x9f, 1, 0x20, 0x40);
}

static void test_unsorted(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x300000, 16, A_RAM }, { BD, 0x200000, 16, A_RAM },
		{ RD, 0x280000, 1, A_RT }, { CONV, 0x100000, 16, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("unsorted");
	assert_int_equal(recs[0].f.severity, MAPAUDIT_SEV_INFO);
	assert_int_equal(recs[0].f.index, 1);
	assert_int_equal(recs[0].f.other, 0);
	assert_int_equal(recs[0].f.value, 2); /* descriptors 1 and 3 go backwards */
	assert_int_equal(recs[0].f.phys, 0x200000);
	RANGES({ 0x100000, 0x110000, U }, { 0x200000, 0x210000, U }, { 0x280000, 0x281000, F },
	       { 0x300000, 0x310000, U });
}

static void test_overlap_same_type(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x100000, 16, A_RAM }, { CONV, 0x108000, 16, A_RAM },
		{ CONV, 0x100000, 16, A_RAM }, /* an exact duplicate */
	};

	(void)state;
	AUDIT(m);
	EXPECT("unsorted", "overlap", "overlap");
	/* Sorted by start then index: 0 and 2 start together, 2 is the second. */
	assert_int_equal(recs[1].f.index, 2);
	assert_int_equal(recs[1].f.other, 0);
	assert_int_equal(recs[1].f.value, 0x10000);
	assert_int_equal(recs[1].f.severity, MAPAUDIT_SEV_WARN);
	assert_int_equal(recs[2].f.index, 1);
	assert_int_equal(recs[2].f.value, 0x8000);
	RANGES({ 0x100000, 0x118000, U });
	/* Counted once per frame, whatever the map says twice. */
	assert_int_equal(res.ram_frames, 0x18);
	expect_cov(0x18, 0, 0, 0, 0x100);
	assert_int_equal(res.ram_bytes, 48 * 4096); /* the memmap event's sum, as listed */
}

static void test_overlap_conventional_over_reserved(void **state)
{
	static const struct md m[] = {
		{ RSV, 0x100000, 32, 0 }, { CONV, 0x110000, 32, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("overlap_conflicting_types");
	assert_int_equal(recs[0].f.severity, MAPAUDIT_SEV_ERROR);
	assert_int_equal(recs[0].f.index, 1);
	assert_int_equal(recs[0].f.other, 0);
	assert_int_equal(recs[0].f.type, CONV);
	assert_int_equal(recs[0].f.value, 0x10000);
	/* Reserved alone is not RAM; reserved over RAM is kept by firmware. */
	RANGES({ 0x100000, 0x110000, N }, { 0x110000, 0x120000, F }, { 0x120000, 0x130000, U });
	assert_int_equal(res.ram_frames, 32);
	expect_cov(16, 0, 16, 16, 0x100);
}

static void test_overlap_conventional_over_kernel_image(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x1000000, 0x100, A_RAM }, { LC, 0x1040000, 0x20, A_RAM },
		{ LC, 0x1080000, 0x10, A_RAM }, /* the loader's own image: free */
	};

	(void)state;
	AUDIT_K(m, 0x1040000, 0x1f800); /* the image ends mid-frame */
	EXPECT("overlap_conflicting_types", "overlap_conflicting_types");
	assert_int_equal(recs[0].f.index, 1);
	assert_int_equal(recs[0].f.other, 0);
	RANGES({ 0x1000000, 0x1040000, U }, { 0x1040000, 0x1060000, K },
	       { 0x1060000, 0x1100000, U });
	expect_cov(0xe0, 0x20, 0, 0, 0x1000);
}

static void test_overlap_mmio_over_ram(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x100000, 0x100, A_RAM }, { MMIO, 0x180000, 0x100, A_RT_UC },
	};

	(void)state;
	AUDIT(m);
	EXPECT("overlap_conflicting_types");
	RANGES({ 0x100000, 0x180000, U }, { 0x180000, 0x200000, F }, { 0x200000, 0x280000, N });
	assert_int_equal(res.ram_top, 0x200000);
	expect_cov(0x80, 0, 0x80, 0, 0x100);
	assert_int_equal(res.cov.above_top[N], 0x80);
}

/* One big entry with several inside: each inner one is reported once,
 * against the entry that reaches furthest. */
static void test_overlap_nested(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x100000, 0x100, A_RAM }, { RD, 0x110000, 1, A_RT },
		{ RC, 0x120000, 2, A_RT }, { BD, 0x1f0000, 0x20, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("overlap_conflicting_types", "overlap_conflicting_types",
	       "overlap_conflicting_types");
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(recs[i].f.index, i + 1);
		assert_int_equal(recs[i].f.other, 0);
	}
	assert_int_equal(recs[2].f.value, 0x10000); /* BD runs 0x10000 past CONV's end */
	RANGES({ 0x100000, 0x110000, U }, { 0x110000, 0x111000, F }, { 0x111000, 0x120000, U },
	       { 0x120000, 0x122000, F }, { 0x122000, 0x210000, U });
}

static void test_zero_length(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x100000, 16, A_RAM }, { RSV, 0x104000, 0, 0 }, { CONV, 0x110000, 16, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("zero_length");
	assert_int_equal(recs[0].f.index, 1);
	assert_int_equal(recs[0].f.severity, MAPAUDIT_SEV_WARN);
	/* Dropped: it neither overlaps nor splits anything. */
	RANGES({ 0x100000, 0x120000, U });
}

static void test_misaligned_usable_shrinks(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x200800, 3, A_RAM }, { CONV, 0x300010, 1, A_RAM }, /* no whole frame */
	};

	(void)state;
	AUDIT(m);
	EXPECT("misaligned_start", "misaligned_start");
	assert_int_equal(recs[0].f.value, 0x800);
	assert_int_equal(recs[1].f.value, 0x10);
	RANGES({ 0x201000, 0x203000, U });
	assert_int_equal(res.ram_frames, 2);
}

static void test_misaligned_firmware_grows(void **state)
{
	static const struct md m[] = {
		{ NVS, 0x200800, 1, A_RAM }, { CONV, 0x201800, 4, A_RAM }, { RSV, 0x300400, 1, 0 },
		{ META, 0x400c00, 2, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("misaligned_start", "misaligned_start", "misaligned_start", "misaligned_start");
	/* The raw bytes do not overlap, so no overlap finding; the shared
	 * frame 0x201000 goes to the firmware side. */
	RANGES({ 0x200000, 0x202000, F }, { 0x202000, 0x205000, U }, { 0x300000, 0x302000, N },
	       { 0x400000, 0x403000, K });
}

static void test_length_overflow(void **state)
{
	static const struct md m[] = {
		{ CONV, 0xfffffffffffff000ull, 2, A_RAM },       /* wraps: dropped */
		{ CONV, 0x100000, UINT64_MAX, A_RAM },           /* wraps: dropped */
		{ RSV, 0x100000000ull, 1ull << 52, 0 },          /* wraps: to the end */
		{ CONV, 0x140000000ull, 0x40000, A_RAM },        /* under the reserved */
		{ CONV, 0x1000000, 16, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("length_overflow", "length_overflow", "length_overflow", "unsorted",
	       "overlap", "overlap_conflicting_types", "overlap_conflicting_types", "overlap");
	assert_int_equal(recs[0].f.index, 0);
	assert_int_equal(recs[0].f.value, 2);
	assert_int_equal(recs[0].f.severity, MAPAUDIT_SEV_ERROR);
	assert_int_equal(recs[2].f.index, 2);
	assert_int_equal(recs[3].f.value, 2);
	/* Index 1 (from 1 MiB, all of the space) overlaps everything after it;
	 * 3 is named against the reserved 2 it lies in, the worse finding. */
	assert_int_equal(recs[4].f.index, 4);
	assert_int_equal(recs[4].f.other, 1);
	assert_int_equal(recs[4].f.value, 0x10000);
	assert_int_equal(recs[5].f.index, 2);
	assert_int_equal(recs[5].f.other, 1);
	assert_int_equal(recs[5].f.value, 0 - 0x100000000ull);
	assert_int_equal(recs[6].f.index, 3);
	assert_int_equal(recs[6].f.other, 2);
	assert_int_equal(recs[6].f.value, 0x40000000);
	assert_int_equal(recs[7].f.index, 0);
	assert_int_equal(recs[7].f.other, 1);
	assert_int_equal(recs[7].f.value, 0x1000);
	RANGES({ 0x1000000, 0x1010000, U }, { 0x100000000ull, 0x140000000ull, N },
	       { 0x140000000ull, 0x180000000ull, F }, { 0x180000000ull, MAPAUDIT_ARCH_LIMIT, N });
	assert_int_equal(res.type_bytes[CONV], UINT64_MAX); /* saturated, not wrapped */
}

/* A range that ends exactly at 2^64 does not wrap; it is beyond any width. */
static void test_range_to_end_of_space(void **state)
{
	static const struct md m[] = {
		{ RSV, 0, 1ull << 52, 0 }, { CONV, 0xfffffffffffff000ull, 1, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("beyond_phys_width", "beyond_phys_width", "overlap_conflicting_types");
	assert_int_equal(recs[0].f.value, 1ull << 39);
	RANGES({ 0, MAPAUDIT_ARCH_LIMIT, N });
	assert_int_equal(res.ram_frames, 0);
	assert_int_equal(res.ram_top, 0);
}

static void test_beyond_phys_width(void **state)
{
	static const struct md m[] = {
		{ CONV, 0xc0000000ull, 0x80000, A_RAM },      /* 3 GiB .. 5 GiB */
		{ ACPI, 0x180000000ull, 1, A_RAM },           /* 6 GiB: kept */
		{ CONV, 0x200000000ull, 0x10, A_RAM },        /* 8 GiB: all dropped */
	};

	(void)state;
	audit_full(m, NELEM(m), 48, 32, 0, 0, CAP);
	EXPECT("beyond_phys_width", "beyond_phys_width", "beyond_phys_width");
	assert_int_equal(recs[0].f.value, 1ull << 32);
	assert_int_equal(recs[1].f.index, 1);
	RANGES({ 0xc0000000ull, 0x100000000ull, U }, { 0x180000000ull, 0x180001000ull, F });
	assert_int_equal(res.dropped_frames, 0x40000 + 0x10);
	assert_int_equal(res.ram_frames, 0x80000 + 1 + 0x10);
	assert_int_equal(res.ram_top, 0x180001000ull);
	/* The dropped frames are holes below ram_top. */
	expect_cov(0x40000, 0, 1, 0, 0x180001 - 0x40001);
}

/* The edge of the width: ending at it is fine, one byte over is not. */
static void test_phys_width_edge(void **state)
{
	static const struct md m[] = {
		{ CONV, 0xfff00000ull, 0x100, A_RAM },   /* last byte 0xffffffff */
		{ RSV, 0xfff00001ull, 0x100, 0 },        /* last byte 0x100000000 */
	};

	(void)state;
	audit_full(m, NELEM(m), 48, 32, 0, 0, CAP);
	EXPECT("misaligned_start", "beyond_phys_width", "overlap_conflicting_types");
	assert_int_equal(recs[1].f.index, 1);
	RANGES({ 0xfff00000ull, 0x100000000ull, F }, { 0x100000000ull, 0x100001000ull, N });
}

static void test_phys_width_invalid(void **state)
{
	static const struct md m[] = { { CONV, 0xff0000000ull, 0x20000, A_RAM } }; /* to 64.5 GiB */
	static const uint32_t bad[] = { 0, 31, 53, 64, 0xffffffffu };

	(void)state;
	for (unsigned i = 0; i < NELEM(bad); i++) {
		audit_full(m, 1, 48, bad[i], 0, 0, CAP);
		EXPECT("phys_width_invalid", "beyond_phys_width");
		assert_int_equal(recs[0].f.value, bad[i]);
		assert_int_equal(res.phys_bits, MAPAUDIT_FALLBACK_PHYS_BITS);
		RANGES({ 0xff0000000ull, 0x1000000000ull, U });
	}
	audit_full(m, 1, 48, 52, 0, 0, CAP);
	EXPECT_NONE();
	RANGES({ 0xff0000000ull, 0x1010000000ull, U });
}

/* ---------------------------------------------------------------- attributes */

static void test_attr_usable_without_wb(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x100000, 16, A_UC }, { BD, 0x110000, 16, 0 }, { LD, 0x120000, 1, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("attr_contradicts_type", "attr_contradicts_type");
	assert_int_equal(recs[0].f.severity, MAPAUDIT_SEV_WARN);
	assert_int_equal(recs[0].f.value, UEFI_ATTR_WB);
	assert_int_equal(recs[0].f.attr, A_UC);
	assert_int_equal(recs[1].f.index, 1);
	RANGES({ 0x100000, 0x120000, F }, { 0x120000, 0x121000, U });
}

static void test_attr_conventional_runtime(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x100000, 16, A_RT }, { CONV, 0x110000, 16, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("attr_contradicts_type");
	assert_int_equal(recs[0].f.severity, MAPAUDIT_SEV_ERROR);
	assert_int_equal(recs[0].f.value, UEFI_ATTR_RUNTIME);
	RANGES({ 0x100000, 0x110000, F }, { 0x110000, 0x120000, U });
}

static void test_attr_mmio_and_runtime(void **state)
{
	static const struct md m[] = {
		{ MMIO, 0xfe000000, 16, UEFI_ATTR_WB },  /* cacheable MMIO */
		{ MMIO, 0xfe010000, 16, A_RT_UC },       /* fine */
		{ RD, 0x100000, 4, A_RAM },              /* runtime data, no RUNTIME */
		{ RC, 0x104000, 4, A_RT },               /* fine */
		{ PGT, 0x200000, 4, 0 },                 /* ours without WB */
	};

	(void)state;
	AUDIT(m);
	EXPECT("attr_contradicts_type", "attr_contradicts_type", "attr_contradicts_type",
	       "unsorted");
	assert_int_equal(recs[0].f.index, 0);
	assert_int_equal(recs[0].f.value, UEFI_ATTR_UC);
	assert_int_equal(finding("attr_contradicts_type", 1)->index, 2);
	assert_int_equal(finding("attr_contradicts_type", 1)->value, UEFI_ATTR_RUNTIME);
	assert_int_equal(finding("attr_contradicts_type", 2)->index, 4);
	assert_int_equal(finding("attr_contradicts_type", 2)->value, UEFI_ATTR_WB);
	/* Classes are by type; attributes only ever take frames away from USABLE. */
	RANGES({ 0x100000, 0x108000, F }, { 0x200000, 0x204000, K },
	       { 0xfe000000, 0xfe020000, N });
}

static void test_unknown_types(void **state)
{
	static const struct md m[] = {
		{ 16, 0x100000, 1, A_RAM },                  /* unknown UEFI type: not RAM */
		{ 0x70000001u, 0x101000, 1, A_RAM },         /* OEM: not RAM */
		{ 0x80000004u, 0x102000, 1, A_RAM },         /* OS type we do not know: RAM */
		{ CONV, 0x103000, 4, A_RAM },
		{ 0x8fffffffu, 0x104000, 1, A_RAM },         /* over the conventional */
		{ 0x6fffffffu, 0x108000, 1, A_RAM },
		{ PAL, 0x109000, 1, A_RAM },
	};

	(void)state;
	AUDIT(m);
	EXPECT("unknown_type", "oem_type", "unknown_type", "unknown_type", "unknown_type",
	       "overlap_conflicting_types");
	assert_int_equal(recs[0].f.value, 16);
	assert_int_equal(recs[1].f.severity, MAPAUDIT_SEV_INFO);
	assert_int_equal(recs[1].f.value, 0x70000001u);
	assert_int_equal(recs[3].f.index, 4);
	RANGES({ 0x100000, 0x102000, N }, { 0x102000, 0x103000, F }, { 0x103000, 0x104000, U },
	       { 0x104000, 0x105000, F }, { 0x105000, 0x107000, U }, { 0x108000, 0x10a000, N });
	assert_int_equal(res.type_bytes[MAPAUDIT_SLOT_UNKNOWN], 3 * 4096);
	assert_int_equal(res.type_bytes[MAPAUDIT_SLOT_OS_OTHER], 2 * 4096);
	assert_int_equal(mapaudit_slot_type(MAPAUDIT_SLOT_OS_OTHER) >= UEFI_MT_OS_FIRST, 1);
	assert_int_equal(mapaudit_type_slot(mapaudit_slot_type(MAPAUDIT_SLOT_UNKNOWN)),
			 MAPAUDIT_SLOT_UNKNOWN);
}

/* Every type's class, alone in a map. */
static void test_class_of_each_type(void **state)
{
	static const struct { uint32_t type; uint32_t cls; } t[] = {
		{ RSV, N }, { LC, U }, { LD, U }, { BC, U }, { BD, U }, { RC, F }, { RD, F },
		{ CONV, U }, { BAD, F }, { ACPI, F }, { NVS, F }, { MMIO, N },
		{ UEFI_MT_MMIO_PORT, N }, { PAL, N }, { UEFI_MT_PERSISTENT, F },
		{ UEFI_MT_UNACCEPTED, F }, { META, K }, { PGT, K }, { TRAMP, K }, { BINFO, K },
	};

	(void)state;
	for (unsigned i = 0; i < NELEM(t); i++) {
		uint64_t attr = t[i].type == RC || t[i].type == RD ? A_RT :
				t[i].type == MMIO || t[i].type == UEFI_MT_MMIO_PORT ? A_UC : A_RAM;
		struct md m[] = { { t[i].type, 0x1000000, 1, attr } };
		struct xr x = { 0x1000000, 0x1001000, t[i].cls };

		AUDIT(m);
		EXPECT_NONE();
		expect_ranges_v(&x, 1);
		assert_int_equal(res.ram_frames, t[i].cls != N);
		assert_int_equal(mapaudit_classify(t[i].type, attr), t[i].cls);
	}
}

/* ---------------------------------------------------------------- refused maps */

static void test_stride_invalid(void **state)
{
	static const struct md m[] = { { CONV, 0x100000, 16, A_RAM }, { CONV, 0x200000, 1, A_RAM } };
	struct mapaudit_input in = { make_map(m, 2, 48), 2, 0, 39, 0, 0, report_cb, &nrec, false };
	static const uint32_t bad[] = { 0, 8, 32, 39, MAPAUDIT_MAX_STRIDE + 1, 0xffffffffu };

	(void)state;
	for (unsigned i = 0; i < NELEM(bad); i++) {
		in.stride = bad[i];
		nrec = 0;
		mapaudit_run(&in, scratch, ranges, CAP, &res);
		EXPECT("stride_invalid");
		assert_int_equal(recs[0].f.value, bad[i]);
		assert_false(res.ok);
		assert_int_equal(res.range_count, 0);
	}
}

static void test_count_absurd_and_null(void **state)
{
	static const struct md m[] = { { CONV, 0x100000, 16, A_RAM } };
	/* The map holds one descriptor: any read of the other "entries" is an
	 * ASan error, so this also proves nothing is read. */
	struct mapaudit_input in = { make_map(m, 1, 48), MAPAUDIT_MAX_DESCS + 1, 48, 39, 0, 0,
				     report_cb, &nrec, false };

	(void)state;
	nrec = 0;
	mapaudit_run(&in, scratch, ranges, CAP, &res);
	EXPECT("descriptor_count_absurd");
	assert_int_equal(recs[0].f.value, MAPAUDIT_MAX_DESCS + 1);
	assert_false(res.ok);
	in.count = 0xffffffffu;
	nrec = 0;
	mapaudit_run(&in, scratch, ranges, CAP, &res);
	EXPECT("descriptor_count_absurd");

	in.map = NULL;
	in.count = 3;
	nrec = 0;
	mapaudit_run(&in, scratch, ranges, CAP, &res);
	EXPECT("map_null");
	assert_false(res.ok);
	assert_int_equal(res.n_errors, 1);
}

/* No callback: everything is still counted. */
static void test_no_report_callback(void **state)
{
	static const struct md m[] = { { CONV, 0x100800, 4, 0 }, { CONV, 0x100000, 0, A_RAM } };
	struct mapaudit_input in = { make_map(m, 2, 48), 2, 48, 39, 0, 0, NULL, NULL, false };

	(void)state;
	mapaudit_run(&in, scratch, ranges, CAP, &res);
	assert_true(res.ok);
	assert_int_equal(res.n_warnings, 3); /* misaligned, no WB, zero length */
	assert_int_equal(res.n_infos, 1);    /* unsorted */
	assert_int_equal(res.n_reported, 0);
	assert_int_equal(res.range_count, 1);
	assert_int_equal(ranges[0].cls, F);
}

/* ---------------------------------------------------------------- kernel image */

static void test_kernel_image_checks(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x1000000, 0x100, A_RAM }, { LC, 0x2000000, 0x10, A_RAM },
	};

	(void)state;
	/* Not in loader code at all: still KERNEL, and an error. */
	AUDIT_K(m, 0x1080000, 0x4000);
	EXPECT("kernel_image_not_loader_code");
	assert_int_equal(recs[0].f.phys, 0x1080000);
	assert_int_equal(recs[0].f.value, 4);
	RANGES({ 0x1000000, 0x1080000, U }, { 0x1080000, 0x1084000, K },
	       { 0x1084000, 0x1100000, U }, { 0x2000000, 0x2010000, U });

	/* Half in loader code, half past its end (in a hole). */
	AUDIT_K(m, 0x2008000, 0x10000);
	EXPECT("kernel_image_not_loader_code");
	assert_int_equal(recs[0].f.phys, 0x2010000);
	assert_int_equal(recs[0].f.value, 8);
	RANGES({ 0x1000000, 0x1100000, U }, { 0x2000000, 0x2008000, U },
	       { 0x2008000, 0x2018000, K });

	/* Misaligned: grows outward. */
	AUDIT_K(m, 0x2004800, 0x1000);
	EXPECT("kernel_image_misaligned");
	assert_int_equal(recs[0].f.value, 0x800);
	RANGES({ 0x1000000, 0x1100000, U }, { 0x2000000, 0x2004000, U },
	       { 0x2004000, 0x2006000, K }, { 0x2006000, 0x2010000, U });

	/* Zero bytes at an address; a length that wraps (clamped, so nothing
	 * above the image start is usable). */
	AUDIT_K(m, 0x2000000, 0);
	EXPECT("kernel_image_invalid");
	RANGES({ 0x1000000, 0x1100000, U }, { 0x2000000, 0x2010000, U });
	AUDIT_K(m, 0x2000000, UINT64_MAX);
	EXPECT("kernel_image_invalid", "kernel_image_not_loader_code");
	RANGES({ 0x1000000, 0x1100000, U }, { 0x2000000, MAPAUDIT_ARCH_LIMIT, K });
}

/* ---------------------------------------------------------------- limits */

/* Findings beyond the first 64 are counted, then summed up in one. */
static void test_findings_bounded(void **state)
{
	enum { COUNT = 1000 };
	struct md *m = calloc(COUNT, sizeof(*m));

	(void)state;
	for (unsigned i = 0; i < COUNT; i++)
		m[i] = (struct md){ CONV, 0x100000 + (uint64_t)i * 0x2000, i % 2, A_RAM };
	audit_full(m, COUNT, 48, 39, 0, 0, CAP);
	free(m);
	assert_int_equal(nrec, MAPAUDIT_MAX_REPORTS + 1);
	assert_int_equal(res.n_warnings, COUNT / 2);
	assert_int_equal(res.n_reported, MAPAUDIT_MAX_REPORTS);
	assert_string_equal(recs[nrec - 1].f.what, "issues_suppressed");
	assert_int_equal(recs[nrec - 1].f.value, COUNT / 2 - MAPAUDIT_MAX_REPORTS);
	assert_int_equal(res.range_count, COUNT / 2);
	assert_true(res.ok);
}

/* The caller's array too small: never written past, and the result is not ok. */
static void test_output_overflow(void **state)
{
	static const struct md m[] = {
		{ CONV, 0x100000, 1, A_RAM }, { ACPI, 0x101000, 1, A_RAM },
		{ CONV, 0x102000, 1, A_RAM }, { ACPI, 0x103000, 1, A_RAM },
		{ CONV, 0x104000, 1, A_RAM },
	};

	(void)state;
	audit_full(m, NELEM(m), 48, 39, 0, 0, 2);
	EXPECT("sanitized_overflow", "coverage_mismatch");
	assert_int_equal(recs[0].f.value, 5);
	assert_int_equal(recs[0].f.pages, 2);
	assert_false(res.ok);
	assert_int_equal(res.range_count, 2);
	assert_int_equal(res.ranges_needed, 5);
	RANGES({ 0x100000, 0x101000, U }, { 0x101000, 0x102000, F });

	audit_full(m, NELEM(m), 48, 39, 0, 0, 0);
	EXPECT("sanitized_overflow", "coverage_mismatch");
	assert_int_equal(res.range_count, 0);

	audit_full(m, NELEM(m), 48, 39, 0, 0, 5); /* exactly enough */
	EXPECT_NONE();
	assert_true(res.ok);
}

/* Thousands of entries, in reverse and in a shuffled order: the same
 * answer, and no quadratic blow-up (the whole test takes milliseconds). */
static void test_thousands(void **state)
{
	enum { COUNT = MAPAUDIT_MAX_DESCS };
	static const uint32_t types[] = { CONV, BD, RD, BC, ACPI, LD };
	struct md *m = calloc(COUNT, sizeof(*m));
	struct mapaudit_range *first = malloc(CAP * sizeof(*first));
	uint32_t first_count;
	uint64_t seed = 12345;

	(void)state;
	for (unsigned i = 0; i < COUNT; i++) {
		uint32_t t = types[i % NELEM(types)];

		m[i] = (struct md){ t, 0x100000 + (uint64_t)i * 0x3000, 2 + i % 2,
				    t == RD ? A_RT : A_RAM };
	}
	audit_full(m, COUNT, 48, 39, 0, 0, CAP);
	EXPECT_NONE();
	first_count = res.range_count;
	memcpy(first, ranges, first_count * sizeof(*first));
	/* Per 6 entries: CONV+BD merge, RD, BC, ACPI, LD, and the 0x1000 gaps
	 * after the 2-page entries split the rest. */
	assert_true(first_count > COUNT / 2);

	for (unsigned i = 0; i < COUNT / 2; i++) {
		struct md t = m[i];

		m[i] = m[COUNT - 1 - i];
		m[COUNT - 1 - i] = t;
	}
	audit_full(m, COUNT, 48, 39, 0, 0, CAP);
	EXPECT("unsorted");
	assert_int_equal(recs[0].f.value, COUNT - 1);
	assert_int_equal(res.range_count, first_count);
	assert_memory_equal(ranges, first, first_count * sizeof(*first));

	for (unsigned i = COUNT - 1; i > 0; i--) {
		unsigned j;
		struct md t;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		j = (unsigned)((seed >> 33) % (i + 1));
		t = m[i];
		m[i] = m[j];
		m[j] = t;
	}
	audit_full(m, COUNT, 64, 39, 0, 0, CAP);
	EXPECT("unsorted");
	assert_memory_equal(ranges, first, first_count * sizeof(*first));
	free(m);
	free(first);
}

/* ---------------------------------------------------------------- coverage() */

static void test_coverage_rejects_bad_ranges(void **state)
{
	struct mapaudit_coverage cov;
	struct mapaudit_range r[3] = {
		{ 0x1000, 0x3000, U, 0 }, { 0x3000, 0x4000, K, 0 }, { 0x8000, 0x9000, F, 0 },
	};

	(void)state;
	assert_true(mapaudit_coverage(r, 3, 0x8800, &cov));
	assert_int_equal(cov.top, 0x9000);
	assert_int_equal(cov.frames[U], 2);
	assert_int_equal(cov.frames[K], 1);
	assert_int_equal(cov.frames[F], 1);
	assert_int_equal(cov.hole_frames, 5);
	assert_true(mapaudit_coverage(r, 3, 0x2000, &cov));
	assert_int_equal(cov.frames[U], 1);
	assert_int_equal(cov.above_top[U], 1);
	assert_int_equal(cov.above_top[K], 1);
	assert_int_equal(cov.hole_frames, 1);
	assert_true(mapaudit_coverage(r, 3, UINT64_MAX, &cov));
	assert_int_equal(cov.top, MAPAUDIT_ARCH_LIMIT);

	r[1].start = 0x2000; /* overlaps */
	assert_false(mapaudit_coverage(r, 3, 0x9000, &cov));
	r[1] = (struct mapaudit_range){ 0x3000, 0x3800, K, 0 }; /* unaligned */
	assert_false(mapaudit_coverage(r, 3, 0x9000, &cov));
	r[1] = (struct mapaudit_range){ 0x3000, 0x3000, K, 0 }; /* empty */
	assert_false(mapaudit_coverage(r, 3, 0x9000, &cov));
	r[1] = (struct mapaudit_range){ 0x3000, 0x4000, 7, 0 }; /* no such class */
	assert_false(mapaudit_coverage(r, 3, 0x9000, &cov));
	assert_true(cov.hole_frames <= 9); /* still within [0, top) */
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(mapaudit_severity_name(MAPAUDIT_SEV_ERROR), "error");
	assert_string_equal(mapaudit_severity_name(MAPAUDIT_SEV_WARN), "warn");
	assert_string_equal(mapaudit_severity_name(MAPAUDIT_SEV_INFO), "info");
	assert_string_equal(mapaudit_class_name(MAPAUDIT_USABLE), "usable");
	assert_string_equal(mapaudit_class_name(MAPAUDIT_KERNEL), "kernel");
	assert_string_equal(mapaudit_class_name(MAPAUDIT_FIRMWARE), "firmware");
	assert_string_equal(mapaudit_class_name(MAPAUDIT_NOT_RAM), "not_ram");
	for (unsigned s = 0; s < MAPAUDIT_TYPE_SLOTS; s++)
		assert_int_equal(mapaudit_type_slot(mapaudit_slot_type(s)), s);
}

/* fuzz/findings/memmap-*: a RAM-type entry past the CPU's width that is not
 * USABLE (an OS-defined type; our own metadata type) is kept, so res.ram_top
 * passes the metadata array, which bootinfo_ram_top sized up to the width:
 * kernel/mem/memmap.c's check compared res.ram_top and failed the run though
 * the allocator (USABLE ranges only) stays inside the array. Input as
 * fuzz/memmap.c reads it: stride selector u16, width u8, flags u8 (bit 0
 * keep_boot_services), kernel phys u64, kernel pages u32, descriptors. */
static const uint8_t finding_firmware[] = {
	0x00, 0x00, 0x27, 0x01, 0x00, 0xc0, 0xe5, 0x3d, 0x00, 0x00, 0x00, 0x00,
	0x1e, 0x00, 0x00, 0x00, 0x00, 0x1e, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
	0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00,
	0x04, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x80, 0x00, 0x00, 0x00, 0x04, 0x00,
};
static const uint8_t finding_ours[] = {
	0x00, 0x00, 0x27, 0x61, 0x70, 0xc0, 0xe5, 0x3d, 0x01, 0x00, 0x00, 0x00,
	0x13, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void metadata_check_on_finding(const uint8_t *f, size_t len)
{
	uint16_t sel;
	uint64_t kphys, top, meta_frames;
	uint32_t pages, stride, count;

	memcpy(&sel, f, 2);
	stride = 40 + 8 * (sel % 508u);
	count = (uint32_t)((len - 16) / stride);
	memcpy(&kphys, f + 4, 8);
	memcpy(&pages, f + 12, 4);
	kphys &= ~0xfffull;
	free(mapbuf);
	mapbuf = malloc((size_t)count * stride);
	assert_non_null(mapbuf);
	memcpy(mapbuf, f + 16, (size_t)count * stride);
	top = bootinfo_ram_top(mapbuf, count, stride, 1ull << f[2]);
	meta_frames = top / 4096 + (top % 4096 != 0);   /* the loader's array */
	struct mapaudit_input in = { mapbuf, count, stride, f[2], kphys, (uint64_t)pages * 4096,
				     report_cb, &nrec, f[3] & 1 };

	nrec = 0;
	mapaudit_run(&in, scratch, ranges, CAP, &res);
	assert_true(res.ok);
	assert_non_null(finding("beyond_phys_width", 0));
	assert_true(res.ram_top > meta_frames * 4096);  /* the old comparison: a false fail */
	assert_true(mapaudit_metadata_covers(ranges, res.range_count, meta_frames));
	for (uint32_t i = 0; i < res.range_count; i++)
		assert_true(ranges[i].cls != U || ranges[i].end <= meta_frames * 4096);
}

static void test_metadata_covers_usable_not_kept_beyond_width(void **state)
{
	(void)state;
	metadata_check_on_finding(finding_firmware, sizeof(finding_firmware));
	metadata_check_on_finding(finding_ours, sizeof(finding_ours));
	/* and a USABLE range past the array is still caught */
	struct mapaudit_range r[2] = { { 0, 0x100000, K, 0 }, { 0x100000, 0x200000, U, 0 } };

	assert_true(mapaudit_metadata_covers(r, 2, 0x200));
	assert_false(mapaudit_metadata_covers(r, 2, 0x1ff));
	r[1].cls = F;
	assert_true(mapaudit_metadata_covers(r, 2, 0x1ff));
}

/* fuzz/memmap, second campaign: a conventional range [0x1000, 2^64) and a
 * zero-length OS-type entry at 0x80000002. mapaudit keeps [0x1000, 2^36) as
 * USABLE; bootinfo_ram_top ignored the range (its end wraps to 0) and sized
 * the metadata array to 0x80000002 from the empty entry: the allocator would
 * have been given frames past its array. */
static const uint8_t finding_end_at_2_64[] = {
	0x00, 0x00, 0x24, 0x00, 0x00, 0xc0, 0xe5, 0x3d, 0x00, 0x00, 0x00, 0x00,
	0x1e, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00,
	0x9e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
	0xfe, 0x02, 0xea, 0x31, 0x02, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_metadata_covers_a_range_ending_at_2_64(void **state)
{
	(void)state;
	const uint8_t *f = finding_end_at_2_64;
	uint32_t stride = 40, count = (sizeof(finding_end_at_2_64) - 16) / 40;
	uint64_t top;

	free(mapbuf);
	mapbuf = malloc((size_t)count * stride);
	assert_non_null(mapbuf);
	memcpy(mapbuf, f + 16, (size_t)count * stride);
	top = bootinfo_ram_top(mapbuf, count, stride, 1ull << f[2]);
	struct mapaudit_input in = { mapbuf, count, stride, f[2], 0x3de5c000ull, 0x1e * 4096ull,
				     report_cb, &nrec, false };

	nrec = 0;
	mapaudit_run(&in, scratch, ranges, CAP, &res);
	assert_true(res.ok);
	assert_int_equal(top, 1ull << 36);
	assert_true(mapaudit_metadata_covers(ranges, res.range_count, top / 4096));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ovmf_q35_1g),
		cmocka_unit_test(test_ovmf_strides),
		cmocka_unit_test(test_ovmf_keep_boot_services),
		cmocka_unit_test(test_ovmf_unaligned_buffer),
		cmocka_unit_test(test_ovmf_allocator_check),
		cmocka_unit_test(test_zero_entries),
		cmocka_unit_test(test_single_entry),
		cmocka_unit_test(test_low_memory_never_usable),
		cmocka_unit_test(test_unsorted),
		cmocka_unit_test(test_overlap_same_type),
		cmocka_unit_test(test_overlap_conventional_over_reserved),
		cmocka_unit_test(test_overlap_conventional_over_kernel_image),
		cmocka_unit_test(test_overlap_mmio_over_ram),
		cmocka_unit_test(test_overlap_nested),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_misaligned_usable_shrinks),
		cmocka_unit_test(test_misaligned_firmware_grows),
		cmocka_unit_test(test_length_overflow),
		cmocka_unit_test(test_range_to_end_of_space),
		cmocka_unit_test(test_beyond_phys_width),
		cmocka_unit_test(test_phys_width_edge),
		cmocka_unit_test(test_phys_width_invalid),
		cmocka_unit_test(test_attr_usable_without_wb),
		cmocka_unit_test(test_attr_conventional_runtime),
		cmocka_unit_test(test_attr_mmio_and_runtime),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_class_of_each_type),
		cmocka_unit_test(test_stride_invalid),
		cmocka_unit_test(test_count_absurd_and_null),
		cmocka_unit_test(test_no_report_callback),
		cmocka_unit_test(test_kernel_image_checks),
		cmocka_unit_test(test_findings_bounded),
		cmocka_unit_test(test_output_overflow),
		cmocka_unit_test(test_thousands),
		cmocka_unit_test(test_coverage_rejects_bad_ranges),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_metadata_covers_usable_not_kept_beyond_width),
		cmocka_unit_test(test_metadata_covers_a_range_ending_at_2_64),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
