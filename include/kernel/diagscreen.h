/* The diagnostic screen: a fixed panel above a short scrolling log. This
 * file owns the panel's layout, the memory picture, the per-CPU progress
 * bars and, at the end, the result in large type (kernel/fb/diagscreen.c);
 * the header, the test table and the error table are drawn into the rows it
 * lays out by kernel/fb/panels.c (panels.h). Drawn with the fbcon primitives
 * on the same character grid, so test/boot/screen.py reads its text like any
 * other; the layout is a pure function of the grid, which screen.py mirrors
 * (diag_compute_layout <-> screen.diag_layout).
 *
 * Panel rows, top to bottom:
 *   header (header_rows = 3), the run's overall progress (run_row),
 *   the tables (tables_rows: the test table, then the error table in what
 *   is left), map caption, map (map_rows), legend (legend_rows), one blank
 *   row, status (status_rows: bars, later the result), separator.
 * The log keeps log_rows at the bottom (at least 1; the panel is laid out
 * from the bottom up so the tables get what the fixed parts leave).
 *
 * No locks: callers serialise, as for fbcon. Every call is a no-op until
 * diag_init() succeeds (no framebuffer, or a screen under 40x20 cells). */
#ifndef METASLOT_KERNEL_DIAGSCREEN_H
#define METASLOT_KERNEL_DIAGSCREEN_H

#include <stdint.h>
#include <kernel/fbcon.h>

/* State of one map cell (a range of frames). Coverage (tested / untested
 * frames) adds its states here, with a colour, a legend name and a rank in
 * kernel/fb/screen.c's `rank`. When a cell's frames differ,
 * the kernel should show the most alarming: poisoned > kernel > metadata >
 * firmware > allocated > free > hole. 0 is "not RAM" so a zeroed array is
 * honest. */
enum diag_cell {
	DIAG_CELL_HOLE = 0,   /* not RAM: MMIO, reserved address space, holes */
	DIAG_CELL_FREE,
	DIAG_CELL_ALLOCATED,
	DIAG_CELL_FIRMWARE,   /* firmware-reserved, runtime services, ACPI */
	DIAG_CELL_METADATA,   /* the MetaSlot array */
	DIAG_CELL_KERNEL,     /* kernel image, page tables, boot info */
	DIAG_CELL_POISONED,   /* a frame failed the audit */
	DIAG_CELL_UNTESTED,   /* RAM metaslot could own that no test reached (coverage.h) */
	DIAG_CELL_STATES
};
extern const uint32_t diag_cell_rgb[DIAG_CELL_STATES];   /* 0xRRGGBB */
extern const char *const diag_cell_name[DIAG_CELL_STATES]; /* legend text */

enum diag_result {
	DIAG_RESULT_PASS,
	DIAG_RESULT_BAD_MEMORY,
	DIAG_RESULT_FAIL,
};
extern const uint32_t diag_result_rgb[3];        /* banner background */
extern const char *const diag_result_text[3];    /* "PASS", "BAD MEMORY", "FAIL" */

/* Rows and columns are cells of the fbcon grid; _x/_y and block are pixels. */
struct diag_layout {
	uint32_t enabled;      /* 0: screen too small, no panel */
	uint32_t header_row, header_rows;
	uint32_t run_row;      /* overall progress of the RAM test, ETA */
	uint32_t tables_row, tables_rows; /* test table, then error table */
	uint32_t caption_row;
	uint32_t map_row, map_rows;
	uint32_t map_x, map_y; /* top-left pixel of memory cell 0 */
	uint32_t block;        /* memory cell pitch, square; the last block/8
				  pixels of each side are a gap */
	uint32_t map_cols;     /* memory cells per line */
	uint32_t map_lines;    /* capacity = map_cols * map_lines */
	uint32_t legend_row, legend_rows;
	uint32_t status_row, status_rows;
	uint32_t separator_row;
	uint32_t panel_rows;   /* the log starts at this row */
	uint32_t log_rows;     /* rows - panel_rows */
	uint32_t result_scale; /* result glyphs: each font pixel is this square */
	uint32_t bar_slots_per_row; /* detailed bars per status row */
};

/* Pure: the layout for a console grid. */
void diag_compute_layout(const struct fbcon_geometry *g, struct diag_layout *l);

/* After fbcon_init: reserve the panel, draw legend and frame. Returns 1 if
 * the panel is shown, 0 if there is no screen or it is too small. */
int diag_init(void);
void diag_get_layout(struct diag_layout *l);
/* Counts diag_init calls: what was drawn in the panel before a change of
 * this number is gone (panels.c keeps what it drew until then). */
uint32_t diag_generation(void);

/* How many CPUs the progress bars are for (picks detailed or compact bars). */
void diag_set_cpus(uint32_t cpus);

/* Upper bound of diag_map_capacity() on any screen, to size a static array. */
#define DIAG_MAP_MAX_CELLS 16384u

/* The map: capacity first, then the kernel computes that many cell states
 * (each cell = bytes_per_cell of physical address space from 0) and draws
 * them; n may be smaller than the capacity. diag_map_cell updates one cell,
 * e.g. when the audit poisons a frame. */
uint32_t diag_map_capacity(void);
void diag_map(const uint8_t *cells, uint32_t n, uint64_t bytes_per_cell);
void diag_map_cell(uint32_t index, uint8_t state);

/* CPU `cpu` is `percent` (0..100) through `phase` (shown up to 8 chars).
 * Detailed bars while the CPUs fit, one mini bar per cell beyond that. */
void diag_progress(uint32_t cpu, uint32_t percent, const char *phase);

/* The final verdict in large type over the status area, with an optional
 * one-line detail under it. It is in the panel, so it stays on screen while
 * the log scrolls and after the machine halts; later progress is ignored. */
void diag_result(enum diag_result r, const char *detail);

#endif
