/* MetaSlot frame allocator: the public API. The seed API (../shared/seeds/) in C
 * with DESIGN.md's naming, plus the entry points the kernel calls. The seed-name
 * -> C-name table and the design notes are in docs/mm.md.
 *
 * The UEFI loader links mm/metadata_size.c alone and includes this header, so it
 * includes nothing but <stdint.h>, <stddef.h>, <stdbool.h> and <stdatomic.h>, and
 * every function it defines is static inline.
 *
 * Scheme: one 64-byte struct meta_slot per 4 KiB frame, in an array the loader
 * allocates (init_metadata_array). A buddy allocator (orders 0..MAX_ORDER) links
 * its free blocks by frame number through the head slot's free_link; nothing is
 * ever written into a frame's payload except zeroing on allocation. Order-0
 * frames go through per-CPU caches (include/mm/pcpu_cache.h). Every allocation
 * claims its head slot with CAS(REFCOUNT_UNUSED -> 1) and starts a new epoch. */
#ifndef METASLOT_MM_FRAME_H
#define METASLOT_MM_FRAME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE        4096ull
#define PAGE_SHIFT       12
#define FRAME_META_SIZE  64ull
#define FRAME_META_ALIGN 64ull
/* End of a free list (free_link.next / prev hold frame numbers). */
#define FRAME_META_LINK_NONE UINT64_MAX
/* refcount of every managed frame that is not the head of an allocated block:
 * frames in free blocks, in per-CPU caches, tails of allocated blocks, and
 * quarantined frames. Allocation claims a head with CAS(REFCOUNT_UNUSED -> 1). */
#define REFCOUNT_UNUSED  UINT32_MAX
/* Largest block: 2^MAX_ORDER frames (4 MiB). */
#define MAX_ORDER        10
#define META_SLOT_REFCOUNT_BYTE_OFFSET 32

#define MM_WUR __attribute__((warn_unused_result))

/* Bytes of metadata array needed to cover physical addresses [0, ram_size):
 * one FRAME_META_SIZE slot per 4 KiB frame (a partial frame counts), rounded
 * up to a whole page. Pure arithmetic: the loader links this file alone. */
uint64_t metadata_size_for(uint64_t ram_size);

/* ------------------------------------------------------------------ errors */

/* Errors are values. ALLOC_ERROR_NONE is success (Rust's Ok). Every error an
 * entry point returns is also reported to mm_env_diag() with the frame and the
 * reason, and leaves free lists, caches and counters as they were. */
enum alloc_error {
	ALLOC_ERROR_NONE = 0,
	ALLOC_ERROR_OUT_OF_MEMORY,     /* seed: no block of that order is free */
	ALLOC_ERROR_INVALID_ORDER,     /* seed: order > MAX_ORDER */
	ALLOC_ERROR_INVALID_ADDRESS,   /* seed: not aligned to PAGE_SIZE << order */
	ALLOC_ERROR_OUT_OF_RANGE,      /* frame(s) beyond the metadata array */
	ALLOC_ERROR_DOUBLE_FREE,       /* free/dec_ref of a frame that is not allocated */
	ALLOC_ERROR_WRONG_ORDER,       /* free with an order other than the allocation's */
	ALLOC_ERROR_NOT_ALLOCATED,     /* inc_ref of a frame that is not allocated */
	ALLOC_ERROR_REFCOUNT_OVERFLOW, /* inc_ref would reach REFCOUNT_UNUSED */
	ALLOC_ERROR_CORRUPTED,         /* broken invariant found (CAS failure, buddy_check) */
	ALLOC_ERROR_NOT_INITIALIZED,   /* init_metadata_array has not run */
	ALLOC_ERROR_INVALID_ARGUMENT,  /* bad arguments (array too small, empty range, ...) */
	ALLOC_ERROR_OVERLAP,           /* buddy_add_range over frames already managed */
	ALLOC_ERROR_COUNT
};

/* Stable snake_case name for JSON ("double_free"); "unknown" if out of range. */
const char *alloc_error_name(enum alloc_error e);

/* A structured diagnostic: what mm/ hands to mm_env_diag() and mm_env_panic(),
 * and what buddy_check() returns. Strings are static, never formatted. */
struct mm_diag {
	enum alloc_error code;
	uint8_t order;      /* order involved (0 when none) */
	uint64_t phys;      /* frame involved, MM_DIAG_NO_PHYS when none */
	uint64_t value;     /* one extra datum, see reason (refcount seen, order expected, ...) */
	const char *op;     /* entry point that found it, e.g. "frame_free" */
	const char *reason; /* short, static, e.g. "refcount is REFCOUNT_UNUSED" */
};
#define MM_DIAG_NO_PHYS UINT64_MAX

