/* Host tests of the framebuffer primitives and the text console
 * (kernel/fb/fbdraw.c, fbcon.c, font.c), rendering into malloc'd buffers. */
#include <stdio.h>
#include <string.h>
#include "test_fbutil.h"

#define GREY  0xaaaaaau
#define BLACK 0x000000u

static void write_str(const char *s)
{
	fbcon_write(s, strlen(s));
}

/* ---------------------------------------------------------------- pixels */

static void set_masks(struct testfb *t, uint32_t r, uint32_t g, uint32_t b, uint32_t x)
{
	t->d.red_mask = r;
	t->d.green_mask = g;
	t->d.blue_mask = b;
	t->d.reserved_mask = x;
}

static void test_pixel_rgb_bgr(void **state)
{
	struct testfb t = testfb_new(16, 16, 16);

	(void)state;
	assert_int_equal(fb_init(&t.d), FB_OK);
	assert_int_equal(fb_pixel(0x123456), 0x123456);
	fb_fill_rect(2, 3, 4, 5, 0x123456);
	assert_int_equal(testfb_at(&t, 2, 3), 0x123456);
	assert_int_equal(testfb_at(&t, 5, 7), 0x123456);
	assert_int_equal(testfb_at(&t, 6, 7), SENTINEL);
	assert_int_equal(testfb_at(&t, 5, 8), SENTINEL);

	/* UEFI PixelRedGreenBlueReserved8BitPerColor: red in the low byte. */
	set_masks(&t, 0xff, 0xff00, 0xff0000, 0xff000000);
	assert_int_equal(fb_init(&t.d), FB_OK);
	assert_int_equal(fb_pixel(0x123456), 0x563412);
	fb_fill_rect(0, 0, 1, 1, 0xff0000);
	assert_int_equal(testfb_at(&t, 0, 0), 0x0000ff);
	testfb_free(&t);
}

static void test_pixel_bitmask(void **state)
{
	struct testfb t = testfb_new(16, 16, 16);

	(void)state;
	/* 10-10-10 with the reserved bits on top. */
	set_masks(&t, 0x3ff00000, 0x000ffc00, 0x000003ff, 0xc0000000);
	assert_int_equal(fb_init(&t.d), FB_OK);
	assert_int_equal(fb_pixel(0xff0000), 0x3ff00000);
	assert_int_equal(fb_pixel(0x00ff00), 0x000ffc00);
	assert_int_equal(fb_pixel(0xffffff), 0x3fffffff);
	assert_int_equal(fb_pixel(0x000080), (128 * 1023 + 127) / 255);
	assert_int_equal(fb_pixel(0), 0);

	/* 5-6-5 in the upper half, blue first. */
	set_masks(&t, 0x001f0000, 0x07e00000, 0xf8000000, 0);
	assert_int_equal(fb_init(&t.d), FB_OK);
	assert_int_equal(fb_pixel(0xffffff), 0xffff0000);
	assert_int_equal(fb_pixel(0x0000ff), 0xf8000000);
	assert_int_equal(fb_pixel(0x00ff00), 0x07e00000);

	/* Scattered bits: 3 bits of red, the brightest value lights them all,
	 * half intensity (0x80 -> 4 of 7 -> 0b100) lights only the top one. */
	set_masks(&t, 0x00010101, 0x00020202, 0x00040404, 0);
	assert_int_equal(fb_init(&t.d), FB_OK);
	assert_int_equal(fb_pixel(0xff0000), 0x00010101);
	assert_int_equal(fb_pixel(0x800000), 0x00010000);
	assert_int_equal(fb_pixel(0x0000ff), 0x00040404);
	testfb_free(&t);
}

static void test_bad_descriptions(void **state)
{
	struct testfb t = testfb_new(64, 64, 64);
	struct fb_desc d = t.d;
	struct fbcon_geometry g;

	(void)state;
	d.base = NULL;
	assert_int_equal(fbcon_init(&d), FB_ERR_NO_FRAMEBUFFER);
	d = t.d;
	d.stride = 63;
	assert_int_equal(fbcon_init(&d), FB_ERR_GEOMETRY);
	d = t.d;
	d.width = 0;
	assert_int_equal(fbcon_init(&d), FB_ERR_GEOMETRY);
	d = t.d;
	d.green_mask = 0;
	assert_int_equal(fbcon_init(&d), FB_ERR_MASKS);
	d = t.d;
	d.green_mask = 0x00ffff;
	assert_int_equal(fbcon_init(&d), FB_ERR_MASKS);
	d = t.d;
	d.reserved_mask = 0x80000080;
	assert_int_equal(fbcon_init(&d), FB_ERR_MASKS);

	/* Headless: everything is a quiet no-op. */
	assert_false(fbcon_active());
	assert_false(fb_active());
	write_str("nobody sees this\n");
	fbcon_set_panel_rows(3);
	fbcon_clear();
	fbcon_redraw();
	assert_int_equal(fbcon_put_at(0, 0, "x", 1, 2), 0);
	fb_fill_rect(0, 0, 10, 10, 0xffffff);
	fbcon_get_geometry(&g);
	assert_int_equal(g.cols, 0);
	for (size_t i = 0; i < 64 * 64; i++)
		assert_int_equal(t.px[i], SENTINEL);
	testfb_free(&t);
}

