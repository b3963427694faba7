/* Host tests of the panels a technician reads (kernel/fb/panels.c): every
 * panel drawn from a state struct into a framebuffer at odd sizes, 800x600
 * to 4K; each one changes only the rows its layout gives it (so no panel
 * overlaps another, nor the log), and its text reads back from the pixels. */
#include <stdio.h>
#include <string.h>
#include "test_fbutil.h"
#include <kernel/diagscreen.h>
#include <kernel/panels.h>

static const uint32_t sizes[][2] = {
	{ 800, 600 }, { 1024, 768 }, { 1280, 800 }, { 1366, 768 }, { 1920, 1080 },
	{ 3840, 2160 }, { 1000, 700 }, { 1599, 999 }, { 2560, 1080 },
};

static const char *const names[] = { "own_address", "mov_inv_ones_zeros", "mov_inv_random",
				     "linux_memtest", "bit_fade", "block_move", "modulo_20",
				     "walking_ones", "random_sequence", "mov_inv_8bit",
				     "address_walk" };
#define NTESTS (sizeof(names) / sizeof(names[0]))

static struct panel_tests tests(uint32_t running)
{
	struct panel_tests t = { .enabled = 1, .running = 1, .pass = 2, .passes = 3,
				 .percent = 41, .eta_s = 3725, .n = NTESTS };

	for (uint32_t i = 0; i < NTESTS; i++) {
		struct panel_test *p = &t.t[i];

		p->name = names[i];
		p->state = i < running ? PANEL_TEST_DONE
			   : i == running ? PANEL_TEST_RUNNING : PANEL_TEST_PENDING;
		p->pass = i <= running ? 2 : 1;
		p->ms = 1000 * i + 234;
		p->percent = 37;
		p->eta_s = i == running ? 65 : PANEL_NO_ETA;
		p->errors = i == 1 ? 12 : 0;
	}
	return t;
}

static struct panel_errors errors(uint32_t n)
{
	struct panel_errors e = { .n = n < PANEL_MAX_ERRORS ? n : PANEL_MAX_ERRORS, .total = n };

	for (uint32_t i = 0; i < e.n; i++) {
		struct panel_error *x = &e.e[i];

		x->kind = i == 1 ? PANEL_ERROR_MCE : PANEL_ERROR_RAM;
		x->addr_valid = 1;
		x->addr = 0x123456780ull + 0x1000ull * i;
		x->dimm = i % 2 ? NULL : "DIMM_A1";
		x->expected = 0xffffffffffffffffull;
		x->actual = x->expected ^ (1ull << (i % 64));
		x->what = i == 1 ? "memory_controller" : "mov_inv_ones_zeros";
		x->cpu = i % 4;
		x->corrected = 1;
		x->bank = 7;
	}
	return e;
}

/* Rows whose pixels differ between two copies of the screen, as [lo, hi). */
static void changed_rows(const uint32_t *a, const struct testfb *t, uint32_t cell_h,
			 uint32_t *lo, uint32_t *hi)
{
	*lo = UINT32_MAX;
	*hi = 0;
	for (uint32_t y = 0; y < t->d.height; y++)
		for (uint32_t x = 0; x < t->d.width; x++)
			if (a[(size_t)y * t->d.stride + x] != testfb_at(t, x, y)) {
				if (y / cell_h < *lo)
					*lo = y / cell_h;
				if (y / cell_h + 1 > *hi)
					*hi = y / cell_h + 1;
				break;
			}
}

static uint32_t *copy(const struct testfb *t)
{
	size_t n = (size_t)t->d.stride * t->d.height;
	uint32_t *c = malloc(n * 4);

	assert_non_null(c);
	memcpy(c, t->px, n * 4);
	return c;
}

