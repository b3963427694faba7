/* Code point -> glyph lookup and UTF-8 decoding for the framebuffer console.
 * test/boot/screen.py mirrors font_glyph_index(), so both sides draw and read
 * the same glyph for a character. */
#include <stdint.h>
#include <kernel/font.h>

#define UTF8_REPLACEMENT 0xfffdu

uint32_t font_glyph_index(const struct font *f, uint32_t cp)
{
	uint32_t lo = 0, hi = f->unimap_count;

	if (cp < 256)
		return f->latin1[cp];
	while (lo < hi) { /* unimap is sorted by codepoint */
		uint32_t mid = lo + (hi - lo) / 2;

		if (f->unimap[mid].codepoint == cp)
			return f->unimap[mid].glyph;
		if (f->unimap[mid].codepoint < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return f->replacement;
}

/* Starts a sequence with `byte`; returns the number of code points emitted. */
static int utf8_start(struct utf8_state *st, uint8_t byte, uint32_t *out)
{
	if (byte < 0x80) {
		*out = byte;
		return 1;
	}
	if (byte >= 0xc2 && byte <= 0xdf) {
		st->cp = byte & 0x1fu; /* 0xc0, 0xc1 would be overlong */
		st->need = 1;
		st->min = 0x80;
	} else if (byte >= 0xe0 && byte <= 0xef) {
		st->cp = byte & 0x0fu;
		st->need = 2;
		st->min = 0x800;
	} else if (byte >= 0xf0 && byte <= 0xf4) {
		st->cp = byte & 0x07u;
		st->need = 3;
		st->min = 0x10000;
	} else { /* stray continuation, overlong lead or > U+10FFFF */
		*out = UTF8_REPLACEMENT;
		return 1;
	}
	return 0;
}

int utf8_feed(struct utf8_state *st, uint8_t byte, uint32_t out[2])
{
	if (st->need == 0)
		return utf8_start(st, byte, out);
	if ((byte & 0xc0) != 0x80) { /* sequence cut short */
		st->need = 0;
		out[0] = UTF8_REPLACEMENT;
		return 1 + utf8_start(st, byte, out + 1);
	}
	st->cp = (st->cp << 6) | (byte & 0x3fu);
	if (--st->need)
		return 0;
	/* Overlong forms and surrogates are not characters. */
	if (st->cp < st->min || (st->cp >= 0xd800 && st->cp <= 0xdfff) || st->cp > 0x10ffff)
		out[0] = UTF8_REPLACEMENT;
	else
		out[0] = st->cp;
	return 1;
}
