/* Host tests of the SMBIOS parser (kernel/smbios/): a builder lays out an
 * entry point (3.0 or 2.x, checksums right) and a structure table of types
 * 16, 17, 19, 20 and 127 in a fake physical memory; each test breaks
 * something and checks the result and the findings. map() hands out
 * malloc'd copies of exactly the bytes asked for, so ASan catches any read
 * past what the parser mapped. Ends with a seeded fuzz test
 * (SMBIOS_FUZZ_SEED, SMBIOS_FUZZ_ITERS). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/smbios.h>
#include "smbios_build.h"
#include "table_world.h"

#define MEM_BASE 0x100000ull
#define MEM_SIZE 0x8000u
#define TABLE_AT 0x100u /* the structure table's offset in mem */
#define MAX_RECS 256u
#define GiB (1ull << 30)
#define MiB (1ull << 20)

struct world {
	uint8_t mem[MEM_SIZE];
	uint32_t tlen;          /* structure table bytes built so far */
	struct table_copies copies;
	struct { enum acpi_severity sev; const char *what; uint64_t phys, value; } recs[MAX_RECS];
	uint32_t nrec;
	struct smbios_info info;
};

static struct world *w;

static const void *map_cb(void *ctx, uint64_t phys, uint64_t len)
{
	struct world *ww = ctx;

	assert_true(len > 0 && len <= SMBIOS_MAX_TABLE_LEN);
	assert_true(phys <= UINT64_MAX - len);
	return table_map(&ww->copies, ww->mem, MEM_BASE, MEM_SIZE, phys, len);
}

static void report_cb(void *ctx, const struct smbios_finding *f)
{
	struct world *ww = ctx;

	assert_finding_name(f->what);
	if (ww->nrec < MAX_RECS) {
		ww->recs[ww->nrec].sev = f->severity;
		ww->recs[ww->nrec].what = f->what;
		ww->recs[ww->nrec].phys = f->phys;
		ww->recs[ww->nrec].value = f->value;
		ww->nrec++;
	}
}

static void free_copies(void)
{
	table_copies_free(&w->copies);
}

static int setup(void **s)
{
	(void)s;
	w = calloc(1, sizeof(*w));
	return w ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	table_copies_drop(&w->copies);
	free(w);
	return 0;
}

static void parse(uint64_t entry)
{
	struct smbios_env env = { w, map_cb, report_cb };

	free_copies();
	w->nrec = 0;
	smbios_parse(&env, entry, 3, &w->info);
	/* every string the parser hands out is printable and terminated */
	for (uint32_t i = 0; i < w->info.ndimms; i++) {
		const struct smbios_dimm *d = &w->info.dimms[i];
		const char *f[] = { d->locator, d->bank, d->manufacturer, d->serial, d->part };

		for (unsigned k = 0; k < 5; k++) {
			assert_true(strnlen(f[k], SMBIOS_STR_MAX) < SMBIOS_STR_MAX);
			for (const char *c = f[k]; *c; c++)
				assert_true(*c >= 0x20 && *c < 0x7f);
		}
	}
}

static bool found(const char *what)
{
	for (uint32_t i = 0; i < w->nrec; i++)
		if (!strcmp(w->recs[i].what, what))
			return true;
	return false;
}

/* ---------------------------------------------------------------- builder */

static uint8_t *tab(void) { return w->mem + TABLE_AT; }

/* The table under construction, for smbios_build.h's builders. */
#define TB (&(struct smb_table){ tab(), &w->tlen, MEM_SIZE - TABLE_AT })

static void end127(void) { smb_put(TB, 127, 4, 0xffff, NULL, 0); }

/* "_SM3_" at offset 0 pointing at the table; returns its physical address. */
static uint64_t ep3(uint32_t max_len)
{
	smb_ep3(w->mem, max_len, MEM_BASE + TABLE_AT);
	return MEM_BASE;
}

static void fix_ep3(void)
{
	w->mem[5] = 0;
	w->mem[5] = (uint8_t)-smb_sum(w->mem, w->mem[6] <= 0x40 ? w->mem[6] : 0x18);
}

