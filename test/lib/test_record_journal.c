/* Host tests of the run record's version 2, the journal (lib/record.c):
 * a version-1 record as an older metaslot stored it still decodes (its
 * ranges moved behind the journal block); each journal field is checked;
 * a record still RUNNING reads back as did_not_finish with what was running,
 * in both report files. Every input buffer is exactly `len` heap bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/record.h>

static struct report_record in, out;
static char text[16384];

/* A version-2 record of a run that died in pass 2 of 3. */
static void running(struct report_record *r)
{
	memset(r, 0, sizeof(*r));
	r->magic = REPORT_MAGIC;
	r->version = REPORT_VERSION;
	strcpy(r->run_id, "20261127-180102-beef");
	r->year = 2026, r->month = 11, r->day = 27, r->hour = 18, r->minute = 1, r->second = 2;
	r->upd_year = 2026, r->upd_month = 11, r->upd_day = 27, r->upd_hour = 18;
	r->upd_minute = 3, r->upd_second = 4;
	memcpy(r->fw_vendor, "EDK II", 7);
	r->cpus = 2;
	r->ram_bytes = 3ull << 30;
	r->result = REPORT_RUNNING;
	r->pass = 2, r->passes = 3, r->percent = 41, r->writes = 7, r->elapsed_ms = 122500;
	strcpy(r->pattern, "mov_inv_ones_zeros");
	strcpy(r->skipped, "own_address");
	r->mce_errors = 9;
	r->nmces = 1;
	r->mces[0] = (struct report_mce){ 0x8c00004000010090ull, 0x10000000, 1, 3 };
	r->dimms_total = 2, r->ndimms = 2;
	r->dimms[0] = (struct report_dimm){ "DIMM_A1", "M393A1K43BB1-CTD", 8ull << 30 };
	r->dimms[1] = (struct report_dimm){ "DIMM_B1", "", 4ull << 30 };
	report_record_add_frame(r, 0x23456);
	r->found_frames = 1;
}

static const char *decode_exact(const void *src, size_t len)
{
	void *b = malloc(len ? len : 1);
	const char *e;

	memcpy(b, src, len);
	e = report_record_decode(b, len, &out);
	free(b);
	return e;
}

static void has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("%s\nlacks %s", hay, needle);
}

static void a_running_record_reads_back_as_did_not_finish(void **s)
{
	(void)s;
	running(&in);
	assert_null(decode_exact(&in, in.size));
	assert_int_equal(out.result, REPORT_RUNNING);
	assert_string_equal(report_result_name(out.result), "did_not_finish");
	size_t n = report_record_json(&out, text, sizeof(text));

	assert_int_equal(strlen(text), n);
	has(text, "\"result\":\"did_not_finish\"");
	has(text, "\"record_version\":2,");
	has(text, "\"finished\":false,");
	has(text, "\"pass\":2,\"passes\":3,\"pattern\":\"mov_inv_ones_zeros\",\"percent\":41,");
	has(text, "\"elapsed_s\":122,");
	has(text, "\"updated\":\"2026-11-27T18:03:04\"");
	has(text, "\"skipped_pattern\":\"own_address\"");
	has(text, "\"machine_check_errors\":9,\"machine_checks\":[{\"cpu\":1,\"bank\":3,"
		  "\"status\":\"0x8c00004000010090\",\"addr\":\"0x10000000\"}]");
	has(text, "\"dimms_total\":2,\"dimms\":[{\"locator\":\"DIMM_A1\",\"part\":"
		  "\"M393A1K43BB1-CTD\",\"size\":8589934592},{\"locator\":\"DIMM_B1\"");
	has(text, "\"bad_ranges\":[{\"phys\":591749120,\"bytes\":4096}]");
	assert_int_equal(text[n - 1], '\n');
	assert_int_equal(text[n - 2], '}');
	report_record_text(&out, text, sizeof(text));
	has(text, "result:        DID NOT FINISH");
	has(text, "during pass 2 of 3,\r\n  pattern mov_inv_ones_zeros, 41% of the audit, 122 s");
	has(text, "is a finding");
	has(text, "skipped:       own_address");
	has(text, "  mce: cpu 1 bank 3 status 0x8c00004000010090");
	has(text, "  dimm: DIMM_A1 8192 MiB M393A1K43BB1-CTD");
	has(text, "  bad: 0x000023456000");
}

static void a_finished_record_says_so(void **s)
{
	(void)s;
	running(&in);
	in.result = REPORT_FAIL;
	strcpy(in.reason, "machine_check");
	assert_null(decode_exact(&in, in.size));
	report_record_json(&out, text, sizeof(text));
	has(text, "\"result\":\"fail\"");
	has(text, "\"finished\":true,");
	has(text, "\"reason\":\"machine_check\"");
	report_record_text(&out, text, sizeof(text));
	has(text, "stopped by:    machine_check");
	assert_null(strstr(text, "DID NOT FINISH"));
}

/* A version-1 record, byte for byte as the version-1 kernel stored it:
 * its 128-byte header, then the ranges. */
