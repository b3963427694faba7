/* Allocator statistics: one struct the kernel prints as a JSON event. */
#ifndef METASLOT_MM_STATS_H
#define METASLOT_MM_STATS_H

#include <stdint.h>
#include <mm/frame.h>

struct mm_stats {
	/* state now */
	uint64_t free_blocks[MAX_ORDER + 1]; /* blocks on each free list (/proc/buddyinfo) */
	uint64_t buddy_free_frames;  /* frames in the free lists */
	uint64_t cached_frames;      /* frames in per-CPU caches */
	uint64_t free_frames;        /* buddy_free_frames + cached_frames */
	uint64_t managed_frames;     /* frames given to buddy_add_range (quarantined included) */
	uint64_t quarantined_frames; /* poisoned frames withheld for good */
	/* events since init_metadata_array */
	uint64_t allocs;      /* blocks handed out (any order) */
	uint64_t frees;       /* blocks whose last reference dropped */
	uint64_t splits;      /* buddy block splits */
	uint64_t merges;      /* buddy block merges */
	uint64_t cache_hits;  /* order-0 allocations served by a per-CPU cache without refill */
	uint64_t refills;     /* cache refills from the buddy */
	uint64_t drains;      /* cache drains to the buddy (watermark and explicit) */
	uint64_t poisoned;    /* frames newly marked poisoned (frame_mark_poisoned, CAS failures) */
	uint64_t corruptions; /* failed allocation CAS (frame held by someone else) */
	uint64_t errors;      /* calls rejected with an error value */
};

/* A snapshot; each field is exact, the set is consistent when no CPU is
 * allocating. Takes the buddy lock. */
void mm_stats_read(struct mm_stats *out);

/* Free frames: buddy lists + per-CPU caches. */
uint64_t mm_free_frames(void);

#endif
