/* Tests for the seed's MetaSlot methods, the metadata array functions
 * (mm/meta_slot.c), phys_frame and its range iterator, and the error names. */
#include "mm/mm_test.h"

static void test_layout(void **st)
{
	(void)st;
	assert_int_equal(sizeof(struct meta_slot), FRAME_META_SIZE);
	assert_int_equal(offsetof(struct meta_slot, refcount), META_SLOT_REFCOUNT_BYTE_OFFSET);
	assert_int_equal(META_SLOT_REFCOUNT_BYTE_OFFSET, 32);
	assert_int_equal(offsetof(struct meta_slot, vtable), 16);
	assert_int_equal(offsetof(struct meta_slot, order), 28);
	assert_int_equal(offsetof(struct meta_slot, meta_aux), 44);
	assert_int_equal(offsetof(struct meta_slot, _reserved_tail), 48);
	assert_int_equal(sizeof(struct frame_meta_vtable), FRAME_META_SIZE);
	assert_int_equal(sizeof(struct free_list_link), 16);
}

static void test_metadata_size_for(void **st)
{
	(void)st;
	assert_int_equal(metadata_size_for(0), 0);
	assert_int_equal(metadata_size_for(1), PG);           /* one partial frame, rounded to a page */
	assert_int_equal(metadata_size_for(64 * PG), PG);     /* 64 slots fill one page */
	assert_int_equal(metadata_size_for(65 * PG), 2 * PG);
	assert_int_equal(metadata_size_for(1ull << 32), (1ull << 20) * 64);
}

