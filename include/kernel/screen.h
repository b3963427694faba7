/* The kernel's screen: the framebuffer console as a console sink, and the
 * diagnostic panel (header, memory picture, progress bars, result). Every
 * call is a no-op when there is no framebuffer, so callers never check. */
#ifndef METASLOT_KERNEL_SCREEN_H
#define METASLOT_KERNEL_SCREEN_H

#include <stdint.h>
#include <bootinfo.h>
#include <kernel/run.h>

/* Clears the screen (no firmware logo left) and attaches the console. */
void screen_init(const struct bootinfo *bi);
/* Header: firmware, CPUs, RAM, metadata array. */
void screen_header(const struct bootinfo *bi, uint32_t cpus, uint64_t ram_bytes);
/* The memory picture, from the memory map and the allocator's frame states. */
void screen_memory_picture(const struct bootinfo *bi);
/* One CPU's progress in a long phase; cheap to call often (redraws only
 * when the percentage changes). */
void screen_progress(uint32_t cpu, uint32_t percent, const char *phase);
/* The result in large type; stays on screen after the run halts. */
void screen_result(enum run_result r, const char *detail);

#endif
