/* Results that survive a reboot (report.h): what the last run left. This
 * run's record is the journal (journal.c). */
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
#include "report_internal.h"

static const char *const status_names[] = {
	[BOOTINFO_LAST_RUN_NONE] = "none",
	[BOOTINFO_LAST_RUN_WRITTEN] = "reports_written",
	[BOOTINFO_LAST_RUN_INVALID] = "record_invalid",
	[BOOTINFO_LAST_RUN_WRITE_FAILED] = "reports_not_written",
	[BOOTINFO_LAST_RUN_FORGOTTEN] = "forgotten",
	[BOOTINFO_LAST_RUN_NO_FILESYSTEM] = "no_filesystem",
};

struct report_range report_known[REPORT_MAX_RANGES];
uint32_t report_nknown;
struct report_record report_last;
int report_last_ok;

const uint16_t report_var_name[] = { 'M', 'e', 't', 'a', 's', 'l', 'o', 't', 'L', 'a', 's',
				     't', 'R', 'u', 'n', 0 };
const struct report_guid report_guid = REPORT_GUID_INIT;

/* The variable read again (the loader read it too, for the report files and
 * the known-bad list): the kernel needs what was running when a run died.
 * Before bs_save, so no swap is needed. */
static void read_last(void)
{
	static uint8_t buf[sizeof(struct report_record)];
	uint64_t size = sizeof(buf);
	uint32_t attr = 0;

	if (efirt_get_variable(report_var_name, &report_guid, &attr, &size, buf) == 0)
		report_last_ok = !report_record_decode(buf, size, &report_last);
}

/* The last run died: what was running, for how long, what it had found. */
static void did_not_finish(struct jw *w)
{
	const struct report_record *l = &report_last;

	jw_str(w, "result", "did_not_finish");
	jw_u64(w, "pass", l->pass);
	jw_u64(w, "passes", l->passes);
	jw_str(w, "pattern", l->pattern);
	jw_u64(w, "percent", l->percent);
	jw_u64(w, "elapsed_s", l->elapsed_ms / 1000);
	jw_u64(w, "bad_frames", l->bad_frames);
	jw_u64(w, "found_frames", l->found_frames);
	if (l->nranges)
		jw_u64(w, "first_bad_phys", l->ranges[0].first * PAGE_SIZE);
	jw_u64(w, "machine_check_errors", l->mce_errors);
}

void report_apply_known_bad(const struct bootinfo *bi)
{
	uint64_t frames = 0, ignored = 0;
	struct jw w;

	if (!bootinfo_has_v2(bi))
		return;
	if (bi->last_run_status != BOOTINFO_LAST_RUN_NONE &&
	    bi->last_run_status != BOOTINFO_LAST_RUN_FORGOTTEN)
		read_last();
	const struct report_range *kb = phys_to_virt(bi->known_bad);
	uint32_t st = bi->last_run_status;

	jw_begin(&w, "last_run");
	jw_str(&w, "status", st < sizeof(status_names) / sizeof(status_names[0]) ? status_names[st]
										    : "unknown");
	jw_str(&w, "run_id", bi->last_run_id);
	jw_u64(&w, "reports_kept", bi->reports_kept);
	if (st == BOOTINFO_LAST_RUN_WRITE_FAILED || st == BOOTINFO_LAST_RUN_INVALID)
		jw_u64(&w, "efi_status", bi->report_error);
	int died = report_last_ok && report_last.result == REPORT_RUNNING;

	if (report_last_ok && !died)
		jw_str(&w, "result", report_result_name(report_last.result));
	if (died)
		did_not_finish(&w);
	event_emit(&w);
	if (died)
		kprintf("LAST RUN DID NOT FINISH: the machine stopped in pass %u of %u, pattern %s, "
			"at %u%%, %llu s into the audit, with %llu bad frame(s) and %u machine-check "
			"error(s) found. A machine that resets or hangs during a memory test is a "
			"finding: run again (resume=on skips that pattern), then check the DIMMs, "
			"their seating, power and cooling.",
			report_last.pass, report_last.passes,
			report_last.pattern[0] ? report_last.pattern : "(none yet)",
			report_last.percent, (unsigned long long)(report_last.elapsed_ms / 1000),
			(unsigned long long)report_last.bad_frames, report_last.mce_errors);
	if (st == BOOTINFO_LAST_RUN_WRITE_FAILED)
		kprintf("last run %s: the report files could not be written to the ESP (full or read-only?)",
			bi->last_run_id);
	if (!bi->known_bad_count)
		return;
	/* the list (validated by the loader: sorted, disjoint) goes into this
	 * run's record as it is, so it persists */
	report_nknown = bi->known_bad_count < REPORT_MAX_RANGES ? bi->known_bad_count
							       : REPORT_MAX_RANGES;
	memcpy(report_known, kb, report_nknown * sizeof(report_known[0]));
	for (uint32_t i = 0; i < report_nknown; i++) {
		uint64_t first = kb[i].first, end = first + kb[i].count;

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

