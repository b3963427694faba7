/* The coverage report (coverage.h): why each untested RAM frame was not
 * tested, read from where things are now (the kernel image, the memory type,
 * the allocator's state of the frame), and the events. */
#include <mm/frame.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/coverage.h>
#include <kernel/cpu.h>
#include <kernel/memmap.h>
#include <kernel/run.h>

#define UNTESTED_EVENTS 64

struct why_ctx {
	const struct bootinfo *bi;
	uint64_t events;
};

static int tested(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return coverage_frame_tested(pfn);
}

/* A frame the allocator owns (usable RAM, or the kernel's boot frames once
 * relocation gave them to it): why it is untested is its state. */
static int managed_reason(const struct bootinfo *bi, uint64_t phys, enum cov_reason *r)
{
	if (phys < MAPAUDIT_LOW_LIMIT || phys >= BOOTINFO_DIRECT_MAP_REACH ||
	    (phys >> PAGE_SHIFT) >= bi->meta_frames)
		return 0;
	switch (frame_state(phys)) {
	case FRAME_STATE_ALLOCATED: *r = COV_KERNEL_ALLOCATION; return 1;
	case FRAME_STATE_POISONED:  *r = COV_KNOWN_BAD; return 1;
	case FRAME_STATE_FREE:      *r = COV_FREE_UNTESTED; return 1;
	case FRAME_STATE_UNMANAGED: break;
	}
	return 0;
}

static enum cov_reason why(void *ctx, uint64_t phys, uint32_t type)
{
	const struct bootinfo *bi = ((struct why_ctx *)ctx)->bi;
	enum cov_reason r;

	if (cov_goal_type(type) && managed_reason(bi, phys, &r))
		return r;
	if (phys - bi->kernel_phys < bi->kernel_bytes)
		return COV_KERNEL_IMAGE;
	switch (type) {
	case BOOTINFO_MEM_METADATA:   return COV_METASLOT_ARRAY;
	case BOOTINFO_MEM_PAGETABLE:  return COV_PAGE_TABLES;
	case BOOTINFO_MEM_TRAMPOLINE: return COV_TRAMPOLINE;
	case BOOTINFO_MEM_BOOTINFO:   return COV_BOOTINFO;
	case UEFI_MT_RT_CODE:
	case UEFI_MT_RT_DATA:         return COV_RUNTIME_SERVICES;
	case UEFI_MT_ACPI_RECLAIM:    return COV_ACPI_RECLAIM;
	case UEFI_MT_ACPI_NVS:        return COV_ACPI_NVS;
	case UEFI_MT_UNUSABLE:        return COV_UNUSABLE;
	}
	if (!cov_goal_type(type))
		return COV_FIRMWARE_OTHER;
	if (phys < MAPAUDIT_LOW_LIMIT)
		return COV_BELOW_1MIB;
	if (phys >= BOOTINFO_DIRECT_MAP_REACH || (phys >> PAGE_SHIFT) >= bi->meta_frames)
		return COV_BEYOND_REACH;
	return COV_NOT_MANAGED;
}

static void range(void *ctx, uint64_t start, uint64_t end, uint32_t type, enum cov_reason r)
{
	struct why_ctx *c = ctx;
	struct jw w;

	if (c->events++ >= UNTESTED_EVENTS)
		return;
	jw_begin(&w, "coverage_untested");
	jw_u64(&w, "phys", start);
	jw_u64(&w, "bytes", end - start);
	jw_str(&w, "type", memmap_type_name(type));
	jw_str(&w, "reason", cov_reason_name(r));
	event_emit(&w);
}

static void type_event(const struct cov_type *t)
{
	uint64_t untested = 0;
	struct jw w;

	jw_begin(&w, "coverage_type");
	jw_str(&w, "type", memmap_type_name(t->type));
	jw_u64(&w, "ram_bytes", t->ram);
	jw_u64(&w, "tested_bytes", t->tested);
	for (unsigned r = 0; r < COV_REASONS; r++)
		untested += t->untested[r];
	jw_u64(&w, "untested_bytes", untested);
	jw_obj_begin(&w, "untested_by_reason");
	for (unsigned r = 0; r < COV_REASONS; r++)
		if (t->untested[r])
			jw_u64(&w, cov_reason_name(r), t->untested[r]);
	jw_obj_end(&w);
	event_emit(&w);
}

void coverage_report(const struct bootinfo *bi)
{
	static struct cov_tally t;   /* too big for a kernel stack */
	struct why_ctx ctx = { bi, 0 };
	struct cov_source src = { &ctx, tested, why, range };
	uint64_t ppm;
	struct jw w;

	cov_tally_map(phys_to_virt(bi->mmap), bi->mmap_count, bi->mmap_stride, &src, &t);
	for (uint32_t i = 0; i < t.ntypes; i++)
		type_event(&t.t[i]);
	ppm = cov_goal_ppm(&t);
	kprintf("coverage: %llu of %llu MiB of RAM tested; %llu.%04llu %% of the RAM metaslot "
		"can own", (unsigned long long)(t.tested >> 20), (unsigned long long)(t.ram >> 20),
		(unsigned long long)(ppm / 10000), (unsigned long long)(ppm % 10000));
	jw_begin(&w, "coverage");
	jw_str(&w, "when", "end");
	jw_u64(&w, "ram_bytes", t.ram);
	jw_u64(&w, "tested_bytes", t.tested);
	jw_u64(&w, "untested_bytes", t.ram - t.tested);
	jw_u64(&w, "goal_ram_bytes", t.goal_ram);
	jw_u64(&w, "goal_tested_bytes", t.goal_tested);
	jw_u64(&w, "goal_tested_ppm", ppm);
	jw_u64(&w, "goal_ppm", COV_GOAL_PPM);
	jw_bool(&w, "goal_met", ppm >= COV_GOAL_PPM);
	jw_u64(&w, "untested_ranges", t.ranges);
	if (t.ranges > UNTESTED_EVENTS)
		jw_u64(&w, "untested_ranges_not_listed", t.ranges - UNTESTED_EVENTS);
	event_emit(&w);
	/* the same map the memmap event counted: every RAM byte once */
	run_check(t.ram == memmap_audit_result.ram_bytes, "coverage_adds_up_to_the_map");
}
