/* The SMBIOS parser (kernel/smbios/) as dimms_init runs it: smbios_parse on
 * the entry point the loader took from the config table, then smbios_totals,
 * smbios_check_sum against the map's RAM and smbios_locator_in (the machine-
 * check handler's "which DIMM" query).
 * Input: 16 bytes of header (map RAM bytes u64, a probe address u64), then
 * physical memory from SMB_BASE up, entry point at its start (byte 0 of the
 * memory picks nothing: the anchor says 2.x or 3.0, as in the kernel). map()
 * hands out an exact malloc'd copy of each range inside the memory, NULL
 * elsewhere, so ASan sees any read past what the parser mapped.
 * fuzz-dict: smbios.dict */
#include <string.h>
#include <kernel/smbios.h>
#include "common/fuzz.h"
#include "../test/kernel/smbios_build.h"

#define HDR 16u
#define SMB_BASE 0xf0000ull   /* the legacy BIOS area, where 2.x tables live */
#define TABLE_AT 0x40u
#define GiB (1ull << 30)
#define MiB (1ull << 20)

/* ---------------------------------------------------------------- seeds */

static uint8_t sm[HDR + 0x2000];
static uint32_t tlen;

/* The table under construction, for smbios_build.h's builders. */
#define TB (&(struct smb_table){ sm + HDR + TABLE_AT, &tlen, sizeof(sm) - HDR - TABLE_AT })

/* test_smbios.c's machine(): one ECC array, four slots (8 GiB, 32 GiB by
 * extended size, two empty), a 40 GiB type-19 range, a type-20 range per DIMM. */
static void machine(int interleaved)
{
	memset(sm, 0, sizeof(sm));
	tlen = 0;
	fuzz_put64(sm, 40 * GiB - 300 * MiB);
	fuzz_put64(sm + 8, 9 * GiB);
	smb_t16(TB, 0x1000, SMBIOS_USE_SYSTEM_MEMORY, SMBIOS_ECC_MULTI_BIT, 256 * GiB, 4);
	smb_t17(TB, 0x1100, 0x1000, 8192, 0, SMB_STRS("DIMM_A1\0P0 CHANNEL A\0Samsung\0S123\0M393A1K43BB1   \0"));
	smb_t17(TB, 0x1101, 0x1000, 0, 0, SMB_STRS("DIMM_A2\0P0 CHANNEL A\0NO DIMM\0NO DIMM\0NO DIMM\0"));
	smb_t17(TB, 0x1102, 0x1000, 0x7fff, 32768, SMB_STRS("DIMM_B1\0P0 CHANNEL B\0Hynix\0H9\0HMA84GR7\0"));
	smb_t17(TB, 0x1103, 0x1000, 0, 0, SMB_STRS("DIMM_B2\0P0 CHANNEL B\0NO DIMM\0NO DIMM\0NO DIMM\0"));
	smb_range(TB, 19, 0x1300, 0x1000, 0, 40 * GiB - 1, 0, 1);
	smb_range(TB, 20, 0x1400, 0x1100, 0, 8 * GiB - 1, interleaved, 1);
	smb_range(TB, 20, 0x1401, 0x1102, 8 * GiB, 40 * GiB - 1, interleaved ? 2 : 0, 0);
	smb_put(TB, 127, 4, 0xffff, NULL, 0);
}

static void ep3(void)
{
	smb_ep3(sm + HDR, tlen, SMB_BASE + TABLE_AT);
}

static void ep2(uint16_t count)
{
	smb_ep2(sm + HDR, (uint16_t)tlen, (uint32_t)(SMB_BASE + TABLE_AT), count);
}

void fuzz_seeds(void)
{
	machine(0);
	ep3();
	fuzz_emit("machine_3_0", sm, HDR + TABLE_AT + tlen);
	machine(0);
	ep2(9);
	fuzz_emit("machine_2_8_count", sm, HDR + TABLE_AT + tlen);
	machine(1);
	ep3();
	fuzz_emit("machine_interleaved", sm, HDR + TABLE_AT + tlen);
	/* one device, no type 20: the locator comes from type 19 */
	memset(sm, 0, sizeof(sm));
	tlen = 0;
	fuzz_put64(sm, 8 * GiB);
	fuzz_put64(sm + 8, 1 * GiB);
	smb_t16(TB, 0x1000, SMBIOS_USE_SYSTEM_MEMORY, SMBIOS_ECC_NONE, 8 * GiB, 1);
	smb_t17(TB, 0x1100, 0x1000, 0x8000 | 512, 0, SMB_STRS("DIMM 0\0Bank 0\0QEMU\0\0\0"));
	smb_range(TB, 19, 0x1300, 0x1000, 0, 8 * GiB - 1, 0, 0);
	smb_put(TB, 127, 4, 0xffff, NULL, 0);
	ep3();
	fuzz_emit("one_dimm_no_type20", sm, HDR + TABLE_AT + tlen);
}

