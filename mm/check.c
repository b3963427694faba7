/* buddy_check: the costly audit. Holding every cache lock and the buddy lock,
 * it walks the free lists, the per-CPU caches, then the whole metadata array,
 * re-derives every counter and returns the first violation. The array scan is
 * what proves "nothing lost": every managed frame must be in exactly one free
 * block, cache, allocated block or quarantine. */
#include <mm/internal.h>

/* Marks a cached frame as seen during the walk (free_link.next is unused while
 * a frame is cached); reset to FRAME_META_LINK_NONE before returning. */
#define SEEN_IN_CACHE (FRAME_META_LINK_NONE - 1)

struct check {
	struct mm_diag v;
	uint64_t cached; /* entries in all caches */
};

static bool fail(struct check *ck, uint64_t pfn, unsigned order, uint64_t value, const char *reason)
{
	ck->v = (struct mm_diag){ ALLOC_ERROR_CORRUPTED, (uint8_t)order,
				  pfn == FRAME_META_LINK_NONE ? MM_DIAG_NO_PHYS : pfn << PAGE_SHIFT,
				  value, "buddy_check", reason };
	return false;
}

static bool block_in_array(uint64_t pfn, unsigned order)
{
	return order <= MAX_ORDER && pfn < mm_meta_frames && mm_meta_frames - pfn >= (1ull << order) &&
	       !(pfn & ((1ull << order) - 1));
}

static bool check_lists(struct check *ck)
{
	uint64_t frames = 0;

	for (unsigned o = 0; o <= MAX_ORDER; o++) {
		uint64_t prev = FRAME_META_LINK_NONE, n = 0;

		for (uint64_t pfn = mm_buddy.head[o]; pfn != FRAME_META_LINK_NONE;) {
			if (!block_in_array(pfn, o))
				return fail(ck, pfn, o, mm_meta_frames, "free block misaligned or beyond the array");
			struct meta_slot *s = mm_slot(pfn);

			if ((mm_flags(s) & FRAME_FLAGS_HEAD_MASK) != FRAME_FLAGS_FREE)
				return fail(ck, pfn, o, mm_flags(s), "listed block is not a free head");
			if (meta_slot_get_order(s) != o)
				return fail(ck, pfn, o, meta_slot_get_order(s), "order field differs from its list");
			if (meta_slot_get_refcount(s) != REFCOUNT_UNUSED)
				return fail(ck, pfn, o, meta_slot_get_refcount(s),
					    "free head refcount is not REFCOUNT_UNUSED");
			if (meta_slot_prev(s) != prev)
				return fail(ck, pfn, o, meta_slot_prev(s), "prev link does not point back");
			if (++n > mm_buddy.nr_free[o])
				return fail(ck, pfn, o, mm_buddy.nr_free[o], "list longer than its counter (cycle?)");
			prev = pfn;
			pfn = meta_slot_next(s);
		}
		if (n != mm_buddy.nr_free[o])
			return fail(ck, FRAME_META_LINK_NONE, o, n, "list shorter than its counter");
		frames += n << o;
	}
	if (frames != mm_buddy.free_frames)
		return fail(ck, FRAME_META_LINK_NONE, 0, frames, "free-frame counter differs from the lists");
	return true;
}

static bool check_caches(struct check *ck)
{
	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct pcpu_cache *c = &pcpu_caches[cpu];
		unsigned n = pcpu_count(c);

		if (n > MM_PCPU_HIGH)
			return fail(ck, FRAME_META_LINK_NONE, 0, cpu, "cache count above MM_PCPU_HIGH");
		for (unsigned i = 0; i < n; i++) {
			uint64_t pfn = c->pfn[i];

			if (pfn >= mm_meta_frames)
				return fail(ck, pfn, 0, cpu, "cached frame beyond the array");
			struct meta_slot *s = mm_slot(pfn);

			if (mm_flags(s) & FRAME_FLAGS_HEAD_MASK)
				return fail(ck, pfn, 0, mm_flags(s), "cached frame heads a block");
			if (meta_slot_get_refcount(s) != REFCOUNT_UNUSED)
				return fail(ck, pfn, 0, meta_slot_get_refcount(s),
					    "cached frame refcount is not REFCOUNT_UNUSED");
			if (meta_slot_next(s) == SEEN_IN_CACHE)
				return fail(ck, pfn, 0, cpu, "frame twice in the caches");
			meta_slot_set_next(s, SEEN_IN_CACHE);
			ck->cached++;
		}
	}
	return true;
}

/* The tails of a block: no head bits, refcount REFCOUNT_UNUSED; in a free
 * block, no poison either. */
