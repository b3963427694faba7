/* The diagnostic panel above the log: its layout, the memory picture with
 * legend, per-CPU progress bars, and the result in large type (see
 * include/kernel/diagscreen.h; the header and tables are panels.c's). Any change to diag_compute_layout must be
 * mirrored in test/boot/screen.py (diag_layout); its self-test compares. */
#include <stdint.h>
#include <kernel/diagscreen.h>
#include <kernel/fbcon.h>
#include <lib/string.h>
#include "fbtext.h"

const uint32_t diag_cell_rgb[DIAG_CELL_STATES] = {
	[DIAG_CELL_HOLE] = 0x383838,      [DIAG_CELL_FREE] = 0x30b030,
	[DIAG_CELL_ALLOCATED] = 0x3070e0, [DIAG_CELL_FIRMWARE] = 0xe0a020,
	[DIAG_CELL_METADATA] = 0xb050d0,  [DIAG_CELL_KERNEL] = 0x20c0c0,
	[DIAG_CELL_POISONED] = 0xff2020,  [DIAG_CELL_UNTESTED] = 0xd8d8d8,
};
const char *const diag_cell_name[DIAG_CELL_STATES] = {
	[DIAG_CELL_HOLE] = "not RAM",        [DIAG_CELL_FREE] = "free",
	[DIAG_CELL_ALLOCATED] = "allocated", [DIAG_CELL_FIRMWARE] = "firmware",
	[DIAG_CELL_METADATA] = "metadata",   [DIAG_CELL_KERNEL] = "kernel",
	[DIAG_CELL_POISONED] = "poisoned",   [DIAG_CELL_UNTESTED] = "untested",
};
const uint32_t diag_result_rgb[3] = { 0x107010, 0xc05000, 0xb01010 };
const char *const diag_result_text[3] = { "PASS", "BAD MEMORY", "FAIL" };

/* Legend order: the usual states first, "not RAM" last. */
static const uint8_t legend_order[DIAG_CELL_STATES] = {
	DIAG_CELL_FREE, DIAG_CELL_ALLOCATED, DIAG_CELL_FIRMWARE, DIAG_CELL_METADATA,
	DIAG_CELL_KERNEL, DIAG_CELL_POISONED, DIAG_CELL_UNTESTED, DIAG_CELL_HOLE,
};

#define PANEL_BG    0x000000u
#define TITLE_BG    0x0000aau
#define TEXT_FG     0xaaaaaau
#define BRIGHT_FG   0xffffffu
#define TRACK_RGB   0x404040u
#define BAR_RGB     0x3070e0u
#define BAR_DONE    0x30b030u
#define RULE_RGB    0x555555u

#define MIN_COLS 40u
#define MIN_ROWS 20u
#define MIN_TABLES 4u      /* rows: test table head and one test, error caption and head */
#define SWATCH_W 2u        /* legend swatch, cells */
#define BAR_CELLS 10u
#define PHASE_CHARS 8u
#define SLOT_W (6u + 1u + BAR_CELLS + 1u + 4u + 1u + PHASE_CHARS) /* "cpuNNN [bar] 100% phase" */
#define SLOT_PITCH (SLOT_W + 2u)
#define LONGEST_RESULT 10u /* "BAD MEMORY" */

static struct {
	int active;
	uint32_t generation;
	int result_shown;
	uint32_t cpus;
	char phase[PHASE_CHARS + 1]; /* compact bars: the phase in the caption */
	struct fbcon_geometry g;
	struct diag_layout l;
} diag;

static uint32_t clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* Legend entry i (in legend_order) flows left to right from column 1. */
static void legend_place(uint32_t cols, uint32_t i, uint32_t *line, uint32_t *col)
{
	uint32_t x = 1, y = 0;

	for (uint32_t k = 0;; k++) {
		uint32_t w = SWATCH_W + 1 + (uint32_t)strlen(diag_cell_name[legend_order[k]]);

		if (x > 1 && x + w > cols - 1) {
			x = 1;
			y++;
		}
		if (k == i) {
			*line = y;
			*col = x;
			return;
		}
		x += w + 2;
	}
}

