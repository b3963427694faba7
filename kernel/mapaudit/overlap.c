/* Overlapping descriptors, found on the raw byte ranges (before any
 * rounding, so a misaligned neighbour is not an overlap).
 *
 * Sort the non-empty descriptors by start, then walk them keeping `reach`,
 * the earlier descriptor whose last byte is highest, and `pred`, the one just
 * before. A descriptor starting at or before reach's last byte overlaps reach
 * (and maybe others: naming one partner keeps the walk O(n) and the report
 * at one finding per descriptor, whatever a hostile map nests). The partner
 * is pred or reach, whichever overlaps with a different type (the worse
 * finding), else reach. Worked example, sorted:
 *   A conv [0x1000, 0x8fff]  reach = A
 *   B rsv  [0x2000, 0x6fff]  conflicts with A (0x5000 bytes); reach stays A
 *   C conv [0x3000, 0x3fff]  pred B conflicts: reported against B (0x1000)
 *   D conv [0x7000, 0x9fff]  same type as A: overlap (0x2000); reach = D
 *   E ...  [0xa000, ...]     no overlap */
#include <kernel/mapaudit.h>

struct seen {
	uint32_t id, type;
	uint64_t last;
};

/* The bytes [start, min(last, p->last)]; all 2^64 of them saturate. */
static uint64_t overlap_bytes(uint64_t start, uint64_t last, const struct seen *p)
{
	uint64_t lo = last < p->last ? last : p->last;

	return lo - start == UINT64_MAX ? UINT64_MAX : lo - start + 1;
}

void mapaudit_overlaps(struct mapaudit_ctx *c)
{
	struct mapaudit_point *p = c->pts;
	struct seen reach = { 0, 0, 0 }, pred = { 0, 0, 0 };
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->in->count; i++) {
		struct bootinfo_mem_desc d = mapaudit_desc(c, i);

		if (d.num_pages)
			p[n++] = (struct mapaudit_point){ d.phys_start, i, 0 };
	}
	mapaudit_sort(p, n);

	for (uint32_t k = 0; k < n; k++) {
		struct bootinfo_mem_desc d = mapaudit_desc(c, p[k].id);
		struct seen cur = { p[k].id, d.type, 0 };

		mapaudit_desc_last(&d, &cur.last); /* UINT64_MAX when it wraps */
		if (k > 0 && d.phys_start <= reach.last) {
			const struct seen *with = &reach;

			if (pred.type != d.type && d.phys_start <= pred.last)
				with = &pred;
			mapaudit_note(c, with->type == d.type ? MAPAUDIT_SEV_WARN : MAPAUDIT_SEV_ERROR,
				      with->type == d.type ? "overlap" : "overlap_conflicting_types",
				      cur.id, with->id, overlap_bytes(d.phys_start, cur.last, with));
		}
		if (k == 0 || cur.last > reach.last)
			reach = cur;
		pred = cur;
	}
}
