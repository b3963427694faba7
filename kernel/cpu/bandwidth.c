/* Memory bandwidth on every CPU at once (bandwidth.h). Each of the twenty
 * tests (4 levels x write, non-temporal write, read, copy, read-modify-write)
 * gets an equal slice of the time box:
 * the CPUs meet at a barrier, sweep their own buffer until their slice has
 * passed (checking the TSC every 64 KiB at most), and each CPU's bytes over
 * its own cycles add up to the all-CPU figure. Buffers come from the
 * allocator (4 MiB blocks, its largest), so a machine too small for them
 * measures fewer levels, never fails. */
#include <kernel/bandwidth.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/kmem.h>
#include <mm/frame.h>
#include <kernel/run.h>
#include <kernel/smp.h>
#include <kernel/time.h>

/* write first: the buffers are not zeroed, so each level is written before
 * it is read (frame_alloc_options_zeroed's contract) */
enum { OP_WRITE, OP_WRITE_NT, OP_READ, OP_COPY, OP_RMW, OPS };
static const char *const level_name[BW_LEVELS] = { "l1", "l2", "l3", "ram" };
static const char *const op_key[OPS] = { "write_mib_s", "write_nt_mib_s", "read_mib_s",
					   "copy_mib_s", "rmw_mib_s" };
#define CHUNK (64u * 1024)

static struct {
	uint64_t block[MAX_CPUS][BW_MAX_BLOCKS]; /* physical, 0 = none */
	uint32_t nblocks;                        /* per CPU, the same on all */
	uint64_t bytes;                          /* this test's buffer per CPU */
	uint32_t op;
	int warm;                                /* a cache level: fill it first */
	uint64_t slice;                          /* TSC cycles per test */
	struct barrier bar;
	uint32_t ncpu;
	uint64_t moved[MAX_CPUS], cycles[MAX_CPUS];
	uint64_t result[BW_LEVELS][OPS];         /* MiB/s, all CPUs */
} bw;

static volatile uint64_t sink; /* keeps the read loop's loads alive */

static uint64_t sweep_read(const uint64_t *p, uint64_t words)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;

	for (uint64_t i = 0; i < words; i += 4) {
		a += p[i];
		b += p[i + 1];
		c += p[i + 2];
		d += p[i + 3];
	}
	return a ^ b ^ c ^ d;
}

static void sweep_write(uint64_t *p, uint64_t words)
{
	__asm__ volatile("rep stosq" : "+D"(p), "+c"(words) : "a"(0x5555aaaa5555aaaaull)
			 : "memory");
}

/* movnti, as the audit's fills (kernel/audit/patterns/sweep.c) */
static void sweep_write_nt(uint64_t *p, uint64_t words)
{
	for (uint64_t i = 0; i < words; i += 4) {
		__asm__ volatile("movnti %1, %0" : "=m"(p[i]) : "r"(i));
		__asm__ volatile("movnti %1, %0" : "=m"(p[i + 1]) : "r"(i));
		__asm__ volatile("movnti %1, %0" : "=m"(p[i + 2]) : "r"(i));
		__asm__ volatile("movnti %1, %0" : "=m"(p[i + 3]) : "r"(i));
	}
	__asm__ volatile("sfence" : : : "memory");
}

/* each word read and written back changed, as a moving-inversion step */
static void sweep_rmw(volatile uint64_t *p, uint64_t words)
{
	for (uint64_t i = 0; i < words; i += 4) {
		uint64_t a = p[i], b = p[i + 1], c = p[i + 2], d = p[i + 3];

		p[i] = ~a;
		p[i + 1] = ~b;
		p[i + 2] = ~c;
		p[i + 3] = ~d;
	}
}

static void sweep_copy(uint64_t *dst, const uint64_t *src, uint64_t words)
{
	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
}

/* One pass of `op` over `bytes` of this CPU's buffer, chunk by chunk;
 * returns the bytes moved (copy: bytes copied, half the buffer). */
static uint64_t pass(uint64_t *const *blocks, uint64_t bytes, uint32_t op, uint64_t stop)
{
	uint64_t moved = 0, x = 0;

	for (uint64_t off = 0; off < bytes; off += CHUNK) {
		uint64_t n = bytes - off < CHUNK ? bytes - off : CHUNK;
		uint64_t *p = (uint64_t *)((char *)blocks[off / BW_BLOCK] + off % BW_BLOCK);

		if (op == OP_READ)
			x ^= sweep_read(p, n / 8);
		else if (op == OP_WRITE)
			sweep_write(p, n / 8);
		else if (op == OP_WRITE_NT)
			sweep_write_nt(p, n / 8);
		else if (op == OP_RMW)
			sweep_rmw(p, n / 8);
		else
			sweep_copy(p + n / 16, p, n / 16);
		moved += op == OP_COPY ? n / 2 : n;
		if (stop && rdtsc() >= stop)
			break;
	}
	sink = x;
	return moved;
}

static void on_cpu(struct percpu *pc, void *arg)
{
	uint64_t *blocks[BW_MAX_BLOCKS];
	uint32_t i = pc->index;
	uint64_t moved = 0, t0, stop;

	(void)arg;
	for (uint32_t k = 0; k < bw.nblocks; k++)
		blocks[k] = i < MAX_CPUS && bw.block[i][k] ? phys_to_virt(bw.block[i][k]) : 0;
	if (bw.warm)
		pass(blocks, bw.bytes, bw.op, 0);
	barrier_wait(&bw.bar, bw.ncpu);
	t0 = rdtsc();
	stop = t0 + bw.slice;
	do
		moved += pass(blocks, bw.bytes, bw.op, stop);
	while (rdtsc() < stop);
	if (i < MAX_CPUS) {
		bw.moved[i] = moved;
		bw.cycles[i] = rdtsc() - t0;
	}
}

