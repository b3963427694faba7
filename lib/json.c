/* JSON event builder (json.h). Room for the closing text is reserved up front
 * so truncation can always close the object validly. */
#include <lib/json.h>
#include <lib/fmt.h>

#define RESERVE 32 /* ,"truncated":true plus closing braces */

static void raw(struct jw *w, const char *s)
{
	for (; *s; s++) {
		if (w->len + RESERVE >= sizeof(w->buf)) {
			w->truncated = 1;
			return;
		}
		w->buf[w->len++] = *s;
	}
}

static void esc(struct jw *w, const char *s)
{
	char u[8];

	raw(w, "\"");
	for (; s && *s && !w->truncated; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			u[0] = '\\';
			u[1] = (char)c;
			u[2] = 0;
			raw(w, u);
		} else if (c < 0x20 || c >= 0x7f) {
			ksnprintf(u, sizeof(u), "\\u%04x", c);
			raw(w, u);
		} else {
			u[0] = (char)c;
			u[1] = 0;
			raw(w, u);
		}
	}
	raw(w, "\"");
}

static void key(struct jw *w, const char *k)
{
	if (!w->first)
		raw(w, ",");
	w->first = 0;
	esc(w, k);
	raw(w, ":");
}

/* A field is complete: remember where, unless it did not fit. */
static void done(struct jw *w)
{
	if (!w->truncated)
		w->good = w->len;
}

void jw_begin(struct jw *w, const char *ev)
{
	w->len = 0;
	w->depth = 0;
	w->truncated = 0;
	w->first = 1;
	raw(w, "{");
	jw_str(w, "ev", ev);
}

void jw_str(struct jw *w, const char *k, const char *v)
{
	key(w, k);
	esc(w, v);
	done(w);
}

void jw_u64(struct jw *w, const char *k, uint64_t v)
{
	char n[24];

	ksnprintf(n, sizeof(n), "%llu", (unsigned long long)v);
	key(w, k);
	raw(w, n);
	done(w);
}

void jw_milli(struct jw *w, const char *k, uint64_t milli)
{
	char n[32];

	ksnprintf(n, sizeof(n), "%llu.%03llu", (unsigned long long)(milli / 1000),
		  (unsigned long long)(milli % 1000));
	key(w, k);
	raw(w, n);
	done(w);
}

void jw_i64(struct jw *w, const char *k, int64_t v)
{
	char n[24];

	ksnprintf(n, sizeof(n), "%lld", (long long)v);
	key(w, k);
	raw(w, n);
	done(w);
}

void jw_bool(struct jw *w, const char *k, int v)
{
	key(w, k);
	raw(w, v ? "true" : "false");
	done(w);
}

void jw_obj_begin(struct jw *w, const char *k)
{
	key(w, k);
	raw(w, "{");
	w->first = 1;
	w->depth++;
	/* not "done": an empty truncated object is cut back entirely */
}

void jw_obj_end(struct jw *w)
{
	if (w->depth == 0)
		return;
	raw(w, "}");
	w->depth--;
	w->first = 0;
	done(w);
}

const char *jw_finish(struct jw *w)
{
	if (w->truncated) {
		/* cut to the last complete field, then count the braces it left open */
		int open = 0, in_str = 0;

		w->len = w->good;
		for (size_t i = 0; i < w->len; i++) {
			char c = w->buf[i];

			if (in_str) {
				if (c == '\\')
					i++;
				else if (c == '"')
					in_str = 0;
			} else if (c == '"') {
				in_str = 1;
			} else if (c == '{') {
				open++;
			} else if (c == '}') {
				open--;
			}
		}
		const char *t = ",\"truncated\":true";

		for (; *t; t++)
			w->buf[w->len++] = *t;
		while (open-- > 0)
			w->buf[w->len++] = '}';
	} else {
		while (w->depth > 0)
			jw_obj_end(w);
		w->buf[w->len++] = '}';
	}
	w->buf[w->len] = 0;
	return w->buf;
}
