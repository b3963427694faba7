/* Pixel primitives on the GOP framebuffer: colour composition from the
 * loader's masks, clipped rectangle fills and (scaled) glyphs. Writes only,
 * never reads the framebuffer: on real machines it is uncached or
 * write-combining memory, where reads cost a bus round trip each. */
#include <stdint.h>
#include <kernel/fbcon.h>
#include <kernel/font.h>

static struct {
	uint32_t *base;       /* NULL until fb_init succeeds */
	uint32_t width, height, stride;
	uint32_t lut[3][256]; /* channel value -> its bits in a pixel */
} fb;

/* Spread the top bits of an 8-bit channel value over the bits of `mask`,
 * most significant first, so any mask shape works (5-6-5, 10-10-10, even
 * scattered bits). The value is rescaled so 0xff lights every mask bit. */
static uint32_t deposit(uint32_t mask, uint32_t v8)
{
	uint32_t bits = 0, out = 0;
	uint64_t max, v;

	for (uint32_t m = mask; m; m &= m - 1) /* no popcount: no libgcc here */
		bits++;
	max = (1ull << bits) - 1;
	v = (v8 * max + 127) / 255;
	for (uint32_t b = 0; b < 32; b++) {
		if (!(mask & (1u << b)))
			continue;
		if (v & 1)
			out |= 1u << b;
		v >>= 1;
	}
	return out;
}

enum fb_error fb_init(const struct fb_desc *d)
{
	const uint32_t masks[3] = { d->red_mask, d->green_mask, d->blue_mask };

	fb.base = 0;
	if (!d->base)
		return FB_ERR_NO_FRAMEBUFFER;
	if (d->width == 0 || d->height == 0 || d->width > FB_MAX_SIDE ||
	    d->height > FB_MAX_SIDE || d->stride < d->width || d->stride > 4 * FB_MAX_SIDE)
		return FB_ERR_GEOMETRY;
	if (!d->red_mask || !d->green_mask || !d->blue_mask ||
	    (d->red_mask & d->green_mask) || (d->red_mask & d->blue_mask) ||
	    (d->green_mask & d->blue_mask) ||
	    ((d->red_mask | d->green_mask | d->blue_mask) & d->reserved_mask))
		return FB_ERR_MASKS;
	for (int c = 0; c < 3; c++)
		for (uint32_t v = 0; v < 256; v++)
			fb.lut[c][v] = deposit(masks[c], v);
	fb.width = d->width;
	fb.height = d->height;
	fb.stride = d->stride;
	fb.base = d->base;
	return FB_OK;
}

int fb_active(void) { return fb.base != 0; }
uint32_t fb_width(void) { return fb.base ? fb.width : 0; }
uint32_t fb_height(void) { return fb.base ? fb.height : 0; }

uint32_t fb_pixel(uint32_t rgb)
{
	return fb.lut[0][(rgb >> 16) & 0xff] | fb.lut[1][(rgb >> 8) & 0xff] |
	       fb.lut[2][rgb & 0xff];
}

/* Clip [x, x + w) to [0, limit); returns the visible length. */
static uint32_t clip(uint32_t x, uint32_t w, uint32_t limit)
{
	if (x >= limit)
		return 0;
	return (w > limit - x) ? limit - x : w;
}

void fb_fill_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb)
{
	uint32_t px = fb_pixel(rgb);

	if (!fb.base)
		return;
	w = clip(x, w, fb.width);
	h = clip(y, h, fb.height);
	for (uint32_t r = 0; r < h; r++) {
		uint32_t *row = fb.base + (uint64_t)(y + r) * fb.stride + x;

		for (uint32_t c = 0; c < w; c++)
			row[c] = px;
	}
}

void fb_draw_glyph(const struct font *f, uint32_t glyph, uint32_t x, uint32_t y,
		   uint32_t scale, uint32_t fg, uint32_t bg)
{
	uint32_t fgp = fb_pixel(fg), bgp = fb_pixel(bg);
	const uint8_t *bits;
	uint32_t w, h;

	if (!fb.base || scale == 0)
		return;
	if (glyph >= f->glyph_count)
		glyph = f->replacement;
	bits = font_glyph_bits(f, glyph);
	w = clip(x, f->width * scale, fb.width);
	h = clip(y, f->height * scale, fb.height);
	for (uint32_t py = 0; py < h; py++) {
		const uint8_t *src = bits + (py / scale) * f->bytes_per_row;
		uint32_t *row = fb.base + (uint64_t)(y + py) * fb.stride + x;

		uint32_t px = 0;

		for (uint32_t gx = 0; gx < f->width && px < w; gx++) {
			uint32_t p = (src[gx >> 3] & (0x80u >> (gx & 7))) ? fgp : bgp;

			for (uint32_t i = 0; i < scale && px < w; i++)
				row[px++] = p;
		}
	}
}

uint32_t fb_draw_text(const struct font *f, uint32_t x, uint32_t y, uint32_t scale,
		      const char *s, uint32_t max_chars, uint32_t fg, uint32_t bg)
{
	struct utf8_state st = { 0 };
	uint32_t n = 0, cps[2];

	for (; *s && n < max_chars; s++) {
		int k = utf8_feed(&st, (uint8_t)*s, cps);

		for (int i = 0; i < k && n < max_chars; i++, n++)
			fb_draw_glyph(f, font_glyph_index(f, cps[i]),
				      x + n * f->width * scale, y, scale, fg, bg);
	}
	return n;
}
