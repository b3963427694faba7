/* Proof of what each RAM test pattern catches: every pattern of the table
 * (audit_patterns, whatever it holds) runs over a small region (four spans
 * in 32 KiB of a memfd) with one known fault, made by this test from outside
 * the pattern code:
 *   stuck-at 0/1    a thread holds the bit while the pattern runs;
 *   address fault   one memfd page mapped at two places in the region;
 *   transition,     every store to the fault's page is trapped and
 *   coupling        single-stepped (write_trap.h); after each store the
 *                   model compares the watched word with what it held and
 *                   acts (a bit that will not rise or fall; a transition of
 *                   the aggressor bit that flips or forces the victim bit);
 *   retention       a weak cell keeps its charge longer than a sweep takes
 *                   and shorter than any wait: time passes only in the
 *                   job's `rest` hook (bit_fade's wait), and a cell left
 *                   alone through a rest, of any length, decays.
 * Faults are applied through a second mapping of the memfd (the cells), so
 * they never trap themselves. Each (pattern, fault) gives yes (a bad read
 * names the faulty word or page), moved (bad reads, at other addresses
 * only: a pattern that copies data reports where the copy landed) or no.
 *
 * The table is an assertion: docs/audit.md holds the last generated one, and
 * a pattern that stops detecting a class the doc says it detects fails here.
 * The table this run produced is written to $FAULT_TABLE (default
 * build/fault_table.md); tools/fault_table.py puts it into docs/audit.md
 * (`make docs`) and, under `make test`, checks the doc is not stale.
 *
 * Runs under the host tests' ASan/UBSan like the others: the trap's handlers
 * replace ASan's and cmocka's only while a trap is armed, and hand any fault
 * outside the watched page back to them. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include <kernel/audit_pattern.h>
#include "write_trap.h"

#define PAGE 4096u
#define NPAGES 8u
#define WORDS (NPAGES * PAGE / 8)
#define PHYS 0x40000000ull       /* where the buffer is, as the patterns see it */
#define W(page, word) ((page) * (PAGE / 8) + (word))

/* ---------------------------------------------------------------- the fault classes */

enum fclass {
	F_SA0, F_SA1, F_ADDR, F_TF_UP, F_TF_DOWN,
	F_CFIN_UP, F_CFIN_DOWN, F_CFID_UP, F_CFID_DOWN, F_RET1, F_RET0, NCLASSES
};

/* The region the patterns test: four spans in address order, as the audit
 * hands a CPU its blocks (each a power of two in size, aligned to it):
 *   pages 0-3 (16 KiB), 16 words at the start of page 4, page 5, pages 6-7.
 * The rest of page 4 is in no span, so the page the store trap watches
 * (page 4) takes 16 stores per sweep, not 512. */
#define TRAP_PAGE 4u
#define TRAP_WORDS 16u

/* Where each fault sits: away from the powers of two an address-line walk
 * visits (but the address fault, which is one), so what catches it is the
 * pattern's data and order, not a lucky address. */
#define STUCK_WORD W(2, 77)
#define ALIAS_PAGE 0u            /* also mapped at ALIAS_AT: address bit 13 lost */
#define ALIAS_AT 2u
#define TF_WORD W(TRAP_PAGE, 5)
#define AGGRESSOR W(TRAP_PAGE, 9)
#define VICTIM_ABOVE W(5, 200)   /* the aggressor below it */
#define VICTIM_BELOW W(3, 200)
#define RET_WORD W(6, 400)

