/* References and freeing: frame_free, frame_inc_ref, frame_dec_ref, and the
 * release of a block whose last reference dropped. The fast path and the
 * general path make the same transitions (mm/slot_state.h).
 *
 * Dropping a reference is slot_put_ref; the last one leaves the head
 * releasing. Releasing a block (mm_release_block), in order:
 *   1. the head's vtable: on_last_ref(head) once, then on_unmap(page) for each
 *      page; no lock held (bad vtable bits resolve to the default: no hooks);
 *   2. slot_end_epoch on the head (default vtable, guard keeps POISONED);
 *   3. order 0 on a CPU with a cache, under the cache lock: slot_make_cached
 *      and push (drain a batch at the high watermark), or quarantine if
 *      poisoned; otherwise, under the buddy lock: a head that is no longer
 *      an ALLOCATED head of this order (a failed claim quarantined it and
 *      gave the block back) is reported and left alone; else slot_disown, then a head
 *      with a sticky guard bit (POISONED, BLOCK_POISONED) is split so only
 *      poisoned frames are quarantined, any other block is merged into the
 *      free lists. */
#include <mm/internal.h>

/* Validates (phys, order) as a block address; the first error found. */
static enum alloc_error check_block(const char *op, uint64_t phys, unsigned order)
{
	if (order > MAX_ORDER) {
		mm_report(ALLOC_ERROR_INVALID_ORDER, op, "order > MAX_ORDER", phys, 0, order);
		return ALLOC_ERROR_INVALID_ORDER;
	}
	if (phys & ((PAGE_SIZE << order) - 1)) {
		mm_report(ALLOC_ERROR_INVALID_ADDRESS, op, "address not aligned to the block size",
			  phys, (uint8_t)order, 0);
		return ALLOC_ERROR_INVALID_ADDRESS;
	}
	if (!mm_meta_base) {
		mm_report(ALLOC_ERROR_NOT_INITIALIZED, op, "metadata array not initialised", phys,
			  (uint8_t)order, 0);
		return ALLOC_ERROR_NOT_INITIALIZED;
	}
	uint64_t pfn = phys >> PAGE_SHIFT;

	if (pfn >= mm_meta_frames || mm_meta_frames - pfn < (1ull << order)) {
		mm_report(ALLOC_ERROR_OUT_OF_RANGE, op, "block beyond the metadata array", phys,
			  (uint8_t)order, mm_meta_frames);
		return ALLOC_ERROR_OUT_OF_RANGE;
	}
	return ALLOC_ERROR_NONE;
}

static __attribute__((noinline, cold)) void run_hooks(uint64_t pfn, unsigned order)
{
	const struct frame_meta_vtable *vt = meta_slot_vtable_ref(mm_slot(pfn));

	invoke_vtable_on_last_ref(pfn << PAGE_SHIFT);
	if (vt->on_unmap)
		for (uint64_t i = 0; i < (1ull << order); i++)
			vt->on_unmap((pfn + i) << PAGE_SHIFT);
}

void mm_release_block(uint64_t pfn, unsigned order)
{
	struct meta_slot *s = mm_slot(pfn);

	if (__builtin_expect(meta_slot_vtable_bits(s) != 0, 0))
		run_hooks(pfn, order);
	struct mm_irq_token tok = mm_env_irq_save();
	uint32_t cpu = tok.cpu;

	if (order == 0 && cpu < MM_MAX_CPUS) {
		struct pcpu_cache *c = &pcpu_caches[cpu];

		pcpu_lock(c);
		slot_end_epoch(s);
		if (__builtin_expect(meta_slot_is_guard_poisoned(s), 0)) {
			mm_quarantine(pfn);
		} else {
			unsigned n = pcpu_count(c);

			slot_make_cached(s);
			c->pfn[n++] = pfn;
			pcpu_set_count(c, n);
			if (__builtin_expect(n == MM_PCPU_HIGH, 0))
				pcpu_drain_locked(c, MM_PCPU_BATCH);
		}
		ctr_inc(&c->ctr.frees);
		pcpu_unlock(c);
	} else {
		buddy_lock();
		if (__builtin_expect(!slot_is_allocated_head(s) || meta_slot_get_order(s) != order, 0)) {
			/* a failed claim quarantined this head after our last-reference
			 * CAS won (claim_failed): its block is back already */
			buddy_unlock();
			mm_env_irq_restore(tok);
			shared_inc(&mm_shared.corruptions);
			struct mm_diag d = { ALLOC_ERROR_CORRUPTED, (uint8_t)order, pfn << PAGE_SHIFT,
					     mm_flags(s), "mm_release_block",
					     "released block no longer heads an allocated block; not freed again" };
			mm_env_diag(&d);
			return;
		}
		/* read before slot_end_epoch: it clears BLOCK_POISONED */
		uint32_t g = meta_slot_get_guard(s);

		slot_end_epoch(s);
		slot_disown(s);
		if (g & META_GUARD_STICKY)
			buddy_free_checked_locked(pfn, order, FRAME_META_LINK_NONE);
		else
			buddy_free_locked(pfn, order);
		buddy_unlock();
		if (cpu < MM_MAX_CPUS)
			ctr_inc(&pcpu_caches[cpu].ctr.frees);
		else
			shared_inc(&mm_shared.frees);
	}
	mm_env_irq_restore(tok);
}

