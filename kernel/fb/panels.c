/* The header, the run's progress, the test table and the error table
 * (panels.h), drawn into the rows diag_compute_layout gives them. Every row
 * is drawn whole, padded to the grid's width, so a shorter text never
 * leaves the end of a longer one behind. */
#include <stdint.h>
#include <kernel/diagscreen.h>
#include <kernel/fbcon.h>
#include <kernel/panels.h>
#include <lib/string.h>
#include "fbtext.h"

#define BG        0x000000u
#define TITLE_BG  0x0000aau
#define TEXT_FG   0xaaaaaau
#define BRIGHT_FG 0xffffffu
#define HEAD_FG   0x55ffffu
#define HILITE_BG 0x204a87u  /* the running test's row */
#define TRACK_RGB 0x404040u
#define BAR_RGB   0x30b030u
#define ERROR_FG  0xff5555u

/* Test table columns (cells from column 1). */
#define T_NAME 1u
#define T_NAME_W 20u
#define T_STATE 22u
#define T_PASS 31u
#define T_TIME 39u
#define T_ERR 52u      /* right-aligned in 8 */
#define T_BAR 62u
#define RUN_BAR 16u    /* run row: bar from this column */

/* Error table: fixed columns and the gaps between them. */
#define E_ADDR_W 14u   /* "0x" and 12 hex digits: 256 TiB */
#define E_WORD_W 16u
#define E_CPU_W 3u
#define E_PAT_MAX 20u
#define E_DIMM_MAX 16u

static const char *const state_name[] = { "pending", "running", "done", "skipped" };

/* What each panel row shows now, so a redraw writes only the rows that
 * changed (the framebuffer is slow, uncached memory on real machines, and
 * the boot CPU redraws between its pattern sweeps). */
#define CACHED_ROWS 128u

struct drawn_row {
	uint32_t fg, bg, len;      /* len 0: unknown, draw it */
	uint32_t bar;              /* something drawn over the text: draw again */
	char text[sizeof(((struct line *)0)->buf)];
};

static struct {
	uint32_t tests_shown;  /* rows of tests under the head (panel_tests) */
	uint32_t generation;   /* diag_generation() the cache is for */
	struct drawn_row row[CACHED_ROWS];
} pn;

static int geometry(struct fbcon_geometry *g, struct diag_layout *l)
{
	fbcon_get_geometry(g);
	diag_get_layout(l);
	if (pn.generation != diag_generation()) { /* a new panel: nothing drawn yet */
		memset(pn.row, 0, sizeof(pn.row));
		pn.generation = diag_generation();
	}
	return fbcon_active() && l->enabled && g->panel_rows == l->panel_rows;
}

/* Row `row` shows b, padded to the grid's width; `bar`: something is drawn
 * over the text afterwards, so the next call must draw the row again. */
static void row_draw(const struct fbcon_geometry *g, uint32_t row, struct line *b, uint32_t fg,
		     uint32_t bg, int bar)
{
	line_pad(b, g->cols);
	if (row < CACHED_ROWS) {
		struct drawn_row *c = &pn.row[row];

		if (!c->bar && c->fg == fg && c->bg == bg && c->len == b->len &&
		    !memcmp(c->text, b->buf, b->len))
			return;
		c->fg = fg;
		c->bg = bg;
		c->len = b->len;
		c->bar = (uint32_t)bar;
		memcpy(c->text, b->buf, b->len);
	}
	fbcon_put_at(0, row, b->buf, fg, bg);
}

static void row_text(const struct fbcon_geometry *g, uint32_t row, struct line *b, uint32_t fg,
		     uint32_t bg)
{
	row_draw(g, row, b, fg, bg, 0);
}

/* A bar of `cells` cells at (col, row), percent filled. */
static void bar(const struct fbcon_geometry *g, uint32_t col, uint32_t row, uint32_t cells,
		uint32_t percent, uint32_t bg)
{
	uint32_t x = col * g->cell_w, w = cells * g->cell_w;
	uint32_t y = row * g->cell_h + g->cell_h / 4, h = g->cell_h / 2;

	if (percent > 100)
		percent = 100;
	fb_fill_rect(x, row * g->cell_h, w, g->cell_h, bg);
	fb_fill_rect(x, y, w, h, TRACK_RGB);
	fb_fill_rect(x, y, (uint32_t)((uint64_t)w * percent / 100), h, BAR_RGB);
}