static const struct fault {
	const char *column;      /* table header */
	const char *meaning;     /* the table's legend */
	uint32_t word;           /* the faulty word (victim); address fault: page */
	uint32_t watch;          /* word whose stores the model watches */
	uint64_t bit;            /* the faulty bit */
	uint64_t agg_bit;        /* coupling: the aggressor's bit */
} faults[NCLASSES] = {
	[F_SA0] = { "SA0", "stuck-at-0: a bit held at 0 by another thread", STUCK_WORD, 0,
		    1ull << 13, 0 },
	[F_SA1] = { "SA1", "stuck-at-1: a bit held at 1 by another thread", STUCK_WORD, 0,
		    1ull << 41, 0 },
	[F_ADDR] = { "AF", "address fault: two addresses reach one cell (pages 0 and 2 of the "
		     "region are one page: address bit 13 lost)", 0, 0, 0, 0 },
	[F_TF_UP] = { "TF01", "transition fault: a bit that cannot go 0->1", TF_WORD, TF_WORD,
		      1ull << 5, 0 },
	[F_TF_DOWN] = { "TF10", "transition fault: a bit that cannot go 1->0", TF_WORD, TF_WORD,
			1ull << 50, 0 },
	[F_CFIN_UP] = { "CFin<", "inversion coupling: a transition of a bit of a lower word "
			"inverts a bit of the victim", VICTIM_ABOVE, AGGRESSOR, 1ull << 7, 1ull << 3 },
	[F_CFIN_DOWN] = { "CFin>", "inversion coupling, the aggressor word above the victim",
			  VICTIM_BELOW, AGGRESSOR, 1ull << 7, 1ull << 3 },
	[F_CFID_UP] = { "CFid<", "idempotent coupling: a 0->1 transition of a bit of a lower "
			"word forces the victim bit to 0", VICTIM_ABOVE, AGGRESSOR, 1ull << 7,
			1ull << 3 },
	[F_CFID_DOWN] = { "CFid>", "idempotent coupling, the aggressor word above the victim",
			  VICTIM_BELOW, AGGRESSOR, 1ull << 7, 1ull << 3 },
	[F_RET1] = { "RET1", "retention: a 1 decays to 0 when the memory is left alone "
		     "(a pattern's wait)", RET_WORD, 0, 1ull << 9, 0 },
	[F_RET0] = { "RET0", "retention: a 0 decays to 1 when the memory is left alone",
		     RET_WORD, 0, 1ull << 22, 0 },
};

enum verdict { NO, MOVED, YES };
static const char *const verdict_name[] = { "no", "moved", "yes" };

/* ---------------------------------------------------------------- memory */

static int memfd = -1;
static volatile uint64_t *buf;   /* what the pattern sees */
static volatile uint64_t *cell;  /* the same memfd, never protected, never aliased */

static void *map_at(void *where, uint32_t file_page, uint32_t pages)
{
	void *p = mmap(where, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | (where ? MAP_FIXED : 0), memfd, (off_t)file_page * PAGE);

	assert_true(p != MAP_FAILED);
	return p;
}

static int setup(void **s)
{
	(void)s;
	assert_int_equal(sysconf(_SC_PAGESIZE), PAGE);
	memfd = memfd_create("fault_models", 0);
	assert_true(memfd >= 0);
	assert_int_equal(ftruncate(memfd, NPAGES * PAGE), 0);
	buf = map_at(NULL, 0, NPAGES);
	cell = map_at(NULL, 0, NPAGES);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	munmap((void *)buf, NPAGES * PAGE);
	munmap((void *)cell, NPAGES * PAGE);
	close(memfd);
	return 0;
}

/* Power-on garbage, the same for every run. */
static void scramble(void)
{
	uint64_t x = 0x2545f4914f6cdd1dull;

	for (uint32_t i = 0; i < WORDS; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		cell[i] = x;
	}
}

/* ---------------------------------------------------------------- the fault models */

static struct model {
	const struct fault *f;
	enum fclass c;
	uint64_t seen;           /* the watched word as the last store left it */
	/* stuck-at: the holding thread, on the pattern's CPU */
	pthread_t holder;
	atomic_int stop;
	cpu_set_t cpus;          /* the pattern thread's CPUs before */
	/* what the pattern reported */
	uint64_t at_fault, elsewhere;
} M;

/* The stuck bit does not hold its stuck value (the pattern wrote over it). */
static int stuck_bit_wrong(void)
{
	uint64_t v = cell[M.f->word] & M.f->bit;

	return M.c == F_SA1 ? !v : v != 0;
}

/* Puts the bit back whenever it finds it written: an atomic OR or AND of
 * that bit alone, so a store the pattern makes in between is never undone. */
static void *hold(void *arg)
{
	(void)arg;
	volatile uint64_t *w = &cell[M.f->word];

	while (!atomic_load(&M.stop)) {
		if (stuck_bit_wrong()) {
			if (M.c == F_SA1)
				__atomic_fetch_or(w, M.f->bit, __ATOMIC_RELAXED);
			else
				__atomic_fetch_and(w, ~M.f->bit, __ATOMIC_RELAXED);
		}
		sched_yield();
	}
	return NULL;
}

/* After every store to the watched page (write_trap.h). */
static void after_store(void *ctx, uintptr_t addr)
{
	(void)ctx;
	(void)addr;
	const struct fault *f = M.f;
	uint64_t old = M.seen, now = cell[f->watch], b = f->bit;

	M.seen = now;
	switch (M.c) {
	case F_TF_UP:
		if (!(old & b) && (now & b))
			cell[f->watch] = M.seen = now & ~b;
		break;
	case F_TF_DOWN:
		if ((old & b) && !(now & b))
			cell[f->watch] = M.seen = now | b;
		break;
	case F_CFIN_UP:
	case F_CFIN_DOWN:
		if ((old ^ now) & f->agg_bit)
			cell[f->word] ^= b;
		break;
	case F_CFID_UP:
	case F_CFID_DOWN:
		if (!(old & f->agg_bit) && (now & f->agg_bit))
			cell[f->word] &= ~b;
		break;
	default:
		break;
	}
}

