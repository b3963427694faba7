/* The memory structures of SMBIOS (smbios.h): type 16 arrays, type 17
 * devices, type 19/20 mapped ranges. Field offsets are DSP0134's; a field
 * beyond a structure's formatted length (an older SMBIOS version) reads as
 * unknown. */
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
		} else {
			out->dimms_dropped++;
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
