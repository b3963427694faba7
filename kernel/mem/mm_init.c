/* mm_init (mminit.h). The allocator owns exactly the USABLE ranges of the
 * audited memory map (kernel/mem/memmap.c): free once boot services are gone,
 * never the first 1 MiB, never anything the loader allocated for the kernel
 * or any range another map entry also claims. Boot-services parts join last,
 * once their contents are saved (bssave.c). */
#include <mm/mm.h>
#include <kernel/bssave.h>
#include <kernel/console.h>
#include <kernel/coverage.h>
#include <kernel/cpu.h>
#include <kernel/memmap.h>
#include <kernel/mminit.h>
#include <kernel/panic.h>
#include <kernel/report.h>
#include <kernel/run.h>

void mm_init(const struct bootinfo *bi)
{
	uint64_t ranges = 0, errors = 0;
	enum alloc_error err = init_metadata_array(phys_to_virt(bi->meta_phys), bi->meta_bytes,
						   bi->meta_frames);
	struct mm_stats st;
	struct jw w;

	if (err != ALLOC_ERROR_NONE)
		panic("init_metadata_array failed: %s", alloc_error_name(err));
	report_apply_known_bad(bi);   /* before any frame can be handed out */
	for (uint32_t i = 0; i < memmap_range_count; i++) {
		const struct mapaudit_range *r = &memmap_ranges[i];

		if (r->cls != MAPAUDIT_USABLE)
			continue;
		uint64_t e = bs_add_usable(bi, r->start, r->end);

		errors += e;
		ranges += e == 0;
	}
	coverage_init(bi->meta_frames); /* tested-frames bitmap, before anything is tested */
	bs_save();                    /* copy boot-services memory, then add it */
	mm_stats_read(&st);
	jw_begin(&w, "mm_init");
	jw_u64(&w, "metadata_frames", bi->meta_frames);
	jw_u64(&w, "ranges", ranges);
	jw_u64(&w, "range_errors", errors);
	jw_u64(&w, "managed_frames", st.managed_frames);
	jw_u64(&w, "free_frames", st.free_frames);
	jw_u64(&w, "quarantined_frames", st.quarantined_frames);
	event_emit(&w);
	run_check(errors == 0, "mm_usable_ranges_accepted");
	/* known-bad frames are managed but quarantined, never free; the copy of
	 * boot-services memory and the coverage bitmap are the only allocations yet */
	run_check(st.free_frames > 0 &&
		  st.free_frames + st.quarantined_frames + bs_copy_frames() +
				  coverage_bitmap_frames() == st.managed_frames,
		  "mm_all_managed_frames_free_at_init");
	/* boot-services frames that could not be saved are held back, as
	 * boot_services=keep would: usable, but deliberately not managed */
	memmap_check_allocator(st.managed_frames + bs_kept_frames());
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