/* ---------------------------------------------------------------- console */

static void test_init_clears_and_picks_font(void **state)
{
	struct testfb t = testfb_new(640, 480, 700);
	struct fbcon_geometry g;

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	fbcon_get_geometry(&g);
	assert_ptr_equal(g.font, &font_small);
	assert_int_equal(g.cols, 80);
	assert_int_equal(g.rows, 30);
	assert_int_equal(g.cell_w, 8);
	assert_int_equal(g.cell_h, 16);
	for (uint32_t y = 0; y < 480; y++)
		for (uint32_t x = 0; x < 640; x++)
			if (testfb_at(&t, x, y) != BLACK)
				fail_msg("(%u,%u) not cleared", x, y);
	testfb_check_padding(&t);
	testfb_free(&t);

	t = testfb_new(1920, 1080, 1920);
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	fbcon_get_geometry(&g);
	assert_ptr_equal(g.font, &font_large);
	assert_int_equal(g.scale, 1);
	assert_int_equal(g.cols, 120);
	assert_int_equal(g.rows, 33);
	testfb_free(&t);

	t = testfb_new(1024, 1000, 1024); /* tall but narrow: large font too */
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	fbcon_get_geometry(&g);
	assert_ptr_equal(g.font, &font_large);
	testfb_free(&t);
}

static void test_glyph_placement_and_colour(void **state)
{
	struct testfb t = testfb_new(640, 480, 640);
	const uint8_t *bits;

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	write_str("A\x1b[1;31mB\x1b[0m\x1b[44mC");
	/* Check 'A' pixel by pixel against the font bitmap. */
	bits = font_glyph_bits(&font_small, font_glyph_index(&font_small, 'A'));
	for (uint32_t y = 0; y < 16; y++)
		for (uint32_t x = 0; x < 8; x++)
			assert_int_equal(testfb_at(&t, x, y),
					 (bits[y] & (0x80 >> x)) ? GREY : BLACK);
	assert_true(testfb_cell_is(&t, 1, 0, 'B', 0xff5555, BLACK));
	assert_true(testfb_cell_is(&t, 2, 0, 'C', GREY, 0x0000aa));
	assert_true(testfb_cell_is(&t, 3, 0, ' ', GREY, BLACK));

	fbcon_set_colour(FB_YELLOW, FB_BLUE);
	write_str("D");
	assert_true(testfb_cell_is(&t, 3, 0, 'D', 0xffff55, 0x0000aa));
	testfb_free(&t);

	/* The large font, at a cell away from the origin. */
	t = testfb_new(1920, 1080, 1984);
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	write_str("\n\nxyz");
	assert_true(testfb_cell_is(&t, 2, 2, 'z', GREY, BLACK));
	assert_true(testfb_glyph_at(&t, &font_large, font_glyph_index(&font_large, 'y'), 16, 64,
				    1, GREY, BLACK));
	testfb_check_padding(&t);
	testfb_free(&t);
}

static void test_utf8_and_controls(void **state)
{
	struct testfb t = testfb_new(640, 480, 640);
	uint32_t repl = font_small.replacement;

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	write_str("\xc3\xa9\xff" "a\tb\x01" "c\n" "X\rZ\bY");
	assert_true(testfb_glyph_at(&t, &font_small, font_glyph_index(&font_small, 0xe9), 0, 0, 1,
				    GREY, BLACK));
	assert_true(testfb_glyph_at(&t, &font_small, repl, 8, 0, 1, GREY, BLACK));
	assert_true(testfb_cell_is(&t, 2, 0, 'a', GREY, BLACK));
	assert_true(testfb_cell_is(&t, 8, 0, 'b', GREY, BLACK));
	assert_true(testfb_cell_is(&t, 9, 0, 'c', GREY, BLACK));
	/* \r went back to column 0, Z landed there, \b backed over it. */
	assert_true(testfb_cell_is(&t, 0, 1, 'Y', GREY, BLACK));
	/* A character split across two writes still decodes. */
	write_str("\n\xe2\x94");
	write_str("\x80");
	assert_true(testfb_glyph_at(&t, &font_small, font_glyph_index(&font_small, 0x2500), 0, 32,
				    1, GREY, BLACK));
	assert_int_not_equal(font_glyph_index(&font_small, 0x2500), repl);
	testfb_free(&t);
}