/* bit_fade's wait: the only place time passes; nothing writes while the
 * pattern rests, so the weak cell decays. */
static void on_rest(struct audit_job *j, uint32_t seconds)
{
	(void)j;
	(void)seconds;  /* any wait is longer than the weak cell's retention */
	if (M.c == F_RET1)
		cell[M.f->word] &= ~M.f->bit;
	else if (M.c == F_RET0)
		cell[M.f->word] |= M.f->bit;
}

/* A bad read names the fault: the faulty word, or for an address fault
 * either page of the pair. */
static int at_the_fault(uint64_t addr)
{
	uint64_t page = (addr - PHYS) / PAGE;

	if (M.c == F_ADDR)
		return page == ALIAS_PAGE || page == ALIAS_AT;
	return addr - PHYS == 8ull * M.f->word;
}

static void on_bad(struct audit_job *j, uint64_t addr, uint64_t expected, uint64_t actual)
{
	(void)j;
	(void)expected;
	(void)actual;
	if (M.c < NCLASSES && at_the_fault(addr))
		M.at_fault++;
	else
		M.elsewhere++;
}

/* Stuck-at: after each span of each sweep the thread has put the bit back,
 * so it holds its stuck value before anything reads it a sweep later (a real
 * stuck bit is always there; this makes the thread's timing not matter: the
 * two threads share one CPU, so the yield hands it over at once). */
static void on_progress(struct audit_job *j, uint64_t words)
{
	(void)j;
	(void)words;
	if (M.c != F_SA0 && M.c != F_SA1)
		return;
	while (stuck_bit_wrong())
		sched_yield();
}

/* ---------------------------------------------------------------- one run */

/* The holder thread, and this one, on the CPU this one runs on. */
static void hold_on_this_cpu(void)
{
	pthread_attr_t a;
	cpu_set_t one;
	int cpu = sched_getcpu();

	assert_true(cpu >= 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof(M.cpus), &M.cpus), 0);
	assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(one), &one), 0);
	assert_int_equal(pthread_attr_init(&a), 0);
	assert_int_equal(pthread_attr_setaffinity_np(&a, sizeof(one), &one), 0);
	assert_int_equal(pthread_create(&M.holder, &a, hold, NULL), 0);
	pthread_attr_destroy(&a);
}

static void fault_on(enum fclass c)
{
	const struct fault *f = &faults[c];

	M.f = f;
	M.c = c;
	M.seen = cell[f->watch];
	switch (c) {
	case F_SA0:
	case F_SA1:
		atomic_store(&M.stop, 0);
		hold_on_this_cpu();
		on_progress(NULL, 0);
		break;
	case F_ADDR:
		map_at((void *)&buf[W(ALIAS_AT, 0)], ALIAS_PAGE, 1);
		break;
	case F_RET1:
	case F_RET0:
		break;
	default:
		assert_int_equal(write_trap_arm((void *)&buf[W(f->watch / (PAGE / 8), 0)],
						after_store, NULL), 0);
	}
}

static void fault_off(enum fclass c)
{
	switch (c) {
	case F_SA0:
	case F_SA1:
		atomic_store(&M.stop, 1);
		pthread_join(M.holder, NULL);
		assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(M.cpus), &M.cpus), 0);
		break;
	case F_ADDR:
		map_at((void *)&buf[W(ALIAS_AT, 0)], ALIAS_AT, 1);
		break;
	case F_RET1:
	case F_RET0:
		break;
	default:
		write_trap_disarm();
	}
}

static void run_one(const struct audit_pattern *p)
{
#define SPAN(pg, nw) { .w = &buf[W(pg, 0)], .phys = PHYS + (pg) * PAGE, .words = (nw) }
	const struct audit_span spans[] = {
		SPAN(0, 4 * PAGE / 8), SPAN(TRAP_PAGE, TRAP_WORDS), SPAN(5, PAGE / 8),
		SPAN(6, 2 * PAGE / 8),
	};
	/* hooks this test does not know stay NULL: patterns must cope */
	struct audit_job j = { .spans = spans, .nspans = 4, .seed = 42, .bad = on_bad,
			       .progress = on_progress, .iterations = 1, .rest = on_rest };

	M.at_fault = M.elsewhere = 0;
	p->run(&j);
}

