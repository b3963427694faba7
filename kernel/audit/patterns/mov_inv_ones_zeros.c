/* Moving inversions with all zeros and all ones (memtest86's test 3): each
 * cell is written, read, inverted and read again in ascending and then
 * descending order, which catches stuck bits and many coupling faults. */
#include <kernel/audit_pattern.h>

void audit_mov_inv_ones_zeros(struct audit_job *j)
{
	audit_moving_inversions(j, 0);
	audit_moving_inversions(j, ~0ull);
}
