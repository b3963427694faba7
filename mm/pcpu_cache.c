/* Per-CPU order-0 caches: refill from and drain to the buddy in batches, and
 * the drain entry points. The pop/push fast paths live with their callers
 * (alloc_options.c, release.c) so they inline. A cached frame's slot is
 * loose's (mm/slot_state.h): no head bits (never a merge candidate), refcount
 * REFCOUNT_UNUSED, order stale until slot_take writes 0. So a refill writes
 * no slot, a drain only the heads of the blocks it frees: a batch costs one
 * pass over cold metadata less. */
#include <mm/internal.h>

struct pcpu_cache pcpu_caches[MM_MAX_CPUS];

void pcpu_cache_reset(void)
{
	for (unsigned i = 0; i < MM_MAX_CPUS; i++) {
		struct pcpu_cache *c = &pcpu_caches[i];

		atomic_store_explicit(&c->lock, 0, memory_order_relaxed);
		pcpu_set_count(c, 0);
		atomic_store_explicit(&c->ctr.cache_allocs, 0, memory_order_relaxed);
		atomic_store_explicit(&c->ctr.cache_misses, 0, memory_order_relaxed);
		atomic_store_explicit(&c->ctr.buddy_allocs, 0, memory_order_relaxed);
		atomic_store_explicit(&c->ctr.frees, 0, memory_order_relaxed);
	}
}

void pcpu_lock_contended(struct pcpu_cache *c)
{
	/* a remote drain or buddy_check holds it: wait, then retry the exchange */
	do
		while (atomic_load_explicit(&c->lock, memory_order_relaxed))
			mm_env_cpu_relax();
	while (atomic_exchange_explicit(&c->lock, 1, memory_order_acquire));
}

static unsigned floor_log2(unsigned n)
{
	return 31u - (unsigned)__builtin_clz(n);
}

bool pcpu_refill_locked(struct pcpu_cache *c)
{
	unsigned n = pcpu_count(c), first = n;

	buddy_lock();
	/* one aligned MM_PCPU_BATCH block when there is one: a single list
	 * operation for the whole batch; smaller blocks when memory is fragmented.
	 * The frames carry no head bits once off the lists: nothing to stamp. */
	while (n < MM_PCPU_BATCH) {
		unsigned k;
		uint64_t pfn = buddy_take_block_locked(floor_log2(MM_PCPU_BATCH - n), &k);

		if (pfn == FRAME_META_LINK_NONE)
			break;
		/* descending, so that pops hand out ascending frame numbers */
		for (uint64_t i = 1ull << k; i-- > 0;)
			c->pfn[n++] = pfn + i;
	}
	if (n > first)
		mm_buddy.refills++;
	buddy_unlock();
	pcpu_set_count(c, n);
	return n > first;
}

/* Sorts v[0..n) ascending: insertion sort, after reversing a descending
 * batch (frames freed in reverse order); n <= MM_PCPU_HIGH. */
static void sort_pfns(uint64_t *v, unsigned n)
{
	if (n > 1 && v[0] > v[n - 1])
		for (unsigned i = 0, j = n - 1; i < j; i++, j--) {
			uint64_t t = v[i];

			v[i] = v[j];
			v[j] = t;
		}
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Batch coalescing: the batch is sorted, and every aligned run of 2^k
 * contiguous frames goes to the buddy as one block of order k (one list
 * operation instead of 2^k - 1 merges). Frames freed in order, the common
 * bulk case, leave in order-5 blocks. */
void pcpu_drain_locked(struct pcpu_cache *c, unsigned n)
{
	unsigned count = pcpu_count(c);
	uint64_t *v = c->pfn;

	if (n > count)
		n = count;
	if (n == 0)
		return;
	buddy_lock();
	/* poisoned while cached (frame_mark_poisoned leaves cached frames here):
	 * quarantined, under the buddy lock like the mark itself */
	unsigned m = 0;
	bool sorted = true;

	for (unsigned i = 0; i < n; i++) {
		if (meta_slot_is_guard_poisoned(mm_slot(v[i]))) {
			mm_quarantine(v[i]);
			continue;
		}
		sorted &= m == 0 || v[m - 1] < v[i];
		v[m++] = v[i];
	}
	if (!sorted)
		sort_pfns(v, m);
	for (unsigned i = 0; i < m;) {
		uint64_t pfn = v[i];
		unsigned k = 0;

		/* grow while pfn stays aligned and the next 2^(k+1) entries are
		 * exactly pfn .. pfn + 2^(k+1) - 1 (sorted, no duplicates) */
		while (k < MAX_ORDER && !(pfn & ((2ull << k) - 1)) && i + (2u << k) <= m &&
		       v[i + (2u << k) - 1] == pfn + (2ull << k) - 1)
			k++;
		buddy_free_locked(pfn, k); /* the run's tails already carry no head bits */
		i += 1u << k;
	}
	mm_buddy.drains++;
	buddy_unlock();
	for (unsigned i = n; i < count; i++)
		c->pfn[i - n] = c->pfn[i];
	pcpu_set_count(c, count - n);
}

static void drain_cpu(uint32_t cpu)
{
	struct pcpu_cache *c = &pcpu_caches[cpu];
	struct mm_irq_token tok = mm_env_irq_save();

	pcpu_lock(c);
	pcpu_drain_locked(c, pcpu_count(c));
	pcpu_unlock(c);
	mm_env_irq_restore(tok);
}

void pcpu_cache_drain_local(void)
{
	struct mm_irq_token tok = mm_env_irq_save();
	uint32_t cpu = tok.cpu;

	if (cpu < MM_MAX_CPUS && mm_meta_base)
		drain_cpu(cpu);
	mm_env_irq_restore(tok);
}

enum alloc_error pcpu_cache_drain(uint32_t cpu)
{
	if (cpu >= MM_MAX_CPUS) {
		mm_report(ALLOC_ERROR_INVALID_ARGUMENT, "pcpu_cache_drain", "cpu id >= MM_MAX_CPUS",
			  MM_DIAG_NO_PHYS, 0, cpu);
		return ALLOC_ERROR_INVALID_ARGUMENT;
	}
	if (mm_meta_base)
		drain_cpu(cpu);
	return ALLOC_ERROR_NONE;
}

void pcpu_cache_drain_all(void)
{
	if (!mm_meta_base)
		return;
	for (uint32_t cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		if (pcpu_count(&pcpu_caches[cpu]))
			drain_cpu(cpu);
}
