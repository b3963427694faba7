/* Builder for the output protocol's events: one single-line JSON object that
 * begins with {"ev":"NAME". Strings are escaped; numbers are JSON numbers.
 * When the buffer fills, the event is cut back to its last complete field and
 * closed with "truncated":true, so a line is always valid JSON. Pure code. */
#ifndef METASLOT_LIB_JSON_H
#define METASLOT_LIB_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_EVENT_MAX 2048

struct jw {
	char buf[JSON_EVENT_MAX];
	size_t len;        /* bytes written */
	size_t good;       /* end of the last complete field */
	int depth;         /* open nested objects */
	int first;         /* no field yet at this depth */
	int truncated;
};

void jw_begin(struct jw *w, const char *ev);
void jw_str(struct jw *w, const char *key, const char *val);
void jw_u64(struct jw *w, const char *key, uint64_t v);
/* A decimal number with three places: milli / 1000 (GB/s, ratios). */
void jw_milli(struct jw *w, const char *key, uint64_t milli);
void jw_i64(struct jw *w, const char *key, int64_t v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_obj_begin(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
/* Closes every open object; returns the NUL-terminated line (no newline). */
const char *jw_finish(struct jw *w);

#endif