static void percent_text(struct line *b, uint32_t p)
{
	if (p < 100)
		line_add(b, p < 10 ? "  " : " ");
	line_u64(b, p);
	line_add(b, "%");
}

void panel_header(const struct panel_header *h)
{
	struct fbcon_geometry g;
	struct diag_layout l;
	struct line a = { .len = 0 }, b = { .len = 0 }, c = { .len = 0 }, t = { .len = 0 };

	if (!geometry(&g, &l))
		return;
	line_add(&a, " metaslot");
	if (h->version) {
		line_add(&a, " ");
		line_add(&a, h->version);
	}
	if (h->firmware) {
		line_add(&a, "   firmware: ");
		line_add(&a, h->firmware);
	}
	line_add(&t, "elapsed ");
	line_hms(&t, h->elapsed_s);
	/* the elapsed time at the right end, when it fits after the title */
	if (a.len + 2 + t.len < g.cols) {
		line_pad(&a, g.cols - 1 - t.len);
		line_add(&a, t.buf);
	}
	row_text(&g, l.header_row, &a, BRIGHT_FG, TITLE_BG);
	line_add(&b, " CPUs: ");
	line_u64(&b, h->cpus);
	if (h->cpu_model && h->cpu_model[0]) {
		line_add(&b, " x ");
		line_add(&b, h->cpu_model);
	}
	line_add(&b, "   RAM: ");
	line_size(&b, h->ram_bytes);
	line_add(&b, "   metadata: ");
	line_size(&b, h->meta_bytes);
	row_text(&g, l.header_row + 1, &b, TEXT_FG, BG);
	line_add(&c, " ");
	line_add(&c, h->dimms && h->dimms[0] ? h->dimms
					      : "DIMMs: no inventory (no SMBIOS memory devices)");
	row_text(&g, l.header_row + 2, &c, TEXT_FG, BG);
}

/* The run row: " Pass 1 of 2  [bar]  45%   ETA 0:02:10". */
static void run_row(const struct fbcon_geometry *g, const struct diag_layout *l,
		    const struct panel_tests *t)
{
	struct line a = { .len = 0 }, b = { .len = 0 };
	uint32_t cells = g->cols / 4 < 30 ? g->cols / 4 : 30;

	if (!t->enabled || (!t->running && !t->finished)) {
		line_add(&a, t->enabled ? " RAM test: waiting to start" : " RAM test: off");
		row_text(g, l->run_row, &a, BRIGHT_FG, BG);
		return;
	}
	line_add(&a, " Pass ");
	line_u64(&a, t->pass);
	line_add(&a, " of ");
	line_u64(&a, t->passes);
	line_pad(&a, RUN_BAR);
	row_draw(g, l->run_row, &a, BRIGHT_FG, BG, 1);
	bar(g, RUN_BAR, l->run_row, cells, t->percent, BG);
	percent_text(&b, t->percent);
	line_add(&b, "   ");
	if (t->finished) {
		line_add(&b, "finished");
	} else {
		line_add(&b, "ETA ");
		if (t->eta_s == PANEL_NO_ETA)
			line_add(&b, "--:--");
		else
			line_hms(&b, t->eta_s);
	}
	line_pad(&b, g->cols - RUN_BAR - cells - 1);
	fbcon_put_at(RUN_BAR + cells + 1, l->run_row, b.buf, BRIGHT_FG, BG);
}

static void time_text(struct line *b, const struct panel_test *p)
{
	if (p->state == PANEL_TEST_RUNNING) {
		line_add(b, "eta ");
		if (p->eta_s == PANEL_NO_ETA)
			line_add(b, "?");
		else
			line_hms(b, p->eta_s);
	} else if (p->state == PANEL_TEST_DONE) {
		if (p->ms < 60000) { /* "4.2 s" */
			line_u64(b, p->ms / 1000);
			line_add(b, ".");
			line_u64(b, p->ms / 100 % 10);
			line_add(b, " s");
		} else {
			line_hms(b, p->ms / 1000);
		}
	}
}

