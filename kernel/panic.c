/* panic (panic.h). Uses console_emergency, not the console lock: the CPU that
 * panics may be the one holding it. A panic inside a panic just halts. */
#include <stdarg.h>
#include <kernel/panic.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/fmt.h>
#include <kernel/run.h>

void panic(const char *fmt, ...)
{
	static int in_panic;
	char msg[256], line[300];
	struct jw w;
	va_list ap;

	irq_save();
	if (in_panic++)
		halt_forever();
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ksnprintf(line, sizeof(line), "PANIC: %s", msg);
	console_emergency(line);
	jw_begin(&w, "panic");
	jw_str(&w, "msg", msg);
	console_emergency(jw_finish(&w));
	run_stop_failed("panic");
}
