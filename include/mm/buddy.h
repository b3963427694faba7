/* The buddy allocator's public entry points: populating it from RAM ranges and
 * the costly consistency audit. Allocation goes through frame.h. */
#ifndef METASLOT_MM_BUDDY_H
#define METASLOT_MM_BUDDY_H

#include <mm/frame.h>

/* Gives the RAM in [start, end) (physical, any alignment: the start is rounded
 * up and the end down to 4 KiB) to the buddy, as the largest aligned blocks
 * that fit, merged with free neighbours already there. Frames already marked
 * poisoned are quarantined instead. Nothing is added on error:
 * NOT_INITIALIZED, INVALID_ARGUMENT (start >= end, or no whole frame inside),
 * OUT_OF_RANGE (end beyond the metadata array), OVERLAP (a frame of the range
 * is already managed). Any context; holds the buddy lock, interrupts off, for
 * the whole range (meant for boot). */
enum alloc_error buddy_add_range(uint64_t start, uint64_t end) MM_WUR;

/* Walks every free list and every per-CPU cache and then the whole metadata
 * array, under every cache lock and the buddy lock. Checks: link symmetry and
 * termination, REFCOUNT_UNUSED on every free frame, order fields, alignment,
 * no poisoned frame in a free block, no frame on two lists / caches / blocks,
 * every managed frame in exactly one free block, cache, allocated block or
 * quarantine; re-derives the per-order block counts, the free, cached and
 * managed frame counts and compares them with the counters. Returns the first
 * violation (code ALLOC_ERROR_CORRUPTED, phys, order, reason), or code
 * ALLOC_ERROR_NONE. Cost: O(frames in the array), with interrupts off on the
 * calling CPU and every other CPU's order-0 path waiting meanwhile (about
 * 3 ms for 4 GiB of free memory on the host). Safe while other CPUs allocate. */
struct mm_diag buddy_check(void);

#endif
