/* What the parsed memory structures say (smbios.h): totals, the sum check
 * against the memory map, names, and which device holds an address. */
#include <stddef.h>
#include <kernel/smbios.h>

#define MIB (1024ull * 1024)

static const struct smbios_array *array_of(const struct smbios_info *s, uint16_t handle)
{
	for (uint32_t i = 0; i < s->narrays; i++)
		if (s->arrays[i].handle == handle)
			return &s->arrays[i];
	return NULL;
}

/* A device counts as system memory unless its array says otherwise (video
 * memory, flash and caches are type-17 devices too). */
static bool system_memory(const struct smbios_info *s, const struct smbios_dimm *d)
{
	const struct smbios_array *a = array_of(s, d->array);

	return !a || a->use == SMBIOS_USE_SYSTEM_MEMORY;
}

void smbios_totals(const struct smbios_info *s, struct smbios_totals *t)
{
	*t = (struct smbios_totals){ 0 };
	t->dropped = s->dimms_dropped;
	for (uint32_t i = 0; i < s->narrays; i++) {
		const struct smbios_array *a = &s->arrays[i];

		if (a->use != SMBIOS_USE_SYSTEM_MEMORY)
			continue;
		/* several arrays (one per socket): the weakest protection counts */
		if (!t->ecc || a->ecc == SMBIOS_ECC_NONE || !smbios_ecc_claimed(a->ecc))
			t->ecc = a->ecc;
		t->max_capacity += a->max_capacity;
	}
	for (uint32_t i = 0; i < s->ndimms; i++) {
		const struct smbios_dimm *d = &s->dimms[i];

		if (!system_memory(s, d))
			continue;
		t->slots++;
		if (d->size_unknown)
			t->size_unknown++;
		else if (d->size)
			t->populated++;
		t->bytes += d->size;
	}
}

enum smbios_sum smbios_check_sum(const struct smbios_totals *t, uint64_t map_ram_bytes)
{
	if (!t->bytes || t->size_unknown || t->dropped)
		return SMBIOS_SUM_UNKNOWN;
	if (map_ram_bytes > t->bytes + MIB)
		return SMBIOS_SUM_DIMMS_MISSING;
	if (map_ram_bytes + SMBIOS_RESERVE_SLACK(t->bytes) < t->bytes)
		return SMBIOS_SUM_DIMMS_UNMAPPED;
	return SMBIOS_SUM_OK;
}

const char *smbios_sum_name(enum smbios_sum v)
{
	switch (v) {
	case SMBIOS_SUM_OK: return "ok";
	case SMBIOS_SUM_DIMMS_UNMAPPED: return "dimms_not_in_map";
	case SMBIOS_SUM_DIMMS_MISSING: return "ram_beyond_dimms";
	default: return "unknown";
	}
}

bool smbios_ecc_claimed(uint8_t ecc)
{
	return ecc >= SMBIOS_ECC_PARITY && ecc <= SMBIOS_ECC_CRC;
}

const char *smbios_ecc_name(uint8_t ecc)
{
	static const char *const n[] = { "none_listed", "other", "unknown", "none", "parity",
					 "single_bit_ecc", "multi_bit_ecc", "crc" };

	return ecc < sizeof(n) / sizeof(n[0]) ? n[ecc] : "invalid";
}

const char *smbios_memory_type_name(uint8_t type)
{
	static const char *const n[] = {
		[0x01] = "other", [0x02] = "unknown", [0x03] = "DRAM", [0x07] = "RAM",
		[0x0f] = "SDRAM", [0x11] = "RDRAM", [0x12] = "DDR", [0x13] = "DDR2",
		[0x14] = "DDR2 FB-DIMM", [0x18] = "DDR3", [0x19] = "FBD2", [0x1a] = "DDR4",
		[0x1b] = "LPDDR", [0x1c] = "LPDDR2", [0x1d] = "LPDDR3", [0x1e] = "LPDDR4",
		[0x1f] = "logical non-volatile", [0x20] = "HBM", [0x21] = "HBM2",
		[0x22] = "DDR5", [0x23] = "LPDDR5", [0x24] = "HBM3",
	};

	return type < sizeof(n) / sizeof(n[0]) && n[type] ? n[type] : "unknown";
}

static const struct smbios_dimm *dimm_of(const struct smbios_info *s, uint16_t handle)
{
	for (uint32_t i = 0; i < s->ndimms; i++)
		if (s->dimms[i].handle == handle)
			return &s->dimms[i];
	return NULL;
}

const char *smbios_locator_in(const struct smbios_info *s, uint64_t phys)
{
	const struct smbios_range *hit = NULL;
	const struct smbios_dimm *d = NULL;
	uint32_t hits = 0;

	if (!s->present)
		return NULL;
	if (s->ndevmapped) {
		for (uint32_t i = 0; i < s->ndevmapped; i++) {
			const struct smbios_range *r = &s->devmapped[i];

			if (r->start <= phys && phys < r->end) {
				hit = r;
				hits++;
			}
		}
		/* two devices over one address, or an interleave: no single DIMM */
		if (hits != 1 || hit->interleave_pos != 0)
			return NULL;
		d = dimm_of(s, hit->handle);
		return d && d->size && d->locator[0] ? d->locator : NULL;
	}
	if (s->nmapped) {
		for (uint32_t i = 0; i < s->nmapped; i++)
			hits += s->mapped[i].start <= phys && phys < s->mapped[i].end;
		if (!hits)
			return NULL;
	}
	/* no device map: one populated system-memory device holds everything */
	for (uint32_t i = 0; i < s->ndimms; i++) {
		const struct smbios_dimm *c = &s->dimms[i];

		if ((c->size || c->size_unknown) && system_memory(s, c)) {
			if (d)
				return NULL;
			d = c;
		}
	}
	return d && d->locator[0] ? d->locator : NULL;
}
