/* Results that survive a reboot (report.h). */
#include <mm/mm.h>
#include <lib/record.h>
#include <kernel/audit.h>
#include <kernel/badlist.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/efirt.h>
#include <lib/fmt.h>
#include <kernel/report.h>
#include <kernel/run.h>
#include <lib/string.h>

static const char *const status_names[] = {
	[BOOTINFO_LAST_RUN_NONE] = "none",
	[BOOTINFO_LAST_RUN_WRITTEN] = "reports_written",
	[BOOTINFO_LAST_RUN_INVALID] = "record_invalid",
	[BOOTINFO_LAST_RUN_WRITE_FAILED] = "reports_not_written",
	[BOOTINFO_LAST_RUN_FORGOTTEN] = "forgotten",
	[BOOTINFO_LAST_RUN_NO_FILESYSTEM] = "no_filesystem",
};

static struct report_record rec;

void report_apply_known_bad(const struct bootinfo *bi)
{
	uint64_t frames = 0, ignored = 0;
	struct jw w;

	if (!bootinfo_has_v2(bi))
		return;
	const struct report_range *kb = phys_to_virt(bi->known_bad);
	uint32_t st = bi->last_run_status;

	jw_begin(&w, "last_run");
	jw_str(&w, "status", st < sizeof(status_names) / sizeof(status_names[0]) ? status_names[st]
										    : "unknown");
	jw_str(&w, "run_id", bi->last_run_id);
	jw_u64(&w, "reports_kept", bi->reports_kept);
	if (st == BOOTINFO_LAST_RUN_WRITE_FAILED || st == BOOTINFO_LAST_RUN_INVALID)
		jw_u64(&w, "efi_status", bi->report_error);
	event_emit(&w);
	if (st == BOOTINFO_LAST_RUN_WRITE_FAILED)
		kprintf("last run %s: the report files could not be written to the ESP (full or read-only?)",
			bi->last_run_id);
	if (!bi->known_bad_count)
		return;
	/* the list (validated by the loader: sorted, disjoint) goes into this
	 * run's record as it is, so it persists */
	rec.nranges = bi->known_bad_count < REPORT_MAX_RANGES ? bi->known_bad_count
							       : REPORT_MAX_RANGES;
	memcpy(rec.ranges, kb, rec.nranges * sizeof(rec.ranges[0]));
	for (uint32_t i = 0; i < rec.nranges; i++) {
		uint64_t first = kb[i].first, end = first + kb[i].count;

		rec.bad_frames += kb[i].count;
		/* beyond the metadata array: RAM this machine no longer has */
		if (end > bi->meta_frames) {
			ignored += end - (first > bi->meta_frames ? first : bi->meta_frames);
			end = first > bi->meta_frames ? first : bi->meta_frames;
		}
		for (uint64_t f = first; f < end; f++) {
			if (frame_mark_poisoned(f * PAGE_SIZE) == ALLOC_ERROR_NONE)
				frames++;
			else
				ignored++;
		}
	}
	run.known_bad_frames = frames;
	kprintf("known bad memory from run %s: %llu frames quarantined before use",
		bi->last_run_id, (unsigned long long)frames);
	jw_begin(&w, "known_bad");
	jw_u64(&w, "frames", frames);
	jw_u64(&w, "ranges", bi->known_bad_count);
	jw_u64(&w, "ignored", ignored);
	jw_str(&w, "run_id", bi->last_run_id);
	event_emit(&w);
}

static const uint16_t var_name[] = { 'M', 'e', 't', 'a', 's', 'l', 'o', 't', 'L', 'a', 's',
				     't', 'R', 'u', 'n', 0 };
static const struct {
	uint32_t a;
	uint16_t b, c;
	uint8_t d[8];
} guid = REPORT_GUID_INIT;

void report_save(const struct bootinfo *bi)
{
	struct efi_time t = { 0 };
	const struct badlist *bad = audit_bad_frames();
	enum run_result r = run_result();
	struct jw w;

	if (!kcfg.save_report)
		return;
	rec.magic = REPORT_MAGIC;
	rec.version = REPORT_VERSION;
	if (efirt_get_time(&t) == 0) {
		rec.year = t.year;
		rec.month = t.month;
		rec.day = t.day;
		rec.hour = t.hour;
		rec.minute = t.minute;
		rec.second = t.second;
	}
	ksnprintf(rec.run_id, sizeof(rec.run_id), "%04u%02u%02u-%02u%02u%02u-%04x", rec.year,
		  rec.month, rec.day, rec.hour, rec.minute, rec.second,
		  (unsigned)(rdtsc() >> 8) & 0xffff);
	memcpy(rec.fw_vendor, bi->fw_vendor, sizeof(rec.fw_vendor) - 1);
	rec.fw_revision = bi->fw_revision;
	rec.cpus = run.cpus;
	rec.ram_bytes = run.ram_bytes;
	rec.tested_frames = run.tested_frames;
	rec.result = r == RUN_PASS ? REPORT_PASS : r == RUN_BAD_MEMORY ? REPORT_BAD_MEMORY
									 : REPORT_FAIL;
	rec.found_frames = 0;
	for (uint32_t i = 0; bad && i < bad->n; i++) {
		report_record_add_frame(&rec, bad->f[i].phys / PAGE_SIZE);
		rec.found_frames++;
	}
	rec.size = report_record_size(rec.nranges);
	/* fault_test=report_refused: a non-volatile variable without boot-service
	 * access is invalid by the UEFI spec, so the firmware must refuse it */
	uint32_t attr = kcfg.fault_test == FAULT_TEST_REPORT_REFUSED ? 0x1u : REPORT_VAR_ATTRIBUTES;
	uint64_t s = efirt_set_variable(var_name, &guid, attr, rec.size, &rec);

	jw_begin(&w, s ? "report_not_saved" : "report_saved");
	jw_str(&w, "run_id", rec.run_id);
	jw_u64(&w, "bytes", rec.size);
	jw_u64(&w, "bad_frames", rec.bad_frames);
	if (s)
		jw_u64(&w, "efi_status", s);
	event_emit(&w);
	if (s)
		kprintf("the firmware refused to store the run record (status 0x%llx): no report on the next boot",
			(unsigned long long)s);
}
