/* The run record as the loader reads it back (efi/reports.c): GetVariable
 * into a buffer of sizeof(struct report_record) (a longer variable is
 * refused), then report_record_decode (version 1 or 2), then the two report
 * files it writes, into its 16 KiB buffer. Both files must be NUL-terminated text (CRLF lines) inside
 * the buffer. */
#include <string.h>
#include <lib/record.h>
#include "common/fuzz.h"

static struct report_record rec;
static char text[16384];

static void one(const char *name, uint32_t result, const uint64_t *frames, int n)
{
	memset(&rec, 0, sizeof(rec));
	rec.magic = REPORT_MAGIC;
	rec.version = REPORT_VERSION;
	rec.size = report_record_size(0);
	memcpy(rec.run_id, "20261127-153807-1f89", 21);
	rec.year = 2026, rec.month = 11, rec.day = 27, rec.hour = 15, rec.minute = 38;
	memcpy(rec.fw_vendor, "EDK II", 7);
	rec.fw_revision = 0x10000;
	rec.cpus = 4;
	rec.ram_bytes = 1ull << 30;
	rec.tested_frames = 250000;
	rec.result = result;
	for (int i = 0; i < n; i++)
		report_record_add_frame(&rec, frames[i]);
	rec.found_frames = (uint32_t)n;
	FUZZ_CHECK(!report_record_validate(&rec, rec.size));
	fuzz_emit(name, &rec, rec.size);
}

void fuzz_seeds(void)
{
	static const uint64_t bad[] = { 0x10000, 0x10001, 0x2a000, 0x3ffff };
	static uint64_t many[300];

	for (int i = 0; i < 300; i++)
		many[i] = 0x1000 + 3 * (uint64_t)i;
	one("pass", REPORT_PASS, NULL, 0);
	one("bad_memory", REPORT_BAD_MEMORY, bad, 4);
	one("widened", REPORT_BAD_MEMORY, many, 300);
	one("running", REPORT_RUNNING, bad, 4); /* a run that did not finish */

	/* version 1, as the old kernel stored it: the ranges right after byte 128 */
	static uint8_t v1[REPORT_V1_HEADER + 4 * sizeof(struct report_range)];

	one("v1_src", REPORT_BAD_MEMORY, bad, 4);
	rec.version = 1;
	rec.size = (uint32_t)(REPORT_V1_HEADER + rec.nranges * sizeof(struct report_range));
	memcpy(v1, &rec, REPORT_V1_HEADER);
	memcpy(v1 + REPORT_V1_HEADER, rec.ranges, rec.nranges * sizeof(struct report_range));
	FUZZ_CHECK(!report_record_decode(v1, rec.size, &rec));
	fuzz_emit("v1", v1, sizeof(v1));
}

static void text_ok(size_t n)
{
	FUZZ_CHECK(n < sizeof(text) && text[n] == 0 && strlen(text) == n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(text[i] == '\n' || text[i] == '\r' || (text[i] >= 0x20 && text[i] < 0x7f));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t raw[sizeof(struct report_record)];

	if (size > sizeof(raw))
		return 0; /* EFI_BUFFER_TOO_SMALL: the loader calls it invalid */
	memcpy(raw, data, size);
	if (report_record_decode(raw, size, &rec))
		return 0;
	for (uint32_t i = 0; i < rec.nranges; i++) {
		FUZZ_CHECK(rec.ranges[i].count && rec.ranges[i].first < REPORT_FRAME_LIMIT);
		FUZZ_CHECK(report_record_has_frame(&rec, rec.ranges[i].first));
	}
	text_ok(report_record_json(&rec, text, sizeof(text)));
	text_ok(report_record_text(&rec, text, sizeof(text)));
	return 0;
}