/* "_SM_" (2.8) at offset 0x40 with `count` structures. */
static uint64_t ep2(uint16_t count)
{
	smb_ep2(w->mem + 0x40, (uint16_t)w->tlen, (uint32_t)(MEM_BASE + TABLE_AT), count);
	return MEM_BASE + 0x40;
}

/* The sound machine most tests start from: one ECC array with four slots,
 * DIMM_A1 8 GiB, DIMM_B1 32 GiB (extended size), two empty; a type-19 range
 * of 40 GiB and a non-interleaved type-20 range per DIMM. */
static void machine(void)
{
	memset(w->mem, 0, MEM_SIZE);
	w->tlen = 0;
	smb_t16(TB, 0x1000, SMBIOS_USE_SYSTEM_MEMORY, SMBIOS_ECC_MULTI_BIT, 256 * GiB, 4);
	smb_t17(TB, 0x1100, 0x1000, 8192, 0, SMB_STRS("DIMM_A1\0P0 CHANNEL A\0Samsung\0S123\0M393A1K43BB1   \0"));
	smb_t17(TB, 0x1101, 0x1000, 0, 0, SMB_STRS("DIMM_A2\0P0 CHANNEL A\0NO DIMM\0NO DIMM\0NO DIMM\0"));
	smb_t17(TB, 0x1102, 0x1000, 0x7fff, 32768, SMB_STRS("DIMM_B1\0P0 CHANNEL B\0Hynix\0H9\0HMA84GR7\0"));
	smb_t17(TB, 0x1103, 0x1000, 0, 0, SMB_STRS("DIMM_B2\0P0 CHANNEL B\0NO DIMM\0NO DIMM\0NO DIMM\0"));
	smb_range(TB, 19, 0x1300, 0x1000, 0, 40 * GiB - 1, 0, true);
	smb_range(TB, 20, 0x1400, 0x1100, 0, 8 * GiB - 1, 0, true);
	smb_range(TB, 20, 0x1401, 0x1102, 8 * GiB, 40 * GiB - 1, 0, true);
	end127();
}

/* ---------------------------------------------------------------- sound tables */

static void parses_a_sound_3_0_table(void **s)
{
	(void)s;
	machine();
	parse(ep3(w->tlen));
	assert_int_equal(w->nrec, 0);
	assert_true(w->info.present && w->info.v3);
	assert_int_equal(w->info.major, 3);
	assert_int_equal(w->info.narrays, 1);
	assert_int_equal(w->info.arrays[0].max_capacity, 256 * GiB);
	assert_int_equal(w->info.ndimms, 4);
	const struct smbios_dimm *a = &w->info.dimms[0], *b = &w->info.dimms[2];
	assert_string_equal(a->locator, "DIMM_A1");
	assert_string_equal(a->bank, "P0 CHANNEL A");
	assert_string_equal(a->manufacturer, "Samsung");
	assert_string_equal(a->serial, "S123");
	assert_string_equal(a->part, "M393A1K43BB1"); /* trailing blanks dropped */
	assert_int_equal(a->size, 8 * GiB);
	assert_int_equal(a->speed, 3200);
	assert_int_equal(a->configured_speed, 2933);
	assert_int_equal(a->rank, 2);
	assert_int_equal(a->type, 0x1a);
	assert_string_equal(smbios_memory_type_name(a->type), "DDR4");
	assert_int_equal(b->size, 32 * GiB);
	assert_int_equal(w->info.dimms[1].size, 0);
	assert_string_equal(w->info.dimms[1].manufacturer, "NO DIMM");
	assert_int_equal(w->info.nmapped, 1);
	assert_int_equal(w->info.mapped[0].end, 40 * GiB);
	assert_int_equal(w->info.ndevmapped, 2);

	struct smbios_totals t;
	smbios_totals(&w->info, &t);
	assert_int_equal(t.slots, 4);
	assert_int_equal(t.populated, 2);
	assert_int_equal(t.bytes, 40 * GiB);
	assert_int_equal(t.ecc, SMBIOS_ECC_MULTI_BIT);
	assert_true(smbios_ecc_claimed(t.ecc));
	assert_string_equal(smbios_ecc_name(t.ecc), "multi_bit_ecc");
}

