/* Tests for mm/alloc_options.c and mm/release.c: options, zeroing, purpose,
 * the claiming CAS and epoch, corruption handling, the FrameAllocator table,
 * frame_free / inc_ref / dec_ref, vtable hooks, and every bad-input case. */
#include "mm/mm_test.h"

static int setup(void **st)
{
	(void)st;
	host_env_set_panic_hook(mm_test_panic_hook);
	host_env_set_cpu(0);
	return 0;
}

static void test_options_builders(void **st)
{
	(void)st;
	struct frame_alloc_options o = frame_alloc_options_new();

	assert_true(o.zeroed);
	assert_int_equal(o.order, 0);
	assert_int_equal(o.purpose_flags, FRAME_FLAGS_KERNEL);
	o = frame_alloc_options_zeroed(o, false);
	assert_false(o.zeroed);
	o = frame_alloc_options_purpose(o, FRAME_PURPOSE_PAGE_TABLE);
	assert_true(o.zeroed); /* page tables are always zeroed */
	o = frame_alloc_options_zeroed(o, false);
	assert_true(o.zeroed); /* ... even when asked not to afterwards */
	o = frame_alloc_options_purpose(frame_alloc_options_new(), FRAME_PURPOSE_USER_DATA);
	assert_int_equal(o.purpose_flags, FRAME_FLAGS_USER);
	o = frame_alloc_options_custom(o, FRAME_FLAGS_COW | FRAME_FLAGS_FREE | FRAME_FLAGS_ALLOCATED);
	assert_int_equal(o.purpose_flags, FRAME_FLAGS_COW); /* allocator bits dropped */
	o = frame_alloc_options_order(o, 7);
	assert_int_equal(o.order, 7);
	assert_true(frame_purpose_requires_zero(FRAME_PURPOSE_PAGE_TABLE));
	assert_false(frame_purpose_requires_zero(FRAME_PURPOSE_KERNEL_DATA));
}

static void test_allocate_stamps_slot(void **st)
{
	(void)st;
	mm_test_fresh(256, 0, 256 * PG);
	struct frame_alloc_options o = frame_alloc_options_purpose(frame_alloc_options_new(),
								   FRAME_PURPOSE_PAGE_TABLE);
	struct phys_frame f;

	assert_int_equal(frame_alloc_options_allocate(&o, &f), ALLOC_ERROR_NONE);
	struct meta_slot *s = get_meta_slot(f.start_address);

	assert_int_equal(meta_slot_get_refcount(s), 1);
	assert_int_equal(meta_slot_generation(s), 1);
	assert_int_equal(meta_slot_get_flags(s),
			 FRAME_FLAGS_ALLOCATED | FRAME_FLAGS_KERNEL | FRAME_FLAGS_PAGE_TABLE);
	assert_int_equal(meta_slot_meta_aux_load(s) & 0xffff, 0); /* owner CPU hint */
	assert_int_equal(frame_state(f.start_address), FRAME_STATE_ALLOCATED);
	mm_test_free(f.start_address, 0);
	assert_int_equal(frame_state(f.start_address), FRAME_STATE_FREE);
	assert_int_equal(meta_slot_get_refcount(s), REFCOUNT_UNUSED);
	assert_mm_consistent();
}

static void test_zeroing(void **st)
{
	(void)st;
	mm_test_fresh(256, 0, 256 * PG);
	for (unsigned order = 0; order <= 3; order += 3) {
		uint64_t p = mm_test_alloc(order);
		uint8_t *v = host_env_arena() + p;

		memset(v, 0xee, PG << order);
		mm_test_free(p, order);
		/* not zeroed: the payload is left alone (and nothing of ours is in it) */
		uint64_t q = mm_test_alloc(order);

		assert_int_equal(q, p);
		for (uint64_t i = 0; i < (PG << order); i++)
			if (host_env_arena()[q + i] != 0xee)
				fail_msg("payload changed at %llu: metadata written into a frame?",
					 (unsigned long long)i);
		mm_test_free(q, order);
		struct frame_alloc_options o = frame_alloc_options_order(frame_alloc_options_new(),
									 (uint8_t)order);
		struct phys_frame f;

		assert_int_equal(frame_alloc_options_allocate(&o, &f), ALLOC_ERROR_NONE);
		assert_int_equal(f.start_address, p);
		for (uint64_t i = 0; i < (PG << order); i++)
			if (v[i] != 0)
				fail_msg("byte %llu not zeroed", (unsigned long long)i);
		mm_test_free(f.start_address, order);
	}
	assert_mm_consistent();
}

