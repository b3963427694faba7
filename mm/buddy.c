/* The buddy allocator: one free list per order 0..MAX_ORDER, linked by frame
 * number through the head slot's free_link (never through frame payloads),
 * split on allocation, merged on free; populated from arbitrary RAM ranges.
 * Everything here runs under mm_buddy.lock (the _locked functions) except
 * buddy_add_range, which takes it.
 *
 * Buddy arithmetic. A block of order o starts at a frame number aligned to
 * 2^o; its buddy is the other half of the order o+1 block containing it:
 *     buddy = pfn ^ (1 << o)        merged head = pfn & ~(1 << o)
 * e.g. pfn 0x1a4 (order 2) has buddy 0x1a0; if 0x1a0 heads a free order-2
 * block they merge into the order-3 block at 0x1a0, whose buddy is 0x1a8.
 * Merge conditions (all under the buddy lock): the buddy lies inside the
 * metadata array, its flags are exactly FREE (a free-list head, not a cached
 * frame, not allocated), and its order field equals o. */
#include <mm/internal.h>

struct buddy_zone mm_buddy;

void buddy_lock(void)
{
	mm_env_lock(&mm_buddy.lock);
}

void buddy_unlock(void)
{
	mm_env_unlock(&mm_buddy.lock);
}

void buddy_reset(void)
{
	struct mm_lock unlocked = { 0 };

	mm_buddy = (struct buddy_zone){ .lock = unlocked };
	for (unsigned o = 0; o <= MAX_ORDER; o++)
		mm_buddy.head[o] = FRAME_META_LINK_NONE;
}

/* Pushes a block at the head of its list: loose -> free. */
static void list_push_locked(uint64_t pfn, unsigned order)
{
	uint64_t first = mm_buddy.head[order];

	if (first != FRAME_META_LINK_NONE)
		meta_slot_set_prev(mm_slot(first), pfn);
	mm_buddy.head[order] = pfn;
	slot_make_free(mm_slot(pfn), order, first);
	mm_buddy.nr_free[order]++;
	mm_buddy.free_frames += 1ull << order;
}

/* Unlinks a free block: free -> loose. */
static void list_del_locked(uint64_t pfn, unsigned order)
{
	struct meta_slot *s = mm_slot(pfn);
	uint64_t next = meta_slot_next(s), prev = meta_slot_prev(s);

	if (prev != FRAME_META_LINK_NONE)
		meta_slot_set_next(mm_slot(prev), next);
	else
		mm_buddy.head[order] = next;
	if (next != FRAME_META_LINK_NONE)
		meta_slot_set_prev(mm_slot(next), prev);
	slot_unlink_free(s);
	mm_buddy.nr_free[order]--;
	mm_buddy.free_frames -= 1ull << order;
}

uint64_t buddy_alloc_locked(unsigned order)
{
	unsigned o = order;

	while (o <= MAX_ORDER && mm_buddy.head[o] == FRAME_META_LINK_NONE)
		o++;
	if (o > MAX_ORDER)
		return FRAME_META_LINK_NONE;
	uint64_t pfn = mm_buddy.head[o];

	list_del_locked(pfn, o);
	/* keep the low half, give back the upper halves: 2^o = 2^order + sum of them */
	while (o > order) {
		o--;
		list_push_locked(pfn + (1ull << o), o);
		mm_buddy.splits++;
	}
	return pfn;
}

uint64_t buddy_take_block_locked(unsigned max_order, unsigned *order)
{
	uint64_t pfn = buddy_alloc_locked(max_order);

	if (pfn != FRAME_META_LINK_NONE) {
		*order = max_order;
		return pfn;
	}
	/* nothing at max_order or above: the largest smaller block, unsplit */
	for (unsigned o = max_order; o-- > 0;) {
		pfn = mm_buddy.head[o];
		if (pfn != FRAME_META_LINK_NONE) {
			list_del_locked(pfn, o);
			*order = o;
			return pfn;
		}
	}
	return FRAME_META_LINK_NONE;
}

void buddy_free_locked(uint64_t pfn, unsigned order)
{
	slot_clear_head(mm_slot(pfn)); /* taken or cached -> loose: merges from here */
	while (order < MAX_ORDER) {
		uint64_t buddy = pfn ^ (1ull << order);

		if (buddy >= mm_meta_frames || mm_meta_frames - buddy < (1ull << order))
			break;
		struct meta_slot *b = mm_slot(buddy);

		if ((mm_flags(b) & FRAME_FLAGS_HEAD_MASK) != FRAME_FLAGS_FREE ||
		    meta_slot_get_order(b) != order)
			break;
		list_del_locked(buddy, order); /* the absorbed head becomes a tail */
		mm_buddy.merges++;
		pfn &= ~(1ull << order);
		order++;
	}
	list_push_locked(pfn, order);
}