static void parses_a_2_x_table_by_count(void **s)
{
	(void)s;
	machine();
	w->tlen -= 6;                            /* no type 127: the count ends it */
	parse(ep2(8));
	assert_int_equal(w->nrec, 0);
	assert_true(w->info.present && !w->info.v3);
	assert_int_equal(w->info.major, 2);
	assert_int_equal(w->info.minor, 8);
	assert_int_equal(w->info.structures, 8);
	assert_int_equal(w->info.ndimms, 4);
	/* SMBIOS 2.1's length quirk: 0x1e, checksum over 0x1e bytes, fields
	 * still up to 0x1e (the parser must map them, not read past its map) */
	uint64_t e = ep2(8);
	w->mem[0x40 + 5] = 0x1e;
	w->mem[0x40 + 0x1e] = 0;
	w->mem[0x40 + 4] = 0;
	w->mem[0x40 + 4] = (uint8_t)-smb_sum(w->mem + 0x40, 0x1e);
	parse(e);
	assert_int_equal(w->nrec, 0);
	assert_int_equal(w->info.ndimms, 4);
	/* a count shorter than the table stops the walk there */
	parse(ep2(3));
	assert_int_equal(w->info.ndimms, 2);
	assert_int_equal(w->nrec, 0);
}

static void locator_for_an_address(void **s)
{
	(void)s;
	machine();
	parse(ep3(w->tlen));
	assert_string_equal(smbios_locator_in(&w->info, 0x1000), "DIMM_A1");
	assert_string_equal(smbios_locator_in(&w->info, 8 * GiB - 8), "DIMM_A1");
	assert_string_equal(smbios_locator_in(&w->info, 8 * GiB), "DIMM_B1");
	assert_null(smbios_locator_in(&w->info, 40 * GiB)); /* beyond every range */

	/* two devices over one address (channel interleave): cannot tell */
	machine();
	w->tlen -= 6;
	smb_range(TB, 20, 0x1402, 0x1103, 0, 8 * GiB - 1, 0, true);
	end127();
	parse(ep3(w->tlen));
	assert_null(smbios_locator_in(&w->info, 0x1000));
	assert_string_equal(smbios_locator_in(&w->info, 9 * GiB), "DIMM_B1");

	/* one range, but the device says it is part of an interleave */
	machine();
	w->tlen -= 6 + 2 * (0x23 + 2);
	smb_range(TB, 20, 0x1400, 0x1100, 0, 40 * GiB - 1, 1, false);
	end127();
	parse(ep3(w->tlen));
	assert_int_equal(w->nrec, 0);
	assert_int_equal(w->info.ndevmapped, 1);
	assert_null(smbios_locator_in(&w->info, 0x1000));
}

static void locator_without_type_20(void **s)
{
	(void)s;
	/* one populated device and no device map: it holds everything mapped */
	memset(w->mem, 0, MEM_SIZE);
	w->tlen = 0;
	smb_t16(TB, 0x1000, SMBIOS_USE_SYSTEM_MEMORY, SMBIOS_ECC_NONE, 2 * GiB, 2);
	smb_t17(TB, 0x1100, 0x1000, 2048, 0, SMB_STRS("ChannelA-DIMM0\0BANK 0\0"));
	smb_t17(TB, 0x1101, 0x1000, 0, 0, SMB_STRS("ChannelB-DIMM0\0BANK 1\0"));
	smb_range(TB, 19, 0x1300, 0x1000, 0, 2 * GiB - 1, 0, false);
	end127();
	parse(ep3(w->tlen));
	assert_string_equal(smbios_locator_in(&w->info, 0x7000), "ChannelA-DIMM0");
	assert_null(smbios_locator_in(&w->info, 2 * GiB)); /* outside type 19 */
	/* a second populated device: cannot tell */
	smb_wr16(tab() + 0x17 + 2 + 0x5c + sizeof("ChannelA-DIMM0\0BANK 0\0") + 0x0c, 2048);
	parse(ep3(w->tlen));
	assert_int_equal(w->info.dimms[1].size, 2 * GiB);
	assert_null(smbios_locator_in(&w->info, 0x7000));
	/* no SMBIOS at all */
	parse(0);
	assert_true(found("smbios_missing"));
	assert_null(smbios_locator_in(&w->info, 0x7000));
}

