/* Allocation: frame_alloc_options_allocate and the FrameAllocator table.
 * The fast path and the general path make the same transitions
 * (mm/slot_state.h):
 *
 *   take a block (this CPU's cache for order 0, else the buddy) and
 *   slot_take it (ALLOCATED | purpose) under the lock it came from
 *   -> slot_claim: CAS(REFCOUNT_UNUSED -> 1), a new epoch, the poison
 *      re-check (frame_mark_poisoned may have raced us); a failed CAS is
 *      corruption (claim_failed), a poisoned frame is disowned and given back
 *   -> zero (after the claim: zeroing a frame someone else holds would be
 *      worse than anything the CAS protects against; the caller publishes
 *      the block to other CPUs through its own synchronisation). */
#include <mm/internal.h>

/* Zero the block? Always for a page table: the builders keep `zeroed` set
 * for one, and a caller who cleared it by hand in the struct must still not
 * get a table full of stale entries. */
static inline bool must_zero(const struct frame_alloc_options *o)
{
	return o->zeroed || (o->purpose_flags & FRAME_FLAGS_PAGE_TABLE);
}

/* must_zero as one test of the options' 8 bytes (the order-0 fast path: one
 * instruction more than testing `zeroed` alone, not two). `zeroed` is a bool,
 * 0 or 1, in byte 0; the padding between it and purpose_flags is masked off. */
_Static_assert(offsetof(struct frame_alloc_options, zeroed) == 0 &&
	       offsetof(struct frame_alloc_options, purpose_flags) == 4 &&
	       sizeof(struct frame_alloc_options) == 8 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "must_zero_word reads the options as one little-endian word");

static inline bool must_zero_word(const struct frame_alloc_options *o)
{
	uint64_t w;

	__builtin_memcpy(&w, o, sizeof(w));
	return w & (1 | (uint64_t)FRAME_FLAGS_PAGE_TABLE << 32);
}

/* Order-0 pop from this CPU's cache, poisoned frames quarantined on the way. */
static inline uint64_t take_cached(struct pcpu_cache *c, uint32_t cpu, uint32_t purpose)
{
	uint64_t pfn = FRAME_META_LINK_NONE;

	pcpu_lock(c);
	for (;;) {
		unsigned n = pcpu_count(c);
		bool hit = n != 0;

		if (!hit && !pcpu_refill_locked(c))
			break;
		n = pcpu_count(c) - 1;
		pfn = c->pfn[n];
		pcpu_set_count(c, n);
		struct meta_slot *s = mm_slot(pfn);

		if (__builtin_expect(meta_slot_is_guard_poisoned(s), 0)) {
			mm_quarantine(pfn);
			pfn = FRAME_META_LINK_NONE;
			continue;
		}
		slot_take(s, 0, cpu, purpose);
		if (!hit)
			ctr_inc(&c->ctr.cache_misses);
		break;
	}
	pcpu_unlock(c);
	return pfn;
}

static uint64_t take_buddy(unsigned order, uint32_t cpu, uint32_t purpose)
{
	uint64_t pfn;

	buddy_lock();
	for (;;) {
		pfn = buddy_alloc_locked(order);
		if (pfn == FRAME_META_LINK_NONE)
			break;
		struct meta_slot *s = mm_slot(pfn);

		/* free blocks hold no poison unless someone used the raw
		 * meta_slot_mark_poisoned on a free frame; the head is cheap to check */
		if (meta_slot_is_guard_poisoned(s)) {
			buddy_free_checked_locked(pfn, order, FRAME_META_LINK_NONE);
			continue;
		}
		slot_take(s, order, cpu, purpose);
		break;
	}
	buddy_unlock();
	return pfn;
}

/* The claiming CAS failed: someone else holds this frame. Report it and
 * poison the frame. Order 0: it stays an ALLOCATED order-0 head with the
 * holder's count, so the holder's free quarantines it. Order > 0: the head
 * is quarantined at once and the rest of the block goes back; the stray
 * count goes with the head bits, so the holder's later put_ref finds no
 * ALLOCATED head and is refused instead of releasing 2^order frames that are
 * free again. The holder's release of an order > 0 block and this run under
 * the buddy lock, so whichever comes second sees no ALLOCATED head of that
 * order and gives nothing back twice (mm_release_block checks the same). The
 * block is still the one this CPU took only while the owner hint says so: a
 * block the holder gave back and another CPU took since is that CPU's. */
