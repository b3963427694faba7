/* Test coverage: which RAM frames this run actually tested, and why every
 * other RAM frame of the memory map was not.
 *
 * The record is a bitmap, one bit per frame below the metadata array's end,
 * set by the audit for every span its patterns ran over (audit_test_spans:
 * the passes, the table, and audit_test_block for blocks the kernel tests
 * before keeping data in them). Nothing is assumed: a frame is tested only if
 * its bit is set.
 *
 * At the end of the run coverage_report walks the firmware's map and emits
 * one coverage_type event per memory type (RAM, tested, untested bytes, the
 * untested bytes by reason), coverage_untested events for the untested
 * ranges, and the coverage event with the goal: the share of conventional,
 * boot-services, loader and metaslot-owned RAM tested. */
#ifndef METASLOT_KERNEL_COVERAGE_H
#define METASLOT_KERNEL_COVERAGE_H

#include <stdint.h>
#include <bootinfo.h>

/* Why a RAM frame was not tested. Names are the events' keys. */
enum cov_reason {
	COV_RUNTIME_SERVICES,  /* runtime code/data: the firmware's until reset */
	COV_ACPI_RECLAIM,      /* ACPI tables the kernel may still read */
	COV_ACPI_NVS,          /* the firmware's across sleep states */
	COV_UNUSABLE,          /* the firmware says it is bad */
	COV_FIRMWARE_OTHER,    /* persistent, unaccepted, unknown types */
	COV_METASLOT_ARRAY,    /* the MetaSlot array where it lives now */
	COV_KERNEL_IMAGE,      /* the kernel's code and data */
	COV_PAGE_TABLES,       /* the loader's page-table pool */
	COV_BOOTINFO,          /* the hand-off block, map copy, config text */
	COV_TRAMPOLINE,        /* the AP start-up page */
	COV_BELOW_1MIB,        /* usable RAM below 1 MiB, never managed */
	COV_KERNEL_ALLOCATION, /* allocated to the kernel while the audit ran */
	COV_KNOWN_BAD,         /* quarantined from an earlier run's record */
	COV_NOT_MANAGED,       /* usable type the allocator does not own
				* (boot_services=keep, attributes, overlaps) */
	COV_BEYOND_REACH,      /* past the direct map or the metadata array */
	COV_FREE_UNTESTED,     /* free, yet no test reached it (audit=off) */
	COV_REASONS,
};

const char *cov_reason_name(enum cov_reason r);

/* ------------------------------------------------------------ pure tally
 * Over a memory map (bootinfo descriptors), given which frames were tested
 * and why each other one was not. Host-tested (test/kernel/test_coverage). */
struct cov_type {
	uint32_t type;         /* memory type of the map */
	uint64_t ram, tested;  /* bytes */
	uint64_t untested[COV_REASONS];
};

#define COV_TYPES_MAX 24u

struct cov_tally {
	struct cov_type t[COV_TYPES_MAX];
	uint32_t ntypes;
	uint64_t ram, tested;            /* every RAM type */
	uint64_t goal_ram, goal_tested;  /* the goal's types (cov_goal_type) */
	uint64_t ranges;                 /* untested ranges, merged */
};

struct cov_source {
	void *ctx;
	int (*tested)(void *ctx, uint64_t pfn);
	enum cov_reason (*why)(void *ctx, uint64_t phys, uint32_t type);
	/* each maximal untested run of one type and reason, in map order; may be 0 */
	void (*range)(void *ctx, uint64_t start, uint64_t end, uint32_t type, enum cov_reason r);
};

/* Conventional, boot services, loader, and the BOOTINFO_MEM_* types. */
int cov_goal_type(uint32_t type);
/* Tallies every RAM descriptor (bootinfo_mem_is_ram, nonempty, no wrap);
 * types past COV_TYPES_MAX distinct ones share the last slot. */
void cov_tally_map(const void *map, uint32_t count, uint32_t stride,
		   const struct cov_source *src, struct cov_tally *out);
/* Parts per million of goal RAM tested (1000000 when there is none). */
uint64_t cov_goal_ppm(const struct cov_tally *t);

#define COV_GOAL_PPM 999000u   /* 99.9 % */

/* ------------------------------------------------------------ kernel side */
/* The bitmap, from the allocator (its frames tested first); after mm_init's
 * usable ranges, before anything is tested that should count. */
void coverage_init(uint64_t frames);
/* Frames the bitmap holds (allocated to the kernel for the whole run). */
uint64_t coverage_bitmap_frames(void);
/* Marks [phys, phys + frames * 4 KiB) tested; any CPU, any time. */
void coverage_mark_tested(uint64_t phys, uint64_t frames);
int coverage_frame_tested(uint64_t pfn);
/* Tests in place usable RAM below 1 MiB (boot-services pages there copied
 * out and back: a runtime call may read them), the AP trampoline page and
 * ACPI reclaim memory, once every AP is up and the firmware's tables are
 * read; emits tested_in_place (kernel/coverage/inplace.c). */
void coverage_test_in_place(const struct bootinfo *bi);
/* Frames of [start, end) tested so far, and all frames of it (the screen's
 * memory picture draws the share). */
void coverage_of_range(uint64_t start, uint64_t end, uint64_t *tested, uint64_t *frames);
/* The coverage_type, coverage_untested and coverage events; a check that
 * they add up to the memory map. */
void coverage_report(const struct bootinfo *bi);

#endif
