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

#define EFI_STATUS_NOT_FOUND   0x800000000000000eull

void efirt_init(uint64_t runtime_services_phys);
/* Runtime GetTime / GetVariable / SetVariable; the EFI status (0 = success).
 * Each takes the runtime lock and brackets the call with bs_swap_in/out:
 * call them only where bssave.h allows (no other CPU sweeping memory). */
uint64_t efirt_get_time(struct efi_time *t);
uint64_t efirt_get_variable(const uint16_t *name, const void *guid, uint32_t *attr,
			    uint64_t *size, void *data);
uint64_t efirt_set_variable(const uint16_t *name, const void *guid, uint32_t attr,
			    uint64_t size, const void *data);
/* Several calls as one: efirt_begin takes the runtime lock (wait = 0: only if
 * free, for the #MC path, where its holder may be a stopped CPU; returns 0
 * then) and swaps boot-services memory in; the _locked calls; efirt_end. */
int efirt_begin(int wait);
void efirt_end(void);
uint64_t efirt_get_time_locked(struct efi_time *t);
uint64_t efirt_set_variable_locked(const uint16_t *name, const void *guid, uint32_t attr,
				   uint64_t size, const void *data);
/* Returns only if the firmware has no runtime services or ignores the call. */
void efirt_reset(enum efi_reset_type type);

#endif
