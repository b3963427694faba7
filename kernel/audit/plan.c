/* Planning the audit (audit_internal.h): which patterns run, the table of
 * blocks, which blocks are taken and which CPU tests which.
 *
 * Taking blocks: every CPU allocates, largest order first, until the
 * allocator is empty. While a CPU is at order k no block larger than k is
 * free (it only drops to k after order k+1 failed, and nothing is freed while
 * blocks are taken), so nothing is split and the table needs no more entries
 * than there were free blocks when it was sized. */
#include <mm/mm.h>
#include <kernel/config.h>
#include <kernel/cpu.h>
#include <kernel/journal.h>
#include <kernel/kmem.h>
#include <lib/fmt.h>
#include <lib/json.h>
#include "audit_internal.h"

uint32_t audit_quick_patterns(void)
{
	uint32_t m = 0;

	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (audit_patterns[i].level == AUDIT_QUICK)
			m |= 1u << i;
	return m;
}

static uint32_t selected_patterns(void)
{
	uint32_t m = 0;

	if (kcfg.patterns)
		return kcfg.patterns;
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (audit_patterns[i].level <= kcfg.audit)
			m |= 1u << i;
	return m;
}

void plan_patterns(struct audit_plan *p)
{
	size_t len = 0;

	p->patterns = journal_resume_apply(selected_patterns());
	p->names[0] = 0;
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		if (!(p->patterns & (1u << i)))
			continue;
		if (len < sizeof(p->names))
			len += ksnprintf(p->names + len, sizeof(p->names) - len, "%s%s",
					 len ? "," : "", audit_patterns[i].name);
	}
}

struct audit_span audit_span_of(uint64_t phys, uint8_t order, uint32_t cpu)
{
	return (struct audit_span){ phys_to_virt(phys), phys, (PAGE_SIZE << order) / 8, cpu };
}

uint8_t audit_span_order(const struct audit_span *s)
{
	return kmem_order_for(s->words * 8);
}

int plan_table(struct audit_plan *p, struct audit_findings *f)
{
	struct mm_stats st;

	pcpu_cache_drain_all();
	mm_stats_read(&st);
	uint64_t blocks = 64;

	for (int o = 0; o <= MAX_ORDER; o++)
		blocks += st.free_blocks[o];
	uint64_t bytes = blocks * sizeof(struct audit_span);

	p->table_order = kmem_order_for(bytes);
	if (p->table_order > MAX_ORDER)
		p->table_order = MAX_ORDER;
	for (int tries = 0; tries < 4; tries++) {
		p->table_phys = kmem_alloc(p->table_order, FRAME_PURPOSE_KERNEL_DATA);
		if (!p->table_phys)
			return 0;
		struct audit_span sp = audit_span_of(p->table_phys, p->table_order, 0);
		uint32_t before = f->bad.n;

		audit_test_spans(&sp, 1, audit_quick_patterns(), 0, 0, f);
		if (f->bad.n == before)
			break;
		/* bad memory under the table (the test poisoned it): try again */
		if (kmem_free(p->table_phys, p->table_order) != ALLOC_ERROR_NONE)
			return 0;
		p->table_phys = 0;
	}
	if (!p->table_phys)
		return 0;
	uint64_t cap = (PAGE_SIZE << p->table_order) / sizeof(struct audit_span);

	p->capacity = cap < blocks ? cap : blocks;
	p->table = phys_to_virt(p->table_phys);
	return 1;
}

void plan_table_free(struct audit_plan *p, struct audit_findings *f)
{
	if (kmem_free(p->table_phys, p->table_order) != ALLOC_ERROR_NONE)
		atomic_fetch_add(&f->errors, 1);
}

/* iterations= applies to every pass as given. Otherwise audit=quick runs
 * each pattern once (it stays quick), and standard and full run memtest86+'s
 * iterations: a full pass the pattern's, the first pass a third of them (a
 * quicker first look at the whole memory). */
static uint32_t iterations_of(uint32_t i, uint32_t pass)
{
	uint32_t full = audit_patterns[i].iterations;

	if (!full)
		return 1;
	if (kcfg.iterations[i])
		return kcfg.iterations[i];
	if (kcfg.audit <= AUDIT_QUICK)
		return 1;
	return pass == 0 && full >= 3 ? full / 3 : full;
}