/* ---------------------------------------------------------------- the run */

struct mem {
	const uint8_t *p;
	size_t len;
	void *copies[8];
	unsigned ncopies;
	uint32_t errors, warnings;
};

static const void *map_fn(void *ctx, uint64_t phys, uint64_t len)
{
	struct mem *m = ctx;
	void *c;

	/* smbios.h: never more than SMBIOS_MAX_TABLE_LEN, never a wrapping range;
	 * entry point (twice at most) and table: three mappings per parse */
	FUZZ_CHECK(len > 0 && len <= SMBIOS_MAX_TABLE_LEN && phys <= UINT64_MAX - len);
	FUZZ_CHECK(m->ncopies < 3);
	if (phys < SMB_BASE || phys - SMB_BASE > m->len || len > m->len - (phys - SMB_BASE))
		return NULL;
	c = malloc(len);
	FUZZ_CHECK(c);
	memcpy(c, m->p + (phys - SMB_BASE), len);
	m->copies[m->ncopies++] = c;
	return c;
}

static void report_fn(void *ctx, const struct smbios_finding *f)
{
	struct mem *m = ctx;

	FUZZ_CHECK(f->what && *f->what);
	for (const char *c = f->what; *c; c++)
		FUZZ_CHECK((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
	FUZZ_CHECK(f->severity == ACPI_SEV_ERROR || f->severity == ACPI_SEV_WARN ||
		   f->severity == ACPI_SEV_INFO);
	m->errors += f->severity == ACPI_SEV_ERROR;
	m->warnings += f->severity == ACPI_SEV_WARN;
}

static void check_str(const char *s)
{
	size_t n = strnlen(s, SMBIOS_STR_MAX);

	FUZZ_CHECK(n < SMBIOS_STR_MAX);
	FUZZ_CHECK(!n || s[n - 1] != ' ');
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
}

static const struct smbios_array *array_of(const struct smbios_info *s, uint16_t h)
{
	for (uint32_t i = 0; i < s->narrays; i++)
		if (s->arrays[i].handle == h)
			return &s->arrays[i];
	return NULL;
}

static int sysmem(const struct smbios_info *s, const struct smbios_dimm *d)
{
	const struct smbios_array *a = array_of(s, d->array);

	return !a || a->use == SMBIOS_USE_SYSTEM_MEMORY;
}

/* smbios_locator_in's promise, restated: the device of the one
 * non-interleaved type-20 range over phys; without type 20, the one
 * populated system-memory device, if a type-19 range (when any) covers phys. */
static const char *oracle(const struct smbios_info *s, uint64_t phys)
{
	const struct smbios_dimm *d = NULL;
	uint32_t hits = 0, at = 0;

	if (!s->present)
		return NULL;
	if (s->ndevmapped) {
		for (uint32_t i = 0; i < s->ndevmapped; i++)
			if (s->devmapped[i].start <= phys && phys < s->devmapped[i].end) {
				hits++;
				at = i;
			}
		if (hits != 1 || s->devmapped[at].interleave_pos)
			return NULL;
		for (uint32_t i = 0; i < s->ndimms && !d; i++)
			if (s->dimms[i].handle == s->devmapped[at].handle)
				d = &s->dimms[i];
		return d && d->size && d->locator[0] ? d->locator : NULL;
	}
	for (uint32_t i = 0; i < s->nmapped; i++)
		hits += s->mapped[i].start <= phys && phys < s->mapped[i].end;
	if (s->nmapped && !hits)
		return NULL;
	for (uint32_t i = 0; i < s->ndimms; i++) {
		const struct smbios_dimm *c = &s->dimms[i];

		if ((c->size || c->size_unknown) && sysmem(s, c)) {
			if (d)
				return NULL;
			d = c;
		}
	}
	return d && d->locator[0] ? d->locator : NULL;
}

static void probe(const struct smbios_info *s, uint64_t phys)
{
	const char *l = smbios_locator_in(s, phys);

	FUZZ_CHECK(l == oracle(s, phys));
	if (l) {
		FUZZ_CHECK(*l);
		check_str(l);
	}
}

static struct smbios_info info;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { 0 };
	struct smbios_env env = { &m, map_fn, report_fn };
	struct smbios_totals t;
	uint64_t map_ram, at;
	unsigned __int128 bytes = 0;
	uint32_t slots = 0, pop = 0, unk = 0;
	enum smbios_sum sum;

	if (size < HDR)
		return 0;
	memcpy(&map_ram, data, 8);
	memcpy(&at, data + 8, 8);
	m.p = data + HDR;
	m.len = size - HDR;
	/* the loader hands over VendorTable, never 0 with a kind set */
	smbios_parse(&env, SMB_BASE, 3, &info);
	for (unsigned i = 0; i < m.ncopies; i++)
		free(m.copies[i]);

	FUZZ_CHECK(info.n_errors == m.errors && info.n_warnings == m.warnings);
	FUZZ_CHECK(!info.present || (info.table_phys && info.table_len >= 4 &&
				     info.table_len <= SMBIOS_MAX_TABLE_LEN));
	FUZZ_CHECK(info.present || !(info.narrays | info.ndimms | info.nmapped | info.ndevmapped));
	FUZZ_CHECK(info.structures <= info.table_len / 4);
	FUZZ_CHECK(info.narrays <= SMBIOS_MAX_ARRAYS && info.ndimms <= SMBIOS_MAX_DIMMS);
	FUZZ_CHECK(info.nmapped <= SMBIOS_MAX_RANGES && info.ndevmapped <= SMBIOS_MAX_RANGES);
	FUZZ_CHECK(info.dimms_dropped <= info.dropped);
	FUZZ_CHECK(!info.dimms_dropped || info.ndimms == SMBIOS_MAX_DIMMS);
	for (uint32_t i = 0; i < info.nmapped; i++)
		FUZZ_CHECK(info.mapped[i].start < info.mapped[i].end);
	for (uint32_t i = 0; i < info.ndevmapped; i++)
		FUZZ_CHECK(info.devmapped[i].start < info.devmapped[i].end);
	for (uint32_t i = 0; i < info.ndimms; i++) {
		const struct smbios_dimm *d = &info.dimms[i];

		check_str(d->locator);
		check_str(d->bank);
		check_str(d->manufacturer);
		check_str(d->serial);
		check_str(d->part);
		FUZZ_CHECK(!d->size_unknown || !d->size);
		FUZZ_CHECK(d->rank <= 15);
		FUZZ_CHECK(d->speed <= 0x7fffffffu && d->configured_speed <= 0x7fffffffu);
		if (sysmem(&info, d)) {
			slots++;
			unk += d->size_unknown;
			pop += !d->size_unknown && d->size;
			bytes += d->size;
		}
	}

	/* the totals, recounted (128-bit: the sum must not have wrapped) */
	smbios_totals(&info, &t);
	FUZZ_CHECK(t.slots == slots && t.populated == pop && t.size_unknown == unk);
	FUZZ_CHECK(t.bytes == bytes && t.dropped == info.dimms_dropped);
	sum = smbios_check_sum(&t, map_ram);
	FUZZ_CHECK(sum <= SMBIOS_SUM_DIMMS_MISSING && smbios_sum_name(sum));
	if (!t.bytes || t.size_unknown || t.dropped)
		FUZZ_CHECK(sum == SMBIOS_SUM_UNKNOWN);
	else if ((unsigned __int128)map_ram > bytes + MiB)
		FUZZ_CHECK(sum == SMBIOS_SUM_DIMMS_MISSING);
	else if ((unsigned __int128)map_ram + SMBIOS_RESERVE_SLACK(t.bytes) < bytes)
		FUZZ_CHECK(sum == SMBIOS_SUM_DIMMS_UNMAPPED);
	else
		FUZZ_CHECK(sum == SMBIOS_SUM_OK);
	FUZZ_CHECK(smbios_ecc_name(t.ecc) && smbios_memory_type_name((uint8_t)at));

	/* the locator query at the probe and at every range's edges */
	probe(&info, at);
	for (uint32_t i = 0; i < info.ndevmapped; i++) {
		probe(&info, info.devmapped[i].start);
		probe(&info, info.devmapped[i].end - 1);
		probe(&info, info.devmapped[i].end);
	}
	for (uint32_t i = 0; i < info.nmapped; i++) {
		probe(&info, info.mapped[i].start);
		probe(&info, info.mapped[i].end);
	}

	/* the legacy-area test, in 128-bit arithmetic: the table starts inside
	 * [0xe0000, 1 MiB) and ends by 1 MiB (an empty one at 1 MiB is not in it) */
	FUZZ_CHECK(smbios_in_legacy_area(at, map_ram) ==
		   (at >= 0xe0000 && at < 0x100000 && (unsigned __int128)at + map_ram <= 0x100000));
	return 0;
}
