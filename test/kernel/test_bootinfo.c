/* Host tests of the hand-off: bootinfo_validate (kernel/bootinfo.c) and the
 * memory-map helpers of bootinfo.h (stride stepping, RAM types, ram_top), plus
 * metadata_size_for, which both sides rely on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bootinfo.h>
#include <kernel/bootinfo_check.h>
#include <mm/frame.h>

static struct bootinfo bi;

static void good(void)
{
	memset(&bi, 0, sizeof(bi));
	bi.magic = BOOTINFO_MAGIC;
	bi.version = BOOTINFO_VERSION;
	bi.size = sizeof(bi);
	bi.mmap = 0x100000;
	bi.mmap_count = 10;
	bi.mmap_stride = 48;
	bi.ram_top = 1ull << 30;
	bi.direct_map_top = 4ull << 30;
	bi.meta_phys = 0x2000000;
	bi.meta_bytes = metadata_size_for(bi.ram_top);
	bi.meta_frames = bi.ram_top / 4096;
	bi.kernel_phys = 0x3000000;
	bi.kernel_bytes = 0x20000;
	bi.config = 0x101000;
	bi.config_len = 100;
	bi.trampoline = 0x9f000;
}

static void expect(const char *needle)
{
	const char *e = bootinfo_validate(&bi);

	assert_non_null(e);
	if (!strstr(e, needle))
		fail_msg("'%s' does not mention '%s'", e, needle);
	good();
}

static void accepts_a_good_one(void **s)
{
	(void)s;
	good();
	assert_null(bootinfo_validate(&bi));
	bi.trampoline = 0;      /* no trampoline: allowed (single CPU) */
	assert_null(bootinfo_validate(&bi));
	bi.version = 7;         /* a newer loader, append-only */
	bi.size = sizeof(bi) + 64;
	assert_null(bootinfo_validate(&bi));
	assert_true(bootinfo_has_v2(&bi));
	assert_true(bootinfo_has_v3(&bi));
	bi.version = 2;         /* a version-2 loader: no SMBIOS field */
	bi.size = BOOTINFO_V2_SIZE;
	assert_true(bootinfo_has_v2(&bi));
	assert_false(bootinfo_has_v3(&bi));
	bi.version = 1;         /* an older loader: version-1 fields only */
	bi.size = BOOTINFO_V1_SIZE;
	bi.known_bad_count = 99; /* beyond its size: never read */
	assert_null(bootinfo_validate(&bi));
	assert_false(bootinfo_has_v2(&bi));
	good();                 /* a version-2 loader: no paths */
	bi.version = 2;
	bi.size = BOOTINFO_V2_SIZE;
	memset(bi.home, 'x', sizeof(bi.home)); /* beyond its size: never read */
	assert_null(bootinfo_validate(&bi));
	assert_true(bootinfo_has_v2(&bi));
	assert_false(bootinfo_has_v3(&bi));
}

static void rejects_unterminated_paths(void **s)
{
	(void)s;
	good();
	memset(bi.image_path, 'x', sizeof(bi.image_path));
	expect("terminated");
	memset(bi.home, 'x', sizeof(bi.home));
	expect("terminated");
}

static void rejects_in_order(void **s)
{
	(void)s;
	good();
	assert_non_null(bootinfo_validate(NULL));
	bi.magic ^= 1;
	expect("magic");
	bi.version = 0;
	expect("version");
	bi.size = BOOTINFO_V1_SIZE - 8;
	expect("size");
	bi.known_bad_count = 3;
	expect("known-bad");
	bi.known_bad_count = 5000;
	bi.known_bad = 0x200000;
	expect("known-bad");
	bi.mmap_count = 0;
	expect("memory map");
	bi.mmap_count = 1u << 20;
	expect("memory map");
	bi.mmap_stride = 24;
	expect("stride");
	bi.mmap_stride = 52;
	expect("stride");
	bi.ram_top = 8ull << 30;
	expect("ram_top");
	bi.meta_phys = 0x2000100;
	expect("metadata");
	bi.meta_phys = bi.ram_top - 4096;
	expect("metadata");
	bi.kernel_bytes = 0;
	expect("kernel");
	bi.config_len = 1 << 20;
	expect("config");
	bi.trampoline = 0x100000;
	expect("trampoline");
	bi.trampoline = 0x9f010;
	expect("trampoline");
}

/* Issue 18's finding: meta_phys + meta_bytes wrapped around 2^64, and
 * meta_frames was never checked, so init_metadata_array wrote past the array. */
