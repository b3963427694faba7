/* The audit's sweep rate (kernel/audit/rate.c): pure arithmetic, host-tested
 * at figures a full audit of a large machine reaches. */
#ifndef METASLOT_KERNEL_AUDIT_RATE_H
#define METASLOT_KERNEL_AUDIT_RATE_H

#include <stdint.h>

/* MiB/s of `bytes` swept in `cycles` TSC cycles at `tsc_hz`:
 * floor(bytes * tsc_hz / 2^20 / cycles), exact for any 64-bit inputs (the
 * product is kept 128 bits wide: at 3 GHz, bytes * tsc_hz passes 2^64 after
 * about 6 TB, one full audit of a 128 GiB machine). 0 when cycles is 0;
 * UINT64_MAX when the rate itself does not fit in 64 bits. */
uint64_t audit_mib_per_s(uint64_t bytes, uint64_t cycles, uint64_t tsc_hz);

#endif