static void size_encodings(void **s)
{
	(void)s;
	memset(w->mem, 0, MEM_SIZE);
	w->tlen = 0;
	smb_t17(TB, 1, 0xfffe, 0x8000 | 512, 0, SMB_STRS("K\0"));       /* 512 KiB */
	smb_t17(TB, 2, 0xfffe, 0xffff, 0, SMB_STRS("U\0"));             /* unknown */
	smb_t17(TB, 3, 0xfffe, 0x7fff, 0x80000000u | 65536, SMB_STRS("E\0")); /* bit 31 reserved */
	uint8_t *old = smb_put(TB, 17, 0x1b, 4, SMB_STRS("O\0"));       /* SMBIOS 2.3: no ext size */
	smb_wr16(old + 0x0c, 0x7fff);
	old[0x10] = 1;
	uint8_t *fast = smb_t17(TB, 5, 0xfffe, 1024, 0, SMB_STRS("F\0"));
	smb_wr16(fast + 0x15, 0xffff);                          /* 3.3 extended speeds */
	smb_wr32(fast + 0x54, 70000);
	smb_wr16(fast + 0x20, 0xffff);
	smb_wr32(fast + 0x58, 65000);
	end127();
	parse(ep3(w->tlen));
	assert_int_equal(w->info.ndimms, 5);
	assert_int_equal(w->info.dimms[0].size, 512 * 1024);
	assert_true(w->info.dimms[1].size_unknown);
	assert_int_equal(w->info.dimms[2].size, 64 * GiB);
	assert_true(w->info.dimms[3].size_unknown);
	assert_int_equal(w->info.dimms[3].rank, 0);
	assert_int_equal(w->info.dimms[3].configured_speed, 0);
	assert_int_equal(w->info.dimms[4].speed, 70000);
	assert_int_equal(w->info.dimms[4].configured_speed, 65000);
	/* strings the table never defined (index beyond the set) read as "" */
	assert_string_equal(w->info.dimms[0].bank, "");
	assert_true(found("smbios_string_index"));

	struct smbios_totals t;
	smbios_totals(&w->info, &t);
	assert_int_equal(t.size_unknown, 2);
	assert_int_equal(smbios_check_sum(&t, 66 * GiB), SMBIOS_SUM_UNKNOWN);
}

static void the_sum_check(void **s)
{
	(void)s;
	struct smbios_totals t = { .bytes = 16 * GiB };

	assert_int_equal(smbios_check_sum(&t, 16 * GiB - 300 * MiB), SMBIOS_SUM_OK);
	assert_int_equal(smbios_check_sum(&t, 15 * GiB), SMBIOS_SUM_OK);   /* 1 GiB = 16/16 */
	assert_int_equal(smbios_check_sum(&t, 15 * GiB - 4096), SMBIOS_SUM_DIMMS_UNMAPPED);
	assert_int_equal(smbios_check_sum(&t, 8 * GiB), SMBIOS_SUM_DIMMS_UNMAPPED);
	assert_int_equal(smbios_check_sum(&t, 16 * GiB + MiB), SMBIOS_SUM_OK);
	assert_int_equal(smbios_check_sum(&t, 16 * GiB + 2 * MiB), SMBIOS_SUM_DIMMS_MISSING);
	t.bytes = 2 * GiB;                                                  /* the 512 MiB floor */
	assert_int_equal(smbios_check_sum(&t, 1536 * MiB), SMBIOS_SUM_OK);
	assert_int_equal(smbios_check_sum(&t, 1536 * MiB - 4096), SMBIOS_SUM_DIMMS_UNMAPPED);
	t.bytes = 0;
	assert_int_equal(smbios_check_sum(&t, GiB), SMBIOS_SUM_UNKNOWN);
	assert_string_equal(smbios_sum_name(SMBIOS_SUM_DIMMS_UNMAPPED), "dimms_not_in_map");
}