/* Page-table frames are zeroed even when the caller cleared `zeroed` in the
 * options by hand (the builders never let it be false for them): on the
 * order-0 fast path (a dirty frame on top of this CPU's cache), on the
 * general path at order 0 (a CPU without a cache) and at order 3. */
static void page_table_alloc_is_zero(unsigned order, uint32_t cpu)
{
	/* every frame dirty, so whichever block comes out was written before */
	memset(host_env_arena(), 0xee, 256 * PG);
	host_env_set_cpu(cpu);
	struct frame_alloc_options o = frame_alloc_options_order(
		frame_alloc_options_purpose(frame_alloc_options_new(), FRAME_PURPOSE_PAGE_TABLE),
		(uint8_t)order);
	struct phys_frame f;

	o.zeroed = false;
	assert_int_equal(frame_alloc_options_allocate(&o, &f), ALLOC_ERROR_NONE);
	for (uint64_t i = 0; i < (PG << order); i++)
		if (host_env_arena()[f.start_address + i] != 0)
			fail_msg("page table (order %u, cpu %u): byte %llu not zeroed", order, cpu,
				 (unsigned long long)i);
	mm_test_free(f.start_address, order);
	host_env_set_cpu(0);
}

static void test_page_tables_always_zeroed(void **st)
{
	(void)st;
	mm_test_fresh(256, 0, 256 * PG);
	mm_test_free(mm_test_alloc(0), 0); /* this CPU's cache holds frames */
	page_table_alloc_is_zero(0, 0);   /* fast path */
	page_table_alloc_is_zero(0, 999); /* general path, order 0 */
	page_table_alloc_is_zero(3, 0);   /* general path, order 3 */
	/* ... and only they: a kernel-data frame with zeroed cleared is left alone */
	uint64_t p = mm_test_alloc(0);

	memset(host_env_arena() + p, 0xee, PG);
	mm_test_free(p, 0);
	assert_int_equal(mm_test_alloc(0), p);
	assert_int_equal(host_env_arena()[p + PG - 1], 0xee);
	mm_test_free(p, 0);
	assert_mm_consistent();
}

static void test_contiguous_high_order(void **st)
{
	(void)st;
	mm_test_fresh(2048, 3 * PG, 2048 * PG); /* unaligned start */
	uint64_t p = mm_test_alloc(9);

	assert_int_equal(p % (512 * PG), 0);
	assert_true(p >= 3 * PG);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(frame_state(p + i * PG), FRAME_STATE_ALLOCATED);
	/* tails are not heads: freeing or referencing one is refused */
	assert_int_equal(frame_free(p + PG, 0), ALLOC_ERROR_DOUBLE_FREE);
	assert_int_equal(frame_inc_ref(p + 8 * PG), ALLOC_ERROR_NOT_ALLOCATED);
	mm_test_free(p, 9);
	assert_mm_consistent();
}

static void test_allocate_errors(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	struct frame_alloc_options o = mm_test_opts(MAX_ORDER + 1, false);
	struct phys_frame f = { 0x777 };

	assert_int_equal(frame_alloc_options_allocate(&o, &f), ALLOC_ERROR_INVALID_ORDER);
	assert_int_equal(f.start_address, 0x777);
	assert_int_equal(host_env_last_diag().code, ALLOC_ERROR_INVALID_ORDER);
	o = mm_test_opts(7, false); /* 128 frames > 64 */
	assert_int_equal(frame_alloc_options_allocate(&o, &f), ALLOC_ERROR_OUT_OF_MEMORY);
	assert_mm_consistent();
}

/* Each bad free: the error, a diagnostic, and no change anywhere. */
static void bad_free(uint64_t phys, unsigned order, enum alloc_error want)
{
	struct mm_stats before = mm_test_stats(), after;
	unsigned diags = host_env_diag_count();

	assert_int_equal(frame_free(phys, (uint8_t)order), want);
	assert_int_equal(host_env_diag_count(), diags + 1);
	struct mm_diag d = host_env_last_diag();

	assert_int_equal(d.code, want);
	assert_string_equal(d.op, "frame_free");
	after = mm_test_stats();
	assert_int_equal(after.errors, before.errors + 1);
	after.errors = before.errors;
	assert_memory_equal(&before, &after, sizeof(before));
	assert_mm_consistent();
}

