/* RAM test patterns: the interface every pattern file in kernel/audit/patterns/
 * implements, and the table that runs them. A pattern tests a set of spans
 * (blocks the auditor allocated) as one region: it writes every span, then
 * checks every span, so the data has left the caches before it is read back
 * when the set is larger than the caches. Pure code: host tests run the
 * patterns on ordinary buffers with injected faults. */
#ifndef METASLOT_KERNEL_AUDIT_PATTERN_H
#define METASLOT_KERNEL_AUDIT_PATTERN_H

#include <stdint.h>

#define AUDIT_MAX_INJECT 16

/* A simulated fault: the checker sees `mask` flipped in the 64-bit word at
 * physical address `addr` (8-byte aligned) every time it reads it. */
struct audit_injection {
	uint64_t addr;
	uint64_t mask;
};

struct audit_span {
	volatile uint64_t *w;   /* where the CPU reads and writes the span */
	uint64_t phys;          /* its physical address */
	uint64_t words;
	const struct audit_injection *inj; /* faults inside this span, or NULL */
	uint32_t ninj;
	uint32_t tag;           /* the caller's (the audit: the CPU that owns it) */
};

struct audit_job {
	const struct audit_span *spans;
	uint32_t nspans;
	uint64_t seed;          /* for patterns with random data */
	/* a word read back wrong: called once per bad read */
	void (*bad)(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual);
	/* after every span of every sweep: words swept so far in this job */
	void (*progress)(struct audit_job *j, uint64_t words);
	uint64_t words_done;
	void *ctx;
};

struct audit_pattern {
	const char *name;
	uint32_t sweeps;        /* passes over the memory, for progress and MiB/s */
	int quick;              /* part of audit=quick */
	void (*run)(struct audit_job *j);
};

extern const struct audit_pattern audit_patterns[];
extern const uint32_t audit_pattern_count;
const struct audit_pattern *audit_pattern_find(const char *name, uint32_t len);

/* ---- helpers for pattern files */

static inline uint64_t audit_rd(const struct audit_span *s, uint64_t i)
{
	uint64_t v = s->w[i];

	for (uint32_t k = 0; k < s->ninj; k++)
		if (s->inj[k].addr == s->phys + 8 * i)
			v ^= s->inj[k].mask;
	return v;
}

static inline void audit_check(struct audit_job *j, const struct audit_span *s, uint64_t i,
			       uint64_t expected)
{
	uint64_t v = audit_rd(s, i);

	if (v != expected)
		j->bad(j, s->phys + 8 * i, expected, v);
}

static inline void audit_swept(struct audit_job *j, const struct audit_span *s)
{
	j->words_done += s->words;
	if (j->progress)
		j->progress(j, j->words_done);
}

/* Fill every span with p, then check every span holds p. */
void audit_fill_check(struct audit_job *j, uint64_t p);
/* Moving inversions (memtest86): fill with p; ascending, check p and write
 * ~p; descending, check ~p and write p. */
void audit_moving_inversions(struct audit_job *j, uint64_t p);

#endif