static void other_arrays_do_not_count(void **s)
{
	(void)s;
	memset(w->mem, 0, MEM_SIZE);
	w->tlen = 0;
	smb_t16(TB, 0x10, SMBIOS_USE_SYSTEM_MEMORY, SMBIOS_ECC_SINGLE_BIT, 64 * GiB, 1);
	smb_t16(TB, 0x11, 5 /* video memory */, SMBIOS_ECC_NONE, GiB, 1);
	smb_t17(TB, 0x20, 0x10, 4096, 0, SMB_STRS("A\0"));
	smb_t17(TB, 0x21, 0x11, 1024, 0, SMB_STRS("VRAM\0"));
	end127();
	parse(ep3(w->tlen));
	struct smbios_totals t;
	smbios_totals(&w->info, &t);
	assert_int_equal(t.slots, 1);
	assert_int_equal(t.bytes, 4 * GiB);
	assert_int_equal(t.ecc, SMBIOS_ECC_SINGLE_BIT);
	assert_int_equal(t.max_capacity, 64 * GiB);
	assert_string_equal(smbios_locator_in(&w->info, 0), "A");
}

static void legacy_area_bounds(void **s)
{
	(void)s;
	assert_true(smbios_in_legacy_area(0xf0000, 0x1f));
	assert_true(smbios_in_legacy_area(0xe0000, 0x20000));
	assert_false(smbios_in_legacy_area(0xe0000, 0x20001));  /* runs past 1 MiB */
	assert_false(smbios_in_legacy_area(0xdffff, 0x10));
	assert_false(smbios_in_legacy_area(0x100000, 0x10));    /* above: the map decides */
	assert_false(smbios_in_legacy_area(0x100000, 0));       /* even empty (found by fuzz) */
	assert_false(smbios_in_legacy_area(0xfee00000, 0x10));  /* the local APIC */
	assert_false(smbios_in_legacy_area(0xffff0, UINT64_MAX));
}

/* ---------------------------------------------------------------- broken input */

static void broken_entry_points(void **s)
{
	(void)s;
	machine();
	uint64_t e = ep3(w->tlen);

	w->mem[0] = 'X';
	parse(e);
	assert_true(found("smbios_entry_anchor"));
	assert_false(w->info.present);
	ep3(w->tlen);
	w->mem[0x10] ^= 1;                       /* checksum no longer holds */
	parse(e);
	assert_true(found("smbios_entry_checksum"));
	assert_int_equal(w->info.ndimms, 0);
	ep3(w->tlen);
	w->mem[6] = 0x10;
	fix_ep3();
	parse(e);
	assert_true(found("smbios_entry_length"));
	ep3(0);
	parse(e);
	assert_true(found("smbios_table_length"));
	ep3(SMBIOS_MAX_TABLE_LEN + 1);
	parse(e);
	assert_true(found("smbios_table_length"));
	ep3(MEM_SIZE);                           /* runs past mapped memory */
	parse(e);
	assert_true(found("smbios_table_unmapped"));
	ep3(w->tlen);
	smb_wr64(w->mem + 0x10, 0);
	fix_ep3();
	parse(e);
	assert_true(found("smbios_table_null"));
	ep3(w->tlen);
	smb_wr64(w->mem + 0x10, UINT64_MAX - 8);     /* address + length wraps */
	fix_ep3();
	parse(e);
	assert_true(found("smbios_table_length"));
	parse(MEM_BASE + MEM_SIZE + 0x1000);     /* entry point itself unmapped */
	assert_true(found("smbios_entry_unmapped"));

	/* 2.x: the intermediate "_DMI_" checksum */
	e = ep2(9);
	w->mem[0x40 + 0x16] ^= 1;
	w->mem[0x40 + 4] = 0;
	w->mem[0x40 + 4] = (uint8_t)-smb_sum(w->mem + 0x40, 0x1f);
	parse(e);
	assert_true(found("smbios_entry_intermediate_checksum"));
	assert_false(w->info.present);
	for (uint32_t i = 0; i < w->nrec; i++)
		assert_int_equal(w->recs[i].sev, ACPI_SEV_ERROR);
}

