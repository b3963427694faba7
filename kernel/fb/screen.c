/* Screen glue (screen.h): fbcon, diagscreen and panels do the drawing; this
 * file decides what is drawn from the kernel's state, and serialises drawing
 * with the console lock (fbcon and diagscreen do not lock).
 *
 * The panels are drawn from a snapshot of the run's state (audit_status,
 * the bad-frame list, the machine-check records), never from events:
 * screen_refresh takes one and redraws; screen_tick does so at most
 * REFRESH_HZ times a second, from the boot CPU's progress updates. */
#include <mm/mm.h>
#include <kernel/screen.h>
#include <kernel/audit.h>
#include <kernel/audit_status.h>
#include <kernel/badlist.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/coverage.h>
#include <kernel/cpu.h>
#include <kernel/cpuinfo.h>
#include <kernel/diagscreen.h>
#include <kernel/dimms.h>
#include <kernel/fbcon.h>
#include <kernel/mce.h>
#include <kernel/panels.h>
#include <kernel/time.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <kernel/memmap.h>
#include <kernel/percpu.h>
#include <kernel/relocate.h>

#define REFRESH_HZ 4

_Static_assert(PANEL_MAX_TESTS >= AUDIT_MAX_PATTERNS, "a table row for every pattern");

static uint8_t cells[DIAG_MAP_MAX_CELLS];
static uint8_t shown_percent[MAX_CPUS];

static struct {
	int on;                      /* the panel is drawn */
	uint64_t start_tsc;          /* elapsed time counts from screen_init */
	uint64_t last_tsc;           /* last refresh */
	char firmware[96];
	const char *version;
	uint32_t cpus;
	uint64_t ram_bytes, meta_bytes;
	/* errors as they came, oldest first: a ring of the last PANEL_MAX_ERRORS */
	struct panel_error ring[PANEL_MAX_ERRORS];
	uint64_t rows;               /* rows ever added (ring index = rows % max) */
	uint32_t bad_seen;           /* bad-frame list entries taken */
	uint64_t mce_seen;           /* last machine-check record taken */
	uint64_t bad_total, mce_taken;
	int32_t running;             /* pattern last seen running, its start */
	uint32_t running_pass;
	uint64_t running_tsc;
	struct panel_tests tests;    /* the snapshot (static: it is large) */
	struct panel_errors errors;
} scr = { .running = -1 };

/* Events go to serial; on screen they only clutter the log, unless
 * screen_log=json asks for them. A fault's emergency output sends events
 * as plain lines, so they are known by their first bytes too. */
static void fb_line(const char *s, unsigned long n, int is_event)
{
	if ((is_event || (n >= 7 && !memcmp(s, "{\"ev\":\"", 7))) && !kcfg.screen_log_json)
		return;
	if (is_event)
		fbcon_puts("\x1b[2m");
	fbcon_write(s, n);
	fbcon_puts(is_event ? "\x1b[0m\n" : "\n");
}

static const struct console_sink fb_sink = { fb_line, fbcon_recover };

void screen_init(const struct bootinfo *bi)
{
	const struct bootinfo_fb *f = &bi->fb;
	struct fb_desc d = {
		.base = f->base ? phys_to_virt(f->base) : 0,
		.width = f->width, .height = f->height, .stride = f->stride,
		.red_mask = f->red_mask, .green_mask = f->green_mask,
		.blue_mask = f->blue_mask, .reserved_mask = f->reserved_mask,
	};
	enum fb_error e;
	const char *v = 0;

	for (const char *c = bi->loader; *c && c < bi->loader + sizeof(bi->loader); c++)
		if (*c == ' ')
			v = c; /* "metaslot-loader 0.1": the version is the last word */

	scr.start_tsc = rdtsc();
	ksnprintf(scr.firmware, sizeof(scr.firmware), "%s rev 0x%x", bi->fw_vendor,
		  bi->fw_revision);
	scr.version = v ? v + 1 : bi->loader;
	scr.meta_bytes = bi->meta_bytes;
	if (!f->base)
		return; /* headless: serial only */
	e = fbcon_init(&d);
	if (e != FB_OK) {
		kprintf("screen: framebuffer %ux%u unusable (error %d): serial only", f->width,
			f->height, e);
		return;
	}
	scr.on = diag_init();
	console_set_fb_sink(&fb_sink);
}

