/* Overlapping descriptors, found on the raw byte ranges (before any
 * rounding, so a misaligned neighbour is not an overlap).
 *
 * Sort the non-empty descriptors by start, then walk them keeping `reach`,
 * the earlier descriptor whose last byte is highest. A descriptor starting
 * at or before reach's last byte overlaps reach (and maybe others before it:
 * naming one partner keeps the walk O(n) and the report at one finding per
 * descriptor, whatever a hostile map nests). Worked example, sorted:
 *   A [0x1000, 0x8fff]  reach = A
 *   B [0x2000, 0x2fff]  overlaps A by 0x1000 bytes; reach stays A
 *   C [0x5000, 0x9fff]  overlaps A by 0x4000 bytes; reach = C
 *   D [0xa000, ...]     no overlap */
#include <kernel/mapaudit.h>

void mapaudit_overlaps(struct mapaudit_ctx *c)
{
	struct mapaudit_point *p = c->pts;
	uint32_t n = 0;
	bool have = false;
	uint64_t reach_last = 0;
	uint32_t reach_id = 0, reach_type = 0;

	for (uint32_t i = 0; i < c->in->count; i++) {
		struct bootinfo_mem_desc d = mapaudit_desc(c, i);

		if (d.num_pages)
			p[n++] = (struct mapaudit_point){ d.phys_start, i, 0 };
	}
	mapaudit_sort(p, n);

	for (uint32_t k = 0; k < n; k++) {
		struct bootinfo_mem_desc d = mapaudit_desc(c, p[k].id);
		uint64_t last;

		mapaudit_desc_last(&d, &last); /* UINT64_MAX when it wraps */
		if (have && d.phys_start <= reach_last) {
			uint64_t lo = last < reach_last ? last : reach_last;
			/* lo - start + 1 bytes; all 2^64 of them saturate. */
			uint64_t bytes = lo - d.phys_start == UINT64_MAX ? UINT64_MAX :
					 lo - d.phys_start + 1;
			bool same = d.type == reach_type;

			mapaudit_note(c, same ? MAPAUDIT_SEV_WARN : MAPAUDIT_SEV_ERROR,
				      same ? "overlap" : "overlap_conflicting_types", p[k].id,
				      reach_id, bytes);
		}
		if (!have || last > reach_last) {
			have = true;
			reach_last = last;
			reach_id = p[k].id;
			reach_type = d.type;
		}
	}
}
