/* UEFI runtime services after ExitBootServices. The loader never calls
 * SetVirtualAddressMap, so the firmware's pointers are physical and are
 * called through the identity map the loader kept. */
#ifndef METASLOT_KERNEL_EFIRT_H
#define METASLOT_KERNEL_EFIRT_H

#include <stdint.h>

enum efi_reset_type { EFI_RESET_COLD = 0, EFI_RESET_WARM = 1, EFI_RESET_SHUTDOWN = 2 };

#define EFI_STATUS_UNSUPPORTED 0x8000000000000003ull

/* EFI_TIME. */
struct efi_time {
	uint16_t year;
	uint8_t month, day, hour, minute, second, pad1;
	uint32_t nanosecond;
	int16_t timezone;
	uint8_t daylight, pad2;
};

void efirt_init(uint64_t runtime_services_phys);
/* Runtime GetTime / SetVariable; the EFI status (0 = success). */
uint64_t efirt_get_time(struct efi_time *t);
uint64_t efirt_set_variable(const uint16_t *name, const void *guid, uint32_t attr,
			    uint64_t size, const void *data);
/* Returns only if the firmware has no runtime services or ignores the call. */
void efirt_reset(enum efi_reset_type type);

#endif
