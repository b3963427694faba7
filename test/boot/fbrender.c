/* Host helper for test/boot/test_screen_decode.py: drives the real console
 * and diagnostic panel (kernel/fb/) into a malloc'd xRGB framebuffer from a
 * script on stdin, writes the screen as a binary PPM and prints the grid and
 * panel layout as JSON, so the decoder is checked against the kernel's code.
 *
 *   fbrender WIDTH HEIGHT STRIDE OUT.ppm|- < script
 *
 * Script: one command per line, fields separated by spaces; text fields are
 * hex-encoded bytes ("-" for none):
 *   write HEX | colour FG BG | clear | panel ROWS | diag
 *   header CPUS RAM_BYTES META_BYTES FIRMWARE VERSION CPU_MODEL DIMMS ELAPSED_S
 *   test NAME STATE PASS PERCENT MS ETA_S ERRORS        (adds a row)
 *   tests ENABLED RUNNING FINISHED PASS PASSES PERCENT ETA_S   (draws the rows)
 *   error KIND ADDR_VALID ADDR DIMM EXPECTED ACTUAL WHAT CPU CORRECTED BANK
 *   errors TOTAL                                         (draws, newest first)
 *   (ETA_S -1: none)
 *   map BYTES_PER_CELL PATTERN   (PATTERN: state bytes, repeated to capacity)
 *   cell INDEX STATE | progress CPU PERCENT PHASE | result R DETAIL */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/diagscreen.h>
#include <kernel/fbcon.h>
#include <kernel/panels.h>

static size_t unhex(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; s[0] && s[1] && n + 1 < cap; s += 2) {
		unsigned v;

		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (char)v;
	}
	out[n] = 0;
	return n;
}

static const char *text_arg(const char *s, char *buf, size_t cap)
{
	if (!s || strcmp(s, "-") == 0)
		return NULL;
	unhex(s, buf, cap);
	return buf;
}

static struct panel_tests tests;
static struct panel_errors errors;
static char names[PANEL_MAX_TESTS][64], whats[PANEL_MAX_ERRORS][64], dimms[PANEL_MAX_ERRORS][64];

static uint64_t eta(const char *s)
{
	return strcmp(s, "-1") == 0 ? PANEL_NO_ETA : strtoull(s, NULL, 0);
}

