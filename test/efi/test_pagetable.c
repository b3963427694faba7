/* Host tests of efi/pagetable.c and efi/physmap.c: mappings translate back,
 * alignment and pool exhaustion are errors, pt_pages_needed is a true upper
 * bound, 1 GiB pages keep a TiB's tables small, devices are uncached and RAM
 * write-back, nothing beyond the direct map's reach is mapped or aliased,
 * and 5-level paging is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bootinfo.h>
#include "../../efi/pagetable.h"
#include "../../efi/physmap.h"

#define SZ_2M (1ull << 21)
#define DMAP 0xffff800000000000ull
#define KBASE 0xffffffff80000000ull
#define POOL_PHYS 0x40000000ull

static struct pt_pool pool;
static void *mem;

static int setup(void **s)
{
	(void)s;
	mem = aligned_alloc(4096, 256 * 4096);
	pt_init(&pool, POOL_PHYS, mem, 256);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	free(mem);
	return 0;
}

static void maps_2m_identity_and_direct(void **s)
{
	(void)s;
	assert_int_equal(pt_map_2m(&pool, 0, 0, 8 * SZ_2M, PTE_W), 0);
	assert_int_equal(pt_map_2m(&pool, DMAP, 0, 8 * SZ_2M, PTE_W), 0);
	for (uint64_t a = 0; a < 8 * SZ_2M; a += 0x12345) {
		assert_true(pt_translate(&pool, a) == a);
		assert_true(pt_translate(&pool, DMAP + a) == a);
	}
	assert_true(pt_translate(&pool, 8 * SZ_2M) == UINT64_MAX);
	assert_true(pt_translate(&pool, DMAP + 8 * SZ_2M) == UINT64_MAX);
}

static void maps_4k_kernel_and_crosses_tables(void **s)
{
	(void)s;
	/* 3 MiB at the kernel base crosses a page-table boundary */
	uint64_t phys = 0x1234000, size = 3ull << 20;

	assert_int_equal(pt_map_4k(&pool, KBASE, phys, size, PTE_W), 0);
	for (uint64_t off = 0; off < size; off += 4096)
		assert_true(pt_translate(&pool, KBASE + off + 7) == phys + off + 7);
	assert_true(pt_translate(&pool, KBASE + size) == UINT64_MAX);
}

static void rejects_misalignment(void **s)
{
	(void)s;
	assert_int_equal(pt_map_2m(&pool, 0x1000, 0, SZ_2M, 0), -1);
	assert_int_equal(pt_map_2m(&pool, 0, 0x1000, SZ_2M, 0), -1);
	assert_int_equal(pt_map_2m(&pool, 0, 0, 0x1000, 0), -1);
	assert_int_equal(pt_map_4k(&pool, 0x10, 0, 4096, 0), -1);
}

static void overlapping_maps_keep_the_first(void **s)
{
	(void)s;
	assert_int_equal(pt_map_2m(&pool, 0, 0, 4 * SZ_2M, PTE_W), 0);
	assert_int_equal(pt_map_2m(&pool, SZ_2M, 0x80000000ull, 4 * SZ_2M, PTE_W), 0);
	assert_true(pt_translate(&pool, SZ_2M) == SZ_2M);       /* first wins */
	assert_true(pt_translate(&pool, 4 * SZ_2M) == 0x80000000ull + 3 * SZ_2M);
}

static void a_4k_map_under_a_large_page_fails(void **s)
{
	(void)s;
	assert_int_equal(pt_map_2m(&pool, 0, 0, SZ_2M, PTE_W), 0);
	assert_int_equal(pt_map_4k(&pool, 0x1000, 0x5000, 4096, PTE_W), -1);
}

static void pool_exhaustion_is_an_error(void **s)
{
	(void)s;
	struct pt_pool small;
	void *m = aligned_alloc(4096, 3 * 4096);

	pt_init(&small, POOL_PHYS, m, 3); /* PML4 + PDPT + one PD */
	assert_int_equal(pt_map_2m(&small, 0, 0, SZ_2M, PTE_W), 0);
	assert_int_equal(pt_map_2m(&small, 1ull << 30, 0, SZ_2M, PTE_W), -1); /* needs a 2nd PD */
	free(m);
}

