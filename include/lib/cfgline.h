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

#endif
