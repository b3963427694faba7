/* bootinfo_validate: magic, version and size first (bootinfo.h's rules), then
 * the fields the kernel would otherwise follow blindly. Pure code. */
#include <stddef.h>
#include <kernel/bootinfo_check.h>

#define CONFIG_TEXT_MAX 16384

static int terminated(const char *s, size_t cap)
{
	for (size_t i = 0; i < cap; i++)
		if (!s[i])
			return 1;
	return 0;
}

const char *bootinfo_validate(const struct bootinfo *bi)
{
	if (!bi)
		return "no bootinfo pointer";
	if (bi->magic != BOOTINFO_MAGIC)
		return "bad magic (not a metaslot loader?)";
	if (bi->version < 1)
		return "version 0 is not a valid bootinfo version";
	/* append-only: version-1 fields must be there; later ones are read
	 * only when bootinfo_has_v2() says the loader wrote them */
	if (bi->size < BOOTINFO_V1_SIZE)
		return "size smaller than a version-1 bootinfo";
	if (bootinfo_has_v2(bi) && bi->known_bad_count && !bi->known_bad)
		return "known-bad list missing";
	if (bootinfo_has_v2(bi) && bi->known_bad_count > 4096)
		return "known-bad list absurdly long";
	if (bootinfo_has_v3(bi) && (!terminated(bi->image_path, sizeof(bi->image_path)) ||
				    !terminated(bi->home, sizeof(bi->home))))
		return "image path or home folder not terminated";
	if (bi->mmap == 0 || bi->mmap_count == 0 || bi->mmap_count > 65536)
		return "memory map missing or absurdly long";
	if (bi->mmap_stride < sizeof(struct bootinfo_mem_desc) || bi->mmap_stride > 4096 ||
	    bi->mmap_stride % 8)
		return "memory descriptor stride out of range";
	if (bi->ram_top == 0 || bi->ram_top > bi->direct_map_top)
		return "ram_top is zero or outside the direct map";
	if (bi->meta_phys % 4096 || bi->meta_bytes % 4096 || bi->meta_bytes == 0 ||
	    bi->meta_phys + bi->meta_bytes > bi->ram_top)
		return "metadata array misplaced";
	if (bi->kernel_phys % 4096 || bi->kernel_bytes == 0)
		return "kernel range misplaced";
	if (bi->config_len >= CONFIG_TEXT_MAX || (bi->config_len && !bi->config))
		return "config text length out of range";
	if (bi->trampoline % 4096 || bi->trampoline >= 0x100000)
		return "trampoline page not a page below 1 MiB";
	return NULL;
}
