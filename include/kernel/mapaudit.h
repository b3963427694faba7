/* Memory-map audit: checks the firmware's memory map (untrusted input) and
 * turns it into the sanitised map the MetaSlot allocator is populated from,
 * plus per-type totals and a coverage count of every frame.
 *
 * Pure and freestanding: it reads the map through the caller's pointer and
 * writes only to the caller's structs; no allocation, no global state. Every
 * problem goes to a callback as a struct mapaudit_finding and is counted;
 * mapaudit_run itself cannot fail, `ok` in the result says whether the
 * sanitised map is complete and may be used.
 *
 * Cost: O(n log n) for n <= MAPAUDIT_MAX_DESCS descriptors: one heap sort of
 * the n starts (overlaps), one of the 2n + 2 claim boundaries (sanitising),
 * everything else linear; O(1) stack. 8192 descriptors take milliseconds. */
#ifndef METASLOT_KERNEL_MAPAUDIT_H
#define METASLOT_KERNEL_MAPAUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <bootinfo.h>

#define MAPAUDIT_MAX_DESCS   8192u  /* more descriptors is "descriptor_count_absurd" */
#define MAPAUDIT_MAX_STRIDE  4096u  /* a larger DescriptorSize is "stride_invalid" */
#define MAPAUDIT_MAX_REPORTS 64u    /* findings passed to report(); the rest are counted */
#define MAPAUDIT_NO_DESC     0xffffffffu

/* Output capacity that can never overflow for a map of n descriptors: n + 1
 * claims (the kernel image) have 2n + 2 boundaries, so at most 2n + 1
 * segments, plus one split at 1 MiB. */
#define MAPAUDIT_RANGES_MAX(n) (2u * (n) + 2u)

/* The physical address width used when the caller's is outside [32, 52]:
 * the smallest any x86-64 CPU has, so nothing unaddressable is handed out. */
#define MAPAUDIT_FALLBACK_PHYS_BITS 36u
#define MAPAUDIT_LOW_LIMIT          0x100000ull /* the first 1 MiB is never USABLE */

/* UEFI memory types and attribute bits the rules below use (prefixed so
 * they never clash with gnu-efi's names). */
enum {
	UEFI_MT_RESERVED, UEFI_MT_LOADER_CODE, UEFI_MT_LOADER_DATA, UEFI_MT_BS_CODE,
	UEFI_MT_BS_DATA, UEFI_MT_RT_CODE, UEFI_MT_RT_DATA, UEFI_MT_CONVENTIONAL,
	UEFI_MT_UNUSABLE, UEFI_MT_ACPI_RECLAIM, UEFI_MT_ACPI_NVS, UEFI_MT_MMIO,
	UEFI_MT_MMIO_PORT, UEFI_MT_PAL_CODE, UEFI_MT_PERSISTENT, UEFI_MT_UNACCEPTED,
	UEFI_MT_COUNT,
};
#define UEFI_MT_OEM_FIRST 0x70000000u  /* 0x70000000..0x7fffffff: OEM defined */
#define UEFI_MT_OS_FIRST  0x80000000u  /* 0x80000000..: OS loader defined (ours) */
#define UEFI_ATTR_UC      0x1ull
#define UEFI_ATTR_WB      0x8ull
#define UEFI_ATTR_RUNTIME (1ull << 63)

