/* mapaudit_run: the checks of each descriptor and of the map as a whole, the
 * per-type totals, then the overlap walk (overlap.c), the sanitised map
 * (sanitize.c) and the coverage cross-check (coverage.c). */
#include <stddef.h>
#include <kernel/mapaudit.h>
#include <lib/string.h>

const char *mapaudit_severity_name(enum mapaudit_severity sev)
{
	switch (sev) {
	case MAPAUDIT_SEV_ERROR: return "error";
	case MAPAUDIT_SEV_WARN:  return "warn";
	default:                 return "info";
	}
}

/* Descriptors are read with memcpy: the map may sit at any alignment and
 * the stride need not be a multiple of 8. */
struct bootinfo_mem_desc mapaudit_desc(const struct mapaudit_ctx *c, uint32_t i)
{
	struct bootinfo_mem_desc d;

	memcpy(&d, bootinfo_desc_at(c->in->map, c->in->stride, i), sizeof(d));
	return d;
}

/* The range is [phys, phys + pages * 4096 - 1]; it fits iff
 * pages <= floor((2^64 - phys) / 4096) = floor((X + 1) / 4096) with
 * X = UINT64_MAX - phys, i.e. (X >> 12) plus one if X's low 12 bits are all
 * ones. No step of this can wrap. */
bool mapaudit_desc_last(const struct bootinfo_mem_desc *d, uint64_t *last)
{
	uint64_t x = UINT64_MAX - d->phys_start;
	uint64_t max_pages = (x >> 12) + ((x & 0xfff) == 0xfff);

	if (d->num_pages > max_pages) {
		*last = UINT64_MAX;
		return false;
	}
	*last = d->phys_start + ((d->num_pages << 12) - 1);
	return true;
}

static void emit(struct mapaudit_ctx *c, struct mapaudit_finding *f)
{
	struct mapaudit_result *out = c->out;

	if (f->severity == MAPAUDIT_SEV_ERROR)
		out->n_errors++;
	else if (f->severity == MAPAUDIT_SEV_WARN)
		out->n_warnings++;
	else
		out->n_infos++;
	if (c->in->report && out->n_reported < MAPAUDIT_MAX_REPORTS) {
		out->n_reported++;
		c->in->report(c->in->ctx, f);
	}
}

void mapaudit_note(struct mapaudit_ctx *c, enum mapaudit_severity sev, const char *what,
		   uint32_t index, uint32_t other, uint64_t value)
{
	struct mapaudit_finding f = { sev, what, index, other, 0, 0, 0, 0, value };

	if (index != MAPAUDIT_NO_DESC) {
		struct bootinfo_mem_desc d = mapaudit_desc(c, index);

		f.type = d.type;
		f.phys = d.phys_start;
		f.pages = d.num_pages;
		f.attr = d.attribute;
	}
	emit(c, &f);
}

