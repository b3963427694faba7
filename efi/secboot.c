/* Whether the firmware enforces Secure Boot: the global SecureBoot variable
 * (UEFI spec: 1 = on). If it is on, the firmware checked this file's
 * signature (kernel included) before starting it; the boot event says so. */
#include "loader.h"

void secboot_state(struct loader *L)
{
	UINT8 on = 0;
	UINTN size = sizeof(on);
	EFI_STATUS s = RT->GetVariable(L"SecureBoot", &EfiGlobalVariable, NULL, &size, &on);

	if (!EFI_ERROR(s) && size == 1 && on == 1)
		L->bi->flags |= BOOTINFO_FLAG_SECURE_BOOT;
}
