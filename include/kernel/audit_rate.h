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

/* Sweep kinds (audit_sweep_mix in audit_pattern.h), each with its own
 * streaming limit. */
enum audit_kind { AUDIT_KIND_WRITE, AUDIT_KIND_READ, AUDIT_KIND_RW, AUDIT_KINDS };

/* The MiB/s an audit reaches at best when it does n[k] sweeps of kind k and
 * kind k streams at limit[k] MiB/s: sum(n) / sum(n[k] / limit[k]), the rate
 * of every sweep at its limit. 0 when there are no sweeps, a kind it does
 * has no limit (not measured), or an n[k] reaches 2^22. */
uint64_t audit_limit_mib_s(const uint32_t n[AUDIT_KINDS], const uint64_t limit[AUDIT_KINDS]);

#endif
