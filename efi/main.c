/* metaslot loader: gathers what the kernel needs while boot services exist,
 * then exits them and jumps. Each line is one step; any failure halts with a
 * message (ldr_fatal), never returning to the firmware. */
#include "loader.h"

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static struct loader L;

	InitializeLib(image, st);
	L.image = image;
	BS->SetWatchdogTimer(0, 0, 0, NULL);  /* a full audit outlives 5 minutes */
	bootinfo_alloc(&L);      /* the hand-off block, config text buffer */
	fw_identity(&L);         /* firmware vendor/revision, system table */
	paging_check_cpu(&L);    /* refuse 5-level paging (CR4.LA57) up front */
	secboot_state(&L);       /* Secure Boot on: the firmware checked our signature */
	files_open_root(&L);     /* own path; the ESP it came from, or none */
	config_read(&L);         /* METASLOT.CFG beside us, then the load options */
	menu_show(&L);           /* menu_timeout=: a person changes settings, keyboard or serial */
	reports_collect(&L);     /* last run's record: report files, known-bad frames */
	fw_framebuffer(&L);      /* GOP linear framebuffer, or headless */
	fw_rsdp(&L);             /* ACPI 2.0 RSDP, 1.0 as fallback */
	fw_smbios(&L);           /* SMBIOS 3.0 entry point, 2.x as fallback */
	fw_measure_tsc(&L);      /* TSC ticks per second against Stall() */
	kernel_load(&L);         /* our .kernel section's segments into loader-code pages */
	memory_snapshot(&L);     /* the map, ram_top */
	metadata_alloc(&L);      /* metadata_size_for(ram_top) bytes */
	trampoline_alloc(&L);    /* one page below 1 MiB for AP start-up */
	paging_build(&L);        /* direct map, identity map, kernel half */
	exit_and_jump(&L);       /* ExitBootServices, CR3, kernel entry */
}