static void test_free_bad_input(void **st)
{
	(void)st;
	mm_test_fresh(256, 0, 256 * PG);
	uint64_t a = mm_test_alloc(0), b = mm_test_alloc(2);

	mm_test_free(a, 0);
	bad_free(a, 0, ALLOC_ERROR_DOUBLE_FREE);          /* double free (frame now cached) */
	bad_free(200 * PG, 0, ALLOC_ERROR_DOUBLE_FREE);   /* never allocated (in a free block) */
	bad_free(b + 1, 0, ALLOC_ERROR_INVALID_ADDRESS);  /* misaligned */
	bad_free(b + PG, 2, ALLOC_ERROR_INVALID_ADDRESS); /* not aligned to the order */
	bad_free(256 * PG, 0, ALLOC_ERROR_OUT_OF_RANGE);  /* beyond the array */
	bad_free(~0ull & ~(PG - 1), 0, ALLOC_ERROR_OUT_OF_RANGE);
	bad_free(0, 9, ALLOC_ERROR_OUT_OF_RANGE);         /* block runs past the array */
	bad_free(b, MAX_ORDER + 1, ALLOC_ERROR_INVALID_ORDER);
	bad_free(b, 1, ALLOC_ERROR_WRONG_ORDER);
	bad_free(b, 0, ALLOC_ERROR_WRONG_ORDER);
	bad_free(b + PG, 0, ALLOC_ERROR_DOUBLE_FREE);     /* a tail */
	assert_int_equal(host_env_last_diag().value, REFCOUNT_UNUSED);
	mm_test_free(b, 2);
	bad_free(b, 2, ALLOC_ERROR_DOUBLE_FREE);
	pcpu_cache_drain_all();
	assert_int_equal(mm_free_frames(), 256);
	assert_mm_consistent();
}

static void test_unmanaged_free(void **st)
{
	(void)st;
	mm_test_fresh(64, 32 * PG, 64 * PG); /* frames 0..31 are not RAM */
	bad_free(4 * PG, 0, ALLOC_ERROR_DOUBLE_FREE);
	assert_int_equal(host_env_last_diag().value, 0);
	assert_int_equal(frame_inc_ref(4 * PG), ALLOC_ERROR_NOT_ALLOCATED);
}

static void test_refcounts(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	uint64_t p = mm_test_alloc(1);

	assert_int_equal(frame_inc_ref(p), ALLOC_ERROR_NONE);
	assert_int_equal(frame_inc_ref(p), ALLOC_ERROR_NONE);
	assert_int_equal(meta_slot_get_refcount(get_meta_slot(p)), 3);
	assert_int_equal(frame_dec_ref(p), ALLOC_ERROR_NONE);
	mm_test_free(p, 1); /* drops one reference only */
	assert_int_equal(frame_state(p), FRAME_STATE_ALLOCATED);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.frees, 0);
	assert_int_equal(frame_dec_ref(p), ALLOC_ERROR_NONE); /* the last: released */
	assert_int_equal(frame_state(p), FRAME_STATE_FREE);
	assert_int_equal(mm_test_stats().frees, 1);
	assert_int_equal(frame_dec_ref(p), ALLOC_ERROR_DOUBLE_FREE);
	assert_int_equal(frame_inc_ref(p), ALLOC_ERROR_NOT_ALLOCATED);
	assert_int_equal(frame_inc_ref(p + 3), ALLOC_ERROR_INVALID_ADDRESS);
	assert_int_equal(frame_inc_ref(64 * PG), ALLOC_ERROR_OUT_OF_RANGE);
	assert_int_equal(frame_dec_ref(p + 3), ALLOC_ERROR_INVALID_ADDRESS);
	assert_int_equal(frame_dec_ref(64 * PG), ALLOC_ERROR_OUT_OF_RANGE);

	uint64_t q = mm_test_alloc(0);

	meta_slot_set_refcount(get_meta_slot(q), REFCOUNT_UNUSED - 1);
	assert_int_equal(frame_inc_ref(q), ALLOC_ERROR_REFCOUNT_OVERFLOW);
	meta_slot_set_refcount(get_meta_slot(q), 1);
	mm_test_free(q, 0);
	assert_mm_consistent();
}