void diag_compute_layout(const struct fbcon_geometry *g, struct diag_layout *l)
{
	uint32_t line, col, fw, fh, log, fixed;

	memset(l, 0, sizeof(*l));
	if (!g->font || g->cols < MIN_COLS || g->rows < MIN_ROWS)
		return;
	fw = g->font->width;
	fh = g->font->height;
	l->header_row = 0;
	l->header_rows = 3;
	l->run_row = l->header_row + l->header_rows;
	l->tables_row = l->run_row + 1;
	/* bottom up: log, separator, status, blank, legend, map, caption; the
	 * tables get the rest, taken from the log when short */
	log = clamp(g->rows / 6, 3, 12);
	l->status_rows = clamp(g->rows / 8, 5, 10);
	l->map_rows = clamp(g->rows / 12, 2, 10);
	legend_place(g->cols, DIAG_CELL_STATES - 1, &line, &col);
	l->legend_rows = line + 1;
	fixed = l->tables_row + 1 + l->map_rows + l->legend_rows + 1 + l->status_rows + 1;
	if (fixed + MIN_TABLES + 1 > g->rows)
		return; /* not even one log row beside the smallest tables */
	l->tables_rows = g->rows - fixed > log + MIN_TABLES ? g->rows - fixed - log : MIN_TABLES;
	l->caption_row = l->tables_row + l->tables_rows;
	l->map_row = l->caption_row + 1;
	l->block = g->cell_h / 2;
	l->map_x = g->cell_w;
	l->map_y = l->map_row * g->cell_h;
	l->map_cols = (g->cols - 2) * g->cell_w / l->block;
	l->map_lines = l->map_rows * g->cell_h / l->block;
	if (l->map_lines > DIAG_MAP_MAX_CELLS / l->map_cols) /* only past 16K pixels wide */
		l->map_lines = DIAG_MAP_MAX_CELLS / l->map_cols;
	l->legend_row = l->map_row + l->map_rows;
	l->status_row = l->legend_row + l->legend_rows + 1;
	l->separator_row = l->status_row + l->status_rows;
	l->panel_rows = l->separator_row + 1;
	l->log_rows = g->rows - l->panel_rows;
	/* The longest verdict must fit beside a one-cell margin, above the detail row. */
	l->result_scale = 8 * g->scale;
	if (l->result_scale > (l->status_rows - 1) * g->cell_h / fh)
		l->result_scale = (l->status_rows - 1) * g->cell_h / fh;
	if (l->result_scale > (g->cols - 2) * g->cell_w / (LONGEST_RESULT * fw))
		l->result_scale = (g->cols - 2) * g->cell_w / (LONGEST_RESULT * fw);
	l->bar_slots_per_row = g->cols / SLOT_PITCH;
	l->enabled = 1;
}

static void put(uint32_t col, uint32_t row, const char *s, uint32_t fg, uint32_t bg)
{
	fbcon_put_at(col, row, s, fg, bg);
}

/* Rows [row, row + n) of the grid, full width, in one colour. */
static void fill_rows(uint32_t row, uint32_t n, uint32_t rgb)
{
	fb_fill_rect(0, row * diag.g.cell_h, diag.g.cols * diag.g.cell_w, n * diag.g.cell_h, rgb);
}

/* ---- drawing */
static void draw_legend(void)
{
	const struct diag_layout *l = &diag.l;
	const struct fbcon_geometry *g = &diag.g;

	for (uint32_t i = 0; i < DIAG_CELL_STATES; i++) {
		uint32_t line, col, s = legend_order[i];

		legend_place(g->cols, i, &line, &col);
		fb_fill_rect(col * g->cell_w + 1, (l->legend_row + line) * g->cell_h + g->cell_h / 4,
			     SWATCH_W * g->cell_w - 2, g->cell_h / 2, diag_cell_rgb[s]);
		put(col + SWATCH_W + 1, l->legend_row + line, diag_cell_name[s], TEXT_FG, PANEL_BG);
	}
}

