/* Text building for the panel (fbtext.h). */
#include "fbtext.h"

void line_add(struct line *b, const char *s)
{
	while (*s && b->len + 1 < sizeof(b->buf))
		b->buf[b->len++] = *s++;
	b->buf[b->len] = 0;
}

void line_addn(struct line *b, const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n && s[i] && b->len + 1 < sizeof(b->buf); i++)
		b->buf[b->len++] = s[i];
	b->buf[b->len] = 0;
}

void line_u64(struct line *b, uint64_t v)
{
	char tmp[21];
	int i = 20;

	tmp[i] = 0;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	line_add(b, &tmp[i]);
}

void line_hex(struct line *b, uint64_t v, uint32_t digits)
{
	char tmp[17];
	uint32_t n = 0;

	do {
		tmp[16 - ++n] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v || n < digits);
	tmp[16] = 0;
	line_add(b, &tmp[16 - n]);
}

void line_size(struct line *b, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	uint32_t u = 0;
	uint64_t div = 1, whole, tenth;

	while (u < 4 && bytes >= div * 1024) {
		div *= 1024;
		u++;
	}
	whole = bytes / div;
	tenth = ((bytes % div) * 10 + div / 2) / div;
	if (tenth == 10) {
		whole++;
		tenth = 0;
	}
	line_u64(b, whole);
	if (u) {
		char d[3] = { '.', (char)('0' + tenth), 0 };

		line_add(b, d);
	}
	line_add(b, " ");
	line_add(b, unit[u]);
}

void line_hms(struct line *b, uint64_t s)
{
	char two[3] = { 0, 0, 0 };

	line_u64(b, s / 3600);
	line_add(b, ":");
	two[0] = (char)('0' + s / 60 % 60 / 10);
	two[1] = (char)('0' + s / 60 % 10);
	line_add(b, two);
	line_add(b, ":");
	two[0] = (char)('0' + s % 60 / 10);
	two[1] = (char)('0' + s % 10);
	line_add(b, two);
}

void line_pad(struct line *b, uint32_t width)
{
	while (b->len < width && b->len + 1 < sizeof(b->buf))
		b->buf[b->len++] = ' ';
	b->buf[b->len] = 0;
}
