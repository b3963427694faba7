/* The run record (lib/record.h): range bookkeeping, validation and the
 * two report formats. Pure code, compiled into the kernel, the loader and
 * the host tests. */
#include <lib/record.h>
#include <lib/fmt.h>

static uint64_t range_end(const struct report_range *x)
{
	return x->first + x->count;
}

static void recount(struct report_record *r)
{
	r->bad_frames = 0;
	for (uint32_t i = 0; i < r->nranges; i++)
		r->bad_frames += r->ranges[i].count;
	r->size = report_record_size(r->nranges);
}

/* Merges ranges i and i + 1 (gap included). */
static void merge(struct report_record *r, uint32_t i)
{
	r->ranges[i].count = range_end(&r->ranges[i + 1]) - r->ranges[i].first;
	for (uint32_t k = i + 1; k + 1 < r->nranges; k++)
		r->ranges[k] = r->ranges[k + 1];
	r->nranges--;
}

int report_record_has_frame(const struct report_record *r, uint64_t f)
{
	for (uint32_t i = 0; i < r->nranges && i < REPORT_MAX_RANGES; i++)
		if (f - r->ranges[i].first < r->ranges[i].count)
			return 1;
	return 0;
}

void report_record_add_frame(struct report_record *r, uint64_t f)
{
	uint32_t i = 0;

	if (report_record_has_frame(r, f))
		return;
	while (i < r->nranges && r->ranges[i].first < f)
		i++;
	/* extend the left neighbour, the right one, or insert */
	if (i > 0 && range_end(&r->ranges[i - 1]) == f) {
		r->ranges[i - 1].count++;
		if (i < r->nranges && range_end(&r->ranges[i - 1]) == r->ranges[i].first)
			merge(r, i - 1);
	} else if (i < r->nranges && r->ranges[i].first == f + 1) {
		r->ranges[i].first = f;
		r->ranges[i].count++;
	} else {
		if (r->nranges == REPORT_MAX_RANGES) {
			/* no room: merge the closest pair, then insert */
			uint32_t best = 0;
			uint64_t gap = UINT64_MAX;

			for (uint32_t k = 0; k + 1 < r->nranges; k++) {
				uint64_t g = r->ranges[k + 1].first - range_end(&r->ranges[k]);

				if (g < gap) {
					gap = g;
					best = k;
				}
			}
			merge(r, best);
			r->flags |= REPORT_FLAG_WIDENED;
			recount(r);
			report_record_add_frame(r, f);
			return;
		}
		for (uint32_t k = r->nranges; k > i; k--)
			r->ranges[k] = r->ranges[k - 1];
		r->ranges[i] = (struct report_range){ f, 1 };
		r->nranges++;
	}
	recount(r);
}

const char *report_record_validate(const void *buf, size_t len)
{
	const struct report_record *r = buf;

	if (!buf || len < offsetof(struct report_record, ranges))
		return "record shorter than its header";
	if (r->magic != REPORT_MAGIC)
		return "bad magic";
	if (r->version != REPORT_VERSION)
		return "unknown version";
	if (r->nranges > REPORT_MAX_RANGES)
		return "too many ranges";
	if (r->size != report_record_size(r->nranges) || r->size > len)
		return "size does not match the ranges";
	if (r->result > REPORT_FAIL)
		return "unknown result";
	int nul = 0;

	for (unsigned i = 0; i < sizeof(r->run_id); i++) {
		char c = r->run_id[i];

		if (!c) {
			nul = i > 0;
			break;
		}
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'))
			return "run id has characters other than digits, a-f and '-'";
	}
	if (!nul)
		return "run id empty or not terminated";
	uint64_t total = 0, prev_end = 0;

	for (uint32_t i = 0; i < r->nranges; i++) {
		const struct report_range *x = &r->ranges[i];

		if (x->count == 0 || x->first >= REPORT_FRAME_LIMIT ||
		    x->count > REPORT_FRAME_LIMIT - x->first || (i && x->first <= prev_end))
			return "ranges empty, out of range, unsorted, overlapping or touching";
		prev_end = x->first + x->count;
		total += x->count;
	}
	if (total != r->bad_frames)
		return "bad_frames does not match the ranges";
	return 0;
}

