/* The audit's list of bad frames, what the bad reads in them looked like
 * (memtest86+'s summary, and more), and the three forms users take the list
 * away in: a Linux kernel parameter (memmap=SIZE$ADDR,... reserves the
 * ranges), GRUB badram patterns (badram=ADDR,MASK,...: a page is bad when
 * (page & MASK) == ADDR) and Windows' bad-page list (`bcdedit /set
 * {badmemory} badmemorylist PFN PFN ...`, page frame numbers). Pure code,
 * host-tested; callers serialise. */
#ifndef METASLOT_KERNEL_BADLIST_H
#define METASLOT_KERNEL_BADLIST_H

#include <stddef.h>
#include <stdint.h>

#define BADLIST_MAX 1024
#define BADLIST_OVERFLOW_SLOTS 16384 /* frames remembered beyond the list, to count them once */
#define BADLIST_PATTERNS 32   /* pattern numbers a read may carry (AUDIT_MAX_PATTERNS) */
#define BADLIST_NO_PATTERN 0xffffffffu
/* The audit's buffer for each of the three lists: all three fit one
 * audit_result event (JSON_EVENT_MAX, 2048) beside the error detail, with
 * every pattern's count; a list cut short says how much it left out. */
#define BADLIST_EXPORT_CAP 384

struct bad_frame {
	uint64_t phys;        /* the 4 KiB frame */
	uint64_t addr;        /* first word found bad in it */
	uint64_t expected, actual;
	uint64_t bits;        /* OR of expected ^ actual over every bad read in it */
	uint32_t errors;      /* bad reads in it (0: listed by another source) */
	uint32_t patterns;    /* bit i: pattern number i read it bad */
	uint32_t cpu;
	uint32_t reported;    /* its bad_frame event was printed */
	const char *pattern;  /* the first to list it (a pattern, or a source) */
};

struct badlist {
	uint32_t n;
	uint32_t overflow_saturated; /* more distinct frames than could be counted */
	uint64_t overflow;    /* distinct bad frames beyond BADLIST_MAX (counted, not
			       * kept; a lower bound once overflow_saturated) */
	struct bad_frame f[BADLIST_MAX];
	uint64_t over[BADLIST_OVERFLOW_SLOTS]; /* frame number + 1 of each, 0 = empty */
	/* every bad read, in listed and overflowed frames alike */
	uint64_t errors;
	uint64_t bits;        /* OR of expected ^ actual */
	uint64_t lowest, highest; /* bad word addresses; meaningful once errors > 0 */
	uint64_t pattern_errors[BADLIST_PATTERNS];
};

/* Records the first bad word of a frame; returns the new entry, or NULL when
 * the frame is already listed, or the list is full (overflow then counts the
 * frame once, remembering it in an open-addressing set). */
struct bad_frame *badlist_add(struct badlist *b, uint64_t addr, uint64_t expected,
			      uint64_t actual, uint32_t cpu, const char *pattern);
/* A bad read of pattern number `pattern_no` (BADLIST_NO_PATTERN: none):
 * counted in the totals and in its frame's detail, and the frame listed as
 * badlist_add does (same return). A read that found what it expected is no
 * error: only the frame is listed. */
struct bad_frame *badlist_read(struct badlist *b, uint64_t addr, uint64_t expected,
			       uint64_t actual, uint32_t cpu, const char *pattern,
			       uint32_t pattern_no);
int badlist_contains(const struct badlist *b, uint64_t frame);
void badlist_sort(struct badlist *b);

/* "memmap=8K$0x12345000,4K$0x20000000": adjacent frames merged. Stops at a
 * whole entry when `cap` is reached and counts the ranges left out. Returns
 * the length written (NUL-terminated). An empty list gives "". */
size_t badlist_memmap_param(const struct badlist *b, char *out, size_t cap, uint32_t *omitted);
/* "badram=0x12345000,0xffffffffffffe000,...": runs of frames split into
 * aligned power-of-two blocks, one ADDR,MASK pair each. */
size_t badlist_badram(const struct badlist *b, char *out, size_t cap, uint32_t *omitted);
/* "0x12345 0x12346": the listed frames' page numbers (address / 4096), for
 * `bcdedit /set {badmemory} badmemorylist`; `omitted` counts the pages left
 * out (the list's overflow is not in it: the caller adds that). */
size_t badlist_windows(const struct badlist *b, char *out, size_t cap, uint32_t *omitted);

#endif
