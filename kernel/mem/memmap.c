/* The memory map (memmap.h): kernel glue around mapaudit, which does the
 * reading, the sanitising and the coverage arithmetic on untrusted input. */
#include <mm/frame.h>
#include <kernel/memmap.h>
#include <kernel/console.h>
#include <kernel/config.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/run.h>

struct mapaudit_range memmap_ranges[MAPAUDIT_RANGES_MAX(MAPAUDIT_MAX_DESCS)];
uint32_t memmap_range_count;
struct mapaudit_result memmap_audit_result;
static struct mapaudit_scratch scratch;

static const char *const uefi_names[] = {
	"reserved", "loader_code", "loader_data", "boot_code", "boot_data",
	"runtime_code", "runtime_data", "conventional", "unusable", "acpi_reclaim",
	"acpi_nvs", "mmio", "mmio_port", "pal_code", "persistent", "unaccepted",
};

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case BOOTINFO_MEM_METADATA:   return "metaslot_metadata";
	case BOOTINFO_MEM_PAGETABLE:  return "metaslot_pagetable";
	case BOOTINFO_MEM_TRAMPOLINE: return "metaslot_trampoline";
	case BOOTINFO_MEM_BOOTINFO:   return "metaslot_bootinfo";
	}
	if (type < sizeof(uefi_names) / sizeof(uefi_names[0]))
		return uefi_names[type];
	return type >= 0x80000000u ? "os_other" : "unknown";
}

static void report(void *ctx, const struct mapaudit_finding *f)
{
	struct jw w;

	(void)ctx;
	jw_begin(&w, "memmap_issue");
	jw_str(&w, "severity", mapaudit_severity_name(f->severity));
	jw_str(&w, "what", f->what);
	if (f->index != MAPAUDIT_NO_DESC) {
		jw_u64(&w, "index", f->index);
		jw_str(&w, "type", memmap_type_name(f->type));
	}
	if (f->other != MAPAUDIT_NO_DESC)
		jw_u64(&w, "other", f->other);
	jw_u64(&w, "phys", f->phys);
	jw_u64(&w, "pages", f->pages);
	jw_u64(&w, "attr", f->attr);
	jw_u64(&w, "value", f->value);
	event_emit(&w);
}

/* The width the map audit uses: the CPU's, cut at the direct map's reach,
 * so usable RAM the loader could not map is dropped (and counted). */
static uint32_t phys_bits(void)
{
	uint32_t r[4];

	cpuid(0x80000000u, 0, r);
	if (r[0] < 0x80000008u)
		return 0; /* mapaudit falls back to a conservative width */
	cpuid(0x80000008u, 0, r);
	if ((r[0] & 0xff) > BOOTINFO_DIRECT_MAP_REACH_BITS)
		return BOOTINFO_DIRECT_MAP_REACH_BITS;
	return r[0] & 0xff;
}

/* Entries the loader left unmapped because they reach past the direct map:
 * one event each (bounded), so a user sees what was left out and why. */
#define BEYOND_REACH_EVENTS 16

static void report_beyond_reach(const struct bootinfo *bi, const void *map)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct bootinfo_mem_desc *d = bootinfo_desc_at(map, bi->mmap_stride, i);
		uint64_t end = d->phys_start + (d->num_pages << 12);

		if (d->num_pages == 0 || d->num_pages > (UINT64_MAX >> 12) || end < d->phys_start ||
		    end <= BOOTINFO_DIRECT_MAP_REACH)
			continue;
		if (n++ < BEYOND_REACH_EVENTS) {
			struct jw w;
			uint64_t from = d->phys_start > BOOTINFO_DIRECT_MAP_REACH
						? d->phys_start : BOOTINFO_DIRECT_MAP_REACH;

			jw_begin(&w, "memmap_beyond_reach");
			jw_u64(&w, "index", i);
			jw_str(&w, "type", memmap_type_name(d->type));
			jw_u64(&w, "phys", d->phys_start);
			jw_u64(&w, "pages", d->num_pages);
			jw_u64(&w, "reach", BOOTINFO_DIRECT_MAP_REACH);
			jw_u64(&w, "bytes_left_out", end - from);
			jw_bool(&w, "ram", bootinfo_mem_is_ram(d->type));
			event_emit(&w);
		}
	}
	if (n > BEYOND_REACH_EVENTS)
		kprintf("%u more memory-map entries beyond the direct map's reach",
			n - BEYOND_REACH_EVENTS);
}

