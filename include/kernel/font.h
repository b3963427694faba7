/* Bitmap console fonts embedded at build time from Debian's PSF fonts
 * (tools/psf2c.py generates build/gen/font.c), and the code point -> glyph
 * lookup the console and test/boot/screen.py agree on (kernel/fb/font.c). */
#ifndef METASLOT_KERNEL_FONT_H
#define METASLOT_KERNEL_FONT_H

#include <stdint.h>

/* One entry of the sorted table of code points >= 256. */
struct font_unimap {
	uint32_t codepoint;
	uint16_t glyph;
};

struct font {
	const char *name;            /* PSF file it came from, for the boot log */
	uint32_t width;              /* pixels */
	uint32_t height;             /* pixels */
	uint32_t bytes_per_row;      /* (width + 7) / 8; bit 7 of byte 0 = leftmost */
	uint32_t bytes_per_glyph;    /* height * bytes_per_row */
	uint32_t glyph_count;
	const uint8_t *glyphs;       /* glyph_count * bytes_per_glyph */
	const uint16_t *latin1;      /* 256 entries: glyph of U+0000..U+00FF */
	const struct font_unimap *unimap; /* code points >= 256, ascending */
	uint32_t unimap_count;
	uint16_t replacement;        /* glyph of U+FFFD, else of '?' */
};

/* font_small: 8x16 for ordinary screens; font_large: 16x32 for big ones. */
extern const struct font font_small;
extern const struct font font_large;

/* The glyph the font maps `cp` to; `replacement` when it has none. */
uint32_t font_glyph_index(const struct font *f, uint32_t cp);

static inline const uint8_t *font_glyph_bits(const struct font *f, uint32_t glyph)
{
	return f->glyphs + (uint64_t)glyph * f->bytes_per_glyph;
}

/* Incremental UTF-8 decoding, byte by byte, so a character split across two
 * writes still comes out whole. Malformed input yields U+FFFD, never a hang. */
struct utf8_state {
	uint32_t cp;
	uint32_t min; /* smallest code point this length may encode */
	uint8_t need; /* continuation bytes still expected */
};

/* Feed one byte; returns how many code points it completed (0, 1 or 2) and
 * stores them in out[]. A byte that breaks a sequence yields U+FFFD for the
 * broken sequence and is then decoded on its own, hence up to two. */
int utf8_feed(struct utf8_state *st, uint8_t byte, uint32_t out[2]);

#endif
