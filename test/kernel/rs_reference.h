/* random_sequence's stream written out from its definition, for the host
 * tests that check the pattern's words (test_random_sequence,
 * test_audit_patterns) without the kernel's code: word n of a job (spans in
 * order) is state ~seed advanced by the golden-ratio step before each word,
 * through the mixer's five steps (kernel/audit/patterns/random_sequence.h). */
#ifndef METASLOT_TEST_RS_REFERENCE_H
#define METASLOT_TEST_RS_REFERENCE_H

#include <stdint.h>

static inline uint64_t rs_reference_word(uint64_t seed, uint64_t n)
{
	uint64_t z = ~seed + (n + 1) * 0x9e3779b97f4a7c15ull;

	z ^= z >> 11;
	z += z << 11;
	z ^= z >> 15;
	z += z << 31;
	return z ^ (z >> 8);
}

#endif