static void test_row(const struct fbcon_geometry *g, uint32_t row, const struct panel_test *p,
		     uint32_t passes)
{
	struct line a = { .len = 0 }, e = { .len = 0 };
	int running = p->state == PANEL_TEST_RUNNING;
	uint32_t bg = running ? HILITE_BG : BG, fg = running ? BRIGHT_FG : TEXT_FG;
	uint32_t bar_cells = g->cols > T_BAR + 6 + 4 ? g->cols - T_BAR - 6 : 0;

	line_pad(&a, T_NAME);
	line_addn(&a, p->name ? p->name : "?", T_NAME_W);
	line_pad(&a, T_STATE);
	line_add(&a, state_name[p->state <= PANEL_TEST_SKIPPED ? p->state : 0]);
	line_pad(&a, T_PASS);
	if (p->pass) {
		line_u64(&a, p->pass);
		line_add(&a, "/");
		line_u64(&a, passes);
	}
	line_pad(&a, T_TIME);
	time_text(&a, p);
	line_u64(&e, p->errors);
	line_pad(&a, T_ERR + (e.len < 8 ? 8 - e.len : 0));
	line_add(&a, e.buf);
	row_draw(g, row, &a, fg, bg, p->errors || (running && bar_cells));
	if (p->errors) /* the count in red: a test that found something */
		fbcon_put_at(T_ERR + (e.len < 8 ? 8 - e.len : 0), row, e.buf, ERROR_FG, bg);
	if (running && bar_cells) {
		struct line pc = { .len = 0 };

		bar(g, T_BAR, row, bar_cells, p->percent, bg);
		percent_text(&pc, p->percent);
		fbcon_put_at(T_BAR + bar_cells + 1, row, pc.buf, fg, bg);
	}
}

/* Rows for tests under the head: all of them when they fit beside the
 * smallest error table (caption, head, one row), else that many. */
static uint32_t tests_room(const struct diag_layout *l, uint32_t n)
{
	uint32_t room = l->tables_rows > 4 ? l->tables_rows - 4 : 1;

	return n < room ? n : room;
}

void panel_tests(const struct panel_tests *t)
{
	struct fbcon_geometry g;
	struct diag_layout l;
	struct line h = { .len = 0 };
	uint32_t n = t->n < PANEL_MAX_TESTS ? t->n : PANEL_MAX_TESTS, shown, first = 0;

	if (!geometry(&g, &l))
		return;
	run_row(&g, &l, t);
	shown = t->enabled ? tests_room(&l, n) : 0;
	/* more tests than rows: a window around the running one */
	for (uint32_t i = 0; shown < n && i < n; i++) {
		if (t->t[i].state != PANEL_TEST_RUNNING)
			continue;
		first = i > shown / 2 ? i - shown / 2 : 0;
		if (first + shown > n)
			first = n - shown;
	}
	line_pad(&h, T_NAME);
	line_add(&h, "test");
	line_pad(&h, T_STATE);
	line_add(&h, "state");
	line_pad(&h, T_PASS);
	line_add(&h, "pass");
	line_pad(&h, T_TIME);
	line_add(&h, "time");
	line_pad(&h, T_ERR + 2);
	line_add(&h, "errors");
	if (g.cols > T_BAR + 10) {
		line_pad(&h, T_BAR);
		line_add(&h, "progress");
	}
	if (shown < n) {
		line_add(&h, "   (");
		line_u64(&h, first + 1);
		line_add(&h, "-");
		line_u64(&h, first + shown);
		line_add(&h, " of ");
		line_u64(&h, n);
		line_add(&h, ")");
	}
	if (!t->enabled) /* no table at all: the run row said so */
		h.len = 0;
	row_text(&g, l.tables_row, &h, HEAD_FG, BG);
	for (uint32_t i = 0; i < shown; i++)
		test_row(&g, l.tables_row + 1 + i, &t->t[first + i], t->passes);
	pn.tests_shown = shown;
}

/* Column widths of the error table for a grid `cols` wide; dimm 0 = no
 * DIMM column. Returns 0 when not even a short pattern column fits. */
static int error_columns(uint32_t cols, uint32_t *dimm, uint32_t *pat)
{
	uint32_t fixed = E_ADDR_W + 3 * E_WORD_W + E_CPU_W + 6; /* six gaps */
	uint32_t rem = cols > fixed + 1 ? cols - 1 - fixed : 0;

	if (rem >= 24) {
		*dimm = rem - 18 < 6 ? 6 : (rem - 18 > E_DIMM_MAX ? E_DIMM_MAX : rem - 18);
		*pat = rem - *dimm > E_PAT_MAX ? E_PAT_MAX : rem - *dimm;
	} else {
		*dimm = 0;
		*pat = rem + 1; /* the DIMM column's gap too */
	}
	return *pat >= 3;
}

