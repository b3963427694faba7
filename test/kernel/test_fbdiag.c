/* Host tests of the diagnostic panel (kernel/fb/diagscreen.c): layout at
 * every common size, memory picture and legend colours, progress bars, the
 * result in large type, and that nothing is drawn outside the buffer. */
#include <stdio.h>
#include <string.h>
#include "test_fbutil.h"
#include <kernel/diagscreen.h>
#include <kernel/panels.h>

#define WHITE 0xffffffu
#define GREY  0xaaaaaau
#define BLACK 0x000000u

static void write_str(const char *s)
{
	fbcon_write(s, strlen(s));
}

static void test_layout_sizes(void **state)
{
	static const uint32_t sizes[][2] = {
		{ 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1280, 800 }, { 1366, 768 },
		{ 1920, 1080 }, { 2560, 1600 }, { 3840, 2160 }, { 7680, 4320 },
		{ 1599, 999 }, { 5119, 2879 }, { FB_MAX_SIDE, FB_MAX_SIDE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct fbcon_geometry g = { 0 };
		struct diag_layout l;
		uint32_t w = sizes[i][0], h = sizes[i][1];

		g.font = fbcon_choose_font(w, h, &g.scale);
		g.cell_w = g.font->width * g.scale;
		g.cell_h = g.font->height * g.scale;
		g.cols = w / g.cell_w;
		g.rows = h / g.cell_h;
		if (g.rows > FBCON_MAX_CELLS / g.cols)
			g.rows = FBCON_MAX_CELLS / g.cols;
		diag_compute_layout(&g, &l);
		assert_true(l.enabled);
		assert_true(l.map_cols * l.map_lines <= DIAG_MAP_MAX_CELLS);
		/* A short log stays below the panel; the tables get what is left. */
		assert_true(l.log_rows >= 3 && l.panel_rows + l.log_rows == g.rows);
		assert_true(l.tables_rows >= 4);
		assert_true(l.map_cols * l.map_lines >= 300);
		assert_true(l.map_x + l.map_cols * l.block <= (g.cols - 1) * g.cell_w);
		assert_true(l.map_y + l.map_lines * l.block <= l.legend_row * g.cell_h);
		/* Large type is large: at least 48 pixels high, and fits. */
		assert_true(l.result_scale * g.font->height >= 48);
		assert_true(l.result_scale * g.font->height <= (l.status_rows - 1) * g.cell_h);
		assert_true(10 * l.result_scale * g.font->width <= g.cols * g.cell_w);
		assert_true(l.bar_slots_per_row >= 2);
	}
}

static void test_too_small_is_off(void **state)
{
	struct testfb t = testfb_new(320, 200, 320);
	uint8_t cells[4] = { 1, 2, 3, 4 };
	struct fbcon_geometry g;

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	assert_int_equal(diag_init(), 0);
	panel_header(&(struct panel_header){ .cpus = 2, .firmware = "fw" });
	diag_map(cells, 4, 4096);
	diag_progress(0, 50, "x");
	diag_result(DIAG_RESULT_PASS, "ok");
	assert_int_equal(diag_map_capacity(), 0);
	fbcon_get_geometry(&g);
	assert_int_equal(g.panel_rows, 0);
	for (size_t i = 0; i < 320 * 200; i++)
		assert_int_equal(t.px[i], BLACK);
	testfb_free(&t);

	/* No framebuffer at all. */
	t = testfb_new(1, 1, 1);
	t.d.base = NULL;
	assert_int_equal(fbcon_init(&t.d), FB_ERR_NO_FRAMEBUFFER);
	assert_int_equal(diag_init(), 0);
	diag_result(DIAG_RESULT_FAIL, NULL);
	testfb_free(&t);
}

static void test_header_text(void **state)
{
	struct testfb t = testfb_new(1024, 768, 1024);
	struct diag_layout l;

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	assert_int_equal(diag_init(), 1);
	diag_get_layout(&l);
	panel_header(&(struct panel_header){ .firmware = "EDK II", .version = "1", .cpus = 4,
					     .ram_bytes = 8ull << 30,
					     .meta_bytes = 128ull << 20 | 512 << 10 });
	assert_true(testfb_cell_is(&t, 1, 0, 'm', WHITE, 0x0000aa));
	assert_true(testfb_row_is(&t, 1, " CPUs: 4   RAM: 8.0 GiB   metadata: 128.5 MiB", GREY,
				  BLACK));
	assert_true(testfb_row_is(&t, 2, " DIMMs: no inventory (no SMBIOS memory devices)", GREY,
				  BLACK));
	/* the SMBIOS line has a row of its own, the model follows the count */
	panel_header(&(struct panel_header){ .cpus = 4, .cpu_model = "Some CPU",
					     .ram_bytes = 8ull << 30, .meta_bytes = 0,
					     .dimms = "DIMMs: 2 of 4" });
	assert_true(testfb_row_is(&t, 1, " CPUs: 4 x Some CPU   RAM: 8.0 GiB   metadata: 0 B", GREY,
				  BLACK));
	assert_true(testfb_row_is(&t, 2, " DIMMs: 2 of 4", GREY, BLACK));
	testfb_free(&t);
}

static void test_map_uses_legend_colours(void **state)
{
	struct testfb t = testfb_new(1024, 768, 1040);
	struct fbcon_geometry g;
	struct diag_layout l;
	uint32_t cap;
	uint8_t *cells;
	int seen[DIAG_CELL_STATES] = { 0 };

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	write_str("boot log before the panel\n");
	assert_int_equal(diag_init(), 1);
	diag_get_layout(&l);
	fbcon_get_geometry(&g);
	assert_int_equal(g.panel_rows, l.panel_rows);
	assert_true(testfb_row_is(&t, l.panel_rows, "boot log before the panel", GREY, BLACK));
	cap = diag_map_capacity();
	assert_int_equal(cap, l.map_cols * l.map_lines);
	cells = malloc(cap);
	for (uint32_t i = 0; i < cap; i++)
		cells[i] = (uint8_t)((i / 7) % DIAG_CELL_STATES);
	cells[cap - 1] = 200; /* out of range: drawn as not RAM */
	diag_map(cells, cap + 100, 64ull << 20);
	for (uint32_t i = 0; i < cap; i++) {
		uint32_t x = l.map_x + (i % l.map_cols) * l.block + l.block / 2;
		uint32_t y = l.map_y + (i / l.map_cols) * l.block + l.block / 2;
		uint8_t s = cells[i] < DIAG_CELL_STATES ? cells[i] : DIAG_CELL_HOLE;

		assert_int_equal(testfb_at(&t, x, y), diag_cell_rgb[s]);
		/* The gap at the far corner of each cell stays background. */
		assert_int_equal(testfb_at(&t, x + l.block / 2 - 1, y + l.block / 2 - 1), BLACK);
	}
	/* One cell changes later: the audit found a bad frame. */
	diag_map_cell(5, DIAG_CELL_POISONED);
	assert_int_equal(testfb_at(&t, l.map_x + 5 * l.block + 1, l.map_y + 1),
			 diag_cell_rgb[DIAG_CELL_POISONED]);
	diag_map_cell(cap, DIAG_CELL_POISONED); /* ignored */
	/* Every legend colour appears in the legend rows, beside its name. */
	for (uint32_t y = l.legend_row * g.cell_h; y < (l.legend_row + l.legend_rows) * g.cell_h; y++)
		for (uint32_t x = 0; x < 1024; x++)
			for (int s = 0; s < DIAG_CELL_STATES; s++)
				if (testfb_at(&t, x, y) == diag_cell_rgb[s])
					seen[s] = 1;
	for (int s = 0; s < DIAG_CELL_STATES; s++)
		assert_true(seen[s]);
	assert_true(testfb_cell_is(&t, 4, l.legend_row, 'f', GREY, BLACK)); /* "free" */
	assert_true(testfb_cell_is(&t, 1, l.caption_row, 'P', GREY, BLACK));
	testfb_check_padding(&t);
	free(cells);
	testfb_free(&t);
}

static void test_progress_bars(void **state)
{
	struct testfb t = testfb_new(1024, 768, 1024);
	struct fbcon_geometry g;
	struct diag_layout l;
	uint32_t y, bar_x, bar_w;

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	assert_int_equal(diag_init(), 1);
	diag_get_layout(&l);
	fbcon_get_geometry(&g);
	diag_set_cpus(4);
	diag_progress(1, 50, "stress-test");
	/* cpu1 sits in the second slot of the first status row. */
	y = l.status_row * g.cell_h;
	assert_true(testfb_cell_is(&t, 34, l.status_row, 'c', GREY, BLACK));
	assert_true(testfb_cell_is(&t, 37, l.status_row, '1', GREY, BLACK));
	bar_x = (34 + 7) * g.cell_w;
	bar_w = 10 * g.cell_w;
	assert_int_equal(testfb_at(&t, bar_x + bar_w / 4, y + g.cell_h / 2), 0x3070e0);
	assert_int_equal(testfb_at(&t, bar_x + bar_w * 3 / 4, y + g.cell_h / 2), 0x404040);
	assert_true(testfb_cell_is(&t, 34 + 18, l.status_row, ' ', GREY, BLACK));
	assert_true(testfb_cell_is(&t, 34 + 19, l.status_row, '5', GREY, BLACK));
	/* The phase is cut at 8 characters. */
	assert_true(testfb_cell_is(&t, 34 + 23 + 7, l.status_row, 't', GREY, BLACK));
	assert_true(testfb_cell_is(&t, 34 + 23 + 8, l.status_row, ' ', GREY, BLACK));
	diag_progress(1, 250, "done");
	assert_int_equal(testfb_at(&t, bar_x + bar_w - 1, y + g.cell_h / 2), 0x30b030);
	/* A CPU the header did not announce, beyond the status area: ignored. */
	diag_progress(1000, 10, "x");
	testfb_free(&t);
}

static void test_progress_compact(void **state)
{
	struct testfb t = testfb_new(640, 480, 640);
	struct fbcon_geometry g;
	struct diag_layout l;
	uint32_t x, y;

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	assert_int_equal(diag_init(), 1);
	diag_get_layout(&l);
	fbcon_get_geometry(&g);
	diag_set_cpus(256);
	for (uint32_t c = 0; c < 1000; c++)
		diag_progress(c, c % 101, "audit");
	/* cpu 100 at 100%: its cell, column 1 + 100 % 78 on the second bar
	 * row, is green to the top. */
	x = (1 + 100 % (g.cols - 2)) * g.cell_w + g.cell_w / 2;
	y = (l.status_row + 1 + 100 / (g.cols - 2)) * g.cell_h;
	assert_int_equal(testfb_at(&t, x, y + 1), 0x30b030);
	assert_int_equal(testfb_at(&t, x, y + g.cell_h - 2), 0x30b030);
	/* cpu 0 at 0%: all track. */
	assert_int_equal(testfb_at(&t, g.cell_w + 4, (l.status_row + 1) * g.cell_h + 8), 0x404040);
	/* The caption names the phase; a phase change updates it. */
	assert_true(testfb_cell_is(&t, 18, l.status_row, 'a', GREY, BLACK));
	diag_progress(0, 1, "verify");
	assert_true(testfb_cell_is(&t, 18, l.status_row, 'v', GREY, BLACK));
	assert_true(testfb_cell_is(&t, 23, l.status_row, 'y', GREY, BLACK));
	assert_true(testfb_cell_is(&t, 24, l.status_row, ' ', GREY, BLACK));
	testfb_free(&t);
}

static void check_result(uint32_t w, uint32_t h, enum diag_result r, const char *text)
{
	struct testfb t = testfb_new(w, h, w + 8);
	struct fbcon_geometry g;
	struct diag_layout l;
	uint32_t n = (uint32_t)strlen(text), k, x0, y0, tw, th;
	uint32_t bg = diag_result_rgb[r];

	assert_int_equal(fbcon_init(&t.d), FB_OK);
	assert_int_equal(diag_init(), 1);
	diag_get_layout(&l);
	fbcon_get_geometry(&g);
	diag_set_cpus(2);
	diag_progress(0, 30, "audit");
	diag_result(r, "3 frames poisoned");
	k = l.result_scale;
	tw = n * g.font->width * k;
	th = g.font->height * k;
	x0 = (g.cols * g.cell_w - tw) / 2;
	y0 = l.status_row * g.cell_h + ((l.status_rows - 1) * g.cell_h - th) / 2;
	/* Each character is its glyph scaled k times, white on the banner. */
	for (uint32_t i = 0; i < n; i++)
		assert_true(testfb_glyph_at(&t, g.font, font_glyph_index(g.font, (uint8_t)text[i]),
					    x0 + i * g.font->width * k, y0, k, WHITE, bg));
	/* Outside the text, the status area is plain banner colour, except the
	 * detail row. */
	for (uint32_t y = l.status_row * g.cell_h; y < (l.status_row + l.status_rows - 1) * g.cell_h;
	     y++)
		for (uint32_t x = 0; x < g.cols * g.cell_w; x++)
			if (x < x0 || x >= x0 + tw || y < y0 || y >= y0 + th)
				assert_int_equal(testfb_at(&t, x, y), bg);
	assert_true(testfb_cell_is(&t, (g.cols - 17) / 2, l.status_row + l.status_rows - 1, '3',
				   WHITE, bg));
	/* The log scrolls a lot; the verdict stays; late progress is ignored. */
	for (int i = 0; i < 200; i++)
		write_str("halting\n");
	diag_progress(0, 90, "audit");
	assert_true(testfb_glyph_at(&t, g.font, font_glyph_index(g.font, (uint8_t)text[0]), x0, y0,
				    k, WHITE, bg));
	assert_int_equal(testfb_at(&t, 0, l.status_row * g.cell_h), bg);
	testfb_check_padding(&t);
	testfb_free(&t);
}

static void test_result_large_type(void **state)
{
	(void)state;
	check_result(640, 480, DIAG_RESULT_PASS, "PASS");
	check_result(1024, 768, DIAG_RESULT_BAD_MEMORY, "BAD MEMORY");
	check_result(1920, 1080, DIAG_RESULT_FAIL, "FAIL");
	check_result(640, 480, DIAG_RESULT_BAD_MEMORY, "BAD MEMORY");
}

/* Everything at many sizes; ASan reports any write outside the buffer. */
static void test_sizes_stay_inside(void **state)
{
	static const uint32_t sizes[][3] = {
		{ 1, 1, 1 },       { 8, 16, 8 },      { 320, 320, 320 }, { 320, 321, 330 },
		{ 640, 480, 640 }, { 641, 479, 700 }, { 800, 600, 800 }, { 1280, 1024, 1280 },
		{ 1366, 768, 1376 }, { 1920, 1080, 1920 }, { 2560, 1440, 2600 },
		{ 3840, 2160, 3840 }, { 7680, 4320, 7680 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct testfb t = testfb_new(sizes[i][0], sizes[i][1], sizes[i][2]);
		uint8_t *cells;
		uint32_t cap;

		if (fbcon_init(&t.d) != FB_OK) {
			assert_int_equal(diag_init(), 0);
			testfb_free(&t);
			continue;
		}
		diag_init();
		cap = diag_map_capacity();
		cells = malloc(cap + 1);
		for (uint32_t c = 0; c < cap; c++)
			cells[c] = (uint8_t)(c % DIAG_CELL_STATES);
		diag_set_cpus(64);
		panel_header(&(struct panel_header){
			.firmware = "a firmware vendor with a very long name indeed, longer than "
				    "any screen line could ever hold at this size, really",
			.version = "0.1", .cpus = 64, .ram_bytes = ~0ull, .meta_bytes = 1 });
		diag_map(cells, cap, 1ull << 40);
		for (uint32_t c = 0; c < 70; c++)
			diag_progress(c, c * 2, "verify");
		for (int j = 0; j < 50; j++)
			write_str("log line that is long enough to wrap on the smaller screens "
				  "and then some more\n");
		diag_result(DIAG_RESULT_BAD_MEMORY,
			    "a detail longer than the screen is wide on small screens, clipped "
			    "at the edge without writing past it");
		testfb_check_padding(&t);
		free(cells);
		testfb_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_sizes),
		cmocka_unit_test(test_too_small_is_off),
		cmocka_unit_test(test_header_text),
		cmocka_unit_test(test_map_uses_legend_colours),
		cmocka_unit_test(test_progress_bars),
		cmocka_unit_test(test_progress_compact),
		cmocka_unit_test(test_result_large_type),
		cmocka_unit_test(test_sizes_stay_inside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