static void test_wrap(void **state)
{
	struct testfb t = testfb_new(640, 480, 640);
	char line[81];

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	memset(line, 'w', 80);
	line[80] = 0;
	write_str(line);
	write_str("XYZ");
	assert_true(testfb_row_is(&t, 0, line, GREY, BLACK));
	assert_true(testfb_row_is(&t, 1, "XYZ", GREY, BLACK));
	/* Exactly a full line then \n: no empty line in between. */
	write_str("\n");
	write_str(line);
	write_str("\nnext");
	assert_true(testfb_row_is(&t, 2, line, GREY, BLACK));
	assert_true(testfb_row_is(&t, 3, "next", GREY, BLACK));
	testfb_free(&t);
}

static void test_scroll(void **state)
{
	struct testfb t = testfb_new(640, 480, 672);
	char buf[32];

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	for (int i = 0; i < 30; i++) {
		snprintf(buf, sizeof(buf), "line %02d\n", i);
		write_str(buf);
	}
	/* 30 rows, 30 newlines: one scroll; the cursor sits on a fresh last row. */
	for (int r = 0; r < 29; r++) {
		snprintf(buf, sizeof(buf), "line %02d", r + 1);
		assert_true(testfb_row_is(&t, (uint32_t)r, buf, GREY, BLACK));
	}
	assert_true(testfb_row_is(&t, 29, "", GREY, BLACK));
	/* Many lines in one write scroll many times, then draw once. */
	write_str("a\nb\nc\nd\n" "\x1b[42m" "tail");
	assert_true(testfb_row_is(&t, 25, "a", GREY, BLACK));
	assert_true(testfb_row_is(&t, 28, "d", GREY, BLACK));
	assert_true(testfb_cell_is(&t, 0, 29, 't', GREY, 0x00aa00));
	assert_true(testfb_cell_is(&t, 4, 29, ' ', GREY, BLACK));
	testfb_check_padding(&t);
	testfb_free(&t);
}

static void test_panel_is_not_scrolled(void **state)
{
	struct testfb t = testfb_new(800, 600, 800);
	struct fbcon_geometry g;
	char buf[32];

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	write_str("first\nsecond\nthird");
	fbcon_set_panel_rows(5);
	fbcon_get_geometry(&g);
	assert_int_equal(g.panel_rows, 5);
	/* The log moved below the panel and kept its lines. */
	assert_true(testfb_row_is(&t, 5, "first", GREY, BLACK));
	assert_true(testfb_row_is(&t, 7, "third", GREY, BLACK));
	/* The panel rows were blanked for their owner. */
	for (uint32_t y = 0; y < 5 * 16; y++)
		for (uint32_t x = 0; x < 800; x++)
			assert_int_equal(testfb_at(&t, x, y), BLACK);
	fb_fill_rect(0, 0, 800, 5 * 16, 0x123456);
	assert_int_equal(fbcon_put_at(1, 1, "panel", 0xffffff, 0x123456), 5);
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "\nlog %d", i);
		write_str(buf);
	}
	assert_true(testfb_cell_is(&t, 1, 1, 'p', 0xffffff, 0x123456));
	for (uint32_t y = 0; y < 5 * 16; y++)
		assert_int_equal(testfb_at(&t, 0, y), 0x123456);
	assert_true(testfb_row_is(&t, g.rows - 1, "log 99", GREY, BLACK));
	assert_true(testfb_row_is(&t, 5, "log 68", GREY, BLACK));

	/* Shrinking the panel moves the log up and repaints former panel rows. */
	fbcon_set_panel_rows(2);
	assert_true(testfb_row_is(&t, 2, "log 68", GREY, BLACK));
	assert_true(testfb_row_is(&t, g.rows - 4, "log 99", GREY, BLACK));
	assert_true(testfb_row_is(&t, g.rows - 1, "", GREY, BLACK));
	write_str("\nmore");
	assert_true(testfb_row_is(&t, g.rows - 3, "more", GREY, BLACK));

	/* Clear blanks only the log. */
	fbcon_clear();
	assert_true(testfb_row_is(&t, 2, "", GREY, BLACK));
	assert_true(testfb_cell_is(&t, 1, 1, 'p', 0xffffff, 0x123456));
	write_str("top");
	assert_true(testfb_row_is(&t, 2, "top", GREY, BLACK));

	/* A panel of every row still leaves one log row. */
	fbcon_set_panel_rows(1000);
	fbcon_get_geometry(&g);
	assert_int_equal(g.panel_rows, g.rows - 1);
	write_str("\nlast");
	assert_true(testfb_row_is(&t, g.rows - 1, "last", GREY, BLACK));
	testfb_free(&t);
}

