/* The metadata array (one struct meta_slot per frame) and the seed's free
 * functions over it: lookup, debug snapshot, epoch check, poison scan, and the
 * vtable registry that makes bad vtable bits fall back to the default. */
#include <mm/internal.h>

struct meta_slot *mm_meta_base;
uint64_t mm_meta_frames;

const struct frame_meta_vtable DEFAULT_FRAME_META_VTABLE = { 0 };

/* Registered vtables. A slot's vtable bits are trusted only if they name one
 * of these: arbitrary bits are never dereferenced. Append-only. */
#define VTABLE_REGISTRY_MAX 16
static const struct frame_meta_vtable *_Atomic vtable_registry[VTABLE_REGISTRY_MAX];
static atomic_uint vtable_registry_len;

enum alloc_error init_metadata_array(void *virt, uint64_t bytes, uint64_t frames)
{
	/* frames beyond 2^52 cannot be physical addresses on x86-64 */
	if (!virt || ((uintptr_t)virt & (FRAME_META_ALIGN - 1)) || frames == 0 ||
	    frames > (1ull << 40) || bytes / FRAME_META_SIZE < frames) {
		mm_report(ALLOC_ERROR_INVALID_ARGUMENT, "init_metadata_array",
			  "array NULL, misaligned or smaller than frames * 64", MM_DIAG_NO_PHYS, 0,
			  frames);
		return ALLOC_ERROR_INVALID_ARGUMENT;
	}
	struct meta_slot *base = virt;

	for (uint64_t i = 0; i < frames; i++)
		meta_slot_new(&base[i]);
	mm_meta_base = base;
	mm_meta_frames = frames;
	buddy_reset();
	pcpu_cache_reset();
	atomic_store_explicit(&mm_shared.allocs, 0, memory_order_relaxed);
	atomic_store_explicit(&mm_shared.frees, 0, memory_order_relaxed);
	atomic_store_explicit(&mm_shared.poisoned, 0, memory_order_relaxed);
	atomic_store_explicit(&mm_shared.quarantined, 0, memory_order_relaxed);
	atomic_store_explicit(&mm_shared.corruptions, 0, memory_order_relaxed);
	atomic_store_explicit(&mm_shared.errors, 0, memory_order_relaxed);
	return ALLOC_ERROR_NONE;
}

uint64_t metadata_frames(void)
{
	return mm_meta_frames;
}

enum alloc_error metadata_array_move(void *virt, uint64_t bytes)
{
	if (!mm_meta_base)
		return ALLOC_ERROR_NOT_INITIALIZED;
	if (!virt || ((uintptr_t)virt & (FRAME_META_ALIGN - 1)) ||
	    bytes / FRAME_META_SIZE < mm_meta_frames) {
		mm_report(ALLOC_ERROR_INVALID_ARGUMENT, "metadata_array_move",
			  "array NULL, misaligned or smaller than frames * 64", MM_DIAG_NO_PHYS, 0,
			  bytes);
		return ALLOC_ERROR_INVALID_ARGUMENT;
	}
	struct meta_slot *to = virt;

	/* every CPU is held out of the allocator: plain copies of the atomics */
	__builtin_memcpy(to, mm_meta_base, mm_meta_frames * sizeof(*to));
	/* release: a CPU that sees the new base sees the copied slots */
	__atomic_store_n(&mm_meta_base, to, __ATOMIC_RELEASE);
	return ALLOC_ERROR_NONE;
}

struct meta_slot *get_meta_slot(uint64_t phys)
{
	uint64_t pfn = phys >> PAGE_SHIFT;

	if (!mm_meta_base)
		mm_die("get_meta_slot", "metadata array not initialised", phys, 0);
	if (pfn >= mm_meta_frames)
		mm_die("get_meta_slot", "frame beyond the metadata array", phys, mm_meta_frames);
	return mm_slot(pfn);
}

struct meta_slot *get_meta(uint64_t phys)
{
	return get_meta_slot(phys);
}

struct frame_meta_debug frame_meta_debug_snapshot(uint64_t phys)
{
	return meta_slot_debug_snapshot(get_meta_slot(phys));
}

bool meta_generation_matches(uint64_t phys, uint32_t expected)
{
	return meta_slot_generation(get_meta_slot(phys)) == expected;
}

bool block_phys_has_poison_guard(uint64_t phys, uint8_t order)
{
	if (!mm_meta_base || order > MAX_ORDER)
		return false;
	uint64_t pfn = phys >> PAGE_SHIFT;

	for (uint64_t i = 0; i < (1ull << order) && pfn + i < mm_meta_frames; i++)
		if (meta_slot_is_guard_poisoned(mm_slot(pfn + i)))
			return true;
	return false;
}

const struct frame_meta_vtable *meta_slot_try_vtable_ref(struct meta_slot *s)
{
	uint64_t bits = meta_slot_vtable_bits(s);

	if (bits == 0)
		return &DEFAULT_FRAME_META_VTABLE;
	if (bits & (_Alignof(struct frame_meta_vtable) - 1))
		return NULL;
	/* acquire: pairs with the release in register, entries below are complete */
	unsigned n = atomic_load_explicit(&vtable_registry_len, memory_order_acquire);

	for (unsigned i = 0; i < n && i < VTABLE_REGISTRY_MAX; i++) {
		const struct frame_meta_vtable *vt =
			atomic_load_explicit(&vtable_registry[i], memory_order_relaxed);
		if ((uint64_t)(uintptr_t)vt == bits)
			return vt;
	}
	return NULL;
}

const struct frame_meta_vtable *meta_slot_vtable_ref(struct meta_slot *s)
{
	const struct frame_meta_vtable *vt = meta_slot_try_vtable_ref(s);

	return vt ? vt : &DEFAULT_FRAME_META_VTABLE;
}

enum alloc_error frame_meta_vtable_register(const struct frame_meta_vtable *vt)
{
	enum alloc_error err = ALLOC_ERROR_NONE;

	if (!vt || ((uintptr_t)vt & (_Alignof(struct frame_meta_vtable) - 1)))
		return ALLOC_ERROR_INVALID_ARGUMENT;
	/* writers serialise on the buddy lock (rare, boot-time); readers are lock-free */
	struct mm_irq_token tok = mm_env_irq_save();

	buddy_lock();
	unsigned n = atomic_load_explicit(&vtable_registry_len, memory_order_relaxed);
	bool known = false;

	for (unsigned i = 0; i < n; i++)
		known |= atomic_load_explicit(&vtable_registry[i], memory_order_relaxed) == vt;
	if (!known && n >= VTABLE_REGISTRY_MAX) {
		err = ALLOC_ERROR_INVALID_ARGUMENT;
	} else if (!known) {
		atomic_store_explicit(&vtable_registry[n], vt, memory_order_relaxed);
		/* release: the entry is written before the length that exposes it */
		atomic_store_explicit(&vtable_registry_len, n + 1, memory_order_release);
	}
	buddy_unlock();
	mm_env_irq_restore(tok);
	return err;
}

void invoke_vtable_on_unmap(uint64_t phys)
{
	const struct frame_meta_vtable *vt = meta_slot_try_vtable_ref(get_meta_slot(phys));

	if (vt && vt->on_unmap)
		vt->on_unmap(phys & ~(PAGE_SIZE - 1));
}

void invoke_vtable_on_last_ref(uint64_t phys)
{
	const struct frame_meta_vtable *vt = meta_slot_try_vtable_ref(get_meta_slot(phys));

	if (vt && vt->on_last_ref)
		vt->on_last_ref(phys & ~(PAGE_SIZE - 1));
}
