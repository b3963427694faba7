/* Host benchmark of the RAM test patterns (kernel/audit/patterns/, compiled
 * with the kernel's flags for them, bench/audit.mk) against the machine's
 * streaming limits, measured in the same run: every pattern of the table
 * sweeps a buffer of at least 2 GiB on 2 threads (each its own half, cut into
 * 4 MiB spans as the audit's largest blocks), and so does each limit loop.
 * Each pattern is measured `rounds` times; each time, right before it, the
 * limit loops of the sweep kinds it does (so the pattern and its limit see
 * the same neighbours on a shared machine), and the round's ratio is the
 * pattern's rate over that round's limit. Figures are medians over the
 * rounds, with the lowest and highest shown. A rate is each thread's bytes
 * over its own CPU time, summed: on a machine shared with other jobs, wall
 * time would measure the scheduler. GB/s are 10^9 bytes swept per second (a
 * sweep touches every byte once; a check-and-write sweep reads and writes
 * it).
 *
 * Limits, the best variant of each kind in the round: write (rep stosq, AVX2
 * stores, movnti, AVX2 non-temporal stores), read (64-bit loads, AVX2
 * loads), rw (each word read and written in place, 64-bit and AVX2). A
 * pattern's limit is the rate its sweeps would reach at those limits:
 * sweeps / sum(sweeps of kind k / limit k); "limit" names its kind, or its
 * kinds joined by '+'.
 *
 * vec= caps the vector loops of the patterns that have them (random_sequence,
 * mov_inv_walk64: scalar, avx2, avx512; default: the widest the CPU runs),
 * to measure each.
 *
 *   bench_audit [gib=N] [threads=N] [rounds=N] [only=PATTERN] [vec=V] */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <kernel/audit_pattern.h>

#define SPAN_BYTES (4ull << 20)
#define MAX_THREADS 16
#define MAX_ROUNDS 31
#define MAX_FIGS (AUDIT_MAX_PATTERNS + 16)

static unsigned nthreads = 2, rounds = 5;
static uint64_t gib = 2;
static const char *only;
static uint64_t *buf;
static uint64_t bytes_per_thread;
static int have_avx2;

/* ---------------------------------------------------------------- limit loops */

typedef void loop_fn(uint64_t *w, uint64_t words);
static volatile uint64_t sink;

static void w_stosq(uint64_t *w, uint64_t n)
{
	__asm__ volatile("rep stosq" : "+D"(w), "+c"(n) : "a"(0x5555aaaa5555aaaaull) : "memory");
}

static void w_movnti(uint64_t *w, uint64_t n)
{
	for (uint64_t i = 0; i < n; i += 8)
		for (int k = 0; k < 8; k++)
			__asm__ volatile("movnti %1, %0" : "=m"(w[i + k]) : "r"(i));
	__asm__ volatile("sfence" ::: "memory");
}

__attribute__((target("avx2"))) static void w_avx(uint64_t *w, uint64_t n)
{
	__m256i v = _mm256_set1_epi64x(0x1234);

	for (uint64_t i = 0; i < n; i += 8) {
		_mm256_store_si256((__m256i *)&w[i], v);
		_mm256_store_si256((__m256i *)&w[i + 4], v);
	}
	__asm__ volatile("" ::: "memory");
}

__attribute__((target("avx2"))) static void w_avx_nt(uint64_t *w, uint64_t n)
{
	__m256i v = _mm256_set1_epi64x(0x1234);

	for (uint64_t i = 0; i < n; i += 8) {
		_mm256_stream_si256((__m256i *)&w[i], v);
		_mm256_stream_si256((__m256i *)&w[i + 4], v);
	}
	_mm_sfence();
}

static void r_scalar(uint64_t *w, uint64_t n)
{
	const volatile uint64_t *p = w;
	uint64_t a = 0, b = 0, c = 0, d = 0;

	for (uint64_t i = 0; i < n; i += 8) {
		a |= p[i] ^ p[i + 4];
		b |= p[i + 1] ^ p[i + 5];
		c |= p[i + 2] ^ p[i + 6];
		d |= p[i + 3] ^ p[i + 7];
	}
	sink = a | b | c | d;
}

