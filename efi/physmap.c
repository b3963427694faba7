/* physmap.h: a sweep over the descriptors' boundaries, with no memory of its
 * own (the loader calls it before it has a place for scratch): each step finds
 * the next boundary and the strongest claim on the piece before it, so the
 * cost is O(n^2) descriptor reads, a few million for the largest real maps.
 * Descriptors are copied out (bootinfo_desc_get): the firmware's stride need
 * not be a multiple of 8, so a struct pointer into the map may be misaligned. */
#include "physmap.h"
#include <bootinfo.h>

#define SZ_4K (1ull << 12)
#define SZ_4G (1ull << 32)

enum claim { NONE, WB, UC, FB }; /* ordered: the strongest wins */

static const uint64_t cache_of[] = { 0, PHYSMAP_WB, PHYSMAP_UC, PHYSMAP_FB };

/* The i-th descriptor's extent, rounded out to 4 KiB and clipped at reach;
 * 0 when empty, broken or wholly beyond reach. */
static int extent(const struct physmap_in *in, uint32_t i, uint64_t *s, uint64_t *e)
{
	struct bootinfo_mem_desc d = bootinfo_desc_get(in->map, in->stride, i);

	if (d.num_pages == 0 || d.num_pages > (UINT64_MAX >> 12))
		return 0;
	*s = d.phys_start & ~(SZ_4K - 1);
	*e = d.phys_start + (d.num_pages << 12);
	if (*e < d.phys_start || *e > UINT64_MAX - SZ_4K)
		return 0;
	*e = (*e + SZ_4K - 1) & ~(SZ_4K - 1);
	if (*e > in->reach)
		*e = in->reach;
	return *s < *e;
}

static enum claim claim_of(const struct physmap_in *in, uint32_t i)
{
	return bootinfo_mem_is_ram(bootinfo_desc_get(in->map, in->stride, i).type) ? WB : UC;
}

/* The lowest boundary above x, or `lim` if none is. */
static uint64_t next_boundary(const struct physmap_in *in, uint64_t x, uint64_t fb_e,
			      uint64_t lim)
{
	uint64_t n = lim, s, e;
	uint64_t fixed[] = { SZ_4G, in->fb_size ? in->fb_base : 0, in->fb_size ? fb_e : 0 };

	for (unsigned k = 0; k < 3; k++)
		if (fixed[k] > x && fixed[k] < n)
			n = fixed[k];
	for (uint32_t i = 0; i < in->count; i++) {
		if (!extent(in, i, &s, &e))
			continue;
		if (s > x && s < n)
			n = s;
		if (e > x && e < n)
			n = e;
	}
	return n;
}

/* The strongest claim on [a, b), which no boundary splits. */
static enum claim claim_at(const struct physmap_in *in, uint64_t a, uint64_t fb_e)
{
	enum claim c = NONE;
	uint64_t s, e;

	if (in->fb_size && a >= in->fb_base && a < fb_e)
		return FB;
	for (uint32_t i = 0; i < in->count; i++) {
		if (extent(in, i, &s, &e) && s <= a && a < e && claim_of(in, i) > c)
			c = claim_of(in, i);
	}
	if (c == NONE && a < SZ_4G)
		c = UC; /* the catch-all below 4 GiB: devices not in the map */
	return c;
}

void physmap_walk(const struct physmap_in *in,
		  void (*fn)(void *ctx, uint64_t start, uint64_t end, uint64_t cache), void *ctx,
		  struct physmap_stats *st)
{
	uint64_t reach = in->reach & ~(SZ_4K - 1), lim = SZ_4G < reach ? SZ_4G : reach, s, e;
	uint64_t fb_e = 0;
	struct physmap_in r = *in;

	r.reach = reach;
	r.fb_base = in->fb_base & ~(SZ_4K - 1);
	*st = (struct physmap_stats){ 0 };
	if (in->fb_size && in->fb_base + in->fb_size > in->fb_base)
		fb_e = (in->fb_base + in->fb_size + SZ_4K - 1) & ~(SZ_4K - 1);
	if (fb_e > reach)
		fb_e = reach;
	if (fb_e <= r.fb_base)
		r.fb_size = 0; /* beyond reach or broken: not mapped */
	else if (fb_e > lim)
		lim = fb_e;
	for (uint32_t i = 0; i < in->count; i++) {
		struct bootinfo_mem_desc d = bootinfo_desc_get(in->map, in->stride, i);
		uint64_t end = d.phys_start + (d.num_pages << 12);

		if (d.num_pages == 0 || d.num_pages > (UINT64_MAX >> 12) || end < d.phys_start) {
			st->broken++;
			continue;
		}
		if (end > reach) {
			st->beyond_reach++;
			st->beyond_bytes += end - (d.phys_start > reach ? d.phys_start : reach);
		}
		if (extent(&r, i, &s, &e) && e > lim)
			lim = e;
	}

	uint64_t span_s = 0, span_c = 0;
	int open = 0;

	for (uint64_t a = 0; a < lim;) {
		uint64_t b = next_boundary(&r, a, fb_e, lim);
		enum claim c = claim_at(&r, a, fb_e);

		if (open && (c == NONE || cache_of[c] != span_c)) {
			fn(ctx, span_s, a, span_c);
			st->spans++;
			st->top = a;
			open = 0;
		}
		if (c != NONE && !open) {
			span_s = a;
			span_c = cache_of[c];
			open = 1;
		}
		a = b;
	}
	if (open) {
		fn(ctx, span_s, lim, span_c);
		st->spans++;
		st->top = lim;
	}
}
