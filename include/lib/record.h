/* The record a run leaves in a UEFI non-volatile variable, read back by the
 * loader on the next boot (and by tools/metaslot-lastrun from Linux). Shared
 * by the kernel (writes it through runtime SetVariable) and the loader (reads
 * it with GetVariable, writes the report files, hands the known-bad frames to
 * the kernel). Fixed-width, little-endian, versioned like bootinfo: magic,
 * version, size first; the reader decodes and validates everything
 * (report_record_decode) before using any of it.
 *
 * Version 2 is a journal: the kernel rewrites it while the run goes on
 * (result REPORT_RUNNING, with the pass, pattern and percent running), so a
 * record still RUNNING when it is read back is a run that did not finish.
 * Its bytes are the struct below up to `ranges`, then `nranges` ranges.
 * Version 1 (no journal block: the ranges follow `pad1` at byte
 * REPORT_V1_HEADER) is still decoded. */
#ifndef METASLOT_LIB_RECORD_H
#define METASLOT_LIB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define REPORT_MAGIC      0x5252534du /* "MSRR" */
#define REPORT_VERSION    2u
#define REPORT_MAX_RANGES 128u
#define REPORT_MAX_MCES   4u    /* machine-check errors kept (all are counted) */
#define REPORT_MAX_DIMMS  8u    /* populated DIMMs kept (all are counted) */
#define REPORT_V1_HEADER  128u  /* version 1: the ranges start here */

/* Variable "MetaslotLastRun" in metaslot's own vendor GUID
 * 4d455441-534c-4f54-9a1c-3e5f7b2d4c6e, attributes NV+BS+RT. */
#define REPORT_VAR_NAME_ASCII "MetaslotLastRun"
#define REPORT_VAR_ATTRIBUTES 0x7u
#define REPORT_GUID_INIT { 0x4d455441, 0x534c, 0x4f54, \
	{ 0x9a, 0x1c, 0x3e, 0x5f, 0x7b, 0x2d, 0x4c, 0x6e } }

/* RUNNING: written while the run goes on; read back, the run did not finish. */
enum report_result { REPORT_PASS, REPORT_BAD_MEMORY, REPORT_FAIL, REPORT_RUNNING };

/* A run of bad frames: frame numbers [first, first + count), below
 * REPORT_FRAME_LIMIT (2^40 frames: 4 PiB, above any 52-bit machine's RAM). */
#define REPORT_FRAME_LIMIT (1ull << 40)
struct report_range {
	uint64_t first;
	uint64_t count;
};

#define REPORT_FLAG_WIDENED 1u /* too many ranges: neighbours were merged, gaps included */
#define REPORT_FLAG_FROM_V1 2u /* decoded from a version-1 record: no journal block */

/* A machine-check error of this run (lib/record.h keeps the first few). */
struct report_mce {
	uint64_t status;            /* MCi_STATUS */
	uint64_t addr;              /* MCi_ADDR, 0 when the status says it is not valid */
	uint32_t cpu, bank;
};

/* A populated memory device from SMBIOS type 17; strings NUL-terminated, cut. */
struct report_dimm {
	char locator[16];
	char part[24];
	uint64_t size;              /* bytes */
};

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
	/* ---- version 2: the journal. year..second above are when the audit
	 * started; the run id is made from them once per run. */
	uint16_t upd_year;          /* the firmware clock at this write */
	uint8_t upd_month, upd_day, upd_hour, upd_minute, upd_second, pad2;
	uint32_t pass, passes;      /* pass running (1-based; 0 before the first) of passes */
	uint32_t percent;           /* of the whole audit */
	uint32_t writes;            /* journal writes this run, this one included */
	uint64_t elapsed_ms;        /* since the audit started */
	char pattern[24];           /* pattern running (or about to), "" none; NUL-terminated */
	char skipped[24];           /* resume=on: the pattern this run left out, "" none */
	char reason[24];            /* why a failed run stopped ("machine_check"), "" none */
	uint32_t mce_errors;        /* machine-check errors this run (all counted) */
	uint32_t nmces;             /* kept in mces[], <= REPORT_MAX_MCES */
	uint32_t dimms_total;       /* populated DIMMs SMBIOS listed */
	uint32_t ndimms;            /* kept in dimms[], <= REPORT_MAX_DIMMS */
	struct report_mce mces[REPORT_MAX_MCES];
	struct report_dimm dimms[REPORT_MAX_DIMMS];
	struct report_range ranges[REPORT_MAX_RANGES];
};

_Static_assert(__builtin_offsetof(struct report_record, upd_year) == REPORT_V1_HEADER,
	       "version-1 fields never move");
_Static_assert(__builtin_offsetof(struct report_record, ranges) == 728,
	       "tools/metaslot-lastrun decodes this layout");

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

/* NULL if the `len` bytes at `buf` are a version-2 record this code can
 * trust, else a static message naming the first problem. */
const char *report_record_validate(const void *buf, size_t len);

/* The `len` bytes at `buf` (a version-1 or version-2 record as stored)
 * decoded into `out`, always in the version-2 layout, then validated: NULL
 * when `out` can be trusted, else the first problem (`out` is then zeroed). */
const char *report_record_decode(const void *buf, size_t len, struct report_record *out);

/* "pass", "bad_memory", "fail", or "did_not_finish" for a RUNNING record
 * read back (the run that wrote it never reached its end). */
const char *report_result_name(uint32_t result);

/* Whether frame number f lies in the record's ranges. */
int report_record_has_frame(const struct report_record *r, uint64_t f);

/* The report files: JSON (one object) and plain text for people. Each
 * returns the length written (NUL-terminated, cut to fit `cap`). */
size_t report_record_json(const struct report_record *r, char *out, size_t cap);
size_t report_record_text(const struct report_record *r, char *out, size_t cap);

#endif
