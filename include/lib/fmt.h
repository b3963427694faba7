/* A small snprintf for the kernel: %s %c %d %i %u %x %X %p %% with the flags
 * '0' and '-', a field width, and the length modifiers l, ll, z. Always
 * NUL-terminates; returns the length it would have written (like C99). */
#ifndef METASLOT_LIB_FMT_H
#define METASLOT_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

int kvsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