static void metadata_fields_checked_against_each_other(void **s)
{
	(void)s;
	good();
	bi.meta_bytes = 0xffffffffff000000ull;  /* meta_phys + meta_bytes wraps */
	expect("metadata");
	bi.meta_phys = 0xfffffffffffff000ull;   /* so does this one */
	expect("metadata");
	bi.meta_frames = bi.meta_bytes / 64 + 1; /* more slots than the array holds */
	expect("metadata");
	bi.meta_frames = bi.ram_top / 4096 - 1;  /* fewer frames than RAM */
	expect("metadata");
	bi.meta_bytes -= 4096;                   /* smaller than ram_top needs */
	bi.meta_frames = bi.meta_bytes / 64;
	expect("metadata");
	bi.ram_top = bi.direct_map_top;          /* array sized for another ram_top */
	expect("metadata");
	bi.kernel_phys = bi.meta_phys + 4096;    /* the array would overwrite the kernel */
	expect("overlaps");
}

/* Every block the kernel follows must lie in RAM, each sum checked before it
 * is formed. */
static void blocks_inside_ram_without_overflow(void **s)
{
	(void)s;
	good();
	bi.mmap = 0xfffffffffffffff0ull;         /* mmap + count * stride wraps */
	expect("memory map");
	bi.mmap = bi.ram_top - 48;               /* runs past ram_top */
	expect("memory map");
	bi.mmap = 0x100004;                      /* descriptors read in place: aligned */
	expect("memory map");
	bi.kernel_phys = 0xfffffffffff00000ull;  /* wraps */
	expect("kernel");
	bi.kernel_bytes = bi.ram_top;            /* runs past ram_top */
	expect("kernel");
	bi.config = bi.ram_top - 50;             /* 100 bytes at ram_top - 50 */
	expect("config");
	bi.config = UINT64_MAX - 10;
	expect("config");
	bi.known_bad_count = 2;
	bi.known_bad = UINT64_MAX - 8;
	expect("known-bad");
	bi.known_bad_count = 2;
	bi.known_bad = 0x200004;
	expect("known-bad");
	bi.known_bad_count = 2;
	bi.known_bad = 0x200000;
	assert_null(bootinfo_validate(&bi));
	bi.fb.base = 0xc0000000;                 /* a mode bigger than its buffer */
	bi.fb.width = 1024;
	bi.fb.height = 768;
	bi.fb.stride = 1024;
	bi.fb.size = 1024 * 768 * 4;
	assert_null(bootinfo_validate(&bi));
	bi.fb.size -= 4;
	expect("framebuffer");
	bi.fb.base = UINT64_MAX - 4096;
	bi.fb.size = 1ull << 40;
	bi.fb.width = bi.fb.height = bi.fb.stride = 1;
	expect("framebuffer");
}

/* Found by fuzz/bootinfo.c: stride * height * 4 wrapped past 2^64 (stride
 * 0xffffffff, height 0xf9000000), so a mode far bigger than its buffer
 * passed. */
static void framebuffer_size_without_overflow(void **s)
{
	(void)s;
	good();
	bi.fb.base = 0x80000000;
	bi.fb.size = 0x3e8000;
	bi.fb.width = 0;
	bi.fb.height = 0xf9000000u;
	bi.fb.stride = 0xffffffffu;
	expect("framebuffer");
	bi.fb.base = 0x80000000;
	bi.fb.size = 0x3e8000;
	bi.fb.height = 0x40000000u;
	bi.fb.stride = 0x40000000u;              /* 2^62 * 4 = 2^64: wraps to 0 */
	expect("framebuffer");
	bi.fb.base = 0x80000000;
	bi.fb.size = (uint64_t)0xffffffffu * 0xffffffffu;
	bi.fb.height = bi.fb.stride = bi.fb.width = 0xffffffffu;
	expect("framebuffer");
	bi.fb.base = 0x80000000;
	bi.fb.size = 4ull << 32;
	bi.fb.height = bi.fb.stride = bi.fb.width = 0x10000;
	assert_null(bootinfo_validate(&bi)); /* exactly big enough */
	bi.fb.size--;
	expect("framebuffer");
}

/* efi/fw.c drops a GOP mode whose buffer does not hold its geometry; it
 * computed stride * height * 4, which wraps (the first campaign's bootinfo
 * finding), so it kept a mode 2^64 bytes too big for its buffer. Both sides
 * now share bootinfo_fb_fits. */
