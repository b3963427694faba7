/* Coverage of a sanitised map: frames per class below a top address, frames
 * in holes, frames above it; and the closing check against the allocator.
 * Counts only what the ranges say, so it double-checks mapaudit_run and lets
 * the kernel count against its own top (the metadata array's extent). */
#include <kernel/mapaudit.h>
#include <lib/string.h>

bool mapaudit_coverage(const struct mapaudit_range *r, uint32_t n, uint64_t top,
		       struct mapaudit_coverage *cov)
{
	uint64_t top_pfn, below = 0, prev_end = 0;
	bool valid = true;

	memset(cov, 0, sizeof(*cov));
	if (top > MAPAUDIT_ARCH_LIMIT)
		top = MAPAUDIT_ARCH_LIMIT;
	top_pfn = (top >> 12) + ((top & 0xfff) != 0);
	cov->top = top_pfn << 12;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t s = r[i].start >> 12, e = r[i].end >> 12, mid;

		/* A range that breaks the shape is skipped, so the counts stay
		 * within [0, top) even for garbage; the answer is false anyway. */
		if ((r[i].start | r[i].end) & 0xfff || r[i].start >= r[i].end ||
		    r[i].end > MAPAUDIT_ARCH_LIMIT || r[i].cls >= MAPAUDIT_CLASS_COUNT ||
		    r[i].start < prev_end) {
			valid = false;
			continue;
		}
		prev_end = r[i].end;
		mid = e < top_pfn ? e : s > top_pfn ? s : top_pfn;
		cov->frames[r[i].cls] += mid - s;
		cov->above_top[r[i].cls] += e - mid;
		below += mid - s;
	}
	cov->hole_frames = top_pfn - below;
	return valid;
}

bool mapaudit_metadata_covers(const struct mapaudit_range *r, uint32_t n, uint64_t meta_frames)
{
	for (uint32_t i = 0; i < n; i++)
		if (r[i].cls == MAPAUDIT_USABLE && r[i].end / 4096 > meta_frames)
			return false;
	return true;
}

bool mapaudit_check_allocator(const struct mapaudit_coverage *cov, uint64_t allocator_frames,
			      mapaudit_report_fn report, void *ctx)
{
	uint64_t usable = cov->frames[MAPAUDIT_USABLE];

	if (allocator_frames == usable)
		return true;
	if (report) {
		struct mapaudit_finding f = { MAPAUDIT_SEV_ERROR, "allocator_frames_mismatch",
					      MAPAUDIT_NO_DESC, MAPAUDIT_NO_DESC, 0, 0, usable, 0,
					      allocator_frames };

		report(ctx, &f);
	}
	return false;
}
