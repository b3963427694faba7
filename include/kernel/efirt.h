/* UEFI runtime services after ExitBootServices. The loader never calls
 * SetVirtualAddressMap, so the firmware's pointers are physical and are
 * called through the identity map the loader kept. */
#ifndef METASLOT_KERNEL_EFIRT_H
#define METASLOT_KERNEL_EFIRT_H

#include <stdint.h>

enum efi_reset_type { EFI_RESET_COLD = 0, EFI_RESET_WARM = 1, EFI_RESET_SHUTDOWN = 2 };

void efirt_init(uint64_t runtime_services_phys);
/* Returns only if the firmware has no runtime services or ignores the call. */
void efirt_reset(enum efi_reset_type type);

#endif
