/* After the passes (audit_internal.h): every free frame is allocated once
 * more, and none may carry the poison guard; together they must be every
 * free frame. The audit's table serves as scratch for the blocks taken. */
#include <mm/mm.h>
#include <kernel/console.h>
#include <kernel/run.h>
#include <lib/json.h>
#include "audit_internal.h"

void audit_poison_check(struct audit_plan *p, struct audit_findings *f)
{
	struct frame_alloc_options o = frame_alloc_options_zeroed(frame_alloc_options_new(), false);
	struct phys_frame fr;
	uint64_t n = 0, frames = 0, poisoned = 0;
	struct jw w;

	pcpu_cache_drain_all();
	for (int order = MAX_ORDER; order >= 0;) {
		o.order = (uint8_t)order;
		if (n == p->capacity || frame_alloc_options_allocate(&o, &fr) != ALLOC_ERROR_NONE) {
			if (n == p->capacity)
				break;
			order--;
			continue;
		}
		p->table[n++] = audit_span_of(fr.start_address, (uint8_t)order, 0);
		for (uint64_t k = 0; k < (1ull << order); k++)
			poisoned += block_phys_has_poison_guard(fr.start_address + k * PAGE_SIZE, 0);
		frames += 1ull << order;
	}
	for (uint64_t i = 0; i < n; i++)
		if (frame_free(p->table[i].phys, audit_span_order(&p->table[i])) != ALLOC_ERROR_NONE)
			atomic_fetch_add(&f->errors, 1);
	pcpu_cache_drain_all();
	jw_begin(&w, "poison_check");
	jw_u64(&w, "allocated_all", frames);
	jw_u64(&w, "poisoned_seen", poisoned);
	jw_u64(&w, "free_after", mm_free_frames());
	event_emit(&w);
	run_check(poisoned == 0, "poison_check_no_poisoned_frame_handed_out");
	run_check(frames == mm_free_frames(), "poison_check_allocated_every_free_frame");
}
