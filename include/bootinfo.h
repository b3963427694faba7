/* The one contract between the UEFI loader (efi/) and the kernel.
 *
 * Rules: fixed-width fields only; every address is PHYSICAL unless its name
 * says virt; the struct is append-only (new fields go at the end and bump
 * BOOTINFO_VERSION; old fields never move or change meaning). The kernel checks
 * magic, then version, then that `size` covers every field it reads, before it
 * trusts anything else here (bootinfo_validate in kernel/bootinfo.c).
 *
 * Memory-map guarantees: `mmap` is the firmware's map as returned by the final
 * GetMemoryMap before ExitBootServices, copied verbatim: descriptors are `stride`
 * bytes apart (stride >= sizeof(struct bootinfo_mem_desc)), in firmware order,
 * not sanitised. The loader's own allocations appear in it with the
 * BOOTINFO_MEM_* types below, so an audit can tell them from firmware memory. */
#ifndef METASLOT_BOOTINFO_H
#define METASLOT_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_MAGIC   0x544f4f424c534d4dull /* "MMSLBOOT" little-endian */
#define BOOTINFO_VERSION 3u

/* OS-defined UEFI memory types (0x80000000..0xffffffff are reserved for OS
 * loaders by the UEFI spec). The kernel image itself is EfiLoaderCode. */
#define BOOTINFO_MEM_METADATA   0x80000000u /* the MetaSlot metadata array */
#define BOOTINFO_MEM_PAGETABLE  0x80000001u /* page tables built by the loader */
#define BOOTINFO_MEM_TRAMPOLINE 0x80000002u /* AP start-up page below 1 MiB */
#define BOOTINFO_MEM_BOOTINFO   0x80000003u /* this struct, map copy, config text */

/* Virtual layout the loader's page tables establish. */
#define BOOTINFO_DIRECT_MAP_BASE 0xffff800000000000ull /* phys p at base + p */
#define BOOTINFO_KERNEL_BASE     0xffffffff80000000ull /* kernel.elf link base */
/* Physical memory at or above this is not mapped at all (the loader leaves
 * such map entries out; the kernel reports them): 64 TiB, PML4 slots
 * 256..383, clear of the stacks (slot 510) and the kernel (511). A power of
 * two, so the kernel's map audit drops usable RAM above it as it drops RAM
 * beyond the CPU's physical width. */
#define BOOTINFO_DIRECT_MAP_REACH_BITS 46u
#define BOOTINFO_DIRECT_MAP_REACH      (1ull << BOOTINFO_DIRECT_MAP_REACH_BITS)

/* UEFI EFI_MEMORY_DESCRIPTOR, version 1 layout (the firmware may use a larger
 * stride; never index with sizeof). */
struct bootinfo_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t num_pages; /* 4 KiB pages */
	uint64_t attribute;
};

/* Framebuffer: base == 0 means headless (no GOP, or a blt-only GOP). The
 * colour masks are filled for every UEFI pixel format (RGB, BGR, bitmask), so
 * a consumer can always compose pixels from the masks alone. */
struct bootinfo_fb {
	uint64_t base;
	uint64_t size;
	uint32_t width;
	uint32_t height;
	uint32_t stride;      /* pixels per scan line */
	uint32_t format;      /* UEFI EFI_GRAPHICS_PIXEL_FORMAT value */
	uint32_t red_mask;
	uint32_t green_mask;
	uint32_t blue_mask;
	uint32_t reserved_mask;
};

/* Does the buffer hold its geometry (stride >= width, stride * height * 4
 * bytes) without wrapping past 2^64? The loader drops a mode that does not,
 * the kernel rejects a hand-off that does not. The product of two 32-bit
 * fields and 4 can pass 2^64, so it is compared by division: row * height <=
 * size exactly when row <= size / height. */
static inline int bootinfo_fb_fits(const struct bootinfo_fb *fb)
{
	uint64_t row = (uint64_t)fb->stride * 4;

	return fb->stride >= fb->width && fb->base <= UINT64_MAX - fb->size &&
	       (fb->height == 0 || row <= fb->size / fb->height);
}

#define BOOTINFO_FLAG_ACPI2           (1u << 0) /* rsdp came from the ACPI 2.0 GUID */
#define BOOTINFO_FLAG_LOADOPT_IGNORED (1u << 1) /* load options were not text */
#define BOOTINFO_FLAG_NO_CONFIG_FILE  (1u << 2) /* METASLOT.CFG missing/unreadable */
/* started without a file system on its device (e.g. from a memory buffer):
 * config from the load options only, no report files, the record stays in
 * the variable (version 3) */
