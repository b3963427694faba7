/* bs_split (bssave.h): pure, host-tested (test/kernel/test_bssplit.c). Each
 * step finds the boot-services claim covering the cursor (the one reaching
 * furthest) or, if none does, the next one to start. */
#include <kernel/bssave.h>

#define EFI_BOOT_SERVICES_CODE 3u
#define EFI_BOOT_SERVICES_DATA 4u

/* The end of the boot-services claim covering x, or 0; *next is then the
 * lowest boot-services start above x (UINT64_MAX if none). */
static uint64_t bs_cover(const void *map, uint32_t count, uint32_t stride, uint64_t x,
			 uint64_t *next)
{
	uint64_t end = 0;

	*next = UINT64_MAX;
	for (uint32_t i = 0; i < count; i++) {
		const struct bootinfo_mem_desc *d = bootinfo_desc_at(map, stride, i);
		uint64_t s = d->phys_start & ~0xfffull, e = d->phys_start + (d->num_pages << 12);

		if ((d->type != EFI_BOOT_SERVICES_CODE && d->type != EFI_BOOT_SERVICES_DATA) ||
		    d->num_pages == 0 || d->num_pages > (UINT64_MAX >> 12) || e < d->phys_start ||
		    e > UINT64_MAX - 0xfff)
			continue; /* broken entries: the map audit reports them */
		e = (e + 0xfff) & ~0xfffull;
		if (s <= x && x < e) {
			if (e > end)
				end = e;
		} else if (s > x && s < *next) {
			*next = s;
		}
	}
	return end;
}

void bs_split(const void *map, uint32_t count, uint32_t stride, uint64_t start, uint64_t end,
	      void (*out)(void *ctx, uint64_t s, uint64_t e, int is_bs), void *ctx)
{
	for (uint64_t x = start, next; x < end;) {
		uint64_t bs_end = bs_cover(map, count, stride, x, &next);
		uint64_t to = bs_end ? bs_end : next;

		if (to > end)
			to = end;
		out(ctx, x, to, bs_end != 0);
		x = to;
	}
}
