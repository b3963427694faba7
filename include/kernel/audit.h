/* The RAM audit, metaslot's main job: every free frame the allocator owns is
 * allocated (through frame_alloc_options_allocate, all CPUs at once), tested
 * with the configured patterns, and freed; frames that fail are marked with
 * meta_slot_mark_poisoned (frame_mark_poisoned), so the allocator quarantines
 * them when their block is freed and never hands them out again. Then every
 * free frame is allocated once more to prove none of them is poisoned. */
#ifndef METASLOT_KERNEL_AUDIT_H
#define METASLOT_KERNEL_AUDIT_H

#include <stdint.h>

/* Runs as kcfg says (audit=, passes=, patterns=, inject_fault=); emits
 * bad_frame, audit_cpu, audit_result and poison_check events and sets
 * run.bad_frames. Does nothing when audit=off. */
void audit_run(void);

/* A bad frame found by something other than a pattern (a machine check's
 * memory error at `phys`, from `source` on `cpu`): listed, poisoned and
 * counted like a pattern's find, and reported now when no audit pass is
 * running to report it. Any CPU, any time after mm_init. */
void audit_add_bad_frame(uint64_t phys, uint32_t cpu, const char *source);

/* A block the kernel is about to keep data in (allocated to it, not in use
 * yet), tested first with the quick patterns on this CPU: bad frames are
 * listed, poisoned and reported like the audit's own. Returns how many new
 * bad frames it held (free the block and take another then). */
uint64_t audit_test_block(uint64_t phys, uint8_t order);

/* The iterations each pattern of the moving-inversion family runs, in a full
 * pass and in the first one (shorter, as memtest86+'s), as two objects of
 * the config event. */
struct jw;
void audit_describe_iterations(struct jw *w);

/* The bad frames this run found (empty when the audit did not run). */
struct badlist;
const struct badlist *audit_bad_frames(void);

/* Entries [from, from + max) of the bad-frame list as it is now, copied
 * under its lock (any CPU, while the passes add to it); returns how many,
 * and in *total the bad frames found so far (listed + overflow). The list
 * only grows until the audit's result sorts it, after its last pass. */
struct bad_frame;
uint32_t audit_bad_frames_copy(uint32_t from, struct bad_frame *out, uint32_t max,
			       uint64_t *total);

#endif
