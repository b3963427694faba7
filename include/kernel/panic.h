/* panic(): the one way the kernel stops on a broken invariant. Prints the
 * message (human line and a panic event), ends the run as "fail" and halts. */
#ifndef METASLOT_KERNEL_PANIC_H
#define METASLOT_KERNEL_PANIC_H

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The start of every stop: claims the panic (a CPU that comes second halts
 * here) and stops the other CPUs. The caller then prints with
 * console_emergency and ends with run_stop_failed (the #MC handler does). */
void panic_begin(void);

/* Non-zero once some CPU has begun to panic (the NMI that stops the other
 * CPUs checks it). */
int panic_active(void);

#endif
