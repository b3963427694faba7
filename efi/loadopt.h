/* The image's load options (UCS-2, from the shell or a boot entry) turned into
 * config lines. Pure code, host-tested. */
#ifndef METASLOT_EFI_LOADOPT_H
#define METASLOT_EFI_LOADOPT_H

#include <stddef.h>
#include <stdint.h>

/* Converts `bytes` bytes of UCS-2 load options into one line per
 * whitespace-separated token, written to `out` (NUL-terminated, at most `cap`
 * bytes including the NUL). A leading token without '=' is the program path
 * the shell passes and is dropped. Returns the length written, or -1 when the
 * options are not printable text (a boot entry's binary optional data), in
 * which case `out` is empty. Text that does not fit is cut at a token edge. */
long loadopt_to_config(const uint16_t *opts, size_t bytes, char *out, size_t cap);

#endif