#define BOOTINFO_FLAG_NO_FILESYSTEM   (1u << 3)
#define BOOTINFO_FLAG_SECURE_BOOT     (1u << 4) /* SecureBoot variable is 1 (version 3) */

struct bootinfo {
	uint64_t magic;
	uint32_t version;
	uint32_t size;              /* bytes of this struct the loader wrote */

	char     loader[32];        /* loader name and version, NUL-terminated */
	char     fw_vendor[64];     /* firmware vendor, UCS-2 folded to ASCII */
	uint32_t fw_revision;
	uint32_t flags;             /* BOOTINFO_FLAG_* */

	uint64_t mmap;              /* first descriptor */
	uint32_t mmap_count;
	uint32_t mmap_stride;       /* DescriptorSize */
	uint32_t mmap_desc_version;
	uint32_t pad0;
	uint64_t ram_top;           /* end of the highest RAM-like range */

	struct bootinfo_fb fb;

	uint64_t rsdp;              /* 0 if the firmware gave none */

	uint64_t meta_phys;         /* metadata array, page aligned */
	uint64_t meta_bytes;        /* == metadata_size_for(ram_top) */
	uint64_t meta_frames;       /* frames covered: ceil(ram_top / 4096) */

	uint64_t kernel_phys;       /* kernel image, contiguous */
	uint64_t kernel_bytes;
	uint64_t kernel_entry;      /* virtual */

	uint64_t pagetable_phys;    /* PML4 (the loaded CR3) */
	uint64_t pagetable_bytes;   /* the pool all page-table pages came from */
	uint64_t direct_map_top;    /* end of the highest direct-mapped byte + 1 */

	uint64_t trampoline;        /* one page below 1 MiB, 0 if none */

	uint64_t config;            /* config text: file, then load options */
	uint32_t config_len;
	uint32_t pad1;

	uint64_t efi_system_table;
	uint64_t efi_runtime_services;

	uint64_t tsc_hz;            /* measured by the loader against Stall() */

	/* ---- version 2: what the previous run left (lib/record.h) */
	uint64_t known_bad;         /* struct report_range[known_bad_count], frame numbers */
	uint32_t known_bad_count;
	uint32_t last_run_status;   /* enum bootinfo_last_run */
	char     last_run_id[24];   /* the previous run's id, "" if none */
	uint32_t reports_kept;      /* report files in <home>REPORTS after pruning */
	uint32_t report_error;      /* low 32 bits of the EFI status that stopped writing */

	/* ---- version 3: the SMBIOS entry point from the configuration table */
	uint64_t smbios;            /* entry point structure, 0 if the firmware gave none */
	uint32_t smbios_kind;       /* enum bootinfo_smbios_kind: which GUID it came from */
	uint32_t pad2;
	/* where the one-file loader came from; ASCII (other UCS-2 characters as
	 * '?'), NUL-terminated */
	char     image_path[128];   /* its own file ("\EFI\BOOT\BOOTX64.EFI"), "" if unknown */
	char     home[128];         /* folder of METASLOT.CFG and REPORTS, "" without a file system */
};

/* The size of each version: a kernel reads the later fields only when `size`
 * covers them (bootinfo_has_v2, bootinfo_has_v3). */
#define BOOTINFO_V1_SIZE 328u
#define BOOTINFO_V2_SIZE 376u
#define BOOTINFO_V3_SIZE 648u
_Static_assert(__builtin_offsetof(struct bootinfo, known_bad) == BOOTINFO_V1_SIZE,
	       "version-1 fields never move");
_Static_assert(__builtin_offsetof(struct bootinfo, smbios) == BOOTINFO_V2_SIZE,
	       "version-2 fields never move");
_Static_assert(sizeof(struct bootinfo) == BOOTINFO_V3_SIZE, "version 3 is complete");

/* SMBIOS3_TABLE_GUID gives a 64-bit "_SM3_" entry point, SMBIOS_TABLE_GUID a
 * 32-bit "_SM_" one; the loader prefers the first (SMBIOS 3.0). */
enum bootinfo_smbios_kind {
	BOOTINFO_SMBIOS_NONE = 0,
	BOOTINFO_SMBIOS_2 = 2,
	BOOTINFO_SMBIOS_3 = 3,
};