/* ---------------------------------------------------------------- findings
 * `what` catalogue (E error, W warn, I info). Fields: index (and other) name
 * descriptors; phys/pages/type/attr are those of `index`; [value] below.
 * Fatal, nothing else is checked, no ranges, ok = false:
 *   E map_null [count]: count > 0 with no map.
 *   E stride_invalid [stride]: < 40 bytes or > MAPAUDIT_MAX_STRIDE.
 *   E descriptor_count_absurd [count]: > MAPAUDIT_MAX_DESCS.
 * Whole map:
 *   E map_empty: no descriptors at all (ok stays true: an empty map).
 *   W phys_width_invalid [bits given]: outside [32, 52], 36 is used.
 *   I unsorted [count of descriptors below their predecessor]: index is the
 *     first such descriptor, other its predecessor. UEFI does not promise
 *     order; the audit sorts.
 * Each descriptor, in index order:
 *   W zero_length: NumberOfPages 0; dropped.
 *   E length_overflow [pages]: PhysicalStart + pages * 4096 passes 2^64;
 *     a USABLE type is dropped, any other runs to the end of the space.
 *   W misaligned_start [phys & 0xfff]: USABLE shrinks inward to whole
 *     frames, everything else grows outward.
 *   W beyond_phys_width [1 << phys_bits]: the range ends above what the CPU
 *     can address; USABLE parts beyond it are dropped, others are kept.
 *   W attr_contradicts_type [the offending attribute bit]:
 *     - a USABLE type (loader, boot services, conventional) without WB: kept
 *       by firmware as Linux does (it cannot be mapped write-back);
 *     - one of our BOOTINFO_MEM_* types without WB: class unchanged;
 *     - MMIO / MMIO port space without UC;
 *     - runtime code/data without EFI_MEMORY_RUNTIME.
 *   E attr_contradicts_type [EFI_MEMORY_RUNTIME]: a USABLE type that runtime
 *     services claim; kept by firmware.
 *   W unknown_type [type]: 16..0x6fffffff (not RAM) or an OS type above ours
 *     (RAM, kept by firmware).
 *   I oem_type [type]: 0x70000000..0x7fffffff, treated as not RAM.
 * Overlaps, in address order; each descriptor is reported once, against the
 * earlier-starting descriptor that reaches furthest [overlapping bytes]:
 *   W overlap: both of the same type.
 *   E overlap_conflicting_types: different types (other = the earlier one).
 * Kernel image (bootinfo kernel_phys/kernel_bytes), index = NO_DESC:
 *   E kernel_image_invalid [bytes]: 0 bytes at a nonzero address, or the end
 *     wraps (then it is clamped to the end of the space);
 *   W kernel_image_misaligned [phys & 0xfff]: grows outward;
 *   E kernel_image_not_loader_code [frames]: phys is the first frame of the
 *     image that no EfiLoaderCode descriptor covers.
 * Result:
 *   E sanitized_overflow [ranges needed, pages = capacity]: ranges cut off.
 *   E coverage_mismatch [RAM frames of the map, pages = frames classed]:
 *     frames lost between the map and the sanitised ranges (ok = false).
 *   W issues_suppressed [count]: the last report, when findings were held
 *     back; it is not itself counted in n_warnings.
 * Later, from mapaudit_check_allocator:
 *   E allocator_frames_mismatch [allocator's frames, pages = USABLE frames]. */

enum mapaudit_severity {
	MAPAUDIT_SEV_INFO,  /* worth a line in the log, nothing is wrong */
	MAPAUDIT_SEV_WARN,  /* the map is odd, a conservative reading is used */
	MAPAUDIT_SEV_ERROR, /* the map is wrong; frames were taken away from the allocator */
};

struct mapaudit_finding {
	enum mapaudit_severity severity;
	const char *what;   /* static snake_case name from the catalogue */
	uint32_t index;     /* descriptor concerned, MAPAUDIT_NO_DESC if none */
	uint32_t other;     /* second descriptor (overlap, unsorted), else MAPAUDIT_NO_DESC */
	uint32_t type;      /* of `index` (0 if none) */
	uint64_t phys;      /* of `index`, or the address concerned */
	uint64_t pages;     /* of `index`, or a count, see the catalogue */
	uint64_t attr;      /* of `index` */
	uint64_t value;     /* the catalogue's [value] */
};

typedef void (*mapaudit_report_fn)(void *ctx, const struct mapaudit_finding *f);

/* "error", "warn" or "info". */
const char *mapaudit_severity_name(enum mapaudit_severity sev);

/* ---------------------------------------------------------------- classes
 * Each frame of the sanitised map is in exactly one class. A descriptor
 * claims a class by its type (and attributes):
 *   USABLE   conventional, boot services code/data, loader data, loader code
 *            (the loader's own image is dead after the jump); the allocator owns it.
 *   KERNEL   the kernel image (from bootinfo, carved out of loader code),
 *            BOOTINFO_MEM_METADATA/_PAGETABLE/_TRAMPOLINE/_BOOTINFO, and
 *            USABLE RAM below 1 MiB (legacy BIOS areas, the AP trampoline).
 *   FIRMWARE RAM that stays the firmware's: runtime code/data, ACPI reclaim
 *            (the kernel reads ACPI tables there) and NVS, unusable (bad),
 *            persistent, unaccepted, unknown OS types, and any USABLE type
 *            whose attributes forbid using it.
 *   NOT_RAM  address space the map claims but no RAM type covers: reserved,
 *            MMIO, MMIO port, PAL code, unknown or OEM types below the OS
 *            range. (bootinfo_mem_is_ram's split: reserved is not RAM, so the
 *            memmap event's ram_bytes and these counts agree.)
 * A frame claimed by several descriptors takes the most restrictive claim:
 * no RAM claim -> NOT_RAM; else any FIRMWARE or NOT_RAM claim -> FIRMWARE
 * (reserved or MMIO over RAM: nobody may touch it); else any KERNEL claim ->
 * KERNEL; else USABLE. So no frame any entry gives to firmware or kernel is
 * ever USABLE, and no frame is counted twice. */