static void pages_needed_is_an_upper_bound(void **s)
{
	(void)s;
	struct { uint64_t virt, size, page; } cases[] = {
		{ 0, 4ull << 30, SZ_2M },
		{ DMAP + (511ull << 30), 2ull << 30, SZ_2M },   /* crosses a PML4 slot */
		{ KBASE, 3ull << 20, 4096 },
		{ KBASE + 0x1ff000, 0x2000, 4096 },           /* crosses a PT */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *m = aligned_alloc(4096, 64 * 4096);
		struct pt_pool p;
		uint64_t need = pt_pages_needed(cases[i].virt, cases[i].size, cases[i].page);

		pt_init(&p, POOL_PHYS, m, 1 + need);
		if (cases[i].page == SZ_2M)
			assert_int_equal(pt_map_2m(&p, cases[i].virt, 0, cases[i].size, PTE_W), 0);
		else
			assert_int_equal(pt_map_4k(&p, cases[i].virt, 0, cases[i].size, PTE_W), 0);
		assert_true(p.used <= 1 + need);
		free(m);
	}
	assert_true(pt_pages_needed(0, 0, SZ_2M) == 0);
}

/* ---------------------------------------------------------------- pt_map */

/* The leaf entry for virt and the size it maps, by walking the tables. */
static uint64_t leaf(const struct pt_pool *p, uint64_t virt, uint64_t *size)
{
	const uint64_t *t = (const uint64_t *)p->virt;

	for (int level = 3; level >= 0; level--) {
		uint64_t e = t[(virt >> (12 + 9 * level)) & 511];

		if (!(e & PTE_P))
			return 0;
		if (level == 0 || (e & PTE_PS)) {
			*size = 1ull << (12 + 9 * level);
			return e;
		}
		t = (const uint64_t *)(p->virt + ((e & PTE_ADDR) - p->phys));
	}
	return 0;
}

static void pt_map_uses_the_largest_pages_that_fit(void **s)
{
	(void)s;
	/* [1 MiB, 3 GiB + 4 KiB): 4 KiB up to 2 MiB, 2 MiB up to 1 GiB, then
	 * 1 GiB pages, then one 4 KiB page */
	uint64_t start = 1ull << 20, end = (3ull << 30) + 4096, sz;
	void *m = aligned_alloc(4096, 64 * 4096);
	struct pt_pool p;

	pt_init(&p, POOL_PHYS, m, 64);
	assert_int_equal(pt_map(&p, DMAP + start, start, end - start, PTE_W, PT_1G), 0);
	assert_true(leaf(&p, DMAP + start, &sz) && sz == 4096);
	assert_true(leaf(&p, DMAP + (2ull << 20), &sz) && sz == PT_2M);
	assert_true(leaf(&p, DMAP + (1ull << 30), &sz) && sz == PT_1G);
	assert_true(leaf(&p, DMAP + (2ull << 30) + 12345, &sz) && sz == PT_1G);
	assert_true(leaf(&p, DMAP + (3ull << 30), &sz) && sz == 4096);
	for (uint64_t a = start; a < end; a += 0x1234567)
		assert_true(pt_translate(&p, DMAP + a) == a);
	assert_true(pt_translate(&p, DMAP + end - 1) == end - 1);
	assert_true(pt_translate(&p, DMAP + end) == UINT64_MAX);
	assert_true(pt_translate(&p, DMAP + start - 1) == UINT64_MAX);
	assert_true(p.used <= 1 + pt_pages_needed(DMAP + start, end - start, PT_1G));
	free(m);
}

static void without_1g_pages_2m_is_the_largest(void **s)
{
	(void)s;
	void *m = aligned_alloc(4096, 64 * 4096);
	struct pt_pool p;
	uint64_t sz;

	pt_init(&p, POOL_PHYS, m, 64);
	assert_int_equal(pt_map(&p, 0, 0, 4ull << 30, PTE_W, PT_2M), 0);
	assert_true(leaf(&p, 1ull << 30, &sz) && sz == PT_2M);
	assert_int_equal(p.used, 1 + 1 + 4); /* PML4, PDPT, four PDs */
	free(m);
}

