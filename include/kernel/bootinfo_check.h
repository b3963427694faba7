/* Validation of the loader's hand-off before the kernel trusts any of it. */
#ifndef METASLOT_KERNEL_BOOTINFO_CHECK_H
#define METASLOT_KERNEL_BOOTINFO_CHECK_H

#include <bootinfo.h>

/* NULL when `bi` can be trusted, else a static message naming the first
 * problem: magic, version, size, then the shape of each block it points to. */
const char *bootinfo_validate(const struct bootinfo *bi);

#endif
