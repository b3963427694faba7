/* The allocator's slot states and the one function that enters each. A
 * slot's allocator state is its flags' ALLOCATED / FREE / POISONED bits, its
 * refcount, its order and, on a free head, its free_link; only the functions
 * below write them, on the order-0 fast paths and on the general paths alike,
 * so a change to what a state means is made here. The callers own the rest:
 * the locking, the caches' pfn[] arrays, the free lists' heads and the
 * neighbours' links (buddy_check also borrows a cached frame's next as a
 * "seen" mark and puts it back).
 *
 * state        flags              refcount  order  entered by
 * unmanaged    0                  0         0      meta_slot_new (init_metadata_array)
 * loose        0                  UNUSED    stale  slot_adopt, slot_unlink_free, slot_clear_head
 * free         FREE               UNUSED    k      slot_make_free
 * cached       0                  UNUSED    stale  slot_make_cached; a refill moves loose frames in
 * taken        ALLOCATED|purpose  UNUSED    k      slot_take, slot_disown
 * claimed      ALLOCATED|purpose  r >= 1    k      slot_claim (r = 1); slot_add_ref, slot_put_ref
 * releasing    ALLOCATED|purpose  0         k      slot_put_ref (from r = 1)
 * released     ALLOCATED|purpose  0         k      slot_end_epoch
 * quarantined  POISONED           UNUSED    0      slot_quarantine (mm_quarantine counts it)
 *
 * unmanaged    never given to buddy_add_range.
 * loose        a tail of a block, or a head off the lists in the lock owner's hands.
 * free         heads a free block of order k; free_link: its place on list k.
 * cached       in exactly one cache's pfn[]; otherwise the same fields as loose.
 * taken        heads an allocated block nobody holds yet (or any more): the lock
 *              owner's. meta_aux low 16 bits: the CPU that took it.
 * claimed      held by r references. An epoch: generation + 1, default vtable,
 *              non-sticky guard bits cleared.
 * releasing    the last reference is gone; the vtable's hooks run now, no lock held.
 * released     the epoch is over: default vtable, guard POISONED or nothing.
 * quarantined  bad for good: on no list, in no cache; guard POISONED.
 *
 * The paths as chains (-x-> is slot_x):
 *   add range    unmanaged -adopt-> loose -make_free-> free
 *   merge        a free buddy -unlink_free-> loose (a tail of the merged block)
 *   buddy alloc  free -unlink_free-> loose (split halves -make_free-> free) -take-> taken
 *                -claim-> claimed
 *   refill       free -unlink_free-> loose, into a cache's pfn[]: cached
 *   cache alloc  cached -take-> taken -claim-> claimed
 *   cache free   claimed -put_ref-> releasing -end_epoch-> released -make_cached-> cached
 *                (the order-0 fast path skips end_epoch: vtable 0 and guard 0 make
 *                releasing and released the same)
 *   buddy free   claimed -put_ref-> releasing -end_epoch-> released -disown-> taken
 *                -clear_head-> loose -make_free-> free (merging)
 *   drain        cached -clear_head-> loose -make_free-> free (merging)
 *   poisoned     claimed, never handed out -disown-> taken, then split:
 *   split        a block holding poisoned frames (buddy_free_checked_locked): head
 *                -clear_head-> loose, each poisoned frame -quarantine-> quarantined,
 *                each clean part -make_free-> free
 *   quarantine   also a poisoned frame popped or drained from a cache (cached), or
 *                released onto one (released)
 *
 * Poison is a mark, not a state: slot_mark_poisoned sets META_GUARD_POISONED
 * and FRAME_FLAGS_POISONED in any state, and whoever next owns the frame
 * (a pop, a drain, a release, the split of a free block) quarantines it.
 * A failed claim (the CAS found a holder) marks the frame. Order 0: it stays
 * an ALLOCATED head with the holder's count, and the holder's free
 * quarantines it. Order > 0: the head is quarantined at once (taken -> loose
 * -> quarantined, the holder's count dropped) as the healthy rest goes back.
 * That and a release to the buddy each re-check, under the buddy lock, that
 * the head is still an ALLOCATED head of its order (the failed claim: taken
 * by this CPU, per the owner hint): when the holder's last reference races
 * the failed claim, whichever comes second frees nothing.
 *
 * A refcount is a holder's only on a head carrying ALLOCATED
 * (slot_is_allocated_head): frame_free, frame_dec_ref and frame_inc_ref
 * refuse any other slot whatever its refcount, so a stray count (on a free
 * head, a cached frame, a tail, a quarantined frame) can never release frames
 * that are already free. */
