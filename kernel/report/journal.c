/* The run record as a journal (journal.h). One record, rebuilt at every
 * write from what the run knows: the known-bad ranges the loader passed,
 * the bad frames found so far, audit_status, the machine checks counted. */
#include <mm/mm.h>
#include <lib/record.h>
#include <lib/string.h>
#include <kernel/audit.h>
#include <kernel/audit_status.h>
#include <kernel/badlist.h>
#include <kernel/bssave.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/dimms.h>
#include <kernel/efirt.h>
#include <kernel/journal.h>
#include <kernel/kmem.h>
#include <kernel/mce.h>
#include <kernel/park.h>
#include <kernel/percpu.h>
#include <kernel/run.h>
#include <kernel/smbios.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <lib/fmt.h>
#include "report_internal.h"

static struct report_record rec;  /* under rec_lock */
static struct spinlock rec_lock;
static uint64_t start_tsc;
static int started;               /* journal_start wrote (or tried) */
static atomic_int first_bad;      /* the first bad frame was seen */
static uint32_t mce_writes;       /* under rec_lock */
static int skipped = -1;          /* resume=on: the pattern left out */
/* a mid-sweep change that could not be written at once: the next write
 * carries it (it rebuilds the whole record) and says so */
static const char *_Atomic carried;
/* the last write's end and what it took (TSC; under rec_lock, read unlocked
 * by journal_step_due: a stale value only moves one step) */
static _Atomic uint64_t written_at, write_cycles;

/* How long a mid-sweep write waits for every other CPU to reach a safe
 * point: a CPU gets there after each span (at most 2^MAX_ORDER frames,
 * milliseconds at memory speed; up to 105 ms seen under QEMU TCG), so a
 * wide margin, and the longest the others ever wait for nothing. */
#define PARK_WAIT_US 2000000

static void copy_str(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; src && i + 1 < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = 0;
}

/* The record as the run stands now (rec_lock held). */
static void fill(void)
{
	const struct badlist *bad = audit_bad_frames();
	uint32_t n = bad ? bad->n : 0;
	struct journal_position at;

	journal_position(&audit_status, audit_pattern_count, &at);

	memcpy(rec.ranges, report_known, report_nknown * sizeof(rec.ranges[0]));
	rec.nranges = report_nknown;
	rec.bad_frames = 0;
	for (uint32_t i = 0; i < rec.nranges; i++)
		rec.bad_frames += rec.ranges[i].count;
	for (uint32_t i = 0; i < n; i++)
		report_record_add_frame(&rec, bad->f[i].phys / PAGE_SIZE);
	rec.found_frames = n;
	rec.size = report_record_size(rec.nranges);
	rec.cpus = run.cpus;
	rec.tested_frames = run.tested_frames;
	rec.pass = at.pass;
	rec.passes = audit_status.passes;
	copy_str(rec.pattern, at.pattern >= 0 ? audit_patterns[at.pattern].name : "",
		 sizeof(rec.pattern));
	rec.percent = at.percent;
	rec.elapsed_ms = tsc_hz ? tsc_to_us(rdtsc() - start_tsc) / 1000 : 0;
}

/* SetVariable with the record, the firmware clock read in the same call
 * window (rec_lock held). `wait` = 0: only if the runtime lock is free,
 * else STORE_BUSY. */
#define STORE_BUSY UINT64_MAX
static uint64_t store(int wait)
{
	struct efi_time t = { 0 };

	if (!efirt_begin(wait))
		return STORE_BUSY;
	if (efirt_get_time_locked(&t) == 0) {
		rec.upd_year = t.year;
		rec.upd_month = t.month;
		rec.upd_day = t.day;
		rec.upd_hour = t.hour;
		rec.upd_minute = t.minute;
		rec.upd_second = t.second;
	}
	rec.writes++;
	/* fault_test=report_refused: a non-volatile variable without boot-service
	 * access is invalid by the UEFI spec, so the firmware must refuse it */
	uint32_t attr = kcfg.fault_test == FAULT_TEST_REPORT_REFUSED ? 0x1u : REPORT_VAR_ATTRIBUTES;
	uint64_t s = efirt_set_variable_locked(report_var_name, &report_guid, attr, rec.size, &rec);

	efirt_end();
	return s;
}

static void write_event(struct jw *w, const char *what, uint64_t s)
{
	jw_begin(w, s ? "journal_not_saved" : "journal");
	jw_str(w, "what", what);
	jw_u64(w, "writes", rec.writes);
	jw_u64(w, "bytes", rec.size);
	jw_u64(w, "pass", rec.pass);
	jw_str(w, "pattern", rec.pattern);
	jw_u64(w, "percent", rec.percent);
	jw_u64(w, "bad_frames", rec.bad_frames);
	jw_u64(w, "machine_check_errors", rec.mce_errors);
	if (s)
		jw_u64(w, "efi_status", s);
}

