/* Load options → config lines (see loadopt.h). Firmware boot entries often
 * pass binary data here, so anything that is not plain printable ASCII text
 * is refused as a whole rather than half-parsed. */
#include "loadopt.h"

static int is_space(uint16_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

long loadopt_to_config(const uint16_t *opts, size_t bytes, char *out, size_t cap)
{
	size_t n = bytes / 2, len = 0;

	if (cap == 0)
		return -1;
	out[0] = 0;
	if (!opts || bytes % 2)
		return bytes ? -1 : 0;
	/* the text ends at the first NUL; everything before must be printable */
	size_t end = 0;

	while (end < n && opts[end])
		end++;
	for (size_t i = 0; i < end; i++)
		if (!is_space(opts[i]) && (opts[i] < 0x20 || opts[i] > 0x7e))
			return -1;

	int first = 1;

	for (size_t i = 0; i < end;) {
		while (i < end && is_space(opts[i]))
			i++;
		size_t s = i;
		int has_eq = 0;

		while (i < end && !is_space(opts[i]))
			has_eq |= opts[i++] == '=';
		if (i == s)
			break;
		if (first && !has_eq) {
			first = 0;
			continue;
		}
		first = 0;
		if (len + (i - s) + 2 > cap)
			break;
		for (size_t k = s; k < i; k++)
			out[len++] = (char)opts[k];
		out[len++] = '\n';
		out[len] = 0;
	}
	return (long)len;
}