enum mapaudit_class {
	MAPAUDIT_USABLE,
	MAPAUDIT_KERNEL,
	MAPAUDIT_FIRMWARE,
	MAPAUDIT_NOT_RAM,
	MAPAUDIT_CLASS_COUNT,
};

/* "usable", "kernel", "firmware", "not_ram". */
const char *mapaudit_class_name(enum mapaudit_class c);

/* One range of the sanitised map: [start, end), both 4 KiB aligned, end <=
 * 2^52 (the x86-64 architectural limit; nothing above it can exist). Ranges
 * are sorted, never overlap, and adjacent ranges of one class are merged;
 * holes (no claim at all) are not listed. */
struct mapaudit_range {
	uint64_t start;
	uint64_t end;
	uint32_t cls;       /* enum mapaudit_class */
	uint32_t pad;
};

/* ---------------------------------------------------------------- totals */

/* Bytes per type: slots 0..15 are the UEFI types, then our four
 * BOOTINFO_MEM_* types, then "unknown" (16..0x7fffffff) and "os_other". */
#define MAPAUDIT_SLOT_OURS     16u
#define MAPAUDIT_SLOT_UNKNOWN  20u
#define MAPAUDIT_SLOT_OS_OTHER 21u
#define MAPAUDIT_TYPE_SLOTS    22u

unsigned mapaudit_type_slot(uint32_t type);
/* A type value of the slot (16 for "unknown", 0x80000004 for "os_other"),
 * for memmap_type_name. */
uint32_t mapaudit_slot_type(unsigned slot);

/* Frames of a sanitised map against [0, top). */
struct mapaudit_coverage {
	uint64_t top;                                /* bytes, page aligned */
	uint64_t frames[MAPAUDIT_CLASS_COUNT];       /* per class, below top */
	uint64_t hole_frames;                        /* below top, in no range */
	uint64_t above_top[MAPAUDIT_CLASS_COUNT];    /* per class, at or above top */
};

struct mapaudit_result {
	bool ok;                  /* the ranges are complete and consistent: build from them */
	uint32_t phys_bits;       /* the width used */
	uint32_t range_count;     /* ranges written */
	uint32_t ranges_needed;   /* > range_count only after sanitized_overflow */

	uint64_t type_bytes[MAPAUDIT_TYPE_SLOTS]; /* as listed (overlaps counted twice, saturating) */
	uint64_t ram_bytes;       /* RAM-type bytes as listed, like the memmap event's */
	uint64_t ram_frames;      /* distinct frames a RAM-type entry (or the kernel image) claims */
	uint64_t ram_top;         /* end of the highest USABLE/KERNEL/FIRMWARE range
				   * (bootinfo_ram_top ignores overlaps) */
	uint64_t low_frames;      /* USABLE frames below 1 MiB held back as KERNEL */
	uint64_t dropped_frames;  /* USABLE frames dropped above the physical width
				   * (holes in the ranges) */

	/* Over [0, ram_top): every RAM frame is USABLE, KERNEL or FIRMWARE, so
	 * ram_frames == frames[USABLE] + frames[KERNEL] + frames[FIRMWARE] +
	 * dropped_frames, checked before ok is set. */
	struct mapaudit_coverage cov;

	/* Findings by severity, counted whether reported or not. Only the first
	 * MAPAUDIT_MAX_REPORTS reach report(): a hostile map with thousands of bad
	 * entries must not keep a 115200-baud console busy for minutes. */
	uint32_t n_errors;
	uint32_t n_warnings;
	uint32_t n_infos;
	uint32_t n_reported;
};

/* ---------------------------------------------------------------- audit */

struct mapaudit_input {
	const void *map;          /* first descriptor, `stride` bytes apart, any alignment */
	uint32_t count;
	uint32_t stride;
	uint32_t phys_bits;       /* CPUID 0x80000008 EAX[7:0] */
	uint64_t kernel_phys;     /* kernel image; 0/0 means none (host tests) */
	uint64_t kernel_bytes;
	mapaudit_report_fn report; /* may be NULL */
	void *ctx;
	bool keep_boot_services;  /* boot services code/data stay FIRMWARE, for
				   * firmware whose runtime services still touch it */
};