enum bootinfo_last_run {
	BOOTINFO_LAST_RUN_NONE = 0,      /* no record in the variable store */
	BOOTINFO_LAST_RUN_WRITTEN,       /* record read, report files written */
	BOOTINFO_LAST_RUN_INVALID,       /* a record was there but failed validation */
	BOOTINFO_LAST_RUN_WRITE_FAILED,  /* record read, the ESP refused the files */
	BOOTINFO_LAST_RUN_FORGOTTEN,     /* known_bad=forget: record deleted, not used */
	BOOTINFO_LAST_RUN_NO_FILESYSTEM, /* record read and used, no file system to write to */
};

static inline int bootinfo_has_v2(const struct bootinfo *bi)
{
	return bi->version >= 2 && bi->size >= BOOTINFO_V2_SIZE;
}

static inline int bootinfo_has_v3(const struct bootinfo *bi)
{
	return bi->version >= 3 && bi->size >= BOOTINFO_V3_SIZE;
}

/* The i-th descriptor of a map whose descriptors are `stride` bytes apart.
 * Only for a map known to be 8-byte aligned at a stride that is a multiple
 * of 8 (the kernel's, after bootinfo_validate); firmware's own map may have
 * any stride >= 40, so the loader reads it with bootinfo_desc_get. */
static inline const struct bootinfo_mem_desc *
bootinfo_desc_at(const void *map, uint32_t stride, uint32_t i)
{
	return (const struct bootinfo_mem_desc *)((const uint8_t *)map + (uint64_t)i * stride);
}

/* A copy of the i-th descriptor: no alignment assumed, as the firmware's
 * DescriptorSize need not be a multiple of 8. */
static inline struct bootinfo_mem_desc bootinfo_desc_get(const void *map, uint32_t stride,
							 uint32_t i)
{
	struct bootinfo_mem_desc d;

	__builtin_memcpy(&d, (const uint8_t *)map + (uint64_t)i * stride, sizeof(d));
	return d;
}

/* RAM-like UEFI memory types: memory that is DRAM whatever its current owner.
 * Reserved (0), MMIO (11, 12) and PalCode (13) are not; OS-defined types
 * (>= 0x80000000) are only ever ours, carved from RAM. */
static inline int bootinfo_mem_is_ram(uint32_t type)
{
	if (type >= 0x80000000u)
		return 1;
	switch (type) {
	case 1: case 2: case 3: case 4: case 5: case 6: /* loader, boot, runtime */
	case 7:                                         /* conventional */
	case 8:                                         /* unusable (bad) DRAM */
	case 9: case 10:                                /* ACPI reclaim, NVS */
	case 14:                                        /* persistent */
	case 15:                                        /* unaccepted */
		return 1;
	default:
		return 0;
	}
}

/* ram_top: the end of the highest RAM-like range below `limit` (the CPU's
 * physical address space, 1 << MAXPHYADDR: a stray entry beyond it must not
 * size a metadata array for memory that cannot exist); the metadata array
 * covers [0, ram_top). Zero-length ranges and ranges whose last byte is past
 * 2^64 are ignored (broken map); one ending at 2^64 exactly is not broken
 * (mapaudit takes it, so the allocator may get its frames) and, like any
 * range crossing `limit`, counts up to `limit`. */
static inline uint64_t bootinfo_ram_top(const void *map, uint32_t count, uint32_t stride,
					uint64_t limit)
{
	uint64_t top = 0;

	for (uint32_t i = 0; i < count; i++) {
		struct bootinfo_mem_desc d = bootinfo_desc_get(map, stride, i);
		uint64_t room = UINT64_MAX - d.phys_start;
		uint64_t max_pages = (room >> 12) + ((room & 0xfff) == 0xfff);
		uint64_t last, end;

		if (!bootinfo_mem_is_ram(d.type) || d.num_pages == 0 || d.num_pages > max_pages ||
		    d.phys_start >= limit)
			continue;
		last = d.phys_start + ((d.num_pages << 12) - 1); /* mod 2^64: exact */
		end = last >= limit ? limit : last + 1;
		if (end > top)
			top = end;
	}
	return top;
}

/* The limit both sides give bootinfo_ram_top: the CPU's physical address
 * space, cut at the direct map's reach (RAM beyond it cannot be used). */
static inline uint64_t bootinfo_ram_limit(uint64_t phys_limit)
{
	return phys_limit < BOOTINFO_DIRECT_MAP_REACH ? phys_limit : BOOTINFO_DIRECT_MAP_REACH;
}

#endif
