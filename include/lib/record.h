/* The record a run leaves in a UEFI non-volatile variable, read back by the
 * loader on the next boot. Shared by the kernel (writes it through runtime
 * SetVariable) and the loader (reads it with GetVariable, writes the report
 * files, hands the known-bad frames to the kernel). Fixed-width, little-endian,
 * versioned like bootinfo: magic, version, size first; the reader validates
 * everything (report_record_validate) before using any of it. */
#ifndef METASLOT_LIB_RECORD_H
#define METASLOT_LIB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define REPORT_MAGIC      0x5252534du /* "MSRR" */
#define REPORT_VERSION    1u
#define REPORT_MAX_RANGES 128u

/* Variable "MetaslotLastRun" in metaslot's own vendor GUID
 * 4d455441-534c-4f54-9a1c-3e5f7b2d4c6e, attributes NV+BS+RT. */
#define REPORT_VAR_NAME_ASCII "MetaslotLastRun"
#define REPORT_VAR_ATTRIBUTES 0x7u
#define REPORT_GUID_INIT { 0x4d455441, 0x534c, 0x4f54, \
	{ 0x9a, 0x1c, 0x3e, 0x5f, 0x7b, 0x2d, 0x4c, 0x6e } }

enum report_result { REPORT_PASS, REPORT_BAD_MEMORY, REPORT_FAIL };

/* A run of bad frames: frame numbers [first, first + count), below
 * REPORT_FRAME_LIMIT (2^40 frames: 4 PiB, above any 52-bit machine's RAM). */
#define REPORT_FRAME_LIMIT (1ull << 40)
struct report_range {
	uint64_t first;
	uint64_t count;
};

#define REPORT_FLAG_WIDENED 1u /* too many ranges: neighbours were merged, gaps included */

struct report_record {
	uint32_t magic;
	uint32_t version;
	uint32_t size;              /* bytes in use: header + nranges ranges */
	uint32_t flags;             /* REPORT_FLAG_* */
	char run_id[24];            /* date-time "YYYYMMDD-HHMMSS-" + 4 hex digits, NUL-terminated */
	uint16_t year;
	uint8_t month, day, hour, minute, second, pad0;
	char fw_vendor[32];
	uint32_t fw_revision;
	uint32_t cpus;
	uint64_t ram_bytes;
	uint64_t tested_frames;
	uint32_t result;            /* enum report_result */
	uint32_t found_frames;      /* bad frames this run found */
	uint64_t bad_frames;        /* frames in the ranges (known + found) */
	uint32_t nranges;
	uint32_t pad1;
	struct report_range ranges[REPORT_MAX_RANGES];
};

static inline uint32_t report_record_size(uint32_t nranges)
{
	return (uint32_t)(offsetof(struct report_record, ranges) +
			  nranges * sizeof(struct report_range));
}

/* Adds frame number f to the sorted, disjoint ranges (merging neighbours).
 * When REPORT_MAX_RANGES would be exceeded, the two ranges with the smallest
 * gap are merged (the gap counts as bad: conservative) and
 * REPORT_FLAG_WIDENED is set. Keeps bad_frames and size up to date. */
void report_record_add_frame(struct report_record *r, uint64_t f);

/* NULL if the `len` bytes at `buf` are a record this code can trust, else a
 * static message naming the first problem. */
const char *report_record_validate(const void *buf, size_t len);

/* Whether frame number f lies in the record's ranges. */
int report_record_has_frame(const struct report_record *r, uint64_t f);

/* The report files: JSON (one object) and plain text for people. Each
 * returns the length written (NUL-terminated, cut to fit `cap`). */
size_t report_record_json(const struct report_record *r, char *out, size_t cap);
size_t report_record_text(const struct report_record *r, char *out, size_t cap);

#endif
