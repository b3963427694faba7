/* metadata_size_for: sizing of the per-frame metadata array.
 * Dependency-free on purpose: the UEFI loader links this file on its own. */
#include <mm/frame.h>

uint64_t metadata_size_for(uint64_t ram_size)
{
	uint64_t frames = ram_size / PAGE_SIZE + (ram_size % PAGE_SIZE != 0);
	uint64_t bytes = frames * FRAME_META_SIZE;

	return (bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}
