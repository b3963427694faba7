/* Host tests of cov_tally_map (kernel/coverage/tally.c): every RAM frame of a
 * map is tested or untested for one reason, per type; untested runs merge
 * only while adjacent, of one type and one reason; not-RAM, empty and
 * wrapping entries count nowhere; the goal's share rounds down. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/coverage.h>

#define D(t, start, pages) { .type = (t), .phys_start = (start), .num_pages = (pages) }
#define MiB (1ull << 20)

struct fake {
	uint64_t tested_lo, tested_hi;   /* frames [lo, hi) tested */
	uint64_t skip_pfn;               /* one frame inside them that is not */
	unsigned n;
	uint64_t s[32], e[32];
	uint32_t type[32];
	enum cov_reason why[32];
};

static int tested(void *ctx, uint64_t pfn)
{
	struct fake *f = ctx;

	return pfn >= f->tested_lo && pfn < f->tested_hi && pfn != f->skip_pfn;
}

/* by type, except one frame of conventional RAM at 8 MiB that is "allocated" */
static enum cov_reason why(void *ctx, uint64_t phys, uint32_t type)
{
	(void)ctx;
	if (type == 6)
		return COV_RUNTIME_SERVICES;
	if (type == BOOTINFO_MEM_METADATA)
		return COV_METASLOT_ARRAY;
	if (type == 9)
		return (enum cov_reason)999;   /* out of range: firmware_other */
	return phys == 8 * MiB ? COV_KERNEL_ALLOCATION : COV_FREE_UNTESTED;
}

static void range(void *ctx, uint64_t s, uint64_t e, uint32_t type, enum cov_reason r)
{
	struct fake *f = ctx;

	assert_true(f->n < 32);
	assert_true(s < e);
	if (f->n)
		assert_true(f->e[f->n - 1] <= s);
	f->s[f->n] = s;
	f->e[f->n] = e;
	f->type[f->n] = type;
	f->why[f->n++] = r;
}

static const struct cov_type *find(const struct cov_tally *t, uint32_t type)
{
	for (uint32_t i = 0; i < t->ntypes; i++)
		if (t->t[i].type == type)
			return &t->t[i];
	fail_msg("type %u not tallied", type);
	return 0;
}

static void expect_range(const struct fake *f, unsigned i, uint64_t s, uint64_t e, uint32_t type,
			 enum cov_reason r)
{
	assert_true(i < f->n);
	assert_true(f->s[i] == s && f->e[i] == e);
	assert_int_equal(f->type[i], type);
	assert_int_equal(f->why[i], r);
}

static void test_types_reasons_and_ranges(void **state)
{
	(void)state;
	const struct bootinfo_mem_desc map[] = {
		D(7, 4 * MiB, 2048),                    /* conventional 4..12 MiB */
		D(6, 12 * MiB, 16),                     /* runtime data, adjacent */
		D(0, 13 * MiB, 256),                    /* reserved: not RAM */
		D(BOOTINFO_MEM_METADATA, 20 * MiB, 64), /* the array */
		D(7, 0x1000000000ull, 0),               /* empty */
		D(7, 0xfffffffffffff000ull, 2),         /* wraps */
		D(9, 30 * MiB, 1),                      /* acpi reclaim, bad reason */
	};
	/* tested: 5..9 MiB except the frame at 8 MiB */
	struct fake f = { .tested_lo = 5 * MiB >> 12, .tested_hi = 9 * MiB >> 12,
			  .skip_pfn = 8 * MiB >> 12 };
	struct cov_source src = { &f, tested, why, range };
	static struct cov_tally t;

	cov_tally_map(map, 7, sizeof(map[0]), &src, &t);
	assert_int_equal(t.ntypes, 4);
	const struct cov_type *c = find(&t, 7), *rt = find(&t, 6), *md = find(&t, BOOTINFO_MEM_METADATA);

	assert_true(c->ram == 8 * MiB);
	assert_true(c->tested == 4 * MiB - 4096);
	assert_true(c->untested[COV_KERNEL_ALLOCATION] == 4096);
	assert_true(c->untested[COV_FREE_UNTESTED] == 4 * MiB);
	assert_true(rt->ram == 64 * 1024 && rt->tested == 0 &&
		    rt->untested[COV_RUNTIME_SERVICES] == 64 * 1024);
	assert_true(md->untested[COV_METASLOT_ARRAY] == 256 * 1024);
	assert_true(find(&t, 9)->untested[COV_FIRMWARE_OTHER] == 4096);
	assert_true(t.ram == 8 * MiB + 64 * 1024 + 256 * 1024 + 4096);
	assert_true(t.tested == c->tested);
	assert_true(t.goal_ram == 8 * MiB + 256 * 1024);
	assert_true(t.goal_tested == c->tested);
	/* 4..5 free, 8 MiB allocated, 8 MiB+4K..12 free, runtime (adjacent but
	 * another type), the array, acpi */
	assert_int_equal(f.n, 6);
	assert_int_equal(t.ranges, 6);
	expect_range(&f, 0, 4 * MiB, 5 * MiB, 7, COV_FREE_UNTESTED);
	expect_range(&f, 1, 8 * MiB, 8 * MiB + 4096, 7, COV_KERNEL_ALLOCATION);
	expect_range(&f, 2, 9 * MiB, 12 * MiB, 7, COV_FREE_UNTESTED);
	expect_range(&f, 3, 12 * MiB, 12 * MiB + 64 * 1024, 6, COV_RUNTIME_SERVICES);
	expect_range(&f, 4, 20 * MiB, 20 * MiB + 256 * 1024, BOOTINFO_MEM_METADATA,
		     COV_METASLOT_ARRAY);
	expect_range(&f, 5, 30 * MiB, 30 * MiB + 4096, 9, COV_FIRMWARE_OTHER);
}

