/* Framebuffer: pixel primitives (kernel/fb/fbdraw.c) and the text console on
 * top of them (kernel/fb/fbcon.c).
 *
 * One framebuffer, static state, no allocation, no locks: the kernel's output
 * layer serialises whole lines. Before a successful init, or after a failed
 * one (headless, blt-only GOP, nonsense geometry), every call is a no-op, so
 * callers never need to ask whether there is a screen.
 *
 * Screen layout: a grid of character cells whose cell (col, row) has its
 * top-left pixel at (col * cell_w, row * cell_h); pixels right of and below
 * the grid stay background. Rows [0, panel_rows) are the panel (drawn by
 * kernel/fb/diagscreen.c and never scrolled); rows [panel_rows, rows) are the
 * log, which scrolls. test/boot/screen.py finds the grid the same way. */
#ifndef METASLOT_KERNEL_FBCON_H
#define METASLOT_KERNEL_FBCON_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/font.h>

/* What the loader found, in kernel terms (bootinfo.fb with base mapped). */
struct fb_desc {
	void *base;           /* virtual address of pixel (0, 0) */
	uint32_t width;       /* visible pixels */
	uint32_t height;
	uint32_t stride;      /* pixels per scan line, >= width */
	uint32_t red_mask;    /* bits of a 32-bit pixel; any position and width, */
	uint32_t green_mask;  /* even non-contiguous, but the four must not overlap */
	uint32_t blue_mask;
	uint32_t reserved_mask;
};

enum fb_error {
	FB_OK = 0,
	FB_ERR_NO_FRAMEBUFFER, /* base is NULL: headless */
	FB_ERR_GEOMETRY,       /* zero or absurd size, stride < width, no room for one cell */
	FB_ERR_MASKS,          /* a colour mask is empty, or masks overlap */
};

/* Largest screen accepted, in pixels per side; far above any GOP mode. */
#define FB_MAX_SIDE 16384u

/* ---------------------------------------------------------------- pixels
 * Colours are 0xRRGGBB everywhere; fb_pixel() composes the framebuffer's own
 * pixel value from the masks. Drawing is clipped to the visible screen. */
enum fb_error fb_init(const struct fb_desc *d);
int fb_active(void);
uint32_t fb_width(void);
uint32_t fb_height(void);
uint32_t fb_pixel(uint32_t rgb);
void fb_fill_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb);
/* Glyph `glyph` of `f` with each font pixel as a scale x scale square. */
void fb_draw_glyph(const struct font *f, uint32_t glyph, uint32_t x, uint32_t y,
		   uint32_t scale, uint32_t fg, uint32_t bg);
/* UTF-8 text in one line, at most max_chars characters; returns the count drawn. */
uint32_t fb_draw_text(const struct font *f, uint32_t x, uint32_t y, uint32_t scale,
		      const char *s, uint32_t max_chars, uint32_t fg, uint32_t bg);

/* ---------------------------------------------------------------- console
 * The 16 colours, in ANSI order so SGR 30..37 / 90..97 index them directly. */
enum fb_colour {
	FB_BLACK, FB_RED, FB_GREEN, FB_BROWN, FB_BLUE, FB_MAGENTA, FB_CYAN, FB_GREY,
	FB_DARK_GREY, FB_BRIGHT_RED, FB_BRIGHT_GREEN, FB_YELLOW, FB_BRIGHT_BLUE,
	FB_BRIGHT_MAGENTA, FB_BRIGHT_CYAN, FB_WHITE,
	FB_COLOURS
};
extern const uint32_t fb_palette[FB_COLOURS]; /* 0xRRGGBB */

#define FBCON_DEFAULT_FG FB_GREY
#define FBCON_DEFAULT_BG FB_BLACK

/* The text buffer is static: a screen with more cells loses its bottom rows.
 * 32768 covers 8K with the large font doubled and 4K with the large font. */
#define FBCON_MAX_CELLS 32768u

struct fbcon_geometry {
	const struct font *font;
	uint32_t scale;      /* each font pixel is scale x scale screen pixels */
	uint32_t cell_w;     /* font->width * scale */
	uint32_t cell_h;     /* font->height * scale */
	uint32_t cols;       /* width / cell_w */
	uint32_t rows;       /* height / cell_h, capped by FBCON_MAX_CELLS */
	uint32_t panel_rows; /* rows [0, panel_rows) are the panel */
};

/* Font for a screen: font_small below 1600x1000, font_large from there, and
 * font_large doubled from 5120 wide or 2880 high (5K, 8K), so text keeps a
 * readable physical size. test/boot/screen.py mirrors this rule. */
const struct font *fbcon_choose_font(uint32_t width, uint32_t height, uint32_t *scale);

/* fb_init, pick the font, clear the whole screen (no firmware logo left),
 * cursor to the top-left of the log, default colours, no panel. */
enum fb_error fbcon_init(const struct fb_desc *d);
int fbcon_active(void);
void fbcon_get_geometry(struct fbcon_geometry *g);

/* Append UTF-8 text to the log: \n newline, \r column 0, \t next multiple of
 * 8, \b back one, other C0 controls ignored; wraps at the right edge, scrolls
 * at the bottom. SGR escapes (ESC [ ... m: 0 reset, 1 bold, 2 dim, 22,
 * 30-37, 39, 40-47, 49, 90-97, 100-107) set colours, so one string can go to
 * serial and screen alike; other escape sequences are swallowed. The screen
 * is updated before the call returns. */
void fbcon_write(const char *s, size_t n);
void fbcon_puts(const char *s);

/* Colours for later text; also resets SGR bold/dim. */
void fbcon_set_colour(enum fb_colour fg, enum fb_colour bg);

/* Forget a line cut short (an escape or UTF-8 sequence half read, its
 * colours, its column): the next text starts a fresh line in the default
 * colours. For a stop that interrupted the console (console_take_over). */
void fbcon_recover(void);

/* Blank the log region with the current background; cursor to its top. */
void fbcon_clear(void);

/* Reserve the top `rows` rows for the panel (at least one log row is kept).
 * The log keeps its newest lines and moves to start right below the panel;
 * rows that become panel are blanked to black for the panel's owner. */
void fbcon_set_panel_rows(uint32_t rows);

/* Draw text at a cell of the grid without touching the log or the cursor
 * (panel text); clipped at the right edge. Returns the columns used. */
uint32_t fbcon_put_at(uint32_t col, uint32_t row, const char *s, uint32_t fg_rgb,
		      uint32_t bg_rgb);

/* Redraw every log cell (after something painted over the log). */
void fbcon_redraw(void);

#endif
