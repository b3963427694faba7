/* mm_init (mminit.h). Which map ranges the allocator may own: memory that is
 * free once boot services are gone (conventional, boot services code and
 * data, loader data, loader code other than the kernel image), never the
 * first 1 MiB (legacy areas, the AP trampoline). Everything the loader
 * allocated for the kernel has a BOOTINFO_MEM_* type and so stays out. */
#include <mm/mm.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/mminit.h>
#include <kernel/panic.h>
#include <kernel/run.h>

#define LOW_MEMORY_END 0x100000ull

static int usable_type(uint32_t type)
{
	switch (type) {
	case 1: case 2: /* loader code, loader data */
	case 3: case 4: /* boot services code, data */
	case 7:         /* conventional */
		return 1;
	default:
		return 0;
	}
}

static uint64_t add(uint64_t s, uint64_t e, uint64_t *ranges, uint64_t *errors)
{
	if (s < LOW_MEMORY_END)
		s = LOW_MEMORY_END;
	if (e <= s)
		return 0;
	enum alloc_error err = buddy_add_range(s, e);

	if (err != ALLOC_ERROR_NONE) {
		(*errors)++;
		return 0;
	}
	(*ranges)++;
	return 1;
}

void mm_init(const struct bootinfo *bi)
{
	const void *map = phys_to_virt(bi->mmap);
	uint64_t ks = bi->kernel_phys, ke = bi->kernel_phys + bi->kernel_bytes;
	uint64_t ranges = 0, errors = 0;
	enum alloc_error err = init_metadata_array(phys_to_virt(bi->meta_phys), bi->meta_bytes,
						   bi->meta_frames);
	struct jw w;

	if (err != ALLOC_ERROR_NONE)
		panic("init_metadata_array failed: %s", alloc_error_name(err));
	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct bootinfo_mem_desc *d = bootinfo_desc_at(map, bi->mmap_stride, i);
		uint64_t s = d->phys_start, e = s + (d->num_pages << 12);

		if (!usable_type(d->type) || d->num_pages == 0 || e < s || d->num_pages >> 40)
			continue;
		/* the kernel image is loader code too: cut it out */
		if (s < ke && ks < e) {
			add(s, ks, &ranges, &errors);
			add(ke, e, &ranges, &errors);
		} else {
			add(s, e, &ranges, &errors);
		}
	}
	struct mm_stats st;

	mm_stats_read(&st);
	jw_begin(&w, "mm_init");
	jw_u64(&w, "metadata_frames", bi->meta_frames);
	jw_u64(&w, "ranges", ranges);
	jw_u64(&w, "range_errors", errors);
	jw_u64(&w, "managed_frames", st.managed_frames);
	jw_u64(&w, "free_frames", st.free_frames);
	event_emit(&w);
	run_check(errors == 0, "mm_usable_ranges_accepted");
	run_check(st.free_frames > 0 && st.free_frames == st.managed_frames,
		  "mm_all_managed_frames_free_at_init");
}

void mm_report_stats(const char *when)
{
	struct mm_stats st;
	struct jw w;

	mm_stats_read(&st);
	jw_begin(&w, "mm_stats");
	jw_str(&w, "when", when);
	jw_obj_begin(&w, "free_blocks");
	for (int o = 0; o <= MAX_ORDER; o++) {
		char k[4] = { (char)('0' + o / 10), (char)('0' + o % 10), 0, 0 };

		jw_u64(&w, o < 10 ? k + 1 : k, st.free_blocks[o]);
	}
	jw_obj_end(&w);
	jw_u64(&w, "free_frames", st.free_frames);
	jw_u64(&w, "cached_frames", st.cached_frames);
	jw_u64(&w, "managed_frames", st.managed_frames);
	jw_u64(&w, "quarantined_frames", st.quarantined_frames);
	jw_u64(&w, "allocs", st.allocs);
	jw_u64(&w, "frees", st.frees);
	jw_u64(&w, "splits", st.splits);
	jw_u64(&w, "merges", st.merges);
	jw_u64(&w, "cache_hits", st.cache_hits);
	jw_u64(&w, "refills", st.refills);
	jw_u64(&w, "drains", st.drains);
	jw_u64(&w, "poisoned", st.poisoned);
	jw_u64(&w, "corruptions", st.corruptions);
	jw_u64(&w, "errors", st.errors);
	event_emit(&w);
}