int diag_init(void)
{
	diag.active = 0;
	diag.generation++;
	diag.result_shown = 0;
	diag.cpus = 0;
	diag.phase[0] = 0;
	fbcon_get_geometry(&diag.g);
	diag_compute_layout(&diag.g, &diag.l);
	if (!diag.l.enabled)
		return 0;
	fbcon_set_panel_rows(diag.l.panel_rows);
	fill_rows(0, diag.l.panel_rows, PANEL_BG);
	fill_rows(diag.l.header_row, 1, TITLE_BG);
	put(1, diag.l.header_row, "metaslot", BRIGHT_FG, TITLE_BG); /* until panel_header */
	put(1, diag.l.caption_row, "Physical memory", TEXT_FG, PANEL_BG);
	draw_legend();
	/* The rule under the panel: a thin line through the separator row. */
	fb_fill_rect(0, diag.l.separator_row * diag.g.cell_h + diag.g.cell_h / 2,
		     diag.g.cols * diag.g.cell_w, diag.g.scale * 2, RULE_RGB);
	diag.active = 1;
	return 1;
}

void diag_get_layout(struct diag_layout *l)
{
	*l = diag.l;
}

uint32_t diag_generation(void)
{
	return diag.generation;
}

void diag_set_cpus(uint32_t cpus)
{
	diag.cpus = cpus;
}

uint32_t diag_map_capacity(void)
{
	return diag.active ? diag.l.map_cols * diag.l.map_lines : 0;
}

static void draw_cell(uint32_t i, uint8_t state)
{
	const struct diag_layout *l = &diag.l;
	uint32_t gap = l->block / 8;

	if (state >= DIAG_CELL_STATES)
		state = DIAG_CELL_HOLE;
	fb_fill_rect(l->map_x + (i % l->map_cols) * l->block,
		     l->map_y + (i / l->map_cols) * l->block,
		     l->block - gap, l->block - gap, diag_cell_rgb[state]);
}

void diag_map(const uint8_t *cells, uint32_t n, uint64_t bytes_per_cell)
{
	struct line cap = { .len = 0 };
	uint32_t capacity = diag_map_capacity();

	if (!diag.active)
		return;
	if (n > capacity)
		n = capacity;
	line_add(&cap, "Physical memory, one cell = ");
	line_size(&cap, bytes_per_cell);
	line_pad(&cap, diag.g.cols - 1);
	put(1, diag.l.caption_row, cap.buf, TEXT_FG, PANEL_BG);
	fb_fill_rect(diag.l.map_x, diag.l.map_y, diag.l.map_cols * diag.l.block,
		     diag.l.map_lines * diag.l.block, PANEL_BG);
	for (uint32_t i = 0; i < n; i++)
		draw_cell(i, cells[i]);
}

void diag_map_cell(uint32_t index, uint8_t state)
{
	if (diag.active && index < diag_map_capacity())
		draw_cell(index, state);
}

/* Detailed slot: "cpuNNN [bar......] 100% phase___" */
static void bar_detailed(uint32_t cpu, uint32_t percent, const char *phase)
{
	const struct fbcon_geometry *g = &diag.g;
	const struct diag_layout *l = &diag.l;
	uint32_t row = l->status_row + cpu / l->bar_slots_per_row;
	uint32_t col = 1 + (cpu % l->bar_slots_per_row) * SLOT_PITCH;
	uint32_t bar_x = (col + 7) * g->cell_w, bar_w = BAR_CELLS * g->cell_w;
	uint32_t y = row * g->cell_h + g->cell_h / 4, h = g->cell_h / 2;
	struct line name = { .len = 0 }, pct = { .len = 0 }, ph = { .len = 0 };

	if (cpu / l->bar_slots_per_row >= l->status_rows)
		return; /* the header promised fewer CPUs */
	line_add(&name, "cpu");
	line_u64(&name, cpu);
	line_pad(&name, 6);
	if (percent < 100)
		line_add(&pct, percent < 10 ? "  " : " ");
	line_u64(&pct, percent);
	line_add(&pct, "%");
	for (uint32_t i = 0; phase && phase[i] && i < PHASE_CHARS; i++) {
		char c[2] = { phase[i], 0 };

		line_add(&ph, c);
	}
	line_pad(&ph, PHASE_CHARS);
	put(col, row, name.buf, TEXT_FG, PANEL_BG);
	fb_fill_rect(bar_x, row * g->cell_h, bar_w, g->cell_h, PANEL_BG);
	fb_fill_rect(bar_x, y, bar_w, h, TRACK_RGB);
	fb_fill_rect(bar_x, y, (uint32_t)((uint64_t)bar_w * percent / 100), h,
		     percent >= 100 ? BAR_DONE : BAR_RGB);
	put(col + 7 + BAR_CELLS + 1, row, pct.buf, TEXT_FG, PANEL_BG);
	put(col + 7 + BAR_CELLS + 1 + 5, row, ph.buf, TEXT_FG, PANEL_BG);
}