static void claim_failed(uint64_t pfn, unsigned order, uint32_t seen, uint32_t cpu)
{
	struct meta_slot *s = mm_slot(pfn);
	bool ours = false;

	shared_inc(&mm_shared.corruptions);
	struct mm_diag d = { ALLOC_ERROR_CORRUPTED, (uint8_t)order, pfn << PAGE_SHIFT, seen,
			     "frame_alloc_options_allocate",
			     "claim CAS failed: refcount was not REFCOUNT_UNUSED; frame poisoned" };
	mm_env_diag(&d);
	if (order > 0) {
		buddy_lock();
		ours = slot_is_allocated_head(s) && meta_slot_get_order(s) == order &&
		       (meta_slot_meta_aux_load(s) & 0xffff) == (cpu & 0xffff);
		if (ours) {
			if (!(slot_mark_poisoned(s) & META_GUARD_POISONED))
				shared_inc(&mm_shared.poisoned);
			/* the guard is POISONED: the split quarantines the head (taken ->
			 * loose -> quarantined) and frees the healthy parts */
			buddy_free_checked_locked(pfn, order, FRAME_META_LINK_NONE);
		}
		buddy_unlock();
	}
	/* order 0, or the holder gave the block back before we got the lock:
	 * poison it wherever it is now (allocated, cached or free) */
	if (!ours && frame_mark_poisoned(pfn << PAGE_SHIFT) != ALLOC_ERROR_NONE)
		mm_die("frame_alloc_options_allocate", "cannot poison a frame the allocator took",
		       pfn << PAGE_SHIFT, seen);
}

/* Poisoned between our take and our claim: we own it, so quarantine it (and
 * give back the healthy rest of the block). */
static void unclaim_poisoned(uint64_t pfn, unsigned order)
{
	buddy_lock();
	slot_disown(mm_slot(pfn));
	buddy_free_checked_locked(pfn, order, FRAME_META_LINK_NONE);
	buddy_unlock();
}

/* The general path: any order, any CPU, refills, retries after corruption. */
static __attribute__((noinline)) enum alloc_error allocate_slow(const struct frame_alloc_options *o,
								struct phys_frame *out)
{
	static const char op[] = "frame_alloc_options_allocate";
	unsigned order = o->order;
	bool drained = false;

	if (order > MAX_ORDER) {
		mm_report(ALLOC_ERROR_INVALID_ORDER, op, "order > MAX_ORDER", MM_DIAG_NO_PHYS, 0, order);
		return ALLOC_ERROR_INVALID_ORDER;
	}
	if (!mm_meta_base) {
		mm_report(ALLOC_ERROR_NOT_INITIALIZED, op, "metadata array not initialised",
			  MM_DIAG_NO_PHYS, (uint8_t)order, 0);
		return ALLOC_ERROR_NOT_INITIALIZED;
	}
	for (;;) {
		struct mm_irq_token tok = mm_env_irq_save();
		uint32_t cpu = tok.cpu;
		bool cached = order == 0 && cpu < MM_MAX_CPUS;
		uint64_t pfn = cached ? take_cached(&pcpu_caches[cpu], cpu, o->purpose_flags)
				      : take_buddy(order, cpu, o->purpose_flags);

		if (pfn == FRAME_META_LINK_NONE) {
			mm_env_irq_restore(tok);
			if (drained)
				return ALLOC_ERROR_OUT_OF_MEMORY; /* normal condition: no diag */
			/* other CPUs' caches may hold what we need (and fragment the buddy) */
			pcpu_cache_drain_all();
			drained = true;
			continue;
		}
		uint32_t seen = 0; /* written only when held */
		enum slot_claim claim = slot_claim(mm_slot(pfn), &seen);

		if (claim != SLOT_CLAIMED) {
			if (claim == SLOT_CLAIM_HELD)
				claim_failed(pfn, order, seen, cpu);
			else
				unclaim_poisoned(pfn, order);
			mm_env_irq_restore(tok);
			continue;
		}
		if (cpu < MM_MAX_CPUS)
			ctr_inc(cached ? &pcpu_caches[cpu].ctr.cache_allocs : &pcpu_caches[cpu].ctr.buddy_allocs);
		else
			shared_inc(&mm_shared.allocs);
		mm_env_irq_restore(tok);
		if (must_zero(o))
			__builtin_memset(mm_env_phys_to_virt(pfn << PAGE_SHIFT), 0, PAGE_SIZE << order);
		out->start_address = pfn << PAGE_SHIFT;
		return ALLOC_ERROR_NONE;
	}
}