/* What the direct map of a 1 TiB machine costs, identity and direct map
 * together, as paging.c counts it: with 1 GiB pages a few pages (the issue's
 * bound is about 1 MiB per TiB), with 2 MiB pages 4 MiB + a few pages. */
static uint64_t tib_cost(uint64_t max_page, uint64_t *bound)
{
	uint64_t tib = 1ull << 40, pages = 2 * 1024 + 16;
	void *m = aligned_alloc(4096, pages * 4096);
	struct pt_pool p;

	pt_init(&p, POOL_PHYS, m, pages);
	assert_int_equal(pt_map(&p, 0, 0, tib, PTE_W, max_page), 0);
	assert_int_equal(pt_map(&p, DMAP, 0, tib, PTE_W, max_page), 0);
	*bound = 1 + 2 * pt_pages_needed(0, tib, max_page);
	assert_true(pt_translate(&p, DMAP + tib - 8) == tib - 8);
	assert_true(pt_translate(&p, tib - 8) == tib - 8);
	uint64_t used = p.used;

	free(m);
	return used * 4096;
}

static void a_tib_costs_kib_with_1g_pages(void **s)
{
	(void)s;
	uint64_t bound, with_1g = tib_cost(PT_1G, &bound);

	assert_true(with_1g <= 1ull << 20);
	assert_int_equal(with_1g, (1 + 2 * 2) * 4096); /* PML4 + 2 PDPTs per map */
	assert_true(with_1g <= bound * 4096);

	uint64_t with_2m = tib_cost(PT_2M, &bound);

	assert_int_equal(with_2m, (1 + 2 * (2 + 1024)) * 4096);
	assert_true(with_2m <= bound * 4096);
}

static void a_large_page_over_a_table_is_an_error(void **s)
{
	(void)s;
	/* a 2 MiB or 1 GiB page would silently drop the 4 KiB mappings */
	assert_int_equal(pt_map(&pool, 0x1000, 0x1000, 4096, PTE_W, PT_1G), 0);
	assert_int_equal(pt_map(&pool, 0, 0, PT_2M, PTE_W, PT_1G), -1);
	assert_int_equal(pt_map(&pool, 0, 0, PT_1G, PTE_W, PT_1G), -1);
	assert_int_equal(pt_map_2m(&pool, 0, 0, PT_2M, PTE_W), -1);
}

static void non_canonical_ranges_are_refused(void **s)
{
	(void)s;
	/* the index bits stop at 47: these would wrap onto other addresses */
	assert_int_equal(pt_map(&pool, 1ull << 47, 1ull << 47, 4096, PTE_W, PT_1G), -1);
	assert_int_equal(pt_map(&pool, (1ull << 47) - 4096, 0, 8192, PTE_W, PT_1G), -1);
	assert_int_equal(pt_map_2m(&pool, 1ull << 47, 0, PT_2M, PTE_W), -1);
	assert_int_equal(pt_map(&pool, DMAP - 4096, 0, 8192, PTE_W, PT_1G), -1);
	assert_int_equal(pt_map(&pool, 0, (1ull << 52) - 4096, 8192, PTE_W, PT_1G), -1);
	assert_int_equal(pool.used, 1); /* nothing was written */
}

static void la57_is_refused(void **s)
{
	(void)s;
	assert_null(pt_refuse_cpu(0x000006f0));         /* PAE, PGE, OSFXSR... */
	assert_null(pt_refuse_cpu(0x00370ef0 & ~CR4_LA57));
	assert_non_null(pt_refuse_cpu(0x000006f0 | CR4_LA57));
	assert_non_null(strstr(pt_refuse_cpu(CR4_LA57), "LA57"));
}

/* ---------------------------------------------------------------- physmap */

