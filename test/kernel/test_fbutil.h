/* Helpers shared by the framebuffer host tests: a malloc'd framebuffer of
 * exactly stride * height pixels (so ASan sees any write past it) whose
 * padding columns hold a sentinel, and checks of glyph cells. */
#ifndef METASLOT_TEST_FBUTIL_H
#define METASLOT_TEST_FBUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <kernel/fbcon.h>
#include <kernel/font.h>

#define SENTINEL 0x5a5a5a5au

struct testfb {
	struct fb_desc d;
	uint32_t *px;
};

/* xRGB, the layout QEMU's GOP and most real ones use. */
static inline struct testfb testfb_new(uint32_t w, uint32_t h, uint32_t stride)
{
	struct testfb t = { 0 };

	t.px = malloc((size_t)stride * h * 4);
	assert_non_null(t.px);
	for (size_t i = 0; i < (size_t)stride * h; i++)
		t.px[i] = SENTINEL;
	t.d = (struct fb_desc){ .base = t.px, .width = w, .height = h, .stride = stride,
				.red_mask = 0xff0000, .green_mask = 0xff00,
				.blue_mask = 0xff, .reserved_mask = 0xff000000 };
	return t;
}

static inline void testfb_free(struct testfb *t)
{
	free(t->px);
	t->px = NULL;
}

static inline uint32_t testfb_at(const struct testfb *t, uint32_t x, uint32_t y)
{
	return t->px[(size_t)y * t->d.stride + x];
}

/* Padding right of the visible width was never written. */
static inline void testfb_check_padding(const struct testfb *t)
{
	for (uint32_t y = 0; y < t->d.height; y++)
		for (uint32_t x = t->d.width; x < t->d.stride; x++)
			if (testfb_at(t, x, y) != SENTINEL)
				fail_msg("padding pixel (%u,%u) written", x, y);
}

/* 1 if glyph `glyph` is drawn at pixel (x, y), each font pixel scale x scale,
 * in exactly these xRGB colours. */
static inline int testfb_glyph_at(const struct testfb *t, const struct font *f, uint32_t glyph,
				  uint32_t x, uint32_t y, uint32_t scale, uint32_t fg,
				  uint32_t bg)
{
	const uint8_t *bits = font_glyph_bits(f, glyph);

	for (uint32_t py = 0; py < f->height * scale; py++)
		for (uint32_t px = 0; px < f->width * scale; px++) {
			uint32_t gx = px / scale, gy = py / scale;
			int on = bits[gy * f->bytes_per_row + gx / 8] & (0x80 >> (gx % 8));

			if (testfb_at(t, x + px, y + py) != (on ? fg : bg))
				return 0;
		}
	return 1;
}

/* 1 if cell (col, row) of the console grid shows character cp. */
static inline int testfb_cell_is(const struct testfb *t, uint32_t col, uint32_t row, uint32_t cp,
				 uint32_t fg, uint32_t bg)
{
	struct fbcon_geometry g;

	fbcon_get_geometry(&g);
	return testfb_glyph_at(t, g.font, font_glyph_index(g.font, cp), col * g.cell_w,
			       row * g.cell_h, g.scale, fg, bg);
}

/* 1 if the row shows string s from column 0 followed by blanks. */
static inline int testfb_row_is(const struct testfb *t, uint32_t row, const char *s, uint32_t fg,
				uint32_t bg)
{
	struct fbcon_geometry g;
	uint32_t c = 0;

	fbcon_get_geometry(&g);
	for (; s[c]; c++)
		if (!testfb_cell_is(t, c, row, (uint8_t)s[c], fg, bg))
			return 0;
	for (; c < g.cols; c++)
		if (!testfb_cell_is(t, c, row, ' ', fg, bg))
			return 0;
	return 1;
}

/* The printable ASCII character cell (col, row) shows, whatever its colours:
 * the background is the cell's top-left pixel (the fonts leave the top row
 * of every glyph blank), ink is every other colour. '?' + 128 when no glyph
 * matches (a bar, a map cell). */
static inline int testfb_cell_char(const struct testfb *t, uint32_t col, uint32_t row)
{
	struct fbcon_geometry g;

	fbcon_get_geometry(&g);
	uint32_t x0 = col * g.cell_w, y0 = row * g.cell_h, bg = testfb_at(t, x0, y0);

	for (int ch = ' '; ch < 0x7f; ch++) {
		const uint8_t *bits = font_glyph_bits(g.font, font_glyph_index(g.font, (uint32_t)ch));
		int ok = 1;

		for (uint32_t gy = 0; ok && gy < g.font->height; gy++)
			for (uint32_t gx = 0; ok && gx < g.font->width; gx++) {
				int on = bits[gy * g.font->bytes_per_row + gx / 8] & (0x80 >> (gx % 8));
				uint32_t p = testfb_at(t, x0 + gx * g.scale, y0 + gy * g.scale);

				ok = on ? p != bg : p == bg;
			}
		if (ok)
			return ch;
	}
	return '?' + 128;
}

/* Row `row` read back into buf (cols + 1 bytes), trailing blanks cut. */
static inline char *testfb_row_text(const struct testfb *t, uint32_t row, char *buf)
{
	struct fbcon_geometry g;
	uint32_t n = 0;

	fbcon_get_geometry(&g);
	for (uint32_t c = 0; c < g.cols; c++) {
		int ch = testfb_cell_char(t, c, row);

		buf[c] = ch < 128 ? (char)ch : '#';
		if (ch != ' ')
			n = c + 1;
	}
	buf[n] = 0;
	return buf;
}

#endif