static bool check_tails(struct check *ck, uint64_t head, unsigned order, bool free_block)
{
	for (uint64_t pfn = head + 1; pfn < head + (1ull << order); pfn++) {
		struct meta_slot *s = mm_slot(pfn);

		if (mm_flags(s) & FRAME_FLAGS_HEAD_MASK)
			return fail(ck, pfn, order, head << PAGE_SHIFT, "block head inside another block");
		if (meta_slot_next(s) == SEEN_IN_CACHE)
			return fail(ck, pfn, order, head << PAGE_SHIFT, "cached frame inside a block");
		if (meta_slot_get_refcount(s) != REFCOUNT_UNUSED)
			return fail(ck, pfn, order, meta_slot_get_refcount(s),
				    "block tail refcount is not REFCOUNT_UNUSED");
		if (free_block && meta_slot_is_guard_poisoned(s))
			return fail(ck, pfn, order, head << PAGE_SHIFT, "poisoned frame in a free block");
	}
	return true;
}

static bool check_array(struct check *ck)
{
	uint64_t blocks[MAX_ORDER + 1] = { 0 }, cached = 0, allocated = 0, quarantined = 0, freed = 0;

	for (uint64_t pfn = 0; pfn < mm_meta_frames;) {
		struct meta_slot *s = mm_slot(pfn);
		uint32_t f = mm_flags(s) & FRAME_FLAGS_HEAD_MASK, r = meta_slot_get_refcount(s);
		unsigned k = meta_slot_get_order(s);

		if (f == FRAME_FLAGS_FREE) {
			if (!block_in_array(pfn, k))
				return fail(ck, pfn, k, mm_meta_frames, "free head misaligned or beyond the array");
			if (meta_slot_is_guard_poisoned(s))
				return fail(ck, pfn, k, 0, "poisoned frame in a free block");
			if (!check_tails(ck, pfn, k, true))
				return false;
			blocks[k]++;
			freed += 1ull << k;
			pfn += 1ull << k;
		} else if (f == FRAME_FLAGS_ALLOCATED) {
			if (!block_in_array(pfn, k))
				return fail(ck, pfn, k, mm_meta_frames, "allocated head misaligned or beyond the array");
			if (!check_tails(ck, pfn, k, false))
				return false;
			allocated += 1ull << k;
			pfn += 1ull << k;
		} else if (f) {
			return fail(ck, pfn, k, f, "head bits FREE and ALLOCATED together");
		} else if (r == REFCOUNT_UNUSED && meta_slot_next(s) == SEEN_IN_CACHE) {
			cached++; /* found in a cache by check_caches */
			pfn++;
		} else if (r == REFCOUNT_UNUSED) {
			if (!meta_slot_is_guard_poisoned(s))
				return fail(ck, pfn, 0, r, "managed frame in no block, cache or quarantine (lost)");
			quarantined++;
			pfn++;
		} else if (r != 0) {
			return fail(ck, pfn, 0, r, "referenced frame heads no allocated block");
		} else {
			pfn++; /* unmanaged */
		}
	}
	for (unsigned o = 0; o <= MAX_ORDER; o++)
		if (blocks[o] != mm_buddy.nr_free[o])
			return fail(ck, FRAME_META_LINK_NONE, o, blocks[o], "free heads in the array differ from the list counter");
	if (freed != mm_buddy.free_frames)
		return fail(ck, FRAME_META_LINK_NONE, 0, freed, "free frames in the array differ from the counter");
	if (cached != ck->cached)
		return fail(ck, FRAME_META_LINK_NONE, 0, cached, "cached frames in the array differ from the caches");
	if (quarantined != ctr_read(&mm_shared.quarantined))
		return fail(ck, FRAME_META_LINK_NONE, 0, quarantined, "quarantined frames differ from the counter");
	if (freed + cached + allocated + quarantined != mm_buddy.managed_frames)
		return fail(ck, FRAME_META_LINK_NONE, 0, freed + cached + allocated + quarantined,
			    "free + cached + allocated + quarantined differs from the managed frames");
	return true;
}

struct mm_diag buddy_check(void)
{
	struct check ck = { .v = { .code = ALLOC_ERROR_NONE, .phys = MM_DIAG_NO_PHYS, .op = "buddy_check",
				   .reason = "consistent" } };

	if (!mm_meta_base) {
		ck.v.code = ALLOC_ERROR_NOT_INITIALIZED;
		ck.v.reason = "metadata array not initialised";
		return ck.v;
	}
	struct mm_irq_token tok = mm_env_irq_save();

	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		pcpu_lock(&pcpu_caches[cpu]);
	buddy_lock();
	if (check_lists(&ck) && check_caches(&ck))
		check_array(&ck);
	/* undo the SEEN_IN_CACHE marks (only cached frames carry them) */
	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct pcpu_cache *c = &pcpu_caches[cpu];

		for (unsigned i = 0, n = pcpu_count(c); i < n && i < MM_PCPU_HIGH; i++)
			if (c->pfn[i] < mm_meta_frames && meta_slot_next(mm_slot(c->pfn[i])) == SEEN_IN_CACHE)
				meta_slot_set_next(mm_slot(c->pfn[i]), FRAME_META_LINK_NONE);
	}
	buddy_unlock();
	for (unsigned cpu = MM_MAX_CPUS; cpu-- > 0;)
		pcpu_unlock(&pcpu_caches[cpu]);
	mm_env_irq_restore(tok);
	return ck.v;
}