/* The pattern against fault class c (NCLASSES: no fault). */
static enum verdict trial(const struct audit_pattern *p, int c)
{
	scramble();
	if (c == NCLASSES) {
		M.c = NCLASSES;
		M.f = &faults[F_SA0];
		run_one(p);
		return M.at_fault + M.elsewhere ? YES : NO;
	}
	fault_on((enum fclass)c);
	run_one(p);
	fault_off((enum fclass)c);
	return M.at_fault ? YES : M.elsewhere ? MOVED : NO;
}

/* ---------------------------------------------------------------- the table */

static enum verdict result[AUDIT_MAX_PATTERNS][NCLASSES];

static void write_table(FILE *o)
{
	fprintf(o, "| pattern |");
	for (int c = 0; c < NCLASSES; c++)
		fprintf(o, " %s |", faults[c].column);
	fprintf(o, "\n|---|");
	for (int c = 0; c < NCLASSES; c++)
		fprintf(o, ":-:|");
	fprintf(o, "\n");
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		fprintf(o, "| %s |", audit_patterns[i].name);
		for (int c = 0; c < NCLASSES; c++)
			fprintf(o, " %s |", verdict_name[result[i][c]]);
		fprintf(o, "\n");
	}
	fprintf(o, "\n");
	for (int c = 0; c < NCLASSES; c++)
		fprintf(o, "- %s: %s\n", faults[c].column, faults[c].meaning);
}

/* What docs/audit.md says pattern `name` detects of class c: -1 when the doc
 * has no row for it (a pattern added since the doc was generated). */
static int doc_says(const char *doc, const char *name, int c)
{
	char row[96];
	const char *r;

	snprintf(row, sizeof(row), "\n| %s |", name);
	if (!doc || !(r = strstr(doc, row)))
		return -1;
	r += strlen(row);
	for (int k = 0; k < c; k++)
		if (!(r = strchr(r, '|')) || !*++r)
			return -1;
	while (*r == ' ')
		r++;
	for (int v = YES; v >= NO; v--)
		if (!strncmp(r, verdict_name[v], strlen(verdict_name[v])) &&
		    r[strlen(verdict_name[v])] == ' ')
			return v;
	return -1;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	static char text[1 << 16];
	size_t n;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	return text;
}

/* ---------------------------------------------------------------- tests */

/* The models are real: the fault shows on a plain store and load by this
 * test, and nothing shows without it. */
static void models_act_on_plain_stores(void **s)
{
	(void)s;
	const struct fault *f;

	scramble();
	fault_on(F_TF_UP);
	buf[TF_WORD] = 0;
	buf[TF_WORD] = ~0ull;
	assert_int_equal(buf[TF_WORD], ~faults[F_TF_UP].bit);
	fault_off(F_TF_UP);

	f = &faults[F_CFIN_UP];
	fault_on(F_CFIN_UP);
	buf[AGGRESSOR] = 0;
	buf[VICTIM_ABOVE] = 0;
	buf[AGGRESSOR] = f->agg_bit;
	assert_int_equal(buf[VICTIM_ABOVE], f->bit);
	buf[AGGRESSOR] = f->agg_bit | 1;  /* no transition of the aggressor bit */
	assert_int_equal(buf[VICTIM_ABOVE], f->bit);
	assert_int_equal(write_trap_disarm(), 3);
	fault_on(F_ADDR);
	buf[W(ALIAS_PAGE, 5)] = 0x1234;
	assert_int_equal(buf[W(ALIAS_AT, 5)], 0x1234);
	fault_off(F_ADDR);
	buf[W(ALIAS_PAGE, 5)] = 0x5678;
	assert_int_not_equal(buf[W(ALIAS_AT, 5)], 0x5678);

	fault_on(F_SA1);
	buf[STUCK_WORD] = 0;
	on_progress(NULL, 0);
	assert_int_equal(buf[STUCK_WORD], faults[F_SA1].bit);
	fault_off(F_SA1);

	fault_on(F_RET1);
	buf[RET_WORD] = ~0ull;
	on_rest(NULL, 0);
	assert_int_equal(buf[RET_WORD], ~faults[F_RET1].bit);
	fault_off(F_RET1);
}

