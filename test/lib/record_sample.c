/* A host helper for test/build/test_lastrun.py: records encoded by
 * lib/record.c itself, written as efivarfs shows a variable (4 bytes of
 * attributes, then the data), each with the JSON and text report the loader
 * would write for it, so tools/metaslot-lastrun's decoder is checked against
 * the C codec.  Usage: record_sample DIR  (writes DIR/<name>.var/.json/.txt) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lib/record.h>

static struct report_record r, back;
static char text[16384];

static void base(uint32_t result)
{
	memset(&r, 0, sizeof(r));
	r.magic = REPORT_MAGIC;
	r.version = REPORT_VERSION;
	strcpy(r.run_id, "20261127-181500-c0de");
	r.year = 2026, r.month = 11, r.day = 27, r.hour = 18, r.minute = 15, r.second = 0;
	r.upd_year = 2026, r.upd_month = 11, r.upd_day = 27, r.upd_hour = 18, r.upd_minute = 17;
	memcpy(r.fw_vendor, "EDK \"II\"", 9);
	r.fw_revision = 0x10000;
	r.cpus = 2;
	r.ram_bytes = 3ull << 30;
	r.tested_frames = 700000;
	r.result = result;
	r.passes = 2;
	r.pass = result == REPORT_RUNNING ? 1 : 2;
	r.percent = result == REPORT_RUNNING ? 37 : 100;
	r.writes = 5;
	r.elapsed_ms = 95400;
	strcpy(r.pattern, "mov_inv_ones_zeros");
	r.dimms_total = 3;
	r.ndimms = 3;
	r.dimms[0] = (struct report_dimm){ "DIMM 0", "M393A1K43BB1-CTD", 1ull << 30 };
	r.dimms[1] = (struct report_dimm){ "DIMM 1", "", 1ull << 30 };
	r.dimms[2] = (struct report_dimm){ "DIMM 2", "x", 1ull << 30 };
	r.size = report_record_size(0);
}

static void out(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;
	static const unsigned char attr[4] = { 7, 0, 0, 0 };

	if (report_record_decode(data, len, &back)) {
		fprintf(stderr, "%s: the codec refuses its own record\n", name);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s.var", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(attr, 1, 4, f) != 4 || fwrite(data, 1, len, f) != len || fclose(f))
		exit(1);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text + 0 * report_record_json(&back, text, sizeof(text)), f) < 0 || fclose(f))
		exit(1);
	snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text + 0 * report_record_text(&back, text, sizeof(text)), f) < 0 || fclose(f))
		exit(1);
}

int main(int argc, char **argv)
{
	static uint8_t v1[4096];

	if (argc != 2)
		return 2;
	base(REPORT_PASS);
	out(argv[1], "pass", &r, r.size);

	base(REPORT_RUNNING); /* died with a bad frame and a corrected error */
	report_record_add_frame(&r, 0x23456);
	r.found_frames = 1;
	r.mce_errors = 6;
	r.nmces = 2;
	r.mces[0] = (struct report_mce){ 0x8c00004000010090ull, 0x10000000, 0, 0 };
	r.mces[1] = (struct report_mce){ 0x9c00004000010091ull, 0, 1, 4 };
	strcpy(r.skipped, "own_address");
	out(argv[1], "did_not_finish", &r, r.size);

	base(REPORT_BAD_MEMORY);
	for (uint64_t f = 0; f < 300; f++)
		report_record_add_frame(&r, 0x1000 + 3 * f); /* widened */
	r.found_frames = 300;
	out(argv[1], "bad_memory", &r, r.size);

	base(REPORT_FAIL);
	strcpy(r.reason, "machine_check");
	r.mce_errors = 1;
	r.nmces = 1;
	r.mces[0] = (struct report_mce){ 0xbd80000000100134ull, 0x12345000, 1, 1 };
	out(argv[1], "fail", &r, r.size);

	/* version 1 as the old kernel stored it: 128-byte header, then ranges */
	base(REPORT_BAD_MEMORY);
	report_record_add_frame(&r, 0x10000);
	report_record_add_frame(&r, 0x10001);
	r.version = 1;
	r.size = REPORT_V1_HEADER + r.nranges * sizeof(struct report_range);
	memcpy(v1, &r, REPORT_V1_HEADER);
	memcpy(v1 + REPORT_V1_HEADER, r.ranges, r.nranges * sizeof(struct report_range));
	out(argv[1], "v1", v1, r.size);
	return 0;
}
