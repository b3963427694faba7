/* Per-CPU order-0 caches: the public drain calls and the sizing. Each CPU keeps
 * up to MM_PCPU_HIGH frame numbers; an empty cache is refilled with
 * MM_PCPU_BATCH frames from the buddy, a full one drains its MM_PCPU_BATCH
 * oldest frames back. */
#ifndef METASLOT_MM_PCPU_CACHE_H
#define METASLOT_MM_PCPU_CACHE_H

#include <stdint.h>
#include <mm/frame.h>

#define MM_PCPU_BATCH 32 /* frames moved per refill / drain */
#define MM_PCPU_HIGH  64 /* capacity: a free that fills the cache drains a batch */
_Static_assert(MM_PCPU_BATCH <= MM_PCPU_HIGH && (MM_PCPU_BATCH & (MM_PCPU_BATCH - 1)) == 0,
	       "refill takes one aligned block of MM_PCPU_BATCH frames when it can");

/* Returns every frame of this CPU's cache to the buddy. Any context. */
void pcpu_cache_drain_local(void);

/* Returns every frame of CPU cpu's cache to the buddy; safe while that CPU is
 * allocating (it waits for the cache's lock). INVALID_ARGUMENT if cpu >=
 * MM_MAX_CPUS. */
enum alloc_error pcpu_cache_drain(uint32_t cpu) MM_WUR;

/* pcpu_cache_drain() for every CPU. After it (and with no CPU allocating) the
 * free lists hold every free frame, poisoned cached frames are quarantined. */
void pcpu_cache_drain_all(void);

#endif