static int last_ref_calls, unmap_calls;
static uint64_t last_ref_phys, unmap_sum;
static void on_last_ref(uint64_t phys)
{
	last_ref_calls++;
	last_ref_phys = phys;
	assert_int_equal(unmap_calls, 0); /* on_last_ref runs before any on_unmap */
}
static void on_unmap(uint64_t phys)
{
	unmap_calls++;
	unmap_sum += phys;
}
static const struct frame_meta_vtable hooks = { on_last_ref, on_unmap, { 0 } };

static void test_vtable_hooks_on_last_ref(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	assert_int_equal(frame_meta_vtable_register(&hooks), ALLOC_ERROR_NONE);
	uint64_t p = mm_test_alloc(3);

	meta_slot_set_vtable_bits(get_meta_slot(p), (uint64_t)(uintptr_t)&hooks);
	assert_int_equal(frame_inc_ref(p), ALLOC_ERROR_NONE);
	last_ref_calls = unmap_calls = 0;
	unmap_sum = 0;
	assert_int_equal(frame_dec_ref(p), ALLOC_ERROR_NONE);
	assert_int_equal(last_ref_calls, 0); /* not the last reference */
	mm_test_free(p, 3);
	assert_int_equal(last_ref_calls, 1);
	assert_int_equal(last_ref_phys, p);
	assert_int_equal(unmap_calls, 8);
	assert_int_equal(unmap_sum, 8 * p + (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7) * PG);
	assert_int_equal(meta_slot_vtable_bits(get_meta_slot(p)), 0); /* reset on free */

	/* invalid bits: the default vtable, no hooks, no crash */
	uint64_t q = mm_test_alloc(0);

	meta_slot_set_vtable_bits(get_meta_slot(q), (uint64_t)(uintptr_t)&hooks + 2);
	last_ref_calls = unmap_calls = 0;
	mm_test_free(q, 0);
	assert_int_equal(last_ref_calls + unmap_calls, 0);
	q = mm_test_alloc(0);
	meta_slot_set_vtable_bits(get_meta_slot(q), 0x4000); /* aligned, unregistered */
	mm_test_free(q, 0);
	assert_int_equal(last_ref_calls + unmap_calls, 0);
	/* a new epoch starts with the default vtable */
	q = mm_test_alloc(0);
	assert_int_equal(meta_slot_vtable_bits(get_meta_slot(q)), 0);
	mm_test_free(q, 0);
	assert_mm_consistent();
}

/* A stray holder claims the frame on top of this CPU's cache the way an
 * allocation would (the public claiming CAS); from there on, everything is
 * the allocator's doing: the next allocation finds it held, poisons and
 * reports it, takes another, and the holder's free quarantines it. */
static void test_claim_cas_failure(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	uint64_t victim = mm_test_alloc(0);
	uint32_t seen;

	mm_test_free(victim, 0);
	assert_true(meta_slot_cas_refcount(get_meta_slot(victim), REFCOUNT_UNUSED, 1, &seen));
	uint64_t got = mm_test_alloc(0);

	assert_int_not_equal(got, victim); /* never a silent alias */
	struct mm_diag d = host_env_last_diag();

	assert_int_equal(d.code, ALLOC_ERROR_CORRUPTED);
	assert_int_equal(d.phys, victim);
	assert_int_equal(d.value, 1);
	assert_true(meta_slot_is_guard_poisoned(get_meta_slot(victim)));
	assert_true(meta_slot_get_flags(get_meta_slot(victim)) & FRAME_FLAGS_POISONED);
	struct mm_stats s = mm_test_stats();

	assert_int_equal(s.corruptions, 1);
	assert_int_equal(s.poisoned, 1);
	assert_mm_consistent();
	/* the holder frees it: quarantined, never back in circulation */
	mm_test_free(victim, 0);
	assert_int_equal(mm_test_stats().quarantined_frames, 1);
	assert_int_equal(frame_state(victim), FRAME_STATE_POISONED);
	assert_int_equal(frame_free(victim, 0), ALLOC_ERROR_DOUBLE_FREE);
	mm_test_free(got, 0);
	assert_mm_consistent();
}

