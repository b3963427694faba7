/* The loader's physical map and page tables (efi/physmap.c, efi/pagetable.c)
 * as efi/paging.c builds them: physmap_walk over the firmware's map at its
 * DescriptorSize (efi/memory.c only checks it is >= 40), counting the pool
 * with pt_pages_needed, then a second walk mapping every span at identity and
 * in the direct map with pt_map, which must never run out of the pool.
 * Input: 24 bytes of header (stride selector u16, flags u8: bit 0 1 GiB pages,
 * pad u8, fb_size u32, fb_base u64, pad u64), then the descriptors, copied to
 * a buffer of exactly count * stride bytes. */
#include <string.h>
#include <bootinfo.h>
#include "../efi/physmap.h"
#include "../efi/pagetable.h"
#include "common/fuzz.h"

#define HDR 24u
#define GiB (1ull << 30)
#define POOL_PAGES 4096u
#define POOL_PHYS 0x40000000ull
#define REACH BOOTINFO_DIRECT_MAP_REACH

struct md {
	uint32_t type;
	uint64_t phys, pages;
};

/* test_pagetable.c's q35-like map: RAM, a hole, ECAM, flash, RAM above 4 GiB,
 * a 64-bit BAR window, entries beyond and across the reach */
static const struct md qmap[] = {
	{ 7, 0, 0xa0 }, { 7, 0x100000, 0x7ff00 }, { 0, 0x80000000ull, 0x10 },
	{ 11, 0xb0000000ull, 0x10000 }, { 11, 0xffc00000ull, 0x400 }, { 7, 4 * GiB, 0x100000 },
	{ 11, 0x380000000000ull, 0x100 }, { 11, (1ull << 46) + 0x1000, 1 },
	{ 7, (1ull << 46) - 0x2000, 4 },
	/* test_pagetable.c's overlaps */
	{ 11, 0x180000, 0x10 }, { 4, 0x1ff000, 2 }, { 7, 0x300000, 0 },
	{ 7, 0xfffffffffffff000ull, 2 },
};

static uint8_t seed[HDR + 16 * 256];

static void emit(const char *name, uint32_t stride, uint32_t n, uint8_t flags)
{
	uint16_t sel = (uint16_t)(stride - 40);

	memset(seed, 0, sizeof(seed));
	memcpy(seed, &sel, 2);
	seed[2] = flags;
	fuzz_put32(seed + 4, 0x300000);
	fuzz_put64(seed + 8, 0xc0000000ull);
	for (uint32_t i = 0; i < n; i++) {
		struct bootinfo_mem_desc d = { qmap[i].type, 0, qmap[i].phys, 0, qmap[i].pages, 0xf };

		memcpy(seed + HDR + i * stride, &d, sizeof(d));
	}
	fuzz_emit(name, seed, HDR + n * stride);
}

void fuzz_seeds(void)
{
	emit("q35_1g", 48, 9, 1);
	emit("q35_2m_stride40", 40, 9, 0);
	emit("overlaps_stride48", 48, 13, 1);
	emit("overlaps_stride44", 44, 13, 0); /* a firmware stride not a multiple of 8 */
}

#define MAXSPANS 4096u
static struct spans {
	uint32_t n;
	uint64_t s[MAXSPANS], e[MAXSPANS], c[MAXSPANS];
	uint64_t need, page;
	struct pt_pool *p;
} sp;

static void collect(void *ctx, uint64_t s, uint64_t e, uint64_t c)
{
	struct spans *x = ctx;

	FUZZ_CHECK(x->n < MAXSPANS);
	/* in address order, disjoint, 4 KiB aligned, maximal, below the reach */
	FUZZ_CHECK(s < e && !(s & 4095) && !(e & 4095) && e <= REACH);
	FUZZ_CHECK(c == PHYSMAP_WB || c == PHYSMAP_UC || c == PHYSMAP_FB);
	if (x->n)
		FUZZ_CHECK(x->e[x->n - 1] < s || (x->e[x->n - 1] == s && x->c[x->n - 1] != c));
	x->s[x->n] = s;
	x->e[x->n] = e;
	x->c[x->n] = c;
	x->n++;
	x->need += 2 * pt_pages_needed(s, e - s, x->page);
}

static uint32_t nmap;

static void map_span(void *ctx, uint64_t s, uint64_t e, uint64_t c)
{
	struct spans *x = ctx;

	FUZZ_CHECK(nmap < x->n && x->s[nmap] == s && x->e[nmap] == e && x->c[nmap] == c);
	nmap++;
	/* paging.c: a failure here is a fatal boot error, the bound must hold */
	FUZZ_CHECK(pt_map(x->p, s, s, e - s, PTE_W | c, x->page) == 0);
	FUZZ_CHECK(pt_map(x->p, BOOTINFO_DIRECT_MAP_BASE + s, s, e - s, PTE_W | c, x->page) == 0);
}

static uint64_t cache_at(uint64_t a)
{
	uint32_t lo = 0, hi = sp.n;

	while (lo < hi) {
		uint32_t m = (lo + hi) / 2;

		if (sp.e[m] <= a)
			lo = m + 1;
		else
			hi = m;
	}
	return lo < sp.n && sp.s[lo] <= a ? sp.c[lo] : UINT64_MAX;
}

