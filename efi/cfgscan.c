/* cfgscan.h. Bad lines are the kernel's to report (config_issue events); the
 * loader only skips them, exactly as the kernel's parser does. */
#include "cfgscan.h"
#include <lib/cfgline.h>

uint32_t cfgscan_reports_keep(const char *text, size_t len)
{
	struct cfg_cursor c;
	struct cfg_line l;
	uint32_t keep = CFG_REPORTS_KEEP_DEFAULT, k;

	cfg_cursor_init(&c, text, len);
	while (cfg_next(&c, &l))
		if (cfg_key_is(&l, "reports_keep") && !cfg_parse_reports_keep(l.val, l.vlen, &k))
			keep = k;
	return keep;
}

int cfgscan_forget_known_bad(const char *text, size_t len)
{
	struct cfg_cursor c;
	struct cfg_line l;
	int forget = 0, f;

	cfg_cursor_init(&c, text, len);
	while (cfg_next(&c, &l))
		if (cfg_key_is(&l, "known_bad") && !cfg_parse_known_bad(l.val, l.vlen, &f))
			forget = f;
	return forget;
}