static void loader_framebuffer_check_without_overflow(void **s)
{
	(void)s;
	struct bootinfo_fb fb = { .base = 0x80000000, .size = 0x3e8000, .width = 0x80000000u,
				  .height = 0x80000000u, .stride = 0x80000000u }; /* 2^64: 0 */

	assert_true((uint64_t)fb.stride * fb.height * 4 <= fb.size); /* the old test passed it */
	assert_false(bootinfo_fb_fits(&fb));
	fb.height = 0xf9000000u;
	fb.stride = 0xffffffffu;
	assert_false(bootinfo_fb_fits(&fb));
	fb.width = fb.stride = 1024;
	fb.height = 1000;
	assert_true(bootinfo_fb_fits(&fb));     /* 4,096,000 bytes: exactly 0x3e8000 */
	fb.size--;
	assert_false(bootinfo_fb_fits(&fb));
	fb.size = 0x3e8000;
	fb.width = 1025;                        /* a row wider than its stride */
	assert_false(bootinfo_fb_fits(&fb));
	fb.width = 1024;
	fb.base = UINT64_MAX - 0x1000;          /* a buffer past 2^64 */
	assert_false(bootinfo_fb_fits(&fb));
	fb.base = 0x80000000;
	fb.height = 0;
	assert_true(bootinfo_fb_fits(&fb));
}

static uint8_t map[16 * 64];

/* Written with memcpy: a descriptor at an odd stride is not aligned. */
static void put_at(uint8_t *m, int i, uint32_t stride, uint32_t type, uint64_t start,
		   uint64_t pages)
{
	uint8_t *d = m + i * stride;

	memcpy(d + offsetof(struct bootinfo_mem_desc, type), &type, sizeof(type));
	memcpy(d + offsetof(struct bootinfo_mem_desc, phys_start), &start, sizeof(start));
	memcpy(d + offsetof(struct bootinfo_mem_desc, num_pages), &pages, sizeof(pages));
}

static void put(int i, uint32_t stride, uint32_t type, uint64_t start, uint64_t pages)
{
	put_at(map, i, stride, type, start, pages);
}

/* Issue 18: the loader read descriptors as structs at DescriptorSize strides,
 * which firmware may make any size >= 40; a stride not a multiple of 8 (or a
 * map at an odd address) made those reads misaligned, undefined behaviour
 * that UBSan (on in host tests) stops at. */
static void ram_top_reads_descriptors_at_any_stride(void **s)
{
	(void)s;
	static uint8_t raw[16 * 64 + 8];

	for (uint32_t off = 0; off < 8; off += 3)
		for (uint32_t stride = 40; stride <= 57; stride++) {
			uint8_t *m = raw + off;
			struct bootinfo_mem_desc d;

			memset(raw, 0xee, sizeof(raw));
			put_at(m, 0, stride, 7, 0, 160);
			put_at(m, 1, stride, 11, 0xfec00000, 0x100);
			put_at(m, 2, stride, 10, 0x7ff00000, 0x100);
			assert_true(bootinfo_ram_top(m, 3, stride, 1ull << 46) == 0x80000000ull);
			d = bootinfo_desc_get(m, stride, 2);
			assert_true(d.type == 10 && d.phys_start == 0x7ff00000 && d.num_pages == 0x100);
		}
}

static void ram_top_steps_by_stride(void **s)
{
	(void)s;
	for (uint32_t stride = 40; stride <= 64; stride += 8) {
		memset(map, 0xee, sizeof(map)); /* padding bytes must not matter */
		put(0, stride, 7, 0, 160);                    /* conventional */
		put(1, stride, 0, 0xa0000, 96);               /* reserved */
		put(2, stride, 11, 0xfec00000, 0x100);        /* MMIO: not RAM */
		put(3, stride, 10, 0x7ff00000, 0x100);        /* ACPI NVS: RAM */
		put(4, stride, 0, 0x100000000ull, 0x100000);  /* reserved above: not RAM */
		assert_true(bootinfo_ram_top(map, 5, stride, 1ull << 46) == 0x80000000ull);
		put(5, stride, BOOTINFO_MEM_METADATA, 0x140000000ull, 16);
		assert_true(bootinfo_ram_top(map, 6, stride, 1ull << 46) == 0x140010000ull);
	}
}

static void ram_top_ignores_overflowing_entries(void **s)
{
	(void)s;
	put(0, 48, 7, 0x1000, 1);
	put(1, 48, 7, 0xfffffffffffff000ull, 16);    /* wraps */
	put(2, 48, 7, 0x2000, UINT64_MAX >> 8);       /* pages << 12 overflows */
	assert_true(bootinfo_ram_top(map, 3, 48, UINT64_MAX) == 0x2000);
	assert_true(bootinfo_ram_top(map, 0, 48, UINT64_MAX) == 0);
}