static void broken_structures(void **s)
{
	(void)s;
	/* a structure whose length is below its header: the walk stops, what
	 * came before stays */
	machine();
	uint32_t third = 0x17 + 2;               /* after the type-16 */
	third += 0x5c + sizeof("DIMM_A1\0P0 CHANNEL A\0Samsung\0S123\0M393A1K43BB1   \0") - 1 + 1;
	tab()[third + 1] = 3;
	parse(ep3(w->tlen));
	assert_true(found("smbios_struct_short"));
	assert_true(w->info.present);
	assert_int_equal(w->info.ndimms, 1);

	/* a formatted length running past the table */
	machine();
	tab()[third + 1] = 0xff;
	parse(ep3(third + 0x80));
	assert_true(found("smbios_struct_overrun"));
	assert_int_equal(w->info.ndimms, 1);

	/* strings that never end inside the table */
	machine();
	parse(ep3(third + 0x5c + 6));            /* cut in the middle of a string set */
	assert_true(found("smbios_strings_unterminated"));
	assert_int_equal(w->info.ndimms, 1);

	/* a type-17 shorter than SMBIOS 2.1's: skipped, reported */
	machine();
	tab()[third + 1] = 0x10;
	parse(ep3(w->tlen));
	assert_true(found("smbios_type_short"));

	/* no type 127 in a 3.0 table */
	machine();
	parse(ep3(w->tlen - 6));
	assert_true(found("smbios_no_end"));
	assert_int_equal(w->info.ndimms, 4);

	/* an inverted range */
	memset(w->mem, 0, MEM_SIZE);
	w->tlen = 0;
	smb_range(TB, 19, 1, 1, 8 * GiB, 4 * GiB, 0, true);
	smb_range(TB, 20, 2, 1, UINT64_MAX - 4095, UINT64_MAX, 0, true);
	end127();
	parse(ep3(w->tlen));
	assert_int_equal(w->info.nmapped, 0);
	assert_int_equal(w->info.ndevmapped, 0);
	assert_true(found("smbios_range_inverted"));
}

static void too_many_devices(void **s)
{
	(void)s;
	memset(w->mem, 0, MEM_SIZE);
	w->tlen = 0;
	for (uint32_t i = 0; i < SMBIOS_MAX_DIMMS + 5; i++)
		smb_t17(TB, (uint16_t)i, 0xfffe, 1024, 0, SMB_STRS("D\0B\0M\0S\0P\0"));
	end127();
	parse(ep3(w->tlen));
	assert_int_equal(w->info.ndimms, SMBIOS_MAX_DIMMS);
	assert_int_equal(w->info.dropped, 5);
	assert_true(found("smbios_too_many"));
	assert_int_equal(w->nrec, 1);            /* reported once, counted always */
	/* devices left out: the total is a floor, the sum cannot be checked */
	struct smbios_totals t;
	smbios_totals(&w->info, &t);
	assert_int_equal(t.dropped, 5);
	assert_int_equal(smbios_check_sum(&t, t.bytes + 5 * GiB), SMBIOS_SUM_UNKNOWN);
}

/* ---------------------------------------------------------------- fuzz */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint32_t env_u32(const char *name, uint32_t dflt)
{
	const char *s = getenv(name);

	return s ? (uint32_t)strtoul(s, NULL, 0) : dflt;
}

static void check_invariants(void)
{
	const struct smbios_info *i = &w->info;

	assert_true(i->ndimms <= SMBIOS_MAX_DIMMS && i->narrays <= SMBIOS_MAX_ARRAYS);
	assert_true(i->nmapped <= SMBIOS_MAX_RANGES && i->ndevmapped <= SMBIOS_MAX_RANGES);
	for (uint32_t k = 0; k < i->nmapped; k++)
		assert_true(i->mapped[k].start < i->mapped[k].end);
	for (uint32_t k = 0; k < i->ndevmapped; k++)
		assert_true(i->devmapped[k].start < i->devmapped[k].end);
	struct smbios_totals t;
	smbios_totals(i, &t);
	(void)smbios_check_sum(&t, rnd());
	for (int k = 0; k < 4; k++) {
		const char *l = smbios_locator_in(i, rnd() % (48 * GiB));
		assert_true(!l || (strlen(l) > 0 && strlen(l) < SMBIOS_STR_MAX));
	}
}

