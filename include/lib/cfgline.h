/* METASLOT.CFG's syntax and the values both sides act on: one set of rules,
 * linked by the kernel's parser (kernel/config.c) and the loader's look-ups
 * (efi/cfgscan.c), so a line can never mean one thing to each.
 *
 * The text is `key=value` lines. A line ends at '\n'; a NUL ends the whole
 * text. '#' at the start of a line or after a space or tab starts a comment.
 * Spaces, tabs and '\r' around key and value are trimmed. The first '=' ends
 * the key. A line holding a control byte (other than tab and '\r') or a byte
 * >= 0x7f is "not text" and ignored as a whole. Lines apply in order: for a
 * key, the last line whose value is valid wins; a bad value changes nothing
 * (the kernel reports it as a config_issue). Freestanding, no libc. */
#ifndef METASLOT_LIB_CFGLINE_H
#define METASLOT_LIB_CFGLINE_H

#include <stddef.h>
#include <stdint.h>

struct cfg_line {
	uint32_t lineno;     /* 1-based, counting every line */
	const char *raw;     /* the line as written, comment included */
	size_t rawlen;
	const char *key;     /* trimmed; valid when error is NULL */
	size_t klen;
	const char *val;     /* trimmed, may be empty */
	size_t vlen;
	const char *error;   /* NULL, "not text", "not key=value" or "empty key" */
};

struct cfg_cursor {
	const char *text;
	size_t len, pos;
	uint32_t lineno;
	int done;
};

void cfg_cursor_init(struct cfg_cursor *c, const char *text, size_t len);
/* The next line that is neither blank nor only a comment, in *l: 1; or 0
 * once the text (len bytes, or up to a NUL) is consumed. */
int cfg_next(struct cfg_cursor *c, struct cfg_line *l);
/* Whether the line's key is exactly `key` (case-sensitive). */
int cfg_key_is(const struct cfg_line *l, const char *key);
/* 0 and *out: n bytes that are exactly a decimal or 0x-hex number, no sign,
 * no overflow; else -1. */
int cfg_parse_u64(const char *s, size_t n, uint64_t *out);
/* The index of the name the n bytes at v spell, or -1. */
int cfg_pick(const char *v, size_t n, const char *const *names, int count);

/* The keys the loader acts on: 0 and *out for a valid value, else -1. */
#define CFG_REPORTS_KEEP_DEFAULT 16u
#define CFG_REPORTS_KEEP_MAX     100000u
int cfg_parse_reports_keep(const char *v, size_t n, uint32_t *out); /* 1..MAX */
int cfg_parse_known_bad(const char *v, size_t n, int *forget);      /* keep|forget */

/* The settings the loader's pre-boot menu shows and changes (efi/menu.c);
 * the kernel's parser takes them through the same functions, so the menu
 * starts from the value the kernel would use. Name lists are in the order of
 * the kernel's enums (kernel/config.c checks it). */
#define CFG_AUDIT_LEVELS        4   /* off, quick, standard, full */
#define CFG_AUDIT_DEFAULT       1   /* quick */
#define CFG_ON_FINISH_ACTIONS   3   /* halt, shutdown, reboot */
#define CFG_PASSES_MAX          1000u
#define CFG_SMP_MAX             4096u
#define CFG_MENU_TIMEOUT_MAX    3600u /* seconds */
extern const char *const cfg_audit_names[CFG_AUDIT_LEVELS];
extern const char *const cfg_on_finish_names[CFG_ON_FINISH_ACTIONS];
int cfg_parse_audit(const char *v, size_t n, int *level);           /* a cfg_audit_names index */
int cfg_parse_on_finish(const char *v, size_t n, int *action);      /* a cfg_on_finish_names index */
int cfg_parse_passes(const char *v, size_t n, uint32_t *out);       /* 1..CFG_PASSES_MAX */
int cfg_parse_smp(const char *v, size_t n, uint32_t *cpus);         /* off=1, all|on=0, 1..CFG_SMP_MAX */
int cfg_parse_menu_timeout(const char *v, size_t n, uint32_t *out); /* 0..CFG_MENU_TIMEOUT_MAX */

#endif