/* Work space for the sorts, caller-provided so the audit allocates nothing:
 * the kernel keeps one in .bss (256 KiB). */
struct mapaudit_point {
	uint64_t key;             /* address or frame number */
	uint32_t id;              /* descriptor index, or the kernel image's id */
	uint32_t aux;             /* boundary kind and claim class (sanitize.c) */
};

struct mapaudit_scratch {
	struct mapaudit_point pts[2u * MAPAUDIT_MAX_DESCS + 2u];
};

/* Audits in->map, writes the sanitised map to ranges[0..capacity) and fills
 * *out (entirely overwritten). Never writes past capacity; size it with
 * MAPAUDIT_RANGES_MAX(count). */
void mapaudit_run(const struct mapaudit_input *in, struct mapaudit_scratch *scratch,
		  struct mapaudit_range *ranges, uint32_t capacity, struct mapaudit_result *out);

/* Counts the frames of ranges[0..n) against [0, top) (top rounded up to a
 * frame). Returns false if the ranges are not a sanitised map (unsorted,
 * overlapping, unaligned, empty, bad class); the counts are then meaningless.
 * The kernel calls it with bootinfo ram_top, the extent of the metadata array:
 * above_top[MAPAUDIT_USABLE] must then be 0. */
bool mapaudit_coverage(const struct mapaudit_range *ranges, uint32_t n, uint64_t top,
		       struct mapaudit_coverage *cov);

/* Does the metadata array, frames [0, meta_frames), hold every frame the
 * allocator is given: the USABLE ranges (mm_init.c takes no other)? KERNEL
 * and FIRMWARE ranges may reach past it: an entry beyond the CPU's width that
 * is not USABLE is kept ("beyond_phys_width"), while bootinfo_ram_top sized
 * the array up to the width; nothing indexes the array with their frames. */
bool mapaudit_metadata_covers(const struct mapaudit_range *ranges, uint32_t n,
			      uint64_t meta_frames);

/* The closing check, once the allocator is populated: the frames it owns must
 * be exactly the USABLE frames below cov->top. Reports
 * allocator_frames_mismatch (not subject to MAPAUDIT_MAX_REPORTS) when not. */
bool mapaudit_check_allocator(const struct mapaudit_coverage *cov, uint64_t allocator_frames,
			      mapaudit_report_fn report, void *ctx);

/* ---------------------------------------------------------------- internal
 * Shared by the files of kernel/mapaudit/ only. */

/* The state of one run: input, output, counters. */
struct mapaudit_ctx {
	const struct mapaudit_input *in;
	struct mapaudit_point *pts;
	struct mapaudit_range *ranges;
	uint32_t capacity;
	struct mapaudit_result *out;
	uint64_t width_limit;     /* 1 << phys_bits */
};

#define MAPAUDIT_ARCH_LIMIT (1ull << 52)   /* x86-64: no physical address above */
#define MAPAUDIT_KERNEL_ID  0xfffffffeu    /* point id of the kernel image claim */

void mapaudit_note(struct mapaudit_ctx *c, enum mapaudit_severity sev, const char *what,
		   uint32_t index, uint32_t other, uint64_t value);
void mapaudit_note_at(struct mapaudit_ctx *c, enum mapaudit_severity sev, const char *what,
		      uint64_t phys, uint64_t pages, uint64_t value);
struct bootinfo_mem_desc mapaudit_desc(const struct mapaudit_ctx *c, uint32_t i);
/* The last byte of a descriptor with pages > 0; false if it would pass 2^64
 * (length_overflow), *last is then UINT64_MAX. */
bool mapaudit_desc_last(const struct bootinfo_mem_desc *d, uint64_t *last);
/* The class a descriptor claims on its own, before overlaps are resolved. */
enum mapaudit_class mapaudit_classify(uint32_t type, uint64_t attr);
void mapaudit_check_attrs(struct mapaudit_ctx *c, uint32_t i, const struct bootinfo_mem_desc *d);
void mapaudit_sort(struct mapaudit_point *p, uint32_t n);
void mapaudit_overlaps(struct mapaudit_ctx *c);
void mapaudit_sanitize(struct mapaudit_ctx *c);

#endif
