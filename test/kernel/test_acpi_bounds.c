/* Host tests of the work kernel/acpi/ does on hostile roots (issue 18: a
 * 1 MiB RSDT naming one bad 1 MiB "APIC" table 262,135 times took 124 s).
 * Asserted on work done, never on time: the map callback counts the
 * whole-table mappings (each one is summed byte by byte) and stops the test
 * as soon as they pass a bound, so an unbounded parser fails fast. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/acpi.h>

#define BASE 0x1000000ull
#define SIZE (3u << 20)
#define HDR  36u

static uint8_t *mem;
static uint32_t whole_maps;   /* mappings longer than a header: validations */
static uint32_t header_maps;  /* every mapping: the kernel checks each against the map */
static uint32_t nfind;
static const char *finds[256];

static const void *map_cb(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	if (phys < BASE || phys - BASE > SIZE || len > SIZE - (phys - BASE))
		return NULL;
	header_maps++;
	if (len > HDR && ++whole_maps > 64)
		fail_msg("more than 64 tables validated: the work is not bounded");
	return mem + (phys - BASE);
}

static void report_cb(void *ctx, const struct acpi_finding *f)
{
	(void)ctx;
	if (nfind < 256)
		finds[nfind++] = f->what;
}

static uint32_t count(const char *what)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < nfind; i++)
		n += !strcmp(finds[i], what);
	return n;
}

static uint8_t *at(uint64_t phys) { return mem + (phys - BASE); }

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void checksum(uint8_t *p, uint32_t len, uint32_t field)
{
	uint8_t s = 0;

	p[field] = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	p[field] = (uint8_t)-s;
}

/* An SDT header at phys; the body is whatever mem holds there. */
static void sdt(uint64_t phys, const char *sig, uint32_t len, bool sound)
{
	memcpy(at(phys), sig, 4);
	wr32(at(phys) + 4, len);
	at(phys)[8] = 1;
	checksum(at(phys), len, 9);
	at(phys)[9] += !sound;
}

/* A MADT with one enabled local APIC. */
static void madt(uint64_t phys, bool sound)
{
	uint8_t *p = at(phys);

	memset(p, 0, 52);
	wr32(p + 36, 0xfee00000u);
	p[44] = 0;  /* type: processor local APIC */
	p[45] = 8;
	p[47] = 0;  /* APIC id 0 */
	p[48] = 1;  /* enabled */
	sdt(phys, "APIC", 52, sound);
}

/* An RSDP (ACPI 1.0) at BASE naming an RSDT at BASE + 64 with these entries. */
static uint64_t rsdt(const uint32_t *entries, uint32_t n)
{
	uint64_t r = BASE + 64;

	memcpy(at(BASE), "RSD PTR ", 8);
	wr32(at(BASE) + 16, (uint32_t)r);
	at(BASE)[15] = 0;
	checksum(at(BASE), 20, 8);
	for (uint32_t i = 0; i < n; i++)
		wr32(at(r) + HDR + 4 * i, entries[i]);
	sdt(r, "RSDT", HDR + 4 * n, true);
	return BASE;
}

static struct acpi_info info;

static void parse(uint64_t rsdp)
{
	struct acpi_env env = { NULL, map_cb, report_cb, false, 0 };

	whole_maps = header_maps = nfind = 0;
	acpi_parse(&env, rsdp, &info);
}

static int setup(void **s)
{
	(void)s;
	mem = calloc(1, SIZE);
	return mem ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	free(mem);
	return 0;
}

/* Issue 18's case: the RSDT fills 1 MiB, every entry names the same bad 1 MiB
 * MADT: it is validated once, reported once. */
static void one_bad_table_named_262135_times(void **s)
{
	(void)s;
	uint32_t n = ((1u << 20) - HDR) / 4;
	uint32_t *e = malloc(n * sizeof(*e));
	uint64_t bad = BASE + (3u << 19) + 5;

	assert_non_null(e);
	assert_int_equal(n, 262135);
	for (uint32_t i = 0; i < n; i++)
		e[i] = (uint32_t)bad;
	sdt(bad, "APIC", 1u << 20, false);
	parse(rsdt(e, n));
	free(e);
	assert_int_equal(whole_maps, 2); /* the RSDT and the MADT, once each */
	/* the RSDP; the RSDT's header and whole; a header per entry read (the
	 * rest ignored); the MADT's header and whole, once */
	assert_int_equal(header_maps, 1 + 2 + ACPI_MAX_ROOT_ENTRIES + 2);
	assert_int_equal(count("rsdt_entries_ignored"), 1);
	assert_int_equal(count("madt_checksum"), 1);
	assert_int_equal(count("madt_missing"), 1);
	assert_false(info.cpus_valid);
}

/* Distinct bad copies: ACPI_MAX_TRIES are validated, the rest skipped with
 * one finding. */
static void many_distinct_bad_copies_give_up(void **s)
{
	(void)s;
	uint32_t e[40];

	for (uint32_t i = 0; i < 40; i++) {
		e[i] = (uint32_t)(BASE + 0x10000 + 64 * i);
		madt(e[i], false);
	}
	parse(rsdt(e, 40));
	assert_int_equal(whole_maps, 1 + ACPI_MAX_TRIES);
	assert_int_equal(count("madt_checksum"), ACPI_MAX_TRIES);
	assert_int_equal(count("madt_too_many_bad"), 1);
	assert_false(info.madt_present);
}

/* Remembering rejected addresses costs nothing to a sound copy listed after
 * a thousand repeats of a bad one, nor to the other kinds' tables. */
static void a_sound_copy_after_repeats_is_taken(void **s)
{
	(void)s;
	static uint32_t e[ACPI_MAX_ROOT_ENTRIES];
	uint32_t n = ACPI_MAX_ROOT_ENTRIES;
	uint64_t bad = BASE + 0x10000, good = BASE + 0x10100, fadt = BASE + 0x10200;

	madt(bad, false);
	madt(good, true);
	sdt(fadt, "FACP", 116, false);
	for (uint32_t i = 0; i < n - 2; i++)
		e[i] = (uint32_t)(i % 2 ? bad : fadt);
	e[n - 2] = (uint32_t)good;
	e[n - 1] = (uint32_t)bad;
	parse(rsdt(e, n));
	assert_int_equal(whole_maps, 4);
	assert_true(info.madt_present && info.cpus_valid);
	assert_true(info.madt_phys == good);
	assert_int_equal(count("madt_checksum"), 1);
	assert_int_equal(count("fadt_checksum"), 1);
	assert_int_equal(count("madt_duplicate"), 1);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(one_bad_table_named_262135_times, setup, teardown),
		cmocka_unit_test_setup_teardown(many_distinct_bad_copies_give_up, setup, teardown),
		cmocka_unit_test_setup_teardown(a_sound_copy_after_repeats_is_taken, setup, teardown),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
