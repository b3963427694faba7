/* The uncached view (ucview.h): one 4 MiB window of 4 KiB pages per CPU, in
 * PML4 slot 509, its page tables built before the audit takes the memory. */
#include <stdatomic.h>
#include <mm/frame.h>
#include <kernel/ucview.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/pat.h>
#include <kernel/percpu.h>
#include <kernel/run.h>
#include <kernel/vm.h>

#define LINE 64
#define PAGE 4096ull

_Static_assert(UCVIEW_BYTES == PAGE << MAX_ORDER, "a window holds the largest buddy block");

static uint32_t ready;                /* CPUs with a window */
static struct {
	uint64_t spans, verified;     /* CPU c writes [c] */
} seen[MAX_CPUS];
static atomic_ullong first_pte;       /* a leaf as read back, for the event */

static uint64_t window(uint32_t cpu)
{
	return VM_UCVIEW_BASE + (uint64_t)cpu * UCVIEW_BYTES;
}

int ucview_prepare(uint32_t ncpu)
{
	ncpu = ncpu < MAX_CPUS ? ncpu : MAX_CPUS;
	for (uint32_t c = ready; c < ncpu; c++) {
		for (uint64_t off = 0; off < UCVIEW_BYTES; off += PAGE * 512)
			if (!vm_pte(window(c) + off, 1))
				return -1;
		ready = c + 1;
	}
	return 0;
}

static void flush_lines(uint64_t phys, uint64_t bytes)
{
	const volatile char *p = phys_to_virt(phys);

	for (uint64_t off = 0; off < bytes; off += LINE)
		clflush(p + off);
	mfence();
}

/* The leaf the live tables hold for va and the PAT this CPU uses: UC, and
 * the frame asked for. */
static int really_uncached(uint64_t va, uint64_t phys)
{
	uint64_t size, leaf = vm_leaf(va, &size);

	if (!leaf || size != PAGE || (leaf & 0x000ffffffffff000ull) != phys)
		return 0;
	uint64_t none = 0;

	atomic_compare_exchange_strong(&first_pte, &none, leaf);
	return pat_entry(rdmsr(MSR_PAT), pat_leaf_index(leaf, size)) == PAT_UC;
}

volatile uint64_t *ucview_open(uint64_t phys, uint64_t bytes)
{
	uint32_t me = this_cpu()->index;
	uint64_t va = window(me);

	seen[me].spans++;
	if (me >= ready || bytes > UCVIEW_BYTES || !bytes)
		return 0; /* counted, never verified: the check fails */
	flush_lines(phys, bytes);
	for (uint64_t off = 0; off < bytes; off += PAGE) {
		*vm_pte(va + off, 0) = pat_pte_4k(phys + off, PAT_INDEX_UCVIEW);
		invlpg(va + off);
	}
	seen[me].verified += really_uncached(va, phys) &&
			     really_uncached(va + ((bytes - 1) & ~(PAGE - 1)),
					     phys + ((bytes - 1) & ~(PAGE - 1)));
	return (volatile uint64_t *)va;
}

void ucview_close(uint64_t phys, uint64_t bytes)
{
	uint64_t va = window(this_cpu()->index);

	for (uint64_t off = 0; off < bytes; off += PAGE) {
		*vm_pte(va + off, 0) = 0;
		invlpg(va + off);
	}
	flush_lines(phys, bytes);
}

void ucview_report(void)
{
	uint64_t spans = 0, verified = 0, pat = rdmsr(MSR_PAT);
	struct jw w;

	for (uint32_t c = 0; c < MAX_CPUS; c++) {
		spans += seen[c].spans;
		verified += seen[c].verified;
		seen[c].spans = seen[c].verified = 0;
	}
	if (!spans)
		return;
	uint64_t pte = atomic_load(&first_pte);

	jw_begin(&w, "uc_view");
	jw_u64(&w, "spans", spans);
	jw_u64(&w, "verified_uc", verified);
	jw_u64(&w, "pat", pat);
	jw_u64(&w, "pat_index", pat_leaf_index(pte, PAGE));
	jw_str(&w, "type", pat_type_name(pat_entry(pat, pat_leaf_index(pte, PAGE))));
	jw_u64(&w, "pte", pte);
	event_emit(&w);
	run_check(verified == spans, "uc_view_is_uncached");
}