static void cell(struct line *b, uint32_t *col, const char *s, uint32_t w)
{
	line_pad(b, *col);
	line_addn(b, s, w);
	*col += w + 1;
}

static void error_row(const struct fbcon_geometry *g, uint32_t row, const struct panel_error *e,
		      uint32_t dimm_w, uint32_t pat_w)
{
	struct line a = { .len = 0 }, x = { .len = 0 }, cpu = { .len = 0 };
	uint32_t col = 1;
	int mce = e->kind == PANEL_ERROR_MCE;

	if (e->addr_valid) {
		line_add(&x, "0x");
		line_hex(&x, e->addr, 12);
	} else {
		line_add(&x, "-");
	}
	cell(&a, &col, x.buf, E_ADDR_W);
	if (dimm_w)
		cell(&a, &col, e->dimm ? e->dimm : "?", dimm_w);
	if (mce) {
		struct line m = { .len = 0 };

		line_add(&m, "MACHINE CHECK ");
		line_add(&m, e->corrected ? "corrected" : "UNCORRECTED");
		line_add(&m, ", bank ");
		line_u64(&m, e->bank);
		cell(&a, &col, m.buf, 3 * E_WORD_W + 2);
	} else {
		struct line w = { .len = 0 };

		line_hex(&w, e->expected, 16);
		cell(&a, &col, w.buf, E_WORD_W);
		w.len = 0;
		line_hex(&w, e->actual, 16);
		cell(&a, &col, w.buf, E_WORD_W);
		w.len = 0;
		line_hex(&w, e->expected ^ e->actual, 16);
		cell(&a, &col, w.buf, E_WORD_W);
	}
	cell(&a, &col, e->what ? e->what : "?", pat_w);
	line_u64(&cpu, e->cpu);
	cell(&a, &col, cpu.buf, E_CPU_W);
	row_text(g, row, &a, mce ? ERROR_FG : TEXT_FG, BG);
}

void panel_errors(const struct panel_errors *e)
{
	struct fbcon_geometry g;
	struct diag_layout l;
	struct line c = { .len = 0 }, h = { .len = 0 };
	uint32_t row, end, rows, shown = 0, dimm_w, pat_w, col = 1;
	int table;

	if (!geometry(&g, &l))
		return;
	row = l.tables_row + 1 + pn.tests_shown;
	end = l.tables_row + l.tables_rows;
	table = error_columns(g.cols, &dimm_w, &pat_w);
	rows = table && end > row + 2 ? end - row - 2 : 0;
	shown = e->n < rows ? e->n : rows;
	line_add(&c, " Errors: ");
	if (!e->total) {
		line_add(&c, "none");
	} else {
		line_u64(&c, e->total);
		line_add(&c, ", newest first");
		if (e->total > shown) {
			line_add(&c, "; ");
			line_u64(&c, e->total - shown);
			line_add(&c, " more not shown");
		}
	}
	if (row < end)
		row_text(&g, row++, &c, e->total ? ERROR_FG : BRIGHT_FG, BG);
	if (table && e->total && row < end) { /* the head only over rows */
		cell(&h, &col, "address", E_ADDR_W);
		if (dimm_w)
			cell(&h, &col, "DIMM", dimm_w);
		cell(&h, &col, "expected", E_WORD_W);
		cell(&h, &col, "actual", E_WORD_W);
		cell(&h, &col, "mask", E_WORD_W);
		cell(&h, &col, "pattern", pat_w);
		cell(&h, &col, "cpu", E_CPU_W);
		row_text(&g, row++, &h, HEAD_FG, BG);
	}
	for (uint32_t i = 0; i < shown; i++)
		error_row(&g, row++, &e->e[i], dimm_w, pat_w);
	if (row < end) { /* rows a longer table left */
		fb_fill_rect(0, row * g.cell_h, g.cols * g.cell_w, (end - row) * g.cell_h, BG);
		for (; row < end && row < CACHED_ROWS; row++)
			pn.row[row].len = 0;
	}
}