/* ------------------------------------------------------------------ flags */

/* frame_flags: persistent flags in meta_slot.flags. The ALLOCATOR bits belong
 * to mm/ (they say which slots head a block); meta_slot_set_flags() keeps them.
 * The OWNER bits belong to whoever owns the frame. */
#define FRAME_FLAGS_COW        (1u << 0)  /* owner: copy-on-write eligible */
#define FRAME_FLAGS_DLL        (1u << 1)  /* owner: shared library frame, never COW */
#define FRAME_FLAGS_ANONYMOUS  (1u << 2)  /* owner: anonymous memory */
#define FRAME_FLAGS_PAGE_TABLE (1u << 3)  /* owner: allocated for FRAME_PURPOSE_PAGE_TABLE */
#define FRAME_FLAGS_ALLOCATED  (1u << 8)  /* allocator: head of an allocated block */
#define FRAME_FLAGS_FREE       (1u << 9)  /* allocator: head of a free block (or cached) */
#define FRAME_FLAGS_KERNEL     (1u << 10) /* owner: kernel frame */
#define FRAME_FLAGS_USER       (1u << 11) /* owner: user-space frame */
#define FRAME_FLAGS_POISONED   (1u << 12) /* allocator: mirror of META_GUARD_POISONED */
#define FRAME_FLAGS_ALLOCATOR_MASK \
	(FRAME_FLAGS_ALLOCATED | FRAME_FLAGS_FREE | FRAME_FLAGS_POISONED)
#define FRAME_FLAGS_HEAD_MASK (FRAME_FLAGS_ALLOCATED | FRAME_FLAGS_FREE)

/* meta_guard: kernel-owned guard bits in meta_slot.guard, independent of the
 * flags. The guard, not the flag, is authoritative for poison: guard bits are
 * only ever set with an atomic OR and cleared with a CAS, so a concurrent
 * store can never lose them. POISONED and BLOCK_POISONED are sticky across
 * epochs. */
#define META_GUARD_NONE           0u
#define META_GUARD_KERNEL_ONLY    (1u << 0)  /* never map into user space */
#define META_GUARD_BLOCK_POISONED (1u << 30) /* head of an allocated block holding a poisoned frame */
#define META_GUARD_POISONED       (1u << 31) /* this frame is bad: never handed out again */
#define META_GUARD_STICKY         (META_GUARD_POISONED | META_GUARD_BLOCK_POISONED)

/* ------------------------------------------------------------------ slots */

/* Buddy free-list link (seed FreeListLink): frame numbers, not pointers, so
 * nothing in the list is a pointer into frame payloads. Meaningful only in the
 * head slot of a block on a free list; written under the buddy lock only. */
struct free_list_link {
	_Atomic uint64_t next; /* next block of the same order, FRAME_META_LINK_NONE at the end */
	_Atomic uint64_t prev; /* previous block, FRAME_META_LINK_NONE at the list head */
};

/* Optional per-frame hooks (seed FrameMetaVtable). A block has one vtable, the
 * one its head slot names; both hooks run with no mm/ lock held, with
 * interrupts as the caller of the last dec_ref had them, and must not free or
 * reference the frame they are called for. */
struct frame_meta_vtable {
	void (*on_last_ref)(uint64_t head_phys); /* once, when the last reference drops */
	void (*on_unmap)(uint64_t page_phys);    /* then once per 4 KiB page of the block */
	uint64_t reserved[6];                    /* keeps the struct at FRAME_META_SIZE */
};
_Static_assert(sizeof(struct frame_meta_vtable) == FRAME_META_SIZE, "vtable is 64 bytes");

/* Default vtable (seed DEFAULT_FRAME_META_VTABLE): no hooks. vtable bits 0. */
extern const struct frame_meta_vtable DEFAULT_FRAME_META_VTABLE;

