/* The coverage arithmetic (coverage.h): every RAM frame of the map is either
 * tested or untested for one reason, per memory type. Pure: it reads the map
 * and asks its source, nothing else. */
#include <kernel/coverage.h>

static const char *const reason_names[COV_REASONS] = {
	[COV_RUNTIME_SERVICES] = "runtime_services",
	[COV_ACPI_RECLAIM] = "acpi_reclaim",
	[COV_ACPI_NVS] = "acpi_nvs",
	[COV_UNUSABLE] = "unusable",
	[COV_FIRMWARE_OTHER] = "firmware_other",
	[COV_METASLOT_ARRAY] = "metaslot_array",
	[COV_KERNEL_IMAGE] = "kernel_image",
	[COV_PAGE_TABLES] = "page_tables",
	[COV_BOOTINFO] = "bootinfo",
	[COV_TRAMPOLINE] = "ap_trampoline",
	[COV_BELOW_1MIB] = "below_1mib",
	[COV_KERNEL_ALLOCATION] = "kernel_allocation",
	[COV_KNOWN_BAD] = "known_bad",
	[COV_NOT_MANAGED] = "not_managed",
	[COV_BEYOND_REACH] = "beyond_reach",
	[COV_FREE_UNTESTED] = "free_untested",
};

const char *cov_reason_name(enum cov_reason r)
{
	return (unsigned)r < COV_REASONS ? reason_names[r] : "unknown";
}

int cov_goal_type(uint32_t type)
{
	return (type >= 1 && type <= 4) || type == 7 ||
	       (type >= BOOTINFO_MEM_METADATA && type <= BOOTINFO_MEM_BOOTINFO);
}

static struct cov_type *slot_for(struct cov_tally *t, uint32_t type)
{
	for (uint32_t i = 0; i < t->ntypes; i++)
		if (t->t[i].type == type)
			return &t->t[i];
	if (t->ntypes == COV_TYPES_MAX)
		return &t->t[COV_TYPES_MAX - 1];
	t->t[t->ntypes].type = type;
	return &t->t[t->ntypes++];
}

/* The open untested run, merged until the type or reason changes or a
 * frame is not adjacent. */
struct run {
	uint64_t start, end;
	uint32_t type;
	enum cov_reason why;
};

static void flush(const struct cov_source *s, struct cov_tally *t, struct run *r)
{
	if (r->end == r->start)
		return;
	t->ranges++;
	if (s->range)
		s->range(s->ctx, r->start, r->end, r->type, r->why);
	r->start = r->end = 0;
}

void cov_tally_map(const void *map, uint32_t count, uint32_t stride,
		   const struct cov_source *src, struct cov_tally *out)
{
	struct run r = { 0, 0, 0, COV_REASONS };

	*out = (struct cov_tally){ 0 };
	for (uint32_t i = 0; i < count; i++) {
		struct bootinfo_mem_desc d = bootinfo_desc_get(map, stride, i);

		if (!bootinfo_mem_is_ram(d.type) || d.num_pages == 0 ||
		    d.num_pages > (UINT64_MAX - d.phys_start) >> 12)
			continue;
		struct cov_type *ct = slot_for(out, d.type);
		uint64_t pfn0 = d.phys_start >> 12, bytes = d.num_pages << 12;
		int goal = cov_goal_type(d.type);

		ct->ram += bytes;
		out->ram += bytes;
		if (goal)
			out->goal_ram += bytes;
		for (uint64_t k = 0; k < d.num_pages; k++) {
			uint64_t phys = (pfn0 + k) << 12;

			if (src->tested(src->ctx, pfn0 + k)) {
				ct->tested += 4096;
				out->tested += 4096;
				out->goal_tested += goal ? 4096 : 0;
				continue;
			}
			enum cov_reason why = src->why(src->ctx, phys, d.type);

			if ((unsigned)why >= COV_REASONS)
				why = COV_FIRMWARE_OTHER;
			ct->untested[why] += 4096;
			if (r.end != phys || r.type != d.type || r.why != why) {
				flush(src, out, &r);
				r = (struct run){ phys, phys, d.type, why };
			}
			r.end = phys + 4096;
		}
	}
	flush(src, out, &r);
}

uint64_t cov_goal_ppm(const struct cov_tally *t)
{
	if (!t->goal_ram)
		return 1000000;
	/* bytes are multiples of 4096: frames fit 64-bit arithmetic times 10^6 */
	return (t->goal_tested >> 12) * 1000000 / (t->goal_ram >> 12);
}