#ifndef METASLOT_MM_SLOT_STATE_H
#define METASLOT_MM_SLOT_STATE_H

#include <mm/frame.h>

/* ------------------------------------------------------------------ the state word */

static inline uint32_t mm_flags(struct meta_slot *s)
{
	/* relaxed: allocator state is read under the lock that orders it */
	return atomic_load_explicit(&s->flags, memory_order_relaxed);
}

/* Replaces the whole flags word; only the transitions below call it. release:
 * the slot's other fields, written first, are visible to whoever sees the state. */
static inline void mm_set_state(struct meta_slot *s, uint32_t flags)
{
	atomic_store_explicit(&s->flags, flags, memory_order_release);
}

/* ------------------------------------------------------------------ buddy: loose and free */

/* unmanaged -> loose (buddy_add_range, buddy lock): managed from now on. A
 * frame marked before it was managed keeps FRAME_FLAGS_POISONED; the caller's
 * buddy_free_checked_locked then quarantines it. */
static inline void slot_adopt(struct meta_slot *s)
{
	meta_slot_set_refcount(s, REFCOUNT_UNUSED);
	meta_slot_set_order(s, 0);
	mm_set_state(s, meta_slot_is_guard_poisoned(s) ? FRAME_FLAGS_POISONED : 0);
}

/* loose -> free (buddy lock): heads a free block of `order`, in front of
 * `next` on list `order` (the caller links the list's side). */
static inline void slot_make_free(struct meta_slot *s, unsigned order, uint64_t next)
{
	meta_slot_set_prev(s, FRAME_META_LINK_NONE);
	meta_slot_set_next(s, next);
	meta_slot_set_order(s, (uint8_t)order);
	mm_set_state(s, FRAME_FLAGS_FREE);
}

/* Any head the caller owns (taken, released, a cached frame, a block being
 * split) -> loose (buddy lock): no longer heads a block, so never a merge
 * candidate; the order is stale from now on. */
static inline void slot_clear_head(struct meta_slot *s)
{
	mm_set_state(s, 0);
}

/* free -> loose (buddy lock): off its list (the caller unlinks the list's side). */
static inline void slot_unlink_free(struct meta_slot *s)
{
	meta_slot_set_next(s, FRAME_META_LINK_NONE);
	meta_slot_set_prev(s, FRAME_META_LINK_NONE);
	slot_clear_head(s);
}

/* ------------------------------------------------------------------ allocation */

/* meta_aux low 16 bits: owner CPU hint. */
static inline void mm_set_owner_hint(struct meta_slot *s, uint32_t cpu)
{
	uint32_t aux = meta_slot_meta_aux_load(s);

	meta_slot_meta_aux_store(s, (aux & 0xffff0000u) | (cpu & 0xffffu));
}

/* loose (off the lists) or cached (popped) -> taken, under the lock it came
 * from: heads an allocated block of `order` (a cached frame's order was
 * stale), taken by `cpu`, with the purpose's owner bits. No holder yet. */
static inline void slot_take(struct meta_slot *s, unsigned order, uint32_t cpu,
			     uint32_t purpose_flags)
{
	meta_slot_set_order(s, (uint8_t)order);
	mm_set_owner_hint(s, cpu);
	mm_set_state(s, FRAME_FLAGS_ALLOCATED | (purpose_flags & ~FRAME_FLAGS_ALLOCATOR_MASK));
}

enum slot_claim {
	SLOT_CLAIMED,        /* claimed: ours, a new epoch */
	SLOT_CLAIM_HELD,     /* refcount was *seen, not REFCOUNT_UNUSED: someone holds it */
	SLOT_CLAIM_POISONED, /* claimed, but poisoned since the take: slot_disown it */
};

/* taken -> claimed (no lock needed: the CAS decides): CAS(REFCOUNT_UNUSED ->
 * 1), then a new epoch (default vtable, non-sticky guard bits cleared,
 * generation + 1), then the poison re-check (frame_mark_poisoned may have run
 * since the take). Orderings: meta_slot_cas_refcount's and
 * note_new_allocation_epoch's. *seen is written for SLOT_CLAIM_HELD only (so
 * the fast path keeps no register alive for it across the epoch). */
