/* mov_inv_walk64's parts shared by its scalar loops (mov_inv_walk64.c) and
 * its vector ones (mov_inv_walk64_vec.c). */
#ifndef METASLOT_MOV_INV_WALK64_H
#define METASLOT_MOV_INV_WALK64_H

#include <kernel/audit_pattern.h>

static inline uint64_t walk_rotl(uint64_t v, unsigned k)
{
	k &= 63;
	return k ? v << k | v >> (64 - k) : v;
}

/* A variant's loops over n whole 8-word blocks from word i of span s
 * (64-byte aligned there). fill and up: v is word i's value (the word holds
 * v rotated left by its index), they return the value of the word after the
 * blocks; up checks each word against it and writes its inverse. down: v is
 * the value of the word after the blocks; from the last block to the first,
 * each word is checked against the inverse and given its value back; it
 * returns word i's value. */
struct walk_loops {
	uint64_t (*fill)(const struct audit_span *s, uint64_t i, uint64_t n, uint64_t v);
	uint64_t (*up)(struct audit_job *j, const struct audit_span *s, uint64_t i, uint64_t n,
		       uint64_t v);
	uint64_t (*down)(struct audit_job *j, const struct audit_span *s, uint64_t i, uint64_t n,
			 uint64_t v);
};

extern const struct walk_loops walk_loops_avx2, walk_loops_avx512;

/* A block that was wrong: word b + k read t[k] ^ w_k, w_k = rotl(x, k),
 * should have held ~w_k; reported in sweep order (k up, or down). */
void walk_bad8(struct audit_job *j, const struct audit_span *s, uint64_t b, int down,
	       const uint64_t *t, uint64_t x);

#endif
