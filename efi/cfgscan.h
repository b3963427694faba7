/* The two config keys the loader itself acts on (reports_keep, known_bad),
 * read from the same text the kernel parses, by the same rules: the line
 * syntax and value parsers are lib/cfgline.c's, which kernel/config.c also
 * links, and the last valid line wins. Pure code, host-tested. */
#ifndef METASLOT_EFI_CFGSCAN_H
#define METASLOT_EFI_CFGSCAN_H

#include <stddef.h>
#include <stdint.h>

/* reports_keep: the last valid value, or CFG_REPORTS_KEEP_DEFAULT. */
uint32_t cfgscan_reports_keep(const char *text, size_t len);
/* known_bad: 1 if the last valid value is "forget", else 0. */
int cfgscan_forget_known_bad(const char *text, size_t len);

#endif