/* Draw with `draw`, then every changed row must be in [lo, hi). */
#define CHECK_ROWS(t, g, what, lo_ok, hi_ok, draw)                                         \
	do {                                                                                \
		uint32_t *before = copy(t), lo, hi;                                         \
		draw;                                                                       \
		changed_rows(before, t, (g)->cell_h, &lo, &hi);                             \
		free(before);                                                               \
		if (hi && (lo < (lo_ok) || hi > (hi_ok)))                                   \
			fail_msg("%ux%u: %s drew rows [%u, %u), its own are [%u, %u)",     \
				 (t)->d.width, (t)->d.height, what, lo, hi, (lo_ok), (hi_ok)); \
		assert_true(hi > 0); /* and it drew something */                          \
	} while (0)

static int row_has(const struct testfb *t, uint32_t row, const char *s)
{
	char buf[1024];

	return strstr(testfb_row_text(t, row, buf), s) != NULL;
}

static void one_size(uint32_t w, uint32_t h, uint32_t nerr)
{
	struct testfb t = testfb_new(w, h, w + 16);
	struct fbcon_geometry g;
	struct diag_layout l;
	struct panel_tests pt = tests(5);
	struct panel_errors pe = errors(nerr);
	char buf[1024];
	uint8_t cells[64];

	assert_int_equal(fbcon_init(&t.d), FB_OK);
	fbcon_puts("a line before the panel\n");
	assert_int_equal(diag_init(), 1);
	diag_get_layout(&l);
	fbcon_get_geometry(&g);
	/* the parts, top to bottom, tile the panel without gaps or overlaps */
	assert_int_equal(l.run_row, l.header_row + l.header_rows);
	assert_int_equal(l.tables_row, l.run_row + 1);
	assert_int_equal(l.caption_row, l.tables_row + l.tables_rows);
	assert_true(l.map_y + l.map_lines * l.block <= l.legend_row * g.cell_h);
	assert_true(l.status_row > l.legend_row + l.legend_rows - 1);
	assert_true(l.panel_rows + l.log_rows == g.rows && l.log_rows >= 3);
	assert_true(l.tables_rows >= 4 + 4); /* every size here: four tests and errors at least */

	CHECK_ROWS(&t, &g, "header", l.header_row, l.run_row,
		   panel_header(&(struct panel_header){
			   .version = "0.1", .firmware = "EDK II rev 0x10000",
			   .cpu_model = "Test CPU @ 3.00GHz", .cpus = 8, .ram_bytes = 16ull << 30,
			   .meta_bytes = 256ull << 20, .dimms = "DIMMs: 2 of 4, 16 GiB DDR4-3200, ECC",
			   .elapsed_s = 3 * 3600 + 25 * 60 + 7 }));
	CHECK_ROWS(&t, &g, "tests", l.run_row, l.caption_row, panel_tests(&pt));
	CHECK_ROWS(&t, &g, "errors", l.tables_row + 1, l.caption_row, panel_errors(&pe));
	for (uint32_t i = 0; i < sizeof(cells); i++)
		cells[i] = (uint8_t)(i % DIAG_CELL_STATES);
	CHECK_ROWS(&t, &g, "map", l.caption_row, l.legend_row,
		   diag_map(cells, sizeof(cells), 1 << 20));
	CHECK_ROWS(&t, &g, "bars", l.status_row, l.separator_row, diag_progress(3, 50, "audit"));
	CHECK_ROWS(&t, &g, "log", l.panel_rows, g.rows, fbcon_puts("a human line\n"));

	/* the header reads back */
	assert_true(row_has(&t, 0, " metaslot 0.1   firmware: EDK II rev 0x10000"));
	assert_true(row_has(&t, 0, "elapsed 3:25:07"));
	assert_string_equal(testfb_row_text(&t, 1, buf),
			    " CPUs: 8 x Test CPU @ 3.00GHz   RAM: 16.0 GiB   metadata: 256.0 MiB");
	assert_string_equal(testfb_row_text(&t, 2, buf), " DIMMs: 2 of 4, 16 GiB DDR4-3200, ECC");
	/* the run row: pass, percent after the bar, ETA */
	assert_true(row_has(&t, l.run_row, " Pass 2 of 3"));
	assert_true(row_has(&t, l.run_row, " 41%   ETA 1:02:05"));
	/* the test table: every test when it fits, else a window holding the
	 * running one; the running row's time is its ETA */
	uint32_t room = l.tables_rows - 4, shown = NTESTS < room ? NTESTS : room, first = 0;
	int seen_running = 0;

	assert_true(row_has(&t, l.tables_row, " test"));
	assert_true(row_has(&t, l.tables_row, "errors"));
	for (uint32_t r = 0; r < shown; r++) {
		const char *s = testfb_row_text(&t, l.tables_row + 1 + r, buf);
		uint32_t i;

		for (i = 0; i < NTESTS; i++)
			if (!strncmp(s + 1, names[i], strlen(names[i])) && s[1 + strlen(names[i])] == ' ')
				break;
		assert_true(i < NTESTS);
		if (r == 0)
			first = i;
		assert_int_equal(i, first + r);
		if (i == 5) {
			seen_running = 1;
			assert_non_null(strstr(s, "running  2/3"));
			assert_non_null(strstr(s, "eta 0:01:05"));
			assert_non_null(strstr(s, " 37%"));
		} else if (i < 5) {
			assert_non_null(strstr(s, "done"));
		} else {
			assert_non_null(strstr(s, "pending"));
		}
		if (i == 1) { /* done in 1.234 s, 12 errors: the last column */
			assert_non_null(strstr(s, "  1.2 s  "));
			assert_string_equal(s + strlen(s) - 3, " 12");
		}
	}
	assert_true(seen_running);
	/* the error table: caption, head, newest first, the count left out */
	uint32_t er = l.tables_row + 1 + shown, rows = l.caption_row - er - 2;
	uint32_t listed = nerr < rows ? nerr : rows;
	char want[128];

	if (nerr > listed)
		snprintf(want, sizeof(want), " Errors: %u, newest first; %u more not shown", nerr,
			 nerr - listed);
	else
		snprintf(want, sizeof(want), " Errors: %u, newest first", nerr);
	assert_string_equal(testfb_row_text(&t, er, buf), want);
	assert_true(row_has(&t, er + 1, " address"));
	assert_true(row_has(&t, er + 1, "expected         actual           mask"));
	for (uint32_t i = 0; i < listed; i++) {
		const char *s = testfb_row_text(&t, er + 2 + i, buf);
		char addr[32], mask[32];

		snprintf(addr, sizeof(addr), " 0x%012llx ", (unsigned long long)pe.e[i].addr);
		snprintf(mask, sizeof(mask), " %016llx ",
			 (unsigned long long)(pe.e[i].expected ^ pe.e[i].actual));
		assert_true(!strncmp(s, addr, strlen(addr)));
		if (i == 1) {
			assert_non_null(strstr(s, "MACHINE CHECK corrected, bank 7"));
		} else {
			assert_non_null(strstr(s, mask));
			assert_non_null(strstr(s, "ffffffffffffffff"));
		}
	}
	/* the result banner covers only the status rows */
	CHECK_ROWS(&t, &g, "result", l.status_row, l.separator_row,
		   diag_result(DIAG_RESULT_BAD_MEMORY, "3 bad frames"));
	testfb_check_padding(&t);
	testfb_free(&t);
}

