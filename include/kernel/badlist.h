/* The audit's list of bad frames, and the two forms users take it away in:
 * a Linux kernel parameter (memmap=SIZE$ADDR,... reserves the ranges) and
 * GRUB badram patterns (badram=ADDR,MASK,...: a page is bad when
 * (page & MASK) == ADDR). Pure code, host-tested; callers serialise. */
#ifndef METASLOT_KERNEL_BADLIST_H
#define METASLOT_KERNEL_BADLIST_H

#include <stddef.h>
#include <stdint.h>

#define BADLIST_MAX 1024
#define BADLIST_OVERFLOW_SLOTS 16384 /* frames remembered beyond the list, to count them once */

struct bad_frame {
	uint64_t phys;        /* the 4 KiB frame */
	uint64_t addr;        /* first word found bad in it */
	uint64_t expected, actual;
	uint32_t cpu;
	uint32_t reported;    /* its bad_frame event was printed */
	const char *pattern;
};

struct badlist {
	uint32_t n;
	uint32_t overflow_saturated; /* more distinct frames than could be counted */
	uint64_t overflow;    /* distinct bad frames beyond BADLIST_MAX (counted, not
			       * kept; a lower bound once overflow_saturated) */
	struct bad_frame f[BADLIST_MAX];
	uint64_t over[BADLIST_OVERFLOW_SLOTS]; /* frame number + 1 of each, 0 = empty */
};

/* Records the first bad word of a frame; returns the new entry, or NULL when
 * the frame is already listed, or the list is full (overflow then counts the
 * frame once, remembering it in an open-addressing set). */
struct bad_frame *badlist_add(struct badlist *b, uint64_t addr, uint64_t expected,
			      uint64_t actual, uint32_t cpu, const char *pattern);
int badlist_contains(const struct badlist *b, uint64_t frame);
void badlist_sort(struct badlist *b);

/* "memmap=8K$0x12345000,4K$0x20000000": adjacent frames merged. Stops at a
 * whole entry when `cap` is reached and counts the ranges left out. Returns
 * the length written (NUL-terminated). An empty list gives "". */
size_t badlist_memmap_param(const struct badlist *b, char *out, size_t cap, uint32_t *omitted);
/* "badram=0x12345000,0xffffffffffffe000,...": runs of frames split into
 * aligned power-of-two blocks, one ADDR,MASK pair each. */
size_t badlist_badram(const struct badlist *b, char *out, size_t cap, uint32_t *omitted);

#endif
