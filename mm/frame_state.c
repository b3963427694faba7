/* frame_state: free / allocated / poisoned / unmanaged for one frame, for the
 * kernel's memory picture. The block holding a frame is found from its head
 * (buddy_find_block_locked); tails carry no state of their own. */
#include <mm/internal.h>

enum frame_state frame_state(uint64_t phys)
{
	uint64_t pfn = phys >> PAGE_SHIFT, head;
	unsigned order;
	uint32_t state;

	if (!mm_meta_base || pfn >= mm_meta_frames)
		return FRAME_STATE_UNMANAGED;
	struct meta_slot *s = mm_slot(pfn);

	if (meta_slot_is_guard_poisoned(s))
		return FRAME_STATE_POISONED;
	struct mm_irq_token tok = mm_env_irq_save();

	buddy_lock();
	bool found = buddy_find_block_locked(pfn, &head, &order, &state);
	uint32_t r = meta_slot_get_refcount(s);

	buddy_unlock();
	mm_env_irq_restore(tok);
	if (found)
		return (state & FRAME_FLAGS_ALLOCATED) ? FRAME_STATE_ALLOCATED : FRAME_STATE_FREE;
	if (r == 0)
		return FRAME_STATE_UNMANAGED;
	/* REFCOUNT_UNUSED outside any block: moving from the buddy to a cache */
	return r == REFCOUNT_UNUSED ? FRAME_STATE_FREE : FRAME_STATE_ALLOCATED;
}

const char *frame_state_name(enum frame_state st)
{
	switch (st) {
	case FRAME_STATE_UNMANAGED: return "unmanaged";
	case FRAME_STATE_FREE:      return "free";
	case FRAME_STATE_ALLOCATED: return "allocated";
	case FRAME_STATE_POISONED:  return "poisoned";
	}
	return "unknown";
}
