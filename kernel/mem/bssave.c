/* bssave.h. The boot-services parts of the usable ranges are recorded while
 * the buddy is built without them; the copy is then allocated from the buddy
 * (so it can never land on what it copies) before those parts are added. */
#include <kernel/bssave.h>
#include <mm/mm.h>
#include <kernel/audit.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <kernel/run.h>
#include <lib/string.h>

#define MAX_PIECES 1024   /* parts beyond it stay out of the allocator */
#define MAX_BLOCKS 4096   /* 16 GiB of copy in 4 MiB blocks */

struct span {
	uint64_t start, end;
};

static struct span pieces[MAX_PIECES];
static uint32_t npieces;
static uint64_t piece_bytes, kept_bytes;
static struct { uint64_t phys; uint8_t order; } blocks[MAX_BLOCKS];
static uint32_t nblocks;
static uint64_t saved_sum;
static int saved, restored, swapped, held;

/* The checksum is over chunks of the stream (the pieces' bytes in order):
 * each chunk summed on its own, then the chunks' sums summed, so CPUs can
 * sum chunks side by side (bs_swap_part). Chunks are 256 KiB or larger, at
 * most MAX_CHUNKS of them. */
#define MAX_CHUNKS 4096
static uint64_t chunk_sum[MAX_CHUNKS];
static uint64_t stream_bytes, chunk_bytes, nchunks;

struct add_ctx {
	uint64_t errors;
};

static void add_piece(void *ctx, uint64_t s, uint64_t e, int is_bs)
{
	struct add_ctx *c = ctx;

	if (!is_bs) {
		c->errors += buddy_add_range(s, e) != ALLOC_ERROR_NONE;
		return;
	}
	piece_bytes += e - s;
	if (npieces && pieces[npieces - 1].end == s)
		pieces[npieces - 1].end = e; /* adjacent claims: one piece */
	else if (npieces < MAX_PIECES)
		pieces[npieces++] = (struct span){ s, e };
	else
		kept_bytes += e - s; /* no room to record it: kept, never tested */
}

uint64_t bs_add_usable(const struct bootinfo *bi, uint64_t start, uint64_t end)
{
	struct add_ctx c = { 0 };

	bs_split(phys_to_virt(bi->mmap), bi->mmap_count, bi->mmap_stride, start, end, add_piece, &c);
	return c.errors;
}

/* FNV-1a over 64-bit words: each step is a bijection of the running sum, so
 * a change in any one word always changes the result. */
static uint64_t sum_words(uint64_t h, const uint64_t *w, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;
	return h;
}

#define SUM_SEED 0xcbf29ce484222325ull

