/* METASLOT.CFG and the load options: key=value lines, applied in order (so
 * the load options, which come last, win). Unknown keys, bad values and lines
 * that are not key=value are recorded as issues and otherwise ignored; they
 * are never fatal. Pure code, host-tested. */
#ifndef METASLOT_KERNEL_CONFIG_H
#define METASLOT_KERNEL_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/audit_pattern.h>
#include <kernel/faulttest.h>

#define CONFIG_MAX_ISSUES 16
#define CONFIG_DEFAULT_STRESS_OPS 20000
#define CONFIG_MAX_PASSES 1000
#define CONFIG_MAX_ITERATIONS 1000
#define CONFIG_DEFAULT_BIT_FADE_SECONDS 300
#define CONFIG_MAX_BIT_FADE_SECONDS 86400
/* journal_spacing=N: a journal write after a pattern only once the record is
 * N times older than such a write costs (journal.h); 0: after every pattern */
#define CONFIG_DEFAULT_JOURNAL_SPACING 20
#define CONFIG_MAX_JOURNAL_SPACING 1000

enum on_finish { ON_FINISH_HALT, ON_FINISH_SHUTDOWN, ON_FINISH_REBOOT };

struct config_issue {
	uint32_t line;       /* 1-based line of the config text */
	const char *what;    /* "unknown key", "bad value", "not key=value", ... */
	char key[32];
	char text[64];       /* the line as written, cut to fit */
};

struct config {
	enum on_finish on_finish;
	int serial_enabled;
	uint16_t serial_port;
	uint32_t serial_baud;
	uint32_t smp_limit;        /* CPUs to use, 0 = all; smp=off is 1 */
	uint64_t stress_ops;       /* allocator operations per CPU in the stress */
	int bench;                 /* run the in-kernel benchmark */
	int no_bandwidth;          /* bandwidth=off: skip the bandwidth measurement */
	int screen_log_json;       /* screen_log=json: events in the screen's log too */
	enum fault_test fault_test; /* a deliberate fault, for tests */

	enum audit_mode audit;
	uint32_t passes;           /* audit passes over all free RAM */
	uint32_t patterns;         /* bit i: audit_patterns[i]; 0 = as the mode says */
	/* iterations= for audit_patterns[i] (the moving-inversion family), every
	 * pass; 0 = memtest86+'s (plan.c: a third of it in the first pass) */
	uint32_t iterations[AUDIT_MAX_PATTERNS];
	uint32_t bit_fade_seconds; /* bit_fade: each of its two rests, 1..86400 */
	int keep_boot_services;    /* boot_services=keep: never test or hand out them */
	int save_report;           /* store the run record in a UEFI variable */
	uint32_t journal_spacing;  /* 0..1000 (journal.h, journal_step_due) */
	int resume;                /* resume=on: skip the pattern the last, unfinished run died in */
	uint32_t reports_keep;     /* (the loader acts on it) report files kept */
	int forget_known_bad;      /* (the loader acts on it) known_bad=forget */
	uint32_t menu_timeout;     /* (the loader acts on it) pre-boot menu seconds */
	uint32_t ninject;
	struct audit_injection inject[AUDIT_MAX_INJECT];

	uint32_t nissues;
	uint32_t issues_dropped;   /* issues beyond CONFIG_MAX_ISSUES */
	struct config_issue issues[CONFIG_MAX_ISSUES];
};

void config_defaults(struct config *c);
/* Applies `len` bytes of text (NUL also ends it) on top of `c`. */
void config_parse(struct config *c, const char *text, size_t len);
const char *config_on_finish_name(enum on_finish f);
const char *config_audit_name(enum audit_mode a);



/* The kernel's active configuration (kernel/main.c). */
extern struct config kcfg;

#endif