/* One 64-byte slot per 4 KiB frame (seed MetaSlot). Field order is the seed's:
 * vtable right after free_link keeps the 64-bit atomics 8-aligned with no
 * hidden padding. Not _Alignas(64): the array is aligned instead.
 *
 * Meaning of a slot, by allocator state (flags & FRAME_FLAGS_HEAD_MASK):
 *   FREE            head of a free block of `order` on free list `order`;
 *                   refcount REFCOUNT_UNUSED; free_link valid.
 *   ALLOCATED       head of an allocated block of `order`; refcount >= 1 (or
 *                   REFCOUNT_UNUSED just before the claiming CAS, 0 while the
 *                   last reference is being released).
 *   none            refcount REFCOUNT_UNUSED: a tail of a block, a frame in a
 *                   per-CPU cache (order stale until popped), or a quarantined
 *                   frame (guard POISONED); refcount 0: unmanaged (never given
 *                   to buddy_add_range). Only heads carry state: refilling a
 *                   cache or freeing a 2^k run touches no tail slot. */
struct meta_slot {
	struct free_list_link free_link; /* buddy list links (head of a free block only) */
	_Atomic uint64_t vtable;         /* struct frame_meta_vtable * as bits; 0 = default */
	_Atomic uint32_t flags;          /* FRAME_FLAGS_* */
	_Atomic uint8_t order;           /* block order (heads of blocks) */
	uint8_t _reserved0[3];           /* keeps refcount at byte 32 */
	_Atomic uint32_t refcount;       /* references to an allocated head; see REFCOUNT_UNUSED */
	_Atomic uint32_t generation;     /* bumped once per successful claim (epoch) */
	_Atomic uint32_t guard;          /* META_GUARD_* */
	_Atomic uint32_t meta_aux;       /* low 16 bits: owner CPU hint; high 16 reserved (NUMA) */
	uint8_t _reserved_tail[16];      /* future guard bits / generational references */
};

_Static_assert(sizeof(struct meta_slot) == FRAME_META_SIZE, "meta_slot is 64 bytes");
_Static_assert(FRAME_META_SIZE % FRAME_META_ALIGN == 0, "an aligned array keeps every slot aligned");
_Static_assert(_Alignof(struct meta_slot) <= FRAME_META_ALIGN, "array alignment covers the slot's");
_Static_assert(offsetof(struct meta_slot, free_link) == 0, "seed layout: free_link");
_Static_assert(offsetof(struct meta_slot, vtable) == 16, "seed layout: vtable");
_Static_assert(offsetof(struct meta_slot, flags) == 24, "seed layout: flags");
_Static_assert(offsetof(struct meta_slot, order) == 28, "seed layout: order");
_Static_assert(offsetof(struct meta_slot, _reserved0) == 29, "seed layout: 3 reserved bytes");
_Static_assert(offsetof(struct meta_slot, refcount) == META_SLOT_REFCOUNT_BYTE_OFFSET,
	       "seed layout: refcount at META_SLOT_REFCOUNT_BYTE_OFFSET");
_Static_assert(offsetof(struct meta_slot, generation) == 36, "seed layout: generation");
_Static_assert(offsetof(struct meta_slot, guard) == 40, "seed layout: guard");
_Static_assert(offsetof(struct meta_slot, meta_aux) == 44, "seed layout: meta_aux");
_Static_assert(offsetof(struct meta_slot, _reserved_tail) == 48, "seed layout: 16-byte tail");
_Static_assert(sizeof(_Atomic uint64_t) == 8 && sizeof(_Atomic uint32_t) == 4 &&
	       sizeof(_Atomic uint8_t) == 1, "atomics are lock-free machine words");

/* (generation, guard_bits, vtable_bits), seed debug_snapshot's tuple. */
struct frame_meta_debug {
	uint32_t generation;
	uint32_t guard;
	uint64_t vtable_bits;
};

/* --- MetaSlot methods. Raw accessors with the seed's orderings; the frame_*
 * entry points below are what kernel code uses to change allocator state. */

/* Empty slot for boot-time initialisation (not concurrent with anything). */
static inline void meta_slot_new(struct meta_slot *s)
{
	atomic_init(&s->free_link.next, FRAME_META_LINK_NONE);
	atomic_init(&s->free_link.prev, FRAME_META_LINK_NONE);
	atomic_init(&s->vtable, 0);
	atomic_init(&s->flags, 0);
	atomic_init(&s->order, 0);
	s->_reserved0[0] = s->_reserved0[1] = s->_reserved0[2] = 0;
	atomic_init(&s->refcount, 0);
	atomic_init(&s->generation, 0);
	atomic_init(&s->guard, 0);
	atomic_init(&s->meta_aux, 0);
	for (int i = 0; i < 16; i++)
		s->_reserved_tail[i] = 0;
}

static inline uint32_t meta_slot_get_guard(struct meta_slot *s)
{
	/* acquire: pairs with the release in set_guard / fetch_or_guard */
	return atomic_load_explicit(&s->guard, memory_order_acquire);
}