static const char *result_name(uint32_t r)
{
	return r == REPORT_PASS ? "pass" : r == REPORT_BAD_MEMORY ? "bad_memory" : "fail";
}

/* A string field, printable ASCII only (the firmware vendor comes from the
 * firmware; the JSON must stay valid whatever it holds). */
static void clean(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; i + 1 < n && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f && src[i] != '"' && src[i] != '\\')
				 ? src[i] : '?';
	dst[i] = 0;
}

size_t report_record_json(const struct report_record *r, char *out, size_t cap)
{
	char vendor[sizeof(r->fw_vendor) + 1];
	size_t n;

	clean(vendor, r->fw_vendor, sizeof(vendor));
	n = (size_t)ksnprintf(out, cap,
		"{\"run_id\":\"%s\",\"time\":\"%04u-%02u-%02uT%02u:%02u:%02u\","
		"\"firmware\":\"%s\",\"fw_revision\":%u,\"cpus\":%u,\"ram_bytes\":%llu,"
		"\"result\":\"%s\",\"tested_frames\":%llu,\"found_frames\":%u,"
		"\"bad_frames\":%llu,\"widened\":%s,\"bad_ranges\":[",
		r->run_id, r->year, r->month, r->day, r->hour, r->minute, r->second, vendor,
		r->fw_revision, r->cpus, (unsigned long long)r->ram_bytes, result_name(r->result),
		(unsigned long long)r->tested_frames, r->found_frames,
		(unsigned long long)r->bad_frames, r->flags & REPORT_FLAG_WIDENED ? "true" : "false");
	for (uint32_t i = 0; i < r->nranges && n < cap; i++)
		n += (size_t)ksnprintf(out + n, cap - n, "%s{\"phys\":%llu,\"bytes\":%llu}",
				       i ? "," : "",
				       (unsigned long long)(r->ranges[i].first << 12),
				       (unsigned long long)r->ranges[i].count << 12);
	if (n < cap)
		n += (size_t)ksnprintf(out + n, cap - n, "]}\n");
	return n < cap ? n : (cap ? cap - 1 : 0);
}

size_t report_record_text(const struct report_record *r, char *out, size_t cap)
{
	char vendor[sizeof(r->fw_vendor) + 1];
	size_t n;

	clean(vendor, r->fw_vendor, sizeof(vendor));
	n = (size_t)ksnprintf(out, cap,
		"metaslot memory report %s\r\n"
		"date:          %04u-%02u-%02u %02u:%02u:%02u (firmware clock)\r\n"
		"firmware:      %s rev 0x%x\r\n"
		"CPUs:          %u\r\n"
		"RAM:           %llu MiB\r\n"
		"result:        %s\r\n"
		"tested frames: %llu (4 KiB each)\r\n"
		"bad frames:    %llu (%u found in this run)%s\r\n",
		r->run_id, r->year, r->month, r->day, r->hour, r->minute, r->second, vendor,
		r->fw_revision, r->cpus, (unsigned long long)(r->ram_bytes >> 20),
		r->result == REPORT_PASS ? "PASS" : r->result == REPORT_BAD_MEMORY ? "BAD MEMORY" : "FAIL",
		(unsigned long long)r->tested_frames, (unsigned long long)r->bad_frames,
		r->found_frames, r->flags & REPORT_FLAG_WIDENED ? ", list widened to fit" : "");
	for (uint32_t i = 0; i < r->nranges && n < cap; i++)
		n += (size_t)ksnprintf(out + n, cap - n, "  bad: 0x%012llx - 0x%012llx (%llu frame%s)\r\n",
				       (unsigned long long)(r->ranges[i].first << 12),
				       (unsigned long long)((r->ranges[i].first + r->ranges[i].count) << 12) - 1,
				       (unsigned long long)r->ranges[i].count,
				       r->ranges[i].count == 1 ? "" : "s");
	return n < cap ? n : (cap ? cap - 1 : 0);
}