static uint32_t alloc_buffers(uint32_t want)
{
	uint32_t got = want;

	for (uint32_t c = 0; c < bw.ncpu; c++)
		for (uint32_t k = 0; k < got; k++) {
			/* not zeroed: what the buffers hold does not matter, and
			 * zeroing 64 MiB per CPU would cost more than measuring */
			struct frame_alloc_options o = frame_alloc_options_order(
				frame_alloc_options_zeroed(frame_alloc_options_new(), false), 10);
			struct phys_frame f;

			if (frame_alloc_options_allocate(&o, &f) == ALLOC_ERROR_NONE)
				bw.block[c][k] = f.start_address;
			else
				got = k; /* fewer blocks for everyone */
		}
	return got;
}

static void free_buffers(void)
{
	for (uint32_t c = 0; c < bw.ncpu; c++)
		for (uint32_t k = 0; k < BW_MAX_BLOCKS; k++)
			if (bw.block[c][k]) {
				run_check(kmem_free(bw.block[c][k], 10) == ALLOC_ERROR_NONE,
					  "bandwidth_buffer_freed");
				bw.block[c][k] = 0;
			}
}

static void report(const uint64_t bytes[BW_LEVELS], uint64_t ms, uint64_t setup_ms)
{
	struct jw w;

	jw_begin(&w, "bandwidth");
	jw_u64(&w, "cpus", bw.ncpu);
	jw_u64(&w, "ms", ms);
	jw_u64(&w, "setup_ms", setup_ms); /* allocating (zeroing) and freeing the buffers */
	for (uint32_t l = 0; l < BW_LEVELS; l++) {
		if (!bytes[l])
			continue;
		jw_obj_begin(&w, level_name[l]);
		jw_u64(&w, "bytes_per_cpu", bytes[l]);
		for (uint32_t o = 0; o < OPS; o++)
			jw_u64(&w, op_key[o], bw.result[l][o]);
		jw_obj_end(&w);
		kprintf("bandwidth %s (%llu KiB per CPU, %u CPUs): read %llu, write %llu, copy %llu MiB/s",
			level_name[l], (unsigned long long)(bytes[l] >> 10), bw.ncpu,
			(unsigned long long)bw.result[l][OP_READ],
			(unsigned long long)bw.result[l][OP_WRITE],
			(unsigned long long)bw.result[l][OP_COPY]);
	}
	event_emit(&w);
}

void bandwidth_run(void)
{
	uint64_t bytes[BW_LEVELS], t0 = rdtsc(), setup, t1;
	uint32_t tests = 0;

	if (kcfg.no_bandwidth || !tsc_hz)
		return;
	bw.ncpu = atomic_load(&cpus_online);
	bandwidth_plan(cpuinfo_caches(), bw.ncpu, bytes);
	bw.nblocks = alloc_buffers((uint32_t)(bytes[3] / BW_BLOCK));
	if (bytes[3] > (uint64_t)bw.nblocks * BW_BLOCK)
		bytes[3] = (uint64_t)bw.nblocks * BW_BLOCK;
	for (uint32_t l = 0; l < BW_LEVELS; l++)
		if (bytes[l] > (uint64_t)bw.nblocks * BW_BLOCK)
			bytes[l] = 0; /* not even one block: the levels above it go too */
	for (uint32_t l = 0; l < BW_LEVELS; l++)
		tests += bytes[l] ? OPS : 0;
	if (!tests) {
		kprintf("bandwidth: no buffer could be allocated; not measured");
		free_buffers();
		return;
	}
	bw.slice = tsc_hz / 1000 * BANDWIDTH_BUDGET_MS / tests;
	setup = rdtsc() - t0;
	for (uint32_t l = 0; l < BW_LEVELS; l++) {
		for (uint32_t o = 0; o < OPS && bytes[l]; o++) {
			uint64_t sum = 0;

			bw.bytes = bytes[l];
			bw.op = o;
			bw.warm = l < BW_LEVELS - 1;
			smp_run(on_cpu, 0);
			for (uint32_t c = 0; c < bw.ncpu && c < MAX_CPUS; c++)
				sum += bandwidth_mib_s(bw.moved[c], bw.cycles[c], tsc_hz);
			bw.result[l][o] = sum;
		}
	}
	t1 = rdtsc();
	free_buffers();
	setup += rdtsc() - t1;
	report(bytes, tsc_to_us(rdtsc() - t0) / 1000, tsc_to_us(setup) / 1000);
}

uint64_t bandwidth_ram_mib_s_per_cpu(void)
{
	if (!bw.ncpu)
		return 0;
	return (bw.result[3][OP_READ] + bw.result[3][OP_WRITE]) / 2 / bw.ncpu;
}

uint64_t bandwidth_ram_limit_mib_s_per_cpu(enum audit_kind k)
{
	const uint64_t *r = bw.result[3];
	uint64_t v;

	if (!bw.ncpu)
		return 0;
	if (k == AUDIT_KIND_WRITE)
		v = r[OP_WRITE] > r[OP_WRITE_NT] ? r[OP_WRITE] : r[OP_WRITE_NT];
	else
		v = k == AUDIT_KIND_READ ? r[OP_READ] : r[OP_RMW];
	return v / bw.ncpu;
}
