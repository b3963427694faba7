/* The panels a technician reads: the header, the run's overall progress, the
 * test table and the error table, drawn from plain data into the rows the
 * diagnostic panel lays out (diagscreen.h). Pure rendering
 * (kernel/fb/panels.c): nothing here reads kernel state, so host tests draw
 * any state at any size; kernel/fb/screen.c fills the structs from the run
 * (audit_status, the bad-frame list, machine checks) and calls these.
 *
 * The test table heads the tables area and shows every pattern of the run
 * (a window around the running one when there are more than fit); the
 * error table follows, newest first, as many rows as are left, with a
 * count of those that did not fit. test/boot/screen.py reads both back by
 * their head rows, so the column names below are its contract too.
 * No locks: callers serialise, as for fbcon. No-ops while the panel is off. */
#ifndef METASLOT_KERNEL_PANELS_H
#define METASLOT_KERNEL_PANELS_H

#include <stdint.h>

#define PANEL_MAX_TESTS 32   /* AUDIT_MAX_PATTERNS */
#define PANEL_MAX_ERRORS 64  /* rows kept; more than any screen shows */
#define PANEL_NO_ETA UINT64_MAX

struct panel_header {
	const char *version;    /* "0.1" */
	const char *firmware;   /* "EDK II rev 0x10000"; NULL: not shown */
	const char *cpu_model;  /* brand string; NULL or "": not known yet */
	uint32_t cpus;
	uint64_t ram_bytes, meta_bytes;
	const char *dimms;      /* dimms_line(), "DIMMs: 2 of 4, ..."; NULL or "": none */
	uint64_t elapsed_s;     /* since the kernel started */
};

enum panel_test_state { PANEL_TEST_PENDING, PANEL_TEST_RUNNING, PANEL_TEST_DONE,
			PANEL_TEST_SKIPPED };

struct panel_test {
	const char *name;
	uint8_t state;          /* enum panel_test_state */
	uint32_t pass;          /* the pass it last ran in, 1-based; 0 = not yet */
	uint32_t percent;       /* while running */
	uint64_t ms;            /* time its last run took (done) */
	uint64_t eta_s;         /* while running: seconds left, or PANEL_NO_ETA */
	uint64_t errors;        /* bad words found, over all passes */
};

struct panel_tests {
	uint8_t enabled;        /* 0: the RAM test is off (one line says so) */
	uint8_t running;        /* 0 before the first pass and after the last */
	uint8_t finished;
	uint32_t pass, passes;
	uint32_t percent;       /* of the whole run, passes included */
	uint64_t eta_s;         /* the whole run, or PANEL_NO_ETA */
	uint32_t n;
	struct panel_test t[PANEL_MAX_TESTS];
};

enum panel_error_kind { PANEL_ERROR_RAM, PANEL_ERROR_MCE };

struct panel_error {
	uint8_t kind;           /* enum panel_error_kind */
	uint8_t addr_valid;     /* machine checks may have no address */
	uint8_t corrected;      /* machine checks: corrected by ECC */
	uint64_t addr;          /* physical address of the word (RAM) or the error */
	const char *dimm;       /* locator, NULL when the tables cannot tell */
	uint64_t expected, actual; /* RAM: the word written and read back */
	const char *what;       /* RAM: the pattern; MCE: the error kind */
	uint32_t cpu;
	uint32_t bank;          /* MCE */
};

struct panel_errors {
	uint32_t n;             /* rows in e[], newest first */
	uint64_t total;         /* errors in all, >= n */
	struct panel_error e[PANEL_MAX_ERRORS];
};

void panel_header(const struct panel_header *h);
void panel_tests(const struct panel_tests *t);
/* The error table below the test table: draw after panel_tests. */
void panel_errors(const struct panel_errors *e);

#endif
