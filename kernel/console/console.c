/* Line-granular output to serial and screen (console.h). The lock records
 * which CPU holds it: a fault taken while this CPU is inside line output (the
 * screen sink, say) must not wait for the lock it holds itself, so its lines
 * go out unlocked, to serial alone, since the sink it was in may be what
 * faulted. */
#include <stdarg.h>
#include <stdatomic.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <lib/fmt.h>
#include <kernel/serial.h>
#include <kernel/spinlock.h>
#include <lib/string.h>

#define NO_HOLDER UINT32_MAX

static struct spinlock lock;
static atomic_uint holder = NO_HOLDER; /* APIC id of the CPU inside the lock */
static const struct console_sink *fb_sink;
static atomic_int taken_over; /* console_take_over: the screen is this CPU's */

/* This CPU's APIC id from CPUID (the x2APIC id where leaf 0xB has it): it
 * needs neither the GS base nor the local APIC, either of which may be what
 * broke when a fault brings us here. */
static uint32_t cpu_hw_id(void)
{
	static uint32_t max_leaf;
	uint32_t r[4];

	if (!max_leaf) {
		cpuid(0, 0, r);
		max_leaf = r[0] ? r[0] : 1;
	}
	if (max_leaf >= 0xb) {
		cpuid(0xb, 0, r);
		if (r[1])
			return r[3];
	}
	cpuid(1, 0, r);
	return r[1] >> 24;
}

static uint64_t lock_out(void)
{
	uint64_t f = spin_lock_irqsave(&lock);

	/* relaxed: only this CPU compares the holder with itself; others just
	 * see "not me" whatever they read */
	atomic_store_explicit(&holder, cpu_hw_id(), memory_order_relaxed);
	return f;
}

static bool trylock_out(uint64_t *f)
{
	if (!spin_trylock_irqsave(&lock, f))
		return false;
	atomic_store_explicit(&holder, cpu_hw_id(), memory_order_relaxed);
	return true;
}

static void unlock_out(uint64_t f)
{
	atomic_store_explicit(&holder, NO_HOLDER, memory_order_relaxed);
	spin_unlock_irqrestore(&lock, f);
}

int console_held_here(void)
{
	return atomic_load_explicit(&holder, memory_order_relaxed) == cpu_hw_id();
}

void console_set_fb_sink(const struct console_sink *sink)
{
	fb_sink = sink;
}

static void line_out(const char *s, unsigned long n, int is_event)
{
	serial_write(s, n);
	serial_write("\n", 1);
	if (fb_sink)
		fb_sink->write_line(s, n, is_event);
}

void kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (console_held_here()) {
		console_emergency(buf); /* a fault inside our own output */
		return;
	}
	uint64_t f = lock_out();
	char *s = buf;

	/* one call may hold several lines: each is emitted whole */
	for (char *nl; (nl = strchr(s, '\n')); s = nl + 1)
		line_out(s, nl - s, 0);
	if (*s)
		line_out(s, strlen(s), 0);
	unlock_out(f);
}

void event_emit(struct jw *w)
{
	const char *line = jw_finish(w);

	if (console_held_here()) {
		console_emergency(line);
		return;
	}
	uint64_t f = lock_out();

	line_out(line, w->len, 1);
	unlock_out(f);
}

uint64_t console_lock(void)
{
	return lock_out();
}

int console_trylock(uint64_t *flags)
{
	return trylock_out(flags);
}

void console_unlock(uint64_t flags)
{
	unlock_out(flags);
}

void console_take_over(void)
{
	if (!console_held_here())
		return; /* the lock is free or a stopped CPU's: line_out goes on */
	if (fb_sink && fb_sink->reset)
		fb_sink->reset(); /* an escape it was in the middle of, say */
	atomic_store(&taken_over, 1);
}

void console_emergency(const char *s)
{
	if (!console_held_here() || atomic_load(&taken_over)) {
		line_out(s, strlen(s), 0);
		return;
	}
	/* this CPU faulted inside line output: serial only, line by line */
	for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
		serial_write(s, nl - s);
		serial_write("\n", 1);
	}
	serial_write(s, strlen(s));
	serial_write("\n", 1);
}
