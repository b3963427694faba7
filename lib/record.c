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

/* A string field: NUL-terminated inside its array. */
static int terminated(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i])
			return 1;
	return 0;
}

static const char *validate_journal(const struct report_record *r)
{
	if (r->nmces > REPORT_MAX_MCES || r->nmces > r->mce_errors)
		return "more machine checks kept than allowed or counted";
	if (r->ndimms > REPORT_MAX_DIMMS || r->ndimms > r->dimms_total)
		return "more DIMMs kept than allowed or counted";
	if (r->percent > 100 || (r->passes && r->pass > r->passes))
		return "percent above 100 or pass beyond passes";
	if (!terminated(r->pattern, sizeof(r->pattern)) ||
	    !terminated(r->skipped, sizeof(r->skipped)) || !terminated(r->reason, sizeof(r->reason)))
		return "pattern, skipped or reason not terminated";
	for (uint32_t i = 0; i < r->ndimms; i++)
		if (!terminated(r->dimms[i].locator, sizeof(r->dimms[i].locator)) ||
		    !terminated(r->dimms[i].part, sizeof(r->dimms[i].part)))
			return "a DIMM string not terminated";
	return 0;
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
	if (r->result > REPORT_RUNNING)
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
	return validate_journal(r);
}

static void copy_bytes(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

static void zero(void *dst, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = 0;
}

const char *report_record_decode(const void *buf, size_t len, struct report_record *out)
{
	const struct report_record *in = buf;
	const char *e;

	zero(out, sizeof(*out));
	if (!buf || len < REPORT_V1_HEADER)
		return "record shorter than its header";
	if (in->magic == REPORT_MAGIC && in->version == 1) {
		/* version 1: header, then the ranges; no journal block */
		uint32_t n = in->nranges;

		if (n > REPORT_MAX_RANGES)
			return "too many ranges";
		if (in->size != REPORT_V1_HEADER + n * sizeof(struct report_range) || in->size > len)
			return "size does not match the ranges";
		if (in->result > REPORT_FAIL)
			return "unknown result";
		copy_bytes(out, buf, REPORT_V1_HEADER);
		copy_bytes(out->ranges, (const uint8_t *)buf + REPORT_V1_HEADER,
			   n * sizeof(struct report_range));
		out->version = REPORT_VERSION;
		out->flags |= REPORT_FLAG_FROM_V1;
		out->size = report_record_size(n);
		e = report_record_validate(out, sizeof(*out));
	} else {
		copy_bytes(out, buf, len < sizeof(*out) ? len : sizeof(*out));
		e = report_record_validate(out, len < sizeof(*out) ? len : sizeof(*out));
	}
	if (e)
		zero(out, sizeof(*out));
	return e;
}

const char *report_result_name(uint32_t r)
{
	return r == REPORT_PASS ? "pass" : r == REPORT_BAD_MEMORY ? "bad_memory"
		: r == REPORT_RUNNING ? "did_not_finish" : "fail";
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

/* Appends to out[0..cap) at *n, keeping *n <= cap - 1 (cut, never past). */
#define ADD(...)                                                                            \
	do {                                                                                \
		if (*n < cap)                                                               \
			*n += (size_t)ksnprintf(out + *n, cap - *n, __VA_ARGS__);           \
	} while (0)

static void json_journal(const struct report_record *r, char *out, size_t cap, size_t *n)
{
	char pat[sizeof(r->pattern) + 1], skip[sizeof(r->skipped) + 1], why[sizeof(r->reason) + 1];

	clean(pat, r->pattern, sizeof(pat));
	clean(skip, r->skipped, sizeof(skip));
	clean(why, r->reason, sizeof(why));
	ADD(",\"finished\":%s,\"updated\":\"%04u-%02u-%02uT%02u:%02u:%02u\",\"elapsed_s\":%llu,"
	    "\"pass\":%u,\"passes\":%u,\"pattern\":\"%s\",\"percent\":%u,\"journal_writes\":%u,"
	    "\"skipped_pattern\":\"%s\",\"reason\":\"%s\",\"machine_check_errors\":%u,"
	    "\"machine_checks\":[",
	    r->result == REPORT_RUNNING ? "false" : "true", r->upd_year, r->upd_month, r->upd_day,
	    r->upd_hour, r->upd_minute, r->upd_second,
	    (unsigned long long)(r->elapsed_ms / 1000), r->pass, r->passes, pat, r->percent,
	    r->writes, skip, why, r->mce_errors);
	for (uint32_t i = 0; i < r->nmces; i++)
		ADD("%s{\"cpu\":%u,\"bank\":%u,\"status\":\"0x%llx\",\"addr\":\"0x%llx\"}", i ? "," : "",
		    r->mces[i].cpu, r->mces[i].bank, (unsigned long long)r->mces[i].status,
		    (unsigned long long)r->mces[i].addr);
	ADD("],\"dimms_total\":%u,\"dimms\":[", r->dimms_total);
	for (uint32_t i = 0; i < r->ndimms; i++) {
		char loc[sizeof(r->dimms[i].locator) + 1], part[sizeof(r->dimms[i].part) + 1];

		clean(loc, r->dimms[i].locator, sizeof(loc));
		clean(part, r->dimms[i].part, sizeof(part));
		ADD("%s{\"locator\":\"%s\",\"part\":\"%s\",\"size\":%llu}", i ? "," : "", loc, part,
		    (unsigned long long)r->dimms[i].size);
	}
	ADD("]");
}

size_t report_record_json(const struct report_record *r, char *out, size_t cap)
{
	char vendor[sizeof(r->fw_vendor) + 1];
	size_t v = 0, *n = &v;

	clean(vendor, r->fw_vendor, sizeof(vendor));
	ADD("{\"run_id\":\"%s\",\"record_version\":%u,\"time\":\"%04u-%02u-%02uT%02u:%02u:%02u\","
	    "\"firmware\":\"%s\",\"fw_revision\":%u,\"cpus\":%u,\"ram_bytes\":%llu,"
	    "\"result\":\"%s\",\"tested_frames\":%llu,\"found_frames\":%u,"
	    "\"bad_frames\":%llu,\"widened\":%s,\"bad_ranges\":[",
	    r->run_id, r->flags & REPORT_FLAG_FROM_V1 ? 1u : REPORT_VERSION, r->year, r->month,
	    r->day, r->hour, r->minute, r->second, vendor, r->fw_revision, r->cpus,
	    (unsigned long long)r->ram_bytes, report_result_name(r->result),
	    (unsigned long long)r->tested_frames, r->found_frames,
	    (unsigned long long)r->bad_frames, r->flags & REPORT_FLAG_WIDENED ? "true" : "false");
	for (uint32_t i = 0; i < r->nranges && v < cap; i++)
		ADD("%s{\"phys\":%llu,\"bytes\":%llu}", i ? "," : "",
		    (unsigned long long)(r->ranges[i].first << 12),
		    (unsigned long long)r->ranges[i].count << 12);
	ADD("]");
	if (!(r->flags & REPORT_FLAG_FROM_V1))
		json_journal(r, out, cap, n);
	ADD("}\n");
	return v < cap ? v : (cap ? cap - 1 : 0);
}

static void text_journal(const struct report_record *r, char *out, size_t cap, size_t *n)
{
	char pat[sizeof(r->pattern) + 1], skip[sizeof(r->skipped) + 1], why[sizeof(r->reason) + 1];

	clean(pat, r->pattern, sizeof(pat));
	clean(skip, r->skipped, sizeof(skip));
	clean(why, r->reason, sizeof(why));
	if (r->result == REPORT_RUNNING)
		ADD("DID NOT FINISH: the machine reset, hung or lost power during pass %u of %u,\r\n"
		    "  pattern %s, %u%% of the audit, %llu s after it started (last record\r\n"
		    "  %04u-%02u-%02u %02u:%02u:%02u). A machine that stops during a memory test\r\n"
		    "  is a finding: run it again (resume=on skips that pattern), then suspect\r\n"
		    "  the DIMMs, their seating, the power supply and cooling.\r\n",
		    r->pass, r->passes, pat[0] ? pat : "(none yet)", r->percent,
		    (unsigned long long)(r->elapsed_ms / 1000), r->upd_year, r->upd_month,
		    r->upd_day, r->upd_hour, r->upd_minute, r->upd_second);
	else
		ADD("audit:         %u pass(es), %llu s, %u journal write(s)\r\n", r->passes,
		    (unsigned long long)(r->elapsed_ms / 1000), r->writes);
	if (why[0])
		ADD("stopped by:    %s\r\n", why);
	if (skip[0])
		ADD("skipped:       %s (resume=on: the pattern running when the run before died)\r\n",
		    skip);
	ADD("machine checks: %u error(s)\r\n", r->mce_errors);
	for (uint32_t i = 0; i < r->nmces; i++)
		ADD("  mce: cpu %u bank %u status 0x%016llx addr 0x%llx\r\n", r->mces[i].cpu,
		    r->mces[i].bank, (unsigned long long)r->mces[i].status,
		    (unsigned long long)r->mces[i].addr);
	ADD("DIMMs:         %u\r\n", r->dimms_total);
	for (uint32_t i = 0; i < r->ndimms; i++) {
		char loc[sizeof(r->dimms[i].locator) + 1], part[sizeof(r->dimms[i].part) + 1];

		clean(loc, r->dimms[i].locator, sizeof(loc));
		clean(part, r->dimms[i].part, sizeof(part));
		ADD("  dimm: %s %llu MiB %s\r\n", loc, (unsigned long long)(r->dimms[i].size >> 20),
		    part);
	}
}

size_t report_record_text(const struct report_record *r, char *out, size_t cap)
{
	char vendor[sizeof(r->fw_vendor) + 1];
	size_t v = 0, *n = &v;
	static const char *const res[] = { "PASS", "BAD MEMORY", "FAIL", "DID NOT FINISH" };

	clean(vendor, r->fw_vendor, sizeof(vendor));
	ADD("metaslot memory report %s\r\n"
	    "date:          %04u-%02u-%02u %02u:%02u:%02u (firmware clock)\r\n"
	    "firmware:      %s rev 0x%x\r\n"
	    "CPUs:          %u\r\n"
	    "RAM:           %llu MiB\r\n"
	    "result:        %s\r\n"
	    "tested frames: %llu (4 KiB each)\r\n"
	    "bad frames:    %llu (%u found in this run)%s\r\n",
	    r->run_id, r->year, r->month, r->day, r->hour, r->minute, r->second, vendor,
	    r->fw_revision, r->cpus, (unsigned long long)(r->ram_bytes >> 20),
	    res[r->result <= REPORT_RUNNING ? r->result : REPORT_FAIL],
	    (unsigned long long)r->tested_frames, (unsigned long long)r->bad_frames,
	    r->found_frames, r->flags & REPORT_FLAG_WIDENED ? ", list widened to fit" : "");
	for (uint32_t i = 0; i < r->nranges && v < cap; i++)
		ADD("  bad: 0x%012llx - 0x%012llx (%llu frame%s)\r\n",
		    (unsigned long long)(r->ranges[i].first << 12),
		    (unsigned long long)((r->ranges[i].first + r->ranges[i].count) << 12) - 1,
		    (unsigned long long)r->ranges[i].count, r->ranges[i].count == 1 ? "" : "s");
	if (!(r->flags & REPORT_FLAG_FROM_V1))
		text_journal(r, out, cap, n);
	return v < cap ? v : (cap ? cap - 1 : 0);
}