/* A sound table with a few bytes changed; checksums fixed most of the time. */
static void fuzz_mutate_once(void)
{
	uint64_t e;

	machine();
	e = rnd() % 2 ? ep3(w->tlen) : ep2((uint16_t)(rnd() % 12));
	for (uint32_t n = 1 + (uint32_t)(rnd() % 8); n; n--) {
		uint64_t r = rnd();
		uint8_t *p = w->mem + (r >> 8) % (TABLE_AT + w->tlen);

		switch (r % 4) {
		case 0: *p = (uint8_t)(r >> 40); break;
		case 1: *p ^= (uint8_t)(1u << ((r >> 40) % 8)); break;
		case 2: *p = 0; break;
		default: *p = 0xff; break;
		}
	}
	if (rnd() % 4) {
		fix_ep3();
		uint8_t *e2 = w->mem + 0x40;
		e2[0x15] = 0;
		e2[0x15] = (uint8_t)-smb_sum(e2 + 0x10, 15);
		e2[4] = 0;
		e2[4] = (uint8_t)-smb_sum(e2, 0x1f);
	}
	parse(e);
	check_invariants();
}

/* Garbage biased towards what a walker trips on: small lengths, memory
 * types, NULs; behind a sound entry point. */
static void fuzz_garbage_once(void)
{
	static const uint8_t types[] = { 16, 17, 19, 20, 127, 0, 4 };
	uint32_t fill = 8 + (uint32_t)(rnd() % (MEM_SIZE - TABLE_AT - 8));
	uint32_t off = 0;

	memset(w->mem, 0, MEM_SIZE);
	while (off + 4 <= fill) {
		uint64_t r = rnd();
		uint8_t *p = tab() + off;

		switch (r % 6) {
		case 0: p[0] = types[(r >> 8) % 7]; p[1] = (uint8_t)((r >> 16) % 0x60); off += 4; break;
		case 1: p[0] = 0; p[1] = 0; off += 2; break;
		case 2: smb_wr32(p, 0xffffffffu); off += 4; break;
		case 3: off += (uint32_t)(r >> 8) % 16; break;
		default: p[0] = (uint8_t)(r >> 8); off += 1; break;
		}
	}
	w->tlen = fill;
	parse(rnd() % 2 ? ep3(fill) : ep2((uint16_t)(rnd() % 40)));
	check_invariants();
}

static void fuzz(void **s)
{
	(void)s;
	uint32_t seed = env_u32("SMBIOS_FUZZ_SEED", 20261127u);
	uint32_t iters = env_u32("SMBIOS_FUZZ_ITERS", 10000);
	uint32_t present = 0, dimms = 0;

	rng = 0x9e3779b97f4a7c15ull ^ seed;
	for (uint32_t i = 0; i < iters; i++) {
		fuzz_mutate_once();
		present += w->info.present;
		dimms += w->info.ndimms;
		fuzz_garbage_once();
		free_copies();
	}
	/* the mutations must leave enough sound tables to reach the bodies */
	assert_true(present > iters / 4);
	assert_true(dimms > iters / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_sound_3_0_table),
		cmocka_unit_test(parses_a_2_x_table_by_count),
		cmocka_unit_test(locator_for_an_address),
		cmocka_unit_test(locator_without_type_20),
		cmocka_unit_test(size_encodings),
		cmocka_unit_test(the_sum_check),
		cmocka_unit_test(other_arrays_do_not_count),
		cmocka_unit_test(legacy_area_bounds),
		cmocka_unit_test(broken_entry_points),
		cmocka_unit_test(broken_structures),
		cmocka_unit_test(too_many_devices),
		cmocka_unit_test(fuzz),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