static void test_every_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		one_size(sizes[i][0], sizes[i][1], 3);
		one_size(sizes[i][0], sizes[i][1], 200);
	}
}

/* The window over the tests follows the running one to the last. */
static void test_window_follows_the_running_test(void **state)
{
	struct testfb t = testfb_new(800, 600, 800);
	struct diag_layout l;
	char buf[1024];

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	assert_int_equal(diag_init(), 1);
	diag_get_layout(&l);
	struct panel_tests pt = tests(NTESTS - 1);

	pt.n = NTESTS;
	panel_tests(&pt);
	panel_errors(&(struct panel_errors){ .n = 0, .total = 0 });
	uint32_t room = l.tables_rows - 4;

	if (room < NTESTS) {
		assert_true(row_has(&t, l.tables_row, "of 11)"));
		assert_true(row_has(&t, l.tables_row + room, names[NTESTS - 1]));
	} else {
		assert_true(row_has(&t, l.tables_row + NTESTS, names[NTESTS - 1]));
	}
	/* no errors: the caption says so, and no head row follows */
	uint32_t er = l.tables_row + 1 + (room < NTESTS ? room : NTESTS);

	assert_string_equal(testfb_row_text(&t, er, buf), " Errors: none");
	/* audit off: one line, no table */
	panel_tests(&(struct panel_tests){ .enabled = 0 });
	assert_string_equal(testfb_row_text(&t, l.run_row, buf), " RAM test: off");
	testfb_free(&t);
}