__attribute__((target("avx2"))) static void r_avx(uint64_t *w, uint64_t n)
{
	__m256i a = _mm256_setzero_si256(), b = a;

	for (uint64_t i = 0; i < n; i += 8) {
		a = _mm256_or_si256(a, _mm256_load_si256((const __m256i *)&w[i]));
		b = _mm256_or_si256(b, _mm256_load_si256((const __m256i *)&w[i + 4]));
	}
	sink = (uint64_t)_mm256_extract_epi64(_mm256_or_si256(a, b), 0);
}

static void rw_scalar(uint64_t *w, uint64_t n)
{
	volatile uint64_t *p = w;

	for (uint64_t i = 0; i < n; i += 4) {
		uint64_t a = p[i], b = p[i + 1], c = p[i + 2], d = p[i + 3];

		p[i] = ~a;
		p[i + 1] = ~b;
		p[i + 2] = ~c;
		p[i + 3] = ~d;
	}
}

__attribute__((target("avx2"))) static void rw_avx(uint64_t *w, uint64_t n)
{
	__m256i x = _mm256_set1_epi64x(-1);

	for (uint64_t i = 0; i < n; i += 8) {
		__m256i a = _mm256_load_si256((const __m256i *)&w[i]);
		__m256i b = _mm256_load_si256((const __m256i *)&w[i + 4]);

		_mm256_store_si256((__m256i *)&w[i], _mm256_xor_si256(a, x));
		_mm256_store_si256((__m256i *)&w[i + 4], _mm256_xor_si256(b, x));
	}
	__asm__ volatile("" ::: "memory");
}

enum kind { K_WRITE, K_READ, K_RW, KINDS };
static const char *const kind_name[KINDS] = { "write", "read", "rw" };

static const struct variant {
	const char *name;
	enum kind kind;
	loop_fn *fn;
	int avx2;
} variants[] = {
	{ "rep_stosq", K_WRITE, w_stosq, 0 },
	{ "avx2_store", K_WRITE, w_avx, 1 },
	{ "movnti", K_WRITE, w_movnti, 0 },
	{ "avx2_stream", K_WRITE, w_avx_nt, 1 },
	{ "load64", K_READ, r_scalar, 0 },
	{ "avx2_load", K_READ, r_avx, 1 },
	{ "rmw64", K_RW, rw_scalar, 0 },
	{ "avx2_rmw", K_RW, rw_avx, 1 },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))
_Static_assert(NVARIANTS <= 16, "samples[] holds 16 limit loops");

/* ---------------------------------------------------------------- threads */

static pthread_barrier_t bar;
static struct task {
	const struct variant *v;      /* a limit loop, or */
	const struct audit_pattern *p; /* a pattern */
	uint32_t sweeps;
} task;
static uint64_t bad_reads;

static void on_bad(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual)
{
	(void)j, (void)addr, (void)expected, (void)actual;
	__atomic_fetch_add(&bad_reads, 1, __ATOMIC_RELAXED);
}

static struct audit_span spans[MAX_THREADS][1024];
static uint32_t nspans;

static double cpu_s[MAX_THREADS];

static double thread_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *worker(void *arg)
{
	unsigned t = (unsigned)(uintptr_t)arg;
	uint64_t *mine = buf + t * (bytes_per_thread / 8);

	for (;;) {
		pthread_barrier_wait(&bar); /* go */
		double t0 = thread_now();

		if (task.v) {
			for (uint32_t s = 0; s < task.sweeps; s++)
				task.v->fn(mine, bytes_per_thread / 8);
		} else if (task.p) {
			struct audit_job j = { .spans = spans[t], .nspans = nspans, .seed = t,
					       .bad = on_bad };
			task.p->run(&j);
		} else {
			return 0;
		}
		cpu_s[t] = thread_now() - t0;
		pthread_barrier_wait(&bar); /* done */
	}
}

static pthread_t th[MAX_THREADS];

/* Runs the task on every worker; GB/s swept (each thread's bytes over its
 * own CPU time, summed). */