static void test_redraw_repairs_log(void **state)
{
	struct testfb t = testfb_new(640, 480, 640);

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	write_str("keep me");
	fb_fill_rect(0, 0, 640, 480, 0xff00ff);
	fbcon_redraw();
	assert_true(testfb_row_is(&t, 0, "keep me", GREY, BLACK));
	assert_true(testfb_row_is(&t, 29, "", GREY, BLACK));
	testfb_free(&t);
}

/* Writes, scrolls, panels at a size; ASan reports any write outside. */
static void exercise(uint32_t w, uint32_t h, uint32_t stride)
{
	struct testfb t = testfb_new(w, h, stride);
	char buf[300];

	if (fbcon_init(&t.d) != FB_OK) {
		for (size_t i = 0; i < (size_t)stride * h; i++)
			assert_int_equal(t.px[i], SENTINEL);
		testfb_free(&t);
		return;
	}
	for (int i = 0; i < 60; i++) {
		snprintf(buf, sizeof(buf), "%d: \x1b[3%dm%.*s\x1b[0m\t|\n", i, i % 8, i * 4,
			 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
		write_str(buf);
		if (i == 20)
			fbcon_set_panel_rows(3);
		if (i == 40)
			fbcon_set_panel_rows(0);
	}
	fbcon_put_at(0, 0, "a long panel line that will be clipped at the right edge", 1, 2);
	fb_draw_text(&font_large, w - 5, h - 5, 9, "clip", 4, 1, 2);
	fb_fill_rect(w - 1, h - 1, 0xffffffffu, 0xffffffffu, 0x123456);
	testfb_check_padding(&t);
	testfb_free(&t);
}

static void test_sizes_stay_inside(void **state)
{
	static const uint32_t sizes[][3] = {
		{ 1, 1, 1 },       { 7, 15, 9 },      { 8, 16, 8 },     { 9, 17, 10 },
		{ 320, 200, 320 }, { 641, 479, 648 }, { 800, 600, 832 }, { 1366, 768, 1376 },
		{ 1599, 999, 1600 }, { 1600, 900, 1600 }, { 2560, 1440, 2560 },
		{ 3840, 2160, 3840 }, { 5120, 2880, 5120 }, { 7680, 4320, 7936 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		exercise(sizes[i][0], sizes[i][1], sizes[i][2]);
}

static void test_text_buffer_cap(void **state)
{
	/* More cells than the text buffer holds (187 x 187): rows are cut. */
	struct testfb t = testfb_new(6000, 12000, 6000);
	struct fbcon_geometry g;

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	fbcon_get_geometry(&g);
	assert_int_equal(g.cols, 187);
	assert_int_equal(g.rows, FBCON_MAX_CELLS / 187);
	write_str("\x1b[2J");
	for (int i = 0; i < 400; i++)
		write_str("scroll through the capped grid\n");
	testfb_free(&t);

	t = testfb_new(7680, 4320, 7680);
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	fbcon_get_geometry(&g);
	assert_int_equal(g.scale, 2);
	assert_int_equal(g.cell_w, 32);
	assert_int_equal(g.cols, 240);
	assert_int_equal(g.rows, 67);
	write_str("\n8K");
	assert_true(testfb_cell_is(&t, 1, 1, 'K', GREY, BLACK));
	testfb_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pixel_rgb_bgr),
		cmocka_unit_test(test_pixel_bitmask),
		cmocka_unit_test(test_bad_descriptions),
		cmocka_unit_test(test_init_clears_and_picks_font),
		cmocka_unit_test(test_glyph_placement_and_colour),
		cmocka_unit_test(test_utf8_and_controls),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_scroll),
		cmocka_unit_test(test_panel_is_not_scrolled),
		cmocka_unit_test(test_redraw_repairs_log),
		cmocka_unit_test(test_sizes_stay_inside),
		cmocka_unit_test(test_text_buffer_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