uint32_t plan_iterations(const struct audit_plan *p, uint32_t i, uint32_t pass)
{
	(void)p;
	return iterations_of(i, pass);
}

void audit_describe_iterations(struct jw *w)
{
	jw_obj_begin(w, "iterations");
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (audit_patterns[i].iterations)
			jw_u64(w, audit_patterns[i].name, iterations_of(i, 1));
	jw_obj_end(w);
	jw_obj_begin(w, "first_pass_iterations");
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (audit_patterns[i].iterations)
			jw_u64(w, audit_patterns[i].name, iterations_of(i, 0));
	jw_obj_end(w);
}

uint64_t plan_pattern_sweeps(const struct audit_plan *p, uint32_t i, uint32_t pass)
{
	return audit_pattern_sweeps(&audit_patterns[i], plan_iterations(p, i, pass));
}

uint64_t plan_pass_sweeps(const struct audit_plan *p, uint32_t pass)
{
	uint64_t s = 0;

	for (uint32_t i = 0; i < audit_pattern_count; i++)
		if (p->patterns & (1u << i))
			s += plan_pattern_sweeps(p, i, pass);
	return s;
}

void plan_sweep_kinds(const struct audit_plan *p, uint32_t passes, uint32_t n[AUDIT_KINDS])
{
	n[AUDIT_KIND_WRITE] = n[AUDIT_KIND_READ] = n[AUDIT_KIND_RW] = 0;
	for (uint32_t pass = 0; pass < passes; pass++)
		for (uint32_t i = 0; i < audit_pattern_count; i++) {
			const struct audit_pattern *ap = &audit_patterns[i];
			uint32_t its = plan_iterations(p, i, pass), more = its > 1 ? its - 1 : 0;

			if (!(p->patterns & (1u << i)))
				continue;
			n[AUDIT_KIND_WRITE] += ap->mix.write + more * ap->iteration_mix.write;
			n[AUDIT_KIND_READ] += ap->mix.read + more * ap->iteration_mix.read;
			n[AUDIT_KIND_RW] += ap->mix.rw + more * ap->iteration_mix.rw;
		}
}

void plan_begin_pass(struct audit_plan *p, uint32_t pass)
{
	atomic_store(&p->used, 0);
	p->sweeps = plan_pass_sweeps(p, pass);
}

void plan_grab(struct audit_plan *p, struct audit_findings *f, uint32_t cpu)
{
	struct frame_alloc_options o = frame_alloc_options_zeroed(frame_alloc_options_new(), false);
	struct phys_frame fr;
	int order = MAX_ORDER;

	while (order >= 0) {
		o.order = (uint8_t)order;
		if (frame_alloc_options_allocate(&o, &fr) != ALLOC_ERROR_NONE) {
			order--;
			continue;
		}
		uint64_t slot = atomic_fetch_add_explicit(&p->used, 1, memory_order_relaxed);

		if (slot >= p->capacity) {
			/* cannot happen by the argument above; stop safely if it does */
			atomic_fetch_sub_explicit(&p->used, 1, memory_order_relaxed);
			if (frame_free(fr.start_address, (uint8_t)order) != ALLOC_ERROR_NONE)
				atomic_fetch_add(&f->errors, 1);
			break;
		}
		p->table[slot] = audit_span_of(fr.start_address, (uint8_t)order, cpu);
	}
}

/* Equal shares of words, in table order (whoever allocated the blocks: the
 * boot CPU wins most of the race). */
void plan_share(struct audit_plan *p, uint32_t ncpu)
{
	uint64_t used = atomic_load(&p->used), total = 0, acc = 0, i = 0;

	for (uint64_t k = 0; k < used; k++)
		total += p->table[k].words;
	for (uint32_t c = 0; c < ncpu; c++) {
		uint64_t goal = total * (c + 1) / ncpu;

		p->first[c] = i;
		for (; i < used && (acc < goal || c == ncpu - 1); i++)
			acc += p->table[i].words;
	}
	p->first[ncpu] = used;
	p->words_total = total;
}
