/* bootinfo_validate (kernel/bootinfo.c) on a hand-off block the loader wrote
 * (a page; the input fills the struct, the rest is zero), then, when it is
 * accepted, the promises the kernel relies on, recomputed in 128 bits so no
 * sum can wrap: every block inside RAM, the metadata array exactly sized. */
#include <string.h>
#include <kernel/bootinfo_check.h>
#include <lib/record.h>
#include <mm/frame.h>
#include "common/fuzz.h"

typedef unsigned __int128 u128;

static int inside(uint64_t base, u128 len, uint64_t top)
{
	return (u128)base + len <= top;
}

/* q35, 1 GiB, as OVMF and metaslot's loader lay it out. */
static void good(struct bootinfo *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOTINFO_MAGIC;
	bi->version = BOOTINFO_VERSION;
	bi->size = sizeof(*bi);
	bi->mmap = 0x3e6f2000;
	bi->mmap_count = 45;
	bi->mmap_stride = 48;
	bi->ram_top = 1ull << 30;
	bi->direct_map_top = 4ull << 30;
	bi->meta_phys = 0x3c000000;
	bi->meta_bytes = metadata_size_for(bi->ram_top);
	bi->meta_frames = bi->ram_top / 4096;
	bi->kernel_phys = 0x3de5c000;
	bi->kernel_bytes = 0x1e000;
	bi->pagetable_phys = 0x7f000;
	bi->config = 0x3e6f4000;
	bi->config_len = 200;
	bi->trampoline = 0x9f000;
	bi->known_bad = bi->config + 16384;
	bi->known_bad_count = 3;
	bi->fb.base = 0x80000000;
	bi->fb.width = 1280;
	bi->fb.height = 800;
	bi->fb.stride = 1280;
	bi->fb.size = 1280 * 800 * 4;
}

void fuzz_seeds(void)
{
	struct bootinfo bi;

	good(&bi);
	fuzz_emit("ovmf_q35_1g", &bi, sizeof(bi));
	bi.version = 1;
	bi.size = BOOTINFO_V1_SIZE;
	fuzz_emit("version1", &bi, BOOTINFO_V1_SIZE);
	good(&bi);
	bi.meta_bytes = 0xffffffffff000000ull; /* issue 18's wrapping sum */
	bi.meta_phys = 0x2000000;
	fuzz_emit("meta_wraps", &bi, sizeof(bi));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bootinfo bi;

	memset(&bi, 0, sizeof(bi));
	memcpy(&bi, data, size < sizeof(bi) ? size : sizeof(bi));
	if (bootinfo_validate(&bi))
		return 0;
	FUZZ_CHECK(bi.ram_top && bi.ram_top <= bi.direct_map_top);
	FUZZ_CHECK(bi.mmap_stride >= sizeof(struct bootinfo_mem_desc) && bi.mmap_stride % 8 == 0);
	FUZZ_CHECK(bi.mmap % 8 == 0 &&
		   inside(bi.mmap, (u128)bi.mmap_count * bi.mmap_stride, bi.ram_top));
	FUZZ_CHECK(inside(bi.meta_phys, bi.meta_bytes, bi.ram_top));
	FUZZ_CHECK((u128)bi.meta_frames * FRAME_META_SIZE <= bi.meta_bytes);
	FUZZ_CHECK((u128)bi.meta_frames * 4096 >= bi.ram_top); /* every frame has a slot */
	FUZZ_CHECK(inside(bi.kernel_phys, bi.kernel_bytes, bi.ram_top));
	FUZZ_CHECK(bi.meta_phys + bi.meta_bytes <= bi.kernel_phys ||
		   bi.kernel_phys + bi.kernel_bytes <= bi.meta_phys);
	FUZZ_CHECK(bi.config_len < 16384 && (!bi.config_len || inside(bi.config, bi.config_len,
								       bi.ram_top)));
	if (bootinfo_has_v2(&bi) && bi.known_bad_count)
		FUZZ_CHECK(bi.known_bad_count <= 4096 &&
			   inside(bi.known_bad, (u128)bi.known_bad_count * sizeof(struct report_range),
				  bi.ram_top));
	if (bi.fb.base)
		FUZZ_CHECK((u128)bi.fb.stride * bi.fb.height * 4 <= bi.fb.size &&
			   inside(bi.fb.base, bi.fb.size, UINT64_MAX));
	return 0;
}