static double measure(const struct variant *v, const struct audit_pattern *p, uint32_t sweeps)
{
	double gbps = 0;

	task = (struct task){ v, p, sweeps };
	pthread_barrier_wait(&bar); /* go */
	pthread_barrier_wait(&bar); /* done */
	for (unsigned t = 0; t < nthreads; t++)
		gbps += (double)bytes_per_thread * sweeps / cpu_s[t] / 1e9;
	return gbps;
}

/* ---------------------------------------------------------------- figures */

struct fig {
	double v[MAX_ROUNDS];
};

/* every measurement of each limit loop, over all patterns' rounds */
#define MAX_SAMPLES (MAX_ROUNDS * AUDIT_MAX_PATTERNS)
static struct {
	double v[MAX_SAMPLES];
	unsigned n;
} samples[16];

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(const struct fig *f, double *med, double *lo, double *hi)
{
	double s[MAX_ROUNDS];

	memcpy(s, f->v, sizeof(double) * rounds);
	qsort(s, rounds, sizeof(double), cmp);
	*lo = s[0];
	*hi = s[rounds - 1];
	*med = rounds % 2 ? s[rounds / 2] : (s[rounds / 2 - 1] + s[rounds / 2]) / 2;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "gib=", 4))
			gib = strtoull(argv[i] + 4, 0, 0);
		else if (!strncmp(argv[i], "threads=", 8))
			nthreads = (unsigned)strtoul(argv[i] + 8, 0, 0);
		else if (!strncmp(argv[i], "rounds=", 7))
			rounds = (unsigned)strtoul(argv[i] + 7, 0, 0);
		else if (!strncmp(argv[i], "only=", 5))
			only = argv[i] + 5;
		else if (!strncmp(argv[i], "vec=", 4)) {
			int cap = -1;

			for (int v = 0; v < AUDIT_VEC_KINDS; v++)
				if (!strcmp(argv[i] + 4, audit_vec_name(v)))
					cap = v;
			if (cap < 0 || !audit_vec_runs(cap)) {
				fprintf(stderr, "bench_audit: %s: no such variant on this CPU\n",
					argv[i]);
				return 2;
			}
			audit_vec_cap(cap);
		} else {
			fprintf(stderr, "usage: %s [gib=N] [threads=N] [rounds=N] [only=PATTERN] "
				"[vec=scalar|avx2|avx512]\n", argv[0]);
			return 2;
		}
	}
	if (!nthreads || nthreads > MAX_THREADS || !rounds || rounds > MAX_ROUNDS || !gib) {
		fprintf(stderr, "bench_audit: threads 1..%d, rounds 1..%d, gib >= 1\n", MAX_THREADS,
			MAX_ROUNDS);
		return 2;
	}
	have_avx2 = __builtin_cpu_supports("avx2");
	uint64_t total = gib << 30;

	bytes_per_thread = total / nthreads / SPAN_BYTES * SPAN_BYTES;
	nspans = (uint32_t)(bytes_per_thread / SPAN_BYTES);
	if (nspans > 1024) {
		fprintf(stderr, "bench_audit: at most 4 GiB per thread\n");
		return 2;
	}
	buf = mmap(0, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("bench_audit: mmap");
		return 1;
	}
	madvise(buf, total, MADV_HUGEPAGE);
	for (unsigned t = 0; t < nthreads; t++)
		for (uint32_t s = 0; s < nspans; s++) {
			uint64_t off = t * bytes_per_thread + s * SPAN_BYTES;

			spans[t][s] = (struct audit_span){ .w = buf + off / 8, .phys = 0x100000000ull + off,
							   .words = SPAN_BYTES / 8, .tag = t };
		}
	pthread_barrier_init(&bar, 0, nthreads + 1);
	for (unsigned t = 0; t < nthreads; t++)
		pthread_create(&th[t], 0, worker, (void *)(uintptr_t)t);

	uint32_t np = audit_pattern_count;
	int broken = 0;

	measure(&variants[0], 0, 1); /* the pages faulted in by their threads */
	printf("# vector loops (random_sequence, mov_inv_walk64): %s\n",
	       audit_vec_name(audit_vec_chosen()));
	printf("| %-20s | %-10s | %8s | %8s | %6s | %6s | %6s |\n", "pattern", "limit", "GB/s",
	       "limit", "ratio", "min", "max");
	for (uint32_t i = 0; i < np; i++) {
		const struct audit_pattern *p = &audit_patterns[i];
		uint32_t n[KINDS] = { p->mix.write, p->mix.read, p->mix.rw };
		struct fig rate = { { 0 } }, limit = { { 0 } }, ratio = { { 0 } };
		char kinds[32] = "";

		if (only && strcmp(only, p->name))
			continue;
		if (n[0] + n[1] + n[2] != p->sweeps) {
			printf("{\"bench\":\"audit_pattern\",\"pattern\":\"%s\",\"error\":"
			       "\"the table row's sweep kinds do not add up to its sweeps\"}\n", p->name);
			broken = 1;
			continue;
		}
		for (int k = 0; k < KINDS; k++)
			if (n[k])
				snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds), "%s%s",
					 kinds[0] ? "+" : "", kind_name[k]);
		for (unsigned r = 0; r < rounds; r++) {
			double best[KINDS] = { 0 }, t = 0;

			for (uint32_t v = 0; v < NVARIANTS; v++) {
				const struct variant *va = &variants[v];

				if (n[va->kind] && (!va->avx2 || have_avx2)) {
					double g = measure(va, 0, 2);

					if (samples[v].n < MAX_SAMPLES)
						samples[v].v[samples[v].n++] = g;

					best[va->kind] = g > best[va->kind] ? g : best[va->kind];
				}
			}
			for (int k = 0; k < KINDS; k++)
				t += n[k] ? n[k] / best[k] : 0;
			limit.v[r] = p->sweeps / t;
			rate.v[r] = measure(0, p, p->sweeps);
			ratio.v[r] = rate.v[r] / limit.v[r];
		}
		double g, glo, ghi, l, llo, lhi, q, qlo, qhi;

		stats(&rate, &g, &glo, &ghi);
		stats(&limit, &l, &llo, &lhi);
		stats(&ratio, &q, &qlo, &qhi);
		printf("| %-20s | %-10s | %8.2f | %8.2f | %6.3f | %6.3f | %6.3f |\n", p->name, kinds,
		       g, l, q, qlo, qhi);
		printf("{\"bench\":\"audit_pattern\",\"pattern\":\"%s\",\"gbps\":%.2f,\"limit\":\"%s\","
		       "\"limit_gbps\":%.2f,\"ratio\":%.3f,\"gbps_min\":%.2f,\"gbps_max\":%.2f,"
		       "\"limit_min\":%.2f,\"limit_max\":%.2f,\"ratio_min\":%.3f,\"ratio_max\":%.3f,"
		       "\"sweeps\":{\"write\":%u,\"read\":%u,\"rw\":%u},\"threads\":%u,"
		       "\"gib\":%llu,\"rounds\":%u}\n",
		       p->name, g, kinds, l, q, glo, ghi, llo, lhi, qlo, qhi, n[0], n[1], n[2], nthreads,
		       (unsigned long long)gib, rounds);
		fflush(stdout);
	}
	/* each limit loop on its own: scalar against AVX2, plain against
	 * non-temporal (does a vector loop or another store buy anything?) */
	for (uint32_t v = 0; v < NVARIANTS; v++) {
		double sv[MAX_SAMPLES], m;
		unsigned c = samples[v].n;

		if (!c)
			continue;
		memcpy(sv, samples[v].v, sizeof(double) * c);
		qsort(sv, c, sizeof(double), cmp);
		m = c % 2 ? sv[c / 2] : (sv[c / 2 - 1] + sv[c / 2]) / 2;
		printf("{\"bench\":\"audit_limit_loop\",\"loop\":\"%s\",\"limit\":\"%s\",\"gbps\":%.2f,"
		       "\"gbps_min\":%.2f,\"gbps_max\":%.2f,\"samples\":%u}\n",
		       variants[v].name, kind_name[variants[v].kind], m, sv[0], sv[c - 1], c);
	}
	task = (struct task){ 0, 0, 0 };
	pthread_barrier_wait(&bar);
	for (unsigned t = 0; t < nthreads; t++)
		pthread_join(th[t], 0);
	if (bad_reads) {
		fprintf(stderr, "bench_audit: %llu bad reads on the host's RAM\n",
			(unsigned long long)bad_reads);
		return 1;
	}
	return broken;
}
