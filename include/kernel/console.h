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
/* console_lock only if nobody holds it now: 1 (flags to give back), else 0
 * with nothing held (for output that may be skipped, not waited for). */
int console_trylock(uint64_t *flags);

/* Output with no lock, for a panic on a CPU that may hold the lock already;
 * serial only when this CPU is inside line output (its sink may have
 * faulted). kprintf and event_emit take this path by themselves when this
 * CPU holds the lock, so a fault inside output reports instead of waiting
 * for itself. */
void console_emergency(const char *s);
/* Whether this CPU holds the console lock (it faulted inside output). */
int console_held_here(void);
/* For a stop that did not come from the output code (#MC), once every other
 * CPU is stopped: if this CPU was interrupted inside output, its emergency
 * lines go to the screen again too (the sink is put back to a known state
 * first). Output that faulted itself keeps to serial: never call this from
 * a fault in the sinks. */
void console_take_over(void);

/* Sinks: serial is always tried; the framebuffer console is attached when
 * one exists. */
struct console_sink {
	void (*write_line)(const char *s, unsigned long n, int is_event);
	void (*reset)(void); /* forget a half-written line (console_take_over) */
};
void console_set_fb_sink(const struct console_sink *sink);

#endif
