/* ACPI through the memory map (platform.h). The parser may follow hostile
 * pointers, so map() hands out only ranges that lie wholly inside memory-map
 * descriptors that are not MMIO, and inside the direct map. */
#include <kernel/platform.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/lapic.h>

static const struct bootinfo *boot;

int platform_readable(const struct bootinfo *bi, uint64_t p, uint64_t len)
{
	const void *map = phys_to_virt(bi->mmap);
	uint64_t end = p + len;

	if (end < p || end > bi->direct_map_top)
		return 0;
	while (p < end) {
		uint64_t next = p;

		for (uint32_t i = 0; i < bi->mmap_count; i++) {
			const struct bootinfo_mem_desc *d =
				bootinfo_desc_at(map, bi->mmap_stride, i);
			uint64_t s = d->phys_start, e = s + (d->num_pages << 12);

			if (d->type == 11 || d->type == 12 || e < s)
				continue; /* MMIO: never read a device register */
			if (s <= p && p < e && e > next)
				next = e;
		}
		if (next == p)
			return 0;
		p = next;
	}
	return 1;
}

static const void *map_fn(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	return platform_readable(boot, phys, len) ? phys_to_virt(phys) : 0;
}

static void report_fn(void *ctx, const struct acpi_finding *f)
{
	struct jw w;

	(void)ctx;
	jw_begin(&w, "acpi_issue");
	jw_str(&w, "severity", acpi_severity_name(f->severity));
	jw_str(&w, "what", f->what);
	jw_u64(&w, "phys", f->phys);
	jw_u64(&w, "value", f->value);
	event_emit(&w);
}

void platform_acpi(const struct bootinfo *bi, struct acpi_info *out)
{
	/* the boot CPU's id, so a MADT with too many CPUs still lists it */
	struct acpi_env env = { .map = map_fn, .report = report_fn, .boot_apic_known = true,
				.boot_apic_id = lapic_cpuid_id() };
	struct jw w;

	boot = bi;
	acpi_parse(&env, bi->rsdp, out);
	jw_begin(&w, "acpi");
	jw_u64(&w, "rsdp_revision", out->rsdp_revision);
	jw_bool(&w, "xsdt", out->root_is_xsdt);
	jw_bool(&w, "madt", out->madt_present);
	jw_bool(&w, "cpus_valid", out->cpus_valid);
	jw_u64(&w, "cpus", out->cpu_count);
	jw_u64(&w, "cpus_hotplug", out->cpus_hotplug);
	jw_u64(&w, "max_apic_id", out->max_apic_id);
	jw_u64(&w, "lapic_base", out->lapic_base);
	jw_bool(&w, "pm_timer", out->pm_timer_present);
	jw_bool(&w, "hpet", out->hpet_present);
	jw_u64(&w, "errors", out->n_errors);
	jw_u64(&w, "warnings", out->n_warnings);
	event_emit(&w);
}