/* Fills and writes now (`what` names why, for the event; `pr`: the other
 * CPUs are parked for it, as park_others found them). */
static void write_now(const char *what, const struct park_report *pr)
{
	struct jw w;
	uint64_t f = spin_lock_irqsave(&rec_lock);
	const char *was = atomic_exchange(&carried, 0);

	fill();
	uint64_t t0 = rdtsc(), s = store(1), t1 = rdtsc();

	atomic_store_explicit(&written_at, t1, memory_order_relaxed);
	atomic_store_explicit(&write_cycles, t1 - t0, memory_order_relaxed);
	write_event(&w, what, s);
	jw_u64(&w, "us", tsc_hz ? tsc_to_us(rdtsc() - t0) : 0); /* swap + GetTime + SetVariable */
	if (pr) {
		jw_u64(&w, "parked", pr->parked);
		jw_u64(&w, "park_us", pr->waited_us);
	}
	if (was)
		jw_str(&w, "carries", was);
	spin_unlock_irqrestore(&rec_lock, f);
	event_emit(&w);
}

/* Mid-sweep, any CPU, holding no lock (it may park here for another CPU's
 * write). Where runtime calls need no swap, at once. Otherwise every other
 * CPU is parked at a safe point first (park.h): none then touches the frames
 * the call trades, and their stacks, per-CPU blocks, tables and page tables
 * stay where they are (kmem_alloc_tested keeps them out of boot-services
 * memory; if some had to go there, the swap would move them under their
 * CPU, so nothing is written before the next safe point). A CPU that does
 * not park in time also leaves it to the next safe point's write. */
static void write_soon(const char *what)
{
	struct park_report pr = { 0 };
	uint32_t others = atomic_load(&cpus_online) - 1, in_bs = kmem_resident_in_bs();
	const char *why = 0;
	struct jw w;

	if (!started || !kcfg.save_report)
		return;
	if (bs_in_place()) {
		write_now(what, 0);
		return;
	}
	if (in_bs)
		why = "kernel_memory_in_boot_services";
	else if (!park_others(others, PARK_WAIT_US, &pr))
		why = "cpus_not_parked";
	if (!why) {
		write_now(what, &pr);
		/* the swap went through the cache; a block this CPU may have open
		 * in its uncached view (a bad read inside walking_ones_address)
		 * must read in memory what the cache says */
		wbinvd();
		park_release();
		return;
	}
	atomic_store(&carried, what);
	jw_begin(&w, "journal_deferred");
	jw_str(&w, "what", what);
	jw_str(&w, "why", why);
	if (in_bs)
		jw_u64(&w, "kernel_blocks_in_boot_services", in_bs);
	else {
		jw_u64(&w, "parked", pr.parked);
		jw_u64(&w, "of", others);
		jw_u64(&w, "waited_us", pr.waited_us);
	}
	event_emit(&w);
}

void journal_start(const struct bootinfo *bi)
{
	const struct smbios_info *smb = dimms_info();
	struct efi_time t = { 0 };

	if (!kcfg.save_report)
		return;
	start_tsc = rdtsc();
	rec.magic = REPORT_MAGIC;
	rec.version = REPORT_VERSION;
	rec.result = REPORT_RUNNING;
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
	rec.ram_bytes = run.ram_bytes;
	for (uint32_t i = 0; smb && smb->present && i < smb->ndimms; i++) {
		const struct smbios_dimm *d = &smb->dimms[i];

		if (!d->size)
			continue;
		if (rec.ndimms < REPORT_MAX_DIMMS) {
			struct report_dimm *o = &rec.dimms[rec.ndimms++];

			copy_str(o->locator, d->locator, sizeof(o->locator));
			copy_str(o->part, d->part, sizeof(o->part));
			o->size = d->size;
		}
		rec.dimms_total++;
	}
	started = 1;
	write_now("start", 0);
}

int journal_step_due(uint64_t cost)
{
	if (!started || !kcfg.save_report)
		return 0;
	if (atomic_load(&carried) || !kcfg.journal_spacing)
		return 1;
	uint64_t at = atomic_load_explicit(&written_at, memory_order_relaxed);

	if (!cost)
		cost = atomic_load_explicit(&write_cycles, memory_order_relaxed);
	return rdtsc() - at >= (uint64_t)kcfg.journal_spacing * cost;
}

void journal_step(void)
{
	if (started && kcfg.save_report)
		write_now("step", 0);
}

void journal_bad_frame(void)
{
	if (!atomic_exchange(&first_bad, 1))
		write_soon("bad_frame");
}