static void test_new_slot(void **st)
{
	(void)st;
	struct meta_slot s;

	memset(&s, 0xa5, sizeof(s));
	meta_slot_new(&s);
	assert_int_equal(meta_slot_next(&s), FRAME_META_LINK_NONE);
	assert_int_equal(meta_slot_prev(&s), FRAME_META_LINK_NONE);
	assert_int_equal(meta_slot_vtable_bits(&s), 0);
	assert_int_equal(meta_slot_get_flags(&s), 0);
	assert_int_equal(meta_slot_get_order(&s), 0);
	assert_int_equal(meta_slot_get_refcount(&s), 0);
	assert_int_equal(meta_slot_generation(&s), 0);
	assert_int_equal(meta_slot_get_guard(&s), 0);
	assert_int_equal(meta_slot_meta_aux_load(&s), 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(s._reserved_tail[i], 0);
}

static void test_guard(void **st)
{
	(void)st;
	struct meta_slot s;

	meta_slot_new(&s);
	meta_slot_set_guard(&s, META_GUARD_KERNEL_ONLY);
	assert_int_equal(meta_slot_get_guard(&s), META_GUARD_KERNEL_ONLY);
	assert_int_equal(meta_slot_fetch_or_guard(&s, META_GUARD_POISONED), META_GUARD_KERNEL_ONLY);
	assert_true(meta_slot_is_guard_poisoned(&s));
	meta_slot_clear_guard_bits(&s, ~0u); /* sticky POISONED stays */
	assert_int_equal(meta_slot_get_guard(&s), META_GUARD_POISONED);
	meta_slot_set_guard(&s, 0);
	assert_false(meta_slot_is_guard_poisoned(&s));
}

static void test_mark_poisoned_sets_both(void **st)
{
	(void)st;
	struct meta_slot s;

	meta_slot_new(&s);
	meta_slot_set_flags(&s, FRAME_FLAGS_COW);
	meta_slot_mark_poisoned(&s);
	assert_true(meta_slot_get_guard(&s) & META_GUARD_POISONED);
	assert_int_equal(meta_slot_get_flags(&s), FRAME_FLAGS_COW | FRAME_FLAGS_POISONED);
}

static void test_flags_keep_allocator_bits(void **st)
{
	(void)st;
	struct meta_slot s;

	meta_slot_new(&s);
	atomic_store(&s.flags, FRAME_FLAGS_ALLOCATED | FRAME_FLAGS_KERNEL);
	meta_slot_set_flags(&s, FRAME_FLAGS_COW | FRAME_FLAGS_FREE);
	assert_int_equal(meta_slot_get_flags(&s), FRAME_FLAGS_ALLOCATED | FRAME_FLAGS_COW);
	assert_true(meta_slot_is_cow(&s));
	assert_false(meta_slot_is_dll(&s));
	meta_slot_set_flags(&s, FRAME_FLAGS_DLL);
	assert_true(meta_slot_is_dll(&s));
	assert_false(meta_slot_is_cow(&s));
}

static void test_meta_aux_links_order(void **st)
{
	(void)st;
	struct meta_slot s;

	meta_slot_new(&s);
	meta_slot_meta_aux_store(&s, 0x12345678);
	assert_int_equal(meta_slot_meta_aux_load(&s), 0x12345678);
	meta_slot_set_next(&s, 7);
	meta_slot_set_prev(&s, 9);
	assert_int_equal(meta_slot_next(&s), 7);
	assert_int_equal(meta_slot_prev(&s), 9);
	meta_slot_set_order(&s, 10);
	assert_int_equal(meta_slot_get_order(&s), 10);
}

static void test_refcount_ops(void **st)
{
	(void)st;
	struct meta_slot s;
	uint32_t seen;

	meta_slot_new(&s);
	meta_slot_set_refcount(&s, REFCOUNT_UNUSED);
	assert_false(meta_slot_cas_refcount(&s, 0, 1, &seen));
	assert_int_equal(seen, REFCOUNT_UNUSED);
	assert_true(meta_slot_cas_refcount(&s, REFCOUNT_UNUSED, 1, &seen));
	assert_int_equal(seen, REFCOUNT_UNUSED);
	meta_slot_inc_ref(&s);
	assert_int_equal(meta_slot_get_refcount(&s), 2);
	assert_int_equal(meta_slot_dec_ref(&s), 2); /* returns the count before */
	assert_int_equal(meta_slot_get_refcount(&s), 1);
	meta_slot_reset_refcount(&s);
	assert_int_equal(meta_slot_get_refcount(&s), 0);
	assert_true(meta_slot_cas_refcount(&s, 0, 5, NULL));
}

static void test_epoch(void **st)
{
	(void)st;
	struct meta_slot s;

	meta_slot_new(&s);
	meta_slot_set_generation(&s, 41);
	meta_slot_set_vtable_bits(&s, 0x1000);
	meta_slot_set_guard(&s, META_GUARD_KERNEL_ONLY | META_GUARD_BLOCK_POISONED);
	meta_slot_note_new_allocation_epoch(&s);
	assert_int_equal(meta_slot_generation(&s), 42);
	assert_int_equal(meta_slot_vtable_bits(&s), 0);
	/* non-sticky bits cleared, BLOCK_POISONED kept until the block is freed */
	assert_int_equal(meta_slot_get_guard(&s), META_GUARD_BLOCK_POISONED);
	struct frame_meta_debug d = meta_slot_debug_snapshot(&s);

	assert_int_equal(d.generation, 42);
	assert_int_equal(d.guard, META_GUARD_BLOCK_POISONED);
	assert_int_equal(d.vtable_bits, 0);
}

static void test_reset_with_free_list_meta(void **st)
{
	(void)st;
	struct meta_slot s;

	meta_slot_new(&s);
	meta_slot_set_vtable_bits(&s, 0x2000);
	meta_slot_set_guard(&s, META_GUARD_POISONED | META_GUARD_BLOCK_POISONED | META_GUARD_KERNEL_ONLY);
	meta_slot_reset_with_free_list_meta(&s);
	assert_int_equal(meta_slot_vtable_bits(&s), 0);
	assert_int_equal(meta_slot_get_guard(&s), META_GUARD_POISONED); /* never healed */
	meta_slot_set_guard(&s, META_GUARD_KERNEL_ONLY);
	meta_slot_reset_with_free_list_meta(&s);
	assert_int_equal(meta_slot_get_guard(&s), 0);
}

static int hook_calls;
static uint64_t hook_last;
static void hook_last_ref(uint64_t phys)
{
	hook_calls += 100;
	hook_last = phys;
}
static void hook_unmap(uint64_t phys)
{
	hook_calls++;
	hook_last = phys;
}
static const struct frame_meta_vtable test_vt = { hook_last_ref, hook_unmap, { 0 } };
static const struct frame_meta_vtable unregistered_vt = { hook_last_ref, hook_unmap, { 0 } };

static void test_vtable_resolution(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	struct meta_slot *s = get_meta_slot(5 * PG);

	assert_ptr_equal(meta_slot_try_vtable_ref(s), &DEFAULT_FRAME_META_VTABLE);
	assert_ptr_equal(meta_slot_vtable_ref(s), &DEFAULT_FRAME_META_VTABLE);
	meta_slot_set_vtable_bits(s, (uint64_t)(uintptr_t)&test_vt + 4); /* misaligned */
	assert_null(meta_slot_try_vtable_ref(s));
	assert_ptr_equal(meta_slot_vtable_ref(s), &DEFAULT_FRAME_META_VTABLE);
	meta_slot_set_vtable_bits(s, 0xdead000); /* aligned garbage: never dereferenced */
	assert_null(meta_slot_try_vtable_ref(s));
	meta_slot_set_vtable_bits(s, (uint64_t)(uintptr_t)&unregistered_vt);
	assert_null(meta_slot_try_vtable_ref(s));
	assert_int_equal(frame_meta_vtable_register(&test_vt), ALLOC_ERROR_NONE);
	assert_int_equal(frame_meta_vtable_register(&test_vt), ALLOC_ERROR_NONE); /* idempotent */
	assert_int_equal(frame_meta_vtable_register(NULL), ALLOC_ERROR_INVALID_ARGUMENT);
	meta_slot_set_vtable_bits(s, (uint64_t)(uintptr_t)&test_vt);
	assert_ptr_equal(meta_slot_try_vtable_ref(s), &test_vt);

	hook_calls = 0;
	invoke_vtable_on_unmap(5 * PG + 12);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_last, 5 * PG);
	invoke_vtable_on_last_ref(5 * PG);
	assert_int_equal(hook_calls, 101);
	meta_slot_set_vtable_bits(s, 3); /* bad bits: no hook, no crash */
	invoke_vtable_on_unmap(5 * PG);
	invoke_vtable_on_last_ref(5 * PG);
	assert_int_equal(hook_calls, 101);
	meta_slot_set_vtable_bits(s, 0);
}