#define MAXSPANS 64
struct spans {
	unsigned n;
	uint64_t s[MAXSPANS], e[MAXSPANS], c[MAXSPANS];
};

static void collect(void *ctx, uint64_t s, uint64_t e, uint64_t c)
{
	struct spans *sp = ctx;

	assert_true(sp->n < MAXSPANS);
	if (sp->n) /* in order, disjoint, adjacent spans differ */
		assert_true(sp->e[sp->n - 1] < s ||
			    (sp->e[sp->n - 1] == s && sp->c[sp->n - 1] != c));
	assert_true(s < e && !(s & 4095) && !(e & 4095));
	sp->s[sp->n] = s;
	sp->e[sp->n] = e;
	sp->c[sp->n] = c;
	sp->n++;
}

/* The cache type at a, or UINT64_MAX if a is in no span. */
static uint64_t cache_at(const struct spans *sp, uint64_t a)
{
	for (unsigned i = 0; i < sp->n; i++)
		if (sp->s[i] <= a && a < sp->e[i])
			return sp->c[i];
	return UINT64_MAX;
}

#define D(t, start, pages) { .type = (t), .phys_start = (start), .num_pages = (pages) }
#define GiB (1ull << 30)

/* A q35-like map: RAM, a firmware hole, MMIO (ECAM, flash), RAM above 4 GiB,
 * an MMIO window far above it and one entry beyond the reach. */
static const struct bootinfo_mem_desc qmap[] = {
	D(7, 0, 0xa0),                             /* RAM below 640 KiB */
	D(7, 0x100000, 0x7ff00),                   /* RAM 1 MiB..2 GiB */
	D(0, 0x80000000ull, 0x10),                 /* reserved */
	D(11, 0xb0000000ull, 0x10000),             /* ECAM, 256 MiB */
	D(11, 0xffc00000ull, 0x400),               /* flash */
	D(7, 4 * GiB, 0x100000),                   /* 4 GiB RAM above 4 GiB */
	D(11, 0x380000000000ull, 0x100),           /* a 64-bit BAR window */
	D(11, (1ull << 46) + 0x1000, 1),           /* beyond reach */
	D(7, (1ull << 46) - 0x2000, 4),            /* crosses reach */
};

static void physmap_maps_ram_wb_and_devices_uc(void **s)
{
	(void)s;
	struct physmap_in in = { qmap, sizeof(qmap) / sizeof(qmap[0]), sizeof(qmap[0]),
				 0xc0000000ull, 0x300000, 1ull << 46 };
	struct physmap_stats st;
	struct spans sp = { 0 };

	physmap_walk(&in, collect, &sp, &st);
	assert_true(cache_at(&sp, 0x1000) == PHYSMAP_WB);
	assert_true(cache_at(&sp, 0xb8000) == PHYSMAP_UC);          /* VGA hole */
	assert_true(cache_at(&sp, 0x7fffffffull) == PHYSMAP_WB);
	assert_true(cache_at(&sp, 0x80000000ull) == PHYSMAP_UC);    /* reserved */
	assert_true(cache_at(&sp, 0x90000000ull) == PHYSMAP_UC);    /* hole below 4 GiB */
	assert_true(cache_at(&sp, 0xb0001000ull) == PHYSMAP_UC);    /* ECAM */
	assert_true(cache_at(&sp, 0xc0000000ull) == PHYSMAP_FB);
	assert_true(cache_at(&sp, 0xc02ff000ull) == PHYSMAP_FB);
	assert_true(cache_at(&sp, 0xc0300000ull) == PHYSMAP_UC);
	assert_true(cache_at(&sp, 0xfec00000ull) == PHYSMAP_UC);    /* IOAPIC, not in the map */
	assert_true(cache_at(&sp, 0xfee00000ull) == PHYSMAP_UC);    /* local APIC */
	assert_true(cache_at(&sp, 0xffc00000ull) == PHYSMAP_UC);
	assert_true(cache_at(&sp, 4 * GiB) == PHYSMAP_WB);
	assert_true(cache_at(&sp, 8 * GiB - 1) == PHYSMAP_WB);
	assert_true(cache_at(&sp, 8 * GiB) == UINT64_MAX);           /* holes above 4 GiB */
	assert_true(cache_at(&sp, 0x380000000000ull) == PHYSMAP_UC);
	assert_true(cache_at(&sp, (1ull << 46) - 0x2000) == PHYSMAP_WB);
	assert_true(cache_at(&sp, (1ull << 46)) == UINT64_MAX);
	assert_true(cache_at(&sp, (1ull << 46) + 0x1000) == UINT64_MAX);
	assert_int_equal(st.top, 1ull << 46);
	assert_int_equal(st.beyond_reach, 2);
	assert_int_equal(st.beyond_bytes, 0x1000 + 0x2000);
	assert_int_equal(st.spans, sp.n);
}