void mapaudit_note_at(struct mapaudit_ctx *c, enum mapaudit_severity sev, const char *what,
		      uint64_t phys, uint64_t pages, uint64_t value)
{
	struct mapaudit_finding f = { sev, what, MAPAUDIT_NO_DESC, MAPAUDIT_NO_DESC, 0, phys,
				      pages, 0, value };

	emit(c, &f);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A map we refuse to read at all: the pointer, stride or count cannot be
 * trusted, so not one descriptor is looked at. */
static bool fatal(struct mapaudit_ctx *c)
{
	const struct mapaudit_input *in = c->in;

	if (in->count == 0)
		return false;
	if (!in->map)
		mapaudit_note(c, MAPAUDIT_SEV_ERROR, "map_null", MAPAUDIT_NO_DESC,
			      MAPAUDIT_NO_DESC, in->count);
	else if (in->stride < sizeof(struct bootinfo_mem_desc) || in->stride > MAPAUDIT_MAX_STRIDE)
		mapaudit_note(c, MAPAUDIT_SEV_ERROR, "stride_invalid", MAPAUDIT_NO_DESC,
			      MAPAUDIT_NO_DESC, in->stride);
	else if (in->count > MAPAUDIT_MAX_DESCS)
		mapaudit_note(c, MAPAUDIT_SEV_ERROR, "descriptor_count_absurd", MAPAUDIT_NO_DESC,
			      MAPAUDIT_NO_DESC, in->count);
	else
		return false;
	return true;
}

/* Each descriptor on its own, in index order; totals; the order of the map. */
static void check_descriptors(struct mapaudit_ctx *c)
{
	struct mapaudit_result *out = c->out;
	uint32_t unsorted = 0, first_unsorted = 0;
	uint64_t prev_start = 0;

	for (uint32_t i = 0; i < c->in->count; i++) {
		struct bootinfo_mem_desc d = mapaudit_desc(c, i);
		uint64_t bytes = d.num_pages > (UINT64_MAX >> 12) ? UINT64_MAX : d.num_pages << 12;
		unsigned slot = mapaudit_type_slot(d.type);
		uint64_t last;
		bool fits;

		out->type_bytes[slot] = sat_add(out->type_bytes[slot], bytes);
		if (bootinfo_mem_is_ram(d.type))
			out->ram_bytes = sat_add(out->ram_bytes, bytes);
		if (i > 0 && d.phys_start < prev_start && unsorted++ == 0)
			first_unsorted = i;
		prev_start = d.phys_start;

		if (d.num_pages == 0) {
			mapaudit_note(c, MAPAUDIT_SEV_WARN, "zero_length", i, MAPAUDIT_NO_DESC, 0);
			continue;
		}
		fits = mapaudit_desc_last(&d, &last);
		if (!fits)
			mapaudit_note(c, MAPAUDIT_SEV_ERROR, "length_overflow", i, MAPAUDIT_NO_DESC,
				      d.num_pages);
		if (d.phys_start & 0xfff)
			mapaudit_note(c, MAPAUDIT_SEV_WARN, "misaligned_start", i, MAPAUDIT_NO_DESC,
				      d.phys_start & 0xfff);
		/* A wrapping range is beyond every width; one finding says it. */
		if (fits && last >= c->width_limit)
			mapaudit_note(c, MAPAUDIT_SEV_WARN, "beyond_phys_width", i, MAPAUDIT_NO_DESC,
				      c->width_limit);
		mapaudit_check_attrs(c, i, &d);
	}
	if (unsorted)
		mapaudit_note(c, MAPAUDIT_SEV_INFO, "unsorted", first_unsorted, first_unsorted - 1,
			      unsorted);
}

static void check_kernel_image(struct mapaudit_ctx *c)
{
	const struct mapaudit_input *in = c->in;

	if (in->kernel_bytes == 0) {
		if (in->kernel_phys != 0)
			mapaudit_note_at(c, MAPAUDIT_SEV_ERROR, "kernel_image_invalid",
					 in->kernel_phys, 0, 0);
		return;
	}
	if (in->kernel_bytes - 1 > UINT64_MAX - in->kernel_phys)
		mapaudit_note_at(c, MAPAUDIT_SEV_ERROR, "kernel_image_invalid", in->kernel_phys,
				 0, in->kernel_bytes);
	if (in->kernel_phys & 0xfff)
		mapaudit_note_at(c, MAPAUDIT_SEV_WARN, "kernel_image_misaligned", in->kernel_phys,
				 0, in->kernel_phys & 0xfff);
}

/* The sanitised ranges must account for every RAM frame the sweep saw:
 * ram_frames == usable + kernel + firmware + dropped. Only an undersized
 * output (or a bug here) breaks it. */
static void cross_check(struct mapaudit_ctx *c)
{
	struct mapaudit_result *out = c->out;
	struct mapaudit_coverage *cov = &out->cov;
	bool valid = mapaudit_coverage(c->ranges, out->range_count, out->ram_top, cov);
	uint64_t classed = cov->frames[MAPAUDIT_USABLE] + cov->frames[MAPAUDIT_KERNEL] +
			   cov->frames[MAPAUDIT_FIRMWARE] + out->dropped_frames;

	if (!valid || classed != out->ram_frames) {
		mapaudit_note_at(c, MAPAUDIT_SEV_ERROR, "coverage_mismatch", 0, classed,
				 out->ram_frames);
		out->ok = false;
	}
}

void mapaudit_run(const struct mapaudit_input *in, struct mapaudit_scratch *scratch,
		  struct mapaudit_range *ranges, uint32_t capacity, struct mapaudit_result *out)
{
	struct mapaudit_ctx c = { in, scratch->pts, ranges, capacity, out, 0 };
	uint32_t bits = in->phys_bits;
	uint32_t total;

	memset(out, 0, sizeof(*out));
	if (fatal(&c))
		return;
	out->ok = true;
	if (bits < 32 || bits > 52) {
		mapaudit_note(&c, MAPAUDIT_SEV_WARN, "phys_width_invalid", MAPAUDIT_NO_DESC,
			      MAPAUDIT_NO_DESC, bits);
		bits = MAPAUDIT_FALLBACK_PHYS_BITS;
	}
	out->phys_bits = bits;
	c.width_limit = 1ull << bits;
	if (in->count == 0)
		mapaudit_note(&c, MAPAUDIT_SEV_ERROR, "map_empty", MAPAUDIT_NO_DESC,
			      MAPAUDIT_NO_DESC, 0);

	check_descriptors(&c);
	check_kernel_image(&c);
	mapaudit_overlaps(&c);
	mapaudit_sanitize(&c);
	cross_check(&c);

	total = out->n_errors + out->n_warnings + out->n_infos;
	if (in->report && total > out->n_reported) {
		struct mapaudit_finding f = { MAPAUDIT_SEV_WARN, "issues_suppressed",
					      MAPAUDIT_NO_DESC, MAPAUDIT_NO_DESC, 0, 0, 0, 0,
					      total - out->n_reported };

		in->report(in->ctx, &f);
	}
}
