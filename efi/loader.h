/* State shared by the loader's steps (efi/main.c calls them in order). This is
 * the only part of metaslot that calls UEFI boot services. */
#ifndef METASLOT_EFI_LOADER_H
#define METASLOT_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <bootinfo.h>
#include "elf_load.h"
#include "pagetable.h"
#include "selfpath.h"

#define LOADER_NAME "metaslot-loader 0.1"
#define CONFIG_MAX  16384  /* bytes of config text handed to the kernel */

struct loader {
	EFI_HANDLE image;
	EFI_LOADED_IMAGE *loaded;
	EFI_FILE_HANDLE root;        /* the ESP we were loaded from, or NULL */
	CHAR16 self[SELFPATH_MAX];   /* own file path, "" if unknown */
	CHAR16 home[SELFPATH_MAX];   /* folder of METASLOT.CFG and REPORTS, ends in '\'; "" without root */
	struct bootinfo *bi;         /* in BOOTINFO_MEM_BOOTINFO pages */
	char *config;                /* CONFIG_MAX bytes after the bootinfo page */
	struct elf_plan kplan;
	struct pt_pool pt;
	EFI_MEMORY_DESCRIPTOR *map;  /* snapshot used for sizing and paging */
	UINTN map_count, map_desc_size;   /* descriptors in the snapshot */
	UINT32 map_desc_version;
};

/* log.c: every failure before the jump ends here: message on the console and
 * on COM1 (as a loader_error event), then halt. Never returns to firmware. */
void ldr_fatal(const char *what, EFI_STATUS status) __attribute__((noreturn));
void ldr_note(const char *msg);
void ldr_boot_services_gone(void);

/* memory.c */
void bootinfo_alloc(struct loader *L);
void memory_snapshot(struct loader *L);
void metadata_alloc(struct loader *L);
void trampoline_alloc(struct loader *L);

/* fw.c */
void fw_identity(struct loader *L);
void fw_framebuffer(struct loader *L);
void fw_rsdp(struct loader *L);
void fw_smbios(struct loader *L);
void fw_measure_tsc(struct loader *L);

/* secboot.c: BOOTINFO_FLAG_SECURE_BOOT from the SecureBoot variable */
void secboot_state(struct loader *L);

/* files.c */
void files_open_root(struct loader *L);
void *files_read(struct loader *L, const CHAR16 *path, UINTN *size);
void config_read(struct loader *L);

/* menu_ui.c: the pre-boot menu (menu.c) for menu_timeout= seconds; the
 * settings chosen are appended to the config text */
void menu_show(struct loader *L);

/* reports.c: the previous run's record -> report files, known-bad frames */
void reports_collect(struct loader *L);

/* kernel_load.c, paging.c, handoff.c */
void kernel_load(struct loader *L);
void paging_check_cpu(struct loader *L);
void paging_build(struct loader *L);
void exit_and_jump(struct loader *L) __attribute__((noreturn));

#endif
