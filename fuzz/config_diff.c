/* Differential: the loader (efi/cfgscan.c) and the kernel (kernel/config.c)
 * must read the keys the loader acts on alike, for every text. */
#include <kernel/config.h>
#include "../efi/cfgscan.h"
#include "config_seeds.h"

void fuzz_seeds(void)
{
	config_seeds();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;
	const char *t = (const char *)data;

	if (size >= 16384)
		return 0;
	config_defaults(&c);
	config_parse(&c, t, size);
	FUZZ_CHECK(cfgscan_reports_keep(t, size) == c.reports_keep);
	FUZZ_CHECK(cfgscan_forget_known_bad(t, size) == c.forget_known_bad);
	return 0;
}