/* A RAM range ending at 2^64 exactly has its last byte inside 64 bits:
 * mapaudit takes it (and gives the allocator its USABLE frames below the
 * CPU's width), so the metadata array must reach the width too. The sum
 * phys + pages * 4096 wraps to 0 there, and ram_top ignored the range as
 * broken: found by fuzz/memmap (a conventional range 0x1000 + (2^52 - 1)
 * pages). A zero-length range describes no memory (mapaudit: zero_length). */
static void ram_top_takes_a_range_ending_at_2_64(void **s)
{
	(void)s;
	memset(map, 0, sizeof(map));
	put(0, 48, 7, 0x1000, 0xfffffffffffffull);       /* [0x1000, 2^64) */
	put(1, 48, 0xff000000u, 0x80000002ull, 0);       /* zero length */
	assert_true(bootinfo_ram_top(map, 2, 48, 1ull << 36) == 1ull << 36);
	assert_true(bootinfo_ram_top(map, 2, 48, UINT64_MAX) == UINT64_MAX);
	put(0, 48, 7, 0, 1ull << 52);                    /* [0, 2^64) */
	assert_true(bootinfo_ram_top(map, 2, 48, 1ull << 46) == 1ull << 46);
	put(0, 48, 7, 0x2000, 0xfffffffffffffull);       /* one page past 2^64 */
	assert_true(bootinfo_ram_top(map, 2, 48, 1ull << 46) == 0);
}

/* A stray RAM entry beyond the CPU's physical address space must not size
 * the metadata array; one that crosses the limit counts up to it. */
static void ram_top_stops_at_the_physical_limit(void **s)
{
	(void)s;
	memset(map, 0, sizeof(map));
	put(0, 48, 7, 0, 0x40000);                       /* 1 GiB */
	put(1, 48, 7, 1ull << 50, 16);                  /* beyond a 39-bit CPU */
	assert_true(bootinfo_ram_top(map, 2, 48, 1ull << 39) == 1ull << 30);
	assert_true(bootinfo_ram_top(map, 2, 48, 1ull << 52) == (1ull << 50) + 0x10000);
	put(1, 48, 7, (1ull << 39) - 0x1000, 16);        /* crosses the limit */
	assert_true(bootinfo_ram_top(map, 2, 48, 1ull << 39) == 1ull << 39);
}

static void ram_types(void **s)
{
	(void)s;
	int ram[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15 };
	int not_ram[] = { 0, 11, 12, 13, 16, 0x7fffffff };

	for (unsigned i = 0; i < sizeof(ram) / sizeof(ram[0]); i++)
		assert_true(bootinfo_mem_is_ram(ram[i]));
	for (unsigned i = 0; i < sizeof(not_ram) / sizeof(not_ram[0]); i++)
		assert_false(bootinfo_mem_is_ram(not_ram[i]));
	assert_true(bootinfo_mem_is_ram(BOOTINFO_MEM_PAGETABLE));
}

static void metadata_sizing(void **s)
{
	(void)s;
	assert_true(metadata_size_for(0) == 0);
	assert_true(metadata_size_for(1) == 4096);                /* a partial frame counts */
	assert_true(metadata_size_for(4096) == 4096);
	assert_true(metadata_size_for(64 * 4096) == 4096);        /* 64 slots = one page */
	assert_true(metadata_size_for(64 * 4096 + 1) == 8192);
	assert_true(metadata_size_for(1ull << 30) == 16ull << 20); /* 1 GiB -> 16 MiB */
	assert_true(metadata_size_for(7ull << 30) == 112ull << 20);
	for (uint64_t r = 1; r < (1ull << 40); r = r * 3 + 17) {
		uint64_t b = metadata_size_for(r);

		assert_true(b % 4096 == 0);
		assert_true(b / 64 >= (r + 4095) / 4096);              /* covers every frame */
		assert_true(b - (r + 4095) / 4096 * 64 < 4096);         /* and no more than a page over */
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(accepts_a_good_one),
		cmocka_unit_test(rejects_unterminated_paths),
		cmocka_unit_test(rejects_in_order),
		cmocka_unit_test(metadata_fields_checked_against_each_other),
		cmocka_unit_test(blocks_inside_ram_without_overflow),
		cmocka_unit_test(framebuffer_size_without_overflow),
		cmocka_unit_test(loader_framebuffer_check_without_overflow),
		cmocka_unit_test(ram_top_steps_by_stride),
		cmocka_unit_test(ram_top_reads_descriptors_at_any_stride),
		cmocka_unit_test(ram_top_ignores_overflowing_entries),
		cmocka_unit_test(ram_top_takes_a_range_ending_at_2_64),
		cmocka_unit_test(ram_top_stops_at_the_physical_limit),
		cmocka_unit_test(ram_types),
		cmocka_unit_test(metadata_sizing),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