/* Drops one reference of the allocated head pfn; want_order < 0: any order. */
static enum alloc_error put_ref(const char *op, uint64_t pfn, int want_order)
{
	struct meta_slot *s = mm_slot(pfn);
	/* relaxed: only a first guess for the CAS below */
	uint32_t r = atomic_load_explicit(&s->refcount, memory_order_relaxed);
	unsigned order;

	for (;;) {
		if (__builtin_expect(r == 0 || r == REFCOUNT_UNUSED || !slot_is_allocated_head(s), 0)) {
			mm_report(ALLOC_ERROR_DOUBLE_FREE, op,
				  "not the head of an allocated block (no ALLOCATED bit, or refcount 0 "
				  "or REFCOUNT_UNUSED)",
				  pfn << PAGE_SHIFT, want_order < 0 ? 0 : (uint8_t)want_order, r);
			return ALLOC_ERROR_DOUBLE_FREE;
		}
		order = meta_slot_get_order(s);
		if (__builtin_expect(want_order >= 0 && order != (unsigned)want_order, 0)) {
			mm_report(ALLOC_ERROR_WRONG_ORDER, op, "order differs from the allocation's",
				  pfn << PAGE_SHIFT, (uint8_t)want_order, order);
			return ALLOC_ERROR_WRONG_ORDER;
		}
		if (__builtin_expect(slot_put_ref(s, &r), 1))
			break; /* r is the count before: 1 was the last reference */
	}
	if (r == 1)
		mm_release_block(pfn, order);
	return ALLOC_ERROR_NONE;
}

/* The fast path of frame_free / frame_dec_ref: a clean order-0 frame with
 * one reference and the default vtable goes onto this CPU's cache. Returns
 * false (having changed nothing) when the general path must decide. */
static inline __attribute__((always_inline)) bool free_fast(uint64_t phys)
{
	uint64_t pfn = phys >> PAGE_SHIFT;

	if (__builtin_expect((phys & (PAGE_SIZE - 1)) || pfn >= mm_meta_frames, 0))
		return false;
	struct meta_slot *s = mm_slot(pfn);
	uint32_t one = 1;

	if (meta_slot_get_order(s) != 0 || !slot_is_allocated_head(s))
		return false; /* a larger block, a wrong-order free, a stray count: put_ref decides */
	/* vtable 0 and guard 0: no hooks to run, and slot_end_epoch would change
	 * nothing (releasing is released); anything else takes the general path */
	if (meta_slot_get_guard(s) | meta_slot_vtable_bits(s))
		return false;
	if (!slot_put_ref(s, &one))
		return false; /* shared, or not allocated: put_ref decides */
	struct mm_irq_token tok = mm_env_irq_save();

	if (__builtin_expect(tok.cpu < MM_MAX_CPUS, 1)) {
		struct pcpu_cache *c = &pcpu_caches[tok.cpu];

		if (__builtin_expect(!pcpu_trylock(c), 0))
			goto general;
		unsigned n = pcpu_count(c);

		/* re-read under the cache lock: frame_mark_poisoned may have run since */
		if (__builtin_expect(n < MM_PCPU_HIGH - 1 && !meta_slot_get_guard(s), 1)) {
			slot_make_cached(s);
			c->pfn[n] = pfn;
			pcpu_set_count(c, n + 1);
			ctr_inc(&c->ctr.frees);
			pcpu_unlock(c);
			mm_env_irq_restore(tok);
			return true;
		}
		pcpu_unlock(c);
	}
general:
	mm_env_irq_restore(tok);
	mm_release_block(pfn, 0); /* refcount is 0: the general release (drain, quarantine) */
	return true;
}

/* The general path: validation, shared blocks, larger orders, hooks, poison. */
static __attribute__((noinline)) enum alloc_error free_slow(const char *op, uint64_t phys,
							    int want_order)
{
	enum alloc_error e = check_block(op, phys, want_order < 0 ? 0 : (unsigned)want_order);

	return e ? e : put_ref(op, phys >> PAGE_SHIFT, want_order);
}

enum alloc_error frame_free(uint64_t phys, uint8_t order)
{
	if (order == 0 && free_fast(phys))
		return ALLOC_ERROR_NONE;
	return free_slow("frame_free", phys, order);
}

enum alloc_error frame_dec_ref(uint64_t phys)
{
	if (free_fast(phys))
		return ALLOC_ERROR_NONE;
	return free_slow("frame_dec_ref", phys, -1);
}

enum alloc_error frame_inc_ref(uint64_t phys)
{
	static const char op[] = "frame_inc_ref";
	enum alloc_error e = check_block(op, phys, 0);

	if (e)
		return e;
	struct meta_slot *s = mm_slot(phys >> PAGE_SHIFT);
	uint32_t r = atomic_load_explicit(&s->refcount, memory_order_relaxed);

	do {
		if (r == 0 || r == REFCOUNT_UNUSED || !slot_is_allocated_head(s)) {
			mm_report(ALLOC_ERROR_NOT_ALLOCATED, op, "not the head of an allocated block",
				  phys, 0, r);
			return ALLOC_ERROR_NOT_ALLOCATED;
		}
		if (r == REFCOUNT_UNUSED - 1) {
			mm_report(ALLOC_ERROR_REFCOUNT_OVERFLOW, op, "refcount would reach REFCOUNT_UNUSED",
				  phys, 0, r);
			return ALLOC_ERROR_REFCOUNT_OVERFLOW;
		}
	} while (!slot_add_ref(s, &r));
	return ALLOC_ERROR_NONE;
}
