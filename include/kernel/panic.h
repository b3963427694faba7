/* panic(): the one way the kernel stops on a broken invariant. Prints the
 * message (human line and a panic event), ends the run as "fail" and halts. */
#ifndef METASLOT_KERNEL_PANIC_H
#define METASLOT_KERNEL_PANIC_H

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Non-zero once some CPU has begun to panic (the NMI that stops the other
 * CPUs checks it). */
int panic_active(void);

#endif