/* Raw store of every guard bit, sticky ones included: bootstrap and tests. */
static inline void meta_slot_set_guard(struct meta_slot *s, uint32_t bits)
{
	/* release: what the setter wrote before is visible to an acquire reader */
	atomic_store_explicit(&s->guard, bits, memory_order_release);
}

static inline uint32_t meta_slot_fetch_or_guard(struct meta_slot *s, uint32_t bits)
{
	/* acq_rel: an RMW both publishes the bit and sees earlier guard writers */
	return atomic_fetch_or_explicit(&s->guard, bits, memory_order_acq_rel);
}

/* Clears the guard bits in `clear` except the sticky ones; no write at all when
 * none of them is set (the common case), and a CAS otherwise, so a concurrent
 * fetch_or of POISONED is never lost. */
static inline void meta_slot_clear_guard_bits(struct meta_slot *s, uint32_t clear)
{
	uint32_t g = atomic_load_explicit(&s->guard, memory_order_relaxed);

	clear &= ~META_GUARD_STICKY;
	/* acq_rel on success like fetch_or; relaxed reload on failure (we retry) */
	while ((g & clear) &&
	       !atomic_compare_exchange_weak_explicit(&s->guard, &g, g & ~clear,
						      memory_order_acq_rel, memory_order_relaxed))
		;
}

static inline bool meta_slot_is_guard_poisoned(struct meta_slot *s)
{
	return (meta_slot_get_guard(s) & META_GUARD_POISONED) != 0;
}

static inline uint32_t meta_slot_get_flags(struct meta_slot *s)
{
	/* acquire: pairs with release stores of flags (purpose stamped at allocation) */
	return atomic_load_explicit(&s->flags, memory_order_acquire);
}

/* Replaces the owner bits; the FRAME_FLAGS_ALLOCATOR_MASK bits are kept (they
 * are mm/'s record of which slot heads a block). CAS loop: flags are also
 * written by meta_slot_mark_poisoned on another CPU. */
static inline void meta_slot_set_flags(struct meta_slot *s, uint32_t flags)
{
	uint32_t old = atomic_load_explicit(&s->flags, memory_order_relaxed);
	uint32_t want;

	do
		want = (old & FRAME_FLAGS_ALLOCATOR_MASK) | (flags & ~FRAME_FLAGS_ALLOCATOR_MASK);
	/* release: the owner's writes before set_flags are visible to acquire readers */
	while (!atomic_compare_exchange_weak_explicit(&s->flags, &old, want,
						       memory_order_release, memory_order_relaxed));
}

/* Marks both META_GUARD_POISONED and FRAME_FLAGS_POISONED. Raw: on a frame that
 * may be free, use frame_mark_poisoned(), which also takes it off the buddy. */
static inline void meta_slot_mark_poisoned(struct meta_slot *s)
{
	meta_slot_fetch_or_guard(s, META_GUARD_POISONED);
	/* acq_rel RMW, not the seed's load+store: a concurrent set_flags must not undo it */
	atomic_fetch_or_explicit(&s->flags, FRAME_FLAGS_POISONED, memory_order_acq_rel);
}

static inline uint32_t meta_slot_meta_aux_load(struct meta_slot *s)
{
	/* relaxed: a CPU-id hint orders nothing */
	return atomic_load_explicit(&s->meta_aux, memory_order_relaxed);
}

static inline void meta_slot_meta_aux_store(struct meta_slot *s, uint32_t v)
{
	/* relaxed: a CPU-id hint orders nothing */
	atomic_store_explicit(&s->meta_aux, v, memory_order_relaxed);
}

static inline uint64_t meta_slot_vtable_bits(struct meta_slot *s)
{
	/* acquire: the vtable's contents were written before it was installed */
	return atomic_load_explicit(&s->vtable, memory_order_acquire);
}

/* Installs a vtable; non-zero bits must name a vtable registered with
 * frame_meta_vtable_register(), anything else resolves to the default. */
static inline void meta_slot_set_vtable_bits(struct meta_slot *s, uint64_t bits)
{
	/* release: pairs with the acquire in vtable_bits */
	atomic_store_explicit(&s->vtable, bits, memory_order_release);
}

/* Resolved vtable: 0, misaligned or unregistered bits give the default. */
const struct frame_meta_vtable *meta_slot_vtable_ref(struct meta_slot *s);
/* NULL when non-zero bits are misaligned or not registered (never UB). */
const struct frame_meta_vtable *meta_slot_try_vtable_ref(struct meta_slot *s);