static bool range_poisoned(uint64_t pfn, unsigned order)
{
	for (uint64_t i = 0; i < (1ull << order); i++)
		if (meta_slot_get_guard(mm_slot(pfn + i)) & META_GUARD_POISONED)
			return true;
	return false;
}

void mm_quarantine(uint64_t pfn)
{
	slot_quarantine(mm_slot(pfn));
	shared_inc(&mm_shared.quarantined);
}

/* Linux's take_page_off_buddy, generalised: halve the block until every part
 * is either clean (freed whole, merging as usual) or a single poisoned frame. */
void buddy_free_checked_locked(uint64_t pfn, unsigned order, uint64_t keep_pfn)
{
	if (!range_poisoned(pfn, order)) {
		buddy_free_locked(pfn, order);
		return;
	}
	if (order == 0) {
		if (pfn != keep_pfn)
			mm_quarantine(pfn);
		return;
	}
	slot_clear_head(mm_slot(pfn)); /* the halves are loose, then freed or quarantined */
	buddy_free_checked_locked(pfn, order - 1, keep_pfn);
	buddy_free_checked_locked(pfn + (1ull << (order - 1)), order - 1, keep_pfn);
}

void buddy_isolate_poison_locked(uint64_t head, unsigned order)
{
	list_del_locked(head, order);
	buddy_free_checked_locked(head, order, FRAME_META_LINK_NONE);
}

/* Blocks never overlap, so the first slot with head bits among pfn rounded down
 * to 2^0, 2^1, ... 2^MAX_ORDER is the only candidate: if its block does not
 * reach pfn, no larger aligned block can contain pfn either. */
bool buddy_find_block_locked(uint64_t pfn, uint64_t *head, unsigned *order, uint32_t *state)
{
	for (unsigned o = 0; o <= MAX_ORDER; o++) {
		uint64_t h = pfn & ~((1ull << o) - 1);

		if (o > 0 && h == (pfn & ~((1ull << (o - 1)) - 1)))
			continue; /* same slot as the previous round */
		struct meta_slot *s = mm_slot(h);
		uint32_t f = mm_flags(s) & FRAME_FLAGS_HEAD_MASK;

		if (!f)
			continue;
		unsigned k = meta_slot_get_order(s);

		if (k > MAX_ORDER || pfn - h >= (1ull << k))
			return false;
		*head = h;
		*order = k;
		*state = f;
		return true;
	}
	return false;
}

enum alloc_error buddy_add_range(uint64_t start, uint64_t end)
{
	static const char op[] = "buddy_add_range";

	if (!mm_meta_base) {
		mm_report(ALLOC_ERROR_NOT_INITIALIZED, op, "metadata array not initialised", start, 0, end);
		return ALLOC_ERROR_NOT_INITIALIZED;
	}
	if (start >= end || start > UINT64_MAX - (PAGE_SIZE - 1) ||
	    (start + PAGE_SIZE - 1) >> PAGE_SHIFT >= end >> PAGE_SHIFT) {
		mm_report(ALLOC_ERROR_INVALID_ARGUMENT, op, "no whole frame in [start, end)", start, 0, end);
		return ALLOC_ERROR_INVALID_ARGUMENT;
	}
	uint64_t first = (start + PAGE_SIZE - 1) >> PAGE_SHIFT, last = end >> PAGE_SHIFT;

	if (last > mm_meta_frames) {
		mm_report(ALLOC_ERROR_OUT_OF_RANGE, op, "end beyond the metadata array", start, 0, end);
		return ALLOC_ERROR_OUT_OF_RANGE;
	}
	struct mm_irq_token tok = mm_env_irq_save();

	buddy_lock();
	for (uint64_t pfn = first; pfn < last; pfn++) {
		/* refcount 0 means never managed (meta_slot_new); anything else is ours */
		if (meta_slot_get_refcount(mm_slot(pfn)) != 0) {
			buddy_unlock();
			mm_env_irq_restore(tok);
			mm_report(ALLOC_ERROR_OVERLAP, op, "frame already managed", pfn << PAGE_SHIFT,
				  0, end);
			return ALLOC_ERROR_OVERLAP;
		}
	}
	for (uint64_t pfn = first; pfn < last; pfn++)
		slot_adopt(mm_slot(pfn));
	mm_buddy.managed_frames += last - first;
	for (uint64_t pfn = first; pfn < last;) {
		unsigned k = 0;

		/* largest aligned block that starts at pfn and ends by last */
		while (k < MAX_ORDER && !(pfn & (1ull << k)) && last - pfn >= (2ull << k))
			k++;
		buddy_free_checked_locked(pfn, k, FRAME_META_LINK_NONE);
		pfn += 1ull << k;
	}
	buddy_unlock();
	mm_env_irq_restore(tok);
	return ALLOC_ERROR_NONE;
}
