/* Facts from the firmware: who it is, the GOP framebuffer, the ACPI RSDP, the
 * SMBIOS entry point and the TSC rate. None of them is fatal when missing: the kernel runs headless,
 * on one CPU, or with an uncalibrated TSC, and says so. */
#include "loader.h"
#include <lib/x86.h> /* rdtsc */

void fw_identity(struct loader *L)
{
	struct bootinfo *bi = L->bi;
	CHAR16 *v = ST->FirmwareVendor;
	unsigned i = 0;

	for (; v && v[i] && i < sizeof(bi->fw_vendor) - 1; i++)
		bi->fw_vendor[i] = (v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"' && v[i] != '\\')
					   ? (char)v[i] : '?';
	bi->fw_vendor[i] = 0;
	bi->fw_revision = ST->FirmwareRevision;
	bi->efi_system_table = (uint64_t)ST;
	bi->efi_runtime_services = (uint64_t)ST->RuntimeServices;
}

static int mode_linear(EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info)
{
	return info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor ||
	       info->PixelFormat == PixelBlueGreenRedReserved8BitPerColor ||
	       info->PixelFormat == PixelBitMask;
}

void fw_framebuffer(struct loader *L)
{
	EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	struct bootinfo_fb *fb = &L->bi->fb;

	if (EFI_ERROR(BS->LocateProtocol(&gop_guid, NULL, (void **)&gop)) || !gop || !gop->Mode)
		return; /* headless */

	/* keep the current mode when it is linear; else the largest linear one */
	if (!gop->Mode->Info || !mode_linear(gop->Mode->Info) || !gop->Mode->FrameBufferBase) {
		UINT32 best = UINT32_MAX;
		UINT64 best_area = 0;

		for (UINT32 m = 0; m < gop->Mode->MaxMode; m++) {
			EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
			UINTN sz;

			if (EFI_ERROR(gop->QueryMode(gop, m, &sz, &info)))
				continue;
			UINT64 area = (UINT64)info->HorizontalResolution * info->VerticalResolution;

			if (mode_linear(info) && area > best_area) {
				best = m;
				best_area = area;
			}
			FreePool(info);
		}
		if (best == UINT32_MAX || EFI_ERROR(gop->SetMode(gop, best)))
			return; /* blt-only: headless */
	}
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = gop->Mode->Info;

	if (!mode_linear(info) || !gop->Mode->FrameBufferBase)
		return;
	fb->base = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->stride = info->PixelsPerScanLine;
	fb->format = info->PixelFormat;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->red_mask = 0xff;
		fb->green_mask = 0xff00;
		fb->blue_mask = 0xff0000;
		fb->reserved_mask = 0xff000000;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->red_mask = 0xff0000;
		fb->green_mask = 0xff00;
		fb->blue_mask = 0xff;
		fb->reserved_mask = 0xff000000;
		break;
	default:
		fb->red_mask = info->PixelInformation.RedMask;
		fb->green_mask = info->PixelInformation.GreenMask;
		fb->blue_mask = info->PixelInformation.BlueMask;
		fb->reserved_mask = info->PixelInformation.ReservedMask;
		break;
	}
	/* a framebuffer smaller than its geometry says would be written past
	 * (bootinfo_fb_fits: the kernel's own check, without overflow) */
	if (!bootinfo_fb_fits(fb)) {
		ldr_note("GOP framebuffer geometry is inconsistent: running headless");
		SetMem(fb, sizeof(*fb), 0);
	}
}

void fw_rsdp(struct loader *L)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID;  /* gnu-efi exports only the 1.0 one */
	EFI_GUID acpi10 = ACPI_TABLE_GUID;
	uint64_t v1 = 0;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

		if (!CompareMem(&t->VendorGuid, &acpi20, sizeof(EFI_GUID))) {
			L->bi->rsdp = (uint64_t)t->VendorTable;
			L->bi->flags |= BOOTINFO_FLAG_ACPI2;
			return;
		}
		if (!CompareMem(&t->VendorGuid, &acpi10, sizeof(EFI_GUID)))
			v1 = (uint64_t)t->VendorTable;
	}
	L->bi->rsdp = v1;
}

void fw_smbios(struct loader *L)
{
	EFI_GUID smbios3 = SMBIOS3_TABLE_GUID;
	EFI_GUID smbios2 = SMBIOS_TABLE_GUID;
	uint64_t v2 = 0;

	/* the 3.0 entry point reaches tables above 4 GiB and has no structure
	 * count to trust, so it wins when the firmware offers both */
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

		if (!CompareMem(&t->VendorGuid, &smbios3, sizeof(EFI_GUID)) && t->VendorTable) {
			L->bi->smbios = (uint64_t)t->VendorTable;
			L->bi->smbios_kind = BOOTINFO_SMBIOS_3;
			return;
		}
		if (!CompareMem(&t->VendorGuid, &smbios2, sizeof(EFI_GUID)))
			v2 = (uint64_t)t->VendorTable;
	}
	L->bi->smbios = v2;
	L->bi->smbios_kind = v2 ? BOOTINFO_SMBIOS_2 : BOOTINFO_SMBIOS_NONE;
}

void fw_measure_tsc(struct loader *L)
{
	/* 50 ms against the firmware's Stall(); the kernel cross-checks it */
	uint64_t t0 = rdtsc();

	BS->Stall(50000);
	L->bi->tsc_hz = (rdtsc() - t0) * 20;
}
