/* bootinfo_validate: magic, version and size first (bootinfo.h's rules), then
 * the fields the kernel would otherwise follow blindly, each against the
 * others. Every sum is checked before it is formed: a corrupt hand-off must
 * not pass by wrapping around 2^64. Pure code. */
#include <stddef.h>
#include <kernel/bootinfo_check.h>
#include <lib/record.h>
#include <mm/frame.h>

#define CONFIG_TEXT_MAX 16384

/* [base, base + len) lies inside [0, top), computed without overflow. */
static int inside(uint64_t base, uint64_t len, uint64_t top)
{
	return len <= top && base <= top - len;
}

/* Two non-empty ranges, each already known to be inside the address space. */
static int overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

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
	/* the kernel reads descriptors in place, as structs: 8-byte aligned */
	if (bi->mmap_stride < sizeof(struct bootinfo_mem_desc) || bi->mmap_stride > 4096 ||
	    bi->mmap_stride % 8)
		return "memory descriptor stride out of range";
	if (bi->ram_top == 0 || bi->ram_top > bi->direct_map_top)
		return "ram_top is zero or outside the direct map";
	/* the loader's own blocks are RAM it allocated, so below ram_top */
	if (bi->mmap % 8 || !inside(bi->mmap, (uint64_t)bi->mmap_count * bi->mmap_stride,
				    bi->ram_top))
		return "memory map outside RAM or misaligned";
	if (bi->meta_phys % 4096 || bi->meta_bytes % 4096 || bi->meta_bytes == 0 ||
	    !inside(bi->meta_phys, bi->meta_bytes, bi->ram_top))
		return "metadata array misplaced";
	/* init_metadata_array writes meta_frames slots of 64 bytes: the array
	 * must be exactly what the loader sized for ram_top (bootinfo.h) */
	if (bi->meta_frames != bi->ram_top / 4096 + (bi->ram_top % 4096 != 0) ||
	    bi->meta_bytes != metadata_size_for(bi->ram_top) ||
	    bi->meta_frames > bi->meta_bytes / FRAME_META_SIZE)
		return "metadata array size disagrees with ram_top";
	if (bi->kernel_phys % 4096 || bi->kernel_bytes == 0 ||
	    !inside(bi->kernel_phys, bi->kernel_bytes, bi->ram_top))
		return "kernel range misplaced";
	if (overlap(bi->meta_phys, bi->meta_bytes, bi->kernel_phys, bi->kernel_bytes))
		return "metadata array overlaps the kernel image";
	if (bi->config_len >= CONFIG_TEXT_MAX || (bi->config_len && !bi->config) ||
	    (bi->config_len && !inside(bi->config, bi->config_len, bi->ram_top)))
		return "config text length out of range";
	if (bootinfo_has_v2(bi) && bi->known_bad_count &&
	    (bi->known_bad % 8 ||
	     !inside(bi->known_bad, (uint64_t)bi->known_bad_count * sizeof(struct report_range),
		     bi->ram_top)))
		return "known-bad list outside RAM or misaligned";
	if (bi->trampoline % 4096 || bi->trampoline >= 0x100000)
		return "trampoline page not a page below 1 MiB";
	if (bi->fb.base && !bootinfo_fb_fits(&bi->fb))
		return "framebuffer smaller than its mode";
	return NULL;
}