static inline uint32_t meta_slot_generation(struct meta_slot *s)
{
	/* acquire: pairs with the release bump in note_new_allocation_epoch */
	return atomic_load_explicit(&s->generation, memory_order_acquire);
}

/* Overwrites the generation: boot-time init and tests only. */
static inline void meta_slot_set_generation(struct meta_slot *s, uint32_t g)
{
	atomic_store_explicit(&s->generation, g, memory_order_release);
}

/* After a successful CAS(REFCOUNT_UNUSED -> 1): a new epoch. Default vtable,
 * non-sticky guard bits cleared (POISONED / BLOCK_POISONED are never healed),
 * generation + 1. Only the CAS winner runs this, so the bump is a plain
 * load + store (no lock prefix); the store is release so a CPU that
 * acquire-loads the generation sees this epoch. Returns the guard bits left
 * (the sticky ones: a caller re-checks poison without another load). */
static inline uint32_t meta_slot_note_new_allocation_epoch(struct meta_slot *s)
{
	uint32_t gen = atomic_load_explicit(&s->generation, memory_order_relaxed);
	/* acquire: a POISONED set by frame_mark_poisoned before our claim is seen */
	uint32_t g = atomic_load_explicit(&s->guard, memory_order_acquire);

	meta_slot_set_vtable_bits(s, 0);
	/* acq_rel CAS so a concurrent fetch_or(POISONED) is kept; no write if clean */
	while ((g & ~META_GUARD_STICKY) &&
	       !atomic_compare_exchange_weak_explicit(&s->guard, &g, g & META_GUARD_STICKY,
						      memory_order_acq_rel, memory_order_acquire))
		;
	atomic_store_explicit(&s->generation, gen + 1, memory_order_release);
	return g & META_GUARD_STICKY;
}

/* Back to the free list: default vtable, guard bits cleared except POISONED
 * (a poisoned frame is not silently healed). */
static inline void meta_slot_reset_with_free_list_meta(struct meta_slot *s)
{
	meta_slot_set_vtable_bits(s, 0);
	uint32_t g = atomic_load_explicit(&s->guard, memory_order_relaxed);

	/* acq_rel CAS so a concurrent fetch_or(POISONED) is kept; no write if clean */
	while ((g & ~META_GUARD_POISONED) &&
	       !atomic_compare_exchange_weak_explicit(&s->guard, &g, g & META_GUARD_POISONED,
						      memory_order_acq_rel, memory_order_relaxed))
		;
}

static inline struct frame_meta_debug meta_slot_debug_snapshot(struct meta_slot *s)
{
	return (struct frame_meta_debug){ meta_slot_generation(s), meta_slot_get_guard(s),
					  meta_slot_vtable_bits(s) };
}

/* Free-list links: the buddy writes them under its lock; acquire/release as in
 * the seed so a lock-free reader (buddy_check's diagnostics) sees whole values. */
static inline uint64_t meta_slot_next(struct meta_slot *s)
{
	return atomic_load_explicit(&s->free_link.next, memory_order_acquire);
}

static inline void meta_slot_set_next(struct meta_slot *s, uint64_t next)
{
	atomic_store_explicit(&s->free_link.next, next, memory_order_release);
}

static inline uint64_t meta_slot_prev(struct meta_slot *s)
{
	return atomic_load_explicit(&s->free_link.prev, memory_order_acquire);
}

static inline void meta_slot_set_prev(struct meta_slot *s, uint64_t prev)
{
	atomic_store_explicit(&s->free_link.prev, prev, memory_order_release);
}

/* Raw refcount operations (seed). frame_inc_ref / frame_dec_ref validate and
 * release the block; use those on allocated frames. */
static inline void meta_slot_inc_ref(struct meta_slot *s)
{
	/* relaxed: a new reference is made from an existing one, nothing to order */
	atomic_fetch_add_explicit(&s->refcount, 1, memory_order_relaxed);
}

/* Returns the count before the decrement. */
static inline uint32_t meta_slot_dec_ref(struct meta_slot *s)
{
	/* release: this holder's uses of the frame happen before its release */
	return atomic_fetch_sub_explicit(&s->refcount, 1, memory_order_release);
}

static inline uint32_t meta_slot_get_refcount(struct meta_slot *s)
{
	/* acquire: pairs with release stores/CAS of the refcount hand-off */
	return atomic_load_explicit(&s->refcount, memory_order_acquire);
}

