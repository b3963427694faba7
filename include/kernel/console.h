/* The kernel's output: every line goes to the serial port and the framebuffer
 * console, whole, under one lock, so lines from several CPUs never
 * interleave. Human lines via kprintf; events via event_emit (json.h). */
#ifndef METASLOT_KERNEL_CONSOLE_H
#define METASLOT_KERNEL_CONSOLE_H

#include <lib/json.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void event_emit(struct jw *w);
/* The console lock, for drawing on the screen outside a line (the panel):
 * returns the interrupt state to give back to console_unlock. */
uint64_t console_lock(void);
void console_unlock(uint64_t flags);

/* Output with no lock, for a panic on a CPU that may hold the lock already. */
void console_emergency(const char *s);

/* Sinks: serial is always tried; the framebuffer console is attached when
 * one exists. */
struct console_sink {
	void (*write_line)(const char *s, unsigned long n, int is_event);
};
void console_set_fb_sink(const struct console_sink *sink);

#endif