void journal_machine_check(uint32_t cpu, const struct mce_regs *r, int in_mc)
{
	int write = 0;
	uint64_t f = irq_save();

	if (in_mc) {
		/* #MC: its holder may be a stopped CPU */
		if (atomic_exchange_explicit(&rec_lock.locked, 1, memory_order_acquire)) {
			irq_restore(f);
			return;
		}
	} else {
		spin_lock(&rec_lock);
	}
	if (rec.nmces < REPORT_MAX_MCES)
		rec.mces[rec.nmces++] = (struct report_mce){
			r->status, r->status & MCI_STATUS_ADDRV ? r->addr : 0, cpu, r->bank };
	if (rec.mce_errors < UINT32_MAX)
		rec.mce_errors++;
	if (!in_mc && mce_writes < JOURNAL_MCE_WRITES) {
		mce_writes++;
		write = 1;
	}
	spin_unlock(&rec_lock);
	irq_restore(f);
	if (write)
		write_soon("machine_check");
}

static void stop_not_saved(const char *reason, const char *why)
{
	struct jw w;

	jw_begin(&w, "journal_not_saved");
	jw_str(&w, "what", "stop");
	jw_str(&w, "reason", reason);
	jw_str(&w, "why", why);
	console_emergency(jw_finish(&w));
}

void journal_stop(const char *reason)
{
	struct jw w;

	if (!started || !kcfg.save_report)
		return;
	/* Any CPU: the others are stopped for good, so what they were sweeping
	 * does not matter, but this CPU's stack (or #MC stack), per-CPU block
	 * and tables must stay in place while the call trades boot-services
	 * memory: resident (kmem.h) unless some kernel block had to go there */
	if (!bs_in_place() && kmem_resident_in_bs()) {
		stop_not_saved(reason, "kernel_memory_in_boot_services");
		return;
	}
	/* a stopped CPU may hold either lock: never wait for it */
	if (atomic_exchange_explicit(&rec_lock.locked, 1, memory_order_acquire)) {
		stop_not_saved(reason, "record_lock_held");
		return;
	}
	fill();
	rec.result = REPORT_FAIL;
	copy_str(rec.reason, reason, sizeof(rec.reason));
	uint64_t s = store(0);

	if (s == STORE_BUSY) {
		stop_not_saved(reason, "runtime_lock_held");
		return;
	}
	write_event(&w, "stop", s);
	jw_str(&w, "reason", reason);
	console_emergency(jw_finish(&w));
	/* rec_lock stays held: nothing writes after the stop */
}

/* The run's end: the final record (report.h). */
void report_save(const struct bootinfo *bi)
{
	struct jw w;

	(void)bi;
	if (!kcfg.save_report)
		return;
	if (!started)
		journal_start(bi); /* (the audit never ran: still one record) */
	uint64_t f = spin_lock_irqsave(&rec_lock);
	enum run_result r = run_result();

	fill();
	rec.result = r == RUN_PASS ? REPORT_PASS : r == RUN_BAD_MEMORY ? REPORT_BAD_MEMORY
								   : REPORT_FAIL;
	rec.percent = 100;
	uint64_t s = store(1);

	jw_begin(&w, s ? "report_not_saved" : "report_saved");
	jw_str(&w, "run_id", rec.run_id);
	jw_u64(&w, "bytes", rec.size);
	jw_u64(&w, "bad_frames", rec.bad_frames);
	jw_u64(&w, "writes", rec.writes);
	if (s)
		jw_u64(&w, "efi_status", s);
	spin_unlock_irqrestore(&rec_lock, f);
	event_emit(&w);
	if (s)
		kprintf("the firmware refused to store the run record (status 0x%llx): no report on the next boot",
			(unsigned long long)s);
}

int journal_resume_skip(void)
{
	const struct audit_pattern *p;

	if (!kcfg.resume || !report_last_ok || report_last.result != REPORT_RUNNING)
		return -1;
	p = audit_pattern_find(report_last.pattern, (uint32_t)strlen(report_last.pattern));
	return p ? (int)(p - audit_patterns) : -1;
}

uint32_t journal_resume_apply(uint32_t patterns)
{
	int skip = journal_resume_skip();
	struct jw w;

	if (skip < 0)
		return patterns;
	int alone = (patterns & ~(1u << skip)) == 0, in_plan = !!(patterns & (1u << skip));

	jw_begin(&w, "resume");
	jw_str(&w, "last_run_id", report_last.run_id);
	jw_str(&w, "pattern", audit_patterns[skip].name);
	jw_u64(&w, "pass", report_last.pass);
	jw_bool(&w, "skipped", in_plan && !alone);
	if (!in_plan || alone)
		jw_str(&w, "why", !in_plan ? "not in this run's plan" : "the only pattern selected");
	event_emit(&w);
	if (!in_plan || alone)
		return patterns;
	kprintf("resume=on: the last run died in pattern %s; this run leaves it out",
		audit_patterns[skip].name);
	skipped = skip;
	copy_str(rec.skipped, audit_patterns[skip].name, sizeof(rec.skipped));
	return patterns & ~(1u << skip);
}

void journal_resume_mark(void)
{
	if (skipped >= 0)
		audit_status.p[skipped].state = PATTERN_SKIPPED;
}