static inline void meta_slot_set_refcount(struct meta_slot *s, uint32_t count)
{
	/* release: slot updates before it are visible to whoever acquires it */
	atomic_store_explicit(&s->refcount, count, memory_order_release);
}

/* Seed Result<u32, u32>: true on success; *seen gets the value found. */
static inline bool meta_slot_cas_refcount(struct meta_slot *s, uint32_t expect, uint32_t new_count,
					  uint32_t *seen)
{
	uint32_t e = expect;
	/* acq_rel on success: acquire the previous owner's release, publish ours;
	 * acquire on failure: the caller may inspect who holds the frame */
	bool ok = atomic_compare_exchange_strong_explicit(&s->refcount, &e, new_count,
							  memory_order_acq_rel, memory_order_acquire);
	if (seen)
		*seen = e;
	return ok;
}

static inline void meta_slot_reset_refcount(struct meta_slot *s)
{
	meta_slot_set_refcount(s, 0);
}

static inline uint8_t meta_slot_get_order(struct meta_slot *s)
{
	/* acquire/release as the seed: order is read together with the refcount hand-off */
	return atomic_load_explicit(&s->order, memory_order_acquire);
}

static inline void meta_slot_set_order(struct meta_slot *s, uint8_t order)
{
	atomic_store_explicit(&s->order, order, memory_order_release);
}

static inline bool meta_slot_is_cow(struct meta_slot *s)
{
	return (meta_slot_get_flags(s) & FRAME_FLAGS_COW) != 0;
}

static inline bool meta_slot_is_dll(struct meta_slot *s)
{
	return (meta_slot_get_flags(s) & FRAME_FLAGS_DLL) != 0;
}

/* ------------------------------------------------------------------ metadata array */

/* Takes the array the loader allocated (virt: its direct-map address, aligned
 * to FRAME_META_ALIGN; bytes >= frames * FRAME_META_SIZE; frames =
 * ceil(ram_top / PAGE_SIZE)), writes meta_slot_new() into every slot and
 * resets the allocator: empty free lists and caches, zero statistics. Call it
 * once, before any other CPU uses mm/ (tests call it again to start over).
 * ALLOC_ERROR_INVALID_ARGUMENT for a NULL/misaligned array, a zero or too
 * large frame count, or bytes too small. */
enum alloc_error init_metadata_array(void *virt, uint64_t bytes, uint64_t frames) MM_WUR;

/* Frames the array covers (0 before init). */
uint64_t metadata_frames(void);

/* Moves the array to `virt` (bytes >= frames * 64, FRAME_META_ALIGN aligned),
 * slot for slot, and uses it from then on; the old array is no longer read
 * and its memory is the caller's. Slots link by frame number, never by
 * pointer, so the copy is the allocator's whole state. The caller must keep
 * every CPU out of the allocator while it runs (a stop-the-world barrier):
 * nothing here takes a lock. INVALID_ARGUMENT (nothing moved) for a NULL,
 * misaligned or too small array, NOT_INITIALIZED before init. */
enum alloc_error metadata_array_move(void *virt, uint64_t bytes) MM_WUR;

/* Slot of the frame containing phys (seed get_meta_slot). A phys beyond the
 * array is a broken caller contract: mm_env_panic(), as the seed asserts. */
struct meta_slot *get_meta_slot(uint64_t phys);
/* Same as get_meta_slot (seed get_meta). */
struct meta_slot *get_meta(uint64_t phys);
struct frame_meta_debug frame_meta_debug_snapshot(uint64_t phys);
/* Epoch check for use-after-free guards: generation(phys) == expected. */
bool meta_generation_matches(uint64_t phys, uint32_t expected);
/* True if any page of [phys, phys + 2^order pages) has META_GUARD_POISONED;
 * false before init_metadata_array, and for pages beyond the array. */
bool block_phys_has_poison_guard(uint64_t phys, uint8_t order);
/* Run on_unmap / on_last_ref of phys's own slot's vtable, if any. */
void invoke_vtable_on_unmap(uint64_t phys);
void invoke_vtable_on_last_ref(uint64_t phys);
/* Make a vtable valid for meta_slot_set_vtable_bits (up to 16, never removed).
 * ALLOC_ERROR_INVALID_ARGUMENT if NULL, misaligned or the table is full. */
enum alloc_error frame_meta_vtable_register(const struct frame_meta_vtable *vt) MM_WUR;

/* ------------------------------------------------------------------ frames */

/* A 4 KiB aligned physical frame (seed PhysFrame). */
struct phys_frame {
	uint64_t start_address;
};