/* A stray holder takes the head of a free order-2 block the way an
 * allocation would (the public claiming CAS); the next order-2 allocation
 * finds it held. Everything after the stray claim is the allocator's own
 * doing: the head must leave circulation at once, its 3 healthy frames go
 * back, and nothing the holder then does with its reference can put a frame
 * on the lists twice. */
static void test_claim_cas_failure_high_order(void **st)
{
	(void)st;
	/* two order-2 blocks that cannot merge: [0, 4) and [32, 36) */
	mm_test_fresh(64, 0, 4 * PG);
	assert_int_equal(buddy_add_range(32 * PG, 36 * PG), ALLOC_ERROR_NONE);
	uint64_t h = mm_buddy.head[2], hp = h << PAGE_SHIFT;
	uint32_t seen;

	assert_true(meta_slot_cas_refcount(get_meta_slot(hp), REFCOUNT_UNUSED, 1, &seen));
	uint64_t other = mm_test_alloc(2);

	assert_int_not_equal(other, hp);
	assert_int_equal(host_env_last_diag().code, ALLOC_ERROR_CORRUPTED);
	assert_int_equal(host_env_last_diag().order, 2);
	assert_int_equal(host_env_last_diag().value, 1);
	/* the stolen head is quarantined, its 3 healthy frames are free again */
	assert_int_equal(mm_free_frames(), 3);
	assert_int_equal(mm_test_stats().quarantined_frames, 1);
	assert_int_equal(frame_state(hp), FRAME_STATE_POISONED);
	assert_mm_consistent();
	/* the holder drops its reference, by every call that could: all refused,
	 * nothing released, nothing listed twice */
	struct mm_stats before = mm_test_stats();

	assert_int_equal(frame_dec_ref(hp), ALLOC_ERROR_DOUBLE_FREE);
	assert_int_equal(frame_free(hp, 2), ALLOC_ERROR_DOUBLE_FREE);
	assert_int_equal(frame_free(hp, 0), ALLOC_ERROR_DOUBLE_FREE);
	assert_int_equal(frame_inc_ref(hp), ALLOC_ERROR_NOT_ALLOCATED);
	assert_int_equal(mm_free_frames(), 3);
	assert_int_equal(mm_test_stats().frees, before.frees);
	assert_mm_consistent();
	mm_test_free(other, 2);
	assert_int_equal(mm_free_frames(), 7);
	assert_int_equal(mm_test_stats().quarantined_frames, 1);
	assert_mm_consistent();
}

/* The same stray holder on another CPU, whose last-reference CAS won the
 * race with the failed claim's quarantine: its release (mm_release_block,
 * as put_ref calls it) arrives after the head was quarantined and the rest
 * freed. It must give nothing back a second time. */
static void test_claim_cas_failure_high_order_racing_release(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 4 * PG);
	assert_int_equal(buddy_add_range(32 * PG, 36 * PG), ALLOC_ERROR_NONE);
	uint64_t h = mm_buddy.head[2];
	uint32_t seen;

	assert_true(meta_slot_cas_refcount(mm_slot(h), REFCOUNT_UNUSED, 1, &seen));
	uint64_t other = mm_test_alloc(2);

	assert_int_equal(mm_free_frames(), 3);
	unsigned diags = host_env_diag_count();

	mm_release_block(h, 2);
	assert_int_equal(host_env_diag_count(), diags + 1);
	assert_int_equal(host_env_last_diag().code, ALLOC_ERROR_CORRUPTED);
	assert_int_equal(mm_free_frames(), 3);
	assert_int_equal(mm_test_stats().quarantined_frames, 1);
	assert_mm_consistent();
	mm_test_free(other, 2);
	assert_int_equal(mm_free_frames(), 7);
	assert_mm_consistent();
}

/* The other order of that race: the holder's release runs between the
 * failed CAS and the failed claim's handling (from the diagnostic hook, as
 * another CPU would at that moment) and gives the whole block back, which
 * was still ours only by the take. The failed claim must then poison the
 * frame where it now is (a free block), not free the block a second time. */
static uint64_t racing_holder_phys, retaken_phys;
static bool retake; /* ... and CPU 2 allocates the block before the handling too */