static void overlaps_take_the_strongest_claim(void **s)
{
	(void)s;
	static const struct bootinfo_mem_desc m[] = {
		D(7, 0x100000, 0x100),          /* RAM 1 MiB..2 MiB */
		D(11, 0x180000, 0x10),          /* MMIO inside it */
		D(4, 0x1ff000, 0x2),            /* boot data over the end, misaligned count */
		D(7, 0x300000, 0),              /* zero length: skipped */
		D(7, 0xfffffffffffff000ull, 2), /* overflows: skipped */
	};
	struct physmap_in in = { m, 5, sizeof(m[0]), 0, 0, 1ull << 46 };
	struct physmap_stats st;
	struct spans sp = { 0 };

	physmap_walk(&in, collect, &sp, &st);
	assert_true(cache_at(&sp, 0x17f000) == PHYSMAP_WB);
	assert_true(cache_at(&sp, 0x180000) == PHYSMAP_UC);
	assert_true(cache_at(&sp, 0x18f000) == PHYSMAP_UC);
	assert_true(cache_at(&sp, 0x190000) == PHYSMAP_WB);
	assert_true(cache_at(&sp, 0x200000) == PHYSMAP_WB);
	assert_true(cache_at(&sp, 0x201000) == PHYSMAP_UC);  /* catch-all below 4 GiB */
	assert_int_equal(st.broken, 2);
	assert_int_equal(st.top, 4 * GiB);
}

/* The firmware's DescriptorSize is any value >= 40 (efi/memory.c), so the
 * descriptors may sit at odd addresses: physmap copies each one out instead
 * of reading it through a misaligned struct pointer (UBSan's alignment check
 * failed here before; issue 18's fourth finding, found again by
 * fuzz/physmap). Every stride and offset gives the spans of the aligned map. */
static void physmap_reads_descriptors_at_any_stride(void **s)
{
	(void)s;
	static uint8_t raw[16 * 64 + 8];
	const uint32_t n = sizeof(qmap) / sizeof(qmap[0]);
	struct physmap_in ref_in = { qmap, n, sizeof(qmap[0]), 0xc0000000ull, 0x300000, 1ull << 46 };
	struct physmap_stats st, ref_st;
	static struct spans ref, sp;

	memset(&ref, 0, sizeof(ref));
	physmap_walk(&ref_in, collect, &ref, &ref_st);
	for (uint32_t off = 0; off < 8; off += 3)
		for (uint32_t stride = 40; stride <= 57; stride++) {
			uint8_t *m = raw + off;
			struct physmap_in in = { m, n, stride, 0xc0000000ull, 0x300000, 1ull << 46 };

			memset(raw, 0xee, sizeof(raw));
			for (uint32_t i = 0; i < n; i++)
				memcpy(m + i * stride, &qmap[i], sizeof(qmap[i]));
			memset(&sp, 0, sizeof(sp));
			physmap_walk(&in, collect, &sp, &st);
			assert_int_equal(sp.n, ref.n);
			assert_memory_equal(sp.s, ref.s, ref.n * sizeof(uint64_t));
			assert_memory_equal(sp.e, ref.e, ref.n * sizeof(uint64_t));
			assert_memory_equal(sp.c, ref.c, ref.n * sizeof(uint64_t));
			assert_memory_equal(&st, &ref_st, sizeof(st));
		}
}