static uint64_t seconds_since(uint64_t tsc)
{
	return tsc_hz ? (rdtsc() - tsc) / tsc_hz : 0;
}

static void draw_header(void)
{
	panel_header(&(struct panel_header){
		.version = scr.version, .firmware = scr.firmware, .cpu_model = cpuinfo_brand(),
		.cpus = scr.cpus, .ram_bytes = scr.ram_bytes, .meta_bytes = scr.meta_bytes,
		.dimms = dimms_line(), .elapsed_s = seconds_since(scr.start_tsc) });
}

void screen_header(const struct bootinfo *bi, uint32_t cpus, uint64_t ram_bytes)
{
	(void)bi;
	scr.cpus = cpus;
	scr.ram_bytes = ram_bytes;
	uint64_t f = console_lock();

	diag_set_cpus(cpus);
	draw_header();
	console_unlock(f);
}

static const uint8_t test_state[] = {
	[PATTERN_PENDING] = PANEL_TEST_PENDING, [PATTERN_RUNNING] = PANEL_TEST_RUNNING,
	[PATTERN_DONE] = PANEL_TEST_DONE, [PATTERN_SKIPPED] = PANEL_TEST_SKIPPED,
};

/* The test table from audit_status (read without a lock: a figure may be
 * one update old). The running pattern's ETA is its own elapsed time scaled
 * by its percentage, timed from when this glue first saw it run. */
static void snapshot_tests(struct panel_tests *t)
{
	const struct audit_status *a = &audit_status;
	int32_t cur = a->current;

	memset(t, 0, sizeof(*t));
	t->enabled = kcfg.audit != AUDIT_OFF;
	t->running = a->running != 0;
	t->finished = !a->running && a->pass != 0;
	t->pass = a->pass;
	t->passes = a->passes;
	t->eta_s = a->running && a->eta_s ? a->eta_s : t->finished ? 0 : PANEL_NO_ETA;
	if (cur != scr.running || a->pass != scr.running_pass) {
		scr.running = cur;
		scr.running_pass = a->pass;
		scr.running_tsc = rdtsc();
	}
	uint64_t units = 0, done = 0;

	for (uint32_t i = 0; i < audit_pattern_count && t->n < PANEL_MAX_TESTS; i++) {
		const struct audit_pattern_status *p = &a->p[i];
		struct panel_test *o = &t->t[t->n];

		if (!(a->selected & (1u << i)) || p->state == PATTERN_NOT_SELECTED ||
		    p->state > PATTERN_SKIPPED)
			continue;
		t->n++;
		o->name = audit_patterns[i].name;
		o->state = test_state[p->state];
		o->pass = p->pass;
		o->percent = p->percent > 100 ? 100 : p->percent;
		o->ms = p->ms;
		o->errors = p->errors;
		o->eta_s = PANEL_NO_ETA;
		if (o->state == PANEL_TEST_RUNNING && o->percent && tsc_hz) {
			uint64_t spent = rdtsc() - scr.running_tsc;

			o->eta_s = spent / tsc_hz * (100 - o->percent) / o->percent;
		}
		/* the run's percentage: each pattern of each pass one unit */
		units += 100;
		done += o->state == PANEL_TEST_DONE || o->state == PANEL_TEST_SKIPPED ? 100
			: o->state == PANEL_TEST_RUNNING ? o->percent : 0;
	}
	if (t->finished)
		t->percent = 100;
	else if (units && a->passes && a->pass)
		t->percent = (uint32_t)(((a->pass - 1) * units + done) * 100 /
					(units * a->passes));
}

static void add_row(const struct panel_error *e)
{
	scr.ring[scr.rows % PANEL_MAX_ERRORS] = *e;
	scr.rows++;
}

/* New bad frames and machine checks join the ring in the order they are
 * seen. A machine check that poisoned its frame is in both lists: the
 * machine-check record is its row, the list's entry (pattern
 * "machine_check") is not repeated. */