static inline struct phys_frame phys_frame_containing_address(uint64_t addr)
{
	return (struct phys_frame){ addr & ~(PAGE_SIZE - 1) };
}

/* ALLOC_ERROR_INVALID_ADDRESS if addr is not 4 KiB aligned. */
static inline MM_WUR enum alloc_error phys_frame_from_start_address(uint64_t addr,
								    struct phys_frame *out)
{
	if (addr & (PAGE_SIZE - 1))
		return ALLOC_ERROR_INVALID_ADDRESS;
	out->start_address = addr;
	return ALLOC_ERROR_NONE;
}

/* Iterator over [start, end], both included (seed FrameRangeInclusive). */
struct frame_range_inclusive {
	struct phys_frame start;
	struct phys_frame end;
	bool done; /* set after `end` is returned: no wrap-around at the top of memory */
};

static inline struct frame_range_inclusive phys_frame_range_inclusive(struct phys_frame start,
								      struct phys_frame end)
{
	return (struct frame_range_inclusive){ start, end, start.start_address > end.start_address };
}

/* Stores the next frame and returns true, or returns false at the end. */
static inline bool frame_range_inclusive_next(struct frame_range_inclusive *it, struct phys_frame *out)
{
	if (it->done)
		return false;
	*out = it->start;
	if (it->start.start_address >= it->end.start_address)
		it->done = true;
	else
		it->start.start_address += PAGE_SIZE;
	return true;
}

/* ------------------------------------------------------------------ allocation */

/* What a frame is for (seed FramePurpose); stamped into flags at allocation. */
enum frame_purpose {
	FRAME_PURPOSE_PAGE_TABLE,  /* page-table node: always zeroed */
	FRAME_PURPOSE_KERNEL_DATA, /* kernel heap, stacks, ... (the default) */
	FRAME_PURPOSE_USER_DATA,   /* user-space memory */
	FRAME_PURPOSE_CUSTOM,      /* caller's owner flags (frame_alloc_options_custom) */
};

/* Options for one allocation (seed FrameAllocOptions), built by value. */
struct frame_alloc_options {
	bool zeroed;            /* zero the block before returning it (default true) */
	uint8_t order;          /* 2^order contiguous frames (default 0) */
	uint32_t purpose_flags; /* owner flags stamped into the head's flags */
};

static inline uint32_t frame_purpose_to_flags(enum frame_purpose p)
{
	switch (p) {
	case FRAME_PURPOSE_PAGE_TABLE: return FRAME_FLAGS_KERNEL | FRAME_FLAGS_PAGE_TABLE;
	case FRAME_PURPOSE_USER_DATA:  return FRAME_FLAGS_USER;
	default:                       return FRAME_FLAGS_KERNEL;
	}
}

static inline bool frame_purpose_requires_zero(enum frame_purpose p)
{
	return p == FRAME_PURPOSE_PAGE_TABLE;
}

/* Safe defaults: zeroed, FRAME_PURPOSE_KERNEL_DATA, order 0. */
static inline struct frame_alloc_options frame_alloc_options_new(void)
{
	return (struct frame_alloc_options){ true, 0,
					     frame_purpose_to_flags(FRAME_PURPOSE_KERNEL_DATA) };
}

/* zeroed(false) is only for blocks the caller overwrites before any read;
 * it is ignored once the purpose is FRAME_PURPOSE_PAGE_TABLE. */
static inline struct frame_alloc_options frame_alloc_options_zeroed(struct frame_alloc_options o,
								    bool zeroed)
{
	o.zeroed = zeroed || (o.purpose_flags & FRAME_FLAGS_PAGE_TABLE);
	return o;
}

static inline struct frame_alloc_options frame_alloc_options_purpose(struct frame_alloc_options o,
								     enum frame_purpose p)
{
	o.purpose_flags = frame_purpose_to_flags(p);
	if (frame_purpose_requires_zero(p))
		o.zeroed = true;
	return o;
}

/* FRAME_PURPOSE_CUSTOM(flags): owner bits only, the allocator bits are dropped. */
static inline struct frame_alloc_options frame_alloc_options_custom(struct frame_alloc_options o,
								    uint32_t flags)
{
	o.purpose_flags = flags & ~FRAME_FLAGS_ALLOCATOR_MASK;
	if (o.purpose_flags & FRAME_FLAGS_PAGE_TABLE)
		o.zeroed = true;
	return o;
}

/* Not in the seed (it allocated order 0 only): 2^order contiguous frames. */
static inline struct frame_alloc_options frame_alloc_options_order(struct frame_alloc_options o,
								   uint8_t order)
{
	o.order = order;
	return o;
}

