/* Text console on the framebuffer: a log that wraps and scrolls below an
 * optional fixed panel (see include/kernel/fbcon.h for the layout).
 *
 * Scrolling never reads the framebuffer (uncached on real machines: a
 * memmove of a 4K screen would take seconds). Instead `text` holds what each
 * cell should show and `shown` what was last drawn there; a write edits
 * `text`, and the flush at its end draws only the cells that differ. A
 * scroll is a memmove of `text`, and the flush redraws only changed cells
 * (blank stays blank, and repeated prefixes such as {"ev":" cost nothing). */
#include <stddef.h>
#include <stdint.h>
#include <kernel/fbcon.h>
#include <kernel/font.h>
#include <lib/string.h>

const uint32_t fb_palette[FB_COLOURS] = {
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

/* A cell: glyph index in bits 0-15, foreground colour 16-19, background
 * 20-23. CELL_UNKNOWN is never a valid cell: "redraw this one". */
#define CELL(glyph, fg, bg) ((uint32_t)(glyph) | ((uint32_t)(fg) << 16) | ((uint32_t)(bg) << 20))
#define CELL_GLYPH(c)       ((c) & 0xffffu)
#define CELL_FG(c)          (((c) >> 16) & 0xfu)
#define CELL_BG(c)          (((c) >> 20) & 0xfu)
#define CELL_UNKNOWN        0xffffffffu

#define ESC_NONE 0
#define ESC_SEEN 1 /* after ESC */
#define ESC_CSI  2 /* after ESC [ */
#define SGR_MAX_PARAMS 8

static struct {
	int active;
	struct fbcon_geometry g;
	uint32_t col, row;          /* cursor; col == cols: wrap before next glyph */
	uint8_t fg, bg, bold, dim;  /* colours for new text */
	uint32_t space;             /* glyph of ' ' */
	struct utf8_state utf8;
	uint8_t esc;
	uint32_t nparams;
	uint32_t params[SGR_MAX_PARAMS];
	uint32_t dirty_lo, dirty_hi; /* rows [lo, hi) may differ from the screen */
} con;

static uint32_t text[FBCON_MAX_CELLS];
static uint32_t shown[FBCON_MAX_CELLS];

const struct font *fbcon_choose_font(uint32_t width, uint32_t height, uint32_t *scale)
{
	*scale = (width >= 5120 || height >= 2880) ? 2 : 1;
	return (width >= 1600 || height >= 1000) ? &font_large : &font_small;
}

static uint32_t fg_now(void)
{
	if (con.dim)
		return FB_DARK_GREY;
	return (con.bold && con.fg < 8) ? con.fg + 8u : con.fg;
}

static uint32_t blank_cell(void)
{
	return CELL(con.space, fg_now(), con.bg);
}

static void mark_dirty(uint32_t lo, uint32_t hi)
{
	if (lo < con.dirty_lo)
		con.dirty_lo = lo;
	if (hi > con.dirty_hi)
		con.dirty_hi = hi;
}

static void fill_cells(uint32_t first, uint32_t n, uint32_t cell)
{
	for (uint32_t i = 0; i < n; i++)
		text[first + i] = cell;
}

static void flush(void)
{
	const struct fbcon_geometry *g = &con.g;

	if (con.dirty_lo < g->panel_rows)
		con.dirty_lo = g->panel_rows;
	for (uint32_t r = con.dirty_lo; r < con.dirty_hi; r++) {
		for (uint32_t c = 0; c < g->cols; c++) {
			uint32_t i = r * g->cols + c, cell = text[i];

			if (cell == shown[i])
				continue;
			fb_draw_glyph(g->font, CELL_GLYPH(cell), c * g->cell_w, r * g->cell_h,
				      g->scale, fb_palette[CELL_FG(cell)],
				      fb_palette[CELL_BG(cell)]);
			shown[i] = cell;
		}
	}
	con.dirty_lo = g->rows;
	con.dirty_hi = 0;
}

static void scroll(void)
{
	const struct fbcon_geometry *g = &con.g;
	uint32_t first = g->panel_rows * g->cols, last = (g->rows - 1) * g->cols;

	memmove(&text[first], &text[first + g->cols], (last - first) * sizeof(text[0]));
	fill_cells(last, g->cols, blank_cell());
	mark_dirty(g->panel_rows, g->rows);
}

static void newline(void)
{
	con.col = 0;
	if (con.row + 1 < con.g.rows)
		con.row++;
	else
		scroll();
}

static void put_glyph(uint32_t glyph)
{
	if (con.col >= con.g.cols)
		newline();
	text[con.row * con.g.cols + con.col] = CELL(glyph, fg_now(), con.bg);
	mark_dirty(con.row, con.row + 1);
	con.col++;
}

static void put_codepoint(uint32_t cp)
{
	switch (cp) {
	case '\n':
		newline();
		return;
	case '\r':
		con.col = 0;
		return;
	case '\t':
		if (con.col >= con.g.cols)
			newline();
		con.col = (con.col + 8) & ~7u;
		if (con.col > con.g.cols)
			con.col = con.g.cols;
		return;
	case '\b':
		if (con.col > 0)
			con.col--;
		return;
	}
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return; /* other C0/C1 controls have no glyph worth showing */
	put_glyph(font_glyph_index(con.g.font, cp));
}

static void sgr(void)
{
	for (uint32_t i = 0; i <= con.nparams && i < SGR_MAX_PARAMS; i++) {
		uint32_t p = con.params[i];

		if (p == 0) {
			con.fg = FBCON_DEFAULT_FG;
			con.bg = FBCON_DEFAULT_BG;
			con.bold = con.dim = 0;
		} else if (p == 1) {
			con.bold = 1;
		} else if (p == 2) {
			con.dim = 1;
		} else if (p == 22) {
			con.bold = con.dim = 0;
		} else if (p >= 30 && p <= 37) {
			con.fg = (uint8_t)(p - 30);
		} else if (p == 39) {
			con.fg = FBCON_DEFAULT_FG;
		} else if (p >= 40 && p <= 47) {
			con.bg = (uint8_t)(p - 40);
		} else if (p == 49) {
			con.bg = FBCON_DEFAULT_BG;
		} else if (p >= 90 && p <= 97) {
			con.fg = (uint8_t)(p - 90 + 8);
		} else if (p >= 100 && p <= 107) {
			con.bg = (uint8_t)(p - 100 + 8);
		}
	}
}

/* Returns 1 if the byte belonged to an escape sequence. */
static int escape_byte(uint8_t b)
{
	if (con.esc == ESC_NONE) {
		if (b != 0x1b)
			return 0;
		con.esc = ESC_SEEN;
		con.utf8.need = 0;
		return 1;
	}
	if (b < 0x20 && b != 0x1b) { /* a control aborts the sequence, then acts */
		con.esc = ESC_NONE;
		return 0;
	}
	if (con.esc == ESC_SEEN) {
		con.esc = (b == '[') ? ESC_CSI : ESC_NONE;
		con.nparams = 0;
		con.params[0] = 0;
		return 1;
	}
	if (b >= '0' && b <= '9') {
		uint32_t *p = &con.params[con.nparams];

		if (*p < 10000)
			*p = *p * 10 + (b - '0');
	} else if (b == ';') {
		if (con.nparams + 1 < SGR_MAX_PARAMS)
			con.params[++con.nparams] = 0;
	} else if (b >= 0x40 && b <= 0x7e) { /* final byte */
		if (b == 'm')
			sgr();
		con.esc = ESC_NONE;
	}
	return 1;
}

void fbcon_write(const char *s, size_t n)
{
	if (!con.active)
		return;
	for (size_t i = 0; i < n; i++) {
		uint32_t cps[2];
		int k;

		if (escape_byte((uint8_t)s[i]))
			continue;
		k = utf8_feed(&con.utf8, (uint8_t)s[i], cps);
		for (int j = 0; j < k; j++)
			put_codepoint(cps[j]);
	}
	flush();
}

void fbcon_puts(const char *s)
{
	fbcon_write(s, strlen(s));
}

void fbcon_set_colour(enum fb_colour fg, enum fb_colour bg)
{
	con.fg = (uint8_t)(fg & 0xf);
	con.bg = (uint8_t)(bg & 0xf);
	con.bold = con.dim = 0;
}

void fbcon_recover(void)
{
	if (!con.active)
		return;
	con.esc = ESC_NONE;
	con.utf8.need = 0;
	fbcon_set_colour(FBCON_DEFAULT_FG, FBCON_DEFAULT_BG);
	if (con.col)
		fbcon_write("\n", 1);
}

void fbcon_clear(void)
{
	const struct fbcon_geometry *g = &con.g;
	uint32_t first = g->panel_rows * g->cols, n = (g->rows - g->panel_rows) * g->cols;

	if (!con.active)
		return;
	fill_cells(first, n, blank_cell());
	memcpy(&shown[first], &text[first], n * sizeof(text[0]));
	/* A blank cell is all background, so a fill draws it faster. */
	fb_fill_rect(0, g->panel_rows * g->cell_h, g->cols * g->cell_w,
		     (g->rows - g->panel_rows) * g->cell_h, fb_palette[con.bg]);
	con.col = 0;
	con.row = g->panel_rows;
}

void fbcon_set_panel_rows(uint32_t rows)
{
	struct fbcon_geometry *g = &con.g;
	uint32_t old = g->panel_rows, keep, src;

	if (!con.active)
		return;
	if (rows > g->rows - 1)
		rows = g->rows - 1;
	/* Keep the newest lines, up to and including the cursor's. */
	keep = con.row - old + 1;
	if (keep > g->rows - rows)
		keep = g->rows - rows;
	src = con.row + 1 - keep;
	memmove(&text[rows * g->cols], &text[src * g->cols], keep * g->cols * sizeof(text[0]));
	fill_cells((rows + keep) * g->cols, (g->rows - rows - keep) * g->cols, blank_cell());
	con.row = rows + keep - 1;
	if (rows > old) /* log rows handed to the panel: leave them clean */
		fb_fill_rect(0, old * g->cell_h, g->cols * g->cell_w, (rows - old) * g->cell_h,
			     fb_palette[FB_BLACK]);
	for (uint32_t i = rows * g->cols; i < old * g->cols; i++)
		shown[i] = CELL_UNKNOWN; /* panel rows handed to the log: redraw */
	g->panel_rows = rows;
	con.dirty_lo = rows;
	con.dirty_hi = g->rows;
	flush();
}

uint32_t fbcon_put_at(uint32_t col, uint32_t row, const char *s, uint32_t fg_rgb,
		      uint32_t bg_rgb)
{
	const struct fbcon_geometry *g = &con.g;
	uint32_t n;

	if (!con.active || row >= g->rows || col >= g->cols)
		return 0;
	n = fb_draw_text(g->font, col * g->cell_w, row * g->cell_h, g->scale, s,
			 g->cols - col, fg_rgb, bg_rgb);
	if (row >= g->panel_rows) /* painted over the log: repair at next flush */
		for (uint32_t i = 0; i < n; i++)
			shown[row * g->cols + col + i] = CELL_UNKNOWN;
	return n;
}

void fbcon_redraw(void)
{
	const struct fbcon_geometry *g = &con.g;

	if (!con.active)
		return;
	for (uint32_t i = g->panel_rows * g->cols; i < g->rows * g->cols; i++)
		shown[i] = CELL_UNKNOWN;
	mark_dirty(g->panel_rows, g->rows);
	flush();
}

enum fb_error fbcon_init(const struct fb_desc *d)
{
	static const struct fb_desc none; /* fb_init(&none) switches drawing off */
	struct fbcon_geometry *g = &con.g;
	enum fb_error err;

	con.active = 0;
	err = fb_init(d);
	if (err != FB_OK)
		return err;
	g->font = fbcon_choose_font(d->width, d->height, &g->scale);
	g->cell_w = g->font->width * g->scale;
	g->cell_h = g->font->height * g->scale;
	g->cols = d->width / g->cell_w;
	g->rows = d->height / g->cell_h;
	if (g->cols == 0 || g->rows == 0) {
		fb_init(&none);
		return FB_ERR_GEOMETRY;
	}
	if (g->rows > FBCON_MAX_CELLS / g->cols)
		g->rows = FBCON_MAX_CELLS / g->cols;
	g->panel_rows = 0;
	fb_fill_rect(0, 0, d->width, d->height, fb_palette[FBCON_DEFAULT_BG]);
	con.fg = FBCON_DEFAULT_FG;
	con.bg = FBCON_DEFAULT_BG;
	con.bold = con.dim = 0;
	con.esc = ESC_NONE;
	con.utf8.need = 0;
	con.space = font_glyph_index(g->font, ' ');
	con.col = con.row = 0;
	fill_cells(0, g->rows * g->cols, blank_cell());
	memcpy(shown, text, g->rows * g->cols * sizeof(text[0]));
	con.dirty_lo = g->rows;
	con.dirty_hi = 0;
	con.active = 1;
	return FB_OK;
}

int fbcon_active(void)
{
	return con.active;
}

void fbcon_get_geometry(struct fbcon_geometry *g)
{
	if (con.active) {
		*g = con.g;
	} else {
		memset(g, 0, sizeof(*g));
	}
}