/* The leaf entry for virt (test_pagetable.c's walk). */
static uint64_t leaf(const struct pt_pool *p, uint64_t virt)
{
	const uint64_t *t = (const uint64_t *)p->virt;

	for (int level = 3; level >= 0; level--) {
		uint64_t e = t[(virt >> (12 + 9 * level)) & 511];

		if (!(e & PTE_P))
			return 0;
		if (level == 0 || (e & PTE_PS))
			return e;
		FUZZ_CHECK((e & PTE_ADDR) >= p->phys && (e & PTE_ADDR) < p->phys + p->used * 4096);
		t = (const uint64_t *)(p->virt + ((e & PTE_ADDR) - p->phys));
	}
	return 0;
}

static void check_mapped(const struct pt_pool *p, uint64_t a, uint64_t c)
{
	for (int dm = 0; dm < 2; dm++) {
		uint64_t v = (dm ? BOOTINFO_DIRECT_MAP_BASE : 0) + a;

		FUZZ_CHECK(pt_translate(p, v) == a);
		FUZZ_CHECK((leaf(p, v) & (PTE_PCD | PTE_PWT)) == c);
	}
}

static uint8_t pool_mem[POOL_PAGES * 4096] __attribute__((aligned(4096)));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t sel;
	uint32_t stride, count, fbsz;
	uint64_t fbb, fb_e = 0;
	uint8_t *map;
	struct physmap_in in;
	struct physmap_stats st, st2;
	struct pt_pool pool;

	if (size < HDR)
		return 0;
	memcpy(&sel, data, 2);
	stride = 40 + sel % 256u;
	count = (uint32_t)((size - HDR) / stride);
	memcpy(&fbsz, data + 4, 4);
	memcpy(&fbb, data + 8, 8);
	map = malloc(count ? (size_t)count * stride : 1);
	FUZZ_CHECK(map);
	memcpy(map, data + HDR, (size_t)count * stride);
	/* paging.c: fb_size only with a framebuffer base */
	in = (struct physmap_in){ map, count, stride, fbb, fbb ? fbsz : 0, REACH };
	sp.n = 0;
	sp.need = 1;
	sp.page = data[2] & 1 ? PT_1G : PT_2M;
	physmap_walk(&in, collect, &sp, &st);

	FUZZ_CHECK(st.spans == sp.n && st.top == (sp.n ? sp.e[sp.n - 1] : 0));
	/* [0, 4 GiB) is mapped whole: devices live in its holes */
	FUZZ_CHECK(sp.n && sp.s[0] == 0);
	for (uint32_t i = 1; i < sp.n && sp.s[i] < 4 * GiB; i++)
		FUZZ_CHECK(sp.s[i] == sp.e[i - 1]);
	FUZZ_CHECK(cache_at(4 * GiB - 1) != UINT64_MAX);
	/* the framebuffer UC-, where it is sound and inside the reach */
	if (in.fb_size && fbb + fbsz > fbb)
		fb_e = (fbb + fbsz + 4095) & ~4095ull;
	if (fb_e > REACH)
		fb_e = REACH;
	if (fb_e > (fbb & ~4095ull)) {
		FUZZ_CHECK(cache_at(fbb & ~4095ull) == PHYSMAP_FB);
		FUZZ_CHECK(cache_at(fb_e - 1) == PHYSMAP_FB);
	}
	/* every sound descriptor is mapped inside the reach; a device never WB */
	for (uint32_t i = 0; i < count; i++) {
		struct bootinfo_mem_desc d = bootinfo_desc_get(map, stride, i);
		uint64_t s = d.phys_start & ~4095ull, e;

		if (!d.num_pages || d.num_pages > (UINT64_MAX >> 12) ||
		    d.phys_start + (d.num_pages << 12) < d.phys_start ||
		    d.phys_start + (d.num_pages << 12) > UINT64_MAX - 4096)
			continue;
		e = (d.phys_start + (d.num_pages << 12) + 4095) & ~4095ull;
		if (e > REACH)
			e = REACH;
		if (s >= e)
			continue;
		uint64_t cs = cache_at(s), ce = cache_at(e - 1);

		FUZZ_CHECK(cs != UINT64_MAX && ce != UINT64_MAX);
		if (!bootinfo_mem_is_ram(d.type))
			FUZZ_CHECK(cs != PHYSMAP_WB && ce != PHYSMAP_WB);
	}

	/* pass 2: the tables, in a pool of the counted size */
	if (sp.need <= POOL_PAGES) {
		pt_init(&pool, POOL_PHYS, pool_mem, sp.need);
		sp.p = &pool;
		nmap = 0;
		physmap_walk(&in, map_span, &sp, &st2);
		FUZZ_CHECK(nmap == sp.n && pool.used <= sp.need);
		for (uint32_t i = 0; i < sp.n; i++) {
			check_mapped(&pool, sp.s[i], sp.c[i]);
			check_mapped(&pool, sp.e[i] - 4096, sp.c[i]);
		}
		/* nothing at or above the reach */
		FUZZ_CHECK(pt_translate(&pool, REACH) == UINT64_MAX);
		FUZZ_CHECK(pt_translate(&pool, BOOTINFO_DIRECT_MAP_BASE + REACH) == UINT64_MAX);
	}
	free(map);
	return 0;
}
