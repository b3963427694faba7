/* The two config keys the loader itself acts on (reports_keep, known_bad),
 * read from the same text the kernel parses. Pure code, host-tested. */
#ifndef METASLOT_EFI_CFGSCAN_H
#define METASLOT_EFI_CFGSCAN_H

#include <stddef.h>

/* The value of the last "key=value" line for `key` (whitespace around key
 * and value ignored, '#' comments as in the kernel's parser), copied into
 * `out`; returns its length, or -1 if the key is absent or the value does
 * not fit. */
long cfgscan_value(const char *text, size_t len, const char *key, char *out, size_t cap);

#endif
