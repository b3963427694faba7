/* RAM test patterns: the interface every pattern file in kernel/audit/patterns/
 * implements, and the table that runs them. A pattern tests a set of spans
 * (blocks the auditor allocated) as one region: it writes every span, then
 * checks every span, so the data has left the caches before it is read back
 * when the set is larger than the caches. Pure code: host tests run the
 * patterns on ordinary buffers.
 *
 * Test faults (inject_fault=ADDR:MASK) are real bit flips in RAM, never a
 * check on the read path: after a sweep has written a span, the pattern calls
 * audit_wrote, whose `written` hook (the audit's: audit_inject_into_span)
 * flips the injected bits inside that span before anything reads it back. So
 * the read-back that finds them is the one that runs on every machine, and
 * the pattern loops carry nothing per word for injection. */
#ifndef METASLOT_KERNEL_AUDIT_PATTERN_H
#define METASLOT_KERNEL_AUDIT_PATTERN_H

#include <stdint.h>

#define AUDIT_MAX_INJECT 16
#define AUDIT_MAX_PATTERNS 32   /* config.patterns is a bit mask over the table */

/* audit=: off, quick, standard, full. A pattern runs at its level and every
 * level above it. */
enum audit_mode { AUDIT_OFF, AUDIT_QUICK, AUDIT_STANDARD, AUDIT_FULL };

/* A test fault: `mask` flipped in RAM in the 64-bit word at physical `addr`
 * (8-byte aligned) each time a sweep has written the span holding it. */
struct audit_injection {
	uint64_t addr;
	uint64_t mask;
};

struct audit_span {
	volatile uint64_t *w;   /* where the CPU reads and writes the span */
	uint64_t phys;          /* its physical address */
	uint64_t words;
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
	/* after a sweep wrote span s, before anything reads it back (NULL: none):
	 * where test faults go into RAM */
	void (*written)(struct audit_job *j, const struct audit_span *s);
	/* moving-inversion family (iterations=): times the pattern repeats its
	 * sweeps in this job; 0 counts as 1 */
	uint32_t iterations;
	/* bit_fade: leave the memory alone for `seconds` (the audit halts the
	 * CPUs); host tests model retention faults here. NULL: return at once */
	void (*rest)(struct audit_job *j, uint32_t seconds);
	uint32_t bit_fade_seconds;  /* bit_fade: how long each rest lasts */
	/* walking_ones_address: span s seen through an uncached (PAT UC) mapping,
	 * open until uncached_end(j, s); the pattern touches s only through it in
	 * between, since the same frame reached through the cached direct map
	 * (s->w) would alias the memory type (SDM 11.12.4). NULL (host tests):
	 * the pattern uses s->w */
	volatile uint64_t *(*uncached)(struct audit_job *j, const struct audit_span *s);
	void (*uncached_end)(struct audit_job *j, const struct audit_span *s);
	/* a pattern of `phases` (audit_pattern): 0 runs them all; k runs only
	 * phase k, so the audit can run phase k over every slice of memory, on
	 * every CPU, before any CPU starts phase k+1 */
	uint32_t phase;
};

/* A pattern's sweeps by kind: write only, read only (a check), read and
 * write each word (a check-and-write step). Each kind has its own streaming
 * limit, so the mix says how fast the pattern can be at best (`make bench`,
 * the audit_cpu events' ratio). */
struct audit_sweep_mix {
	uint16_t write, read, rw;
};

struct audit_pattern {
	const char *name;
	uint32_t sweeps;        /* passes over the memory at one iteration, for
				 * progress and MiB/s (audit_pattern_sweeps) */
	uint8_t level;          /* the lowest audit= mode that runs it */
	void (*run)(struct audit_job *j);
	/* the moving-inversion family (iterations=): the iterations of a full
	 * pass, memtest86+'s; 0 = not in the family (it ignores iterations) */
	uint32_t iterations;
	uint32_t iteration_sweeps; /* sweeps each iteration past the first adds */
	struct audit_sweep_mix mix; /* of `sweeps`: write + read + rw == sweeps */
	struct audit_sweep_mix iteration_mix; /* of `iteration_sweeps`, the same way */
	/* 1: runs over each CPU's whole share as one region, never in slices that
	 * another CPU may take (audit/passes.c): a pattern whose meaning spans
	 * the region (bit_fade's one rest) */
	uint8_t one_region;
	/* >1: its sweeps fall into this many phases (audit_job.phase), each
	 * over all memory before the next (own_address: every word written,
	 * then every word checked); each phase is sweeps / phases sweeps */
	uint8_t phases;
};

extern const struct audit_pattern audit_patterns[];
extern const uint32_t audit_pattern_count;
const struct audit_pattern *audit_pattern_find(const char *name, uint32_t len);
/* The sweeps p makes in a job of `iterations` (0 counts as 1). */
uint64_t audit_pattern_sweeps(const struct audit_pattern *p, uint32_t iterations);

/* ---- helpers for pattern files */

static inline void audit_check(struct audit_job *j, const struct audit_span *s, uint64_t i,
			       uint64_t expected)
{
	uint64_t v = s->w[i];

	if (v != expected)
		j->bad(j, s->phys + 8 * i, expected, v);
}