/* a gap between two entries of one type and reason splits the range */
static void test_gap_splits_a_range(void **state)
{
	(void)state;
	const struct bootinfo_mem_desc map[] = { D(7, 0x200000, 1), D(7, 0x202000, 1),
						 D(7, 0x203000, 1) };
	struct fake f = { 0 };
	struct cov_source src = { &f, tested, why, range };
	struct cov_tally t;

	cov_tally_map(map, 3, sizeof(map[0]), &src, &t);
	assert_int_equal(f.n, 2);
	expect_range(&f, 0, 0x200000, 0x201000, 7, COV_FREE_UNTESTED);
	expect_range(&f, 1, 0x202000, 0x204000, 7, COV_FREE_UNTESTED);
	assert_int_equal(t.ntypes, 1);
}

static void test_goal_ppm_rounds_down(void **state)
{
	(void)state;
	struct cov_tally t = { 0 };

	assert_true(cov_goal_ppm(&t) == 1000000);
	t.goal_ram = 1000 * 4096;
	t.goal_tested = 999 * 4096;
	assert_true(cov_goal_ppm(&t) == 999000);
	t.goal_tested = 998 * 4096;
	assert_true(cov_goal_ppm(&t) < COV_GOAL_PPM);
	assert_true(cov_goal_type(7) && cov_goal_type(1) && cov_goal_type(4) &&
		    cov_goal_type(BOOTINFO_MEM_BOOTINFO));
	assert_false(cov_goal_type(5) || cov_goal_type(9) || cov_goal_type(0) ||
		     cov_goal_type(BOOTINFO_MEM_BOOTINFO + 1));
	assert_string_equal(cov_reason_name(COV_METASLOT_ARRAY), "metaslot_array");
	assert_string_equal(cov_reason_name(COV_REASONS), "unknown");
}

/* more distinct types than slots: the last slot takes the rest, nothing lost */
static void test_many_types_share_the_last_slot(void **state)
{
	(void)state;
	struct bootinfo_mem_desc map[COV_TYPES_MAX + 4];
	struct fake f = { 0 };
	struct cov_source src = { &f, tested, why, 0 };
	static struct cov_tally t;
	uint64_t sum = 0;

	for (unsigned i = 0; i < COV_TYPES_MAX + 4; i++)
		map[i] = (struct bootinfo_mem_desc)D(0x80000010u + i, (uint64_t)(i + 1) << 20, 1);
	cov_tally_map(map, COV_TYPES_MAX + 4, sizeof(map[0]), &src, &t);
	assert_int_equal(t.ntypes, COV_TYPES_MAX);
	for (unsigned i = 0; i < t.ntypes; i++)
		sum += t.t[i].ram;
	assert_true(sum == t.ram && t.ram == (COV_TYPES_MAX + 4) * 4096ull);
	assert_true(t.t[COV_TYPES_MAX - 1].ram == 5 * 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_reasons_and_ranges),
		cmocka_unit_test(test_gap_splits_a_range),
		cmocka_unit_test(test_goal_ppm_rounds_down),
		cmocka_unit_test(test_many_types_share_the_last_slot),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
