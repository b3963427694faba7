/* Boot-services code and data: the audit tests them (most of a PC's low
 * RAM), but some firmware's runtime services still read them after
 * ExitBootServices (why Linux has efi_reserve_boot_services). So their
 * contents are copied into memory the allocator hands out (never boot-services
 * memory: those ranges join the allocator only after the copy is made) and put
 * back, bit for bit and checksummed, before any runtime service is called. */
#ifndef METASLOT_KERNEL_BSSAVE_H
#define METASLOT_KERNEL_BSSAVE_H

#include <bootinfo.h>
#include <stdint.h>
#include <mm/frame.h>

/* Splits [start, end) (4 KiB aligned) into consecutive pieces, in order,
 * each wholly inside or wholly outside the boot-services code/data entries
 * of the map (entries rounded out to 4 KiB; zero-length and overflowing ones
 * ignored); out() gets each with is_bs. Pure (kernel/mem/bssplit.c). */
void bs_split(const void *map, uint32_t count, uint32_t stride, uint64_t start, uint64_t end,
	      void (*out)(void *ctx, uint64_t s, uint64_t e, int is_bs), void *ctx);

/* Adds [start, end) (USABLE in the sanitised map) to the buddy, except the
 * parts that boot-services entries of the raw map claim: those are recorded
 * for bs_save. Returns the buddy_add_range calls that failed. */
uint64_t bs_add_usable(const struct bootinfo *bi, uint64_t start, uint64_t end);

/* Copies the recorded parts into allocated memory (checksummed), then adds
 * them to the buddy; without memory for the copy they stay out of the
 * allocator, as with boot_services=keep. Emits bs_save. */
void bs_save(void);

/* Frames the copy holds (allocated) and frames kept out of the allocator. */
uint64_t bs_copy_frames(void);
uint64_t bs_kept_frames(void);
/* The first copy block's physical address, 0 if none (fault_test only). */
uint64_t bs_copy_phys(void);

/* Whether [start, end) meets boot-services memory that bs_restore will
 * write back: what must outlive the run (relocated objects) stays out. */
int bs_overlaps(uint64_t start, uint64_t end);

/* Puts the saved contents back and checks the checksum; emits bs_restore.
 * Idempotent; runtime calls before it swap instead (below). The allocator is
 * not disturbed (its bookkeeping lives in the metadata array, never in the
 * frames), but afterwards nothing may allocate: the restored frames are free
 * in it. Called once, at the end of the run (kernel/main.c). */
void bs_restore(void);

/* Runtime calls before the final bs_restore (the journal's writes during the
 * run; efirt.c brackets every call with them): bs_swap_in trades the saved
 * contents with what the kernel keeps in those frames now, word for word (no
 * memory needed; its checksum checked as bs_restore checks it), so the
 * firmware sees its own memory; bs_swap_out trades them back. Only while no
 * other CPU reads or writes memory the kernel handed it (between patterns,
 * between passes, or with every other CPU stopped). No-ops when
 * bs_in_place: nothing was saved, or it is restored for good. */
void bs_swap_in(void);
void bs_swap_out(void);
int bs_in_place(void);

/* The same trade shared by `parts` CPUs, for a safe point where they all
 * wait anyway (kernel/audit/passes.c, between patterns): every CPU calls
 * bs_swap_part(i, parts, in) for its own part i (its share of the bytes and
 * of the checksum's chunks); once all are done (a barrier), one CPU calls
 * bs_swap_end(in), which checks the checksum as bs_swap_in does (in = 1) or
 * takes the new reference as bs_swap_out does (in = 0). In between, the
 * runtime calls' own bs_swap_in/out leave the memory as it is; the caller
 * trades it back with the same two steps. Only where bs_swap_shared says so:
 * there is something to trade, and every CPU's stack, per-CPU block and
 * tables are outside it (kmem_resident_in_bs() == 0), so no CPU runs on
 * memory another one is trading. */
int bs_swap_shared(void);
void bs_swap_part(uint32_t part, uint32_t parts, int in);
void bs_swap_end(int in);

#endif
