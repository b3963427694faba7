/* The kernel's config parser (kernel/config.c) on the text the loader hands
 * over (bootinfo config, config_len < 16384), then the promises config.h
 * makes about the result. */
#include <string.h>
#include <kernel/config.h>
#include "config_seeds.h"

void fuzz_seeds(void)
{
	config_seeds();
}

static int printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return 0;
	return n < cap;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;

	if (size >= 16384)
		return 0; /* bootinfo_validate refuses a longer text */
	config_defaults(&c);
	config_parse(&c, (const char *)data, size);
	FUZZ_CHECK(c.on_finish <= ON_FINISH_REBOOT && c.audit <= AUDIT_FULL);
	FUZZ_CHECK(c.passes >= 1 && c.passes <= CONFIG_MAX_PASSES);
	FUZZ_CHECK(c.reports_keep >= 1 && c.reports_keep <= 100000);
	FUZZ_CHECK(c.smp_limit <= 4096 && c.stress_ops <= 1000000000ull);
	FUZZ_CHECK(c.serial_baud && 115200 % c.serial_baud == 0 && c.serial_port);
	FUZZ_CHECK(c.ninject <= AUDIT_MAX_INJECT && c.nissues <= CONFIG_MAX_ISSUES);
	for (uint32_t i = 0; i < c.ninject; i++)
		FUZZ_CHECK(c.inject[i].addr % 8 == 0 && c.inject[i].mask);
	for (uint32_t i = 0; i < c.nissues; i++) {
		FUZZ_CHECK(c.issues[i].what && c.issues[i].line >= 1);
		FUZZ_CHECK(printable(c.issues[i].key, sizeof(c.issues[i].key)));
		FUZZ_CHECK(printable(c.issues[i].text, sizeof(c.issues[i].text)));
	}
	return 0;
}
