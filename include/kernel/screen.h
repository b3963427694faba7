/* The kernel's screen: the framebuffer console as a console sink (human
 * lines; JSON events only with screen_log=json), and the diagnostic panel
 * (header, test and error tables, memory picture, progress bars, result). Every
 * call is a no-op when there is no framebuffer, so callers never check. */
#ifndef METASLOT_KERNEL_SCREEN_H
#define METASLOT_KERNEL_SCREEN_H

#include <stdint.h>
#include <bootinfo.h>
#include <kernel/run.h>

/* Clears the screen (no firmware logo left) and attaches the console. */
void screen_init(const struct bootinfo *bi);
/* Header: firmware, version, CPU model and count, RAM, metadata array,
 * DIMMs, elapsed time. */
void screen_header(const struct bootinfo *bi, uint32_t cpus, uint64_t ram_bytes);
/* The header, test table and error table redrawn from the run's state now
 * (audit_status, bad frames, machine checks); screen_tick does it at most
 * a few times a second, cheap to call as often as progress is made. */
void screen_refresh(void);
void screen_tick(void);
/* The same, for #MC with every other CPU stopped: takes no lock (the console's
 * or the bad-frame list's may be held by a stopped CPU), so the list's new
 * entries wait; the machine-check records, lock-free, are drawn. */
void screen_refresh_stopped(void);
/* The memory picture, from the memory map and the allocator's frame states. */
void screen_memory_picture(const struct bootinfo *bi);
/* One CPU's progress in a long phase; cheap to call often (redraws only
 * when the percentage changes). */
void screen_progress(uint32_t cpu, uint32_t percent, const char *phase);
/* The same from a CPU in the middle of its work: skipped while another CPU
 * holds the console (a panel refresh, another bar: to an uncached
 * framebuffer that takes milliseconds), so no CPU waits to draw a bar. */
void screen_progress_try(uint32_t cpu, uint32_t percent, const char *phase);
/* The result in large type; stays on screen after the run halts. */
void screen_result(enum run_result r, const char *detail);

#endif