static void swap_words(uint64_t *a, uint64_t *b, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/* pieces -> copy, copy -> pieces, neither, or the two traded word for word */
enum dir { SAVE, RESTORE, READ, SWAP };

/* A place in the two streams: piece p at address x, copy block b at boff. */
struct cursor {
	uint32_t p, b;
	uint64_t x, boff;
};

/* Where byte `off` of the stream lies in the pieces and in the copy. */
static struct cursor seek(uint64_t off)
{
	struct cursor c = { 0, 0, 0, 0 };
	uint64_t left = off;

	for (; c.p < npieces && left >= pieces[c.p].end - pieces[c.p].start; c.p++)
		left -= pieces[c.p].end - pieces[c.p].start;
	c.x = c.p < npieces ? pieces[c.p].start + left : 0;
	left = off;
	for (; c.b < nblocks && left >= (uint64_t)PAGE_SIZE << blocks[c.b].order; c.b++)
		left -= (uint64_t)PAGE_SIZE << blocks[c.b].order;
	c.boff = left;
	return c;
}

/* Walks chunks [c0, c1) of the pieces and the copy blocks, two equal byte
 * streams: moves the bytes as `d` says, then sums each chunk of the copy
 * (sum_copy) or of the pieces into chunk_sum. */
static void stream_chunks(enum dir d, int sum_copy, uint64_t c0, uint64_t c1)
{
	uint64_t off = c0 * chunk_bytes, end = c1 * chunk_bytes, h = SUM_SEED;
	struct cursor c = seek(off);

	end = end < stream_bytes ? end : stream_bytes;
	while (off < end) {
		uint64_t bsize = (uint64_t)PAGE_SIZE << blocks[c.b].order;
		uint64_t n = pieces[c.p].end - c.x, chunk_left = chunk_bytes - off % chunk_bytes;
		uint8_t *mem = phys_to_virt(c.x), *cp = phys_to_virt(blocks[c.b].phys + c.boff);

		n = n < bsize - c.boff ? n : bsize - c.boff;
		n = n < chunk_left ? n : chunk_left;
		if (d == SAVE)
			memcpy(cp, mem, n);
		else if (d == RESTORE)
			memcpy(mem, cp, n);
		else if (d == SWAP)
			swap_words((uint64_t *)mem, (uint64_t *)cp, n / 8);
		h = sum_words(h, (const uint64_t *)(sum_copy ? cp : mem), n / 8);
		off += n;
		c.x += n;
		c.boff += n;
		if (c.x == pieces[c.p].end && ++c.p < npieces)
			c.x = pieces[c.p].start;
		if (c.boff == bsize) {
			c.b++;
			c.boff = 0;
		}
		if (off % chunk_bytes == 0 || off == end) {
			chunk_sum[(off - 1) / chunk_bytes] = h;
			h = SUM_SEED;
		}
	}
}

/* The checksum of the whole stream: its chunks' sums, summed in order (each
 * step a bijection, so a change in any one word still changes it). */
static uint64_t chunks_sum(void)
{
	return sum_words(SUM_SEED, chunk_sum, nchunks);
}

/* The whole stream on this CPU; its checksum. */
static uint64_t stream(enum dir d, int sum_copy)
{
	stream_chunks(d, sum_copy, 0, nchunks);
	return chunks_sum();
}

/* Chunks of 256 KiB, larger where MAX_CHUNKS of them would not hold it. */
static void size_chunks(void)
{
	stream_bytes = 0;
	for (uint32_t p = 0; p < npieces; p++)
		stream_bytes += pieces[p].end - pieces[p].start;
	chunk_bytes = 256 << 10;
	while (stream_bytes > chunk_bytes * MAX_CHUNKS)
		chunk_bytes *= 2;
	nchunks = (stream_bytes + chunk_bytes - 1) / chunk_bytes;
}

static void free_blocks(void)
{
	for (uint32_t i = 0; i < nblocks; i++)
		run_check(kmem_free(blocks[i].phys, blocks[i].order) == ALLOC_ERROR_NONE,
			  "bs_copy_block_freed");
	nblocks = 0;
}

/* Enough blocks for the recorded pieces, largest first; 0 if the allocator
 * runs out. Each block is tested (audit_test_block) before it is used: the
 * copy must live in memory known to hold data. A block with bad frames goes
 * back (its bad frames to the quarantine) and another is taken. */
static int alloc_copy(void)
{
	uint64_t have = 0, need = piece_bytes - kept_bytes;
	uint8_t order = MAX_ORDER;
	uint32_t bad_blocks = 0;

	while (have < need) {
		uint64_t left = need - have;
		struct frame_alloc_options o;
		struct phys_frame f;

		while (order > 0 && ((uint64_t)PAGE_SIZE << (order - 1)) >= left)
			order--;  /* the smallest block that holds the rest */
		o = frame_alloc_options_order(frame_alloc_options_zeroed(frame_alloc_options_new(),
									  false), order);
		if (nblocks < MAX_BLOCKS && frame_alloc_options_allocate(&o, &f) == ALLOC_ERROR_NONE) {
			if (audit_test_block(f.start_address, order)) {
				run_check(kmem_free(f.start_address, order) == ALLOC_ERROR_NONE,
					  "bs_bad_copy_block_freed");
				if (++bad_blocks == 16)
					return 0; /* failing memory everywhere: keep the originals */
				continue;
			}
			blocks[nblocks].phys = f.start_address;
			blocks[nblocks++].order = order;
			have += (uint64_t)PAGE_SIZE << order;
		} else if (order == 0 || nblocks == MAX_BLOCKS) {
			return 0;
		} else {
			order--;
		}
	}
	return 1;
}

void bs_save(void)
{
	struct jw w;
	uint64_t added_errors = 0;

	jw_begin(&w, "bs_save");
	jw_u64(&w, "pieces", npieces);
	jw_u64(&w, "bytes", piece_bytes - kept_bytes);
	if (npieces && !alloc_copy()) {
		free_blocks();
		kept_bytes = piece_bytes;
		jw_bool(&w, "saved", false);
		jw_str(&w, "reason", "no memory for the copy: boot services memory kept out of the audit");
		jw_u64(&w, "kept_bytes", kept_bytes);
		event_emit(&w);
		kprintf("boot services memory: no room to save it, so it is not tested");
		npieces = 0;
		return;
	}
	size_chunks();
	uint64_t src = stream(SAVE, 0), cp = stream(READ, 1);

	/* the copy is read back from RAM: a copy that does not hold what was
	 * read is no copy (and the memory it sits in is suspect) */
	saved_sum = src;
	saved = npieces > 0; /* nothing recorded: nothing to put back */
	for (uint32_t p = 0; p < npieces; p++)
		added_errors += buddy_add_range(pieces[p].start, pieces[p].end) != ALLOC_ERROR_NONE;
	jw_bool(&w, "saved", true);
	jw_u64(&w, "copy_blocks", nblocks);
	jw_u64(&w, "copy_frames", bs_copy_frames()); /* held by the copy: not audited */
	jw_u64(&w, "copy_phys", bs_copy_phys());      /* its first block, tested before use */
	jw_u64(&w, "kept_bytes", kept_bytes);
	jw_u64(&w, "checksum", src);
	jw_bool(&w, "copy_matches", src == cp);
	event_emit(&w);
	run_check(src == cp, "bs_copy_matches_original");
	run_check(added_errors == 0, "bs_ranges_accepted");
}

uint64_t bs_copy_frames(void)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < nblocks; i++)
		n += 1ull << blocks[i].order;
	return n;
}

