/* Line-granular output to serial and screen (console.h). */
#include <stdarg.h>
#include <kernel/console.h>
#include <lib/fmt.h>
#include <kernel/serial.h>
#include <kernel/spinlock.h>
#include <lib/string.h>

static struct spinlock lock;
static const struct console_sink *fb_sink;

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

	uint64_t f = spin_lock_irqsave(&lock);
	char *s = buf;

	/* one call may hold several lines: each is emitted whole */
	for (char *nl; (nl = strchr(s, '\n')); s = nl + 1)
		line_out(s, nl - s, 0);
	if (*s)
		line_out(s, strlen(s), 0);
	spin_unlock_irqrestore(&lock, f);
}

void event_emit(struct jw *w)
{
	const char *line = jw_finish(w);
	uint64_t f = spin_lock_irqsave(&lock);

	line_out(line, w->len, 1);
	spin_unlock_irqrestore(&lock, f);
}

uint64_t console_lock(void)
{
	return spin_lock_irqsave(&lock);
}

void console_unlock(uint64_t flags)
{
	spin_unlock_irqrestore(&lock, flags);
}

void console_emergency(const char *s)
{
	line_out(s, strlen(s), 0);
}