/* Compact: a caption row naming the phase, then one cell per CPU, filled
 * from the bottom. */
static void bar_compact(uint32_t cpu, uint32_t percent, const char *phase)
{
	const struct fbcon_geometry *g = &diag.g;
	const struct diag_layout *l = &diag.l;
	uint32_t per_row = g->cols - 2;
	uint32_t x = (1 + cpu % per_row) * g->cell_w;
	uint32_t y = (l->status_row + 1 + cpu / per_row) * g->cell_h;
	uint32_t m = g->scale, w = g->cell_w - 2 * m, h = g->cell_h - 2 * m;
	uint32_t fill = (uint32_t)((uint64_t)h * percent / 100);

	if (phase && strncmp(phase, diag.phase, PHASE_CHARS) != 0) {
		struct line cap = { .len = 0 };

		for (uint32_t i = 0; i < PHASE_CHARS; i++)
			if ((diag.phase[i] = phase[i]) == 0)
				break;
		line_add(&cap, "one bar per CPU: ");
		line_add(&cap, diag.phase);
		line_pad(&cap, 17 + PHASE_CHARS);
		put(1, l->status_row, cap.buf, TEXT_FG, PANEL_BG);
	}
	if (cpu / per_row + 1 >= l->status_rows)
		return; /* more CPUs than cells: the rest show on serial only */
	fb_fill_rect(x + m, y + m, w, h - fill, TRACK_RGB);
	fb_fill_rect(x + m, y + m + h - fill, w, fill, percent >= 100 ? BAR_DONE : BAR_RGB);
}

void diag_progress(uint32_t cpu, uint32_t percent, const char *phase)
{
	const struct diag_layout *l = &diag.l;
	uint32_t detailed = l->bar_slots_per_row * l->status_rows;

	if (!diag.active || diag.result_shown)
		return;
	if (percent > 100)
		percent = 100;
	if ((diag.cpus ? diag.cpus : cpu + 1) <= detailed)
		bar_detailed(cpu, percent, phase);
	else
		bar_compact(cpu, percent, phase);
}

void diag_result(enum diag_result r, const char *detail)
{
	const struct fbcon_geometry *g = &diag.g;
	const struct diag_layout *l = &diag.l;
	const char *text;
	uint32_t n, k = l->result_scale, x, y, detail_row;

	if (!diag.active)
		return;
	if ((uint32_t)r > DIAG_RESULT_FAIL)
		r = DIAG_RESULT_FAIL;
	text = diag_result_text[r];
	n = (uint32_t)strlen(text);
	fill_rows(l->status_row, l->status_rows, diag_result_rgb[r]);
	/* Centred on the grid, in the rows above the detail row. */
	x = (g->cols * g->cell_w - n * g->font->width * k) / 2;
	y = l->status_row * g->cell_h + ((l->status_rows - 1) * g->cell_h - g->font->height * k) / 2;
	fb_draw_text(g->font, x, y, k, text, n, BRIGHT_FG, diag_result_rgb[r]);
	detail_row = l->status_row + l->status_rows - 1;
	if (detail) {
		uint32_t len = (uint32_t)strlen(detail);

		put(len < g->cols ? (g->cols - len) / 2 : 0, detail_row, detail, BRIGHT_FG,
		    diag_result_rgb[r]);
	}
	diag.result_shown = 1;
}
