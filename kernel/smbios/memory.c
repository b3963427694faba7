/* The memory structures of SMBIOS (smbios.h): type 16 arrays, type 17
 * devices, type 19/20 mapped ranges; totals, the sum check and which device
 * holds an address. Field offsets are DSP0134's; a field beyond a
 * structure's formatted length (an older SMBIOS version) reads as unknown. */
#include <stddef.h>
#include "smbios_internal.h"

#define KIB 1024ull
#define MIB (1024ull * 1024)

static bool room(const struct smbios_env *env, struct smbios_info *out,
		 const struct smbios_struct *s, uint32_t n, uint32_t max)
{
	if (n < max)
		return true;
	if (!out->dropped++)
		smbios_note(env, out, ACPI_SEV_WARN, "smbios_too_many", s->phys, s->type);
	return false;
}

static void array16(const struct smbios_info *out, const struct smbios_struct *s,
		    struct smbios_array *a)
{
	const uint8_t *p = s->p;
	uint32_t cap = sm_rd32(p + 0x07);

	(void)out;
	a->handle = s->handle;
	a->use = p[0x05];
	a->ecc = p[0x06];
	a->slots = sm_rd16(p + 0x0d);
	if (cap == 0x80000000u)
		a->max_capacity = s->len >= 0x17 ? sm_rd64(p + 0x0f) : 0;
	else
		a->max_capacity = (uint64_t)cap * KIB;
}

/* Type 17 size: 0 empty, 0xffff unknown, bit 15 KiB units, 0x7fff the
 * extended size (MiB, 31 bits) at 0x1c. */
static void dimm_size(const struct smbios_struct *s, struct smbios_dimm *d)
{
	uint16_t sz = sm_rd16(s->p + 0x0c);

	if (sz == 0xffff) {
		d->size_unknown = true;
	} else if (sz == 0x7fff) {
		if (s->len >= 0x20)
			d->size = (uint64_t)(sm_rd32(s->p + 0x1c) & 0x7fffffffu) * MIB;
		else
			d->size_unknown = true;
	} else if (sz & 0x8000) {
		d->size = (uint64_t)(sz & 0x7fff) * KIB;
	} else {
		d->size = (uint64_t)sz * MIB;
	}
}

/* A speed word (MT/s; 0xffff: the 32-bit extended field at `ext` holds it). */
static uint32_t speed(const struct smbios_struct *s, uint32_t at, uint32_t ext)
{
	uint16_t v;

	if (s->len < at + 2)
		return 0;
	v = sm_rd16(s->p + at);
	if (v != 0xffff)
		return v;
	return s->len >= ext + 4 ? sm_rd32(s->p + ext) & 0x7fffffffu : 0;
}

static void device17(const struct smbios_env *env, struct smbios_info *out,
		     const struct smbios_struct *s, struct smbios_dimm *d)
{
	const uint8_t *p = s->p;

	d->handle = s->handle;
	d->array = sm_rd16(p + 0x04);
	d->total_width = sm_rd16(p + 0x08);
	d->data_width = sm_rd16(p + 0x0a);
	dimm_size(s, d);
	smbios_string(env, out, s, p[0x10], d->locator);
	smbios_string(env, out, s, p[0x11], d->bank);
	d->type = p[0x12];
	d->speed = speed(s, 0x15, 0x54);
	if (s->len >= 0x1b) {
		smbios_string(env, out, s, p[0x17], d->manufacturer);
		smbios_string(env, out, s, p[0x18], d->serial);
		smbios_string(env, out, s, p[0x1a], d->part);
	}
	if (s->len >= 0x1c)
		d->rank = p[0x1b] & 0x0f;
	d->configured_speed = speed(s, 0x20, 0x58);
}

/* Types 19 and 20 share their layout up to 0x0e: start/end in KiB (end
 * inclusive) or, when start is 0xffffffff, 64-bit byte addresses at `ext`. */
static bool range(const struct smbios_env *env, struct smbios_info *out,
		  const struct smbios_struct *s, uint32_t ext, struct smbios_range *r)
{
	uint32_t lo = sm_rd32(s->p + 0x04), hi = sm_rd32(s->p + 0x08);
	uint64_t start, last;

	if (lo == 0xffffffffu) {
		if (s->len < ext + 16)
			goto bad;
		start = sm_rd64(s->p + ext);
		last = sm_rd64(s->p + ext + 8);
	} else {
		start = (uint64_t)lo * KIB;
		last = (uint64_t)hi * KIB + KIB - 1;
	}
	if (last < start || last == UINT64_MAX)
		goto bad;
	r->start = start;
	r->end = last + 1;
	r->handle = sm_rd16(s->p + 0x0c);
	return true;
bad:
	smbios_note(env, out, ACPI_SEV_WARN, "smbios_range_inverted", s->phys, s->type);
	return false;
}

/* Minimum formatted lengths: SMBIOS 2.1's layout of each type. */
static const uint8_t min_len[21] = { [16] = 0x0f, [17] = 0x15, [19] = 0x0f, [20] = 0x13 };

void smbios_memory_struct(const struct smbios_env *env, struct smbios_info *out,
			  const struct smbios_struct *s)
{
	if (s->type > 20 || !min_len[s->type])
		return;
	if (s->len < min_len[s->type]) {
		smbios_note(env, out, ACPI_SEV_WARN, "smbios_type_short", s->phys,
			    (uint64_t)s->type << 8 | s->len);
		return;
	}
	switch (s->type) {
	case 16:
		if (room(env, out, s, out->narrays, SMBIOS_MAX_ARRAYS))
			array16(out, s, &out->arrays[out->narrays++]);
		break;
	case 17:
		if (room(env, out, s, out->ndimms, SMBIOS_MAX_DIMMS)) {
			out->dimms[out->ndimms] = (struct smbios_dimm){ 0 };
			device17(env, out, s, &out->dimms[out->ndimms++]);
		}
		break;
	case 19:
		if (room(env, out, s, out->nmapped, SMBIOS_MAX_RANGES) &&
		    range(env, out, s, 0x0f, &out->mapped[out->nmapped]))
			out->nmapped++;
		break;
	case 20:
		if (room(env, out, s, out->ndevmapped, SMBIOS_MAX_RANGES)) {
			struct smbios_range *r = &out->devmapped[out->ndevmapped];

			if (range(env, out, s, 0x13, r)) {
				r->interleave_pos = s->p[0x11];
				r->interleave_depth = s->p[0x12];
				out->ndevmapped++;
			}
		}
		break;
	}
}

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
	if (!t->bytes || t->size_unknown)
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
