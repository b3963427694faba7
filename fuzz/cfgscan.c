/* The loader's look-ups (efi/cfgscan.c) on the config text it built: the
 * file, then the load options, at most CONFIG_MAX (16384) bytes. */
#include <lib/cfgline.h>
#include "../efi/cfgscan.h"
#include "config_seeds.h"

void fuzz_seeds(void)
{
	config_seeds();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	uint32_t keep;
	int forget;

	if (size > 16384)
		return 0;
	keep = cfgscan_reports_keep(t, size);
	forget = cfgscan_forget_known_bad(t, size);
	FUZZ_CHECK(keep >= 1 && keep <= CFG_REPORTS_KEEP_MAX);
	FUZZ_CHECK(forget == 0 || forget == 1);
	return 0;
}
