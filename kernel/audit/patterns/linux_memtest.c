/* The patterns of Linux's memtest= early boot test (mm/memtest.c): each is
 * written over the whole region and read back. */
#include <kernel/audit_pattern.h>

static const uint64_t patterns[] = {
	0,
	0xffffffffffffffffull,
	0x5555555555555555ull,
	0xaaaaaaaaaaaaaaaaull,
	0x1111111111111111ull,
	0x2222222222222222ull,
	0x4444444444444444ull,
	0x8888888888888888ull,
	0x3333333333333333ull,
	0x6666666666666666ull,
	0x9999999999999999ull,
	0xccccccccccccccccull,
	0x7777777777777777ull,
	0xbbbbbbbbbbbbbbbbull,
	0xddddddddddddddddull,
	0xeeeeeeeeeeeeeeeeull,
	0x7a6c7258554e494cull, /* yeah ;-) */
};

void audit_linux_memtest(struct audit_job *j)
{
	for (unsigned i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		audit_fill_check(j, patterns[i]);
}
