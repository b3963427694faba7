/* Host tests of kernel/cpu/pat.c: the kernel's PAT and the bits a page-table
 * entry selects an entry with, as the SDM (11.12.3) lays them out. The
 * uncached view's entries are built by pat_pte_4k(pa, PAT_INDEX_UCVIEW). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/pat.h>

#define PWT (1ull << 3)
#define PCD (1ull << 4)

/* IA32_PAT at power-on (SDM table 11-12): WB, WT, UC-, UC, twice. */
#define PAT_POWER_ON 0x0007040600070406ull

static void entries_the_loader_uses_keep_their_types_but_the_framebuffers(void **s)
{
	(void)s;
	uint64_t v = pat_value();

	/* the loader sets only PCD and PWT (efi/physmap.h): entries 0..3, of
	 * which 2 only for the framebuffer (PHYSMAP_FB), now write-combining */
	assert_int_equal(v & 0xff00ffffull, PAT_POWER_ON & 0xff00ffffull);
	assert_int_equal(pat_entry(v, 0), PAT_WB);
	assert_int_equal(pat_entry(v, 1), PAT_WT);
	assert_int_equal(pat_entry(v, 2), PAT_WC);
	assert_int_equal(pat_entry(PAT_POWER_ON, 2), PAT_UC_MINUS);
	assert_int_equal(pat_entry(v, 3), PAT_UC);
	assert_string_equal(pat_type_name(PAT_WC), "wc");
	/* every entry a valid type (2 and 3 are reserved) */
	for (unsigned i = 0; i < 8; i++) {
		assert_true(((v >> (8 * i)) & 0xf8) == 0);
		assert_true(pat_entry(v, i) != 2 && pat_entry(v, i) != 3);
	}
}

static void the_uncached_view_entry_is_uc_and_differs_from_power_on(void **s)
{
	(void)s;
	uint64_t v = pat_value();

	assert_int_equal(PAT_INDEX_UCVIEW, 4);
	assert_int_equal(pat_entry(v, PAT_INDEX_UCVIEW), PAT_UC);
	/* power-on entry 4 is WB: reading UC back proves the kernel's write */
	assert_int_equal(pat_entry(PAT_POWER_ON, PAT_INDEX_UCVIEW), PAT_WB);
	assert_string_equal(pat_type_name(pat_entry(v, PAT_INDEX_UCVIEW)), "uc");
	assert_string_equal(pat_type_name(PAT_WB), "wb");
	assert_string_equal(pat_type_name(PAT_UC_MINUS), "uc-");
}

static void leaf_bits_sit_where_the_sdm_puts_them(void **s)
{
	(void)s;
	/* 4 KiB: PAT is bit 7; 2 MiB and 1 GiB: bit 12 (bit 7 is PS there) */
	assert_int_equal(pat_leaf_bits(0, 4096), 0);
	assert_int_equal(pat_leaf_bits(1, 4096), PWT);
	assert_int_equal(pat_leaf_bits(2, 4096), PCD);
	assert_int_equal(pat_leaf_bits(3, 4096), PCD | PWT);
	assert_int_equal(pat_leaf_bits(4, 4096), 1ull << 7);
	assert_int_equal(pat_leaf_bits(7, 4096), (1ull << 7) | PCD | PWT);
	assert_int_equal(pat_leaf_bits(4, 2ull << 20), 1ull << 12);
	assert_int_equal(pat_leaf_bits(4, 1ull << 30), 1ull << 12);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(pat_leaf_index(pat_leaf_bits(i, 4096), 4096), i);
		assert_int_equal(pat_leaf_index(pat_leaf_bits(i, 2ull << 20), 2ull << 20), i);
		/* a large leaf's PS bit (7) is not its PAT bit */
		assert_int_equal(pat_leaf_index(pat_leaf_bits(i, 2ull << 20) | (1ull << 7),
						2ull << 20), i);
	}
	/* a 4 KiB leaf with address bit 12 set selects no PAT entry by it */
	assert_int_equal(pat_leaf_index(0x1000 | 3, 4096), 0);
}

static void uncached_view_pte(void **s)
{
	(void)s;
	uint64_t e = pat_pte_4k(0x123456789000ull, PAT_INDEX_UCVIEW);

	assert_int_equal(e, 0x123456789000ull | 1 | 2 | (1ull << 7));
	assert_int_equal(pat_leaf_index(e, 4096), PAT_INDEX_UCVIEW);
	assert_int_equal(pat_entry(pat_value(), pat_leaf_index(e, 4096)), PAT_UC);
	/* the offset in the page and bits above the address field are dropped:
	 * no NX (bit 63 is reserved without EFER.NXE), nothing else set */
	e = pat_pte_4k(0xfff0123456789abcull, PAT_INDEX_UCVIEW);
	assert_int_equal(e, 0x0000123456789000ull | 1 | 2 | (1ull << 7));
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(entries_the_loader_uses_keep_their_types_but_the_framebuffers),
		cmocka_unit_test(the_uncached_view_entry_is_uc_and_differs_from_power_on),
		cmocka_unit_test(leaf_bits_sit_where_the_sdm_puts_them),
		cmocka_unit_test(uncached_view_pte),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
