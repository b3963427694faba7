/* random_sequence's parts shared by its scalar loops (random_sequence.c) and
 * its vector ones (random_sequence_vec.c): the stream's constants, the
 * bad-block path, and the shape of a variant's loops. */
#ifndef METASLOT_RANDOM_SEQUENCE_H
#define METASLOT_RANDOM_SEQUENCE_H

#include <kernel/audit_pattern.h>

#define RS_GOLDEN 0x9e3779b97f4a7c15ull   /* the state's step */

/* The mixer's five steps, x ^= x >> R1, x += x << L1, x ^= x >> R2,
 * x += x << L2, x ^= x >> R3: each one to one (a shift-add is a multiply by
 * an odd number), so distinct states give distinct words; shifts, adds and
 * XORs only, one instruction each in every variant (AVX2 has no 64-bit
 * multiply: splitmix64's two took six instructions each there). Five steps, since no three- or
 * four-step mixer a search tried made words over a Weyl sequence of states
 * look random bit by bit (test_random_sequence, stream_looks_random); of
 * the shift amounts that did, these keep test_fault_models' verdicts for
 * the pattern what they were with splitmix64 (docs/audit.md: a coupling
 * fault's verdict for random data is one draw of a coin). */
#define RS_R1 11
#define RS_L1 11
#define RS_R2 15
#define RS_L2 31
#define RS_R3 8

/* A variant's loops over whole 8-word blocks: n blocks from word i of span s
 * (64-byte aligned there), x the state of the word before them; each returns
 * the state of the last word. Word i + k should hold mix(x + (k + 1)
 * RS_GOLDEN) ^ inv; fill writes it with non-temporal stores (the caller
 * fences), check reads it and, with complement, writes its complement in
 * its place. */
struct rs_loops {
	uint64_t (*fill)(const struct audit_span *s, uint64_t i, uint64_t n, uint64_t x);
	uint64_t (*check)(struct audit_job *j, const struct audit_span *s, uint64_t i, uint64_t n,
			  uint64_t x, uint64_t inv, int complement);
};

extern const struct rs_loops rs_loops_avx2, rs_loops_avx512;

/* A block that differs: word i + k read t[k] ^ want_k; each word that is
 * wrong goes to audit_bad_words, in order, whichever loops read it. */
void rs_bad8(struct audit_job *j, const struct audit_span *s, uint64_t i, const uint64_t *t,
	     uint64_t x, uint64_t inv);

#endif