static void snapshot_errors(struct panel_errors *out, int bad_frames)
{
	struct bad_frame f[16];
	struct mce_record m[MCE_RECENT];
	uint32_t n;

	while (bad_frames && (n = audit_bad_frames_copy(scr.bad_seen, f, 16, &scr.bad_total))) {
		for (uint32_t i = 0; i < n; i++) {
			if (f[i].pattern && !strcmp(f[i].pattern, "machine_check"))
				continue;
			add_row(&(struct panel_error){
				.kind = PANEL_ERROR_RAM, .addr_valid = 1, .addr = f[i].addr,
				.dimm = smbios_locator_for(f[i].addr), .expected = f[i].expected,
				.actual = f[i].actual, .what = f[i].pattern, .cpu = f[i].cpu });
		}
		scr.bad_seen += n;
	}
	n = mce_recent(scr.mce_seen, m);
	for (uint32_t i = 0; i < n; i++) {
		add_row(&(struct panel_error){
			.kind = PANEL_ERROR_MCE, .addr_valid = m[i].phys_valid, .addr = m[i].phys,
			.dimm = m[i].phys_valid ? smbios_locator_for(m[i].phys) : 0,
			.what = mce_kind_name(m[i].kind), .cpu = m[i].cpu, .bank = m[i].bank,
			.corrected = m[i].corrected });
		scr.mce_seen = m[i].seq;
		scr.mce_taken++;
	}
	out->n = scr.rows < PANEL_MAX_ERRORS ? (uint32_t)scr.rows : PANEL_MAX_ERRORS;
	for (uint32_t i = 0; i < out->n; i++) /* newest first */
		out->e[i] = scr.ring[(scr.rows - 1 - i) % PANEL_MAX_ERRORS];
	/* every row ever added, and the bad frames only counted (list overflow) */
	out->total = scr.rows + (scr.bad_total > scr.bad_seen ? scr.bad_total - scr.bad_seen : 0);
}

void screen_refresh(void)
{
	if (!scr.on)
		return;
	snapshot_tests(&scr.tests);
	snapshot_errors(&scr.errors, 1);
	scr.last_tsc = rdtsc();
	uint64_t f = console_lock();

	draw_header();
	panel_tests(&scr.tests);
	panel_errors(&scr.errors);
	console_unlock(f);
}

void screen_refresh_stopped(void)
{
	if (!scr.on)
		return;
	snapshot_tests(&scr.tests);
	snapshot_errors(&scr.errors, 0); /* the list's lock may be held by a stopped CPU */
	draw_header();
	panel_tests(&scr.tests);
	panel_errors(&scr.errors);
}

void screen_tick(void)
{
	if (scr.on && (!tsc_hz || rdtsc() - scr.last_tsc >= tsc_hz / REFRESH_HZ))
		screen_refresh();
}

/* When a cell spans frames in several states it shows the highest rank:
 * poisoned first (never hide a bad frame), then what the allocator has handed
 * out (the dynamic state is the news), then the fixed owners. */
static const uint8_t rank[DIAG_CELL_STATES] = {
	[DIAG_CELL_HOLE] = 0, [DIAG_CELL_FREE] = 1, [DIAG_CELL_FIRMWARE] = 2,
	[DIAG_CELL_METADATA] = 3, [DIAG_CELL_KERNEL] = 4, [DIAG_CELL_ALLOCATED] = 5,
	[DIAG_CELL_UNTESTED] = 6, [DIAG_CELL_POISONED] = 7,
};

static void mark(uint32_t cell, uint8_t state)
{
	if (rank[state] > rank[cells[cell]])
		cells[cell] = state;
}

/* Fills cells [s, e) (bytes) with state. */
static void mark_span(uint64_t s, uint64_t e, uint64_t per, uint8_t state)
{
	for (uint64_t c = s / per; c <= (e - 1) / per; c++)
		mark((uint32_t)c, state);
}

/* Kernel-class frames the allocator owns now (relocate.h handed the array's,
 * the image's and the page tables' boot frames to it): drawn by their state,
 * the moved array's new blocks as metadata. */
static int relocated_here(uint64_t s, uint64_t e)
{
	for (uint64_t p = s; p < e; p += PAGE_SIZE)
		if (frame_state(p) != FRAME_STATE_UNMANAGED)
			return 1;
	return 0;
}

