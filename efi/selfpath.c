/* The loader's own path from its FilePath device path (selfpath.h). Device
 * path nodes: Type (1 byte), SubType (1), Length (2, little-endian, the
 * whole node, >= 4), data. The list ends with type 0x7f; a firmware bug
 * (length < 4, no end node) must not send us walking off through memory, so
 * the walk is bounded. */
#include "selfpath.h"

#define DP_MAX_BYTES 4096
#define DP_MEDIA     4
#define DP_FILEPATH  4
#define DP_END       0x7f

static int append(uint16_t *out, size_t cap, size_t *n, uint16_t c)
{
	if (*n + 1 >= cap)
		return -1;
	out[(*n)++] = c == '/' ? '\\' : c;
	return 0;
}

int selfpath_file(const void *dp, uint16_t *out, size_t cap)
{
	const uint8_t *p = dp;
	size_t n = 0, walked = 0;

	if (!cap)
		return -1;
	out[0] = 0;
	if (!p)
		return 0;
	for (;;) {
		if (walked + 4 > DP_MAX_BYTES)
			return -1;
		uint32_t type = p[0], sub = p[1], len = p[2] | (uint32_t)p[3] << 8;

		if (type == DP_END)
			break;
		if (len < 4 || walked + len > DP_MAX_BYTES)
			return -1;
		if (type == DP_MEDIA && sub == DP_FILEPATH) {
			for (uint32_t i = 4; i + 1 < len; i += 2) {
				uint16_t c = (uint16_t)(p[i] | p[i + 1] << 8);

				if (!c)
					break;
				/* each component starts with exactly one separator */
				int sep = c == '\\' || c == '/';

				if (i == 4 && !sep && (n == 0 || out[n - 1] != '\\') &&
				    append(out, cap, &n, '\\'))
					return -1;
				if (i == 4 && sep && n && out[n - 1] == '\\')
					continue;
				if (append(out, cap, &n, c))
					return -1;
			}
		}
		walked += len;
		p += len;
	}
	out[n] = 0;
	return (int)n;
}

size_t selfpath_dir_len(const uint16_t *path)
{
	size_t dir = 0;

	for (size_t i = 0; path[i]; i++)
		if (path[i] == '\\')
			dir = i + 1;
	return dir;
}
