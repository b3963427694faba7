/* Host tests of bs_split (kernel/mem/bssplit.c): the pieces cover the range
 * exactly, in order, and each is wholly boot services or wholly not, for
 * overlapping, adjacent, straddling, misaligned and broken entries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <kernel/bssave.h>

#define D(t, start, pages) { .type = (t), .phys_start = (start), .num_pages = (pages) }

struct got {
	unsigned n;
	uint64_t s[32], e[32];
	int bs[32];
};

static void take(void *ctx, uint64_t s, uint64_t e, int is_bs)
{
	struct got *g = ctx;

	assert_true(g->n < 32);
	assert_true(s < e);
	if (g->n)
		assert_true(g->e[g->n - 1] == s); /* consecutive: nothing skipped */
	g->s[g->n] = s;
	g->e[g->n] = e;
	g->bs[g->n] = is_bs;
	g->n++;
}

static void expect(const struct got *g, unsigned i, uint64_t s, uint64_t e, int bs)
{
	assert_true(i < g->n);
	assert_true(g->s[i] == s);
	assert_true(g->e[i] == e);
	assert_int_equal(g->bs[i], bs);
}

static void splits_at_boot_services_entries(void **st)
{
	(void)st;
	static const struct bootinfo_mem_desc m[] = {
		D(7, 0x100000, 0x100),   /* conventional: not a claim here */
		D(4, 0x120000, 0x10),    /* boot data */
		D(3, 0x130000, 0x10),    /* boot code, adjacent */
		D(4, 0x138000, 0x20),    /* overlaps it and reaches further */
		D(4, 0x1f0000, 0x40),    /* straddles the range's end */
		D(2, 0x160000, 0x10),    /* loader data: not boot services */
	};
	struct got g = { 0 };

	bs_split(m, 6, sizeof(m[0]), 0x100000, 0x200000, take, &g);
	/* adjacent and overlapping claims may come as several boot-services
	 * pieces in a row (bs_save joins them) */
	assert_int_equal(g.n, 6);
	expect(&g, 0, 0x100000, 0x120000, 0);
	expect(&g, 1, 0x120000, 0x130000, 1);
	expect(&g, 2, 0x130000, 0x140000, 1);
	expect(&g, 3, 0x140000, 0x158000, 1);
	expect(&g, 4, 0x158000, 0x1f0000, 0);
	expect(&g, 5, 0x1f0000, 0x200000, 1);
}

static void starts_inside_an_entry(void **st)
{
	(void)st;
	static const struct bootinfo_mem_desc m[] = { D(3, 0x100000, 0x100) };
	struct got g = { 0 };

	bs_split(m, 1, sizeof(m[0]), 0x180000, 0x300000, take, &g);
	assert_int_equal(g.n, 2);
	expect(&g, 0, 0x180000, 0x200000, 1);
	expect(&g, 1, 0x200000, 0x300000, 0);
}

static void misaligned_and_broken_entries(void **st)
{
	(void)st;
	static const struct bootinfo_mem_desc m[] = {
		D(4, 0x100800, 1),                     /* rounded out: 0x100000..0x102000 */
		D(4, 0x110000, 0),                     /* zero length: ignored */
		D(3, 0xfffffffffffff000ull, 0x10),     /* overflows: ignored */
		D(4, 0x120000, 0xfffffffffffffull),    /* absurd length: ignored */
	};
	struct got g = { 0 };

	bs_split(m, 4, sizeof(m[0]), 0x100000, 0x200000, take, &g);
	assert_int_equal(g.n, 2);
	expect(&g, 0, 0x100000, 0x102000, 1);
	expect(&g, 1, 0x102000, 0x200000, 0);
}

static void a_larger_stride_is_honoured(void **st)
{
	(void)st;
	/* firmware descriptors may be larger than the v1 layout */
	struct { struct bootinfo_mem_desc d; uint64_t extra[2]; } m[2] = {
		{ D(7, 0x100000, 0x10), { ~0ull, ~0ull } },
		{ D(4, 0x104000, 0x4), { 0, 0 } },
	};
	struct got g = { 0 };

	bs_split(m, 2, sizeof(m[0]), 0x100000, 0x110000, take, &g);
	assert_int_equal(g.n, 3);
	expect(&g, 1, 0x104000, 0x108000, 1);
}

static void no_map_no_boot_services(void **st)
{
	(void)st;
	struct got g = { 0 };

	bs_split(0, 0, 48, 0x100000, 0x200000, take, &g);
	assert_int_equal(g.n, 1);
	expect(&g, 0, 0x100000, 0x200000, 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(splits_at_boot_services_entries),
		cmocka_unit_test(starts_inside_an_entry),
		cmocka_unit_test(misaligned_and_broken_entries),
		cmocka_unit_test(a_larger_stride_is_honoured),
		cmocka_unit_test(no_map_no_boot_services),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