static void holder_frees_first(const struct mm_diag *d)
{
	if (d->code != ALLOC_ERROR_CORRUPTED || d->phys != racing_holder_phys)
		return;
	host_env_set_diag_hook(NULL);
	host_env_set_cpu(1);
	assert_int_equal(frame_free(racing_holder_phys, 2), ALLOC_ERROR_NONE);
	if (retake) {
		host_env_set_cpu(2);
		retaken_phys = mm_test_alloc(2);
	}
	host_env_set_cpu(0);
}

static void test_claim_cas_failure_high_order_holder_frees_first(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 4 * PG);
	assert_int_equal(buddy_add_range(32 * PG, 36 * PG), ALLOC_ERROR_NONE);
	uint64_t h = mm_buddy.head[2];
	uint32_t seen;

	assert_true(meta_slot_cas_refcount(mm_slot(h), REFCOUNT_UNUSED, 1, &seen));
	racing_holder_phys = h << PAGE_SHIFT;
	retake = false;
	host_env_set_diag_hook(holder_frees_first);
	uint64_t other = mm_test_alloc(2);

	host_env_set_diag_hook(NULL);
	assert_int_not_equal(other, h << PAGE_SHIFT);
	assert_int_equal(frame_state(h << PAGE_SHIFT), FRAME_STATE_POISONED);
	assert_int_equal(mm_test_stats().quarantined_frames, 1);
	assert_int_equal(mm_free_frames(), 3);
	assert_mm_consistent();
	mm_test_free(other, 2);
	assert_int_equal(mm_free_frames(), 7);
	assert_mm_consistent();
}

/* ... and CPU 2 has taken the block the holder gave back before the failed
 * claim is handled: it is CPU 2's now. The failed claim leaves its block
 * whole (only the suspect head is marked), and CPU 2's free quarantines the
 * head and gives back the rest. */
static void test_claim_cas_failure_high_order_block_retaken(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 4 * PG);
	assert_int_equal(buddy_add_range(32 * PG, 36 * PG), ALLOC_ERROR_NONE);
	uint64_t h = mm_buddy.head[2], hp = h << PAGE_SHIFT;
	uint32_t seen;

	assert_true(meta_slot_cas_refcount(mm_slot(h), REFCOUNT_UNUSED, 1, &seen));
	racing_holder_phys = hp;
	retake = true;
	retaken_phys = 0;
	host_env_set_diag_hook(holder_frees_first);
	uint64_t other = mm_test_alloc(2);

	host_env_set_diag_hook(NULL);
	assert_int_equal(retaken_phys, hp);
	assert_int_not_equal(other, hp);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(frame_state(hp + i * PG), i ? FRAME_STATE_ALLOCATED : FRAME_STATE_POISONED);
	assert_int_equal(meta_slot_get_refcount(mm_slot(h)), 1);
	assert_int_equal(mm_free_frames(), 0);
	assert_mm_consistent();
	host_env_set_cpu(2);
	mm_test_free(hp, 2);
	host_env_set_cpu(0);
	assert_int_equal(mm_test_stats().quarantined_frames, 1);
	assert_int_equal(mm_free_frames(), 3);
	mm_test_free(other, 2);
	assert_int_equal(mm_free_frames(), 7);
	assert_mm_consistent();
}

/* A reference count set on a frame that heads no allocated block (a cached
 * frame, a free head, a tail) is never taken for a holder's: frame_free,
 * frame_dec_ref and frame_inc_ref refuse it, on the fast path and the
 * general one, and the frame stays where it is, listed once. */
static void stray_ref(uint64_t p, unsigned order)
{
	struct meta_slot *s = get_meta_slot(p);
	uint32_t seen;

	assert_true(meta_slot_cas_refcount(s, REFCOUNT_UNUSED, 1, &seen));
	assert_int_equal(frame_free(p, (uint8_t)order), ALLOC_ERROR_DOUBLE_FREE);
	assert_int_equal(frame_dec_ref(p), ALLOC_ERROR_DOUBLE_FREE);
	assert_int_equal(frame_inc_ref(p), ALLOC_ERROR_NOT_ALLOCATED);
	assert_int_equal(meta_slot_get_refcount(s), 1);
	/* take the stray count back out, as its holder's CAS would */
	assert_true(meta_slot_cas_refcount(s, 1, REFCOUNT_UNUSED, &seen));
	assert_mm_consistent();
}