static void test_vtable_registry_full(void **st)
{
	(void)st;
	static struct frame_meta_vtable many[20];
	int ok = 0;

	for (int i = 0; i < 20; i++)
		ok += frame_meta_vtable_register(&many[i]) == ALLOC_ERROR_NONE;
	assert_true(ok < 20); /* 16 entries, one of them test_vt */
	assert_int_equal(frame_meta_vtable_register(&many[19]), ALLOC_ERROR_INVALID_ARGUMENT);
}

static void test_init_metadata_array_rejects(void **st)
{
	(void)st;
	static _Alignas(64) struct meta_slot arr[8];

	host_env_diag_reset();
	assert_int_equal(init_metadata_array(NULL, sizeof(arr), 8), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(init_metadata_array((char *)arr + 8, sizeof(arr), 4),
			 ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(init_metadata_array(arr, sizeof(arr) - 1, 8), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(init_metadata_array(arr, sizeof(arr), 0), ALLOC_ERROR_INVALID_ARGUMENT);
	assert_int_equal(host_env_diag_count(), 4);
	assert_int_equal(host_env_last_diag().code, ALLOC_ERROR_INVALID_ARGUMENT);
	/* a good call initialises every slot */
	memset(arr, 0x5a, sizeof(arr));
	assert_int_equal(init_metadata_array(arr, sizeof(arr), 8), ALLOC_ERROR_NONE);
	assert_int_equal(metadata_frames(), 8);
	assert_int_equal(meta_slot_get_refcount(&arr[7]), 0);
	assert_int_equal(meta_slot_next(&arr[3]), FRAME_META_LINK_NONE);
	assert_ptr_equal(get_meta(7 * PG), &arr[7]);
	host_env_setup(16); /* back to a heap array before arr goes out of use */
}

static void test_get_meta_slot(void **st)
{
	(void)st;
	mm_test_fresh(32, 0, 32 * PG);
	assert_ptr_equal(get_meta_slot(3 * PG + 5), get_meta(3 * PG));
	assert_ptr_equal(get_meta_slot(31 * PG), &mm_meta_base[31]);
	expect_assert_failure(get_meta_slot(32 * PG));
	expect_assert_failure(get_meta(~0ull));
}

static void test_debug_snapshot_generation(void **st)
{
	(void)st;
	mm_test_fresh(32, 0, 32 * PG);
	uint64_t p = mm_test_alloc(0);
	struct frame_meta_debug d = frame_meta_debug_snapshot(p);

	assert_int_equal(d.generation, 1);
	assert_true(meta_generation_matches(p, 1));
	mm_test_free(p, 0);
	assert_int_equal(mm_test_alloc(0), p); /* LIFO cache: the same frame */
	assert_false(meta_generation_matches(p, 1));
	assert_true(meta_generation_matches(p, 2));
}

static void test_block_phys_has_poison_guard(void **st)
{
	(void)st;
	mm_test_fresh(64, 0, 64 * PG);
	assert_false(block_phys_has_poison_guard(0, 5));
	meta_slot_fetch_or_guard(get_meta_slot(17 * PG), META_GUARD_POISONED);
	assert_true(block_phys_has_poison_guard(16 * PG, 1));
	assert_true(block_phys_has_poison_guard(0, 5));
	assert_false(block_phys_has_poison_guard(0, 4));
	assert_false(block_phys_has_poison_guard(18 * PG, 1));
	assert_false(block_phys_has_poison_guard(0, MAX_ORDER + 1));
	assert_false(block_phys_has_poison_guard(48 * PG, 6)); /* runs off the array: no crash */
	meta_slot_set_guard(get_meta_slot(17 * PG), 0);
}

static void test_phys_frame(void **st)
{
	(void)st;
	struct phys_frame f = phys_frame_containing_address(0x12345);

	assert_int_equal(f.start_address, 0x12000);
	assert_int_equal(phys_frame_from_start_address(0x12001, &f), ALLOC_ERROR_INVALID_ADDRESS);
	assert_int_equal(f.start_address, 0x12000);
	assert_int_equal(phys_frame_from_start_address(0x13000, &f), ALLOC_ERROR_NONE);
	assert_int_equal(f.start_address, 0x13000);

	struct frame_range_inclusive it =
		phys_frame_range_inclusive((struct phys_frame){ 0x1000 }, (struct phys_frame){ 0x3000 });
	uint64_t seen[4], n = 0;

	while (frame_range_inclusive_next(&it, &f))
		seen[n++] = f.start_address;
	assert_int_equal(n, 3);
	assert_int_equal(seen[0], 0x1000);
	assert_int_equal(seen[2], 0x3000);
	assert_false(frame_range_inclusive_next(&it, &f));

	it = phys_frame_range_inclusive((struct phys_frame){ 0x5000 }, (struct phys_frame){ 0x4000 });
	assert_false(frame_range_inclusive_next(&it, &f)); /* empty */

	/* the last frame of the address space: no wrap-around */
	uint64_t top = ~0ull & ~(PG - 1);

	it = phys_frame_range_inclusive((struct phys_frame){ top - PG }, (struct phys_frame){ top });
	n = 0;
	while (frame_range_inclusive_next(&it, &f) && n < 10)
		n++;
	assert_int_equal(n, 2);
}

static void test_names(void **st)
{
	(void)st;
	assert_string_equal(alloc_error_name(ALLOC_ERROR_NONE), "none");
	assert_string_equal(alloc_error_name(ALLOC_ERROR_DOUBLE_FREE), "double_free");
	assert_string_equal(alloc_error_name(ALLOC_ERROR_OVERLAP), "overlap");
	assert_string_equal(alloc_error_name(ALLOC_ERROR_COUNT), "unknown");
	for (int e = 0; e < ALLOC_ERROR_COUNT; e++)
		assert_non_null(alloc_error_name(e));
	assert_string_equal(frame_state_name(FRAME_STATE_POISONED), "poisoned");
	assert_string_equal(frame_state_name(FRAME_STATE_UNMANAGED), "unmanaged");
	assert_string_equal(frame_state_name((enum frame_state)9), "unknown");
}

static void test_uninitialised_calls(void **st)
{
	(void)st;
	static _Alignas(64) struct meta_slot one[1];

	/* a state where no array is set: simulate with a fresh module state */
	host_env_teardown();
	assert_int_equal(init_metadata_array(one, sizeof(one), 1), ALLOC_ERROR_NONE);
	mm_meta_base = NULL; /* as before init_metadata_array */
	mm_meta_frames = 0;
	struct phys_frame f;
	struct frame_alloc_options o = frame_alloc_options_new();

	assert_int_equal(frame_alloc_options_allocate(&o, &f), ALLOC_ERROR_NOT_INITIALIZED);
	assert_int_equal(frame_free(0, 0), ALLOC_ERROR_NOT_INITIALIZED);
	assert_int_equal(buddy_add_range(0, PG), ALLOC_ERROR_NOT_INITIALIZED);
	assert_int_equal(frame_mark_poisoned(0), ALLOC_ERROR_NOT_INITIALIZED);
	assert_int_equal(frame_state(0), FRAME_STATE_UNMANAGED);
	assert_int_equal(mm_free_frames(), 0);
	assert_false(block_phys_has_poison_guard(0, 0));
	assert_int_equal(buddy_check().code, ALLOC_ERROR_NOT_INITIALIZED);
	expect_assert_failure(get_meta_slot(0));
	host_env_setup(16);
}

int main(void)
{
	host_env_set_panic_hook(mm_test_panic_hook);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_metadata_size_for),
		cmocka_unit_test(test_new_slot),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_mark_poisoned_sets_both),
		cmocka_unit_test(test_flags_keep_allocator_bits),
		cmocka_unit_test(test_meta_aux_links_order),
		cmocka_unit_test(test_refcount_ops),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_reset_with_free_list_meta),
		cmocka_unit_test(test_vtable_resolution),
		cmocka_unit_test(test_vtable_registry_full),
		cmocka_unit_test(test_init_metadata_array_rejects),
		cmocka_unit_test(test_get_meta_slot),
		cmocka_unit_test(test_debug_snapshot_generation),
		cmocka_unit_test(test_block_phys_has_poison_guard),
		cmocka_unit_test(test_phys_frame),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_uninitialised_calls),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	host_env_teardown();
	return rc;
}