/* Built as paging.c builds it: every span at identity and in the direct map;
 * the tables map RAM write-back and devices uncached, and an entry beyond the
 * reach appears nowhere (before, its address bits above 47 were dropped and
 * it landed on low memory). */
struct build {
	struct pt_pool *p;
	uint64_t need;
};

static void count_span(void *ctx, uint64_t s, uint64_t e, uint64_t c)
{
	struct build *b = ctx;

	(void)c;
	b->need += 2 * pt_pages_needed(s, e - s, PT_1G);
}

static void map_span(void *ctx, uint64_t s, uint64_t e, uint64_t c)
{
	struct build *b = ctx;

	assert_int_equal(pt_map(b->p, s, s, e - s, PTE_W | c, PT_1G), 0);
	assert_int_equal(pt_map(b->p, DMAP + s, s, e - s, PTE_W | c, PT_1G), 0);
}

static void built_tables_carry_the_cache_types(void **s)
{
	(void)s;
	struct physmap_in in = { qmap, sizeof(qmap) / sizeof(qmap[0]), sizeof(qmap[0]),
				 0xc0000000ull, 0x300000, 1ull << 46 };
	struct physmap_stats st;
	struct build b = { 0, 1 };
	struct pt_pool p;
	uint64_t sz;

	physmap_walk(&in, count_span, &b, &st);
	void *m = aligned_alloc(4096, b.need * 4096);

	pt_init(&p, POOL_PHYS, m, b.need);
	b.p = &p;
	physmap_walk(&in, map_span, &b, &st);
	assert_true(p.used <= b.need);
	for (int dm = 0; dm < 2; dm++) {
		uint64_t base = dm ? DMAP : 0;

		assert_true((leaf(&p, base + 0xfee00000ull, &sz) & (PTE_PCD | PTE_PWT)) ==
			    (PTE_PCD | PTE_PWT));
		assert_true((leaf(&p, base + 0xc0100000ull, &sz) & (PTE_PCD | PTE_PWT)) == PTE_PCD);
		assert_true((leaf(&p, base + 0x200000, &sz) & (PTE_PCD | PTE_PWT)) == 0);
		assert_true(leaf(&p, base + 5 * GiB, &sz) && sz == PT_1G);
		assert_true((leaf(&p, base + 5 * GiB, &sz) & (PTE_PCD | PTE_PWT)) == 0);
		assert_true(pt_translate(&p, base + 0x380000000000ull + 8) == 0x380000000000ull + 8);
	}
	/* beyond reach: not mapped, and the low addresses its bits would alias
	 * hold what the map puts there, not the device */
	assert_true(pt_translate(&p, DMAP + (1ull << 46) + 0x1000) == UINT64_MAX);
	assert_true(pt_translate(&p, 0x1000) == 0x1000);
	free(m);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(maps_2m_identity_and_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(maps_4k_kernel_and_crosses_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(rejects_misalignment, setup, teardown),
		cmocka_unit_test_setup_teardown(overlapping_maps_keep_the_first, setup, teardown),
		cmocka_unit_test_setup_teardown(a_4k_map_under_a_large_page_fails, setup, teardown),
		cmocka_unit_test(pool_exhaustion_is_an_error),
		cmocka_unit_test(pages_needed_is_an_upper_bound),
		cmocka_unit_test(pt_map_uses_the_largest_pages_that_fit),
		cmocka_unit_test(without_1g_pages_2m_is_the_largest),
		cmocka_unit_test(a_tib_costs_kib_with_1g_pages),
		cmocka_unit_test_setup_teardown(a_large_page_over_a_table_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(non_canonical_ranges_are_refused, setup, teardown),
		cmocka_unit_test(la57_is_refused),
		cmocka_unit_test(physmap_maps_ram_wb_and_devices_uc),
		cmocka_unit_test(overlaps_take_the_strongest_claim),
		cmocka_unit_test(physmap_reads_descriptors_at_any_stride),
		cmocka_unit_test(built_tables_carry_the_cache_types),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
