/* The tested-frames bitmap (coverage.h): one bit per frame below the
 * metadata array's end, in blocks of at most MAX_ORDER from the allocator.
 * Its own blocks are tested before they hold a bit. Bits are only ever set
 * (atomic OR: two CPUs may test neighbouring frames of one word). */
#include <stdatomic.h>
#include <kernel/console.h>
#include <kernel/coverage.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <kernel/run.h>

#define CHUNK_BITS   ((PAGE_SIZE << MAX_ORDER) * 8)
#define CHUNKS_MAX   256u   /* 256 x 32 Mi frames: 32 TiB */

struct chunk {
	_Atomic uint64_t *bits;
	uint64_t phys;
	uint8_t order;
};

static struct chunk chunks[CHUNKS_MAX];
static uint64_t nframes;     /* frames with a bit; 0 until coverage_init is done */

static int chunk_alloc(struct chunk *c, uint64_t bytes)
{
	c->order = kmem_order_for(bytes);
	c->phys = kmem_alloc_tested(c->order, FRAME_PURPOSE_KERNEL_DATA);
	if (c->phys)
		c->bits = phys_to_virt(c->phys);   /* zeroed: nothing tested yet */
	return c->phys != 0;
}

void coverage_init(uint64_t frames)
{
	uint64_t want = frames < CHUNK_BITS * CHUNKS_MAX ? frames : CHUNK_BITS * CHUNKS_MAX;
	uint32_t n = 0;

	for (uint64_t done = 0; done < want; done += CHUNK_BITS, n++) {
		uint64_t left = want - done, bits = left < CHUNK_BITS ? left : CHUNK_BITS;

		if (!chunk_alloc(&chunks[n], (bits + 7) / 8)) {
			want = done;   /* frames past here count as untested */
			break;
		}
	}
	run_check(want == frames, "coverage_bitmap_allocated");
	nframes = want;
	for (uint32_t i = 0; i < n && chunks[i].bits; i++)
		coverage_mark_tested(chunks[i].phys, 1ull << chunks[i].order);
}

uint64_t coverage_bitmap_frames(void)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < CHUNKS_MAX && chunks[i].bits; i++)
		n += 1ull << chunks[i].order;
	return n;
}

void coverage_mark_tested(uint64_t phys, uint64_t frames)
{
	uint64_t pfn = phys >> PAGE_SHIFT, end = pfn + frames;

	if (end > nframes)
		end = nframes;
	while (pfn < end) {
		_Atomic uint64_t *w = &chunks[pfn / CHUNK_BITS].bits[pfn % CHUNK_BITS / 64];
		unsigned bit = pfn % 64, n = end - pfn < 64 - bit ? (unsigned)(end - pfn) : 64 - bit;
		uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << bit;

		/* relaxed: the report reads the bits after smp_run's join */
		atomic_fetch_or_explicit(w, mask, memory_order_relaxed);
		pfn += n;
	}
}

int coverage_frame_tested(uint64_t pfn)
{
	if (pfn >= nframes)
		return 0;
	uint64_t w = atomic_load_explicit(&chunks[pfn / CHUNK_BITS].bits[pfn % CHUNK_BITS / 64],
					  memory_order_relaxed);

	return (w >> (pfn % 64)) & 1;
}

void coverage_of_range(uint64_t start, uint64_t end, uint64_t *tested, uint64_t *frames)
{
	uint64_t t = 0, pfn = start >> PAGE_SHIFT, last = (end + PAGE_SIZE - 1) >> PAGE_SHIFT;

	for (; pfn < last; pfn++)
		t += coverage_frame_tested(pfn);
	*tested = t;
	*frames = last > (start >> PAGE_SHIFT) ? last - (start >> PAGE_SHIFT) : 0;
}
