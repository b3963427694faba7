/* mm/ internals shared between the mm/ sources: the metadata array, the buddy's locked
 * primitives, the per-CPU cache layout and the counters; the slot states and
 * their transitions are in mm/slot_state.h. Not for the kernel: it calls mm/mm.h.
 *
 * Locks: a per-CPU cache lock (inline exchange lock on the cache's own line)
 * nests outside the buddy lock (mm_env_lock). Both are taken irq-off. */
#ifndef METASLOT_MM_INTERNAL_H
#define METASLOT_MM_INTERNAL_H

#include <mm/frame.h>
#include <mm/env.h>
#include <mm/pcpu_cache.h>
#include <mm/slot_state.h>
#include <mm/stats.h>

/* ------------------------------------------------------------------ array */

/* Written by init_metadata_array before any other CPU runs mm/; read-only after
 * (plain globals: the hot path pays no atomic load for them). */
extern struct meta_slot *mm_meta_base;
extern uint64_t mm_meta_frames;

static inline struct meta_slot *mm_slot(uint64_t pfn)
{
	return mm_meta_base + pfn;
}

/* Reports a diagnostic and counts an error (not for corruption). */
void mm_report(enum alloc_error code, const char *op, const char *reason, uint64_t phys,
	       uint8_t order, uint64_t value);
_Noreturn void mm_die(const char *op, const char *reason, uint64_t phys, uint64_t value);

/* ------------------------------------------------------------------ counters */

/* Single-writer counters: only the owning CPU (irq-off) writes, anyone reads.
 * A relaxed load + store is a plain add: no lock prefix on the hot path. */
static inline void ctr_inc(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline uint64_t ctr_read(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* Shared counters for rare events and CPUs without a cache: atomic adds. */
struct mm_shared_counters {
	_Atomic uint64_t allocs, frees;  /* by CPUs with id >= MM_MAX_CPUS */
	_Atomic uint64_t poisoned, quarantined, corruptions, errors;
};
extern struct mm_shared_counters mm_shared;

static inline void shared_inc(_Atomic uint64_t *c)
{
	/* relaxed: a statistic orders nothing */
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* ------------------------------------------------------------------ buddy */

/* The zone: free lists and the counters that live under its lock. */
struct buddy_zone {
	struct mm_lock lock;
	uint64_t head[MAX_ORDER + 1];    /* first free block of each order, or FRAME_META_LINK_NONE */
	uint64_t nr_free[MAX_ORDER + 1]; /* blocks on each list */
	uint64_t free_frames;            /* sum of nr_free[o] << o */
	uint64_t managed_frames;         /* frames given to buddy_add_range */
	uint64_t splits, merges, refills, drains;
};
extern struct buddy_zone mm_buddy;

void buddy_lock(void);
void buddy_unlock(void);
void buddy_reset(void);

/* Takes a block of exactly `order` off the free lists (splitting a larger
 * one), or returns FRAME_META_LINK_NONE. The head is loose, its order field
 * stale: the caller takes it (slot_take writes the order) or caches it. */
uint64_t buddy_alloc_locked(unsigned order);
/* A block of max_order if there is one, else the largest smaller one. */
uint64_t buddy_take_block_locked(unsigned max_order, unsigned *order);
/* Puts a block (refcount REFCOUNT_UNUSED, not poisoned) on the free lists,
 * merging it with free buddies. */
void buddy_free_locked(uint64_t pfn, unsigned order);
/* Same, for a block that may hold poisoned frames: frees the healthy parts as
 * the largest aligned blocks, quarantines the poisoned frames, except
 * keep_pfn, which is left untouched (FRAME_META_LINK_NONE for none). */
void buddy_free_checked_locked(uint64_t pfn, unsigned order, uint64_t keep_pfn);
/* Finds the block containing pfn: its head, order and state flags (FREE,
 * FREE or ALLOCATED). False if pfn is in no block (cached, quarantined,
 * unmanaged). Exact under the buddy lock for FREE blocks. */
bool buddy_find_block_locked(uint64_t pfn, uint64_t *head, unsigned *order, uint32_t *state);
/* Takes the free block containing pfn off its list and gives it back without
 * its poisoned frames. */
void buddy_isolate_poison_locked(uint64_t head, unsigned order);

/* slot_quarantine, counted. Out of line: only cold paths quarantine. */
void mm_quarantine(uint64_t pfn);

/* ------------------------------------------------------------------ per-CPU caches */

/* Per-CPU events. One counter per fast-path operation: cache hits are
 * cache_allocs - cache_misses (a miss is a pop that needed a refill). */
struct pcpu_counters {
	_Atomic uint64_t cache_allocs; /* order-0 allocations from this CPU's cache */
	_Atomic uint64_t cache_misses; /* ... of which needed a refill first */
	_Atomic uint64_t buddy_allocs; /* allocations straight from the buddy */
	_Atomic uint64_t frees;        /* blocks released on this CPU */
};

/* One CPU's cache, on its own cache lines. `lock` is taken by the owner on
 * every order-0 operation (uncontended: one locked exchange on its own line)
 * and by remote drains and buddy_check. pfn[0 .. count-1] is a stack: pops and
 * pushes at the top, drains take the bottom (oldest, coldest). */
struct pcpu_cache {
	_Alignas(64) atomic_uint lock; /* 0 free, 1 held */
	atomic_uint count;             /* written under lock; read lock-free by statistics */
	struct pcpu_counters ctr;      /* single writer: the owning CPU */
	uint64_t pfn[MM_PCPU_HIGH];    /* under lock */
};
extern struct pcpu_cache pcpu_caches[MM_MAX_CPUS];

/* Out of line: a call in the fast path would make it save every register. */
void pcpu_lock_contended(struct pcpu_cache *c);

static inline void pcpu_lock(struct pcpu_cache *c)
{
	/* acquire: the previous holder's pushes/pops are visible to us */
	if (__builtin_expect(atomic_exchange_explicit(&c->lock, 1, memory_order_acquire), 0))
		pcpu_lock_contended(c);
}

/* The fast paths only try: on contention they leave through the general
 * path, which waits (no call in the middle of a fast path). */
static inline bool pcpu_trylock(struct pcpu_cache *c)
{
	/* acquire: as pcpu_lock */
	return !atomic_exchange_explicit(&c->lock, 1, memory_order_acquire);
}

static inline void pcpu_unlock(struct pcpu_cache *c)
{
	/* release: our pushes/pops are visible to the next holder */
	atomic_store_explicit(&c->lock, 0, memory_order_release);
}

static inline unsigned pcpu_count(struct pcpu_cache *c)
{
	/* relaxed: under the lock it is exact; lock-free readers want a statistic */
	return atomic_load_explicit(&c->count, memory_order_relaxed);
}

static inline void pcpu_set_count(struct pcpu_cache *c, unsigned n)
{
	atomic_store_explicit(&c->count, n, memory_order_relaxed);
}

/* Fills an empty cache with up to MM_PCPU_BATCH frames; false if the buddy is
 * empty. Caller holds c's lock. */
bool pcpu_refill_locked(struct pcpu_cache *c);
/* Gives the n oldest frames back to the buddy. Caller holds c's lock. */
void pcpu_drain_locked(struct pcpu_cache *c, unsigned n);
void pcpu_cache_reset(void);

/* ------------------------------------------------------------------ release */

/* Gives back a block whose refcount just reached 0 (hooks, quarantine of
 * poisoned frames, cache or buddy). */
void mm_release_block(uint64_t pfn, unsigned order);

#endif
