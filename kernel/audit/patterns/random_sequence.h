/* random_sequence's parts shared by its scalar loops (random_sequence.c) and
 * its vector ones (random_sequence_vec.c): the splitmix64 constants, the
 * bad-block path, and the shape of a variant's loops. */
#ifndef METASLOT_RANDOM_SEQUENCE_H
#define METASLOT_RANDOM_SEQUENCE_H

#include <kernel/audit_pattern.h>

#define RS_GOLDEN 0x9e3779b97f4a7c15ull   /* the state's step */
#define RS_MUL1   0xbf58476d1ce4e5b9ull
#define RS_MUL2   0x94d049bb133111ebull

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
