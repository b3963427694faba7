/* The kernel's CPU helpers: the instruction wrappers (lib/x86.h) and the
 * direct map the loader built. */
#ifndef METASLOT_KERNEL_CPU_H
#define METASLOT_KERNEL_CPU_H

#include <stdint.h>
#include <bootinfo.h>
#include <lib/x86.h>

/* Physical address -> pointer through the loader's direct map. */
static inline void *phys_to_virt(uint64_t phys)
{
	return (void *)(uintptr_t)(BOOTINFO_DIRECT_MAP_BASE + phys);
}

#endif
