/* The all-core allocator stress: every online CPU allocates and frees blocks
 * of mixed orders (mostly order 0), hands frames to other CPUs to free, and
 * shares references released on several CPUs, checking each frame's
 * generation before letting it go. Afterwards the caches are drained,
 * buddy_check() runs and the free count must equal the count before. */
#ifndef METASLOT_KERNEL_STRESS_H
#define METASLOT_KERNEL_STRESS_H

#include <stdint.h>

/* Runs `ops` operations per CPU (0: skip, report nothing). Fills the summary
 * figures (frames_free_before/after, lost) and records its checks. */
void stress_run(uint64_t ops);

#endif