static void run(char *line)
{
	static char a[4096], b[4096], c[4096], e[4096];
	char *argv[16] = { 0 };
	int argc = 0;

	for (char *t = strtok(line, " \n"); t && argc < 16; t = strtok(NULL, " \n"))
		argv[argc++] = t;
	if (argc == 0)
		return;
	if (!strcmp(argv[0], "write") && argc == 2) {
		size_t n = unhex(argv[1], a, sizeof(a));

		fbcon_write(a, n);
	} else if (!strcmp(argv[0], "colour") && argc == 3) {
		fbcon_set_colour((enum fb_colour)atoi(argv[1]), (enum fb_colour)atoi(argv[2]));
	} else if (!strcmp(argv[0], "clear")) {
		fbcon_clear();
	} else if (!strcmp(argv[0], "panel") && argc == 2) {
		fbcon_set_panel_rows((uint32_t)atoi(argv[1]));
	} else if (!strcmp(argv[0], "diag")) {
		diag_init();
	} else if (!strcmp(argv[0], "header") && argc == 9) {
		struct panel_header h = {
			.cpus = (uint32_t)strtoul(argv[1], NULL, 0),
			.ram_bytes = strtoull(argv[2], NULL, 0),
			.meta_bytes = strtoull(argv[3], NULL, 0),
			.firmware = text_arg(argv[4], a, sizeof(a)),
			.version = text_arg(argv[5], b, sizeof(b)),
			.cpu_model = text_arg(argv[6], c, sizeof(c)),
			.dimms = text_arg(argv[7], e, sizeof(e)),
			.elapsed_s = strtoull(argv[8], NULL, 0),
		};

		diag_set_cpus(h.cpus);
		panel_header(&h);
	} else if (!strcmp(argv[0], "test") && argc == 8 && tests.n < PANEL_MAX_TESTS) {
		struct panel_test *t = &tests.t[tests.n];

		t->name = text_arg(argv[1], names[tests.n], sizeof(names[0]));
		t->state = (uint8_t)atoi(argv[2]);
		t->pass = (uint32_t)atoi(argv[3]);
		t->percent = (uint32_t)atoi(argv[4]);
		t->ms = strtoull(argv[5], NULL, 0);
		t->eta_s = eta(argv[6]);
		t->errors = strtoull(argv[7], NULL, 0);
		tests.n++;
	} else if (!strcmp(argv[0], "tests") && argc == 8) {
		tests.enabled = (uint8_t)atoi(argv[1]);
		tests.running = (uint8_t)atoi(argv[2]);
		tests.finished = (uint8_t)atoi(argv[3]);
		tests.pass = (uint32_t)atoi(argv[4]);
		tests.passes = (uint32_t)atoi(argv[5]);
		tests.percent = (uint32_t)atoi(argv[6]);
		tests.eta_s = eta(argv[7]);
		panel_tests(&tests);
	} else if (!strcmp(argv[0], "error") && argc == 11 && errors.n < PANEL_MAX_ERRORS) {
		struct panel_error *x = &errors.e[errors.n];

		x->kind = (uint8_t)atoi(argv[1]);
		x->addr_valid = (uint8_t)atoi(argv[2]);
		x->addr = strtoull(argv[3], NULL, 0);
		x->dimm = text_arg(argv[4], dimms[errors.n], sizeof(dimms[0]));
		x->expected = strtoull(argv[5], NULL, 0);
		x->actual = strtoull(argv[6], NULL, 0);
		x->what = text_arg(argv[7], whats[errors.n], sizeof(whats[0]));
		x->cpu = (uint32_t)atoi(argv[8]);
		x->corrected = (uint8_t)atoi(argv[9]);
		x->bank = (uint32_t)atoi(argv[10]);
		errors.n++;
	} else if (!strcmp(argv[0], "errors") && argc == 2) {
		errors.total = strtoull(argv[1], NULL, 0);
		panel_errors(&errors);
	} else if (!strcmp(argv[0], "map") && argc == 3) {
		uint32_t cap = diag_map_capacity();
		size_t n = unhex(argv[2], a, sizeof(a));
		uint8_t *cells = malloc(cap + 1);

		for (uint32_t i = 0; i < cap && n; i++)
			cells[i] = (uint8_t)a[i % n];
		diag_map(cells, n ? cap : 0, strtoull(argv[1], NULL, 0));
		free(cells);
	} else if (!strcmp(argv[0], "cell") && argc == 3) {
		diag_map_cell((uint32_t)atoi(argv[1]), (uint8_t)atoi(argv[2]));
	} else if (!strcmp(argv[0], "progress") && argc == 4) {
		diag_progress((uint32_t)atoi(argv[1]), (uint32_t)atoi(argv[2]),
			      text_arg(argv[3], a, sizeof(a)));
	} else if (!strcmp(argv[0], "result") && argc == 3) {
		diag_result((enum diag_result)atoi(argv[1]), text_arg(argv[2], a, sizeof(a)));
	} else {
		fprintf(stderr, "fbrender: bad command %s\n", argv[0]);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct fb_desc d = { .red_mask = 0xff0000, .green_mask = 0xff00, .blue_mask = 0xff,
			     .reserved_mask = 0xff000000 };
	struct fbcon_geometry g;
	struct diag_layout l;
	static char line[1 << 16];
	uint32_t *px;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: fbrender WIDTH HEIGHT STRIDE OUT.ppm < script\n");
		return 2;
	}
	d.width = (uint32_t)atoi(argv[1]);
	d.height = (uint32_t)atoi(argv[2]);
	d.stride = (uint32_t)atoi(argv[3]);
	px = malloc((size_t)d.stride * d.height * 4);
	if (!px)
		return 1;
	d.base = px;
	if (fbcon_init(&d) != FB_OK) {
		fprintf(stderr, "fbrender: fbcon_init failed\n");
		return 1;
	}
	while (fgets(line, sizeof(line), stdin))
		run(line);

	if (strcmp(argv[4], "-") != 0) { /* "-": layout only, no image */
		f = fopen(argv[4], "wb");
		if (!f)
			return 1;
		fprintf(f, "P6\n%u %u\n255\n", d.width, d.height);
		for (uint32_t y = 0; y < d.height; y++)
			for (uint32_t x = 0; x < d.width; x++) {
				uint32_t p = px[(size_t)y * d.stride + x];
				unsigned char rgb[3] = { (unsigned char)(p >> 16),
							 (unsigned char)(p >> 8), (unsigned char)p };

				fwrite(rgb, 1, 3, f);
			}
		fclose(f);
	}

	fbcon_get_geometry(&g);
	diag_get_layout(&l);
	printf("{\"font\":\"%s\",\"scale\":%u,\"cell_w\":%u,\"cell_h\":%u,\"cols\":%u,"
	       "\"rows\":%u,\"panel_rows\":%u,\"capacity\":%u,\"layout\":{"
	       "\"enabled\":%u,\"header_row\":%u,\"header_rows\":%u,\"run_row\":%u,"
	       "\"tables_row\":%u,\"tables_rows\":%u,\"caption_row\":%u,\"map_row\":%u,"
	       "\"map_rows\":%u,\"map_x\":%u,\"map_y\":%u,\"block\":%u,\"map_cols\":%u,"
	       "\"map_lines\":%u,\"legend_row\":%u,\"legend_rows\":%u,\"status_row\":%u,"
	       "\"status_rows\":%u,\"separator_row\":%u,\"panel_rows\":%u,\"log_rows\":%u,"
	       "\"result_scale\":%u,\"bar_slots_per_row\":%u}}\n",
	       g.font->name, g.scale, g.cell_w, g.cell_h, g.cols, g.rows, g.panel_rows,
	       diag_map_capacity(), l.enabled, l.header_row, l.header_rows, l.run_row,
	       l.tables_row, l.tables_rows, l.caption_row, l.map_row,
	       l.map_rows, l.map_x, l.map_y, l.block, l.map_cols, l.map_lines, l.legend_row,
	       l.legend_rows, l.status_row, l.status_rows, l.separator_row, l.panel_rows, l.log_rows,
	       l.result_scale, l.bar_slots_per_row);
	free(px);
	return 0;
}