/* Allocates a block of 2^o->order frames: from this CPU's cache for order 0,
 * from the buddy otherwise; claims its head with CAS(REFCOUNT_UNUSED -> 1),
 * starts a new epoch, stamps ALLOCATED | purpose into the head's flags, zeroes
 * it if asked. A failed CAS means corruption: that frame is poisoned and
 * reported and another one is tried. Any context but NMI. Errors:
 * INVALID_ORDER, OUT_OF_MEMORY, NOT_INITIALIZED. */
enum alloc_error frame_alloc_options_allocate(const struct frame_alloc_options *o,
					      struct phys_frame *out) MM_WUR;

/* Drops the allocation's reference to the block at phys (Linux __free_pages:
 * the block goes back when the last reference drops). Errors, each with no
 * state change: INVALID_ORDER, INVALID_ADDRESS (not aligned to the block),
 * OUT_OF_RANGE, DOUBLE_FREE (not the head of an allocated block), WRONG_ORDER. */
enum alloc_error frame_free(uint64_t phys, uint8_t order) MM_WUR;

/* One more reference to the allocated block headed by phys (relaxed, like
 * Arc::clone). NOT_ALLOCATED, REFCOUNT_OVERFLOW, INVALID_ADDRESS, OUT_OF_RANGE. */
enum alloc_error frame_inc_ref(uint64_t phys) MM_WUR;

/* Drops one reference; the last one runs the head's vtable (on_last_ref once,
 * on_unmap per page) and returns the block: to this CPU's cache (order 0) or
 * the buddy, except poisoned frames, which are quarantined. Same errors as
 * frame_free except WRONG_ORDER. */
enum alloc_error frame_dec_ref(uint64_t phys) MM_WUR;

/* Marks the frame bad for good (guard + flag). A free frame is taken off the
 * buddy at once, its block split so that only it is quarantined; a frame in an
 * allocated block is quarantined when the block is freed, the rest of the block
 * going back; a frame in a per-CPU cache is quarantined when it reaches the top
 * (never handed out). Unmanaged frames keep the mark (buddy_add_range skips
 * them). INVALID_ADDRESS (not 4 KiB aligned), OUT_OF_RANGE. Idempotent. */
enum alloc_error frame_mark_poisoned(uint64_t phys) MM_WUR;

/* What one frame is now, for a memory picture. A snapshot: exact when no
 * other CPU is allocating. */
enum frame_state {
	FRAME_STATE_UNMANAGED = 0, /* not RAM given to buddy_add_range, or beyond the array */
	FRAME_STATE_FREE,          /* in a free block or a per-CPU cache */
	FRAME_STATE_ALLOCATED,     /* in an allocated block */
	FRAME_STATE_POISONED,      /* marked bad (quarantined, or allocated and to be) */
};
enum frame_state frame_state(uint64_t phys);
const char *frame_state_name(enum frame_state s);

/* ------------------------------------------------------------------ trait */

/* The FrameAllocator trait: a table of functions plus its state. */
struct frame_allocator {
	enum alloc_error (*alloc)(struct frame_allocator *self, uint8_t order, struct phys_frame *out);
	enum alloc_error (*free)(struct frame_allocator *self, struct phys_frame frame, uint8_t order);
	void *state;
};

/* 2^order contiguous frames. */
static inline MM_WUR enum alloc_error frame_allocator_alloc(struct frame_allocator *fa, uint8_t order,
							    struct phys_frame *out)
{
	return fa->alloc(fa, order, out);
}

/* Frees 2^order frames starting at frame. */
static inline MM_WUR enum alloc_error frame_allocator_free(struct frame_allocator *fa,
							   struct phys_frame frame, uint8_t order)
{
	return fa->free(fa, frame, order);
}

/* The trait's provided method: alloc(0). */
static inline MM_WUR enum alloc_error frame_allocator_alloc_frame(struct frame_allocator *fa,
								  struct phys_frame *out)
{
	return fa->alloc(fa, 0, out);
}

/* The MetaSlot allocator as a trait object: state NULL means
 * frame_alloc_options_new(); else a const struct frame_alloc_options * whose
 * zeroing and purpose every alloc uses (the order comes from the call). */
void frame_allocator_metaslot(struct frame_allocator *fa, const struct frame_alloc_options *tmpl);
/* frame_allocator_metaslot(&fa, NULL), ready to use. */
extern struct frame_allocator metaslot_frame_allocator;

#endif