/* After a sweep that only read span s. */
static inline void audit_swept(struct audit_job *j, const struct audit_span *s)
{
	j->words_done += s->words;
	if (j->progress)
		j->progress(j, j->words_done);
}

/* After a sweep that wrote span s: the `written` hook, then progress. */
static inline void audit_wrote(struct audit_job *j, const struct audit_span *s)
{
	if (j->written)
		j->written(j, s);
	audit_swept(j, s);
}

/* Flips each injected fault that lies in span s (an aligned word inside it)
 * in RAM; the others are left for the spans that hold them. What the audit's
 * `written` hook calls (kernel/audit/inject.c). */
void audit_inject_into_span(const struct audit_injection *inj, uint32_t n,
			    const struct audit_span *s);

/* ---- the sweeps (sweep.c), at the memory's speed; a pattern should build
 * on these rather than loop over words itself (audit_check is the slow,
 * word-at-a-time form, kept for patterns whose expected value changes in a
 * way these do not cover).
 *
 * One span, one sweep, no callbacks: the pattern calls audit_wrote or
 * audit_swept after each span. The write-only ones use non-temporal stores
 * and end with sfence. */
void audit_span_fill(const struct audit_span *s, uint64_t p);
void audit_span_check(struct audit_job *j, const struct audit_span *s, uint64_t p);
/* each word holds its own physical address */
void audit_span_fill_addr(const struct audit_span *s);
void audit_span_check_addr(struct audit_job *j, const struct audit_span *s);
/* moving-inversion steps: each word read, checked against p and q written
 * in its place, upwards (first word first) or downwards */
void audit_span_check_write_up(struct audit_job *j, const struct audit_span *s, uint64_t p,
			       uint64_t q);
void audit_span_check_write_down(struct audit_job *j, const struct audit_span *s, uint64_t p,
				 uint64_t q);
/* The slow path for a pattern's own unrolled loop, called only when a block
 * differs: v[k] was read at word i + k*step of s and should hold
 * expected + k*expected_step; each one that does not goes to j->bad, in
 * order. */
void audit_bad_words(struct audit_job *j, const struct audit_span *s, uint64_t i, int64_t step,
		     const uint64_t *v, uint32_t n, uint64_t expected, uint64_t expected_step);

/* Every span, one sweep, with the callbacks (spans in order; _down in
 * reverse order). */
void audit_fill(struct audit_job *j, uint64_t p);      /* half of audit_fill_check */
void audit_check_all(struct audit_job *j, uint64_t p); /* the other half */
void audit_sweep_check_write_up(struct audit_job *j, uint64_t p, uint64_t q);
void audit_sweep_check_write_down(struct audit_job *j, uint64_t p, uint64_t q);

/* For a pattern's own loop (sweep.c says why): a non-temporal 64-bit store
 * (movnti, general registers only) and the fence that ends a span of them. */
static inline void audit_store_nt(volatile uint64_t *w, uint64_t v)
{
	__asm__ volatile("movnti %1, %0" : "=m"(*(uint64_t *)w) : "r"(v));
}

static inline void audit_store_fence(void)
{
	__asm__ volatile("sfence" : : : "memory");
}

/* Fill every span with p, then check every span holds p. */
void audit_fill_check(struct audit_job *j, uint64_t p);
/* Moving inversions (memtest86): fill with p; then j->iterations times
 * (0 counts as 1): ascending, check p and write ~p; descending, check ~p and
 * write p. */
void audit_moving_inversions(struct audit_job *j, uint64_t p);

/* ---- vector loops (vec.c): a pattern with vector variants writes and
 * checks the same data, word for word, with each; they need their state
 * enabled (kernel/simd.h). The pattern runs the widest this CPU can, up to
 * the cap, chosen at the first call. random_sequence and mov_inv_walk64
 * have them (random_sequence_vec.c, mov_inv_walk64_vec.c). */
enum audit_vec { AUDIT_VEC_SCALAR, AUDIT_VEC_AVX2, AUDIT_VEC_AVX512, AUDIT_VEC_KINDS };
/* The words of span s before its first 64-byte boundary (at most all of
 * them): a pattern with vector loops does these one at a time, then whole
 * aligned 8-word blocks, then the rest, in every variant. */
static inline uint64_t audit_head_words(const struct audit_span *s)
{
	uint64_t h = ((64 - ((uintptr_t)s->w & 63)) & 63) / 8;

	return h < s->words ? h : s->words;
}

/* 1 if this CPU runs v: CPUID has it and XCR0 holds its state. */
int audit_vec_runs(enum audit_vec v);
enum audit_vec audit_vec_chosen(void);
/* No variant wider than max from now on (simd_report: the widest that every
 * CPU runs); chosen again at the next call. */
void audit_vec_cap(enum audit_vec max);
const char *audit_vec_name(enum audit_vec v);
/* random_sequence and mov_inv_walk64 with variant v's loops (v must run
 * here). */
void audit_random_sequence_as(struct audit_job *j, enum audit_vec v);
void audit_mov_inv_walk64_as(struct audit_job *j, enum audit_vec v);

#endif