uint64_t bs_kept_frames(void)
{
	return kept_bytes / PAGE_SIZE;
}

uint64_t bs_copy_phys(void)
{
	return nblocks ? blocks[0].phys : 0;
}

int bs_overlaps(uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < npieces; i++)
		if (start < pieces[i].end && pieces[i].start < end)
			return saved;
	return 0;
}

void bs_restore(void)
{
	struct jw w;

	if (!saved || restored)
		return;
	held = 0;      /* (a runtime call that never returned, e.g. from #MC) */
	bs_swap_out();
	restored = 1;
	uint64_t back = stream(RESTORE, 0);

	jw_begin(&w, "bs_restore");
	jw_u64(&w, "bytes", piece_bytes - kept_bytes);
	jw_u64(&w, "checksum", back);
	jw_u64(&w, "saved_checksum", saved_sum);
	jw_bool(&w, "matches", back == saved_sum);
	event_emit(&w);
	run_check(back == saved_sum, "bs_restored_bit_for_bit");
}

int bs_in_place(void)
{
	return !saved || restored;
}

/* The firmware's contents go in place and what the kernel keeps in those
 * frames now waits in the copy; the contents put in place must be what the
 * last save or swap-out left (else bs_restore's check fails, as at the end). */
/* The checksum of what went in place against the reference. */
static void check_in(uint64_t in)
{
	if (in != saved_sum) {
		struct jw w;

		jw_begin(&w, "bs_restore");
		jw_str(&w, "when", "runtime_call");
		jw_u64(&w, "bytes", piece_bytes - kept_bytes);
		jw_u64(&w, "checksum", in);
		jw_u64(&w, "saved_checksum", saved_sum);
		jw_bool(&w, "matches", false);
		event_emit(&w);
		run_check(0, "bs_restored_bit_for_bit");
		saved_sum = in; /* reported once: what the firmware has now */
	}
}

void bs_swap_in(void)
{
	if (bs_in_place() || swapped)
		return;
	swapped = 1;
	check_in(stream(SWAP, 0));
}

/* Traded back; the firmware's contents, as the call left them, are the new
 * reference for the next check. */
void bs_swap_out(void)
{
	if (!swapped || held)
		return;
	swapped = 0;
	saved_sum = stream(SWAP, 1);
}

int bs_swap_shared(void)
{
	return !bs_in_place() && !kmem_resident_in_bs();
}

void bs_swap_part(uint32_t part, uint32_t parts, int in)
{
	if (bs_in_place() || swapped == in || !parts)
		return;
	stream_chunks(SWAP, !in, nchunks * part / parts, nchunks * (part + 1) / parts);
}

void bs_swap_end(int in)
{
	if (bs_in_place() || swapped == in)
		return;
	swapped = held = in;
	if (in)
		check_in(chunks_sum());
	else
		saved_sum = chunks_sum();
}
