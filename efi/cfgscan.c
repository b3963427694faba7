/* cfgscan_value (cfgscan.h). The kernel's parser (kernel/config.c) is the
 * one that reports bad lines; this scanner only looks a key up. */
#include "cfgscan.h"

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int prefix(const char *s, const char *key, size_t klen)
{
	for (size_t i = 0; i < klen; i++)
		if (s[i] != key[i])
			return 0;
	return 1;
}

long cfgscan_value(const char *text, size_t len, const char *key, char *out, size_t cap)
{
	long found = -1;
	size_t klen = 0;

	while (key[klen])
		klen++;
	for (size_t s = 0; s < len;) {
		size_t e = s;

		while (e < len && text[e] != '\n' && text[e])
			e++;
		size_t a = s, b = e;

		for (size_t i = s; i < e; i++)
			if (text[i] == '#' && (i == s || space(text[i - 1]))) {
				b = i;
				break;
			}
		while (a < b && space(text[a]))
			a++;
		if (b - a > klen && prefix(text + a, key, klen)) {
			size_t v = a + klen;

			while (v < b && space(text[v]))
				v++;
			if (v < b && text[v] == '=') {
				v++;
				while (v < b && space(text[v]))
					v++;
				while (b > v && space(text[b - 1]))
					b--;
				if (b - v < cap) {
					for (size_t i = 0; i < b - v; i++)
						out[i] = text[v + i];
					out[b - v] = 0;
					found = (long)(b - v);
				} else {
					found = -1;
				}
			}
		}
		if (e < len && !text[e])
			break;
		s = e + 1;
	}
	return found;
}