static void every_pattern_against_every_fault(void **s)
{
	(void)s;
	const char *out = getenv("FAULT_TABLE") ? getenv("FAULT_TABLE") : "build/fault_table.md";
	const char *doc = read_file("docs/audit.md");
	FILE *o;
	int bad = 0;

	assert_true(audit_pattern_count <= AUDIT_MAX_PATTERNS);
	for (uint32_t i = 0; i < audit_pattern_count; i++) {
		const struct audit_pattern *p = &audit_patterns[i];

		if (trial(p, NCLASSES) != NO)
			fail_msg("%s reports %llu bad reads on memory without a fault", p->name,
				 (unsigned long long)(M.at_fault + M.elsewhere));
		for (int c = 0; c < NCLASSES; c++)
			result[i][c] = trial(p, c);
	}
	o = fopen(out, "w");
	assert_non_null(o);
	write_table(o);
	fclose(o);
	/* the doc's table is the floor: a class a pattern was shown to catch
	 * must stay caught */
	assert_non_null(doc);
	for (uint32_t i = 0; i < audit_pattern_count; i++)
		for (int c = 0; c < NCLASSES; c++) {
			int want = doc_says(doc, audit_patterns[i].name, c);

			if (want > (int)result[i][c]) {
				printf("# REGRESSION: %s no longer detects %s (docs/audit.md: %s, now %s)\n",
				       audit_patterns[i].name, faults[c].column, verdict_name[want],
				       verdict_name[result[i][c]]);
				bad++;
			}
		}
	assert_int_equal(bad, 0);
}

/* random_sequence and mov_inv_walk64 run the widest variant of their loops
 * the CPU has (AVX-512, AVX2 or scalar: vec.c), so the table above holds
 * that one's verdicts; each variant this CPU runs must find every class
 * exactly as the scalar loops do, with as many bad reads at and away from
 * the fault. */
#define AS(name, v)                                                         \
	static void name##_##v(struct audit_job *j) { audit_##name##_as(j, v); }
AS(random_sequence, AUDIT_VEC_SCALAR)
AS(random_sequence, AUDIT_VEC_AVX2)
AS(random_sequence, AUDIT_VEC_AVX512)
AS(mov_inv_walk64, AUDIT_VEC_SCALAR)
AS(mov_inv_walk64, AUDIT_VEC_AVX2)
AS(mov_inv_walk64, AUDIT_VEC_AVX512)
#undef AS

static void vector_variants_find_what_scalar_finds(void **s)
{
	(void)s;
	static const struct {
		const char *name;
		void (*run[AUDIT_VEC_KINDS])(struct audit_job *);
	} vp[] = {
		{ "random_sequence", { random_sequence_AUDIT_VEC_SCALAR, random_sequence_AUDIT_VEC_AVX2,
				       random_sequence_AUDIT_VEC_AVX512 } },
		{ "mov_inv_walk64", { mov_inv_walk64_AUDIT_VEC_SCALAR, mov_inv_walk64_AUDIT_VEC_AVX2,
				      mov_inv_walk64_AUDIT_VEC_AVX512 } },
	};

	for (uint32_t i = 0; i < sizeof(vp) / sizeof(vp[0]); i++) {
		const struct audit_pattern *tp = audit_pattern_find(vp[i].name, strlen(vp[i].name));
		struct audit_pattern p;
		enum verdict want[NCLASSES + 1];
		uint64_t at[NCLASSES + 1], away[NCLASSES + 1];

		assert_non_null(tp);
		p = *tp;
		for (int v = AUDIT_VEC_SCALAR; v < AUDIT_VEC_KINDS; v++) {
			if (!audit_vec_runs(v)) {
				printf("# %s %s: not on this CPU\n", p.name, audit_vec_name(v));
				continue;
			}
			p.run = vp[i].run[v];
			for (int c = 0; c <= NCLASSES; c++) {
				enum verdict got = trial(&p, c);

				if (v == AUDIT_VEC_SCALAR) {
					want[c] = got;
					at[c] = M.at_fault;
					away[c] = M.elsewhere;
				} else if (got != want[c] || M.at_fault != at[c] ||
					   M.elsewhere != away[c]) {
					fail_msg("%s %s, %s: %s (%llu at the fault, %llu away); scalar: "
						 "%s (%llu, %llu)", p.name, audit_vec_name(v),
						 c < NCLASSES ? faults[c].column : "no fault",
						 verdict_name[got], (unsigned long long)M.at_fault,
						 (unsigned long long)M.elsewhere, verdict_name[want[c]],
						 (unsigned long long)at[c], (unsigned long long)away[c]);
				}
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(models_act_on_plain_stores),
		cmocka_unit_test(every_pattern_against_every_fault),
		cmocka_unit_test(vector_variants_find_what_scalar_finds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
