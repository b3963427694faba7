/* Text building for the panel (kernel/fb/ only): a fixed line buffer that
 * truncates silently, numbers, sizes, durations and hex words. */
#ifndef METASLOT_KERNEL_FB_FBTEXT_H
#define METASLOT_KERNEL_FB_FBTEXT_H

#include <stdint.h>

struct line {
	char buf[256];
	uint32_t len;
};

void line_add(struct line *b, const char *s);
/* At most n bytes of s. */
void line_addn(struct line *b, const char *s, uint32_t n);
void line_u64(struct line *b, uint64_t v);
/* v in `digits` lower-case hex digits, zero-padded (more if v needs them). */
void line_hex(struct line *b, uint64_t v, uint32_t digits);
/* "8.0 GiB": one decimal, binary units. */
void line_size(struct line *b, uint64_t bytes);
/* "0:01:05" (h:mm:ss). */
void line_hms(struct line *b, uint64_t seconds);
/* Spaces up to `width` columns. */
void line_pad(struct line *b, uint32_t width);

#endif
