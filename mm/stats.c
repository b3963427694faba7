/* Statistics: the buddy's counters (read under its lock) plus every CPU's
 * single-writer counters and cache sizes (read lock-free, relaxed). */
#include <mm/internal.h>

void mm_stats_read(struct mm_stats *out)
{
	*out = (struct mm_stats){ 0 };
	if (!mm_meta_base)
		return;
	struct mm_irq_token tok = mm_env_irq_save();

	buddy_lock();
	for (unsigned o = 0; o <= MAX_ORDER; o++)
		out->free_blocks[o] = mm_buddy.nr_free[o];
	out->buddy_free_frames = mm_buddy.free_frames;
	out->managed_frames = mm_buddy.managed_frames;
	out->splits = mm_buddy.splits;
	out->merges = mm_buddy.merges;
	out->refills = mm_buddy.refills;
	out->drains = mm_buddy.drains;
	buddy_unlock();
	mm_env_irq_restore(tok);
	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct pcpu_cache *c = &pcpu_caches[cpu];

		out->cached_frames += pcpu_count(c);
		uint64_t cache_allocs = ctr_read(&c->ctr.cache_allocs);
		uint64_t misses = ctr_read(&c->ctr.cache_misses);

		out->allocs += cache_allocs + ctr_read(&c->ctr.buddy_allocs);
		out->frees += ctr_read(&c->ctr.frees);
		out->cache_hits += cache_allocs > misses ? cache_allocs - misses : 0;
	}
	out->free_frames = out->buddy_free_frames + out->cached_frames;
	out->allocs += ctr_read(&mm_shared.allocs);
	out->frees += ctr_read(&mm_shared.frees);
	out->quarantined_frames = ctr_read(&mm_shared.quarantined);
	out->poisoned = ctr_read(&mm_shared.poisoned);
	out->corruptions = ctr_read(&mm_shared.corruptions);
	out->errors = ctr_read(&mm_shared.errors);
}

uint64_t mm_free_frames(void)
{
	if (!mm_meta_base)
		return 0;
	struct mm_irq_token tok = mm_env_irq_save();

	buddy_lock();
	uint64_t n = mm_buddy.free_frames;

	buddy_unlock();
	mm_env_irq_restore(tok);
	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		n += pcpu_count(&pcpu_caches[cpu]);
	return n;
}
