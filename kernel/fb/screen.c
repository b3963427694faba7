/* Screen glue (screen.h): fbcon/diagscreen do the drawing; this file decides
 * what is drawn from the kernel's state, and serialises drawing with the
 * console lock (fbcon and diagscreen do not lock). */
#include <mm/mm.h>
#include <kernel/screen.h>
#include <kernel/console.h>
#include <kernel/coverage.h>
#include <kernel/cpu.h>
#include <kernel/diagscreen.h>
#include <kernel/dimms.h>
#include <kernel/fbcon.h>
#include <lib/fmt.h>
#include <kernel/memmap.h>
#include <kernel/percpu.h>

static uint8_t cells[DIAG_MAP_MAX_CELLS];
static uint8_t shown_percent[MAX_CPUS];

/* JSON lines are dimmed on screen: the human lines are for the reader. */
static void fb_line(const char *s, unsigned long n, int is_event)
{
	if (is_event)
		fbcon_puts("\x1b[2m");
	fbcon_write(s, n);
	fbcon_puts(is_event ? "\x1b[0m\n" : "\n");
}

static const struct console_sink fb_sink = { fb_line };

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

	if (!f->base)
		return; /* headless: serial only */
	e = fbcon_init(&d);
	if (e != FB_OK) {
		kprintf("screen: framebuffer %ux%u unusable (error %d): serial only", f->width,
			f->height, e);
		return;
	}
	diag_init();
	console_set_fb_sink(&fb_sink);
}

void screen_header(const struct bootinfo *bi, uint32_t cpus, uint64_t ram_bytes)
{
	char fw[96];

	ksnprintf(fw, sizeof(fw), "%s rev 0x%x", bi->fw_vendor, bi->fw_revision);
	uint64_t f = console_lock();

	diag_header(&(struct diag_header){ fw, bi->loader, cpus, ram_bytes, bi->meta_bytes,
					    dimms_line() });
	console_unlock(f);
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
 * the image's and the page tables' boot frames to it): drawn by their state. */
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

void screen_progress(uint32_t cpu, uint32_t percent, const char *phase)
{
	if (cpu >= MAX_CPUS || !fbcon_active() || shown_percent[cpu] == percent + 1)
		return;
	shown_percent[cpu] = (uint8_t)(percent + 1);
	uint64_t f = console_lock();

	diag_progress(cpu, percent, phase);
	console_unlock(f);
}

void screen_result(enum run_result r, const char *detail)
{
	uint64_t f = console_lock();

	diag_result(r == RUN_PASS ? DIAG_RESULT_PASS
		    : r == RUN_BAD_MEMORY ? DIAG_RESULT_BAD_MEMORY : DIAG_RESULT_FAIL, detail);
	console_unlock(f);
}
