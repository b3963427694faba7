/* panic (panic.h). Uses console_emergency, not the console lock: the CPU that
 * panics may be the one holding it. A panic inside a panic just halts. */
#include <stdarg.h>
#include <stdatomic.h>
#include <kernel/panic.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/journal.h>
#include <lib/fmt.h>
#include <kernel/run.h>
#include <kernel/smp.h>

static atomic_int panicking;

int panic_active(void)
{
	return atomic_load(&panicking);
}

void panic_begin(void)
{
	irq_save();
	if (atomic_fetch_add(&panicking, 1))
		halt_forever();   /* a second panic, here or on another CPU */
	smp_stop_others();    /* their NMI handler halts them: no interleaving */
}

void panic(const char *fmt, ...)
{
	char msg[256], line[300];
	struct jw w;
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ksnprintf(line, sizeof(line), "PANIC: %s", msg);
	console_emergency(line);
	jw_begin(&w, "panic");
	jw_str(&w, "msg", msg);
	console_emergency(jw_finish(&w));
	/* the record says fail, reason panic (its 24-byte reason has no room
	 * for the message: the panic event above carries that) */
	journal_stop("panic");
	run_stop_failed("panic");
}
