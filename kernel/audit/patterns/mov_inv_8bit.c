/* Moving inversions with an 8-bit pattern (memtest86+'s test 4): 0x80 in
 * every byte, shifted through the 8 bit positions, each position run as
 * itself and as its inverse. Neighbouring bits of a byte hold opposite
 * values, which exposes data-dependent faults that all-0/all-1 words hide. */
#include <kernel/audit_pattern.h>

void audit_mov_inv_8bit(struct audit_job *j)
{
	uint64_t p = 0x8080808080808080ull;

	for (int bit = 0; bit < 8; bit++, p >>= 1) {
		audit_moving_inversions(j, p);
		audit_moving_inversions(j, ~p);
	}
}