void memmap_audit(const struct bootinfo *bi)
{
	const void *map = phys_to_virt(bi->mmap);
	struct mapaudit_input in = {
		.map = map, .count = bi->mmap_count, .stride = bi->mmap_stride,
		.phys_bits = phys_bits(), .kernel_phys = bi->kernel_phys,
		.kernel_bytes = bi->kernel_bytes, .report = report,
		.keep_boot_services = kcfg.keep_boot_services,
	};
	struct mapaudit_result *r = &memmap_audit_result;
	struct jw w;

	mapaudit_run(&in, &scratch, memmap_ranges,
		     sizeof(memmap_ranges) / sizeof(memmap_ranges[0]), r);
	if (!r->ok)
		panic("the firmware memory map is unusable (%u errors); see memmap_issue",
		      r->n_errors);
	memmap_range_count = r->range_count;
	run.ram_bytes = r->ram_bytes;

	uint64_t top = bootinfo_ram_top(map, bi->mmap_count, bi->mmap_stride,
					bootinfo_ram_limit(cpu_phys_limit()));

	jw_begin(&w, "memmap");
	jw_u64(&w, "entries", bi->mmap_count);
	jw_u64(&w, "stride", bi->mmap_stride);
	jw_u64(&w, "ram_top", top);
	jw_u64(&w, "ram_bytes", r->ram_bytes);
	jw_u64(&w, "issues", r->n_errors + r->n_warnings + r->n_infos);
	jw_u64(&w, "phys_bits", r->phys_bits);
	jw_obj_begin(&w, "bytes_by_type");
	for (unsigned s = 0; s < MAPAUDIT_TYPE_SLOTS; s++)
		if (r->type_bytes[s])
			jw_u64(&w, memmap_type_name(mapaudit_slot_type(s)), r->type_bytes[s]);
	jw_obj_end(&w);
	event_emit(&w);
	report_beyond_reach(bi, map);

	/* every RAM frame in exactly one class: none lost, none counted twice */
	const struct mapaudit_coverage *c = &r->cov;

	jw_begin(&w, "coverage");
	jw_str(&w, "when", "map");   /* the test coverage at the end is "end" */
	jw_u64(&w, "ram_frames", r->ram_frames);
	jw_u64(&w, "usable_frames", c->frames[MAPAUDIT_USABLE]);
	jw_u64(&w, "kernel_frames", c->frames[MAPAUDIT_KERNEL]);
	jw_u64(&w, "firmware_frames", c->frames[MAPAUDIT_FIRMWARE]);
	jw_u64(&w, "dropped_frames", r->dropped_frames);
	jw_u64(&w, "not_ram_frames", c->frames[MAPAUDIT_NOT_RAM]);
	jw_u64(&w, "hole_frames", c->hole_frames);
	jw_u64(&w, "low_frames", r->low_frames);
	event_emit(&w);

	/* the loader sized the metadata array from its own reading of the map */
	run_check(top == bi->ram_top, "memmap_ram_top_matches_loader");
	/* the allocator's frames only: a RAM entry past the CPU's width that is
	 * not USABLE is kept (and reported), yet lies beyond the array */
	run_check(mapaudit_metadata_covers(memmap_ranges, memmap_range_count, bi->meta_frames),
		  "metadata_covers_usable_ram");
	run_check(r->ram_frames == c->frames[MAPAUDIT_USABLE] + c->frames[MAPAUDIT_KERNEL] +
					   c->frames[MAPAUDIT_FIRMWARE] + r->dropped_frames,
		  "coverage_every_ram_frame_once");
}

void memmap_check_allocator(uint64_t managed_frames)
{
	run_check(mapaudit_check_allocator(&memmap_audit_result.cov, managed_frames, report, 0),
		  "coverage_allocator_owns_usable_frames");
}