static inline enum slot_claim slot_claim(struct meta_slot *s, uint32_t *seen)
{
	uint32_t r;

	if (__builtin_expect(!meta_slot_cas_refcount(s, REFCOUNT_UNUSED, 1, &r), 0)) {
		*seen = r;
		return SLOT_CLAIM_HELD;
	}
	if (__builtin_expect(meta_slot_note_new_allocation_epoch(s) & META_GUARD_POISONED, 0))
		return SLOT_CLAIM_POISONED;
	return SLOT_CLAIMED;
}

/* ------------------------------------------------------------------ references and release */

/* Heads an allocated block (taken, claimed, releasing or released): the
 * only slots whose refcount belongs to holders. Relaxed: a first check
 * before the CAS on the count, which decides. */
static inline bool slot_is_allocated_head(struct meta_slot *s)
{
	return mm_flags(s) & FRAME_FLAGS_ALLOCATED;
}

/* claimed: r -> r + 1 if the refcount is still *r (else *r gets what it is,
 * or the CAS failed spuriously: the caller loops). */
static inline bool slot_add_ref(struct meta_slot *s, uint32_t *r)
{
	/* relaxed: a new reference is made from one the caller holds (Arc::clone) */
	return atomic_compare_exchange_weak_explicit(&s->refcount, r, *r + 1, memory_order_relaxed,
						     memory_order_relaxed);
}

/* claimed: r -> r - 1 if the refcount is still *r (else *r gets what it is);
 * *r == 1 is the last reference: claimed -> releasing, the caller releases.
 * Strong: the order-0 free fast path tries once. */
static inline bool slot_put_ref(struct meta_slot *s, uint32_t *r)
{
	/* acq_rel: release this holder's uses of the block; the last one also
	 * acquires every other holder's before giving it back (one lock cmpxchg
	 * either way on x86). Relaxed on failure: the caller decides again */
	return atomic_compare_exchange_strong_explicit(&s->refcount, r, *r - 1, memory_order_acq_rel,
						       memory_order_relaxed);
}

/* releasing -> released, once the hooks have run, under the lock the block
 * goes back under: the epoch is over, default vtable, guard bits cleared but
 * POISONED (a concurrent mark is kept: the guard changes by CAS). It clears
 * BLOCK_POISONED: read the guard first if it matters. */
static inline void slot_end_epoch(struct meta_slot *s)
{
	meta_slot_reset_with_free_list_meta(s);
}

/* released or claimed (a poisoned frame never handed out) -> taken, under the
 * buddy lock: no holder any more; the lock owner gives the block back. */
static inline void slot_disown(struct meta_slot *s)
{
	meta_slot_set_refcount(s, REFCOUNT_UNUSED);
}

/* released (or releasing with vtable 0 and guard 0: the same fields) ->
 * cached, under the cache's lock (the caller pushes pfn): no holder, no head
 * bits, never a merge candidate. */
static inline void slot_make_cached(struct meta_slot *s)
{
	slot_disown(s);
	slot_clear_head(s);
}

/* ------------------------------------------------------------------ poison */

/* Any state: marks the frame bad for good (what meta_slot_mark_poisoned
 * writes); returns the guard bits before, so a caller counts only new marks. */
static inline uint32_t slot_mark_poisoned(struct meta_slot *s)
{
	uint32_t g = meta_slot_fetch_or_guard(s, META_GUARD_POISONED);

	/* acq_rel RMW as meta_slot_mark_poisoned: a concurrent set_flags cannot undo it */
	atomic_fetch_or_explicit(&s->flags, FRAME_FLAGS_POISONED, memory_order_acq_rel);
	return g;
}

/* An allocated head one of whose tails is marked: its release splits the
 * block (reads one guard, not 2^order). Sticky until the release. */
static inline void slot_mark_block_poisoned(struct meta_slot *s)
{
	meta_slot_fetch_or_guard(s, META_GUARD_BLOCK_POISONED);
}

/* cached, loose, taken or released -> quarantined, under the buddy lock or
 * the lock of the cache it was in (so buddy_check, which holds both, never
 * sees it half-way): out of circulation for good. mm_quarantine counts it. */
static inline void slot_quarantine(struct meta_slot *s)
{
	meta_slot_fetch_or_guard(s, META_GUARD_POISONED);
	meta_slot_set_order(s, 0);
	meta_slot_set_refcount(s, REFCOUNT_UNUSED);
	mm_set_state(s, FRAME_FLAGS_POISONED);
}

#endif