/* Redraws write only what changed, yet the screen always shows the state
 * last drawn: a shorter error table leaves no old rows, a running test that
 * finished loses its highlight, and a new panel (diag_init) is drawn whole. */
static void test_redraw_shows_the_latest_state(void **state)
{
	struct testfb t = testfb_new(1024, 768, 1024);
	struct diag_layout l;
	struct panel_tests a = tests(2), b = tests(3);
	struct panel_errors many = errors(6), one = errors(1);
	char buf[1024];

	(void)state;
	for (int round = 0; round < 2; round++) { /* the second: a fresh panel */
		assert_int_equal(fbcon_init(&t.d), FB_OK);
		assert_int_equal(diag_init(), 1);
		diag_get_layout(&l);
		panel_tests(&a);
		panel_errors(&many);
		uint32_t er = l.tables_row + 1 + NTESTS;

		assert_true(row_has(&t, l.tables_row + 3, "running"));
		assert_true(row_has(&t, er, " Errors: 6, newest first"));
		assert_true(row_has(&t, er + 2 + 5, "0x00012345b780"));
		panel_tests(&b);
		panel_errors(&one);
		assert_true(row_has(&t, l.tables_row + 3, "done"));
		assert_int_equal(testfb_at(&t, 0, (l.tables_row + 3) * 16 + 1), 0); /* no highlight */
		assert_int_equal(testfb_at(&t, 0, (l.tables_row + 4) * 16 + 1), 0x204a87);
		assert_true(row_has(&t, l.tables_row + 4, "running"));
		assert_string_equal(testfb_row_text(&t, er, buf), " Errors: 1, newest first");
		for (uint32_t r = er + 3; r < l.caption_row; r++)
			assert_string_equal(testfb_row_text(&t, r, buf), "");
		panel_errors(&many);
		assert_true(row_has(&t, er + 2 + 5, "0x00012345b780"));
	}
	testfb_free(&t);
}

/* Without a panel (no framebuffer, or too small) every call is a no-op. */
static void test_no_panel(void **state)
{
	struct testfb t = testfb_new(320, 200, 320);
	struct panel_tests pt = tests(0);
	struct panel_errors pe = errors(5);

	(void)state;
	assert_int_equal(fbcon_init(&t.d), FB_OK);
	assert_int_equal(diag_init(), 0);
	panel_header(&(struct panel_header){ .cpus = 1 });
	panel_tests(&pt);
	panel_errors(&pe);
	for (size_t i = 0; i < 320 * 200; i++)
		assert_int_equal(t.px[i], 0);
	testfb_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests_[] = {
		cmocka_unit_test(test_every_size),
		cmocka_unit_test(test_window_follows_the_running_test),
		cmocka_unit_test(test_redraw_shows_the_latest_state),
		cmocka_unit_test(test_no_panel),
	};

	return cmocka_run_group_tests(tests_, NULL, NULL);
}