static size_t v1_bytes(uint8_t *buf)
{
	struct report_range r[2] = { { 0x10000, 2 }, { 0x2a000, 1 } };

	running(&in);
	in.version = 1;
	in.result = REPORT_BAD_MEMORY;
	in.nranges = 2;
	in.bad_frames = 3;
	in.size = REPORT_V1_HEADER + sizeof(r);
	memcpy(buf, &in, REPORT_V1_HEADER);
	memcpy(buf + REPORT_V1_HEADER, r, sizeof(r));
	return in.size;
}

static void a_version_1_record_still_decodes(void **s)
{
	(void)s;
	uint8_t buf[1024];
	size_t len = v1_bytes(buf);

	assert_null(decode_exact(buf, len));
	assert_int_equal(out.version, REPORT_VERSION);
	assert_true(out.flags & REPORT_FLAG_FROM_V1);
	assert_int_equal(out.nranges, 2);
	assert_int_equal(out.ranges[0].first, 0x10000);
	assert_int_equal(out.ranges[1].first, 0x2a000);
	assert_int_equal(out.size, report_record_size(2));
	assert_int_equal(out.pass, 0); /* the journal block is not read from the v1 bytes */
	assert_string_equal(out.pattern, "");
	assert_true(report_record_has_frame(&out, 0x10001));
	report_record_json(&out, text, sizeof(text));
	has(text, "\"record_version\":1,");
	has(text, "\"result\":\"bad_memory\"");
	assert_null(strstr(text, "\"finished\""));

	/* broken version-1 records */
	assert_non_null(decode_exact(buf, len - 1));
	((struct report_record *)buf)->result = REPORT_RUNNING; /* v1 never ran a journal */
	assert_non_null(decode_exact(buf, len));
	assert_int_equal(out.magic, 0); /* refused: nothing left behind */
	len = v1_bytes(buf);
	((struct report_record *)buf)->nranges = 3;
	assert_non_null(decode_exact(buf, len));
	len = v1_bytes(buf);
	((struct report_record *)buf)->bad_frames = 2;
	assert_non_null(decode_exact(buf, len));
	assert_non_null(decode_exact(buf, 10));
}

static void each_broken_journal_field_is_refused(void **s)
{
	(void)s;
	running(&in);
	assert_null(decode_exact(&in, in.size));
	assert_null(decode_exact(&in, sizeof(in))); /* a longer variable is fine */
#define REFUSE(change)                                                                      \
	do {                                                                                \
		running(&in);                                                               \
		change;                                                                     \
		if (!decode_exact(&in, in.size))                                            \
			fail_msg("accepted: %s", #change);                                  \
	} while (0)
	REFUSE(in.nmces = 10);
	REFUSE(in.nmces = 5; in.mce_errors = 5);
	REFUSE(in.mce_errors = 0);
	REFUSE(in.ndimms = REPORT_MAX_DIMMS + 1; in.dimms_total = 20);
	REFUSE(in.dimms_total = 1);
	REFUSE(in.percent = 101);
	REFUSE(in.pass = 4);
	REFUSE(memset(in.pattern, 'a', sizeof(in.pattern)));
	REFUSE(memset(in.skipped, 'a', sizeof(in.skipped)));
	REFUSE(memset(in.reason, 'a', sizeof(in.reason)));
	REFUSE(memset(in.dimms[1].locator, 'a', sizeof(in.dimms[1].locator)));
	REFUSE(memset(in.dimms[0].part, 'a', sizeof(in.dimms[0].part)));
	REFUSE(in.result = REPORT_RUNNING + 1);
	REFUSE(in.size = in.size + 1);
	/* beyond the counts nothing is read */
	running(&in);
	memset(in.dimms[5].locator, 'a', sizeof(in.dimms[5].locator));
	in.mces[3].status = ~0ull;
	assert_null(decode_exact(&in, in.size));
}

/* Hostile strings stay inside valid JSON and printable text. */
static void hostile_strings_stay_printable(void **s)
{
	(void)s;
	running(&in);
	strcpy(in.pattern, "a\"b\\c\n\x80");
	strcpy(in.dimms[0].locator, "\"}{\x01");
	assert_null(decode_exact(&in, in.size));
	size_t n = report_record_json(&out, text, sizeof(text));

	for (size_t i = 0; i < n; i++)
		assert_true(text[i] == '\n' || (text[i] >= 0x20 && text[i] < 0x7f));
	has(text, "\"pattern\":\"a?b?c??\"");
	has(text, "\"locator\":\"?}{?\"");
	for (size_t cap = 1; cap < 600; cap += 37) {
		memset(text, 'x', sizeof(text));
		n = report_record_json(&out, text, cap);
		assert_true(n < cap);
		assert_int_equal(text[n], 0);
		assert_int_equal(text[cap], 'x');
		n = report_record_text(&out, text, cap);
		assert_true(n < cap);
		assert_int_equal(text[cap], 'x');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_running_record_reads_back_as_did_not_finish),
		cmocka_unit_test(a_finished_record_says_so),
		cmocka_unit_test(a_version_1_record_still_decodes),
		cmocka_unit_test(each_broken_journal_field_is_refused),
		cmocka_unit_test(hostile_strings_stay_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