static void test_refs_only_on_allocated_heads(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	uint64_t a = mm_test_alloc(0), b = mm_test_alloc(3);

	mm_test_free(a, 0);
	stray_ref(a, 0);                      /* cached: the fast path's frame */
	stray_ref(b + PG, 0);                 /* a tail of an allocated block */
	mm_test_free(b, 3);
	pcpu_cache_drain_all();
	for (unsigned o = 0; o <= MAX_ORDER; o++)
		if (mm_buddy.head[o] != FRAME_META_LINK_NONE) {
			uint64_t head = mm_buddy.head[o] << PAGE_SHIFT;

			stray_ref(head, o);   /* a free head, at its own order */
			stray_ref(head, 0);   /* ... and as order 0 */
		}
	assert_int_equal(mm_free_frames(), 64);
	assert_int_equal(mm_test_stats().frees, 2);
}

static void test_trait_table(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	struct phys_frame f, g;

	assert_int_equal(frame_allocator_alloc_frame(&metaslot_frame_allocator, &f), ALLOC_ERROR_NONE);
	assert_int_equal(frame_allocator_alloc(&metaslot_frame_allocator, 4, &g), ALLOC_ERROR_NONE);
	assert_int_equal(g.start_address % (16 * PG), 0);
	assert_int_equal(meta_slot_get_flags(get_meta_slot(g.start_address)),
			 FRAME_FLAGS_ALLOCATED | FRAME_FLAGS_KERNEL);
	assert_int_equal(frame_allocator_free(&metaslot_frame_allocator, g, 3), ALLOC_ERROR_WRONG_ORDER);
	assert_int_equal(frame_allocator_free(&metaslot_frame_allocator, g, 4), ALLOC_ERROR_NONE);
	assert_int_equal(frame_allocator_free(&metaslot_frame_allocator, f, 0), ALLOC_ERROR_NONE);

	struct frame_allocator user;
	const struct frame_alloc_options tmpl =
		frame_alloc_options_purpose(frame_alloc_options_new(), FRAME_PURPOSE_USER_DATA);

	frame_allocator_metaslot(&user, &tmpl);
	assert_int_equal(frame_allocator_alloc(&user, 1, &f), ALLOC_ERROR_NONE);
	assert_int_equal(meta_slot_get_flags(get_meta_slot(f.start_address)),
			 FRAME_FLAGS_ALLOCATED | FRAME_FLAGS_USER);
	assert_int_equal(frame_allocator_alloc(&user, MAX_ORDER + 1, &g), ALLOC_ERROR_INVALID_ORDER);
	assert_int_equal(frame_allocator_free(&user, f, 1), ALLOC_ERROR_NONE);
	assert_mm_consistent();
}

static void test_owner_flags_survive_and_reset(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	uint64_t p = mm_test_alloc(0);
	struct meta_slot *s = get_meta_slot(p);

	meta_slot_set_flags(s, FRAME_FLAGS_COW); /* owner rewrites its bits ... */
	assert_int_equal(frame_state(p), FRAME_STATE_ALLOCATED); /* ... the allocator's stay */
	assert_mm_consistent();
	mm_test_free(p, 0);
	assert_false(meta_slot_is_cow(s)); /* state reset on free */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_builders),
		cmocka_unit_test(test_allocate_stamps_slot),
		cmocka_unit_test(test_zeroing),
		cmocka_unit_test(test_page_tables_always_zeroed),
		cmocka_unit_test(test_contiguous_high_order),
		cmocka_unit_test(test_allocate_errors),
		cmocka_unit_test(test_free_bad_input),
		cmocka_unit_test(test_unmanaged_free),
		cmocka_unit_test(test_refcounts),
		cmocka_unit_test(test_vtable_hooks_on_last_ref),
		cmocka_unit_test(test_claim_cas_failure),
		cmocka_unit_test(test_claim_cas_failure_high_order),
		cmocka_unit_test(test_claim_cas_failure_high_order_racing_release),
		cmocka_unit_test(test_claim_cas_failure_high_order_holder_frees_first),
		cmocka_unit_test(test_claim_cas_failure_high_order_block_retaken),
		cmocka_unit_test(test_refs_only_on_allocated_heads),
		cmocka_unit_test(test_trait_table),
		cmocka_unit_test(test_owner_flags_survive_and_reset),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);

	host_env_teardown();
	return rc;
}