/* Every way out of the fast path but success: one tail call (six register
 * arguments at most, so it stays a jump), and the fast path keeps nothing
 * alive across a call of its own. `claim_seen` is the slot_claim result
 * << 32 | the refcount it saw; EXIT_PLAIN: no claim made, nothing to undo. */
#define EXIT_PLAIN ((uint64_t)SLOT_CLAIMED << 32)

static __attribute__((noinline)) enum alloc_error
fast_exit(const struct frame_alloc_options *o, struct phys_frame *out, struct mm_irq_token tok,
	  uint64_t claim_seen, uint64_t pfn)
{
	enum slot_claim claim = (enum slot_claim)(claim_seen >> 32);
	uint32_t seen = (uint32_t)claim_seen;

	if (claim == SLOT_CLAIM_HELD)
		claim_failed(pfn, 0, seen, 0); /* order 0: no block to give back, no CPU to compare */
	else if (claim == SLOT_CLAIM_POISONED)
		unclaim_poisoned(pfn, 0);
	mm_env_irq_restore(tok);
	return allocate_slow(o, out);
}

static __attribute__((noinline)) enum alloc_error zero_frame(uint64_t phys)
{
	__builtin_memset(mm_env_phys_to_virt(phys), 0, PAGE_SIZE);
	return ALLOC_ERROR_NONE;
}

/* The fast path: order 0, a clean frame on top of this CPU's cache. One
 * locked exchange for the cache lock, one CAS on the frame's own slot, plain
 * stores otherwise; anything unusual leaves through fast_exit. */
enum alloc_error frame_alloc_options_allocate(const struct frame_alloc_options *o,
					      struct phys_frame *out)
{
	if (__builtin_expect(o->order != 0, 0))
		return allocate_slow(o, out);
	struct mm_irq_token tok = mm_env_irq_save();
	uint32_t seen = 0; /* written only when held */

	if (__builtin_expect(tok.cpu >= MM_MAX_CPUS || !mm_meta_base, 0))
		return fast_exit(o, out, tok, EXIT_PLAIN, 0);
	struct pcpu_cache *c = &pcpu_caches[tok.cpu];

	if (__builtin_expect(!pcpu_trylock(c), 0))
		return fast_exit(o, out, tok, EXIT_PLAIN, 0);
	unsigned n = pcpu_count(c);
	uint64_t pfn = c->pfn[n ? n - 1 : 0];
	struct meta_slot *s = mm_slot(pfn);

	if (__builtin_expect(!n || meta_slot_get_guard(s), 0)) {
		pcpu_unlock(c);
		return fast_exit(o, out, tok, EXIT_PLAIN, 0);
	}
	pcpu_set_count(c, n - 1);
	slot_take(s, 0, tok.cpu, o->purpose_flags);
	pcpu_unlock(c);
	enum slot_claim claim = slot_claim(s, &seen);

	if (__builtin_expect(claim != SLOT_CLAIMED, 0))
		return fast_exit(o, out, tok, (uint64_t)claim << 32 | seen, pfn);
	ctr_inc(&c->ctr.cache_allocs);
	out->start_address = pfn << PAGE_SHIFT;
	mm_env_irq_restore(tok);
	return must_zero_word(o) ? zero_frame(pfn << PAGE_SHIFT) : ALLOC_ERROR_NONE;
}

/* ------------------------------------------------------------------ trait */

static enum alloc_error metaslot_alloc(struct frame_allocator *self, uint8_t order,
				       struct phys_frame *out)
{
	struct frame_alloc_options o =
		self->state ? *(const struct frame_alloc_options *)self->state : frame_alloc_options_new();

	o.order = order;
	return frame_alloc_options_allocate(&o, out);
}

static enum alloc_error metaslot_free(struct frame_allocator *self, struct phys_frame frame,
				      uint8_t order)
{
	(void)self;
	return frame_free(frame.start_address, order);
}

void frame_allocator_metaslot(struct frame_allocator *fa, const struct frame_alloc_options *tmpl)
{
	fa->alloc = metaslot_alloc;
	fa->free = metaslot_free;
	fa->state = (void *)(uintptr_t)tmpl;
}

struct frame_allocator metaslot_frame_allocator = { metaslot_alloc, metaslot_free, NULL };
