/* frame_mark_poisoned: a bad frame leaves circulation for good. Under the
 * buddy lock (so buddy_check never sees a poisoned frame inside a free block):
 * set the guard, then act on the block that holds the frame:
 *   free block      -> taken off its list and split: only the frame is
 *                      quarantined (Linux take_page_off_buddy);
 *   allocated block -> order 0 or the head itself: the frame's own guard makes
 *                      its release quarantine it; a tail: the head gets
 *                      META_GUARD_BLOCK_POISONED, so its release splits;
 *   per-CPU cache   -> left there: a pop or a drain quarantines it;
 *   none            -> unmanaged (buddy_add_range will skip it) or in transit
 *                      between a list and a cache (the pop checks the guard). */
#include <mm/internal.h>

enum alloc_error frame_mark_poisoned(uint64_t phys)
{
	static const char op[] = "frame_mark_poisoned";

	if (phys & (PAGE_SIZE - 1)) {
		mm_report(ALLOC_ERROR_INVALID_ADDRESS, op, "address not 4 KiB aligned", phys, 0, 0);
		return ALLOC_ERROR_INVALID_ADDRESS;
	}
	if (!mm_meta_base) {
		mm_report(ALLOC_ERROR_NOT_INITIALIZED, op, "metadata array not initialised", phys, 0, 0);
		return ALLOC_ERROR_NOT_INITIALIZED;
	}
	uint64_t pfn = phys >> PAGE_SHIFT, head;
	unsigned order;
	uint32_t state;

	if (pfn >= mm_meta_frames) {
		mm_report(ALLOC_ERROR_OUT_OF_RANGE, op, "frame beyond the metadata array", phys, 0,
			  mm_meta_frames);
		return ALLOC_ERROR_OUT_OF_RANGE;
	}
	struct meta_slot *s = mm_slot(pfn);
	struct mm_irq_token tok = mm_env_irq_save();

	buddy_lock();
	if (!(slot_mark_poisoned(s) & META_GUARD_POISONED))
		shared_inc(&mm_shared.poisoned);
	if (buddy_find_block_locked(pfn, &head, &order, &state)) {
		if (state == FRAME_FLAGS_FREE)
			buddy_isolate_poison_locked(head, order);
		else if ((state & FRAME_FLAGS_ALLOCATED) && head != pfn)
			slot_mark_block_poisoned(mm_slot(head));
	}
	buddy_unlock();
	mm_env_irq_restore(tok);
	return ALLOC_ERROR_NONE;
}