void screen_memory_picture(const struct bootinfo *bi)
{
	uint32_t n = diag_map_capacity();

	if (!n)
		return;
	uint64_t per = (bi->ram_top + n - 1) / n;

	per = (per + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	n = (uint32_t)((bi->ram_top + per - 1) / per);
	for (uint32_t i = 0; i < n; i++)
		cells[i] = DIAG_CELL_HOLE;

	/* the audited map (kernel/mem/memmap.c) says who owns what; for the
	 * allocator's RAM, the allocator says what each frame is now */
	for (uint32_t i = 0; i < memmap_range_count; i++) {
		const struct mapaudit_range *r = &memmap_ranges[i];
		uint64_t s = r->start, e = r->end < bi->ram_top ? r->end : bi->ram_top;

		if (s >= e || r->cls == MAPAUDIT_NOT_RAM)
			continue;
		if (r->cls == MAPAUDIT_FIRMWARE) {
			mark_span(s, e, per, DIAG_CELL_FIRMWARE);
		} else if (r->cls == MAPAUDIT_KERNEL && !relocated_here(s, e)) {
			/* the metadata array is one of the kernel's ranges: show it
			 * as itself, the rest as kernel */
			uint64_t ms = bi->meta_phys, me = bi->meta_phys + bi->meta_bytes;

			if (s < ms)
				mark_span(s, e < ms ? e : ms, per, DIAG_CELL_KERNEL);
			if (e > me)
				mark_span(s > me ? s : me, e, per, DIAG_CELL_KERNEL);
			if (s < me && ms < e)
				mark_span(s > ms ? s : ms, e < me ? e : me, per, DIAG_CELL_METADATA);
		} else {
			for (uint64_t p = s; p < e; p += PAGE_SIZE) {
				enum frame_state fs = frame_state(p);

				mark((uint32_t)(p / per),
				     fs == FRAME_STATE_POISONED ? DIAG_CELL_POISONED
				     : fs == FRAME_STATE_ALLOCATED && relocate_array_holds(p)
					     ? DIAG_CELL_METADATA   /* the moved array */
				     : fs == FRAME_STATE_ALLOCATED ? DIAG_CELL_ALLOCATED
				     : fs == FRAME_STATE_FREE ? DIAG_CELL_FREE
				     : DIAG_CELL_KERNEL); /* unmanaged: held back */
			}
		}
	}
	/* after the audit: cells holding RAM metaslot could own that no test
	 * reached (coverage.h) */
	for (uint32_t i = 0; run.tested_frames && i < memmap_range_count; i++) {
		const struct mapaudit_range *r = &memmap_ranges[i];
		uint64_t e = r->end < bi->ram_top ? r->end : bi->ram_top;

		for (uint64_t s = r->start; r->cls <= MAPAUDIT_KERNEL && s < e;) {
			uint64_t ce = (s / per + 1) * per < e ? (s / per + 1) * per : e, t, fr;

			coverage_of_range(s, ce, &t, &fr);
			if (t < fr)
				mark((uint32_t)(s / per), DIAG_CELL_UNTESTED);
			s = ce;
		}
	}
	uint64_t f = console_lock();

	diag_map(cells, n, per);
	console_unlock(f);
}

static void progress_bar(uint32_t cpu, uint32_t percent, const char *phase, bool wait)
{
	uint64_t f;

	if (cpu >= MAX_CPUS || !fbcon_active() || shown_percent[cpu] == percent + 1)
		return;
	if (wait)
		f = console_lock();
	else if (!console_trylock(&f))
		return;         /* drawn at the next change, or by the phase's end */
	shown_percent[cpu] = (uint8_t)(percent + 1);
	diag_progress(cpu, percent, phase);
	console_unlock(f);
}

void screen_progress(uint32_t cpu, uint32_t percent, const char *phase)
{
	progress_bar(cpu, percent, phase, true);
}

void screen_progress_try(uint32_t cpu, uint32_t percent, const char *phase)
{
	progress_bar(cpu, percent, phase, false);
}

void screen_result(enum run_result r, const char *detail)
{
	screen_refresh(); /* the tables as the run left them */
	uint64_t f = console_lock();

	diag_result(r == RUN_PASS ? DIAG_RESULT_PASS
		    : r == RUN_BAD_MEMORY ? DIAG_RESULT_BAD_MEMORY : DIAG_RESULT_FAIL, detail);
	console_unlock(f);
}
